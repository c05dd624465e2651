#include "core/address_info.hpp"

namespace kinspect {

Result<SourceLine> source_line_of(const Program& prog, uint64_t addr) {
  auto m = prog.symbols().lookup(addr);
  if (!m) return fail(Errc::not_found, "no symbol at " + hex(addr), addr);
  if (!m->sym->module.empty())
    return fail(Errc::not_found, "no debuginfo loaded for module " + std::string(m->sym->module), addr);
  // Within vmlinux the run-time and link-time addresses differ by the
  // symbol's relocation.
  uint64_t link = addr - m->sym->addr + m->sym->link_addr;
  return find_source_line(prog.types().dwarf(0), link);
}

}  // namespace kinspect
