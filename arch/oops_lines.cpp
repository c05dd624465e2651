#include "arch/oops_lines.hpp"

#include <charconv>

namespace kinspect {

std::optional<CodeBytes> parse_marked_hex(std::string_view text, char open, char close, size_t digits) {
  CodeBytes code;
  bool marked = false;
  while (!text.empty()) {
    while (text.starts_with(" ")) text.remove_prefix(1);
    std::string_view tok = text.substr(0, text.find(' '));
    text.remove_prefix(tok.size());
    if (tok.empty()) continue;
    if (tok.size() == digits + 2 && tok.front() == open && tok.back() == close) {
      marked = true;
      code.fault_index = code.bytes.size();
      tok = tok.substr(1, digits);
    }
    uint64_t v = 0;
    if (tok.size() != digits || std::from_chars(tok.data(), tok.data() + digits, v, 16).ptr != tok.data() + digits)
      return std::nullopt;  // prose ("Bad RIP value.") or another architecture's form
    for (size_t b = 0; b < digits / 2; ++b) code.bytes.push_back(static_cast<uint8_t>(v >> (8 * b)));
  }
  if (!marked) return std::nullopt;
  return code;
}

std::optional<OopsIpLine> parse_oops_ip_line(std::string_view body) {
  if (auto l = x86_64::oops_ip_line(body)) return l;
  return arm64::oops_ip_line(body);
}

std::optional<CodeBytes> parse_oops_code_bytes(std::string_view text) {
  if (auto c = x86_64::oops_code_bytes(text)) return c;
  return arm64::oops_code_bytes(text);
}

}  // namespace kinspect
