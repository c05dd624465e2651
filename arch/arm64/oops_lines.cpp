// arm64's report lines: __show_regs() prints "pc : %pS" and "lr : %pS" for
// the kernel and "pc : %016llx" for user mode (older 4.x kernels: "PC is
// at" / "LR is at"), and dump_kernel_instr() the four instruction words
// before pc and the one at it, each "%08x" of the little-endian word, the
// one at pc in parentheses.
#include <tuple>

#include "arch/oops_lines.hpp"

namespace kinspect::arm64 {

std::optional<OopsIpLine> oops_ip_line(std::string_view s) {
  OopsIpLine l;
  for (auto [prefix, label, lr] : {std::tuple{"pc : ", "pc", false}, std::tuple{"PC is at ", "pc", false},
                                   std::tuple{"lr : ", "lr", true}, std::tuple{"LR is at ", "lr", true}}) {
    std::string_view p = prefix;
    if (!s.starts_with(p)) continue;
    l.label = label;
    l.link_register = lr;
    l.location = s.substr(p.size());
    return l;
  }
  return std::nullopt;
}

std::optional<CodeBytes> oops_code_bytes(std::string_view text) {
  auto code = parse_marked_hex(text, '(', ')', 8);
  if (code) code->arm64 = true;
  return code;
}

}  // namespace kinspect::arm64
