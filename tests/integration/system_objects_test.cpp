// System-object commands (files, mount, net, net -s, ipcs, sig, sys -t,
// sys -c) on the sample dumps, against what the guest printed from /proc
// just before the crash (GUEST_PROC) and, on x86_64, against crash 8.0.2.
// x86_64-objects is the scenario whose workload (sample-dumps/guest/
// workloads/objects.c) holds sockets, files, SysV IPC and signal state.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> words_of(const std::string& l) {
  std::istringstream in(l);
  std::vector<std::string> v;
  for (std::string w; in >> w;) v.push_back(w);
  return v;
}

// Pids with a /proc/PID/fd listing in the guest's ground truth.
std::vector<int> guest_pids(const SampleDump& d) {
  std::vector<int> pids;
  std::string dir = d.path("GUEST_PROC") + "/proc";
  if (DIR* dp = opendir(dir.c_str())) {
    while (dirent* e = readdir(dp)) {
      std::string n = e->d_name;
      if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos &&
          !read_text(dir + "/" + n + "/fd").empty())
        pids.push_back(std::stoi(n));
    }
    closedir(dp);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

// "lrwx------ 1 0 0 64 Dec  4 16:01 3 -> /tmp/objects.data" -> {3: path}
std::map<int, std::string> proc_fds(const std::string& listing) {
  std::map<int, std::string> fds;
  for (const auto& l : lines_of(listing)) {
    size_t arrow = l.find(" -> ");
    if (arrow == std::string::npos) continue;
    size_t sp = l.rfind(' ', arrow - 1);
    fds[std::stoi(l.substr(sp + 1, arrow - sp - 1))] = l.substr(arrow + 4);
  }
  return fds;
}

// kinspect's `files` blocks, by pid: fd -> path, plus "ROOT"/"CWD" lines.
struct TaskFilesText {
  std::map<int, std::string> fds;
  std::string root, cwd;
};
std::map<int, TaskFilesText> parse_files(const std::string& out) {
  std::map<int, TaskFilesText> r;
  int pid = -1;
  for (const auto& l : lines_of(out)) {
    if (l.rfind("PID: ", 0) == 0) {
      pid = std::stoi(l.substr(5));
      r[pid];
      continue;
    }
    if (pid < 0) continue;
    if (l.rfind("ROOT: ", 0) == 0) {
      size_t c = l.find("    CWD: ");
      r[pid].root = l.substr(6, c - 6);
      r[pid].cwd = l.substr(c + 9);
      continue;
    }
    auto w = words_of(l);
    if (w.size() == 6 && w[0].find_first_not_of("0123456789") == std::string::npos)
      r[pid].fds[std::stoi(w[0])] = w[5];
  }
  return r;
}

std::string kinspect_script(const SampleDump& d, const std::string& script) {
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, script);
  EXPECT_EQ(k.status, 0) << k.err;
  return strip_echo(k.out);
}

// One kinspect run for several commands: each command's output, split at
// the "kinspect> CMD" echo lines.
std::map<std::string, std::string> kinspect_outputs(const SampleDump& d, const std::vector<std::string>& cmds) {
  std::string script;
  for (const auto& c : cmds) script += c + "\n";
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, script);
  EXPECT_EQ(k.status, 0) << k.err;
  std::map<std::string, std::string> out;
  std::string* cur = nullptr;
  for (const auto& l : lines_of(k.out)) {
    if (l.rfind("kinspect> ", 0) == 0) {
      cur = &out[l.substr(10)];
      continue;
    }
    if (cur) *cur += l + "\n";
  }
  return out;
}

class SystemFiles : public ::testing::TestWithParam<const char*> {};

