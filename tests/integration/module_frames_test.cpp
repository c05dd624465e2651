// Module frames on the csd-lockup samples: after `mod -s csd_lockup FILE`
// (or with the module's debug file found by autoload), `bt -V` shows the
// variables of `csd_waiter [csd_lockup]` and of on_each_cpu inlined into
// it, and the vmlinux frame above it (kthread), whose callee-saved
// registers only the module's CFI can restore. drgn 0.0.22, given the same
// module file, is the oracle for every number; it cannot evaluate
// DW_OP_entry_value, so the vmlinux frame the module calls
// (on_each_cpu_cond_mask), whose parameters are entry values taken from the
// module's call site, is checked against the inlined on_each_cpu's values.
// bt -l's source lines of the module frame are checked against addr2line
// on the .ko.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <optional>
#include <map>
#include <regex>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

struct Scope {
  std::string function;
  bool inlined = false;
  std::map<std::string, std::string> vars;  // name -> printed value
};
struct BtFrame {
  std::string slot, function, pc;
  std::string line;  // the " #N [...] ..." line
  std::vector<Scope> scopes;
};

// bt -V's text: frame lines, "    FUNCTION:" / "    F (inlined at ...):"
// scope lines and "      name = value" variable lines.
std::vector<BtFrame> parse_bt_v(const std::string& text) {
  std::vector<BtFrame> out;
  std::istringstream in(text);
  std::string l;
  static const std::regex kFrame(R"(^ ?#\s*[0-9]+ \[([0-9a-f]+)\] (\S+)(?: \[\S+\])? at ([0-9a-f]+))");
  static const std::regex kScope(R"(^    (\S+)( \(inlined[^)]*\))?:$)");
  static const std::regex kVar(R"(^      ([A-Za-z_][A-Za-z_0-9]*) = (.*)$)");
  std::smatch m;
  while (std::getline(in, l)) {
    if (std::regex_search(l, m, kFrame)) {
      out.push_back({m[1], m[2], m[3], l, {}});
    } else if (!out.empty() && std::regex_match(l, m, kScope)) {
      out.back().scopes.push_back({m[1], m[2].matched, {}});
    } else if (!out.empty() && !out.back().scopes.empty() && std::regex_match(l, m, kVar)) {
      out.back().scopes.back().vars.emplace(m[1], m[2]);
    }
  }
  return out;
}

// The number a printed value starts with, after an optional "(type) "
// (whose parentheses may nest: "(int (*)(void *)) ").
std::optional<uint64_t> number_of(const std::string& text) {
  size_t at = 0;
  if (!text.empty() && text[0] == '(') {
    int depth = 0;
    for (; at < text.size(); ++at) {
      depth += text[at] == '(' ? 1 : text[at] == ')' ? -1 : 0;
      if (depth == 0) break;
    }
    at += 2;  // ") "
    if (at > text.size()) return std::nullopt;
  }
  static const std::regex kNum(R"(^(-?(?:0x[0-9a-f]+|[0-9]+))(?: .*)?$)");
  std::smatch m;
  std::string rest = text.substr(at);
  if (!std::regex_match(rest, m, kNum)) return std::nullopt;
  std::string t = m[1];
  if (t.rfind("0x", 0) == 0) return std::stoull(t, nullptr, 16);
  return static_cast<uint64_t>(std::stoll(t));
}

// drgn_frame_vars.py's output: frame name -> variable -> text.
std::vector<std::pair<std::string, std::map<std::string, std::string>>> drgn_frames(const SampleDump& d,
                                                                                    const BtFrame& interrupted) {
  // The pt_regs lies below the interrupted frame, on the same 16K stack.
  uint64_t slot = std::stoull(interrupted.slot, nullptr, 16);
  uint64_t low = std::max(slot - 0x800, slot & ~uint64_t{0x3fff});
  char range[64];
  std::snprintf(range, sizeof range, " %llx %llx\n", static_cast<unsigned long long>(low),
                static_cast<unsigned long long>(slot));
  RunResult r = run_drgn(d, "drgn_frame_vars.py", d.path("CSD_MODULE") + " " + interrupted.pc + range);
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> out;
  std::istringstream in(r.out);
  std::string kind, a, b;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream w(line);
    w >> kind >> a >> b;
    if (kind == "FRAME") out.push_back({a, {}});
    else if (kind == "VAR" && !out.empty()) out.back().second[a] = b;
  }
  return out;
}

const BtFrame* frame_named(const std::vector<BtFrame>& frames, const std::string& fn) {
  for (const BtFrame& f : frames)
    if (f.function == fn) return &f;
  return nullptr;
}

const Scope* scope_named(const BtFrame& f, const std::string& fn) {
  for (const Scope& s : f.scopes)
    if (s.function == fn) return &s;
  return nullptr;
}

