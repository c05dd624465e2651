// net: network devices and addresses; net -s: the sockets of tasks; crash's
// layouts.
#include <arpa/inet.h>

#include <string>

#include "commands/columns.hpp"
#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/files.hpp"
#include "core/linux/net_devices.hpp"
#include "core/linux/net_sockets.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

Status show_devices(CommandContext& ctx, const TaskInfo& task) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(uint64_t ns, task_net_namespace(prog, task.task));
  ASSIGN_OR_RETURN(std::vector<NetDevice> devs, read_net_devices(prog, ns));
  size_t width = 6;
  for (const auto& d : devs) width = std::max(width, d.name.size());
  ctx.out.print("%s  %-*s IP ADDRESS(ES)\n", centered("NET_DEVICE", 16).c_str(), static_cast<int>(width), "NAME");
  for (const auto& d : devs) {
    std::vector<std::string> addrs = d.ipv4;
    addrs.insert(addrs.end(), d.ipv6.begin(), d.ipv6.end());
    ctx.out.print("%16llx  %-*s %s\n", static_cast<unsigned long long>(d.address), static_cast<int>(width),
                  d.name.c_str(), join(addrs).c_str());
    if (!d.error.empty()) ctx.out.print("  (%s)\n", d.error.c_str());
  }
  return {};
}

std::string ipv6_text(const std::vector<uint16_t>& g, unsigned port) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%x:%x:%x:%x:%x:%x:%x:%x-%u", g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], port);
  return buf;
}

// crash's FAMILY:TYPE and address columns of one socket.
std::string socket_text(const NetSocket& s) {
  std::string t = socket_family_name(s.family) + ":" + socket_type_name(s.type) + " ";
  if (!s.error.empty()) return t + "(" + s.error + ")";
  if (s.family == AF_INET) {
    t += " " + s.local_addr + "-" + std::to_string(s.local_port) + " ";
    t += s.remote_addr + "-" + std::to_string(s.remote_port);
  } else if (s.family == AF_INET6 && s.local6.size() == 8 && s.remote6.size() == 8) {
    std::string src = ipv6_text(s.local6, s.local_port);
    char buf[128];
    std::snprintf(buf, sizeof buf, "%12s ", src.c_str());
    t += buf;
    t += centered(ipv6_text(s.remote6, s.remote_port), src.size(), true);
  }
  return t;
}

void show_task_sockets(CommandContext& ctx, const TaskInfo& t) {
  Program& prog = *ctx.program;
  ctx.out.line(task_header(t));
  auto tf = read_task_files(prog, t.task);
  if (!tf) {
    ctx.out.line("net: " + tf.error().to_string());
    return;
  }
  bool header = false;
  for (const OpenFile& f : tf->open) {
    if (f.type != "SOCK") continue;
    if (!header) ctx.out.line("FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT");
    header = true;
    auto s = read_socket(prog, f);
    if (!s) {
      ctx.out.print("%2u  (%s)\n", f.fd, s.error().to_string().c_str());
      continue;
    }
    ctx.out.print("%2u %16llx %16llx %s\n", f.fd, static_cast<unsigned long long>(s->socket),
                  static_cast<unsigned long long>(s->sock), socket_text(*s).c_str());
  }
  if (!header) ctx.out.line("No open sockets.");
}

Status cmd_net(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "sSanN:R:xd"));
  for (char c : {'S', 'a', 'R', 'x', 'd'})
    if (o.has(c)) return fail(Errc::unsupported, std::string("net -") + c + ": not implemented yet");
  if (auto n = o.value('N')) {
    auto v = parse_number(*n);
    if (!v || *v > 0xffffffffu) return fail(Errc::invalid_argument, "net -N: not a 32-bit address: " + *n);
    // The value as the kernel stores a __be32: its low byte is the first octet.
    uint32_t be = static_cast<uint32_t>(*v);
    ctx.out.print("%u.%u.%u.%u\n", be & 0xff, (be >> 8) & 0xff, (be >> 16) & 0xff, be >> 24);
    return {};
  }
  if (o.has('s')) return for_each_named_task(ctx, o.positional, [&](const TaskInfo& t) { show_task_sockets(ctx, t); });
  if (!o.has('n') && !o.positional.empty())
    return fail(Errc::invalid_argument, "net " + o.positional[0].text + ": a task needs -s or -n");
  std::optional<std::string> word;
  if (!o.positional.empty()) word = o.positional[0].text;
  ASSIGN_OR_RETURN(const TaskInfo* task, option_task_or_current(ctx.session, word));
  return show_devices(ctx, *task);
}

constexpr std::string_view kNetHelp = R"(NAME
  net - network devices and sockets

SYNOPSIS
  net [-n [pid | task]]
  net -s [pid | task] ...
  net -N address

DESCRIPTION
  With no flag lists the network devices of the current context's network
  namespace (nsproxy->net_ns->dev_base_head) in crash's columns:
  NET_DEVICE, NAME and IP ADDRESS(ES) (IPv4 from in_device->ifa_list,
  then IPv6 from inet6_dev->addr_list, comma separated).

  -s [pid | task]  the sockets among each task's open files (default: the
                   current context): FD, struct socket, struct sock,
                   FAMILY:TYPE and, for INET and INET6 sockets, the local
                   and remote address-port pairs.
  -n [pid | task]  the devices of that task's network namespace.
  -N address       a 32-bit value (as the kernel stores a __be32) as a
                   dotted quad.
  -S               not implemented yet (full socket and sock structures).
  -a               not implemented yet (ARP / neighbour cache).
  -R ref           not implemented yet (sockets referring to ref).
  -x               not implemented yet (hex radix for -S).
  -d               not implemented yet (decimal radix for -S).
)";

}  // namespace

extern const CommandSpec kNetCommand{"net", cmd_net, "network devices and sockets", kNetHelp,
                                     "-s -n -N -S -a -R -x -d", true};

}  // namespace kinspect