// Every process the guest listed: the same descriptors with the same paths
// (files, pipes, sockets), except the shell that printed the listing (pid 1,
// whose descriptors changed while it sourced the ground-truth script).
TEST_P(SystemFiles, EveryProcessMatchesProcFd) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::vector<int> pids = guest_pids(d);
  ASSERT_GT(pids.size(), 5u);
  std::string script;
  for (int p : pids) script += "files " + std::to_string(p) + "\n";
  auto got = parse_files(kinspect_script(d, script));
  size_t compared = 0;
  for (int p : pids) {
    if (p == 1) continue;
    SCOPED_TRACE("pid " + std::to_string(p));
    auto want = proc_fds(read_text(d.path("GUEST_PROC") + "/proc/" + std::to_string(p) + "/fd"));
    ASSERT_TRUE(got.count(p));
    EXPECT_EQ(got[p].fds, want);
    EXPECT_EQ(got[p].root, "/");
    compared += want.size();
  }
  EXPECT_GT(compared, 20u);
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, SystemFiles, ::testing::Values("x86_64-objects", "x86_64-sysrq", "arm64-sysrq"),
                         SampleName());

// The objects workload's processes, in detail: its files, a socket of each
// kind, the holder's working directory on the second tmpfs.
TEST(SystemObjects, SocketsMatchProcNet) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  std::string pid = d.fact("objects_pid"), holder = d.fact("pid_objects_holder");
  auto outs = kinspect_outputs(d, {"files " + pid, "net -s " + pid, "files " + holder});
  auto files = parse_files(outs["files " + pid] + outs["files " + holder]);
  std::string out = outs["net -s " + pid];
  EXPECT_EQ(files[std::stoi(holder)].cwd, "/mnt/objects");
  EXPECT_EQ(files[std::stoi(holder)].fds[3], "/mnt/objects/file");
  // inode -> "local remote" from /proc/net/tcp and udp (hex addr:port).
  std::map<std::string, std::pair<std::string, std::string>> proc;
  auto endpoint = [](const std::string& hx) {
    uint32_t a = std::stoul(hx.substr(0, 8), nullptr, 16);
    unsigned port = std::stoul(hx.substr(9), nullptr, 16);
    return std::to_string(a & 0xff) + "." + std::to_string(a >> 8 & 0xff) + "." + std::to_string(a >> 16 & 0xff) +
           "." + std::to_string(a >> 24) + "-" + std::to_string(port);
  };
  for (const char* f : {"/proc/net/tcp", "/proc/net/udp"})
    for (const auto& l : lines_of(read_text(d.path("GUEST_PROC") + f))) {
      auto w = words_of(l);
      if (w.size() > 9 && w[0] != "sl") proc[w[9]] = {endpoint(w[1]), endpoint(w[2])};
    }
  std::set<std::string> unix_inodes;
  for (const auto& l : lines_of(read_text(d.path("GUEST_PROC") + "/proc/net/unix"))) {
    auto w = words_of(l);
    if (w.size() >= 7 && w[0] != "Num") unix_inodes.insert(w[6]);
  }
  const auto& fds = files[std::stoi(pid)].fds;
  size_t inet = 0, unix_socks = 0;
  bool in_net = false;
  for (const auto& l : lines_of(out)) {
    if (l.rfind("FD      SOCKET", 0) == 0) in_net = true;
    if (l.rfind("PID: ", 0) == 0 && in_net) break;
    auto w = words_of(l);
    if (!in_net || w.size() < 4 || w[0] == "FD") continue;
    int fd = std::stoi(w[0]);
    ASSERT_TRUE(fds.count(fd)) << l;
    std::string link = fds.at(fd);  // socket:[ino]
    std::string ino = link.substr(8, link.size() - 9);
    if (w[3].rfind("INET:", 0) == 0) {
      ASSERT_EQ(w.size(), 6u) << l;
      ASSERT_TRUE(proc.count(ino)) << l;
      EXPECT_EQ(w[4], proc[ino].first) << l;
      EXPECT_EQ(w[5], proc[ino].second) << l;
      ++inet;
    } else {
      EXPECT_EQ(w[3].rfind("UNIX:", 0), 0u) << l;
      EXPECT_TRUE(unix_inodes.count(ino)) << l;
      ++unix_socks;
    }
  }
  EXPECT_EQ(inet, 7u);        // 2 listeners, 3 connected TCP ends, 2 UDP
  EXPECT_EQ(unix_socks, 6u);  // listener, client, accepted, dgram, a pair
}

