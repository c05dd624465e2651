// kdump-compressed reader: every compression, excluded vs absent pages,
// header versions, notes and VMCOREINFO in the sub header, split pieces,
// incomplete and corrupted files. Expected bytes come from the writer's input.
#include <gtest/gtest.h>

#include "dump_test_util.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "core/dump/dump.hpp"
#include "core/dump/kdump_dump.hpp"
#include "core/dump/kdump_layout.hpp"
#include "tests/fixtures/kdump_writer.hpp"

namespace kinspect {
namespace {

using fixtures::KdumpCompression;
using fixtures::KdumpWriter;
using fixtures::pattern_bytes;

constexpr uint64_t kPage = 4096;

std::unique_ptr<Dump> open_ok(std::string bytes, const std::string& name = "test.kdump") {
  return dump_test::open_dump_ok(std::move(bytes), name);
}
Error open_err(std::string bytes, const std::string& name = "bad.kdump") {
  return dump_test::open_dump_err(std::move(bytes), name);
}
std::string read(Dump& d, uint64_t paddr, size_t len) { return dump_test::read_phys_string(d, paddr, len); }

Error read_err(Dump& d, uint64_t paddr, size_t len = 8) {
  std::vector<uint8_t> buf(len);
  auto st = d.read_phys(paddr, buf);
  EXPECT_FALSE(st.ok());
  return st.ok() ? Error{} : std::move(st).error();
}

void put(std::string& s, size_t off, uint64_t v, int len) {
  for (int i = 0; i < len; ++i) s[off + i] = static_cast<char>(v >> (8 * i));
}

// A page that compresses (repeated pattern) and one that does not.
std::string compressible(uint64_t seed) {
  std::string p;
  while (p.size() < kPage) p += "page " + std::to_string(seed) + " of kinspect test data; ";
  p.resize(kPage);
  return p;
}

KdumpWriter basic(KdumpCompression c) {
  KdumpWriter w;
  w.compression(c)
      .page(0x10, compressible(1))
      .page(0x11, pattern_bytes(kPage, 2))  // incompressible: stored raw
      .page(0x12, std::string(kPage, '\0'))
      .excluded(0x13)
      .page(0x14, compressible(4))
      .max_mapnr(0x40);
  return w;
}

class DumpKdumpCompression : public testing::TestWithParam<KdumpCompression> {};

TEST_P(DumpKdumpCompression, ReadsEveryPageBack) {
  auto d = open_ok(basic(GetParam()).build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x10 * kPage, kPage), compressible(1));
  EXPECT_EQ(read(*d, 0x11 * kPage, kPage), pattern_bytes(kPage, 2));
  EXPECT_EQ(read(*d, 0x12 * kPage, kPage), std::string(kPage, '\0'));
  EXPECT_EQ(read(*d, 0x14 * kPage + 100, 50), compressible(4).substr(100, 50));
  // A read crossing from page 0x10 into 0x11.
  EXPECT_EQ(read(*d, 0x11 * kPage - 8, 16), compressible(1).substr(kPage - 8) + pattern_bytes(kPage, 2).substr(0, 8));
}

std::string compression_param_name(const testing::TestParamInfo<KdumpCompression>& info) {
  static const char* const kNames[] = {"none", "zlib", "lzo", "snappy", "zstd"};
  return kNames[static_cast<int>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Dump, DumpKdumpCompression,
                         testing::Values(KdumpCompression::none, KdumpCompression::zlib, KdumpCompression::lzo,
                                         KdumpCompression::snappy, KdumpCompression::zstd),
                         compression_param_name);

TEST(DumpKdump, FormatStringNamesCompressionAndLevel) {
  EXPECT_EQ(open_ok(basic(KdumpCompression::zlib).build())->info().format, "kdump-compressed (zlib, filtered -d 31)");
  EXPECT_EQ(open_ok(basic(KdumpCompression::lzo).dump_level(0).build())->info().format, "kdump-compressed (lzo)");
  EXPECT_EQ(open_ok(basic(KdumpCompression::snappy).dump_level(1).build())->info().format,
            "kdump-compressed (snappy, filtered -d 1)");
  EXPECT_EQ(open_ok(basic(KdumpCompression::zstd).build())->info().format, "kdump-compressed (zstd, filtered -d 31)");
  EXPECT_EQ(open_ok(basic(KdumpCompression::none).build())->info().format,
            "kdump-compressed (uncompressed, filtered -d 31)");
}

TEST(DumpKdump, MixedPerPageCompression) {
  KdumpWriter w;
  w.compression(KdumpCompression::zlib)
      .page(1, compressible(1), KdumpCompression::lzo)
      .page(2, compressible(2), KdumpCompression::snappy)
      .page(3, compressible(3), KdumpCompression::zstd)
      .page(4, compressible(4));
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, kPage, 4 * kPage), compressible(1) + compressible(2) + compressible(3) + compressible(4));
}

