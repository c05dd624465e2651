// The text of a frame's variables, shared by `bt -V` (under each frame
// line) and `frame N`: each function at the frame's pc, innermost inlined
// one first, then "name = value" lines in gdb's `p` form (pointers with
// their type and symbol), "<optimized out>" or "<unavailable: why>".
#pragma once

#include <string>
#include <vector>

#include "core/types/value_printer.hpp"
#include "core/unwind/frame_variables.hpp"

namespace kinspect {

class Program;

// indent prefixes every line (bt -V nests the block under its frame).
std::string frame_variables_text(Program& prog, const std::vector<FrameScope>& scopes,
                                 const ValueFormat& fmt, const std::string& indent);

// bt -V: the variables of frame `level` of a backtrace, indented under its
// frame line; when the frame has no DWARF, one line saying why.
std::string backtrace_frame_variables(Program& prog, const Backtrace& bt, size_t level, const ValueFormat& fmt);

// One variable's value text (possibly several lines, a struct's members).
std::string frame_variable_value(ValuePrinter& printer, const FrameVariable& v);

}  // namespace kinspect
