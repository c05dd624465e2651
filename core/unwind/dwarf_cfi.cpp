// DWARF CFI step by one CFI row (see dwarf_cfi.hpp).
#include "core/unwind/dwarf_cfi.hpp"

#include <cstring>

#include "core/program.hpp"
#include "core/unwind/cfi_row.hpp"

namespace kinspect {

Result<std::optional<Frame>> cfi_step(const Program& prog, Frame& f, const CfiRegs& cr,
                                      const CfiRead& read) {
  uint64_t where = f.pc_is_return_address ? f.pc - 1 : f.pc;
  ASSIGN_OR_RETURN(CfiRow row, CfiRow::at(prog, where));
  // CFI expressions see link-time values only for addresses, which the
  // registers never hold: register values are used as they are.
  LocationInputs in;
  in.regs = &f.regs;
  in.read_memory = [&read](uint64_t addr, std::span<uint8_t> out) -> Status {
    if (out.size() != 8) return fail(Errc::unsupported, "a CFI slot that is not 8 bytes", addr);
    ASSIGN_OR_RETURN(uint64_t v, read(addr));
    std::memcpy(out.data(), &v, 8);
    return {};
  };
  ASSIGN_OR_RETURN(uint64_t cfa, row.cfa(in).context("CFA rule at " + hex(f.pc)));
  f.cfa = cfa;
  in.cfa = cfa;
  Frame n;
  n.sp = cfa;
  n.stack_slot = cfa - 8;  // the return address lies just below the CFA
  n.regs.set(cr.stack_pointer, cfa);
  for (unsigned reg = 0; reg < RegisterSet::kMaxRegs; ++reg) {
    if (reg == cr.stack_pointer || (reg == cr.pc && cr.pc != cr.return_address)) continue;
    if (auto v = row.caller_value(reg, in, 0)) n.regs.set(reg, *v);
  }
  auto ra = n.regs.get(cr.return_address);
  if (!ra) return std::optional<Frame>{};  // the outermost frame: no return address
  n.pc = prog.arch().strip_code_pointer(*ra);
  n.regs.set(cr.pc, n.pc);
  n.pc_is_return_address = true;
  return std::optional<Frame>{std::move(n)};
}

}  // namespace kinspect
