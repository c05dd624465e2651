// libdw's decoded DWARF operators as our DwarfExpr, so every expression
// libdw hands out (locations, frame bases, call-site values, CFI rules)
// runs on the one evaluator of dwarf_location.hpp.
#pragma once

#include <elfutils/libdw.h>

#include <cstddef>

#include "core/unwind/dwarf_location.hpp"

namespace kinspect {

// attr, when given, is the attribute the operators came from: blocks
// (DW_OP_implicit_value's bytes, DW_OP_entry_value's sub-expression) are
// fetched through it. CFI rules have none and use neither operator.
Result<DwarfExpr> from_libdw(const Dwarf_Op* ops, size_t n, Dwarf_Attribute* attr = nullptr);

}  // namespace kinspect
