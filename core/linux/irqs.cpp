// Interrupt descriptors: see irqs.hpp.
#include "core/linux/irqs.hpp"

#include <map>

#include "core/linux/xarray.hpp"
#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

constexpr size_t kMaxActions = 256;  // a longer action chain is corrupt

Status fill(Program& prog, const Type* desc_type, unsigned cpus, IrqInfo& irq) {
  Object d = Object::at(prog, desc_type, irq.desc);
  ASSIGN_OR_RETURN(uint64_t action, member_u64(d, "action"));
  uint64_t first_action = action;
  ASSIGN_OR_RETURN(const Type* action_type, prog.types().find_struct("irqaction"));
  while (action) {
    if (irq.actions.size() > kMaxActions) return fail(Errc::format, "the action chain of irq_desc " + hex(irq.desc) + " does not end");
    Object a = Object::at(prog, action_type, action);
    ASSIGN_OR_RETURN(uint64_t name, member_u64(a, "name"));
    irq.actions.push_back(name ? prog.read_string(name, 64).value_or("?") : "");
    ASSIGN_OR_RETURN(action, member_u64(a, "next"));
  }
  if (irq.actions.empty()) return {};
  // /proc/interrupts leaves out hidden descriptors (IRQ_HIDDEN: arm64's IPIs,
  // shown as its IPIn rows) and chained ones (action == &chained_action).
  if (auto hidden = prog.types().enumerator("IRQ_HIDDEN")) {
    ASSIGN_OR_RETURN(uint64_t status, member_u64(d, "status_use_accessors"));
    if (status & static_cast<uint64_t>(hidden->value)) irq.hidden = true;
  }
  if (auto chained = prog.symbol_address("chained_action"); chained && first_action == *chained) irq.hidden = true;
  if (auto chip = member_u64(d, "irq_data.chip"); chip && *chip) {
    ASSIGN_OR_RETURN(const Type* chip_type, prog.types().find_struct("irq_chip"));
    if (auto n = member_u64(Object::at(prog, chip_type, *chip), "name"); n && *n) irq.chip = prog.read_string(*n, 64).value_or("");
  }
  if (auto n = member_u64(d, "name"); n && *n) irq.flow = prog.read_string(*n, 64).value_or("");
  ASSIGN_OR_RETURN(uint64_t kstat, member_u64(d, "kstat_irqs"));
  irq.counts.assign(cpus, 0);
  if (kstat) {
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
      ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog, kstat, cpu));
      ASSIGN_OR_RETURN(uint32_t v, prog.read_u32(a));
      irq.counts[cpu] = v;
    }
  }
  return {};
}

}  // namespace

Result<std::vector<IrqInfo>> read_irqs(Program& prog, unsigned cpus) {
  ASSIGN_OR_RETURN(const Type* desc_type, prog.types().find_struct("irq_desc"));
  std::map<unsigned, uint64_t> descs;
  if (auto tree = variable(prog, "irq_desc_tree")) {
    // CONFIG_SPARSE_IRQ: a radix tree (an XArray since 4.20) of descriptors,
    // until 6.5 made it a maple tree (sparse_irqs).
    ASSIGN_OR_RETURN(uint64_t head_off, prog.types().member_offset("xarray", "xa_head"));
    TRY_VOID(walk_xarray(prog, tree->address() + head_off,
                         [&](uint64_t index, uint64_t desc) -> Status {
                           descs[static_cast<unsigned>(index)] = desc;
                           return {};
                         }).context("walking irq_desc_tree"));
  } else if (auto arr = variable(prog, "irq_desc"); arr && arr->type()->is_array()) {
    uint64_t n = arr->type()->strip()->count.value_or(0);
    for (uint64_t i = 0; i < n; ++i) descs[static_cast<unsigned>(i)] = arr->address() + i * desc_type->byte_size();
  } else {
    return fail(Errc::unsupported, "neither irq_desc_tree nor irq_desc[] in this kernel (a maple-tree kernel?)");
  }
  std::vector<IrqInfo> out;
  for (const auto& [irq, desc] : descs) {
    IrqInfo i;
    i.irq = irq;
    i.desc = desc;
    if (auto s = fill(prog, desc_type, cpus, i); !s) i.error = "irq_desc " + hex(desc) + ": " + s.error().to_string();
    if ((!i.actions.empty() && !i.hidden) || !i.error.empty()) out.push_back(std::move(i));
  }
  return out;
}

}  // namespace kinspect
