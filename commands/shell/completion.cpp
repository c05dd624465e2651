#include "commands/shell/completion.hpp"

#include <algorithm>
#include <set>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "core/types/dwarf_index.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// Enough to fill a screen of choices; readline shows "Display all N?" past it.
constexpr size_t kMaxCandidates = 2000;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string first_word(std::string_view line) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = line.find_first_of(" \t", b);
  return std::string(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
}

void add_index_names(const Types& types, std::string_view prefix, std::initializer_list<IndexKind> kinds,
                     std::set<std::string>& out) {
  if (!types.has_dwarf()) return;
  for (const IndexEntry& e : types.index().find_prefix(prefix, kMaxCandidates * 4)) {
    if (out.size() >= kMaxCandidates) return;
    if (std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end()) out.insert(std::string(e.name));
  }
}

void add_symbols(Program& prog, std::string_view prefix, std::set<std::string>& out) {
  // The symbol table is address-ordered; a linear pass over ~100k names is
  // well under a keystroke's time.
  for (const Symbol& s : prog.symbols().sorted()) {
    if (out.size() >= kMaxCandidates) return;
    if (starts_with(s.name, prefix)) out.insert(std::string(s.name));
  }
}

// The struct or union a path names: "task_struct.se" in a type context, or
// "init_task.se" / "init_task->se" in an expression context. Pointers and
// typedefs are looked through, as `p` and `struct` do.
const Type* aggregate_of(const Types& types, std::string_view path, bool type_context) {
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '.') {
      parts.push_back(cur), cur.clear();
    } else if (path[i] == '-' && i + 1 < path.size() && path[i + 1] == '>') {
      parts.push_back(cur), cur.clear(), ++i;
    } else {
      cur += path[i];
    }
  }
  parts.push_back(cur);
  if (parts.empty() || parts[0].empty()) return nullptr;
  const Type* t = nullptr;
  if (type_context) {
    auto r = types.find_struct(parts[0]);
    if (!r.ok()) r = types.find_union(parts[0]);
    if (!r.ok()) r = types.find_typedef(parts[0]);
    if (!r.ok()) return nullptr;
    t = *r;
  } else {
    auto v = types.variable(parts[0]);
    if (!v.ok()) return nullptr;
    t = v->type;
  }
  auto deref = [](const Type* x) {
    for (int i = 0; i < 8 && x; ++i) {
      const Type* s = x->strip();
      if (s->kind == TypeKind::pointer || s->kind == TypeKind::array) {
        x = s->target.get();
        continue;
      }
      return s;
    }
    return x ? x->strip() : nullptr;
  };
  for (size_t i = 1; i < parts.size() && t; ++i) {
    const Type* s = deref(t);
    if (!s || !s->is_aggregate()) return nullptr;
    auto m = s->find_member(parts[i]);
    if (!m) return nullptr;
    t = m->member->type.get();
  }
  t = deref(t);
  return t && t->is_aggregate() ? t : nullptr;
}

// Member names of an aggregate, anonymous members' members included.
void add_members(const Type* t, std::string_view prefix, const std::string& lead,
                 std::set<std::string>& out, int depth = 0) {
  if (depth > 8) return;
  for (const Member& m : t->members) {
    if (m.name.empty()) {
      const Type* inner = m.type.get()->strip();
      if (inner->is_aggregate()) add_members(inner, prefix, lead, out, depth + 1);
      continue;
    }
    if (starts_with(m.name, prefix)) out.insert(lead + m.name);
  }
}

// Splits "init_task.se.vr" into ("init_task.se", separator end, "vr").
bool split_member_path(std::string_view word, std::string_view* base, std::string* lead,
                       std::string_view* partial) {
  size_t dot = word.rfind('.');
  size_t arrow = word.rfind("->");
  size_t cut = std::string_view::npos, sep = 0;
  if (dot != std::string_view::npos) cut = dot, sep = 1;
  if (arrow != std::string_view::npos && (cut == std::string_view::npos || arrow > cut)) cut = arrow, sep = 2;
  if (cut == std::string_view::npos) return false;
  // Expressions may start with '*', '&' or '(' before the variable.
  size_t start = word.find_first_not_of("*&(");
  if (start == std::string_view::npos || start >= cut) return false;
  *base = word.substr(start, cut - start);
  *lead = std::string(word.substr(0, cut + sep));
  *partial = word.substr(cut + sep);
  return true;
}

bool is_type_command(std::string_view c) { return c == "struct" || c == "union" || c == "*"; }

}  // namespace

std::vector<std::string> complete_word(Session& session, std::string_view line, size_t word_start,
                                       std::string_view word) {
  std::set<std::string> out;
  std::string_view before = line.substr(0, std::min(word_start, line.size()));
  bool first = before.find_first_not_of(" \t") == std::string_view::npos;
  if (first) {
    for (const CommandSpec& c : command_table())
      if (starts_with(c.name, word)) out.insert(std::string(c.name));
    for (const auto& [name, expansion] : session.aliases())
      if (starts_with(name, word)) out.insert(name);
    return {out.begin(), out.end()};
  }
  std::string cmd = first_word(line);
  if (auto it = session.aliases().find(cmd); it != session.aliases().end()) cmd = first_word(it->second);
  if (cmd.find('/') != std::string::npos) cmd = cmd.substr(0, cmd.find('/'));  // p/x
  const CommandSpec* spec = find_command(cmd);
  if (!word.empty() && word[0] == '-' && spec && word.find("->") == std::string_view::npos) {
    std::string flags(spec->flags);
    size_t p = 0;
    while (p < flags.size()) {
      size_t e = flags.find(' ', p);
      std::string f = flags.substr(p, e == std::string::npos ? std::string::npos : e - p);
      if (!f.empty() && starts_with(f, word)) out.insert(f);
      if (e == std::string::npos) break;
      p = e + 1;
    }
    return {out.begin(), out.end()};
  }
  Program* prog = session.program();
  if (!prog) return {};
  const Types& types = prog->types();
  bool type_context = is_type_command(cmd);
  std::string_view base, partial;
  std::string lead;
  if (split_member_path(word, &base, &lead, &partial)) {
    if (const Type* t = aggregate_of(types, base, type_context)) add_members(t, partial, lead, out);
    return {out.begin(), out.end()};
  }
  if (type_context) {
    add_index_names(types, word, {IndexKind::struct_, IndexKind::union_, IndexKind::typedef_}, out);
  } else if (cmd == "whatis") {
    add_index_names(types, word,
                    {IndexKind::struct_, IndexKind::union_, IndexKind::typedef_, IndexKind::variable,
                     IndexKind::function},
                    out);
  } else if (spec && spec->needs_dump) {
    add_symbols(*prog, word, out);
  }
  return {out.begin(), out.end()};
}

}  // namespace kinspect
