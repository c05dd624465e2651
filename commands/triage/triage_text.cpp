#include "commands/triage/triage_text.hpp"

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/linux/kernel_summary.hpp"
#include "core/linux/triage/triage.hpp"

namespace kinspect {

namespace {

std::string fmt(const char* f, auto... a) {
  char b[512];
  std::snprintf(b, sizeof b, f, a...);
  return b;
}

std::string addr(uint64_t a) { return fmt("%llx", static_cast<unsigned long long>(a)); }

std::string duration(std::optional<uint64_t> ns) { return ns ? format_days_hms_ms(*ns) : "?"; }

std::string irqs(const CpuState& c) {
  if (!c.irqs_enabled) return "?";
  return *c.irqs_enabled ? "on" : "OFF";
}

std::string task_words(const std::string& comm, int64_t pid) { return comm + " (pid " + std::to_string(pid) + ")"; }

std::string lock_words(const LockWait& l) {
  std::string s = std::string(lock_kind_name(l.kind)) + " " + addr(l.lock);
  if (!l.name.text.empty()) s += " (" + l.name.text + ")";
  return s;
}

// "rpc_task ffff... <nfs3_procedures[18]> FSINFO": the WAITS FOR column.
std::string rpc_words(const RpcWait& w) {
  std::string s = "rpc_task " + addr(w.task) + " " + (w.proc_symbol.empty() ? addr(w.proc) : w.proc_symbol);
  if (!w.proc_name.empty()) s += " " + w.proc_name;
  return s;
}

// The call's client, transport and timing under its task's line.
void rpc_lines(const RpcWait& w, std::string& o) {
  const std::string in = "           ";
  std::string line = in + "in " + w.function + fmt(" (frame #%zu)", w.frame);
  if (w.task) {
    line += ": rpc_proc " + addr(w.proc) + (w.proc_symbol.empty() ? "" : " " + w.proc_symbol);
    if (!w.proc_name.empty()) line += " p_name \"" + w.proc_name + "\"";
  }
  o += line + "\n";
  if (w.client)
    o += in + "client " + addr(w.client) + ": program " + (w.program.empty() ? "" : w.program + " ") +
         std::to_string(w.program_number) + " version " + std::to_string(w.version) +
         (w.server.empty() ? "" : ", server " + w.server) + "\n";
  if (w.xprt)
    o += in + "transport " + addr(w.xprt) + ": " + (w.protocol.empty() ? "" : w.protocol + " ") + w.address +
         ", state " + w.xprt_state_text + "\n";
  if (w.task) {
    line = in + "runstate " + w.runstate_text;
    if (!w.queue.empty()) line += ", queued on " + w.queue;
    line += ", started " + duration(w.age_ns) + " ago";
    if (w.since_sent_ns) line += ", last sent " + duration(w.since_sent_ns) + " ago";
    o += line + "\n";
  }
  for (const auto& p : w.problems) o += in + "(" + p + ")\n";
}

// "hung-pipe-hold (pid 119)", from the report or the graph's label.
std::string node_words(const TriageReport& r, const std::string& id) {
  const WaitNode* n = r.graph.node(id);
  if (!n) return id;
  return n->label.empty() ? id : n->label;
}

// What a CPU runs, for the end of a sentence: "running kl_rcu_staller
// (pid 131) for 0 00:00:44.000, interrupts on, at kinspect_rcu_staller+0x46".
std::string cpu_end_words(const TriageReport& r, unsigned cpu) {
  if (cpu >= r.cpus.size()) return "";
  const CpuState& c = r.cpus[cpu];
  if (c.comm.empty()) return "";
  std::string s = ", running " + task_words(c.comm, c.pid);
  if (!c.idle) s += " for " + duration(c.ran_ns);
  s += ", interrupts " + irqs(c);
  std::string at = c.context_user ? "user mode" : c.context_at;
  if (!at.empty()) s += ", at " + at;
  return s;
}

// What a chain's last task (or CPU) does, for the end of the sentence.
std::string end_words(const TriageReport& r, const std::string& id) {
  const WaitNode* n = r.graph.node(id);
  if (n && n->kind == WaitNodeKind::cpu) return cpu_end_words(r, static_cast<unsigned>(n->address));
  if (!n || n->kind != WaitNodeKind::task) return "";
  const WaitingTask* t = r.task(n->address);
  if (!t) return "";
  if (t->active) return ", running on CPU " + std::to_string(t->cpu);
  std::string s = " [" + t->st + "]";
  if (!t->wait.sleeps_in.empty()) s += ", sleeping in " + t->wait.sleeps_in;
  if (t->wait.lock && t->wait.lock->lock && (!t->wait.lock->state || !t->wait.lock->state->owner_task))
    s += ", waiting for " + lock_words(*t->wait.lock) + " with no recorded owner";
  return s;
}

std::string chain_sentence(const TriageReport& r, const WaitChain& c) {
  std::string s = node_words(r, c.nodes[0]);
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    const WaitEdge* e = r.graph.edge_from(c.nodes[i]);
    if (!e) break;
    const WaitNode* from = r.graph.node(c.nodes[i]);
    bool which = i > 0 && from && from->kind == WaitNodeKind::task;
    s += (which ? ", which " : " ") + e->relation + " " + node_words(r, e->to);
  }
  if (c.cycle) s += "  <-- DEADLOCK (cycle)";
  else s += end_words(r, c.nodes.back());
  return s;
}

// "A -> lock -> B -> lock -> A".
std::string cycle_words(const TriageReport& r, const WaitChain& c) {
  std::string s;
  for (const std::string& n : c.nodes) s += node_words(r, n) + " -> ";
  return s + node_words(r, c.nodes.front());
}

void panic_section(const TriageReport& r, std::string& o) {
  o += "PANIC\n";
  if (!r.panic.found) {
    o += "  no panic CPU found (a hang dump?)" + std::string(r.panic.message.empty() ? "" : ": \"" + r.panic.message + "\"") + "\n";
    return;
  }
  o += "  MESSAGE: " + (r.panic.message.empty() ? std::string("(none in the log)") : "\"" + r.panic.message + "\"") + "\n";
  o += fmt("      CPU: %d (%s)\n", r.panic.cpu, r.panic.source.c_str());
  o += "     TASK: " + addr(r.panic.task) + "  PID: " + std::to_string(r.panic.pid) + "  COMMAND: \"" + r.panic.comm + "\"\n";
  o += "    TRACE:";
  for (size_t i = 0; i < r.panic.trace.size(); ++i) o += (i ? " < " : " ") + r.panic.trace[i];
  o += "\n";
}

void cpu_section(const TriageReport& r, std::string& o) {
  o += "\nCPUS (RAN: " + r.run_time_source + ")\n";
  o += "  CPU      PID  COMMAND           RAN               IRQS  INTERRUPTED AT\n";
  for (const CpuState& c : r.cpus) {
    if (!c.error.empty() && c.comm.empty()) {
      o += fmt("  %3u  %s\n", c.cpu, c.error.c_str());
      continue;
    }
    std::string at = c.context_user ? "user mode" : c.context_at;
    o += fmt("  %3u  %7lld  %-16s  %-16s  %-4s  %s\n", c.cpu, static_cast<long long>(c.pid), c.comm.c_str(),
             c.idle ? "(idle)" : duration(c.ran_ns).c_str(), irqs(c).c_str(), at.c_str());
    if (!c.error.empty()) o += "       unwind: " + c.error + "\n";
    if (c.csd) {
      const CsdWait& w = *c.csd;
      o += "       waits in " + w.function + (w.host != w.function ? " (in " + w.host + ")" : "") +
           fmt(", frame #%zu", w.frame);
      if (w.target_cpu >= 0) o += fmt(", for CPU %d", w.target_cpu);
      o += ":\n";
      if (w.csd) o += "         csd " + addr(w.csd) + "  func " + w.func_symbol + "  flags " + w.flags_text + "\n";
      if (w.target_cpu >= 0 && static_cast<size_t>(w.target_cpu) < r.cpus.size()) {
        const CpuState& t = r.cpus[w.target_cpu];
        o += fmt("         CPU %d runs ", w.target_cpu) + task_words(t.comm, t.pid);
        if (!t.idle) o += " for " + duration(t.ran_ns);
        o += ", interrupts " + irqs(t);
        if (!t.trace.empty()) o += ", in " + t.trace[0];
        o += "\n";
      }
      for (const auto& p : w.problems) o += "         (" + p + ")\n";
    }
    if (c.spin) {
      const SpinWait& s = *c.spin;
      o += "       spins in " + s.function + fmt(", frame #%zu", s.frame);
      if (s.lock) o += ", lock " + addr(s.lock) + (s.name.text.empty() ? "" : " (" + s.name.text + ")");
      if (s.word) o += fmt(": word 0x%x, ", s.word->value) + describe_qspinlock(*s.word) +
                       " (a qspinlock does not record its owner)";
      o += "\n";
      if (!s.problem.empty()) o += "         (" + s.problem + ")\n";
    }
  }
}

void task_section(const TriageReport& r, std::string& o) {
  size_t blocked = 0;
  for (const WaitingTask& t : r.tasks) blocked += t.blocked;
  o += "\nBLOCKED TASKS (D state): " + std::to_string(blocked);
  if (r.hung_timeout_secs) o += ", hung_task_timeout_secs " + std::to_string(*r.hung_timeout_secs);
  o += "\n";
  bool header = false;
  for (const WaitingTask& t : r.tasks) {
    if (!header) {
      o += "      PID  ST  CPU  COMMAND           SINCE RAN         WAITS FOR\n";
      header = true;
    }
    std::string what;
    if (t.active) {
      what = "running on CPU " + std::to_string(t.cpu);
    } else if (t.wait.lock && t.wait.lock->lock) {
      what = lock_words(*t.wait.lock);
    } else if (t.wait.rpc) {
      what = rpc_words(*t.wait.rpc);
    } else if (!t.wait.sleeps_in.empty()) {
      what = "sleeps in " + t.wait.sleeps_in;
    } else {
      what = "?";
    }
    o += fmt("  %7lld  %-2s  %3d  %-16s  %-16s  ", static_cast<long long>(t.pid), t.st.c_str(), t.cpu, t.comm.c_str(),
             duration(t.since_ran_ns).c_str()) +
         what + (t.over_hung_timeout ? "  [over hung_task_timeout]" : "") + (t.blocked ? "" : "  (lock owner)") + "\n";
    if (t.wait.lock) {
      const LockWait& l = *t.wait.lock;
      std::string line = "           in " + l.function + fmt(" (frame #%zu)", l.frame);
      if (l.state) line += ": " + l.state->state;
      o += line + "\n";
      if (!l.problem.empty()) o += "           (" + l.problem + ")\n";
    }
    if (!t.wait.rcu_gp_frame.empty()) o += "           for an RCU grace period (" + t.wait.rcu_gp_frame + "), see RCU\n";
    if (t.wait.rpc) rpc_lines(*t.wait.rpc, o);
    if (!t.wait.error.empty()) o += "           (unwind: " + t.wait.error + ")\n";
  }
}

void rcu_section(const TriageReport& r, std::string& o) {
  o += "\nRCU\n";
  if (!r.rcu) {
    o += "  (" + r.rcu_error + ")\n";
    return;
  }
  const RcuGracePeriod& g = *r.rcu;
  o += "  " + g.flavor + ": grace period g=" + std::to_string(g.gp_seq);
  if (!g.in_progress) {
    o += " ended; none in progress" + (g.gp_state.empty() ? std::string() : " (" + g.gp_state + ")") + "\n";
  } else {
    o += " in progress for " + duration(g.age_ns) + (g.gp_state.empty() ? "" : " (" + g.gp_state + ")");
    if (g.stall_timeout_secs)
      o += g.stalled ? ": STALLED, past rcu_cpu_stall_timeout " + std::to_string(*g.stall_timeout_secs) + " s"
                     : ", within rcu_cpu_stall_timeout " + std::to_string(*g.stall_timeout_secs) + " s";
    o += "\n";
    for (const RcuBlockingCpu& c : g.cpus)
      o += fmt("  blocked by CPU %u", c.cpu) + cpu_end_words(r, c.cpu) +
           (c.no_qs.value_or(false) ? " (rcu_data.cpu_no_qs: no quiescent state yet)" : "") + "\n";
    for (const RcuBlockingTask& t : g.tasks)
      o += "  blocked by task " + (t.pid >= 0 ? task_words(t.comm, t.pid) + " " : "") + addr(t.task) +
           ", preempted in an RCU read-side section (rcu_node.gp_tasks)\n";
    if (g.cpus.empty() && g.tasks.empty()) o += "  blocked by: no CPU or task recorded (rcu_node qsmask and gp_tasks empty)\n";
    for (const WaitingTask& t : r.tasks)
      if (!t.wait.rcu_gp_frame.empty()) o += "  waited for by " + task_words(t.comm, t.pid) + " (" + t.wait.rcu_gp_frame + ")\n";
  }
  for (const auto& p : g.problems) o += "  (" + p + ")\n";
}

// The RPC procedures waiting on a transport: " (FSINFO <nfs3_procedures[19]>)".
std::string transport_words(const TriageReport& r, const WaitNode& n) {
  std::vector<std::string> procs;
  for (const WaitingTask& t : r.tasks)
    if (t.wait.rpc && t.wait.rpc->xprt == n.address) {
      std::string p = t.wait.rpc->proc_name + " " + t.wait.rpc->proc_symbol;
      if (std::find(procs.begin(), procs.end(), p) == procs.end()) procs.push_back(p);
    }
  std::string s;
  for (const auto& p : procs) s += (s.empty() ? "" : ", ") + p;
  return s.empty() ? "" : ", unanswered: " + s;
}

// One line per root cause, most waiters first: where the chains end.
void root_lines(const TriageReport& r, const std::string& indent, std::string& o) {
  for (const RootCause& rc : r.roots) {
    const WaitNode* n = r.graph.node(rc.node);
    std::string what = rc.deadlock ? " [deadlock]" : end_words(r, rc.node);
    if (n && n->kind == WaitNodeKind::transport) what += transport_words(r, *n);
    o += indent + node_words(r, rc.node) + what + ": " + std::to_string(rc.waiters) + " waiter" +
         (rc.waiters == 1 ? "" : "s") + "\n";
  }
}

// Right after the panic, so the first screen names them: the root causes
// and every deadlock cycle, as in the WAIT-FOR GRAPH section.
void summary_section(const TriageReport& r, std::string& o) {
  if (r.roots.empty()) return;
  o += "\nROOT CAUSES (most waiters first; details under WAIT-FOR GRAPH)\n";
  root_lines(r, "  ", o);
  for (const WaitChain& c : r.cycles) o += "  DEADLOCK: " + cycle_words(r, c) + "\n";
}

void graph_section(const TriageReport& r, std::string& o) {
  o += "\nWAIT-FOR GRAPH\n";
  if (r.roots.empty()) {
    o += "  no waits linked: no blocked task or waiting CPU leads to another\n";
    return;
  }
  o += "  ROOT CAUSES (most waiters first):\n";
  root_lines(r, "    ", o);
  o += "  CHAINS:\n";
  for (const std::string& s : r.starts) {
    WaitChain c = r.graph.chain_from(s);
    if (c.nodes.size() < 2) continue;
    o += "    " + chain_sentence(r, c) + "\n";
  }
  o += "  DEADLOCKS:" + std::string(r.cycles.empty() ? " none found\n" : "\n");
  for (const WaitChain& c : r.cycles) o += "    " + cycle_words(r, c) + "\n";
}

}  // namespace

std::string triage_text(const TriageReport& r) {
  std::string o;
  panic_section(r, o);
  summary_section(r, o);
  cpu_section(r, o);
  task_section(r, o);
  rcu_section(r, o);
  graph_section(r, o);
  return o;
}

}  // namespace kinspect
