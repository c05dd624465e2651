// triage on the real sample dumps. Every fact is checked against an
// independent source: the guest's own facts (which task panicked, which CPU
// waits for which), drgn reading the same objects along paths that do not
// touch a stack (tests/integration/drgn_triage.py: the csd from the waiting
// CPU's cfd_data, each lock from the waiter's file descriptors), and the
// text and JSON renderings against each other (triage_json_facts.py).
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// The first line starting with prefix, or "".
std::string line_starting(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const auto& l : lines)
    if (l.rfind(prefix, 0) == 0) return l;
  return "";
}

struct Triage {
  std::string text;
  std::vector<std::string> facts;  // triage_json_facts.py of the JSON
};

// kinspect --triage and --triage --json on the sample's filtered dump; the
// JSON must parse (json.tool) and its facts come back as lines.
Triage run_triage(const SampleDump& d) {
  Triage t;
  RunResult text = run_kinspect({"--triage", d.path("VMLINUX"), d.path("VMCORE")});
  EXPECT_EQ(text.status, 0) << text.err;
  t.text = text.out;
  RunResult json = run_kinspect({"--triage", "--json", d.path("VMLINUX"), d.path("VMCORE")});
  EXPECT_EQ(json.status, 0) << json.err;
  RunResult tool = run_shell("python3 -m json.tool > /dev/null", json.out);
  EXPECT_EQ(tool.status, 0) << "triage -j is not valid JSON: " << tool.err;
  RunResult facts = run_shell("python3 " + shell_quote(std::string(KINSPECT_SOURCE_DIR) +
                                                      "/tests/integration/triage_json_facts.py"),
                              json.out);
  EXPECT_EQ(facts.status, 0) << facts.err;
  t.facts = lines_of(facts.out);
  return t;
}

class TriageCsd : public ::testing::TestWithParam<const char*> {};

TEST_P(TriageCsd, NamesTheWaitingCpuItsCsdAndTheSpinnerAsRootCause) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  const std::string waiter = d.fact("csd_wait_cpu"), target = d.fact("csd_spin_cpu");
  ASSERT_FALSE(waiter.empty());
  Triage t = run_triage(d);

  // The panic: CPU and task as the guest reported them.
  EXPECT_EQ(line_starting(t.facts, "panic "), "panic " + d.fact("panic_cpu") + " " + d.fact("panic_pid"));
  EXPECT_NE(t.text.find("MESSAGE: \"Kernel panic - not syncing: " + d.fact("panic_msg")), std::string::npos) << t.text;

  // The waiting CPU's csd equals the one drgn finds in its cfd_data for the
  // target CPU, with the same flags and function.
  RunResult dr = run_drgn(d, "drgn_triage.py", "csd " + waiter + " " + target + "\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::istringstream in(dr.out);
  std::string tag, csd, flags, func;
  in >> tag >> csd >> flags >> func;
  ASSERT_EQ(tag, "csd") << dr.out;
  std::string cpu_line = line_starting(t.facts, "cpu " + waiter + " " + d.fact("csd_waiter_pid") + " ");
  EXPECT_NE(cpu_line.find(" csd=" + csd + " flags=" + flags + " func=" + func + " target=" + target),
            std::string::npos)
      << cpu_line << "\n" << dr.out;
  EXPECT_EQ(flags, "0x11");  // CSD_FLAG_LOCK|CSD_TYPE_SYNC: still locked
  EXPECT_NE(t.text.find("flags 0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)"), std::string::npos) << t.text;
  EXPECT_NE(t.text.find("func csd_lockup_ipi [csd_lockup]"), std::string::npos) << t.text;

  // The spinner runs on the target CPU with interrupts off (csd_lockup.c
  // spins under local_irq_disable), and the graph ends there.
  EXPECT_NE(line_starting(t.facts, "cpu " + target + " " + d.fact("csd_spinner_pid") + " irqs=off"), "")
      << testing::PrintToString(t.facts);
  EXPECT_NE(line_starting(t.facts, "chain cpu:" + waiter + " cpu:" + target), "");
  EXPECT_NE(line_starting(t.facts, "root cpu:" + target + " 1 deadlock=0"), "");
  EXPECT_NE(t.text.find("CPU " + waiter + " waits for csd of CPU " + target), std::string::npos) << t.text;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, TriageCsd, ::testing::Values("x86_64-csd-lockup", "arm64-csd-lockup"),
                         SampleName());

