// x86_64 ArchUnwinder over a Program (see x86_64_unwind.hpp).
#include "arch/x86_64/x86_64_unwind.hpp"

#include <cstdio>
#include <cstring>

#include "arch/x86_64/orc.hpp"
#include "core/dump/bytes.hpp"
#include "core/unwind/dwarf_cfi.hpp"
#include "core/unwind/stack_map.hpp"
#include "core/unwind/symbolize.hpp"
#include "core/linux/modules.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect::x86_64 {

namespace {

// THREAD_SIZE and IRQ_STACK_SIZE: 4 pages without KASAN (arch/x86/include/asm/page_64_types.h).
constexpr uint64_t kThreadSize = 16384;
constexpr uint64_t kIrqStackSize = 16384;

class X86_64Unwinder final : public StackMapUnwinder {
 public:
  explicit X86_64Unwinder(Program& prog) : prog_(prog) {}

  Status load_orc();

  Result<RegisterSet> switch_frame_regs(uint64_t task) override {
    ASSIGN_OR_RETURN(uint64_t off, prog_.types().member_offset("task_struct", "thread.sp"));
    ASSIGN_OR_RETURN(uint64_t sp, prog_.read_u64(task + off));
    // struct inactive_task_frame: r15 r14 r13 r12 bx bp ret_addr
    // (arch/x86/include/asm/switch_to.h), pushed by __switch_to_asm.
    uint64_t w[7];
    for (int i = 0; i < 7; ++i) {
      auto v = prog_.read_u64(sp + 8 * i);
      if (!v) return std::move(v).error().context("reading inactive_task_frame at " + hex(sp));
      w[i] = *v;
    }
    RegisterSet r;
    r.set(kR15, w[0]);
    r.set(14, w[1]);
    r.set(kR13, w[2]);
    r.set(12, w[3]);
    r.set(kRbx, w[4]);
    r.set(kRbp, w[5]);
    r.set(kRip, w[6]);
    r.set(kRsp, sp + 7 * 8);
    return r;
  }

  unsigned pc_regno() const override { return kRip; }
  unsigned sp_regno() const override { return kRsp; }

  Result<ExceptionFrame> prstatus_regs(std::span<const uint8_t> pr_reg) const override {
    if (pr_reg.size() < kPtRegsWords * 8)
      return fail(Errc::format, "NT_PRSTATUS pr_reg too short: " + std::to_string(pr_reg.size()));
    // user_regs_struct starts with the 21 pt_regs words in pt_regs order.
    std::vector<uint64_t> w(kPtRegsWords);
    for (unsigned i = 0; i < kPtRegsWords; ++i) w[i] = dumpbytes::le64(pr_reg, 8 * i);
    return exception_from_pt_regs(0, w);
  }

  Result<std::optional<Frame>> step(Frame& f, Backtrace& bt) override {
    ReadWord read = [this](uint64_t a) { return prog_.read_u64(a); };
    auto r = orc_step(orc_, f, read);
    if (r.ok()) return r;
    // objtool leaves some code without ORC data (undefined entries); the
    // compiler's .debug_frame still describes it.
    Frame copy = f;
    auto c = cfi_step(prog_, copy, CfiRegs{kRip, kRsp, kRip}, read);
    if (!c.ok() || !*c) return r;
    f.cfa = copy.cfa;
    return c;
  }

  std::optional<RegisterSet> stopped_in_nmi(const TaskInfo& task, const ExceptionFrame& saved) override {
    if (saved.words.size() < kPtRegsWords) return std::nullopt;
    // An NMI from kernel mode runs on the NMI stack; one from user mode
    // switches to the task stack first (entry_64.S, asm_exc_nmi).
    for (const StackRange& s : stacks_.of(task)) {
      if (s.name != "NMI exception" && s.name != "task") continue;
      if (auto r = search_stack(s, saved)) return r;
    }
    return std::nullopt;
  }

