// p: print the value of a C expression, as crash (gdb) prints it.
#include <string>
#include <string_view>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/symbols/type_support.hpp"
#include "core/expr/expr.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/type_name.hpp"
#include "core/types/value_printer.hpp"

namespace kinspect {

namespace {


std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// crash's leader hack: after "SYMBOL = ", a value whose first line opens a
// brace that is not followed by a newline moves to its own line ("\n {...").
std::string crash_leader_split(std::string text) {
  size_t nl = text.find('\n');
  size_t brace = text.find('{');
  if (brace == std::string::npos || (nl != std::string::npos && brace > nl)) return text;
  if (brace + 1 < text.size() && text[brace + 1] == '\n') return text;
  return text.substr(0, brace) + "\n {" + text.substr(brace + 1);
}

struct PRequest {
  ValueFormat fmt;
  std::string expr;
};

Result<PRequest> parse_p(const Args& args, int default_radix) {
  PRequest r;
  r.fmt.radix = default_radix;  // `set radix`
  // p/x, p/d ...: the format rides on the command word.
  if (auto slash = args.command.find('/'); slash != std::string::npos) {
    std::string f = args.command.substr(slash + 1);
    if (f.size() != 1 || std::string_view("xduotcaz").find(f[0]) == std::string_view::npos)
      return fail(Errc::invalid_argument, "unknown print format /" + f + " (use /x /d /u /o /t /c /a /z)");
    r.fmt.format = f[0];
  }
  if (args.command == "px") r.fmt.radix = 16;
  if (args.command == "pd") r.fmt.radix = 10;
  std::string_view rest = args.rest;
  // Leading options only: an expression may contain '-'.
  for (;;) {
    std::string_view t = rest;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
    if (t.size() >= 2 && t[0] == '-' && (t[1] == 'x' || t[1] == 'd' || t[1] == 'u') &&
        (t.size() == 2 || std::isspace(static_cast<unsigned char>(t[2])))) {
      if (t[1] == 'x') r.fmt.radix = 16;
      if (t[1] == 'd') r.fmt.radix = 10;
      rest = t.substr(2);
      continue;
    }
    if (t.size() >= 2 && t[0] == '/' && std::string_view("xduotcaz").find(t[1]) != std::string_view::npos &&
        (t.size() == 2 || std::isspace(static_cast<unsigned char>(t[2])))) {
      r.fmt.format = t[1];
      rest = t.substr(2);
      continue;
    }
    rest = t;
    break;
  }
  r.expr = trim(rest);
  if (r.expr.empty()) return fail(Errc::invalid_argument, "an expression or symbol is required");
  return r;
}

Status print_value(CommandContext& ctx, const PRequest& r, const Object& v, const std::string& leader) {
  Program& prog = *ctx.program;
  ValuePrinter printer(prog, r.fmt);
  std::vector<uint8_t> bytes;
  if (v.is_lvalue() && !v.is_bitfield()) {
    ASSIGN_OR_RETURN(bytes, read_for_print(prog, v.type(), v.address()));
  } else {
    ASSIGN_OR_RETURN(bytes, v.bytes());
  }
  std::string text;
  if (v.is_bitfield()) {
    ASSIGN_OR_RETURN(uint64_t raw, v.as_u64());
    text = printer.bitfield(v.type(), raw, v.bit_size());
  } else {
    text = printer.top_level(v.type(), bytes, v.is_lvalue() ? v.address() : 0);
  }
  std::string line = "$" + std::to_string(next_value_number(ctx.session)) + " = " + text;
  if (!leader.empty()) line = crash_leader_split(leader + line);
  ctx.out.line(line);
  return {};
}

}  // namespace

Status cmd_p(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(PRequest r, parse_p(args, ctx.session.settings().radix));

  // SYMBOL:CPUSPEC, crash's per-cpu form.
  if (auto colon = r.expr.find(':'); colon != std::string::npos && r.expr.find('?') == std::string::npos) {
    std::string name = trim(r.expr.substr(0, colon));
    if (is_identifier(name) && is_per_cpu_symbol(prog, name)) {
      ASSIGN_OR_RETURN(auto cpus, parse_cpuspec(prog, trim(r.expr.substr(colon + 1))));
      for (unsigned cpu : cpus) {
        ASSIGN_OR_RETURN(Object v, per_cpu(prog, name, cpu));
        TRY_VOID(print_value(ctx, r, v, "per_cpu(" + name + ", " + std::to_string(cpu) + ") = "));
      }
      return {};
    }
  }

  // A bare per-cpu symbol: its type and each CPU's address.
  if (is_identifier(r.expr) && is_per_cpu_symbol(prog, r.expr)) {
    const Symbol* s = prog.symbols().find(r.expr);
    ASSIGN_OR_RETURN(VariableInfo var, prog.types().variable(r.expr, s->link_addr));
    ctx.out.line("PER-CPU DATA TYPE:");
    ctx.out.line("  " + declare(var.type, r.expr) + ";");
    ctx.out.line("PER-CPU ADDRESSES:");
    ASSIGN_OR_RETURN(unsigned n, nr_cpu_ids(prog));
    for (unsigned c = 0; c < n; ++c) {
      ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog, s->addr, c));
      ctx.out.print("  [%u]: %llx\n", c, static_cast<unsigned long long>(a));
    }
    return {};
  }

  ASSIGN_OR_RETURN(ExprResult res, evaluate(prog, r.expr, ctx.session.frame_locals()));
  std::string leader;
  // crash prints "SYMBOL = " before a lone symbol's value, but not with a
  // gdb /FMT (it then hands gdb "p/x" and never sees the symbol).
  if (!res.symbol.empty() && !r.fmt.format && prog.symbols().find(res.symbol)) leader = res.symbol + " = ";
  return print_value(ctx, r, res.value, leader);
}

