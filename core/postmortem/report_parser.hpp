// Finds the reports in a kernel log: each header (oops, BUG, soft and hard
// lockup, RCU stall, hung task, WARNING, panic, NMI backtrace) opens one,
// and the lines that follow fill it in: "CPU: N PID: P Comm: C Tainted:
// ...", RIP / pc / lr and the registers, Code:, "Call Trace:" frames with
// their <IRQ>/<TASK> markers. A line that belongs to no report closes the
// open one. Report lines without a header (a grep's output, a log cut
// short) become `fragment` reports, one per "CPU:" line or stray RIP.
// With printk caller ids (`[  T124]`), each caller has its own open report,
// so reports of several CPUs interleaved line by line stay apart.
#pragma once

#include <string_view>
#include <vector>

#include "core/postmortem/report.hpp"

namespace kinspect {

std::vector<Report> parse_reports(std::string_view log);

}  // namespace kinspect
