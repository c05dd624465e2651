#include "arch/arm64/pte.hpp"

namespace kinspect::arm64 {

namespace {
constexpr uint64_t genmask(unsigned hi, unsigned lo) {
  return (~0ull >> (63 - hi)) & (~0ull << lo);
}
}  // namespace

EntryKind PteFormat::classify(uint64_t e, const PagingLevel& level, bool last) const {
  if (!(e & kValid)) return EntryKind::not_present;
  if (last) return (e & kTable) ? EntryKind::leaf : EntryKind::invalid;  // 0b01 is reserved
  if (e & kTable) return EntryKind::table;
  return level.leaf_allowed ? EntryKind::leaf : EntryKind::invalid;
}

uint64_t PteFormat::output_address(uint64_t e) const {
  switch (oa_) {
    case OutputAddress::pa48:
      return e & genmask(47, page_shift_);
    case OutputAddress::lpa_64k:
      return (e & genmask(47, 16)) | (((e >> 12) & 0xf) << 48);
    case OutputAddress::lpa2:
      return (e & genmask(49, page_shift_)) | (((e >> 8) & 0x3) << 50);
  }
  return 0;
}

std::string pte_flags(uint64_t pte) {
  if (pte == 0) return "(no mapping)";
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += '|';
    s += name;
  };
  add(pte & kValid, "VALID");
  add(pte & kUser, "USER");
  add(pte & kRdonly, "RDONLY");
  add(pte & kShared, "SHARED");
  add(pte & kAf, "AF");
  add(pte & kNg, "NG");
  add(pte & kPxn, "PXN");
  add(pte & kUxn, "UXN");
  add(pte & kDirty, "DIRTY");
  add(pte & kSpecial, "SPECIAL");
  add(pte & kWrite, "WRITE");
  add(pte & kCont, "CONT");
  if (s.empty()) return "(" + hex(pte) + ")";
  return "(" + s + ")";
}

}  // namespace kinspect::arm64
