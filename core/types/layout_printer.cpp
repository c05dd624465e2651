#include "core/types/layout_printer.hpp"

#include <cinttypes>
#include <vector>

#include "core/types/type_name.hpp"

namespace kinspect {

namespace {

// The struct/union/enum a declarator is built on, through pointers, arrays
// and qualifiers (but not typedefs: a typedef'd struct prints by name).
const Type* declarator_base(const Type* t) {
  for (int i = 0; i < 64; ++i) {
    switch (t->kind) {
      case TypeKind::pointer:
      case TypeKind::array:
      case TypeKind::const_:
      case TypeKind::volatile_:
        t = t->target.get();
        continue;
      default:
        return t;
    }
  }
  return t;
}

struct Line {
  std::optional<uint64_t> offset;  // shown in the -o column
  int level = 1;                   // nesting (1 = members of the printed type)
  std::string text;
};

class Layout {
 public:
  Layout(const Type* outer, const LayoutOptions& o) : outer_(outer), opts_(o) {}

  void members(const Type* agg, int level) {
    if (agg->members.empty()) {
      lines_.push_back({std::nullopt, level, "<no data fields>"});
      return;
    }
    for (const Member& m : agg->members) member(m, level);
  }

  std::string render(const std::string& head) {
    std::string out = head + " {\n";
    // The column is as wide as "[SIZE]" plus two. With an address, crash
    // prints "  [address]" on member lines but pads the other lines to the
    // numeric width all the same.
    char b[40];
    std::snprintf(b, sizeof b, "[%" PRIu64 "]", outer_->byte_size());
    size_t width = opts_.offsets ? std::string(b).size() + 2 : 0;
    for (const Line& l : lines_) {
      if (opts_.offsets) {
        if (l.offset && opts_.address) {
          std::snprintf(b, sizeof b, "  [%" PRIx64 "]", *opts_.address + *l.offset);
          out += std::string(b) + " ";
        } else if (l.offset) {
          std::snprintf(b, sizeof b, "[%" PRIu64 "]", *l.offset);
          std::string col = b;
          out += std::string(width > col.size() ? width - col.size() : 0, ' ') + col + " ";
        } else {
          out += std::string(width + 1, ' ');
        }
        out += std::string(4 * static_cast<size_t>(l.level - 1), ' ');
      } else {
        out += std::string(4 * static_cast<size_t>(l.level), ' ');
      }
      out += l.text + "\n";
    }
    out += "}";
    return out;
  }

 private:
  // crash asks for the offset of a member by its name in the outermost
  // type, so members of a named inner struct ("} b;") get none of their own.
  std::optional<uint64_t> offset_of(const std::string& name) {
    if (name.empty()) return std::nullopt;
    auto f = outer_->find_member(name);
    if (!f) return std::nullopt;
    return f->member->is_bitfield() ? f->bit_pos / 8 : f->offset;
  }

  void member(const Member& m, int level) {
    const Type* mt = m.type.get();
    std::string decl = declare(mt, m.name);
    std::string bits = m.is_bitfield() ? " : " + std::to_string(m.bit_size) : "";
    const Type* base = declarator_base(mt);
    bool anon_agg = (base->kind == TypeKind::struct_ || base->kind == TypeKind::union_) && base->name.empty();
    if (base->kind == TypeKind::enum_ && base->name.empty()) {
      auto pos = decl.find("enum {...}");
      if (pos != std::string::npos) decl.replace(pos, 10, enum_inline_text(base));
    }
    if (!anon_agg) {
      lines_.push_back({offset_of(m.name), level, decl + bits + ";"});
      return;
    }
    std::string token = base->kind == TypeKind::union_ ? "union {...}" : "struct {...}";
    auto pos = decl.find(token);
    std::string before = pos == std::string::npos ? "" : decl.substr(0, pos);
    std::string after = pos == std::string::npos ? "" : decl.substr(pos + token.size());
    lines_.push_back({std::nullopt, level, before + (base->kind == TypeKind::union_ ? "union {" : "struct {")});
    members(base, level + 1);
    lines_.push_back({offset_of(m.name), level, "}" + after + bits + ";"});
  }

  const Type* outer_;
  LayoutOptions opts_;
  std::vector<Line> lines_;

 public:
  void add_raw(std::optional<uint64_t> off, int level, std::string text) {
    lines_.push_back({off, level, std::move(text)});
  }
};

}  // namespace

std::string layout_text(const Type* t, const LayoutOptions& opts) {
  const Type* s = t->strip();
  std::string head = s->kind == TypeKind::union_ ? "union" : "struct";
  if (!s->name.empty()) head += " " + s->name;
  Layout l(s, opts);
  l.members(s, 1);
  return l.render(head);
}

std::string enum_inline_text(const Type* e) {
  std::string out = "enum ";
  if (!e->name.empty()) out += e->name + " ";
  out += "{";
  int64_t last = 0;
  for (size_t i = 0; i < e->enumerators.size(); ++i) {
    const auto& en = e->enumerators[i];
    if (i) out += ", ";
    out += en.name;
    if (en.value != last) {
      out += " = " + std::to_string(en.value);
      last = en.value;
    }
    ++last;
  }
  return out + "}";
}

std::string enum_layout_text(const Type* e) {
  std::string out = "enum ";
  if (!e->name.empty()) out += e->name + " ";
  out += "{\n";
  for (const auto& en : e->enumerators) out += "  " + en.name + " = " + std::to_string(en.value) + "\n";
  return out + "};";
}

std::string typedef_text(const Type* td) {
  // ptype resolves the typedef chain; the members keep their own typedefs.
  const Type* r = td->target.get();
  while (r->kind == TypeKind::typedef_) r = r->target.get();
  std::string body;
  const Type* rs = r->strip_cv();
  if ((rs->kind == TypeKind::struct_ || rs->kind == TypeKind::union_)) {
    body = layout_text(rs);
    if (r->kind == TypeKind::const_) body = "const " + body;
  } else if (rs->kind == TypeKind::enum_) {
    body = enum_inline_text(rs);
  } else {
    body = type_name(r);
  }
  return "typedef " + body + " " + td->name + ";";
}

}  // namespace kinspect