  // The lowest return address on `s` whose ORC chain ends at the saved
  // pt_regs: the innermost frame of the NMI handler that saved them.
  std::optional<RegisterSet> search_stack(const StackRange& s, const ExceptionFrame& saved) {
    std::vector<uint8_t> bytes(s.end - s.start);
    if (!prog_.read(s.start, bytes).ok()) return std::nullopt;
    ReadWord read = [this](uint64_t a) { return prog_.read_u64(a); };
    for (size_t off = 0; off + 8 <= bytes.size(); off += 8) {
      uint64_t v = dumpbytes::le64(bytes, off);
      auto m = prog_.symbols().lookup(v);
      if (!m || m->offset == 0 || (m->sym->type != 't' && m->sym->type != 'T')) continue;
      Frame f;
      f.pc = v;
      f.pc_is_return_address = true;
      f.regs.set(kRip, v);
      f.regs.set(kRsp, s.start + off + 8);
      for (int depth = 0; depth < 8; ++depth) {
        auto n = orc_step(orc_, f, read);
        if (!n.ok() || !*n) break;
        if (f.exception) {
          const auto& w = f.exception->words;
          if (w[kPtRegsIp] != saved.words[kPtRegsIp] || w[kPtRegsSp] != saved.words[kPtRegsSp]) break;
          RegisterSet r;
          r.set(kRip, v);
          r.set(kRsp, s.start + off + 8);
          return r;
        }
        f = std::move(**n);
      }
    }
    return std::nullopt;
  }

  std::optional<bool> interrupts_enabled(const ExceptionFrame& e) const override {
    constexpr uint64_t kIf = 0x200;  // X86_EFLAGS_IF
    if (e.words.size() <= kPtRegsFlags) return std::nullopt;
    return (e.words[kPtRegsFlags] & kIf) != 0;
  }

  std::string register_block(const ExceptionFrame& e) const override {
    std::string head;
    if (!e.user_mode && e.words.size() > kPtRegsIp)
      head = "    [exception RIP: " + symbolize(prog_, e.words[kPtRegsIp], SymbolStyle{true}) + "]\n";
    return head + x86_64_register_block(e);
  }

 protected:
  StackMap& stacks() override { return stacks_; }

 private:
  void add_cpu_stacks(int cpu, std::vector<StackRange>& out) {
    if (cpu < 0) return;
    auto c = static_cast<unsigned>(cpu);
    // hardirq_stack_ptr points at the top word of the IRQ stack; v6.2 moved
    // it into pcpu_hot (commit 64701838bf05 "x86/percpu: Move irq_stack variables next to current_task").
    auto top = per_cpu(prog_, "hardirq_stack_ptr", c);
    if (!top.ok())
      if (auto hot = per_cpu(prog_, "pcpu_hot", c); hot.ok()) top = hot->member("hardirq_stack_ptr");
    if (top.ok())
      if (auto v = top->as_u64(); v.ok() && *v) out.push_back({"IRQ", *v + 8 - kIrqStackSize, *v + 8});
    // The IST stacks in the cpu_entry_area (struct cea_exception_stacks).
    auto ea = per_cpu(prog_, "cea_exception_stacks", c);
    if (!ea.ok()) return;
    auto base = ea->as_u64();
    if (!base.ok() || !*base) return;
    auto st = prog_.types().find_struct("cea_exception_stacks");
    if (!st.ok()) return;
    static constexpr std::pair<const char*, const char*> kNames[] = {
        {"DF_stack", "DOUBLEFAULT"}, {"NMI_stack", "NMI"}, {"DB_stack", "DEBUG"},
        {"MCE_stack", "MCE"},        {"VC_stack", "VC"},   {"VC2_stack", "VC2"}};
    for (auto [member, name] : kNames) {
      auto mp = prog_.types().member_path(*st, member);
      if (!mp.ok()) continue;
      uint64_t start = *base + mp->offset;
      out.push_back({std::string(name) + " exception", start, start + mp->type->byte_size()});
    }
  }

