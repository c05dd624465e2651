#include "core/address_info.hpp"

#include "core/disasm/line_table.hpp"

namespace kinspect {

Result<SourceLine> source_line_of(const Program& prog, uint64_t addr) {
  auto m = prog.symbols().lookup(addr);
  if (!m) return fail(Errc::not_found, "no symbol at " + hex(addr), addr);
  if (!m->sym->module.empty())
    return fail(Errc::not_found, "no debuginfo loaded for module " + std::string(m->sym->module), addr);
  // Within vmlinux the run-time and link-time addresses differ by the
  // symbol's relocation. The line is chosen by the same gdb rules `dis -l`
  // uses, so `sym` and `dis -l` never disagree.
  uint64_t link = addr - m->sym->addr + m->sym->link_addr;
  ASSIGN_OR_RETURN(GdbLineTable table, GdbLineTable::for_address(prog.types().dwarf(0), link));
  auto line = table.lookup(link);
  if (!line) return fail(Errc::not_found, "no source line for " + hex(addr), addr);
  return *line;
}

}  // namespace kinspect
