// ELF64 vmcore reader: segments, zero fill, notes, QEMU 7.2 layout, PN_XNUM,
// and malformed headers. Every expected value comes from the fixture's bytes.
#include <gtest/gtest.h>

#include "dump_test_util.hpp"

#include <cstring>

#include "core/dump/dump.hpp"
#include "tests/fixtures/elf_core_writer.hpp"

namespace kinspect {
namespace {

using fixtures::ElfCoreWriter;
using fixtures::pattern_bytes;

std::unique_ptr<Dump> open_ok(std::string bytes, const std::string& name = "test.vmcore") {
  return dump_test::open_dump_ok(std::move(bytes), name);
}
Error open_err(std::string bytes, const std::string& name = "bad.vmcore") {
  return dump_test::open_dump_err(std::move(bytes), name);
}
std::string read(Dump& d, uint64_t paddr, size_t len) { return dump_test::read_phys_string(d, paddr, len); }

void put64(std::string& s, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) s[off + i] = static_cast<char>(v >> (8 * i));
}
void put16(std::string& s, size_t off, uint16_t v) {
  s[off] = static_cast<char>(v), s[off + 1] = static_cast<char>(v >> 8);
}

const std::vector<uint64_t> kRegs = [] {
  std::vector<uint64_t> r;
  for (uint64_t i = 0; i < 34; ++i) r.push_back(0x1000 + i);
  return r;
}();

TEST(DumpElf, ReadsSegmentsByPhysicalAddress) {
  std::string a = pattern_bytes(0x2000, 1), b = pattern_bytes(0x1000, 2);
  auto d = open_ok(ElfCoreWriter().segment(0x1000, a).segment(0x100000, b).build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().format, "ELF");
  EXPECT_EQ(d->info().machine, DumpMachine::x86_64);
  EXPECT_EQ(read(*d, 0x1000, 0x2000), a);
  EXPECT_EQ(read(*d, 0x1ff8, 16), a.substr(0xff8, 16));  // crosses a page inside one segment
  EXPECT_EQ(read(*d, 0x100800, 8), b.substr(0x800, 8));
  ASSERT_EQ(d->ranges().size(), 2u);
  EXPECT_EQ(d->ranges()[0].start, 0x1000u);
  EXPECT_EQ(d->ranges()[0].end, 0x3000u);
  EXPECT_EQ(d->ranges()[1].start, 0x100000u);
  EXPECT_EQ(d->path(), "test.vmcore");
}

TEST(DumpElf, ReadCrossesAdjacentSegments) {
  std::string a = pattern_bytes(0x1000, 3), b = pattern_bytes(0x1000, 4);
  auto d = open_ok(ElfCoreWriter().segment(0x5000, b).segment(0x4000, a).build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x4ff0, 0x20), a.substr(0xff0) + b.substr(0, 0x10));
  ASSERT_EQ(d->ranges().size(), 1u);  // adjacent PT_LOADs merge into one range
  EXPECT_EQ(d->ranges()[0].end, 0x6000u);
}

TEST(DumpElf, MemszBeyondFileszIsExcluded) {
  // makedumpfile -E stores filtered pages as p_memsz beyond p_filesz.
  std::string a = pattern_bytes(0x1000, 5);
  auto d = open_ok(ElfCoreWriter().segment(0x10000, a, 0x3000).segment(0x13000, "xyz").build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x10ff8, 8), a.substr(0xff8));
  uint8_t buf[16];
  auto st = d->read_phys(0x10ff8, buf);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::excluded);
  EXPECT_EQ(st.error().address, 0x11000u);
  EXPECT_NE(st.error().message.find("page excluded from dump"), std::string::npos);
  st = d->read_phys(0x12000, std::span(buf, 8));
  EXPECT_EQ(st.error().code, Errc::excluded);
  EXPECT_EQ(read(*d, 0x13000, 3), "xyz");
}

TEST(DumpElf, AddressOutsideSegmentsIsNotPresent) {
  auto d = open_ok(ElfCoreWriter().segment(0x1000, pattern_bytes(0x1000, 6)).build());
  ASSERT_TRUE(d);
  uint8_t buf[16];
  auto st = d->read_phys(0x5000, buf);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::not_present);
  EXPECT_EQ(st.error().address, 0x5000u);
  EXPECT_NE(st.error().message.find("test.vmcore"), std::string::npos);
  EXPECT_NE(st.error().message.find("0x5000"), std::string::npos);
  // A read that starts inside and runs off the end names the first missing byte.
  st = d->read_phys(0x1ff8, buf);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().address, 0x2000u);
}

