// The x86_64 ORC step and the generic unwind driver over a stack and ORC
// table this test builds: call frames, a saved rbp, a full pt_regs from an
// interrupt, the user-mode pt_regs of a syscall entry, the end marker.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "arch/x86_64/orc.hpp"
#include "core/linux/tasks.hpp"
#include "core/unwind/unwind.hpp"

namespace kinspect {
namespace {

using namespace x86_64;

// struct orc_entry before v6.4: s16 sp_offset, s16 bp_offset, sp_reg:4,
// bp_reg:4, type:2, end:1.
void put_entry(std::vector<uint8_t>& out, int16_t sp_off, int16_t bp_off, unsigned sp_reg,
               unsigned bp_reg, unsigned type, bool end) {
  uint16_t bits = static_cast<uint16_t>(sp_reg | bp_reg << 4 | type << 8 | (end ? 1u << 10 : 0));
  for (uint16_t v : {static_cast<uint16_t>(sp_off), static_cast<uint16_t>(bp_off), bits}) {
    out.push_back(v & 0xff);
    out.push_back(v >> 8);
  }
}

constexpr unsigned kCall = 0, kRegs = 1;
constexpr uint64_t kFuncA = 0x1000, kFuncB = 0x2000, kEntry = 0x3000, kEnd = 0x4000;

struct Fixture {
  OrcTable table;
  std::map<uint64_t, uint64_t> mem;
  ReadWord read = [this](uint64_t a) -> Result<uint64_t> {
    auto it = mem.find(a);
    if (it == mem.end()) return fail(Errc::not_present, "no memory", a);
    return it->second;
  };
  Fixture() {
    std::vector<uint8_t> e;
    put_entry(e, 16, 0, kOrcRegSp, kOrcRegUndefined, kCall, false);   // A: one push
    put_entry(e, 16, -16, kOrcRegSp, kOrcRegPrevSp, kCall, false);    // B: push rbp
    put_entry(e, 0, 0, kOrcRegSp, kOrcRegUndefined, kRegs, false);    // entry: pt_regs at sp
    put_entry(e, 0, 0, kOrcRegUndefined, kOrcRegUndefined, 0, true);  // end of stack
    table.add({kFuncA, kFuncB, kEntry, kEnd}, e, OrcEncoding::end_bit, 0x5000);
  }
  // A pt_regs at addr interrupting ip with the given cs and sp.
  void pt_regs(uint64_t addr, uint64_t ip, uint64_t cs, uint64_t sp, uint64_t bp) {
    for (unsigned i = 0; i < kPtRegsWords; ++i) mem[addr + 8 * i] = 0x100 + i;
    mem[addr + 8 * 4] = bp;
    mem[addr + 8 * kPtRegsIp] = ip;
    mem[addr + 8 * kPtRegsCs] = cs;
    mem[addr + 8 * kPtRegsSp] = sp;
  }
};

TEST(UnwindOrc, DecodesBothEncodings) {
  std::vector<uint8_t> e;
  put_entry(e, -8, 24, kOrcRegBp, kOrcRegPrevSp, kRegs, false);
  OrcEntry old = decode_orc_entry(std::span<const uint8_t, 6>(e.data(), 6), OrcEncoding::end_bit);
  EXPECT_EQ(old.sp_offset, -8);
  EXPECT_EQ(old.bp_offset, 24);
  EXPECT_EQ(old.sp_reg, kOrcRegBp);
  EXPECT_EQ(old.bp_reg, kOrcRegPrevSp);
  EXPECT_EQ(old.type, OrcType::regs);
  // v6.4's type:3 numbering: 3 is regs, 1 end of stack.
  std::vector<uint8_t> n;
  put_entry(n, 8, 0, kOrcRegSp, 0, 3, false);
  EXPECT_EQ(decode_orc_entry(std::span<const uint8_t, 6>(n.data(), 6), OrcEncoding::type3).type,
            OrcType::regs);
  std::vector<uint8_t> end;
  put_entry(end, 0, 0, 0, 0, 1, false);
  EXPECT_EQ(decode_orc_entry(std::span<const uint8_t, 6>(end.data(), 6), OrcEncoding::type3).type,
            OrcType::end_of_stack);
}

TEST(UnwindOrc, LookupTakesTheLastEntryAtOrBelow) {
  Fixture fx;
  EXPECT_EQ(fx.table.find(kFuncB + 0x10)->bp_reg, kOrcRegPrevSp);
  EXPECT_EQ(fx.table.find(kFuncA)->bp_reg, kOrcRegUndefined);
  EXPECT_FALSE(fx.table.find(kFuncA - 1).has_value());
  EXPECT_FALSE(fx.table.find(0x5000).has_value());
}

TEST(UnwindOrc, CallFramesSavedRbpAndAnInterrupt) {
  Fixture fx;
  // Frame 0 in A at sp 0x8000; A returns into B, B (rbp saved at cfa-16)
  // into the entry code, whose pt_regs at 0x8020 interrupted A at 0x1500.
  fx.mem[0x8008] = kFuncB + 5;
  fx.mem[0x8010] = 0xbeef;  // B's saved rbp
  fx.mem[0x8018] = kEntry + 2;
  fx.pt_regs(0x8020, kFuncA + 0x500, 0x10, 0x9000, 0x4444);
  fx.mem[0x9008] = kEnd + 1;

  Frame f0;
  f0.pc = kFuncA + 0x10;
  f0.sp = 0x8000;
  f0.regs.set(kRip, f0.pc);
  f0.regs.set(kRsp, 0x8000);
  f0.regs.set(kRbp, 0x1234);
  f0.regs.set(12, 0x5555);

  auto s1 = orc_step(fx.table, f0, fx.read);
  ASSERT_TRUE(s1.ok()) << s1.error().message;
  Frame f1 = **s1;
  EXPECT_EQ(*f0.cfa, 0x8010u);
  EXPECT_EQ(f1.pc, kFuncB + 5);
  EXPECT_TRUE(f1.pc_is_return_address);
  EXPECT_EQ(*f1.regs.get(kRsp), 0x8010u);
  EXPECT_EQ(*f1.regs.get(kRbp), 0x1234u);   // ORC: rbp untouched by A
  EXPECT_FALSE(f1.regs.known(12));          // r12 was not recovered: absent

  auto s2 = orc_step(fx.table, f1, fx.read);
  ASSERT_TRUE(s2.ok()) << s2.error().message;
  Frame f2 = **s2;
  EXPECT_EQ(f2.pc, kEntry + 2);
  EXPECT_EQ(*f2.regs.get(kRbp), 0xbeefu);  // restored from the stack

  auto s3 = orc_step(fx.table, f2, fx.read);
  ASSERT_TRUE(s3.ok()) << s3.error().message;
  ASSERT_TRUE(f2.exception.has_value());
  EXPECT_EQ(f2.exception->address, 0x8020u);
  EXPECT_FALSE(f2.exception->user_mode);
  Frame f3 = **s3;
  EXPECT_EQ(f3.pc, kFuncA + 0x500);
  EXPECT_FALSE(f3.pc_is_return_address);
  EXPECT_EQ(*f3.regs.get(kRsp), 0x9000u);
  EXPECT_EQ(*f3.regs.get(kRbp), 0x4444u);
  EXPECT_EQ(*f3.regs.get(kRax), 0x100u + 10);  // pt_regs word 10 is ax
  EXPECT_EQ(*f3.regs.get(12), 0x100u + 3);     // word 3 is r12

  auto s4 = orc_step(fx.table, f3, fx.read);
  ASSERT_TRUE(s4.ok());
  Frame f4 = **s4;
  EXPECT_EQ(f4.pc, kEnd + 1);
  auto s5 = orc_step(fx.table, f4, fx.read);
  ASSERT_TRUE(s5.ok());
  EXPECT_FALSE(s5->has_value());  // the end-of-stack entry
}

TEST(UnwindOrc, UnreadableStackIsAnError) {
  Fixture fx;
  Frame f;
  f.pc = kFuncA + 1;
  f.regs.set(kRsp, 0x7000);
  auto s = orc_step(fx.table, f, fx.read);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::not_present);
}

TEST(UnwindOrc, FramePointerFallbackOutsideTheTable) {
  Fixture fx;
  fx.mem[0x8100] = 0x8200;  // caller's rbp
  fx.mem[0x8108] = kFuncB + 7;
  Frame f;
  f.pc = 0x6000;  // no ORC entry covers it
  f.regs.set(kRbp, 0x8100);
  auto s = orc_step(fx.table, f, fx.read);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)->pc, kFuncB + 7);
  EXPECT_EQ(*(*s)->regs.get(kRbp), 0x8200u);
  EXPECT_EQ((*s)->sp, 0x8110u);
}

