#include "arch/paging_form.hpp"

namespace kinspect {

PagingForm x86_64_paging_form(bool five_level) {
  PagingForm f;
  f.name = five_level ? "x86_64 5-level, 4K pages" : "x86_64 4-level, 4K pages";
  f.page_shift = 12;
  f.va_bits = five_level ? 57 : 48;
  if (five_level) f.levels.push_back({"PML5", 48, 9, false});
  f.levels.push_back({"PML4", 39, 9, false});
  f.levels.push_back({"PUD", 30, 9, true});
  f.levels.push_back({"PMD", 21, 9, true});
  f.levels.push_back({"PTE", 12, 9, true});
  return f;
}

Result<PagingForm> arm64_paging_form(unsigned page_shift, unsigned va_bits) {
  if (page_shift != 12 && page_shift != 14 && page_shift != 16)
    return fail(Errc::unsupported,
                "arm64 page size " + size_name(uint64_t{1} << page_shift) + " is not a granule");
  if (va_bits < 36 || va_bits > 52)
    return fail(Errc::unsupported, "arm64 VA_BITS " + std::to_string(va_bits) + " out of range");
  const unsigned per_level = page_shift - 3;
  const unsigned nlevels = (va_bits - 4) / per_level;  // ARM64_HW_PGTABLE_LEVELS
  if (nlevels < 2 || nlevels > 5)
    return fail(Errc::unsupported, "arm64 VA_BITS " + std::to_string(va_bits) + " with " +
                                       size_name(uint64_t{1} << page_shift) + " granule");
  // Block sizes Linux maps with (pud_sect / pmd_sect): 4K -> 1G, 2M; 16K -> 32M; 64K -> 512M.
  auto block_ok = [&](unsigned shift) {
    switch (page_shift) {
      case 12: return shift == 30 || shift == 21;
      case 14: return shift == 25;
      default: return shift == 29;
    }
  };
  // Names bottom-up: PTE, PMD, PUD, P4D; the root is always PGD.
  static const char* const kNames[] = {"PTE", "PMD", "PUD", "P4D"};
  PagingForm f;
  f.name = "arm64 " + size_name(uint64_t{1} << page_shift) + " granule, " +
           std::to_string(va_bits) + "-bit VA";
  f.page_shift = page_shift;
  f.va_bits = va_bits;
  for (unsigned i = nlevels; i-- > 0;) {
    PagingLevel l;
    l.shift = page_shift + i * per_level;
    l.bits = i == nlevels - 1 ? va_bits - l.shift : per_level;
    l.name = i == nlevels - 1 ? "PGD" : kNames[i];
    l.leaf_allowed = i == 0 || block_ok(l.shift);
    f.levels.push_back(l);
  }
  return f;
}

std::string size_name(uint64_t bytes) {
  static const char kUnits[] = {'\0', 'K', 'M', 'G', 'T', 'P'};
  int u = 0;
  while (bytes >= 1024 && bytes % 1024 == 0 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  std::string s = std::to_string(bytes);
  if (kUnits[u]) s += kUnits[u];
  return s;
}

std::string describe(const PagingForm& form) {
  std::string s = form.name + ":";
  for (const auto& l : form.levels) {
    s += " " + l.name + "(" + std::to_string(l.shift) + "," + std::to_string(l.bits);
    if (l.leaf_allowed) s += "," + size_name(uint64_t{1} << l.shift);
    s += ")";
  }
  return s;
}

}  // namespace kinspect
