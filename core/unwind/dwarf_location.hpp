// DWARF expressions evaluated against one stack frame: where a variable
// lives (a register, memory, pieces of both, or a value the compiler
// computed) given the registers the unwinder recovered, memory, the frame
// base and the CFA. Architecture-neutral: registers are DWARF numbers.
//
// What cannot be known is an error, never a guess: a register absent from
// the RegisterSet, an unreadable page, DW_OP_implicit_pointer, an entry
// value nobody can supply, an operator we do not implement.
//
//   ASSIGN_OR_RETURN(DwarfExpr e, decode_dwarf_expr(bytes));
//   ASSIGN_OR_RETURN(Location loc, evaluate_location(e, inputs));
//   ASSIGN_OR_RETURN(std::vector<uint8_t> v, read_location(loc, 8, inputs));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/unwind/registers.hpp"

namespace kinspect {

// One decoded operation. number/number2 are the operands as DWARF defines
// them (DW_OP_bregx: register, offset; DW_OP_bit_piece: size, offset);
// block holds DW_OP_implicit_value's bytes and DW_OP_entry_value's
// sub-expression.
struct DwarfOp {
  uint8_t atom = 0;
  uint64_t number = 0;
  uint64_t number2 = 0;
  std::vector<uint8_t> block;
};
using DwarfExpr = std::vector<DwarfOp>;

// Decodes expression bytes (8-byte addresses, 64-bit DWARF offsets for
// DW_OP_implicit_pointer's DIE reference are not needed: 4 bytes as GCC
// emits them in 32-bit DWARF). Unknown operators are an error naming them.
Result<DwarfExpr> decode_dwarf_expr(std::span<const uint8_t> bytes);

// Why a value is missing. optimized_out: the compiler kept no location (or
// an entry value no caller can supply); unavailable: the location exists
// but its input cannot be read (register not recovered, page excluded).
enum class Missing { optimized_out, unavailable };

struct LocationPiece {
  enum class Kind { memory, reg, value, bytes, missing };
  Kind kind = Kind::missing;
  uint64_t address = 0;        // memory
  unsigned reg = 0;            // reg: a DWARF register number
  uint64_t value = 0;          // value: DW_OP_stack_value's result
  std::vector<uint8_t> bytes;  // bytes: DW_OP_implicit_value
  uint64_t size_bits = 0;      // 0: the whole object (no DW_OP_piece)
  uint64_t offset_bits = 0;    // DW_OP_bit_piece: bits skipped in the source
};

struct Location {
  std::vector<LocationPiece> pieces;
};

struct LocationInputs {
  const RegisterSet* regs = nullptr;
  // Memory of the dumped kernel; errors (excluded page, not present) pass through.
  std::function<Status(uint64_t addr, std::span<uint8_t> out)> read_memory;
  std::optional<uint64_t> frame_base;  // DW_AT_frame_base, already evaluated
  std::optional<uint64_t> cfa;         // the frame's canonical frame address
  // The value a register had on entry to the function (DW_OP_entry_value);
  // unset, every entry value is optimized out.
  std::function<Result<uint64_t>(unsigned dwarf_reg)> entry_value;
  uint64_t address_bias = 0;  // added to DW_OP_addr (KASLR offset, module base)
  // The architecture's name of a DWARF register for messages ("rbx", "x19").
  std::function<std::string(unsigned dwarf_reg)> register_name;
};

// Error codes the evaluator uses, so callers can tell the cases apart:
// Errc::not_found = optimized out, anything else = unavailable.
Missing missing_kind(const Error& e);

// A location description: the pieces an object is made of.
Result<Location> evaluate_location(const DwarfExpr& expr, const LocationInputs& in);
// A DWARF expression that computes a value (DW_AT_frame_base, a CFA rule,
// DW_AT_call_value): the top of the stack; a register location (DW_OP_regN)
// yields the register's value.
Result<uint64_t> evaluate_value(const DwarfExpr& expr, const LocationInputs& in);
// The object's bytes (size of them) from its pieces: registers little-endian,
// memory read through in.read_memory.
Result<std::vector<uint8_t>> read_location(const Location& loc, size_t size, const LocationInputs& in);

}  // namespace kinspect
