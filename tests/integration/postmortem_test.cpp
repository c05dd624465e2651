// postmortem on the csd-lockup samples' serial console logs (no dump):
//  - every symbolized frame, RIP, pc and lr gives the same function,
//    file:line and inline chain as binutils' addr2line -i -f on the sample
//    vmlinux (the module frame: on the module's .ko with -j .text), at the
//    address nm gives the symbol plus the log's offset;
//  - the x86_64 Code: line decodes to the instructions crash's dis prints at
//    those addresses; an arm64 Code: line made from the vmlinux's own words
//    decodes as aarch64 objdump does;
//  - a vmlinux that is not the log's is called out.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/postmortem/analysis.hpp"
#include "core/postmortem/report_parser.hpp"
#include "core/postmortem/symbolizer.hpp"
#include "sample_dump.hpp"

using namespace kinspect;
using namespace kinspect::testing;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string dir_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Text symbols from nm -n: name -> (address, distance to the next symbol),
// the size the kernel prints after "/".
struct NmText {
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> by_name;
};

NmText nm_text(const std::string& file) {
  RunResult r = run_shell("nm -n --defined-only '" + file + "'");
  std::vector<std::pair<uint64_t, std::string>> syms;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string a, t, n;
    if (!(f >> a >> t >> n) || (t != "t" && t != "T" && t != "w" && t != "W")) continue;
    syms.emplace_back(std::stoull(a, nullptr, 16), n);
  }
  NmText out;
  for (size_t i = 0; i < syms.size(); ++i) {
    size_t j = i;
    while (j < syms.size() && syms[j].first == syms[i].first) ++j;
    uint64_t gap = j < syms.size() ? syms[j].first - syms[i].first : 0;
    out.by_name[syms[i].second].emplace_back(syms[i].first, gap);
  }
  return out;
}

// addr2line -a -i -f: for each address, its (function, "file:line...") pairs.
std::vector<std::vector<std::pair<std::string, std::string>>> addr2line(const std::string& tool, const std::string& file,
                                                                        const std::string& extra,
                                                                        const std::vector<uint64_t>& addrs) {
  std::string cmd = tool + " -a -i -f -e '" + file + "' " + extra;
  for (uint64_t a : addrs) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " 0x%llx", static_cast<unsigned long long>(a));
    cmd += buf;
  }
  RunResult r = run_shell(cmd);
  std::vector<std::vector<std::pair<std::string, std::string>>> out;
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("0x", 0) == 0) {
      out.emplace_back();
      continue;
    }
    if (out.empty() || i + 1 >= lines.size()) break;
    out.back().emplace_back(lines[i], lines[i + 1]);
    ++i;
  }
  return out;
}

std::string position(const SourceFrame& f) {
  std::string s = f.file + ":" + std::to_string(f.line);
  if (f.discriminator) s += " (discriminator " + std::to_string(f.discriminator) + ")";
  return s;
}

struct Location {
  CodeLocation loc;
  std::string what;  // for messages
};

std::vector<Location> symbolic_locations(const std::vector<Report>& reports, size_t* bare) {
  std::vector<Location> v;
  for (const auto& r : reports) {
    for (const auto& regs : r.registers) {
      if (regs.user) continue;
      if (!regs.ip.symbol.empty()) v.push_back({regs.ip, "RIP/pc " + regs.ip.text()});
      if (regs.lr && !regs.lr->symbol.empty()) v.push_back({*regs.lr, "lr " + regs.lr->text()});
    }
    for (const auto& f : r.frames) {
      if (f.loc.symbol.empty())
        ++*bare;
      else
        v.push_back({f.loc, "frame " + f.loc.text()});
    }
  }
  return v;
}

