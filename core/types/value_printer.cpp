#include "core/types/value_printer.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstring>

#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

std::string indent(int level) { return std::string(static_cast<size_t>(2 * std::max(level, 0)), ' '); }

std::string hexstr(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

uint64_t mask_for(uint64_t size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }

int64_t sign_extend(uint64_t v, unsigned bits) {
  if (bits == 0 || bits >= 64) return static_cast<int64_t>(v);
  uint64_t m = 1ull << (bits - 1);
  v &= (1ull << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

// gdb 10 (crash 8.0.2's) escapes a digit that follows an octal escape, so
// "\0001" cannot be misread; later gdbs also escape hex letters.
bool needs_escape_after_octal(uint8_t c) { return c >= '0' && c <= '9'; }

// gdb's print_wchar for one byte; need_escape carries the "an escape was just
// printed, so a following digit must be escaped too" state.
void emit_char(std::string& out, uint8_t c, char quote, bool& need_escape) {
  bool was = need_escape;
  need_escape = false;
  switch (c) {
    case '\a': out += "\\a"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\v': out += "\\v"; return;
    default: break;
  }
  if (c >= 0x20 && c < 0x7f && !(was && needs_escape_after_octal(c))) {
    if (c == static_cast<uint8_t>(quote) || c == '\\') out += '\\';
    out += static_cast<char>(c);
    return;
  }
  char oct[8];
  std::snprintf(oct, sizeof oct, "\\%03o", c);
  out += oct;
  need_escape = true;
}

}  // namespace

std::string gdb_escape_char(uint8_t c, char quote) {
  std::string s;
  bool ne = false;
  emit_char(s, c, quote, ne);
  return s;
}

std::string gdb_char_array(std::span<const uint8_t> chars, size_t limit, bool force_ellipses) {
  size_t len = chars.size();
  // One trailing NUL is the terminator, not content.
  if (!force_ellipses && len > 0 && chars[len - 1] == 0) --len;
  if (len == 0) return force_ellipses ? "\"\"..." : "\"\"";
  // Runs of one character count once against the element limit (gdb's
  // count_next_character); repeats are never folded (crash sets repeats off).
  size_t i = 0, counted = 0;
  std::string out = "\"";
  bool need_escape = false;
  while (i < len && counted < limit) {
    size_t j = i + 1;
    while (j < len && chars[j] == chars[i]) ++j;
    for (size_t k = i; k < j; ++k) emit_char(out, chars[k], '"', need_escape);
    counted += j - i;
    i = j;
  }
  out += '"';
  if (i < len || force_ellipses) out += "...";
  return out;
}

std::string gdb_string_literal(std::string_view s, bool more) {
  return gdb_char_array(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()), s.size() + 1, more);
}

ValuePrinter::ValuePrinter(Program& prog, ValueFormat fmt) : prog_(prog), fmt_(fmt) {}

// ---------------------------------------------------------------------------
// Symbols.

std::optional<std::string> ValuePrinter::element_name(std::string_view sym, uint64_t off) {
  std::string key(sym);
  const Type* arr = nullptr;
  if (auto it = var_types_.find(key); it != var_types_.end()) {
    arr = it->second;
  } else {
    const Symbol* s = prog_.symbols().find(sym);
    std::optional<uint64_t> link;
    if (s) link = s->link_addr;
    if (auto v = prog_.types().variable(sym, link); v.ok() && v->type->strip()->kind == TypeKind::array)
      arr = v->type->strip();
    var_types_[key] = arr;
  }
  if (!arr) return std::nullopt;
  uint64_t esz = arr->target.get()->byte_size();
  if (esz == 0) return std::nullopt;
  uint64_t idx = off / esz, rem = off % esz;
  if (arr->count && idx >= *arr->count) return std::nullopt;
  std::string s = std::string(sym) + "[" + std::to_string(idx) + "]";
  if (rem) s += "+" + std::to_string(rem);
  return s;
}

std::optional<std::string> ValuePrinter::symbol_for(uint64_t v) {
  if (v == 0 || !prog_.arch().is_kernel_address(v)) return std::nullopt;
  const auto& syms = prog_.symbols().sorted();
  auto it = std::upper_bound(syms.begin(), syms.end(), v, [](uint64_t a, const Symbol& s) { return a < s.addr; });
  // gdb (lookup_minimal_symbol_by_pc_section): walk back over zero-sized
  // symbols to the nearest sized one; use it if v lies inside it, else the
  // nearest zero-sized one, which is dropped unless it is text.
  const Symbol* zero = nullptr;
  const Symbol* found = nullptr;
  for (int guard = 0; it != syms.begin() && guard < 4096; ++guard) {
    --it;
    const Symbol& s = *it;
    if (s.is_percpu() || s.type == 'A' || s.type == 'a' || s.type == 'U' || s.type == 'w') continue;
    if (s.size == 0) {
      if (!zero) zero = &s;
      continue;
    }
    if (v < s.addr + s.size) found = &s;
    break;
  }
  if (!found) {
    if (!zero) return std::nullopt;
    if (zero->type != 'T' && zero->type != 't' && zero->type != 'W') return std::nullopt;
    found = zero;
  }
  // gdb only symbolizes addresses inside one of the file's sections
  // (arm64's swapper_pg_dir sits in a gap between sections).
  if (found->module.empty() && !prog_.vmlinux().section_at(v - prog_.arch().kaslr_offset()))
    return std::nullopt;
  uint64_t off = v - found->addr;
  if (off == 0) return "<" + std::string(found->name) + ">";
  if (fmt_.element_symbols && found->type != 'T' && found->type != 't') {
    if (auto e = element_name(found->name, off)) return "<" + *e + ">";
  }
  return "<" + std::string(found->name) + "+" + std::to_string(off) + ">";
}

std::string ValuePrinter::pointer(uint64_t v, const Type* target) {
  std::string s = hexstr(v);
  if (auto sym = symbol_for(v)) s += " " + *sym;
  if (target && target->strip()->kind != TypeKind::void_ && target->is_char() && v != 0 &&
      (fmt_.format == 0 || fmt_.format == 's')) {
    // gdb's val_print_string: up to `print elements` chars or the NUL.
    std::string str;
    uint8_t buf[64];
    bool more = false, error = false;
    uint64_t a = v;
    size_t limit = fmt_.max_elements;
    while (str.size() < limit) {
      size_t n = std::min<size_t>(sizeof buf, limit - str.size());
      n = std::min<uint64_t>(n, 4096 - (a & 4095));
      if (!prog_.read(a, std::span(buf, n)).ok()) {
        error = true;
        break;
      }
      size_t z = 0;
      while (z < n && buf[z] != 0) ++z;
      str.append(reinterpret_cast<char*>(buf), z);
      if (z < n) break;
      a += n;
      if (str.size() >= limit) {
        uint8_t c;
        more = prog_.read(a, std::span(&c, 1)).ok() && c != 0;
      }
    }
    if (error && str.empty()) {
      s += " <error: Cannot access memory at address " + hexstr(a) + ">";
    } else {
      s += " " + gdb_string_literal(str, more);
      if (error) s += "<error: Cannot access memory at address " + hexstr(a) + ">";
    }
  }
  return s;
}

// ---------------------------------------------------------------------------
// Scalars.

std::string ValuePrinter::formatted(const Type* t, uint64_t raw, char f) {
  const Type* s = t->strip();
  uint64_t size = s->kind == TypeKind::pointer ? 8 : std::max<uint64_t>(1, s->byte_size());
  uint64_t m = mask_for(size);
  char b[80];
  switch (f) {
    case 'x':
      return hexstr(raw & m);
    case 'z': {
      std::snprintf(b, sizeof b, "0x%0*" PRIx64, static_cast<int>(size * 2), raw & m);
      return b;
    }
    case 'o':
      if ((raw & m) == 0) return "0";
      std::snprintf(b, sizeof b, "0%" PRIo64, raw & m);
      return b;
    case 't': {
      uint64_t v = raw & m;
      if (v == 0) return "0";
      std::string bits;
      while (v) {
        bits.insert(bits.begin(), static_cast<char>('0' + (v & 1)));
        v >>= 1;
      }
      return bits;
    }
    case 'd':
      std::snprintf(b, sizeof b, "%" PRId64, sign_extend(raw, static_cast<unsigned>(size * 8)));
      return b;
    case 'u':
      std::snprintf(b, sizeof b, "%" PRIu64, raw & m);
      return b;
    case 'c': {
      uint8_t c = static_cast<uint8_t>(raw);
      std::snprintf(b, sizeof b, "%d", static_cast<int>(static_cast<int8_t>(c)));
      return std::string(b) + " '" + gdb_escape_char(c, '\'') + "'";
    }
    case 'a': {
      std::string r = hexstr(raw);
      if (auto sym = symbol_for(raw)) r += " " + *sym;
      return r;
    }
    default:
      return scalar(t, raw);
  }
}

std::string ValuePrinter::enum_text(const Type* e, uint64_t raw) {
  int64_t v = e->is_signed() ? sign_extend(raw, static_cast<unsigned>(e->byte_size() * 8))
                             : static_cast<int64_t>(raw & mask_for(e->byte_size()));
  for (const auto& en : e->enumerators)
    if (en.value == v) return en.name;
  // gdb's "flag enum": every value non-negative and no two sharing a bit.
  bool flag = !e->enumerators.empty();
  uint64_t seen = 0;
  for (const auto& en : e->enumerators) {
    if (en.value < 0 || (seen & static_cast<uint64_t>(en.value))) {
      flag = false;
      break;
    }
    seen |= static_cast<uint64_t>(en.value);
  }
  char b[40];
  if (!flag) {
    std::snprintf(b, sizeof b, "%" PRId64, v);
    return b;
  }
  uint64_t left = static_cast<uint64_t>(v);
  std::string out;
  for (const auto& en : e->enumerators) {
    uint64_t ev = static_cast<uint64_t>(en.value);
    if (ev != 0 && (left & ev) == ev) {
      out += out.empty() ? "(" : " | ";
      out += en.name;
      left &= ~ev;
    }
  }
  if (left) {
    out += out.empty() ? "(unknown: " : " | unknown: ";
    out += hexstr(left) + ")";
  } else if (out.empty()) {
    out = "0";
  } else {
    out += ")";
  }
  return out;
}

std::string ValuePrinter::scalar(const Type* t, uint64_t raw) {
  const Type* s = t->strip();
  if (fmt_.format) return formatted(t, raw, fmt_.format);
  if (s->kind == TypeKind::enum_) return enum_text(s, raw);  // the output radix leaves enums alone
  if (s->kind == TypeKind::pointer) return pointer(raw, s->target.get());
  if (fmt_.radix == 16) return formatted(t, raw, 'x');
  char b[64];
  if (s->kind == TypeKind::base) {
    uint64_t size = std::max<uint64_t>(1, s->size);
    switch (s->encoding) {
      case BaseEncoding::boolean:
        if ((raw & mask_for(size)) == 0) return "false";
        if ((raw & mask_for(size)) == 1) return "true";
        std::snprintf(b, sizeof b, "%" PRIu64, raw & mask_for(size));
        return b;
      case BaseEncoding::float_: {
        if (size == 4) {
          uint32_t u = static_cast<uint32_t>(raw);
          float f;
          std::memcpy(&f, &u, 4);
          std::snprintf(b, sizeof b, "%.9g", f);
        } else {
          double d;
          std::memcpy(&d, &raw, 8);
          std::snprintf(b, sizeof b, "%.17g", d);
        }
        return b;
      }
      case BaseEncoding::signed_char:
      case BaseEncoding::unsigned_char:
        if (size == 1) {
          uint8_t c = static_cast<uint8_t>(raw);
          if (s->encoding == BaseEncoding::signed_char)
            std::snprintf(b, sizeof b, "%d", static_cast<int>(static_cast<int8_t>(c)));
          else
            std::snprintf(b, sizeof b, "%u", static_cast<unsigned>(c));
          return std::string(b) + " '" + gdb_escape_char(c, '\'') + "'";
        }
        break;
      default:
        break;
    }
    if (s->is_signed())
      std::snprintf(b, sizeof b, "%" PRId64, sign_extend(raw, static_cast<unsigned>(size * 8)));
    else
      std::snprintf(b, sizeof b, "%" PRIu64, raw & mask_for(size));
    return b;
  }
  std::snprintf(b, sizeof b, "%" PRIu64, raw);
  return b;
}

std::string ValuePrinter::bitfield(const Type* t, uint64_t raw, uint32_t bit_size) {
  const Type* s = t->strip();
  uint64_t v = raw;
  if (t->is_signed() && s->kind != TypeKind::enum_) v = static_cast<uint64_t>(sign_extend(raw, bit_size));
  if (fmt_.format == 'x' || (fmt_.radix == 16 && !fmt_.format && s->kind != TypeKind::enum_)) {
    // Hex of the field's own width, as gdb does for bitfields.
    return hexstr(raw & (bit_size >= 64 ? ~0ull : (1ull << bit_size) - 1));
  }
  return scalar(t, v);
}

// ---------------------------------------------------------------------------
// Aggregates.

std::string ValuePrinter::aggregate(const Type* s, std::span<const uint8_t> bytes, uint64_t address, int level) {
  if (s->members.empty()) return "{<No data fields>}";
  std::string out = "{\n";
  for (size_t i = 0; i < s->members.size(); ++i) {
    const Member& m = s->members[i];
    out += indent(level + 1);
    if (!m.name.empty()) out += m.name + " = ";
    const Type* mt = m.type.get();
    if (m.is_bitfield()) {
      out += bitfield(mt, extract_bits(bytes, m.bit_pos, m.bit_size), m.bit_size);
    } else if (m.offset <= bytes.size()) {
      out += value(mt, bytes.subspan(m.offset), address ? address + m.offset : 0, level + 1);
    } else {
      out += "<unavailable>";
    }
    out += i + 1 < s->members.size() ? ",\n" : "\n";
  }
  out += indent(level) + "}";
  return out;
}

std::string ValuePrinter::array(const Type* s, std::span<const uint8_t> bytes, uint64_t address, int level) {
  const Type* elem = s->target.get();
  uint64_t esz = elem->byte_size();
  if (!s->count || *s->count == 0) {
    // A flexible or zero-length array prints like a pointer to its start.
    return pointer(address, elem);
  }
  uint64_t n = *s->count;
  if (elem->is_char() && (fmt_.format == 0 || fmt_.format == 's')) {
    return gdb_char_array(bytes.first(std::min<uint64_t>(n, bytes.size())), fmt_.max_elements);
  }
  std::string out = "{";
  uint64_t i = 0;
  for (; i < n && i < fmt_.max_elements; ++i) {
    if (i) out += ", ";
    uint64_t off = i * esz;
    if (off + esz > bytes.size()) {
      out += "<unavailable>";
      continue;
    }
    out += value(elem, bytes.subspan(off, esz), address ? address + off : 0, level + 1);
  }
  if (i < n) out += "...";
  out += "}";
  return out;
}

std::string ValuePrinter::value(const Type* t, std::span<const uint8_t> bytes, uint64_t address, int level) {
  const Type* s = t->strip();
  switch (s->kind) {
    case TypeKind::struct_:
    case TypeKind::union_:
      return aggregate(s, bytes, address, level);
    case TypeKind::array:
      return array(s, bytes, address, level);
    case TypeKind::function:
      return "{" + type_name(s) + "} " + pointer(address, nullptr);
    case TypeKind::void_:
      return "void";
    case TypeKind::pointer: {
      uint64_t raw = load_integer(bytes, 8, false);
      if (fmt_.format && fmt_.format != 's' && fmt_.format != 'a') return formatted(s, raw, fmt_.format);
      return pointer(raw, s->target.get());
    }
    default: {
      uint64_t size = std::max<uint64_t>(1, s->byte_size());
      if (size == 16 && s->kind == TypeKind::base && !s->is_float() && bytes.size() >= 16) return int128(s, bytes);
      if (size > 8) return "<" + std::to_string(size) + "-byte value>";
      uint64_t raw = load_integer(bytes, size, t->is_signed());
      return scalar(t, raw);
    }
  }
}

std::string ValuePrinter::int128(const Type* s, std::span<const uint8_t> bytes) {
  unsigned __int128 u = 0;
  std::memcpy(&u, bytes.data(), 16);
  char f = fmt_.format ? fmt_.format : (fmt_.radix == 16 ? 'x' : 0);
  if (f == 'x' || f == 'z') {
    uint64_t hi = static_cast<uint64_t>(u >> 64), lo = static_cast<uint64_t>(u);
    char b[48];
    if (hi) std::snprintf(b, sizeof b, "0x%" PRIx64 "%016" PRIx64, hi, lo);
    else std::snprintf(b, sizeof b, "0x%" PRIx64, lo);
    return b;
  }
  bool neg = s->is_signed() && f != 'u' && static_cast<__int128>(u) < 0;
  if (neg) u = 0 - u;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u);
  return neg ? "-" + digits : digits;
}

std::string ValuePrinter::top_level(const Type* t, std::span<const uint8_t> bytes, uint64_t address) {
  const Type* s = t->strip();
  if (s->kind == TypeKind::pointer && (fmt_.format == 0 || fmt_.format == 'a' || fmt_.format == 's')) {
    // gdb prints "(type) " before a pointer, except a plain char pointer.
    const Type* target = s->target.get()->strip_cv();
    bool char_ptr = t->strip_cv()->kind == TypeKind::pointer && target->kind == TypeKind::base &&
                    target->name == "char";
    std::string v = value(t, bytes, address, 0);
    return char_ptr ? v : "(" + type_name(t) + ") " + v;
  }
  return value(t, bytes, address, 0);
}

}  // namespace kinspect