TEST(SystemObjects, SignalMasksMatchProcStatus) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  std::vector<int> pids = guest_pids(d);
  std::string script;
  for (int p : pids) script += "sig " + std::to_string(p) + "\n";
  std::string out = kinspect_script(d, script);
  // Per pid: BLOCKED, the shared pending SIGNAL, and SIG_IGN / handler masks.
  std::map<int, std::map<std::string, uint64_t>> got;
  int pid = -1;
  bool shared = false;
  for (const auto& l : lines_of(out)) {
    auto w = words_of(l);
    if (l.rfind("PID: ", 0) == 0) pid = std::stoi(l.substr(5)), shared = false;
    if (w.empty() || pid < 0) continue;
    if (w[0] == "BLOCKED:") got[pid]["SigBlk"] = std::stoull(w[1], nullptr, 16);
    if (w[0] == "SHARED_PENDING") shared = true;
    if (w[0] == "SIGNAL:") got[pid][shared ? "ShdPnd" : "SigPnd"] = std::stoull(w[1], nullptr, 16);
    if (w[0].front() == '[' || (w.size() > 1 && w[1].back() == ']')) {
      std::string s = l.substr(l.find('[') + 1);
      unsigned sig = std::stoul(s);
      std::string handler = w[0].front() == '[' && w[0].back() == ']' ? w[2] : w[3];
      if (handler == "SIG_IGN") got[pid]["SigIgn"] |= 1ull << (sig - 1);
      else if (handler != "SIG_DFL") got[pid]["SigCgt"] |= 1ull << (sig - 1);
    }
  }
  for (int p : pids) {
    SCOPED_TRACE("pid " + std::to_string(p));
    std::map<std::string, uint64_t> want;
    for (const auto& l : lines_of(read_text(d.path("GUEST_PROC") + "/proc/" + std::to_string(p) + "/status"))) {
      auto w = words_of(l);
      if (w.size() == 2 && (w[0] == "SigPnd:" || w[0] == "ShdPnd:" || w[0] == "SigBlk:" || w[0] == "SigIgn:" ||
                            w[0] == "SigCgt:")) {
        uint64_t v = std::stoull(w[1], nullptr, 16);
        if (v) want[w[0].substr(0, 6)] = v;
      }
    }
    std::map<std::string, uint64_t> mine;
    for (auto& [k, v] : got[p])
      if (v) mine[k] = v;
    if (p == 1) continue;  // the shell printing the listing
    EXPECT_EQ(mine, want);
  }
  int objects = std::stoi(d.fact("objects_pid"));
  EXPECT_EQ(got[objects]["SigBlk"], 0x4800u);  // SIGUSR2, SIGTERM
  EXPECT_EQ(got[objects]["ShdPnd"], 0x800u);   // SIGUSR2 sent to itself
  EXPECT_EQ(got[objects]["SigCgt"], 0x200u);   // SIGUSR1's handler
}

TEST(SystemObjects, IpcsMatchesProcSysvipc) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  std::string out = kinspect_script(d, "ipcs\n");
  // key (decimal in /proc) and the numbers both print.
  auto row = [&](const std::string& header) {
    auto ls = lines_of(out);
    for (size_t i = 0; i + 1 < ls.size(); ++i)
      if (ls[i].rfind(header, 0) == 0) return words_of(ls[i + 1]);
    return std::vector<std::string>{};
  };
  auto proc_row = [&](const char* f) { return words_of(lines_of(read_text(d.path("GUEST_PROC") + f)).at(1)); };
  auto hexkey = [](const std::string& dec) {
    char b[16];
    std::snprintf(b, sizeof b, "%08lx", std::stoul(dec));
    return std::string(b);
  };
  auto shm = row("SHMID_KERNEL"), p = proc_row("/proc/sysvipc/shm");
  ASSERT_GE(shm.size(), 7u);
  EXPECT_EQ(shm[1], hexkey(p[0]));
  EXPECT_EQ(shm[2], p[1]);
  EXPECT_EQ(shm[4], p[2]);
  EXPECT_EQ(shm[5], p[3]);
  EXPECT_EQ(shm[6], p[6]);
  auto sem = row("SEM_ARRAY");
  p = proc_row("/proc/sysvipc/sem");
  ASSERT_GE(sem.size(), 6u);
  EXPECT_EQ(sem[1], hexkey(p[0]));
  EXPECT_EQ(sem[4], p[2]);
  EXPECT_EQ(sem[5], p[3]);
  auto msg = row("MSG_QUEUE");
  p = proc_row("/proc/sysvipc/msg");
  ASSERT_GE(msg.size(), 7u);
  EXPECT_EQ(msg[1], hexkey(p[0]));
  EXPECT_EQ(msg[4], p[2]);
  EXPECT_EQ(msg[5], p[3]);
  EXPECT_EQ(msg[6], p[4]);
}

