// Frame variables on the real x86_64 csd-lockup dump, from registers the
// dump itself holds: CPU 0's PRSTATUS (all registers known at frame 0) and
// the pt_regs the REBOOT IRQ saved on the waiting CPU's task stack. gdb
// reads the same vmlinux and QEMU's paging ELF (where PT_LOAD vaddrs are
// kernel addresses) and is the oracle for names, values and what is
// optimized out; facts.env says which CPU the waiter waits for.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <regex>
#include <sstream>

#include "core/program.hpp"
#include "core/types/flags.hpp"
#include "core/unwind/frame_variables.hpp"
#include "sample_dump.hpp"

using namespace kinspect;
using namespace kinspect::testing;

namespace {

// x86_64 psABI DWARF register numbers of the members of the kernel's
// struct pt_regs (ax, bx, ...) and struct user_regs_struct (rax, rbx, ...),
// the PRSTATUS layout.
const std::vector<std::pair<std::vector<std::string>, unsigned>> kX86Regs = {
    {{"ax", "rax"}, 0}, {{"dx", "rdx"}, 1}, {{"cx", "rcx"}, 2}, {{"bx", "rbx"}, 3},
    {{"si", "rsi"}, 4}, {{"di", "rdi"}, 5}, {{"bp", "rbp"}, 6}, {{"sp", "rsp"}, 7},
    {{"r8"}, 8},        {{"r9"}, 9},        {{"r10"}, 10},      {{"r11"}, 11},
    {{"r12"}, 12},      {{"r13"}, 13},      {{"r14"}, 14},      {{"r15"}, 15},
    {{"ip", "rip"}, 16}};

// A frame's registers from a saved register block of `struct_name` (its
// layout from DWARF) held in bytes.
Frame registers_from(Program& prog, const std::string& struct_name, std::span<const uint8_t> bytes) {
  Frame f;
  const Type* t = *prog.types().find_struct(struct_name);
  for (const auto& [names, reg] : kX86Regs)
    for (const std::string& n : names)
      if (auto m = prog.types().member_path(t, n); m.ok() && m->offset + 8 <= bytes.size()) {
        uint64_t v;
        std::memcpy(&v, bytes.data() + m->offset, 8);
        f.regs.set(reg, v);
      }
  f.pc = *f.regs.get(16);
  return f;
}

std::unique_ptr<Program> open(const SampleDump& d) {
  auto p = Program::open(d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF"));
  EXPECT_TRUE(p.ok()) << p.error().to_string();
  return p.ok() ? std::move(*p) : nullptr;
}

const FrameVariable* find(const FrameScope& s, const std::string& name) {
  for (const FrameVariable& v : s.variables)
    if (v.name == name) return &v;
  return nullptr;
}

// One gdb frame (inline frames are frames to gdb): its pc and sp and the
// "name = value" lines of `info args` and `info locals`, in order.
struct GdbFrame {
  uint64_t pc = 0, sp = 0;
  std::vector<std::pair<std::string, std::string>> vars;
};

std::vector<GdbFrame> gdb_frames(const SampleDump& d, int thread, int n) {
  std::string cmd = "cd /tmp && timeout 300 gdb -nx -batch -ex 'set pagination off' -ex 'thread " +
                    std::to_string(thread) + "'";
  for (int i = 0; i < n; ++i)
    cmd += " -ex 'frame " + std::to_string(i) +
           "' -ex 'echo @@FRAME\\n' -ex 'p/x $pc' -ex 'p/x $sp' -ex 'info args' -ex 'info locals'";
  cmd += " '" + d.path("VMLINUX") + "' '" + d.path("VMCORE_QEMU_PAGING_ELF") + "' 2>/dev/null";
  RunResult r = run_shell(cmd);
  std::vector<GdbFrame> out;
  std::istringstream in(r.out);
  std::string line;
  static const std::regex kVar(R"(^([A-Za-z_][A-Za-z_0-9]*) = (.*)$)");
  static const std::regex kReg(R"(^\$[0-9]+ = (0x[0-9a-f]+)$)");
  int regs = 0;
  while (std::getline(in, line)) {
    if (line.rfind("@@FRAME", 0) == 0) {
      out.emplace_back();
      regs = 0;
      continue;
    }
    std::smatch m;
    if (out.empty()) continue;
    if (regs < 2 && std::regex_match(line, m, kReg)) {
      (regs++ == 0 ? out.back().pc : out.back().sp) = std::stoull(m[1], nullptr, 16);
    } else if (std::regex_match(line, m, kVar)) {
      out.back().vars.emplace_back(m[1], m[2]);
    }
  }
  // gdb repeats the last frame when asked past the end of the trace.
  while (out.size() > 1 && out.back().pc == out[out.size() - 2].pc && out.back().vars == out[out.size() - 2].vars)
    out.pop_back();
  return out;
}

// The number gdb printed first in a value ("0xffff... <sym>", "-3",
// "true"), or nullopt for aggregates, strings and enum names.
std::optional<uint64_t> gdb_number(const std::string& text) {
  if (text == "true") return 1;
  if (text == "false") return 0;
  std::smatch m;
  static const std::regex kNum(R"(^(-?(0x[0-9a-f]+|[0-9]+))( .*)?$)");
  if (!std::regex_match(text, m, kNum)) return std::nullopt;
  std::string t = m[1];
  if (t.rfind("0x", 0) == 0) return std::stoull(t, nullptr, 16);
  return static_cast<uint64_t>(std::stoll(t));
}

// Compares one scope with gdb's frame of the same function: every value
// kinspect prints is one gdb prints for that name (names repeat across
// blocks), and what gdb has as optimized out kinspect has no value for.
// Returns how many of gdb's numbers kinspect also printed.
int compare_with_gdb(const FrameScope& s, const GdbFrame& g) {
  int matched = 0;
  for (const FrameVariable& v : s.variables) {
    std::vector<std::string> texts;
    for (const auto& [n, t] : g.vars)
      if (n == v.name) texts.push_back(t);
    EXPECT_FALSE(texts.empty()) << s.function << ": gdb lists no " << v.name;
    if (!v.value || texts.empty()) continue;
    auto ours = v.value->type()->is_integer() || v.value->type()->is_pointer() ? v.value->as_u64() : Result<uint64_t>(fail(Errc::unsupported, "aggregate"));
    if (!ours.ok()) continue;
    // Sign-extend ours as gdb prints signed integers.
    auto ours_int = v.value->as_int();
    bool found = false, any_number = false;
    for (const std::string& t : texts) {
      auto n = gdb_number(t);
      if (!n) continue;
      any_number = true;
      found |= *n == *ours || (ours_int.ok() && *n == static_cast<uint64_t>(*ours_int));
    }
    if (!any_number) {
      ADD_FAILURE() << s.function << "." << v.name << " has a value (" << *ours << ") where gdb prints "
                    << texts.front();
      continue;
    }
    EXPECT_TRUE(found) << s.function << "." << v.name << " = " << *ours << ", gdb: " << texts.front();
    matched += found;
  }
  return matched;
}

}  // namespace

// The CPU that panicked (the console's "CPU: n PID: ..." line after the
// panic message: which CPU's watchdog fires first is up to the guest) sits in
// panic's mdelay: delay_tsc with __preempt_count_add inlined at the pc. Every
// integer gdb prints, kinspect prints the same; what gdb calls optimized out
// has no value here either. QEMU writes one NT_PRSTATUS per CPU, in CPU order,
// and gdb numbers them as threads from 1.
TEST(FrameVariables, DelayTscFrameFromPrstatusEqualsGdb) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  auto prog = open(d);
  ASSERT_TRUE(prog);
  const size_t panic_cpu = std::stoul(d.fact("console_panic_cpu"));
  const auto& notes = prog->dump_info().prstatus;
  ASSERT_GT(notes.size(), panic_cpu);
  std::vector<Frame> frames{registers_from(*prog, "user_regs_struct", notes[panic_cpu].regs)};
  auto scopes = frame_scopes(*prog, frames, 0);
  ASSERT_TRUE(scopes.ok()) << scopes.error().to_string();
  auto gdb = gdb_frames(d, static_cast<int>(panic_cpu) + 1, 2);
  ASSERT_EQ(gdb.size(), 2u);
  ASSERT_EQ(scopes->size(), 2u);
  EXPECT_TRUE((*scopes)[0].inlined);
  EXPECT_EQ((*scopes)[0].function, "__preempt_count_add");
  EXPECT_EQ((*scopes)[1].function, "delay_tsc");
  EXPECT_FALSE((*scopes)[1].inlined);
  int matched = compare_with_gdb((*scopes)[0], gdb[0]) + compare_with_gdb((*scopes)[1], gdb[1]);
  EXPECT_EQ(matched, 6);  // val, pao_ID__, cycles, bclock, now, cpu
  // Both list the same names.
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ((*scopes)[i].variables.size(), gdb[i].vars.size()) << (*scopes)[i].function;
}

