// The shapes of single report lines: a code location ("sym+0x15/0x20
// [mod]"), a call-trace frame in any of the kernel's formats, a line of
// register values. The report parser strings these together.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/postmortem/report.hpp"

namespace kinspect {

// "sym+0x15/0x20", "sym+0x15/0x20 [mod]", "sym+0x15" (no size), "[<addr>]
// sym+off/size", "0xffffffffc02b1000". Trailing text is an error.
std::optional<CodeLocation> parse_code_location(std::string_view s);

// A call-trace line: x86_64 " [<ffffffff810bd514>] ? __wake_up+0x44/0x50",
// " ? __flush_tlb_all+0x30/0x30", " do_syscall_64+0x5d/0x90", arm64
// " kthread+0xe0/0xe4", " csd_waiter+0x110/0x138 [csd_lockup]". A bare
// word without +off is not a frame (it would swallow ordinary messages).
std::optional<LoggedFrame> parse_frame_line(std::string_view body);

// "<IRQ>" -> {"IRQ", true}, "</IRQ>" -> {"IRQ", false}.
std::optional<std::pair<std::string, bool>> parse_context_marker(std::string_view body);

// "RAX: 0000000000000002 RBX: ffff88801f232b40 ..." or arm64 "x9 : ffff...
// x8 : ...": each name with its value, or nothing when the line is not
// only register values.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_register_line(std::string_view body);

}  // namespace kinspect
