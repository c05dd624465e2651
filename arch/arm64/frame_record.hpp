// One arm64 unwind step by frame records ({x29, x30} pairs the AAPCS64
// prologue stores), over caller-supplied memory so unit tests can drive it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/error.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect::arm64 {

inline constexpr unsigned kFp = 29, kLr = 30, kSp = 31, kPc = 32;
// user_pt_regs: x0-x30, sp, pc, pstate (arch/arm64/include/uapi/asm/ptrace.h).
inline constexpr unsigned kUserRegsWords = 34;
inline constexpr unsigned kPstate = 33;

struct FrameRecordEnv {
  std::function<Result<uint64_t>(uint64_t addr)> read;
  std::function<uint64_t(uint64_t)> strip;  // removes PAC bits from a return address
  // The exception entry text: a return address here means the record at
  // x29 is the one kernel_entry built inside struct pt_regs.
  uint64_t entry_start = 0, entry_end = 0;
  uint64_t stackframe_offset = 0;  // offsetof(struct pt_regs, stackframe)
  uint64_t pt_regs_words = kUserRegsWords;
  // Start of the function holding a code address (nullopt when unknown), and
  // a 32-bit code read: with both, a frame with full registers whose function
  // has not stored its frame record yet (a leaf, or stopped before its
  // prologue's stp) returns to its lr, not to the record at x29.
  std::function<std::optional<uint64_t>(uint64_t pc)> function_start;
  std::function<Result<uint32_t>(uint64_t addr)> read_insn;
};

// True when an instruction of [start, pc) stores the frame record:
// stp x29, x30, [sp, #imm]! or stp x29, x30, [sp, #imm]. Only the first 64
// instructions are looked at: the AAPCS64 prologue stores it first.
bool frame_record_stored(uint64_t start, uint64_t pc, const FrameRecordEnv& env);

// A pt_regs's registers; PSTATE.M[3:2] == 0 (EL0) marks a user context.
ExceptionFrame exception_from_words(uint64_t address, std::vector<uint64_t> words);

Result<std::optional<Frame>> frame_record_step(Frame& f, const FrameRecordEnv& env);

}  // namespace kinspect::arm64
