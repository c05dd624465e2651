// adrp pairs on arm64: bytes and their text from aarch64-linux-gnu-objdump
// (binutils 2.40). sysrq_handle_crash and smp_call_function_many_cond are
// from the Debian 6.1 arm64 vmlinux (`objdump -d`); the expected addresses
// are objdump's adrp page plus the add's or the load's immediate.
#include <gtest/gtest.h>

#include "core/disasm/arm64_addresses.hpp"
#include "core/disasm/disassembler.hpp"

using namespace kinspect;

namespace {

std::vector<Instruction> decode_all(uint64_t base, const std::vector<uint32_t>& words) {
  auto d = Disassembler::create(DisasmArch::aarch64);
  EXPECT_TRUE(d.ok());
  std::vector<Instruction> v;
  for (size_t i = 0; i < words.size(); ++i) {
    uint8_t b[4];
    for (int k = 0; k < 4; ++k) b[k] = static_cast<uint8_t>(words[i] >> (8 * k));
    auto insn = (*d)->decode(base + 4 * i, b);
    EXPECT_TRUE(insn.ok());
    v.push_back(*insn);
  }
  return v;
}

}  // namespace

TEST(DisasmArm64Addresses, SysrqHandleCrashFormsItsPanicString) {
  // ffff8000087d5c44 <sysrq_handle_crash>: nop; nop; paciasp;
  // stp x29, x30, [sp, #-16]!; mov x29, sp; adrp x0, ffff800008ebe000;
  // add x0, x0, #0xde8; bl ffff800008b9d474 <panic>
  auto insns = decode_all(0xffff8000087d5c44, {0xd503201f, 0xd503201f, 0xd503233f, 0xa9bf7bfd, 0x910003fd,
                                               0xb0003740, 0x9137a000, 0x940f1e05});
  ASSERT_EQ(insns[5].text, "adrp\tx0, 0xffff800008ebe000");
  auto a = arm64_adrp_addresses(insns);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a.at(0xffff8000087d5c5c), 0xffff800008ebe000u + 0xde8);
}

TEST(DisasmArm64Addresses, ThroughUnrelatedInstructionsButNotWrites) {
  // smp_call_function_many_cond+0x10..+0x4c (objdump): adrp x5 page
  // ffff8000094c9000, then mov, stp, and add x5, x5, #0x8 three
  // instructions later; adrp x27 ffff80000981e000 with add x27, x27, #0x888;
  // ldr w25, [x5, x6] (register offset: no fixed address).
  auto insns = decode_all(0xffff80000817d6c0,
                          {0x90009a65, 0x910003fd, 0xa90153f3, 0x910020a5, 0xd538d086, 0xa9025bf5,
                           0x2a0303f3, 0xa90363f7, 0xaa0203f6, 0xaa0403f5, 0xa9046bf9, 0xa90573fb,
                           0xb000b51b, 0x9122237b, 0xb86668b9});
  EXPECT_EQ(insns[3].text, "add\tx5, x5, #0x8");
  EXPECT_EQ(insns[14].text, "ldr\tw25, [x5, x6]");
  auto a = arm64_adrp_addresses(insns);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.at(0xffff80000817d6cc), 0xffff8000094c9008u);
  EXPECT_EQ(a.at(0xffff80000817d6f4), 0xffff80000981e888u);
}

TEST(DisasmArm64Addresses, BranchTargetsAndLoadsForget) {
  // adrp x0, 0xffff800008ebe000; b.eq +8; add x0, x0, #0xde8 (fall-through:
  // known); add x0, x0, #0xde8 (a branch target: unknown); adrp x0 again;
  // ldr x0, [x0, #64] (known, then x0 is overwritten); ldr x0, [x0, #8].
  auto insns = decode_all(0xffff8000087d5c58, {0xb0003740, 0x54000040, 0x9137a000, 0x9137a000, 0xb0003740,
                                               0xf9402000, 0xf9400400});
  EXPECT_EQ(insns[1].text, "b.eq\t0xffff8000087d5c64  // b.none");
  EXPECT_EQ(insns[5].text, "ldr\tx0, [x0, #64]");
  auto a = arm64_adrp_addresses(insns);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.at(0xffff8000087d5c60), 0xffff800008ebede8u);
  EXPECT_EQ(a.at(0xffff8000087d5c6c), 0xffff800008ebe040u);
}
