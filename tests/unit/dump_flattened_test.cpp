// Flattened makedumpfile streams: the interval map's overlap rules, records
// out of order and rewritten, holes, a missing end marker, bad record
// headers, and both kdump and ELF payloads read through FlattenedSource.
#include <gtest/gtest.h>

#include "dump_test_util.hpp"

#include <cstring>

#include "core/dump/dump.hpp"
#include "core/dump/flattened_source.hpp"
#include "tests/fixtures/elf_core_writer.hpp"
#include "tests/fixtures/kdump_writer.hpp"

namespace kinspect {
namespace {

using fixtures::ElfCoreWriter;
using fixtures::FlattenOptions;
using fixtures::KdumpCompression;
using fixtures::KdumpWriter;
using fixtures::pattern_bytes;
using Extent = FlattenedSource::Extent;

constexpr uint64_t kPage = 4096;

std::unique_ptr<Dump> open_ok(std::string bytes, const std::string& name = "test.flat") {
  return dump_test::open_dump_ok(std::move(bytes), name);
}
Error open_err(std::string bytes, const std::string& name = "bad.flat") {
  return dump_test::open_dump_err(std::move(bytes), name);
}
std::string read(Dump& d, uint64_t paddr, size_t len) { return dump_test::read_phys_string(d, paddr, len); }

std::string compressible(uint64_t seed) {
  std::string p;
  while (p.size() < kPage) p += "flattened page " + std::to_string(seed) + "; ";
  p.resize(kPage);
  return p;
}

KdumpWriter sample() {
  KdumpWriter w;
  w.compression(KdumpCompression::zlib)
      .page(2, compressible(2))
      .page(3, pattern_bytes(kPage, 3))
      .excluded(4)
      .page(5, std::string(kPage, '\0'))
      .page(6, compressible(6))
      .vmcoreinfo("OSRELEASE=6.1.0-flat\n");
  return w;
}

void expect_sample(Dump& d) {
  EXPECT_EQ(read(d, 2 * kPage, 2 * kPage), compressible(2) + pattern_bytes(kPage, 3));
  EXPECT_EQ(read(d, 5 * kPage, 2 * kPage), std::string(kPage, '\0') + compressible(6));
  std::vector<uint8_t> buf(8);
  auto st = d.read_phys(4 * kPage, buf);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::excluded);
  EXPECT_EQ(d.info().vmcoreinfo, "OSRELEASE=6.1.0-flat\n");
}

void be64(std::string& s, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) s[off + i] = static_cast<char>(v >> (56 - 8 * i));
}

TEST(DumpFlattenedMap, LaterRecordsWin) {
  ExtentMapBuilder m;
  m.add(0, 100, 1000);
  m.add(40, 20, 5000);  // splits the first run
  auto e = m.finish();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].start, 0u);
  EXPECT_EQ(e[0].end, 40u);
  EXPECT_EQ(e[0].src, 1000u);
  EXPECT_EQ(e[1].start, 40u);
  EXPECT_EQ(e[1].end, 60u);
  EXPECT_EQ(e[1].src, 5000u);
  EXPECT_EQ(e[2].start, 60u);
  EXPECT_EQ(e[2].end, 100u);
  EXPECT_EQ(e[2].src, 1060u);
}

TEST(DumpFlattenedMap, CoveringRecordReplacesSeveral) {
  ExtentMapBuilder m;
  m.add(10, 10, 100);
  m.add(30, 10, 200);
  m.add(50, 10, 300);
  m.add(15, 40, 900);  // covers the tail of the first, all of the second, head of the third
  auto e = m.finish();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].start, 10u);
  EXPECT_EQ(e[0].end, 15u);
  EXPECT_EQ(e[0].src, 100u);
  EXPECT_EQ(e[1].start, 15u);
  EXPECT_EQ(e[1].end, 55u);
  EXPECT_EQ(e[1].src, 900u);
  EXPECT_EQ(e[2].start, 55u);
  EXPECT_EQ(e[2].end, 60u);
  EXPECT_EQ(e[2].src, 305u);
}

TEST(DumpFlattenedMap, ContiguousRecordsMerge) {
  ExtentMapBuilder m;
  m.add(0, 16, 4112);
  m.add(16, 16, 4128);  // continues in both spaces
  m.add(32, 16, 9000);  // continues in output only
  auto e = m.finish();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].end, 32u);
  EXPECT_EQ(e[1].src, 9000u);
}