TEST(SystemObjects, MountMatchesProcMounts) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  std::vector<std::string> got, want;
  for (const auto& l : lines_of(kinspect_script(d, "mount\n"))) {
    auto w = words_of(l);
    if (w.size() == 5 && w[0] != "MOUNT") got.push_back(w[3] + " " + w[4] + " " + w[2]);
  }
  for (const auto& l : lines_of(read_text(d.path("GUEST_PROC") + "/proc/mounts"))) {
    auto w = words_of(l);
    if (w.size() >= 3) want.push_back(w[0] + " " + w[1] + " " + w[2]);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.size(), 6u);
}

// tainted_mask as the guest's /proc/sys/kernel/tainted printed it (0 on the
// sysrq samples); csd-lockup's taints came after that print (its module and
// the soft lockup): crash 8.0.2 prints "TAINTED_MASK: 7000  OEL" for it.
TEST(SystemObjects, TaintsMatchProcAndCrash) {
  {
    KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
    std::string want = words_of(read_text(d.path("GUEST_PROC") + "/proc/sys/kernel/tainted")).at(0);
    auto w = words_of(kinspect_script(d, "sys -t\n"));
    ASSERT_GE(w.size(), 2u);
    EXPECT_EQ(std::stoull(w[1], nullptr, 16), std::stoull(want));
  }
  KINSPECT_REQUIRE_SAMPLE(c, "x86_64-csd-lockup");
  EXPECT_EQ(kinspect_script(c, "sys -t\n"), "TAINTED_MASK: 7000  OEL\n");
}

// crash 8.0.2 prints the same blocks (x86_64; crash finds only the active
// tasks, so `files` and `net -s` are those of the panic task).
TEST(SystemObjects, SameAsCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  const char* cmds[] = {"files", "mount", "ipcs", "sig", "sig -l", "sys -t", "sys -c", "net -s", "irq -s", "irq -b", "dev"};
  std::string script;
  for (const char* c : cmds) script += std::string(c) + "\n";
  RunResult c = run_crash(d, d.path("VMCORE"), script + "net\n");
  ASSERT_EQ(c.status, 0) << c.err;
  std::vector<std::string> all(std::begin(cmds), std::end(cmds));
  all.push_back("net");
  auto outs = kinspect_outputs(d, all);
  for (const char* cmd : cmds) {
    const std::string& mine = outs[cmd];
    ASSERT_FALSE(mine.empty()) << cmd;
    EXPECT_NE(c.out.find(mine), std::string::npos) << cmd << ":\n" << mine;
  }
  // net: crash 8.0.2 lists IPv4 addresses only; kinspect adds IPv6 after them.
  auto net = lines_of(outs["net"]);
  ASSERT_EQ(net.size(), 2u);
  EXPECT_NE(c.out.find(net[0] + "\n"), std::string::npos);
  EXPECT_NE(net[1].find("  lo     127.0.0.1"), std::string::npos) << net[1];
  EXPECT_NE(c.out.find(net[1].substr(0, net[1].find(','))), std::string::npos) << net[1];
}

