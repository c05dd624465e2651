// The generic unwind driver: frame 0's registers, then the architecture's
// steps until the end of the stack, an error, or a loop.
#include "core/unwind/unwind.hpp"

#include <cstring>

#include "core/dump/elf_notes.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

std::optional<std::vector<uint8_t>> crash_note_pr_reg(std::span<const uint8_t> buf, int64_t pid,
                                                      size_t reg_size) {
  if (buf.size() < 20 + kPrstatusRegOffset + reg_size) return std::nullopt;
  uint32_t namesz, type;
  std::memcpy(&namesz, &buf[0], 4);
  std::memcpy(&type, &buf[8], 4);
  if (namesz != 5 || type != kNtPrstatus || std::memcmp(&buf[12], "CORE", 5) != 0) return std::nullopt;
  const uint8_t* desc = &buf[20];
  int32_t note_pid;
  std::memcpy(&note_pid, desc + kPrstatusPidOffset, 4);
  if (note_pid != pid) return std::nullopt;
  return std::vector<uint8_t>(desc + kPrstatusRegOffset, desc + kPrstatusRegOffset + reg_size);
}

namespace {

// A dump written by the kernel's kexec path has CRASHTIME in VMCOREINFO
// (crash_save_vmcoreinfo() appends it at panic); QEMU's dump-guest-memory
// copies the boot-time note, which has none. QEMU numbers its NT_PRSTATUS
// notes by CPU (pid = cpu + 1), so they are matched to CPUs, never to pids.
bool written_by_kexec(const Program& prog) {
  return prog.vmcoreinfo().get("CRASHTIME").has_value();
}

// The kernel's per-CPU crash_notes buffer: an Elf64_Nhdr, "CORE\0" padded to
// 8, then struct elf_prstatus; crash_save_cpu() fills it for each CPU it stops.
std::optional<std::vector<uint8_t>> crash_note_regs(Program& prog, int cpu, int64_t pid,
                                                    size_t reg_size) {
  // crash_notes is a global pointer to per-cpu memory (note_buf_t __percpu *).
  auto notes = variable(prog, "crash_notes");
  if (!notes.ok()) return std::nullopt;
  auto ptr = notes->as_u64();
  if (!ptr.ok() || !*ptr) return std::nullopt;
  auto addr = per_cpu_address(prog, *ptr, static_cast<unsigned>(cpu));
  if (!addr.ok()) return std::nullopt;
  std::vector<uint8_t> buf(20 + kPrstatusRegOffset + reg_size);
  if (!prog.read(*addr, buf).ok()) return std::nullopt;
  return crash_note_pr_reg(buf, pid, reg_size);
}

struct InitialRegs {
  RegisterSet regs;
  std::optional<ExceptionFrame> note;  // the register note, when one was used
  std::string source;
  bool exact = false;  // registers of the moment of the dump, not a stale switch frame
};

Result<InitialRegs> initial_regs(Program& prog, ArchUnwinder& u, const TaskInfo& task) {
  const auto& notes = prog.dump_info().prstatus;
  if (task.active) {
    const PrStatus* hit = nullptr;
    std::string source;
    if (!written_by_kexec(prog)) {
      for (const auto& n : notes)
        if (static_cast<int>(n.note_index) == task.cpu) hit = &n;
      source = "QEMU NT_PRSTATUS note of cpu " + std::to_string(task.cpu);
    } else {
      size_t reg_size = prstatus_reg_size(prog.dump_info().machine);
      if (auto regs = crash_note_regs(prog, task.cpu, task.pid, reg_size)) {
        ASSIGN_OR_RETURN(ExceptionFrame e, u.prstatus_regs(*regs));
        return InitialRegs{e.regs, e, "crash_notes of cpu " + std::to_string(task.cpu), true};
      }
      // The notes the capture kernel copied, matched by pid (the idle tasks
      // all have pid 0: then by the note's position, which follows the CPUs).
      for (const auto& n : notes)
        if (n.pid == task.pid && (task.pid != 0 || static_cast<int>(n.note_index) == task.cpu))
          hit = &n;
      source = "NT_PRSTATUS note of pid " + std::to_string(task.pid);
    }
    if (hit) {
      ASSIGN_OR_RETURN(ExceptionFrame e, u.prstatus_regs(hit->regs));
      return InitialRegs{e.regs, e, source, true};
    }
  }
  auto r = u.switch_frame_regs(task.task);
  if (!r.ok()) return std::move(r).error().context("task " + hex(task.task));
  return InitialRegs{*r, std::nullopt, task.active ? "saved switch frame (no register note for this CPU)"
                                     : "saved switch frame",
                     false};
}

}  // namespace

