#include "core/dump/decompress.hpp"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <mutex>

namespace kinspect {

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "uncompressed";
    case Compression::zlib: return "zlib";
    case Compression::lzo: return "lzo";
    case Compression::snappy: return "snappy";
    case Compression::zstd: return "zstd";
  }
  return "?";
}

namespace {

Status bad(Compression c, const PageOrigin& o, const std::string& why) {
  return fail(Errc::format, (o.file ? *o.file : std::string("dump")) + ": pfn " + hex(o.pfn) +
                                " at offset " + hex(o.offset) + ": " +
                                std::string(compression_name(c)) + " decompression failed: " + why);
}

std::string short_page(uint64_t got, uint64_t want) {
  return "produced " + std::to_string(got) + " bytes, expected a " + std::to_string(want) +
         "-byte page";
}

Status do_zlib(std::span<const uint8_t> in, std::span<uint8_t> out, const PageOrigin& o) {
  uLongf len = out.size();
  int rc = ::uncompress(out.data(), &len, in.data(), in.size());
  if (rc != Z_OK) return bad(Compression::zlib, o, std::string("zlib error ") + std::to_string(rc));
  if (len != out.size()) return bad(Compression::zlib, o, short_page(len, out.size()));
  return {};
}

Status do_lzo(std::span<const uint8_t> in, std::span<uint8_t> out, const PageOrigin& o) {
  static std::once_flag once;
  static int init_rc = LZO_E_OK;
  std::call_once(once, [] { init_rc = lzo_init(); });
  if (init_rc != LZO_E_OK) return bad(Compression::lzo, o, "lzo_init failed");
  lzo_uint len = out.size();
  int rc = lzo1x_decompress_safe(in.data(), in.size(), out.data(), &len, nullptr);
  if (rc != LZO_E_OK) return bad(Compression::lzo, o, "lzo error " + std::to_string(rc));
  if (len != out.size()) return bad(Compression::lzo, o, short_page(len, out.size()));
  return {};
}

Status do_snappy(std::span<const uint8_t> in, std::span<uint8_t> out, const PageOrigin& o) {
  auto src = reinterpret_cast<const char*>(in.data());
  size_t len = 0;
  // Check the announced length first: snappy_uncompress refuses a too-small
  // buffer, but the message is clearer this way.
  if (snappy_uncompressed_length(src, in.size(), &len) != SNAPPY_OK)
    return bad(Compression::snappy, o, "bad length header");
  if (len != out.size()) return bad(Compression::snappy, o, short_page(len, out.size()));
  len = out.size();
  snappy_status rc = snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out.data()), &len);
  if (rc != SNAPPY_OK) return bad(Compression::snappy, o, "snappy error " + std::to_string(rc));
  if (len != out.size()) return bad(Compression::snappy, o, short_page(len, out.size()));
  return {};
}

Status do_zstd(std::span<const uint8_t> in, std::span<uint8_t> out, const PageOrigin& o) {
  size_t rc = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(rc)) return bad(Compression::zstd, o, ZSTD_getErrorName(rc));
  if (rc != out.size()) return bad(Compression::zstd, o, short_page(rc, out.size()));
  return {};
}

}  // namespace

Status decompress_page(Compression c, std::span<const uint8_t> in, std::span<uint8_t> out,
                       const PageOrigin& origin) {
  switch (c) {
    case Compression::none:
      if (in.size() != out.size()) return bad(c, origin, short_page(in.size(), out.size()));
      std::copy(in.begin(), in.end(), out.begin());
      return {};
    case Compression::zlib: return do_zlib(in, out, origin);
    case Compression::lzo: return do_lzo(in, out, origin);
    case Compression::snappy: return do_snappy(in, out, origin);
    case Compression::zstd: return do_zstd(in, out, origin);
  }
  return bad(c, origin, "unknown compression");
}

}  // namespace kinspect
