#include "arch/oops_lines.hpp"

namespace kinspect {

std::optional<OopsIpLine> parse_oops_ip_line(std::string_view body) {
  if (auto l = x86_64::oops_ip_line(body)) return l;
  return arm64::oops_ip_line(body);
}

std::optional<CodeBytes> parse_oops_code_bytes(std::string_view text) {
  if (auto c = x86_64::oops_code_bytes(text)) return c;
  return arm64::oops_code_bytes(text);
}

}  // namespace kinspect
