// The kernel's global memory counters: vm_zone_stat, vm_node_stat (one
// vm_stat before 4.8), the NUMA event counters (vm_numa_event since 5.14,
// vm_numa_stat before) and the per-cpu vm_event_states, each counter named
// by its enumerator in the kernel's own enum, so /proc/vmstat and crash's
// `kmem -V` can be checked name by name. No printing here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct NamedCounter {
  std::string name;  // the enumerator: "NR_FREE_PAGES", "PGFAULT"
  int64_t value = 0;
};

struct CounterTable {
  std::string title;  // crash's heading: "VM_ZONE_STAT", "VM_NODE_STAT", "VM_EVENT_STATES"
  std::vector<NamedCounter> counters;
  std::optional<int64_t> get(std::string_view name) const;
};

struct VmStat {
  // In crash's order: zone (or the single pre-4.8 vm_stat), node, NUMA
  // events (only when the kernel has them), events. A table the kernel does
  // not have is absent; one that cannot be read is an error in `gaps`.
  std::vector<CounterTable> tables;
  std::vector<std::string> gaps;
  const CounterTable* table(std::string_view title) const;
  // A counter by enumerator name from any table.
  std::optional<int64_t> get(std::string_view name) const;
};

// The names of enum `tag`'s enumerators below the one called `count_name`
// (NR_VM_ZONE_STAT_ITEMS...), indexed by value. Where two enumerators share
// a value (NR_LRU_BASE and NR_INACTIVE_ANON) the later one names it, as in
// crash.
Result<std::vector<std::string>> counter_names(Program& prog, std::string_view tag,
                                               std::string_view count_name);

// Reads an array of `names.size()` 8-byte counters (atomic_long_t,
// unsigned long) at `address`, named by index.
Result<std::vector<NamedCounter>> read_counters(Program& prog, uint64_t address,
                                                const std::vector<std::string>& names);

Result<VmStat> read_vm_stat(Program& prog);

}  // namespace kinspect
