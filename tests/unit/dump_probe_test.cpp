// open_dump's probe table: by path and by source, unknown and empty files,
// and a sweep of truncations and byte flips over every fixture kind that
// must end in either a dump or one error naming the file — never a crash.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "core/dump/dump.hpp"
#include "tests/fixtures/elf_core_writer.hpp"
#include "tests/fixtures/kdump_writer.hpp"

namespace kinspect {
namespace {

using fixtures::ElfCoreWriter;
using fixtures::KdumpCompression;
using fixtures::KdumpWriter;
using fixtures::pattern_bytes;

std::string temp_path(const std::string& leaf) {
  auto dir = std::filesystem::temp_directory_path() / ("kinspect-dump-probe-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / leaf).string();
}

TEST(DumpProbe, OpensFilesByPath) {
  std::string elf = temp_path("x.elf"), kd = temp_path("x.kdump"), flat = temp_path("x.flat");
  std::string page = pattern_bytes(4096, 1);
  ASSERT_TRUE(ElfCoreWriter().segment(0x2000, page).write_file(elf).ok());
  ASSERT_TRUE(KdumpWriter().page(2, page).write_file(kd).ok());
  ASSERT_TRUE(fixtures::write_bytes(flat, KdumpWriter().page(2, page).build_flattened()).ok());
  for (const auto& [p, fmt] : {std::pair{elf, "ELF"}, {kd, "kdump-compressed (zlib, filtered -d 31)"},
                               {flat, "flattened kdump-compressed (zlib, filtered -d 31)"}}) {
    auto d = open_dump(p);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ((*d)->path(), p);
    EXPECT_EQ((*d)->info().format, fmt);
    std::string back(4096, '\0');
    ASSERT_TRUE((*d)->read_phys(0x2000, {reinterpret_cast<uint8_t*>(back.data()), back.size()}).ok());
    EXPECT_EQ(back, page);
  }
  std::filesystem::remove_all(std::filesystem::path(elf).parent_path());
}

TEST(DumpProbe, MissingFile) {
  auto d = open_dump("/nonexistent/vmcore");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::io);
  EXPECT_NE(d.error().message.find("/nonexistent/vmcore"), std::string::npos);
}

TEST(DumpProbe, EmptyFile) {
  std::string p = temp_path("empty");
  ASSERT_TRUE(fixtures::write_bytes(p, "").ok());
  auto d = open_dump(p);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::format);
  EXPECT_NE(d.error().message.find(p + ": file is empty"), std::string::npos);
  std::filesystem::remove(p);
}

TEST(DumpProbe, UnknownFormat) {
  auto d = open_dump(std::make_unique<MemoryBytes>("notes.txt", "hello, world\n"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::format);
  EXPECT_EQ(d.error().message,
            "notes.txt: not a kernel crash dump: unrecognised header at offset 0x0 (\"hello, w\"); "
            "expected ELF, KDUMP or makedumpfile");
  d = open_dump(std::make_unique<MemoryBytes>("tiny", "\x7f"));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("tiny: not a kernel crash dump"), std::string::npos);
}

// Every prefix length near the interesting boundaries and a spread of
// single-byte corruptions: the result is a Dump or an error naming the file.
void sweep(const std::string& good, const std::string& name) {
  std::vector<size_t> cuts;
  for (size_t n = 0; n < std::min<size_t>(good.size(), 600); n += 7) cuts.push_back(n);
  for (size_t n = 0; n < good.size(); n += 509) cuts.push_back(n);
  auto probe = [&](std::string bytes) {
    auto d = open_dump(std::make_unique<MemoryBytes>(name, std::move(bytes)));
    if (!d.ok()) {
      EXPECT_NE(d.error().message.find(name), std::string::npos) << d.error().message;
      return;
    }
    for (const auto& r : (*d)->ranges()) {
      uint8_t buf[64];
      auto st = (*d)->read_phys(r.start, buf);
      if (!st.ok()) {
        EXPECT_NE(st.error().message.find(name), std::string::npos) << st.error().message;
      }
    }
  };
  for (size_t n : cuts) probe(good.substr(0, n));
  for (size_t i = 0; i < good.size(); i += 97) {
    std::string s = good;
    s[i] = static_cast<char>(s[i] ^ 0x5a);
    probe(std::move(s));
  }
}

TEST(DumpProbe, TruncationAndCorruptionSweep) {
  std::vector<uint64_t> regs(27, 3);
  KdumpWriter k;
  k.page(1, pattern_bytes(4096, 1)).page(2, std::string(4096, 'x')).excluded(3).vmcoreinfo("A=1\n").prstatus(1, regs);
  sweep(k.build(), "sweep.kdump");
  sweep(k.compression(KdumpCompression::lzo).build_flattened({.record_size = 512}), "sweep.flat");
  sweep(ElfCoreWriter().qemu_layout().pn_xnum().prstatus(1, regs).segment(0x1000, std::string(8192, 'e')).build(),
        "sweep.elf");
}

}  // namespace
}  // namespace kinspect
