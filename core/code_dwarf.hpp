// The DWARF that describes the code at a run-time address: vmlinux's, or
// the debug file of the loaded module the address lies in (relocated by
// libdwfl to the module's sections in the dump). Every consumer of DWARF
// by address (frame variables, inline chains, source lines, CFI) goes
// through here, so module code is served exactly as vmlinux code is.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"

typedef struct Dwarf Dwarf;
typedef struct Dwarf_CFI_s Dwarf_CFI;
typedef struct Dwfl_Module Dwfl_Module;

namespace kinspect {

class Program;

struct CodeDwarf {
  std::string module;  // "" for vmlinux
  uint32_t file = 0;   // the Types file number (for Types::type_at)
  Dwarf* dw = nullptr;
  // run-time address = DWARF address + bias (vmlinux: the KASLR offset).
  uint64_t bias = 0;
  Dwfl_Module* dwfl_mod = nullptr;  // modules only

  uint64_t to_dwarf(uint64_t runtime) const { return runtime - bias; }
  uint64_t to_runtime(uint64_t dwarf_addr) const { return dwarf_addr + bias; }
};

// A module's debug file is loaded on demand (Program::load_module_on_demand)
// when autoload is on. Errc::not_found: no symbol covers addr, vmlinux has
// no DWARF, or the module's debug file is not loaded (the message names
// the module).
Result<CodeDwarf> code_dwarf(const Program& prog, uint64_t addr);

// The call-frame information of that code (.debug_frame, else .eh_frame)
// and the bias of its addresses, or null when it has none.
struct CodeCfi {
  Dwarf_CFI* cfi = nullptr;
  uint64_t bias = 0;
};
CodeCfi code_cfi(const CodeDwarf& c);

}  // namespace kinspect
