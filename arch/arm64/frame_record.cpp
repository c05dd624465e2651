// arm64 frame-record step (see frame_record.hpp); the rules follow the
// kernel's arch/arm64/kernel/stacktrace.c.
#include "arch/arm64/frame_record.hpp"

namespace kinspect::arm64 {

ExceptionFrame exception_from_words(uint64_t address, std::vector<uint64_t> w) {
  ExceptionFrame e;
  e.address = address;
  for (unsigned i = 0; i <= kPc && i < w.size(); ++i) e.regs.set(i, w[i]);
  e.user_mode = w.size() > kPstate && ((w[kPstate] >> 2) & 3) == 0;
  e.words = std::move(w);
  return e;
}

bool frame_record_stored(uint64_t start, uint64_t pc, const FrameRecordEnv& env) {
  // STP (64-bit) pre-index 0xa98..., signed offset 0xa90...: Rt = x29,
  // Rt2 = x30, Rn = sp; imm7 (bits 15-21) is free.
  constexpr uint32_t kMask = 0xffc07fff, kPreIndex = 0xa9807bfd, kOffset = 0xa9007bfd;
  for (uint64_t a = start; a < pc && a < start + 64 * 4; a += 4) {
    auto insn = env.read_insn(a);
    if (!insn) return true;  // unreadable: keep to the frame record
    if ((*insn & kMask) == kPreIndex || (*insn & kMask) == kOffset) return true;
  }
  return false;
}

Result<std::optional<Frame>> frame_record_step(Frame& f, const FrameRecordEnv& env) {
  auto fp = f.regs.get(kFp);
  if (!fp) return fail(Errc::not_found, "frame pointer (x29) not known at this frame", f.pc);
  // A frame with every register (frame 0, or the context an exception
  // interrupted) whose function has not stored its frame record: x29 is
  // still the caller's record, and the caller is lr. drgn and gdb do the
  // same from CFI; without it, the prologue's stp tells.
  if (!f.pc_is_return_address && env.function_start && env.read_insn) {
    auto lr = f.regs.get(kLr);
    auto start = env.function_start(f.pc);
    if (lr && *lr && start && !frame_record_stored(*start, f.pc, env)) {
      Frame n;
      n.pc = env.strip(*lr);
      n.pc_is_return_address = true;
      n.sp = f.sp;
      n.regs.set(kPc, n.pc);
      n.regs.set(kFp, *fp);
      n.stack_slot = f.sp;
      return std::optional<Frame>{std::move(n)};
    }
  }
  if (*fp == 0) return std::optional<Frame>{};
  // No CFA here: a frame record sits anywhere in its frame, so x29 + 16 is
  // not the caller's sp; frames keep cfa unset rather than guess it.
  if (f.level > 0 && env.stackframe_offset && f.pc >= env.entry_start && f.pc < env.entry_end) {
    uint64_t regs_addr = *fp - env.stackframe_offset;
    std::vector<uint64_t> w(env.pt_regs_words);
    for (size_t i = 0; i < w.size(); ++i) {
      auto v = env.read(regs_addr + 8 * i);
      if (!v) return std::move(v).error().context("reading pt_regs at " + hex(regs_addr));
      w[i] = *v;
    }
    f.exception = exception_from_words(regs_addr, std::move(w));
    Frame n;
    n.regs = f.exception->regs;
    n.pc = env.strip(f.exception->words[kPc]);
    n.regs.set(kPc, n.pc);
    n.sp = f.exception->words[kSp];
    return std::optional<Frame>{std::move(n)};
  }
  ASSIGN_OR_RETURN(uint64_t next_fp, env.read(*fp));
  ASSIGN_OR_RETURN(uint64_t lr, env.read(*fp + 8));
  // The last record of a task's stack is zeroed, inside its pt_regs
  // (commit 7d7b720a4b80 "arm64: stacktrace: unwind to task_pt_regs").
  // Before it (5.10) the idle tasks end on a record {0, 0} pushed by a
  // function whose x30 was zeroed in head.S; with kernel pointer
  // authentication the saved 0 is signed (e.g. 0x005a000000000000), so the
  // test is on the stripped address, as the kernel's unwind_frame() strips
  // the PAC before its "!frame->fp && !frame->pc" end check.
  if (env.strip(lr) == 0 && next_fp == 0) return std::optional<Frame>{};
  Frame n;
  n.pc = env.strip(lr);
  n.pc_is_return_address = true;
  // The caller's sp is above the callee's record; its exact value is not
  // recovered (and stays out of regs), this is a lower bound for ordering.
  n.sp = *fp + 16;
  n.regs.set(kPc, n.pc);
  n.regs.set(kFp, next_fp);
  n.stack_slot = *fp;
  return std::optional<Frame>{std::move(n)};
}

}  // namespace kinspect::arm64
