// Network devices of a network namespace (nsproxy->net_ns->dev_base_head)
// with their IPv4 (in_device->ifa_list) and IPv6 (inet6_dev->addr_list)
// addresses, as `ip addr` would list them. Layouts from DWARF; no output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct NetDevice {
  uint64_t address = 0;             // struct net_device *
  std::string name;
  std::vector<std::string> ipv4;    // dotted quads, in ifa_list order
  std::vector<std::string> ipv6;    // inet_ntop() form, in addr_list order
  std::string error;                // what could not be read, if anything
};

// The network namespace of a task (task->nsproxy->net_ns).
Result<uint64_t> task_net_namespace(Program& prog, uint64_t task);

Result<std::vector<NetDevice>> read_net_devices(Program& prog, uint64_t net_ns);

}  // namespace kinspect
