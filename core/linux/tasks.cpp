// Task walking: see tasks.hpp.
#include "core/linux/tasks.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/linux/list_walk.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

constexpr size_t kMaxTasks = 1 << 20;  // a list longer than this is corrupt

bool has_member(Program& prog, std::string_view type, std::string_view path) {
  return prog.types().member_offset(type, path).ok();
}

struct Layout {
  const Type* task_type = nullptr;
  std::string state_member;  // "__state" or "state"
  std::string cpu_member;    // "thread_info.cpu" or "cpu"
  uint64_t tasks_off = 0;
  bool thread_head = false;  // signal->thread_head / thread_node
  uint64_t thread_off = 0;   // thread_node or thread_group
  uint64_t page_kb = 4;
  double total_pages = 0;
  bool task_rss_stat = false;  // SPLIT_RSS_COUNTING: task->rss_stat.count[]
};

Result<Layout> layout(Program& prog) {
  Layout l;
  ASSIGN_OR_RETURN(l.task_type, prog.types().find_struct("task_struct"));
  l.state_member = has_member(prog, "task_struct", "__state") ? "__state" : "state";
  l.cpu_member = has_member(prog, "task_struct", "thread_info.cpu") ? "thread_info.cpu" : "cpu";
  ASSIGN_OR_RETURN(l.tasks_off, prog.types().member_offset("task_struct", "tasks"));
  if (has_member(prog, "task_struct", "thread_node") && has_member(prog, "signal_struct", "thread_head")) {
    l.thread_head = true;
    ASSIGN_OR_RETURN(l.thread_off, prog.types().member_offset("task_struct", "thread_node"));
  } else {
    ASSIGN_OR_RETURN(l.thread_off, prog.types().member_offset("task_struct", "thread_group").context(
                                       "neither signal->thread_head nor task_struct.thread_group in the DWARF"));
  }
  l.page_kb = prog.arch().page_size() / 1024;
  l.task_rss_stat = has_member(prog, "task_struct", "rss_stat.count");
  for (const char* name : {"_totalram_pages", "totalram_pages"}) {
    auto v = variable(prog, name);
    if (!v) continue;
    auto o = v->type() && v->member("counter").ok() ? v->member("counter") : Result<Object>(*v);
    if (!o) continue;
    if (auto n = o->as_u64()) {
      l.total_pages = static_cast<double>(*n);
      break;
    }
  }
  return l;
}

Result<uint64_t> u64_of(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

// One mm counter: an atomic_long_t (count[i].counter) before 6.2, a
// percpu_counter (count + each CPU's s32) after.
Result<int64_t> mm_counter(Program& prog, const Object& mm, int i, unsigned cpus) {
  if (auto c = mm.member("rss_stat.count[" + std::to_string(i) + "].counter")) return c->as_int();
  ASSIGN_OR_RETURN(Object pc, mm.member("rss_stat[" + std::to_string(i) + "]"));
  ASSIGN_OR_RETURN(int64_t sum, pc.member("count")->as_int());
  ASSIGN_OR_RETURN(uint64_t counters, u64_of(pc, "counters"));
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    auto a = per_cpu_address(prog, counters, cpu);
    if (!a) continue;
    auto v = prog.read_u32(*a);
    if (v) sum += static_cast<int32_t>(*v);
  }
  return sum;
}

