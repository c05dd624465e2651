#include "core/types/object.hpp"

#include <cstring>

#include "core/program.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"

namespace kinspect {

uint64_t extract_bits(std::span<const uint8_t> bytes, uint64_t bit_off, uint32_t bit_size) {
  uint64_t first = bit_off / 8;
  unsigned shift = static_cast<unsigned>(bit_off % 8);
  unsigned __int128 acc = 0;
  size_t nbytes = (shift + bit_size + 7) / 8;
  for (size_t i = 0; i < nbytes && first + i < bytes.size(); ++i)
    acc |= static_cast<unsigned __int128>(bytes[first + i]) << (8 * i);
  acc >>= shift;
  uint64_t v = static_cast<uint64_t>(acc);
  if (bit_size < 64) v &= (1ull << bit_size) - 1;
  return v;
}

uint64_t load_integer(std::span<const uint8_t> bytes, size_t size, bool is_signed) {
  uint64_t v = 0;
  size = std::min<size_t>({size, 8, bytes.size()});
  std::memcpy(&v, bytes.data(), size);  // little-endian targets
  if (is_signed && size > 0 && size < 8) {
    uint64_t m = 1ull << (size * 8 - 1);
    v = (v ^ m) - m;
  }
  return v;
}

Object Object::at(Program& prog, const Type* type, uint64_t address) {
  Object o;
  o.prog_ = &prog;
  o.type_ = type;
  o.lvalue_ = true;
  o.addr_ = address;
  return o;
}

Object Object::from_bytes(Program& prog, const Type* type, std::span<const uint8_t> bytes) {
  Object o;
  o.prog_ = &prog;
  o.type_ = type;
  o.value_.assign(bytes.begin(), bytes.end());
  return o;
}

Object Object::from_u64(Program& prog, const Type* type, uint64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);
  size_t n = std::min<uint64_t>(8, std::max<uint64_t>(1, type->byte_size()));
  return from_bytes(prog, type, std::span<const uint8_t>(b, n));
}

std::string Object::describe() const {
  std::string s = type_name(type_);
  if (lvalue_) s += " at " + hex(addr_);
  return s;
}

Result<std::vector<uint8_t>> Object::bytes() const {
  if (!lvalue_) return value_;
  uint64_t n = is_bitfield() ? (bit_off_ + bit_size_ + 7) / 8 : type_->byte_size();
  if (n > (64u << 20)) return fail(Errc::invalid_argument, describe() + " is too large to read");
  std::vector<uint8_t> buf(n);
  TRY_VOID(prog_->read(addr_, buf));
  return buf;
}

Result<uint64_t> Object::as_u64() const {
  const Type* t = type_->strip();
  if (t->kind != TypeKind::base && t->kind != TypeKind::enum_ && t->kind != TypeKind::pointer)
    return fail(Errc::invalid_argument, describe() + " is not an integer or pointer");
  ASSIGN_OR_RETURN(auto b, bytes());
  if (is_bitfield()) {
    uint64_t v = extract_bits(b, bit_off_, bit_size_);
    if (type_->is_signed() && bit_size_ < 64) {
      uint64_t m = 1ull << (bit_size_ - 1);
      v = (v ^ m) - m;
    }
    return v;
  }
  return load_integer(b, t->byte_size(), type_->is_signed() && t->kind != TypeKind::pointer);
}

Result<int64_t> Object::as_int() const {
  ASSIGN_OR_RETURN(uint64_t v, as_u64());
  return static_cast<int64_t>(v);
}

Result<double> Object::as_double() const {
  const Type* t = type_->strip();
  if (!t->is_float()) {
    ASSIGN_OR_RETURN(uint64_t v, as_u64());
    return type_->is_signed() ? static_cast<double>(static_cast<int64_t>(v)) : static_cast<double>(v);
  }
  ASSIGN_OR_RETURN(auto b, bytes());
  if (t->size == 4 && b.size() >= 4) {
    float f;
    std::memcpy(&f, b.data(), 4);
    return f;
  }
  if (t->size == 8 && b.size() >= 8) {
    double d;
    std::memcpy(&d, b.data(), 8);
    return d;
  }
  return fail(Errc::unsupported, "cannot convert " + type_name(type_) + " to double");
}

