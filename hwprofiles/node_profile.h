// Node and cluster profiles: how devices are put together (scale-up domain, NICs) and how nodes
// are networked (fat tree, rail-optimised), plus the storage write bandwidth checkpoints use.
// Data lives in hwprofiles/data/nodes/*.json and hwprofiles/data/clusters/*.json (embedded at
// build time by hwprofiles/data/nodes/embed.cmake; no data path at run time); every number names
// its source. Format:
//
// Node:    {"schema_version": 1, "id", "name", "device" (catalog id), "gpus_per_node",
//           "scale_up_bytes_per_s" (per GPU per direction, to the switch), "scale_up_kind",
//           "nics_per_node", "nic_bytes_per_s" (per NIC per direction), optional latencies
//           "scale_up_latency_s", "nic_latency_s", optional "system_power_w", "sources": [...]}
// Cluster: {"schema_version": 1, "id", "name", "node" (node id), "nodes", "network"
//           ("single_switch" | "fat_tree" | "rail_optimized"), "nodes_per_leaf", "spines",
//           "leaf_uplink_bytes_per_s" (each leaf-spine link, per direction), optional
//           "switch_latency_s", "storage_write_bytes_per_s" (aggregate), "sources": [...]}
// Strict like the device loader: unknown keys, wrong types, out-of-range values are errors
// naming the file and JSON pointer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hwprofiles/profile_loader.h"

namespace flopcast::hwprofiles {

struct ProfileSource {
  std::string title;
  std::string url;  // "" when none
};

struct NodeProfile {
  std::string id;
  std::string name;
  std::string device;  // device catalog id
  int gpus_per_node = 0;
  std::string scale_up_kind;  // "nvswitch", "pcie", ...
  double scale_up_bytes_per_s = 0;
  double scale_up_latency_s = 0;  // 0: not modelled
  int nics_per_node = 0;
  double nic_bytes_per_s = 0;
  double nic_latency_s = 0;
  std::optional<double> system_power_w;
  std::vector<ProfileSource> sources;
};

enum class ClusterNetwork { single_switch, fat_tree, rail_optimized };

struct ClusterProfile {
  std::string id;
  std::string name;
  std::string node;  // node profile id
  int nodes = 0;
  ClusterNetwork network = ClusterNetwork::fat_tree;
  int nodes_per_leaf = 1;
  int spines = 0;
  double leaf_uplink_bytes_per_s = 0;
  double switch_latency_s = 0;
  std::optional<double> storage_write_bytes_per_s;
  std::vector<ProfileSource> sources;
};

struct NodeParse {
  std::optional<NodeProfile> profile;
  std::vector<ProfileError> errors;
};
struct ClusterParse {
  std::optional<ClusterProfile> profile;
  std::vector<ProfileError> errors;
};

NodeParse parse_node_profile(const nlohmann::json& j, const std::string& origin);
ClusterParse parse_cluster_profile(const nlohmann::json& j, const std::string& origin);
NodeParse parse_node_profile_text(std::string_view text, const std::string& origin);
ClusterParse parse_cluster_profile_text(std::string_view text, const std::string& origin);
NodeParse load_node_profile_file(const std::string& path);
ClusterParse load_cluster_profile_file(const std::string& path);

// The built-in profiles (embedded data), parsed once; ids unique. Throws std::logic_error naming
// the first problem if the embedded data were invalid (the tests check it is not).
const std::vector<NodeProfile>& builtin_nodes();
const std::vector<ClusterProfile>& builtin_clusters();
const NodeProfile* find_node(std::string_view id);
const ClusterProfile* find_cluster(std::string_view id);

std::string to_string(ClusterNetwork n);

}  // namespace flopcast::hwprofiles
