// ValuePrinter: a typed value as crash prints it (crash passes `p` and
// `struct ADDR` to gdb with pretty printing on, `print repeats` unlimited and
// `print elements` 256), so scripts that grep crash's output keep working.
//
// Deliberate differences from crash, all opt-in through ValueFormat:
//  - element_symbols: a pointer into an array variable prints the element,
//    "<nfs3_procedures[6]>" (or "<tbl[2]+8>") instead of "<nfs3_procedures+288>".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "core/types/type.hpp"

namespace kinspect {

class Program;

struct ValueFormat {
  // Output radix for integers: 10, or 16 for crash's -x (gdb's output-radix):
  // integers, bools and chars in hex; char arrays stay strings.
  int radix = 10;
  // A gdb print format letter from p/FMT: 0 (none), 'x', 'd', 'u', 'o', 't',
  // 'c', 'a'. Unlike radix, it applies to char arrays and pointers too.
  char format = 0;
  size_t max_elements = 256;
  bool element_symbols = true;
};

class ValuePrinter {
 public:
  ValuePrinter(Program& prog, ValueFormat fmt = {});

  // The value of type t held in bytes (at least t->byte_size()), read from
  // address (0 if it has none; flexible arrays print it). level is the
  // nesting depth: members are indented by 2 * (level + 1) spaces.
  std::string value(const Type* t, std::span<const uint8_t> bytes, uint64_t address, int level = 0);
  // A bitfield member's value (already extracted).
  std::string bitfield(const Type* t, uint64_t raw, uint32_t bit_size);
  // gdb's top-level form for `p`: pointers get their type, "(struct pid *) 0x...",
  // except char pointers; functions print "{void (void)} 0x... <schedule>".
  std::string top_level(const Type* t, std::span<const uint8_t> bytes, uint64_t address);

  // "<sym+off>" for a pointer value, in gdb's rules (sized data symbols
  // only, never past a symbol's end), or nullopt.
  std::optional<std::string> symbol_for(uint64_t v);
  // "0xffff... <sym+off>" plus a char pointer's string.
  std::string pointer(uint64_t v, const Type* target);
  // An integer of type t in the current radix/format (char and enum forms too).
  std::string scalar(const Type* t, uint64_t raw);

  const ValueFormat& format() const { return fmt_; }

 private:
  std::string array(const Type* t, std::span<const uint8_t> bytes, uint64_t address, int level);
  std::string aggregate(const Type* t, std::span<const uint8_t> bytes, uint64_t address, int level);
  std::string formatted(const Type* t, uint64_t raw, char fmt);
  std::string enum_text(const Type* t, uint64_t raw);
  std::string int128(const Type* t, std::span<const uint8_t> bytes);
  std::optional<std::string> element_name(std::string_view sym, uint64_t off);

  Program& prog_;
  ValueFormat fmt_;
  std::unordered_map<std::string, const Type*> var_types_;  // symbol -> array type (or nullptr)
};

// gdb's escaping of one character inside a quoted string or char literal.
std::string gdb_escape_char(uint8_t c, char quote);
// gdb's rendering of a char array: "..." with escapes, one trailing NUL
// dropped, runs of equal chars counted as one element against `limit`.
std::string gdb_char_array(std::span<const uint8_t> chars, size_t limit, bool truncated_at_nul = false);
// A C string read from memory as gdb shows it after a char pointer.
std::string gdb_string_literal(std::string_view s, bool more);

}  // namespace kinspect
