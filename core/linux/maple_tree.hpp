// Walking a maple tree (struct maple_tree, lib/maple_tree.c, 6.1+): every
// present entry with the index range it covers, in index order. Used for a
// mm's VMAs (mm->mm_mt) and by `tree -t maple`. Layouts from DWARF; no
// output here.
#pragma once

#include <cstdint>
#include <functional>

#include "core/error.hpp"

namespace kinspect {

class Program;

// Calls fn(first, last, entry) for each non-null, non-internal entry of the
// maple tree at `tree_address` (a struct maple_tree). A node seen twice, a
// tree deeper than the kernel's MAPLE_HEIGHT_MAX or a node type the walker
// does not know (dense nodes) is an error naming the node.
Status walk_maple_tree(Program& prog, uint64_t tree_address,
                       const std::function<Status(uint64_t first, uint64_t last, uint64_t entry)>& fn);

}  // namespace kinspect