  Program& prog_;
  OrcTable orc_;
  StackMap stacks_{prog_, kThreadSize,
                   [this](int cpu, std::vector<StackRange>& out) { add_cpu_stacks(cpu, out); }};
};

Status X86_64Unwinder::load_orc() {
  OrcEncoding enc = prog_.types().member_offset("orc_entry", "end").ok() ? OrcEncoding::end_bit
                                                                          : OrcEncoding::type3;
  const ElfImage& elf = prog_.vmlinux();
  const ElfSection* ip_sec = elf.section(".orc_unwind_ip");
  const ElfSection* orc_sec = elf.section(".orc_unwind");
  if (!ip_sec || !orc_sec)
    return fail(Errc::not_found, elf.path() + ": no .orc_unwind_ip/.orc_unwind sections (kernel built without ORC)");
  auto ipb = elf.section_bytes(*ip_sec);
  auto ob = elf.section_bytes(*orc_sec);
  size_t n = ipb.size() / 4;
  uint64_t slide = prog_.arch().kaslr_offset();
  std::vector<uint64_t> ips(n);
  for (size_t i = 0; i < n; ++i) {
    int32_t rel;
    std::memcpy(&rel, &ipb[4 * i], 4);
    // Each entry is relative to its own address (arch/x86/include/asm/orc_lookup.h).
    ips[i] = ip_sec->addr + 4 * i + static_cast<int64_t>(rel) + slide;
  }
  uint64_t end = ~0ull;
  if (auto e = prog_.symbol_address("_etext"); e.ok()) end = *e;
  if (auto e = prog_.symbol_address("_einittext"); e.ok() && *e > end) end = *e;
  orc_.add(std::move(ips), std::vector<uint8_t>(ob.begin(), ob.end()), enc, end);

  // Modules keep their own tables in struct module's mod_arch_specific.
  auto mods = read_modules(prog_);
  auto num_off = prog_.types().member_offset("module", "arch.num_orcs");
  auto ip_off = prog_.types().member_offset("module", "arch.orc_unwind_ip");
  auto tab_off = prog_.types().member_offset("module", "arch.orc_unwind");
  if (!mods.ok() || !num_off.ok() || !ip_off.ok() || !tab_off.ok()) return {};
  for (const KernelModule& m : *mods) {
    auto num = prog_.read_u32(m.address + *num_off);
    auto ipp = prog_.read_u64(m.address + *ip_off);
    auto tp = prog_.read_u64(m.address + *tab_off);
    if (!num.ok() || !ipp.ok() || !tp.ok() || *num == 0 || *num > (1u << 22)) continue;
    std::vector<uint8_t> ipraw(4ull * *num), traw(kOrcEntrySize * *num);
    if (!prog_.read(*ipp, ipraw).ok() || !prog_.read(*tp, traw).ok()) continue;
    std::vector<uint64_t> mips(*num);
    for (size_t i = 0; i < *num; ++i) {
      int32_t rel;
      std::memcpy(&rel, &ipraw[4 * i], 4);
      mips[i] = *ipp + 4 * i + static_cast<int64_t>(rel);
    }
    orc_.add(std::move(mips), std::move(traw), enc, m.base + m.size);
  }
  return {};
}

}  // namespace

std::string x86_64_register_block(const ExceptionFrame& e) {
  const auto& w = e.words;
  if (w.size() < kPtRegsWords) return "";
  // pt_regs word indexes: r15 0, r14 1, r13 2, r12 3, bp 4, bx 5, r11 6, r10 7,
  // r9 8, r8 9, ax 10, cx 11, dx 12, si 13, di 14, orig_ax 15, ip 16, cs 17,
  // flags 18, sp 19, ss 20.
  auto q = [](uint64_t v) {
    char b[20];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
    return std::string(b);
  };
  char flags[20], cs[12], ss[12];
  std::snprintf(flags, sizeof flags, "%08llx", static_cast<unsigned long long>(w[18]));
  std::snprintf(cs, sizeof cs, "%04llx", static_cast<unsigned long long>(w[17]));
  std::snprintf(ss, sizeof ss, "%04llx", static_cast<unsigned long long>(w[20]));
  std::string s;
  s += "    RIP: " + q(w[16]) + "  RSP: " + q(w[19]) + "  RFLAGS: " + flags + "\n";
  s += "    RAX: " + q(w[10]) + "  RBX: " + q(w[5]) + "  RCX: " + q(w[11]) + "\n";
  s += "    RDX: " + q(w[12]) + "  RSI: " + q(w[13]) + "  RDI: " + q(w[14]) + "\n";
  s += "    RBP: " + q(w[4]) + "   R8: " + q(w[9]) + "   R9: " + q(w[8]) + "\n";
  s += "    R10: " + q(w[7]) + "  R11: " + q(w[6]) + "  R12: " + q(w[3]) + "\n";
  s += "    R13: " + q(w[2]) + "  R14: " + q(w[1]) + "  R15: " + q(w[0]) + "\n";
  s += "    ORIG_RAX: " + q(w[15]) + "  CS: " + cs + "  SS: " + ss;
  return s;
}

Result<std::unique_ptr<ArchUnwinder>> make_x86_64_unwinder(Program& prog) {
  auto u = std::make_unique<X86_64Unwinder>(prog);
  TRY_VOID(u->load_orc());
  return std::unique_ptr<ArchUnwinder>(std::move(u));
}

}  // namespace kinspect::x86_64
