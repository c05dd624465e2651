// The numbers of crash's `kmem -i`, in pages: total and free RAM, shared,
// buffers, cached and slab pages, hugetlb pools, swap and the commit limit,
// each taken where crash takes it (counters, or a walk of the struct pages
// for SHARED and SLAB) so the two can be compared. No printing here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/mem_map.hpp"
#include "core/linux/vmstat.hpp"

namespace kinspect {

class Program;

struct MemSummary {
  uint64_t total = 0;    // totalram_pages
  uint64_t free = 0;     // NR_FREE_PAGES
  uint64_t shared = 0;   // struct pages not reserved with _refcount > 1
  uint64_t buffers = 0;  // block-device page cache (nr_blockdev_pages)
  uint64_t cached = 0;   // NR_FILE_PAGES - swap cache - buffers
  uint64_t slab = 0;     // struct pages with PG_slab set
  uint64_t huge_total = 0, huge_free = 0;  // in small pages, every hstate
  uint64_t swap_total = 0, swap_free = 0;
  uint64_t commit_limit = 0, committed = 0;
  PageCounts page_counts;
  // Values that could not be read (shown as 0), one line each.
  std::vector<std::string> gaps;
};

Result<MemSummary> read_mem_summary(Program& prog, const VmStat& vm);

}  // namespace kinspect
