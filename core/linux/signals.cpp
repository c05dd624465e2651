// Signal state of a task: see signals.hpp.
#include "core/linux/signals.hpp"

#include "core/linux/kernel_list.hpp"
#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

Result<PendingSignals> read_pending(Program& prog, const Object& pending) {
  PendingSignals p;
  ASSIGN_OR_RETURN(p.signal, member_u64(pending, "signal.sig[0]"));
  ASSIGN_OR_RETURN(Object list, pending.member("list"));
  ASSIGN_OR_RETURN(uint64_t node_off, prog.types().member_offset("sigqueue", "list"));
  ASSIGN_OR_RETURN(const Type* q, prog.types().find_struct("sigqueue"));
  TRY_VOID(walk_list(prog, list.address(), node_off, [&](uint64_t a) -> Status {
    Object o = Object::at(prog, q, a);
    QueuedSignal s;
    s.sigqueue = a;
    ASSIGN_OR_RETURN(Object signo, o.member("info.si_signo"));
    ASSIGN_OR_RETURN(Object code, o.member("info.si_code"));
    ASSIGN_OR_RETURN(int64_t n, signo.as_int());
    ASSIGN_OR_RETURN(int64_t c, code.as_int());
    s.signo = static_cast<int>(n);
    s.code = static_cast<int>(c);
    p.queue.push_back(s);
    return {};
  }).context("walking the sigqueue at " + hex(list.address())));
  return p;
}

}  // namespace

uint64_t TaskSignals::ignored() const {
  uint64_t m = 0;
  for (const auto& a : actions)
    if (a.handler == 1) m |= 1ull << (a.sig - 1);
  return m;
}

uint64_t TaskSignals::caught() const {
  uint64_t m = 0;
  for (const auto& a : actions)
    if (a.handler > 1) m |= 1ull << (a.sig - 1);
  return m;
}

Result<TaskSignals> read_task_signals(Program& prog, uint64_t task) {
  TaskSignals ts;
  ts.task = task;
  ASSIGN_OR_RETURN(const Type* task_type, prog.types().find_struct("task_struct"));
  Object t = Object::at(prog, task_type, task);
  auto ctx = "reading the signal state of task " + hex(task);
  ASSIGN_OR_RETURN(ts.signal_struct, member_u64(t, "signal").context(ctx));
  ASSIGN_OR_RETURN(ts.sighand, member_u64(t, "sighand").context(ctx));
  ASSIGN_OR_RETURN(ts.blocked, member_u64(t, "blocked.sig[0]").context(ctx));
  if (auto f = member_u64(t, "thread_info.flags")) {
    // TIF_SIGPENDING is bit 2 on x86_64 and 0 on arm64.
    unsigned bit = prog.arch().name() == "arm64" ? 0 : 2;
    ts.sigpending = (*f >> bit) & 1;
  }
  ASSIGN_OR_RETURN(Object priv, t.member("pending"));
  ASSIGN_OR_RETURN(ts.private_pending, read_pending(prog, priv).context(ctx + ": task->pending"));
  if (ts.signal_struct) {
    ASSIGN_OR_RETURN(const Type* sig_type, prog.types().find_struct("signal_struct"));
    Object s = Object::at(prog, sig_type, ts.signal_struct);
    if (auto n = s.member("nr_threads")) ts.nr_threads = static_cast<int>(n->as_int().value_or(0));
    ASSIGN_OR_RETURN(Object shared, s.member("shared_pending"));
    ASSIGN_OR_RETURN(ts.shared, read_pending(prog, shared).context(ctx + ": signal->shared_pending"));
  }
  if (ts.sighand) {
    ASSIGN_OR_RETURN(const Type* sh_type, prog.types().find_struct("sighand_struct"));
    Object sh = Object::at(prog, sh_type, ts.sighand);
    ASSIGN_OR_RETURN(Object action, sh.member("action"));
    uint64_t n = action.type()->strip()->count.value_or(0);
    for (uint64_t i = 0; i < n && i < 64; ++i) {
      ASSIGN_OR_RETURN(Object a, action.index(static_cast<int64_t>(i)));
      SignalAction sa;
      sa.sig = static_cast<unsigned>(i + 1);
      sa.sigaction = a.address();
      ASSIGN_OR_RETURN(sa.handler, member_u64(a, "sa.sa_handler").context(ctx));
      ASSIGN_OR_RETURN(sa.mask, member_u64(a, "sa.sa_mask.sig[0]").context(ctx));
      ASSIGN_OR_RETURN(sa.flags, member_u64(a, "sa.sa_flags").context(ctx));
      ts.actions.push_back(sa);
    }
  }
  return ts;
}

std::string signal_name(unsigned sig) {
  // Linux's numbering on x86_64 and arm64 (asm-generic/signal.h), the same.
  static const char* const kNames[] = {
      "",        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP", "SIGABRT/SIGIOT", "SIGBUS",
      "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
      "SIGSTKFLT", "SIGCHLD/SIGCLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
      "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO/SIGPOLL", "SIGPWR",
      "SIGSYS/SIGUNUSED"};
  if (sig >= 1 && sig <= 31) return kNames[sig];
  if (sig == 32) return "SIGRTMIN";
  if (sig == 64) return "SIGRTMAX";
  // glibc's naming, as crash prints it: the lower half from SIGRTMIN, the
  // upper from SIGRTMAX.
  if (sig > 32 && sig <= 48) return "SIGRTMIN+" + std::to_string(sig - 32);
  if (sig > 48 && sig < 64) return "SIGRTMAX-" + std::to_string(64 - sig);
  return "";
}

std::string sigaction_flag_names(uint64_t flags) {
  static const struct {
    uint64_t bit;
    const char* name;
  } kFlags[] = {{0x1, "SA_NOCLDSTOP"}, {0x2, "SA_NOCLDWAIT"}, {0x4, "SA_SIGINFO"},
                {0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
                {0x40000000, "SA_NODEFER"}, {0x80000000, "SA_RESETHAND"}};
  std::string s;
  for (const auto& f : kFlags)
    if (flags & f.bit) s += (s.empty() ? "" : "|") + std::string(f.name);
  return s;
}

}  // namespace kinspect
