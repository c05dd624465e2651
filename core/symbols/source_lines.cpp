#include "core/symbols/source_lines.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

namespace kinspect {

Result<SourceLine> find_source_line(Dwarf* dw, uint64_t link_addr) {
  if (!dw) return fail(Errc::not_found, "no DWARF line information");
  Dwarf_Die cu;
  if (!dwarf_addrdie(dw, link_addr, &cu))
    return fail(Errc::not_found, "no compilation unit covers " + hex(link_addr), link_addr);
  // Several rows can share an address (a function's entry lists its inlined
  // callees' lines). gdb, and so crash, take the last is_stmt row there, or
  // the last row when none is a statement: do_syscall_64+0 is
  // jump_label.h:27 but +5, with only a non-statement row, is common.c:70.
  Dwarf_Lines* lines = nullptr;
  size_t n = 0;
  if (dwarf_getsrclines(&cu, &lines, &n) != 0 || n == 0)
    return fail(Errc::not_found, "no line table for " + hex(link_addr), link_addr);
  auto addr_of = [&](size_t i) {
    Dwarf_Addr a = 0;
    dwarf_lineaddr(dwarf_onesrcline(lines, i), &a);
    return a;
  };
  size_t lo = 0, hi = n;  // first row with address > link_addr
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (addr_of(mid) <= link_addr) lo = mid + 1; else hi = mid;
  }
  if (lo == 0) return fail(Errc::not_found, "no line-table row for " + hex(link_addr), link_addr);
  Dwarf_Line* line = dwarf_onesrcline(lines, lo - 1);
  bool end_seq = false;
  dwarf_lineendsequence(line, &end_seq);
  if (end_seq) return fail(Errc::not_found, "no line-table row for " + hex(link_addr), link_addr);
  Dwarf_Addr at = addr_of(lo - 1);
  for (size_t i = lo; i-- > 0 && addr_of(i) == at;) {
    bool stmt = false;
    Dwarf_Line* l = dwarf_onesrcline(lines, i);
    dwarf_linebeginstatement(l, &stmt);
    if (stmt) {
      line = l;
      break;
    }
  }
  SourceLine s;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  s.file = file ? file : "??";
  // A relative name is relative to the unit's compilation directory; gdb
  // (and so crash) print them joined, e.g. "debian/build/.../drivers/tty/sysrq.c".
  Dwarf_Attribute attr;
  const char* comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attr));
  if (file && file[0] != '/' && comp_dir && *comp_dir) s.file = std::string(comp_dir) + "/" + s.file;
  dwarf_lineno(line, &s.line);
  return s;
}

}  // namespace kinspect
