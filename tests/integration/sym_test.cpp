// Issue "Address translation and symbols": `sym` of functions, data,
// per-cpu and module symbols, and the reverse lookups of addresses inside
// them, print what crash prints for the same dump.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {
class SymKernel : public ::testing::TestWithParam<const char*> {};
}  // namespace

// On the x86_64 sample of each kernel (5.10, 6.1, 6.12) with its own crash.
TEST_P(SymKernel, MatchesCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  // Names: functions (global, static, .cold), data, per-cpu, aliases at one
  // address, module text and data. Addresses are taken from crash's own
  // answers below, so the reverse lookups use crash's values.
  const char* names[] = {"schedule", "__schedule", "sysrq_handle_crash", "panic", "vfs_write",
                         "do_syscall_64", "jiffies", "init_task", "linux_banner", "runqueues",
                         "current_task", "__per_cpu_offset", "_text", "_stext", "startup_64",
                         "init_stack", "sysrq_handler.cold", "rpc_call_start", "rpc_execute",
                         "fw_cfg_sysfs_probe", "nfs3_procedures", "sunrpc_table_header", "cpu_khz", "kthreadd",
                         "do_exit", "sys_call_table", "rpc_release_task", "tick_sched_timer"};
  std::string script;
  for (const char* n : names) script += std::string("sym ") + n + "\n";
  RunResult crash = run_crash(d, d.path("VMCORE_QEMU_ELF"), script);
  ASSERT_EQ(crash.status, 0) << crash.err;
  // Reverse lookups at +0, +1 and +0x10 of each address crash printed.
  std::string reverse;
  std::istringstream lines(crash.out);
  std::string line;
  int addresses = 0;
  std::set<uint64_t> seen;
  while (std::getline(lines, line)) {
    uint64_t a = strtoull(line.c_str(), nullptr, 16);
    if (a < 0xffff800000000000ull) continue;  // per-cpu offsets and "symbol not found"
    // Addresses with aliases (_text/_stext/startup_64, init_stack and
    // friends): crash's answer there depends on its lookup cache, i.e. on
    // the commands run before (sym ffffffffa2800000 printed _stext in one
    // session and startup_64 in another). kinspect's rule is documented in
    // symbol_table.cpp; they are left out here.
    if (line.find(" _text ") != std::string::npos || line.find(" _stext ") != std::string::npos ||
        line.find(" startup_64 ") != std::string::npos || line.find(" init_stack") != std::string::npos)
      continue;
    if (!seen.insert(a).second) continue;
    for (uint64_t off : {0, 1, 0x10}) {
      char buf[64];
      snprintf(buf, sizeof buf, "sym %llx\n", static_cast<unsigned long long>(a + off));
      reverse += buf;
    }
    ++addresses;
  }
  EXPECT_GE(addresses, 20);
  RunResult crash_rev = run_crash(d, d.path("VMCORE_QEMU_ELF"), reverse);
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, script + reverse);
  // crash prints "symbol not found" and its alternatives on stdout,
  // kinspect on stderr: compare the answers, then the error.
  std::string want = crash.out + crash_rev.out, kept;
  std::istringstream w(want);
  while (std::getline(w, line))
    if (line.rfind("symbol not found", 0) != 0 && line.rfind("possible alternatives", 0) != 0 &&
        line.rfind("  ", 0) != 0)
      kept += line + "\n";
  // crash 8.0.6 (the 6.12 oracle) ends a text symbol without a source line
  // with a blank, 8.0.2 does not: trailing blanks are not compared.
  auto trim_lines = [](const std::string& t) {
    std::string out, l;
    std::istringstream in(t);
    while (std::getline(in, l)) out += l.substr(0, l.find_last_not_of(' ') + 1) + "\n";
    return out;
  };
  EXPECT_EQ(trim_lines(strip_echo(ki.out)), trim_lines(kept)) << ki.err;
  EXPECT_NE(ki.err.find("symbol not found: nfs3_procedures"), std::string::npos) << ki.err;
}

TEST_P(SymKernel, ListsOfAModuleMatchCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string script = "sym -m qemu_fw_cfg\nsym -q sysrq_handle\n";
  RunResult crash = run_crash(d, d.path("VMCORE_QEMU_ELF"), script);
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, script);
  EXPECT_EQ(strip_echo(ki.out), crash.out) << ki.err;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, SymKernel, ::testing::ValuesIn(kX86SysrqSamples), SampleName());

TEST(Sym, UnknownNamesAndAddressesGiveOneErrorAndTheSessionGoesOn) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")},
                              "sym no_such_symbol_xyz\nsym 0\nsym jiffies\n");
  EXPECT_EQ(ki.status, 1);
  EXPECT_NE(ki.err.find("symbol not found: no_such_symbol_xyz"), std::string::npos) << ki.err;
  EXPECT_NE(ki.err.find("invalid address: 0"), std::string::npos) << ki.err;
  EXPECT_NE(ki.out.find("(D) jiffies"), std::string::npos) << ki.out;
}