Result<TaskInfo> read_one(Program& prog, const Layout& l, uint64_t addr) {
  Object t = Object::at(prog, l.task_type, addr);
  TaskInfo ti;
  ti.task = addr;
  auto ctx = [&](Error e) { return std::move(e).context("reading task_struct at " + hex(addr)); };
  if (auto v = t.member("pid"); v) {
    auto p = v->as_int();
    if (!p) return ctx(std::move(p).error());
    ti.pid = *p;
  } else {
    return ctx(std::move(v).error());
  }
  if (auto v = t.member("tgid")) ti.tgid = v->as_int().value_or(0);
  if (auto v = t.member("comm")) {
    auto s = v->as_string();
    if (!s) return ctx(std::move(s).error());
    ti.comm = *s;
  }
  if (auto v = u64_of(t, l.state_member)) ti.state = *v;
  if (auto v = u64_of(t, "exit_state")) ti.exit_state = *v;
  ti.st = task_state_letters(ti.state, ti.exit_state);
  if (auto v = u64_of(t, l.cpu_member)) ti.cpu = static_cast<int>(*v);
  if (auto v = u64_of(t, "real_parent")) {
    ti.parent = *v;
    if (*v) {
      if (auto p = Object::at(prog, l.task_type, *v).member("pid")) ti.ppid = p->as_int().value_or(0);
    }
  }
  if (auto v = u64_of(t, "group_leader")) ti.group_leader = *v;
  if (auto v = u64_of(t, "mm")) ti.mm = *v;
  if (auto v = u64_of(t, "sched_info.last_arrival")) ti.last_arrival = *v;
  if (auto v = u64_of(t, "utime")) ti.utime = *v;
  if (auto v = u64_of(t, "stime")) ti.stime = *v;
  if (auto v = u64_of(t, "start_time")) ti.start_time = *v;
  return ti;
}

}  // namespace

std::string task_state_letters(uint64_t state, uint64_t exit_state) {
  // Linux's values since 4.14 (TASK_REPORT era); crash tests them in this order.
  constexpr uint64_t kInterruptible = 0x1, kUninterruptible = 0x2, kStopped = 0x4, kTraced = 0x8,
                     kExitDead = 0x10, kExitZombie = 0x20, kParked = 0x40, kDead = 0x80,
                     kWaking = 0x200, kNoload = 0x400, kNew = 0x800;
  uint64_t s = state | exit_state;
  if (s == 0) return "RU";
  if (s & kInterruptible) return "IN";
  if (s & kUninterruptible) return (s & kNoload) ? "ID" : "UN";
  if (s & kExitZombie) return "ZO";
  if (s & kStopped) return "ST";
  if (s & kTraced) return "TR";
  if (s & (kExitDead | kDead)) return "DE";
  if (s & kWaking) return "WA";
  if (s & kParked) return "PA";
  if (s & kNew) return "NE";
  return "??";
}

const TaskInfo* TaskList::by_pid(int64_t pid) const {
  for (const auto& t : tasks)
    if (t.pid == pid) return &t;
  return nullptr;
}

const TaskInfo* TaskList::by_task(uint64_t task) const {
  for (const auto& t : tasks)
    if (t.task == task) return &t;
  return nullptr;
}

