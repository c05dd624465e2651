// The Code: line of an oops or lockup (parsed per architecture by
// arch/oops_lines.hpp): the bytes around the faulting instruction, the
// marked one being where RIP / pc points. Decoding them needs a starting point on an instruction boundary: the
// caller passes one when the vmlinux proves it (the bytes match the
// vmlinux text, which is decoded from the function's start); otherwise the
// first start that lands exactly on the marked instruction is taken, as
// the kernel's scripts/decodecode does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/oops_lines.hpp"
#include "core/disasm/disassembler.hpp"
#include "core/error.hpp"

namespace kinspect {

struct DecodedInstruction {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
  std::string text;
  bool faulting = false;  // the instruction RIP / pc points at
};

// Decodes code.bytes placed so that the marked byte is at fault_addr.
// sync: an address known to start an instruction (from the vmlinux), or
// nothing to search for one.
Result<std::vector<DecodedInstruction>> decode_code(const CodeBytes& code, uint64_t fault_addr, Disassembler& dis,
                                                    std::optional<uint64_t> sync,
                                                    const AddressPrinter& print_address = {});

}  // namespace kinspect
