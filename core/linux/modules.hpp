// Loaded kernel modules, read from the `modules` list in the dump: name,
// where their code and data sit, and their kallsyms symbols, so module
// addresses resolve before any module debuginfo is loaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/program.hpp"

namespace kinspect {

struct ModuleSymbol {
  std::string name;
  uint64_t addr = 0;
  uint64_t size = 0;
  char type = '?';  // kallsyms type letter
};

// One of a 6.4+ module's core memory regions (mem[MOD_TEXT] ...).
struct ModuleRegion {
  std::string name;  // the enum mod_mem_type name without MOD_: TEXT, DATA, RODATA, RO_AFTER_INIT
  uint64_t base = 0, size = 0;
};

struct KernelModule {
  uint64_t address = 0;  // struct module
  std::string name;
  uint64_t base = 0;     // start of the core (text) area
  uint64_t size = 0;     // total core size
  uint64_t text_size = 0;
  // 6.4+ (mem[] regions, placed apart): the core regions' sizes added up,
  // which crash prints as SIZE; 0 on older kernels, where size is that total.
  uint64_t core_total = 0;
  std::vector<ModuleRegion> regions;  // 6.4+: the core regions in use; empty before
  std::vector<ModuleSymbol> symbols;  // from mod->kallsyms, address order
  uint64_t taints = 0;   // mod->taints: TAINT_* bits
  std::string error;     // why the symbols could not be read, if they could not
};

// Walks `modules`. The layout (6.4's mem[] array, core_layout since 4.5,
// module_core before) is detected from DWARF, never from the version.
Result<std::vector<KernelModule>> read_modules(Program& prog);

// A module's taint letters ("OE"), in bit order, from the kernel's own
// taint_flags[] table (c_true per TAINT_* bit) read from the dump.
Result<std::string> module_taint_letters(Program& prog, uint64_t taints);

// Puts one module's kallsyms symbols (back) in the symbol table, replacing
// any it had (mod -d drops a debug file's symbols this way).
void add_kallsyms_symbols(Program& prog, const KernelModule& m);

// Adds every module's kallsyms symbols to the program's symbol table.
// Returns the modules read (for `mod`, `sym -m`).
Result<std::vector<KernelModule>> load_module_symbols(Program& prog);

}  // namespace kinspect
