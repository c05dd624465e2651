// Memory nodes (pglist_data: node_data[] on NUMA kernels, contig_page_data
// otherwise) and their zones, with each zone's size, watermarks, vm_stat
// counters and buddy free areas. No printing here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/vmstat.hpp"

namespace kinspect {

class Program;

struct FreeArea {
  unsigned order = 0;
  uint64_t address = 0;     // struct free_area
  uint64_t nr_free = 0;     // blocks of 2^order pages
  // free_list[] heads per migrate type, in enum migratetype order.
  std::vector<uint64_t> list_heads;
};

struct ZoneInfo {
  int node = 0;
  unsigned index = 0;
  uint64_t address = 0;  // struct zone
  std::string name;      // "DMA", "DMA32", "Normal"...
  uint64_t start_pfn = 0, spanned = 0, present = 0, managed = 0;
  uint64_t wmark_min = 0, wmark_low = 0, wmark_high = 0;
  std::vector<NamedCounter> vm_stat;  // zone_stat_item counters
  uint64_t per_cpu_zonestats = 0;     // __percpu pointer, 0 when the kernel has none
  std::vector<FreeArea> free_areas;
  bool populated() const { return present != 0; }
};

struct NodeInfo {
  int id = 0;
  uint64_t pgdat = 0;  // struct pglist_data
  uint64_t start_pfn = 0, spanned = 0, present = 0;
  std::vector<ZoneInfo> zones;
};

// Every online node with its zones; a zone that cannot be read is an error.
Result<std::vector<NodeInfo>> read_nodes(Program& prog);

// The enum migratetype names ("Unmovable", "Movable", ...) as the kernel's
// migratetype_names[] prints them, one per free_list.
Result<std::vector<std::string>> migrate_type_names(Program& prog);

}  // namespace kinspect
