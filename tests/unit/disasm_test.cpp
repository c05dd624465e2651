// The libopcodes wrapper on byte arrays. Every expected string is what
// binutils 2.40's objdump prints for the same bytes at the same address
// (`objdump -D -b binary -m i386:x86-64 --adjust-vma=...`, and
// `aarch64-linux-gnu-objdump -D -b binary -m aarch64`), or, for the two
// kernel functions, `objdump -d` of the Debian 6.1 vmlinux they come from.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/disasm/disassembler.hpp"

using namespace kinspect;

namespace {

std::unique_ptr<Disassembler> make(DisasmArch a) {
  auto d = Disassembler::create(a);
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().to_string());
  return d.ok() ? std::move(d).value() : nullptr;
}

struct Expect {
  uint64_t addr;
  unsigned length;
  const char* text;
};

void check_sequence(Disassembler& d, uint64_t base, const std::vector<uint8_t>& bytes,
                    const std::vector<Expect>& want, const AddressPrinter& printer = {}) {
  uint64_t off = 0;
  for (const Expect& e : want) {
    SCOPED_TRACE(e.text);
    ASSERT_EQ(base + off, e.addr);
    auto insn = d.decode(base + off, std::span(bytes).subspan(off), printer);
    ASSERT_TRUE(insn.ok()) << insn.error().to_string();
    EXPECT_EQ(insn->addr, e.addr);
    EXPECT_EQ(insn->length, e.length);
    EXPECT_EQ(insn->text, e.text);
    off += insn->length;
  }
  EXPECT_EQ(off, bytes.size());
}

}  // namespace

TEST(Disasm, X86_64AttSyntaxAsObjdump) {
  auto d = make(DisasmArch::x86_64);
  ASSERT_TRUE(d);
  std::vector<uint8_t> b = {0xe8, 0x2b, 0xa2, 0x75, 0xff,                    // call
                            0x48, 0x8b, 0x3d, 0xa8, 0x32, 0x33, 0x01,        // mov rip-rel
                            0xf3, 0x48, 0xab,                                // rep stos
                            0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00,  // nopl
                            0xcc, 0xc3, 0x0f, 0x0b, 0x06,                    // int3 ret ud2 (bad)
                            0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00};
  check_sequence(*d, 0xffffffff81911500, b,
                 {{0xffffffff81911500, 5, "call   0xffffffff8106b730"},
                  {0xffffffff81911505, 7, "mov    0x13332a8(%rip),%rdi        # 0xffffffff82c447b4"},
                  {0xffffffff8191150c, 3, "rep stos %rax,%es:(%rdi)"},
                  {0xffffffff8191150f, 8, "nopl   0x0(%rax,%rax,1)"},
                  {0xffffffff81911517, 1, "int3"},
                  {0xffffffff81911518, 1, "ret"},
                  {0xffffffff81911519, 2, "ud2"},
                  {0xffffffff8191151b, 1, "(bad)"},
                  {0xffffffff8191151c, 9, "mov    %gs:0x28,%rax"}});
}

TEST(Disasm, X86_64AddressesGoThroughThePrinter) {
  auto d = make(DisasmArch::x86_64);
  ASSERT_TRUE(d);
  // objdump -d vmlinux-6.1.0-56-cloud-amd64: schedule+0x9a and +0xa4.
  std::vector<uint8_t> call = {0xe8, 0xe1, 0x3a, 0xb8, 0xff};
  std::vector<uint8_t> cmpb = {0x80, 0x3d, 0x2e, 0x5c, 0x1f, 0x01, 0x00};
  AddressPrinter p = [](uint64_t a) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%llx <sym@%llx>", (unsigned long long)a, (unsigned long long)a);
    return std::string(buf);
  };
  auto i1 = d->decode(0xffffffff81a1158a, call, p);
  ASSERT_TRUE(i1.ok());
  EXPECT_EQ(i1->text, "call   0xffffffff81595070 <sym@ffffffff81595070>");
  ASSERT_EQ(i1->addresses.size(), 1u);
  EXPECT_EQ(i1->addresses[0], 0xffffffff81595070u);
  auto i2 = d->decode(0xffffffff81a11594, cmpb, p);
  ASSERT_TRUE(i2.ok());
  EXPECT_EQ(i2->text, "cmpb   $0x0,0x11f5c2e(%rip)        # 0xffffffff82c071c9 <sym@ffffffff82c071c9>");
  ASSERT_EQ(i2->addresses.size(), 1u);
  EXPECT_EQ(i2->addresses[0], 0xffffffff82c071c9u);
}

