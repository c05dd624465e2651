// dis on the sample dumps, against the tools users compare it with:
//  - objdump -d of the same vmlinux, instruction for instruction, for 60
//    functions of each architecture (kinspect reads the file's bytes with
//    --vmlinux; addresses are shifted by the KASLR offset the guest
//    reported, facts.env kaslr_offset);
//  - crash's dis -l on the x86_64 dump: the "file: line" headers, and the
//    instruction lines themselves;
//  - crash's -r, -f, COUNT and -x, module code, and the error lines.
#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "commands/kernel/module_debuginfo.hpp"
#include "commands/output.hpp"
#include "commands/session.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"
#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

struct NmSym {
  uint64_t addr = 0, size = 0;
  char type = '?';
  std::string name;
};

std::vector<NmSym> nm_symbols(const std::string& vmlinux) {
  RunResult r = run_shell("nm -S --defined-only '" + vmlinux + "'");
  std::vector<NmSym> v;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::vector<std::string> w;
    for (std::string x; f >> x;) w.push_back(x);
    if (w.size() == 4)  // address size type name
      v.push_back({std::stoull(w[0], nullptr, 16), std::stoull(w[1], nullptr, 16), w[2][0], w[3]});
    else if (w.size() == 3)  // address type name (no size)
      v.push_back({std::stoull(w[0], nullptr, 16), 0, w[1][0], w[2]});
  }
  return v;
}

