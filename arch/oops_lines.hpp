// The architecture-specific lines of a kernel crash report, as each
// architecture's show_regs() and code dump print them: x86_64's
// "RIP: 0010:sym+off/size" and "Code: xx xx <xx> xx" (arch/x86/kernel/dumpstack.c
// show_ip / show_opcodes), arm64's "pc : sym+off/size", "lr : ..." and
// "Code: aaaaaaaa (bbbbbbbb)" (arch/arm64/kernel/process.c __show_regs,
// traps.c dump_kernel_instr). The log parser (core/postmortem) tries each
// architecture, since a log does not say which one printed it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace kinspect {

struct OopsIpLine {
  const char* label = "";    // "RIP", "pc", "lr" as the architecture names it
  std::string_view location; // "sym+0xf1/0x330", "[<addr>] sym+...", "0x47fbe9"
  bool user = false;         // x86_64 CS says user mode (0033, 0023, 002b)
  bool link_register = false;
};

struct CodeBytes {
  std::vector<uint8_t> bytes;
  size_t fault_index = 0;  // where the marked byte / word starts in `bytes`
  bool arm64 = false;      // 32-bit words: decode as AArch64
};

namespace x86_64 {
std::optional<OopsIpLine> oops_ip_line(std::string_view body);
std::optional<CodeBytes> oops_code_bytes(std::string_view text);
}  // namespace x86_64

namespace arm64 {
std::optional<OopsIpLine> oops_ip_line(std::string_view body);
std::optional<CodeBytes> oops_code_bytes(std::string_view text);
}  // namespace arm64

// The shape both Code: lines share: blank-separated hex values of `digits`
// digits, each stored little-endian, the one at the instruction pointer
// between `open` and `close`. Used by the architectures' parsers.
std::optional<CodeBytes> parse_marked_hex(std::string_view text, char open, char close, size_t digits);

// Each architecture's form in turn.
std::optional<OopsIpLine> parse_oops_ip_line(std::string_view body);
// The text after "Code: "; nothing when it carries no bytes ("Bad RIP
// value.", "Unable to access opcode bytes at ...") or no marked byte.
std::optional<CodeBytes> parse_oops_code_bytes(std::string_view text);

}  // namespace kinspect