TEST(Disasm, X86_64TruncatedInstructionIsAnError) {
  auto d = make(DisasmArch::x86_64);
  ASSERT_TRUE(d);
  std::vector<uint8_t> b = {0x48, 0x8b, 0x3d, 0xa8};  // mov rip-relative, 3 bytes short
  auto r = d->decode(0x1000, b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::truncated);
  EXPECT_FALSE(d->decode(0x1000, {}).ok());
  // The disassembler recovers for the next call.
  std::vector<uint8_t> ret = {0xc3};
  auto ok = d->decode(0x1000, ret);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->text, "ret");
}

TEST(Disasm, X86FtraceNop) {
  std::vector<uint8_t> nop5 = {0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55};
  std::vector<uint8_t> call = {0xe8, 0x2b, 0xa2, 0x75, 0xff};
  EXPECT_TRUE(is_x86_ftrace_nop(nop5));
  EXPECT_FALSE(is_x86_ftrace_nop(call));
  EXPECT_FALSE(is_x86_ftrace_nop(std::span(nop5).first(4)));
}

TEST(Disasm, Aarch64PacBtiAndOperands) {
  auto d = make(DisasmArch::aarch64);
  ASSERT_TRUE(d);
  std::vector<uint8_t> b = {0x3f, 0x23, 0x03, 0xd5, 0x5f, 0x24, 0x03, 0xd5, 0xbf, 0x23, 0x03, 0xd5,
                            0xfd, 0x7b, 0xb6, 0xa9, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
                            0x1f, 0x20, 0x03, 0xd5};
  check_sequence(*d, 0xffff800008000000, b,
                 {{0xffff800008000000, 4, "paciasp"},
                  {0xffff800008000004, 4, "bti\tc"},
                  {0xffff800008000008, 4, "autiasp"},
                  {0xffff80000800000c, 4, "stp\tx29, x30, [sp, #-160]!"},
                  {0xffff800008000010, 4, "udf\t#0"},
                  {0xffff800008000014, 4, ".inst\t0xffffffff ; undefined"},
                  {0xffff800008000018, 4, "nop"}});
  auto bad = d->decode(0xffff800008000014, std::span(b).subspan(20, 4));
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->invalid);
}

TEST(Disasm, Aarch64TargetsAsObjdump) {
  auto d = make(DisasmArch::aarch64);
  ASSERT_TRUE(d);
  // aarch64-linux-gnu-objdump -d vmlinux-6.1.0-56-cloud-arm64,
  // smp_call_function_many_cond+0x10 and +0x7c.
  std::vector<uint8_t> adrp = {0x65, 0x9a, 0x00, 0x90};
  std::vector<uint8_t> tbz = {0xd3, 0x00, 0x08, 0x36};
  auto i1 = d->decode(0xffff80000817d6c0, adrp);
  ASSERT_TRUE(i1.ok());
  EXPECT_EQ(i1->text, "adrp\tx5, 0xffff8000094c9000");
  auto i2 = d->decode(0xffff80000817d72c, tbz);
  ASSERT_TRUE(i2.ok());
  EXPECT_EQ(i2->text, "tbz\tw19, #1, 0xffff80000817d744");
  ASSERT_EQ(i2->addresses.size(), 1u);
  EXPECT_EQ(i2->addresses[0], 0xffff80000817d744u);
  // Three bytes are not an instruction.
  EXPECT_FALSE(d->decode(0xffff80000817d72c, std::span(tbz).first(3)).ok());
}