void check_console_log(const std::string& sample_name, const std::string& addr2line_tool) {
  KINSPECT_REQUIRE_SAMPLE(s, sample_name);
  const std::string vmlinux = s.path("VMLINUX"), module = s.path("CSD_MODULE"), log = s.path("CONSOLE_LOG");
  std::vector<Report> reports = parse_reports(slurp(log));
  ASSERT_GE(reports.size(), 2u);
  size_t bare = 0;
  std::vector<Location> locs = symbolic_locations(reports, &bare);
  ASSERT_GE(locs.size(), 20u);

  auto sym = Symbolizer::open(vmlinux, [&](const std::string& m) -> std::optional<std::string> {
    if (m == "csd_lockup") return module;
    return std::nullopt;
  });
  ASSERT_TRUE(sym) << sym.error().to_string();

  NmText kernel = nm_text(vmlinux), mod = nm_text(module);
  std::vector<uint64_t> kaddrs, maddrs;
  std::vector<std::pair<const Location*, size_t>> kwant, mwant;
  for (const auto& l : locs) {
    const NmText& table = l.loc.module.empty() ? kernel : mod;
    auto it = table.by_name.find(l.loc.symbol);
    ASSERT_NE(it, table.by_name.end()) << l.what;
    // Of a repeated static name, the one whose extent is the log's size.
    uint64_t base = it->second.front().first;
    for (const auto& [a, gap] : it->second)
      if (l.loc.size && gap == *l.loc.size) base = a;
    if (l.loc.module.empty()) {
      kwant.emplace_back(&l, kaddrs.size());
      kaddrs.push_back(base + l.loc.offset);
    } else {
      mwant.emplace_back(&l, maddrs.size());
      maddrs.push_back(base + l.loc.offset);
    }
  }
  // The trace has the module's frame when the csd waiter itself panicked
  // (which CPU's watchdog fires first is up to the run).
  ASSERT_EQ(mwant.size() > 0, s.fact("console_panic_comm") == "csd_waiter") << "the waiter's trace has the module's frame";
  auto koracle = addr2line(addr2line_tool, vmlinux, "", kaddrs);
  auto moracle = addr2line(addr2line_tool, module, "-j .text", maddrs);
  ASSERT_EQ(koracle.size(), kaddrs.size());
  ASSERT_EQ(moracle.size(), maddrs.size());

  std::string kinspect_out = run_kinspect({"--log", log, "--mod-dir", dir_of(module), vmlinux}).out;
  size_t checked = 0;
  auto compare = [&](const Location& l, const std::vector<std::pair<std::string, std::string>>& want, uint64_t addr) {
    auto got = (*sym)->resolve(l.loc);
    ASSERT_TRUE(got) << l.what << ": " << got.error().to_string();
    if (l.loc.module.empty()) {
      EXPECT_EQ(got->address, addr) << l.what;
    }
    EXPECT_TRUE(got->mismatch.empty()) << l.what << ": " << got->mismatch;
    ASSERT_EQ(got->chain.size(), want.size()) << l.what;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got->chain[i].function, want[i].first) << l.what << " #" << i;
      EXPECT_EQ(position(got->chain[i]), want[i].second) << l.what << " #" << i;
      // The command prints the same chain, faddr2line-style.
      std::string line = (i ? "(inlined by) " : "") + want[i].first + " at " + want[i].second;
      EXPECT_NE(kinspect_out.find(line), std::string::npos) << "kinspect --log lacks: " << line;
    }
    ++checked;
  };
  for (const auto& [l, i] : kwant) compare(*l, koracle[i], kaddrs[i]);
  for (const auto& [l, i] : mwant) compare(*l, moracle[i], maddrs[i]);
  EXPECT_EQ(checked, locs.size());
  // Some frame really is inlined (csd_lock_wait into smp_call_function_many_cond).
  EXPECT_NE(kinspect_out.find("(inlined by) smp_call_function_many_cond at "), std::string::npos);
  EXPECT_NE(kinspect_out.find("vmlinux agrees with the log"), std::string::npos) << kinspect_out.substr(0, 400);
  // Only x86_64's "? 0xffffffffc02b1000" (a module address with no symbol) stays unresolved.
  EXPECT_EQ(bare, sample_name.starts_with("x86_64") ? 2u : 0u);
}