// The panic CPU's whole IRQ-stack trace, from frame 0's registers and only pc and
// sp of each caller (what an ORC unwinder knows; gdb supplies them): the
// callers' other registers come from .debug_frame, parameters passed in
// registers from the caller's call site (DW_OP_entry_value, gdb's
// "x@entry"). Every value kinspect prints equals gdb's.
TEST(FrameVariables, PanicCpuTraceFromPcAndSpEqualsGdb) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  auto prog = open(d);
  ASSERT_TRUE(prog);
  const size_t panic_cpu = std::stoul(d.fact("console_panic_cpu"));
  ASSERT_GT(prog->dump_info().prstatus.size(), panic_cpu);
  auto gdb = gdb_frames(d, static_cast<int>(panic_cpu) + 1, 12);
  ASSERT_GE(gdb.size(), 8u);
  std::vector<Frame> frames{registers_from(*prog, "user_regs_struct", prog->dump_info().prstatus[panic_cpu].regs)};
  std::vector<std::vector<size_t>> gdb_of_frame{{0}};  // gdb frames (inline chain) of each physical frame
  for (size_t i = 1; i < gdb.size(); ++i) {
    if (gdb[i].pc == gdb[i - 1].pc && gdb[i].sp == gdb[i - 1].sp) {
      gdb_of_frame.back().push_back(i);
      continue;
    }
    Frame f;
    f.pc = gdb[i].pc;
    f.sp = gdb[i].sp;
    f.pc_is_return_address = true;
    f.regs.set(16, f.pc);
    f.regs.set(7, f.sp);
    frames.push_back(f);
    gdb_of_frame.push_back({i});
  }
  int matched = 0, entry_values = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    auto scopes = frame_scopes(*prog, frames, i);
    ASSERT_TRUE(scopes.ok()) << i << ": " << scopes.error().to_string();
    ASSERT_EQ(scopes->size(), gdb_of_frame[i].size()) << "frame " << i << " at " << std::hex << frames[i].pc;
    for (size_t k = 0; k < scopes->size(); ++k) {
      matched += compare_with_gdb((*scopes)[k], gdb[gdb_of_frame[i][k]]);
      if ((*scopes)[k].function == "__hrtimer_run_queues")
        for (const FrameVariable& v : (*scopes)[k].variables)
          entry_values += v.is_parameter && v.value.has_value();  // all four are @entry in gdb's bt
    }
  }
  EXPECT_GE(matched, 36);  // every number gdb prints in these frames
  EXPECT_EQ(entry_values, 4);
}

