// vm on the sample dumps: every user process's VMAs against the guest's own
// /proc/PID/maps (start, end, rwx/shared bits, file) on every kernel and
// architecture; crash 8.0.2's whole `vm` output (and `vm -p`) on the 5.10
// sample, whose mmap list it reads; its header lines on 6.1, where it cannot
// read the maple tree; `vm -f` against crash's bit names.
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

// The pids whose maps the guest printed.
std::vector<std::string> guest_pids(const std::string& guest_proc) {
  std::vector<std::string> pids;
  DIR* d = opendir((guest_proc + "/proc").c_str());
  if (!d) return pids;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::ifstream(guest_proc + "/proc/" + n + "/maps").good()) pids.push_back(n);
  }
  closedir(d);
  return pids;
}

// One VMA as both sides can state it: "start end rwxs file".
std::string maps_vma(const std::string& line) {
  std::istringstream f(line);
  std::string range, perms, off, dev, ino, path;
  f >> range >> perms >> off >> dev >> ino;
  std::getline(f, path);
  path.erase(0, path.find_first_not_of(' '));
  auto dash = range.find('-');
  std::string start = range.substr(0, dash), end = range.substr(dash + 1);
  start.erase(0, std::min(start.find_first_not_of('0'), start.size() - 1));
  end.erase(0, std::min(end.find_first_not_of('0'), end.size() - 1));
  if (path.empty() || path[0] != '/') path = "";  // [heap], [stack], [vdso]: no file
  return start + " " + end + " " + perms + " " + path;
}

std::string vm_vma(const std::string& line) {
  std::istringstream f(line);
  std::string vma, start, end, flags, path;
  f >> vma >> start >> end >> flags;
  std::getline(f, path);
  path.erase(0, std::min(path.find_first_not_of(' '), path.size()));
  uint64_t fl = std::stoull(flags, nullptr, 16);
  std::string perms = std::string(fl & 1 ? "r" : "-") + (fl & 2 ? "w" : "-") + (fl & 4 ? "x" : "-") + (fl & 8 ? "s" : "p");
  return start + " " + end + " " + perms + " " + path;
}

class VmMaps : public ::testing::TestWithParam<const char*> {};

TEST_P(VmMaps, EveryProcessListsTheGuestsMaps) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string gp = d.path("GUEST_PROC");
  auto pids = guest_pids(gp);
  ASSERT_GE(pids.size(), 5u) << gp;
  std::string script;
  for (const auto& p : pids) script += "vm " + p + "\n";
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, script);
  ASSERT_EQ(k.status, 0) << k.err;
  auto out = by_command(k.out);
  size_t vmas = 0;
  for (const auto& p : pids) {
    SCOPED_TRACE("pid " + p);
    std::ifstream mf(gp + "/proc/" + p + "/maps");
    std::vector<std::string> want, got;
    for (std::string l; std::getline(mf, l);)
      if (!l.empty()) want.push_back(maps_vma(l));
    bool in_vmas = false;
    for (const auto& l : lines_of(out["vm " + p])) {
      if (l.rfind("      VMA", 0) == 0) {
        in_vmas = true;
        continue;
      }
      if (in_vmas && !l.empty()) got.push_back(vm_vma(l));
    }
    EXPECT_EQ(got, want) << out["vm " + p];
    vmas += got.size();
  }
  EXPECT_GT(vmas, 5 * pids.size());
}

INSTANTIATE_TEST_SUITE_P(Samples, VmMaps,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump", "arm64-sysrq",
                                           "arm64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq",
                                           "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
                         SampleName());

// crash 8.0.2 walks the 5.10 kernel's mm->mmap list: its vm and vm -p output
// must be ours line for line.
TEST(VmCrash, MmapListKernelEqualsCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-bullseye-sysrq");
  auto pids = guest_pids(d.path("GUEST_PROC"));
  ASSERT_FALSE(pids.empty());
  std::string script;
  for (const auto& p : pids) script += "vm " + p + "\n";
  script += "vm -p 1\n";
  RunResult c = run_crash(d, d.path("VMCORE"), script);
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, script);
  ASSERT_EQ(k.status, 0) << k.err;
  std::string mine;
  for (const auto& l : lines_of(strip_echo(k.out)))
    if (!l.empty()) mine += l + "\n";
  std::string theirs;
  for (const auto& l : lines_of(c.out))
    if (!l.empty()) theirs += l + "\n";
  ASSERT_GT(theirs.size(), 1000u) << c.out << c.err;
  EXPECT_EQ(mine, theirs);
}

// On 6.1 crash 8.0.2 prints the task and mm lines, then fails on the maple
// tree (no mm_struct.mmap): those lines must be ours; and vm -f's names.
TEST(VmCrash, HeaderAndFlagNamesEqualCrashOn61) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  // crash 8.0.2 does not find 6.1's pids in its PID hash: name the panic
  // task by the address kinspect gives for the facts' panic_pid.
  RunResult first = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, "vm " + d.fact("panic_pid") + "\n");
  auto at = first.out.find("TASK: ");
  ASSERT_NE(at, std::string::npos) << first.out << first.err;
  std::string task = first.out.substr(at + 6, 16);
  std::string script = "vm " + task + "\nvm -f 8100073\nvm -f c044411\nvm -f ffffffff\n";
  RunResult c = run_crash(d, d.path("VMCORE"), script);
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, script);
  ASSERT_EQ(k.status, 0) << k.err;
  auto mine = lines_of(strip_echo(k.out));
  std::vector<std::string> theirs;
  for (const auto& l : lines_of(c.out))
    if (l.rfind("PID:", 0) == 0 || l.rfind("       MM", 0) == 0 || l.rfind("ffff", 0) == 0 || l.find(": (") != std::string::npos)
      theirs.push_back(l);
  ASSERT_EQ(theirs.size(), 6u) << c.out;
  ASSERT_GE(mine.size(), 4u);
  EXPECT_EQ(mine[0], theirs[0]);
  EXPECT_EQ(mine[1], theirs[1]);
  EXPECT_EQ(mine[2], theirs[2]);
  for (size_t i = 3; i < 6; ++i) EXPECT_NE(k.out.find(theirs[i] + "\n"), std::string::npos) << theirs[i];
}

}  // namespace