TEST(DumpKdump, ExcludedAbsentAndBeyondMaxMapnr) {
  auto d = open_ok(basic(KdumpCompression::zlib).build());
  ASSERT_TRUE(d);
  Error e = read_err(*d, 0x13 * kPage + 0x18);
  EXPECT_EQ(e.code, Errc::excluded);
  EXPECT_EQ(e.address, 0x13 * kPage + 0x18);
  EXPECT_NE(e.message.find("test.kdump: page excluded from dump"), std::string::npos);
  EXPECT_NE(e.message.find(hex(0x13 * kPage + 0x18)), std::string::npos);
  EXPECT_NE(e.message.find("dump level 31"), std::string::npos);

  e = read_err(*d, 0x20 * kPage);  // below max_mapnr, not in the 1st bitmap
  EXPECT_EQ(e.code, Errc::not_present);
  EXPECT_EQ(e.address, 0x20 * kPage);
  EXPECT_NE(e.message.find("test.kdump"), std::string::npos);

  e = read_err(*d, 0x40 * kPage);  // == max_mapnr
  EXPECT_EQ(e.code, Errc::not_present);
  EXPECT_NE(e.message.find("max_mapnr 0x40"), std::string::npos);

  // A read running from a dumped page into the excluded one fails at the boundary.
  e = read_err(*d, 0x13 * kPage - 4, 8);
  EXPECT_EQ(e.code, Errc::excluded);
  EXPECT_EQ(e.address, 0x13 * kPage);
}

TEST(DumpKdump, RangesFollowTheFirstBitmap) {
  auto d = open_ok(basic(KdumpCompression::zlib).page(0x30, compressible(9)).build());
  ASSERT_TRUE(d);
  ASSERT_EQ(d->ranges().size(), 2u);
  EXPECT_EQ(d->ranges()[0].start, 0x10 * kPage);
  EXPECT_EQ(d->ranges()[0].end, 0x15 * kPage);  // excluded 0x13 is still memory
  EXPECT_EQ(d->ranges()[1].start, 0x30 * kPage);
  EXPECT_EQ(d->ranges()[1].end, 0x31 * kPage);
}

