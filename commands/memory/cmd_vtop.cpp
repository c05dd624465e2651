// vtop and ptov: address translation in crash's layout.
#include <algorithm>
#include <string_view>

#include "commands/columns.hpp"
#include "commands/command.hpp"
#include "commands/memory/page_line.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

void print_pte_table(Output& out, const Arch& arch, uint64_t pte) {
  std::string ptebuf = hex_digits(pte), phys = hex_digits(arch.pte_page(pte));
  size_t w1 = std::max<size_t>(ptebuf.size(), 3), w2 = std::max<size_t>(phys.size(), 8);
  out.line(centered("PTE", w1, false) + "  " + centered("PHYSICAL", w2, false) + "  FLAGS");
  out.line(centered(ptebuf, w1, true) + "  " + centered(phys, w2, true) + "  " + arch.pte_flags(pte));
}

Status print_page_line(Output& out, Program& prog, uint64_t paddr) {
  auto page = prog.arch().page_struct(paddr);
  if (!page) return {};
  out.line("");
  return print_page_block(out, prog, *page, paddr);
}

void print_head(Output& out, uint64_t vaddr, const std::string& phys) {
  std::string v = hex_digits(vaddr);
  size_t w = std::max<size_t>(v.size(), 16);
  std::string head = std::string("VIRTUAL") + std::string(w - 7 + 2, ' ') + "PHYSICAL        ";
  out.line(head);
  out.line(v + std::string(w - v.size() + 2, ' ') + phys + std::string(phys.size() < 16 ? 16 - phys.size() : 0, ' '));
}

Status vtop_one(CommandContext& ctx, uint64_t vaddr) {
  Program& prog = *ctx.program;
  const Arch& arch = prog.arch();
  if (!arch.is_kernel_address(vaddr))
    return fail(Errc::unsupported, "vtop " + hex_digits(vaddr) +
                                       ": user addresses need a task context (-c PID), not implemented yet");
  auto t = arch.kwalk(vaddr);
  if (!t) {
    print_head(ctx.out, vaddr, "(not mapped)");
    ctx.out.line("");
    return fail(std::move(t).error());
  }
  print_head(ctx.out, vaddr, hex_digits(t->paddr));
  ctx.out.line("");
  ctx.out.write(arch.walk_text(*t));
  ctx.out.line("");
  if (!t->steps.empty()) print_pte_table(ctx.out, arch, t->steps.back().entry);
  return print_page_line(ctx.out, prog, t->paddr);
}

}  // namespace

Status cmd_vtop(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "kuc:"));
  if (o.has('u') || o.has('c'))
    return fail(Errc::unsupported, "vtop -u/-c (user addresses of a task) is not implemented yet");
  if (o.positional.empty()) return fail(Errc::invalid_argument, "usage: vtop [-k] ADDRESS...");
  Status result;
  bool first = true;
  for (const auto& w : o.positional) {
    auto a = parse_hex(w.text);
    if (!a) {
      if (result.ok()) result = fail(Errc::invalid_argument, "invalid input: \"" + w.text + "\"");
      continue;
    }
    if (!first) ctx.out.line("");
    first = false;
    if (auto st = vtop_one(ctx, *a); !st && result.ok()) result = st;
  }
  return result;
}

Status cmd_ptov(CommandContext& ctx, const Args& args) {
  if (args.size() == 0) return fail(Errc::invalid_argument, "usage: ptov PHYSICAL-ADDRESS...");
  for (const auto& w : args.words) {
    auto pa = parse_hex(w.text);
    if (!pa) return fail(Errc::invalid_argument, "invalid physical address: " + w.text);
    auto va = ctx.program->arch().ptov(*pa);
    if (!va) return fail(Errc::not_present, "physical address " + hex(*pa) + " is not in the direct map", *pa);
    print_head(ctx.out, *va, hex_digits(*pa));
  }
  return {};
}

namespace {
constexpr std::string_view kVtopHelp = R"(NAME
  vtop - virtual to physical

SYNOPSIS
  vtop [-k] ADDRESS...

DESCRIPTION
  Translates a kernel virtual address through the kernel's page tables and
  shows, as crash does, each level's entry, the physical address, the PTE
  with its flag names, and the struct page of the physical page (mapping,
  index, reference count and the PG_ flags set). Direct-map and kernel-text
  addresses are walked too, so the entries can be checked.

  -k      the address is a kernel virtual address (the default).
  -u      the address is a user virtual address (not implemented yet: says so).
  -c PID  translate through the page tables of a task (not implemented yet).
)";

constexpr std::string_view kPtovHelp = R"(NAME
  ptov - physical to virtual

SYNOPSIS
  ptov PHYSICAL-ADDRESS...

DESCRIPTION
  Prints the kernel's direct-map (linear-map) virtual address of each
  physical address, in crash's VIRTUAL / PHYSICAL layout.
)";
}  // namespace

extern const CommandSpec kVtopCommand{"vtop", cmd_vtop, "virtual to physical", kVtopHelp, "-k -u -c", true};
extern const CommandSpec kPtovCommand{"ptov", cmd_ptov, "physical to virtual", kPtovHelp, "", true};

}  // namespace kinspect
