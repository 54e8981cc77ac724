#include "simulator/profiles.h"

#include <algorithm>
#include <stdexcept>

namespace flopcast::simulator {

NodeSpec node_spec_from(const hwprofiles::NodeProfile& n) {
  NodeSpec s;
  s.gpus_per_node = n.gpus_per_node;
  s.scale_up_bytes_per_s = n.scale_up_bytes_per_s;
  s.scale_up_latency_s = n.scale_up_latency_s;
  s.nics_per_node = n.nics_per_node;
  s.nic_bytes_per_s = n.nic_bytes_per_s;
  s.nic_latency_s = n.nic_latency_s;
  return s;
}

ClusterSpec cluster_spec_from(const hwprofiles::ClusterProfile& c) {
  ClusterSpec s;
  s.nodes = c.nodes;
  switch (c.network) {
    case hwprofiles::ClusterNetwork::single_switch: s.shape = NetworkShape::single_switch; break;
    case hwprofiles::ClusterNetwork::fat_tree: s.shape = NetworkShape::fat_tree; break;
    case hwprofiles::ClusterNetwork::rail_optimized: s.shape = NetworkShape::rail_optimized; break;
  }
  s.nodes_per_leaf = c.nodes_per_leaf;
  s.spines = c.spines;
  s.leaf_uplink_bytes_per_s = c.leaf_uplink_bytes_per_s;
  s.switch_latency_s = c.switch_latency_s;
  s.storage_write_bytes_per_s = c.storage_write_bytes_per_s.value_or(0);
  return s;
}

void specs_from_device(const models::DeviceSpec& d, int devices, NodeSpec& node, ClusterSpec& cluster) {
  const int domain = std::max(1, d.scale_up_domain_size.value_or(1));
  // A domain of a size that is not a power of two (NVL72 racks: 72) runs the largest power of two
  // of its devices for one job (64), so that the job's power-of-two groups (tensor, expert,
  // pipeline blocks, in Megatron's rank order) stay inside one domain, as the estimate's
  // ranks_per_domain takes them; 72 per node would straddle racks with every second 64-rank group.
  int per_node = 1;
  while (per_node * 2 <= domain) per_node *= 2;
  node = NodeSpec{};
  node.gpus_per_node = per_node;
  node.nics_per_node = per_node;
  if (per_node > 1) {
    if (!d.scale_up_bytes_per_s) throw std::invalid_argument("unknown for " + d.id + ": scale_up_bytes_per_s");
    node.scale_up_bytes_per_s = *d.scale_up_bytes_per_s;
  }
  cluster = ClusterSpec{};
  cluster.nodes = (devices + per_node - 1) / per_node;
  cluster.shape = NetworkShape::single_switch;
  if (cluster.nodes > 1) {
    if (!d.scale_out_bytes_per_s) throw std::invalid_argument("unknown for " + d.id + ": scale_out_bytes_per_s");
    node.nic_bytes_per_s = *d.scale_out_bytes_per_s;
  }
}

}  // namespace flopcast::simulator
