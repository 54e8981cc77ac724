// Node and cluster profiles (hwprofiles/) -> the simulator's topology specs, and the topology a
// bare device spec implies (one scale-up domain per node, one NIC share per device, a single
// non-blocking switch) for scenarios that name no cluster.
#pragma once

#include "hwprofiles/node_profile.h"
#include "models/device_spec.h"
#include "simulator/topology.h"

namespace flopcast::simulator {

NodeSpec node_spec_from(const hwprofiles::NodeProfile& node);
ClusterSpec cluster_spec_from(const hwprofiles::ClusterProfile& cluster);

// From a device spec: nodes of scale_up_domain_size devices (1 when unknown; the largest power of
// two of it when it is not one: 64 of an NVL72 rack's 72, what a job's power-of-two groups fill)
// linked at scale_up_bytes_per_s, one NIC per device at scale_out_bytes_per_s, `nodes` nodes on one
// non-blocking switch. Throws std::invalid_argument naming a missing field.
void specs_from_device(const models::DeviceSpec& device, int devices, NodeSpec& node, ClusterSpec& cluster);

}  // namespace flopcast::simulator
