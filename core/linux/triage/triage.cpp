#include "core/linux/triage/triage.hpp"

#include <algorithm>
#include <map>

#include "core/linux/panic.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/unwind/unwind.hpp"

namespace kinspect {

const WaitingTask* TriageReport::task(uint64_t addr) const {
  for (const WaitingTask& t : tasks)
    if (t.task == addr) return &t;
  return nullptr;
}

namespace {

// Lock owners leading to more owners: a chain longer than this is a
// corrupted owner word, not a real dependency chain.
constexpr size_t kMaxOwnerHops = 64;

std::string task_label(const TaskInfo& t) { return t.comm + " (pid " + std::to_string(t.pid) + ")"; }

// The grace period in progress as a node, with an edge to the first CPU
// (else preempted reader) that has not let it end.
void add_rcu_node(TriageReport& r, const TaskList& tasks) {
  const RcuGracePeriod& g = *r.rcu;
  std::string label = "RCU grace period g=" + std::to_string(g.gp_seq) + " (" + g.flavor;
  if (g.age_ns) label += ", " + std::to_string(*g.age_ns / 1000000000ull) + " s old";
  r.graph.add_node({WaitGraph::rcu_gp_id(), WaitNodeKind::rcu_gp, static_cast<uint64_t>(g.gp_seq), label + ")"});
  if (!g.cpus.empty()) {
    unsigned cpu = g.cpus.front().cpu;
    r.graph.add_node({WaitGraph::cpu_id(cpu), WaitNodeKind::cpu, cpu, "CPU " + std::to_string(cpu)});
    r.graph.add_edge({WaitGraph::rcu_gp_id(), WaitGraph::cpu_id(cpu), "blocked by", "rcu_node.qsmask"});
  } else if (!g.tasks.empty()) {
    const TaskInfo* t = tasks.by_task(g.tasks.front().task);
    std::string tid = WaitGraph::task_id(g.tasks.front().task);
    r.graph.add_node({tid, WaitNodeKind::task, g.tasks.front().task,
                      t ? task_label(*t) : "task " + hex(g.tasks.front().task)});
    r.graph.add_edge({WaitGraph::rcu_gp_id(), tid, "blocked by", "rcu_node.gp_tasks"});
  }
}

// "rpc_task 0x... (<nfs3_procedures[18]> FSINFO, nfs 100003 v3)"
std::string rpc_label(const RpcWait& rpc) {
  std::string s = "rpc_task " + hex(rpc.task) + " (";
  s += rpc.proc_symbol.empty() ? hex(rpc.proc) : rpc.proc_symbol;
  if (!rpc.proc_name.empty()) s += " " + rpc.proc_name;
  if (rpc.program_number)
    s += ", " + (rpc.program.empty() ? std::string("program") : rpc.program) + " " +
         std::to_string(rpc.program_number) + " v" + std::to_string(rpc.version);
  return s + ")";
}

// "transport 0x... (tcp 127.0.0.1 port 2049, 0x12 (XPRT_CONNECTED|XPRT_BOUND))"
std::string transport_label(const RpcWait& rpc) {
  std::string s = "transport " + hex(rpc.xprt);
  std::string in = rpc.protocol;
  if (!rpc.address.empty()) in += (in.empty() ? "" : " ") + rpc.address;
  if (!rpc.xprt_state_text.empty()) in += (in.empty() ? "" : ", ") + std::string("state ") + rpc.xprt_state_text;
  return in.empty() ? s : s + " (" + in + ")";
}

std::optional<uint64_t> hung_task_timeout(Program& prog) {
  auto v = variable(prog, "sysctl_hung_task_timeout_secs");
  if (!v) return std::nullopt;
  auto s = v->as_u64();
  if (!s) return std::nullopt;
  return *s;
}

WaitingTask make_waiting(const TaskInfo& t, const RunClocks& clocks, std::optional<uint64_t> timeout) {
  WaitingTask w;
  w.task = t.task;
  w.pid = t.pid;
  w.comm = t.comm;
  w.st = t.st;
  w.cpu = t.cpu;
  w.active = t.active;
  w.blocked = t.st == "UN";
  w.since_ran_ns = clocks.since_arrival(t).ns;
  if (timeout && *timeout && w.since_ran_ns) w.over_hung_timeout = *w.since_ran_ns / 1000000000ull >= *timeout;
  return w;
}

// task -> rpc_task -> transport: the tasks of one mount (or one server)
// meet at their transport, which is where their chains end.
void add_rpc_edges(TriageReport& r, const std::string& tid, const RpcWait& rpc) {
  std::string rid = WaitGraph::rpc_id(rpc.task);
  r.graph.add_node({rid, WaitNodeKind::rpc_task, rpc.task, rpc_label(rpc)});
  r.graph.add_edge({tid, rid, "waits for", "frame #" + std::to_string(rpc.frame) + " " + rpc.function + ": task"});
  if (!rpc.xprt) return;
  std::string xid = WaitGraph::transport_id(rpc.xprt);
  r.graph.add_node({xid, WaitNodeKind::transport, rpc.xprt, transport_label(rpc)});
  r.graph.add_edge({rid, xid, "waits for a reply on", "rpc_task.tk_xprt"});
}

void add_task_edges(TriageReport& r, const WaitingTask& w, const TaskList& tasks) {
  std::string tid = WaitGraph::task_id(w.task);
  if (w.active) {
    r.graph.add_node({WaitGraph::cpu_id(static_cast<unsigned>(w.cpu)), WaitNodeKind::cpu,
                      static_cast<uint64_t>(w.cpu), "CPU " + std::to_string(w.cpu)});
    r.graph.add_edge({tid, WaitGraph::cpu_id(static_cast<unsigned>(w.cpu)), "runs on", "rq->curr"});
    return;
  }
  if (w.wait.rpc && w.wait.rpc->task) {
    add_rpc_edges(r, tid, *w.wait.rpc);
    return;
  }
  if (!w.wait.lock || !w.wait.lock->lock) return;
  const LockWait& l = *w.wait.lock;
  std::string lid = WaitGraph::lock_id(l.lock);
  // The node is the lock, whichever way its first waiter takes it.
  std::string label = std::string(lock_type_name(l.kind)) + " " + hex(l.lock);
  if (!l.name.text.empty()) label += " (" + l.name.text + ")";
  r.graph.add_node({lid, WaitNodeKind::lock, l.lock, label});
  r.graph.add_edge({tid, lid, "waits for",
                    "frame #" + std::to_string(l.frame) + " " + l.function});
  if (!w.wait.rcu_gp_frame.empty() && r.rcu && r.rcu->in_progress) {
    r.graph.add_edge({lid, WaitGraph::rcu_gp_id(), "completed at the end of", w.wait.rcu_gp_frame});
    return;
  }
  if (l.state && l.state->owner_task && l.state->owner_task != w.task) {
    const TaskInfo* o = tasks.by_task(l.state->owner_task);
    std::string oid = WaitGraph::task_id(l.state->owner_task);
    r.graph.add_node({oid, WaitNodeKind::task, l.state->owner_task,
                      o ? task_label(*o) : "task " + hex(l.state->owner_task) + " (not in the task list)"});
    r.graph.add_edge({lid, oid, l.state->owner_is_last_reader ? "last taken by" : "held by", l.state->owner_field});
  }
}

}  // namespace

Result<TriageReport> build_triage(Program& prog, const TaskList& tasks, const PanicInfo& panic,
                                  const TriageProgress& progress) {
  TriageReport r;
  ASSIGN_OR_RETURN(auto u, prog.arch().make_unwinder(prog));
  RunClocks clocks(prog, static_cast<unsigned>(tasks.active.size()));
  r.hung_timeout_secs = hung_task_timeout(prog);
  r.cpus = read_cpu_states(prog, *u, tasks, clocks);
  if (!tasks.tasks.empty()) r.run_time_source = clocks.since_arrival(tasks.tasks.front()).source;

  r.panic.found = panic.found();
  r.panic.cpu = panic.cpu;
  r.panic.task = panic.task;
  r.panic.source = panic.source;
  r.panic.message = panic.message;
  if (const TaskInfo* t = panic.task ? tasks.by_task(panic.task) : nullptr) {
    r.panic.pid = t->pid;
    r.panic.comm = t->comm;
  }
  for (const CpuState& c : r.cpus)
    if (panic.found() && static_cast<int>(c.cpu) == panic.cpu) r.panic.trace = c.trace;

  // CPUs: a csd wait is an edge to the target CPU.
  for (const CpuState& c : r.cpus) {
    std::string cid = WaitGraph::cpu_id(c.cpu);
    r.graph.add_node({cid, WaitNodeKind::cpu, c.cpu, "CPU " + std::to_string(c.cpu)});
    if (c.csd && c.csd->target_cpu >= 0 && static_cast<unsigned>(c.csd->target_cpu) != c.cpu) {
      std::string tid = WaitGraph::cpu_id(static_cast<unsigned>(c.csd->target_cpu));
      r.graph.add_node({tid, WaitNodeKind::cpu, static_cast<uint64_t>(c.csd->target_cpu),
                        "CPU " + std::to_string(c.csd->target_cpu)});
      r.graph.add_edge({cid, tid, "waits for csd of",
                        "csd " + hex(c.csd->csd) + " in " + c.csd->function + " (" + c.csd->target_source + ")"});
      r.starts.push_back(cid);
    }
  }

  // Blocked tasks, then the owners their locks lead to.
  std::vector<const TaskInfo*> queue;
  for (const TaskInfo& t : tasks.tasks)
    if (t.st == "UN") queue.push_back(&t);
  std::sort(queue.begin(), queue.end(), [](const TaskInfo* a, const TaskInfo* b) { return a->pid < b->pid; });
  std::map<uint64_t, size_t> seen;
  size_t blocked = queue.size();
  for (size_t i = 0; i < queue.size() && i < blocked + kMaxOwnerHops; ++i) {
    if (progress && i < blocked && !progress(i, blocked)) return fail(Errc::interrupted, "interrupted");
    const TaskInfo& t = *queue[i];
    if (seen.count(t.task)) continue;
    WaitingTask w = make_waiting(t, clocks, r.hung_timeout_secs);
    if (!t.active) w.wait = analyze_task_wait(prog, *u, t);
    seen[t.task] = r.tasks.size();
    std::string tid = WaitGraph::task_id(t.task);
    r.graph.add_node({tid, WaitNodeKind::task, t.task, task_label(t)});
    if (w.blocked) r.starts.push_back(tid);
    if (w.wait.lock && w.wait.lock->state && w.wait.lock->state->owner_task) {
      uint64_t owner = w.wait.lock->state->owner_task;
      const TaskInfo* o = tasks.by_task(owner);
      if (o && !seen.count(owner) && o->st != "UN") queue.push_back(o);
    }
    r.tasks.push_back(std::move(w));
  }
  if (progress) progress(blocked, blocked);
  if (auto g = read_rcu_grace_period(prog))
    r.rcu = std::move(*g);
  else
    r.rcu_error = g.error().message;
  if (r.rcu) {
    for (RcuBlockingTask& b : r.rcu->tasks)
      if (const TaskInfo* t = tasks.by_task(b.task)) {
        b.pid = t->pid;
        b.comm = t->comm;
      }
  }
  if (r.rcu && r.rcu->in_progress) add_rcu_node(r, tasks);
  for (const WaitingTask& w : r.tasks) add_task_edges(r, w, tasks);
  r.roots = r.graph.root_causes(r.starts);
  r.cycles = r.graph.cycles();
  return r;
}

}  // namespace kinspect
