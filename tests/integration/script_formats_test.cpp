// A -c script of 20 commands gives the same transcript on every format of
// one dump (QEMU ELF with and without paging, QEMU kdump-zlib flat and not,
// makedumpfile -c/-l/-E -d 31, flattened -F and -R), the DUMPFILE line of
// `sys` aside. What a -d 31 filter removes (user pages, free pages, page
// cache) is not read by these commands, so nothing may differ.
#include <gtest/gtest.h>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

constexpr const char* kScript = R"(# the first steps of a ticket, replayed
sys | grep -v DUMPFILE
set
ps
ps -k
ps -t 1
ps -p 1
task -R pid,comm,se.vruntime,stack
log -t | tail -40
log -m | grep -c .
mod
mod -t
runq
p jiffies
p init_task.comm
px init_uts_ns.name.release
sym schedule
dis -l schedule 6
rd -64 jiffies 2
foreach RU set
list task_struct.tasks -s task_struct.pid -h init_task
)";

class ScriptFormats : public ::testing::TestWithParam<const char*> {};

TEST_P(ScriptFormats, SameTranscriptOnEveryFormat) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  std::string ref_path = d.reference_vmcore();
  std::string script = "/tmp/kinspect-steps-" + d.name + ".cmd";
  ASSERT_EQ(run_shell("cat > " + shell_quote(script), kScript).status, 0);
  RunResult ref = run_kinspect({"-s", "--no-rc", "-c", script, d.path("VMLINUX"), ref_path});
  ASSERT_EQ(ref.status, 0) << ref.err;
  int commands = 0;
  for (size_t p = ref.out.find("kinspect> "); p != std::string::npos; p = ref.out.find("kinspect> ", p + 1))
    ++commands;
  EXPECT_EQ(commands, 20);
  EXPECT_GT(ref.out.size(), 4000u);
  int formats = 0;
  for (const auto& [key, path] : d.vmcores()) {
    if (path == ref_path) continue;
    SCOPED_TRACE(key);
    RunResult r = run_kinspect({"-s", "--no-rc", "-c", script, d.path("VMLINUX"), path});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, ref.out);
    ++formats;
  }
  // QEMU's paging ELF, its kdump-zlib (flat and not), and makedumpfile's
  // files; arm64-trixie-sysrq has QEMU's three only (no makedumpfile filters
  // a 4K-page 52-bit kernel: sample-dumps/scenarios/arm64-trixie-sysrq.conf).
  EXPECT_GE(formats, d.path("VMCORE") == d.path("VMCORE_QEMU_KDUMP_ZLIB") ? 3 : 4);
  std::remove(script.c_str());
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, ScriptFormats, ::testing::Values("x86_64-sysrq", "arm64-sysrq", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
                         SampleName());

}  // namespace
