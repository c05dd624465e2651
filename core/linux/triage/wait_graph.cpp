#include "core/linux/triage/wait_graph.hpp"

#include <algorithm>
#include <set>

#include "core/error.hpp"

namespace kinspect {

std::string WaitGraph::task_id(uint64_t task) { return "task:" + hex(task); }
std::string WaitGraph::lock_id(uint64_t lock) { return "lock:" + hex(lock); }
std::string WaitGraph::rpc_id(uint64_t rpc_task) { return "rpc:" + hex(rpc_task); }
std::string WaitGraph::transport_id(uint64_t xprt) { return "xprt:" + hex(xprt); }

const WaitNode& WaitGraph::add_node(WaitNode n) {
  auto it = node_index_.find(n.id);
  if (it != node_index_.end()) {
    WaitNode& old = nodes_[it->second];
    if (old.label.empty()) old.label = n.label;
    return old;
  }
  node_index_[n.id] = nodes_.size();
  nodes_.push_back(std::move(n));
  return nodes_.back();
}

bool WaitGraph::add_edge(WaitEdge e) {
  if (out_edge_.count(e.from)) return false;
  out_edge_[e.from] = edges_.size();
  edges_.push_back(std::move(e));
  return true;
}

const WaitNode* WaitGraph::node(const std::string& id) const {
  auto it = node_index_.find(id);
  return it == node_index_.end() ? nullptr : &nodes_[it->second];
}

const WaitEdge* WaitGraph::edge_from(const std::string& id) const {
  auto it = out_edge_.find(id);
  return it == out_edge_.end() ? nullptr : &edges_[it->second];
}

WaitChain WaitGraph::chain_from(const std::string& id) const {
  WaitChain c;
  std::map<std::string, size_t> seen;
  std::string cur = id;
  for (;;) {
    if (auto it = seen.find(cur); it != seen.end()) {
      c.cycle = true;
      c.cycle_start = it->second;
      return c;
    }
    seen[cur] = c.nodes.size();
    c.nodes.push_back(cur);
    const WaitEdge* e = edge_from(cur);
    if (!e) return c;
    cur = e->to;
  }
}

std::vector<WaitChain> WaitGraph::cycles() const {
  std::vector<WaitChain> out;
  std::set<std::string> reported;
  for (const WaitEdge& e : edges_) {
    WaitChain c = chain_from(e.from);
    if (!c.cycle) continue;
    std::vector<std::string> ring(c.nodes.begin() + static_cast<long>(c.cycle_start), c.nodes.end());
    auto lowest = std::min_element(ring.begin(), ring.end());
    if (reported.count(*lowest)) continue;
    reported.insert(*lowest);
    std::rotate(ring.begin(), lowest, ring.end());
    WaitChain r;
    r.nodes = std::move(ring);
    r.cycle = true;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RootCause> WaitGraph::root_causes(const std::vector<std::string>& starts) const {
  std::vector<RootCause> out;
  std::map<std::string, size_t> at;
  for (const std::string& s : starts) {
    WaitChain c = chain_from(s);
    if (c.nodes.size() < 2 && !c.cycle) continue;  // waits for nothing we could name
    std::string end;
    bool deadlock = false;
    if (c.cycle) {
      std::vector<std::string> ring(c.nodes.begin() + static_cast<long>(c.cycle_start), c.nodes.end());
      end = *std::min_element(ring.begin(), ring.end());
      deadlock = true;
    } else {
      end = c.nodes.back();
    }
    auto it = at.find(end);
    if (it == at.end()) {
      at[end] = out.size();
      out.push_back({end, 1, deadlock});
    } else {
      ++out[it->second].waiters;
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const RootCause& a, const RootCause& b) {
    if (a.deadlock != b.deadlock) return a.deadlock;
    return a.waiters > b.waiters;
  });
  return out;
}

}  // namespace kinspect
