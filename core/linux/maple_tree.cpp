#include "core/linux/maple_tree.hpp"

#include <cstring>
#include <string>
#include <vector>
#include <unordered_set>

#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// include/linux/maple_tree.h: a node pointer ("enode") is an internal entry
// (low bits 10) above MAPLE_RESERVED_RANGE; its bits 3..6 hold the node
// type, bits 0..7 are not part of the 256-byte aligned node address.
constexpr uint64_t kReservedRange = 4096;
constexpr uint64_t kNodeMask = 0xff;
constexpr unsigned kTypeShift = 3;
constexpr uint64_t kTypeMask = 0xf;
enum MapleType : uint64_t { kDense = 0, kLeaf64 = 1, kRange64 = 2, kArange64 = 3 };
constexpr unsigned kHeightMax = 31;  // MAPLE_HEIGHT_MAX
constexpr size_t kNodeLimit = 1u << 22;

bool is_internal(uint64_t e) { return (e & 3) == 2; }
bool is_node(uint64_t e) { return is_internal(e) && e > kReservedRange; }

// Where a node kind keeps its pivots and slots, and how many.
struct NodeLayout {
  uint64_t pivot_off = 0, slot_off = 0;
  unsigned pivots = 0, slots = 0;
};

struct Layouts {
  NodeLayout range, arange;
};

Result<Layouts> read_layouts(Program& prog) {
  const Types& t = prog.types();
  Layouts l;
  ASSIGN_OR_RETURN(l.range.pivot_off, t.member_offset("maple_node", "mr64.pivot"));
  ASSIGN_OR_RETURN(l.range.slot_off, t.member_offset("maple_node", "mr64.slot"));
  ASSIGN_OR_RETURN(l.arange.pivot_off, t.member_offset("maple_node", "ma64.pivot"));
  ASSIGN_OR_RETURN(l.arange.slot_off, t.member_offset("maple_node", "ma64.slot"));
  ASSIGN_OR_RETURN(uint64_t gap_off, t.member_offset("maple_node", "ma64.gap"));
  // The arrays follow each other: pivot[N-1] then slot[N] (then, for
  // allocation-range nodes, gap[N]), so their lengths follow from offsets.
  l.range.pivots = static_cast<unsigned>((l.range.slot_off - l.range.pivot_off) / 8);
  l.range.slots = l.range.pivots + 1;
  l.arange.pivots = static_cast<unsigned>((l.arange.slot_off - l.arange.pivot_off) / 8);
  l.arange.slots = static_cast<unsigned>((gap_off - l.arange.slot_off) / 8);
  if (l.range.slots < 2 || l.range.slots > 64 || l.arange.slots < 2 || l.arange.slots > 64)
    return fail(Errc::unsupported, "maple_node layout not understood (slot counts)");
  return l;
}

struct Walker {
  Program& prog;
  Layouts lay;
  const std::function<Status(uint64_t, uint64_t, uint64_t)>& fn;
  std::unordered_set<uint64_t> seen;

  Status node(uint64_t enode, uint64_t min, uint64_t max, unsigned depth) {
    uint64_t addr = enode & ~kNodeMask;
    uint64_t type = (enode >> kTypeShift) & kTypeMask;
    std::string where = "maple node " + hex(addr);
    if (depth > kHeightMax) return fail(Errc::format, where + ": tree deeper than MAPLE_HEIGHT_MAX", addr);
    if (!seen.insert(addr).second) return fail(Errc::format, where + ": node seen twice (loop)", addr);
    if (seen.size() > kNodeLimit) return fail(Errc::format, where + ": too many nodes", addr);
    const NodeLayout* nl = nullptr;
    if (type == kLeaf64 || type == kRange64) nl = &lay.range;
    else if (type == kArange64) nl = &lay.arange;
    else return fail(Errc::unsupported, where + ": node type " + std::to_string(type) + " (dense) not handled", addr);
    bool leaf = type == kLeaf64;
    std::vector<uint8_t> buf(nl->slot_off + 8 * nl->slots);
    TRY_VOID(prog.read(addr, buf).context(where));
    auto word = [&](uint64_t off) {
      uint64_t v;
      std::memcpy(&v, buf.data() + off, 8);
      return v;
    };
    uint64_t first = min;
    for (unsigned i = 0; i < nl->slots; ++i) {
      uint64_t pivot = i < nl->pivots ? word(nl->pivot_off + 8 * i) : max;
      if (i > 0 && pivot == 0) break;  // past the node's data
      if (pivot > max || pivot < first)
        return fail(Errc::format, where + ": pivot " + std::to_string(i) + " out of range", addr);
      uint64_t e = word(nl->slot_off + 8 * i);
      if (leaf) {
        if (e && !is_internal(e)) TRY_VOID(fn(first, pivot, e));
      } else if (e) {
        // A child is an enode (node | type << 3 | MAPLE_ENODE_NULL); only the
        // root pointer carries the internal-entry tag (MAPLE_ROOT_NODE).
        if ((e & ~kNodeMask) < kReservedRange)
          return fail(Errc::format, where + ": slot " + std::to_string(i) + " is not a node", addr);
        TRY_VOID(node(e, first, pivot, depth + 1));
      }
      if (pivot >= max) break;
      first = pivot + 1;
    }
    return {};
  }
};

}  // namespace

Status walk_maple_tree(Program& prog, uint64_t tree_address,
                       const std::function<Status(uint64_t, uint64_t, uint64_t)>& fn) {
  ASSIGN_OR_RETURN(uint64_t root_off, prog.types().member_offset("maple_tree", "ma_root"));
  ASSIGN_OR_RETURN(uint64_t root, prog.read_u64(tree_address + root_off).context("maple_tree at " + hex(tree_address)));
  if (!root) return {};
  // A tree of one entry at index 0 keeps it in ma_root itself.
  if (!is_node(root)) return is_internal(root) ? Status{} : fn(0, 0, root);
  ASSIGN_OR_RETURN(Layouts lay, read_layouts(prog));
  Walker w{prog, lay, fn, {}};
  return w.node(root, 0, ~uint64_t{0}, 0);
}

}  // namespace kinspect