// Every k-th function of .text (_stext.._etext: init code is freed by the
// time of the dump) with a unique name, 16..3000 bytes, no GCC clone suffix
// (crash cannot name "foo.isra.0"), in address order.
std::vector<NmSym> pick_functions(const std::vector<NmSym>& all, size_t n) {
  std::map<std::string, int> count;
  uint64_t stext = 0, etext = ~0ull;
  // crash cuts ".isra."/".part." suffixes, so foo and foo.part.0 collide.
  auto crash_name = [](const std::string& n) {
    return n.substr(0, std::min(n.find(".isra."), n.find(".part.")));
  };
  for (const auto& s : all) {
    count[crash_name(s.name)]++;
    if (s.name == "_stext") stext = s.addr;
    if (s.name == "_etext") etext = s.addr;
  }
  std::vector<NmSym> text;
  for (const auto& s : all)
    if ((s.type == 't' || s.type == 'T') && count[s.name] == 1 && s.size >= 16 && s.size <= 3000 &&
        s.name.find('.') == std::string::npos && s.addr >= stext && s.addr + s.size <= etext)
      text.push_back(s);
  std::sort(text.begin(), text.end(), [](const NmSym& a, const NmSym& b) { return a.addr < b.addr; });
  std::vector<NmSym> out;
  size_t step = std::max<size_t>(1, text.size() / n);
  for (size_t i = 0; i < text.size() && out.size() < n; i += step) out.push_back(text[i]);
  return out;
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// Output split at "==MARK name" lines (printed by `!echo` between commands).
std::map<std::string, std::vector<std::string>> split_marks(const std::string& out) {
  std::map<std::string, std::vector<std::string>> m;
  std::string cur;
  for (const auto& l : lines_of(out)) {
    if (l.rfind("==MARK ", 0) == 0) {
      cur = l.substr(7);
      m[cur];
      continue;
    }
    if (cur.empty() || l.empty() || l.rfind("kinspect> ", 0) == 0) continue;
    m[cur].push_back(rtrim(l));
  }
  return m;
}

std::string hexs(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

uint64_t kaslr_of(const SampleDump& d) {
  std::string k = d.fact("kaslr_offset");
  EXPECT_FALSE(k.empty()) << "facts.env has no kaslr_offset";
  return k.empty() ? 0 : std::stoull(k, nullptr, 16);
}

// objdump's text in kinspect's terms: its bare-hex addresses (branch
// targets, "# 1fb40" comments) become 0x-prefixed run-time addresses, and
// <symbol> names are dropped (which alias objdump names is not the
// question here; the addresses are).
std::string normalize_objdump(const std::string& text, uint64_t kaslr) {
  static const std::regex sym(R"( ?<[^>]*>)");
  static const std::regex bare(R"((^|[^0-9a-fx$#\-])([0-9a-f]{8,16})\b)");
  static const std::regex comment(R"(# ([0-9a-f]{1,7})$)");
  std::string t = std::regex_replace(text, sym, "");
  std::string out;
  auto relocate = [&](const std::string& h) { return hexs(std::stoull(h, nullptr, 16) + kaslr); };
  std::sregex_iterator it(t.begin(), t.end(), bare), end;
  size_t pos = 0;
  for (; it != end; ++it) {
    const auto& m = *it;
    out += t.substr(pos, m.position(2) - pos) + relocate(m.str(2));
    pos = m.position(2) + m.length(2);
  }
  out += t.substr(pos);
  std::smatch cm;
  if (std::regex_search(out, cm, comment))
    out = out.substr(0, cm.position(1)) + relocate(cm.str(1));
  return out;
}

std::string normalize_kinspect(std::string t, bool objdump_has_comment) {
  static const std::regex sym(R"( ?<[^>]*>)");
  if (auto p = t.find(" [FTRACE NOP]"); p != std::string::npos) t.erase(p, 13);
  // Our "# 0x... <sym>" after absolute operands: objdump has no such comment.
  if (auto p = t.find("        # "); p != std::string::npos && !objdump_has_comment) t.erase(p);
  // arm64: our "// 0x..." after an add/load/store that completes an adrp.
  if (auto p = t.find("\t// 0x"); p != std::string::npos) t.erase(p);
  return std::regex_replace(t, sym, "");
}

void compare_with_objdump(const SampleDump& d, const std::string& objdump) {
  const std::string vmlinux = d.path("VMLINUX");
  uint64_t kaslr = kaslr_of(d);
  auto funcs = pick_functions(nm_symbols(vmlinux), 60);
  ASSERT_EQ(funcs.size(), 60u);

  std::string od_script, ki_script;
  for (const auto& f : funcs) {
    od_script += "echo '==MARK " + f.name + "'; " + objdump + " -d -z --start-address=" + hexs(f.addr) +
                 " --stop-address=" + hexs(f.addr + f.size) + " '" + vmlinux + "'; ";
    ki_script += "!echo '==MARK " + f.name + "'\ndis -x --vmlinux " + f.name + "\n";
  }
  RunResult od = run_shell(od_script);
  ASSERT_EQ(od.status, 0) << od.err;
  RunResult ki = run_kinspect({"-s", vmlinux, d.path("VMCORE_QEMU_ELF")}, ki_script);
  ASSERT_EQ(ki.status, 0) << ki.err;
  auto od_by = split_marks(od.out);
  auto ki_by = split_marks(ki.out);

  static const std::regex od_line(R"(^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$)");
  static const std::regex ki_line(R"(^0x([0-9a-f]+) <[^>]*>:\t(.*)$)");
  size_t instructions = 0;
  for (const auto& f : funcs) {
    SCOPED_TRACE(f.name);
    std::vector<std::pair<uint64_t, std::string>> want, got;
    for (const auto& l : od_by[f.name]) {
      std::smatch m;
      if (std::regex_match(l, m, od_line))
        want.emplace_back(std::stoull(m.str(1), nullptr, 16) + kaslr, rtrim(m.str(2)));
    }
    for (const auto& l : ki_by[f.name]) {
      std::smatch m;
      ASSERT_TRUE(std::regex_match(l, m, ki_line)) << l;
      got.emplace_back(std::stoull(m.str(1), nullptr, 16), m.str(2));
    }
    ASSERT_FALSE(want.empty());
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      bool has_comment = want[i].second.find("# ") != std::string::npos;
      ASSERT_EQ(want[i].second.find("// 0x"), std::string::npos) << "objdump has its own // 0x comments";
      EXPECT_EQ(got[i].first, want[i].first);
      EXPECT_EQ(normalize_kinspect(got[i].second, has_comment), normalize_objdump(want[i].second, kaslr))
          << "at " << hexs(want[i].first);
    }
    instructions += want.size();
  }
  EXPECT_GT(instructions, 1500u);
}

// crash's lines for a list of commands, split at markers.
std::map<std::string, std::vector<std::string>> crash_by_mark(const SampleDump& d,
                                                              const std::string& script) {
  RunResult c = run_crash(d, d.path("VMCORE_QEMU_ELF"), script);
  EXPECT_EQ(c.status, 0) << c.err;
  return split_marks(c.out);
}

// (address, "file: line") for each header, keyed by the instruction after it.
std::vector<std::pair<std::string, std::string>> headers(const std::vector<std::string>& lines) {
  std::vector<std::pair<std::string, std::string>> v;
  std::string pending;
  for (const auto& l : lines) {
    if (l.rfind("0x", 0) == 0) {
      if (!pending.empty()) v.emplace_back(l.substr(0, l.find(' ')), pending);
      pending.clear();
    } else {
      pending = l;
    }
  }
  return v;
}

// Symbols at each run-time address, to accept crash naming another alias
// of the same address (the symbol table's alias choice is tested with
// `sym`; here the question is the disassembly).
using Aliases = std::map<uint64_t, std::set<std::string>>;
Aliases aliases_of(const std::vector<NmSym>& all, uint64_t kaslr) {
  Aliases a;
  for (const auto& s : all) a[s.addr + kaslr].insert(s.name);
  return a;
}

bool same_but_alias(const std::string& crash, const std::string& ours, const Aliases& aliases) {
  static const std::regex ref(R"(0x([0-9a-f]+) <([^>+]*)(\+[0-9a-fx]+)?>)");
  std::string c = std::regex_replace(crash, ref, "0x$1 <$3>");
  std::string o = std::regex_replace(ours, ref, "0x$1 <$3>");
  if (c != o) return false;
  // Every differing name must be an alias at its address.
  std::sregex_iterator ci(crash.begin(), crash.end(), ref), oi(ours.begin(), ours.end(), ref), end;
  for (; ci != end && oi != end; ++ci, ++oi) {
    if ((*ci)[2] == (*oi)[2]) continue;
    uint64_t addr = std::stoull((*ci).str(1), nullptr, 16);
    uint64_t off = (*ci)[3].matched ? std::stoull((*ci).str(3).substr(1), nullptr, 0) : 0;
    auto it = aliases.find(addr - off);
    if (it == aliases.end() || !it->second.count((*ci).str(2)) || !it->second.count((*oi).str(2)))
      return false;
  }
  return true;
}

// Our line next to crash's: same text once trailing blanks (older
// libopcodes pads "ret    ") and our extra operand comments are set aside.
void expect_same_lines(const std::vector<std::string>& crash, std::vector<std::string> ours,
                       const Aliases& aliases) {
  ASSERT_EQ(ours.size(), crash.size());
  for (size_t i = 0; i < crash.size(); ++i) {
    if (crash[i].find('#') == std::string::npos)
      if (auto p = ours[i].find("        # "); p != std::string::npos) ours[i].erase(p);
    if (ours[i] == crash[i]) continue;
    // An ftrace NOP that crash 8.0.6 leaves unmarked on 6.12 (its call site
    // is a NOP in the vmlinux file already); we mark it from __mcount_loc.
    if (ours[i] == crash[i] + " [FTRACE NOP]" && crash[i].find("\tnop") != std::string::npos) continue;
    // A segment-prefixed NOP: binutils 2.40 (objdump, our libopcodes) spells it
    // "cs nopw 0x0(...)", crash's gdb 10.2 "nopw %cs:0x0(...)".
    if (std::string o = ours[i]; o.find("cs nopw 0x0(") != std::string::npos) {
      o.replace(o.find("cs nopw 0x0("), 12, "nopw %cs:0x0(");
      if (o == crash[i]) continue;
    }
    // A per-cpu offset crash leaves bare ("# 0x1fb40") we name.
    static const std::regex named(R"( <[^>]*>)");
    if (ours[i].rfind(crash[i], 0) == 0 && std::regex_match(ours[i].substr(crash[i].size()), named) &&
        crash[i].find("%gs:") != std::string::npos)
      continue;
    EXPECT_TRUE(same_but_alias(crash[i], ours[i], aliases)) << "crash: " << crash[i] << "\nours:  " << ours[i];
  }
}

}  // namespace

