// runq on the sample dumps. The queued tasks equal drgn's walk of the same
// CFS trees and RT arrays (tests/integration/drgn_runq.py); on x86_64 every
// other line (CPU, RUNQUEUE, CURRENT, RT PRIO_ARRAY, CFS RB_ROOT) is the
// same bytes as crash's. crash 8.0.2 prints "[no tasks queued]" where it
// cannot name a queued task (it finds only the active ones on 6.1), so the
// queued lines are compared with drgn, not crash.
#include <gtest/gtest.h>

#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

class Runq : public ::testing::TestWithParam<const char*> {};

bool queued_line(const std::string& l) { return l.rfind("     [", 0) == 0; }

TEST_P(Runq, QueuedTasksEqualDrgnAndTheRestEqualsCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string core = d.reference_vmcore();
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), core}, "runq\n");
  ASSERT_EQ(k.status, 0) << k.err;
  std::vector<std::string> mine = lines_of(strip_echo(k.out));

  // "CPU 0 CFS 120 14 ksoftirqd/0" lines from drgn, in queue order.
  RunResult dr = run_drgn(d, "drgn_runq.py");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::vector<std::string> want = lines_of(dr.out), got;
  std::string cpu, queue;
  for (const auto& l : mine) {
    if (l.rfind("CPU ", 0) == 0) cpu = l.substr(4, l.find(' ', 4) - 4);
    if (l.rfind("  RT PRIO_ARRAY", 0) == 0) queue = "RT";
    if (l.rfind("  CFS RB_ROOT", 0) == 0) queue = "CFS";
    if (!queued_line(l) || l.find("no tasks queued") != std::string::npos) continue;
    // "     [120] PID: 14     TASK: ffff...  COMMAND: "ksoftirqd/0""
    int prio = std::stoi(l.substr(6, 3));
    std::istringstream f(l.substr(l.find("PID:") + 4));
    long pid;
    f >> pid;
    size_t q = l.find("COMMAND: \"") + 10;
    got.push_back("CPU " + cpu + " " + queue + " " + std::to_string(prio) + " " + std::to_string(pid) +
                  " " + l.substr(q, l.size() - q - 1));
  }
  EXPECT_EQ(got, want);
  EXPECT_GE(mine.size(), 5u * static_cast<size_t>(std::stoi(d.fact("cpus"))));

  if (d.fact("arch") != "x86_64") return;
  RunResult c = run_crash(d, core, "runq\n");
  ASSERT_EQ(c.status, 0) << c.err;
  std::vector<std::string> theirs;
  for (const auto& l : lines_of(c.out))
    if (!l.empty() && l.rfind("bt: ", 0) != 0 && !queued_line(l)) theirs.push_back(l);
  std::vector<std::string> ours;
  for (const auto& l : mine)
    if (!l.empty() && !queued_line(l)) ours.push_back(l);
  EXPECT_EQ(ours, theirs);
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, Runq,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump",
                                           "arm64-sysrq", "arm64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
                         SampleName());

TEST(RunqFlags, CpuSelectionAndUnimplementedFlagsSaySo) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.reference_vmcore()}, "runq -c 1\nrunq -g\n");
  EXPECT_NE(k.status, 0);
  std::string out = strip_echo(k.out);
  EXPECT_EQ(out.rfind("CPU 1 RUNQUEUE: ", 0), 0u) << out;
  EXPECT_EQ(out.find("CPU 0 "), std::string::npos) << out;
  EXPECT_NE(k.err.find("runq: -g is not implemented yet"), std::string::npos) << k.err;
}

}  // namespace
