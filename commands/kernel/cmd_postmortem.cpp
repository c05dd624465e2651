// postmortem: the reports of a kernel log (a saved file, or this dump's own
// log) symbolized against the session's vmlinux and summarized; the same
// analysis `kinspect --log FILE VMLINUX` runs without a dump.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands/command.hpp"
#include "commands/kernel/postmortem_output.hpp"
#include "core/linux/printk.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

// The dump's records as dmesg prints them, so the log parser reads them as
// it reads a saved file.
Result<std::string> dump_log_text(Program& prog) {
  ASSIGN_OR_RETURN(auto records, read_printk_log(prog));
  std::string text;
  for (const auto& r : records) {
    char ts[48];
    std::snprintf(ts, sizeof ts, "[%5llu.%06llu] ", static_cast<unsigned long long>(r.ts_nsec / 1000000000ull),
                  static_cast<unsigned long long>(r.ts_nsec % 1000000000ull / 1000));
    size_t start = 0;
    while (start <= r.text.size()) {
      size_t nl = r.text.find('\n', start);
      text += ts;
      text.append(r.text, start, nl == std::string::npos ? std::string::npos : nl - start);
      text += '\n';
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  return text;
}

Status cmd_postmortem(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "sd:"));
  if (o.positional.size() > 1)
    return fail(Errc::invalid_argument, "unexpected argument: " + o.positional[1].text);
  Program& prog = *ctx.program;
  PostmortemRequest req;
  req.vmlinux = prog.vmlinux_path();
  req.release = prog.utsname().release;
  req.summary_only = o.has('s');
  for (const auto& [flag, value] : o.values)
    if (flag == 'd') req.module_dirs.push_back(value);
  std::string text;
  if (o.positional.empty()) {
    ASSIGN_OR_RETURN(text, dump_log_text(prog));
    req.log_name = "(the dump's log)";
  } else {
    req.log_name = o.positional[0].text;
    std::ifstream f(req.log_name, std::ios::binary);
    if (!f) return fail(Errc::io, "cannot open " + req.log_name);
    std::stringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  return run_postmortem(text, req, ctx.out);
}

constexpr std::string_view kPostmortemHelp = R"help(NAME
  postmortem - symbolize and summarize the crash reports of a kernel log

SYNOPSIS
  postmortem [-s] [-d DIR]... [FILE]

DESCRIPTION
  Finds every oops, BUG, soft and hard lockup, RCU stall, hung task,
  WARNING, panic and NMI backtrace in FILE (a saved dmesg, console log,
  /var/log/messages, journalctl output or a collector's "DATE | messages |"
  lines), or with no FILE in this dump's own log, and shows each one:
  header, CPU, PID, comm, taint and release; RIP (pc and lr on arm64) and
  every call-trace frame resolved against the vmlinux and the modules'
  debug files to function, file:line and the chain of inlined functions,
  as scripts/faddr2line prints them ("(inlined by)"); the registers; the
  Code: bytes disassembled with the faulting instruction marked "=>",
  aligned on the function's instructions and with source lines when the
  bytes are the vmlinux's own. Report lines whose header is missing (a
  grep's output, a cut log) show as "fragment" reports, one per "CPU:"
  line or stray RIP. "?" frames are marked unreliable. When a
  frame's "+off/size" does not fit the vmlinux, a WARNING says the vmlinux
  does not match the log.

  A summary follows: per CPU and task the number of reports, the first and
  last timestamp and each distinct RIP with its count; the distinct call
  traces side by side; the call chains (outermost frame first) several
  reports share.

  Module debug files are found as mod -S finds them (the -dbg tree next to
  the vmlinux, /usr/lib/debug/lib/modules/RELEASE, /lib/modules/RELEASE).

  -s      the summary only, without the per-report blocks.
  -d DIR  look for module debug files in DIR first (may be repeated).
)help";

}  // namespace

extern const CommandSpec kPostmortemCommand{"postmortem", cmd_postmortem,
                                            "symbolize and summarize the crash reports of a kernel log",
                                            kPostmortemHelp, "-s -d", true};

}  // namespace kinspect
