// The struct page array (mem_map / vmemmap) over every node's spanned page
// frames, read in chunks, for the counts crash's `kmem -i` takes from it.
// No printing here.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct PageCounts {
  uint64_t pages = 0;       // struct pages read
  uint64_t unreadable = 0;  // page frames whose struct page was not in the dump
  uint64_t reserved = 0;    // PG_reserved
  uint64_t slab = 0;        // PG_slab (the head page of each slab only, since 5.x)
  uint64_t shared = 0;      // not reserved, _refcount > 1
};

// Calls fn(pfn, struct page address, the struct page's bytes) for every
// page frame of every node whose struct page is readable. fn returns false
// to stop. Needs a virtually mapped mem_map (SPARSEMEM_VMEMMAP, arm64 and
// x86_64 since 2.6.24).
Status for_each_page(Program& prog,
                     const std::function<bool(uint64_t pfn, uint64_t page, std::span<const uint8_t> bytes)>& fn,
                     uint64_t* unreadable = nullptr);

Result<PageCounts> count_pages(Program& prog);

}  // namespace kinspect
