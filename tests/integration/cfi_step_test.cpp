// The DWARF CFI unwind step (one evaluator for CFI rules and locations)
// against ORC on the real x86_64 csd-lockup dump: for each frame of the
// csd_waiter's trace that has a CFI row, the caller cfi_step computes (pc
// and stack pointer) is the frame ORC found. The module frame
// (csd_waiter [csd_lockup]) is stepped with the module's .debug_frame,
// relocated from its debug file.
#include <gtest/gtest.h>

#include "commands/kernel/module_debuginfo.hpp"
#include "core/linux/modules.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"
#include "core/unwind/dwarf_cfi.hpp"
#include "core/unwind/unwind.hpp"
#include "sample_dump.hpp"

using namespace kinspect;
using namespace kinspect::testing;

TEST(CfiStep, CallersEqualOrcsOnTheWaiterTraceModuleFrameIncluded) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  auto prog = Program::open(d.path("VMLINUX"), d.path("VMCORE"));
  ASSERT_TRUE(prog.ok()) << prog.error().to_string();
  auto mods = load_module_symbols(**prog);
  ASSERT_TRUE(mods.ok()) << mods.error().to_string();
  const KernelModule* csd = nullptr;
  for (const auto& m : *mods)
    if (m.name == "csd_lockup") csd = &m;
  ASSERT_NE(csd, nullptr);
  auto loaded = load_module_debuginfo(**prog, *csd, d.path("CSD_MODULE"), {});
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();

  auto tasks = read_tasks(**prog);
  ASSERT_TRUE(tasks.ok()) << tasks.error().to_string();
  const TaskInfo* waiter = tasks->by_pid(std::stoll(d.fact("csd_waiter_pid")));
  ASSERT_NE(waiter, nullptr);
  auto bt = unwind_task(**prog, *tasks, *waiter);
  ASSERT_TRUE(bt.ok()) << bt.error().to_string();
  const auto& fr = bt->frames;
  CfiRead read = [&](uint64_t a) { return (*prog)->read_u64(a); };
  int checked = 0;
  bool module_frame = false;
  for (size_t i = 0; i + 1 < fr.size(); ++i) {
    if (fr[i].exception) continue;  // the caller comes from a pt_regs, not a CFI row
    Frame f = fr[i];
    auto n = cfi_step(**prog, f, CfiRegs{16, 7, 16}, read);
    // Entry code has no CFI, or a row that leaves the return address undefined.
    if (!n.ok() || !n->has_value()) continue;
    EXPECT_EQ((*n)->pc, fr[i + 1].pc) << "frame " << i << " at " << std::hex << fr[i].pc;
    EXPECT_EQ((*n)->sp, fr[i + 1].sp) << "frame " << i << " at " << std::hex << fr[i].pc;
    ++checked;
    auto sym = (*prog)->symbols().lookup(fr[i].pc);
    if (sym && sym->sym->module == "csd_lockup") module_frame = true;
  }
  EXPECT_GE(checked, 6);
  EXPECT_TRUE(module_frame);
}
