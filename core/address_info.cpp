#include "core/address_info.hpp"

#include "core/code_dwarf.hpp"
#include "core/disasm/line_table.hpp"

namespace kinspect {

Result<SourceLine> source_line_of(const Program& prog, uint64_t addr) {
  ASSIGN_OR_RETURN(CodeDwarf code, code_dwarf(prog, addr));
  // The line is chosen by the same gdb rules `dis -l` uses, so `sym` and
  // `dis -l` never disagree.
  uint64_t link = code.to_dwarf(addr);
  ASSIGN_OR_RETURN(GdbLineTable table, GdbLineTable::for_address(code.dw, link));
  auto line = table.lookup(link);
  if (!line) return fail(Errc::not_found, "no source line for " + hex(addr), addr);
  return *line;
}

}  // namespace kinspect
