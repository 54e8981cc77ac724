#include "simulator/topology.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace flopcast::simulator {

struct Topology::Graph {
  using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  G g;
  std::vector<bool> is_switch;
};

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("simulator topology: " + what);
}
}  // namespace

Topology::~Topology() = default;
std::size_t Topology::vertex_count() const { return boost::num_vertices(g_->g); }

LinkId Topology::add_pair(int u, int v, double bw, double latency_s, const std::string& kind) {
  const SimTime lat = from_seconds(latency_s);
  const LinkId a = net_.add_link(bw, lat);
  const LinkId b = net_.add_link(bw, lat);
  boost::add_edge(u, v, g_->g);
  boost::add_edge(v, u, g_->g);
  edge_link_[{u, v}] = a;
  edge_link_[{v, u}] = b;
  link_info_.push_back({vertex_name_[u] + "->" + vertex_name_[v], kind});
  link_info_.push_back({vertex_name_[v] + "->" + vertex_name_[u], kind});
  return a;
}

Topology::Topology(FlowNetwork& net, const NodeSpec& node, const ClusterSpec& cluster)
    : net_(net), node_(node), cluster_(cluster), g_(new Graph) {
  require(node.gpus_per_node >= 1, "node gpus_per_node must be >= 1");
  require(node.scale_up_bytes_per_s > 0 || node.gpus_per_node == 1,
          "node scale_up_bytes_per_s must be > 0");
  require(node.nics_per_node >= 1 && node.gpus_per_node % node.nics_per_node == 0,
          "node nics_per_node must be >= 1 and divide gpus_per_node");
  require(cluster.nodes >= 1, "cluster nodes must be >= 1");
  require(cluster.nodes == 1 || node.nic_bytes_per_s > 0, "node nic_bytes_per_s must be > 0");
  require(cluster.nodes_per_leaf >= 1, "cluster nodes_per_leaf must be >= 1");
  require(cluster.shape == NetworkShape::single_switch || cluster.spines >= 1,
          "cluster spines must be >= 1");
  const int nodes = cluster.nodes, gpn = node.gpus_per_node, nics = node.nics_per_node;
  int vid = 0;
  auto new_vertex = [&](const std::string& name, bool sw) {
    boost::add_vertex(g_->g);
    vertex_name_.push_back(name);
    g_->is_switch.push_back(sw);
    return vid++;
  };
  for (int n = 0; n < nodes; ++n) {
    nvswitch_vertex_.push_back(new_vertex("nvswitch" + std::to_string(n), false));
    for (int i = 0; i < gpn; ++i) gpu_vertex_.push_back(new_vertex("gpu" + std::to_string(n * gpn + i), false));
    for (int i = 0; i < nics; ++i) nic_vertex_.push_back(new_vertex("nic" + std::to_string(n * nics + i), false));
  }
  // Leaves.
  const int groups = (nodes + cluster.nodes_per_leaf - 1) / cluster.nodes_per_leaf;
  int leaves = 1;
  if (cluster.shape == NetworkShape::fat_tree) leaves = groups;
  if (cluster.shape == NetworkShape::rail_optimized) leaves = groups * nics;
  for (int l = 0; l < leaves; ++l) leaf_vertex_.push_back(new_vertex("leaf" + std::to_string(l), true));
  const bool two_level = cluster.shape != NetworkShape::single_switch && leaves > 1;
  if (two_level) {
    require(cluster.leaf_uplink_bytes_per_s > 0, "cluster leaf_uplink_bytes_per_s must be > 0");
    for (int s = 0; s < cluster.spines; ++s) spine_vertex_.push_back(new_vertex("spine" + std::to_string(s), true));
  }
  // Links.
  for (int n = 0; n < nodes; ++n) {
    for (int i = 0; i < gpn; ++i) {
      const int gpu = n * gpn + i;
      if (gpn > 1) add_pair(gpu_vertex_[gpu], nvswitch_vertex_[n], node.scale_up_bytes_per_s, node.scale_up_latency_s, "nvlink");
      if (nodes > 1) {
        const int nic = n * nics + i / (gpn / nics);
        // One GPU<->NIC link per GPU; GPUs sharing a NIC share its NIC<->leaf link.
        add_pair(gpu_vertex_[gpu], nic_vertex_[nic], node.nic_bytes_per_s, node.nic_latency_s, "pcie");
      }
    }
  }
  nic_leaf_.assign(nic_vertex_.size(), 0);
  leaf_port_.assign(nic_vertex_.size(), 0);
  std::vector<int> ports_used(leaf_vertex_.size(), 0);
  if (nodes > 1) {
    for (int n = 0; n < nodes; ++n)
      for (int r = 0; r < nics; ++r) {
        const int nic = n * nics + r, group = n / cluster.nodes_per_leaf;
        int leaf = 0;
        if (cluster.shape == NetworkShape::fat_tree) leaf = group;
        if (cluster.shape == NetworkShape::rail_optimized) leaf = group * nics + r;
        nic_leaf_[nic] = leaf;
        leaf_port_[nic] = ports_used[static_cast<std::size_t>(leaf)]++;
        add_pair(nic_vertex_[nic], leaf_vertex_[leaf], node.nic_bytes_per_s, node.nic_latency_s, "nic");
      }
    if (two_level)
      for (int l = 0; l < leaves; ++l)
        for (int s = 0; s < cluster.spines; ++s)
          add_pair(leaf_vertex_[l], spine_vertex_[s], cluster.leaf_uplink_bytes_per_s, cluster.switch_latency_s, "uplink");
  }
  // Link tables for route().
  const std::size_t n_gpus = gpu_vertex_.size(), n_nics = nic_vertex_.size();
  gpu_up_.assign(n_gpus, 0), gpu_down_.assign(n_gpus, 0), gpu_nic_.assign(n_gpus, 0),
      nic_gpu_.assign(n_gpus, 0);
  nic_up_.assign(n_nics, 0), nic_down_.assign(n_nics, 0);
  for (int gpu = 0; gpu < static_cast<int>(n_gpus); ++gpu) {
    const std::size_t i = static_cast<std::size_t>(gpu);
    const int n = gpu / gpn;
    if (gpn > 1)
      gpu_up_[i] = link(gpu_vertex_[i], nvswitch_vertex_[static_cast<std::size_t>(n)]),
      gpu_down_[i] = link(nvswitch_vertex_[static_cast<std::size_t>(n)], gpu_vertex_[i]);
    if (nodes > 1) {
      const std::size_t nic = static_cast<std::size_t>(n * nics + (gpu % gpn) / (gpn / nics));
      gpu_nic_[i] = link(gpu_vertex_[i], nic_vertex_[nic]);
      nic_gpu_[i] = link(nic_vertex_[nic], gpu_vertex_[i]);
    }
  }
  if (nodes > 1)
    for (std::size_t nic = 0; nic < n_nics; ++nic) {
      nic_up_[nic] = link(nic_vertex_[nic], leaf_vertex_[static_cast<std::size_t>(nic_leaf_[nic])]);
      nic_down_[nic] =
          link(leaf_vertex_[static_cast<std::size_t>(nic_leaf_[nic])], nic_vertex_[nic]);
    }
  if (leaf_vertex_.size() <= 1024) {
    switch_cache_.assign(leaf_vertex_.size() * leaf_vertex_.size(), {});
    switch_cached_.assign(leaf_vertex_.size() * leaf_vertex_.size(), 0);
  }
}

