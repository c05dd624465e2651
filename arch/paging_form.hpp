// Paging forms as data: the shape of each architecture's page tables, so a
// walk can be generic, `vtop` can print every level, and tests can name the
// geometry they build. Constructors for the forms kinspect knows live here.
#pragma once

#include <cstdint>
#include <string>

#include "arch/arch.hpp"

namespace kinspect {

// x86_64 4-level (PML4 PUD PMD PTE, 48-bit VA) or 5-level (PML5 first,
// 57-bit VA); 4K pages, 2M pages at PMD and 1G pages at PUD.
PagingForm x86_64_paging_form(bool five_level);

// arm64 with a 4K (12), 16K (14) or 64K (16) granule and va_bits of virtual
// address. The number of levels follows the kernel's
// ARM64_HW_PGTABLE_LEVELS(va_bits) = (va_bits - 4) / (page_shift - 3); the
// root level gets the leftover bits. Blocks are allowed where the
// architecture (and Linux) use them: 1G and 2M for 4K, 32M for 16K, 512M
// for 64K. Fails for a granule or va_bits the architecture does not define.
Result<PagingForm> arm64_paging_form(unsigned page_shift, unsigned va_bits);

// Index of vaddr at a level; entry address is table + index * entry_size.
inline uint64_t level_index(const PagingLevel& l, uint64_t vaddr) {
  return (vaddr >> l.shift) & ((uint64_t{1} << l.bits) - 1);
}

// "4K" "2M" "1G" "512M" "64K": page and block sizes as people say them.
std::string size_name(uint64_t bytes);

// One line: "x86_64 4-level, 4K pages: PML4(39,9) PUD(30,9,1G) PMD(21,9,2M) PTE(12,9,4K)".
std::string describe(const PagingForm& form);

}  // namespace kinspect
