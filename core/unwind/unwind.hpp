// Unwinding a task into a Backtrace (core/unwind/frame.hpp). The generic
// driver picks frame 0's registers (NT_PRSTATUS for kdump dumps, QEMU's
// per-CPU notes matched by CPU, the saved switch frame of a task that is not
// running) and steps through the architecture's unwinder (arch/<arch>/),
// which knows ORC / frame records, pt_regs and the kernel's stacks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect {

class Program;
struct TaskInfo;
struct TaskList;

// What one architecture contributes; Arch::make_unwinder() returns one.
class ArchUnwinder {
 public:
  virtual ~ArchUnwinder() = default;
  // DWARF numbers of the program counter and the stack pointer.
  virtual unsigned pc_regno() const = 0;
  virtual unsigned sp_regno() const = 0;
  // Registers of a task that is not running, from its saved switch frame
  // (x86_64 thread.sp -> inactive_task_frame, arm64 thread.cpu_context).
  virtual Result<RegisterSet> switch_frame_regs(uint64_t task) = 0;
  // The registers of an NT_PRSTATUS pr_reg blob (x86_64 user_regs_struct,
  // arm64 user_pt_regs), as the pt_regs they copy.
  virtual Result<ExceptionFrame> prstatus_regs(std::span<const uint8_t> pr_reg) const = 0;
  // The caller of `f`, or nullopt at the end of the stack (Backtrace's
  // user_regs set when the end is a user-mode entry). May set f.exception
  // when the step crosses a pt_regs.
  virtual Result<std::optional<Frame>> step(Frame& f, Backtrace& bt) = 0;
  // Name of the stack holding `sp` for a task on `cpu` ("task", "IRQ", ...),
  // empty when unknown.
  virtual std::string stack_name(uint64_t sp, const TaskInfo& task) = 0;
  // [start, end) of the stack holding sp, for bt -t/-T and -f.
  virtual std::optional<std::pair<uint64_t, uint64_t>> stack_bounds(uint64_t sp,
                                                                     const TaskInfo& task) = 0;
  // When a dump's note holds the context an NMI interrupted (kdump's
  // crash_nmi_callback saves the NMI's pt_regs), where the CPU really
  // stopped: a frame on the NMI stack from which the unwind reaches a
  // pt_regs equal to `saved`. Only pc and sp are known there.
  virtual std::optional<RegisterSet> stopped_in_nmi(const TaskInfo& task, const ExceptionFrame& saved) {
    return std::nullopt;
  }
  // A pt_regs as crash prints it (one string with newlines): x86_64's
  // "[exception RIP: function+offset]" line for a kernel-mode context and
  // its register block; arm64's block, PC and LR named in kernel mode.
  virtual std::string register_block(const ExceptionFrame& e) const = 0;
  // Whether a saved context could take interrupts (x86_64 RFLAGS.IF, arm64
  // PSTATE.I clear); nullopt when the frame is too short to say.
  virtual std::optional<bool> interrupts_enabled(const ExceptionFrame&) const { return std::nullopt; }
};

struct UnwindOptions {
  unsigned max_frames = 128;
};

// The pr_reg bytes of one CPU's crash_notes buffer (an Elf64_Nhdr, "CORE"
// padded to 8, struct elf_prstatus) when it is an NT_PRSTATUS of that pid.
std::optional<std::vector<uint8_t>> crash_note_pr_reg(std::span<const uint8_t> note, int64_t pid,
                                                      size_t reg_size);

// Unwinds one task. A failure partway is not an error: the frames found so
// far come back with stop_reason saying why it stopped. Errors are only for
// a task whose first registers cannot be found.
Result<Backtrace> unwind_task(Program& prog, const TaskList& tasks, const TaskInfo& task,
                              const UnwindOptions& opts = {});

// The same with an unwinder made once for many tasks (bt -a, foreach bt).
Result<Backtrace> unwind_task(Program& prog, ArchUnwinder& u, const TaskInfo& task,
                              const UnwindOptions& opts = {});

// The same from known registers (tests). pc_is_return_address: the
// registers are a switch frame whose pc is where the task will return to.
Backtrace unwind_from(ArchUnwinder& u, const TaskInfo& task, const RegisterSet& regs,
                      bool pc_is_return_address, const UnwindOptions& opts = {});

}  // namespace kinspect
