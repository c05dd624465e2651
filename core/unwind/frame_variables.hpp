// The arguments and locals of one stack frame, with their values where the
// DWARF location can be evaluated from the registers the unwinder recovered
// and memory: the frame's function and every function inlined at its pc
// (innermost first), each with the parameters and the locals whose lexical
// block covers the pc.
//
// A value is never guessed: with no location at the pc it is "optimized
// out"; with a location whose inputs are missing (a register the unwinder
// could not recover, an excluded page) it is unavailable, with the reason.
// DW_OP_entry_value is taken from the caller's call site
// (DW_TAG_call_site_parameter at the return address), evaluated in the
// caller's frame, and only when the call site calls this very function.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types/object.hpp"
#include "core/unwind/dwarf_location.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect {

class Program;

struct FrameVariable {
  std::string name;
  bool is_parameter = false;
  const Type* type = nullptr;
  std::optional<Object> value;  // an lvalue when the variable lives in memory
  Missing missing = Missing::optimized_out;
  std::string why;              // when there is no value
};

// A function at the frame's pc: the frame's own, or one inlined into it.
struct FrameScope {
  std::string function;
  bool inlined = false;
  std::string call_file;  // inlined: where it was inlined (DW_AT_call_file/line)
  uint64_t call_line = 0;
  std::vector<FrameVariable> variables;  // parameters first, then locals innermost block first
};

// The scopes of frames[index], innermost inlined function first, the
// physical function last. frames[index + 1] is its caller (for entry
// values). A frame whose pc is a return address is looked up at pc - 1,
// inside the call, as gdb does; its CFA, when the unwinder left it unset,
// comes from .debug_frame. Errors: no DWARF covers the pc (not_found).
Result<std::vector<FrameScope>> frame_scopes(Program& prog, std::span<const Frame> frames, size_t index);

}  // namespace kinspect
