// VMCOREINFO: the kernel's "KEY=value" lines describing itself to dump tools
// (kernel/crash_core.c). Parsed once; typed getters say which key was missing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace kinspect {

class VmcoreInfo {
 public:
  static VmcoreInfo parse(std::string_view text);

  bool empty() const { return kv_.empty(); }
  std::optional<std::string> get(std::string_view key) const;
  // "SYMBOL(name)" values are hex addresses, "NUMBER(name)" decimal (may be
  // negative), "SIZE(...)", "OFFSET(...)" decimal, KERNELOFFSET/PHYS_OFFSET/
  // kimage_voffset hex. These helpers pick the base a key uses.
  std::optional<uint64_t> symbol(std::string_view name) const;   // SYMBOL(name)
  std::optional<int64_t> number(std::string_view name) const;    // NUMBER(name)
  std::optional<int64_t> size(std::string_view name) const;      // SIZE(name)
  std::optional<int64_t> offset(std::string_view name) const;    // OFFSET(a.b)
  std::optional<uint64_t> hex_value(std::string_view key) const; // KEY=hex
  std::optional<int64_t> dec_value(std::string_view key) const;  // KEY=decimal
  // Result-returning variants for code that cannot go on without the key.
  Result<uint64_t> require_hex(std::string_view key) const;

  std::string_view osrelease() const;  // OSRELEASE or ""
  const std::map<std::string, std::string, std::less<>>& all() const { return kv_; }

 private:
  std::map<std::string, std::string, std::less<>> kv_;
};

}  // namespace kinspect
