// struct, union, *: a structure's layout, or its contents at an address,
// in crash's format.
#include <cinttypes>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.hpp"
#include "commands/symbols/type_support.hpp"
#include "core/program.hpp"
#include "core/types/layout_printer.hpp"
#include "core/types/object.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"
#include "core/types/value_printer.hpp"

namespace kinspect {

namespace {

enum class Want { struct_, union_, either };

struct StructRequest {
  std::string type_name;
  std::vector<std::string> members;  // "pid", "se.vruntime"
  bool offsets = false;
  int radix = 10;
  std::optional<std::string> address;
  int64_t count = 1;
  std::optional<std::string> list_offset;  // -l
};

Result<StructRequest> parse_struct(const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "oxdrfupl:c:"));
  StructRequest r;
  r.offsets = o.has('o');
  if (o.has('x')) r.radix = 16;
  if (o.has('d')) r.radix = 10;
  r.list_offset = o.value('l');
  if (auto c = o.value('c')) {
    auto n = parse_number(*c);
    if (!n || *n == 0) return fail(Errc::invalid_argument, "invalid count: " + *c);
    r.count = static_cast<int64_t>(*n);
  }
  if (o.positional.empty()) return fail(Errc::invalid_argument, "a structure name is required");
  std::string spec = o.positional[0].text;
  size_t dot = spec.find('.');
  r.type_name = spec.substr(0, dot);
  if (dot != std::string::npos) {
    std::string list = spec.substr(dot + 1);
    size_t i = 0;
    while (i <= list.size()) {
      size_t comma = list.find(',', i);
      if (comma == std::string::npos) comma = list.size();
      std::string m = list.substr(i, comma - i);
      if (m.empty()) return fail(Errc::invalid_argument, "empty member name in " + spec);
      r.members.push_back(m);
      i = comma + 1;
    }
  }
  if (o.positional.size() > 1) r.address = o.positional[1].text;
  if (o.positional.size() > 2) {
    std::string_view c = o.positional[2].text;
    bool neg = c.starts_with("-");
    if (neg) c.remove_prefix(1);
    auto n = parse_number(c);
    if (!n || *n == 0) return fail(Errc::invalid_argument, "invalid count: " + o.positional[2].text);
    r.count = neg ? -static_cast<int64_t>(*n) : static_cast<int64_t>(*n);
  }
  if (o.positional.size() > 3) return fail(Errc::invalid_argument, "unexpected argument: " + o.positional[3].text);
  return r;
}

Result<const Type*> resolve_type(const Types& types, const std::string& name, Want want) {
  auto s = types.find_struct(name);
  auto u = types.find_union(name);
  if (want == Want::struct_ && s.ok()) return *s;
  if (want == Want::union_ && u.ok()) return *u;
  if (want == Want::either) {
    if (s.ok()) return *s;
    if (u.ok()) return *u;
  }
  // A typedef of a struct or union (call_single_data_t) is accepted too.
  if (auto td = types.find_typedef(name); td.ok()) {
    const Type* t = (*td)->strip();
    if ((t->kind == TypeKind::struct_ && want != Want::union_) || (t->kind == TypeKind::union_ && want != Want::struct_))
      return *td;
  }
  if (want == Want::struct_ && u.ok()) return fail(Errc::invalid_argument, "data type mismatch: " + name + " is not a struct");
  if (want == Want::union_ && s.ok()) return fail(Errc::invalid_argument, "data type mismatch: " + name + " is not a union");
  if (!types.has_dwarf()) return fail(s.error());
  // crash's words, so old scripts that grep for them still work.
  return fail(Errc::not_found, "invalid data structure reference: " + name);
}

// True when the named member is the last one of the struct or union that
// directly holds it (anonymous members looked through); crash's member
// output keeps gdb's trailing comma otherwise.
std::optional<bool> is_last_member(const Type* agg, std::string_view name) {
  const Type* s = agg->strip();
  if (s->kind != TypeKind::struct_ && s->kind != TypeKind::union_) return std::nullopt;
  for (size_t i = 0; i < s->members.size(); ++i) {
    const Member& m = s->members[i];
    if (m.name == name) return i + 1 == s->members.size();
    if (m.name.empty())
      if (auto r = is_last_member(m.type.get(), name)) return r;
  }
  return std::nullopt;
}

// The struct holding the last name of a member path ("se.load" -> sched_entity).
const Type* parent_of(const Types& types, const Type* outer, const std::string& path) {
  size_t cut = path.find_last_of('.');
  if (cut == std::string::npos) return outer;
  auto mp = types.member_path(outer, path.substr(0, cut));
  return mp.ok() ? mp->type : outer;
}

std::string last_name(const std::string& path) {
  size_t cut = path.find_last_of('.');
  std::string n = cut == std::string::npos ? path : path.substr(cut + 1);
  if (auto br = n.find('['); br != std::string::npos) n = n.substr(0, br);
  return n;
}

std::string kind_word(const Type* t) { return t->strip()->kind == TypeKind::union_ ? "union" : "struct"; }

