#include "core/linux/triage/frame_search.hpp"

#include <algorithm>

#include "core/program.hpp"
#include "core/unwind/symbolize.hpp"

namespace kinspect {

std::string_view symbol_base_name(std::string_view name) {
  size_t dot = name.find('.');
  return dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string FrameSearch::frame_function(size_t i) const {
  if (i >= bt_.frames.size()) return {};
  auto m = prog_.symbols().lookup(bt_.frames[i].pc);
  if (!m || !m->sym) return {};
  return std::string(symbol_base_name(m->sym->name));
}

const Result<std::vector<FrameScope>>& FrameSearch::scopes(size_t i) {
  auto it = scopes_.find(i);
  if (it == scopes_.end()) it = scopes_.emplace(i, frame_scopes(prog_, bt_.frames, i)).first;
  return it->second;
}

namespace {
bool in(std::span<const std::string_view> names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

Result<Object> value_of(const FrameVariable& v) {
  if (v.value) return *v.value;
  std::string what = v.missing == Missing::optimized_out ? "optimized out" : "unavailable";
  return fail(Errc::not_present, v.name + " is " + what + (v.why.empty() ? "" : " (" + v.why + ")"));
}
}  // namespace

std::optional<FunctionHit> FrameSearch::find(std::span<const std::string_view> functions,
                                             std::span<const std::string_view> hosts, size_t max_frames) {
  size_t n = std::min(max_frames, bt_.frames.size());
  for (size_t i = 0; i < n; ++i) {
    std::string fn = frame_function(i);
    if (fn.empty() || (!in(functions, fn) && !in(hosts, fn))) continue;
    const auto& sc = scopes(i);
    if (sc.ok()) {
      for (size_t s = 0; s < sc->size(); ++s)
        if (in(functions, (*sc)[s].function)) return FunctionHit{i, s, (*sc)[s].function};
    } else if (in(functions, fn)) {
      // No DWARF for the frame: the function is known, its variables are not.
      return FunctionHit{i, 0, fn};
    }
  }
  return std::nullopt;
}

Result<Object> FrameSearch::variable(const FunctionHit& hit, std::string_view name) {
  const auto& sc = scopes(hit.frame);
  if (!sc.ok()) return fail(sc.error().code, "frame #" + std::to_string(hit.frame) + ": " + sc.error().message);
  const std::vector<FrameScope>& all = *sc;
  // The hit's own scope first; then any scope of the frame that has a
  // value for it (an inlined callee's copy is often optimized out where
  // the caller's survives).
  const FrameVariable* first = nullptr;
  if (hit.scope < all.size())
    for (const FrameVariable& v : all[hit.scope].variables)
      if (v.name == name) {
        if (v.value) return *v.value;
        if (!first) first = &v;
      }
  for (const FrameScope& s : all)
    for (const FrameVariable& v : s.variables)
      if (v.name == name) {
        if (v.value) return *v.value;
        if (!first) first = &v;
      }
  if (first) return value_of(*first);
  return fail(Errc::not_found, "frame #" + std::to_string(hit.frame) + " " + hit.function + " has no variable " +
                                   std::string(name));
}

Result<Object> FrameSearch::variable_of(const FunctionHit& hit, std::string_view function, std::string_view name) {
  const auto& sc = scopes(hit.frame);
  if (!sc.ok()) return fail(sc.error().code, "frame #" + std::to_string(hit.frame) + ": " + sc.error().message);
  for (const FrameScope& s : *sc)
    if (s.function == function)
      for (const FrameVariable& v : s.variables)
        if (v.name == name) return value_of(v);
  return fail(Errc::not_found, "frame #" + std::to_string(hit.frame) + " has no " + std::string(function) +
                                   " variable " + std::string(name));
}

namespace {
// Functions a sleeping task passes through on its way into the scheduler,
// from the lock or wait primitive down; the first frame past them is where
// it chose to sleep.
bool is_wait_plumbing(std::string_view fn) {
  static constexpr std::string_view kPrefixes[] = {
      "__schedule", "schedule", "io_schedule", "preempt_schedule", "__mutex_lock", "mutex_lock",
      "__down", "down", "rwsem_down", "__rwsem_down", "wait_for_completion", "__wait_for_common",
      "do_wait_for_common", "wait_for_common", "__wait_event", "wait_woken", "prepare_to_wait",
      "finish_wait", "__wait_on_bit", "out_of_line_wait_on_bit", "bit_wait", "futex_wait",
      "__refrigerator", "do_nanosleep", "hrtimer_nanosleep",
      "ep_poll", "do_sys_poll", "do_select", "poll_schedule_timeout", "rcu_gp_fqs_loop",
      "__cond_resched", "_cond_resched", "msleep", "usleep_range", "rt_mutex", "__rt_mutex",
      "percpu_rwsem_wait", "__percpu_down"};
  for (std::string_view p : kPrefixes)
    if (fn.substr(0, p.size()) == p) return true;
  return fn == "context_switch" || fn == "__switch_to" || fn == "__switch_to_asm" || fn == "cpu_switch_to";
}
}  // namespace

std::optional<size_t> sleep_site(const Program& prog, const Backtrace& bt) {
  for (size_t i = 0; i < bt.frames.size(); ++i) {
    auto m = prog.symbols().lookup(bt.frames[i].pc);
    if (!m || !m->sym) continue;
    if (!is_wait_plumbing(symbol_base_name(m->sym->name))) return i;
  }
  return std::nullopt;
}

bool entered_by_syscall(const Program& prog, const Backtrace& bt) {
  for (const Frame& f : bt.frames) {
    auto m = prog.symbols().lookup(f.pc);
    if (!m || !m->sym) continue;
    std::string_view fn = symbol_base_name(m->sym->name);
    for (std::string_view s : {"do_syscall_64", "do_fast_syscall_32", "do_int80_syscall_32", "el0_svc",
                               "el0_svc_common", "do_el0_svc", "invoke_syscall", "el0_svc_compat"})
      if (fn == s) return true;
  }
  return false;
}

std::vector<std::string> short_trace(const Program& prog, const Backtrace& bt, size_t max) {
  std::vector<std::string> out;
  for (size_t i = 0; i < bt.frames.size() && out.size() < max; ++i)
    out.push_back(symbolize(prog, bt.frames[i].pc, SymbolStyle{true, 10, bt.frames[i].pc_is_return_address}));
  return out;
}

}  // namespace kinspect
