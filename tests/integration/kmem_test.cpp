// kmem on the sample dumps: -i, -V, -z and -s against crash 8.0.2 on
// x86_64 and against the guest's own /proc (meminfo, slabinfo, vmstat) on
// every sample; kmem ADDR names the task_struct cache and object for every
// task.
#include <gtest/gtest.h>

#include <regex>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

// crash's output of "kmem -i / -V / -z / -s" run in that order, cut at the
// first line of each report.
std::map<std::string, std::string> crash_reports(const std::string& out) {
  const std::vector<std::pair<std::string, std::string>> starts = {
      {"kmem -i", "                 PAGES"}, {"kmem -V", "  VM_ZONE_STAT:"},
      {"kmem -z", "NODE: 0  ZONE: 0"},       {"kmem -s", "CACHE "},
      {"kmem -S task_struct", "CACHE "},      {"kmem -v", "   VMAP_AREA"}};
  std::map<std::string, std::string> m;
  std::string cur;
  size_t next = 0;
  for (const auto& l : lines_of(out)) {
    if (next < starts.size() && l.rfind(starts[next].second, 0) == 0) cur = starts[next++].first;
    if (!cur.empty()) m[cur] += l + "\n";
  }
  return m;
}

// "MemTotal:  480564 kB" -> 480564.
std::map<std::string, long> proc_fields(const std::string& text) {
  std::map<std::string, long> m;
  for (const auto& l : lines_of(text)) {
    std::istringstream f(l);
    std::string k;
    long v;
    if (f >> k >> v) m[k] = v;
  }
  return m;
}

const char* const kScript = "kmem -i\nkmem -V\nkmem -z\nkmem -s\nkmem -S task_struct\nkmem -v\n";

TEST(KmemCrash, SummaryCountersZonesAndCachesEqualCrash) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  std::string core = d.path("VMCORE");
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), core}, kScript);
  ASSERT_EQ(k.status, 0) << k.err;
  auto mine = by_command(k.out);
  RunResult c = run_crash(d, core, kScript);
  ASSERT_EQ(c.status, 0) << c.err;
  auto theirs = crash_reports(c.out);
  for (const char* cmd : {"kmem -i", "kmem -z", "kmem -s", "kmem -v"}) {
    SCOPED_TRACE(cmd);
    ASSERT_FALSE(theirs[cmd].empty()) << c.out;
    EXPECT_EQ(mine[cmd], theirs[cmd]);
  }
  // kmem -S: the per-CPU slabs line for line; of the node lists, each slab's
  // summary line. crash 8.0.2 lists a partial slab's objects on some dumps
  // and not on others (not understood yet; kinspect always lists them).
  {
    const std::string cmd = "kmem -S task_struct";
    SCOPED_TRACE(cmd);
    ASSERT_FALSE(theirs[cmd].empty()) << c.out;
    auto split = [](const std::string& t) {
      size_t at = t.find("NODE 0 PARTIAL:");
      std::string head = t.substr(0, at), slabs;
      std::istringstream in(at == std::string::npos ? "" : t.substr(at));
      static const std::regex slab_line(R"(  [0-9a-f]{16}  [0-9a-f]{16}\s+[0-9]+\s+[0-9]+\s+[0-9]+\s+[0-9]+)");
      for (std::string l; std::getline(in, l);)
        if (std::regex_match(l, slab_line)) slabs += l + "\n";
      return std::make_pair(head, slabs);
    };
    auto [my_head, my_slabs] = split(mine[cmd]);
    auto [their_head, their_slabs] = split(theirs[cmd]);
    EXPECT_EQ(my_head, their_head);
    EXPECT_EQ(my_slabs, their_slabs);
    EXPECT_FALSE(their_slabs.empty()) << theirs[cmd];
  }
  // crash 8.0.2 does not know 6.1's vm_numa_event: the rest is the same.
  std::string v;
  bool skip = false;
  for (const auto& l : lines_of(mine["kmem -V"])) {
    if (l == "  VM_NUMA_EVENT:") skip = true;
    if (l == "  VM_EVENT_STATES:") skip = false;
    if (!skip) v += l + "\n";
  }
  EXPECT_EQ(v, theirs["kmem -V"]);
}

class KmemProc : public ::testing::TestWithParam<const char*> {};

