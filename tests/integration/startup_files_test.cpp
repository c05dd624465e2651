// Start-up files and aliases: ~/.kinspectrc runs before a -c script, its
// aliases work there, --no-rc skips it, and ./.kinspectrc runs after it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

TEST(StartupFiles, RcFilesAndAliases) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  namespace fs = std::filesystem;
  fs::path home = fs::path("/tmp") / ("kinspect-rc-home-" + std::to_string(getpid()));
  fs::path work = home / "work";
  fs::create_directories(work);
  std::ofstream(home / ".kinspectrc") << "alias kp \"ps -k\"\nset radix 16\n";
  std::ofstream(work / ".kinspectrc") << "alias pid1 \"ps 1\"\n";
  std::ofstream(work / "steps.cmd") << "alias\nkp kthreadd\npid1\np jiffies\n";
  std::string base = "cd " + shell_quote(work.string()) + " && HOME=" + shell_quote(home.string()) + " " +
                     shell_quote(KINSPECT_BINARY) + " -s -c steps.cmd ";
  std::string files = shell_quote(d.path("VMLINUX")) + " " + shell_quote(d.path("VMCORE_QEMU_ELF"));

  RunResult r = run_shell(base + files);
  ASSERT_EQ(r.status, 0) << r.err;
  // The rc files' own output shows, unechoed, home's before the directory's.
  EXPECT_EQ(r.out.rfind("runtime  kp       ps -k\noutput radix: 16 (hex)\nruntime  pid1     ps 1\n", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("runtime  kp       ps -k\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("builtin  last     ps -l\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  [kthreadd]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  init\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("jiffies = $1 = 0x"), std::string::npos) << r.out;

  RunResult n = run_shell(base + "--no-rc " + files);
  EXPECT_NE(n.status, 0);
  EXPECT_NE(n.err.find("kp: command not found: kp"), std::string::npos) << n.err;
  EXPECT_NE(n.out.find("jiffies = $1 = 4"), std::string::npos) << n.out;
  fs::remove_all(home);
}

}  // namespace
