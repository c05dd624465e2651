// Frame and Backtrace: the result of unwinding one task, independent of any
// text formatting. The unwinders (arch/<arch>/*_unwind.cpp, driven by
// core/unwind/unwind.cpp) produce it; `bt` formats it (commands/cmd_bt.cpp)
// and the frame-variable evaluator reads each frame's RegisterSet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/unwind/registers.hpp"

namespace kinspect {

// A pt_regs (x86_64) / struct pt_regs (arm64) the unwinder crossed: an
// interrupt, exception or syscall entry saved the interrupted context here.
struct ExceptionFrame {
  uint64_t address = 0;     // where the pt_regs lies in memory
  bool user_mode = false;   // the interrupted context ran in user mode
  RegisterSet regs;         // every register the pt_regs holds
  // The raw pt_regs words in the architecture's order (x86_64: r15 ... ss,
  // 21 words; arm64: x0-x30, sp, pc, pstate, orig_x0 ...), for the register block.
  std::vector<uint64_t> words;
};

struct Frame {
  unsigned level = 0;        // #N as bt prints it
  uint64_t pc = 0;           // the frame's program counter (PAC bits stripped)
  // Stack pointer at this frame. On arm64 past frame 0 and exceptions it is
  // a lower bound (the frame record's end), kept out of regs.
  uint64_t sp = 0;
  std::optional<uint64_t> cfa;  // canonical frame address, when the unwinder knows it
  // pc is a return address (the call is at pc - 1): true for every frame
  // reached through a call, false at frame 0 and right after an exception.
  bool pc_is_return_address = false;
  // Registers valid at this frame: all of them at frame 0 and right after an
  // exception; elsewhere only what the unwinder recovered.
  RegisterSet regs;
  // crash's bracketed column: the stack slot that held this frame's return
  // address (x86_64), or the callee's frame record (arm64); sp at frame 0
  // and right after an exception.
  uint64_t stack_slot = 0;
  // Name of the stack this frame runs on: "task", "IRQ", "NMI exception",
  // "DOUBLEFAULT exception", "DEBUG exception", "MCE exception" (x86_64),
  // "overflow" (arm64); "" when on no known stack. bt prints
  // "--- <NAME stack> ---" where the trace leaves a stack other than "task".
  std::string stack;
  // Set on the frame whose unwind step crossed a pt_regs: the next frame is
  // the interrupted context described by this exception frame.
  std::optional<ExceptionFrame> exception;
};

struct Backtrace {
  uint64_t task = 0;
  int64_t pid = 0;
  int cpu = -1;
  std::string comm;
  bool active = false;             // running on its CPU when the dump was taken
  // Where frame 0's registers came from: "NT_PRSTATUS note 1",
  // "QEMU note (cpu 2)", "crash_notes", "inactive_task_frame at 0x...", ...
  std::string regs_source;
  std::vector<Frame> frames;
  // The user-mode registers saved at the kernel entry (syscall, interrupt
  // from user mode), when the trace reached them.
  std::optional<ExceptionFrame> user_regs;
  // The dump's register note frame 0 came from (NT_PRSTATUS, QEMU's per-CPU
  // note, crash_notes), with every word it saved (RFLAGS, PSTATE).
  std::optional<ExceptionFrame> note_regs;
  // Why the unwind stopped early, empty when it reached the end of the
  // stack (user mode, a kernel thread's entry, or the idle task's start).
  std::string stop_reason;
};

}  // namespace kinspect
