// Type layouts as crash prints them for `struct NAME`, `union NAME`,
// `struct NAME -o [ADDR]` and `whatis` (gdb's ptype: 4-space indents,
// anonymous structs and unions expanded in place, and with -o an offset
// column "[N]" as wide as "[SIZE]" plus two).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/types/type.hpp"

namespace kinspect {

struct LayoutOptions {
  bool offsets = false;                // -o: "[offset]" before each member
  std::optional<uint64_t> address;     // -o ADDR: "[address]" instead
};

// "struct list_head {\n    struct list_head *next;\n ...\n}" for a struct or
// union (no trailing newline, no SIZE line).
std::string layout_text(const Type* aggregate, const LayoutOptions& opts = {});
// crash's whatis of an enum: "enum pid_type {\n  PIDTYPE_PID = 0\n ...\n};"
std::string enum_layout_text(const Type* e);
// gdb's one-line enum: "enum {A, B = 4, C}".
std::string enum_inline_text(const Type* e);
// whatis TYPEDEF: "typedef unsigned int u32;" / "typedef struct {...} atomic_t;"
std::string typedef_text(const Type* td);

}  // namespace kinspect
