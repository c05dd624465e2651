// Walking an XArray (struct xarray; also the radix tree behind struct idr):
// every present entry with its index, internal entries (nodes, retry and
// sibling entries) followed or skipped as lib/xarray.c defines them.
// Layouts from DWARF; no output here.
#pragma once

#include <cstdint>
#include <functional>

#include "core/error.hpp"

namespace kinspect {

class Program;

// Calls fn(index, entry) for each non-null, non-internal entry of the
// xarray whose xa_head is at `head_address`, in index order. A node chain
// that is deeper than an index allows or loops is an error.
Status walk_xarray(Program& prog, uint64_t head_address,
                   const std::function<Status(uint64_t index, uint64_t entry)>& fn);

}  // namespace kinspect
