#include "core/expr/expr.hpp"

#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/program.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// ---------------------------------------------------------------------------
// Tokens.

enum class Tok { end, number, character, ident, punct, string };

struct Token {
  Tok kind = Tok::end;
  std::string text;    // identifier, punctuation, string body
  uint64_t value = 0;  // number, character
  bool is_unsigned = false, is_long = false, is_hex = false, is_float = false;
  double fvalue = 0;
  size_t pos = 0;
};

Result<std::vector<Token>> lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  static const char* kPuncts[] = {"->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--"};
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      // Floating constants: digits with a '.' or an exponent.
      size_t e = i;
      while (e < s.size() && std::isdigit(static_cast<unsigned char>(s[e]))) ++e;
      if (!(c == '0' && e == i + 1 && e < s.size() && (s[e] == 'x' || s[e] == 'X')) && e < s.size() &&
          (s[e] == '.' || s[e] == 'e' || s[e] == 'E')) {
        std::string num(s.substr(i));
        char* end = nullptr;
        double d = std::strtod(num.c_str(), &end);
        size_t used = static_cast<size_t>(end - num.c_str());
        if (used > e - i) {
          t.kind = Tok::number;
          t.is_float = true;
          t.fvalue = d;
          i += used;
          if (i < s.size() && (s[i] == 'f' || s[i] == 'F' || s[i] == 'l' || s[i] == 'L')) ++i;
          out.push_back(std::move(t));
          continue;
        }
      }
      size_t b = i;
      int base = 10;
      if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
        b = i;
        while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
      } else {
        while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i])) &&
               !(s[i] == 'u' || s[i] == 'U' || s[i] == 'l' || s[i] == 'L'))
          ++i;
        std::string_view digits = s.substr(b, i - b);
        bool all_dec = true;
        for (char d : digits) all_dec &= std::isdigit(static_cast<unsigned char>(d)) != 0;
        if (!all_dec) {
          // crash users type addresses without 0x ("ffff8881...12"): hex.
          base = 16;
          for (char d : digits)
            if (!std::isxdigit(static_cast<unsigned char>(d)))
              return fail(Errc::invalid_argument, "invalid number \"" + std::string(digits) + "\"");
        } else if (digits.size() > 1 && digits[0] == '0') {
          base = 8;
        }
      }
      std::string digits(s.substr(b, i - b));
      if (digits.empty()) return fail(Errc::invalid_argument, "invalid number at \"" + std::string(s.substr(t.pos)) + "\"");
      errno = 0;
      char* end = nullptr;
      t.value = std::strtoull(digits.c_str(), &end, base);
      if (errno == ERANGE || *end)
        return fail(Errc::invalid_argument, "invalid number \"" + std::string(s.substr(t.pos, i - t.pos)) + "\"");
      t.is_hex = base != 10;
      while (i < s.size() && (s[i] == 'u' || s[i] == 'U' || s[i] == 'l' || s[i] == 'L')) {
        if (s[i] == 'u' || s[i] == 'U') t.is_unsigned = true;
        else t.is_long = true;
        ++i;
      }
      if (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
        return fail(Errc::invalid_argument, "invalid number \"" + std::string(s.substr(t.pos, i - t.pos + 1)) + "\"");
      t.kind = Tok::number;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      size_t b = i;
      ++i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      t.kind = Tok::ident;
      t.text = std::string(s.substr(b, i - b));
    } else if (c == '\'') {
      ++i;
      if (i >= s.size()) return fail(Errc::invalid_argument, "unterminated character constant");
      uint64_t v = 0;
      if (s[i] == '\\') {
        ++i;
        if (i >= s.size()) return fail(Errc::invalid_argument, "unterminated character constant");
        char e = s[i++];
        switch (e) {
          case 'n': v = '\n'; break;
          case 't': v = '\t'; break;
          case 'r': v = '\r'; break;
          case 'a': v = '\a'; break;
          case 'b': v = '\b'; break;
          case 'f': v = '\f'; break;
          case 'v': v = '\v'; break;
          case 'e': v = 27; break;
          case 'x': {
            size_t b = i;
            while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
            v = std::strtoull(std::string(s.substr(b, i - b)).c_str(), nullptr, 16);
            break;
          }
          default:
            if (e >= '0' && e <= '7') {
              v = static_cast<uint64_t>(e - '0');
              for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k) v = v * 8 + (s[i++] - '0');
            } else {
              v = static_cast<unsigned char>(e);
            }
        }
      } else {
        v = static_cast<unsigned char>(s[i++]);
      }
      if (i >= s.size() || s[i] != '\'') return fail(Errc::invalid_argument, "unterminated character constant");
      ++i;
      t.kind = Tok::character;
      t.value = v & 0xff;
    } else if (c == '"') {
      size_t e = s.find('"', i + 1);
      if (e == std::string_view::npos) return fail(Errc::invalid_argument, "unterminated string");
      t.kind = Tok::string;
      t.text = std::string(s.substr(i + 1, e - i - 1));
      i = e + 1;
    } else {
      t.kind = Tok::punct;
      for (const char* p : kPuncts) {
        if (s.substr(i, 2) == p) {
          t.text = p;
          break;
        }
      }
      if (t.text.empty()) {
        if (!std::strchr("+-*/%&|^!~<>=?:()[].,", c))
          return fail(Errc::invalid_argument, std::string("unexpected '") + c + "' in expression");
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token e;
  e.kind = Tok::end;
  e.pos = s.size();
  out.push_back(e);
  return out;
}

// ---------------------------------------------------------------------------
// Syntax tree.

enum class N { number, character, ident, member, arrow, index, unary, binary, cond, cast, sizeof_type, sizeof_expr, per_cpu, per_cpu_ptr };

struct Node {
  N kind;
  std::string text;  // identifier, member name, operator
  Token tok;         // literals
  const Type* type = nullptr;
  std::unique_ptr<Node> a, b, c;
};
using NodeP = std::unique_ptr<Node>;

NodeP make(N k) {
  auto n = std::make_unique<Node>();
  n->kind = k;
  return n;
}

class Parser {
 public:
  Parser(const Types& types, std::string_view src, std::vector<Token> toks)
      : types_(types), src_(src), toks_(std::move(toks)) {}

  Result<NodeP> parse() {
    ASSIGN_OR_RETURN(NodeP n, expr());
    if (peek().kind != Tok::end) return error("unexpected \"" + rest() + "\"");
    return n;
  }

 private:
  const Token& peek(size_t k = 0) const { return toks_[std::min(p_ + k, toks_.size() - 1)]; }
  bool is(std::string_view punct, size_t k = 0) const {
    return peek(k).kind == Tok::punct && peek(k).text == punct;
  }
  bool accept(std::string_view punct) {
    if (!is(punct)) return false;
    ++p_;
    return true;
  }
  std::string rest() const { return std::string(src_.substr(peek().pos)); }
  Failure error(std::string msg) const { return fail(Errc::invalid_argument, msg + " in \"" + std::string(src_) + "\""); }
  Status expect(std::string_view punct) {
    if (accept(punct)) return {};
    if (peek().kind == Tok::end) return error("missing \"" + std::string(punct) + "\"");
    return error("expected \"" + std::string(punct) + "\" before \"" + rest() + "\"");
  }

  // ( TYPE-NAME ) at the current position, for casts and sizeof.
  bool looks_like_type(size_t k) const {
    const Token& t = peek(k);
    return t.kind == Tok::ident && begins_type_name(types_, t.text);
  }
  Result<const Type*> type_name_until_paren() {
    size_t start = peek().pos;
    int depth = 0;
    while (peek().kind != Tok::end) {
      if (is("(") || is("[")) ++depth;
      if (is(")") || is("]")) {
        if (depth == 0 && is(")")) break;
        --depth;
      }
      ++p_;
    }
    std::string_view text = src_.substr(start, peek().pos - start);
    TRY_VOID(expect(")"));
    return parse_type_name(types_, text, false);
  }

  Result<NodeP> expr() { return conditional(); }

  Result<NodeP> conditional() {
    ASSIGN_OR_RETURN(NodeP c, binary(0));
    if (!accept("?")) return c;
    ASSIGN_OR_RETURN(NodeP a, expr());
    TRY_VOID(expect(":"));
    ASSIGN_OR_RETURN(NodeP b, conditional());
    NodeP n = make(N::cond);
    n->a = std::move(c);
    n->b = std::move(a);
    n->c = std::move(b);
    return n;
  }

  static int precedence(const std::string& op) {
    static const std::pair<const char*, int> table[] = {
        {"||", 1}, {"&&", 2}, {"|", 3},  {"^", 4},  {"&", 5},  {"==", 6}, {"!=", 6}, {"<", 7},
        {">", 7},  {"<=", 7}, {">=", 7}, {"<<", 8}, {">>", 8}, {"+", 9},  {"-", 9},  {"*", 10},
        {"/", 10}, {"%", 10}};
    for (auto& [o, p] : table)
      if (op == o) return p;
    return -1;
  }

  Result<NodeP> binary(int min_prec) {
    ASSIGN_OR_RETURN(NodeP lhs, unary());
    for (;;) {
      if (peek().kind != Tok::punct) break;
      int prec = precedence(peek().text);
      if (prec < 0 || prec < min_prec) break;
      std::string op = peek().text;
      ++p_;
      ASSIGN_OR_RETURN(NodeP rhs, binary(prec + 1));
      NodeP n = make(N::binary);
      n->text = op;
      n->a = std::move(lhs);
      n->b = std::move(rhs);
      lhs = std::move(n);
    }
    return lhs;
  }

  Result<NodeP> unary() {
    if (peek().kind == Tok::punct) {
      const std::string& op = peek().text;
      if (op == "-" || op == "+" || op == "!" || op == "~" || op == "*" || op == "&") {
        std::string o = op;
        ++p_;
        ASSIGN_OR_RETURN(NodeP a, unary());
        NodeP n = make(N::unary);
        n->text = o;
        n->a = std::move(a);
        return n;
      }
      if (op == "++" || op == "--") return error("\"" + op + "\" would modify the dump");
      if (op == "(" && looks_like_type(1)) {
        ++p_;
        ASSIGN_OR_RETURN(const Type* t, type_name_until_paren());
        ASSIGN_OR_RETURN(NodeP a, unary());
        NodeP n = make(N::cast);
        n->type = t;
        n->a = std::move(a);
        return n;
      }
    }
    if (peek().kind == Tok::ident && peek().text == "sizeof") {
      ++p_;
      if (is("(") && looks_like_type(1)) {
        ++p_;
        ASSIGN_OR_RETURN(const Type* t, type_name_until_paren());
        NodeP n = make(N::sizeof_type);
        n->type = t;
        return n;
      }
      ASSIGN_OR_RETURN(NodeP a, unary());
      NodeP n = make(N::sizeof_expr);
      n->a = std::move(a);
      return n;
    }
    return postfix();
  }

  Result<NodeP> postfix() {
    ASSIGN_OR_RETURN(NodeP n, primary());
    for (;;) {
      if (accept(".") || (is("->") && (++p_, true))) {
        bool arrow = toks_[p_ - 1].text == "->";
        if (peek().kind != Tok::ident) return error("a member name must follow \"" + std::string(arrow ? "->" : ".") + "\"");
        NodeP m = make(arrow ? N::arrow : N::member);
        m->text = peek().text;
        ++p_;
        m->a = std::move(n);
        n = std::move(m);
      } else if (accept("[")) {
        ASSIGN_OR_RETURN(NodeP idx, expr());
        TRY_VOID(expect("]"));
        NodeP m = make(N::index);
        m->a = std::move(n);
        m->b = std::move(idx);
        n = std::move(m);
      } else {
        break;
      }
    }
    return n;
  }

  Result<NodeP> primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::number: {
        NodeP n = make(N::number);
        n->tok = t;
        ++p_;
        return n;
      }
      case Tok::character: {
        NodeP n = make(N::character);
        n->tok = t;
        ++p_;
        return n;
      }
      case Tok::ident: {
        if (t.text == "per_cpu" && is("(", 1)) {
          p_ += 2;
          if (peek().kind != Tok::ident) return error("per_cpu(VARIABLE, CPU) needs a variable name");
          NodeP n = make(N::per_cpu);
          n->text = peek().text;
          ++p_;
          TRY_VOID(expect(","));
          ASSIGN_OR_RETURN(n->a, expr());
          TRY_VOID(expect(")"));
          return n;
        }
        if (t.text == "per_cpu_ptr" && is("(", 1)) {
          p_ += 2;
          NodeP n = make(N::per_cpu_ptr);
          ASSIGN_OR_RETURN(n->a, expr());
          TRY_VOID(expect(","));
          ASSIGN_OR_RETURN(n->b, expr());
          TRY_VOID(expect(")"));
          return n;
        }
        NodeP n = make(N::ident);
        n->text = t.text;
        ++p_;
        return n;
      }
      case Tok::string:
        return error("string literals are not supported");
      case Tok::punct:
        if (accept("(")) {
          ASSIGN_OR_RETURN(NodeP n, expr());
          TRY_VOID(expect(")"));
          return n;
        }
        return error("unexpected \"" + rest() + "\"");
      case Tok::end:
        return error("expression ends too early");
    }
    return error("bad expression");
  }

  const Types& types_;
  std::string_view src_;
  std::vector<Token> toks_;
  size_t p_ = 0;
};

