// The log-line prefixes, the single-line shapes (frames, registers, Code:)
// and report boundaries on synthetic lines written here, one style each.
#include <gtest/gtest.h>

#include "core/disasm/disassembler.hpp"
#include "core/postmortem/code_decoder.hpp"
#include "core/postmortem/log_line.hpp"
#include "core/postmortem/report_lines.hpp"
#include "core/postmortem/report_parser.hpp"

using namespace kinspect;

// One line in each prefix style: the body, the timestamp and the caller id
// that must come out of it.
struct PrefixCase {
  const char* style;
  const char* line;
  const char* body;
  const char* timestamp;
  const char* caller;
};

const PrefixCase kPrefixCases[] = {
    {"plain dmesg, trailing blanks and CR", "watchdog: BUG: soft lockup - CPU#0 stuck for 14s! [insmod:124]  \r",
     "watchdog: BUG: soft lockup - CPU#0 stuck for 14s! [insmod:124]", "", ""},
    {"printk time keeps a frame's indent", "[   22.548911]  on_each_cpu_cond_mask+0x20/0x40",
     " on_each_cpu_cond_mask+0x20/0x40", "[   22.548911]", ""},
    {"printk caller id, task", "[  105.812000] [  T124] CPU: 1 PID: 124 Comm: a", "CPU: 1 PID: 124 Comm: a",
     "[  105.812000]", "T124"},
    {"printk caller id, cpu", "[  105.812000][    C1] NMI backtrace for cpu 1", "NMI backtrace for cpu 1",
     "[  105.812000]", "C1"},
    {"syslog", "Jan  5 03:41:25 cc-compute-4 kernel: RIP: 0010:f+0x99/0xf0", "RIP: 0010:f+0x99/0xf0",
     "Jan  5 03:41:25", ""},
    {"syslog around printk time", "Nov 12 10:10:59 node-2 kernel: [12345.678901] Call Trace:", "Call Trace:",
     "Nov 12 10:10:59", ""},
    {"journalctl short-precise", "Nov 12 10:10:59.123456 node-2 kernel: x", "x", "Nov 12 10:10:59.123456", ""},
    {"journalctl short-iso", "2022-11-12T10:10:59+0800 node-2 kernel: Call Trace:", "Call Trace:",
     "2022-11-12T10:10:59+0800", ""},
    {"another program's syslog line", "Nov 12 10:10:59 node-2 sshd[123]: Accepted key", "", "", ""},
    {"incident 3's collector",
     "2022-11-12 10:10:59 +0800 | messages | Nov 12 10:10:59 node-2 kernel: [<ffffffff810bd514>] __wake_up+0x44/0x50   ",
     "[<ffffffff810bd514>] __wake_up+0x44/0x50", "2022-11-12 10:10:59 +0800", ""},
    {"dmesg -T", "[Sat Nov 12 10:10:59 2022] Kernel panic - not syncing: x", "Kernel panic - not syncing: x",
     "[Sat Nov 12 10:10:59 2022]", ""},
};

TEST(PostmortemLogLine, EveryPrefixStyle) {
  for (const auto& c : kPrefixCases) {
    LogLine l = parse_log_line(c.line);
    EXPECT_EQ(l.body, c.body) << c.style;
    EXPECT_EQ(l.timestamp, c.timestamp) << c.style;
    EXPECT_EQ(l.caller, c.caller) << c.style;
  }
}

TEST(PostmortemLogLine, PrintkSecondsAreKept) {
  EXPECT_DOUBLE_EQ(parse_log_line("[   22.548911] x").seconds.value_or(0), 22.548911);
  EXPECT_DOUBLE_EQ(parse_log_line("Nov 12 10:10:59 node-2 kernel: [12345.678901] x").seconds.value_or(0), 12345.678901);
  EXPECT_FALSE(parse_log_line("x").seconds);
}