// The csd_waiter CPU was stopped by the REBOOT IRQ while it spun in
// csd_lock_wait(), inlined into smp_call_function_many_cond. With the
// registers of that IRQ's pt_regs (gdb names its address), the outer
// function's `cpu` is the CPU it waits for and the inlined `csd` points at a
// call_single_data whose node.u_flags is CSD_FLAG_LOCK|CSD_TYPE_SYNC.
TEST(FrameVariables, CsdWaiterShowsTheCpuAndTheLockedCsd) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  auto prog = open(d);
  ASSERT_TRUE(prog);
  int wait_cpu = std::stoi(d.fact("csd_wait_cpu"));
  RunResult bt = run_shell("cd /tmp && timeout 300 gdb -nx -batch -ex 'thread " + std::to_string(wait_cpu + 1) +
                           "' -ex bt '" + d.path("VMLINUX") + "' '" + d.path("VMCORE_QEMU_PAGING_ELF") + "' 2>/dev/null");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(bt.out, m, std::regex(R"(sysvec_\w+ \(regs=(0x[0-9a-f]+)\))"))) << bt.out;
  uint64_t regs_addr = std::stoull(m[1], nullptr, 16);
  const Type* pt_regs = *prog->types().find_struct("pt_regs");
  std::vector<uint8_t> bytes(pt_regs->byte_size());
  ASSERT_TRUE(prog->read(regs_addr, bytes).ok());
  std::vector<Frame> frames{registers_from(*prog, "pt_regs", bytes)};
  auto scopes = frame_scopes(*prog, frames, 0);
  ASSERT_TRUE(scopes.ok()) << scopes.error().to_string();
  ASSERT_GE(scopes->size(), 2u);
  const FrameScope& outer = scopes->back();
  EXPECT_EQ(outer.function, "smp_call_function_many_cond");
  const FrameScope* wait = nullptr;
  for (const FrameScope& s : *scopes)
    if (s.function == "csd_lock_wait") wait = &s;
  ASSERT_NE(wait, nullptr);
  EXPECT_TRUE(wait->inlined);

  const FrameVariable* cpu = find(outer, "cpu");
  ASSERT_NE(cpu, nullptr);
  ASSERT_TRUE(cpu->value) << cpu->why;
  EXPECT_EQ(*cpu->value->as_int(), std::stoi(d.fact("csd_spin_cpu")));

  const FrameVariable* csd = find(*wait, "csd");
  ASSERT_NE(csd, nullptr);
  ASSERT_TRUE(csd->value) << csd->why;
  EXPECT_TRUE(csd->value->type()->is_pointer());
  auto flags = csd->value->member("node.u_flags");
  ASSERT_TRUE(flags.ok()) << flags.error().to_string();
  uint64_t u_flags = *flags->as_u64();
  EXPECT_EQ(u_flags, 0x11u);
  std::vector<FlagName> names;
  for (const auto& e : prog->types().enumerators_with_prefix("CSD_")) names.push_back({e.name, e.value});
  EXPECT_EQ(format_flags(u_flags, names), "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)");

  // Locals whose lexical block does not cover the pc are not listed; ones
  // with no location at this pc are optimized out, not zero.
  const FrameVariable* last_cpu = find(outer, "last_cpu");
  ASSERT_NE(last_cpu, nullptr);
  EXPECT_FALSE(last_cpu->value.has_value());
  EXPECT_EQ(last_cpu->missing, Missing::optimized_out);
}

