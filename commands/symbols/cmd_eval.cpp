// eval: integer arithmetic in crash's output (hex with its size in KB/MB/GB,
// decimal, octal, binary). Symbols stand for their addresses, as in crash.
#include <cctype>
#include <string>

#include "commands/command.hpp"
#include "core/expr/expr.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

// crash's eval works in 64-bit integers and reads a symbol as its address;
// the C evaluator would read a symbol as its value and a small literal as an
// int. Rewrite each number and each symbol to a 64-bit constant.
std::string as_crash_eval_expression(const Program& prog, std::string_view text) {
  std::string out;
  size_t i = 0;
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < text.size()) {
    if (!word_char(text[i])) {
      out += text[i++];
      continue;
    }
    size_t j = i;
    while (j < text.size() && word_char(text[j])) ++j;
    std::string word(text.substr(i, j - i));
    i = j;
    if (std::isdigit(static_cast<unsigned char>(word[0]))) {
      out += "((long)" + word + ")";
    } else if (const Symbol* s = word != "sizeof" ? prog.symbols().find(word) : nullptr) {
      out += "((long)" + hex(s->addr) + ")";
    } else {
      out += word;
    }
  }
  return out;
}

// "(1KB)", "(6KB)", "(1MB)", "(1024GB)": the largest unit that divides it.
std::string size_note(uint64_t v) {
  if (v == 0) return "";
  const uint64_t K = 1024, M = K * K, G = M * K;
  if (v % G == 0) return "(" + std::to_string(v / G) + "GB)";
  if (v % M == 0) return "(" + std::to_string(v / M) + "MB)";
  if (v % K == 0) return "(" + std::to_string(v / K) + "KB)";
  return "";
}

}  // namespace

Status cmd_eval(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "lb"));
  std::string text;
  for (const auto& w : o.positional) text += (text.empty() ? "" : " ") + w.text;
  if (text.empty()) return fail(Errc::invalid_argument, "usage: eval [-b] [-l] EXPRESSION");
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(ExprResult r, evaluate(prog, as_crash_eval_expression(prog, text)));
  ASSIGN_OR_RETURN(uint64_t v, r.value.as_u64());
  char buf[128];
  std::snprintf(buf, sizeof buf, "hexadecimal: %llx  %s", static_cast<unsigned long long>(v),
                size_note(v).c_str());
  ctx.out.line(buf);
  std::string dec = "    decimal: " + std::to_string(v) + "  ";
  if (static_cast<int64_t>(v) < 0) dec += "(" + std::to_string(static_cast<int64_t>(v)) + ")";
  ctx.out.line(dec);
  std::snprintf(buf, sizeof buf, "      octal: %llo", static_cast<unsigned long long>(v));
  ctx.out.line(buf);
  std::string bin = "     binary: ";
  for (int b = 63; b >= 0; --b) bin += (v >> b) & 1 ? '1' : '0';
  ctx.out.line(bin);
  if (o.has('b')) {
    std::string bits = "   bits set: ";
    for (int b = 63; b >= 0; --b)
      if ((v >> b) & 1) bits += std::to_string(b) + " ";
    ctx.out.line(bits);
  }
  return {};
}

namespace {
constexpr std::string_view kEvalHelp = R"(NAME
  eval - evaluate an integer expression

SYNOPSIS
  eval [-b] [-l] EXPRESSION

DESCRIPTION
  Evaluates a C integer expression (+ - * / % & | ^ ~ << >>, comparisons,
  parentheses; decimal numbers, 0x hexadecimal) and prints the result as
  crash does: hexadecimal (with its size when a multiple of 1KB, 1MB or
  1GB), decimal (and its signed value when negative), octal and binary.
  A symbol stands for its address.

  -b      also list the bits that are set.
  -l      64-bit arithmetic (always the case here; accepted for crash's scripts).

  Unlike crash, "|" and ">" inside parentheses are operators, not a pipe or a
  redirection: eval (1<<12) | 3 needs the parentheses around the whole
  expression to be a bit-or: eval ((1<<12) | 3).
)";
}  // namespace

extern const CommandSpec kEvalCommand{"eval", cmd_eval, "evaluate an integer expression", kEvalHelp,
                                      "-b -l", true};

}  // namespace kinspect