// Every number drgn prints for a function's frame, kinspect prints the
// same; returns how many matched.
int compare_numbers(const Scope& ours, const std::map<std::string, std::string>& drgn) {
  int matched = 0;
  for (const auto& [name, text] : drgn) {
    if (text == "absent" || text == "error" || text == "other") continue;
    auto it = ours.vars.find(name);
    if (it == ours.vars.end()) {
      ADD_FAILURE() << ours.function << ": kinspect lists no " << name;
      continue;
    }
    auto n = number_of(it->second);
    EXPECT_TRUE(n) << ours.function << "." << name << " = " << it->second << ", drgn: " << text;
    if (!n) continue;
    EXPECT_EQ(*n, std::stoull(text)) << ours.function << "." << name << " = " << it->second;
    matched += *n == std::stoull(text);
  }
  return matched;
}

std::string bt_v_with_module(const SampleDump& d, const std::vector<std::string>& extra_args, const std::string& load) {
  std::vector<std::string> args = extra_args;
  args.push_back("-s");
  args.push_back(d.path("VMLINUX"));
  args.push_back(d.path("VMCORE"));
  RunResult r = run_kinspect(args, load + "bt -V " + d.fact("csd_waiter_pid") + "\n");
  EXPECT_EQ(r.status, 0) << r.err;
  return strip_echo(r.out);
}

// The module frame's and kthread's variables equal drgn's; on_each_cpu is
// an inlined scope of the module frame; on_each_cpu_cond_mask (vmlinux),
// whose parameters are entry values, gets them from the module's call site
// (drgn cannot evaluate entry values: they must equal on_each_cpu's, and
// cond_func is the NULL the source passes). csd_waiter's `unused` is an
// entry value too, but kthread's call site names no target (a retpoline
// call): like gdb, kinspect cannot tie it to csd_waiter and says optimized out.
void check_waiter_variables(const SampleDump& d, const std::string& out) {
  auto frames = parse_bt_v(out);
  const BtFrame* waiter = frame_named(frames, "csd_waiter");
  ASSERT_NE(waiter, nullptr) << out;
  EXPECT_NE(waiter->line.find("[csd_lockup]"), std::string::npos) << waiter->line;
  ASSERT_EQ(waiter->scopes.size(), 2u) << out;
  EXPECT_EQ(waiter->scopes[0].function, "on_each_cpu");
  EXPECT_TRUE(waiter->scopes[0].inlined);
  EXPECT_EQ(waiter->scopes[1].function, "csd_waiter");
  const Scope& each = waiter->scopes[0];
  const BtFrame* interrupted = frame_named(frames, "smp_call_function_many_cond");
  ASSERT_NE(interrupted, nullptr) << out;
  auto drgn = drgn_frames(d, *interrupted);
  int matched = 0;
  const std::map<std::string, std::string>* each_drgn = nullptr;
  for (const auto& [fn, vars] : drgn) {
    if (fn == "on_each_cpu") {
      each_drgn = &vars;
      matched += compare_numbers(each, vars);
      for (const auto& [name, text] : vars)
        if (text == "absent") {
          EXPECT_EQ(each.vars.count(name) ? each.vars.at(name) : "", "<optimized out>") << name;
        }
    }
    if (fn == "kthread") {
      const BtFrame* kt = frame_named(frames, "kthread");
      ASSERT_NE(kt, nullptr) << out;
      const Scope* s = scope_named(*kt, "kthread");
      ASSERT_NE(s, nullptr) << out;
      matched += compare_numbers(*s, vars);
    }
  }
  // on_each_cpu: info, wait (and func on x86_64); kthread: _create,
  // create, threadfn, data, done, self, ret, which live in registers only
  // csd_waiter's CFI restores.
  EXPECT_GE(matched, 9) << out;
  ASSERT_NE(each_drgn, nullptr);
  const BtFrame* cond = frame_named(frames, "on_each_cpu_cond_mask");
  ASSERT_NE(cond, nullptr) << out;
  ASSERT_EQ(cond->scopes.size(), 1u) << out;
  const Scope& cm = cond->scopes[0];
  for (const char* name : {"info", "wait", "func"}) {
    if (!each_drgn->count(name) || !std::isdigit(static_cast<unsigned char>(each_drgn->at(name)[0]))) continue;
    ASSERT_TRUE(cm.vars.count(name)) << out;
    std::string v = cm.vars.at(name) == "true" ? "1" : cm.vars.at(name) == "false" ? "0" : cm.vars.at(name);
    auto n = number_of(v);
    ASSERT_TRUE(n) << name << " = " << cm.vars.at(name);
    EXPECT_EQ(*n, std::stoull(each_drgn->at(name))) << name;
  }
  ASSERT_TRUE(cm.vars.count("cond_func")) << out;
  EXPECT_EQ(number_of(cm.vars.at("cond_func")), std::optional<uint64_t>(0)) << cm.vars.at("cond_func");
  ASSERT_TRUE(waiter->scopes[1].vars.count("unused")) << out;
  EXPECT_EQ(waiter->scopes[1].vars.at("unused"), "<optimized out>");
}

}  // namespace

