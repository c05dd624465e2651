// crash's column helpers: text centred in a field, as its mkstring() does
// with CENTER|LJUST (headers: the odd space goes right) and CENTER|RJUST
// (values: the odd space goes left).
#pragma once

#include <string>
#include <string_view>

namespace kinspect {

inline std::string centered(std::string_view s, size_t width, bool extra_left = false) {
  if (s.size() >= width) return std::string(s);
  size_t spare = width - s.size();
  size_t left = extra_left ? (spare + 1) / 2 : spare / 2;
  return std::string(left, ' ') + std::string(s) + std::string(spare - left, ' ');
}

}  // namespace kinspect
