// sys: the system summary crash prints at startup.
#include <string_view>
#include <ctime>

#include "commands/command.hpp"
#include "commands/startup.hpp"
#include "commands/session.hpp"
#include "core/linux/kernel_summary.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {
void field(Output& out, const char* name, const std::string& value) {
  out.print("%12s: %s\n", name, value.c_str());
}

std::string format_date(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  localtime_r(&tt, &tm);
  char buf[128];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Z %Y", &tm);
  return buf;
}

// The kernel's taint mask, when it has one and it can be read.
bool kernel_tainted(Program& prog) {
  auto v = variable(prog, "tainted_mask");
  if (!v.ok()) return false;
  auto m = v->as_u64();
  return m.ok() && *m != 0;
}

}  // namespace

void print_startup_summary(Session& session, Output& out) {
  Program& prog = *session.program();
  KernelSummary k = read_kernel_summary(prog);
  const Utsname& u = prog.utsname();
  field(out, "KERNEL", prog.vmlinux_path() + (kernel_tainted(prog) ? "  [TAINTED]" : ""));
  std::string dumpfile = prog.dump_path();
  const DumpInfo& info = prog.dump_info();
  if (info.dump_level && *info.dump_level != 0) dumpfile += "  [PARTIAL DUMP]";
  field(out, "DUMPFILE", dumpfile);
  std::string cpus = std::to_string(k.cpus);
  if (k.cpus_offline) cpus += " [OFFLINE: " + std::to_string(k.cpus_offline) + "]";
  field(out, "CPUS", cpus);
  if (k.crash_time) field(out, "DATE", format_date(*k.crash_time));
  if (k.uptime_sec) field(out, "UPTIME", format_uptime(*k.uptime_sec));
  if (k.load_average) field(out, "LOAD AVERAGE", *k.load_average);
  // The true count: every task and thread, each CPU's idle task included
  // (crash 8.0.2 counts only those it found through the PID hash).
  if (auto tasks = session.tasks(); tasks.ok())
    field(out, "TASKS", std::to_string((*tasks)->tasks.size()));
  if (!u.nodename.empty()) field(out, "NODENAME", u.nodename);
  field(out, "RELEASE", u.release);
  field(out, "VERSION", u.version);
  std::string machine(prog.arch().name());
  if (k.cpu_khz)
    machine += "  (" + std::to_string(*k.cpu_khz / 1000) + " Mhz)";
  else
    machine += "  (unknown Mhz)";
  field(out, "MACHINE", machine);
  field(out, "MEMORY", format_memory_size(k.memory_bytes));
  if (auto panic = session.panic(); panic.ok() && !(*panic)->message.empty())
    field(out, "PANIC", "\"" + (*panic)->message + "\"");
}

Status cmd_sys(CommandContext& ctx, const Args& args) {
  if (args.size() > 0)
    return fail(Errc::unsupported, "sys " + args[0] + ": only plain \"sys\" is implemented");
  print_startup_summary(ctx.session, ctx.out);
  return {};
}

namespace {
constexpr std::string_view kSysHelp = R"(NAME
  sys - system data

SYNOPSIS
  sys

DESCRIPTION
  Prints the summary shown at startup, in crash's layout: KERNEL (the
  vmlinux, "[TAINTED]" when tainted_mask is set), DUMPFILE ("[PARTIAL
  DUMP]" when filtered), CPUS ("[OFFLINE: n]"), DATE (time of the crash),
  UPTIME (jiffies since boot, HZ from tick_nsec), LOAD AVERAGE (avenrun),
  TASKS (every task and thread, each CPU's idle task included), NODENAME,
  RELEASE, VERSION, MACHINE, MEMORY and PANIC (the panic message from the
  kernel log).
)";
}  // namespace

extern const CommandSpec kSysCommand{"sys", cmd_sys, "system data", kSysHelp, "", true};

}  // namespace kinspect
