#include "core/linux/triage/rpc_wait.hpp"

#include <array>

#include "core/linux/triage/frame_search.hpp"
#include "core/program.hpp"
#include "core/types/flags.hpp"
#include "core/types/object.hpp"
#include "core/types/value_printer.hpp"

namespace kinspect {

namespace {

// The function that runs an rpc_task synchronously and its out-of-line
// helpers; `task` is __rpc_execute's parameter (net/sunrpc/sched.c).
constexpr std::array<std::string_view, 1> kExecute = {"__rpc_execute"};
constexpr std::array<std::string_view, 3> kExecuteHosts = {"__rpc_execute", "rpc_execute", "rpc_run_task"};

// rpc_xprt.state bits: #defines in include/linux/sunrpc/xprt.h, so not in
// DWARF (unchanged from 5.10 to 6.12; XPRT_OFFLINE/XPRT_REMOVE came with
// transport offlining in 5.15, absent bits simply never show).
const std::vector<FlagName>& xprt_state_names() {
  static const std::vector<FlagName> names = {
      {"XPRT_LOCKED", 1 << 0},      {"XPRT_CONNECTED", 1 << 1},  {"XPRT_CONNECTING", 1 << 2},
      {"XPRT_CLOSE_WAIT", 1 << 3},  {"XPRT_BOUND", 1 << 4},      {"XPRT_BINDING", 1 << 5},
      {"XPRT_CLOSING", 1 << 6},     {"XPRT_OFFLINE", 1 << 7},    {"XPRT_REMOVE", 1 << 8},
      {"XPRT_CONGESTED", 1 << 9},   {"XPRT_CWND_WAIT", 1 << 10}, {"XPRT_WRITE_SPACE", 1 << 11},
      {"XPRT_SND_IS_COOKIE", 1 << 12}};
  return names;
}

// tk_runstate bit numbers: an anonymous enum (RPC_TASK_RUNNING = 0,
// RPC_TASK_QUEUED, ...) in sunrpc's DWARF on current kernels; as masks.
std::vector<FlagName> runstate_names(Program& prog) {
  std::vector<FlagName> out;
  for (const auto& e : prog.types().enumerators_with_prefix("RPC_TASK_"))
    if (e.value >= 0 && e.value < 32) out.push_back({e.name, int64_t{1} << e.value});
  return out;
}

// The index of RPC_DISPLAY_ADDR etc. in rpc_xprt.address_strings (an enum
// in DWARF; the kernel's order as the fallback).
int64_t display_index(Program& prog, std::string_view name, int64_t fallback) {
  auto e = prog.types().enumerator(name);
  return e ? e->value : fallback;
}

// A member path through pointers, "tk_client->cl_program->name": each
// "->" follows the pointer the part before it names.
Result<Object> follow(const Object& o, std::string_view path) {
  size_t arrow = path.find("->");
  ASSIGN_OR_RETURN(Object m, o.member(path.substr(0, arrow)));
  if (arrow == std::string_view::npos) return m;
  return follow(m, path.substr(arrow + 2));
}

struct Reader {
  RpcWait& w;
  // A member's integer value, or a problem line naming it.
  std::optional<uint64_t> u64(const Object& o, std::string_view path) {
    auto m = follow(o, path);
    auto v = m ? m->as_u64() : Result<uint64_t>(fail(std::move(m).error()));
    if (v) return *v;
    w.problems.push_back(std::string(path) + ": " + v.error().message);
    return std::nullopt;
  }
  std::string str(const Object& o, std::string_view path) {
    auto m = follow(o, path);
    auto s = m ? m->as_string(256) : Result<std::string>(fail(std::move(m).error()));
    if (s) return *s;
    w.problems.push_back(std::string(path) + ": " + s.error().message);
    return {};
  }
};

std::optional<uint64_t> since(std::optional<uint64_t> now, std::optional<uint64_t> then) {
  if (!now || !then || !*then || *then > *now) return std::nullopt;
  return *now - *then;
}

void read_transport(Program& prog, const Object& xprt, RpcWait& w, Reader& rd) {
  if (auto s = rd.u64(xprt, "state")) {
    w.xprt_state = *s;
    w.xprt_state_text = format_flags(*s, xprt_state_names());
  }
  auto strings = xprt.member("address_strings");
  if (!strings) {
    w.problems.push_back("rpc_xprt.address_strings: " + strings.error().message);
    return;
  }
  auto at = [&](std::string_view name, int64_t fallback) -> std::string {
    auto p = strings->index(display_index(prog, name, fallback));
    auto s = p ? p->as_string(64) : Result<std::string>(fail(std::move(p).error()));
    return s ? *s : std::string();
  };
  std::string addr = at("RPC_DISPLAY_ADDR", 0), port = at("RPC_DISPLAY_PORT", 1);
  w.protocol = at("RPC_DISPLAY_PROTO", 2);
  w.address = addr.empty() ? "" : addr + (port.empty() ? "" : " port " + port);
}

}  // namespace

std::optional<uint64_t> monotonic_now_ns(Program& prog) {
  auto tk = variable(prog, "tk_core");
  if (!tk) return std::nullopt;
  auto base = tk->member("timekeeper.tkr_mono.base");
  auto nsec = tk->member("timekeeper.tkr_mono.xtime_nsec");
  auto shift = tk->member("timekeeper.tkr_mono.shift");
  if (!base || !nsec || !shift) return std::nullopt;
  auto b = base->as_u64();
  auto n = nsec->as_u64();
  auto s = shift->as_u64();
  if (!b || !n || !s || *s >= 64) return std::nullopt;
  return *b + (*n >> *s);
}

std::optional<RpcWait> find_rpc_wait(Program& prog, FrameSearch& fs) {
  auto hit = fs.find(kExecute, kExecuteHosts, 32);
  if (!hit) return std::nullopt;
  RpcWait w;
  w.frame = hit->frame;
  w.function = hit->function;
  Reader rd{w};
  auto task = fs.variable(*hit, "task");
  auto addr = task ? task->as_u64() : Result<uint64_t>(fail(std::move(task).error()));
  if (!addr || !*addr) {
    w.problems.push_back("task: " + (addr ? std::string("null") : addr.error().message));
    return w;
  }
  w.task = *addr;
  const Object& t = *task;
  auto now = monotonic_now_ns(prog);

  if (auto p = rd.u64(t, "tk_msg.rpc_proc"); p && *p) {
    w.proc = *p;
    // The procedure table lives in the NFS module (nfs3_procedures in
    // nfsv3), whose DWARF names its elements: load it as a frame would.
    if (auto m = prog.symbols().lookup(*p); m && m->sym && !m->sym->module.empty())
      prog.load_module_on_demand(m->sym->module);
    if (auto sym = ValuePrinter(prog).symbol_for(*p)) w.proc_symbol = *sym;
    w.proc_name = rd.str(t, "tk_msg.rpc_proc->p_name");
  }
  if (auto rs = rd.u64(t, "tk_runstate")) {
    w.runstate = *rs;
    w.runstate_text = format_flags(*rs, runstate_names(prog));
  }
  if (auto q = rd.u64(t, "tk_waitqueue"); q && *q) w.queue = rd.str(t, "tk_waitqueue->name");
  w.age_ns = since(now, rd.u64(t, "tk_start"));
  if (auto rq = rd.u64(t, "tk_rqstp"); rq && *rq) w.since_sent_ns = since(now, rd.u64(t, "tk_rqstp->rq_xtime"));

  if (auto c = rd.u64(t, "tk_client"); c && *c) {
    w.client = *c;
    if (auto v = rd.u64(t, "tk_client->cl_prog")) w.program_number = static_cast<uint32_t>(*v);
    if (auto v = rd.u64(t, "tk_client->cl_vers")) w.version = static_cast<uint32_t>(*v);
    if (auto pr = rd.u64(t, "tk_client->cl_program"); pr && *pr) w.program = rd.str(t, "tk_client->cl_program->name");
  }
  // tk_xprt since 3.18 (the task may use another transport of the
  // client's switch); the client's own transport before.
  auto x = t.member("tk_xprt");
  if (!x && w.client) x = follow(t, "tk_client->cl_xprt");
  if (auto xa = x ? x->as_u64() : Result<uint64_t>(fail(std::move(x).error())); !xa) {
    w.problems.push_back("transport: " + xa.error().message);
  } else if (*xa) {
    w.xprt = *xa;
    if (auto xo = x->deref()) {
      read_transport(prog, *xo, w, rd);
      w.server = rd.str(*xo, "servername");
    } else {
      w.problems.push_back("rpc_xprt at " + hex(*xa) + ": " + xo.error().message);
    }
  }
  return w;
}

}  // namespace kinspect
