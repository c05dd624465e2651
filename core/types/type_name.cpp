#include "core/types/type_name.hpp"

#include <cctype>
#include <vector>

#include "core/types/types.hpp"

namespace kinspect {

namespace {

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The part before the declarator: "struct list_head", "unsigned long",
// "const char" (qualifiers of the innermost type come first).
std::string specifier(const Type* t) {
  switch (t->kind) {
    case TypeKind::void_: return "void";
    case TypeKind::base: return base_display_name(t->name);
    case TypeKind::struct_: return t->name.empty() ? "struct {...}" : "struct " + t->name;
    case TypeKind::union_: return t->name.empty() ? "union {...}" : "union " + t->name;
    case TypeKind::enum_: return t->name.empty() ? "enum {...}" : "enum " + t->name;
    case TypeKind::typedef_: return t->name;
    default: return "?";
  }
}

std::string params_text(const Type* f) {
  std::string s = "(";
  for (size_t i = 0; i < f->params.size(); ++i) {
    if (i) s += ", ";
    s += type_name(f->params[i].get());
  }
  if (f->variadic) s += f->params.empty() ? "..." : ", ...";
  if (f->params.empty() && !f->variadic && f->prototyped) s += "void";
  s += ")";
  return s;
}

// Builds "spec inner" by unwrapping declarators from the outside in.
std::string build(const Type* t, std::string inner) {
  for (int guard = 0; guard < 64; ++guard) {
    if (!t->name.empty() && t->name[0] == '<')  // "<text variable, no debug info>"
      return inner.empty() ? t->name : t->name + " " + inner;
    switch (t->kind) {
      case TypeKind::pointer: {
        const Type* target = t->target.get();
        inner = "*" + inner;
        const Type* shape = target;
        while ((shape->kind == TypeKind::const_ || shape->kind == TypeKind::volatile_) &&
               shape->target.get()->kind == TypeKind::array)
          shape = shape->target.get();
        if (shape->kind == TypeKind::array || shape->kind == TypeKind::function) inner = "(" + inner + ")";
        t = target;
        continue;
      }
      case TypeKind::array: {
        inner += t->count ? "[" + std::to_string(*t->count) + "]" : "[]";
        t = t->target.get();
        continue;
      }
      case TypeKind::function: {
        inner += params_text(t);
        t = t->target.get();
        continue;
      }
      case TypeKind::const_:
      case TypeKind::volatile_: {
        const char* q = t->kind == TypeKind::const_ ? "const" : "volatile";
        const Type* target = t->target.get();
        if (target->kind == TypeKind::array) {
          // A qualified array is an array of qualified elements, and GCC
          // already qualifies the element type.
          t = target;
          continue;
        }
        if (target->kind == TypeKind::pointer) {
          // char *const p
          inner = std::string(" ") + q + (inner.empty() ? "" : " " + inner);
          t = target;
          continue;
        }
        // Collect a run of qualifiers: "const volatile int".
        std::string quals = q;
        while (target->kind == TypeKind::const_ || target->kind == TypeKind::volatile_) {
          quals += target->kind == TypeKind::const_ ? " const" : " volatile";
          target = target->target.get();
        }
        std::string rest = build(target, inner);
        return quals + " " + rest;
      }
      default: {
        std::string spec = specifier(t);
        if (inner.empty()) return spec;
        if (inner[0] == ' ') return spec + inner;  // "char * const" spacing below
        return spec + " " + inner;
      }
    }
  }
  return "?";
}

}  // namespace

std::string type_name(const Type* t) { return build(t, ""); }

std::string declare(const Type* t, std::string_view name) { return build(t, std::string(name)); }

std::string base_display_name(std::string_view n) {
  if (n == "long unsigned int") return "unsigned long";
  if (n == "long int") return "long";
  if (n == "short unsigned int") return "unsigned short";
  if (n == "short int") return "short";
  if (n == "long long int") return "long long";
  if (n == "long long unsigned int") return "unsigned long long";
  return std::string(n);
}

std::optional<std::string> canonical_base_name(std::string_view spelling) {
  int n_unsigned = 0, n_signed = 0, n_short = 0, n_long = 0, n_int = 0, n_char = 0;
  int n_other = 0;
  std::string other;
  size_t i = 0;
  while (i < spelling.size()) {
    while (i < spelling.size() && std::isspace(static_cast<unsigned char>(spelling[i]))) ++i;
    size_t b = i;
    while (i < spelling.size() && is_ident_char(spelling[i])) ++i;
    std::string_view w = spelling.substr(b, i - b);
    if (w.empty()) {
      if (i < spelling.size()) return std::nullopt;
      break;
    }
    if (w == "unsigned") ++n_unsigned;
    else if (w == "signed") ++n_signed;
    else if (w == "short") ++n_short;
    else if (w == "long") ++n_long;
    else if (w == "int") ++n_int;
    else if (w == "char") ++n_char;
    else if (w == "void" || w == "_Bool" || w == "float" || w == "double" || w == "__int128") {
      ++n_other;
      other = std::string(w);
    } else {
      return std::nullopt;
    }
  }
  if (n_unsigned && n_signed) return std::nullopt;
  if (n_other) {
    if (other == "double" && n_long == 1 && n_other == 1 && !n_unsigned && !n_signed && !n_short && !n_int && !n_char)
      return "long double";
    if (other == "__int128" && n_other == 1 && !n_short && !n_long && !n_int && !n_char)
      return n_unsigned ? "__int128 unsigned" : "__int128";
    if (n_other > 1 || n_unsigned || n_signed || n_short || n_long || n_int || n_char) return std::nullopt;
    return other;
  }
  if (n_char) {
    if (n_char > 1 || n_short || n_long || n_int) return std::nullopt;
    return n_unsigned ? "unsigned char" : n_signed ? "signed char" : "char";
  }
  if (n_short) {
    if (n_short > 1 || n_long || n_int > 1) return std::nullopt;
    return n_unsigned ? "short unsigned int" : "short int";
  }
  if (n_long == 1) return n_unsigned ? "long unsigned int" : "long int";
  if (n_long == 2) return n_unsigned ? "long long unsigned int" : "long long int";
  if (n_long > 2 || n_int > 1) return std::nullopt;
  if (n_int || n_unsigned || n_signed) return n_unsigned ? "unsigned int" : "int";
  return std::nullopt;
}

std::optional<BaseInfo> base_type_info(std::string_view n) {
  using E = BaseEncoding;
  if (n == "char") return BaseInfo{1, E::signed_char};
  if (n == "signed char") return BaseInfo{1, E::signed_char};
  if (n == "unsigned char") return BaseInfo{1, E::unsigned_char};
  if (n == "short int") return BaseInfo{2, E::signed_int};
  if (n == "short unsigned int") return BaseInfo{2, E::unsigned_int};
  if (n == "int") return BaseInfo{4, E::signed_int};
  if (n == "unsigned int") return BaseInfo{4, E::unsigned_int};
  if (n == "long int" || n == "long long int") return BaseInfo{8, E::signed_int};
  if (n == "long unsigned int" || n == "long long unsigned int") return BaseInfo{8, E::unsigned_int};
  if (n == "_Bool") return BaseInfo{1, E::boolean};
  if (n == "float") return BaseInfo{4, E::float_};
  if (n == "double") return BaseInfo{8, E::float_};
  if (n == "long double") return BaseInfo{16, E::float_};
  if (n == "__int128") return BaseInfo{16, E::signed_int};
  if (n == "__int128 unsigned") return BaseInfo{16, E::unsigned_int};
  return std::nullopt;
}

namespace {

bool is_base_word(std::string_view w) {
  return w == "unsigned" || w == "signed" || w == "short" || w == "long" || w == "int" || w == "char" ||
         w == "void" || w == "_Bool" || w == "float" || w == "double" || w == "__int128";
}

}  // namespace

bool begins_type_name(const Types& types, std::string_view w) {
  if (w == "struct" || w == "union" || w == "enum" || w == "const" || w == "volatile") return true;
  if (is_base_word(w)) return true;
  return types.find_typedef(w).ok();
}

Result<const Type*> parse_type_name(const Types& types, std::string_view text, bool bare_word_is_tag) {
  // Tokens: words and the punctuation * [ ] ( ).
  std::vector<std::string_view> toks;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (is_ident_char(c)) {
      size_t b = i;
      while (i < text.size() && is_ident_char(text[i])) ++i;
      toks.push_back(text.substr(b, i - b));
    } else if (c == '*' || c == '[' || c == ']' || c == '(' || c == ')') {
      toks.push_back(text.substr(i, 1));
      ++i;
    } else {
      return fail(Errc::invalid_argument, "unexpected '" + std::string(1, c) + "' in type name: " + std::string(text));
    }
  }
  if (toks.empty()) return fail(Errc::invalid_argument, "empty type name");

