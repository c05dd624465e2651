// arm64 ArchUnwinder over a Program (see arm64_unwind.hpp). The rules follow
// the kernel's arch/arm64/kernel/stacktrace.c: a frame record {x29, x30} per
// frame, the chain ending at the record inside the task's own pt_regs.
#include "arch/arm64/arm64_unwind.hpp"

#include <cstdio>
#include <cstring>
#include <map>

#include "arch/arm64/frame_record.hpp"
#include "core/linux/tasks.hpp"
#include "core/unwind/stack_map.hpp"
#include "core/unwind/symbolize.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect::arm64 {

namespace {

// THREAD_SIZE and IRQ_STACK_SIZE: 16K with 4K pages (arch/arm64/include/asm/memory.h).
constexpr uint64_t kThreadSize = 16384;

class Arm64Unwinder final : public StackMapUnwinder {
 public:
  explicit Arm64Unwinder(Program& prog) : prog_(prog) {
    if (auto o = prog.types().member_offset("pt_regs", "stackframe"); o.ok()) stackframe_off_ = *o;
    if (auto s = prog.types().find_struct("pt_regs"); s.ok()) pt_regs_size_ = (*s)->byte_size();
    if (auto a = prog.symbol_address("__entry_text_start"); a.ok()) entry_start_ = *a;
    if (auto a = prog.symbol_address("__entry_text_end"); a.ok()) entry_end_ = *a;
  }

  unsigned pc_regno() const override { return kPc; }
  unsigned sp_regno() const override { return kSp; }

  Result<RegisterSet> switch_frame_regs(uint64_t task) override {
    // struct cpu_context: x19-x28, fp, sp, pc (arch/arm64/include/asm/processor.h),
    // saved by cpu_switch_to; pc is the lr it returns to.
    ASSIGN_OR_RETURN(uint64_t off, prog_.types().member_offset("task_struct", "thread.cpu_context"));
    RegisterSet r;
    for (unsigned i = 0; i < 13; ++i) {
      auto v = prog_.read_u64(task + off + 8 * i);
      if (!v) return std::move(v).error().context("reading thread.cpu_context of task " + hex(task));
      unsigned reg = i < 11 ? 19 + i : (i == 11 ? kSp : kPc);
      uint64_t val = reg == kPc ? prog_.arch().strip_code_pointer(*v) : *v;
      r.set(reg, val);
    }
    return r;
  }

  Result<ExceptionFrame> prstatus_regs(std::span<const uint8_t> pr_reg) const override {
    if (pr_reg.size() < kUserRegsWords * 8)
      return fail(Errc::format, "NT_PRSTATUS pr_reg too short: " + std::to_string(pr_reg.size()));
    std::vector<uint64_t> w(kUserRegsWords);
    std::memcpy(w.data(), pr_reg.data(), kUserRegsWords * 8);
    return exception_from_words(0, std::move(w));
  }

  Result<std::optional<Frame>> step(Frame& f, Backtrace& bt) override {
    FrameRecordEnv env;
    env.read = [this](uint64_t a) { return prog_.read_u64(a); };
    env.strip = [this](uint64_t v) { return prog_.arch().strip_code_pointer(v); };
    env.entry_start = entry_start_;
    env.entry_end = entry_end_;
    env.stackframe_offset = stackframe_off_;
    env.pt_regs_words = pt_regs_size_ ? pt_regs_size_ / 8 : kUserRegsWords;
    env.function_start = [this](uint64_t pc) -> std::optional<uint64_t> {
      // Kernel text only: a user pc (an exception from EL0) has no symbol.
      auto m = prog_.symbols().lookup(pc);
      if (!m || !m->sym || (m->sym->type != 'T' && m->sym->type != 't')) return std::nullopt;
      return m->sym->addr;
    };
    env.read_insn = [this](uint64_t a) -> Result<uint32_t> {
      uint8_t b[4];
      TRY_VOID(prog_.read(a, b));
      return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 | static_cast<uint32_t>(b[2]) << 16 |
             static_cast<uint32_t>(b[3]) << 24;
    };
    return frame_record_step(f, env);
  }

