// C spellings of types: printing declarations the way crash (gdb) prints
// them, and parsing the type names users type (casts, sizeof, whatis).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/types/type.hpp"

namespace kinspect {

class Types;

// "struct task_struct *", "char [16]", "int (*)(struct file *, int)".
std::string type_name(const Type* t);
// The declaration of `name` with type t: "char comm[16]",
// "int (*open)(struct inode *, struct file *)", "struct list_head *next".
std::string declare(const Type* t, std::string_view name);
// The spelling crash prints for a base type's DWARF name:
// "long unsigned int" -> "unsigned long", "short int" -> "short".
std::string base_display_name(std::string_view dwarf_name);
// GCC's DWARF name for a C spelling of a base type ("unsigned long" ->
// "long unsigned int", "signed" -> "int"); nullopt if not a base spelling.
std::optional<std::string> canonical_base_name(std::string_view spelling);
struct BaseInfo {
  uint64_t size;
  BaseEncoding encoding;
};
// Size and encoding of a GCC base type name on LP64 targets.
std::optional<BaseInfo> base_type_info(std::string_view dwarf_name);

// Parses a C type name: qualifiers, "struct/union/enum TAG", typedef names,
// base types, then '*'s and "[N]" suffixes. With bare_word_is_tag, a single
// word that is no typedef or base type is tried as a struct, union and enum
// tag (crash's `struct NAME`, `whatis NAME`).
Result<const Type*> parse_type_name(const Types& types, std::string_view text, bool bare_word_is_tag);
// True when a word can begin a type name: a keyword (struct, unsigned, ...)
// or a typedef name. Used to tell a cast "(u32)x" from "(x)".
bool begins_type_name(const Types& types, std::string_view word);

}  // namespace kinspect
