// sym: translate a symbol to its address or an address to symbol+offset,
// with the source line as crash prints it; -l, -m, -q, -p, -n list symbols.
#include <algorithm>
#include <string_view>

#include "commands/command.hpp"
#include "core/address_info.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

bool is_text(const Symbol& s) { return s.type == 't' || s.type == 'T'; }

// "ffffffffa32114f0 (T) schedule FILE: LINE" — crash adds the source line
// for text in vmlinux and the module name in brackets for module symbols.
std::string describe(const Program& prog, uint64_t addr, const Symbol& s, uint64_t offset) {
  char head[64];
  std::snprintf(head, sizeof head, "%llx (%c) ", static_cast<unsigned long long>(addr), s.type);
  std::string line = head;
  line += s.name;
  if (offset) line += "+" + std::to_string(offset);
  if (!s.module.empty()) {
    // crash leaves a blank where text would show its source line.
    line += " [" + std::string(s.module) + "]" + (is_text(s) ? " " : "");
  } else if (is_text(s)) {
    if (auto src = source_line_of(prog, addr); src.ok())
      line += " " + src->file + ": " + std::to_string(src->line);
  }
  return line;
}

std::string list_line(const Symbol& s) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%llx (%c) %.*s", static_cast<unsigned long long>(s.addr), s.type,
                static_cast<int>(s.name.size()), s.name.data());
  return buf;
}

// The module's symbols in [start, end) between "MODULE [KIND ]START" and
// "END" lines.
// (Before 6.4 every symbol of the module, whatever its address.)
void list_range(CommandContext& ctx, const KernelModule& m, const std::string& kind, uint64_t start, uint64_t end) {
  std::string label = kind.empty() ? "MODULE " : "MODULE " + kind + " ";
  ctx.out.print("%llx %sSTART: %s\n", static_cast<unsigned long long>(start), label.c_str(), m.name.c_str());
  for (const auto& s : ctx.program->symbols().sorted())
    if (s.module == m.name && (kind.empty() || (s.addr >= start && s.addr < end))) ctx.out.line(list_line(s));
  ctx.out.print("%llx %sEND: %s\n", static_cast<unsigned long long>(end), label.c_str(), m.name.c_str());
}

Status list_module(CommandContext& ctx, const KernelModule& m) {
  // 6.4+ modules: one block per memory region, as crash 8.0.3+ lists them.
  if (!m.regions.empty()) {
    for (const auto& r : m.regions) list_range(ctx, m, r.name, r.base, r.base + r.size);
    return {};
  }
  list_range(ctx, m, "", m.base, m.base + m.size);
  return {};
}

// Names that contain `name` as a hint after "symbol not found".
std::string alternatives(const SymbolTable& t, std::string_view name) {
  std::string out;
  int n = 0;
  for (const auto& s : t.sorted()) {
    if (s.name.find(name) == std::string_view::npos) continue;
    out += "\n  " + std::string(s.name);
    if (++n == 10) break;
  }
  return out.empty() ? "\n  (none found)" : out;
}

Status sym_one(CommandContext& ctx, const std::string& arg, char neighbour) {
  Program& prog = *ctx.program;
  const SymbolTable& t = prog.symbols();
  const Symbol* target = nullptr;
  uint64_t addr = 0, offset = 0;
  if (auto all = t.find_all(arg); !all.empty()) {
    // Every symbol of that name (statics repeat across files), as crash.
    if (!neighbour) {
      for (const Symbol* s : all) ctx.out.line(describe(prog, s->addr, *s, 0));
      return {};
    }
    target = t.find(arg);
    addr = target->addr;
  } else if (auto a = parse_hex(arg)) {
    auto m = prog.arch().is_kernel_address(*a) ? t.lookup(*a) : std::nullopt;
    if (!m) return fail(Errc::invalid_argument, "invalid address: " + arg);
    target = m->sym;
    addr = *a;
    offset = m->offset;
  } else {
    return fail(Errc::not_found,
                "symbol not found: " + arg + "\npossible alternatives:" + alternatives(t, arg));
  }
  if (neighbour) {
    // -p: the symbol before, then the target; -n: the target, then the next.
    const auto& all = t.sorted();
    auto it = std::find_if(all.begin(), all.end(), [&](const Symbol& s) { return &s == target; });
    auto step = [&](auto i, int dir) {
      for (i += dir; i >= all.begin() && i < all.end(); i += dir)
        if (i->addr != target->addr && !i->is_percpu()) return &*i;
      return static_cast<const Symbol*>(nullptr);
    };
    const Symbol* other = it == all.end() ? nullptr : step(it, neighbour == 'p' ? -1 : 1);
    if (neighbour == 'p' && other) ctx.out.line(describe(prog, other->addr, *other, 0));
    ctx.out.line(describe(prog, target->addr, *target, 0));
    if (neighbour == 'n' && other) ctx.out.line(describe(prog, other->addr, *other, 0));
    return {};
  }
  ctx.out.line(describe(prog, addr, *target, offset));
  return {};
}

}  // namespace

