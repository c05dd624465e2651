// irq -s: per-CPU interrupt counts as /proc/interrupts shows them; irq -b:
// the softirq vectors; crash's layouts.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "core/linux/irqs.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

Status irq_stats(CommandContext& ctx, const std::vector<unsigned>& cpus_shown, unsigned cpus) {
  ASSIGN_OR_RETURN(std::vector<IrqInfo> irqs, read_irqs(*ctx.program, cpus));
  std::string head = "    ";
  for (unsigned c : cpus_shown) {
    char b[32];
    std::snprintf(b, sizeof b, "%11s", ("CPU" + std::to_string(c)).c_str());
    head += b;
  }
  ctx.out.line(head + " ");
  for (const auto& i : irqs) {
    if (!i.error.empty()) {
      ctx.out.print("%3u:  (%s)\n", i.irq, i.error.c_str());
      continue;
    }
    ctx.out.print("%3u:", i.irq);
    for (unsigned c : cpus_shown) ctx.out.print(" %10llu", static_cast<unsigned long long>(i.counts.at(c)));
    std::string chip = i.chip + (i.flow.empty() ? "" : "-" + i.flow);
    std::string names;
    for (const auto& a : i.actions) names += (names.empty() ? "" : ", ") + a;
    ctx.out.print("  %-16s %s\n", chip.c_str(), names.c_str());
  }
  return {};
}

// softirq_vec[NR_SOFTIRQS]: each vector's action function.
Status softirq_vectors(CommandContext& ctx) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(Object vec, variable(prog, "softirq_vec"));
  uint64_t n = vec.type()->strip()->count.value_or(0);
  ctx.out.line("SOFTIRQ_VEC      ACTION     ");
  for (uint64_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(Object v, vec.index(static_cast<int64_t>(i)));
    ASSIGN_OR_RETURN(Object action, v.member("action"));
    ASSIGN_OR_RETURN(uint64_t fn, action.as_u64());
    if (!fn) continue;
    std::string sym = "?";
    if (auto m = prog.symbols().lookup(fn); m && m->offset == 0) sym = std::string(m->sym->name);
    ctx.out.print("    [%llu]     %16llx  <%s>\n", static_cast<unsigned long long>(i),
                  static_cast<unsigned long long>(fn), sym.c_str());
  }
  return {};
}

Status cmd_irq(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "sbac:du"));
  for (char c : {'a', 'd', 'u'})
    if (o.has(c)) return fail(Errc::unsupported, std::string("irq -") + c + ": not implemented yet");
  if (o.has('b')) return softirq_vectors(ctx);
  if (!o.has('s'))
    return fail(Errc::unsupported, "irq without -s or -b (the irq_desc dump): not implemented yet");
  ASSIGN_OR_RETURN(unsigned cpus, nr_cpu_ids(*ctx.program));
  std::vector<unsigned> shown;
  if (auto c = o.value('c')) {
    auto n = parse_number(*c);
    if (!n || *n >= cpus) return fail(Errc::invalid_argument, "irq -c: no CPU " + *c);
    shown.push_back(static_cast<unsigned>(*n));
  } else {
    for (unsigned i = 0; i < cpus; ++i) shown.push_back(i);
  }
  return irq_stats(ctx, shown, cpus);
}

constexpr std::string_view kIrqHelp = R"(NAME
  irq - interrupt data

SYNOPSIS
  irq -s [-c cpu]
  irq -b

DESCRIPTION
  -s      per-CPU interrupt counts of every IRQ with a handler, as
          /proc/interrupts lists them: the IRQ, one count per CPU
          (desc->kstat_irqs), the chip and flow ("IO-APIC-edge") and the
          action names. Hidden descriptors (arm64's IPIs) and chained
          ones are left out, as /proc/interrupts leaves them out.
  -c cpu  with -s, only that CPU's column.
  -b      the softirq vectors (softirq_vec[]) and their action functions.
  -a      not implemented yet (each IRQ's CPU affinity).
  -d      not implemented yet (the x86 IDT).
  -u      not implemented yet (IRQs in use only, with the descriptor dump).
  Without a flag crash dumps each irq_desc: not implemented yet.
)";

}  // namespace

extern const CommandSpec kIrqCommand{"irq", cmd_irq, "interrupt data", kIrqHelp, "-s -c -b -a -d -u", true};

}  // namespace kinspect
