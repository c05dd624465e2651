// Inlined calls from DWARF scopes (see inline_frames.hpp).
#include "core/unwind/inline_frames.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>

#include "core/address_info.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

std::string call_file(Dwarf_Die* cu, Dwarf_Die* scope) {
  Dwarf_Attribute a;
  Dwarf_Word idx;
  if (!dwarf_attr(scope, DW_AT_call_file, &a) || dwarf_formudata(&a, &idx) != 0) return "";
  Dwarf_Files* files;
  size_t n;
  if (dwarf_getsrcfiles(cu, &files, &n) != 0 || idx >= n) return "";
  const char* f = dwarf_filesrc(files, idx, nullptr, nullptr);
  return f ? f : "";
}

int call_line(Dwarf_Die* scope) {
  Dwarf_Attribute a;
  Dwarf_Word line;
  if (!dwarf_attr(scope, DW_AT_call_line, &a) || dwarf_formudata(&a, &line) != 0) return 0;
  return static_cast<int>(line);
}

}  // namespace

std::vector<InlineLevel> inline_chain(const Program& prog, uint64_t addr) {
  std::vector<InlineLevel> out;
  auto m = prog.symbols().lookup(addr);
  if (!m || !m->sym->module.empty()) return out;
  Dwarf* dw = prog.types().dwarf(0);
  if (!dw) return out;
  uint64_t link = addr - m->sym->addr + m->sym->link_addr;
  Dwarf_Die cu;
  if (!dwarf_addrdie(dw, link, &cu)) return out;
  Dwarf_Die* scopes = nullptr;
  int n = dwarf_getscopes(&cu, link, &scopes);
  if (n <= 0) return out;
  // The innermost level executes at the line table's line; each inlined
  // scope's call site is where its caller executes.
  auto src = source_line_of(prog, addr);
  std::string file = src.ok() ? src->file : "";
  int line = src.ok() ? src->line : 0;
  for (int i = 0; i < n; ++i) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) continue;
    const char* name = dwarf_diename(&scopes[i]);
    InlineLevel lv{name ? name : "??", file, line, tag == DW_TAG_inlined_subroutine};
    out.push_back(lv);
    if (tag == DW_TAG_subprogram) break;
    file = call_file(&cu, &scopes[i]);
    line = call_line(&scopes[i]);
  }
  std::free(scopes);
  return out;
}

}  // namespace kinspect
