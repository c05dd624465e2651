// The one page-table walk loop, generic over a PagingForm. Each architecture
// supplies a PteFormat: what is present, what is a table and what maps
// memory, and where an entry's output address sits.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "arch/arch.hpp"

namespace kinspect {

enum class EntryKind {
  not_present,  // nothing mapped: the walk stops with Errc::not_present
  table,        // points at the next level's table
  leaf,         // maps memory: a page at the last level, a huge page/block above
  invalid,      // present but malformed (arm64 block where none is allowed)
};

class PteFormat {
 public:
  virtual ~PteFormat() = default;
  virtual EntryKind classify(uint64_t entry, const PagingLevel& level, bool last) const = 0;
  // Physical address an entry points at (table or page base), before masking
  // to the page size.
  virtual uint64_t output_address(uint64_t entry) const = 0;
};

using PhysReader = std::function<Status(uint64_t paddr, std::span<uint8_t> out)>;

// Walks vaddr through the tables rooted at root_paddr. Errors name the
// level, the entry's physical address and its value, and carry vaddr.
Result<Translation> walk_page_tables(const PagingForm& form, const PteFormat& fmt,
                                     const PhysReader& read_phys, uint64_t root_paddr,
                                     uint64_t vaddr);

}  // namespace kinspect
