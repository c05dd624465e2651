#include "core/linux/runqueue.hpp"

#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// Enough for any real tree or list; a corrupt one stops here, not in a loop.
constexpr size_t kMaxEntries = 1 << 20;
constexpr unsigned kMaxDepth = 32;

struct Layout {
  const Type* task = nullptr;
  uint64_t task_se = 0, task_rt = 0;   // offsetof(task_struct, se / rt)
  uint64_t se_run_node = 0;            // offsetof(sched_entity, run_node)
  uint64_t rt_run_list = 0;            // offsetof(sched_rt_entity, run_list)
  bool se_has_my_q = false, rt_has_my_q = false;
};

Result<Layout> layout(Program& prog) {
  const Types& types = prog.types();
  Layout l;
  ASSIGN_OR_RETURN(l.task, types.find_struct("task_struct"));
  ASSIGN_OR_RETURN(l.task_se, types.member_offset("task_struct", "se"));
  ASSIGN_OR_RETURN(l.task_rt, types.member_offset("task_struct", "rt"));
  ASSIGN_OR_RETURN(l.se_run_node, types.member_offset("sched_entity", "run_node"));
  ASSIGN_OR_RETURN(l.rt_run_list, types.member_offset("sched_rt_entity", "run_list"));
  l.se_has_my_q = types.member_offset("sched_entity", "my_q").ok();
  l.rt_has_my_q = types.member_offset("sched_rt_entity", "my_q").ok();
  return l;
}

Result<int> task_prio(Program& prog, const Layout& l, uint64_t task) {
  ASSIGN_OR_RETURN(Object prio, Object::at(prog, l.task, task).member("prio"));
  ASSIGN_OR_RETURN(int64_t p, prio.as_int());
  return static_cast<int>(p);
}

// In-order walk of an rb_root (struct rb_node: parent_color, right, left),
// leftmost (next to run) first. Iterative, so a deep tree is no problem.
Result<std::vector<uint64_t>> rb_inorder(Program& prog, uint64_t root_node) {
  std::vector<uint64_t> out, stack;
  uint64_t n = root_node;
  while (n || !stack.empty()) {
    while (n) {
      if (stack.size() > kMaxEntries) return fail(Errc::format, "rb-tree deeper than any real one at " + hex(n));
      stack.push_back(n);
      ASSIGN_OR_RETURN(n, prog.read_u64(n + 16));  // rb_left
    }
    n = stack.back();
    stack.pop_back();
    out.push_back(n);
    if (out.size() > kMaxEntries) return fail(Errc::format, "rb-tree loops at " + hex(n));
    ASSIGN_OR_RETURN(n, prog.read_u64(n + 8));  // rb_right
  }
  return out;
}

// The sched_entity's group queue (my_q), 0 for a task's entity.
Result<uint64_t> group_queue(Program& prog, const Layout& l, const Type* se_type, uint64_t se) {
  if (!l.se_has_my_q || !se) return uint64_t{0};
  ASSIGN_OR_RETURN(Object q, Object::at(prog, se_type, se).member("my_q"));
  return q.as_u64();
}

Status walk_cfs(Program& prog, const Layout& l, uint64_t cfs_rq, unsigned depth,
                std::vector<QueuedTask>& out) {
  if (depth > kMaxDepth) return fail(Errc::format, "task groups nested too deep at cfs_rq " + hex(cfs_rq));
  ASSIGN_OR_RETURN(const Type* se_type, prog.types().find_struct("sched_entity"));
  ASSIGN_OR_RETURN(const Type* cfs_type, prog.types().find_struct("cfs_rq"));
  Object rq = Object::at(prog, cfs_type, cfs_rq);
  // The running entity is out of the tree; if it is a group, its queued
  // tasks come first.
  ASSIGN_OR_RETURN(Object curr_member, rq.member("curr"));
  ASSIGN_OR_RETURN(uint64_t curr, curr_member.as_u64());
  ASSIGN_OR_RETURN(uint64_t curr_q, group_queue(prog, l, se_type, curr));
  if (curr_q) TRY_VOID(walk_cfs(prog, l, curr_q, depth + 1, out));
  ASSIGN_OR_RETURN(Object timeline, rq.member("tasks_timeline"));
  ASSIGN_OR_RETURN(uint64_t root, prog.read_u64(timeline.address()));  // .rb_root.rb_node
  ASSIGN_OR_RETURN(auto nodes, rb_inorder(prog, root));
  for (uint64_t node : nodes) {
    uint64_t se = node - l.se_run_node;
    ASSIGN_OR_RETURN(uint64_t my_q, group_queue(prog, l, se_type, se));
    if (my_q) {
      TRY_VOID(walk_cfs(prog, l, my_q, depth + 1, out));
      continue;
    }
    QueuedTask t;
    t.task = se - l.task_se;
    ASSIGN_OR_RETURN(t.prio, task_prio(prog, l, t.task));
    out.push_back(t);
  }
  return {};
}

