#include "core/postmortem/report_parser.hpp"

#include <cctype>
#include <cstdlib>
#include <map>
#include <string>

#include "arch/oops_lines.hpp"
#include "core/postmortem/log_line.hpp"
#include "core/postmortem/report_lines.hpp"

namespace kinspect {

namespace {

// Lines a report may hold before its trace that are not worth a field; any
// number of them keeps the report open. Past this many unknown lines a
// report that never reached a trace is taken to have ended.
constexpr int kMaxUnknownBeforeTrace = 40;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<int> number_after(std::string_view s, std::string_view key) {
  size_t p = s.find(key);
  if (p == std::string_view::npos) return std::nullopt;
  std::string_view rest = trim(s.substr(p + key.size()));
  if (rest.empty() || !std::isdigit(static_cast<unsigned char>(rest.front()))) return std::nullopt;
  return std::atoi(std::string(rest.substr(0, 12)).c_str());
}

// "comm:pid" where comm may itself hold ':' (kworker/u257:2:236027).
void comm_pid(std::string_view s, Report& r) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return;
  r.comm = std::string(s.substr(0, colon));
  r.pid = std::atoi(std::string(s.substr(colon + 1)).c_str());
}

std::optional<ReportKind> header_kind(std::string_view s) {
  auto has = [&](std::string_view k) { return s.find(k) != std::string_view::npos; };
  if (has("BUG: soft lockup")) return ReportKind::soft_lockup;
  if (has("hard LOCKUP")) return ReportKind::hard_lockup;
  if (has("self-detected stall on CPU") || (has("rcu") && has("detected stalls on CPU")))
    return ReportKind::rcu_stall;
  if (s.starts_with("INFO: task ") && has(" blocked for more than ")) return ReportKind::hung_task;
  if (s.starts_with("WARNING: ")) return ReportKind::warning;
  if (s.starts_with("Kernel panic - not syncing")) return ReportKind::panic;
  if (s.starts_with("NMI backtrace for cpu ")) return ReportKind::nmi_backtrace;
  if (has("BUG: unable to handle") || has("BUG: kernel NULL pointer dereference") ||
      s.starts_with("Unable to handle kernel ") || s.starts_with("Internal error: Oops") ||
      s.starts_with("Oops: ") || s.starts_with("general protection fault"))
    return ReportKind::oops;
  if (s.starts_with("kernel BUG at ") || s.starts_with("BUG: ") || has(" BUG: ")) return ReportKind::bug;
  return std::nullopt;
}

// What the header line itself says about the CPU and the task.
void header_fields(std::string_view s, Report& r) {
  switch (r.kind) {
    case ReportKind::soft_lockup: {
      r.cpu = number_after(s, "CPU#");
      size_t open = s.rfind('['), close = s.rfind(']');
      if (open != std::string_view::npos && close > open) comm_pid(s.substr(open + 1, close - open - 1), r);
      break;
    }
    case ReportKind::hard_lockup: r.cpu = number_after(s, "on cpu "); break;
    case ReportKind::nmi_backtrace: r.cpu = number_after(s, "for cpu "); break;
    case ReportKind::hung_task: {
      std::string_view t = s.substr(11);
      comm_pid(t.substr(0, t.find(" blocked for more than ")), r);
      break;
    }
    case ReportKind::warning:
      r.cpu = number_after(s, "CPU: ");
      r.pid = number_after(s, "PID: ");
      break;
    default: break;
  }
}

// "CPU: 12 PID: 39156 Comm: dockerd-current Kdump: loaded Tainted: G   W  OE
// ------------   3.10.0-693.11.1.el7.es.10.x86_64 #1" (or "Not tainted").
void cpu_line(std::string_view s, Report& r) {
  r.cpu = number_after(s, "CPU: ");
  r.pid = number_after(s, "PID: ");
  size_t comm = s.find("Comm: ");
  if (comm == std::string_view::npos) return;
  std::string_view rest = s.substr(comm + 6);
  size_t end = std::string_view::npos;
  for (std::string_view stop : {" Kdump:", " Tainted:", " Not tainted"})
    end = std::min(end, rest.find(stop));
  r.comm = std::string(trim(rest.substr(0, end)));
  if (end == std::string_view::npos) return;
  rest = rest.substr(end);
  size_t t = rest.find("Tainted: ");
  std::string_view after = t != std::string_view::npos && !rest.starts_with(" Not") ? rest.substr(t + 9)
                           : rest.substr(rest.find("tainted") + 7);
  // The release is the word before " #N" (the build number).
  size_t hash = after.find(" #");
  std::string_view head = trim(after.substr(0, hash));
  size_t sp = head.rfind(' ');
  r.release = std::string(sp == std::string_view::npos ? head : head.substr(sp + 1));
  std::string_view taint = sp == std::string_view::npos ? std::string_view{} : trim(head.substr(0, sp));
  r.taint.clear();
  for (char c : taint)
    if (c != ' ' || (!r.taint.empty() && r.taint.back() != ' ')) r.taint += c;
}

std::optional<LoggedRegisters> ip_line(const OopsIpLine& l) {
  LoggedRegisters set;
  auto parsed = parse_code_location(l.location);
  if (!parsed) return std::nullopt;
  set.label = l.label;
  set.ip = *parsed;
  set.user = l.user;
  // A bare address below the kernel's half of the address space is a user pc.
  if (set.ip.symbol.empty() && set.ip.address && *set.ip.address < (1ull << 63)) set.user = true;
  return set;
}

struct OpenReport {
  size_t index = 0;
  bool saw_cpu_line = false;
  bool in_trace = false;
  std::string context;
  int unknown = 0;
};

class Parser {
 public:
  void line(std::string_view raw, size_t lineno) {
    LogLine l = parse_log_line(raw);
    std::string_view body = trim(l.body);
    if (body.empty()) return;
    auto it = open_.find(l.caller);
    OpenReport* cur = it == open_.end() ? nullptr : &it->second;
    Report* r = cur ? &reports_[cur->index] : nullptr;

    if (auto kind = header_kind(body)) {
      // "BUG: unable to handle ..." is followed by "Oops: 0000 [#1] SMP" and
      // arm64's "Unable to handle ..." by "Internal error: Oops: ...": one oops.
      bool continues = cur && r->kind == ReportKind::oops && *kind == ReportKind::oops && !cur->saw_cpu_line;
      if (!continues) {
        r = &open(l, lineno, *kind, body);
        header_fields(body, *r);
      }
      touch(*r, l);
      return;
    }
    if (body.starts_with("CPU: ") && body.find("PID: ") != std::string_view::npos) {
      if (!cur || cur->saw_cpu_line) {
        r = &open(l, lineno, ReportKind::fragment, body);
        cur = &open_[l.caller];
      }
      cpu_line(body, *r);
      cur->saw_cpu_line = true;
      touch(*r, l);
      return;
    }
    auto ip = parse_oops_ip_line(body);
    if (ip && ip->link_register) {
      if (auto loc = parse_code_location(ip->location); loc && cur && !r->registers.empty()) {
        r->registers.back().lr = *loc;
        touch(*r, l);
      }
      return;
    }
    if (auto set = ip ? ip_line(*ip) : std::nullopt) {
      // A kernel RIP after the user-mode registers that end a trace is the
      // next report's, printed without its header.
      bool after_user = cur && !set->user && !r->registers.empty() && r->registers.back().user;
      if (!cur || after_user) {
        r = &open(l, lineno, ReportKind::fragment, body);
        cur = &open_[l.caller];
      }
      r->registers.push_back(std::move(*set));
      touch(*r, l);
      return;
    }
    if (!cur) return;
    if (body.starts_with("Code: ")) {
      if (r->registers.empty()) r->registers.emplace_back();
      r->registers.back().code = std::string(trim(body.substr(6)));
      touch(*r, l);
      return;
    }
    if (body == "Call Trace:" || body == "Call trace:") {
      cur->in_trace = true;
      touch(*r, l);
      return;
    }
    if (auto marker = parse_context_marker(body)) {
      cur->in_trace = true;
      cur->context = marker->second ? marker->first : "";
      touch(*r, l);
      return;
    }
    if (cur->in_trace) {
      if (auto f = parse_frame_line(body)) {
        f->context = cur->context;
        r->frames.push_back(std::move(*f));
        touch(*r, l);
        return;
      }
    }
    if (auto regs = parse_register_line(body)) {
      if (r->registers.empty()) r->registers.emplace_back();
      auto& dst = r->registers.back().regs;
      dst.insert(dst.end(), regs->begin(), regs->end());
      touch(*r, l);
      return;
    }
    if (body.starts_with("task:")) {
      // sched_show_task(): "task:kcompactd4 state:R ... pid:  925 ppid: 2".
      std::string_view name = body.substr(5);
      if (r->comm.empty()) r->comm = std::string(trim(name.substr(0, name.find(" state:"))));
      if (!r->pid) r->pid = number_after(body, " pid:");
      touch(*r, l);
      return;
    }
    if (body.starts_with("Task dump for CPU ")) {
      if (!r->cpu) r->cpu = number_after(body, "CPU ");
      touch(*r, l);
      return;
    }
    if (r->kind == ReportKind::rcu_stall && body.starts_with("rcu:") && !r->cpu) {
      // The self-detected stall's "rcu:     65-....: (3920456 ticks this GP)".
      std::string_view rest = trim(body.substr(4));
      if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front())) &&
          rest.find('-') != std::string_view::npos)
        r->cpu = std::atoi(std::string(rest.substr(0, rest.find('-'))).c_str());
    }
    if (body == "...") return;  // an elision in a pasted log
    if (body.starts_with("---[ end ")) {
      touch(*r, l);
      open_.erase(l.caller);
      return;
    }
    // Any other line: before the trace it is one of the many informational
    // lines (Modules linked in, Hardware name, Workqueue, pstate, a stack
    // dump); after it, the report has ended.
    if (cur->in_trace || ++cur->unknown > kMaxUnknownBeforeTrace) open_.erase(l.caller);
  }

  std::vector<Report> take() { return std::move(reports_); }

 private:
  Report& open(const LogLine& l, size_t lineno, ReportKind kind, std::string_view header) {
    reports_.emplace_back();
    Report& r = reports_.back();
    r.kind = kind;
    r.header = std::string(header);
    r.first_line = lineno;
    r.first_timestamp = l.timestamp;
    OpenReport o;
    o.index = reports_.size() - 1;
    open_[l.caller] = o;
    return r;
  }
  static void touch(Report& r, const LogLine& l) { r.last_timestamp = l.timestamp; }

  std::vector<Report> reports_;
  std::map<std::string, OpenReport> open_;  // by printk caller id ("" without ids)
};

}  // namespace

std::vector<Report> parse_reports(std::string_view log) {
  Parser p;
  size_t lineno = 0;
  while (!log.empty()) {
    size_t nl = log.find('\n');
    p.line(log.substr(0, nl), ++lineno);
    log = nl == std::string_view::npos ? std::string_view{} : log.substr(nl + 1);
  }
  return p.take();
}

}  // namespace kinspect
