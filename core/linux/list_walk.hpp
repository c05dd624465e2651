// Walking a kernel circular list_head: every caller gets the same loop and
// corruption checks (a null link, a loop that never returns to the head, a
// list longer than any real one) as one error naming the list.
#pragma once

#include <cstdint>
#include <unordered_set>

#include "core/error.hpp"
#include "core/program.hpp"

namespace kinspect {

constexpr size_t kMaxListEntries = 1 << 22;

// Walks the circular list whose head (not an entry itself) is at `head`;
// calls fn(entry_address) for each node minus `offset` (the offset of the
// list_head in the entry), in `next` order.
template <class Fn>
Status walk_list(Program& prog, uint64_t head, uint64_t offset, Fn&& fn) {
  std::unordered_set<uint64_t> seen;
  ASSIGN_OR_RETURN(uint64_t node, prog.read_u64(head));
  while (node != head) {
    if (node == 0) return fail(Errc::format, "null pointer in list at " + hex(head));
    if (!seen.insert(node).second)
      return fail(Errc::format, "list at " + hex(head) + " loops without returning to its head", node);
    if (seen.size() > kMaxListEntries) return fail(Errc::format, "list at " + hex(head) + " is too long");
    TRY_VOID(fn(node - offset));
    ASSIGN_OR_RETURN(node, prog.read_u64(node));
  }
  return {};
}

}  // namespace kinspect
