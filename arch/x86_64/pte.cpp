#include "arch/x86_64/pte.hpp"

namespace kinspect::x86_64 {

EntryKind PteFormat::classify(uint64_t e, const PagingLevel& level, bool last) const {
  const bool huge = !last && level.leaf_allowed && (e & kPse);
  // pte_present()/pmd_present() count PROTNONE pages (mprotect(PROT_NONE)
  // clears _PAGE_PRESENT but the page stays in memory) as present.
  const bool present = (e & kPresent) || ((last || huge) && (e & kProtNone));
  if (!present) return EntryKind::not_present;
  if (last || huge) return EntryKind::leaf;
  return EntryKind::table;
}

std::string pte_flags(uint64_t pte) {
  if (pte == 0) return "(no mapping)";
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += '|';
    s += name;
  };
  add(pte & kPresent, "PRESENT");
  add(pte & kRw, "RW");
  add(pte & kUser, "USER");
  add(pte & kPwt, "PWT");
  add(pte & kPcd, "PCD");
  add(pte & kAccessed, "ACCESSED");
  add(pte & kDirty, "DIRTY");
  add((pte & kPse) && (pte & kPresent), "PSE");
  add((pte & kProtNone) && !(pte & kPresent), "PROTNONE");
  add(pte & kGlobal, "GLOBAL");
  add(pte & kNx, "NX");
  return "(" + s + ")";
}

}  // namespace kinspect::x86_64
