// The report parser on the four incident logs of the user stories (the log
// lines of /work/shared/incidents/*.md, copied to tests/data/postmortem/).
// Every expected number is counted here with deliberately simple regexes
// over the raw file, never with the parser's own code: the soft lockup
// headers and their CPU/comm/pid, the "CPU: N PID: P Comm: C" lines, the
// kernel RIP / pc lines, the frame lines and where reports start.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/postmortem/report_parser.hpp"
#include "core/postmortem/summary.hpp"

using namespace kinspect;

namespace {

std::string read_data(const std::string& name) {
  std::ifstream f(std::string(KINSPECT_SOURCE_DIR) + "/tests/data/postmortem/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// The independent counts.
struct Expected {
  size_t reports = 0;
  size_t soft_lockups = 0, rcu_stalls = 0;
  size_t frames = 0;
  std::multiset<std::tuple<int, int, std::string>> cpu_lines;  // from "CPU: N PID: P Comm: C"
  std::multiset<std::tuple<int, int, std::string>> lockups;    // from "soft lockup - CPU#N ... [C:P]"
  std::multiset<std::string> kernel_rips;                      // "RIP: 0010:X" / "pc : X"
};

Expected count(const std::string& text) {
  static const std::regex lockup(R"(BUG: soft lockup - CPU#(\d+) stuck for \d+s! \[(.+):(\d+)\])");
  static const std::regex rcu(R"(detected stall)");
  static const std::regex cpu(R"(CPU: (\d+) PID: (\d+) Comm: (\S+))");
  static const std::regex rip(R"((RIP: 0010:(\[<[0-9a-f]+>\]\s+\[<[0-9a-f]+>\] )?|pc : )(\S+))");
  // A frame: optional [<addr>], optional "? ", sym+0xoff/0xsize, optional [module], end of line.
  static const std::regex frame(R"((^\[ *\d+\.\d+\]|kernel:) +(\[<[0-9a-f]+>\] )?(\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+( \[\w+\])?$)");
  Expected e;
  // Where reports start: at each header; at a CPU: line not within 10
  // lines after a header; at a kernel RIP not within 10 lines after a
  // header or a CPU: line (a grepped or cut log).
  int since_header = 1000, since_anchor = 1000;
  for (const auto& l : lines_of(text)) {
    ++since_header;
    ++since_anchor;
    std::smatch m;
    bool header = false;
    if (std::regex_search(l, m, lockup)) {
      ++e.soft_lockups;
      e.lockups.emplace(std::stoi(m[1]), std::stoi(m[3]), m[2]);
      header = true;
    } else if (std::regex_search(l, rcu)) {
      ++e.rcu_stalls;
      header = true;
    }
    if (header) {
      ++e.reports;
      since_header = since_anchor = 0;
      continue;
    }
    if (std::regex_search(l, m, cpu)) {
      e.cpu_lines.emplace(std::stoi(m[1]), std::stoi(m[2]), m[3]);
      if (since_header > 10) ++e.reports;
      since_anchor = 0;
    } else if (std::regex_search(l, m, rip)) {
      e.kernel_rips.insert(m[3]);
      if (since_anchor > 10) ++e.reports;
      since_anchor = 0;
    }
    if (std::regex_search(l, frame)) ++e.frames;
  }
  return e;
}

struct Parsed {
  std::vector<Report> reports;
  size_t soft_lockups = 0, rcu_stalls = 0, frames = 0;
  std::multiset<std::tuple<int, int, std::string>> tasks;
  std::multiset<std::string> kernel_rips;
};

Parsed parse(const std::string& text) {
  Parsed p;
  p.reports = parse_reports(text);
  for (const auto& r : p.reports) {
    p.soft_lockups += r.kind == ReportKind::soft_lockup;
    p.rcu_stalls += r.kind == ReportKind::rcu_stall;
    p.frames += r.frames.size();
    for (const auto& regs : r.registers)
      if (!regs.user && (!regs.ip.symbol.empty() || regs.ip.address)) p.kernel_rips.insert(regs.ip.text());
  }
  return p;
}

std::multiset<std::tuple<int, int, std::string>> tasks_of(const std::vector<Report>& rs, ReportKind only) {
  std::multiset<std::tuple<int, int, std::string>> s;
  for (const auto& r : rs)
    if (r.kind == only) s.emplace(r.cpu.value_or(-1), r.pid.value_or(-1), r.comm);
  return s;
}

void expect_matches_counts(const std::string& file) {
  std::string text = read_data(file);
  ASSERT_FALSE(text.empty()) << file;
  Expected e = count(text);
  Parsed p = parse(text);
  EXPECT_EQ(p.reports.size(), e.reports) << file;
  EXPECT_EQ(p.soft_lockups, e.soft_lockups) << file;
  EXPECT_EQ(p.rcu_stalls, e.rcu_stalls) << file;
  EXPECT_EQ(p.frames, e.frames) << file;
  EXPECT_EQ(p.kernel_rips, e.kernel_rips) << file;
  EXPECT_EQ(tasks_of(p.reports, ReportKind::soft_lockup), e.lockups) << file;
  // Every "CPU: N PID: P Comm: C" line is some report's task.
  std::multiset<std::tuple<int, int, std::string>> with_cpu_line;
  for (const auto& r : p.reports)
    if (r.cpu && r.pid && !r.release.empty()) with_cpu_line.emplace(*r.cpu, *r.pid, r.comm);
  EXPECT_EQ(with_cpu_line, e.cpu_lines) << file;
}

}  // namespace

TEST(PostmortemIncidents, Incident1MemcgCountsMatchRegexCounts) { expect_matches_counts("incident1-memcg-numa-stat.log"); }
TEST(PostmortemIncidents, Incident2CsdArm64CountsMatchRegexCounts) {
  expect_matches_counts("incident2-csd-lock-wait-arm64.log");
}
TEST(PostmortemIncidents, Incident3BlkCountsMatchRegexCounts) { expect_matches_counts("incident3-blk-set-queue-dying.log"); }
TEST(PostmortemIncidents, Incident4NfsCountsMatchRegexCounts) { expect_matches_counts("incident4-nfs-rpc-execute.log"); }

TEST(PostmortemIncidents, Incident3SummaryIsTheGrepTable) {
  // The engineer's table: per CPU and task, each distinct RIP with its count.
  std::string text = read_data("incident3-blk-set-queue-dying.log");
  static const std::regex pair(R"(CPU: (\d+) PID: (\d+) Comm: (\S+))");
  static const std::regex rip(R"(RIP: 0010:\[<[0-9a-f]+>\]\s+\[<[0-9a-f]+>\] (\S+))");
  std::map<std::tuple<int, int, std::string>, std::map<std::string, size_t>> want;
  std::tuple<int, int, std::string> cur;
  for (const auto& l : lines_of(text)) {
    std::smatch m;
    if (std::regex_search(l, m, pair)) cur = {std::stoi(m[1]), std::stoi(m[2]), m[3]};
    if (std::regex_search(l, m, rip)) ++want[cur][m[1]];
  }
  LogSummary s = summarize(parse_reports(text));
  std::map<std::tuple<int, int, std::string>, std::map<std::string, size_t>> got;
  for (const auto& t : s.tasks)
    for (const auto& [r, n] : t.rips) got[{t.cpu.value_or(-1), t.pid.value_or(-1), t.comm}][r] = n;
  EXPECT_EQ(got, want);
  ASSERT_GE(s.tasks.size(), 3u);  // CPU 12 dockerd-current, 13 and 15 migration
  // Most frequent first, and the first/last timestamps of CPU 12's reports.
  const TaskSummary& t12 = s.tasks[0];
  EXPECT_EQ(t12.cpu, 12);
  EXPECT_EQ(t12.rips[0].first, "_raw_spin_unlock_irqrestore+0x15/0x20");
  EXPECT_EQ(t12.first_timestamp, "2022-11-12 10:10:59 +0800");
  EXPECT_EQ(t12.last_timestamp, "2022-11-12 10:22:23 +0800");
}

TEST(PostmortemIncidents, Incident1TracesAndSharedChain) {
  LogSummary s = summarize(parse_reports(read_data("incident1-memcg-numa-stat.log")));
  // Three distinct traces; the memcg one twice.
  ASSERT_EQ(s.traces.size(), 3u);
  EXPECT_EQ(s.traces[0].reports, 2u);
  EXPECT_EQ(s.traces[0].functions.front(), "memcg_numa_stat_show");
  ASSERT_FALSE(s.shared.empty());
  // The chain from the syscall entry down to memcg_numa_stat_show is in
  // three reports.
  EXPECT_EQ(s.shared[0].reports, 3u);
  EXPECT_EQ(s.shared[0].functions.front(), "entry_SYSCALL_64_after_hwframe");
  EXPECT_EQ(s.shared[0].functions.back(), "memcg_numa_stat_show");
}

TEST(PostmortemIncidents, Incident2RcuStallTaskFromTaskDump) {
  auto rs = parse_reports(read_data("incident2-csd-lock-wait-arm64.log"));
  auto it = std::find_if(rs.begin(), rs.end(), [](const Report& r) { return r.kind == ReportKind::rcu_stall; });
  ASSERT_NE(it, rs.end());
  EXPECT_EQ(it->cpu, 65);
  EXPECT_EQ(it->pid, 925);
  EXPECT_EQ(it->comm, "kcompactd4");
  // 34 frames: the IRQ part then the interrupted kcompactd chain.
  EXPECT_EQ(it->frames.front().loc.symbol, "dump_backtrace");
  EXPECT_EQ(it->frames.back().loc.symbol, "ret_from_fork");
  // The soft lockup's arm64 registers: pc and lr.
  const Report& frag = rs.front();
  ASSERT_NE(frag.kernel_regs(), nullptr);
  EXPECT_EQ(frag.kernel_regs()->ip.text(), "smp_call_function_many_cond+0x34c/0x3a0");
  ASSERT_TRUE(frag.kernel_regs()->lr);
  EXPECT_EQ(frag.kernel_regs()->lr->offset, 0x308u);
  EXPECT_EQ(frag.release, "4.18.0-372.19.1.es8_10.aarch64");
}