Status walk_rt(Program& prog, const Layout& l, uint64_t rt_rq, unsigned depth,
               std::vector<QueuedTask>& out) {
  if (depth > kMaxDepth) return fail(Errc::format, "RT groups nested too deep at rt_rq " + hex(rt_rq));
  ASSIGN_OR_RETURN(const Type* rt_rq_type, prog.types().find_struct("rt_rq"));
  ASSIGN_OR_RETURN(Object queue, Object::at(prog, rt_rq_type, rt_rq).member("active.queue"));
  const Type* qt = queue.type()->strip();
  uint64_t n = qt->count.value_or(0);
  ASSIGN_OR_RETURN(const Type* rt_se_type, prog.types().find_struct("sched_rt_entity"));
  size_t seen = 0;
  for (uint64_t prio = 0; prio < n; ++prio) {
    ASSIGN_OR_RETURN(Object head, queue.index(static_cast<int64_t>(prio)));
    uint64_t head_addr = head.address();
    ASSIGN_OR_RETURN(uint64_t next, prog.read_u64(head_addr));
    while (next != head_addr) {
      if (++seen > kMaxEntries) return fail(Errc::format, "RT queue loops at " + hex(next));
      uint64_t rt_se = next - l.rt_run_list;
      uint64_t my_q = 0;
      if (l.rt_has_my_q) {
        ASSIGN_OR_RETURN(Object q, Object::at(prog, rt_se_type, rt_se).member("my_q"));
        ASSIGN_OR_RETURN(my_q, q.as_u64());
      }
      if (my_q) {
        TRY_VOID(walk_rt(prog, l, my_q, depth + 1, out));
      } else {
        out.push_back({rt_se - l.task_rt, static_cast<int>(prio)});
      }
      ASSIGN_OR_RETURN(next, prog.read_u64(next));
    }
  }
  return {};
}

uint64_t rq_clock(const Object& rq) {
  if (auto c = rq.member("clock"); c.ok())
    if (auto v = c->as_u64(); v.ok()) return *v;
  return 0;
}

}  // namespace

std::vector<uint64_t> runqueue_clocks(Program& prog, unsigned cpus) {
  std::vector<uint64_t> out(cpus, 0);
  for (unsigned cpu = 0; cpu < cpus; ++cpu)
    if (auto rq = per_cpu(prog, "runqueues", cpu); rq.ok()) out[cpu] = rq_clock(*rq);
  return out;
}

Result<CpuRunqueue> read_runqueue(Program& prog, unsigned cpu) {
  ASSIGN_OR_RETURN(Layout l, layout(prog));
  ASSIGN_OR_RETURN(Object rq, per_cpu(prog, "runqueues", cpu));
  CpuRunqueue r;
  r.cpu = cpu;
  r.rq = rq.address();
  ASSIGN_OR_RETURN(Object curr, rq.member("curr"));
  ASSIGN_OR_RETURN(r.curr, curr.as_u64());
  r.clock = rq_clock(rq);
  ASSIGN_OR_RETURN(Object rt, rq.member("rt"));
  ASSIGN_OR_RETURN(Object active, rt.member("active"));
  r.rt_array = active.address();
  TRY_VOID(walk_rt(prog, l, rt.address(), 0, r.rt));
  ASSIGN_OR_RETURN(Object cfs, rq.member("cfs"));
  ASSIGN_OR_RETURN(Object timeline, cfs.member("tasks_timeline"));
  r.cfs_root = timeline.address();
  TRY_VOID(walk_cfs(prog, l, cfs.address(), 0, r.cfs));
  return r;
}

}  // namespace kinspect