TEST(TriageSysrq, NamesThePanicTaskAndItsTrace) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  Triage t = run_triage(d);
  EXPECT_EQ(line_starting(t.facts, "panic "), "panic " + d.fact("panic_cpu") + " " + d.fact("panic_pid"));
  EXPECT_NE(t.text.find("COMMAND: \"" + d.fact("panic_comm") + "\""), std::string::npos) << t.text;
  EXPECT_NE(t.text.find("sysrq_handle_crash"), std::string::npos) << t.text;
}

// x86_64-hung (guest/workloads/hung.c): every waiter's lock and that lock's
// owner equal what drgn reads from the waiter's own file descriptors (fds
// 4 and 6: pipes A and B; 7: the tmpfs file), and the chains link them.
TEST(TriageHung, EveryWaitEdgeAndOwnerEqualsDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-hung");
  Triage t = run_triage(d);
  const std::string main_pid = d.fact("hung_pid");
  RunResult dr = run_drgn(d, "drgn_triage.py",
                          "pipe " + main_pid + " 4\npipe " + main_pid + " 6\nfpos " + main_pid + " 7\ninode " +
                              main_pid + " 7\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::vector<std::string> want = lines_of(dr.out);  // "mutex ADDR OWNER_PID"
  ASSERT_EQ(want.size(), 4u) << dr.out;
  auto field = [](const std::string& l, int i) {
    std::istringstream in(l);
    std::string w;
    for (int k = 0; k <= i; ++k) in >> w;
    return w;
  };
  // The owners drgn reads are the holders the workload set up.
  EXPECT_EQ(field(want[0], 2), d.fact("hung_pipe_holder"));
  EXPECT_EQ(field(want[1], 2), d.fact("hung_splice"));
  EXPECT_EQ(field(want[2], 2), d.fact("hung_file_holder"));
  EXPECT_EQ(field(want[3], 2), d.fact("hung_file_holder"));
  const std::map<std::string, std::string> waits = {
      {d.fact("hung_pipe_w"), "mutex " + field(want[0], 1) + " owner=" + field(want[0], 2)},
      {d.fact("hung_pipe_r"), "mutex " + field(want[0], 1) + " owner=" + field(want[0], 2)},
      {d.fact("hung_chain"), "mutex " + field(want[1], 1) + " owner=" + field(want[1], 2)},
      {d.fact("hung_fpos"), "mutex " + field(want[2], 1) + " owner=" + field(want[2], 2)},
      {d.fact("hung_splice"), "rw_semaphore " + field(want[3], 1) + " owner=" + field(want[3], 2)},
      {d.fact("hung_file_w"), "rw_semaphore " + field(want[3], 1) + " owner=" + field(want[3], 2)},
  };
  for (const auto& [pid, edge] : waits) {
    ASSERT_FALSE(pid.empty());
    EXPECT_EQ(line_starting(t.facts, "wait " + pid + " "), "wait " + pid + " " + edge)
        << testing::PrintToString(t.facts);
  }
  // The two-lock chain: hung-chain -> pipe B's mutex -> hung-splice ->
  // the inode's i_rwsem -> hung-file-hold, which sleeps in handle_userfault.
  EXPECT_EQ(line_starting(t.facts, "chain pid:" + d.fact("hung_chain") + " "),
            "chain pid:" + d.fact("hung_chain") + " lock:" + field(want[1], 1) + " pid:" + d.fact("hung_splice") +
                " lock:" + field(want[3], 1) + " pid:" + d.fact("hung_file_holder"));
  // Root causes: the file holder (splice, file-w, fpos, chain) before the pipe holder (pipe-w, pipe-r).
  EXPECT_EQ(line_starting(t.facts, "root "), "root pid:" + d.fact("hung_file_holder") + " 4 deadlock=0");
  EXPECT_NE(line_starting(t.facts, "root pid:" + d.fact("hung_pipe_holder") + " 2 deadlock=0"), "");
  // The text names the containing objects and the sleeping holder.
  for (const char* name : {"(struct pipe_inode_info 0x", ": mutex)", ": f_pos_lock)", ": i_rwsem)"})
    EXPECT_NE(t.text.find(name), std::string::npos) << name << "\n" << t.text;
  EXPECT_NE(t.text.find("sleeping in handle_userfault"), std::string::npos) << t.text;
  EXPECT_NE(t.text.find("DEADLOCKS: none found"), std::string::npos);
}

TEST(TriageCommand, BadArgumentIsOneLineAndJsonFlagNeedsTriage) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, "triage -x\n");
  EXPECT_NE(k.err.find("triage: unknown argument -x"), std::string::npos) << k.err;
  RunResult j = run_kinspect({"--json", d.path("VMLINUX"), d.path("VMCORE")});
  EXPECT_EQ(j.status, 2);
  EXPECT_NE(j.err.find("--json goes with --triage"), std::string::npos) << j.err;
}

}  // namespace
