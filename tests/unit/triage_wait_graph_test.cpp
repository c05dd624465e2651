// The wait-for graph's chains, cycles and root causes, the lock-word
// decoders and the JSON writer, on synthetic values whose answers are known
// by construction (the real dumps are tests/integration/triage_test.cpp).
#include <gtest/gtest.h>

#include "commands/json_writer.hpp"
#include "core/linux/triage/lock_words.hpp"
#include "core/linux/triage/wait_graph.hpp"

using namespace kinspect;

namespace {

// task A -> lock L1 -> task B -> lock L2 -> task C (sleeping, no edge)
WaitGraph chain_graph() {
  WaitGraph g;
  for (uint64_t t : {0xa0, 0xb0, 0xc0, 0xd0})
    g.add_node({WaitGraph::task_id(t), WaitNodeKind::task, t, "task " + std::to_string(t)});
  for (uint64_t l : {0x100, 0x200})
    g.add_node({WaitGraph::lock_id(l), WaitNodeKind::lock, l, "lock " + std::to_string(l)});
  g.add_edge({WaitGraph::task_id(0xa0), WaitGraph::lock_id(0x100), "waits for", ""});
  g.add_edge({WaitGraph::lock_id(0x100), WaitGraph::task_id(0xb0), "held by", ""});
  g.add_edge({WaitGraph::task_id(0xb0), WaitGraph::lock_id(0x200), "waits for", ""});
  g.add_edge({WaitGraph::lock_id(0x200), WaitGraph::task_id(0xc0), "held by", ""});
  // D waits for L2 too.
  g.add_edge({WaitGraph::task_id(0xd0), WaitGraph::lock_id(0x200), "waits for", ""});
  return g;
}

}  // namespace

TEST(TriageWaitGraph, ChainFollowsEdgesToTheOwnerAtTheEnd) {
  WaitGraph g = chain_graph();
  WaitChain c = g.chain_from(WaitGraph::task_id(0xa0));
  ASSERT_EQ(c.nodes.size(), 5u);
  EXPECT_FALSE(c.cycle);
  EXPECT_EQ(c.nodes[0], "task:0xa0");
  EXPECT_EQ(c.nodes[1], "lock:0x100");
  EXPECT_EQ(c.nodes[2], "task:0xb0");
  EXPECT_EQ(c.nodes[4], "task:0xc0");
  EXPECT_TRUE(g.cycles().empty());
}

TEST(TriageWaitGraph, RootCauseCountsEveryChainEndingThere) {
  WaitGraph g = chain_graph();
  auto roots = g.root_causes({"task:0xa0", "task:0xb0", "task:0xd0", "task:0xc0"});
  ASSERT_EQ(roots.size(), 1u);  // C's own chain has no edge: not a waiter
  EXPECT_EQ(roots[0].node, "task:0xc0");
  EXPECT_EQ(roots[0].waiters, 3u);
  EXPECT_FALSE(roots[0].deadlock);
}

TEST(TriageWaitGraph, SecondOutgoingEdgeIsRefused) {
  WaitGraph g = chain_graph();
  EXPECT_FALSE(g.add_edge({WaitGraph::task_id(0xa0), WaitGraph::lock_id(0x200), "waits for", ""}));
  EXPECT_EQ(g.edge_from("task:0xa0")->to, "lock:0x100");
}

TEST(TriageWaitGraph, AbbaDeadlockIsOneCycleAndRootCauseFirst) {
  // T1 holds M1 and waits for M2; T2 holds M2 and waits for M1; T3 waits for M1.
  WaitGraph g;
  g.add_edge({"task:0x1", "lock:0x10", "waits for", ""});  // T1 -> M2 (0x10)
  g.add_edge({"lock:0x10", "task:0x2", "held by", ""});
  g.add_edge({"task:0x2", "lock:0x20", "waits for", ""});  // T2 -> M1 (0x20)
  g.add_edge({"lock:0x20", "task:0x1", "held by", ""});
  g.add_edge({"task:0x3", "lock:0x20", "waits for", ""});
  // An unrelated chain with more waiters must still sort after the deadlock.
  g.add_edge({"task:0x7", "lock:0x70", "waits for", ""});
  g.add_edge({"task:0x8", "lock:0x70", "waits for", ""});
  g.add_edge({"task:0x9", "lock:0x70", "waits for", ""});
  auto cycles = g.cycles();
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0].nodes, (std::vector<std::string>{"lock:0x10", "task:0x2", "lock:0x20", "task:0x1"}));
  WaitChain c = g.chain_from("task:0x3");
  EXPECT_TRUE(c.cycle);
  EXPECT_EQ(c.nodes[c.cycle_start], "lock:0x20");
  auto roots = g.root_causes({"task:0x1", "task:0x2", "task:0x3", "task:0x7", "task:0x8", "task:0x9"});
  ASSERT_EQ(roots.size(), 2u);
  EXPECT_TRUE(roots[0].deadlock);
  EXPECT_EQ(roots[0].node, "lock:0x10");
  EXPECT_EQ(roots[0].waiters, 3u);
  EXPECT_EQ(roots[1].node, "lock:0x70");
  EXPECT_EQ(roots[1].waiters, 3u);
}

