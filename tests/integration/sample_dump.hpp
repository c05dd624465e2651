// Access to the real sample dumps made by sample-dumps/make.sh, their facts
// (from the guest's own console) and the oracles' (crash, drgn) transcripts,
// and a runner for the kinspect binary.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kinspect::testing {

struct SampleDump {
  std::string name;
  std::map<std::string, std::string> paths;  // paths.sh: VMLINUX, VMCORE_QEMU_ELF, ...
  std::map<std::string, std::string> facts;  // facts.env
  std::string path(const std::string& key) const;
  std::string fact(const std::string& key) const;
  // VMCORE_* keys present on disk, e.g. {"VMCORE_QEMU_ELF", path}.
  std::vector<std::pair<std::string, std::string>> vmcores() const;
  // The unfiltered ELF every other format is compared with: QEMU's
  // dump-guest-memory file, or the in-guest kdump's copy of /proc/vmcore.
  std::string reference_vmcore() const;
  // crash's transcript for one vmcore file (the recipe's oracles/ dir).
  std::string crash_transcript(const std::string& vmcore_path) const;
  // The oracles paths.sh names for this kernel (ORACLE_CRASH, ORACLE_PYTHON):
  // trixie's crash 8.0.6 and drgn 0.0.31 for 6.12, the host's otherwise.
  std::string crash_command() const;
  std::string drgn_python() const;
};

// The sysrq sample of every kernel in the matrix (6.1, 5.10, 6.12): tests
// that hold on any kernel take these lists (the arm64 5.10/6.12 ones are
// opt-in: KINSPECT_MATRIX=all makes them, otherwise their tests skip).
inline constexpr const char* kX86SysrqSamples[] = {"x86_64-sysrq", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq"};
inline constexpr const char* kSysrqSamples[] = {"x86_64-sysrq",         "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq",
                                                "arm64-sysrq",          "arm64-bullseye-sysrq",  "arm64-trixie-sysrq"};

// A gtest parameter name for a sample's name: "x86_64-sysrq" -> "x86_64_sysrq".
struct SampleName {
  template <class Info>
  std::string operator()(const Info& info) const {
    std::string n = info.param;
    for (char& c : n)
      if (c == '-') c = '_';
    return n;
  }
};

// Loads a sample dump; on failure sets *why and returns nullopt, and sets
// *not_selected when the sample is an opt-in one (OPT_IN=1 in its scenario)
// that KINSPECT_MATRIX=all did not ask for: such a test skips.
std::optional<SampleDump> load_sample(const std::string& name, std::string* why, bool* not_selected = nullptr);

struct RunResult {
  int status = -1;  // exit status
  std::string out, err;
};
// Runs the kinspect binary with args, feeding `input` on stdin.
RunResult run_kinspect(const std::vector<std::string>& args, const std::string& input = "");
RunResult run_shell(const std::string& command, const std::string& input = "");
// A word for /bin/sh: single-quoted, with embedded quotes escaped.
std::string shell_quote(const std::string& s);
// Runs a drgn script of tests/integration with the sample's drgn (0.0.22, or
// trixie's 0.0.31 for a 6.12 sample; see drgn_python()) (or "-" with the script on
// stdin) as `PYTHON SCRIPT VMLINUX VMCORE` on a file drgn can read:
// x86_64's QEMU paging ELF, the kdump's own ELF, or for arm64 a copy of the
// QEMU ELF with kernel virtual addresses added (elf_add_kernel_vaddrs.py),
// made once per test process and removed at exit.
RunResult run_drgn(const SampleDump& d, const std::string& script, const std::string& input = "");
// Runs the sample's crash (`crash -s`, see crash_command()) on the sample's
// vmlinux and `vmcore` with `input` as its commands; its output
// without the "WARNING: ... not found in PID hash" and "bt: invalid size
// request" / "bt: read of stack" lines it prints at start.
RunResult run_crash(const SampleDump& d, const std::string& vmcore, const std::string& input);
// A file's whole text ("" when it cannot be read).
std::string file_text(const std::string& path);
// A text's lines, without their newlines.
std::vector<std::string> lines_of(const std::string& text);
// kinspect's output of each command of a script, keyed by its "kinspect> CMD" echo line.
std::map<std::string, std::string> by_command(const std::string& out);
// kinspect's output for a script, without the "kinspect> CMD" echo lines.
std::string strip_echo(const std::string& out);

// "  RELEASE: x" -> "x" for the first line whose label is `key`.
std::optional<std::string> field(const std::string& text, const std::string& key);

}  // namespace kinspect::testing

// Skips only when explicitly allowed or the sample is opt-in and not selected;
// by default a missing sample dump fails, since .ci/run builds them first.
#define KINSPECT_REQUIRE_SAMPLE(var, name)                                       \
  std::string var##_why;                                                        \
  bool var##_optional = false;                                                  \
  auto var##_opt = ::kinspect::testing::load_sample(name, &var##_why, &var##_optional); \
  if (!var##_opt) {                                                             \
    if (var##_optional || getenv("KINSPECT_ALLOW_MISSING_SAMPLES")) GTEST_SKIP() << var##_why; \
    FAIL() << var##_why;                                                        \
  }                                                                             \
  const ::kinspect::testing::SampleDump& var = *var##_opt