TEST(DumpFlattenedMap, ExactRewrite) {
  ExtentMapBuilder m;
  m.add(0, 10, 100);
  m.add(0, 10, 200);
  auto e = m.finish();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].src, 200u);
}

TEST(DumpFlattened, KdumpInPlace) {
  auto d = open_ok(sample().build_flattened());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().format, "flattened kdump-compressed (zlib, filtered -d 31)");
  EXPECT_EQ(d->path(), "test.flat");
  EXPECT_TRUE(d->info().warnings.empty());
  expect_sample(*d);
}

TEST(DumpFlattened, SmallRecordsReversedAndRewritten) {
  FlattenOptions o;
  o.record_size = 100;  // records split headers, descriptors and pages
  o.reverse = true;
  o.decoy_rewrites = true;
  auto d = open_ok(sample().build_flattened(o));
  ASSERT_TRUE(d);
  expect_sample(*d);
}

TEST(DumpFlattened, EveryCompression) {
  for (auto c : {KdumpCompression::none, KdumpCompression::lzo, KdumpCompression::snappy, KdumpCompression::zstd}) {
    auto d = open_ok(sample().compression(c).page(2, compressible(2)).page(6, compressible(6)).build_flattened());
    ASSERT_TRUE(d);
    expect_sample(*d);
  }
}

TEST(DumpFlattened, ElfPayload) {
  std::string a = pattern_bytes(0x3000, 11);
  auto core = ElfCoreWriter().vmcoreinfo("OSRELEASE=e\n").segment(0x100000, a, 0x4000).build();
  FlattenOptions o;
  o.record_size = 1000;
  o.decoy_rewrites = true;
  auto d = open_ok(fixtures::flatten(core, o));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info().format, "flattened ELF");
  EXPECT_EQ(read(*d, 0x100000, 0x3000), a);
  std::vector<uint8_t> tail(16);
  auto st = d->read_phys(0x103000, tail);  // p_memsz > p_filesz: excluded
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::excluded);
  EXPECT_EQ(d->info().vmcoreinfo, "OSRELEASE=e\n");
}

TEST(DumpFlattened, MissingEndMarkerIsIncomplete) {
  FlattenOptions o;
  o.end_marker = false;
  auto d = open_ok(sample().build_flattened(o));
  ASSERT_TRUE(d);
  expect_sample(*d);
  ASSERT_EQ(d->info().warnings.size(), 1u);
  EXPECT_NE(d->info().warnings[0].find("test.flat: flattened stream ends at offset"), std::string::npos);
}

TEST(DumpFlattened, StreamCutMidRecord) {
  KdumpWriter w = sample();
  auto lay = w.layout();
  std::string flat = w.build_flattened();
  // Cut inside the data of the last page: the record keeps what it has.
  flat.resize(flat.size() - 16 - 10);
  auto d = open_ok(flat);
  ASSERT_TRUE(d);
  EXPECT_EQ(read(*d, 2 * kPage, kPage), compressible(2));
  std::vector<uint8_t> buf(8);
  auto st = d->read_phys(6 * kPage, buf);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::truncated);
  EXPECT_NE(st.error().message.find("test.flat (flattened)"), std::string::npos);
  EXPECT_NE(st.error().message.find(hex(lay.data_of.at(6))), std::string::npos);
}

TEST(DumpFlattened, HolesReadAsZeros) {
  std::string image = std::string(10, 'a') + std::string(5000, '\0') + "tail";
  auto src = std::make_unique<MemoryBytes>("holes", fixtures::flatten(image, {.record_size = 10}));
  auto f = FlattenedSource::index(std::move(src));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->size(), image.size());
  EXPECT_TRUE((*f)->complete());
  std::string back(image.size(), 'x');
  ASSERT_TRUE((*f)->read_exact(0, {reinterpret_cast<uint8_t*>(back.data()), back.size()}).ok());
  EXPECT_EQ(back, image);
  uint8_t one;
  auto st = (*f)->read_exact(image.size(), {&one, 1});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::truncated);
  EXPECT_NE(st.error().message.find("holes (flattened)"), std::string::npos);
}

