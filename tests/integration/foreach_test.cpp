// foreach on a real dump: selectors pick the tasks the guest made (facts),
// each runs in its own context, the context comes back, and a failing task
// is reported in place while the walk goes on.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

std::set<std::string> pids_in(const std::string& out, const std::string& pattern) {
  std::set<std::string> pids;
  std::regex re(pattern);
  for (std::sregex_iterator it(out.begin(), out.end(), re), end; it != end; ++it) pids.insert((*it)[1]);
  return pids;
}

std::set<std::string> split_csv(const std::string& s) {
  std::set<std::string> out;
  std::stringstream in(s);
  for (std::string x; std::getline(in, x, ',');) out.insert(x);
  return out;
}

class Foreach : public ::testing::TestWithParam<const char*> {};

// On the sysrq sample of every kernel and architecture.
TEST_P(Foreach, SelectorsContextsAndFailures) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult r = run_kinspect({"-s", "--no-rc", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")},
                             "foreach sleep task -R pid\n"
                             "foreach 'mthread' ps\n"
                             "foreach active set\n"
                             "set\n"
                             "foreach 1 2 task -R no_such_member\n"
                             "foreach kernel UN ps\n");
  EXPECT_NE(r.status, 0);  // the no_such_member run fails
  std::string out = r.out;
  auto block = [&](const std::string& cmd) {
    size_t b = out.find("kinspect> " + cmd + "\n");
    EXPECT_NE(b, std::string::npos) << cmd;
    b += cmd.size() + 11;
    size_t e = out.find("kinspect> ", b);
    return out.substr(b, e == std::string::npos ? std::string::npos : e - b);
  };
  // The guest's five sleepers (its scripts may run one more sleep), each
  // under its own task header, with the same pid in the member line.
  std::string sleeps = block("foreach sleep task -R pid");
  auto members = pids_in(sleeps, R"(  pid = (\d+),)");
  auto want = split_csv(d.fact("pid_sleepers"));
  EXPECT_TRUE(std::includes(members.begin(), members.end(), want.begin(), want.end())) << sleeps;
  EXPECT_EQ(members, pids_in(sleeps, R"(PID: (\d+) )"));
  EXPECT_LE(members.size(), want.size() + 1);
  // A quoted regex: the multi-threaded process and its threads.
  EXPECT_EQ(pids_in(block("foreach 'mthread' ps"), R"(\n[ >]\s+(\d+)\s)"), split_csv(d.fact("tids_mthread")));
  // One context per CPU, then the panic task's context is back.
  std::string active = block("foreach active set");
  EXPECT_EQ(pids_in(active, R"(    CPU: (\d+)\n)").size(), static_cast<size_t>(std::stoi(d.fact("cpus"))));
  EXPECT_NE(block("set").find("    PID: " + d.fact("panic_pid") + "\n"), std::string::npos);
  // Both tasks get their error line; the walk does not stop at the first.
  std::string failing = block("foreach 1 2 task -R no_such_member");
  EXPECT_NE(failing.find("PID: 1 "), std::string::npos) << failing;
  EXPECT_NE(failing.find("PID: 2 "), std::string::npos) << failing;
  EXPECT_NE(r.err.find("foreach: task failed for 2 of 2 tasks"), std::string::npos) << r.err;
  // kernel narrows, a state adds: no kernel thread sleeps uninterruptibly here.
  EXPECT_NE(r.err.find("foreach: no task matches"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, Foreach, ::testing::ValuesIn(kSysrqSamples), SampleName());

}  // namespace