Status show_layout(CommandContext& ctx, const Types& types, const Type* t, const StructRequest& r,
                   std::optional<uint64_t> address) {
  const Type* s = t->strip();
  LayoutOptions lo;
  lo.offsets = r.offsets;
  lo.address = address;
  if (r.members.empty()) {
    ctx.out.line(layout_text(s, lo));
    ctx.out.line("SIZE: " + std::to_string(s->byte_size()));
    return {};
  }
  // Only the named members, each with its full offset.
  std::string head = kind_word(s) + (s->name.empty() ? "" : " " + s->name) + " {";
  ctx.out.line(head);
  char nb[40];
  std::snprintf(nb, sizeof nb, "[%" PRIu64 "]", s->byte_size());
  size_t width = std::string(nb).size() + 2;
  for (const auto& m : r.members) {
    ASSIGN_OR_RETURN(Types::MemberPath mp, types.member_path(s, m));
    std::string decl = declare(mp.type, last_name(m)) + (mp.bit_size ? " : " + std::to_string(mp.bit_size) : "") + ";";
    if (r.offsets) {
      char b[40];
      uint64_t off = mp.bit_size ? mp.bit_pos / 8 : mp.offset;
      if (address) {
        std::snprintf(b, sizeof b, "  [%" PRIx64 "]", *address + off);
        ctx.out.line(std::string(b) + " " + decl);
      } else {
        std::snprintf(b, sizeof b, "[%" PRIu64 "]", off);
        std::string col = b;
        ctx.out.line(std::string(width > col.size() ? width - col.size() : 0, ' ') + col + " " + decl);
      }
    } else {
      ctx.out.line("    " + decl);
    }
  }
  ctx.out.line("}");
  if (!address) ctx.out.line("SIZE: " + std::to_string(s->byte_size()));
  return {};
}

}  // namespace

Status print_struct_value(CommandContext& ctx, const Type* t, const std::vector<std::string>& members,
                          uint64_t address, ValuePrinter& printer);

namespace {

Status run_struct(CommandContext& ctx, const Args& args, Want want) {
  Program& prog = *ctx.program;
  const Types& types = prog.types();
  ASSIGN_OR_RETURN(StructRequest r, parse_struct(args));
  ASSIGN_OR_RETURN(const Type* t, resolve_type(types, r.type_name, want));
  for (const auto& m : r.members)  // unknown members fail up front, in crash's words
    if (auto mp = types.member_path(t, m); !mp.ok())
      return fail(Errc::not_found, "invalid data structure reference: " + r.type_name + "." + m);

  if (!r.address) return show_layout(ctx, types, t, r, std::nullopt);

  ASSIGN_OR_RETURN(std::vector<AddressArg> targets, resolve_address_arg(prog, *r.address));
  for (const AddressArg& a : targets)
    if (!prog.arch().is_kernel_address(a.address)) {
      char b[64];
      std::snprintf(b, sizeof b, "invalid kernel virtual address: %llx", static_cast<unsigned long long>(a.address));
      return fail(Errc::invalid_argument, b);
    }
  uint64_t size = t->byte_size();
  uint64_t adjust = 0;
  if (r.list_offset) {
    // -l: the address is that of a member (an offset or struct.member).
    if (auto n = parse_number(*r.list_offset)) {
      adjust = *n;
    } else {
      std::string lo = *r.list_offset;
      size_t dot = lo.find('.');
      if (dot == std::string::npos) return fail(Errc::invalid_argument, "-l needs an offset or struct.member");
      ASSIGN_OR_RETURN(adjust, types.member_offset(lo.substr(0, dot), lo.substr(dot + 1)));
    }
  }
  ValueFormat fmt;
  fmt.radix = r.radix;
  ValuePrinter printer(prog, fmt);
  bool first = true;
  for (const AddressArg& target : targets) {
    int64_t count = r.count;
    uint64_t base = target.address - adjust;
    int64_t from = count < 0 ? count + 1 : 0, to = count < 0 ? 1 : count;
    for (int64_t i = from; i < to; ++i) {
      if (interrupted()) return fail(Errc::interrupted, "interrupted");
      uint64_t a = base + static_cast<uint64_t>(i * static_cast<int64_t>(size));
      if (!first && !r.offsets) ctx.out.line("");
      first = false;
      if (target.cpu) ctx.out.print("[%u]: %llx\n", *target.cpu, static_cast<unsigned long long>(a));
      if (r.offsets) {
        TRY_VOID(show_layout(ctx, types, t, r, a));
        continue;
      }
      TRY_VOID(print_struct_value(ctx, t, r.members, a, printer));
    }
  }
  return {};
}

}  // namespace

