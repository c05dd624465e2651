// Cross-check against an independent reader: Debian's libkdumpfile (python3
// bindings, 0.5.1) reads the files our writers produce, and every page must
// match what our readers return — same bytes, and excluded where we say
// excluded. libkdumpfile 0.5.1 cannot open flattened streams ("Unknown file
// format"), so those are rearranged with Debian's `makedumpfile -R` first;
// the rearranged file must also equal FlattenedSource's view byte for byte.
// Skipped (GTEST_SKIP) only when /usr/bin/python3 cannot import kdumpfile.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/dump/dump.hpp"
#include "core/dump/flattened_source.hpp"
#include "tests/fixtures/elf_core_writer.hpp"
#include "tests/fixtures/kdump_writer.hpp"

namespace kinspect {
namespace {

using fixtures::ElfCoreWriter;
using fixtures::KdumpCompression;
using fixtures::KdumpWriter;
using fixtures::pattern_bytes;

constexpr const char* kPython = "/usr/bin/python3";

// Prints, per pfn: "<pfn> DATA <hex>", or for a page libkdumpfile has no data
// for (its NoDataException says "Excluded page" for holes too) "EXCLUDED" /
// "ABSENT" by its memory.pagemap (the 1st bitmap), "NODATA" when it has no
// pagemap (ELF); then the VMCOREINFO blob in hex.
constexpr const char* kScript = R"PY(
import sys, kdumpfile
from kdumpfile.exceptions import NoDataException
k = kdumpfile.kdumpfile(sys.argv[1])
ps = k.attr["arch.page_size"]
print("PAGESIZE", ps)
try:
    mp = k.attr["memory.pagemap"]
except KeyError:
    mp = None
def kind(pfn):
    if mp is None:
        return "NODATA"
    return "EXCLUDED" if mp.get_bits(pfn, pfn)[0] & 1 else "ABSENT"
for a in sys.argv[2:]:
    pfn = int(a, 0)
    try:
        print(pfn, "DATA", bytes(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * ps, ps)).hex())
    except NoDataException as e:
        print(pfn, kind(pfn))
try:
    print("VMCOREINFO", bytes(k.attr["linux.vmcoreinfo.raw"]).hex())
except KeyError:
    print("VMCOREINFO none")
)PY";

struct CmdResult {
  int rc = -1;
  std::string out;
};

CmdResult run(const std::string& cmd) {
  CmdResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.rc = ::pclose(p);
  return r;
}

bool have_libkdumpfile() {
  return run(std::string(kPython) + " -c 'import kdumpfile' 2>/dev/null").rc == 0;
}
bool have_makedumpfile() { return run("makedumpfile -v >/dev/null 2>&1").rc == 0; }

std::string to_hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += d[c >> 4], out += d[c & 15];
  return out;
}

