// Which CPU's per-cpu area an address is in (the first chunk, where every
// static per-cpu variable lives), and the static variable there if any.
// No printing here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct PerCpuHit {
  unsigned cpu = 0;
  uint64_t offset = 0;     // from the start of that CPU's area
  std::string symbol;      // static per-cpu variable, "" in the dynamic part
  uint64_t symbol_offset = 0;
};

Result<std::optional<PerCpuHit>> find_per_cpu(Program& prog, uint64_t vaddr);

}  // namespace kinspect