// The driver over the same table: stops at a user-mode pt_regs and keeps
// them as the user registers.
class FakeUnwinder final : public ArchUnwinder {
 public:
  explicit FakeUnwinder(Fixture& fx) : fx_(fx) {}
  unsigned pc_regno() const override { return kRip; }
  unsigned sp_regno() const override { return kRsp; }
  Result<RegisterSet> switch_frame_regs(uint64_t) override { return fail(Errc::unsupported, "none"); }
  Result<ExceptionFrame> prstatus_regs(std::span<const uint8_t>) const override {
    return fail(Errc::unsupported, "none");
  }
  Result<std::optional<Frame>> step(Frame& f, Backtrace&) override {
    return orc_step(fx_.table, f, fx_.read);
  }
  std::string stack_name(uint64_t sp, const TaskInfo&) override {
    return sp >= 0x8000 && sp < 0x8100 ? "IRQ" : "task";
  }
  std::optional<std::pair<uint64_t, uint64_t>> stack_bounds(uint64_t, const TaskInfo&) override {
    return std::nullopt;
  }
  std::string register_block(const ExceptionFrame&) const override { return ""; }

 private:
  Fixture& fx_;
};

TEST(UnwindDriver, StopsAtTheUserEntryWithItsRegisters) {
  Fixture fx;
  fx.mem[0x8008] = kEntry + 2;
  fx.pt_regs(0x8010, 0x401000, 0x33, 0x7ffd0000, 0);
  FakeUnwinder u(fx);
  TaskInfo t;
  t.pid = 42;
  RegisterSet r;
  r.set(kRip, kFuncA + 4);
  r.set(kRsp, 0x8000);
  Backtrace bt = unwind_from(u, t, r, false);
  ASSERT_EQ(bt.frames.size(), 2u);
  EXPECT_EQ(bt.frames[0].level, 0u);
  EXPECT_EQ(bt.frames[0].stack, "IRQ");
  EXPECT_EQ(bt.frames[1].level, 1u);
  EXPECT_EQ(bt.frames[1].stack_slot, 0x8008u);  // where its return address lay
  ASSERT_TRUE(bt.user_regs.has_value());
  EXPECT_TRUE(bt.user_regs->user_mode);
  EXPECT_EQ(*bt.user_regs->regs.get(kRip), 0x401000u);
  EXPECT_FALSE(bt.frames[1].exception.has_value());  // moved to user_regs
  EXPECT_TRUE(bt.stop_reason.empty());
}

