#include "core/unwind/dwarf_location.hpp"

#include <dwarf.h>

#include <cstring>

namespace kinspect {

namespace {

// DWARF 5 section 7.7.1 operand shapes, read from a byte cursor.
class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> b) : b_(b) {}
  bool done() const { return pos_ >= b_.size(); }
  size_t pos() const { return pos_; }
  Result<uint64_t> fixed(size_t n) {
    if (b_.size() - pos_ < n) return truncated();
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{b_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }
  Result<uint64_t> fixed_signed(size_t n) {
    ASSIGN_OR_RETURN(uint64_t v, fixed(n));
    if (n < 8 && (v >> (8 * n - 1) & 1)) v |= ~uint64_t{0} << (8 * n);
    return v;
  }
  Result<uint64_t> uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      if (done()) return truncated();
      uint8_t c = b_[pos_++];
      if (shift < 64) v |= uint64_t{c & 0x7fu} << shift;
      if (!(c & 0x80)) return v;
    }
  }
  Result<uint64_t> sleb() {
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t c = 0;
    do {
      if (done()) return truncated();
      c = b_[pos_++];
      if (shift < 64) v |= uint64_t{c & 0x7fu} << shift;
      shift += 7;
    } while (c & 0x80);
    if (shift < 64 && (c & 0x40)) v |= ~uint64_t{0} << shift;
    return v;
  }
  Result<std::vector<uint8_t>> block(uint64_t n) {
    if (b_.size() - pos_ < n) return truncated();
    std::vector<uint8_t> out(b_.begin() + pos_, b_.begin() + pos_ + n);
    pos_ += n;
    return out;
  }

 private:
  Failure truncated() const { return fail(Errc::format, "DWARF expression ends inside an operand at byte " + std::to_string(pos_)); }
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

std::string op_name(uint8_t atom) { return "DWARF operator " + hex(atom); }

Failure unsupported(uint8_t atom) { return fail(Errc::unsupported, op_name(atom) + " is not supported"); }

Failure optimized_out(std::string why) { return fail(Errc::not_found, std::move(why)); }

Result<uint64_t> reg_value(const LocationInputs& in, uint64_t reg) {
  if (in.regs)
    if (auto v = in.regs->get(static_cast<unsigned>(reg))) return *v;
  std::string name = in.register_name ? in.register_name(static_cast<unsigned>(reg)) : "";
  if (name.empty()) name = "DWARF register " + std::to_string(reg);
  return fail(Errc::not_present, name + " not recovered at this frame");
}

Result<uint64_t> read_u64(const LocationInputs& in, uint64_t addr, size_t size) {
  if (!in.read_memory) return fail(Errc::not_present, "no memory to read", addr);
  if (size == 0 || size > 8) return fail(Errc::format, "DW_OP_deref_size of " + std::to_string(size) + " bytes");
  uint8_t b[8] = {};
  TRY_VOID(in.read_memory(addr, std::span<uint8_t>(b, size)));
  uint64_t v = 0;
  std::memcpy(&v, b, 8);  // little-endian hosts read little-endian kernels
  return v;
}

// The one-register sub-expression GCC puts in DW_OP_entry_value.
Result<unsigned> entry_value_register(const std::vector<uint8_t>& block) {
  ASSIGN_OR_RETURN(DwarfExpr sub, decode_dwarf_expr(block));
  if (sub.size() == 1 && sub[0].atom >= DW_OP_reg0 && sub[0].atom <= DW_OP_reg31)
    return static_cast<unsigned>(sub[0].atom - DW_OP_reg0);
  if (sub.size() == 1 && sub[0].atom == DW_OP_regx) return static_cast<unsigned>(sub[0].number);
  return optimized_out("entry value of a non-register expression");
}

class Machine {
 public:
  explicit Machine(const LocationInputs& in) : in_(in) {}