// "mov    0x8(%rsi),%ecx" without <symbol> annotations and with single blanks.
std::string normalized(std::string t) {
  t = std::regex_replace(t, std::regex(" ?<[^>]*>"), "");
  t = std::regex_replace(t, std::regex("\\s*//.*$"), "");
  t = std::regex_replace(t, std::regex("\\s+"), " ");
  t = std::regex_replace(t, std::regex("\\b0x([0-9a-f])"), "$1");  // objdump prints branch targets bare
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

}  // namespace

TEST(PostmortemSample, X86ConsoleLogSymbolizesLikeAddr2line) { check_console_log("x86_64-csd-lockup", "addr2line"); }

TEST(PostmortemSample, Arm64ConsoleLogSymbolizesLikeAddr2line) {
  check_console_log("arm64-csd-lockup", "aarch64-linux-gnu-addr2line");
}

TEST(PostmortemSample, X86CodeLineDecodesLikeCrashDis) {
  KINSPECT_REQUIRE_SAMPLE(s, "x86_64-csd-lockup");
  auto reports = parse_reports(slurp(s.path("CONSOLE_LOG")));
  ASSERT_FALSE(reports.empty());
  auto sym = Symbolizer::open(s.path("VMLINUX"), {});
  ASSERT_TRUE(sym);
  Analysis a = analyze({reports.front()}, sym->get());
  ASSERT_EQ(a.reports.size(), 1u);
  ASSERT_FALSE(a.reports[0].registers.empty());
  const auto& code = a.reports[0].registers[0].code;
  ASSERT_TRUE(code);
  EXPECT_TRUE(code->matches_vmlinux);
  ASSERT_GE(code->lines.size(), 10u);
  // The marked byte is RIP: smp_call_function_many_cond (from nm) + 0xf1.
  NmText nm = nm_text(s.path("VMLINUX"));
  uint64_t rip = nm.by_name.at("smp_call_function_many_cond").front().first + 0xf1;
  std::string input;
  size_t faulting = 0;
  for (const auto& l : code->lines) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "dis 0x%llx 1\n", static_cast<unsigned long long>(l.insn.addr));
    input += buf;
    if (l.insn.faulting) {
      ++faulting;
      EXPECT_EQ(l.insn.addr, rip);
    }
    EXPECT_TRUE(l.source) << "bytes match the vmlinux, so every instruction has a source line";
  }
  EXPECT_EQ(faulting, 1u);
  RunResult crash = run_crash(s, s.reference_vmcore(), input);
  std::vector<std::pair<uint64_t, std::string>> dis;
  std::istringstream in(crash.out);
  static const std::regex line(R"(^0x([0-9a-f]+) <[^>]+>:\s+(.*)$)");
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) dis.emplace_back(std::stoull(m[1], nullptr, 16), m[2]);
  }
  ASSERT_EQ(dis.size(), code->lines.size()) << crash.out << crash.err;
  for (size_t i = 0; i < dis.size(); ++i) {
    EXPECT_EQ(dis[i].first, code->lines[i].insn.addr);
    EXPECT_EQ(normalized(code->lines[i].insn.text), normalized(dis[i].second)) << "at " << std::hex << dis[i].first;
  }
}

