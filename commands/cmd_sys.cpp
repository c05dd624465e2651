// sys: the system summary crash prints at startup.
#include <string_view>
#include <ctime>

#include "commands/command.hpp"
#include "commands/startup.hpp"
#include "core/linux/kernel_summary.hpp"

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
}  // namespace

void print_startup_summary(Program& prog, Output& out) {
  KernelSummary k = read_kernel_summary(prog);
  const Utsname& u = prog.utsname();
  field(out, "KERNEL", prog.vmlinux_path());
  std::string dumpfile = prog.dump_path();
  const DumpInfo& info = prog.dump_info();
  if (info.dump_level && *info.dump_level != 0) dumpfile += "  [PARTIAL DUMP]";
  field(out, "DUMPFILE", dumpfile);
  std::string cpus = std::to_string(k.cpus);
  if (k.cpus_offline) cpus += " [OFFLINE: " + std::to_string(k.cpus_offline) + "]";
  field(out, "CPUS", cpus);
  if (k.crash_time) field(out, "DATE", format_date(*k.crash_time));
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
  out.write("\n");
}

Status cmd_sys(CommandContext& ctx, const Args& args) {
  if (args.size() > 0)
    return fail(Errc::unsupported, "sys " + args[0] + ": only plain \"sys\" is implemented");
  print_startup_summary(*ctx.program, ctx.out);
  return {};
}

namespace {
constexpr std::string_view kSysHelp = R"(NAME
  sys - system data

SYNOPSIS
  sys

DESCRIPTION
  Prints the summary shown at startup, in crash's layout: KERNEL (the
  vmlinux), DUMPFILE (the dump and its format), CPUS, DATE (time of the
  crash), RELEASE, VERSION, MACHINE, MEMORY.
)";
}  // namespace

extern const CommandSpec kSysCommand{"sys", cmd_sys, "system data", kSysHelp, "", true};

}  // namespace kinspect