class DumpLibkdumpfile : public testing::Test {
 protected:
  void SetUp() override {
    if (!have_libkdumpfile()) GTEST_SKIP() << "/usr/bin/python3 cannot import kdumpfile (python3-libkdumpfile)";
    dir_ = std::filesystem::temp_directory_path() / ("kinspect-libkdumpfile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    script_ = (dir_ / "read.py").string();
    std::ofstream(script_) << kScript;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Runs libkdumpfile over `path` for the pfns and compares with our reader
  // over `ours` (the same file, or its flattened original).
  void compare(const std::string& path, const std::string& ours, const std::vector<uint64_t>& pfns,
               const std::string& vmcoreinfo) {
    std::string cmd = std::string(kPython) + " " + script_ + " " + path;
    for (uint64_t p : pfns) cmd += " " + std::to_string(p);
    CmdResult r = run(cmd + " 2>&1");
    ASSERT_EQ(r.rc, 0) << r.out;
    auto d = open_dump(ours);
    ASSERT_TRUE(d.ok()) << d.error().message;
    std::istringstream in(r.out);
    std::string word;
    uint32_t ps = 0;
    in >> word >> ps;
    ASSERT_EQ(word, "PAGESIZE");
    EXPECT_EQ(ps, (*d)->info().page_size ? (*d)->info().page_size : 4096u);
    size_t compared = 0;
    for (size_t i = 0; i < pfns.size(); ++i) {
      uint64_t pfn;
      std::string kind, data;
      in >> pfn >> kind;
      ASSERT_EQ(pfn, pfns[i]) << r.out;
      std::string mine(ps, '\0');
      auto st = (*d)->read_phys(pfn * ps, {reinterpret_cast<uint8_t*>(mine.data()), mine.size()});
      if (kind == "DATA") {
        in >> data;
        ASSERT_TRUE(st.ok()) << "pfn " << pfn << ": " << st.error().message;
        EXPECT_EQ(to_hex(mine), data) << "pfn " << pfn << " differs in " << path;
        ++compared;
      } else if (kind == "EXCLUDED") {
        ASSERT_FALSE(st.ok()) << "pfn " << pfn << " excluded for libkdumpfile, readable for us";
        EXPECT_EQ(st.error().code, Errc::excluded) << st.error().message;
      } else if (kind == "ABSENT") {
        ASSERT_FALSE(st.ok()) << "pfn " << pfn << " absent for libkdumpfile, readable for us";
        EXPECT_EQ(st.error().code, Errc::not_present) << st.error().message;
      } else {
        ASSERT_FALSE(st.ok()) << "pfn " << pfn << " absent for libkdumpfile, readable for us";
        EXPECT_TRUE(st.error().code == Errc::excluded || st.error().code == Errc::not_present);
      }
    }
    EXPECT_GT(compared, 0u);
    std::string data;
    in >> word >> data;
    ASSERT_EQ(word, "VMCOREINFO");
    EXPECT_EQ(data, vmcoreinfo.empty() ? "none" : to_hex(vmcoreinfo));
    EXPECT_EQ((*d)->info().vmcoreinfo, vmcoreinfo);
  }

  std::string write(const std::string& leaf, const std::string& bytes) {
    std::string p = (dir_ / leaf).string();
    EXPECT_TRUE(fixtures::write_bytes(p, bytes).ok());
    return p;
  }

  std::filesystem::path dir_;
  std::string script_;
};

const std::string kVmcoreinfo = "OSRELEASE=6.1.0-cross\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82a0e2c0\n";
const std::vector<uint64_t> kPfns = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x20, 0x3f};

std::string text_page(uint64_t seed, size_t size = 4096) {
  std::string p;
  while (p.size() < size) p += "cross-check page " + std::to_string(seed) + " ";
  p.resize(size);
  return p;
}

KdumpWriter variant(KdumpCompression c) {
  KdumpWriter w;
  w.compression(c)
      .vmcoreinfo(kVmcoreinfo)
      .prstatus(1, std::vector<uint64_t>(27, 9))
      .page(1, text_page(1))
      .page(2, pattern_bytes(4096, 2))
      .page(3, std::string(4096, '\0'))
      .excluded(4)
      .excluded(5)
      .page(6, text_page(6))
      .page(8, text_page(8))
      .page(0x20, pattern_bytes(4096, 0x20))
      .max_mapnr(0x40);
  return w;
}

TEST_F(DumpLibkdumpfile, EveryCompression) {
  const std::pair<KdumpCompression, const char*> kinds[] = {
      {KdumpCompression::none, "none"}, {KdumpCompression::zlib, "zlib"}, {KdumpCompression::lzo, "lzo"},
      {KdumpCompression::snappy, "snappy"}, {KdumpCompression::zstd, "zstd"}};
  for (auto [c, name] : kinds) {
    SCOPED_TRACE(name);
    std::string p = write(std::string("v.") + name, variant(c).build());
    compare(p, p, kPfns, kVmcoreinfo);
  }
}

TEST_F(DumpLibkdumpfile, HeaderVersionsAndBlockSizes) {
  for (int v : {3, 4, 5}) {
    SCOPED_TRACE(v);
    std::string p = write("v" + std::to_string(v), variant(KdumpCompression::zlib).header_version(v).build());
    compare(p, p, kPfns, kVmcoreinfo);
  }
  std::string p16 = write("bs16k", KdumpWriter()
                                      .block_size(16384)
                                      .vmcoreinfo("PAGESIZE=16384\n")
                                      .page(1, text_page(1, 16384))
                                      .excluded(2)
                                      .page(3, pattern_bytes(16384, 3))
                                      .build());
  compare(p16, p16, {0, 1, 2, 3}, "PAGESIZE=16384\n");
}

TEST_F(DumpLibkdumpfile, FlattenedViaMakedumpfileRearrange) {
  if (!have_makedumpfile()) GTEST_SKIP() << "makedumpfile not installed";
  for (auto c : {KdumpCompression::zlib, KdumpCompression::lzo, KdumpCompression::zstd}) {
    fixtures::FlattenOptions o;
    o.record_size = 1000;
    o.decoy_rewrites = true;
    o.reverse = c == KdumpCompression::lzo;
    std::string flat = write("f.flat", variant(c).build_flattened(o));
    std::string rearranged = (dir_ / "f.rearranged").string();
    std::filesystem::remove(rearranged);  // makedumpfile -R refuses to overwrite
    CmdResult r = run("makedumpfile -R " + rearranged + " < " + flat + " 2>&1");
    ASSERT_EQ(r.rc, 0) << r.out;
    compare(rearranged, flat, kPfns, kVmcoreinfo);

    // FlattenedSource's image equals what makedumpfile -R wrote.
    auto src = MappedFile::open(flat);
    ASSERT_TRUE(src.ok());
    auto f = FlattenedSource::index(std::unique_ptr<ByteSource>(std::move(*src)));
    ASSERT_TRUE(f.ok()) << f.error().message;
    std::ifstream in(rearranged, std::ios::binary);
    std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ((*f)->size(), want.size());
    std::string got(want.size(), '\0');
    ASSERT_TRUE((*f)->read_exact(0, {reinterpret_cast<uint8_t*>(got.data()), got.size()}).ok());
    EXPECT_TRUE(got == want) << "FlattenedSource differs from makedumpfile -R output";
  }
}

TEST_F(DumpLibkdumpfile, ElfCores) {
  std::string a = text_page(1) + pattern_bytes(4096, 2);
  std::string plain = write("plain.elf", ElfCoreWriter()
                                             .vmcoreinfo(kVmcoreinfo)
                                             .prstatus(1, std::vector<uint64_t>(27, 1))
                                             .segment(0x1000, a)
                                             .segment(0x8000, text_page(8), 0x3000)
                                             .build());
  // 9 and 10 lie in the p_memsz > p_filesz tail: no data for libkdumpfile,
  // excluded for us (makedumpfile -E stores filtered pages that way).
  compare(plain, plain, {1, 2, 8, 9, 10, 11}, kVmcoreinfo);
  std::string qemu = write("qemu.elf", ElfCoreWriter()
                                           .qemu_layout()
                                           .vmcoreinfo(kVmcoreinfo)
                                           .qemu_cpu(std::string(64, 'q'))
                                           .segment(0x1000, a)
                                           .build());
  compare(qemu, qemu, {1, 2}, kVmcoreinfo);
}

}  // namespace
}  // namespace kinspect
