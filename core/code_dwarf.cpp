#include "core/code_dwarf.hpp"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

Result<CodeDwarf> code_dwarf(const Program& prog, uint64_t addr) {
  auto m = prog.symbols().lookup(addr);
  if (!m) return fail(Errc::not_found, "no symbol at " + hex(addr), addr);
  CodeDwarf c;
  if (m->sym->module.empty()) {
    c.dw = prog.types().has_dwarf() ? prog.types().dwarf(0) : nullptr;
    if (!c.dw) return fail(Errc::not_found, "vmlinux has no DWARF", addr);
    c.bias = m->sym->addr - m->sym->link_addr;  // the KASLR slide
    return c;
  }
  c.module = std::string(m->sym->module);
  // The module's debug file loads here when autoload is on (the first
  // frame, line or CFI lookup in its code).
  if (!prog.types().module_dwarf(c.module)) prog.load_module_on_demand(c.module);
  auto md = prog.types().module_dwarf(c.module);
  if (!md) return fail(Errc::not_found, "no debuginfo loaded for module " + c.module + " (mod -s " + c.module + ")", addr);
  c.file = md->file;
  c.dw = md->dw;
  c.bias = md->bias;
  c.dwfl_mod = md->dwfl_mod;
  return c;
}

CodeCfi code_cfi(const CodeDwarf& c) {
  CodeCfi out;
  if (!c.dwfl_mod) {
    out.cfi = c.dw ? dwarf_getcfi(c.dw) : nullptr;
    out.bias = c.bias;
    return out;
  }
  // A module's .debug_frame, relocated with its DWARF; a .ko without one
  // may still carry .eh_frame (arm64 builds with unwind tables).
  Dwarf_Addr bias = 0;
  out.cfi = dwfl_module_dwarf_cfi(c.dwfl_mod, &bias);
  if (!out.cfi) out.cfi = dwfl_module_eh_cfi(c.dwfl_mod, &bias);
  out.bias = bias;
  return out;
}

}  // namespace kinspect