  Result<Location> result(const DwarfExpr& expr) {
    for (const DwarfOp& op : expr) {
      Status s = step(op);
      if (!s.ok()) return fail(std::move(s).error());
    }
    if (!pending_.has_value() && stack_.empty() && loc_.pieces.empty())
      return optimized_out("empty location");
    if (pending_.has_value() || !stack_.empty()) TRY_VOID(close_piece(0, 0));
    return std::move(loc_);
  }

 private:
  Status push(uint64_t v) {
    if (stack_.size() >= 1024) return fail(Errc::format, "DWARF expression stack overflow");
    stack_.push_back(v);
    return {};
  }
  Result<uint64_t> pop() {
    if (stack_.empty()) return fail(Errc::format, "DWARF expression stack underflow");
    uint64_t v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Status need(size_t n) {
    if (stack_.size() < n) return fail(Errc::format, "DWARF expression stack underflow");
    return {};
  }

  // DW_OP_piece / bit_piece, or the end of the expression (size 0).
  Status close_piece(uint64_t size_bits, uint64_t offset_bits) {
    LocationPiece p;
    if (pending_) {
      p = std::move(*pending_);
      pending_.reset();
    } else if (stack_value_) {
      ASSIGN_OR_RETURN(p.value, pop());
      p.kind = LocationPiece::Kind::value;
    } else if (!stack_.empty()) {
      ASSIGN_OR_RETURN(p.address, pop());
      p.kind = LocationPiece::Kind::memory;
    } else {
      p.kind = LocationPiece::Kind::missing;  // an empty piece: that part is optimized out
    }
    p.size_bits = size_bits;
    p.offset_bits = offset_bits;
    stack_value_ = false;
    stack_.clear();
    loc_.pieces.push_back(std::move(p));
    return {};
  }

  Status binary(uint8_t atom) {
    TRY_VOID(need(2));
    ASSIGN_OR_RETURN(uint64_t b, pop());
    ASSIGN_OR_RETURN(uint64_t a, pop());
    int64_t sa = static_cast<int64_t>(a), sb = static_cast<int64_t>(b);
    uint64_t r = 0;
    switch (atom) {
      case DW_OP_and: r = a & b; break;
      case DW_OP_or: r = a | b; break;
      case DW_OP_xor: r = a ^ b; break;
      case DW_OP_plus: r = a + b; break;
      case DW_OP_minus: r = a - b; break;
      case DW_OP_mul: r = a * b; break;
      case DW_OP_div:
        if (b == 0 || (sa == INT64_MIN && sb == -1)) return fail(Errc::format, "DW_OP_div by zero");
        r = static_cast<uint64_t>(sa / sb);
        break;
      case DW_OP_mod:
        if (b == 0) return fail(Errc::format, "DW_OP_mod by zero");
        r = a % b;
        break;
      case DW_OP_shl: r = b >= 64 ? 0 : a << b; break;
      case DW_OP_shr: r = b >= 64 ? 0 : a >> b; break;
      case DW_OP_shra: r = static_cast<uint64_t>(b >= 64 ? (sa < 0 ? -1 : 0) : sa >> b); break;
      case DW_OP_eq: r = a == b; break;
      case DW_OP_ne: r = a != b; break;
      case DW_OP_lt: r = sa < sb; break;
      case DW_OP_gt: r = sa > sb; break;
      case DW_OP_le: r = sa <= sb; break;
      case DW_OP_ge: r = sa >= sb; break;
      default: return unsupported(atom);
    }
    return push(r);
  }

  Status step(const DwarfOp& op) {
    uint8_t a = op.atom;
    if (pending_ && a != DW_OP_piece && a != DW_OP_bit_piece)
      return fail(Errc::format, op_name(a) + " after a register or implicit location");
    if (a >= DW_OP_lit0 && a <= DW_OP_lit31) return push(a - DW_OP_lit0);
    if (a >= DW_OP_reg0 && a <= DW_OP_reg31) return set_register(a - DW_OP_reg0);
    if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
      ASSIGN_OR_RETURN(uint64_t r, reg_value(in_, a - DW_OP_breg0));
      return push(r + op.number);
    }
    switch (a) {
      case DW_OP_addr: return push(op.number + in_.address_bias);
      case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u: case DW_OP_const2s:
      case DW_OP_const4u: case DW_OP_const4s: case DW_OP_const8u: case DW_OP_const8s:
      case DW_OP_constu: case DW_OP_consts:
        return push(op.number);
      case DW_OP_regx: return set_register(op.number);
      case DW_OP_bregx: {
        ASSIGN_OR_RETURN(uint64_t r, reg_value(in_, op.number));
        return push(r + op.number2);
      }
      case DW_OP_fbreg:
        if (!in_.frame_base) return fail(Errc::not_present, "frame base unknown at this frame");
        return push(*in_.frame_base + op.number);
      case DW_OP_call_frame_cfa:
        if (!in_.cfa) return fail(Errc::not_present, "CFA unknown at this frame");
        return push(*in_.cfa);
      case DW_OP_dup: TRY_VOID(need(1)); return push(stack_.back());
      case DW_OP_drop: TRY_VOID(pop()); return {};
      case DW_OP_over: TRY_VOID(need(2)); return push(stack_[stack_.size() - 2]);
      case DW_OP_pick:
        if (op.number >= stack_.size()) return fail(Errc::format, "DW_OP_pick past the stack");
        return push(stack_[stack_.size() - 1 - op.number]);
      case DW_OP_swap: TRY_VOID(need(2)); std::swap(stack_[stack_.size() - 1], stack_[stack_.size() - 2]); return {};
      case DW_OP_rot: {
        TRY_VOID(need(3));
        size_t n = stack_.size();
        uint64_t top = stack_[n - 1];
        stack_[n - 1] = stack_[n - 2];
        stack_[n - 2] = stack_[n - 3];
        stack_[n - 3] = top;
        return {};
      }
      case DW_OP_deref: case DW_OP_deref_size: {
        ASSIGN_OR_RETURN(uint64_t addr, pop());
        size_t size = a == DW_OP_deref ? 8 : static_cast<size_t>(op.number);
        ASSIGN_OR_RETURN(uint64_t v, read_u64(in_, addr, size));
        return push(v);
      }
      case DW_OP_abs: {
        ASSIGN_OR_RETURN(uint64_t v, pop());
        int64_t s = static_cast<int64_t>(v);
        return push(static_cast<uint64_t>(s < 0 ? -s : s));
      }
      case DW_OP_neg: { ASSIGN_OR_RETURN(uint64_t v, pop()); return push(~v + 1); }
      case DW_OP_not: { ASSIGN_OR_RETURN(uint64_t v, pop()); return push(~v); }
      case DW_OP_plus_uconst: { ASSIGN_OR_RETURN(uint64_t v, pop()); return push(v + op.number); }
      case DW_OP_and: case DW_OP_or: case DW_OP_xor: case DW_OP_plus: case DW_OP_minus:
      case DW_OP_mul: case DW_OP_div: case DW_OP_mod: case DW_OP_shl: case DW_OP_shr:
      case DW_OP_shra: case DW_OP_eq: case DW_OP_ne: case DW_OP_lt: case DW_OP_gt:
      case DW_OP_le: case DW_OP_ge:
        return binary(a);
      case DW_OP_nop: return {};
      case DW_OP_stack_value:
        TRY_VOID(need(1));
        stack_value_ = true;
        return {};
      case DW_OP_implicit_value: {
        LocationPiece p;
        p.kind = LocationPiece::Kind::bytes;
        p.bytes = op.block;
        pending_ = std::move(p);
        return {};
      }
      case DW_OP_implicit_pointer: case DW_OP_GNU_implicit_pointer:
        // A pointer to an object that exists only in the debug info: there is
        // no address to print, so the value is unavailable.
        return optimized_out("pointer to an object the compiler did not keep (DW_OP_implicit_pointer)");
      case DW_OP_entry_value: case DW_OP_GNU_entry_value: {
        ASSIGN_OR_RETURN(unsigned reg, entry_value_register(op.block));
        if (!in_.entry_value) return optimized_out("entry value of DWARF register " + std::to_string(reg));
        ASSIGN_OR_RETURN(uint64_t v, in_.entry_value(reg));
        return push(v);
      }
      case DW_OP_piece: return close_piece(op.number * 8, 0);
      case DW_OP_bit_piece: return close_piece(op.number, op.number2);
      default: return unsupported(a);
    }
  }

