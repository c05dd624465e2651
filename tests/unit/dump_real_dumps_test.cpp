// Real sample dumps (sample-dumps/, made under ~/.cache/kinspect/dumps/NAME/):
// every vmcore.* file must open, carry the same VMCOREINFO and CPU notes as
// QEMU's unfiltered ELF, and every page the unfiltered ELF holds must read
// back identical from each other file or be reported excluded (never absent,
// never different). Opt-in because it reads a few GiB:
//
//   KINSPECT_REAL_DUMPS=1 build/tests/kinspect_unit --gtest_filter='DumpRealDumps*'
//   KINSPECT_REAL_DUMPS=/path/to/dumps ...        (default $KINSPECT_CACHE/dumps,
//                                                  or ~/.cache/kinspect/dumps)
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/dump/dump.hpp"

namespace kinspect {
namespace {

namespace fs = std::filesystem;

fs::path dumps_root() {
  const char* env = std::getenv("KINSPECT_REAL_DUMPS");
  if (!env || !*env) return {};
  if (std::string(env) != "1") return env;
  if (const char* cache = std::getenv("KINSPECT_CACHE"); cache && *cache) return fs::path(cache) / "dumps";
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/root") / ".cache/kinspect/dumps";
}

std::map<std::string, std::string> read_env(const fs::path& p) {
  std::map<std::string, std::string> kv;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line.empty() || line[0] == '#') continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"')) v = v.substr(1, v.size() - 2);
    kv[line.substr(0, eq)] = v;
  }
  return kv;
}

// The format each producer's file must report.
std::string expected_format(const std::string& leaf) {
  static const std::map<std::string, std::string> kFormats = {
      {"vmcore.qemu.elf", "ELF"},
      {"vmcore.qemu-paging.elf", "ELF"},
      {"vmcore.mdf.elf", "ELF"},
      {"vmcore.mdf-zlib", "kdump-compressed (zlib, filtered -d 31)"},
      {"vmcore.mdf-zlib.unflat", "kdump-compressed (zlib, filtered -d 31)"},
      {"vmcore.mdf-zlib.flat", "flattened kdump-compressed (zlib, filtered -d 31)"},
      {"vmcore.mdf-lzo", "kdump-compressed (lzo, filtered -d 31)"},
      // trixie's makedumpfile 1.7.6 -z (x86_64-trixie-sysrq, arm64-trixie-sysrq)
      {"vmcore.mdf-zstd", "kdump-compressed (zstd, filtered -d 31)"},
  };
  auto it = kFormats.find(leaf);
  return it == kFormats.end() ? "" : it->second;
}

struct Tally {
  uint64_t same = 0, excluded = 0, absent = 0, differ = 0, other = 0;
};

TEST(DumpRealDumps, EveryFileMatchesTheUnfilteredElf) {
  fs::path root = dumps_root();
  if (root.empty()) GTEST_SKIP() << "set KINSPECT_REAL_DUMPS=1 (or a dumps directory) to run";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " does not exist (run sample-dumps/make.sh)";
  size_t checked = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    fs::path ref_path = dir.path() / "vmcore.qemu.elf";
    if (!fs::exists(ref_path)) continue;
    auto facts = read_env(dir.path() / "facts.env");
    SCOPED_TRACE(dir.path().filename().string());
    auto ref = open_dump(ref_path.string());
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    const DumpInfo& ri = (*ref)->info();
    EXPECT_FALSE(ri.vmcoreinfo.empty());
    EXPECT_EQ(ri.machine, facts["arch"] == "arm64" ? DumpMachine::aarch64 : DumpMachine::x86_64);
    if (!facts["cpus"].empty()) {
      EXPECT_EQ(ri.prstatus.size(), std::stoul(facts["cpus"]));
    }

    for (const auto& f : fs::directory_iterator(dir.path())) {
      std::string leaf = f.path().filename().string();
      if (leaf.rfind("vmcore.", 0) != 0 || leaf == "vmcore.qemu.elf") continue;
      // bookworm's makedumpfile on a 6.12 kernel: kernel pages are missing
      // by design (a partial dump, sample-dumps/convert.sh); not compared.
      if (leaf == "vmcore.bookworm-mdf-zlib") continue;
      SCOPED_TRACE(leaf);
      auto d = open_dump(f.path().string());
      ASSERT_TRUE(d.ok()) << d.error().message;
      const DumpInfo& di = (*d)->info();
      std::string want = expected_format(leaf);
      if (leaf.rfind("vmcore.qemu-kdump", 0) == 0) {
        // QEMU's kdump-zlib: zero pages are shared, not excluded; QEMU
        // writes dump_level 1 in the sub header.
        EXPECT_NE(di.format.find("kdump-compressed (zlib"), std::string::npos) << di.format;
        EXPECT_EQ(di.format.rfind("flattened ", 0) == 0, leaf.ends_with(".flat")) << di.format;
      } else if (!want.empty()) {
        EXPECT_EQ(di.format, want);
      }
      EXPECT_EQ(di.machine, ri.machine);
      EXPECT_EQ(di.vmcoreinfo, ri.vmcoreinfo);
      ASSERT_EQ(di.prstatus.size(), ri.prstatus.size());
      for (size_t i = 0; i < di.prstatus.size(); ++i) {
        EXPECT_EQ(di.prstatus[i].pid, ri.prstatus[i].pid);
        EXPECT_EQ(di.prstatus[i].regs, ri.prstatus[i].regs);
      }
      for (const auto& w : di.warnings) ADD_FAILURE() << "warning: " << w;

      // Every page of the reference, compared.
      Tally t;
      std::vector<uint8_t> a(4096), b(4096);
      for (const auto& r : (*ref)->ranges()) {
        for (uint64_t p = r.start & ~uint64_t{4095}; p < r.end; p += 4096) {
          if (!(*ref)->read_phys(p, a).ok()) continue;
          auto st = (*d)->read_phys(p, b);
          if (st.ok()) {
            if (a == b) {
              ++t.same;
            } else if (++t.differ <= 3) {
              ADD_FAILURE() << "page at " << hex(p) << " differs";
            }
          } else if (st.error().code == Errc::excluded) {
            ++t.excluded;
          } else if (st.error().code == Errc::not_present) {
            // Only where the file says it has no memory: makedumpfile stops
            // at the last RAM pfn (QEMU's ELF also holds the BIOS ROM at
            // 0xfffc0000); a paging-mode QEMU dump holds mapped memory only.
            ++t.absent;
            for (const auto& dr : (*d)->ranges())
              if (p >= dr.start && p < dr.end && ++t.other <= 3) ADD_FAILURE() << "absent inside a range: " << hex(p);
          } else if (++t.other <= 3) {
            ADD_FAILURE() << st.error().message;
          }
        }
      }
      bool filtered = leaf.rfind("vmcore.mdf", 0) == 0;
      std::printf("  %-20s %-24s %-52s same %7llu excluded %7llu absent %5llu\n",
                  dir.path().filename().c_str(), leaf.c_str(), di.format.c_str(),
                  static_cast<unsigned long long>(t.same), static_cast<unsigned long long>(t.excluded),
                  static_cast<unsigned long long>(t.absent));
      EXPECT_EQ(t.differ, 0u);
      EXPECT_EQ(t.other, 0u);
      EXPECT_GT(t.same, 0u);
      if (!filtered) {
        EXPECT_EQ(t.excluded, 0u);
      }
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no sample dumps under " << root;
}

}  // namespace
}  // namespace kinspect
