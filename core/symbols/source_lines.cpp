#include "core/symbols/source_lines.hpp"

#include <elfutils/libdw.h>

namespace kinspect {

Result<SourceLine> find_source_line(Dwarf* dw, uint64_t link_addr) {
  if (!dw) return fail(Errc::not_found, "no DWARF line information");
  Dwarf_Die cu;
  if (!dwarf_addrdie(dw, link_addr, &cu))
    return fail(Errc::not_found, "no compilation unit covers " + hex(link_addr), link_addr);
  Dwarf_Line* line = dwarf_getsrc_die(&cu, link_addr);
  if (!line) return fail(Errc::not_found, "no line-table row for " + hex(link_addr), link_addr);
  SourceLine s;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  s.file = file ? file : "??";
  dwarf_lineno(line, &s.line);
  return s;
}

}  // namespace kinspect
