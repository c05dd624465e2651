// One line of a saved kernel log with its prefix taken apart: the forms a
// log reaches an engineer in (plain dmesg, `[ 12.345678]` timestamps with an
// optional printk caller id, syslog / journalctl `Mon DD HH:MM:SS host
// kernel:`, ISO-dated journal lines, dmesg -T and the `DATE | messages | ...`
// collector format of incident 3) all reduce to the message body the
// report parser reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kinspect {

struct LogLine {
  std::string_view body;             // the kernel's message text, prefixes and trailing blanks removed
  std::string timestamp;             // the most telling time shown: "[  22.548911]" or "Nov 12 10:10:59"
  std::optional<double> seconds;     // the printk timestamp, when the line has one
  // The printk caller id (CONFIG_PRINTK_CALLER): "T124" for a task, "C1"
  // for a CPU in interrupt context; lines of one report share it even when
  // reports of several CPUs interleave.
  std::string caller;
};

// Takes the prefixes off one line (any number of nested ones: the collector
// wraps syslog, which may wrap a printk timestamp). Lines of other programs
// in a syslog file (`host sshd[12]: ...`) come back with empty bodies so
// they never look like kernel messages.
LogLine parse_log_line(std::string_view line);

}  // namespace kinspect