Status cmd_sym(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "lMm:q:pn"));
  Program& prog = *ctx.program;
  if (o.has('l')) {
    for (const auto& s : prog.symbols().sorted()) {
      if (interrupted()) return fail(Errc::interrupted, "interrupted");
      if (s.module.empty()) ctx.out.line(list_line(s));
    }
    ASSIGN_OR_RETURN(auto mods, read_modules(prog));
    std::sort(mods.begin(), mods.end(), [](auto& a, auto& b) { return a.base < b.base; });
    for (const auto& m : mods) TRY_VOID(list_module(ctx, m));
    return {};
  }
  if (o.has('M') || o.has('m')) {
    ASSIGN_OR_RETURN(auto mods, read_modules(prog));
    std::sort(mods.begin(), mods.end(), [](auto& a, auto& b) { return a.base < b.base; });
    auto want = o.value('m');
    bool found = false;
    for (const auto& m : mods) {
      if (want && m.name != *want) continue;
      found = true;
      TRY_VOID(list_module(ctx, m));
    }
    if (want && !found) return fail(Errc::not_found, "no such module: " + *want);
    return {};
  }
  if (auto q = o.value('q')) {
    for (const auto& s : prog.symbols().sorted())
      if (s.name.find(*q) != std::string_view::npos)
        ctx.out.line(list_line(s) + (s.module.empty() ? "" : " [" + std::string(s.module) + "]"));
    return {};
  }
  if (o.positional.empty())
    return fail(Errc::invalid_argument,
                "usage: sym [-l] | [-M] | [-m module] | [-p|-n] | [-q string] | [symbol | vaddr]");
  char neighbour = o.has('p') ? 'p' : o.has('n') ? 'n' : 0;
  Status result;
  for (const auto& w : o.positional) {
    // Each argument stands alone, as in crash: report and go on.
    if (auto st = sym_one(ctx, w.text, neighbour); !st && result.ok()) result = st;
  }
  return result;
}

namespace {
constexpr std::string_view kSymHelp = R"(NAME
  sym - translate a symbol to its value or a value to its symbol

SYNOPSIS
  sym [-l] | [-M] | [-m MODULE] | [-p|-n] | [-q STRING] | [SYMBOL | VADDR]...

DESCRIPTION
  For a SYMBOL, prints its address, its type letter (as nm prints it) and
  its name; for a kernel virtual address VADDR (hexadecimal), the symbol it
  falls in and the offset. Text in vmlinux is followed by its source file and
  line from the DWARF line table; module symbols by [MODULE]. Module symbols
  come from each module's kallsyms in the dump, so they resolve before any
  module debuginfo is loaded.

  -l         list every symbol in address order: vmlinux, then each module
             between "MODULE START" and "MODULE END" lines (on 6.4+
             kernels one block per memory region: "MODULE TEXT START",
             DATA, RODATA, RO_AFTER_INIT, as crash 8.0.3+ prints them).
  -M         list the symbols of every module.
  -m MODULE  list the symbols of one module.
  -p         show the symbol before SYMBOL|VADDR's symbol, then it.
  -n         show SYMBOL|VADDR's symbol, then the next one.
  -q STRING  list the symbols whose names contain STRING.

  An unknown name is reported with up to ten names that contain it.
)";
}  // namespace

extern const CommandSpec kSymCommand{"sym", cmd_sym, "translate a symbol to its value or back", kSymHelp,
                                     "-l -M -m -p -n -q", true};

}  // namespace kinspect
