#include "core/unwind/cfi_row.hpp"

#include <elfutils/libdw.h>

#include <cstdlib>
#include <cstring>

#include "core/code_dwarf.hpp"
#include "core/unwind/libdw_expr.hpp"

namespace kinspect {

Result<CfiRow> CfiRow::at(const Program& prog, uint64_t lookup) {
  ASSIGN_OR_RETURN(CodeDwarf code, code_dwarf(prog, lookup));
  CodeCfi cfi = code_cfi(code);
  if (!cfi.cfi)
    return fail(Errc::not_found, (code.module.empty() ? std::string("vmlinux") : code.module) + " has no call-frame information", lookup);
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(cfi.cfi, lookup - cfi.bias, &frame) != 0)
    return fail(Errc::not_found, "no CFI row for this address", lookup);
  return CfiRow(frame);
}

CfiRow::~CfiRow() { std::free(frame_); }

Result<uint64_t> CfiRow::cfa(const LocationInputs& in) const {
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_frame_cfa(frame_, &ops, &n) != 0 || n == 0) return fail(Errc::format, "unreadable CFA rule");
  ASSIGN_OR_RETURN(DwarfExpr e, from_libdw(ops, n));
  return evaluate_value(e, in);
}

std::optional<uint64_t> CfiRow::caller_value(unsigned reg, const LocationInputs& in, uint64_t callee_saved) const {
  Dwarf_Op mem[3];
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_frame_register(frame_, static_cast<int>(reg), mem, &ops, &n) != 0) return std::nullopt;
  if (n == 0) {
    bool same_value = ops == nullptr || (reg < 64 && (callee_saved >> reg & 1));
    return same_value && in.regs ? in.regs->get(reg) : std::nullopt;
  }
  auto e = from_libdw(ops, n);
  if (!e.ok()) return std::nullopt;
  auto loc = evaluate_location(*e, in);
  if (!loc.ok()) return std::nullopt;
  auto bytes = read_location(*loc, 8, in);
  if (!bytes.ok()) return std::nullopt;
  uint64_t v;
  std::memcpy(&v, bytes->data(), 8);
  return v;
}

unsigned CfiRow::return_address_register() const {
  return static_cast<unsigned>(dwarf_frame_info(frame_, nullptr, nullptr, nullptr));
}

}  // namespace kinspect
