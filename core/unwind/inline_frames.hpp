// The calls inlined at an address: for bt -l and the frame-variable
// evaluator's inlined frames. Read from the DWARF scopes (dwarf_getscopes)
// of vmlinux; module addresses have none until their debuginfo is loaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kinspect {

class Program;

struct InlineLevel {
  std::string function;  // the function running at this level
  std::string file;      // where this level is executing
  int line = 0;
  bool inlined = false;  // an inlined call (false for the outermost function)
};

// Innermost first; the last entry is the real (out-of-line) function. Empty
// when DWARF does not cover the address.
std::vector<InlineLevel> inline_chain(const Program& prog, uint64_t addr);

}  // namespace kinspect
