// struct page as crash's `kmem -p` and `vtop` show it: mapping, index,
// reference count and flags, with the set PG_ bits named.
#pragma once

#include <cstdint>
#include <string>

#include "core/program.hpp"

namespace kinspect {

struct PageInfo {
  uint64_t address = 0;  // the struct page
  uint64_t mapping = 0;
  uint64_t index = 0;
  int64_t count = 0;     // _refcount
  uint64_t flags = 0;
};

Result<PageInfo> read_page_info(Program& prog, uint64_t page_address);

// "reserved", "referenced,uptodate,lru": the PG_ bits below __NR_PAGEFLAGS
// that are set, named from the kernel's own enum pageflags (first name of
// each value; later aliases such as PG_checked are skipped).
Result<std::string> page_flag_names(Program& prog, uint64_t flags);

}  // namespace kinspect
