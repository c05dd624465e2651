// flags: decode an integer into the enumerator names that make it up
// (beyond crash; its own command so it stays out of crash's option space).
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "core/expr/expr.hpp"
#include "core/program.hpp"
#include "core/types/flags.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {


std::vector<FlagName> names_with_prefixes(const Types& types, std::string_view list) {
  std::vector<FlagName> out;
  size_t i = 0;
  while (i <= list.size()) {
    size_t comma = list.find(',', i);
    if (comma == std::string_view::npos) comma = list.size();
    for (auto& e : types.enumerators_with_prefix(list.substr(i, comma - i))) out.push_back({e.name, e.value});
    i = comma + 1;
  }
  return out;
}

}  // namespace

Status cmd_flags(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  const Types& types = prog.types();
  if (args.words.empty()) return fail(Errc::invalid_argument, "usage: flags EXPRESSION [PREFIX[,PREFIX...] | enum NAME]");
  std::vector<std::string> w;
  for (const auto& x : args.words) w.push_back(x.text);

  std::vector<FlagName> names;
  size_t expr_words = w.size();
  std::string source;
  if (w.size() >= 3 && w[w.size() - 2] == "enum") {
    ASSIGN_OR_RETURN(const Type* e, types.find_enum(w.back()));
    for (const auto& en : e->enumerators) names.push_back({en.name, en.value});
    expr_words -= 2;
    source = "enum " + w.back();
  } else if (w.size() >= 2 && (is_identifier(w.back()) || w.back().find(',') != std::string::npos)) {
    names = names_with_prefixes(types, w.back());
    if (names.empty())
      return fail(Errc::not_found, "no enumerator starts with \"" + w.back() + "\"");
    expr_words -= 1;
    source = w.back();
  }
  std::string expr;
  for (size_t i = 0; i < expr_words; ++i) expr += (i ? " " : "") + w[i];
  ASSIGN_OR_RETURN(ExprResult r, evaluate(prog, expr, ctx.session.frame_locals()));
  const Type* t = r.value.type()->strip();
  if (!t->is_integer())
    return fail(Errc::invalid_argument, expr + " is not an integer (it is " + std::string(t->kind == TypeKind::pointer ? "a pointer" : "not a number") + ")");
  if (names.empty()) {
    if (t->kind != TypeKind::enum_)
      return fail(Errc::invalid_argument,
                  "say which enumerators name the bits: flags " + expr + " PREFIX (e.g. CSD_) or enum NAME");
    for (const auto& en : t->enumerators) names.push_back({en.name, en.value});
  }
  ASSIGN_OR_RETURN(uint64_t v, r.value.as_u64());
  if (t->byte_size() < 8) v &= (1ull << (t->byte_size() * 8)) - 1;
  ctx.out.line(format_flags(v, names, /*require_disjoint=*/source.empty() || source.starts_with("enum ")));
  return {};
}

namespace {
constexpr std::string_view kFlagsHelp = R"(NAME
  flags - decode a flags word into enumerator names (beyond crash)

SYNOPSIS
  flags EXPRESSION [PREFIX[,PREFIX...] | enum NAME]

DESCRIPTION
  Evaluates EXPRESSION (as p does) and prints its value in hex followed by
  the enumerators that make it up, lowest bits first:

    flags ((call_single_data_t *)0xffff...)->node.u_flags CSD_
    0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)

  PREFIX    use every enumerator whose name starts with PREFIX (several
            prefixes separated by commas, "PF_,TIF_").
  enum NAME use the enumerators of enum NAME.
  Without either, EXPRESSION must have an enum type, whose enumerators are used.

  Single-bit enumerators are flags. An enumerator whose name contains MASK
  is a multi-bit field, decoded to the enumerator inside it that equals the
  field (CSD_FLAG_TYPE_MASK holds CSD_TYPE_ASYNC, _SYNC, _IRQ_WORK, _TTWU; a
  zero field is the zero-valued enumerator named like them). Bits no name
  explains follow as "|0x...". Older kernels name the same bits
  CSD_FLAG_LOCK|CSD_FLAG_SYNCHRONOUS; the same command decodes both.
)";
}  // namespace

extern const CommandSpec kFlagsCommand{"flags", cmd_flags, "decode a flags word into enumerator names", kFlagsHelp,
                                       "", true};

}  // namespace kinspect
