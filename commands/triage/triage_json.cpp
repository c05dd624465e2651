#include "commands/triage/triage_json.hpp"

#include "commands/json_writer.hpp"
#include "core/error.hpp"
#include "core/linux/triage/triage.hpp"

namespace kinspect {

namespace {

void address(JsonWriter& j, std::string_view k, uint64_t a) {
  if (a)
    j.field(k, hex(a));
  else
    j.key(k).null();
}

std::string_view node_kind(WaitNodeKind k) {
  switch (k) {
    case WaitNodeKind::cpu: return "cpu";
    case WaitNodeKind::task: return "task";
    case WaitNodeKind::lock: return "lock";
    case WaitNodeKind::rpc_task: return "rpc_task";
    case WaitNodeKind::transport: return "transport";
    case WaitNodeKind::rcu_gp: return "rcu_gp";
  }
  return "";
}

void panic_json(JsonWriter& j, const PanicSummary& p) {
  j.key("panic").begin_object();
  j.field("found", p.found);
  j.field("cpu", static_cast<int64_t>(p.cpu));
  address(j, "task", p.task);
  j.field("pid", p.pid);
  j.field("comm", p.comm);
  j.field("source", p.source);
  j.field("message", p.message);
  j.string_array("trace", p.trace);
  j.end_object();
}

void csd_json(JsonWriter& j, const CsdWait& w) {
  j.key("csd_wait").begin_object();
  j.field("frame", static_cast<uint64_t>(w.frame));
  j.field("function", w.function);
  j.field("host", w.host);
  address(j, "csd", w.csd);
  j.field("csd_source", w.csd_source);
  address(j, "func", w.func);
  j.field("func_symbol", w.func_symbol);
  j.field("flags", w.flags);
  j.field("flags_text", w.flags_text);
  j.field("target_cpu", static_cast<int64_t>(w.target_cpu));
  j.field("target_source", w.target_source);
  j.string_array("problems", w.problems);
  j.end_object();
}

void spin_json(JsonWriter& j, const SpinWait& s) {
  j.key("spin_wait").begin_object();
  j.field("frame", static_cast<uint64_t>(s.frame));
  j.field("function", s.function);
  address(j, "lock", s.lock);
  j.field("lock_name", s.name.text);
  if (s.word) {
    j.key("word").begin_object();
    j.field("value", static_cast<uint64_t>(s.word->value));
    j.field("locked", static_cast<uint64_t>(s.word->locked));
    j.field("pending", s.word->pending);
    j.field("tail_cpu", static_cast<int64_t>(s.word->tail_cpu));
    j.field("tail_idx", static_cast<uint64_t>(s.word->tail_idx));
    j.end_object();
  } else {
    j.key("word").null();
  }
  j.field("problem", s.problem);
  j.end_object();
}

void cpu_json(JsonWriter& j, const CpuState& c) {
  j.begin_object();
  j.field("cpu", static_cast<uint64_t>(c.cpu));
  address(j, "task", c.task);
  j.field("pid", c.pid);
  j.field("comm", c.comm);
  j.field("idle", c.idle);
  j.field("ran_ns", c.ran_ns);
  j.field("irqs_enabled", c.irqs_enabled);
  j.field("irqs_source", c.irqs_source);
  address(j, "context_pc", c.context_pc);
  j.field("context_at", c.context_at);
  j.field("context_user", c.context_user);
  j.string_array("trace", c.trace);
  if (c.csd) csd_json(j, *c.csd);
  else j.key("csd_wait").null();
  if (c.spin) spin_json(j, *c.spin);
  else j.key("spin_wait").null();
  j.field("error", c.error);
  j.end_object();
}

void lock_json(JsonWriter& j, const LockWait& l) {
  j.key("lock").begin_object();
  j.field("kind", lock_kind_name(l.kind));
  j.field("type", lock_type_name(l.kind));
  j.field("frame", static_cast<uint64_t>(l.frame));
  j.field("function", l.function);
  address(j, "address", l.lock);
  j.field("name", l.name.text);
  address(j, "container", l.name.container);
  j.field("container_type", l.name.type);
  j.field("member", l.name.member);
  j.field("name_source", l.name.source);
  address(j, "owner_task", l.state ? l.state->owner_task : 0);
  j.field("owner_is_last_reader", l.state && l.state->owner_is_last_reader);
  j.field("owner_field", l.state ? l.state->owner_field : "");
  j.field("state", l.state ? l.state->state : "");
  j.field("problem", l.problem);
  j.end_object();
}

void rpc_json(JsonWriter& j, const RpcWait& w) {
  j.key("rpc").begin_object();
  j.field("frame", static_cast<uint64_t>(w.frame));
  j.field("function", w.function);
  address(j, "rpc_task", w.task);
  address(j, "rpc_proc", w.proc);
  j.field("rpc_proc_symbol", w.proc_symbol);
  j.field("p_name", w.proc_name);
  address(j, "client", w.client);
  j.field("program", w.program);
  j.field("program_number", static_cast<uint64_t>(w.program_number));
  j.field("version", static_cast<uint64_t>(w.version));
  j.field("server", w.server);
  address(j, "transport", w.xprt);
  j.field("protocol", w.protocol);
  j.field("address", w.address);
  j.field("transport_state", w.xprt_state);
  j.field("transport_state_text", w.xprt_state_text);
  j.field("runstate", w.runstate);
  j.field("runstate_text", w.runstate_text);
  j.field("queue", w.queue);
  j.field("age_ns", w.age_ns);
  j.field("since_sent_ns", w.since_sent_ns);
  j.string_array("problems", w.problems);
  j.end_object();
}

void task_json(JsonWriter& j, const WaitingTask& t) {
  j.begin_object();
  address(j, "task", t.task);
  j.field("pid", t.pid);
  j.field("comm", t.comm);
  j.field("state", t.st);
  j.field("cpu", static_cast<int64_t>(t.cpu));
  j.field("active", t.active);
  j.field("blocked", t.blocked);
  j.field("since_ran_ns", t.since_ran_ns);
  j.field("over_hung_timeout", t.over_hung_timeout);
  j.field("sleeps_in", t.wait.sleeps_in);
  j.string_array("trace", t.wait.trace);
  if (t.wait.lock) lock_json(j, *t.wait.lock);
  else j.key("lock").null();
  if (t.wait.rpc) rpc_json(j, *t.wait.rpc);
  else j.key("rpc").null();
  j.field("rcu_gp_wait", t.wait.rcu_gp_frame);
  j.field("error", t.wait.error);
  j.end_object();
}

void rcu_json(JsonWriter& j, const TriageReport& r) {
  if (!r.rcu) {
    j.key("rcu").begin_object().field("error", r.rcu_error).end_object();
    return;
  }
  const RcuGracePeriod& g = *r.rcu;
  j.key("rcu").begin_object();
  j.field("flavor", g.flavor);
  j.field("gp_seq", g.gp_seq);
  j.field("in_progress", g.in_progress);
  j.field("gp_state", g.gp_state);
  j.field("age_ns", g.age_ns);
  j.field("stall_timeout_secs", g.stall_timeout_secs);
  j.field("stalled", g.stalled);
  j.key("blocking_cpus").begin_array();
  for (const RcuBlockingCpu& c : g.cpus) {
    j.begin_object().field("cpu", static_cast<uint64_t>(c.cpu)).field("no_qs", c.no_qs).end_object();
  }
  j.end_array();
  j.key("blocking_tasks").begin_array();
  for (const RcuBlockingTask& t : g.tasks) {
    j.begin_object();
    address(j, "task", t.task);
    j.field("pid", t.pid).field("comm", t.comm);
    j.end_object();
  }
  j.end_array();
  j.string_array("problems", g.problems);
  j.field("error", "");
  j.end_object();
}

void graph_json(JsonWriter& j, const TriageReport& r) {
  j.key("graph").begin_object();
  j.key("nodes").begin_array();
  for (const WaitNode& n : r.graph.nodes()) {
    j.begin_object();
    j.field("id", n.id);
    j.field("kind", node_kind(n.kind));
    if (n.kind == WaitNodeKind::cpu)
      j.field("cpu", n.address);
    else
      address(j, "address", n.address);
    j.field("label", n.label);
    j.end_object();
  }
  j.end_array();
  j.key("edges").begin_array();
  for (const WaitEdge& e : r.graph.edges()) {
    j.begin_object();
    j.field("from", e.from).field("to", e.to).field("relation", e.relation).field("evidence", e.evidence);
    j.end_object();
  }
  j.end_array();
  j.key("chains").begin_array();
  for (const std::string& s : r.starts) {
    WaitChain c = r.graph.chain_from(s);
    j.begin_object();
    j.string_array("nodes", c.nodes);
    j.field("cycle", c.cycle);
    j.end_object();
  }
  j.end_array();
  j.key("root_causes").begin_array();
  for (const RootCause& rc : r.roots) {
    j.begin_object();
    j.field("node", rc.node).field("waiters", static_cast<uint64_t>(rc.waiters)).field("deadlock", rc.deadlock);
    j.end_object();
  }
  j.end_array();
  j.key("cycles").begin_array();
  for (const WaitChain& c : r.cycles) {
    j.begin_array();
    for (const std::string& n : c.nodes) j.string(n);
    j.end_array();
  }
  j.end_array();
  j.end_object();
}

}  // namespace

std::string triage_json(const TriageReport& r) {
  JsonWriter j;
  j.begin_object();
  j.field("schema", "kinspect-triage");
  j.field("version", static_cast<int64_t>(kTriageJsonVersion));
  panic_json(j, r.panic);
  j.field("run_time_source", r.run_time_source);
  j.field("hung_task_timeout_secs", r.hung_timeout_secs);
  j.key("cpus").begin_array();
  for (const CpuState& c : r.cpus) cpu_json(j, c);
  j.end_array();
  j.key("tasks").begin_array();
  for (const WaitingTask& t : r.tasks) task_json(j, t);
  j.end_array();
  rcu_json(j, r);
  graph_json(j, r);
  j.end_object();
  return j.str();
}

}  // namespace kinspect
