// sig: a task's signal handlers, pending and blocked signals (crash's
// layout); sig -l: the signal numbers and names.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/signals.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

void show_pending(Output& out, const char* title, const PendingSignals& p) {
  out.line(title);
  out.print("    SIGNAL: %016llx\n", static_cast<unsigned long long>(p.signal));
  if (p.queue.empty()) {
    out.line("  SIGQUEUE: (empty)");
    return;
  }
  out.line("  SIGQUEUE:  SIG  SIGINFO");
  for (const auto& q : p.queue)
    out.print("             %2d  %16llx\n", q.signo, static_cast<unsigned long long>(q.sigqueue));
}

void show_task(Output& out, const TaskInfo& t, const TaskSignals& s) {
  out.line(task_header(t));
  out.print("SIGNAL_STRUCT: %llx  NR_THREADS: %d\n", static_cast<unsigned long long>(s.signal_struct),
            s.nr_threads);
  out.line(" SIG    SIGACTION        HANDLER       MASK       FLAGS           ");
  for (const auto& a : s.actions) {
    char sig[8];
    std::snprintf(sig, sizeof sig, a.sig < 10 ? " [%u]" : "[%u]", a.sig);
    char handler[24];
    if (a.handler == 0) std::snprintf(handler, sizeof handler, "SIG_DFL");
    else if (a.handler == 1) std::snprintf(handler, sizeof handler, "SIG_IGN");
    else std::snprintf(handler, sizeof handler, "%llx", static_cast<unsigned long long>(a.handler));
    std::string flags = sigaction_flag_names(a.flags);
    out.print("%s %16llx %10s %016llx %llx %s\n", sig, static_cast<unsigned long long>(a.sigaction), handler,
              static_cast<unsigned long long>(a.mask), static_cast<unsigned long long>(a.flags),
              flags.empty() ? "" : ("(" + flags + ")").c_str());
  }
  out.print("SIGPENDING: %s\n", s.sigpending ? "yes" : "no");
  out.print("   BLOCKED: %016llx\n", static_cast<unsigned long long>(s.blocked));
  show_pending(out, "PRIVATE_PENDING", s.private_pending);
  show_pending(out, "SHARED_PENDING", s.shared);
}

Status cmd_sig(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "lsgq"));
  if (o.has('l')) {
    for (unsigned sig = 1; sig <= 64; ++sig)
      ctx.out.print(sig < 10 ? " [%u] %s\n" : "[%u] %s\n", sig, signal_name(sig).c_str());
    return {};
  }
  for (char c : {'s', 'g', 'q'})
    if (o.has(c)) return fail(Errc::unsupported, std::string("sig -") + c + ": not implemented yet");
  return for_each_named_task(ctx, o.positional, [&](const TaskInfo& t) {
    auto s = read_task_signals(*ctx.program, t.task);
    if (!s) {
      ctx.out.line(task_header(t));
      ctx.out.line("sig: " + s.error().to_string());
      return;
    }
    show_task(ctx.out, t, *s);
  });
}

constexpr std::string_view kSigHelp = R"(NAME
  sig - task signal handling

SYNOPSIS
  sig [pid | task] ...
  sig -l

DESCRIPTION
  For each task named (default: the current context) prints crash's task
  header, the signal_struct and its thread count, one line per signal
  with its k_sigaction address, HANDLER (SIG_DFL, SIG_IGN or the user
  address), MASK and FLAGS (with the SA_* names), then the shared pending
  set and queue (signal->shared_pending), the task's SIGPENDING flag,
  BLOCKED mask and private pending set and queue (task->pending). These
  are what /proc/PID/status summarizes as ShdPnd, SigPnd, SigBlk, SigIgn
  and SigCgt.

  -l  the signal numbers and names.
  -s  not implemented yet (a sigset_t at an address).
  -g  not implemented yet (every thread of the group).
  -q  not implemented yet (the sigqueue of a task).
)";

}  // namespace

extern const CommandSpec kSigCommand{"sig", cmd_sig, "task signal handling", kSigHelp, "-l -s -g -q", true};

}  // namespace kinspect
