// Formatting a Backtrace the way crash's `bt` prints it: the frame lines,
// "--- <IRQ stack> ---" at each stack switch, "[exception RIP: ...]" with the
// pt_regs register block, the user registers at the kernel entry, and the
// -f/-l/-s/-t variants. The unwinding itself is core/unwind/.
#pragma once

#include <string>

#include "core/unwind/unwind.hpp"

namespace kinspect {

class Output;
class Program;

struct BtFormat {
  bool frame_words = false;  // -f: the stack words of each frame
  bool lines = false;        // -l: file:line of each frame, inlined calls shown
  bool sym_offset = false;   // -s: symbol+offset instead of the bare name
  int offset_radix = 10;     // -x / -d: radix of -s offsets
  bool variables = false;    // -V: each frame's arguments and locals
  int value_radix = 10;      // -V: radix of the values (set radix)
};

// " #4 [ffffc900002c7e88] smp_call_function_many_cond at ffffffff811609e1"
std::string backtrace_frame_line(const Program& prog, const Frame& f, bool with_offset, int radix);

void print_backtrace(Program& prog, ArchUnwinder& u, const Backtrace& bt, const BtFormat& fmt,
                     Output& out);

// -t / -T: every text address found on the stack, from the frame-0 stack
// pointer (-t) or the whole stack (-T) up to its top.
Status print_stack_text(Program& prog, ArchUnwinder& u, const Backtrace& bt, bool whole_stack,
                        Output& out);

}  // namespace kinspect
