#include "core/error.hpp"

#include <cstdio>

namespace kinspect {

std::string_view errc_name(Errc c) {
  switch (c) {
    case Errc::io: return "I/O error";
    case Errc::format: return "bad format";
    case Errc::truncated: return "truncated";
    case Errc::excluded: return "page excluded from dump";
    case Errc::not_present: return "not present";
    case Errc::not_found: return "not found";
    case Errc::invalid_argument: return "invalid argument";
    case Errc::mismatch: return "mismatch";
    case Errc::unsupported: return "unsupported";
    case Errc::interrupted: return "interrupted";
  }
  return "error";
}

std::string Error::to_string() const { return message; }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace kinspect
