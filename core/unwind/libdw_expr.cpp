#include "core/unwind/libdw_expr.hpp"

#include <dwarf.h>

#include <string>

namespace kinspect {

Result<DwarfExpr> from_libdw(const Dwarf_Op* ops, size_t n, Dwarf_Attribute* attr) {
  DwarfExpr out;
  for (size_t i = 0; i < n; ++i) {
    DwarfOp op;
    op.atom = ops[i].atom;
    op.number = ops[i].number;
    op.number2 = ops[i].number2;
    if (attr && op.atom == DW_OP_implicit_value) {
      Dwarf_Block b;
      if (dwarf_getlocation_implicit_value(attr, &ops[i], &b) != 0)
        return fail(Errc::format, std::string("DW_OP_implicit_value: ") + dwarf_errmsg(-1));
      op.block.assign(b.data, b.data + b.length);
    } else if (attr && (op.atom == DW_OP_entry_value || op.atom == DW_OP_GNU_entry_value)) {
      Dwarf_Attribute sub;
      Dwarf_Block b;
      if (dwarf_getlocation_attr(attr, &ops[i], &sub) != 0 || dwarf_formblock(&sub, &b) != 0)
        return fail(Errc::format, std::string("DW_OP_entry_value: ") + dwarf_errmsg(-1));
      op.block.assign(b.data, b.data + b.length);
    }
    out.push_back(std::move(op));
  }
  return out;
}

}  // namespace kinspect
