// frame: one frame of a task's backtrace with its arguments and locals (the
// function at the frame's pc and every function inlined there), printed
// with the type printer; afterwards p, whatis and flags see those variables,
// so `frame 6` then `p csd->node.u_flags` follows a pointer the frame held.
// The task is the session's current context, as for bt.
#include <memory>
#include <string>

#include "commands/stack/bt_format.hpp"
#include "commands/command.hpp"
#include "commands/stack/frame_variables_text.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/program.hpp"
#include "core/unwind/frame_variables.hpp"
#include "core/unwind/unwind.hpp"

namespace kinspect {

namespace {

constexpr std::string_view kFrameHelp = R"(NAME
  frame - one stack frame's arguments and local variables (beyond crash)

SYNOPSIS
  frame [N]

DESCRIPTION
  Unwinds the current context's task (see set) and prints frame #N
  (default 0) as bt numbers it: the function at the frame's pc and each
  function inlined there, innermost first, with every argument and every
  local whose block covers the pc. Values are the DWARF locations evaluated
  with the registers the unwinder recovered for that frame (and those the
  callees saved, from .debug_frame) and the dump's memory: location lists,
  registers, the frame base, pieces, DW_OP_entry_value from the caller's
  call site. Pointers print with their type and symbol. A variable with no
  location at the pc prints <optimized out>; one whose register was not
  recovered or whose page is not in the dump prints <unavailable: why>.
  Nothing is guessed.

  Afterwards p, whatis and flags resolve these names first, as C code in
  that frame would, until the next frame or set:

    set -c 1
    frame 6
    p csd->node.u_flags
    flags csd->node.u_flags CSD_
)";

// Locals as the expression evaluator asks for them: innermost scope first,
// so an inlined function's `csd` hides an outer one of the same name.
LocalNames locals_of(const std::vector<FrameScope>& scopes) {
  auto table = std::make_shared<std::vector<std::pair<std::string, Result<Object>>>>();
  for (const FrameScope& s : scopes)
    for (const FrameVariable& v : s.variables) {
      if (v.value) {
        table->emplace_back(v.name, *v.value);
      } else {
        std::string what = v.missing == Missing::optimized_out ? "optimized out" : "unavailable: " + v.why;
        table->emplace_back(v.name, fail(Errc::not_present, v.name + " is " + what + " in the selected frame"));
      }
    }
  return [table](std::string_view name) -> std::optional<Result<Object>> {
    for (const auto& [n, v] : *table)
      if (n == name) return v;
    return std::nullopt;
  };
}

Status cmd_frame(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  if (args.size() > 1) return fail(Errc::invalid_argument, "usage: frame [N]");
  unsigned level = 0;
  if (args.size() == 1) {
    auto n = parse_number(args[0]);
    if (!n || *n > 100000) return fail(Errc::invalid_argument, "invalid frame number: " + args[0]);
    level = static_cast<unsigned>(*n);
  }
  ASSIGN_OR_RETURN(const TaskList* tasks, ctx.session.tasks());
  ASSIGN_OR_RETURN(const TaskInfo* task, ctx.session.current_task());
  ASSIGN_OR_RETURN(Backtrace bt, unwind_task(prog, *tasks, *task));
  if (level >= bt.frames.size())
    return fail(Errc::invalid_argument, "no frame #" + std::to_string(level) + ": the trace has " +
                                            std::to_string(bt.frames.size()) + " frames" +
                                            (bt.stop_reason.empty() ? "" : " (" + bt.stop_reason + ")"));
  ctx.out.line(task_header(*task));
  ctx.out.line(backtrace_frame_line(prog, bt.frames[level], true, 10));
  ASSIGN_OR_RETURN(std::vector<FrameScope> scopes, frame_scopes(prog, bt.frames, level));
  ValueFormat fmt;
  fmt.radix = ctx.session.settings().radix;
  ctx.out.write(frame_variables_text(prog, scopes, fmt, "    "));
  ctx.session.set_frame_locals(locals_of(scopes));
  return {};
}

}  // namespace

extern const CommandSpec kFrameCommand{"frame", cmd_frame, "show a stack frame's arguments and locals", kFrameHelp,
                                       "", true};

}  // namespace kinspect
