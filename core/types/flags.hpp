// Decoding a flags word into enumerator names: "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)".
// Single-bit enumerators are flags; an enumerator whose name contains "MASK"
// marks a multi-bit field whose value is one of the enumerators inside it
// (CSD_FLAG_TYPE_MASK = 0xf0 holds CSD_TYPE_ASYNC/SYNC/IRQ_WORK/TTWU); bits
// no name explains are shown as a hex remainder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types/types.hpp"

namespace kinspect {

struct FlagName {
  std::string name;
  int64_t value = 0;
};

// The names that make up v, lowest bits first, and the bits left over.
struct DecodedFlags {
  std::vector<std::string> names;
  uint64_t leftover = 0;
};
// A value equal to one name is that name. require_disjoint (for a whole
// enum) refuses to decompose unless the values outside MASK fields share no
// bits, so a counting enum (pid_type) is never read as bits; with a prefix
// the caller has said the names are flags, and aliases such as
// IRQ_WORK_CLAIMED = PENDING|BUSY are allowed (single bits are tried first).
DecodedFlags decode_flags(uint64_t v, const std::vector<FlagName>& names, bool require_disjoint = false);

// "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)"; "0x0" when nothing applies.
std::string format_flags(uint64_t v, const std::vector<FlagName>& names, bool require_disjoint = false);

}  // namespace kinspect
