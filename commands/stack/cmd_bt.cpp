// bt: the kernel stack backtrace of a task, of the current context, or of
// the task running on each CPU, in crash's layout. Unwinding is
// core/unwind/ (per architecture under arch/); the text is bt_format.cpp.
#include <set>
#include <string>

#include "commands/stack/bt_format.hpp"
#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

// "1", "0,2", "0-2", "0,2-3" as crash's -c takes them.
Result<std::set<int>> parse_cpu_list(const std::string& text, unsigned cpus) {
  std::set<int> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t comma = text.find(',', i);
    std::string part = text.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
    size_t dash = part.find('-');
    auto lo = parse_number(part.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : parse_number(part.substr(dash + 1));
    if (!lo || !hi || *lo > *hi) return fail(Errc::invalid_argument, "invalid cpu list: " + text);
    for (uint64_t c = *lo; c <= *hi; ++c) {
      if (c >= cpus) return fail(Errc::invalid_argument, "invalid cpu: " + std::to_string(c));
      out.insert(static_cast<int>(c));
    }
    if (comma == std::string::npos) break;
    i = comma + 1;
  }
  return out;
}

Status bt_one(CommandContext& ctx, ArchUnwinder& u, const TaskInfo& t, const Options& o,
              const BtFormat& fmt) {
  Program& prog = *ctx.program;
  ctx.out.line(task_header(t));
  ASSIGN_OR_RETURN(Backtrace bt, unwind_task(prog, u, t));
  if (o.has('t') || o.has('T')) return print_stack_text(prog, u, bt, o.has('T'), ctx.out);
  print_backtrace(prog, u, bt, fmt, ctx.out);
  return {};
}

Status cmd_bt(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "ac:flstTxdV"));
  Session& session = ctx.session;
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(const TaskList* list, session.tasks());
  std::vector<const TaskInfo*> targets;
  if (o.has('a') || o.value('c')) {
    std::set<int> cpus;
    if (auto c = o.value('c')) {
      ASSIGN_OR_RETURN(cpus, parse_cpu_list(*c, list->cpus));
    } else {
      for (unsigned c = 0; c < list->active.size(); ++c) cpus.insert(static_cast<int>(c));
    }
    for (int c : cpus) {
      uint64_t task = static_cast<size_t>(c) < list->active.size() ? list->active[c] : 0;
      const TaskInfo* t = task ? list->by_task(task) : nullptr;
      if (!t) return fail(Errc::not_found, "no active task found on cpu " + std::to_string(c));
      targets.push_back(t);
    }
  }
  const TaskInfo* cur = nullptr;
  if (targets.empty() && o.positional.empty()) {
    ASSIGN_OR_RETURN(cur, session.current_task());
  }
  ASSIGN_OR_RETURN(auto named, named_tasks_or(*list, o.positional, cur));
  targets.insert(targets.end(), named.begin(), named.end());
  BtFormat fmt;
  fmt.frame_words = o.has('f');
  fmt.lines = o.has('l');
  fmt.sym_offset = o.has('s');
  fmt.variables = o.has('V');
  fmt.value_radix = session.settings().radix;
  fmt.offset_radix = o.has('x') ? 16 : o.has('d') ? 10 : session.settings().radix;
  ASSIGN_OR_RETURN(auto u, prog.arch().make_unwinder(prog));
  for (size_t i = 0; i < targets.size(); ++i) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    if (i > 0) ctx.out.write("\n");
    TRY_VOID(bt_one(ctx, *u, *targets[i], o, fmt));
  }
  return {};
}

constexpr std::string_view kBtHelp = R"HELP(NAME
  bt - backtrace

SYNOPSIS
  bt [-a | -c cpu[,cpu|-cpu]] [-f] [-l] [-s [-x|-d]] [-V] [-t | -T] [pid | task] ...

DESCRIPTION
  Unwinds the kernel stack of the current context (see set; at startup the
  panic task), of each pid or task_struct address given, or of the task
  running on each CPU. A running task starts from the registers the dump
  saved for its CPU (NT_PRSTATUS, QEMU's per-CPU notes, the kernel's
  crash_notes); any other task from its saved switch frame. x86_64 unwinds
  with the kernel's ORC tables (vmlinux and modules) and falls back to the
  frame pointer; arm64 follows frame records with pointer authentication
  bits stripped. Both cross the IRQ and exception stacks: a stack switch
  prints "--- <IRQ stack> ---", an interrupt or exception prints its
  "[exception RIP: ...]" line and pt_regs register block, and a trace that
  began in user mode ends with the user registers saved at the kernel entry.
  A trace that cannot go on says why on a last "bt: unwind stopped:" line.

OPTIONS
  -a  the task running on every CPU.
  -c cpu  the task running on each CPU of a list: 1, 0,2 or 0-3.
  -f  the stack words of each frame, between its return address and the next.
  -l  the source file and line of each frame; calls inlined at that point
      are listed innermost first, each marked "(inlined NAME)".
  -s  symbol+offset for each frame instead of the bare function name.
  -x  with -s, offsets in hexadecimal.
  -d  with -s, offsets in decimal.
  -V  each frame's arguments and locals under its line, for the function
      and every function inlined at its pc (see frame): values from the
      DWARF locations and the registers recovered for that frame, pointers
      with their type and symbol, <optimized out> or <unavailable: why>
      where DWARF or the unwinder cannot say. Not a crash flag.
  -t  every text address on the stack from the frame-0 stack pointer to the top.
  -T  every text address on the whole stack, from its base.
)HELP";

}  // namespace

extern const CommandSpec kBtCommand{"bt", cmd_bt, "backtrace", kBtHelp,
                                    "-a -c -f -l -s -x -d -V -t -T"};

}  // namespace kinspect