Status print_struct_members(CommandContext& ctx, const Type* t, const std::vector<std::string>& members,
                            uint64_t address, ValuePrinter& printer) {
  Program& prog = *ctx.program;
  const Types& types = prog.types();
  for (const auto& m : members) {
    ASSIGN_OR_RETURN(Types::MemberPath mp, types.member_path(t, m));
    std::string value;
    if (mp.bit_size) {
      uint64_t first = mp.bit_pos / 8;
      uint64_t n = (mp.bit_pos % 8 + mp.bit_size + 7) / 8;
      std::vector<uint8_t> b(n);
      TRY_VOID(prog.read(address + first, b));
      value = printer.bitfield(mp.type, extract_bits(b, mp.bit_pos % 8, mp.bit_size), mp.bit_size);
    } else {
      ASSIGN_OR_RETURN(auto bytes, read_for_print(prog, mp.type, address + mp.offset));
      value = printer.value(mp.type, bytes, address + mp.offset, 1);
    }
    bool last = is_last_member(parent_of(types, t, m), last_name(m)).value_or(true);
    ctx.out.line("  " + m + " = " + value + (last ? "" : ","));
  }
  return {};
}

Status print_struct_value(CommandContext& ctx, const Type* t, const std::vector<std::string>& members,
                          uint64_t address, ValuePrinter& printer) {
  if (!members.empty()) return print_struct_members(ctx, t, members, address, printer);
  ASSIGN_OR_RETURN(auto bytes, read_for_print(*ctx.program, t, address));
  const Type* s = t->strip();
  std::string head = kind_word(s) + " " + (s->name.empty() ? t->name : s->name) + " ";
  ctx.out.line(head + printer.value(t, bytes, address, 0));
  return {};
}

Result<const Type*> resolve_struct_or_union(const Types& types, const std::string& name) {
  return resolve_type(types, name, Want::either);
}

Status cmd_struct(CommandContext& ctx, const Args& args) { return run_struct(ctx, args, Want::struct_); }
Status cmd_union(CommandContext& ctx, const Args& args) { return run_struct(ctx, args, Want::union_); }
Status cmd_star(CommandContext& ctx, const Args& args) { return run_struct(ctx, args, Want::either); }

namespace {
constexpr std::string_view kStructHelp = R"(NAME
  struct - structure contents

SYNOPSIS
  struct NAME[.MEMBER[,MEMBER...]] [-o] [-x|-d] [-l OFFSET|STRUCT.MEMBER]
         [ADDRESS|SYMBOL[:CPUSPEC]] [COUNT | -c COUNT]

DESCRIPTION
  Without an address, prints the layout of struct NAME as crash does, and
  its size ("SIZE: 9728"). With an address, prints the structure stored
  there, member by member, pointers as "0x... <symbol+offset>" and char
  arrays as strings.

  .MEMBER   print only these members ("struct task_struct.pid,comm ADDR");
            a member may be a path into nested structures ("rq.cfs.nr_running")
            and anonymous structs and unions are looked through.
  -o        show each member's offset ("[16]"); with an address, each
            member's address instead.
  -x        integers in hexadecimal.
  -d        integers in decimal (the default).
  -l OFFSET the address is that of the member at OFFSET (a number, or
            STRUCT.MEMBER such as task_struct.tasks), as list -l gives.
  COUNT     print COUNT structures in a row starting at the address; a
            negative COUNT prints the ones before it.
  -c COUNT  the same as COUNT.
  SYMBOL:CPUSPEC
            a per-cpu symbol, for each CPU of the spec ("3", "1,3", "0-2",
            "a" for all): "struct rq runqueues:1".

  A typedef of a struct is accepted as NAME (call_single_data_t).
  Deliberate difference: crash omits the newline after a union's closing
  brace; kinspect ends every structure with one.
)";

constexpr std::string_view kUnionHelp = R"(NAME
  union - union contents

SYNOPSIS
  union NAME[.MEMBER[,MEMBER...]] [-o] [-x|-d] [-l OFFSET] [ADDRESS|SYMBOL[:CPUSPEC]] [COUNT]

DESCRIPTION
  The same as struct, for unions: the layout of union NAME and its size, or
  its contents at an address. See "help struct" for details.

  -o        member offsets, or with an address member addresses.
  -x        integers in hexadecimal.
  -d        integers in decimal (the default).
  -l OFFSET the address is that of the member at OFFSET.
  -c COUNT  print COUNT structures in a row.
)";

constexpr std::string_view kStarHelp = R"(NAME
  * - structure or union contents

SYNOPSIS
  * NAME[.MEMBER[,MEMBER...]] [-o] [-x|-d] [-l OFFSET] [ADDRESS|SYMBOL[:CPUSPEC]] [COUNT]

DESCRIPTION
  struct or union, whichever NAME is. See "help struct" for details.

  -o        member offsets, or with an address member addresses.
  -x        integers in hexadecimal.
  -d        integers in decimal (the default).
  -l OFFSET the address is that of the member at OFFSET.
  -c COUNT  print COUNT structures in a row.
)";
}  // namespace

extern const CommandSpec kStructCommand{"struct", cmd_struct, "structure contents", kStructHelp,
                                        "-o -x -d -l -c", true};
extern const CommandSpec kUnionCommand{"union", cmd_union, "union contents", kUnionHelp, "-o -x -d -l -c", true};
extern const CommandSpec kStarCommand{"*", cmd_star, "structure or union contents", kStarHelp, "-o -x -d -l -c",
                                      true};

}  // namespace kinspect
