// Issue "Foundation": every format of a real dump opens, `sys` agrees with
// the guest's facts and with crash, and `rd -p` gives the same bytes from
// every format except pages a filtered dump excluded.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

const char* const kSamples[] = {"x86_64-sysrq", "arm64-sysrq", "x86_64-csd-lockup", "arm64-csd-lockup",
                                "x86_64-kdump", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"};

class EverySample : public ::testing::TestWithParam<const char*> {};

// crash's `sys` for one vmcore; for dumps crash cannot open (Debian's crash
// reads only x86_64), drgn's reading of the same fields.
// facts.env quotes values with blanks: 'softlockup: hung tasks'.
std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') return s.substr(1, s.size() - 2);
  return s;
}

std::string sys_oracle(const SampleDump& d, const std::string& vmcore) {
  std::string crash = d.crash_transcript(vmcore);
  if (field(crash, "RELEASE")) return crash;
  static std::map<std::string, std::string> drgn_by_dump;
  auto& cached = drgn_by_dump[d.name];
  if (cached.empty()) {
    RunResult r = run_drgn(d, "drgn_sys.py");
    cached = r.out + r.err;
  }
  return cached;
}

TEST_P(EverySample, SysMatchesFactsAndOraclesOnEveryFormat) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  auto vmcores = d.vmcores();
  ASSERT_FALSE(vmcores.empty()) << "no vmcore files for " << d.name;
  for (const auto& [key, path] : vmcores) {
    SCOPED_TRACE(key + " " + path);
    RunResult r = run_kinspect({"-s", d.path("VMLINUX"), path}, "sys\n");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(field(r.out, "RELEASE"), d.fact("release"));
    std::string oracle = sys_oracle(d, path);
    for (const char* f : {"RELEASE", "VERSION", "CPUS", "MEMORY", "DATE"}) {
      auto want = field(oracle, f);
      ASSERT_TRUE(want.has_value()) << "the oracle printed no " << f << ":\n" << oracle;
      EXPECT_EQ(field(r.out, f), want) << f;
    }
    // CPUS starts with the guest's CPU count.
    EXPECT_EQ(field(r.out, "CPUS").value_or("").substr(0, d.fact("cpus").size()), d.fact("cpus"));
    // crash prints these on x86_64; drgn_sys.py prints LOAD AVERAGE and PANIC.
    for (const char* f : {"LOAD AVERAGE", "PANIC"}) {
      auto want = field(oracle, f);
      ASSERT_TRUE(want.has_value()) << f << ":\n" << oracle;
      EXPECT_EQ(field(r.out, f), want) << f;
    }
    // UPTIME (jiffies since boot) as crash 8.0.2 prints it. Trixie's crash
    // 8.0.6 is wrong on 6.12: 00:03:48 where jiffies - INITIAL_JIFFIES is
    // 3827 ticks at HZ=250, i.e. the 15 s at which the guest's console shows
    // its panic; there the console's panic time is the reference (jiffies go
    // on in the panic loop until QEMU stops the guest a few seconds later).
    if (d.path("TOOLS") != "trixie") {
      if (auto want = field(oracle, "UPTIME")) EXPECT_EQ(field(r.out, "UPTIME"), want) << "UPTIME";
    } else {
      std::smatch pm;
      std::string console = file_text(d.path("CONSOLE_LOG"));
      ASSERT_TRUE(std::regex_search(console, pm, std::regex(R"(\[\s*([0-9]+)\.[0-9]+\] Kernel panic - not syncing)")));
      long want_s = std::stol(pm[1]);
      std::string up = field(r.out, "UPTIME").value_or("");
      int h = 0, m = 0, sec = 0;
      ASSERT_EQ(std::sscanf(up.c_str(), "%d:%d:%d", &h, &m, &sec), 3) << up;
      long got_s = h * 3600L + m * 60L + sec;
      EXPECT_GE(got_s, want_s - 1) << "UPTIME " << up << ", panic at " << want_s << " s";
      EXPECT_LE(got_s, want_s + 10) << "UPTIME " << up << ", panic at " << want_s << " s";
    }
    EXPECT_EQ(field(r.out, "PANIC").value_or(""), "\"Kernel panic - not syncing: " +
                                                      unquote(d.fact("panic_msg")) + "\"");
    // TASKS is the true count: the guest's tasks plus one idle task per CPU
    // (crash 8.0.2 counts only the handful it finds on 6.1).
    EXPECT_EQ(field(r.out, "TASKS"),
              std::to_string(std::stoi(d.fact("tasks")) + std::stoi(d.fact("cpus"))));
  }
}

TEST_P(EverySample, BothArgumentOrdersOpen) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  auto vmcores = d.vmcores();
  ASSERT_FALSE(vmcores.empty());
  RunResult r = run_kinspect({"-s", vmcores[0].second, d.path("VMLINUX")}, "sys\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(field(r.out, "RELEASE"), d.fact("release"));
}