TEST(DumpKdump, HeaderFieldsNotesAndVmcoreinfo) {
  std::vector<uint64_t> regs(27);
  for (size_t i = 0; i < regs.size(); ++i) regs[i] = 0xabc0 + i;
  std::string vmci = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nKERNELOFFSET=1e000000\n";
  KdumpWriter w = basic(KdumpCompression::zstd);
  w.uts("Linux", "box", "6.1.0-test", "#1 SMP", "x86_64", "(none)")
      .prstatus(101, regs)
      .prstatus(202, regs)
      .vmcoreinfo(vmci)
      .cpus(2, 1)
      .timestamp(1712345678)
      .phys_base(0x1c000000)
      .dump_level(17);
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  const DumpInfo& i = d->info();
  EXPECT_EQ(i.machine, DumpMachine::x86_64);
  EXPECT_EQ(i.page_size, 4096u);
  EXPECT_EQ(i.uts_nodename, "box");
  EXPECT_EQ(i.uts_release, "6.1.0-test");
  EXPECT_EQ(i.uts_version, "#1 SMP");
  EXPECT_EQ(i.uts_machine, "x86_64");
  EXPECT_EQ(i.timestamp_sec, 1712345678);
  EXPECT_EQ(i.header_nr_cpus, 2);
  EXPECT_EQ(i.current_cpu, 1);
  EXPECT_EQ(i.dump_level, 17u);
  EXPECT_EQ(i.phys_base, 0x1c000000u);
  EXPECT_EQ(i.vmcoreinfo, vmci);
  ASSERT_EQ(i.prstatus.size(), 2u);
  EXPECT_EQ(i.prstatus[1].pid, 202);
  ASSERT_EQ(i.prstatus[1].regs.size(), 27u * 8);
  uint64_t r5;
  std::memcpy(&r5, i.prstatus[1].regs.data() + 5 * 8, 8);
  EXPECT_EQ(r5, 0xabc5u);
  EXPECT_TRUE(i.warnings.empty());
}

TEST(DumpKdump, Arm64MachineFromUtsname) {
  std::vector<uint64_t> regs(34, 7);
  auto d = open_ok(KdumpWriter().machine("aarch64").prstatus(5, regs).page(0x40000, compressible(1)).build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().machine, DumpMachine::aarch64);
  ASSERT_EQ(d->info().prstatus.size(), 1u);
  EXPECT_EQ(d->info().prstatus[0].regs.size(), 34u * 8);
}

TEST(DumpKdump, MachineFromPrstatusWhenUtsnameSaysUnknown) {
  // QEMU's arm64 kdump output: utsname.machine "Unknown", arm64 notes.
  std::vector<uint64_t> regs(34, 1);
  auto d = open_ok(KdumpWriter()
                       .machine("Unknown")
                       .note(fixtures::prstatus_note(DumpMachine::aarch64, 1, regs))
                       .note(fixtures::prstatus_note(DumpMachine::aarch64, 2, regs))
                       .page(1, compressible(1))
                       .build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().machine, DumpMachine::aarch64);
  EXPECT_EQ(d->info().prstatus[1].regs.size(), 34u * 8);
}

class DumpKdumpVersion : public testing::TestWithParam<int> {};

TEST_P(DumpKdumpVersion, OlderHeadersStillRead) {
  int v = GetParam();
  std::string vmci = "OSRELEASE=5.4.0\n";
  auto d = open_ok(basic(KdumpCompression::zlib).header_version(v).vmcoreinfo(vmci).build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x10 * kPage, kPage), compressible(1));
  EXPECT_EQ(read_err(*d, 0x13 * kPage).code, Errc::excluded);
  // VMCOREINFO arrived with header_version 3.
  EXPECT_EQ(d->info().vmcoreinfo, v >= 3 ? vmci : "");
  EXPECT_EQ(d->info().dump_level.has_value(), v >= 1);
}

INSTANTIATE_TEST_SUITE_P(Dump, DumpKdumpVersion, testing::Values(0, 1, 2, 3, 4, 5, 6));

TEST(DumpKdump, Version6TakesMaxMapnrFromTheSubHeader) {
  // The 32-bit header field is stale on purpose; v6 readers must use
  // max_mapnr_64, older versions the header field.
  for (int v : {5, 6}) {
    std::string s = basic(KdumpCompression::zlib).header_version(v).build();
    put(s, kdump::hdr::max_mapnr, 0x11, 4);
    auto d = open_ok(s);
    ASSERT_TRUE(d);
    if (v == 6) {
      EXPECT_EQ(read(*d, 0x14 * kPage, 8), compressible(4).substr(0, 8));
    } else {
      Error e = read_err(*d, 0x14 * kPage);
      EXPECT_EQ(e.code, Errc::not_present);
      EXPECT_NE(e.message.find("max_mapnr 0x11"), std::string::npos);
    }
  }
}