class DisObjdump : public ::testing::TestWithParam<const char*> {};
class DisCrashKernel : public ::testing::TestWithParam<const char*> {};

// The vmlinux of every kernel (5.10, 6.1, 6.12) of both architectures.
TEST_P(DisObjdump, FiftyFunctionsMatchObjdump) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  compare_with_objdump(d, d.fact("arch") == "arm64" ? "aarch64-linux-gnu-objdump" : "objdump");
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, DisObjdump, ::testing::ValuesIn(kSysrqSamples), SampleName());

// On the x86_64 sample of each kernel, with its own crash.
TEST_P(DisCrashKernel, LineHeadersAndInstructionsMatchCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  auto all = nm_symbols(d.path("VMLINUX"));
  auto funcs = pick_functions(all, 150);
  // 6.2+ kernels put a __pfx_NAME symbol on the padding before each function
  // (CONFIG_CALL_PADDING); crash 8.0.6 does not name those: not compared.
  std::erase_if(funcs, [](const NmSym& f) { return f.name.rfind("__pfx_", 0) == 0; });
  // The functions of the incidents, too, and a hot/cold split function
  // (DW_AT_ranges) that another function follows at once.
  for (const char* n : {"schedule", "sysrq_handle_crash", "smp_call_function_many_cond", "__wake_up",
                        "_raw_spin_unlock_irqrestore", "panic", "bringup_hibernate_cpu"})
    if (std::any_of(all.begin(), all.end(), [&](const NmSym& s) { return s.name == n; }))  // not every kernel has each
      funcs.push_back({0, 0, 'T', n});
  std::string script;
  for (const auto& f : funcs) script += "!echo '==MARK " + f.name + "'\ndis -l " + f.name + "\n";
  auto crash = crash_by_mark(d, script);
  RunResult ki = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, script);
  ASSERT_EQ(ki.status, 0) << ki.err;
  auto ours = split_marks(ki.out);
  Aliases aliases = aliases_of(all, kaslr_of(d));
  size_t compared_headers = 0;
  for (const auto& f : funcs) {
    SCOPED_TRACE(f.name);
    const auto& c = crash[f.name];
    ASSERT_FALSE(c.empty());
    ASSERT_EQ(c[0].rfind("symbol not found", 0), std::string::npos) << c[0];
    auto hc = headers(c);
    EXPECT_EQ(headers(ours[f.name]), hc);
    compared_headers += hc.size();
    expect_same_lines(c, ours[f.name], aliases);
  }
  EXPECT_GT(compared_headers, 2000u);
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, DisCrashKernel, ::testing::ValuesIn(kX86SysrqSamples), SampleName());

