// The wait-for graph: CPUs, tasks and locks as nodes, "waits for" / "held
// by" / "runs on" edges with the evidence behind each. Built from what
// cpu_state and task_wait found; pure data, so chains, cycles (deadlocks)
// and root causes are computed (and unit-tested) without a dump.
//
// Each node has at most one outgoing edge (a task waits for one thing, a
// lock has one recorded owner, a CPU waits for one CPU), so following the
// edges from a node gives one chain that either ends or closes a cycle.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kinspect {

enum class WaitNodeKind { cpu, task, lock, rpc_task, transport, rcu_gp };

struct WaitNode {
  std::string id;  // "cpu:1", "task:0xffff888004d420c0", "lock:0x...", "rpc:0x...", "xprt:0x..."
  WaitNodeKind kind = WaitNodeKind::task;
  uint64_t address = 0;  // task_struct / lock address; the CPU number for cpus
  std::string label;     // "csd_waiter (pid 269)", "mutex 0x... (struct pipe_inode_info.mutex)"
};

struct WaitEdge {
  std::string from, to;
  std::string relation;  // "waits for", "held by", "runs on", "waits for csd of"
  std::string evidence;  // how it was found: "frame #3 __mutex_lock: lock", "mutex.owner"
};

struct WaitChain {
  std::vector<std::string> nodes;  // from the start, along the edges
  bool cycle = false;              // the last node's edge leads back into the chain
  size_t cycle_start = 0;          // index in nodes where the cycle begins
};

struct RootCause {
  std::string node;    // where chains end (or the first node of a cycle)
  size_t waiters = 0;  // how many chain starts reach it
  bool deadlock = false;
};

class WaitGraph {
 public:
  static std::string cpu_id(unsigned cpu) { return "cpu:" + std::to_string(cpu); }
  static std::string task_id(uint64_t task);
  static std::string lock_id(uint64_t lock);
  static std::string rpc_id(uint64_t rpc_task);
  static std::string transport_id(uint64_t xprt);
  static std::string rcu_gp_id() { return "rcu:gp"; }

  // Adds a node (a second add of the same id keeps the first, unless its label was empty).
  const WaitNode& add_node(WaitNode n);
  // Adds an edge; a node's second outgoing edge is refused (returns false).
  bool add_edge(WaitEdge e);

  const WaitNode* node(const std::string& id) const;
  const WaitEdge* edge_from(const std::string& id) const;
  const std::vector<WaitNode>& nodes() const { return nodes_; }
  const std::vector<WaitEdge>& edges() const { return edges_; }

  // The chain from a node, along the edges until a node without one or a repeat.
  WaitChain chain_from(const std::string& id) const;
  // Every cycle once (each as the chain around it, starting at its lowest id).
  std::vector<WaitChain> cycles() const;
  // The ends of the chains from `starts` (the blocked tasks and waiting
  // CPUs), most waiters first; a chain closing a cycle counts for the cycle.
  std::vector<RootCause> root_causes(const std::vector<std::string>& starts) const;

 private:
  std::vector<WaitNode> nodes_;
  std::vector<WaitEdge> edges_;
  std::map<std::string, size_t> node_index_;
  std::map<std::string, size_t> out_edge_;
};

}  // namespace kinspect
