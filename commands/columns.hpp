// crash's column helpers: text centred in a field, as its mkstring() does
// with CENTER|LJUST (headers: the odd space goes right) and CENTER|RJUST
// (values: the odd space goes left).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace kinspect {

// v in lower-case hex digits without "0x", as crash prints addresses in columns.
inline std::string hex_digits(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

inline std::string centered(std::string_view s, size_t width, bool extra_left = false) {
  if (s.size() >= width) return std::string(s);
  size_t spare = width - s.size();
  size_t left = extra_left ? (spare + 1) / 2 : spare / 2;
  return std::string(left, ' ') + std::string(s) + std::string(spare - left, ' ');
}

}  // namespace kinspect
