#include "core/linux/panic.hpp"

#include <string_view>

#include "core/linux/printk.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

// PANIC_CPU_INVALID in kernel/panic.c.
constexpr int64_t kPanicCpuInvalid = -1;

PanicInfo on_cpu(const TaskList& tasks, int cpu, std::string source) {
  PanicInfo p;
  if (cpu < 0 || static_cast<size_t>(cpu) >= tasks.active.size() || tasks.active[cpu] == 0) return p;
  p.cpu = cpu;
  p.task = tasks.active[cpu];
  p.source = std::move(source);
  return p;
}

// The names of functions a panicking CPU stops in, innermost first. A QEMU
// dump of a kernel that panicked with panic=0 shows the panic CPU looping
// in panic() itself; a kexec'd kdump shows it in the crash-kexec path.
bool in_panic_path(std::string_view fn) {
  for (std::string_view p : {"panic", "crash_kexec", "__crash_kexec", "machine_kexec",
                             "crash_save_cpu", "native_machine_crash_shutdown",
                             "machine_crash_shutdown", "nmi_panic", "vpanic"})
    if (fn == p) return true;
  return false;
}

}  // namespace

PanicInfo find_panic(Program& prog, const TaskList& tasks) {
  if (auto v = variable(prog, "panic_cpu")) {
    // atomic_t on every kernel that has it; .counter holds the CPU.
    auto counter = v->member("counter");
    auto cpu = counter ? counter->as_int() : v->as_int();
    if (cpu && *cpu != kPanicCpuInvalid) {
      PanicInfo p = on_cpu(tasks, static_cast<int>(*cpu), "panic_cpu");
      if (p.found()) return p;
    }
  }
  const DumpInfo& info = prog.dump_info();
  if (info.current_cpu && *info.current_cpu >= 0) {
    PanicInfo p = on_cpu(tasks, *info.current_cpu, "kdump header current_cpu");
    if (p.found()) return p;
  }
  // Last resort: a CPU whose saved program counter is inside the panic path.
  for (const PrStatus& note : info.prstatus) {
    auto pc = prog.arch().prstatus_pc(note.regs);
    if (!pc) continue;
    auto m = prog.symbols().lookup(*pc);
    if (m && m->sym && in_panic_path(m->sym->name)) {
      PanicInfo p = on_cpu(tasks, static_cast<int>(note.note_index),
                           "registers of CPU " + std::to_string(note.note_index) + " in " + std::string(m->sym->name));
      if (p.found()) return p;
    }
  }
  return {};
}

std::string panic_message(const std::vector<PrintkRecord>& log) {
  constexpr std::string_view kPanic = "Kernel panic - not syncing";
  for (auto it = log.rbegin(); it != log.rend(); ++it)
    if (it->text.compare(0, kPanic.size(), kPanic) == 0) return it->text;
  for (const PrintkRecord& r : log) {
    std::string_view t = r.text;
    for (std::string_view head : {"Oops: ", "BUG: ", "kernel BUG at ", "Unable to handle kernel ",
                                  "Internal error: "})
      if (t.substr(0, head.size()) == head) return std::string(t);
  }
  return "";
}

}  // namespace kinspect