TEST(PostmortemLines, FrameFormats) {
  auto a = parse_frame_line(" [<ffffffffc00098a0>] ? dev_suspend+0x250/0x250 [dm_mod]");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->reliable);
  EXPECT_EQ(a->loc.address, 0xffffffffc00098a0ull);
  EXPECT_EQ(a->loc.symbol, "dev_suspend");
  EXPECT_EQ(a->loc.offset, 0x250u);
  EXPECT_EQ(a->loc.size, 0x250u);
  EXPECT_EQ(a->loc.module, "dm_mod");
  auto b = parse_frame_line("  ? __flush_tlb_all+0x30/0x30");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->reliable);
  EXPECT_FALSE(b->loc.address);
  auto c = parse_frame_line(" csd_waiter+0x110/0x138 [csd_lockup]");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->reliable);
  EXPECT_EQ(c->loc.text(), "csd_waiter+0x110/0x138 [csd_lockup]");
  auto d = parse_frame_line(" tick_sched_handle.isra.5+0x34/0x70");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->loc.symbol, "tick_sched_handle.isra.5");
  auto e = parse_frame_line(" ? 0xffffffffc02b1000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->loc.address, 0xffffffffc02b1000ull);
  EXPECT_TRUE(e->loc.symbol.empty());
  // A 5.17+ module frame with a build-id.
  auto f = parse_frame_line(" foo+0x1/0x2 [mod 0123456789abcdef]");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->loc.module, "mod");
  // Ordinary messages are not frames.
  EXPECT_FALSE(parse_frame_line("Hardware name: QEMU Standard PC"));
  EXPECT_FALSE(parse_frame_line("ipmi_devintf ipmi_msghandler escache"));
  EXPECT_FALSE(parse_frame_line("kthread"));
}

TEST(PostmortemLines, MarkersAndRegisters) {
  EXPECT_EQ(parse_context_marker(" <IRQ>"), (std::pair<std::string, bool>{"IRQ", true}));
  EXPECT_EQ(parse_context_marker("</TASK>"), (std::pair<std::string, bool>{"TASK", false}));
  EXPECT_FALSE(parse_context_marker("<insmod>x"));
  auto x86 = parse_register_line("RSP: 0018:ffffc90000367b10 EFLAGS: 00000202");
  ASSERT_TRUE(x86);
  ASSERT_EQ(x86->size(), 2u);
  EXPECT_EQ((*x86)[0], (std::pair<std::string, std::string>{"RSP", "0018:ffffc90000367b10"}));
  auto arm = parse_register_line("x9 : ffff80000817d7ac x8 : ffff00001fecdbb0");
  ASSERT_TRUE(arm);
  EXPECT_EQ((*arm)[0].first, "x9");
  EXPECT_EQ((*arm)[1].second, "ffff00001fecdbb0");
  EXPECT_FALSE(parse_register_line("Hardware name: QEMU"));
}

TEST(PostmortemParser, EveryReportKind) {
  const char* log =
      "BUG: unable to handle page fault for address: 0000000000001234\n"
      "#PF: supervisor read access in kernel mode\n"
      "Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
      "CPU: 3 PID: 77 Comm: cat Not tainted 6.1.0-56-cloud-amd64 #1  Debian 6.1.192-2\n"
      "RIP: 0010:foo+0x1/0x10\n"
      "kernel BUG at mm/slub.c:123!\n"
      "NMI watchdog: Watchdog detected hard LOCKUP on cpu 5\n"
      "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
      "INFO: task kworker/1:2:123 blocked for more than 120 seconds.\n"
      "WARNING: CPU: 2 PID: 9 at kernel/foo.c:12 bar+0x5/0x20\n"
      "Kernel panic - not syncing: Fatal exception\n"
      "NMI backtrace for cpu 7\n"
      "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [a:b:42]\n";
  auto rs = parse_reports(log);
  ASSERT_EQ(rs.size(), 9u);
  EXPECT_EQ(rs[0].kind, ReportKind::oops);  // BUG: unable..., #PF and Oops: are one report
  EXPECT_EQ(rs[0].cpu, 3);
  EXPECT_EQ(rs[0].comm, "cat");
  EXPECT_EQ(rs[0].taint, "");
  EXPECT_EQ(rs[0].release, "6.1.0-56-cloud-amd64");
  EXPECT_EQ(rs[1].kind, ReportKind::bug);
  EXPECT_EQ(rs[2].kind, ReportKind::hard_lockup);
  EXPECT_EQ(rs[2].cpu, 5);
  EXPECT_EQ(rs[3].kind, ReportKind::rcu_stall);
  EXPECT_EQ(rs[4].kind, ReportKind::hung_task);
  EXPECT_EQ(rs[4].comm, "kworker/1:2");
  EXPECT_EQ(rs[4].pid, 123);
  EXPECT_EQ(rs[5].kind, ReportKind::warning);
  EXPECT_EQ(rs[5].cpu, 2);
  EXPECT_EQ(rs[5].pid, 9);
  EXPECT_EQ(rs[6].kind, ReportKind::panic);
  EXPECT_EQ(rs[7].kind, ReportKind::nmi_backtrace);
  EXPECT_EQ(rs[7].cpu, 7);
  EXPECT_EQ(rs[8].kind, ReportKind::soft_lockup);
  EXPECT_EQ(rs[8].comm, "a:b");
  EXPECT_EQ(rs[8].pid, 42);
}

