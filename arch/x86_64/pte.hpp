// x86_64 page-table entries: which bits mean present and huge, where the
// physical address sits, and the flag names crash's vtop prints.
#pragma once

#include <cstdint>
#include <string>

#include "arch/page_walk.hpp"

namespace kinspect::x86_64 {

inline constexpr uint64_t kPresent = 1ull << 0;
inline constexpr uint64_t kRw = 1ull << 1;
inline constexpr uint64_t kUser = 1ull << 2;
inline constexpr uint64_t kPwt = 1ull << 3;
inline constexpr uint64_t kPcd = 1ull << 4;
inline constexpr uint64_t kAccessed = 1ull << 5;
inline constexpr uint64_t kDirty = 1ull << 6;
inline constexpr uint64_t kPse = 1ull << 7;
inline constexpr uint64_t kGlobal = 1ull << 8;
inline constexpr uint64_t kProtNone = kGlobal;  // _PAGE_PROTNONE reuses the global bit
inline constexpr uint64_t kNx = 1ull << 63;
// PTE_PFN_MASK with __PHYSICAL_MASK_SHIFT 52.
inline constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;

class PteFormat final : public kinspect::PteFormat {
 public:
  // sme_mask: AMD SME's encryption bit (VMCOREINFO NUMBER(sme_mask)), which
  // sits inside the address field and is no part of the address.
  explicit PteFormat(uint64_t sme_mask = 0) : sme_mask_(sme_mask) {}
  EntryKind classify(uint64_t entry, const PagingLevel& level, bool last) const override;
  uint64_t output_address(uint64_t entry) const override {
    return entry & kAddressMask & ~sme_mask_;
  }

 private:
  uint64_t sme_mask_;
};

// "(PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL|NX)" in crash's order and spelling
// (x86_64_translate_pte); "(no mapping)" for 0.
std::string pte_flags(uint64_t pte);

}  // namespace kinspect::x86_64
