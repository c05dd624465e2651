#include "arch/page_walk.hpp"

#include <cstring>

#include "arch/paging_form.hpp"

namespace kinspect {

Result<Translation> walk_page_tables(const PagingForm& form, const PteFormat& fmt,
                                     const PhysReader& read_phys, uint64_t root_paddr,
                                     uint64_t vaddr) {
  Translation t;
  t.vaddr = vaddr;
  t.root_paddr = root_paddr;
  uint64_t table = root_paddr;
  for (size_t i = 0; i < form.levels.size(); ++i) {
    const PagingLevel& lvl = form.levels[i];
    const bool last = i + 1 == form.levels.size();
    const uint64_t entry_paddr = table + level_index(lvl, vaddr) * form.entry_size;
    uint8_t buf[8] = {};
    auto st = read_phys(entry_paddr, std::span<uint8_t>(buf, form.entry_size));
    if (!st.ok()) {
      Error e = std::move(st).error().context("reading " + lvl.name + " entry at paddr " +
                                              hex(entry_paddr) + " translating " + hex(vaddr));
      if (!e.address) e.address = vaddr;
      return fail(std::move(e));
    }
    uint64_t entry = 0;
    std::memcpy(&entry, buf, form.entry_size);  // little-endian hosts and targets
    t.steps.push_back({lvl.name, table, entry_paddr, entry});

    const EntryKind kind = fmt.classify(entry, lvl, last);
    // Only an error names the entry: formatting it for every level of every
    // read was most of the cost of reading vmalloc'ed memory (task stacks).
    auto where = [&] { return lvl.name + " entry at paddr " + hex(entry_paddr) + " is " + hex(entry); };
    switch (kind) {
      case EntryKind::not_present:
        return fail(Errc::not_present,
                    hex(vaddr) + ": not mapped: " + where() + " (not present)", vaddr);
      case EntryKind::invalid:
        return fail(Errc::format, hex(vaddr) + ": " + where() + " (invalid descriptor)", vaddr);
      case EntryKind::table:
        if (last)
          return fail(Errc::format, hex(vaddr) + ": " + where() + " (table at last level)", vaddr);
        table = fmt.output_address(entry);
        continue;
      case EntryKind::leaf: {
        if (!lvl.leaf_allowed)
          return fail(Errc::format,
                      hex(vaddr) + ": " + where() + " (maps memory at a level that cannot)",
                      vaddr);
        const uint64_t size = uint64_t{1} << lvl.shift;
        t.page_size = size;
        t.paddr = (fmt.output_address(entry) & ~(size - 1)) | (vaddr & (size - 1));
        return t;
      }
    }
  }
  return fail(Errc::format, hex(vaddr) + ": page-table walk ended without a leaf", vaddr);
}

}  // namespace kinspect