TEST(UnwindDriver, ReportsWhyItStopped) {
  Fixture fx;
  fx.mem[0x8008] = kFuncA + 9;  // A "returns" into A with the same sp: a loop
  FakeUnwinder u(fx);
  TaskInfo t;
  RegisterSet r;
  r.set(kRip, kFuncB + 4);
  r.set(kRsp, 0x7ff8);
  fx.mem[0x8000] = 0;
  Backtrace bt = unwind_from(u, t, r, false);
  EXPECT_FALSE(bt.stop_reason.empty());
}

// crash_notes as crash_save_cpu() leaves it: Elf64_Nhdr{5, descsz, 1},
// "CORE\0" padded to 8, elf_prstatus with pr_pid at 32 and pr_reg at 112.
TEST(UnwindDriver, CrashNoteGivesPrRegOfThatPidOnly) {
  std::vector<uint8_t> note(20 + 112 + 216 + 8, 0);
  uint32_t hdr[3] = {5, 336, 1};
  std::memcpy(note.data(), hdr, 12);
  std::memcpy(&note[12], "CORE", 5);
  int32_t pid = 127;
  std::memcpy(&note[20 + 32], &pid, 4);
  for (size_t i = 0; i < 216; ++i) note[20 + 112 + i] = static_cast<uint8_t>(i);
  auto regs = crash_note_pr_reg(note, 127, 216);
  ASSERT_TRUE(regs.has_value());
  ASSERT_EQ(regs->size(), 216u);
  EXPECT_EQ((*regs)[0], 0);
  EXPECT_EQ((*regs)[215], 215);
  EXPECT_FALSE(crash_note_pr_reg(note, 128, 216).has_value());  // another task's note
  note[8] = 0;                                                   // not NT_PRSTATUS: never written
  EXPECT_FALSE(crash_note_pr_reg(note, 127, 216).has_value());
}

}  // namespace
}  // namespace kinspect
