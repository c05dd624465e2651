// Small libdw helpers shared by the index and the type materializer.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdint>
#include <optional>

namespace kinspect {

// The DIE a DW_AT_type (or other reference attribute) points at.
inline bool dwarf_ref(Dwarf_Die* die, unsigned attr, Dwarf_Die* out) {
  Dwarf_Attribute a;
  if (!dwarf_attr_integrate(die, attr, &a)) return false;
  return dwarf_formref_die(&a, out) != nullptr;
}

inline std::optional<uint64_t> dwarf_udata(Dwarf_Die* die, unsigned attr) {
  Dwarf_Attribute a;
  Dwarf_Word w;
  if (!dwarf_attr_integrate(die, attr, &a) || dwarf_formudata(&a, &w) != 0) return std::nullopt;
  return w;
}

inline bool dwarf_flag(Dwarf_Die* die, unsigned attr) {
  Dwarf_Attribute a;
  bool f = false;
  return dwarf_attr_integrate(die, attr, &a) && dwarf_formflag(&a, &f) == 0 && f;
}

// True when an enum's underlying type is signed (DW_AT_type, DWARF 3+; GCC
// emits it). Without one, an enum is signed if any enumerator uses sdata.
inline bool dwarf_enum_is_signed(Dwarf_Die* enum_die) {
  Dwarf_Die t;
  if (dwarf_ref(enum_die, DW_AT_type, &t)) {
    for (int i = 0; i < 8 && dwarf_tag(&t) == DW_TAG_typedef; ++i)
      if (!dwarf_ref(&t, DW_AT_type, &t)) break;
    if (auto enc = dwarf_udata(&t, DW_AT_encoding))
      return *enc == DW_ATE_signed || *enc == DW_ATE_signed_char;
  }
  return false;
}

// An enumerator's DW_AT_const_value, sign-extended from a fixed-size form
// when the enum is signed.
inline bool dwarf_enumerator_value(Dwarf_Die* e, bool is_signed, int64_t* out) {
  Dwarf_Attribute a;
  if (!dwarf_attr(e, DW_AT_const_value, &a)) return false;
  unsigned form = dwarf_whatform(&a);
  if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
    Dwarf_Sword s;
    if (dwarf_formsdata(&a, &s) != 0) return false;
    *out = s;
    return true;
  }
  Dwarf_Word w;
  if (dwarf_formudata(&a, &w) != 0) return false;
  int bits = 64;
  switch (form) {
    case DW_FORM_data1: bits = 8; break;
    case DW_FORM_data2: bits = 16; break;
    case DW_FORM_data4: bits = 32; break;
    default: break;
  }
  if (is_signed && bits < 64) {
    uint64_t m = 1ull << (bits - 1);
    w &= (1ull << bits) - 1;
    *out = static_cast<int64_t>((w ^ m) - m);
  } else {
    *out = static_cast<int64_t>(w);
  }
  return true;
}

}  // namespace kinspect
