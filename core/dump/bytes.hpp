// Fixed-width loads from raw dump bytes. Dump headers are parsed field by
// field at documented offsets instead of through packed structs, so a short
// buffer or an odd offset can never turn into an unaligned or out-of-bounds
// access: every load checks its span.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace kinspect::dumpbytes {

inline bool fits(std::span<const uint8_t> b, size_t off, size_t len) {
  return off <= b.size() && len <= b.size() - off;
}

// Little-endian loads; out-of-range offsets read as 0 (callers validate sizes
// first, this is the last line of defence against a bad header).
inline uint64_t le(std::span<const uint8_t> b, size_t off, size_t len) {
  if (!fits(b, off, len)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) v |= static_cast<uint64_t>(b[off + i]) << (8 * i);
  return v;
}
inline uint16_t le16(std::span<const uint8_t> b, size_t off) { return static_cast<uint16_t>(le(b, off, 2)); }
inline uint32_t le32(std::span<const uint8_t> b, size_t off) { return static_cast<uint32_t>(le(b, off, 4)); }
inline uint64_t le64(std::span<const uint8_t> b, size_t off) { return le(b, off, 8); }
inline int32_t les32(std::span<const uint8_t> b, size_t off) { return static_cast<int32_t>(le32(b, off)); }
inline int64_t les64(std::span<const uint8_t> b, size_t off) { return static_cast<int64_t>(le64(b, off)); }

inline uint64_t be64(std::span<const uint8_t> b, size_t off) {
  if (!fits(b, off, 8)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | b[off + i];
  return v;
}

// A fixed-size char field (utsname member, note name): up to the first NUL.
inline std::string cstr(std::span<const uint8_t> b, size_t off, size_t max) {
  if (off > b.size()) return {};
  size_t n = 0;
  while (n < max && off + n < b.size() && b[off + n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(b.data() + off), n);
}

inline std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace kinspect::dumpbytes