namespace {

// The number N of bt's " #N [...] FUNCTION at ..." line for a function.
std::optional<int> frame_number(const std::string& bt, const std::string& function) {
  std::smatch m;
  std::regex line(R"(#\s*([0-9]+) \[[0-9a-f]+\] )" + function + " at ");
  if (!std::regex_search(bt, m, line)) return std::nullopt;
  return std::stoi(m[1]);
}

// `set -c WAIT_CPU`, `bt`, then `frame N` of smp_call_function_many_cond:
// the trace reaches it through the IRQ exception frame, `cpu` is the CPU
// it waits for, and the u_flags word of the csd it spins on decodes to
// CSD_FLAG_LOCK|CSD_TYPE_SYNC through `flags` on the frame's locals.
void check_csd_waiter(const SampleDump& d, const std::string& flags_expr, const std::string& vmcore) {
  std::string cpu = d.fact("csd_wait_cpu");
  RunResult bt = run_kinspect({"-s", d.path("VMLINUX"), vmcore}, "set -c " + cpu + "\nbt\n");
  ASSERT_EQ(bt.status, 0) << bt.err;
  EXPECT_NE(bt.out.find("--- <IRQ stack> ---"), std::string::npos) << bt.out;
  auto n = frame_number(bt.out, "smp_call_function_many_cond");
  ASSERT_TRUE(n) << bt.out;
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), vmcore},
                             "set -c " + cpu + "\nframe " + std::to_string(*n) + "\nflags " + flags_expr +
                                 " CSD_\nwhatis cpu\n");
  ASSERT_EQ(r.status, 0) << r.err;
  std::string out = strip_echo(r.out);
  EXPECT_NE(out.find("    csd_lock_wait (inlined at kernel/smp.c:"), std::string::npos) << out;
  EXPECT_NE(out.find("    smp_call_function_many_cond:\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\n      cpu = " + d.fact("csd_spin_cpu") + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("func = (smp_call_func_t) 0x"), std::string::npos) << out;
  EXPECT_NE(out.find(" <csd_lockup_ipi>\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\n0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nint cpu;\n"), std::string::npos) << out;
}

}  // namespace

