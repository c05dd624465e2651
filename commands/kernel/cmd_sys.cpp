// sys: the system summary crash prints at startup.
#include <algorithm>
#include <string_view>
#include <ctime>

#include "commands/command.hpp"
#include "commands/startup.hpp"
#include "commands/session.hpp"
#include "core/address_info.hpp"
#include "core/linux/kernel_summary.hpp"
#include "core/linux/modules.hpp"
#include "core/linux/syscalls.hpp"
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

namespace {

// sys -t: tainted_mask and its letters (c_true of each set bit in the
// kernel's taint_flags[] table), as crash prints them.
Status sys_taints(CommandContext& ctx) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(Object v, variable(prog, "tainted_mask"));
  ASSIGN_OR_RETURN(uint64_t mask, v.as_u64().context("reading tainted_mask"));
  ASSIGN_OR_RETURN(std::string letters, module_taint_letters(prog, mask));
  ctx.out.print("TAINTED_MASK: %llx  %s\n", static_cast<unsigned long long>(mask), letters.c_str());
  return {};
}

// The source file as crash (gdb) names it: relative to the build directory
// ("../fs/read_write.c"), where the line table joined to the compilation
// directory gives "debian/build/build_amd64_none_cloud-amd64/fs/read_write.c":
// cut at the first top-level kernel source directory.
std::string crash_source_name(const std::string& file) {
  if (file.rfind("../", 0) == 0) return file;
  size_t best = std::string::npos;
  for (const char* dir : {"/fs/", "/arch/", "/kernel/", "/mm/", "/net/", "/ipc/", "/security/", "/block/",
                          "/drivers/", "/io_uring/", "/lib/", "/init/", "/crypto/", "/sound/", "/virt/"})
    best = std::min(best, file.find(dir));
  return best == std::string::npos ? file : ".." + file.substr(best);
}

// sys -c: every slot of sys_call_table with its handler's symbol and source line.
Status sys_calls(CommandContext& ctx) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(std::vector<uint64_t> table, read_syscall_table(prog));
  ctx.out.line("NUM  SYSTEM CALL                FILE AND LINE NUMBER");
  for (size_t i = 0; i < table.size(); ++i) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    std::string name = hex(table[i]);
    if (auto m = prog.symbols().lookup(table[i]); m && m->offset == 0) name = std::string(m->sym->name);
    std::string src;
    if (auto l = source_line_of(prog, table[i]); l.ok())
      src = crash_source_name(l->file) + ": " + std::to_string(l->line);
    ctx.out.print("%3zu  %-26s %s\n", i, name.c_str(), src.c_str());
  }
  return {};
}

}  // namespace

Status cmd_sys(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "tci"));
  if (o.has('i')) return fail(Errc::unsupported, "sys -i: not implemented yet");
  if (!o.positional.empty())
    return fail(Errc::unsupported, "sys " + o.positional[0].text + ": not implemented yet");
  if (o.has('t')) return sys_taints(ctx);
  if (o.has('c')) return sys_calls(ctx);
  print_startup_summary(ctx.session, ctx.out);
  return {};
}

namespace {
constexpr std::string_view kSysHelp = R"(NAME
  sys - system data

SYNOPSIS
  sys [-t | -c]

DESCRIPTION
  Prints the summary shown at startup, in crash's layout: KERNEL (the
  vmlinux, "[TAINTED]" when tainted_mask is set), DUMPFILE ("[PARTIAL
  DUMP]" when filtered), CPUS ("[OFFLINE: n]"), DATE (time of the crash),
  UPTIME (jiffies since boot, HZ from tick_nsec), LOAD AVERAGE (avenrun),
  TASKS (every task and thread, each CPU's idle task included), NODENAME,
  RELEASE, VERSION, MACHINE, MEMORY and PANIC (the panic message from the
  kernel log).

  -t  the kernel's tainted_mask in hexadecimal and its taint letters
      (from the kernel's taint_flags[] table), as "TAINTED_MASK: 7000  OEL".
  -c  the system call table: each number, the handler's symbol and its
      source file and line.
  -i  not implemented yet (DMI information).
)";
}  // namespace

extern const CommandSpec kSysCommand{"sys", cmd_sys, "system data", kSysHelp, "-t -c -i", true};

}  // namespace kinspect