TEST_P(KmemProc, AgreesWithTheGuestsProc) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, kScript);
  ASSERT_EQ(k.status, 0) << k.err;
  auto mine = by_command(k.out);
  std::string proc = d.path("GUEST_PROC") + "/proc/";
  auto meminfo = proc_fields(file_text(proc + "meminfo"));
  ASSERT_GT(meminfo["MemTotal:"], 0);
  const long page_kb = 4;  // both Debian kernels use 4K pages
  // TOTAL MEM and COMMIT LIMIT do not move between the guest's print and the crash.
  std::map<std::string, long> pages;
  for (const auto& l : lines_of(mine["kmem -i"])) {
    if (l.size() < 22) continue;
    std::string label = l.substr(0, 13);
    label.erase(0, label.find_first_not_of(' '));
    pages[label] = std::atol(l.substr(15, 7).c_str());
  }
  EXPECT_EQ(pages["TOTAL MEM"] * page_kb, meminfo["MemTotal:"]);
  EXPECT_EQ(pages["COMMIT LIMIT"] * page_kb, meminfo["CommitLimit:"]);
  EXPECT_NEAR(pages["FREE"] * page_kb, meminfo["MemFree:"], meminfo["MemTotal:"] / 20);

  // Counters /proc/vmstat prints under the enumerator's own spelling
  // agree within the churn between the guest's print and the crash.
  auto vmstat = proc_fields(file_text(proc + "vmstat"));
  std::map<std::string, long> counters;
  for (const auto& l : lines_of(mine["kmem -V"])) {
    auto colon = l.find(": ");
    if (colon == std::string::npos || l.rfind("  VM_", 0) == 0) continue;
    std::string name = l.substr(l.find_first_not_of(' '), colon - l.find_first_not_of(' '));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    counters[name] = std::atol(l.substr(colon + 2).c_str());
  }
  int compared = 0;
  // Gauges only: event counts (pgfault, numa_hit) grow by thousands while
  // the guest prints the rest of its ground truth.
  for (const char* name : {"nr_free_pages", "nr_zone_active_anon", "nr_zone_inactive_anon", "nr_inactive_anon",
                           "nr_active_anon", "nr_mlock", "nr_shmem", "nr_file_pages", "nr_unevictable",
                           "nr_active_file"}) {
    SCOPED_TRACE(name);
    if (!vmstat.count(name)) continue;
    ASSERT_TRUE(counters.count(name)) << mine["kmem -V"];
    long tolerance = std::max(256L, vmstat[name] / 5);
    EXPECT_NEAR(counters[name], vmstat[name], tolerance);
    ++compared;
  }
  EXPECT_GE(compared, 8);

  // The same caches as /proc/slabinfo, each with as many objects per slab.
  std::set<std::string> want, got;
  for (const auto& l : lines_of(file_text(proc + "slabinfo"))) {
    if (l.empty() || l[0] == '#' || l.rfind("slabinfo", 0) == 0) continue;
    want.insert(l.substr(0, l.find(' ')));
  }
  for (const auto& l : lines_of(mine["kmem -s"])) {
    if (l.rfind("CACHE", 0) == 0 || l.size() < 60) continue;
    got.insert(l.substr(l.rfind("  ") + 2));
  }
  EXPECT_EQ(got, want);

  // Zone sizes: zoneinfo's "spanned" and "present" of each populated zone.
  std::vector<long> spanned;
  for (const auto& l : lines_of(file_text(proc + "zoneinfo"))) {
    std::istringstream f(l);
    std::string k;
    long v;
    if (f >> k >> v && k == "spanned" && v > 0) spanned.push_back(v);  // kmem -z: [unpopulated]
  }
  std::vector<long> sizes;
  for (const auto& l : lines_of(mine["kmem -z"]))
    if (l.rfind("  SIZE: ", 0) == 0) sizes.push_back(std::atol(l.substr(8).c_str()));
  EXPECT_EQ(sizes, spanned);

  // vmalloc areas: /proc/vmallocinfo's sizes (its addresses are hashed
  // for an unprivileged reader), but for the few made or freed between the
  // guest's print and the crash.
  std::multiset<long> sizes_mine;
  for (const auto& l : lines_of(mine["kmem -v"]))
    if (l.size() > 70 && l.rfind("   VMAP", 0) != 0) sizes_mine.insert(std::atol(l.substr(l.rfind(' ')).c_str()));
  size_t info = 0, found = 0;
  for (const auto& l : lines_of(file_text(proc + "vmallocinfo"))) {
    std::istringstream f(l);
    std::string range;
    long size = 0;
    if (!(f >> range >> size)) continue;
    ++info;
    if (auto it = sizes_mine.find(size); it != sizes_mine.end()) {
      sizes_mine.erase(it);
      ++found;
    }
  }
  ASSERT_GT(info, 20u);
  EXPECT_GE(found * 10, info * 9) << found << " of " << info;
  EXPECT_LE(sizes_mine.size() * 10, info) << "areas kmem -v has that vmallocinfo lacks";
}

INSTANTIATE_TEST_SUITE_P(SampleDumps, KmemProc,
                         ::testing::Values("x86_64-sysrq", "x86_64-csd-lockup", "x86_64-kdump", "arm64-sysrq",
                                           "arm64-csd-lockup"),
                         SampleName());

TEST(KmemAddress, EveryTaskIsAnAllocatedTaskStructObject) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  RunResult ps = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, "ps\n");
  ASSERT_EQ(ps.status, 0) << ps.err;
  std::string script;
  std::vector<std::string> tasks;
  for (const auto& l : lines_of(strip_echo(ps.out))) {
    std::istringstream f(l.size() > 1 ? l.substr(1) : l);
    std::string pid, ppid, cpu, task;
    if (!(f >> pid >> ppid >> cpu >> task) || pid == "PID" || pid == "0") continue;  // idle tasks are static
    tasks.push_back(task);
    script += "kmem " + task + "\n";
  }
  ASSERT_GT(tasks.size(), 20u);
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, script);
  ASSERT_EQ(k.status, 0) << k.err;
  auto out = by_command(k.out);
  for (const auto& t : tasks) {
    SCOPED_TRACE(t);
    const std::string& o = out["kmem " + t];
    EXPECT_NE(o.find("  task_struct\n"), std::string::npos) << o;
    EXPECT_NE(o.find("  [" + t + "]\n"), std::string::npos) << o;
    EXPECT_NE(o.find("   TASK: " + t), std::string::npos) << o;
  }
}

TEST(KmemFlags, UnfinishedFlagsSaySo) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  RunResult k = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE")}, "kmem -f\nkmem -s no_such_cache\n");
  EXPECT_NE(k.err.find("kmem -f is not implemented yet"), std::string::npos) << k.err;
  EXPECT_NE(k.err.find("invalid kmem_cache: no_such_cache"), std::string::npos) << k.err;
}

}  // namespace