TEST(DisCrash, ReverseForwardCountRadixAndModulesAsCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  const std::string v = d.path("VMLINUX"), core = d.path("VMCORE_QEMU_ELF");
  // Instruction boundaries of schedule and a module function, from crash.
  auto base = crash_by_mark(d, "!echo '==MARK s'\ndis schedule\n!echo '==MARK m'\ndis rpc_exit\n");
  ASSERT_GT(base["s"].size(), 20u);
  ASSERT_GT(base["m"].size(), 10u);
  auto addr_of = [](const std::string& l) { return l.substr(0, l.find(' ')); };
  const std::string s10 = addr_of(base["s"][10]), m5 = addr_of(base["m"][5]);
  std::vector<std::pair<std::string, std::string>> cmds = {
      {"r", "dis -r " + s10},
      {"rl", "dis -rl " + s10},
      {"r3", "dis -r " + s10 + " 3"},
      {"f", "dis -f " + s10},
      {"f2", "dis -f " + s10 + " 2"},
      {"count", "dis " + s10 + " 5"},
      {"sym_count", "dis schedule 0x3"},
      {"x", "dis -x schedule 8"},
      {"d", "dis -d schedule 4"},
      {"expr", "dis (schedule+16) 2"},
      {"module", "dis rpc_exit"},
      {"module_r", "dis -r " + m5},
      {"module_l", "dis -l rpc_exit 4"},
  };
  std::string script;
  for (const auto& [k, c] : cmds) script += "!echo '==MARK " + k + "'\n" + c + "\n";
  auto crash = crash_by_mark(d, script);
  // crash, without mod -s, has no module lines: compare with no module
  // debuginfo loaded on demand either.
  RunResult ki = run_kinspect({"-s", v, core}, "set autoload off\n" + script);
  auto ours = split_marks(ki.out);
  Aliases aliases = aliases_of(nm_symbols(v), kaslr_of(d));
  for (const auto& [k, c] : cmds) {
    SCOPED_TRACE(c);
    ASSERT_FALSE(crash[k].empty());
    auto mine = ours[k];
    // Without module debuginfo we say so on one line; crash says nothing.
    if (k == "module_l") {
      ASSERT_FALSE(mine.empty());
      EXPECT_NE(mine[0].find("dis: no source lines for module sunrpc"), std::string::npos);
      mine.erase(mine.begin());
    }
    auto want = crash[k];
    // crash ends a module function at the next kallsyms symbol, so it also
    // shows the alignment NOPs after it; we stop at the symbol's size.
    if (k == "module")
      while (want.size() > mine.size() && want.back().find("\tnop") != std::string::npos) want.pop_back();
    expect_same_lines(want, mine, aliases);
  }
  EXPECT_NE(ours["module"][0].find("[FTRACE NOP]"), std::string::npos);
}

