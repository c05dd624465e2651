// Issue "Address translation and symbols": vtop of kernel text, data, the
// direct map, vmalloc (a kernel stack), vmemmap and a module gives the
// physical address crash (x86_64) or drgn (arm64) computes, on dumps with
// KASLR on and off.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

class X86Vtop : public ::testing::TestWithParam<const char*> {};

// Every address comes from crash's own answers on the same dump; then the
// whole vtop output of crash and kinspect must be the same.
TEST_P(X86Vtop, MatchesCrashForEveryRegion) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string vmcore = d.reference_vmcore();
  RunResult probe = run_crash(d, vmcore,
                              "sym schedule\nsym jiffies\nsym rpc_execute\nptov 1000000\nbt\nkmem -p 1000000\n");
  ASSERT_EQ(probe.status, 0) << probe.err;
  auto pick = [&](const std::string& re) {
    std::smatch m;
    return std::regex_search(probe.out, m, std::regex(re)) ? std::string(m[1]) : std::string();
  };
  std::string text = pick(R"((?:^|\n)([0-9a-f]{16}) \(T\) schedule )");
  std::string data = pick(R"(\n([0-9a-f]{16}) \(D\) jiffies)");
  std::string module = pick(R"(\n([0-9a-f]{16}) \(T\) rpc_execute )");
  std::string direct = pick(R"(\n([0-9a-f]{16})  1000000 )");
  std::string stack = pick(R"(#0 \[([0-9a-f]{16})\])");
  // kmem -p's struct page, after its MAPPING header (vmemmap_base moves with KASLR).
  std::string vmemmap;
  if (auto at = probe.out.find("MAPPING"); at != std::string::npos) {
    std::smatch m;
    std::string tail = probe.out.substr(at);
    if (std::regex_search(tail, m, std::regex(R"(\n([0-9a-f]{16}) )"))) vmemmap = m[1];
  }
  for (const auto& a : {text, data, module, direct, stack, vmemmap})
    ASSERT_EQ(a.size(), 16u) << "could not pick addresses from crash: text=" << text << " data=" << data
                             << " module=" << module << " direct=" << direct << " stack=" << stack
                             << " vmemmap=" << vmemmap << "\n" << probe.out;
  std::string script;
  for (const auto& a : {text, data, direct, stack, vmemmap, module}) script += "vtop " + a + "\n";
  RunResult crash = run_crash(d, vmcore, script);
  // crash opens with warnings about the active tasks and its bt attempts.
  std::string want = crash.out.substr(crash.out.find("VIRTUAL"));
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), vmcore}, script);
  EXPECT_EQ(ki.status, 0) << ki.err;
  EXPECT_EQ(strip_echo(ki.out), want);
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, X86Vtop,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

class Arm64Vtop : public ::testing::TestWithParam<const char*> {};

TEST_P(Arm64Vtop, MatchesDrgnForEveryRegion) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string src = std::string(KINSPECT_SOURCE_DIR) + "/tests/integration/";
  std::string virt = "/tmp/kinspect-drgn-vtop-" + d.name + ".elf";
  RunResult mk = run_shell("/usr/bin/python3 " + src + "elf_add_kernel_vaddrs.py '" +
                           d.path("VMCORE_QEMU_ELF") + "' " + virt);
  ASSERT_EQ(mk.status, 0) << mk.err;
  // The sample's drgn: trixie's 0.0.31 for 6.12 (0.0.22 cannot read its arm64 kernel).
  std::string drgn = d.drgn_python() + " " + src + "drgn_vtop.py '" + d.path("VMLINUX") + "' " + virt;
  RunResult pick = run_shell(drgn + " pick");
  ASSERT_EQ(pick.status, 0) << pick.err;
  std::istringstream in(pick.out);
  std::string kind, va, pairs;
  int picked = 0;
  while (in >> kind >> va) {
    RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, "vtop " + va + "\n");
    EXPECT_EQ(ki.status, 0) << kind << " " << va << ": " << ki.err;
    std::istringstream out(strip_echo(ki.out));
    std::string head, row, got_va, got_pa;
    std::getline(out, head);
    std::getline(out, row);
    std::istringstream(row) >> got_va >> got_pa;
    EXPECT_EQ("0x" + got_va, va) << kind;
    pairs += " " + va + " " + got_pa;
    ++picked;
  }
  ASSERT_EQ(picked, 6) << pick.out;
  RunResult check = run_shell(drgn + " check" + pairs);
  run_shell("rm -f " + virt);
  ASSERT_EQ(check.status, 0) << check.err;
  // Every address: drgn's bytes through its translation equal the bytes at
  // kinspect's physical address, and they are not all zero.
  EXPECT_EQ(std::count(check.out.begin(), check.out.end(), '\n'), 6) << check.out;
  EXPECT_EQ(check.out.find("DIFFER"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("zero"), std::string::npos) << check.out;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, Arm64Vtop, ::testing::Values("arm64-sysrq", "arm64-csd-lockup", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
