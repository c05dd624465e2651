#include "core/linux/triage/rcu_gp.hpp"

#include "core/linux/kernel_list.hpp"
#include "core/linux/kernel_summary.hpp"
#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

// gp_state_names[] (kernel/rcu/tree.c) names rcu_state.gp_state; the
// RCU_GP_* values are #defines, so the kernel's own table is the source.
std::string gp_state_name(Program& prog, uint64_t state) {
  auto names = variable(prog, "gp_state_names");
  if (!names) return "";
  const Type* t = names->type()->strip();
  if (t->kind != TypeKind::array || !t->count || state >= *t->count) return "";
  auto e = names->index(static_cast<int64_t>(state));
  auto s = e ? e->as_string(64) : Result<std::string>(fail(std::move(e).error()));
  return s ? *s : "";
}

// Preempted readers blocking the current GP: rcu_node.gp_tasks points at
// the first of them in blkd_tasks (task_struct.rcu_node_entry), the rest
// follow it to the list's end; null when none blocks it.
Status blocking_tasks(Program& prog, const Object& node, std::vector<RcuBlockingTask>& out) {
  auto gp = member_u64(node, "gp_tasks");
  if (!gp || !*gp) return {};
  ASSIGN_OR_RETURN(Object head, node.member("blkd_tasks"));
  ASSIGN_OR_RETURN(uint64_t off, prog.types().member_offset("task_struct", "rcu_node_entry"));
  bool in = false;
  return walk_list(prog, head.address(), off, [&](uint64_t task) -> Status {
    if (task + off == *gp) in = true;
    if (in) out.push_back({task, -1, ""});
    return {};
  });
}

}  // namespace

Result<RcuGracePeriod> read_rcu_grace_period(Program& prog) {
  auto rs = variable(prog, "rcu_state");
  if (!rs) return fail(rs.error().code, "no tree RCU rcu_state (a kernel before 4.20, or TINY_RCU): " + rs.error().message);
  RcuGracePeriod g;
  if (auto n = rs->member("name")) {
    if (auto s = n->as_string(32)) g.flavor = *s;
  }
  ASSIGN_OR_RETURN(uint64_t seq, member_u64(*rs, "gp_seq"));
  g.gp_seq = static_cast<int64_t>(seq);
  g.in_progress = (seq & 3) != 0;  // RCU_SEQ_STATE_MASK
  if (auto st = member_u64(*rs, "gp_state")) g.gp_state = gp_state_name(prog, *st);
  if (g.in_progress) {
    auto start = member_u64(*rs, "gp_start");
    auto jif = variable(prog, "jiffies_64");
    auto now = jif ? jif->as_u64() : Result<uint64_t>(fail(std::move(jif).error()));
    auto hz = kernel_tick_hz(prog);
    if (start && now && hz && *now >= *start)
      g.age_ns = (*now - *start) * (1000000000ull / *hz);
    else
      g.problems.push_back("grace period age: rcu_state.gp_start, jiffies_64 or HZ unreadable");
  }
  if (auto t = variable(prog, "rcu_cpu_stall_timeout")) {
    if (auto v = t->as_int(); v && *v > 0) g.stall_timeout_secs = static_cast<uint64_t>(*v);
  }
  if (g.age_ns && g.stall_timeout_secs) g.stalled = *g.age_ns / 1000000000ull >= *g.stall_timeout_secs;
  if (!g.in_progress) return g;

  // The leaves of the rcu_node tree (level rcu_num_lvls - 1) hold one
  // qsmask bit per CPU from grplo; upper levels' bits are child nodes.
  ASSIGN_OR_RETURN(Object nodes, rs->member("node"));
  auto nn = variable(prog, "rcu_num_nodes");
  auto nl = variable(prog, "rcu_num_lvls");
  auto num_nodes = nn ? nn->as_u64() : Result<uint64_t>(fail(std::move(nn).error()));
  auto levels = nl ? nl->as_u64() : Result<uint64_t>(fail(std::move(nl).error()));
  if (!num_nodes || !levels) return fail(Errc::not_found, "rcu_num_nodes / rcu_num_lvls unreadable");
  for (uint64_t i = 0; i < *num_nodes && i < 4096; ++i) {
    auto node = nodes.index(static_cast<int64_t>(i));
    if (!node) {
      g.problems.push_back("rcu_state.node[" + std::to_string(i) + "]: " + node.error().message);
      continue;
    }
    auto level = member_u64(*node, "level");
    if (!level || *level + 1 != *levels) continue;
    auto mask = member_u64(*node, "qsmask");
    auto lo = member_u64(*node, "grplo");
    if (!mask || !lo) {
      g.problems.push_back("rcu_node at " + hex(node->address()) + ": qsmask/grplo unreadable");
      continue;
    }
    for (unsigned b = 0; b < 64; ++b) {
      if (!(*mask >> b & 1)) continue;
      RcuBlockingCpu c;
      c.cpu = static_cast<unsigned>(*lo + b);
      if (auto d = per_cpu(prog, "rcu_data", c.cpu)) {
        if (auto q = member_u64(*d, "cpu_no_qs.b.norm")) c.no_qs = *q != 0;
      }
      g.cpus.push_back(c);
    }
    if (auto st = blocking_tasks(prog, *node, g.tasks); !st)
      g.problems.push_back("rcu_node at " + hex(node->address()) + " blkd_tasks: " + st.error().message);
  }
  return g;
}

}  // namespace kinspect
