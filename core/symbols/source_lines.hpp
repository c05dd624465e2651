// A source position as crash prints it ("debian/build/.../sysrq.c: 155").
// core/disasm/line_table.hpp finds them with gdb's rules.
#pragma once

#include <cstdint>
#include <string>

namespace kinspect {

struct SourceLine {
  std::string file;  // as the line table names it, e.g. "debian/build/.../sysrq.c"
  int line = 0;
};

}  // namespace kinspect
