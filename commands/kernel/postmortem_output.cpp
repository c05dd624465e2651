#include "commands/kernel/postmortem_output.hpp"

#include <algorithm>
#include <cstdio>

#include "commands/kernel/module_debuginfo.hpp"
#include "core/postmortem/analysis.hpp"
#include "core/postmortem/report_parser.hpp"
#include "core/postmortem/summary.hpp"

namespace kinspect {

namespace {

constexpr size_t kSideBySide = 3;  // call traces shown in columns

std::string hex_addr(uint64_t a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(a));
  return buf;
}

std::string basename_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::string where(const SourceFrame& f) {
  std::string s = f.function.empty() ? "??" : f.function;
  s += " at " + (f.file.empty() ? std::string("??") : f.file) + ":" + std::to_string(f.line);
  if (f.discriminator) s += " (discriminator " + std::to_string(f.discriminator) + ")";
  return s;
}

// faddr2line's layout: the innermost function, then each caller it was
// inlined into.
void print_chain(Output& out, const Resolved& r, const std::string& indent) {
  if (!r.where) {
    if (!r.error.empty()) out.line(indent + "(" + r.error + ")");
    return;
  }
  if (r.where->chain.empty()) out.line(indent + "(no source line in " + basename_of(r.where->object) + ")");
  for (size_t i = 0; i < r.where->chain.size(); ++i)
    out.line(indent + (i ? "(inlined by) " : "") + where(r.where->chain[i]));
  if (!r.where->mismatch.empty()) out.line(indent + "MISMATCH: " + r.where->mismatch);
}

void print_registers(Output& out, const LoggedRegisters& regs) {
  std::string line;
  int n = 0;
  for (const auto& [name, value] : regs.regs) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%-4s %-21s ", (name + ":").c_str(), value.c_str());
    line += buf;
    if (++n % 3 == 0) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out.line("    " + line);
      line.clear();
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (!line.empty()) out.line("    " + line);
}

void print_code(Output& out, const AnalyzedCode& code) {
  out.line(std::string("  CODE") + (code.matches_vmlinux ? " (the vmlinux's own bytes):" : ":"));
  if (!code.error.empty() && code.lines.empty()) {
    out.line("    (" + code.error + ")");
    return;
  }
  std::string last_source;
  for (const auto& l : code.lines) {
    if (l.source) {
      std::string s = l.source->file + ":" + std::to_string(l.source->line);
      if (s != last_source) out.line("      " + s);
      last_source = s;
    }
    std::string bytes;
    if (code.words && l.insn.bytes.size() == 4) {
      char w[16];
      std::snprintf(w, sizeof w, "%02x%02x%02x%02x", l.insn.bytes[3], l.insn.bytes[2], l.insn.bytes[1], l.insn.bytes[0]);
      bytes = w;
    } else {
      for (uint8_t b : l.insn.bytes) {
        char w[4];
        std::snprintf(w, sizeof w, "%02x ", b);
        bytes += w;
      }
    }
    std::string addr = code.offsets_in.empty() ? hex_addr(l.insn.addr) : code.offsets_in + "+0x" + hex_addr(l.insn.addr);
    char buf[512];
    std::snprintf(buf, sizeof buf, "  %s %s:  %-24s %s%s", l.insn.faulting ? "=>" : "  ", addr.c_str(),
                  bytes.c_str(), l.insn.text.c_str(), l.insn.faulting ? "   <-- faulting instruction" : "");
    out.line(buf);
  }
}

void print_report(Output& out, size_t n, const AnalyzedReport& ar) {
  const Report& r = ar.report;
  out.line("");
  std::string head = "REPORT " + std::to_string(n) + ": " + report_kind_name(r.kind) + "  (line " +
                     std::to_string(r.first_line) + (r.first_timestamp.empty() ? "" : ", " + r.first_timestamp) + ")";
  out.line(head);
  out.line("  " + r.header);
  std::string who = "  CPU: " + (r.cpu ? std::to_string(*r.cpu) : "-") + "  PID: " + (r.pid ? std::to_string(*r.pid) : "-") +
                    "  COMM: " + (r.comm.empty() ? "-" : r.comm);
  if (!r.taint.empty()) who += "  TAINTED: " + r.taint;
  if (!r.release.empty()) who += "  RELEASE: " + r.release;
  out.line(who);
  for (size_t i = 0; i < r.registers.size(); ++i) {
    const LoggedRegisters& regs = r.registers[i];
    const AnalyzedRegisters& a = ar.registers[i];
    if (!regs.ip.symbol.empty() || regs.ip.address) {
      out.line("  " + regs.label + ": " + regs.ip.text() + (regs.user ? "  (user space)" : ""));
      if (!regs.user) print_chain(out, a.ip, "      ");
    }
    if (regs.lr) {
      out.line("  lr: " + regs.lr->text());
      print_chain(out, a.lr, "      ");
    }
    print_registers(out, regs);
    if (a.code) print_code(out, *a.code);
  }
  if (!r.frames.empty()) out.line("  CALL TRACE:");
  std::string context;
  for (size_t i = 0; i < r.frames.size(); ++i) {
    const LoggedFrame& f = r.frames[i];
    if (f.context != context) {
      if (!context.empty()) out.line("    </" + context + ">");
      if (!f.context.empty()) out.line("    <" + f.context + ">");
      context = f.context;
    }
    std::string addr = f.loc.address && !f.loc.symbol.empty() ? "[<" + hex_addr(*f.loc.address) + ">] " : "";
    out.line("    " + addr + (f.reliable ? "" : "? ") + f.loc.text() + (f.reliable ? "" : "   (unreliable)"));
    print_chain(out, ar.frames[i], "        ");
  }
  if (!context.empty()) out.line("    </" + context + ">");
}

std::string task_cell(const std::optional<int>& v) { return v ? std::to_string(*v) : "-"; }

void print_summary(Output& out, const LogSummary& s, size_t nreports) {
  out.line("");
  out.line("SUMMARY: " + std::to_string(nreports) + " report" + (nreports == 1 ? "" : "s") + " from " +
           std::to_string(s.tasks.size()) + " CPU/task pair" + (s.tasks.size() == 1 ? "" : "s"));
  size_t comm_w = 4, ts_w = 5;
  for (const auto& t : s.tasks) {
    comm_w = std::max(comm_w, t.comm.size());
    ts_w = std::max({ts_w, t.first_timestamp.size(), t.last_timestamp.size()});
  }
  char buf[1024];
  std::snprintf(buf, sizeof buf, "  %4s %8s  %-*s %7s  %-*s  %-*s  %s", "CPU", "PID", static_cast<int>(comm_w), "COMM",
                "REPORTS", static_cast<int>(ts_w), "FIRST", static_cast<int>(ts_w), "LAST", "RIP (COUNT)");
  out.line(buf);
  for (const auto& t : s.tasks) {
    std::string first_rip = t.rips.empty() ? "-" : t.rips[0].first + " (" + std::to_string(t.rips[0].second) + ")";
    std::snprintf(buf, sizeof buf, "  %4s %8s  %-*s %7zu  %-*s  %-*s  %s", task_cell(t.cpu).c_str(), task_cell(t.pid).c_str(),
                  static_cast<int>(comm_w), t.comm.empty() ? "-" : t.comm.c_str(), t.reports, static_cast<int>(ts_w),
                  t.first_timestamp.c_str(), static_cast<int>(ts_w), t.last_timestamp.c_str(), first_rip.c_str());
    out.line(buf);
    size_t pad = 2 + 4 + 1 + 8 + 2 + comm_w + 1 + 7 + 2 + ts_w + 2 + ts_w + 2;
    for (size_t i = 1; i < t.rips.size(); ++i)
      out.line(std::string(pad, ' ') + t.rips[i].first + " (" + std::to_string(t.rips[i].second) + ")");
  }
  if (!s.traces.empty()) {
    out.line("");
    out.line("CALL TRACES (reliable frames, innermost first):");
    // The most frequent side by side, as one reads recurring traces.
    size_t cols = std::min(kSideBySide, s.traces.size());
    std::vector<size_t> width(cols, 0);
    size_t rows = 0;
    std::vector<std::string> titles;
    for (size_t c = 0; c < cols; ++c) {
      titles.push_back("#" + std::to_string(c + 1) + " (" + std::to_string(s.traces[c].reports) + " report" +
                       (s.traces[c].reports == 1 ? "" : "s") + ")");
      width[c] = titles[c].size();
      for (const auto& f : s.traces[c].functions) width[c] = std::max(width[c], f.size());
      rows = std::max(rows, s.traces[c].functions.size());
    }
    auto row = [&](auto cell) {
      std::string line = " ";
      for (size_t c = 0; c < cols; ++c) {
        std::string v = cell(c);
        line += " " + v + std::string(c + 1 < cols ? width[c] - v.size() + 2 : 0, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out.line(line);
    };
    row([&](size_t c) { return titles[c]; });
    for (size_t i = 0; i < rows; ++i)
      row([&](size_t c) { return i < s.traces[c].functions.size() ? s.traces[c].functions[i] : std::string(); });
    for (size_t t = cols; t < s.traces.size(); ++t) {
      std::string line = "  #" + std::to_string(t + 1) + " (" + std::to_string(s.traces[t].reports) + "):";
      for (const auto& f : s.traces[t].functions) line += " " + f;
      out.line(line);
    }
  }
  if (!s.shared.empty()) {
    out.line("");
    out.line("SHARED CALL CHAINS (outermost first):");
    for (const auto& c : s.shared) {
      std::string line = "  " + std::to_string(c.reports) + " reports:";
      for (size_t i = 0; i < c.functions.size(); ++i) line += (i ? " > " : " ") + c.functions[i];
      out.line(line);
    }
  }
}

}  // namespace

Status run_postmortem(std::string_view log_text, const PostmortemRequest& req, Output& out) {
  std::vector<Report> reports = parse_reports(log_text);
  std::unique_ptr<Symbolizer> sym;
  if (!req.vmlinux.empty()) {
    std::string release = req.release;
    for (const auto& r : reports)
      if (release.empty()) release = r.release;
    auto dirs = module_debug_dirs(req.vmlinux, release, req.module_dirs);
    ASSIGN_OR_RETURN(sym, Symbolizer::open(req.vmlinux, [dirs](const std::string& m) {
                       return find_module_file(m, dirs);
                     }));
  }
  Analysis a = analyze(std::move(reports), sym.get());
  out.line("LOG: " + req.log_name + "  REPORTS: " + std::to_string(a.reports.size()) +
           (sym ? "  VMLINUX: " + basename_of(req.vmlinux) : "  (no vmlinux: parsed, not symbolized)"));
  // Releases first: the plainest sign of the wrong vmlinux.
  if (sym && !sym->release().empty()) {
    std::vector<std::string> others;
    for (const auto& r : a.reports)
      if (!r.report.release.empty() && r.report.release != sym->release() &&
          std::find(others.begin(), others.end(), r.report.release) == others.end())
        others.push_back(r.report.release);
    for (const auto& rel : others)
      out.line("WARNING: the log's kernel is " + rel + ", this vmlinux is " + sym->release());
  }
  if (!a.mismatches.empty()) {
    out.line("WARNING: this vmlinux does not match the log: " + std::to_string(a.mismatches.size()) + " of " +
             std::to_string(a.locations_checked) + " symbol+offset/size locations disagree, e.g.");
    for (size_t i = 0; i < a.mismatches.size() && i < 5; ++i) out.line("  " + a.mismatches[i]);
  } else if (sym && a.locations_checked) {
    out.line("vmlinux agrees with the log: " + std::to_string(a.locations_checked) +
             " distinct symbol+offset/size locations checked");
  }
  if (!req.summary_only)
    for (size_t i = 0; i < a.reports.size(); ++i) print_report(out, i + 1, a.reports[i]);
  std::vector<Report> plain;
  for (auto& r : a.reports) plain.push_back(std::move(r.report));
  print_summary(out, summarize(plain), plain.size());
  return {};
}

}  // namespace kinspect