// irq -s: the IRQs /proc/interrupts numbers, with counts no lower than the
// guest saw a moment before the crash (the console kept interrupting).
TEST(SystemObjects, IrqCountsMatchProcInterrupts) {
  for (const char* name : {"x86_64-objects", "arm64-sysrq"}) {
    SCOPED_TRACE(name);
    KINSPECT_REQUIRE_SAMPLE(d, name);
    std::map<std::string, std::vector<uint64_t>> want, got;
    auto parse = [](const std::string& text, std::map<std::string, std::vector<uint64_t>>& m, size_t cpus) {
      for (const auto& l : lines_of(text)) {
        auto w = words_of(l);
        if (w.size() < cpus + 1 || w[0].back() != ':' || w[0].find_first_not_of("0123456789:") != std::string::npos)
          continue;
        for (size_t i = 1; i <= cpus; ++i) m[w[0]].push_back(std::stoull(w[i]));
      }
    };
    size_t cpus = std::stoul(d.fact("cpus"));
    auto outs = kinspect_outputs(d, {"irq -s", "irq -s -c 1"});
    parse(read_text(d.path("GUEST_PROC") + "/proc/interrupts"), want, cpus);
    parse(outs["irq -s"], got, cpus);
    ASSERT_GE(want.size(), 4u);
    ASSERT_EQ(got.size(), want.size());
    for (const auto& [irq, counts] : want) {
      ASSERT_TRUE(got.count(irq)) << irq;
      for (size_t c = 0; c < cpus; ++c) EXPECT_GE(got[irq][c], counts[c]) << irq << " CPU" << c;
    }
    EXPECT_EQ(lines_of(outs["irq -s -c 1"]).at(0), "           CPU1 ");
  }
}

// dev: the majors /proc/devices lists, character then block.
TEST(SystemObjects, DevMatchesProcDevices) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  std::vector<std::string> want, got;
  for (const auto& l : lines_of(read_text(d.path("GUEST_PROC") + "/proc/devices"))) {
    auto w = words_of(l);
    if (w.size() == 2 && w[0].find_first_not_of("0123456789") == std::string::npos) want.push_back(w[0] + " " + w[1]);
  }
  for (const auto& l : lines_of(kinspect_script(d, "dev\n"))) {
    auto w = words_of(l);
    if (w.size() >= 2 && w[0].find_first_not_of("0123456789") == std::string::npos)
      got.push_back(w[0] + " " + w[1]);
  }
  ASSERT_GT(want.size(), 20u);
  EXPECT_EQ(got, want);
}

// A pipe reader (`sleep | cat`) waits on its pipe's rd_wait queue.
TEST(SystemObjects, WaitqOfAPipeHoldsItsReader) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  std::string pid = d.fact("pid_pipe_reader");
  std::string inode;
  for (const auto& l : lines_of(kinspect_script(d, "files " + pid + "\n"))) {
    auto w = words_of(l);
    if (w.size() == 6 && w[0] == "0") inode = w[3];
  }
  ASSERT_FALSE(inode.empty());
  std::string pipe;
  for (const auto& l : lines_of(kinspect_script(d, "struct inode.i_pipe " + inode + "\n"))) {
    size_t x = l.find("0x");
    if (l.find("i_pipe") != std::string::npos && x != std::string::npos) pipe = l.substr(x + 2, 16);
  }
  ASSERT_FALSE(pipe.empty());
  std::string out = kinspect_script(d, "waitq pipe_inode_info.rd_wait " + pipe + "\nwaitq pipe_inode_info.wr_wait " + pipe + "\n");
  EXPECT_NE(out.find("PID: " + pid + " "), std::string::npos) << out;
  EXPECT_NE(out.find("COMMAND: \"cat\""), std::string::npos) << out;
  EXPECT_NE(out.find("is empty"), std::string::npos) << out;  // no writer waits
  EXPECT_EQ(kinspect_script(d, "ascii 62696c2f\n"), "62696c2f: /lib\n");
}

TEST(SystemObjects, UnimplementedFlagsAndBadInputSaySo) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-objects");
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")},
                             "files -c\nnet -a\nfiles -d 1234\nfiles -d zz\nmount -f\n");
  EXPECT_NE(k.status, 0);
  EXPECT_NE(k.err.find("files -c: not implemented yet"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("net -a: not implemented yet"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("0x1234"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("not a dentry address: zz"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("mount -f: not implemented yet"), std::string::npos) << k.err;
}

}  // namespace
