// bt on the sample dumps. Oracles: drgn 0.0.22 for the kdump panic task
// (crash adds stale frames there), for every task not running on a CPU, and
// for each CPU's trace from the QEMU notes (drgn stops at the IRQ stack,
// so its trace must be a prefix of ours); crash 8.0.2 for the bytes
// of x86_64's register block, bt -f words and bt -t lines on the kdump dump.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

const char* const kSamples[] = {"x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump", "arm64-sysrq",
                                "arm64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"};

// The vmcore every test of a sample reads: the QEMU ELF, or the kdump's ELF.
std::string main_vmcore(const SampleDump& d) {
  return d.paths.count("VMCORE_QEMU_ELF") ? d.path("VMCORE_QEMU_ELF") : d.path("VMCORE_KDUMP_ELF");
}

struct Trace {
  std::string header;
  std::string task;              // hex, from the header
  std::vector<std::string> pcs;  // "at PC" of each frame line
  std::vector<std::string> lines;
};

// Splits bt output into one Trace per "PID:" header.
std::vector<Trace> parse_bt(const std::string& text) {
  static const std::regex frame(R"(^ ?#\d+ \[[0-9a-f]+\] .* at ([0-9a-f]+)$)");
  std::vector<Trace> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PID: ", 0) == 0) {
      out.push_back({});
      out.back().header = line;
      auto at = line.find("TASK: ");
      if (at != std::string::npos) out.back().task = line.substr(at + 6, line.find(' ', at + 6) - at - 6);
      continue;
    }
    if (out.empty()) continue;
    out.back().lines.push_back(line);
    std::smatch m;
    if (std::regex_match(line, m, frame)) out.back().pcs.push_back(m[1]);
  }
  return out;
}

// kinspect's and crash's output for one script on the kdump's ELF.
std::pair<RunResult, RunResult> kinspect_and_crash(const SampleDump& d, const std::string& script) {
  std::string vmcore = d.path("VMCORE_KDUMP_ELF");
  return {run_kinspect({"-s", d.path("VMLINUX"), vmcore}, script),
          run_crash(d, vmcore, script)};
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + " ";
  return s;
}

TEST(Bt, KdumpPanicTaskHasDrgnsCrashedThreadFrames) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-kdump");
  RunResult dr = run_drgn(d, "drgn_bt.py", "crashed\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  auto colon = dr.out.find(':');
  ASSERT_NE(colon, std::string::npos) << dr.out;
  std::vector<std::string> expect = words(dr.out.substr(colon + 1));
  ASSERT_GE(expect.size(), 8u);
  for (const char* key : {"VMCORE_KDUMP_ELF", "VMCORE_KDUMP_ZLIB"}) {
    RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path(key)}, "bt\n");
    ASSERT_EQ(r.status, 0) << r.err;
    auto traces = parse_bt(r.out);
    ASSERT_EQ(traces.size(), 1u) << r.out;
    EXPECT_NE(traces[0].header.find("PID: " + d.fact("panic_pid") + " "), std::string::npos) << key;
    EXPECT_EQ(join(traces[0].pcs), join(expect)) << key << "\n" << r.out;
  }
}

// bt -l: each call drgn shows inlined, and the line of the function it was
// inlined into, appear as file: line pairs, the inlined one marked.
TEST(Bt, KdumpInlinedFramesEqualDrgns) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-kdump");
  RunResult dr = run_drgn(d, "drgn_bt.py", "crashed-inline\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_KDUMP_ELF")}, "bt -l\n");
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream in(dr.out);
  int inlined = 0;
  for (std::string name, file, line; in >> name >> file >> line;) {
    // drgn names files relative to the build directory; ours carry it.
    std::string want = "/" + file + ": " + line;
    size_t at = r.out.find(want);
    EXPECT_NE(at, std::string::npos) << want << "\n" << r.out;
    std::string rest = r.out.substr(at + want.size(), r.out.find('\n', at) - at - want.size());
    if (rest == "  (inlined " + name + ")") ++inlined;
  }
  EXPECT_GE(inlined, 2) << dr.out << r.out;
}