TEST(FrameCommand, X86CsdWaiterFrameShowsCpuAndCsdFlags) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  // x86_64 keeps csd in rsi inside the inlined csd_lock_wait.
  check_csd_waiter(d, "csd->node.u_flags", d.path("VMCORE_QEMU_ELF"));
}

TEST(FrameCommand, Arm64CsdWaiterFrameShowsCpuAndCsdFlags) {
  KINSPECT_REQUIRE_SAMPLE(d, "arm64-csd-lockup");
  // arm64's smp_cond_load_acquire keeps no csd, only __PTR = &csd->node.u_flags (x3).
  check_csd_waiter(d, "*__PTR", d.path("VMCORE_QEMU_ELF"));
}

// bt -V prints the same variables under each frame line, and a variable
// whose register the unwinder could not recover says so instead of a value.
TEST(FrameCommand, BtVShowsVariablesUnderEachFrame) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  RunResult r = run_kinspect({"-s", d.path("VMLINUX"), d.path("VMCORE_QEMU_ELF")},
                             "bt -V -c " + d.fact("csd_wait_cpu") + "\n");
  ASSERT_EQ(r.status, 0) << r.err;
  std::string out = strip_echo(r.out);
  size_t at = out.find("] smp_call_function_many_cond at ");
  ASSERT_NE(at, std::string::npos) << out;
  std::string rest = out.substr(at);
  EXPECT_NE(rest.find("\n      cpu = " + d.fact("csd_spin_cpu") + "\n"), std::string::npos) << rest;
  // The pt_regs pointer of the IRQ that stopped the waiter (the watchdog's
  // timer IRQ when the waiter's CPU panicked, the REBOOT IPI when another
  // did), as gdb names it in its trace.
  RunResult g = run_shell("cd /tmp && timeout 300 gdb -nx -batch -ex 'thread " +
                          std::to_string(std::stoi(d.fact("csd_wait_cpu")) + 1) + "' -ex bt '" + d.path("VMLINUX") +
                          "' '" + d.path("VMCORE_QEMU_PAGING_ELF") + "' 2>/dev/null");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(g.out, m, std::regex(R"(sysvec_\w+ \(regs=(0x[0-9a-f]+)\))"))) << g.out;
  EXPECT_NE(out.find("      regs = (struct pt_regs *) " + m[1].str() + "\n"), std::string::npos) << out;
  // kthread's callee-saved registers were spent in a module function whose
  // CFI vmlinux does not have: named, not guessed.
  EXPECT_NE(out.find("<unavailable: rbx not recovered at this frame>"), std::string::npos) << out;
  EXPECT_EQ(out.find("<unavailable: rip"), std::string::npos) << out;  // the pc is always known
}