TEST(DumpKdump, OtherBlockSizes) {
  for (uint32_t bs : {16384u, 65536u}) {
    std::string p = pattern_bytes(bs, bs);
    auto d = open_ok(KdumpWriter().block_size(bs).page(2, p).excluded(3).build());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->info().page_size, bs);
    EXPECT_EQ(read(*d, 2ull * bs, bs), p);
    EXPECT_EQ(read_err(*d, 3ull * bs).code, Errc::excluded);
  }
}

TEST(DumpKdump, SharedZeroPages) {
  auto d = open_ok(KdumpWriter()
                       .share_zero_pages()
                       .page(1, std::string(kPage, '\0'))
                       .page(2, compressible(2))
                       .page(3, std::string(kPage, '\0'))
                       .build());
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, kPage, 3 * kPage), std::string(kPage, '\0') + compressible(2) + std::string(kPage, '\0'));
}

TEST(DumpKdump, SplitPieceHoldsItsRangeOnly) {
  KdumpWriter w = basic(KdumpCompression::lzo);
  w.split(0x12, 0x20);
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  EXPECT_NE(d->info().format.find("split"), std::string::npos);
  EXPECT_EQ(d->info().split_start_pfn, 0x12u);
  EXPECT_EQ(read(*d, 0x14 * kPage, kPage), compressible(4));
  EXPECT_EQ(read(*d, 0x12 * kPage, kPage), std::string(kPage, '\0'));
  Error e = read_err(*d, 0x10 * kPage);
  EXPECT_EQ(e.code, Errc::not_present);
  EXPECT_NE(e.message.find("another file of the split dump set"), std::string::npos);
}

TEST(DumpKdump, SplitSetReadsAsOneDump) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kinspect-split-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string a = (dir / "vmcore.1").string(), b = (dir / "vmcore.2").string(), c = (dir / "other").string();
  ASSERT_TRUE(basic(KdumpCompression::zlib).split(0, 0x12).write_file(a).ok());
  ASSERT_TRUE(basic(KdumpCompression::zlib).split(0x12, 0x40).write_file(b).ok());
  auto d = open_dump_set({b, a});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ((*d)->info().format, "kdump-compressed (zlib, filtered -d 31, split into 2 files)");
  EXPECT_EQ((*d)->path(), b + ", " + a);
  EXPECT_TRUE(read(**d, 0x10 * kPage, 3 * kPage) == compressible(1) + pattern_bytes(kPage, 2) + std::string(kPage, '\0'));
  EXPECT_EQ(read_err(**d, 0x13 * kPage).code, Errc::excluded);
  EXPECT_EQ(read(**d, 0x14 * kPage, kPage), compressible(4));
  // Reads cross from one file's range into the other's.
  EXPECT_EQ(read(**d, 0x12 * kPage - 8, 16), pattern_bytes(kPage, 2).substr(kPage - 8) + std::string(8, '\0'));
  EXPECT_EQ(read_err(**d, 0x20 * kPage).code, Errc::not_present);

  // A piece missing from the set: its pages are absent, the rest readable.
  auto half = open_dump_set({a});
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(read_err(**half, 0x14 * kPage).code, Errc::not_present);
  EXPECT_EQ(read_err(**half, 0x13 * kPage).code, Errc::excluded);

  ASSERT_TRUE(basic(KdumpCompression::zlib).write_file(c).ok());
  auto bad = open_dump_set({a, c});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(c + ": not a piece of a makedumpfile --split set"), std::string::npos);
  auto overlap = open_dump_set({a, a});
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.error().message.find("overlaps"), std::string::npos);
  fs::remove_all(dir);
}