  size_t p = 0;
  bool is_const = false, is_volatile = false;
  auto quals = [&] {
    while (p < toks.size() && (toks[p] == "const" || toks[p] == "volatile")) {
      (toks[p] == "const" ? is_const : is_volatile) = true;
      ++p;
    }
  };
  quals();
  if (p >= toks.size()) return fail(Errc::invalid_argument, "no type in: " + std::string(text));
  const Type* t = nullptr;
  std::string_view w = toks[p];
  if (w == "struct" || w == "union" || w == "enum") {
    if (p + 1 >= toks.size() || !is_ident_char(toks[p + 1][0]))
      return fail(Errc::invalid_argument, std::string(w) + " needs a name: " + std::string(text));
    std::string_view tag = toks[p + 1];
    p += 2;
    if (w == "struct") {
      ASSIGN_OR_RETURN(t, types.find_struct(tag));
    } else if (w == "union") {
      ASSIGN_OR_RETURN(t, types.find_union(tag));
    } else {
      ASSIGN_OR_RETURN(t, types.find_enum(tag));
    }
  } else if (is_base_word(w)) {
    std::string spelling;
    while (p < toks.size() && (is_base_word(toks[p]) || toks[p] == "const" || toks[p] == "volatile")) {
      if (toks[p] == "const") is_const = true;
      else if (toks[p] == "volatile") is_volatile = true;
      else spelling += std::string(toks[p]) + " ";
      ++p;
    }
    t = types.base_type(spelling);
    if (!t) return fail(Errc::invalid_argument, "not a C type: " + spelling);
  } else if (is_ident_char(w[0])) {
    ++p;
    if (auto td = types.find_typedef(w); td.ok()) {
      t = *td;
    } else if (bare_word_is_tag) {
      if (auto s = types.find_struct(w); s.ok()) t = *s;
      else if (auto u = types.find_union(w); u.ok()) t = *u;
      else if (auto e = types.find_enum(w); e.ok()) t = *e;
    }
    if (!t) return fail(Errc::not_found, "no type named \"" + std::string(w) + "\"");
  } else {
    return fail(Errc::invalid_argument, "not a type name: " + std::string(text));
  }
  quals();
  // Qualifiers wrap the named type (made-up qualified types are not needed
  // for reading memory; they only change how a cast prints, so drop them).
  (void)is_const;
  (void)is_volatile;

  // Abstract declarator: pointers, then array dimensions.
  while (p < toks.size() && toks[p] == "*") {
    t = types.pointer_to(t);
    ++p;
    quals();
  }
  std::vector<std::optional<uint64_t>> dims;
  while (p < toks.size() && toks[p] == "[") {
    if (p + 1 < toks.size() && toks[p + 1] == "]") {
      dims.push_back(std::nullopt);
      p += 2;
      continue;
    }
    if (p + 2 >= toks.size() || toks[p + 2] != "]")
      return fail(Errc::invalid_argument, "bad array dimension in: " + std::string(text));
    std::string n(toks[p + 1]);
    char* end = nullptr;
    uint64_t v = std::strtoull(n.c_str(), &end, 0);
    if (*end) return fail(Errc::invalid_argument, "bad array dimension [" + n + "]");
    dims.push_back(v);
    p += 3;
  }
  for (size_t i = dims.size(); i-- > 0;) t = types.array_of(t, dims[i]);
  if (p != toks.size())
    return fail(Errc::invalid_argument, "cannot parse type name \"" + std::string(text) + "\" at \"" +
                                            std::string(toks[p]) + "\"");
  return t;
}

}  // namespace kinspect
