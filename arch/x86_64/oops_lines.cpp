// x86_64's report lines: show_ip() prints "RIP: %04x:%pS" with the code
// segment (user mode: __USER_CS 0x33, __USER32_CS 0x23; 0x2b is __USER_DS,
// printed by kernels that show SS there), 3.10-era kernels
// "RIP: 0010:[<addr>]  [<addr>] sym+off/size"; show_opcodes() prints the
// bytes around RIP with the one at RIP in <>.
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

std::optional<CodeBytes> oops_code_bytes(std::string_view text) { return parse_marked_hex(text, '<', '>', 2); }

}  // namespace kinspect::x86_64
