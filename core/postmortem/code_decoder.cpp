#include "core/postmortem/code_decoder.hpp"


namespace kinspect {

namespace {

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

Result<std::vector<DecodedInstruction>> decode_code(const CodeBytes& code, uint64_t fault_addr, Disassembler& dis,
                                                    std::optional<uint64_t> sync, const AddressPrinter& print) {
  uint64_t base = fault_addr - code.fault_index;
  if (sync && *sync >= base && *sync <= fault_addr) {
    if (auto r = walk(code, *sync - base, base, dis, print)) return *r;
  }
  for (size_t start = 0; start <= code.fault_index; ++start)
    if (auto r = walk(code, start, base, dis, print)) return *r;
  return fail(Errc::format, "no decoding of the Code: bytes reaches the marked byte");
}

}  // namespace kinspect
