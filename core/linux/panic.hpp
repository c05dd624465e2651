// The panic: which CPU and task crashed, and the message crash's `sys`
// prints as PANIC. Found from the most direct evidence the dump has, in
// this order: the kernel's own `panic_cpu` (set by panic() and, since
// 7bbee5ca3896 "kexec: Fix race between panic() and crash_kexec()", by
// crash_kexec() too), the kdump header's current_cpu, then a CPU whose
// saved registers stop inside the panic path. No formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/tasks.hpp"

namespace kinspect {

class Program;
struct PrintkRecord;

struct PanicInfo {
  int cpu = -1;          // -1: the dump shows no panic (a live or hang dump)
  uint64_t task = 0;     // the task running on that CPU (rq->curr)
  std::string source;    // how it was found: "panic_cpu", "kdump header current_cpu", ...
  std::string message;   // "Kernel panic - not syncing: ...", "Oops: ...", or empty
  bool found() const { return cpu >= 0 && task != 0; }
};

// The panic CPU and task; the message is filled by panic_message().
PanicInfo find_panic(Program& prog, const TaskList& tasks);

// crash's PANIC string from the kernel log: the last "Kernel panic - not
// syncing:" line, else the first oops/BUG line, else "" (no panic logged).
std::string panic_message(const std::vector<PrintkRecord>& log);

}  // namespace kinspect
