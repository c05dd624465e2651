// DWARF CFI step over libdw's Dwarf_CFI (see dwarf_cfi.hpp).
#include "core/unwind/dwarf_cfi.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "core/program.hpp"

namespace kinspect {

namespace {

// Evaluates the small DWARF expressions CFI rows use: register + offset,
// CFA + offset, and plain arithmetic.
Result<uint64_t> evaluate(const Dwarf_Op* ops, size_t n, const RegisterSet& regs,
                          std::optional<uint64_t> cfa, bool* is_value) {
  std::vector<uint64_t> st;
  if (is_value) *is_value = false;
  for (size_t i = 0; i < n; ++i) {
    const Dwarf_Op& op = ops[i];
    uint8_t a = op.atom;
    if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
      auto r = regs.get(a - DW_OP_breg0);
      if (!r) return fail(Errc::not_found, "CFI needs register " + std::to_string(a - DW_OP_breg0));
      st.push_back(*r + static_cast<int64_t>(op.number));
    } else if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
      st.push_back(a - DW_OP_lit0);
    } else if (a == DW_OP_bregx) {
      auto r = regs.get(static_cast<unsigned>(op.number));
      if (!r) return fail(Errc::not_found, "CFI needs register " + std::to_string(op.number));
      st.push_back(*r + static_cast<int64_t>(op.number2));
    } else if (a == DW_OP_call_frame_cfa) {
      if (!cfa) return fail(Errc::not_found, "CFI needs the CFA");
      st.push_back(*cfa);
    } else if (a == DW_OP_consts || a == DW_OP_constu || a == DW_OP_const1u || a == DW_OP_const1s ||
               a == DW_OP_const2u || a == DW_OP_const2s || a == DW_OP_const4u || a == DW_OP_const4s ||
               a == DW_OP_const8u || a == DW_OP_const8s) {
      st.push_back(op.number);
    } else if (a == DW_OP_plus_uconst) {
      if (st.empty()) return fail(Errc::format, "CFI expression underflow");
      st.back() += op.number;
    } else if (a == DW_OP_plus || a == DW_OP_minus) {
      if (st.size() < 2) return fail(Errc::format, "CFI expression underflow");
      uint64_t b = st.back();
      st.pop_back();
      st.back() = a == DW_OP_plus ? st.back() + b : st.back() - b;
    } else if (a == DW_OP_stack_value) {
      if (is_value) *is_value = true;
    } else {
      return fail(Errc::unsupported, "CFI expression operator " + std::to_string(a));
    }
  }
  if (st.empty()) return fail(Errc::format, "empty CFI expression");
  return st.back();
}

}  // namespace

Result<std::optional<Frame>> cfi_step(const Program& prog, Frame& f, const CfiRegs& cr,
                                      const CfiRead& read) {
  uint64_t where = f.pc_is_return_address ? f.pc - 1 : f.pc;
  auto m = prog.symbols().lookup(where);
  if (!m || !m->sym->module.empty()) return fail(Errc::not_found, "no CFI for this address", f.pc);
  Dwarf* dw = prog.types().dwarf(0);
  Dwarf_CFI* cfi = dw ? dwarf_getcfi(dw) : nullptr;
  if (!cfi) return fail(Errc::not_found, "vmlinux has no .debug_frame");
  uint64_t slide = m->sym->addr - m->sym->link_addr;
  Dwarf_Frame* raw = nullptr;
  if (dwarf_cfi_addrframe(cfi, where - slide, &raw) != 0)
    return fail(Errc::not_found, "no CFI row for this address", f.pc);
  std::unique_ptr<Dwarf_Frame, void (*)(void*)> frame(raw, std::free);
  // CFI expressions see link-time values only for addresses, which the
  // registers never hold: register values are used as they are.
  Dwarf_Op* ops;
  size_t nops;
  if (dwarf_frame_cfa(frame.get(), &ops, &nops) != 0)
    return fail(Errc::format, "unreadable CFA rule", f.pc);
  ASSIGN_OR_RETURN(uint64_t cfa, evaluate(ops, nops, f.regs, std::nullopt, nullptr));
  f.cfa = cfa;
  Frame n;
  n.sp = cfa;
  n.stack_slot = cfa - 8;  // the return address lies just below the CFA
  n.regs.set(cr.stack_pointer, cfa);
  for (unsigned reg = 0; reg < RegisterSet::kMaxRegs; ++reg) {
    if (reg == cr.stack_pointer || (reg == cr.pc && cr.pc != cr.return_address)) continue;
    Dwarf_Op mem[3];
    if (dwarf_frame_register(frame.get(), static_cast<int>(reg), mem, &ops, &nops) != 0) continue;
    if (nops == 0) {
      if (ops == mem) continue;  // undefined
      if (auto v = f.regs.get(reg)) n.regs.set(reg, *v);  // same value
      continue;
    }
    bool is_value = false;
    auto loc = evaluate(ops, nops, f.regs, cfa, &is_value);
    if (!loc.ok()) continue;
    if (is_value) {
      n.regs.set(reg, *loc);
    } else if (auto v = read(*loc); v.ok()) {
      n.regs.set(reg, *v);
    }
  }
  auto ra = n.regs.get(cr.return_address);
  if (!ra) return std::optional<Frame>{};  // the outermost frame: no return address
  n.pc = prog.arch().strip_code_pointer(*ra);
  n.regs.set(cr.pc, n.pc);
  n.pc_is_return_address = true;
  return std::optional<Frame>{std::move(n)};
}

}  // namespace kinspect
