#include "arch/vmcoreinfo_values.hpp"

#include <string>

namespace kinspect {

std::optional<uint64_t> vmcoreinfo_number(const VmcoreInfo* vi, std::string_view name) {
  if (!vi) return std::nullopt;
  const std::string key = "NUMBER(" + std::string(name) + ")";
  auto text = vi->get(key);
  if (!text) return std::nullopt;
  if (text->starts_with("0x") || text->starts_with("0X")) return vi->hex_value(key);
  if (auto v = vi->dec_value(key)) return static_cast<uint64_t>(*v);
  return std::nullopt;
}

std::optional<uint64_t> vmcoreinfo_kerneloffset(const VmcoreInfo* vi) {
  if (!vi) return std::nullopt;
  return vi->hex_value("KERNELOFFSET");
}

std::optional<uint64_t> vmcoreinfo_symbol(const VmcoreInfo* vi, std::string_view name) {
  if (!vi) return std::nullopt;
  return vi->symbol(name);
}

}  // namespace kinspect