TEST(DumpKdump, IncompleteDumpNamesFileAndOffset) {
  KdumpWriter w = basic(KdumpCompression::zlib);
  w.incomplete();
  std::string s = w.build();
  auto lay = w.layout();
  // ENOSPC: the last page's descriptor was never filled in.
  uint64_t desc = lay.desc_of.at(0x14);
  std::memset(s.data() + desc, 0, 24);
  auto d = open_ok(s);
  ASSERT_TRUE(d);
  EXPECT_NE(d->info().format.find("incomplete"), std::string::npos);
  ASSERT_FALSE(d->info().warnings.empty());
  EXPECT_EQ(read(*d, 0x10 * kPage, 8), compressible(1).substr(0, 8));
  Error e = read_err(*d, 0x14 * kPage);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_EQ(e.address, 0x14 * kPage);
  EXPECT_NE(e.message.find("test.kdump"), std::string::npos);
  EXPECT_NE(e.message.find("offset " + hex(desc)), std::string::npos);
  EXPECT_NE(e.message.find("marked incomplete"), std::string::npos);
}

TEST(DumpKdump, TruncatedPageData) {
  KdumpWriter w = basic(KdumpCompression::zlib);
  auto lay = w.layout();
  std::string s = w.build();
  uint64_t cut = lay.data_of.at(0x14) + 5;
  s.resize(cut);
  auto d = open_ok(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 0x11 * kPage, kPage), pattern_bytes(kPage, 2));
  Error e = read_err(*d, 0x14 * kPage + 12);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_EQ(e.address, 0x14 * kPage + 12);
  EXPECT_NE(e.message.find("test.kdump"), std::string::npos);
  EXPECT_NE(e.message.find("page data at offset " + hex(lay.data_of.at(0x14))), std::string::npos);
}

TEST(DumpKdump, TruncatedDescriptors) {
  KdumpWriter w = basic(KdumpCompression::zlib);
  auto lay = w.layout();
  std::string s = w.build();
  s.resize(lay.descs + 24);  // only the first descriptor survives
  auto d = open_ok(s);
  ASSERT_TRUE(d);
  ASSERT_FALSE(d->info().warnings.empty());
  EXPECT_NE(d->info().warnings[0].find("page descriptors end at offset"), std::string::npos);
  Error e = read_err(*d, 0x11 * kPage);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_NE(e.message.find("page descriptor at offset " + hex(lay.descs + 24)), std::string::npos);
}

TEST(DumpKdump, CorruptCompressedDataNamesFileOffsetAndPfn) {
  for (auto c : {KdumpCompression::zlib, KdumpCompression::lzo, KdumpCompression::snappy, KdumpCompression::zstd}) {
    KdumpWriter w = basic(c);
    auto lay = w.layout();
    std::string s = w.build();
    uint64_t data = lay.data_of.at(0x10);
    for (int i = 0; i < 16; ++i) s[data + i] = static_cast<char>(0xa5 ^ i);
    auto d = open_ok(s);
    ASSERT_TRUE(d);
    Error e = read_err(*d, 0x10 * kPage + 3);
    EXPECT_EQ(e.code, Errc::format);
    EXPECT_EQ(e.address, 0x10 * kPage + 3);
    EXPECT_NE(e.message.find("test.kdump: pfn 0x10 at offset " + hex(data)), std::string::npos) << e.message;
    // The failure is not cached: the next read fails the same way.
    EXPECT_EQ(read_err(*d, 0x10 * kPage).code, Errc::format);
    // Other pages are unaffected.
    EXPECT_EQ(read(*d, 0x14 * kPage, 8), compressible(4).substr(0, 8));
  }
}

TEST(DumpKdump, DescriptorSizesAreChecked) {
  KdumpWriter w = basic(KdumpCompression::none);
  auto lay = w.layout();
  std::string s = w.build();
  put(s, lay.desc_of.at(0x11) + 8, 100, 4);  // raw page of 100 bytes
  put(s, lay.desc_of.at(0x12) + 0, 0x7fffffffffff0000ull, 8);  // data far beyond the file
  auto d = open_ok(s);
  ASSERT_TRUE(d);
  Error e = read_err(*d, 0x11 * kPage);
  EXPECT_EQ(e.code, Errc::format);
  EXPECT_NE(e.message.find("100 bytes for a 4096-byte page"), std::string::npos);
  e = read_err(*d, 0x12 * kPage);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_NE(e.message.find("offset 0x7fffffffffff0000"), std::string::npos);
}

