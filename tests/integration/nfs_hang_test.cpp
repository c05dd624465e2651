// Incident 4 on the x86_64-nfs-hang sample: three mounts whose server
// (nfsload, in the guest) never answers their FSINFO call wait in
// __rpc_execute. With no mod -s, the module frames' debug files load on
// demand from the -dbg tree, so `bt -V PID` names the rpc_task the frame
// runs (drgn, given the same module files, is the oracle) and `p` on it
// names the procedure: nfs3_procedures[N] with N the procedure number the
// guest's server logged as never answered, p_name the one drgn reads.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

TEST(NfsHang, StuckMountsNameTheirRpcTaskAndProcedureWithAutoload) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-nfs-hang");
  std::vector<std::string> pids;
  for (int i = 1; i <= std::stoi(d.fact("nfs_clients")); ++i) pids.push_back(d.fact("nfs_client" + std::to_string(i) + "_pid"));
  ASSERT_EQ(pids.size(), 3u);

  // The procedures the server never answered (ground truth, from the guest).
  std::ifstream log(d.path("GUEST_PROC") + "/tmp/nfs-server.log");
  std::string line, never;
  std::smatch m;
  int unanswered = 0;
  while (std::getline(log, line))
    if (std::regex_search(line, m, std::regex(R"(^never answered prog 100003 vers 3 proc ([0-9]+) )"))) {
      never = m[1];
      ++unanswered;
    }
  ASSERT_EQ(unanswered, 3) << "server log";

  std::string input = d.path("MODULE_DEBUG_DIR") + "\n";
  for (const auto& p : pids) input += p + "\n";
  RunResult drgn = run_drgn(d, "drgn_rpc_tasks.py", input);
  ASSERT_EQ(drgn.status, 0) << drgn.err;
  std::map<std::string, std::pair<std::string, std::string>> oracle;  // pid -> (task, p_name)
  std::istringstream in(drgn.out);
  std::string pid, task, name;
  while (in >> pid >> task >> name) oracle[pid] = {task, name};
  ASSERT_EQ(oracle.size(), 3u) << drgn.out;

  // One session: every stuck task's __rpc_execute frame, then mod.
  std::string script;
  for (const auto& p : pids) script += "bt -V " + p + "\n";
  RunResult bt = run_kinspect({"--no-rc", "-s", d.path("VMLINUX"), d.path("VMCORE")}, script + "mod\n");
  ASSERT_EQ(bt.status, 0) << bt.err;
  std::string out = strip_echo(bt.out);
  std::regex frame_re(R"(#\s*([0-9]+) \[[0-9a-f]+\] __rpc_execute \[sunrpc\] at [0-9a-f]+\n    __rpc_execute:\n      task = \(struct rpc_task \*\) 0x([0-9a-f]+)\n)");
  std::vector<std::string> frames;
  size_t at = 0;
  for (const auto& p : pids) {
    SCOPED_TRACE("pid " + p);
    size_t start = out.find("PID: " + p + " ", at);
    ASSERT_NE(start, std::string::npos) << out;
    std::string rest = out.substr(start);
    ASSERT_TRUE(std::regex_search(rest, m, frame_re)) << rest;
    EXPECT_EQ(m[2].str(), oracle[p].first);
    frames.push_back(m[1]);
    at = start + 1;
  }
  // mod names the debug files autoload found.
  EXPECT_NE(out.find("/sunrpc.ko"), std::string::npos) << out;
  EXPECT_NE(out.find("/nfsv3.ko"), std::string::npos) << out;

  // The first task's frame: its procedure's name, and crash's struct naming
  // the array element (with nfsv3's debug file loaded by bt -l's frames).
  const std::string& p = pids[0];
  RunResult pr = run_kinspect({"--no-rc", "-s", d.path("VMLINUX"), d.path("VMCORE")},
                              "bt -l " + p + "\nset " + p + "\nframe " + frames[0] +
                                  "\np task->tk_msg.rpc_proc->p_name\nstruct rpc_task 0x" + oracle[p].first + "\n");
  ASSERT_EQ(pr.status, 0) << pr.err;
  std::string text = strip_echo(pr.out);
  EXPECT_NE(text.find("\"" + oracle[p].second + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("rpc_proc = 0xffffffff"), std::string::npos) << text;
  EXPECT_NE(text.find(" <nfs3_procedures[" + never + "]>"), std::string::npos) << text;

  // A module variable named first thing in a session: its module's debug
  // file loads on its own (no mod -s, no frame of it before).
  RunResult var = run_kinspect({"--no-rc", "-s", d.path("VMLINUX"), d.path("VMCORE")},
                               "whatis nfs3_procedures\np nfs3_procedures[" + never + "].p_name\nmod\n");
  ASSERT_EQ(var.status, 0) << var.err;
  std::string vt = strip_echo(var.out);
  EXPECT_NE(vt.find("const struct rpc_procinfo nfs3_procedures["), std::string::npos) << vt;
  EXPECT_NE(vt.find("\"" + oracle[p].second + "\""), std::string::npos) << vt;
  EXPECT_NE(vt.find("/nfsv3.ko"), std::string::npos) << vt;
}