namespace {
constexpr std::string_view kPHelp = R"(NAME
  p - print the value of an expression

SYNOPSIS
  p [-x|-d] [/FMT] EXPRESSION
  p [-x|-d] SYMBOL[:CPUSPEC]
  p/FMT EXPRESSION

DESCRIPTION
  Evaluates a C expression over the dumped kernel and prints its value the
  way crash (gdb) does: "jiffies = $1 = 4294894127" for a symbol, "$2 = ..."
  otherwise; structures member by member; pointers as "0x... <symbol+offset>".

  Expressions: global variables, enumerators, integer and character
  constants, ., ->, [], unary * and &, casts such as (struct rpc_task *)0x...,
  sizeof(TYPE) and sizeof EXPR, + - * / % << >> & | ^ ~ ! && || == != < >
  <= >= and ?:, and per_cpu(VARIABLE, CPU). Addresses may be written without
  0x when they are not also symbol names.

  -x       integers in hexadecimal (crash's output radix 16).
  -d       integers in decimal (the default).
  /FMT     gdb print format: /x hex, /d signed, /u unsigned, /o octal,
           /t binary, /c character, /a address with symbol, /z zero-padded
           hex. p/x and "p /x" are the same.

  Per-cpu variables: "p runqueues" lists the type and every CPU's address;
  "p runqueues:3" prints CPU 3's instance; CPUSPEC is a CPU number, a list
  "1,3", a range "0-2", or "a" (all CPUs).

  Beyond crash: a pointer into an array variable prints the element,
  "<nfs3_procedures[6]>" (or "<tbl[2]+8>" inside an element), where crash
  prints "<nfs3_procedures+288>". To decode a flags word into enumerator
  names, see "help flags".

  Deliberate differences: "p jiffies - 100" is evaluated (crash mistakes
  "-" for an option); "&percpu_var" is the per-cpu offset itself (crash adds
  the KASLR offset to it).
)";
}  // namespace

extern const CommandSpec kPCommand{"p", cmd_p, "print the value of an expression", kPHelp, "-x -d", true};
extern const CommandSpec kPxCommand{"px", cmd_p, "p -x: print an expression in hexadecimal", kPHelp, "", true};
extern const CommandSpec kPdCommand{"pd", cmd_p, "p -d: print an expression in decimal", kPHelp, "", true};

}  // namespace kinspect
