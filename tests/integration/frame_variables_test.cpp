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

// gdb's "name = value" lines of `info args` + `info locals` for frames
// 0..n-1 of a thread: {frame -> {name -> value text}} (the first of
// duplicate names, which is the innermost block's, as gdb lists them).
std::vector<std::map<std::string, std::string>> gdb_frames(const SampleDump& d, int thread, int n) {
  std::string cmd = "cd /tmp && timeout 300 gdb -nx -batch -ex 'set pagination off' -ex 'set print pretty off' -ex 'thread " +
                    std::to_string(thread) + "'";
  for (int i = 0; i < n; ++i)
    cmd += " -ex 'frame " + std::to_string(i) + "' -ex 'echo @@ARGS\\n' -ex 'info args' -ex 'echo @@LOCALS\\n' -ex 'info locals'";
  cmd += " '" + d.path("VMLINUX") + "' '" + d.path("VMCORE_QEMU_PAGING_ELF") + "' 2>/dev/null";
  RunResult r = run_shell(cmd);
  std::vector<std::map<std::string, std::string>> out;
  std::istringstream in(r.out);
  std::string line;
  static const std::regex kVar(R"(^([A-Za-z_][A-Za-z_0-9]*) = (.*)$)");
  while (std::getline(in, line)) {
    if (line.rfind("@@ARGS", 0) == 0) out.emplace_back();
    std::smatch m;
    if (!out.empty() && std::regex_match(line, m, kVar)) out.back().emplace(m[1], m[2]);
  }
  return out;
}

}  // namespace

// CPU 0 panicked and sits in mdelay: delay_tsc with __preempt_count_add
// inlined at the pc. Every integer gdb prints, kinspect prints the same;
// what gdb calls optimized out has no value here either.
TEST(FrameVariables, DelayTscFrameFromPrstatusEqualsGdb) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  auto prog = open(d);
  ASSERT_TRUE(prog);
  const auto& notes = prog->dump_info().prstatus;
  ASSERT_FALSE(notes.empty());
  std::vector<Frame> frames{registers_from(*prog, "user_regs_struct", notes[0].regs)};
  auto scopes = frame_scopes(*prog, frames, 0);
  ASSERT_TRUE(scopes.ok()) << scopes.error().to_string();
  auto gdb = gdb_frames(d, 1, 2);
  ASSERT_EQ(gdb.size(), 2u);
  ASSERT_EQ(scopes->size(), 2u);
  EXPECT_TRUE((*scopes)[0].inlined);
  EXPECT_EQ((*scopes)[1].function, "delay_tsc");
  EXPECT_FALSE((*scopes)[1].inlined);
  int compared = 0;
  for (size_t i = 0; i < 2; ++i) {
    const FrameScope& s = (*scopes)[i];
    ASSERT_FALSE(gdb[i].empty()) << "gdb printed no variables for frame " << i;
    for (const auto& [name, text] : gdb[i]) {
      const FrameVariable* v = find(s, name);
      ASSERT_NE(v, nullptr) << s.function << ": no variable " << name;
      if (text == "<optimized out>") {
        EXPECT_FALSE(v->value.has_value()) << s.function << "." << name << " has a value gdb does not know";
        continue;
      }
      ASSERT_TRUE(v->value.has_value()) << s.function << "." << name << ": " << v->why << " (gdb: " << text << ")";
      auto got = v->value->as_int();
      ASSERT_TRUE(got.ok()) << got.error().to_string();
      EXPECT_EQ(std::to_string(*got), text) << s.function << "." << name;
      ++compared;
    }
  }
  EXPECT_GE(compared, 5);  // val, cycles, bclock, now, cpu
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
