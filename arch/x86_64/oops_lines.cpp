// x86_64's report lines: show_ip() prints "RIP: %04x:%pS" with the code
// segment (user mode: __USER_CS 0x33, __USER32_CS 0x23; 0x2b is __USER_DS,
// printed by kernels that show SS there), 3.10-era kernels
// "RIP: 0010:[<addr>]  [<addr>] sym+off/size"; show_opcodes() prints the
// bytes around RIP with the one at RIP in <>.
#include <charconv>

#include "arch/oops_lines.hpp"

namespace kinspect::x86_64 {

std::optional<OopsIpLine> oops_ip_line(std::string_view s) {
  if (!s.starts_with("RIP: ")) return std::nullopt;
  std::string_view rest = s.substr(5);
  while (rest.starts_with(" ")) rest.remove_prefix(1);
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon > 4) return std::nullopt;
  std::string_view cs = rest.substr(0, colon);
  OopsIpLine l;
  l.label = "RIP";
  l.user = cs == "0033" || cs == "0023" || cs == "002b";
  l.location = rest.substr(colon + 1);
  return l;
}

std::optional<CodeBytes> oops_code_bytes(std::string_view text) {
  CodeBytes code;
  bool marked = false;
  while (!text.empty()) {
    while (text.starts_with(" ")) text.remove_prefix(1);
    std::string_view tok = text.substr(0, text.find(' '));
    text.remove_prefix(tok.size());
    if (tok.empty()) continue;
    if (tok.size() == 4 && tok.front() == '<' && tok.back() == '>') {
      marked = true;
      code.fault_index = code.bytes.size();
      tok = tok.substr(1, 2);
    }
    uint8_t b = 0;
    if (tok.size() != 2 || std::from_chars(tok.data(), tok.data() + 2, b, 16).ptr != tok.data() + 2)
      return std::nullopt;  // prose ("Bad RIP value.") or another architecture's words
    code.bytes.push_back(b);
  }
  if (!marked) return std::nullopt;
  return code;
}

}  // namespace kinspect::x86_64
