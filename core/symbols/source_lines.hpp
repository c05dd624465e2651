// Address -> file:line through a DWARF line table (libdw), as crash's `sym`
// and `dis -l` print them.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"

typedef struct Dwarf Dwarf;

namespace kinspect {

struct SourceLine {
  std::string file;  // as the line table names it, e.g. "debian/build/.../sysrq.c"
  int line = 0;
};

// link_addr is in the DWARF file's own (link-time) address space.
Result<SourceLine> find_source_line(Dwarf* dw, uint64_t link_addr);

}  // namespace kinspect
