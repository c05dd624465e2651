// The kernel's vmalloc areas: every busy struct vmap_area on vmap_area_list
// with its vm_struct (what /proc/vmallocinfo lists). No printing here.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct VmapArea {
  uint64_t address = 0;  // struct vmap_area
  uint64_t vm = 0;       // struct vm_struct, 0 for vm_map_ram areas
  uint64_t start = 0, end = 0;  // [va_start, va_end), guard page included
  uint64_t caller = 0;   // vm->caller
  uint64_t nr_pages = 0; // vm->nr_pages
};

// In address order, as the kernel keeps the list.
Result<std::vector<VmapArea>> read_vmap_areas(Program& prog);

// The area containing vaddr, if any.
Result<std::optional<VmapArea>> find_vmap_area(Program& prog, uint64_t vaddr);

}  // namespace kinspect