TEST(Bt, KdumpUserRegistersFramesWordsAndTextEqualCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-kdump");
  auto [ki, cr] = kinspect_and_crash(d, "bt\nbt -f\nbt -t\n");
  ASSERT_EQ(ki.status, 0) << ki.err;
  ASSERT_EQ(cr.status, 0) << cr.err;
  // Frame lines compare from the bracket on: crash numbers its stale frames too.
  auto key = [](const std::string& l) {
    return std::regex_match(l, std::regex(R"( ?#\d+ \[.*)")) ? l.substr(l.find('[')) : l;
  };
  std::set<std::string> crash_lines;
  std::istringstream cin(cr.out);
  for (std::string l; std::getline(cin, l);) crash_lines.insert(key(l));
  // The user-mode register block at the syscall entry: crash's seven lines.
  for (const char* label : {"    RIP: ", "    RAX: ", "    RDX: ", "    RBP: ", "    R10: ", "    R13: ",
                            "    ORIG_RAX: "}) {
    std::istringstream kin(ki.out);
    bool found = false;
    for (std::string l; std::getline(kin, l);)
      if (l.rfind(label, 0) == 0) {
        EXPECT_TRUE(crash_lines.count(l)) << l;
        found = true;
      }
    EXPECT_TRUE(found) << label;
  }
  // Every frame line and -t line we print, crash prints too (crash adds
  // stale frames, so not the reverse); frame 0 aside, whose bracket crash
  // takes from its own search. -f words are compared by address, since
  // crash's stale frames pair the words differently.
  std::map<std::string, std::string> crash_words;
  auto add_words = [](const std::string& l, std::map<std::string, std::string>& m) {
    auto w = words(l);
    if (w.empty() || w[0].size() != 17) return;
    uint64_t a = std::stoull(w[0].substr(0, 16), nullptr, 16);
    for (size_t i = 1; i < w.size(); ++i) {
      char b[24];
      std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(a + 8 * (i - 1)));
      m[b] = w[i];
    }
  };
  for (const std::string& l : crash_lines)
    if (std::regex_match(l, std::regex(R"(    [0-9a-f]{16}: .*)"))) add_words(l, crash_words);
  std::istringstream kin(ki.out);
  int frames = 0, stack_words = 0, text = 0;
  for (std::string l; std::getline(kin, l);) {
    bool frame = std::regex_match(l, std::regex(R"( ?#[1-9]\d* \[.*)"));
    bool word = std::regex_match(l, std::regex(R"(    [0-9a-f]{16}: .*)"));
    bool t = std::regex_match(l, std::regex(R"(  \[[0-9a-f]{16}\] .*)"));
    frames += frame;
    text += t;
    if (frame || t) EXPECT_TRUE(crash_lines.count(key(l))) << "not in crash's output: " << l;
    if (!word) continue;
    std::map<std::string, std::string> ours;
    add_words(l, ours);
    for (const auto& [addr, value] : ours) {
      ++stack_words;
      auto it = crash_words.find(addr);
      if (it != crash_words.end()) {
        EXPECT_EQ(value, it->second) << addr;
      }
    }
  }
  EXPECT_GE(frames, 16);  // twice the 9 frames after frame 0 (bt, bt -f)
  EXPECT_GE(stack_words, 40);
  EXPECT_GE(text, 9);
}

