// Page decompression for kdump-compressed dumps: zlib, lzo (lzo1x, the
// _safe decoder since the input is untrusted), snappy and zstd. Each call
// must produce exactly one page; anything else is corruption.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace kinspect {

enum class Compression { none, zlib, lzo, snappy, zstd };

std::string_view compression_name(Compression c);

// Where a compressed page came from, for error messages.
struct PageOrigin {
  const std::string* file = nullptr;
  uint64_t offset = 0;  // file offset of the compressed data
  uint64_t pfn = 0;
};

// Inflates `in` into `out` (one page). Errors are Errc::format and name the
// file, offset and pfn: "vmcore: pfn 0x12 at offset 0x3000: zlib: ...".
Status decompress_page(Compression c, std::span<const uint8_t> in, std::span<uint8_t> out,
                       const PageOrigin& origin);

}  // namespace kinspect
