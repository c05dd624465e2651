// whatis: the type of a symbol, a type's definition, or an expression's type.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "core/expr/expr.hpp"
#include "core/program.hpp"
#include "core/types/layout_printer.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {


void print_type_definition(Output& out, const Type* t, bool offsets) {
  const Type* s = t->strip_cv();
  if (s->kind == TypeKind::typedef_) {
    out.line(typedef_text(s));
    out.line("SIZE: " + std::to_string(s->byte_size()));
    return;
  }
  if (s->kind == TypeKind::struct_ || s->kind == TypeKind::union_) {
    LayoutOptions lo;
    lo.offsets = offsets;
    out.line(layout_text(s, lo));
    out.line("SIZE: " + std::to_string(s->byte_size()));
    return;
  }
  if (s->kind == TypeKind::enum_) {
    out.line(enum_layout_text(s));
    return;
  }
  out.line(type_name(t));
}

}  // namespace

Status cmd_whatis(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  const Types& types = prog.types();
  ASSIGN_OR_RETURN(Options o, parse_options(args, "o"));
  if (o.positional.empty()) return fail(Errc::invalid_argument, "a symbol, type or expression is required");
  std::string text;
  for (const auto& w : o.positional) text += (text.empty() ? "" : " ") + w.text;

  // "struct NAME", "union NAME", "enum NAME" and other type names.
  std::string_view first = o.positional[0].text;
  if (first == "struct" || first == "union" || first == "enum") {
    ASSIGN_OR_RETURN(const Type* t, types.find_type(text));
    print_type_definition(ctx.out, t, o.has('o'));
    return {};
  }
  if (is_identifier(text)) {
    // A local of the frame chosen with `frame N` hides a global.
    if (const LocalNames& locals = ctx.session.frame_locals())
      if (auto local = locals(text); local && local->ok()) {
        ctx.out.line(declare((*local)->type(), text) + ";");
        return {};
      }
    // A variable or function: its declaration.
    const Symbol* sym = prog.symbols().find(text);
    if (sym) {
      uint64_t link = sym->link_addr;
      if (!sym->module.empty()) prog.load_module_on_demand(sym->module);  // its DWARF, if autoload is on
      if (auto v = types.variable(text, link); v.ok()) {
        ctx.out.line(declare(v->type, text) + ";");
        return {};
      }
      if (auto f = types.function(text); f.ok()) {
        ctx.out.line(declare(f->type, text) + ";");
        return {};
      }
    }
    // A type name: typedef, base type, or a bare struct/union/enum tag.
    if (auto t = types.find_type(text); t.ok()) {
      print_type_definition(ctx.out, *t, o.has('o'));
      return {};
    }
    if (auto v = types.variable(text); v.ok()) {
      ctx.out.line(declare(v->type, text) + ";");
      return {};
    }
    if (auto f = types.function(text); f.ok()) {
      ctx.out.line(declare(f->type, text) + ";");
      return {};
    }
    if (auto e = types.enumerator(text)) {
      ctx.out.line(type_name(e->enum_type));
      return {};
    }
    if (sym) return fail(Errc::not_found, "no debug information for symbol \"" + text + "\"");
    return fail(Errc::not_found, "cannot resolve: " + text);
  }
  // A type with declarators ("struct page *") or an expression.
  if (auto t = types.find_type(text); t.ok()) {
    print_type_definition(ctx.out, *t, o.has('o'));
    return {};
  }
  ASSIGN_OR_RETURN(ExprResult r, evaluate(prog, text, ctx.session.frame_locals()));
  ctx.out.line(type_name(r.value.type()));
  return {};
}

namespace {
constexpr std::string_view kWhatisHelp = R"(NAME
  whatis - type of a symbol, definition of a type

SYNOPSIS
  whatis [-o] SYMBOL | TYPE | struct NAME | union NAME | enum NAME | EXPRESSION

DESCRIPTION
  For a variable or function, prints its declaration as crash does:
  "struct task_struct init_task;", "void schedule(void);".
  For a structure or union (by tag, "task_struct", or "struct task_struct"),
  prints its layout and "SIZE: N"; for a typedef, what it stands for
  ("typedef unsigned int u32;"); for an enum, its enumerators and values.
  For any other expression, prints its type ("whatis init_task.se" gives
  "struct sched_entity").

  -o   show member offsets in structure layouts, as struct -o does.
)";
}  // namespace

extern const CommandSpec kWhatisCommand{"whatis", cmd_whatis, "type of a symbol or definition of a type",
                                        kWhatisHelp, "-o", true};

}  // namespace kinspect
