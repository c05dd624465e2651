// list: walk a linked list in the dump, crash's way, refusing to loop.
#include <cinttypes>
#include <string>
#include <unordered_set>

#include "commands/command.hpp"
#include "commands/symbols/type_support.hpp"
#include "core/expr/expr.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"
#include "core/types/value_printer.hpp"

namespace kinspect {

namespace {

struct ListRequest {
  uint64_t offset = 0;  // of the "next" pointer in each structure
  bool head_standalone = false;  // -H: start is a bare list_head, not shown
  bool head_in_struct = false;   // -h: start is a structure holding the list_head
  bool reverse = false;          // -r: follow prev (the word after next)
  std::optional<uint64_t> end;   // -e
  std::optional<std::string> struct_spec;  // -s/-S NAME[.members]
  uint64_t struct_offset = 0;    // -l
  int radix = 10;
  std::string start;
};

// "123", "0x7b" or "struct.member".
Result<uint64_t> parse_offset(const Types& types, const std::string& s) {
  if (auto dot = s.find('.'); dot != std::string::npos)
    return types.member_offset(s.substr(0, dot), s.substr(dot + 1));
  if (auto n = parse_number(s)) return *n;
  return fail(Errc::invalid_argument, "invalid offset: " + s + " (a number of bytes or struct.member)");
}

// START: a symbol, an address, or an expression (whose lvalue's address is
// used when it is a structure, "init_task.tasks").
Result<uint64_t> parse_start(Program& prog, const std::string& s) {
  if (const Symbol* sym = prog.symbols().find(s)) return sym->addr;
  if (auto v = parse_hex(s); v && s.find_first_not_of("0123456789abcdefABCDEFx") == std::string::npos) return *v;
  auto r = evaluate(prog, s);
  if (!r.ok()) return fail(Errc::invalid_argument, "invalid argument: " + s);
  const Object& o = r->value;
  const Type* t = o.type()->strip();
  if ((t->kind == TypeKind::struct_ || t->kind == TypeKind::union_ || t->kind == TypeKind::array) && o.is_lvalue())
    return o.address();
  return o.as_u64();
}

Result<ListRequest> parse_list(Program& prog, const Args& args) {
  const Types& types = prog.types();
  ASSIGN_OR_RETURN(Options o, parse_options(args, "o:e:s:S:l:O:xdrBhH"));
  ListRequest r;
  r.head_standalone = o.has('H');
  r.head_in_struct = o.has('h');
  if (r.head_standalone && r.head_in_struct) return fail(Errc::invalid_argument, "-h and -H are exclusive");
  r.reverse = o.has('r');
  if (o.has('x')) r.radix = 16;
  if (o.has('d')) r.radix = 10;
  for (const auto& [k, v] : o.values) {
    switch (k) {
      case 'o': {
        ASSIGN_OR_RETURN(r.offset, parse_offset(types, v));
        break;
      }
      case 'e': {
        auto e = parse_hex(v);
        if (!e) {
          ASSIGN_OR_RETURN(uint64_t a, parse_start(prog, v));
          e = a;
        }
        r.end = *e;
        break;
      }
      case 's':
      case 'S':
        r.struct_spec = v;
        break;
      case 'l': {
        ASSIGN_OR_RETURN(r.struct_offset, parse_offset(types, v));
        break;
      }
      case 'O':
        return fail(Errc::unsupported, "-O is not supported yet");
      default:
        break;
    }
  }
  if (o.positional.empty()) return fail(Errc::invalid_argument, "a start address is required");
  if (o.positional.size() > 2) return fail(Errc::invalid_argument, "unexpected argument: " + o.positional[2].text);
  if (o.positional.size() == 2) {
    ASSIGN_OR_RETURN(r.offset, parse_offset(types, o.positional[0].text));
    r.start = o.positional[1].text;
  } else {
    r.start = o.positional[0].text;
  }
  return r;
}

}  // namespace

Status cmd_list(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(ListRequest r, parse_list(prog, args));
  ASSIGN_OR_RETURN(uint64_t start, parse_start(prog, r.start));
  if (!prog.arch().is_kernel_address(start)) {
    char b[64];
    std::snprintf(b, sizeof b, "invalid kernel virtual address: %" PRIx64, start);
    return fail(Errc::invalid_argument, b);
  }

  const Type* st = nullptr;
  std::vector<std::string> members;
  if (r.struct_spec) {
    std::string spec = *r.struct_spec;
    size_t dot = spec.find('.');
    ASSIGN_OR_RETURN(st, resolve_struct_or_union(prog.types(), spec.substr(0, dot)));
    if (dot != std::string::npos) {
      std::string list = spec.substr(dot + 1);
      for (size_t i = 0; i <= list.size();) {
        size_t comma = list.find(',', i);
        if (comma == std::string::npos) comma = list.size();
        members.push_back(list.substr(i, comma - i));
        i = comma + 1;
      }
      for (const auto& m : members)
        if (!prog.types().member_path(st, m).ok())
          return fail(Errc::not_found, "invalid data structure reference: " + spec.substr(0, dot) + "." + m);
    }
  }
  ValueFormat fmt;
  fmt.radix = r.radix;
  ValuePrinter printer(prog, fmt);

  // The word followed from each element: next, or with -r the prev that
  // follows it in a list_head.
  uint64_t link = r.offset + (r.reverse ? 8 : 0);
  auto show = [&](uint64_t entry) -> Status {
    ctx.out.print("%" PRIx64 "\n", entry);
    if (st) TRY_VOID(print_struct_value(ctx, st, members, entry - r.struct_offset, printer));
    return {};
  };

  std::unordered_set<uint64_t> seen;
  // Elements are named by the address shown; `stop` ends the walk there.
  uint64_t cur, stop;
  if (r.head_standalone) {
    // start is a list_head not in the list's structures: its next (or prev)
    // is the first element's link.
    ASSIGN_OR_RETURN(uint64_t first, prog.read_u64(start + (r.reverse ? 8 : 0)));
    stop = start - r.offset;
    cur = first - r.offset;
  } else {
    stop = start;
    cur = start;
  }
  bool list_head_links = r.head_standalone || r.head_in_struct;
  for (uint64_t n = 0;; ++n) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    if (cur == stop && (n > 0 || r.head_standalone)) break;
    if (r.end && cur == *r.end) break;
    if (!seen.insert(cur).second) {
      char b[96];
      std::snprintf(b, sizeof b, "duplicate list entry: %" PRIx64 " (the list loops without returning to its start)", cur);
      return fail(Errc::format, b);
    }
    TRY_VOID(show(cur));
    auto next = prog.read_u64(cur + link);
    if (!next) return fail(std::move(next).error());
    if (*next == 0) break;
    // list_head links point at the next element's list_head, plain links at
    // the next structure itself.
    cur = list_head_links ? *next - r.offset : *next;
  }
  return {};
}