Result<std::string> Object::as_string(size_t max) const {
  const Type* t = type_->strip();
  if (t->kind == TypeKind::array && t->target.get()->is_char()) {
    ASSIGN_OR_RETURN(auto b, bytes());
    size_t n = std::min(b.size(), max);
    size_t len = strnlen(reinterpret_cast<const char*>(b.data()), n);
    return std::string(reinterpret_cast<const char*>(b.data()), len);
  }
  if (t->kind == TypeKind::pointer) {
    ASSIGN_OR_RETURN(uint64_t p, as_u64());
    if (p == 0) return fail(Errc::invalid_argument, "null pointer: " + describe());
    return prog_->read_string(p, max);
  }
  return fail(Errc::invalid_argument, describe() + " is not a string (char array or pointer)");
}

Result<Object> Object::member(std::string_view path) const {
  const Type* t = type_->strip();
  if (t->kind == TypeKind::pointer) {
    ASSIGN_OR_RETURN(Object d, deref());
    return d.member(path);
  }
  if (t->kind != TypeKind::struct_ && t->kind != TypeKind::union_)
    return fail(Errc::invalid_argument, type_name(type_) + " has no members (looking for " + std::string(path) + ")");
  ASSIGN_OR_RETURN(Types::MemberPath mp, prog_->types().member_path(type_, path));
  Object o;
  o.prog_ = prog_;
  o.type_ = mp.type;
  if (lvalue_) {
    o.lvalue_ = true;
    o.addr_ = addr_ + mp.offset;
    if (mp.bit_size) {
      o.bit_size_ = mp.bit_size;
      o.bit_off_ = static_cast<uint32_t>(mp.bit_pos - mp.offset * 8);
    }
    return o;
  }
  // A member of a value held in bytes.
  if (mp.bit_size) {
    uint64_t v = extract_bits(value_, mp.bit_pos, mp.bit_size);
    if (mp.type->is_signed() && mp.bit_size < 64) {
      uint64_t m = 1ull << (mp.bit_size - 1);
      v = (v ^ m) - m;
    }
    return from_u64(*prog_, mp.type, v);
  }
  uint64_t n = mp.type->byte_size();
  if (mp.offset + n > value_.size()) return fail(Errc::invalid_argument, "member beyond the value's bytes");
  return from_bytes(*prog_, mp.type, std::span(value_).subspan(mp.offset, n));
}

Result<Object> Object::deref() const {
  const Type* t = type_->strip();
  if (t->kind == TypeKind::array) return index(0);
  if (t->kind != TypeKind::pointer)
    return fail(Errc::invalid_argument, "cannot dereference " + type_name(type_) + " (not a pointer)");
  const Type* target = t->target.get();
  if (target->strip()->kind == TypeKind::void_)
    return fail(Errc::invalid_argument, "cannot dereference a void pointer: " + describe());
  ASSIGN_OR_RETURN(uint64_t p, as_u64());
  return at(*prog_, target, p);
}

Result<Object> Object::index(int64_t i) const {
  const Type* t = type_->strip();
  if (t->kind == TypeKind::array) {
    const Type* elem = t->target.get();
    uint64_t esz = elem->byte_size();
    if (lvalue_) return at(*prog_, elem, addr_ + static_cast<uint64_t>(i) * esz);
    if (i < 0 || (static_cast<uint64_t>(i) + 1) * esz > value_.size())
      return fail(Errc::invalid_argument, "index " + std::to_string(i) + " out of range");
    return from_bytes(*prog_, elem, std::span(value_).subspan(i * esz, esz));
  }
  if (t->kind == TypeKind::pointer) {
    const Type* elem = t->target.get();
    if (elem->strip()->kind == TypeKind::void_)
      return fail(Errc::invalid_argument, "cannot index a void pointer: " + describe());
    ASSIGN_OR_RETURN(uint64_t p, as_u64());
    return at(*prog_, elem, p + static_cast<uint64_t>(i) * elem->byte_size());
  }
  return fail(Errc::invalid_argument, "cannot index " + type_name(type_) + " (not an array or pointer)");
}

Result<Object> Object::address_of() const {
  if (!lvalue_) return fail(Errc::invalid_argument, "cannot take the address of a value that is not in memory");
  if (is_bitfield()) return fail(Errc::invalid_argument, "cannot take the address of a bitfield");
  return from_u64(*prog_, prog_->types().pointer_to(type_), addr_);
}

