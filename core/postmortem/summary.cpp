#include "core/postmortem/summary.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace kinspect {

std::vector<std::string> trace_functions(const Report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.frames)
    if (f.reliable) out.push_back(f.loc.symbol.empty() ? f.loc.text() : f.loc.symbol);
  return out;
}

namespace {

struct TrieNode {
  std::map<std::string, size_t> children;  // -> node index
  size_t reports = 0;
};

// Chains several reports share from the outermost frame inwards: every
// point where some of the reports sharing a chain go on differently or stop.
std::vector<SharedChain> shared_chains(const std::vector<Report>& reports) {
  std::vector<TrieNode> nodes(1);
  for (const auto& r : reports) {
    auto fns = trace_functions(r);
    size_t at = 0;
    for (auto it = fns.rbegin(); it != fns.rend(); ++it) {
      auto [c, fresh] = nodes[at].children.try_emplace(*it, nodes.size());
      if (fresh) nodes.emplace_back();
      at = c->second;
      ++nodes[at].reports;
    }
  }
  std::vector<SharedChain> out;
  std::vector<std::string> path;
  auto visit = [&](auto&& self, size_t n) -> void {
    for (const auto& [name, child] : nodes[n].children) {
      if (nodes[child].reports < 2) continue;
      path.push_back(name);
      size_t widest = 0;
      for (const auto& [_, g] : nodes[child].children) widest = std::max(widest, nodes[g].reports);
      if (widest < nodes[child].reports) out.push_back({path, nodes[child].reports});
      self(self, child);
      path.pop_back();
    }
  };
  visit(visit, 0);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.functions.size() != b.functions.size() ? a.functions.size() > b.functions.size() : a.reports > b.reports;
  });
  return out;
}

}  // namespace

LogSummary summarize(const std::vector<Report>& reports) {
  LogSummary s;
  std::map<std::tuple<int, int, std::string>, size_t> task_index;
  std::vector<std::map<std::string, size_t>> rip_counts;
  for (const auto& r : reports) {
    auto key = std::tuple{r.cpu.value_or(-1), r.pid.value_or(-1), r.comm};
    auto [it, fresh] = task_index.try_emplace(key, s.tasks.size());
    if (fresh) {
      s.tasks.push_back({r.cpu, r.pid, r.comm, 0, r.first_timestamp, r.last_timestamp, {}});
      rip_counts.emplace_back();
    }
    TaskSummary& t = s.tasks[it->second];
    ++t.reports;
    t.last_timestamp = r.first_timestamp;  // when the last report began
    if (const LoggedRegisters* regs = r.kernel_regs(); regs && (!regs->ip.symbol.empty() || regs->ip.address)) {
      std::string rip = regs->ip.text();
      auto& counts = rip_counts[it->second];
      if (counts.find(rip) == counts.end()) t.rips.emplace_back(rip, 0);
      ++counts[rip];
    }
  }
  for (size_t i = 0; i < s.tasks.size(); ++i) {
    for (auto& [rip, n] : s.tasks[i].rips) n = rip_counts[i][rip];
    std::stable_sort(s.tasks[i].rips.begin(), s.tasks[i].rips.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  }
  std::map<std::vector<std::string>, size_t> groups;
  for (const auto& r : reports) {
    auto fns = trace_functions(r);
    if (fns.empty()) continue;
    auto [it, fresh] = groups.try_emplace(fns, s.traces.size());
    if (fresh) s.traces.push_back({fns, 0});
    ++s.traces[it->second].reports;
  }
  std::stable_sort(s.traces.begin(), s.traces.end(), [](const auto& a, const auto& b) { return a.reports > b.reports; });
  s.shared = shared_chains(reports);
  return s;
}

}  // namespace kinspect