TEST(ModuleFrames, X86CsdWaiterVariablesAfterModSEqualDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  std::string out = bt_v_with_module(d, {}, "mod -s csd_lockup " + d.path("CSD_MODULE") + "\n");
  check_waiter_variables(d, out);
  // x86_64 keeps func as a constant address: <csd_lockup_ipi>.
  auto frames = parse_bt_v(out);
  const BtFrame* waiter = frame_named(frames, "csd_waiter");
  ASSERT_TRUE(waiter && !waiter->scopes.empty() && waiter->scopes[0].vars.count("func")) << out;
  EXPECT_NE(waiter->scopes[0].vars.at("func").find("<csd_lockup_ipi>"), std::string::npos);
}

TEST(ModuleFrames, Arm64CsdWaiterVariablesAfterModSEqualDrgn) {
  KINSPECT_REQUIRE_SAMPLE(d, "arm64-csd-lockup");
  check_waiter_variables(d, bt_v_with_module(d, {}, "mod -s csd_lockup " + d.path("CSD_MODULE") + "\n"));
}

// The same with no mod -s: the module's debug file is found by the -d
// search (DIR/lib/modules/RELEASE) when the frame needs it, and `mod` says
// where it came from. With autoload off, the frame has no variables.
TEST(ModuleFrames, X86AutoloadFindsTheModuleUnderDashD) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("kinspect-autoload-" + std::to_string(getpid()));
  std::filesystem::path mods = dir / "lib/modules" / d.fact("release");
  std::filesystem::create_directories(mods);
  std::filesystem::create_symlink(d.path("CSD_MODULE"), mods / "csd_lockup.ko");
  std::string out = bt_v_with_module(d, {"-d", dir.string()}, "");
  check_waiter_variables(d, out);
  RunResult mod = run_kinspect({"-d", dir.string(), "-s", d.path("VMLINUX"), d.path("VMCORE")},
                               "bt -V " + d.fact("csd_waiter_pid") + "\nmod\n");
  EXPECT_NE(mod.out.find(" csd_lockup "), std::string::npos);
  EXPECT_NE(mod.out.find((mods / "csd_lockup.ko").string()), std::string::npos) << mod.out;
  RunResult off = run_kinspect({"-d", dir.string(), "-s", d.path("VMLINUX"), d.path("VMCORE")},
                               "set autoload off\nbt -V " + d.fact("csd_waiter_pid") + "\n");
  EXPECT_NE(off.out.find("(no variables: no DWARF describes"), std::string::npos) << off.out;
  EXPECT_NE(off.out.find("no debuginfo loaded for module csd_lockup"), std::string::npos) << off.out;
  std::filesystem::remove_all(dir);
}

// bt -l of the module frame: the inline chain's lines equal addr2line -i's
// for the call's address in the .ko (.text offset from nm).
TEST(ModuleFrames, X86BtLSourceLinesOfTheModuleFrameEqualAddr2line) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")},
                             "mod -s csd_lockup " + d.path("CSD_MODULE") + "\nbt -l " + d.fact("csd_waiter_pid") +
                                 "\nsym csd_waiter\n");
  ASSERT_EQ(r.status, 0) << r.err;
  std::string out = strip_echo(r.out);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(\] csd_waiter \[csd_lockup\] at ([0-9a-f]+)\n((?:    \S.*\n)+))")))
      << out;
  uint64_t pc = std::stoull(m[1], nullptr, 16);
  std::string ours = m[2];
  std::smatch s;
  ASSERT_TRUE(std::regex_search(out, s, std::regex(R"(\n([0-9a-f]+) \(\w\) csd_waiter)"))) << out;
  ASSERT_FALSE(s[1].str().empty()) << out;
  uint64_t start = std::stoull(s[1], nullptr, 16);
  RunResult nm = run_shell("(nm " + shell_quote(d.path("CSD_MODULE")) + " | grep ' csd_waiter$' | cut -d' ' -f1)");
  ASSERT_FALSE(nm.out.empty()) << nm.err;
  uint64_t link = std::stoull(nm.out, nullptr, 16);
  char off[32];
  std::snprintf(off, sizeof off, "0x%llx", static_cast<unsigned long long>(pc - 1 - start + link));
  RunResult a2l = run_shell("addr2line -i -e " + shell_quote(d.path("CSD_MODULE")) + " -j .text " + off);
  ASSERT_EQ(a2l.status, 0) << a2l.err;
  // addr2line: "FILE:LINE" per level, innermost first, as bt -l lists them.
  std::istringstream want(a2l.out), got(ours);
  std::string w, g;
  int levels = 0;
  while (std::getline(want, w)) {
    ASSERT_TRUE(std::getline(got, g)) << ours;
    std::string file = w.substr(0, w.rfind(':')), line = w.substr(w.rfind(':') + 1);
    line = line.substr(0, line.find(' '));
    EXPECT_NE(g.find(": " + line), std::string::npos) << g << " vs " << w;
    std::string base = file.substr(file.rfind('/') + 1);
    EXPECT_NE(g.find(base), std::string::npos) << g << " vs " << w;
    ++levels;
  }
  EXPECT_EQ(levels, 2) << a2l.out;  // on_each_cpu inlined into csd_waiter
  EXPECT_NE(ours.find("(inlined on_each_cpu)"), std::string::npos) << ours;
}