TEST(PostmortemParser, Arm64UserAndKernelPc) {
  const char* log =
      "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008\n"
      "Internal error: Oops: 96000005 [#1] SMP\n"
      "CPU: 1 PID: 5 Comm: sh Not tainted 6.1.0 #1\n"
      "pc : foo+0x10/0x40 [bar]\n"
      "lr : baz+0x8/0x20\n"
      "sp : ffff800009e63da0\n"
      "Code: a9bf7bfd 910003fd f9400000 d503201f (b9400821)\n"
      "Internal error: Oops: 96000005 [#2] SMP\n"
      "CPU: 2 PID: 6 Comm: sh Not tainted 6.1.0 #1\n"
      "pc : 0000ffff8c0a1234\n";
  auto rs = parse_reports(log);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].kind, ReportKind::oops);
  ASSERT_EQ(rs[0].registers.size(), 1u);
  const LoggedRegisters& k = rs[0].registers[0];
  EXPECT_EQ(k.label, "pc");
  EXPECT_EQ(k.ip.module, "bar");
  ASSERT_TRUE(k.lr);
  EXPECT_EQ(k.lr->symbol, "baz");
  EXPECT_EQ(k.regs.at(0).first, "sp");
  auto code = parse_oops_code_bytes(k.code);
  ASSERT_TRUE(code);
  EXPECT_EQ(code->fault_index, 16u);
  ASSERT_EQ(rs[1].registers.size(), 1u);
  EXPECT_TRUE(rs[1].registers[0].user);
  EXPECT_EQ(rs[1].registers[0].ip.address, 0x0000ffff8c0a1234ull);
}

TEST(PostmortemParser, InterleavedCpusByCallerId) {
  // Two CPUs' NMI backtraces, printed at once, line by line interleaved.
  const char* log =
      "[  9.000001] [    C0] NMI backtrace for cpu 0\n"
      "[  9.000002] [    C2] NMI backtrace for cpu 2\n"
      "[  9.000003] [    C0] CPU: 0 PID: 10 Comm: a Not tainted 6.1.0 #1\n"
      "[  9.000004] [    C2] CPU: 2 PID: 20 Comm: b Not tainted 6.1.0 #1\n"
      "[  9.000005] [    C2] RIP: 0010:spin_b+0x2/0x10\n"
      "[  9.000006] [    C0] RIP: 0010:spin_a+0x1/0x10\n"
      "[  9.000007] [    C0] Call Trace:\n"
      "[  9.000008] [    C2] Call Trace:\n"
      "[  9.000009] [    C0]  caller_a+0x5/0x20\n"
      "[  9.000010] [    C2]  caller_b+0x6/0x20\n"
      "[  9.000011] [    C2]  ? maybe_b+0x7/0x20\n";
  auto rs = parse_reports(log);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].cpu, 0);
  EXPECT_EQ(rs[0].pid, 10);
  EXPECT_EQ(rs[0].kernel_regs()->ip.symbol, "spin_a");
  ASSERT_EQ(rs[0].frames.size(), 1u);
  EXPECT_EQ(rs[0].frames[0].loc.symbol, "caller_a");
  EXPECT_EQ(rs[1].cpu, 2);
  EXPECT_EQ(rs[1].kernel_regs()->ip.symbol, "spin_b");
  ASSERT_EQ(rs[1].frames.size(), 2u);
  EXPECT_FALSE(rs[1].frames[1].reliable);
}