void Route::push_back(LinkId l) {
  if (n_ == kMaxLinks) throw std::length_error("simulator topology: a route longer than 8 links");
  links_[n_++] = l;
}

const Topology::SwitchPaths& Topology::switch_paths(int leaf_a, int leaf_b) {
  const bool flat = !switch_cached_.empty();
  const std::size_t key =
      static_cast<std::size_t>(leaf_a) * leaf_vertex_.size() + static_cast<std::size_t>(leaf_b);
  if (flat && switch_cached_[key]) return switch_cache_[key];
  if (!flat)
    if (auto it = switch_map_.find({leaf_a, leaf_b}); it != switch_map_.end()) return it->second;
  using G = Graph::G;
  using V = boost::graph_traits<G>::vertex_descriptor;
  const auto& sw = g_->is_switch;
  const V src = leaf_vertex_[leaf_a], dst = leaf_vertex_[leaf_b];
  // Hop distances from src over switches only (BFS on the filtered graph), cached per source.
  auto& dist = bfs_dist_[leaf_a];
  if (dist.empty()) {
    std::function<bool(V)> only_switches = [&sw](V v) { return static_cast<bool>(sw[v]); };
    boost::filtered_graph<G, boost::keep_all, std::function<bool(V)>> fg(g_->g, boost::keep_all(), only_switches);
    dist.assign(boost::num_vertices(g_->g), -1);
    dist[src] = 0;
    boost::breadth_first_search(
        fg, src, boost::visitor(boost::make_bfs_visitor(boost::record_distances(dist.data(), boost::on_tree_edge()))));
  }
  if (dist[dst] < 0) throw std::runtime_error("simulator topology: leaves not connected");
  // Every shortest path (up to kMaxSwitchPaths), walking back from dst over the switches one hop
  // nearer to src, lower vertex ids first: in a two-level Clos one path per spine, in spine order.
  SwitchPaths out;
  out.hops = dist[dst];
  std::vector<LinkId> rev;  // the current path, dst first
  std::function<void(V)> walk = [&](V v) {
    if (out.count() >= kMaxSwitchPaths) return;
    if (v == src) {
      out.links.insert(out.links.end(), rev.rbegin(), rev.rend());
      return;
    }
    std::vector<V> prev;
    for (auto [e, end] = boost::out_edges(v, g_->g); e != end; ++e) {
      const V u = boost::target(*e, g_->g);
      if (sw[u] && dist[u] == dist[v] - 1) prev.push_back(u);
    }
    std::sort(prev.begin(), prev.end());
    for (V u : prev) {
      rev.push_back(edge_link_.at({static_cast<int>(u), static_cast<int>(v)}));
      walk(u);
      rev.pop_back();
    }
  };
  walk(dst);
  if (!flat) return switch_map_[{leaf_a, leaf_b}] = std::move(out);
  switch_cache_[key] = std::move(out);
  switch_cached_[key] = 1;
  return switch_cache_[key];
}

