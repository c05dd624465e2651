// crash's struct page line (PAGE PHYSICAL MAPPING INDEX CNT FLAGS), shared
// by vtop and kmem.
#pragma once

#include <cstdint>

#include "commands/output.hpp"
#include "core/error.hpp"

namespace kinspect {

class Program;

// The header and the line of the struct page at `page` (physical `paddr`).
Status print_page_block(Output& out, Program& prog, uint64_t page, uint64_t paddr);

}  // namespace kinspect
