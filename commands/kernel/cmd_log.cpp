// log: the kernel's message log in crash's layout ([    0.000000] text),
// -t without timestamps, -T with wall-clock times, -m with the level, -d
// with the dictionary (SUBSYSTEM=, DEVICE=).
#include <cctype>
#include <cstdio>
#include <ctime>
#include <string>

#include "commands/command.hpp"
#include "core/linux/printk.hpp"
#include "core/program.hpp"
#include "core/linux/kernel_summary.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

// crash's boot date for -T: the crash time less the uptime in whole seconds.
Result<int64_t> boot_seconds(Program& prog) {
  ASSIGN_OR_RETURN(int64_t now, kernel_xtime(prog));
  auto up = kernel_uptime_seconds(prog);
  if (!up) return fail(Errc::not_found, "-T: the uptime is unknown (no jiffies_64 or tick_nsec)");
  return now - static_cast<int64_t>(*up);
}

Status cmd_log(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options opt, parse_options(args, "tTdmas"));
  if (!opt.positional.empty())
    return fail(Errc::invalid_argument, "unexpected argument '" + opt.positional[0].text + "'");
  if (opt.has('a'))
    return fail(Errc::unsupported, "-a (the kernel audit buffers) is not implemented yet");
  if (opt.has('s'))
    return fail(Errc::unsupported, "-s (the per-CPU printk safe buffers) is not implemented yet");
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(auto records, read_printk_log(prog));
  int64_t boot = 0;
  const bool ctime_mode = opt.has('T');
  const bool no_time = opt.has('t') && !ctime_mode;
  if (ctime_mode) {
    ASSIGN_OR_RETURN(boot, boot_seconds(prog));
  }
  for (const auto& r : records) {
    std::string line;
    if (!r.has_data) {
      ctx.out.line("");
      continue;
    }
    char buf[128];
    if (ctime_mode) {
      time_t t = time_t(boot + int64_t(r.ts_nsec / 1000000000ull));
      struct tm tm;
      localtime_r(&t, &tm);
      char tb[96];
      std::strftime(tb, sizeof tb, "%a %b %e %H:%M:%S %Z %Y", &tm);
      std::snprintf(buf, sizeof buf, "[%s] ", tb);
      line += buf;
    } else if (!no_time) {
      std::snprintf(buf, sizeof buf, "[%5llu.%06llu] ",
                    static_cast<unsigned long long>(r.ts_nsec / 1000000000ull),
                    static_cast<unsigned long long>(r.ts_nsec % 1000000000ull / 1000));
      line += buf;
    }
    if (opt.has('m')) {
      std::snprintf(buf, sizeof buf, "<%x>", r.level);
      line += buf;
    }
    const std::string indent(line.size(), ' ');
    for (char c : r.text) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '\n') {
        ctx.out.line(line);
        line = indent;
      } else if (std::isprint(u) || std::isspace(u)) {
        line += c;
      } else {
        line += '.';
      }
    }
    if (opt.has('d')) {
      for (const auto& kv : r.dict) {
        ctx.out.line(line);
        line = indent + kv;
      }
    }
    ctx.out.line(line);
  }
  return {};
}

constexpr std::string_view kLogHelp = R"(NAME
  log - dump system message buffer

SYNOPSIS
  log [-Ttdm]

DESCRIPTION
  Displays the kernel's message log in chronological order, in crash's
  layout: "[    0.000000] text", seconds padded to 5 digits and 6 decimals.
  Both the lockless printk ring buffer (prb, Linux 5.10 and later) and the
  older log_buf of struct printk_log records are read; which one is told
  from the kernel's DWARF. Lines after the first of a multi-line message
  are indented under the text; unprintable bytes show as '.'.

  -T      show each record's time as a wall-clock date, computed as crash
          does from the boot time (crash time less uptime); like crash's,
          it can be inaccurate since the timestamps are local_clock().
  -t      no timestamps.
  -d      after each message, its dictionary (SUBSYSTEM= and DEVICE= from
          dev_printk()), one entry per indented line.
  -m      the message's log level in brackets before the text: <6>.
  -a      crash's audit log dump (not implemented yet: says so).
  -s      crash's per-CPU printk safe buffers (not implemented yet: says so).
)";

}  // namespace

extern const CommandSpec kLogCommand{"log", cmd_log, "dump system message buffer", kLogHelp,
                                     "-T -t -d -m -a -s", true};

}  // namespace kinspect
