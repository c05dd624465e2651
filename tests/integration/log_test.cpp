// log against the oracles: crash's `log`, `log -t`, `log -m`, `log -d`,
// `log -T` line for line on the x86_64 samples; on arm64 (crash cannot read
// it) the records equal drgn's get_printk_records, rendered in crash's layout.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/sample_dump.hpp"

namespace kinspect::testing {
namespace {

std::vector<std::string> lines(const std::string& text, bool skip_crash_noise) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.empty() && v.empty()) continue;
    if (skip_crash_noise && v.empty() && l.rfind("bt: ", 0) == 0) continue;
    v.push_back(l);
  }
  while (!v.empty() && v.back().empty()) v.pop_back();
  return v;
}

class X86Log : public ::testing::TestWithParam<const char*> {};

TEST_P(X86Log, MatchesCrashLineForLine) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string vmcore = d.reference_vmcore();
  for (std::string cmd : {"log", "log -t", "log -m", "log -d", "log -T", "log -tmd"}) {
    SCOPED_TRACE(cmd);
    // log -T adds the boot time, which crash takes from its uptime: trixie's
    // crash 8.0.6 has 6.12's uptime wrong (00:03:48 for 15 s of jiffies, see
    // open_dump_test), so its -T times are 213 s early there.
    if (cmd == "log -T" && d.path("TOOLS") == "trixie") continue;
    RunResult crash = run_crash(d, vmcore, cmd + "\n");
    ASSERT_EQ(crash.status, 0) << crash.err;
    RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), vmcore}, cmd + "\n");
    ASSERT_EQ(ki.status, 0) << ki.err;
    // crash -s leaves blank lines around its output, and on some dumps
    // prints startup complaints ("bt: read of stack ... failed") first.
    std::vector<std::string> want = lines(crash.out, true), got = lines(strip_echo(ki.out), false);
    ASSERT_GT(want.size(), 100u);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << "line " << i + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, X86Log, ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

constexpr const char* kDrgnLog = R"(
import sys, drgn
from drgn.helpers.linux.printk import get_printk_records
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])
out = []
for r in get_printk_records(prog):
    head = "[%5d.%06d] " % (r.timestamp // 1000000000, r.timestamp % 1000000000 // 1000)
    t = "".join(chr(b) if (32 <= b < 127 or b in (9, 10, 11, 12, 13)) else "." for b in r.text)
    out.append(head + t.replace("\n", "\n" + " " * len(head)))
sys.stdout.write("\n".join(out) + "\n")
)";

class LogDrgn : public ::testing::TestWithParam<const char*> {};

// Every sample's log is drgn's get_printk_records, record for record.
TEST_P(LogDrgn, RecordsEqualDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult drgn = run_drgn(d, "-", kDrgnLog);
  ASSERT_EQ(drgn.status, 0) << drgn.err;
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), d.reference_vmcore()}, "log\n");
  ASSERT_EQ(ki.status, 0) << ki.err;
  std::string got = strip_echo(ki.out);
  while (!got.empty() && got.front() == '\n') got.erase(0, 1);
  ASSERT_GT(drgn.out.size(), 1000u);
  EXPECT_EQ(got, drgn.out);
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, LogDrgn,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump",
                                           "arm64-sysrq", "arm64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
                         SampleName());

}  // namespace
}  // namespace kinspect::testing
