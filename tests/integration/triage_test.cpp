// triage on the real sample dumps. Every fact is checked against an
// independent source: the guest's own facts (which task panicked, which CPU
// waits for which), drgn reading the same objects along paths that do not
// touch a stack (tests/integration/drgn_triage.py: the csd from the waiting
// CPU's cfd_data, each lock from the waiter's file descriptors), and the
// text and JSON renderings against each other (triage_json_facts.py).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

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

// Splits "a,b,c" (or "-" for none).
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> v;
  if (s == "-") return v;
  std::istringstream in(s);
  for (std::string w; std::getline(in, w, ',');) v.push_back(w);
  return v;
}

std::string word_at(const std::string& l, int i) {
  std::istringstream in(l);
  std::string w;
  for (int k = 0; k <= i; ++k) in >> w;
  return w;
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
  RunResult dr = run_drgn(d, "drgn_triage.py", "csd " + waiter + " " + target + "\nrcu\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::istringstream in(dr.out);
  std::string tag, csd, flags, func, rcu_line;
  in >> tag >> csd >> flags >> func;
  in >> std::ws;
  std::getline(in, rcu_line);
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
  // The spinner's CPU is the only root: the csd waiter's, and (a kworker
  // in synchronize_rcu() on both samples) the RCU grace period's it blocks.
  std::string root = line_starting(t.facts, "root ");
  EXPECT_EQ(root.rfind("root cpu:" + target + " ", 0), 0u) << root;
  EXPECT_EQ(root.substr(root.size() - 10), "deadlock=0") << root;
  std::string rcu = line_starting(t.facts, "rcu ");
  EXPECT_EQ(rcu.substr(0, rcu.find(" age_s=")), "rcu " + word_at(rcu_line, 1) + " in_progress=1 cpus=" +
                                                      word_at(rcu_line, 2) + " tasks=" + word_at(rcu_line, 3))
      << dr.out;
  EXPECT_NE(t.text.find("CPU " + waiter + " waits for csd of CPU " + target), std::string::npos) << t.text;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, TriageCsd, ::testing::Values("x86_64-csd-lockup", "arm64-csd-lockup"),
                         SampleName());

// On each kernel of the matrix (5.10, 6.1, 6.12): the panic, and the RCU
// grace period in progress with the CPUs blocking it as drgn reads them.
class TriageSysrq : public ::testing::TestWithParam<const char*> {};

TEST_P(TriageSysrq, NamesThePanicTaskItsTraceAndTheRcuGracePeriod) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  Triage t = run_triage(d);
  EXPECT_EQ(line_starting(t.facts, "panic "), "panic " + d.fact("panic_cpu") + " " + d.fact("panic_pid"));
  EXPECT_NE(t.text.find("COMMAND: \"" + d.fact("panic_comm") + "\""), std::string::npos) << t.text;
  EXPECT_NE(t.text.find("sysrq_handle_crash"), std::string::npos) << t.text;
  RunResult dr = run_drgn(d, "drgn_triage.py", "rcu\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::string rcu = line_starting(t.facts, "rcu ");
  EXPECT_EQ(rcu.substr(0, rcu.find(" in_progress=")), "rcu " + word_at(dr.out, 1)) << dr.out;
  if (rcu.find(" in_progress=1 ") != std::string::npos) {
    EXPECT_EQ(rcu.substr(0, rcu.find(" age_s=")), "rcu " + word_at(dr.out, 1) + " in_progress=1 cpus=" +
                                                        word_at(dr.out, 2) + " tasks=" + word_at(dr.out, 3))
        << dr.out;
    EXPECT_EQ(rcu.substr(rcu.size() - 9), "stalled=0") << rcu;  // a grace period caught mid-way
  }
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, TriageSysrq,
                         ::testing::Values("x86_64-sysrq", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq"),
                         SampleName());

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

// x86_64-nfs-hang: each stuck mount's task -> rpc_task -> transport edge,
// the procedure as nfs3_procedures[N] with N the one the guest's server
// logged as never answered, program/version and transport state and
// address all equal what drgn reads from the same rpc_task (with the
// module debug files kinspect's autoload found by itself).
TEST(TriageNfsHang, NamesEachStuckRpcProcedureAndItsTransportAsDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-nfs-hang");
  std::ifstream log(d.path("GUEST_PROC") + "/tmp/nfs-server.log");
  std::string line, never;
  std::smatch m;
  while (std::getline(log, line))
    if (std::regex_search(line, m, std::regex(R"(^never answered prog 100003 vers 3 proc ([0-9]+) )"))) never = m[1];
  ASSERT_FALSE(never.empty()) << "server log";
  Triage t = run_triage(d);
  std::string req;
  int n = std::stoi(d.fact("nfs_clients"));
  for (int i = 1; i <= n; ++i) req += "rpc " + d.path("MODULE_DEBUG_DIR") + " " + d.fact("nfs_client" + std::to_string(i) + "_pid") + "\n";
  RunResult dr = run_drgn(d, "drgn_triage.py", req);
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::vector<std::string> want = lines_of(dr.out);
  ASSERT_EQ(want.size(), static_cast<size_t>(n)) << dr.out;
  for (const std::string& w : want) {
    SCOPED_TRACE(w);
    // rpc PID TASK INDEX P_NAME PROG VERS XPRT STATE ADDR PORT
    const std::string pid = word_at(w, 1), task = word_at(w, 2), xprt = word_at(w, 7);
    EXPECT_EQ(word_at(w, 3), never);
    EXPECT_EQ(line_starting(t.facts, "rpc " + pid + " "),
              "rpc " + pid + " " + task + " <nfs3_procedures[" + never + "]> " + word_at(w, 4) + " " + word_at(w, 5) +
                  " " + word_at(w, 6) + " " + xprt + " " + word_at(w, 8) + " " + word_at(w, 9) + ":" + word_at(w, 10))
        << testing::PrintToString(t.facts);
    EXPECT_EQ(line_starting(t.facts, "chain pid:" + pid + " "), "chain pid:" + pid + " rpc:" + task + " xprt:" + xprt);
    EXPECT_NE(t.text.find("rpc_task " + task.substr(2) + " <nfs3_procedures[" + never + "]> " + word_at(w, 4)),
              std::string::npos)
        << t.text;
  }
  EXPECT_NE(t.text.find("program nfs 100003 version 3"), std::string::npos) << t.text;
  EXPECT_NE(t.text.find("queued on xprt_pending"), std::string::npos) << t.text;
  EXPECT_NE(t.text.find("state 0x12 (XPRT_CONNECTED|XPRT_BOUND)"), std::string::npos) << t.text;
}

// x86_64-locks (module/kinspect_locks.c): each mutex/rwsem wait edge is
// confirmed by drgn finding the waiter on the lock's own wait_list and the
// same owner; the ABBA pair is the one cycle, the rwsem writer the root of
// its three waiters, and the RCU grace period drgn reads is blocked by the
// CPU the staller spins on (where the graph's RCU chain ends) and by the
// preempted reader task.
TEST(TriageLocks, DeadlockRwsemWriterAndRcuStallEqualDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-locks");
  Triage t = run_triage(d);
  const std::string a = "0x" + d.fact("locks_mutex_a"), b = "0x" + d.fact("locks_mutex_b"),
                    rw = "0x" + d.fact("locks_rwsem");
  RunResult dr = run_drgn(d, "drgn_triage.py", "mutexq " + a + "\nmutexq " + b + "\nrwsemq " + rw + "\nrcu\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::vector<std::string> want = lines_of(dr.out);
  ASSERT_EQ(want.size(), 4u) << dr.out;
  // Every lock wait triage reports on these locks: the waiter is on the
  // lock's wait_list and the owner is drgn's.
  size_t edges = 0;
  for (const std::string& q : {want[0], want[1], want[2]}) {
    const std::string type = word_at(q, 0) == "mutex" ? "mutex" : "rw_semaphore";
    for (const std::string& waiter : split_commas(word_at(q, 3))) {
      EXPECT_EQ(line_starting(t.facts, "wait " + waiter + " "),
                "wait " + waiter + " " + type + " " + word_at(q, 1) + " owner=" + word_at(q, 2))
          << testing::PrintToString(t.facts);
      ++edges;
    }
  }
  EXPECT_EQ(edges, 6u) << dr.out;  // abba_b and behind on A, abba_a on B, 2 readers + 1 writer on the rwsem
  // drgn's owners are the threads the module made take them.
  EXPECT_EQ(word_at(want[0], 2), d.fact("locks_abba_a_pid"));
  EXPECT_EQ(word_at(want[1], 2), d.fact("locks_abba_b_pid"));
  EXPECT_EQ(word_at(want[2], 2), d.fact("locks_rw_writer_pid"));

  // The deadlock: one cycle through both threads and both mutexes.
  const std::string pa = "pid:" + d.fact("locks_abba_a_pid"), pb = "pid:" + d.fact("locks_abba_b_pid");
  std::string cyc = line_starting(t.facts, "cycle ");
  for (const std::string& node : {pa, pb, "lock:" + a, "lock:" + b})
    EXPECT_NE(cyc.find(node), std::string::npos) << node << " in " << cyc;
  // Its root (the cycle's first node) has the three chain starts that reach it.
  std::string root = line_starting(t.facts, "root ");
  EXPECT_TRUE(root == "root lock:" + a + " 3 deadlock=1" || root == "root lock:" + b + " 3 deadlock=1" ||
              root == "root " + pa + " 3 deadlock=1" || root == "root " + pb + " 3 deadlock=1")
      << testing::PrintToString(t.facts);
  size_t dl = t.text.find("DEADLOCKS:\n");
  ASSERT_NE(dl, std::string::npos) << t.text;
  std::string cycle_line = t.text.substr(dl, t.text.find('\n', t.text.find('\n', dl) + 1) - dl);
  for (const char* name : {"kl_abba_a (pid", "kl_abba_b (pid", "kl_mutex_a", "kl_mutex_b"})
    EXPECT_NE(cycle_line.find(name), std::string::npos) << name << " in " << cycle_line;

  // The rwsem writer is the root cause of its three waiters.
  EXPECT_NE(line_starting(t.facts, "root pid:" + d.fact("locks_rw_writer_pid") + " 3 deadlock=0"), "")
      << testing::PrintToString(t.facts);

  // RCU: the grace period and the CPUs blocking it as drgn reads them; the
  // staller runs there; synchronize_rcu()'s waiter leads to that CPU.
  const std::string cpu = d.fact("rcu_stall_cpu");
  std::string rcu = line_starting(t.facts, "rcu ");
  EXPECT_EQ(rcu.substr(0, rcu.find(" age_s=")), "rcu " + word_at(want[3], 1) + " in_progress=1 cpus=" +
                                                      word_at(want[3], 2) + " tasks=" + word_at(want[3], 3));
  EXPECT_EQ(word_at(want[3], 2), cpu);
  // The preemptible reader (preempt=full) blocks it as a task.
  EXPECT_EQ(word_at(want[3], 3), d.fact("locks_rcu_reader_pid")) << dr.out;
  EXPECT_NE(t.text.find("blocked by task kl_rcu_reader (pid " + d.fact("locks_rcu_reader_pid") + ") "), std::string::npos)
      << t.text;
  // Past the scenario's rcupdate.rcu_cpu_stall_timeout=3 (the guest's cmdline).
  ASSERT_NE(d.fact("cmdline").find("rcupdate.rcu_cpu_stall_timeout=3"), std::string::npos);
  EXPECT_GE(std::stoi(rcu.substr(rcu.find("age_s=") + 6)), 3) << rcu;
  EXPECT_EQ(rcu.substr(rcu.size() - 9), "stalled=1") << rcu;
  EXPECT_NE(t.text.find("STALLED, past rcu_cpu_stall_timeout 3 s"), std::string::npos) << t.text;
  EXPECT_NE(line_starting(t.facts, "cpu " + cpu + " " + d.fact("rcu_staller_pid") + " irqs=on"), "")
      << testing::PrintToString(t.facts);
  // synchronize_rcu()'s waiter: its completion holds it on its swait queue
  // (drgn), and its chain goes through the grace period to that CPU.
  const std::string rw_pid = d.fact("locks_rcu_waiter_pid");
  std::string cw = line_starting(t.facts, "wait " + rw_pid + " completion ");
  ASSERT_NE(cw, "") << testing::PrintToString(t.facts);
  RunResult dc = run_drgn(d, "drgn_triage.py", "completionq " + word_at(cw, 3) + "\n");
  ASSERT_EQ(dc.status, 0) << dc.err;
  EXPECT_EQ(word_at(dc.out, 2), "0") << dc.out;  // not done
  EXPECT_EQ(split_commas(word_at(dc.out, 3)), std::vector<std::string>{rw_pid}) << dc.out;
  EXPECT_EQ(line_starting(t.facts, "chain pid:" + rw_pid + " "),
            "chain pid:" + rw_pid + " lock:" + word_at(cw, 3) + " rcu:gp cpu:" + cpu);
  EXPECT_NE(line_starting(t.facts, "root cpu:" + cpu + " 1 deadlock=0"), "") << testing::PrintToString(t.facts);
  EXPECT_NE(t.text.find("blocked by CPU " + cpu + ", running kl_rcu_staller (pid " + d.fact("rcu_staller_pid") + ")"),
            std::string::npos)
      << t.text;
  EXPECT_NE(t.text.find(", at kinspect_rcu_staller+"), std::string::npos) << t.text;
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
