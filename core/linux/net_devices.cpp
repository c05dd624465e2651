// Network devices and their addresses: see net_devices.hpp.
#include "core/linux/net_devices.hpp"

#include <arpa/inet.h>

#include <array>

#include "core/linux/kernel_list.hpp"
#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

constexpr size_t kMaxAddresses = 4096;

Status read_ipv4(Program& prog, uint64_t dev, NetDevice& d) {
  ASSIGN_OR_RETURN(uint64_t in_dev, read_pointer_member(prog, "net_device", dev, "ip_ptr"));
  if (!in_dev) return {};
  ASSIGN_OR_RETURN(uint64_t ifa, read_pointer_member(prog, "in_device", in_dev, "ifa_list"));
  ASSIGN_OR_RETURN(uint64_t addr_off, prog.types().member_offset("in_ifaddr", "ifa_address"));
  while (ifa) {
    if (d.ipv4.size() > kMaxAddresses) return fail(Errc::format, "ifa_list of " + hex(in_dev) + " does not end");
    std::array<uint8_t, 4> a{};
    TRY_VOID(prog.read(ifa + addr_off, a));
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, a.data(), buf, sizeof buf);
    d.ipv4.push_back(buf);
    ASSIGN_OR_RETURN(ifa, read_pointer_member(prog, "in_ifaddr", ifa, "ifa_next"));
  }
  return {};
}

Status read_ipv6(Program& prog, uint64_t dev, NetDevice& d) {
  auto ip6 = read_pointer_member(prog, "net_device", dev, "ip6_ptr");
  if (!ip6 || *ip6 == 0) return {};  // no IPv6 in this kernel or on this device
  ASSIGN_OR_RETURN(uint64_t head_off, prog.types().member_offset("inet6_dev", "addr_list"));
  ASSIGN_OR_RETURN(uint64_t node_off, prog.types().member_offset("inet6_ifaddr", "if_list"));
  ASSIGN_OR_RETURN(uint64_t addr_off, prog.types().member_offset("inet6_ifaddr", "addr"));
  return walk_list(prog, *ip6 + head_off, node_off, [&](uint64_t ifa) -> Status {
    std::array<uint8_t, 16> a{};
    TRY_VOID(prog.read(ifa + addr_off, a));
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
    d.ipv6.push_back(buf);
    return {};
  });
}

}  // namespace

Result<uint64_t> task_net_namespace(Program& prog, uint64_t task) {
  ASSIGN_OR_RETURN(uint64_t nsproxy, read_pointer_member(prog, "task_struct", task, "nsproxy"));
  if (nsproxy == 0) return fail(Errc::not_found, "task " + hex(task) + " has no nsproxy (it has exited)");
  return read_pointer_member(prog, "nsproxy", nsproxy, "net_ns");
}

Result<std::vector<NetDevice>> read_net_devices(Program& prog, uint64_t net_ns) {
  ASSIGN_OR_RETURN(uint64_t head_off, prog.types().member_offset("net", "dev_base_head"));
  ASSIGN_OR_RETURN(uint64_t node_off, prog.types().member_offset("net_device", "dev_list"));
  ASSIGN_OR_RETURN(const Type* dev_type, prog.types().find_struct("net_device"));
  std::vector<NetDevice> out;
  TRY_VOID(walk_list(prog, net_ns + head_off, node_off, [&](uint64_t dev) -> Status {
    NetDevice d;
    d.address = dev;
    auto fill = [&]() -> Status {
      ASSIGN_OR_RETURN(Object name, Object::at(prog, dev_type, dev).member("name"));
      ASSIGN_OR_RETURN(d.name, name.as_string());
      TRY_VOID(read_ipv4(prog, dev, d).context("IPv4 addresses"));
      TRY_VOID(read_ipv6(prog, dev, d).context("IPv6 addresses"));
      return {};
    };
    if (auto s = fill(); !s) d.error = "net_device " + hex(dev) + ": " + s.error().to_string();
    out.push_back(std::move(d));
    return {};
  }).context("walking the devices of net namespace " + hex(net_ns)));
  return out;
}

}  // namespace kinspect