TEST(TriageWaitGraph, CsdWaitsBetweenCpus) {
  WaitGraph g;
  g.add_node({WaitGraph::cpu_id(1), WaitNodeKind::cpu, 1, "CPU 1"});
  g.add_node({WaitGraph::cpu_id(2), WaitNodeKind::cpu, 2, "CPU 2"});
  g.add_edge({"cpu:1", "cpu:2", "waits for csd of", ""});
  auto roots = g.root_causes({"cpu:1"});
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0].node, "cpu:2");
  EXPECT_EQ(g.node("cpu:2")->label, "CPU 2");
}

TEST(TriageLockWords, MutexOwnerMasksTheFlagBits) {
  MutexOwner m = decode_mutex_owner(0xffff888004d420c1ull);
  EXPECT_EQ(m.task, 0xffff888004d420c0ull);
  EXPECT_TRUE(m.waiters);
  EXPECT_FALSE(m.handoff);
  m = decode_mutex_owner(0xffff888004d420c6ull);
  EXPECT_EQ(m.task, 0xffff888004d420c0ull);
  EXPECT_TRUE(m.handoff);
  EXPECT_TRUE(m.pickup);
  EXPECT_EQ(decode_mutex_owner(0).task, 0u);
}

TEST(TriageLockWords, RwsemWriterAndReaders) {
  // Writer-locked with waiters: count = WRITER_LOCKED|FLAG_WAITERS.
  RwsemState w = decode_rwsem(0x3, 0xffff888004d42000ull | 0x2);
  EXPECT_TRUE(w.writer_locked);
  EXPECT_TRUE(w.waiters);
  EXPECT_EQ(w.owner_task, 0xffff888004d42000ull);
  EXPECT_FALSE(w.reader_owned);
  // Two readers, last reader recorded with RWSEM_READER_OWNED.
  RwsemState r = decode_rwsem(2 << 8, 0xffff888004d43000ull | 0x1);
  EXPECT_FALSE(r.writer_locked);
  EXPECT_EQ(r.readers, 2u);
  EXPECT_TRUE(r.reader_owned);
  EXPECT_EQ(r.owner_task, 0xffff888004d43000ull);
}

TEST(TriageLockWords, QspinlockTailAndPending) {
  // locked, pending, tail CPU 3 idx 1: ((3 + 1) << 18) | (1 << 16) | (1 << 8) | 1
  QspinlockWord w = decode_qspinlock((4u << 18) | (1u << 16) | (1u << 8) | 1u);
  EXPECT_EQ(w.locked, 1u);
  EXPECT_TRUE(w.pending);
  EXPECT_EQ(w.tail_cpu, 3);
  EXPECT_EQ(w.tail_idx, 1u);
  EXPECT_EQ(describe_qspinlock(w), "locked, pending, tail CPU 3 (idx 1)");
  EXPECT_EQ(decode_qspinlock(1).tail_cpu, -1);
  EXPECT_EQ(describe_qspinlock(decode_qspinlock(0)), "unlocked");
  // NR_CPUS >= 16K: one pending bit, tail index from bit 9, CPU from bit 11.
  QspinlockWord big = decode_qspinlock((8u << 11) | (2u << 9) | 1u, 1);
  EXPECT_EQ(big.tail_cpu, 7);
  EXPECT_EQ(big.tail_idx, 2u);
}

TEST(TriageJsonWriter, EscapesAndNests) {
  JsonWriter j;
  j.begin_object();
  j.field("s", std::string("a\"b\\c\n\x01\xff"));
  j.key("a").begin_array().number(-1).unsigned_number(18446744073709551615ull).boolean(true).null().end_array();
  j.key("e").begin_object().end_object();
  j.string_array("none", {});
  j.end_object();
  EXPECT_EQ(j.str(),
            "{\n  \"s\": \"a\\\"b\\\\c\\n\\u0001\\u00ff\",\n  \"a\": [\n    -1,\n    18446744073709551615,\n"
            "    true,\n    null\n  ],\n  \"e\": {},\n  \"none\": []\n}\n");
}