Result<TaskList> read_tasks(Program& prog) {
  ASSIGN_OR_RETURN(Layout l, layout(prog));
  TaskList out;
  ASSIGN_OR_RETURN(out.cpus, nr_cpu_ids(prog));
  ASSIGN_OR_RETURN(uint64_t init_task, prog.symbol_address("init_task"));

  std::vector<uint64_t> addrs;
  std::set<uint64_t> seen;
  auto add = [&](uint64_t a) {
    if (seen.insert(a).second) addrs.push_back(a);
  };
  // Idle tasks, one per CPU (init_task is CPU 0's).
  std::vector<uint64_t> idle(out.cpus, 0);
  out.active.assign(out.cpus, 0);
  for (unsigned cpu = 0; cpu < out.cpus; ++cpu) {
    auto rq = per_cpu(prog, "runqueues", cpu);
    if (!rq) continue;
    if (auto v = u64_of(*rq, "idle")) idle[cpu] = *v;
    if (auto v = u64_of(*rq, "curr")) out.active[cpu] = *v;
  }
  if (idle.empty() || idle[0] == 0) {
    if (idle.empty()) idle.push_back(init_task);
    else idle[0] = init_task;
  }
  for (uint64_t a : idle)
    if (a) add(a);

  std::vector<uint64_t> leaders;
  TRY_VOID(walk_list(prog, init_task + l.tasks_off, l.tasks_off, [&](uint64_t a) -> Status {
    leaders.push_back(a);
    return {};
  }).context("walking init_task.tasks"));
  Object task0 = Object::at(prog, l.task_type, init_task);
  for (uint64_t leader : leaders) {
    add(leader);
    Object t = Object::at(prog, l.task_type, leader);
    if (l.thread_head) {
      auto sig = u64_of(t, "signal");
      if (!sig || *sig == 0) continue;
      ASSIGN_OR_RETURN(uint64_t head_off, prog.types().member_offset("signal_struct", "thread_head"));
      TRY_VOID(walk_list(prog, *sig + head_off, l.thread_off, [&](uint64_t a) -> Status {
        add(a);
        return {};
      }).context("walking the threads of task " + hex(leader)));
    } else {
      TRY_VOID(walk_list(prog, leader + l.thread_off, l.thread_off, [&](uint64_t a) -> Status {
        add(a);
        return {};
      }).context("walking the threads of task " + hex(leader)));
    }
    if (addrs.size() > kMaxTasks) return fail(Errc::format, "more than " + std::to_string(kMaxTasks) + " tasks");
  }
  (void)task0;

  for (uint64_t a : addrs) {
    ASSIGN_OR_RETURN(TaskInfo ti, read_one(prog, l, a));
    for (unsigned cpu = 0; cpu < out.cpus; ++cpu) {
      if (out.active[cpu] == a) ti.active = true;
      if (idle[cpu] == a) {
        ti.idle = true;
        ti.cpu = static_cast<int>(cpu);
        ti.ppid = 0;  // crash shows the idle tasks' parent as 0
      }
    }
    out.tasks.push_back(std::move(ti));
  }

  // Memory use: mm->total_vm and the rss counters (crash adds each thread's
  // unsynced task->rss_stat on SPLIT_RSS_COUNTING kernels).
  const Type* mm_type = prog.types().find_struct("mm_struct").value_or(nullptr);
  std::map<uint64_t, std::pair<uint64_t, int64_t>> mm_use;  // mm -> (total_vm, rss pages)
  for (const auto& t : out.tasks) {
    if (!t.mm || !mm_type || mm_use.count(t.mm)) continue;
    Object mm = Object::at(prog, mm_type, t.mm);
    uint64_t total_vm = u64_of(mm, "total_vm").value_or(0);
    int64_t rss = 0;
    for (int i : {0, 1}) {  // MM_FILEPAGES, MM_ANONPAGES (crash 8.0.2 leaves out MM_SHMEMPAGES)
      if (auto c = mm_counter(prog, mm, i, out.cpus)) rss += *c;
    }
    mm_use[t.mm] = {total_vm, rss};
  }
  if (l.task_rss_stat) {
    for (const auto& t : out.tasks) {
      if (!t.mm || !mm_use.count(t.mm)) continue;
      Object o = Object::at(prog, l.task_type, t.task);
      for (int i : {0, 1}) {
        auto c = o.member("rss_stat.count[" + std::to_string(i) + "]");
        if (c) mm_use[t.mm].second += c->as_int().value_or(0);
      }
    }
  }
  for (auto& t : out.tasks) {
    if (!t.mm || !mm_use.count(t.mm)) continue;
    auto [vm, rss] = mm_use[t.mm];
    if (rss < 0) rss = 0;
    t.vsz_kb = vm * l.page_kb;
    t.rss_kb = static_cast<uint64_t>(rss) * l.page_kb;
    if (l.total_pages > 0) t.pct_mem = static_cast<double>(rss) * 100.0 / l.total_pages;
  }

  // crash's order: by pid, the idle tasks by CPU.
  std::stable_sort(out.tasks.begin(), out.tasks.end(), [](const TaskInfo& a, const TaskInfo& b) {
    if (a.pid != b.pid) return a.pid < b.pid;
    return a.idle && b.idle && a.cpu < b.cpu;
  });
  return out;
}

}  // namespace kinspect
