#include "core/linux/percpu_area.hpp"

#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

Result<std::optional<PerCpuHit>> find_per_cpu(Program& prog, uint64_t vaddr) {
  const Symbol* start = prog.symbols().find("__per_cpu_start");
  const Symbol* end = prog.symbols().find("__per_cpu_end");
  const Symbol* unit = prog.symbols().find("pcpu_unit_size");
  if (!start || !unit) return std::optional<PerCpuHit>{};
  ASSIGN_OR_RETURN(uint32_t unit_size, prog.read_u32(unit->addr));
  ASSIGN_OR_RETURN(unsigned cpus, nr_cpu_ids(prog));
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    // A CPU's copy of a per-cpu variable is its address plus __per_cpu_offset[cpu].
    ASSIGN_OR_RETURN(uint64_t base, per_cpu_address(prog, start->addr, cpu));
    if (vaddr < base || vaddr - base >= unit_size) continue;
    PerCpuHit h;
    h.cpu = cpu;
    h.offset = vaddr - base;
    uint64_t sym_addr = start->addr + h.offset;
    const Symbol* best = nullptr;
    for (const auto& s : prog.symbols().sorted())
      if (s.is_percpu() && s.addr <= sym_addr && (!best || s.addr > best->addr)) best = &s;
    bool in_static = end && sym_addr < end->addr;
    if (best && in_static && (best->size == 0 || sym_addr < best->addr + best->size)) {
      h.symbol = std::string(best->name);
      h.symbol_offset = sym_addr - best->addr;
    }
    return std::optional<PerCpuHit>{h};
  }
  return std::optional<PerCpuHit>{};
}

}  // namespace kinspect