TEST(DumpElf, OverlappingSegmentsKeepOneHome) {
  // /proc/vmcore repeats the kernel text inside a RAM segment.
  std::string ram = pattern_bytes(0x4000, 7);
  auto d = open_ok(ElfCoreWriter()
                       .segment(0x200000, ram)
                       .segment(0x201000, ram.substr(0x1000, 0x1000), 0, 0xffffffff81000000ull)
                       .build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x200000, 0x4000), ram);
  EXPECT_EQ(d->ranges().size(), 1u);
}

TEST(DumpElf, ParsesX86PrstatusVmcoreinfoAndQemuNotes) {
  std::string vmci = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffffffff82a0a000\n";
  auto d = open_ok(ElfCoreWriter(DumpMachine::x86_64)
                       .prstatus(0, kRegs)
                       .prstatus(4242, std::span(kRegs).subspan(1))
                       .qemu_cpu("cpu0-state")
                       .qemu_cpu("cpu1-state")
                       .vmcoreinfo(vmci)
                       .segment(0, pattern_bytes(0x1000, 8))
                       .build());
  ASSERT_TRUE(d);
  const DumpInfo& i = d->info();
  EXPECT_EQ(i.vmcoreinfo, vmci);
  EXPECT_EQ(i.page_size, 4096u);
  ASSERT_EQ(i.prstatus.size(), 2u);
  EXPECT_EQ(i.prstatus[0].pid, 0);
  EXPECT_EQ(i.prstatus[1].pid, 4242);
  EXPECT_EQ(i.prstatus[1].note_index, 1u);
  ASSERT_EQ(i.prstatus[0].regs.size(), 27u * 8);
  uint64_t r26;
  std::memcpy(&r26, i.prstatus[0].regs.data() + 26 * 8, 8);
  EXPECT_EQ(r26, kRegs[26]);
  uint64_t r0;
  std::memcpy(&r0, i.prstatus[1].regs.data(), 8);
  EXPECT_EQ(r0, kRegs[1]);
  ASSERT_EQ(i.qemu_cpu.size(), 2u);
  EXPECT_EQ(std::string(i.qemu_cpu[1].desc.begin(), i.qemu_cpu[1].desc.end()), "cpu1-state");
  EXPECT_EQ(i.qemu_cpu[1].cpu, 1u);
  EXPECT_TRUE(i.warnings.empty());
}

TEST(DumpElf, ParsesArm64Prstatus) {
  auto d = open_ok(ElfCoreWriter(DumpMachine::aarch64).prstatus(77, kRegs).segment(0x40000000, "abcd").build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().machine, DumpMachine::aarch64);
  ASSERT_EQ(d->info().prstatus.size(), 1u);
  EXPECT_EQ(d->info().prstatus[0].pid, 77);
  ASSERT_EQ(d->info().prstatus[0].regs.size(), 34u * 8);
  uint64_t pstate;
  std::memcpy(&pstate, d->info().prstatus[0].regs.data() + 33 * 8, 8);
  EXPECT_EQ(pstate, kRegs[33]);
  EXPECT_EQ(read(*d, 0x40000001, 3), "bcd");
}

TEST(DumpElf, QemuLayoutWithPnXnum) {
  std::string a = pattern_bytes(0x1000, 9);
  ElfCoreWriter w;
  w.qemu_layout().pn_xnum().prstatus(1, kRegs).qemu_cpu("q").segment(0x3000, a).segment(0x9000, "tail");
  std::string core = w.build();
  // QEMU 7.2: program headers at 0xc0, after two section headers at 0x40.
  EXPECT_EQ(w.phdr_offset(), 0xc0u);
  EXPECT_EQ(static_cast<uint8_t>(core[56]), 0xff);  // e_phnum = PN_XNUM
  auto d = open_ok(core);
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x3000, 0x1000), a);
  EXPECT_EQ(read(*d, 0x9000, 4), "tail");
  EXPECT_EQ(d->info().prstatus.size(), 1u);
  EXPECT_EQ(d->info().qemu_cpu.size(), 1u);
}

