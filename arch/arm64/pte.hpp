// arm64 translation-table descriptors (VMSAv8-64, stage 1): valid bit, table
// versus block/page, where the output address sits for 48-bit and 52-bit
// physical addresses, and the flag names crash's vtop prints.
#pragma once

#include <cstdint>
#include <string>

#include "arch/page_walk.hpp"

namespace kinspect::arm64 {

inline constexpr uint64_t kValid = 1ull << 0;
inline constexpr uint64_t kTable = 1ull << 1;  // table (upper levels) / page (last level)
inline constexpr uint64_t kUser = 1ull << 6;    // AP[1]
inline constexpr uint64_t kRdonly = 1ull << 7;  // AP[2]
inline constexpr uint64_t kShared = 3ull << 8;  // SH[1:0]
inline constexpr uint64_t kAf = 1ull << 10;
inline constexpr uint64_t kNg = 1ull << 11;
inline constexpr uint64_t kWrite = 1ull << 51;  // DBM
inline constexpr uint64_t kCont = 1ull << 52;
inline constexpr uint64_t kPxn = 1ull << 53;
inline constexpr uint64_t kUxn = 1ull << 54;
inline constexpr uint64_t kDirty = 1ull << 55;   // software bit
inline constexpr uint64_t kSpecial = 1ull << 56; // software bit

// Where bits 51:48 of a 52-bit output address go.
enum class OutputAddress {
  pa48,     // OA[47:page_shift] only
  lpa_64k,  // FEAT_LPA, 64K granule: OA[51:48] in descriptor bits [15:12]
  lpa2,     // FEAT_LPA2, 4K/16K granule: OA[51:50] in bits [9:8], OA[49:page_shift] in place
};

class PteFormat final : public kinspect::PteFormat {
 public:
  PteFormat() = default;
  PteFormat(unsigned page_shift, OutputAddress oa) : page_shift_(page_shift), oa_(oa) {}
  EntryKind classify(uint64_t entry, const PagingLevel& level, bool last) const override;
  uint64_t output_address(uint64_t entry) const override;
  OutputAddress output_form() const { return oa_; }

 private:
  unsigned page_shift_ = 12;
  OutputAddress oa_ = OutputAddress::pa48;
};

// "(VALID|SHARED|AF|PXN|UXN)" in crash's order and spelling
// (arm64_translate_pte); "(no mapping)" for 0.
std::string pte_flags(uint64_t pte);

}  // namespace kinspect::arm64
