#include "core/types/flags.hpp"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <map>

namespace kinspect {

namespace {

bool is_mask_name(const std::string& n) { return n.find("MASK") != std::string::npos; }

size_t common_prefix(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

DecodedFlags decode_flags(uint64_t v, const std::vector<FlagName>& names, bool require_disjoint) {
  DecodedFlags exact;
  for (const auto& n : names)
    if (static_cast<uint64_t>(n.value) == v && !is_mask_name(n.name)) {
      exact.names.push_back(n.name);  // one name says it all
      return exact;
    }
  std::multimap<uint64_t, std::string> found;  // ordered by the bits they stand for
  uint64_t left = v;
  std::vector<const FlagName*> masks, plain;
  for (const auto& n : names) {
    if (n.value < 0) continue;
    (is_mask_name(n.name) && std::popcount(static_cast<uint64_t>(n.value)) > 1 ? masks : plain).push_back(&n);
  }
  uint64_t field_bits = 0;
  for (const FlagName* m : masks) {
    uint64_t mv = static_cast<uint64_t>(m->value);
    // The field's values: nonzero enumerators inside the mask, and zero ones
    // named like them (CSD_TYPE_ASYNC = 0 beside CSD_TYPE_SYNC = 0x10).
    std::vector<const FlagName*> members;
    std::string stem;
    for (const FlagName* p : plain) {
      uint64_t pv = static_cast<uint64_t>(p->value);
      if (pv != 0 && (pv & ~mv) == 0) {
        members.push_back(p);
        stem = stem.empty() ? p->name : stem.substr(0, common_prefix(stem, p->name));
      }
    }
    if (members.empty()) continue;
    field_bits |= mv;
    uint64_t fv = v & mv;
    const FlagName* hit = nullptr;
    for (const FlagName* p : members)
      if (static_cast<uint64_t>(p->value) == fv) hit = p;
    if (!hit && fv == 0)
      for (const FlagName* p : plain)
        if (p->value == 0 && !stem.empty() && p->name.starts_with(stem)) hit = p;
    if (hit) {
      found.emplace(mv & (0 - mv), hit->name);  // sorted by the field's lowest bit
      left &= ~mv;
    }
  }
  // The rest must be flags: no two values sharing a bit (pid_type's 1, 2, 3
  // are a counting enum, and 3 is not 1|2).
  uint64_t seen = 0;
  for (const FlagName* p : plain) {
    uint64_t pv = static_cast<uint64_t>(p->value);
    if (pv == 0 || (pv & field_bits)) continue;
    if (require_disjoint && (seen & pv)) {
      DecodedFlags none;
      none.leftover = v;
      return none;
    }
    seen |= pv;
  }
  // Single-bit flags, then multi-bit ones that exactly cover what is left.
  for (int pass = 0; pass < 2; ++pass) {
    for (const FlagName* p : plain) {
      uint64_t pv = static_cast<uint64_t>(p->value);
      if (pv == 0 || (pv & field_bits)) continue;
      if ((std::popcount(pv) == 1) != (pass == 0)) continue;
      if ((left & pv) == pv) {
        found.emplace(pv & (0 - pv), p->name);
        left &= ~pv;
      }
    }
  }
  if (v == 0 && found.empty()) {
    for (const FlagName* p : plain)
      if (p->value == 0) {
        found.emplace(0, p->name);
        break;
      }
  }
  DecodedFlags d;
  for (auto& [bit, name] : found) d.names.push_back(name);
  d.leftover = left;
  return d;
}

std::string format_flags(uint64_t v, const std::vector<FlagName>& names, bool require_disjoint) {
  DecodedFlags d = decode_flags(v, names, require_disjoint);
  char b[32];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  std::string out = b;
  if (d.names.empty() && d.leftover == v) return out;
  out += " (";
  for (size_t i = 0; i < d.names.size(); ++i) out += (i ? "|" : "") + d.names[i];
  if (d.leftover) {
    std::snprintf(b, sizeof b, "0x%" PRIx64, d.leftover);
    out += (d.names.empty() ? "" : "|") + std::string(b);
  }
  return out + ")";
}

}  // namespace kinspect
