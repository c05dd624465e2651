// The arm64 frame-record step over a stack this test builds: PAC bits
// stripped from return addresses, an el1 exception's pt_regs found through
// the record kernel_entry stores inside it, and the zeroed final record.
#include <gtest/gtest.h>

#include <map>

#include "arch/arm64/frame_record.hpp"

namespace kinspect {
namespace {

using namespace arm64;

constexpr uint64_t kPac = 0xff7f000000000000ull;  // bits PAC-signing sets in a kernel lr
constexpr uint64_t kText = 0xffff800008010000ull;
constexpr uint64_t kEntryText = 0xffff800008011000ull;
constexpr uint64_t kStackframeOffset = 0x130;  // offsetof(struct pt_regs, stackframe) in 6.1

struct Stack {
  std::map<uint64_t, uint64_t> mem;
  FrameRecordEnv env;
  Stack() {
    env.read = [this](uint64_t a) -> Result<uint64_t> {
      auto it = mem.find(a);
      if (it == mem.end()) return fail(Errc::not_present, "no memory", a);
      return it->second;
    };
    // As the kernel's ptrauth_strip: bit 55 picks the kernel or user half.
    env.strip = [](uint64_t v) { return (v >> 55) & 1 ? v | 0xffff000000000000ull : v & 0x0000ffffffffffffull; };
    env.entry_start = kEntryText;
    env.entry_end = kEntryText + 0x800;
    env.stackframe_offset = kStackframeOffset;
    env.pt_regs_words = 42;
  }
};

TEST(UnwindArm64, FollowsRecordsAndStripsPac) {
  Stack s;
  s.mem[0x9000] = 0x9040;  // record of frame 0's function: caller's fp, lr
  s.mem[0x9008] = (kText + 0x124) & ~kPac;
  s.mem[0x9040] = 0;  // the zeroed final record
  s.mem[0x9048] = 0;
  Frame f0;
  f0.pc = kText + 0x10;
  f0.regs.set(kFp, 0x9000);
  auto s1 = frame_record_step(f0, s.env);
  ASSERT_TRUE(s1.ok()) << s1.error().message;
  Frame f1 = **s1;
  EXPECT_EQ(f1.pc, kText + 0x124);
  EXPECT_TRUE(f1.pc_is_return_address);
  EXPECT_EQ(*f1.regs.get(kFp), 0x9040u);
  EXPECT_EQ(f1.stack_slot, 0x9000u);
  EXPECT_FALSE(f1.regs.known(19));  // callee-saved registers are not recovered
  f1.level = 1;
  auto s2 = frame_record_step(f1, s.env);
  ASSERT_TRUE(s2.ok());
  EXPECT_FALSE(s2->has_value());
}

TEST(UnwindArm64, CrossesAnEl1ExceptionFrame) {
  Stack s;
  uint64_t regs = 0xa000;
  for (unsigned i = 0; i < 42; ++i) s.mem[regs + 8 * i] = 0x1000 + i;
  s.mem[regs + 8 * kSp] = 0xb000;
  s.mem[regs + 8 * kPc] = kText + 0x300;
  s.mem[regs + 8 * kPstate] = 0x60400005;  // EL1h
  Frame f;
  f.level = 3;
  f.pc = kEntryText + 0x40;  // the handler returned into the entry code
  f.regs.set(kFp, regs + kStackframeOffset);
  auto n = frame_record_step(f, s.env);
  ASSERT_TRUE(n.ok()) << n.error().message;
  ASSERT_TRUE(f.exception.has_value());
  EXPECT_EQ(f.exception->address, regs);
  EXPECT_FALSE(f.exception->user_mode);
  EXPECT_EQ((*n)->pc, kText + 0x300);
  EXPECT_FALSE((*n)->pc_is_return_address);
  EXPECT_EQ((*n)->sp, 0xb000u);
  EXPECT_EQ(*(*n)->regs.get(19), 0x1000u + 19);  // every register of the pt_regs
}

TEST(UnwindArm64, El0PstateIsUserMode) {
  std::vector<uint64_t> w(34, 0);
  w[kPstate] = 0x80001000;  // EL0t
  EXPECT_TRUE(exception_from_words(0, w).user_mode);
  w[kPstate] = 0x80000005;  // EL1h
  EXPECT_FALSE(exception_from_words(0, w).user_mode);
}

}  // namespace
}  // namespace kinspect