// Pages spread over the guest's RAM (512 MiB guests): every format must give
// the reference ELF's bytes or say the page was excluded; never other bytes.
TEST_P(EverySample, RdPhysIsIdenticalAcrossFormats) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  auto vmcores = d.vmcores();
  std::string ref_path = d.reference_vmcore();
  ASSERT_FALSE(ref_path.empty());
  // arm64's RAM starts at 1 GiB on QEMU virt.
  uint64_t base = d.fact("arch") == "arm64" ? 0x40000000 : 0;
  std::string script;
  std::vector<uint64_t> addrs;
  for (uint64_t off = 0x100000; off < 0x1f000000; off += 0x1230000) addrs.push_back(base + off);
  for (uint64_t a : addrs) {
    char line[64];
    snprintf(line, sizeof line, "rd -p %llx 64\n", static_cast<unsigned long long>(a));
    script += line;
  }
  auto split = [&](const std::string& out) {
    // One block per command, keyed by the echoed command line.
    std::map<std::string, std::string> blocks;
    std::istringstream in(out);
    std::string line, cur;
    while (std::getline(in, line)) {
      if (line.rfind("kinspect> ", 0) == 0) cur = line.substr(10);
      else blocks[cur] += line + "\n";
    }
    return blocks;
  };
  RunResult ref = run_kinspect({"-s", d.path("VMLINUX"), ref_path}, script);
  auto want = split(ref.out);
  // A kdump's /proc/vmcore leaves out the crashkernel area; the rest must read.
  ASSERT_GE(want.size(), addrs.size() - 4) << ref.err;
  int compared_filtered = 0, excluded_seen = 0, filtered_files = 0;
  bool mdf_unsupported = file_text(d.path("DUMP_DIR") + "/.makedumpfile.log").find("kernel version is not supported") !=
                         std::string::npos;
  for (const auto& [key, path] : vmcores) {
    if (path == ref_path) continue;
    SCOPED_TRACE(key);
    RunResult r = run_kinspect({"-s", d.path("VMLINUX"), path}, script);
    auto got = split(r.out);
    // makedumpfile's outputs here were all made with -d 31 (MDF_*, and the
    // in-guest kdump's KDUMP_ZLIB).
    bool filtered = key.find("MDF") != std::string::npos || key == "VMCORE_KDUMP_ZLIB";
    filtered_files += filtered;
    for (const auto& [cmd, bytes] : want) {
      if (got.count(cmd)) {
        EXPECT_EQ(got[cmd], bytes) << cmd;
        if (filtered) ++compared_filtered;
      } else {
        // Only makedumpfile -d 31 outputs may leave pages out, and they say so.
        EXPECT_TRUE(filtered) << cmd << " missing from an unfiltered dump: " << r.err;
        ++excluded_seen;
      }
    }
    // A makedumpfile that says "The kernel version is not supported" (trixie's
    // 1.7.6 on 6.12.117 kept every page of the remade sample) must still read
    // the same bytes, but need not leave any page out.
    if (filtered && !mdf_unsupported) {
      EXPECT_NE(r.err.find("page excluded from dump"), std::string::npos) << r.err;
      EXPECT_EQ(r.status, 1);  // -c/stdin: a failed command makes the exit status non-zero
    }
  }
  // Filtered dumps both keep pages (equal bytes) and leave some out.
  if (filtered_files) {
    EXPECT_GT(compared_filtered, 0);
    if (!mdf_unsupported) EXPECT_GT(excluded_seen, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, EverySample, ::testing::ValuesIn(kSamples),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

TEST(BadInput, WrongVmlinuxIsRefused) {
  std::string why_x, why_a;
  auto x = load_sample("x86_64-sysrq", &why_x);
  auto a = load_sample("arm64-sysrq", &why_a);
  if (!x || !a) {
    if (getenv("KINSPECT_ALLOW_MISSING_SAMPLES")) GTEST_SKIP() << why_x << why_a;
    FAIL() << why_x << why_a;
  }
  RunResult r = run_kinspect({a->path("VMLINUX"), x->path("VMCORE_QEMU_ELF")}, "sys\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("does not match the dump"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(BadInput, TruncatedAndEmptyDumpsGiveOneLineNamingTheFile) {
  std::string why;
  auto x = load_sample("x86_64-sysrq", &why);
  if (!x) {
    if (getenv("KINSPECT_ALLOW_MISSING_SAMPLES")) GTEST_SKIP() << why;
    FAIL() << why;
  }
  char dir[] = "/tmp/kinspect-bad-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string empty = std::string(dir) + "/empty", trunc = std::string(dir) + "/trunc";
  ASSERT_EQ(run_shell(": > " + empty).status, 0);
  // The first 4 KiB of a kdump-compressed file: header, no bitmaps.
  ASSERT_EQ(run_shell("head -c 4096 " + x->path("VMCORE_MDF_ZLIB") + " > " + trunc).status, 0);
  for (const std::string& f : {empty, trunc}) {
    RunResult r = run_kinspect({x->path("VMLINUX"), f}, "sys\n");
    EXPECT_EQ(r.status, 1) << f;
    EXPECT_NE(r.err.find(f), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  run_shell(std::string("rm -rf ") + dir);
}

}  // namespace