Result<Object> Object::cast(const Type* to) const {
  const Type* dst = to->strip();
  const Type* src = type_->strip();
  bool dst_scalar = dst->kind == TypeKind::base || dst->kind == TypeKind::enum_ || dst->kind == TypeKind::pointer;
  bool src_scalar = src->kind == TypeKind::base || src->kind == TypeKind::enum_ || src->kind == TypeKind::pointer;
  if (dst_scalar && src_scalar) {
    if (dst->is_float() || src->is_float()) {
      ASSIGN_OR_RETURN(double d, as_double());
      if (dst->is_float()) {
        uint8_t b[8];
        if (dst->size == 4) {
          float f = static_cast<float>(d);
          std::memcpy(b, &f, 4);
        } else {
          std::memcpy(b, &d, 8);
        }
        return from_bytes(*prog_, to, std::span<const uint8_t>(b, dst->size == 4 ? 4 : 8));
      }
      return from_u64(*prog_, to, static_cast<uint64_t>(static_cast<int64_t>(d)));
    }
    ASSIGN_OR_RETURN(uint64_t v, as_u64());
    return from_u64(*prog_, to, v);
  }
  if (dst_scalar && src->kind == TypeKind::array && lvalue_) {
    // An array decays to a pointer to its first element.
    return from_u64(*prog_, to, addr_);
  }
  if (lvalue_) {
    Object o = at(*prog_, to, addr_);
    return o;
  }
  if (value_.size() >= to->byte_size()) return from_bytes(*prog_, to, std::span(value_).first(to->byte_size()));
  return fail(Errc::invalid_argument, "cannot cast " + type_name(type_) + " to " + type_name(to));
}

// ---------------------------------------------------------------------------

namespace {
// The vmlinux (link-time) address of a symbol, as DWARF locations give it.
uint64_t link_address_of(Program&, const Symbol& sym) { return sym.link_addr; }
}  // namespace

Result<Object> variable(Program& prog, std::string_view name) {
  const Symbol* sym = prog.symbols().find(name);
  const Types& types = prog.types();
  if (!sym) {
    // A DWARF variable with no symbol (rare): its link address is all we know.
    ASSIGN_OR_RETURN(VariableInfo v, types.variable(name));
    if (!v.link_address) return fail(Errc::not_found, "no symbol \"" + std::string(name) + "\"");
    // Module debuginfo is relocated to run-time addresses already.
    return Object::at(prog, v.type, *v.link_address + (v.file == 0 ? prog.arch().kaslr_offset() : 0));
  }
  // A module's variable (its address from the module's kallsyms): its type
  // is in the module's debug file, loaded now when autoload is on.
  if (!sym->module.empty()) prog.load_module_on_demand(sym->module);
  ASSIGN_OR_RETURN(VariableInfo v, types.variable(name, link_address_of(prog, *sym)));
  return Object::at(prog, v.type, sym->addr);
}

Result<unsigned> nr_cpu_ids(Program& prog) {
  if (const Symbol* s = prog.symbols().find("nr_cpu_ids")) {
    if (auto v = prog.read_u32(s->addr); v.ok() && *v > 0 && *v <= 65536) return *v;
  }
  return fail(Errc::not_found, "cannot read nr_cpu_ids");
}

bool is_per_cpu_symbol(Program& prog, std::string_view name) {
  const Symbol* s = prog.symbols().find(name);
  if (!s) return false;
  if (s->is_percpu()) return true;
  const Symbol* start = prog.symbols().find("__per_cpu_start");
  const Symbol* end = prog.symbols().find("__per_cpu_end");
  return start && end && start->addr != 0 && s->addr >= start->addr && s->addr < end->addr;
}

Result<uint64_t> per_cpu_address(Program& prog, uint64_t symbol_address, unsigned cpu) {
  const Symbol* off = prog.symbols().find("__per_cpu_offset");
  if (!off) return fail(Errc::not_found, "no symbol __per_cpu_offset (kernel without SMP per-cpu areas?)");
  ASSIGN_OR_RETURN(unsigned n, nr_cpu_ids(prog));
  if (cpu >= n) return fail(Errc::invalid_argument, "invalid cpu " + std::to_string(cpu) + " (nr_cpu_ids is " + std::to_string(n) + ")");
  ASSIGN_OR_RETURN(uint64_t base, prog.read_u64(off->addr + 8ull * cpu));
  return symbol_address + base;
}

Result<Object> per_cpu(Program& prog, std::string_view name, unsigned cpu) {
  const Symbol* sym = prog.symbols().find(name);
  if (!sym) return fail(Errc::not_found, "no symbol \"" + std::string(name) + "\"");
  if (!is_per_cpu_symbol(prog, name)) return fail(Errc::invalid_argument, std::string(name) + " is not a per-cpu variable");
  ASSIGN_OR_RETURN(VariableInfo v, prog.types().variable(name, link_address_of(prog, *sym)));
  ASSIGN_OR_RETURN(uint64_t addr, per_cpu_address(prog, sym->addr, cpu));
  return Object::at(prog, v.type, addr);
}

}  // namespace kinspect