TEST(DumpFlattened, BadRecordHeaderNamesStreamOffset) {
  std::string flat = sample().build_flattened({.record_size = 4096});
  // Second record header: after the 4096-byte header, 16 + 4096 bytes in.
  uint64_t at = 4096 + 16 + 4096;
  be64(flat, at + 8, 0);  // size 0
  Error e = open_err(flat);
  EXPECT_EQ(e.code, Errc::format);
  EXPECT_NE(e.message.find("bad.flat: flattened record at offset " + hex(at)), std::string::npos) << e.message;

  flat = sample().build_flattened({.record_size = 4096});
  be64(flat, at, static_cast<uint64_t>(-5));
  EXPECT_NE(open_err(flat).message.find("offset " + hex(at)), std::string::npos);

  flat = sample().build_flattened({.record_size = 4096});
  be64(flat, at, UINT64_MAX - 10);
  be64(flat, at + 8, 100);
  EXPECT_EQ(open_err(flat).code, Errc::format);
}

TEST(DumpFlattened, HugeRecordSizeIsTreatedAsTruncated) {
  std::string flat = sample().build_flattened({.record_size = 4096});
  be64(flat, 4096 + 8, 1ull << 62);  // first record claims 4 EiB
  // The first record now swallows the whole file; the payload header is
  // intact so the dump opens, flagged incomplete, and reads fail cleanly.
  auto r = open_dump(std::make_unique<MemoryBytes>("huge.flat", flat));
  if (r.ok()) {
    EXPECT_FALSE((*r)->info().warnings.empty());
  } else {
    EXPECT_NE(r.error().message.find("huge.flat"), std::string::npos);
  }
}

TEST(DumpFlattened, SparseImageCannotDriveHugeAllocations) {
  // One record far out makes the rearranged image 16 TiB of holes; header
  // sizes that "fit" in it must still be bounded by the bytes stored.
  std::string image = sample().build();
  uint32_t blocks = 0x7ffffffe;  // bitmaps of 8 TiB
  std::memcpy(image.data() + 436, &blocks, 4);
  std::string flat = fixtures::flatten(image, {.end_marker = false});
  std::string far(16, '\0');
  be64(far, 0, 1ull << 44);
  be64(far, 8, 1);
  flat += far + "x";
  flat += std::string(16, '\xff');
  Error e = open_err(flat);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_NE(e.message.find("bad.flat (flattened): kdump bitmaps"), std::string::npos) << e.message;

  // Same for an ELF whose e_phnum "fits" the sparse image.
  auto core = ElfCoreWriter().qemu_layout().pn_xnum().segment(0x1000, "abc").build();
  uint32_t phnum = 0xfffffff0;
  std::memcpy(core.data() + 0x40 + 44, &phnum, 4);
  flat = fixtures::flatten(core, {.end_marker = false}) + far + "x" + std::string(16, '\xff');
  e = open_err(flat);
  EXPECT_EQ(e.code, Errc::truncated);
  EXPECT_NE(e.message.find("program headers"), std::string::npos) << e.message;
}

TEST(DumpFlattened, BadFileHeader) {
  std::string flat = sample().build_flattened();
  {
    Error e = open_err(flat.substr(0, 100));
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_NE(e.message.find("bad.flat: makedumpfile flattened header truncated"), std::string::npos);
  }
  {
    std::string s = flat;
    be64(s, 16, 2);
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::unsupported);
    EXPECT_NE(e.message.find("offset 0x10"), std::string::npos);
  }
  {
    std::string s = flat;
    be64(s, 24, 7);
    EXPECT_NE(open_err(s).message.find("offset 0x18"), std::string::npos);
  }
  {
    // Header only, immediately terminated: nothing to read.
    std::string s = flat.substr(0, 4096) + std::string(16, '\xff');
    Error e = open_err(s);
    EXPECT_EQ(e.code, Errc::format);
    EXPECT_NE(e.message.find("no data records"), std::string::npos);
  }
}

TEST(DumpFlattened, NestedFlatteningIsRefused) {
  std::string twice = fixtures::flatten(sample().build_flattened());
  Error e = open_err(twice);
  EXPECT_NE(e.message.find("bad.flat (flattened)"), std::string::npos) << e.message;
}

TEST(DumpFlattened, ZeroCopyViewWithinOneRecord) {
  std::string image = pattern_bytes(8192, 5);
  auto f = FlattenedSource::index(std::make_unique<MemoryBytes>("v", fixtures::flatten(image, {.record_size = 4096})));
  ASSERT_TRUE(f.ok());
  auto v = (*f)->view(100, 200);
  ASSERT_EQ(v.size(), 200u);
  EXPECT_EQ(std::memcmp(v.data(), image.data() + 100, 200), 0);
  // Across two records the bytes are not contiguous in the stream.
  EXPECT_TRUE((*f)->view(4000, 200).empty());
}

}  // namespace
}  // namespace kinspect
