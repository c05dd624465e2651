// Interrupt descriptors (struct irq_desc, from the sparse-IRQ radix tree
// irq_desc_tree or the static irq_desc[] array): per-CPU counts, chip and
// flow names, and the names of the registered actions, as /proc/interrupts
// lists them. Layouts from DWARF; no output formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct IrqInfo {
  unsigned irq = 0;
  uint64_t desc = 0;                // struct irq_desc *
  std::vector<uint64_t> counts;     // per CPU (kstat_irqs)
  std::string chip;                 // irq_data.chip->name
  std::string flow;                 // desc->name ("edge", "fasteoi")
  std::vector<std::string> actions; // action->name, in chain order
  bool hidden = false;              // IRQ_HIDDEN or chained: not in /proc/interrupts
  std::string error;                // what could not be read, if anything
};

// Every descriptor /proc/interrupts would list (an action, not hidden, not
// chained), by IRQ number.
Result<std::vector<IrqInfo>> read_irqs(Program& prog, unsigned cpus);

}  // namespace kinspect
