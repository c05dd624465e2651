// Commands whose whole output must equal crash's on the x86_64 samples of
// every kernel (crash 8.0.2, or trixie's 8.0.6 for 6.12; the host's crash
// reads only x86_64 dumps).
#include <gtest/gtest.h>

#include <filesystem>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

void expect_same_as_crash(const SampleDump& d, const std::string& vmcore, const std::string& script) {
  RunResult crash = run_crash(d, vmcore, script);
  ASSERT_EQ(crash.status, 0) << crash.err;
  ASSERT_FALSE(crash.out.empty());
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), vmcore}, script);
  EXPECT_EQ(ki.status, 0) << ki.err;
  EXPECT_EQ(strip_echo(ki.out), crash.out) << ki.err;
}

class CrashParityKernel : public ::testing::TestWithParam<const char*> {};

}  // namespace

TEST_P(CrashParityKernel, Eval) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  expect_same_as_crash(d, d.path("VMCORE_QEMU_ELF"),
                       "eval 0x100000\neval 0x1800\neval 3072\neval -1\neval 5 - 10\neval -b 0x55\n"
                       "eval 0x400 * 4\neval jiffies + 1\neval 7 % 3\neval 1 << 40\neval 6 ^ 3\n");
}

TEST_P(CrashParityKernel, ModOnThreeFormats) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  // crash takes ~15 s per open; one file of each reader is enough here, and
  // the readers do not depend on the kernel: other kernels take one file.
  std::vector<const char*> keys = {"VMCORE_MDF_ZLIB"};
  if (std::string(GetParam()) == "x86_64-sysrq") keys = {"VMCORE_QEMU_ELF", "VMCORE_MDF_ZLIB", "VMCORE_QEMU_KDUMP_ZLIB_FLAT"};
  for (const char* key : keys) {
    SCOPED_TRACE(key);
    expect_same_as_crash(d, d.path(key), "mod\n");
  }
}

// A tainted out-of-tree module: -t's letters, then -s with the .ko and -d
// dropping it again, each list as crash prints it.
TEST(CrashParity, ModTaintsLoadAndDrop) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  std::string ko = std::filesystem::path(d.path("FACTS")).parent_path() / "csd_lockup.ko";
  ASSERT_TRUE(std::filesystem::exists(ko)) << ko;
  expect_same_as_crash(d, d.path("VMCORE_QEMU_ELF"),
                       "mod -t\nmod -s csd_lockup " + ko + "\nmod\nmod -d csd_lockup\nmod\n");
}

TEST_P(CrashParityKernel, RdLayouts) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  // Every width and radix, physical and virtual, and -s on the panic task's
  // stack (its address from crash's own bt in the recipe's transcript).
  std::string bt = d.crash_transcript(d.path("VMCORE_QEMU_ELF"));
  auto at = bt.find(" #0 [");
  ASSERT_NE(at, std::string::npos) << "no bt in crash's transcript";
  std::string sp = bt.substr(at + 5, 16);
  expect_same_as_crash(d, d.path("VMCORE_QEMU_ELF"),
                       "rd jiffies 5\nrd -p 1000000 5\nrd -32 jiffies 9\nrd -8 linux_banner 20\n"
                       "rd -d jiffies 3\nrd -D jiffies 3\nrd -32 -d jiffies 5\nrd -32 -D jiffies 5\n"
                       "rd -8 -d jiffies 5\nrd -16 -d jiffies 5\nrd -16 linux_banner 10\n"
                       "rd -s " + sp + " 64\nrd -64 -s " + sp + " 16\nrd -p 100 3\n"
                       "rd -s -32 init_task 4\n");
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, CrashParityKernel, ::testing::ValuesIn(kX86SysrqSamples), SampleName());