  Status set_register(uint64_t reg) {
    LocationPiece p;
    p.kind = LocationPiece::Kind::reg;
    p.reg = static_cast<unsigned>(reg);
    pending_ = std::move(p);
    return {};
  }

  const LocationInputs& in_;
  std::vector<uint64_t> stack_;
  std::optional<LocationPiece> pending_;  // a register or implicit value awaiting its piece
  bool stack_value_ = false;
  Location loc_;
};

}  // namespace

Missing missing_kind(const Error& e) {
  return e.code == Errc::not_found ? Missing::optimized_out : Missing::unavailable;
}

Result<DwarfExpr> decode_dwarf_expr(std::span<const uint8_t> bytes) {
  DwarfExpr out;
  Cursor c(bytes);
  while (!c.done()) {
    DwarfOp op;
    ASSIGN_OR_RETURN(uint64_t atom, c.fixed(1));
    op.atom = static_cast<uint8_t>(atom);
    uint8_t a = op.atom;
    if ((a >= DW_OP_lit0 && a <= DW_OP_lit31) || (a >= DW_OP_reg0 && a <= DW_OP_reg31)) {
      // no operand
    } else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
      ASSIGN_OR_RETURN(op.number, c.sleb());
    } else {
      switch (a) {
        case DW_OP_addr: { ASSIGN_OR_RETURN(op.number, c.fixed(8)); break; }
        case DW_OP_const1u: case DW_OP_pick: case DW_OP_deref_size: { ASSIGN_OR_RETURN(op.number, c.fixed(1)); break; }
        case DW_OP_const1s: { ASSIGN_OR_RETURN(op.number, c.fixed_signed(1)); break; }
        case DW_OP_const2u: { ASSIGN_OR_RETURN(op.number, c.fixed(2)); break; }
        case DW_OP_const2s: { ASSIGN_OR_RETURN(op.number, c.fixed_signed(2)); break; }
        case DW_OP_const4u: { ASSIGN_OR_RETURN(op.number, c.fixed(4)); break; }
        case DW_OP_const4s: { ASSIGN_OR_RETURN(op.number, c.fixed_signed(4)); break; }
        case DW_OP_const8u: case DW_OP_const8s: { ASSIGN_OR_RETURN(op.number, c.fixed(8)); break; }
        case DW_OP_constu: case DW_OP_plus_uconst: case DW_OP_regx: case DW_OP_piece: {
          ASSIGN_OR_RETURN(op.number, c.uleb());
          break;
        }
        case DW_OP_consts: case DW_OP_fbreg: { ASSIGN_OR_RETURN(op.number, c.sleb()); break; }
        case DW_OP_bregx: {
          ASSIGN_OR_RETURN(op.number, c.uleb());
          ASSIGN_OR_RETURN(op.number2, c.sleb());
          break;
        }
        case DW_OP_bit_piece: {
          ASSIGN_OR_RETURN(op.number, c.uleb());
          ASSIGN_OR_RETURN(op.number2, c.uleb());
          break;
        }
        case DW_OP_implicit_value: case DW_OP_entry_value: case DW_OP_GNU_entry_value: {
          ASSIGN_OR_RETURN(uint64_t n, c.uleb());
          ASSIGN_OR_RETURN(op.block, c.block(n));
          op.number = n;
          break;
        }
        case DW_OP_implicit_pointer: case DW_OP_GNU_implicit_pointer: {
          ASSIGN_OR_RETURN(op.number, c.fixed(4));
          ASSIGN_OR_RETURN(op.number2, c.sleb());
          break;
        }
        case DW_OP_deref: case DW_OP_dup: case DW_OP_drop: case DW_OP_over: case DW_OP_swap:
        case DW_OP_rot: case DW_OP_abs: case DW_OP_and: case DW_OP_div: case DW_OP_minus:
        case DW_OP_mod: case DW_OP_mul: case DW_OP_neg: case DW_OP_not: case DW_OP_or:
        case DW_OP_plus: case DW_OP_shl: case DW_OP_shr: case DW_OP_shra: case DW_OP_xor:
        case DW_OP_eq: case DW_OP_ge: case DW_OP_gt: case DW_OP_le: case DW_OP_lt: case DW_OP_ne:
        case DW_OP_nop: case DW_OP_call_frame_cfa: case DW_OP_stack_value:
          break;
        default:
          return fail(Errc::unsupported, op_name(a) + " at byte " + std::to_string(c.pos() - 1) + " is not supported");
      }
    }
    out.push_back(std::move(op));
  }
  return out;
}

