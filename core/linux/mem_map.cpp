#include "core/linux/mem_map.hpp"

#include <cstring>
#include <vector>

#include "core/linux/zones.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

Status for_each_page(Program& prog,
                     const std::function<bool(uint64_t, uint64_t, std::span<const uint8_t>)>& fn,
                     uint64_t* unreadable) {
  ASSIGN_OR_RETURN(const Type* page_t, prog.types().find_struct("page"));
  const uint64_t psize = page_t->byte_size();
  const Arch& arch = prog.arch();
  unsigned shift = 0;
  while ((1ull << shift) < arch.page_size()) ++shift;
  if (psize == 0 || !arch.page_struct(0).has_value())
    return fail(Errc::unsupported, "struct page addresses unknown (no vmemmap base)");
  ASSIGN_OR_RETURN(auto nodes, read_nodes(prog));
  // One vmemmap page at a time: a chunk that is not in the dump (a hole in
  // sparse memory) costs only its own page frames.
  const uint64_t per_chunk = std::max<uint64_t>(1, arch.page_size() / psize);
  std::vector<uint8_t> buf(per_chunk * psize);
  for (const auto& n : nodes) {
    uint64_t end = n.start_pfn + n.spanned;
    for (uint64_t pfn = n.start_pfn; pfn < end;) {
      uint64_t chunk_end = std::min(end, (pfn / per_chunk + 1) * per_chunk);
      uint64_t count = chunk_end - pfn;
      uint64_t first = *arch.page_struct(pfn << shift);
      std::span<uint8_t> bytes(buf.data(), count * psize);
      if (!prog.read(first, bytes).ok()) {
        if (unreadable) *unreadable += count;
        pfn = chunk_end;
        continue;
      }
      for (uint64_t i = 0; i < count; ++i)
        if (!fn(pfn + i, first + i * psize, bytes.subspan(i * psize, psize))) return {};
      pfn = chunk_end;
    }
  }
  return {};
}

Result<PageCounts> count_pages(Program& prog) {
  const Types& types = prog.types();
  ASSIGN_OR_RETURN(uint64_t flags_off, types.member_offset("page", "flags"));
  // _refcount since 4.6 (kernel commit 0139aa7b7fa1), _count before.
  auto ref = types.member_offset("page", "_refcount");
  if (!ref.ok()) ref = types.member_offset("page", "_count");
  if (!ref.ok()) return fail(std::move(ref).error());
  uint64_t ref_off = *ref;
  auto pg_slab = types.enumerator("PG_slab");
  auto pg_reserved = types.enumerator("PG_reserved");
  if (!pg_slab || !pg_reserved) return fail(Errc::not_found, "enum pageflags has no PG_slab or PG_reserved");
  PageCounts c;
  TRY_VOID(for_each_page(
      prog,
      [&](uint64_t, uint64_t, std::span<const uint8_t> b) {
        uint64_t flags;
        int32_t count;
        std::memcpy(&flags, b.data() + flags_off, 8);
        std::memcpy(&count, b.data() + ref_off, 4);
        ++c.pages;
        if ((flags >> pg_slab->value) & 1) ++c.slab;
        if ((flags >> pg_reserved->value) & 1)
          ++c.reserved;
        else if (count > 1)
          ++c.shared;
        return true;
      },
      &c.unreadable));
  return c;
}

}  // namespace kinspect