// ---------------------------------------------------------------------------
// Evaluation.

class Eval {
 public:
  Eval(Program& prog, const LocalNames& locals) : prog_(prog), types_(prog.types()), locals_(locals) {}

  Result<Object> eval(const Node& n) {
    switch (n.kind) {
      case N::number: return number(n.tok);
      case N::character: return Object::from_u64(prog_, base("char"), n.tok.value);
      case N::ident: return ident(n.text);
      case N::member:
      case N::arrow: {
        ASSIGN_OR_RETURN(Object a, eval(*n.a));
        if (n.kind == N::arrow && a.type()->strip()->kind != TypeKind::pointer &&
            a.type()->strip()->kind != TypeKind::array)
          return fail(Errc::invalid_argument, "\"->\" needs a pointer; " + type_name(a.type()) + " is not one");
        return a.member(n.text);
      }
      case N::index: {
        ASSIGN_OR_RETURN(Object a, eval(*n.a));
        ASSIGN_OR_RETURN(Object i, eval(*n.b));
        ASSIGN_OR_RETURN(int64_t idx, integer(i));
        return a.index(idx);
      }
      case N::unary: return unary(n);
      case N::binary: return binary(n);
      case N::cond: {
        ASSIGN_OR_RETURN(Object c, eval(*n.a));
        ASSIGN_OR_RETURN(bool t, truth(c));
        return eval(t ? *n.b : *n.c);
      }
      case N::cast: {
        ASSIGN_OR_RETURN(Object a, eval(*n.a));
        if (a.type()->strip()->kind == TypeKind::array && a.is_lvalue() && n.type->is_pointer())
          return Object::from_u64(prog_, n.type, a.address());
        if (a.type()->strip()->kind == TypeKind::function && n.type->is_pointer())
          return Object::from_u64(prog_, n.type, a.address());
        return a.cast(n.type);
      }
      case N::sizeof_type:
        return Object::from_u64(prog_, base("unsigned long"), n.type->byte_size());
      case N::sizeof_expr: {
        ASSIGN_OR_RETURN(Object a, eval(*n.a));
        return Object::from_u64(prog_, base("unsigned long"), a.type()->byte_size());
      }
      case N::per_cpu: {
        ASSIGN_OR_RETURN(Object c, eval(*n.a));
        ASSIGN_OR_RETURN(int64_t cpu, integer(c));
        if (cpu < 0) return fail(Errc::invalid_argument, "invalid cpu " + std::to_string(cpu));
        return per_cpu(prog_, n.text, static_cast<unsigned>(cpu));
      }
      case N::per_cpu_ptr: {
        // The kernel's per_cpu_ptr(ptr, cpu): a per-cpu pointer moved into
        // CPU's area, same type.
        ASSIGN_OR_RETURN(Object p, eval(*n.a));
        ASSIGN_OR_RETURN(Object c, eval(*n.b));
        ASSIGN_OR_RETURN(int64_t cpu, integer(c));
        if (cpu < 0) return fail(Errc::invalid_argument, "invalid cpu " + std::to_string(cpu));
        if (p.type()->strip()->kind != TypeKind::pointer)
          return fail(Errc::invalid_argument, "per_cpu_ptr needs a pointer, not " + type_name(p.type()));
        ASSIGN_OR_RETURN(uint64_t v, p.as_u64());
        ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog_, v, static_cast<unsigned>(cpu)));
        return Object::from_u64(prog_, p.type(), a);
      }
    }
    return fail(Errc::invalid_argument, "bad expression");
  }

 private:
  const Type* base(std::string_view name) { return types_.base_type(name); }

  Result<Object> number(const Token& t) {
    if (t.is_float) {
      uint8_t b[8];
      std::memcpy(b, &t.fvalue, 8);
      return Object::from_bytes(prog_, base("double"), b);
    }
    uint64_t v = t.value;
    // C's rules for the type of an integer constant.
    const Type* ty;
    bool fits_int = v <= 0x7fffffffull, fits_uint = v <= 0xffffffffull, fits_long = v <= 0x7fffffffffffffffull;
    if (t.is_long) {
      ty = (t.is_unsigned || (!fits_long)) ? base("unsigned long") : base("long");
    } else if (t.is_unsigned) {
      ty = fits_uint ? base("unsigned int") : base("unsigned long");
    } else if (fits_int) {
      ty = base("int");
    } else if (t.is_hex && fits_uint) {
      ty = base("unsigned int");
    } else if (fits_long) {
      ty = base("long");
    } else {
      ty = base("unsigned long");
    }
    return Object::from_u64(prog_, ty, v);
  }

  Result<Object> ident(const std::string& name) {
    if (locals_)
      if (auto local = locals_(name)) return std::move(*local);
    const Symbol* sym = prog_.symbols().find(name);
    if (sym) {
      if (auto v = variable(prog_, name); v.ok()) return v;
      if (auto f = types_.function(name); f.ok()) return Object::at(prog_, f->type, sym->addr);
      if (auto e = types_.enumerator(name)) return enumerator(*e);
      bool text = sym->type == 'T' || sym->type == 't' || sym->type == 'W';
      return Object::at(prog_, types_.no_debug_info_type(text), sym->addr);
    }
    if (auto e = types_.enumerator(name)) return enumerator(*e);
    if (auto v = variable(prog_, name); v.ok()) return v;
    // crash users type addresses without 0x.
    bool hex = !name.empty();
    for (char c : name) hex &= std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (hex && name.size() >= 4) {
      Token t;
      t.value = std::strtoull(name.c_str(), nullptr, 16);
      t.is_hex = true;
      return number(t);
    }
    return fail(Errc::not_found, "no symbol \"" + name + "\" in the kernel");
  }

  Result<Object> enumerator(const EnumeratorInfo& e) {
    return Object::from_u64(prog_, e.enum_type, static_cast<uint64_t>(e.value));
  }

  // Value of an integer, enum, bool, char or pointer (arrays decay).
  Result<uint64_t> raw(const Object& o) {
    const Type* s = o.type()->strip();
    if (s->kind == TypeKind::array && o.is_lvalue()) return o.address();
    if (s->kind == TypeKind::function) return o.address();
    if (s->kind == TypeKind::void_) {
      if (o.type()->name.starts_with("<data"))
        return fail(Errc::invalid_argument, "a symbol without debug info has unknown type; cast it to its declared type");
      return fail(Errc::invalid_argument, "void value in an expression");
    }
    return o.as_u64();
  }
  Result<int64_t> integer(const Object& o) {
    const Type* s = o.type()->strip();
    if (!s->is_integer() && s->kind != TypeKind::pointer)
      return fail(Errc::invalid_argument, type_name(o.type()) + " is not an integer");
    ASSIGN_OR_RETURN(uint64_t v, raw(o));
    return static_cast<int64_t>(v);
  }
  Result<bool> truth(const Object& o) {
    if (o.type()->is_float()) {
      ASSIGN_OR_RETURN(double d, o.as_double());
      return d != 0;
    }
    ASSIGN_OR_RETURN(uint64_t v, raw(o));
    return v != 0;
  }

  // The integer type both operands convert to (C's usual conversions, LP64).
  const Type* common(const Type* a, const Type* b) {
    auto rank = [&](const Type* t) {
      uint64_t sz = t->strip()->byte_size();
      if (sz < 4) return std::make_pair(uint64_t(4), false);  // promoted to int
      return std::make_pair(sz, !t->is_signed());
    };
    auto [sa, ua] = rank(a);
    auto [sb, ub] = rank(b);
    uint64_t sz = std::max(sa, sb);
    bool uns = (sa == sz && ua) || (sb == sz && ub);
    if (sz > 4) return base(uns ? "unsigned long" : "long");
    return base(uns ? "unsigned int" : "int");
  }

  Result<Object> unary(const Node& n) {
    const std::string& op = n.text;
    if (op == "&") {
      ASSIGN_OR_RETURN(Object a, eval(*n.a));
      if (a.type()->strip()->kind == TypeKind::function && a.is_lvalue())
        return Object::from_u64(prog_, types_.pointer_to(a.type()), a.address());
      return a.address_of();
    }
    ASSIGN_OR_RETURN(Object a, eval(*n.a));
    const Type* s = a.type()->strip();
    if (op == "*") {
      if (s->kind == TypeKind::function) return a;
      if (s->kind == TypeKind::void_ && a.is_lvalue())
        return fail(Errc::invalid_argument, "a symbol without debug info has unknown type; cast it to its declared type");
      return a.deref();
    }
    if (a.type()->is_float()) {
      ASSIGN_OR_RETURN(double d, a.as_double());
      if (op == "-") d = -d;
      if (op == "!") return Object::from_u64(prog_, base("int"), d == 0);
      if (op == "~") return fail(Errc::invalid_argument, "~ needs an integer");
      uint8_t b[8];
      std::memcpy(b, &d, 8);
      return Object::from_bytes(prog_, base("double"), b);
    }
    ASSIGN_OR_RETURN(uint64_t v, raw(a));
    if (op == "!") return Object::from_u64(prog_, base("int"), v == 0);
    if (s->kind == TypeKind::pointer) return fail(Errc::invalid_argument, "\"" + op + "\" needs an integer, not a pointer");
    const Type* t = common(a.type(), base("int"));
    if (op == "-") return Object::from_u64(prog_, t, 0 - sext(v, a.type()));
    if (op == "~") return Object::from_u64(prog_, t, ~sext(v, a.type()));
    return Object::from_u64(prog_, t, sext(v, a.type()));  // unary +
  }

  static uint64_t sext(uint64_t v, const Type* t) {
    uint64_t sz = t->strip()->byte_size();
    if (!t->is_signed() || sz >= 8 || sz == 0) return v;
    uint64_t m = 1ull << (sz * 8 - 1);
    v &= (1ull << (sz * 8)) - 1;
    return (v ^ m) - m;
  }

  Result<Object> binary(const Node& n) {
    const std::string& op = n.text;
    ASSIGN_OR_RETURN(Object a, eval(*n.a));
    if (op == "&&" || op == "||") {
      ASSIGN_OR_RETURN(bool ta, truth(a));
      if (op == "&&" && !ta) return Object::from_u64(prog_, base("int"), 0);
      if (op == "||" && ta) return Object::from_u64(prog_, base("int"), 1);
      ASSIGN_OR_RETURN(Object b, eval(*n.b));
      ASSIGN_OR_RETURN(bool tb, truth(b));
      return Object::from_u64(prog_, base("int"), tb);
    }
    ASSIGN_OR_RETURN(Object b, eval(*n.b));
    const Type* sa = a.type()->strip();
    const Type* sb = b.type()->strip();
    auto ptrish = [](const Type* s) { return s->kind == TypeKind::pointer || s->kind == TypeKind::array; };
    bool pa = ptrish(sa) && (sa->kind == TypeKind::pointer || a.is_lvalue());
    bool pb = ptrish(sb) && (sb->kind == TypeKind::pointer || b.is_lvalue());

    if (a.type()->is_float() || b.type()->is_float()) return floating(op, a, b);

    ASSIGN_OR_RETURN(uint64_t va, raw(a));
    ASSIGN_OR_RETURN(uint64_t vb, raw(b));
    const Type* tint = base("int");
    auto boolean = [&](bool v) { return Object::from_u64(prog_, tint, v ? 1 : 0); };

    if (pa || pb) {
      auto elem_size = [&](const Type* s) {
        uint64_t e = s->target.get()->byte_size();
        return e ? e : 1;
      };
      const Type* ptr_a = sa->kind == TypeKind::array ? types_.pointer_to(sa->target.get()) : a.type();
      const Type* ptr_b = sb->kind == TypeKind::array ? types_.pointer_to(sb->target.get()) : b.type();
      if (op == "+" && pa && !pb) return Object::from_u64(prog_, ptr_a, va + sext(vb, b.type()) * elem_size(sa));
      if (op == "+" && pb && !pa) return Object::from_u64(prog_, ptr_b, vb + sext(va, a.type()) * elem_size(sb));
      if (op == "-" && pa && !pb) return Object::from_u64(prog_, ptr_a, va - sext(vb, b.type()) * elem_size(sa));
      if (op == "-" && pa && pb)
        return Object::from_u64(prog_, base("long"),
                                static_cast<uint64_t>(static_cast<int64_t>(va - vb) / static_cast<int64_t>(elem_size(sa))));
      if (op == "==") return boolean(va == vb);
      if (op == "!=") return boolean(va != vb);
      if (op == "<") return boolean(va < vb);
      if (op == ">") return boolean(va > vb);
      if (op == "<=") return boolean(va <= vb);
      if (op == ">=") return boolean(va >= vb);
      // Bit operations on a pointer: as unsigned long (gdb refuses; crash users
      // mask addresses often enough to allow it).
    }
    const Type* t = common(pa ? base("unsigned long") : a.type(), pb ? base("unsigned long") : b.type());
    bool uns = !t->is_signed();
    uint64_t x = pa ? va : sext(va, a.type()), y = pb ? vb : sext(vb, b.type());
    int64_t sx = static_cast<int64_t>(x), sy = static_cast<int64_t>(y);
    uint64_t bits = t->byte_size() * 8;
    auto res = [&](uint64_t v) { return Object::from_u64(prog_, t, v); };
    if (bits == 32) {  // arithmetic in 32 bits wraps there
      x &= 0xffffffffull;
      y &= 0xffffffffull;
      sx = static_cast<int32_t>(x);
      sy = static_cast<int32_t>(y);
      if (uns) {
        sx = static_cast<int64_t>(x);
        sy = static_cast<int64_t>(y);
      }
    }
    if (op == "+") return res(x + y);
    if (op == "-") return res(x - y);
    if (op == "*") return res(x * y);
    if (op == "/" || op == "%") {
      if (y == 0) return fail(Errc::invalid_argument, "division by zero");
      if (uns) return res(op == "/" ? x / y : x % y);
      if (sy == -1) return res(op == "/" ? 0 - static_cast<uint64_t>(sx) : 0);
      return res(static_cast<uint64_t>(op == "/" ? sx / sy : sx % sy));
    }
    if (op == "&") return res(x & y);
    if (op == "|") return res(x | y);
    if (op == "^") return res(x ^ y);
    if (op == "<<" || op == ">>") {
      // The result has the (promoted) type of the left operand.
      const Type* lt = common(pa ? base("unsigned long") : a.type(), tint);
      uint64_t lx = pa ? va : sext(va, a.type());
      unsigned sh = static_cast<unsigned>(y & 63);
      if (op == "<<") return Object::from_u64(prog_, lt, lx << sh);
      if (lt->is_signed()) {
        int64_t s = static_cast<int64_t>(lt->byte_size() == 4 ? static_cast<int64_t>(static_cast<int32_t>(lx)) : static_cast<int64_t>(lx));
        return Object::from_u64(prog_, lt, static_cast<uint64_t>(s >> sh));
      }
      uint64_t m = lt->byte_size() == 4 ? (lx & 0xffffffffull) : lx;
      return Object::from_u64(prog_, lt, m >> sh);
    }
    if (op == "==") return boolean(x == y);
    if (op == "!=") return boolean(x != y);
    if (uns) {
      if (op == "<") return boolean(x < y);
      if (op == ">") return boolean(x > y);
      if (op == "<=") return boolean(x <= y);
      if (op == ">=") return boolean(x >= y);
    } else {
      if (op == "<") return boolean(sx < sy);
      if (op == ">") return boolean(sx > sy);
      if (op == "<=") return boolean(sx <= sy);
      if (op == ">=") return boolean(sx >= sy);
    }
    return fail(Errc::invalid_argument, "unsupported operator " + op);
  }

  Result<Object> floating(const std::string& op, const Object& a, const Object& b) {
    ASSIGN_OR_RETURN(double x, a.as_double());
    ASSIGN_OR_RETURN(double y, b.as_double());
    auto boolean = [&](bool v) { return Object::from_u64(prog_, base("int"), v ? 1 : 0); };
    double r;
    if (op == "+") r = x + y;
    else if (op == "-") r = x - y;
    else if (op == "*") r = x * y;
    else if (op == "/") r = x / y;
    else if (op == "==") return boolean(x == y);
    else if (op == "!=") return boolean(x != y);
    else if (op == "<") return boolean(x < y);
    else if (op == ">") return boolean(x > y);
    else if (op == "<=") return boolean(x <= y);
    else if (op == ">=") return boolean(x >= y);
    else return fail(Errc::invalid_argument, "\"" + op + "\" needs integers");
    uint8_t bytes[8];
    std::memcpy(bytes, &r, 8);
    return Object::from_bytes(prog_, base("double"), bytes);
  }

  Program& prog_;
  const Types& types_;
  const LocalNames& locals_;
};

}  // namespace

Result<ExprResult> evaluate(Program& prog, std::string_view text, const LocalNames& locals) {
  ASSIGN_OR_RETURN(std::vector<Token> toks, lex(text));
  Parser parser(prog.types(), text, std::move(toks));
  ASSIGN_OR_RETURN(NodeP root, parser.parse());
  Eval eval(prog, locals);
  ASSIGN_OR_RETURN(Object v, eval.eval(*root));
  ExprResult r;
  r.value = std::move(v);
  if (root->kind == N::ident) r.symbol = root->text;
  return r;
}

}  // namespace kinspect
