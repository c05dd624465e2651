#include "core/vmcoreinfo.hpp"

#include <charconv>

namespace kinspect {

namespace {
template <class T>
std::optional<T> parse_int(std::string_view s, int base) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s.front() == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  if (base == 16 && (s.starts_with("0x") || s.starts_with("0X"))) s.remove_prefix(2);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return neg ? static_cast<T>(-static_cast<int64_t>(v)) : static_cast<T>(v);
}
}  // namespace

VmcoreInfo VmcoreInfo::parse(std::string_view text) {
  VmcoreInfo info;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\0')) line.remove_suffix(1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    info.kv_.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return info;
}

std::optional<std::string> VmcoreInfo::get(std::string_view key) const {
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> VmcoreInfo::hex_value(std::string_view key) const {
  auto v = get(key);
  if (!v) return std::nullopt;
  return parse_int<uint64_t>(*v, 16);
}

std::optional<int64_t> VmcoreInfo::dec_value(std::string_view key) const {
  auto v = get(key);
  if (!v) return std::nullopt;
  // Most NUMBER() values are decimal, but arm64 prints some as "0x..."
  // (NUMBER(kimage_voffset), NUMBER(PHYS_OFFSET), NUMBER(TCR_EL1_T1SZ)).
  std::string_view s = *v;
  bool neg = s.starts_with("-");
  std::string_view digits = neg ? s.substr(1) : s;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    auto h = parse_int<uint64_t>(digits, 16);
    if (!h) return std::nullopt;
    return neg ? -static_cast<int64_t>(*h) : static_cast<int64_t>(*h);
  }
  return parse_int<int64_t>(s, 10);
}

std::optional<uint64_t> VmcoreInfo::symbol(std::string_view name) const {
  return hex_value("SYMBOL(" + std::string(name) + ")");
}
std::optional<int64_t> VmcoreInfo::number(std::string_view name) const {
  return dec_value("NUMBER(" + std::string(name) + ")");
}
std::optional<int64_t> VmcoreInfo::size(std::string_view name) const {
  return dec_value("SIZE(" + std::string(name) + ")");
}
std::optional<int64_t> VmcoreInfo::offset(std::string_view name) const {
  return dec_value("OFFSET(" + std::string(name) + ")");
}

Result<uint64_t> VmcoreInfo::require_hex(std::string_view key) const {
  if (auto v = hex_value(key)) return *v;
  return fail(Errc::not_found, "VMCOREINFO has no " + std::string(key));
}

std::string_view VmcoreInfo::osrelease() const {
  auto it = kv_.find(std::string_view("OSRELEASE"));
  return it == kv_.end() ? std::string_view{} : std::string_view(it->second);
}

}  // namespace kinspect