TEST(PostmortemSample, Arm64CodeLineFromVmlinuxWordsDecodesLikeObjdump) {
  KINSPECT_REQUIRE_SAMPLE(s, "arm64-csd-lockup");
  const std::string vmlinux = s.path("VMLINUX");
  NmText nm = nm_text(vmlinux);
  // The waiter's pc as the console's soft-lockup report gives it: anywhere in
  // csd_lock_wait's spin loop, which instruction depends on the run.
  std::string log = slurp(s.path("CONSOLE_LOG"));
  std::smatch pm;
  ASSERT_TRUE(std::regex_search(log, pm, std::regex(R"(pc : smp_call_function_many_cond\+0x([0-9a-f]+)/)")));
  uint64_t pc = nm.by_name.at("smp_call_function_many_cond").front().first + std::stoull(pm[1], nullptr, 16);
  // objdump's words and instructions for pc-16 .. pc+12.
  char range[96];
  std::snprintf(range, sizeof range, " --start-address=0x%llx --stop-address=0x%llx",
                static_cast<unsigned long long>(pc - 16), static_cast<unsigned long long>(pc + 12));
  RunResult od = run_shell("aarch64-linux-gnu-objdump -d" + std::string(range) + " '" + vmlinux + "'");
  static const std::regex row(R"(^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$)");
  std::vector<std::tuple<uint64_t, std::string, std::string>> want;
  std::istringstream in(od.out);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, row)) want.emplace_back(std::stoull(m[1], nullptr, 16), m[2], m[3]);
  }
  ASSERT_EQ(want.size(), 7u) << od.out;
  std::string code_line = "Code:";
  for (const auto& [a, word, text] : want) code_line += a == pc ? " (" + word + ")" : " " + word;
  // The console log's soft lockup with the Code: line the kernel prints
  // for an arm64 oops (arch/arm64/kernel/traps.c dump_kernel_instr).
  size_t at = log.find("Call trace:");
  ASSERT_NE(at, std::string::npos);
  log.insert(log.rfind('\n', at) + 1, "[   22.764600] " + code_line + "\n");
  auto reports = parse_reports(log);
  auto sym = Symbolizer::open(vmlinux, {});
  ASSERT_TRUE(sym);
  Analysis a = analyze({reports.front()}, sym->get());
  const auto& code = a.reports[0].registers.at(0).code;
  ASSERT_TRUE(code);
  EXPECT_TRUE(code->matches_vmlinux);
  ASSERT_EQ(code->lines.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(code->lines[i].insn.addr, std::get<0>(want[i]));
    EXPECT_EQ(code->lines[i].insn.faulting, std::get<0>(want[i]) == pc);
    EXPECT_EQ(normalized(code->lines[i].insn.text), normalized(std::get<2>(want[i])));
  }
}

TEST(PostmortemSample, ForeignVmlinuxIsCalledOut) {
  KINSPECT_REQUIRE_SAMPLE(x86, "x86_64-csd-lockup");
  KINSPECT_REQUIRE_SAMPLE(arm, "arm64-csd-lockup");
  // The x86_64 log against the arm64 vmlinux: names exist in both, sizes differ.
  RunResult r = run_kinspect({"--log", x86.path("CONSOLE_LOG"), arm.path("VMLINUX")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("WARNING: this vmlinux does not match the log"), std::string::npos) << r.out.substr(0, 500);
  EXPECT_NE(r.out.find("smp_call_function_many_cond is 0x3b0 bytes in vmlinux, 0x330 in the log"), std::string::npos);
  EXPECT_NE(r.out.find("WARNING: the log's kernel is " + x86.fact("release") + ", this vmlinux is " + arm.fact("release")),
            std::string::npos)
      << r.out.substr(0, 500);
  // The right vmlinux: no warning at all.
  RunResult ok = run_kinspect({"--log", x86.path("CONSOLE_LOG"), x86.path("VMLINUX")});
  EXPECT_EQ(ok.out.find("WARNING"), std::string::npos) << ok.out.substr(0, 500);
}

TEST(PostmortemSample, SessionCommandReadsTheDumpsOwnLog) {
  KINSPECT_REQUIRE_SAMPLE(s, "x86_64-csd-lockup");
  RunResult r = run_kinspect({"-s", s.path("VMLINUX"), s.reference_vmcore()}, "postmortem -s\n");
  EXPECT_EQ(r.status, 0) << r.err;
  // The dump's log has the soft lockup the console showed (facts.env).
  EXPECT_NE(r.out.find("LOG: (the dump's log)"), std::string::npos) << r.out;
  std::regex row("\\n +" + s.fact("console_panic_cpu") + " +" + s.fact("console_panic_pid") + " +" +
                 s.fact("console_panic_comm") + " +2 ");
  EXPECT_TRUE(std::regex_search(r.out, row)) << r.out;
  EXPECT_NE(r.out.find("smp_call_function_many_cond+0x"), std::string::npos) << r.out;
}