TEST(DisErrors, OneClearLineEach) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  auto run = [&](const std::string& cmd) {
    return run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, cmd + "\n");
  };
  auto one_line = [](const std::string& err) {
    return !err.empty() && err.find('\n') == err.size() - 1;
  };
  RunResult r = run("dis no_such_function_xyz");
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("dis: symbol not found: no_such_function_xyz"), std::string::npos) << r.err;
  EXPECT_TRUE(strip_echo(r.out).empty()) << r.out;

  // A data symbol (nm: "D jiffies_64") is not code.
  r = run("dis jiffies_64");
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("not code"), std::string::npos) << r.err;

  // Init text is freed after boot: in the full dump it holds int3 poison
  // (said on one note line); makedumpfile -d 31 drops the freed pages, so
  // the dump cannot supply the text; the vmlinux file can.
  r = run("dis start_kernel 2");
  auto out = lines_of(strip_echo(r.out));
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_NE(out[0].find("dis: start_kernel is init code, freed after boot"), std::string::npos);
  EXPECT_NE(out[1].find("int3"), std::string::npos);
  RunResult excluded = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_MDF_LZO")}, "dis start_kernel 2\n");
  EXPECT_TRUE(one_line(excluded.err)) << excluded.err;
  EXPECT_NE(excluded.err.find("dis: start_kernel: cannot read text"), std::string::npos) << excluded.err;
  EXPECT_NE(excluded.err.find("excluded"), std::string::npos) << excluded.err;
  EXPECT_TRUE(strip_echo(excluded.out).empty()) << excluded.out;
  r = run("dis --vmlinux start_kernel 2");
  EXPECT_TRUE(r.err.empty()) << r.err;
  out = lines_of(strip_echo(r.out));
  ASSERT_EQ(out.size(), 2u) << r.out;
  // objdump -d vmlinux-6.1.0-56-cloud-amd64: start_kernel begins with the
  // compiler's __fentry__ call, which the running kernel had patched.
  EXPECT_NE(out[0].find("call   0x"), std::string::npos) << out[0];
  EXPECT_NE(out[0].find("<__fentry__>"), std::string::npos) << out[0];

  r = run("dis schedule 0");
  EXPECT_NE(r.err.find("dis: invalid count argument: 0"), std::string::npos) << r.err;
}

// -s with a source tree: a synthetic one whose kernel/smp.c line N reads
// "/* line N */", so the text printed after each "file: line" header can be
// checked against the header itself.
TEST(DisSource, SourceLinesFromKinspectSrcPath) {
  KINSPECT_REQUIRE_SAMPLE(d, "arm64-sysrq");
  char dir[] = "/tmp/kinspect-src-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string root = dir;
  ASSERT_EQ(run_shell("mkdir -p " + root + "/kernel && for i in $(seq 1 1500); do echo \"/* line $i */\"; "
                      "done > " + root + "/kernel/smp.c").status, 0);
  auto run = [&](const std::string& env) {
    return run_shell(env + " '" KINSPECT_BINARY "' -s '" + d.path("VMLINUX") + "' '" +
                         d.path("VMCORE_QEMU_ELF") + "'",
                     "dis -s smp_call_function_many_cond 40\n");
  };
  RunResult r = run("KINSPECT_SRC_PATH=/nonexistent:" + root);
  auto out = lines_of(strip_echo(r.out));
  ASSERT_GT(out.size(), 40u) << r.out << r.err;
  static const std::regex header(R"(^debian/build/build_arm64_none_cloud-arm64/kernel/smp\.c: (\d+)$)");
  size_t checked = 0;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    std::smatch m;
    if (!std::regex_match(out[i], m, header)) continue;
    EXPECT_EQ(out[i + 1], "  " + m.str(1) + "\t/* line " + m.str(1) + " */");
    ++checked;
  }
  EXPECT_GT(checked, 3u);
  // Headers of other files (not in the tree) say so once, then go on.
  size_t notes = 0;
  for (const auto& l : out)
    if (l.rfind("dis: source not found under KINSPECT_SRC_PATH", 0) == 0) ++notes;
  EXPECT_GE(notes, 1u);

  r = run("env -u KINSPECT_SRC_PATH");
  out = lines_of(strip_echo(r.out));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].rfind("dis: no source directory: set KINSPECT_SRC_PATH", 0), 0u) << out[0];
  run_shell("rm -rf " + root);
}

