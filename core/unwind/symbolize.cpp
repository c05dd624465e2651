// symbolize (see symbolize.hpp).
#include "core/unwind/symbolize.hpp"

#include <cstdio>

#include "core/program.hpp"

namespace kinspect {

std::string symbolize(const Program& prog, uint64_t pc, const SymbolStyle& style) {
  auto m = prog.symbols().lookup(style.return_address ? pc - 1 : pc);
  char b[32];
  if (!m) {
    std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(pc));
    return b;
  }
  if (style.return_address) ++m->offset;
  std::string s(m->sym->name);
  if (style.offset && m->offset) {
    if (style.radix == 16) std::snprintf(b, sizeof b, "+0x%llx", static_cast<unsigned long long>(m->offset));
    else std::snprintf(b, sizeof b, "+%llu", static_cast<unsigned long long>(m->offset));
    s += b;
  }
  if (!m->sym->module.empty()) s += " [" + std::string(m->sym->module) + "]";
  return s;
}

}  // namespace kinspect
