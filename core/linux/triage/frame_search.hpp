// Finding a kernel function in a task's backtrace, out of line or inlined
// into a caller, and reading one of its variables there through the
// frame-variable evaluator (core/unwind/frame_variables). Each frame's
// scopes are evaluated once, on first use.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/unwind/frame.hpp"
#include "core/unwind/frame_variables.hpp"

namespace kinspect {

class Program;

// "__mutex_lock.constprop.0" -> "__mutex_lock": the function a compiler
// clone (.constprop, .isra, .part, .cold) was made from.
std::string_view symbol_base_name(std::string_view name);

// Where a function was found: frame `frame`, scope `scope` of its scopes.
struct FunctionHit {
  size_t frame = 0;
  size_t scope = 0;
  std::string function;
};

class FrameSearch {
 public:
  FrameSearch(Program& prog, const Backtrace& bt) : prog_(prog), bt_(bt) {}

  const Backtrace& backtrace() const { return bt_; }
  // The base name of the symbol at frame i's pc ("" when none).
  std::string frame_function(size_t i) const;
  // The scopes of frame i (innermost inlined function first).
  const Result<std::vector<FrameScope>>& scopes(size_t i);

  // The first frame, from frame 0 and within max_frames, where one of
  // `functions` runs. Only frames whose own function is one of `functions`
  // or `hosts` (the functions they are known to be inlined into) have
  // their DWARF scopes read, so a search costs little on a long trace.
  std::optional<FunctionHit> find(std::span<const std::string_view> functions,
                                  std::span<const std::string_view> hosts, size_t max_frames = 32);

  // Variable `name` of the hit's scope, or of any scope of that frame when
  // the scope has none of that name. A missing value is an error saying why.
  Result<Object> variable(const FunctionHit& hit, std::string_view name);
  // The same in another scope of the hit's frame, named by its function.
  Result<Object> variable_of(const FunctionHit& hit, std::string_view function, std::string_view name);

 private:
  Program& prog_;
  const Backtrace& bt_;
  std::map<size_t, Result<std::vector<FrameScope>>> scopes_;
};

// The first frame whose function (base name) is not scheduler or wait
// plumbing (schedule, schedule_timeout, io_schedule, __mutex_lock, ...):
// where the task went to sleep, e.g. "handle_userfault", "pipe_read".
std::optional<size_t> sleep_site(const Program& prog, const Backtrace& bt);

// Whether the trace's user-mode entry was a system call (do_syscall_64,
// el0_svc, invoke_syscall... on the stack), not an interrupt or exception
// that found the CPU running user code.
bool entered_by_syscall(const Program& prog, const Backtrace& bt);

// The trace as "function+0xoff" strings, frame 0 first, at most `max` of them.
std::vector<std::string> short_trace(const Program& prog, const Backtrace& bt, size_t max);

}  // namespace kinspect