// The CPU kdump stopped by NMI while it ran user code: its note holds the
// user registers; the NMI handler's frames are found on the task stack and
// equal crash's, down to the same register block.
TEST(Bt, KdumpNmiStoppedCpuHasCrashsNmiFrames) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-kdump");
  auto [ki, cr] = kinspect_and_crash(d, "bt -a\n");
  ASSERT_EQ(ki.status, 0) << ki.err;
  ASSERT_EQ(cr.status, 0) << cr.err;
  auto ours = parse_bt(ki.out), theirs = parse_bt(cr.out);
  const std::string panic = "PID: " + d.fact("panic_pid") + " ";
  int checked = 0;
  for (const Trace& c : theirs) {
    if (c.header.rfind(panic, 0) == 0) continue;
    const Trace* k = nullptr;
    for (const Trace& t : ours)
      if (t.header == c.header) k = &t;
    ASSERT_NE(k, nullptr) << c.header << "\n" << ki.out;
    std::set<std::string> mine;
    for (const auto& l : k->lines) mine.insert(l.find('[') != std::string::npos ? l.substr(l.find('[')) : l);
    for (const auto& l : c.lines) {
      if (l.empty()) continue;
      std::string key = l.find('[') != std::string::npos ? l.substr(l.find('[')) : l;
      EXPECT_TRUE(mine.count(key)) << c.header << ": crash's line missing: " << l << "\n" << ki.out;
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
}

class BtSample : public ::testing::TestWithParam<const char*> {};

TEST_P(BtSample, SleepingTasksEqualDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult dr = run_drgn(d, "drgn_bt.py", "sleeping\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  std::map<std::string, std::string> expect;  // task -> pcs
  std::string script;
  std::istringstream in(dr.out);
  for (std::string l; std::getline(in, l);) {
    auto colon = l.find(':');
    if (colon == std::string::npos) continue;
    auto head = words(l.substr(0, colon));
    // drgn 0.0.22 gives a task the NT_PRSTATUS note whose pr_pid equals its
    // pid; QEMU numbers its notes cpu + 1, so pids 1..cpus get another CPU's
    // registers there (the bug the issue names). Those are left out.
    long pid = std::stol(head.at(0));
    if (!d.paths.count("VMCORE_KDUMP_ELF") && pid >= 1 && pid <= std::stol(d.fact("cpus"))) continue;
    std::string task = head.at(1);
    expect[task] = join(words(l.substr(colon + 1)));
    script += "bt " + task + "\n";
  }
  ASSERT_GE(expect.size(), 40u);
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), main_vmcore(d)}, script);
  ASSERT_EQ(r.status, 0) << r.err;
  auto traces = parse_bt(r.out);
  ASSERT_EQ(traces.size(), expect.size());
  for (const Trace& t : traces) {
    ASSERT_TRUE(expect.count(t.task)) << t.header;
    EXPECT_EQ(join(t.pcs), expect[t.task]) << t.header;
  }
}

TEST_P(BtSample, EveryCpuHasACompleteTraceInEveryFormat) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  for (const auto& [key, path] : d.vmcores()) {
    if (key.find("FLAT") != std::string::npos) continue;  // same bytes as its unflattened twin
    RunResult r = run_kinspect({"-s", d.path("VMLINUX"), path}, "bt -a\n");
    ASSERT_EQ(r.status, 0) << key << r.err;
    auto traces = parse_bt(r.out);
    EXPECT_EQ(traces.size(), std::stoul(d.fact("cpus"))) << key << "\n" << r.out;
    for (const Trace& t : traces) {
      bool user_block = false;
      for (const auto& l : t.lines) {
        EXPECT_EQ(l.find("unwind stopped"), std::string::npos) << key << " " << t.header << "\n" << l;
        user_block = user_block || l.rfind("    RIP: 0000", 0) == 0 || l.rfind("     PC: 0000", 0) == 0;
      }
      EXPECT_TRUE(!t.pcs.empty() || user_block) << key << " " << t.header;
    }
  }
}

