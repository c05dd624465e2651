// Inlined calls from DWARF scopes (see inline_frames.hpp).
#include "core/unwind/inline_frames.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>

#include "core/address_info.hpp"
#include "core/code_dwarf.hpp"
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
  if (!f) return "";
  // Relative names are relative to the unit's directory, which the line
  // table's names already include.
  std::string name = f;
  Dwarf_Attribute dir;
  const char* comp_dir = dwarf_attr(cu, DW_AT_comp_dir, &dir) ? dwarf_formstring(&dir) : nullptr;
  if (name.front() != '/' && comp_dir && *comp_dir) name = std::string(comp_dir) + "/" + name;
  return name;
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
  auto code = code_dwarf(prog, addr);
  if (!m || !code.ok()) return out;
  Dwarf* dw = code->dw;
  uint64_t link = code->to_dwarf(addr);
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
  bool outermost = false;
  for (int i = 0; i < n && !outermost; ++i) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_compile_unit && !out.empty()) {
      // The code lies outside the subprogram's own ranges (GCC's split-off
      // parts): the symbol names the function the calls were inlined into.
      out.push_back({std::string(m->sym->name), file, line, false});
      break;
    }
    if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) continue;
    const char* name = dwarf_diename(&scopes[i]);
    InlineLevel lv{name ? name : "??", file, line, tag == DW_TAG_inlined_subroutine};
    out.push_back(lv);
    outermost = tag == DW_TAG_subprogram;
    if (outermost) break;
    file = call_file(&cu, &scopes[i]);
    line = call_line(&scopes[i]);
  }
  std::free(scopes);
  return out;
}

}  // namespace kinspect