Backtrace unwind_from(ArchUnwinder& u, const TaskInfo& task, const RegisterSet& regs,
                      bool pc_is_return_address, const UnwindOptions& opts) {
  Backtrace bt;
  bt.task = task.task;
  bt.pid = task.pid;
  bt.cpu = task.cpu;
  bt.comm = task.comm;
  bt.active = task.active;
  Frame first;
  first.regs = regs;
  first.pc = regs.get(u.pc_regno()).value_or(0);
  first.sp = regs.get(u.sp_regno()).value_or(0);
  first.pc_is_return_address = pc_is_return_address;
  first.stack = u.stack_name(first.sp, task);
  first.stack_slot = first.sp;
  if (first.stack == "user") {
    // Interrupted in user mode (an NMI on a CPU running user code): the
    // registers are the user context itself.
    bt.stop_reason = "";
    return bt;
  }
  bt.frames.push_back(std::move(first));
  while (bt.frames.size() < opts.max_frames) {
    Frame& cur = bt.frames.back();
    auto next = u.step(cur, bt);
    if (!next.ok()) {
      bt.stop_reason = next.error().message;
      break;
    }
    if (!*next) break;  // the end of the stack
    Frame n = std::move(**next);
    if (cur.exception && cur.exception->user_mode) {
      // The kernel entry from user mode: its pt_regs hold the user registers.
      bt.user_regs = std::move(cur.exception);
      cur.exception.reset();
      break;
    }
    n.level = cur.level + 1;
    n.stack = u.stack_name(n.sp, task);
    if (!n.stack_slot) n.stack_slot = n.sp;  // unless the step named the slot
    if (n.pc == 0) {
      bt.stop_reason = "zero return address";
      break;
    }
    // A leaf's caller has the leaf's own sp (arm64: the leaf stored no frame
    // record), so equal is allowed one step from a frame with every register
    // (frame 0, or an interrupted context): at most once per exception.
    bool leaf_step = !cur.pc_is_return_address && n.sp == cur.sp;
    if (!cur.exception && n.stack == cur.stack && n.sp <= cur.sp && !leaf_step) {
      bt.stop_reason = "stack going in the wrong direction at " + hex(n.sp);
      break;
    }
    bt.frames.push_back(std::move(n));
  }
  if (bt.frames.size() >= opts.max_frames && bt.stop_reason.empty())
    bt.stop_reason = "more than " + std::to_string(opts.max_frames) + " frames";
  return bt;
}

Result<Backtrace> unwind_task(Program& prog, const TaskList& tasks, const TaskInfo& task,
                              const UnwindOptions& opts) {
  ASSIGN_OR_RETURN(auto u, prog.arch().make_unwinder(prog));
  return unwind_task(prog, *u, task, opts);
}

Result<Backtrace> unwind_task(Program& prog, ArchUnwinder& u, const TaskInfo& task,
                              const UnwindOptions& opts) {
  ASSIGN_OR_RETURN(InitialRegs init, initial_regs(prog, u, task));
  if (init.note && written_by_kexec(prog)) {
    if (auto nmi = u.stopped_in_nmi(task, *init.note)) {
      Backtrace bt = unwind_from(u, task, *nmi, true, opts);
      bool reached = !bt.frames.empty() && bt.stop_reason.empty();
      if (reached) {
        bt.regs_source = init.source + ", stopped in the NMI handler found on the NMI stack";
        bt.note_regs = init.note;
        return bt;
      }
    }
  }
  // A switch frame's pc is where the task resumes: a return address, unless
  // it is the first instruction of a function (a new task's ret_from_fork).
  bool ra = false;
  if (!init.exact) {
    uint64_t pc = init.regs.get(u.pc_regno()).value_or(0);
    auto m = prog.symbols().lookup(pc);
    ra = !(m && m->offset == 0);
  }
  Backtrace bt = unwind_from(u, task, init.regs, ra, opts);
  bt.regs_source = init.source;
  bt.note_regs = init.note;
  if (bt.frames.empty() && !bt.user_regs && init.note && init.note->user_mode) {
    // The note holds a user-mode context (kdump's NMI on a CPU running user
    // code): show it as the user registers.
    bt.user_regs = std::move(init.note);
  }
  return bt;
}

}  // namespace kinspect
