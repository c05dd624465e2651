// arm64 ArchUnwinder over a Program (see arm64_unwind.hpp). The rules follow
// the kernel's arch/arm64/kernel/stacktrace.c: a frame record {x29, x30} per
// frame, the chain ending at the record inside the task's own pt_regs.
#include "arch/arm64/arm64_unwind.hpp"

#include <cstdio>
#include <cstring>
#include <map>

#include "core/linux/tasks.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect::arm64 {

namespace {

constexpr unsigned kFp = 29, kLr = 30, kSp = 31, kPc = 32;
// user_pt_regs: x0-x30, sp, pc, pstate (arch/arm64/include/uapi/asm/ptrace.h).
constexpr unsigned kUserRegsWords = 34;
constexpr unsigned kPstate = 33;
// THREAD_SIZE and IRQ_STACK_SIZE: 16K with 4K pages (arch/arm64/include/asm/memory.h).
constexpr uint64_t kThreadSize = 16384;

struct StackRange {
  std::string name;
  uint64_t start = 0, end = 0;
};

ExceptionFrame frame_from_words(uint64_t address, std::vector<uint64_t> w) {
  ExceptionFrame e;
  e.address = address;
  for (unsigned i = 0; i < 33 && i < w.size(); ++i) e.regs.set(i, w[i]);
  // PSTATE.M[3:2] is the exception level the context ran at; 0 is EL0.
  e.user_mode = w.size() > kPstate && ((w[kPstate] >> 2) & 3) == 0;
  e.words = std::move(w);
  return e;
}

class Arm64Unwinder final : public ArchUnwinder {
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
    return frame_from_words(0, std::move(w));
  }

  Result<std::optional<Frame>> step(Frame& f, Backtrace& bt) override {
    auto fp = f.regs.get(kFp);
    if (!fp) return fail(Errc::not_found, "frame pointer (x29) not known at this frame", f.pc);
    if (*fp == 0) return std::optional<Frame>{};
    f.cfa = *fp + 16;
    // A return into the exception entry code: the record at fp is the one
    // kernel_entry built inside struct pt_regs (S_STACKFRAME), so the next
    // frame is the interrupted context with every register.
    if (f.level > 0 && entry_end_ && f.pc >= entry_start_ && f.pc < entry_end_ && stackframe_off_) {
      uint64_t regs_addr = *fp - stackframe_off_;
      std::vector<uint64_t> w(pt_regs_size_ ? pt_regs_size_ / 8 : kUserRegsWords);
      for (size_t i = 0; i < w.size(); ++i) {
        auto v = prog_.read_u64(regs_addr + 8 * i);
        if (!v) return std::move(v).error().context("reading pt_regs at " + hex(regs_addr));
        w[i] = *v;
      }
      f.exception = frame_from_words(regs_addr, std::move(w));
      Frame n;
      n.regs = f.exception->regs;
      n.pc = prog_.arch().strip_code_pointer(f.exception->words[kPc]);
      n.regs.set(kPc, n.pc);
      n.sp = f.exception->words[kSp];
      n.pc_is_return_address = false;
      return std::optional<Frame>{std::move(n)};
    }
    ASSIGN_OR_RETURN(uint64_t next_fp, prog_.read_u64(*fp));
    ASSIGN_OR_RETURN(uint64_t lr, prog_.read_u64(*fp + 8));
    // The last record of a task's stack is zeroed, inside its pt_regs
    // (commit 7d7b720a4b80 "arm64: stacktrace: unwind to task_pt_regs").
    if (lr == 0 && next_fp == 0) return std::optional<Frame>{};
    Frame n;
    n.pc = prog_.arch().strip_code_pointer(lr);
    n.pc_is_return_address = true;
    n.sp = *fp + 16;  // the caller's sp is at least above the callee's record
    n.regs.set(kPc, n.pc);
    n.regs.set(kFp, next_fp);
    n.stack_slot = *fp;
    return std::optional<Frame>{std::move(n)};
  }

  std::string stack_name(uint64_t sp, const TaskInfo& task) override {
    if (!prog_.arch().is_kernel_address(sp)) return "user";
    for (const StackRange& s : stacks_of(task))
      if (sp >= s.start && sp <= s.end) return s.name;
    return "";
  }

  std::optional<std::pair<uint64_t, uint64_t>> stack_bounds(uint64_t sp,
                                                             const TaskInfo& task) override {
    for (const StackRange& s : stacks_of(task))
      if (sp >= s.start && sp <= s.end) return std::make_pair(s.start, s.end);
    return std::nullopt;
  }

  std::string register_block(const ExceptionFrame& e) const override {
    return arm64_register_block(e);
  }

 private:
  const std::vector<StackRange>& stacks_of(const TaskInfo& task) {
    auto key = std::make_pair(task.task, task.cpu);
    if (auto it = stacks_.find(key); it != stacks_.end()) return it->second;
    std::vector<StackRange> out;
    if (auto off = prog_.types().member_offset("task_struct", "stack"); off.ok())
      if (auto base = prog_.read_u64(task.task + *off); base.ok())
        out.push_back({"task", *base, *base + kThreadSize});
    if (task.cpu >= 0) {
      auto c = static_cast<unsigned>(task.cpu);
      // irq_stack_ptr: the base of this CPU's IRQ stack (arch/arm64/kernel/irq.c).
      if (auto p = per_cpu(prog_, "irq_stack_ptr", c); p.ok())
        if (auto v = p->as_u64(); v.ok() && *v) out.push_back({"IRQ", *v, *v + kThreadSize});
      // overflow_stack: a per-cpu array, used when the task stack overflows.
      if (auto o = per_cpu(prog_, "overflow_stack", c); o.ok() && o->is_lvalue())
        out.push_back({"overflow", o->address(), o->address() + o->type()->byte_size()});
    }
    return stacks_[key] = std::move(out);
  }

  Program& prog_;
  uint64_t stackframe_off_ = 0, pt_regs_size_ = 0;
  uint64_t entry_start_ = 0, entry_end_ = 0;
  std::map<std::pair<uint64_t, int>, std::vector<StackRange>> stacks_;
};

std::string q(uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

std::string arm64_register_block(const ExceptionFrame& e) {
  const auto& w = e.words;
  if (w.size() < kUserRegsWords) return "";
  std::string s;
  char b[64];
  if (e.user_mode) {
    s += "     PC: " + q(w[kPc]) + "   LR: " + q(w[kLr]) + "   SP: " + q(w[kSp]) + "\n";
  } else {
    s += "     PC: " + q(w[kPc]) + "\n";
    s += "     LR: " + q(w[kLr]) + "\n";
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