TEST(DumpElf, QemuLayoutWithoutPnXnum) {
  auto d = open_ok(ElfCoreWriter().qemu_layout().segment(0x3000, "data").build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x3000, 4), "data");
}

TEST(DumpElf, MalformedNoteIsAWarningNotAFailure) {
  ElfCoreWriter w;
  w.vmcoreinfo("OSRELEASE=x\n").segment(0x1000, "mem!");
  std::string core = w.build();
  // Make the note's descsz absurd.
  put64(core, w.note_offset() + 4, 0x7fffffff);
  auto d = open_ok(core);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->info().vmcoreinfo.empty());
  ASSERT_EQ(d->info().warnings.size(), 1u);
  EXPECT_NE(d->info().warnings[0].find("test.vmcore: note at offset " + hex(w.note_offset())), std::string::npos);
  EXPECT_EQ(read(*d, 0x1000, 4), "mem!");
}

TEST(DumpElf, TruncatedSegmentDataIsReportedOnRead) {
  std::string a = pattern_bytes(0x2000, 10);
  ElfCoreWriter w;
  w.segment(0x1000, a);
  std::string core = w.build();
  core.resize(w.segment_offset(0) + 0x1000);  // second page missing
  auto d = open_ok(core);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->info().warnings.size(), 1u);
  EXPECT_EQ(read(*d, 0x1000, 0x1000), a.substr(0, 0x1000));
  uint8_t buf[8];
  auto st = d->read_phys(0x2000, buf);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::truncated);
  EXPECT_EQ(st.error().address, 0x2000u);
  EXPECT_NE(st.error().message.find("test.vmcore"), std::string::npos);
  EXPECT_NE(st.error().message.find("offset " + hex(w.segment_offset(0) + 0x1000)), std::string::npos);
}

TEST(DumpElf, BadHeadersGiveOneClearError) {
  std::string good = ElfCoreWriter().segment(0x1000, "abcd").build();
  {
    Error e = open_err(good.substr(0, 40));
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_NE(e.message.find("bad.vmcore: ELF header truncated"), std::string::npos);
  }
  {
    std::string s = good;
    s[4] = 1;  // ELFCLASS32
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::unsupported);
    EXPECT_NE(e.message.find("bad.vmcore"), std::string::npos);
    EXPECT_NE(e.message.find("offset 0x4"), std::string::npos);
  }
  {
    std::string s = good;
    s[5] = 2;  // big-endian
    EXPECT_EQ(open_err(s).code, Errc::unsupported);
  }
  {
    std::string s = good;
    put16(s, 16, 2);  // ET_EXEC
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::format);
    EXPECT_NE(e.message.find("not ET_CORE"), std::string::npos);
  }
  {
    std::string s = good;
    put16(s, 56, 60000);  // e_phnum far beyond the file
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_NE(e.message.find("bad.vmcore: 60000 program headers at offset 0x40"), std::string::npos);
  }
  {
    std::string s = good;
    put16(s, 56, 0xffff);  // PN_XNUM without a section header
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::format);
    EXPECT_NE(e.message.find("PN_XNUM"), std::string::npos);
  }
  {
    std::string s = good;
    put16(s, 54, 32);  // e_phentsize
    EXPECT_NE(open_err(s).message.find("offset 0x36"), std::string::npos);
  }
}

TEST(DumpElf, PnXnumCountBeyondFileIsRejected) {
  ElfCoreWriter w;
  w.qemu_layout().pn_xnum().segment(0x1000, "x");
  std::string s = w.build();
  // Section header 0's sh_info at 0x40 + 44.
  s[0x40 + 44] = '\xff', s[0x40 + 45] = '\xff', s[0x40 + 46] = '\xff', s[0x40 + 47] = '\x7f';
  Error e = open_err(s);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_NE(e.message.find("2147483647 program headers"), std::string::npos);
}

TEST(DumpElf, UnknownMachineStillOpens) {
  auto d = open_ok(ElfCoreWriter().e_machine(3).segment(0, "ab").build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().machine, DumpMachine::unknown);
  EXPECT_EQ(d->info().warnings.size(), 1u);
}

}  // namespace
}  // namespace kinspect