Result<Location> evaluate_location(const DwarfExpr& expr, const LocationInputs& in) {
  Machine m(in);
  return m.result(expr);
}

Result<uint64_t> evaluate_value(const DwarfExpr& expr, const LocationInputs& in) {
  ASSIGN_OR_RETURN(Location loc, evaluate_location(expr, in));
  if (loc.pieces.size() != 1) return fail(Errc::format, "a value expression made of pieces");
  const LocationPiece& p = loc.pieces[0];
  switch (p.kind) {
    case LocationPiece::Kind::memory: return p.address;  // the computed value is the top of the stack
    case LocationPiece::Kind::value: return p.value;
    case LocationPiece::Kind::reg: return reg_value(in, p.reg);
    case LocationPiece::Kind::bytes: {
      uint64_t v = 0;
      std::memcpy(&v, p.bytes.data(), std::min<size_t>(8, p.bytes.size()));
      return v;
    }
    case LocationPiece::Kind::missing: break;
  }
  return optimized_out("empty value expression");
}

Result<std::vector<uint8_t>> read_location(const Location& loc, size_t size, const LocationInputs& in) {
  std::vector<uint8_t> out(size, 0);
  size_t at = 0;  // bytes filled
  for (const LocationPiece& p : loc.pieces) {
    if (p.size_bits % 8 != 0 || p.offset_bits % 8 != 0)
      return fail(Errc::unsupported, "a DW_OP_bit_piece that is not whole bytes");
    size_t want = p.size_bits ? p.size_bits / 8 : size - at;
    size_t skip = p.offset_bits / 8;
    if (at + want > size) return fail(Errc::format, "DWARF pieces larger than the object");
    std::span<uint8_t> dst(out.data() + at, want);
    switch (p.kind) {
      case LocationPiece::Kind::memory:
        if (!in.read_memory) return fail(Errc::not_present, "no memory to read", p.address);
        TRY_VOID(in.read_memory(p.address + skip, dst));
        break;
      case LocationPiece::Kind::reg: {
        ASSIGN_OR_RETURN(uint64_t v, reg_value(in, p.reg));
        if (skip + want > 8) return fail(Errc::unsupported, "a piece wider than a register");
        std::memcpy(dst.data(), reinterpret_cast<const uint8_t*>(&v) + skip, want);
        break;
      }
      case LocationPiece::Kind::value: {
        if (skip + want > 8) return fail(Errc::unsupported, "a computed value wider than 8 bytes");
        uint64_t v = p.value;
        std::memcpy(dst.data(), reinterpret_cast<const uint8_t*>(&v) + skip, want);
        break;
      }
      case LocationPiece::Kind::bytes:
        if (skip + want > p.bytes.size()) return fail(Errc::format, "DW_OP_implicit_value shorter than its object");
        std::memcpy(dst.data(), p.bytes.data() + skip, want);
        break;
      case LocationPiece::Kind::missing:
        return optimized_out("part of the object is optimized out");
    }
    at += want;
  }
  if (at < size) return optimized_out("the pieces cover only part of the object");
  return out;
}

}  // namespace kinspect