// arm64: the address an add completes from an adrp page is shown, and it is
// the right one: in sysrq_handle_crash it is panic's format string, which
// the guest printed ("Kernel panic - not syncing: sysrq triggered crash",
// facts.env panic_msg), read back from the dump with rd -a.
TEST(DisArm64, AdrpAddCompletesTheAddress) {
  KINSPECT_REQUIRE_SAMPLE(d, "arm64-sysrq");
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, "dis sysrq_handle_crash\n");
  static const std::regex add(R"(\tadd\tx0, x0, #0x[0-9a-f]+\t// (0x[0-9a-f]+)$)");
  std::string addr;
  for (const auto& l : lines_of(r.out)) {
    std::smatch m;
    if (std::regex_search(l, m, add)) addr = m.str(1);
  }
  ASSERT_FALSE(addr.empty()) << r.out;
  RunResult s = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")}, "rd -a " + addr + "\n");
  EXPECT_NE(s.out.find(d.fact("panic_msg")), std::string::npos) << s.out << d.fact("panic_msg");
}

// Module source lines after mod -s (loaded here through the same library
// call mod -s makes): dis -l __rpc_execute, incident 4's function, has the
// "file: line" headers crash prints after its own mod -s.
TEST(DisModule, SourceLinesAfterModuleDebuginfo) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  RunResult found = run_shell("find '" + d.path("MODULE_DEBUG_DIR") + "' -name sunrpc.ko");
  std::string ko = found.out.substr(0, found.out.find('\n'));
  ASSERT_FALSE(ko.empty()) << "no sunrpc.ko under " << d.path("MODULE_DEBUG_DIR");

  auto prog = kinspect::Program::open(d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF"));
  ASSERT_TRUE(prog.ok()) << prog.error().to_string();
  auto mods = kinspect::load_module_symbols(**prog);
  ASSERT_TRUE(mods.ok()) << mods.error().to_string();
  const kinspect::KernelModule* sunrpc = nullptr;
  for (const auto& m : *mods)
    if (m.name == "sunrpc") sunrpc = &m;
  ASSERT_NE(sunrpc, nullptr);
  auto loaded = kinspect::load_module_debuginfo(**prog, *sunrpc, ko, {});
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  kinspect::Session session(std::move(*prog));
  kinspect::StringOutput out;
  ASSERT_TRUE(session.run_line("dis -l __rpc_execute", out).ok());
  auto ours = lines_of(out.str());
  ASSERT_GT(ours.size(), 50u);
  EXPECT_EQ(out.str().find("dis: no source lines"), std::string::npos) << ours[0];

  auto crash = crash_by_mark(d, "mod -s sunrpc " + ko + "\n!echo '==MARK x'\ndis -l __rpc_execute\n");
  auto hc = headers(crash["x"]);
  auto ho = headers(ours);
  ASSERT_GT(hc.size(), 30u);
  // Compared where both list the instruction (crash also shows the
  // alignment padding after the function's size).
  std::map<std::string, std::string> by_addr(ho.begin(), ho.end());
  size_t compared = 0;
  for (const auto& [addr, h] : hc) {
    auto it = by_addr.find(addr);
    if (it == by_addr.end()) continue;
    EXPECT_EQ(it->second, h) << addr;
    ++compared;
  }
  EXPECT_GE(compared + 2, hc.size());
}
