// arm64 code forms an address in two steps, "adrp x0, <page>" then
// "add x0, x0, #0xde8" (or a load/store "[x0, #0xde8]"), often with other
// instructions between; objdump and gdb show only the page. This follows
// each register an adrp sets through one function's instructions and says
// which address every later add, load or store forms from it.
#pragma once

#include <cstdint>
#include <map>
#include <span>

#include "core/disasm/disassembler.hpp"

namespace kinspect {

// insns: one function's instructions in address order, as the
// Disassembler decoded them (branch targets from Instruction::addresses).
// Returns instruction address -> the address it forms. A register's value
// is forgotten when it is written, after calls and unconditional branches,
// and at every branch target (another path may arrive there).
std::map<uint64_t, uint64_t> arm64_adrp_addresses(std::span<const Instruction> insns);

}  // namespace kinspect
