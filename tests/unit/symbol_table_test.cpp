#include <gtest/gtest.h>

#include "core/symbols/symbol_table.hpp"

using namespace kinspect;

TEST(SymbolTable, NearestPrecedingSymbolWithOffset) {
  SymbolTable t;
  t.add("schedule", 0xffffffff81a00000, 0x100, 'T');
  t.add("local_helper", 0xffffffff81a00100, 0x40, 't');
  t.add("jiffies", 0xffffffff82a05940, 8, 'D');
  auto m = t.lookup(0xffffffff81a00057);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sym->name, "schedule");
  EXPECT_EQ(m->offset, 0x57u);
  EXPECT_EQ(format_symbol(*m), "schedule+87");
  EXPECT_FALSE(t.lookup(0xffffffff80000000).has_value());
  // Past the last symbol: only within its size.
  EXPECT_TRUE(t.lookup(0xffffffff82a05947).has_value());
  EXPECT_FALSE(t.lookup(0xffffffff82a05948).has_value());
}

TEST(SymbolTable, AliasesResolveAsCrashDoes) {
  // crash 8.0.2 on the x86_64 sample: `sym ffffffffa2800000` is _stext, and
  // init_stack+8 prints as init_thread_union+8.
  SymbolTable t;
  t.add("startup_64", 0x1000, 0, 'T');
  t.add("_text", 0x1000, 0, 'T');
  t.add("_stext", 0x1000, 0, 'T');
  t.add("init_thread_union", 0x2000, 0x4000, 'D');
  t.add("init_stack", 0x2000, 0x4000, 'D');
  EXPECT_EQ(t.lookup(0x1000)->sym->name, "_stext");
  EXPECT_EQ(t.lookup(0x1010)->sym->name, "startup_64");
  EXPECT_EQ(t.lookup(0x2000)->sym->name, "init_stack");
  EXPECT_EQ(t.lookup(0x2008)->sym->name, "init_thread_union");
  EXPECT_EQ(t.find("_text")->addr, 0x1000u);
}

TEST(SymbolTable, ModulesCanBeRemoved) {
  SymbolTable t;
  t.add("vmlinux_fn", 0x1000, 0x10, 'T');
  t.add("rpc_execute", 0xffffffffc0001000, 0x80, 'T', "sunrpc");
  EXPECT_EQ(t.find("rpc_execute")->module, "sunrpc");
  t.remove_module("sunrpc");
  EXPECT_EQ(t.find("rpc_execute"), nullptr);
  EXPECT_NE(t.find("vmlinux_fn"), nullptr);
}

TEST(SymbolTable, PerCpuOffsetsNeverResolveAddresses) {
  SymbolTable t;
  t.add("runqueues", 0x2d6c0, 0x1000, 'D', {}, /*percpu=*/true);
  t.add("_stext", 0xffffffff81000000, 0, 'T');
  // A direct-map address lies above every per-cpu offset and below the image.
  EXPECT_FALSE(t.lookup(0xffff8ad902b2c180).has_value());
  EXPECT_FALSE(t.lookup(0x2d6c8).has_value());
  EXPECT_EQ(t.find("runqueues")->addr, 0x2d6c0u);
}

TEST(SymbolTable, ModuleExtentBoundsLookups) {
  SymbolTable t;
  t.add("rpc_call_start", 0xffffffffc038e010, 0x20, 't', "sunrpc");
  t.add("sunrpc_table_header", 0xffffffffc0405ce0, 8, '?', "sunrpc");
  t.add("fw_cfg_rev", 0xffffffffc038b69c, 4, '?', "qemu_fw_cfg");
  t.set_extent("sunrpc", 0xffffffffc038e000, 0xffffffffc0437000);
  // crash: "ffffffffc0405cf0 (?) sunrpc_table_header+16 [sunrpc]".
  auto m = t.lookup(0xffffffffc0405cf0);
  ASSERT_TRUE(m);
  EXPECT_EQ(format_symbol(*m), "sunrpc_table_header+16");
  EXPECT_FALSE(t.lookup(0xffffffffc0437000).has_value());
  // Without an extent, a module's last symbol reaches only its size.
  EXPECT_TRUE(t.lookup(0xffffffffc038b69f).has_value());
  EXPECT_FALSE(t.lookup(0xffffffffc038b6a0).has_value());
}

TEST(SymbolTable, RelocateMovesOnlyRelocatableSymbols) {
  SymbolTable t;
  t.add("schedule", 0xffffffff81a114f0, 0x80, 'T', {}, false, 0xffffffff81a114f0, true);
  t.add("runqueues", 0x31980, 0x1000, 'D', {}, true, 0x31980, false);
  t.relocate(0x35600000);
  EXPECT_EQ(t.find("schedule")->addr, 0xffffffffb70114f0ull);  // crash on x86_64-sysrq
  EXPECT_EQ(t.find("schedule")->link_addr, 0xffffffff81a114f0ull);
  EXPECT_EQ(t.find("runqueues")->addr, 0x31980u);
  EXPECT_EQ(t.lookup(0xffffffffb70114f5)->sym->name, "schedule");
}