namespace {
constexpr std::string_view kListHelp = R"(NAME
  list - linked list

SYNOPSIS
  list [[-o] OFFSET] [-e END] [-s|-S STRUCT[.MEMBER[,MEMBER...]] [-l OFFSET]] [-x|-d]
       [-r] [-B] [-h|-H] START

DESCRIPTION
  Follows a linked list in the dump and prints the address of each element,
  crash's way. A list that comes back to an element it already showed
  (other than its start) is reported ("duplicate list entry") instead of
  printed forever. Ctrl-C stops a long walk.

  START is a symbol, an address, or an expression ("init_task.tasks"; a
  structure expression stands for its address). Its meaning depends on -h/-H:
    START     the first structure of the list; its "next" pointer, at
              OFFSET, points at the next structure. The list ends at a NULL
              pointer or when it returns to START.
    -H START  START is a standalone list_head (LIST_HEAD(), "modules"), not
              shown; the elements are the structures holding the other
              list_heads, OFFSET bytes before each.
    -h START  START is a structure holding a list_head at OFFSET; it is
              shown first, then every structure of the list.

  -o OFFSET  the offset of the "next" pointer (or list_head) in each
             structure: a number of bytes or STRUCT.MEMBER
             ("task_struct.tasks"); the -o is optional before it.
  -e END     stop on reaching the address END.
  -s STRUCT  after each address, print the structure there as struct does;
             STRUCT.MEMBER[,MEMBER] prints only those members.
  -S STRUCT  the same as -s.
  -l OFFSET  with -s: the addresses are those of a member at OFFSET (a
             number or STRUCT.MEMBER); the structure is printed from OFFSET
             bytes before.
  -x         -s output in hexadecimal.
  -d         -s output in decimal (the default).
  -r         follow the "prev" pointer of list_head lists instead of "next".
  -B         accepted for crash compatibility (loops are always detected).
  -h         see above.
  -H         see above.
)";
}  // namespace

extern const CommandSpec kListCommand{"list", cmd_list, "linked list", kListHelp,
                                      "-o -e -s -S -l -x -d -r -B -h -H", true};

}  // namespace kinspect
