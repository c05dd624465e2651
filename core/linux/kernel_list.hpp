// Walking the kernel's circular doubly-linked lists (struct list_head) and
// singly-linked hash chains (struct hlist_head), refusing to loop: a list
// that revisits a node or grows past any real length is an error naming the
// address, never a hang. Used by every kernel-object family in core/linux/.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "core/error.hpp"
#include "core/program.hpp"

namespace kinspect {

// A list longer than this is corrupt.
constexpr size_t kMaxListEntries = 1 << 22;

// Walks a circular list_head starting at `head` (not an entry itself);
// calls fn(entry_address) for each node minus `offset` (the list_head's
// offset in the entry: container_of). fn returns a Status; an error stops.
template <class Fn>
Status walk_list(Program& prog, uint64_t head, uint64_t offset, Fn&& fn) {
  std::set<uint64_t> seen;
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

// Walks an hlist (struct hlist_head at `head`: first; struct hlist_node:
// next, pprev) until a null next; fn(entry_address) as for walk_list.
template <class Fn>
Status walk_hlist(Program& prog, uint64_t head, uint64_t offset, Fn&& fn) {
  std::set<uint64_t> seen;
  ASSIGN_OR_RETURN(uint64_t node, prog.read_u64(head));
  while (node != 0) {
    if (!seen.insert(node).second)
      return fail(Errc::format, "hlist at " + hex(head) + " loops", node);
    if (seen.size() > kMaxListEntries) return fail(Errc::format, "hlist at " + hex(head) + " is too long");
    TRY_VOID(fn(node - offset));
    ASSIGN_OR_RETURN(node, prog.read_u64(node));
  }
  return {};
}

}  // namespace kinspect
