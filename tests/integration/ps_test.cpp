// ps on the sample dumps: the task list equals drgn's (pid, ppid, cpu,
// state, comm), the count equals the guest's own count, the panic task is
// active, and the rows crash 8.0.2 lists (it finds only the active tasks on
// these 6.1 kernels) are the same bytes, PPID aside (crash prints -1 for a
// parent it did not find).
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

struct Row {
  bool active = false;
  long pid = 0, ppid = 0;
  int cpu = 0;
  std::string task, st, comm, line;
};

std::vector<Row> parse_ps(const std::string& text) {
  std::vector<Row> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 70 || line.find("PID    PPID") != std::string::npos) continue;
    Row r;
    r.line = line;
    r.active = line[0] == '>';
    std::istringstream f(line.substr(2));
    std::string pct, vsz, rss;
    if (!(f >> r.pid >> r.ppid >> r.cpu >> r.task >> r.st >> pct >> vsz >> rss)) continue;
    r.comm = line.substr(69);
    if (r.comm.size() > 2 && r.comm.front() == '[' && r.comm.back() == ']')
      r.comm = r.comm.substr(1, r.comm.size() - 2);
    rows.push_back(r);
  }
  return rows;
}

// drgn's letter (the kernel's task_state_to_char) for crash's state name.
// TASK_WAKING (crash's WA) is outside TASK_REPORT, so the kernel, and drgn,
// report a task caught mid-wakeup as R.
char drgn_char(const std::string& st) {
  static const std::map<std::string, char> m = {{"RU", 'R'}, {"IN", 'S'}, {"UN", 'D'}, {"ID", 'I'},
                                                {"ST", 'T'}, {"TR", 't'}, {"ZO", 'Z'}, {"DE", 'X'},
                                                {"PA", 'P'}, {"WA", 'R'}};
  auto it = m.find(st);
  return it == m.end() ? '?' : it->second;
}

class Ps : public ::testing::TestWithParam<const char*> {};

TEST_P(Ps, ListsDrgnsTasksAndTheGuestsCount) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult r = run_kinspect({d.path("VMLINUX"), d.reference_vmcore()}, "ps\n");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<Row> rows = parse_ps(strip_echo(r.out));
  ASSERT_FALSE(rows.empty()) << r.out;

  // Non-idle tasks: the guest's count.
  size_t non_idle = 0;
  for (const auto& row : rows) non_idle += row.pid != 0;
  EXPECT_EQ(std::to_string(non_idle), d.fact("tasks"));
  // One idle task per CPU.
  EXPECT_EQ(std::to_string(rows.size() - non_idle), d.fact("cpus"));

  bool panic_seen = false;
  for (const auto& row : rows) {
    if (std::to_string(row.pid) != d.fact("panic_pid")) continue;
    panic_seen = true;
    EXPECT_EQ(row.comm, d.fact("panic_comm"));
    EXPECT_TRUE(row.active) << row.line;
    EXPECT_EQ(std::to_string(row.cpu), d.fact("panic_cpu"));
    EXPECT_EQ(row.st, "RU");
  }
  EXPECT_TRUE(panic_seen);

  RunResult dr = run_drgn(d, "drgn_ps.py");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::map<std::string, std::string> want, got;
  std::istringstream in(dr.out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string pid, ppid, cpu, st, comm, task;
    f >> pid >> ppid >> cpu >> st;
    std::string rest;
    std::getline(f, rest);
    auto sp = rest.rfind(' ');
    task = rest.substr(sp + 3);  // drop " 0x"
    comm = rest.substr(1, sp - 1);
    want[task] = pid + " " + ppid + " " + cpu + " " + st + " " + comm;
  }
  for (const auto& row : rows) {
    if (row.pid == 0) continue;
    got[row.task] = std::to_string(row.pid) + " " + std::to_string(row.ppid) + " " +
                    std::to_string(row.cpu) + " " + drgn_char(row.st) + " " + row.comm;
  }
  EXPECT_EQ(got.size(), want.size());
  for (const auto& [task, w] : want) EXPECT_EQ(got[task], w) << "task " << task;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, Ps,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump",
                                           "arm64-sysrq", "arm64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
                         SampleName());

// crash 8.0.2 (x86_64 only) lists the active tasks and the idle tasks:
// those rows match byte for byte except PPID.
TEST(PsCrash, RowsMatchCrashsLayout) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  std::string core = d.path("VMCORE_QEMU_ELF");
  RunResult c = run_crash(d, core, "ps\n");
  ASSERT_EQ(c.status, 0) << c.err;
  RunResult k = run_kinspect({d.path("VMLINUX"), core}, "ps\n");
  ASSERT_EQ(k.status, 0) << k.err;
  std::string kout = strip_echo(k.out);
  EXPECT_NE(c.out.find("      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n"),
            std::string::npos);
  EXPECT_NE(kout.find("      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n"),
            std::string::npos);
  std::map<std::string, Row> mine;
  for (const auto& r : parse_ps(kout)) mine[r.task] = r;
  int compared = 0;
  for (const auto& r : parse_ps(c.out)) {
    auto it = mine.find(r.task);
    ASSERT_NE(it, mine.end()) << "kinspect lacks " << r.line;
    std::string a = r.line, b = it->second.line;
    ASSERT_EQ(a.size(), b.size()) << a << "\n" << b;
    if (r.ppid == -1) a.replace(9, 8, 8, ' '), b.replace(9, 8, 8, ' ');
    EXPECT_EQ(b, a);
    ++compared;
  }
  EXPECT_GE(compared, 5);
}

class PsCrashLines : public ::testing::TestWithParam<const char*> {};

// The lines crash prints for the tasks it knows (active and idle ones) are
// kinspect's too, in the same order (kinspect lists more, e.g. init as a
// child of swapper/0).
TEST_P(PsCrashLines, MatchCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  std::string core = d.path("VMCORE_QEMU_ELF");
  std::string cmd = std::string(GetParam()) + "\n";
  RunResult c = run_crash(d, core, cmd);
  ASSERT_EQ(c.status, 0) << c.err;
  RunResult k = run_kinspect({d.path("VMLINUX"), core}, cmd);
  ASSERT_EQ(k.status, 0) << k.err;
  std::string kout = strip_echo(k.out);
  std::istringstream in(c.out);
  std::string line;
  size_t at = 0;
  int compared = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.find("PID hash") != std::string::npos) continue;
    size_t pos = kout.find(line + "\n", at);
    EXPECT_NE(pos, std::string::npos) << "kinspect lacks or misorders: " << line;
    if (pos != std::string::npos) at = pos + line.size() + 1;
    ++compared;
  }
  EXPECT_GE(compared, 1);
}

INSTANTIATE_TEST_SUITE_P(Flags, PsCrashLines, ::testing::Values("ps -l", "ps -c 0", "ps -S", "ps -m", "ps -t",
                                                           "set", "set -c 0", "set -c 3"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n;
                           for (char ch : std::string(info.param))
                             if (std::isalnum(static_cast<unsigned char>(ch))) n += ch;
                           return n;
                         });

}  // namespace
