// One row of DWARF call-frame information (.debug_frame, else .eh_frame)
// of vmlinux or of a module whose debuginfo is loaded: the rules at one pc
// for the CFA and for each register of the caller. The rules are DWARF
// expressions and run on the one evaluator (dwarf_location.hpp) that also
// serves variable locations.
//
//   ASSIGN_OR_RETURN(CfiRow row, CfiRow::at(prog, pc - 1));
//   in.cfa = *row.cfa(in);
//   auto rbx = row.caller_value(3, in, 0);
#pragma once

#include <cstdint>
#include <optional>

#include "core/error.hpp"
#include "core/unwind/dwarf_location.hpp"

typedef struct Dwarf_Frame_s Dwarf_Frame;

namespace kinspect {

class Program;

class CfiRow {
 public:
  // The row covering run-time address `lookup` (a return address minus 1
  // for a caller's frame). Errc::not_found where no CFI describes it.
  static Result<CfiRow> at(const Program& prog, uint64_t lookup);
  ~CfiRow();
  CfiRow(CfiRow&& o) noexcept : frame_(o.frame_) { o.frame_ = nullptr; }
  CfiRow& operator=(CfiRow&&) = delete;
  CfiRow(const CfiRow&) = delete;

  // The CFA, from in.regs (the frame's own registers) and memory.
  Result<uint64_t> cfa(const LocationInputs& in) const;
  // The caller's value of DWARF register reg, with in.cfa set: nullopt when
  // the row leaves it undefined or its slot cannot be read. libdw reads the
  // CFI without the ABI's defaults, so a register no rule mentions reads as
  // undefined; one in callee_saved (a bit per register) is then taken as
  // unchanged, which the ABI guarantees for callee-saved registers.
  std::optional<uint64_t> caller_value(unsigned reg, const LocationInputs& in, uint64_t callee_saved) const;
  // The DWARF column holding the return address.
  unsigned return_address_register() const;

 private:
  explicit CfiRow(Dwarf_Frame* f) : frame_(f) {}
  Dwarf_Frame* frame_ = nullptr;
};

}  // namespace kinspect