TEST_P(BtSample, ForeachBtUnwindsEveryTask) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), main_vmcore(d)}, "foreach bt\nps\n");
  ASSERT_EQ(r.status, 0) << r.err;
  auto traces = parse_bt(r.out);
  EXPECT_GE(traces.size(), std::stoul(d.fact("tasks")));
  for (const Trace& t : traces) {
    EXPECT_FALSE(t.pcs.empty()) << t.header;
    for (const auto& l : t.lines) {
      EXPECT_EQ(l.find("unwind stopped"), std::string::npos) << t.header << "\n" << l;
      EXPECT_NE(l.rfind("bt: ", 0), 0u) << t.header << "\n" << l;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, BtSample, ::testing::ValuesIn(kSamples),
SampleName());

class BtCsd : public ::testing::TestWithParam<const char*> {};

// Incident 2: the waiting CPU's trace goes through its IRQ frame into
// smp_call_function_many_cond, whose registers the exception block shows.
TEST_P(BtCsd, WaiterGoesThroughTheIrqFrameIntoSmpCallFunctionManyCond) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")},
                             "bt -c " + d.fact("csd_wait_cpu") + "\n");
  ASSERT_EQ(r.status, 0) << r.err;
  auto traces = parse_bt(r.out);
  ASSERT_EQ(traces.size(), 1u) << r.out;
  EXPECT_NE(traces[0].header.find("PID: " + d.fact("csd_waiter_pid") + " "), std::string::npos);
  size_t irq = std::string::npos, exc = std::string::npos, target = std::string::npos;
  const auto& lines = traces[0].lines;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "--- <IRQ stack> ---" && irq == std::string::npos) irq = i;
    // x86_64's exception line, or arm64's PC line naming the function.
    if (lines[i].find("[exception RIP: smp_call_function_many_cond+") != std::string::npos ||
        (lines[i].rfind("     PC: ", 0) == 0 && lines[i].find("  [smp_call_function_many_cond+") != std::string::npos))
      exc = i;
    if (std::regex_match(lines[i], std::regex(R"( ?#\d+ \[[0-9a-f]+\] smp_call_function_many_cond at [0-9a-f]+)")))
      target = i;
  }
  ASSERT_NE(irq, std::string::npos) << r.out;
  ASSERT_NE(exc, std::string::npos) << r.out;
  ASSERT_NE(target, std::string::npos) << r.out;
  EXPECT_LT(irq, target);
  EXPECT_LT(exc, target);
  EXPECT_NE(r.out.find("csd_waiter [csd_lockup] at"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, BtCsd, ::testing::Values("x86_64-csd-lockup", "arm64-csd-lockup"),
SampleName());

class BtQemuCpus : public ::testing::TestWithParam<const char*> {};

// drgn unwinds each CPU from its QEMU note (as a struct pt_regs) up to the
// IRQ stack's end; our trace starts with the same frames and goes on.
TEST_P(BtQemuCpus, CpuTracesStartWithDrgns) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult dr = run_drgn(d, "drgn_bt.py", "cpus\n");
  ASSERT_EQ(dr.status, 0) << dr.err;
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, "bt -a\n");
  ASSERT_EQ(r.status, 0) << r.err;
  auto traces = parse_bt(r.out);
  std::istringstream in(dr.out);
  size_t cpus = 0;
  for (std::string l; std::getline(in, l); ++cpus) {
    auto colon = l.find(':');
    ASSERT_NE(colon, std::string::npos);
    std::vector<std::string> expect = words(l.substr(colon + 1));
    ASSERT_LT(cpus, traces.size());
    const auto& got = traces[cpus].pcs;
    ASSERT_GE(expect.size(), 2u) << l;
    // drgn 0.0.22 can get stuck on a leaf frame that has not stored its
    // frame record (CPU 0 of the remade arm64-sysrq sample: interrupted in
    // arch_local_irq_restore, drgn repeats that pc to its 1024-frame limit;
    // we go on through lr to try_to_wake_up): compare up to the repeat.
    for (size_t i = 1; i < expect.size(); ++i)
      if (expect[i] == expect[i - 1]) {
        expect.resize(i);
        break;
      }
    ASSERT_GE(got.size(), expect.size()) << traces[cpus].header;
    EXPECT_EQ(join({got.begin(), got.begin() + static_cast<long>(expect.size())}), join(expect))
        << traces[cpus].header;
  }
  EXPECT_EQ(cpus, std::stoul(d.fact("cpus")));
  // The user-mode register block of a CPU that was in (or entered from) user mode.
  EXPECT_NE(r.out.find(d.fact("arch") == "arm64" ? "     PC: 0000" : "    RIP: 0000"), std::string::npos)
      << r.out;
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, BtQemuCpus,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "arm64-sysrq",
                                           "arm64-csd-lockup", "x86_64-bullseye-sysrq", "x86_64-trixie-sysrq", "arm64-bullseye-sysrq", "arm64-trixie-sysrq"),
SampleName());

}  // namespace
