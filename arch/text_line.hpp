// One printf-formatted line with up to two 64-bit values, for the crash-style
// text the architectures write (vtop walk lines).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace kinspect {

inline std::string text_line(const char* fmt, uint64_t a, uint64_t b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  return buf;
}

}  // namespace kinspect
