// XArray walk: see xarray.hpp.
#include "core/linux/xarray.hpp"

#include <array>
#include <set>
#include <vector>

#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// include/linux/xarray.h: internal entries have the low two bits 10; node
// pointers are internal entries above 4096 (xa_is_node), smaller ones are
// retry/sibling markers.
bool is_internal(uint64_t e) { return (e & 3) == 2; }
bool is_node(uint64_t e) { return is_internal(e) && e > 4096; }

struct XaLayout {
  uint64_t shift = 0, slots = 0;
  uint64_t nr_slots = 64;
};

Status walk_node(Program& prog, const XaLayout& l, uint64_t node, uint64_t base, unsigned depth,
                 std::set<uint64_t>& seen, const std::function<Status(uint64_t, uint64_t)>& fn) {
  if (depth > 16 || !seen.insert(node).second) return fail(Errc::format, "xarray node " + hex(node) + " loops");
  std::array<uint8_t, 1> shift_b{};
  TRY_VOID(prog.read(node + l.shift, shift_b));
  unsigned shift = shift_b[0];
  if (shift > 63) return fail(Errc::format, "xarray node " + hex(node) + " has shift " + std::to_string(shift));
  std::vector<uint8_t> slots(l.nr_slots * 8);
  TRY_VOID(prog.read(node + l.slots, slots).context("xarray node " + hex(node)));
  for (uint64_t i = 0; i < l.nr_slots; ++i) {
    uint64_t e = 0;
    for (int b = 7; b >= 0; --b) e = (e << 8) | slots[i * 8 + b];
    if (!e) continue;
    uint64_t index = base + (i << shift);
    if (is_node(e) && shift > 0) {
      TRY_VOID(walk_node(prog, l, e - 2, index, depth + 1, seen, fn));
    } else if (!is_internal(e)) {
      TRY_VOID(fn(index, e));
    }
  }
  return {};
}

}  // namespace

Status walk_xarray(Program& prog, uint64_t head_address,
                   const std::function<Status(uint64_t index, uint64_t entry)>& fn) {
  XaLayout l;
  ASSIGN_OR_RETURN(l.shift, prog.types().member_offset("xa_node", "shift"));
  ASSIGN_OR_RETURN(const Type* node_type, prog.types().find_struct("xa_node"));
  ASSIGN_OR_RETURN(auto slots, prog.types().member_path(node_type, "slots"));
  l.slots = slots.offset;
  // XA_CHUNK_SIZE: 64, or 16 with CONFIG_BASE_SMALL.
  l.nr_slots = slots.type->strip()->count.value_or(64);
  ASSIGN_OR_RETURN(uint64_t head, prog.read_u64(head_address));
  if (!head) return {};
  if (!is_node(head)) return is_internal(head) ? Status{} : fn(0, head);
  std::set<uint64_t> seen;
  return walk_node(prog, l, head - 2, 0, 0, seen, fn);
}

}  // namespace kinspect