  // PSTATE.I masks IRQs. A kernel using GIC priority masking
  // (CONFIG_ARM64_PSEUDO_NMI with irqchip.gicv3_pseudo_nmi=1) masks them in
  // pt_regs->pmr_save instead and leaves I clear; that is not read here.
  std::optional<bool> interrupts_enabled(const ExceptionFrame& e) const override {
    constexpr uint64_t kPsrI = 0x80;  // PSR_I_BIT
    if (e.words.size() <= kPstate) return std::nullopt;
    return (e.words[kPstate] & kPsrI) == 0;
  }

  std::string register_block(const ExceptionFrame& e) const override {
    return arm64_register_block(e, [this](uint64_t pc) {
      return symbolize(prog_, prog_.arch().strip_code_pointer(pc), SymbolStyle{true});
    });
  }

 protected:
  StackMap& stacks() override { return stacks_; }

 private:
  void add_cpu_stacks(int cpu, std::vector<StackRange>& out) {
    auto c = static_cast<unsigned>(cpu);
    // irq_stack_ptr: the base of this CPU's IRQ stack (arch/arm64/kernel/irq.c).
    if (auto p = per_cpu(prog_, "irq_stack_ptr", c); p.ok())
      if (auto v = p->as_u64(); v.ok() && *v) out.push_back({"IRQ", *v, *v + kThreadSize});
    // overflow_stack: a per-cpu array, used when the task stack overflows.
    if (auto o = per_cpu(prog_, "overflow_stack", c); o.ok() && o->is_lvalue())
      out.push_back({"overflow", o->address(), o->address() + o->type()->byte_size()});
  }

  Program& prog_;
  uint64_t stackframe_off_ = 0, pt_regs_size_ = 0;
  uint64_t entry_start_ = 0, entry_end_ = 0;
  StackMap stacks_{prog_, kThreadSize,
                   [this](int cpu, std::vector<StackRange>& out) { add_cpu_stacks(cpu, out); }};
};

std::string q(uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

std::string arm64_register_block(const ExceptionFrame& e,
                                 const std::function<std::string(uint64_t)>& symbolize_pc) {
  const auto& w = e.words;
  if (w.size() < kUserRegsWords) return "";
  std::string s;
  char b[64];
  if (e.user_mode) {
    s += "     PC: " + q(w[kPc]) + "   LR: " + q(w[kLr]) + "   SP: " + q(w[kSp]) + "\n";
  } else {
    s += "     PC: " + q(w[kPc]) + "  [" + symbolize_pc(w[kPc]) + "]\n";
    s += "     LR: " + q(w[kLr]) + "  [" + symbolize_pc(w[kLr]) + "]\n";
    std::snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(w[kPstate]));
    s += "     SP: " + q(w[kSp]) + "  PSTATE: " + b + "\n";
  }
  // X29 down to X0, three per line, as crash lays them out.
  std::string line = "   ";
  int n = 0;
  for (int r = 29; r >= 0; --r) {
    std::snprintf(b, sizeof b, " %sX%d: ", r < 10 ? " " : "", r);
    line += b + q(w[static_cast<unsigned>(r)]);
    if (++n % 3 == 0 || r == 0) {
      s += line + "\n";
      line = "   ";
    } else {
      line += " ";
    }
  }
  uint64_t orig_x0 = w.size() > 34 ? w[34] : 0;
  int32_t syscallno = 0;
  if (w.size() > 35) std::memcpy(&syscallno, &w[35], 4);
  s += "    ORIG_X0: " + q(orig_x0) + "  SYSCALLNO: ";
  if (e.user_mode) {
    std::snprintf(b, sizeof b, "%x  PSTATE: %08llx", static_cast<unsigned>(syscallno),
                  static_cast<unsigned long long>(w[kPstate]));
  } else {
    std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(static_cast<int64_t>(syscallno)));
  }
  s += b;
  return s;
}

Result<std::unique_ptr<ArchUnwinder>> make_arm64_unwinder(Program& prog) {
  return std::unique_ptr<ArchUnwinder>(std::make_unique<Arm64Unwinder>(prog));
}

}  // namespace kinspect::arm64
