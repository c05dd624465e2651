#include "core/postmortem/code_decoder.hpp"

#include <cctype>
#include <charconv>

namespace kinspect {

namespace {

std::optional<uint32_t> hex_word(std::string_view s) {
  uint32_t v = 0;
  if (s.empty() || s.size() > 8) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Decodes forward from `start` (an index into bytes); the instructions, or
// nothing when the walk steps over fault_index instead of onto it.
std::optional<std::vector<DecodedInstruction>> walk(const CodeBytes& code, size_t start, uint64_t base,
                                                     Disassembler& dis, const AddressPrinter& print) {
  std::vector<DecodedInstruction> out;
  bool hit = false;
  size_t i = start;
  while (i < code.bytes.size()) {
    std::span<const uint8_t> rest(code.bytes.data() + i, code.bytes.size() - i);
    auto insn = dis.decode(base + i, rest, print);
    if (!insn) break;  // the window ends inside an instruction
    if (i < code.fault_index && i + insn->length > code.fault_index) return std::nullopt;
    DecodedInstruction d;
    d.addr = base + i;
    d.bytes.assign(rest.begin(), rest.begin() + insn->length);
    d.text = insn->text;
    d.faulting = i == code.fault_index;
    hit |= d.faulting;
    out.push_back(std::move(d));
    i += insn->length;
  }
  if (!hit) return std::nullopt;
  return out;
}

}  // namespace

std::optional<CodeBytes> parse_code_bytes(std::string_view text) {
  CodeBytes code;
  bool marked = false;
  while (!text.empty()) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    size_t end = text.find(' ');
    std::string_view tok = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    if (tok.empty()) continue;
    bool mark = (tok.front() == '<' && tok.back() == '>') || (tok.front() == '(' && tok.back() == ')');
    if (mark) {
      if (tok.front() == '(') code.arm64 = true;
      tok = tok.substr(1, tok.size() - 2);
    }
    auto v = hex_word(tok);
    if (!v) return std::nullopt;  // prose such as "Bad RIP value."
    if (mark) {
      marked = true;
      code.fault_index = code.bytes.size();
    }
    if (tok.size() == 8) {
      // arm64: one 32-bit instruction, stored little-endian.
      code.arm64 = true;
      for (int b = 0; b < 4; ++b) code.bytes.push_back(static_cast<uint8_t>(*v >> (8 * b)));
    } else if (tok.size() == 2) {
      code.bytes.push_back(static_cast<uint8_t>(*v));
    } else {
      return std::nullopt;
    }
  }
  if (!marked || code.bytes.empty()) return std::nullopt;
  return code;
}

Result<std::vector<DecodedInstruction>> decode_code(const CodeBytes& code, uint64_t fault_addr, Disassembler& dis,
                                                    std::optional<uint64_t> sync, const AddressPrinter& print) {
  uint64_t base = fault_addr - code.fault_index;
  if (code.arm64) {
    // Fixed-size instructions: every word is a boundary.
    auto r = walk(code, 0, base, dis, print);
    if (!r) return fail(Errc::format, "cannot decode the Code: words");
    return *r;
  }
  if (sync && *sync >= base && *sync <= fault_addr) {
    if (auto r = walk(code, *sync - base, base, dis, print)) return *r;
  }
  for (size_t start = 0; start <= code.fault_index; ++start)
    if (auto r = walk(code, start, base, dis, print)) return *r;
  return fail(Errc::format, "no decoding of the Code: bytes reaches the marked byte");
}

}  // namespace kinspect