TEST(PostmortemParser, ContextMarkersAndUserRegisters) {
  const char* log =
      "Kernel panic - not syncing: softlockup: hung tasks\n"
      "CPU: 0 PID: 124 Comm: insmod Tainted: G           OEL     6.1.0 #1\n"
      "Call Trace:\n"
      " <IRQ>\n"
      " panic+0x118/0x2f4\n"
      " </IRQ>\n"
      " <TASK>\n"
      " asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
      "RIP: 0010:smp_call_function_many_cond+0xf1/0x330\n"
      "RSP: 0018:ffffc90000367b10 EFLAGS: 00000202\n"
      " on_each_cpu_cond_mask+0x20/0x40\n"
      "RIP: 0033:0x47fbe9\n"
      " </TASK>\n"
      "Kernel Offset: disabled\n"
      "RIP: 0010:next+0x1/0x2\n";
  auto rs = parse_reports(log);
  ASSERT_EQ(rs.size(), 2u);  // the stray RIP after the report ended is a fragment
  const Report& r = rs[0];
  EXPECT_EQ(r.taint, "G OEL");
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[0].context, "IRQ");
  EXPECT_EQ(r.frames[1].context, "TASK");
  EXPECT_EQ(r.frames[2].context, "TASK");
  ASSERT_EQ(r.registers.size(), 2u);
  EXPECT_FALSE(r.registers[0].user);
  EXPECT_TRUE(r.registers[1].user);
  EXPECT_EQ(r.registers[0].regs.size(), 2u);
  EXPECT_EQ(rs[1].kind, ReportKind::fragment);
}

TEST(PostmortemCode, X86BytesSyncOnTheMarkedByte) {
  // push %rbp; mov %rsp,%rbp; <nopl 0x0(%rax,%rax,1)>; pop %rbp; ret; the
  // first byte is the tail of an earlier instruction, so decoding must
  // start one byte in to land on the marked one.
  auto code = parse_oops_code_bytes("e5 55 48 89 e5 <0f> 1f 44 00 00 5d c3");
  ASSERT_TRUE(code);
  EXPECT_FALSE(code->arm64);
  EXPECT_EQ(code->fault_index, 5u);
  auto dis = Disassembler::create(DisasmArch::x86_64);
  ASSERT_TRUE(dis);
  auto insns = decode_code(*code, 0x1000, **dis, std::nullopt);
  ASSERT_TRUE(insns) << insns.error().to_string();
  ASSERT_EQ(insns->size(), 5u);
  EXPECT_EQ((*insns)[0].addr, 0xffbu);
  EXPECT_EQ((*insns)[0].text, "in     $0x55,%eax");  // e5 55: the sync at 0 decodes, and reaches the marked byte
  EXPECT_EQ((*insns)[2].text, "nopl   0x0(%rax,%rax,1)");
  EXPECT_TRUE((*insns)[2].faulting);
  EXPECT_EQ((*insns)[2].addr, 0x1000u);
  EXPECT_EQ((*insns)[4].text, "ret");
  // With a known boundary the decoding starts there.
  auto synced = decode_code(*code, 0x1000, **dis, 0xffcu);
  ASSERT_TRUE(synced);
  EXPECT_EQ((*synced)[0].text, "push   %rbp");
  EXPECT_FALSE(parse_oops_code_bytes("Bad RIP value."));
  EXPECT_FALSE(parse_oops_code_bytes("55 48 89 e5"));  // nothing marked
}

TEST(PostmortemCode, Arm64WordsAreLittleEndian) {
  // stp x29, x30, [sp, #-16]!; mov x29, sp; (brk #0x800); ret
  auto code = parse_oops_code_bytes("a9bf7bfd 910003fd (d4210000) d65f03c0");
  ASSERT_TRUE(code);
  EXPECT_TRUE(code->arm64);
  EXPECT_EQ(code->fault_index, 8u);
  EXPECT_EQ(code->bytes[0], 0xfd);
  auto dis = Disassembler::create(DisasmArch::aarch64);
  ASSERT_TRUE(dis);
  auto insns = decode_code(*code, 0xffff800008010008ull, **dis, std::nullopt);
  ASSERT_TRUE(insns);
  ASSERT_EQ(insns->size(), 4u);
  EXPECT_EQ((*insns)[0].addr, 0xffff800008010000ull);
  EXPECT_EQ((*insns)[1].text, "mov\tx29, sp");
  EXPECT_TRUE((*insns)[2].faulting);
  EXPECT_EQ((*insns)[2].text, "brk\t#0x800");
  EXPECT_EQ((*insns)[3].text, "ret");
}