Route Topology::route(int a, int b) {
  if (a < 0 || b < 0 || a >= gpu_count() || b >= gpu_count())
    throw std::out_of_range("simulator topology: GPU index out of range");
  Route r;
  if (a == b) return r;
  const int gpn = node_.gpus_per_node, nics = node_.nics_per_node;
  const int na = node_of(a), nb = node_of(b);
  if (na == nb) {
    r.push_back(gpu_up_[static_cast<std::size_t>(a)]);
    r.push_back(gpu_down_[static_cast<std::size_t>(b)]);
    return r;
  }
  const int nic_a = na * nics + (a % gpn) / (gpn / nics);
  const int nic_b = nb * nics + (b % gpn) / (gpn / nics);
  r.push_back(gpu_nic_[static_cast<std::size_t>(a)]);
  r.push_back(nic_up_[static_cast<std::size_t>(nic_a)]);
  // Destination-based routing (d-mod-k): among the equal-cost paths, the one indexed by the
  // destination NIC's port on its leaf, so the flows into one leaf spread over the spines.
  const SwitchPaths& paths = switch_paths(nic_leaf_[static_cast<std::size_t>(nic_a)],
                                          nic_leaf_[static_cast<std::size_t>(nic_b)]);
  if (paths.hops > 0) {
    const std::size_t k =
        static_cast<std::size_t>(leaf_port_[static_cast<std::size_t>(nic_b)]) % paths.count();
    for (int h = 0; h < paths.hops; ++h)
      r.push_back(
          paths.links[k * static_cast<std::size_t>(paths.hops) + static_cast<std::size_t>(h)]);
  }
  r.push_back(nic_down_[static_cast<std::size_t>(nic_b)]);
  r.push_back(nic_gpu_[static_cast<std::size_t>(b)]);
  return r;
}

}  // namespace flopcast::simulator
