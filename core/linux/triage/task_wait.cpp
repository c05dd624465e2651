#include "core/linux/triage/task_wait.hpp"

#include <array>
#include <span>

#include "core/linux/tasks.hpp"
#include "core/linux/triage/frame_search.hpp"
#include "core/program.hpp"
#include "core/unwind/symbolize.hpp"
#include "core/unwind/unwind.hpp"

namespace kinspect {

namespace {

constexpr size_t kShortTrace = 12;

// One lock primitive: the functions a waiter sleeps in (out of line or
// inlined into one another) and the variable holding the lock there.
struct Primitive {
  LockKind kind;
  std::span<const std::string_view> functions;
  std::string_view variable;
};

// 6.1: __mutex_lock (a .constprop clone) with __mutex_lock_common inlined;
// older kernels called __mutex_lock_common out of line.
constexpr std::array<std::string_view, 9> kMutex = {
    "__mutex_lock_common", "__mutex_lock", "__mutex_lock_slowpath", "__mutex_lock_killable_slowpath",
    "__mutex_lock_interruptible_slowpath", "mutex_lock", "mutex_lock_killable", "mutex_lock_interruptible",
    "mutex_lock_io"};
// kernel/locking/rwsem.c since 5.3; rwsem-xadd.c's names before.
constexpr std::array<std::string_view, 3> kRwsemWrite = {
    "rwsem_down_write_slowpath", "__rwsem_down_write_failed_common", "rwsem_down_write_failed"};
constexpr std::array<std::string_view, 3> kRwsemRead = {
    "rwsem_down_read_slowpath", "__rwsem_down_read_failed_common", "rwsem_down_read_failed"};
constexpr std::array<std::string_view, 5> kSemaphore = {"___down_common", "__down_common", "__down",
                                                        "__down_killable", "__down_timeout"};
constexpr std::array<std::string_view, 9> kCompletion = {
    "do_wait_for_common", "__wait_for_common", "wait_for_common", "wait_for_common_io",
    "wait_for_completion", "wait_for_completion_io", "wait_for_completion_timeout",
    "wait_for_completion_killable", "wait_for_completion_interruptible"};

// synchronize_rcu() and friends wait for a grace period on a completion
// that wakeme_after_rcu() completes (kernel/rcu/update.c).
constexpr std::array<std::string_view, 2> kRcuGpWait = {"__wait_rcu_gp", "wait_rcu_gp"};

constexpr std::array<Primitive, 5> kPrimitives = {{
    {LockKind::mutex, kMutex, "lock"},
    {LockKind::rwsem_write, kRwsemWrite, "sem"},
    {LockKind::rwsem_read, kRwsemRead, "sem"},
    {LockKind::semaphore, kSemaphore, "sem"},
    {LockKind::completion, kCompletion, "x"},
}};

}  // namespace

TaskWait analyze_task_wait(Program& prog, ArchUnwinder& u, const TaskInfo& task) {
  TaskWait w;
  w.task = task.task;
  auto bt = unwind_task(prog, u, task);
  if (!bt) {
    w.error = bt.error().message;
    return w;
  }
  w.trace = short_trace(prog, *bt, kShortTrace);
  if (auto site = sleep_site(prog, *bt))
    w.sleeps_in = symbolize(prog, bt->frames[*site].pc, SymbolStyle{true, 10, bt->frames[*site].pc_is_return_address});
  FrameSearch fs(prog, *bt);
  // The innermost primitive on the stack is the one the task sleeps in.
  std::optional<std::pair<const Primitive*, FunctionHit>> best;
  for (const Primitive& p : kPrimitives) {
    auto hit = fs.find(p.functions, p.functions, best ? best->second.frame + 1 : 32);
    if (hit && (!best || hit->frame < best->second.frame)) best = {{&p, *hit}};
  }
  if (!best) {
    w.rpc = find_rpc_wait(prog, fs);
    return w;
  }
  const auto& [prim, hit] = *best;
  LockWait l;
  l.kind = prim->kind;
  l.frame = hit.frame;
  l.function = hit.function;
  auto v = fs.variable(hit, prim->variable);
  auto addr = v ? v->as_u64() : Result<uint64_t>(fail(std::move(v).error()));
  if (!addr) {
    l.problem = std::string(prim->variable) + ": " + addr.error().message;
  } else {
    l.lock = *addr;
    l.name = name_lock(prog, fs, hit.frame, l.lock);
    auto st = read_lock_state(prog, l.kind, l.lock);
    if (st)
      l.state = std::move(*st);
    else
      l.problem = st.error().message;
  }
  if (l.kind == LockKind::completion)
    if (auto gp = fs.find(kRcuGpWait, kRcuGpWait, 32))
      w.rcu_gp_frame = "frame #" + std::to_string(gp->frame) + " " + gp->function;
  w.lock = std::move(l);
  return w;
}

}  // namespace kinspect
