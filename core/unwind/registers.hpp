// RegisterSet: the registers known at one stack frame, indexed by the
// architecture's DWARF register numbers (x86_64 psABI: 0 rax, 1 rdx, 2 rcx,
// 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 return address/rip;
// AAPCS64: 0-30 x0-x30, 31 sp, 32 pc). The unwinders fill it, the frame
// variable evaluator reads it. A register the unwinder could not recover at
// a frame is simply absent: a value computed from it is unavailable, never
// guessed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace kinspect {

class RegisterSet {
 public:
  static constexpr unsigned kMaxRegs = 33;  // arm64 x0-x30, sp, pc

  std::optional<uint64_t> get(unsigned dwarf_reg) const {
    if (dwarf_reg >= kMaxRegs || !(known_ >> dwarf_reg & 1)) return std::nullopt;
    return values_[dwarf_reg];
  }
  void set(unsigned dwarf_reg, uint64_t v) {
    if (dwarf_reg >= kMaxRegs) return;
    values_[dwarf_reg] = v;
    known_ |= uint64_t{1} << dwarf_reg;
  }
  void forget(unsigned dwarf_reg) {
    if (dwarf_reg < kMaxRegs) known_ &= ~(uint64_t{1} << dwarf_reg);
  }
  bool known(unsigned dwarf_reg) const { return get(dwarf_reg).has_value(); }
  void clear() { known_ = 0; }

 private:
  std::array<uint64_t, kMaxRegs> values_{};
  uint64_t known_ = 0;
};

}  // namespace kinspect