TEST(DumpKdump, BadHeaders) {
  std::string good = basic(KdumpCompression::zlib).build();
  {
    Error e = open_err(good.substr(0, 100));
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_NE(e.message.find("bad.kdump: kdump header truncated"), std::string::npos);
  }
  {
    std::string s = good;
    put(s, kdump::hdr::block_size, 1000, 4);
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::format);
    EXPECT_NE(e.message.find("bad.kdump: kdump header field at offset 0x1ac: block_size 1000"), std::string::npos);
  }
  {
    std::string s = good;
    put(s, kdump::hdr::bitmap_blocks, 0x7ffffffe, 4);
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_NE(e.message.find("bad.kdump: kdump bitmaps (2147483646 blocks"), std::string::npos);
  }
  {
    std::string s = good;
    put(s, kdump::hdr::bitmap_blocks, 3, 4);
    EXPECT_EQ(open_err(s).code, Errc::format);
  }
  {
    std::string s = good;
    put(s, kdump::hdr::sub_hdr_size, 0x7fffffff, 4);
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_NE(e.message.find("bad.kdump"), std::string::npos);
  }
  {
    std::string s = good;
    put(s, kdump::hdr::header_version, 0xffffffff, 4);
    EXPECT_NE(open_err(s).message.find("offset 0x8"), std::string::npos);
  }
  {
    std::string s = good;
    std::memcpy(s.data(), "DISKDUMP", 8);
    EXPECT_EQ(open_err(s).code, Errc::unsupported);
  }
}

TEST(DumpKdump, AbsurdSubHeaderSizesBecomeWarnings) {
  KdumpWriter w = basic(KdumpCompression::zlib);
  w.vmcoreinfo("OSRELEASE=1\n").prstatus(1, std::vector<uint64_t>(27, 1));
  std::string s = w.build();
  auto lay = w.layout();
  put(s, lay.sub_header + kdump::sub::size_vmcoreinfo, 0xffffffffffull, 8);
  put(s, lay.sub_header + kdump::sub::size_note, 0x10000000000ull, 8);
  auto d = open_ok(s);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->info().vmcoreinfo.empty());
  EXPECT_TRUE(d->info().prstatus.empty());
  ASSERT_EQ(d->info().warnings.size(), 2u);
  EXPECT_NE(d->info().warnings[0].find("test.kdump: VMCOREINFO at offset"), std::string::npos);
  EXPECT_EQ(read(*d, 0x10 * kPage, 8), compressible(1).substr(0, 8));
}

TEST(DumpKdump, MaxMapnrBeyondBitmapIsClamped) {
  KdumpWriter w = basic(KdumpCompression::zlib);
  std::string s = w.build();
  auto lay = w.layout();
  put(s, lay.sub_header + kdump::sub::max_mapnr_64, 1ull << 50, 8);
  auto d = open_ok(s);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->info().warnings.size(), 1u);
  EXPECT_NE(d->info().warnings[0].find("max_mapnr"), std::string::npos);
  EXPECT_EQ(read(*d, 0x10 * kPage, 8), compressible(1).substr(0, 8));
  EXPECT_EQ(read_err(*d, 1ull << 45).code, Errc::not_present);
}

TEST(DumpKdump, PageCacheServesRepeatedReads) {
  auto d = open_ok(basic(KdumpCompression::zstd).build());
  ASSERT_TRUE(d);
  auto* k = dynamic_cast<KdumpDump*>(d.get());
  ASSERT_NE(k, nullptr);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(read(*d, 0x10 * kPage + 8 * i, 8), compressible(1).substr(8 * i, 8));
  EXPECT_EQ(k->cache().misses(), 1u);
  EXPECT_EQ(k->cache().hits(), 9u);
}

}  // namespace
}  // namespace kinspect
