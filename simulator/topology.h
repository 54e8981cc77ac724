// Cluster topology as a graph (Boost.Graph) whose edges are FlowNetwork links.
//
// Vertices: GPUs, one NVSwitch per node (the scale-up domain, a non-blocking crossbar), one NIC
// per GPU (or per `gpus / nics` GPUs), leaf switches and spine switches. Every physical
// connection is two directed links (full duplex), each with the per-direction bandwidth of the
// profile. Shapes:
//   single_switch : every NIC on one non-blocking switch (small clusters, tests);
//   fat_tree      : a leaf (top-of-rack) per `nodes_per_leaf` nodes takes all NICs of those
//                   nodes; every leaf connects to every spine (two-level folded Clos);
//   rail_optimized: NIC r of every node in a group of `nodes_per_leaf` nodes goes to that group's
//                   rail-r leaf, so same-rank GPUs of different nodes are one switch apart
//                   (NVIDIA DGX SuperPOD reference architecture); leaves connect to all spines.
// Routing: inside a node GPU -> NVSwitch -> GPU (2 links). Between nodes GPU -> NIC -> leaf ->
// (a shortest path over the switch graph) -> leaf -> NIC -> GPU. The equal-cost paths between two
// leaves (Boost.Graph BFS distances, then every path back over switches one hop nearer: one per
// spine in a two-level Clos) are cached per leaf pair, and a flow takes the one indexed by its
// destination NIC's port on its leaf, modulo their count: destination-based "d-mod-k" routing, what
// InfiniBand subnet managers compute for fat trees (OpenSM ftree/updn; Zahavi, "D-Mod-K Routing
// Providing Non-Blocking Traffic for Shift Permutations on Real Life Fat Trees", 2010). The flows
// into one leaf spread over the spines, one spine per destination; flows from many sources to one
// destination converge on its downlink, which they share anyway. The GPU and NIC hops come from
// per-GPU link tables, so a route costs a few array reads (an iteration of 16,384 GPUs starts 44 M
// flows).
// Ignores: PXN/NVLink-forwarding to another rail, adaptive routing, per-flow ECMP hashing, NIC/PCIe
// contention inside a host, switch buffer effects.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "simulator/flow_network.h"

namespace flopcast::simulator {

enum class NetworkShape { single_switch, fat_tree, rail_optimized };

struct NodeSpec {
  int gpus_per_node = 8;
  double scale_up_bytes_per_s = 0;  // per GPU, per direction (GPU <-> NVSwitch)
  double scale_up_latency_s = 0;    // per link
  int nics_per_node = 8;
  double nic_bytes_per_s = 0;  // per NIC, per direction
  double nic_latency_s = 0;    // per link (GPU<->NIC, NIC<->leaf)
};

struct ClusterSpec {
  int nodes = 1;
  NetworkShape shape = NetworkShape::single_switch;
  int nodes_per_leaf = 32;
  int spines = 1;
  double leaf_uplink_bytes_per_s = 0;  // each leaf <-> spine link, per direction
  double switch_latency_s = 0;         // per leaf<->spine link
  double storage_write_bytes_per_s = 0;  // aggregate checkpoint write bandwidth (0: unknown)
};

// The links of one route, held by value: GPU -> NIC -> leaf -> spine -> leaf -> NIC -> GPU is the
// longest, 6 links; routing is arithmetic over per-GPU link tables (no map lookup per flow).
class Route {
 public:
  static constexpr std::size_t kMaxLinks = 8;
  void push_back(LinkId l);
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const LinkId* begin() const { return links_.data(); }
  const LinkId* end() const { return links_.data() + n_; }
  LinkId operator[](std::size_t i) const { return links_[i]; }
  operator std::span<const LinkId>() const { return {links_.data(), n_}; }

 private:
  std::array<LinkId, kMaxLinks> links_{};
  std::size_t n_ = 0;
};

class Topology {
 public:
  // Builds the graph and one FlowNetwork link per direction of each connection.
  // Throws std::invalid_argument on inconsistent specs (message names the field).
  Topology(FlowNetwork& net, const NodeSpec& node, const ClusterSpec& cluster);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  int gpu_count() const { return node_.gpus_per_node * cluster_.nodes; }
  int node_of(int gpu) const { return gpu / node_.gpus_per_node; }
  FlowNetwork& network() { return net_; }
  const NodeSpec& node() const { return node_; }
  const ClusterSpec& cluster() const { return cluster_; }

  // Links from GPU a to GPU b (empty when a == b).
  Route route(int gpu_a, int gpu_b);

  struct LinkInfo {
    std::string name;  // "gpu3->nvswitch0", "nic3->leaf1", ...
    std::string kind;  // nvlink | nic | uplink
  };
  const std::vector<LinkInfo>& links() const { return link_info_; }
  std::size_t vertex_count() const;

 private:
  struct Graph;
  LinkId add_pair(int u, int v, double bw, double latency_s, const std::string& kind);
  // The equal-cost shortest paths between two leaves over the switches, `hops` links each, stored
  // one after another.
  struct SwitchPaths {
    int hops = 0;
    std::vector<LinkId> links;
    std::size_t count() const {
      return hops > 0 ? links.size() / static_cast<std::size_t>(hops) : 1;
    }
  };
  static constexpr std::size_t kMaxSwitchPaths = 256;
  const SwitchPaths& switch_paths(int leaf_a, int leaf_b);
  LinkId link(int u, int v) const { return edge_link_.at({u, v}); }

  FlowNetwork& net_;
  NodeSpec node_;
  ClusterSpec cluster_;
  std::unique_ptr<Graph> g_;  // owns the graph; released even when the constructor throws
  std::vector<int> gpu_vertex_, nvswitch_vertex_, nic_vertex_, leaf_vertex_, spine_vertex_;
  std::vector<int> nic_leaf_;   // leaf index of each NIC
  std::vector<int> leaf_port_;  // the NIC's port on its leaf (0, 1, ... in NIC order)
  std::vector<std::string> vertex_name_;
  std::vector<LinkInfo> link_info_;
  std::map<std::pair<int, int>, LinkId> edge_link_;  // (u, v) -> link u->v
  // Per-GPU and per-NIC link tables (filled once the links exist): GPU -> NVSwitch, NVSwitch ->
  // GPU, GPU -> its NIC, NIC -> GPU (per GPU: GPUs sharing a NIC each have their own PCIe link),
  // NIC -> leaf, leaf -> NIC.
  std::vector<LinkId> gpu_up_, gpu_down_, gpu_nic_, nic_gpu_, nic_up_, nic_down_;
  // Leaf-to-leaf paths, filled on first use: a flat table [leaf_a · leaves + leaf_b] up to 1,024
  // leaves, a map above.
  std::vector<SwitchPaths> switch_cache_;
  std::vector<char> switch_cached_;
  std::map<std::pair<int, int>, SwitchPaths> switch_map_;
  std::map<int, std::vector<int>> bfs_dist_;  // per source leaf: hop distance of every vertex
};

}  // namespace flopcast::simulator
