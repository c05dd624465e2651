// What an address is, for display: its symbol and offset, the module it is
// in, and its source line when DWARF has one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/program.hpp"
#include "core/symbols/source_lines.hpp"

namespace kinspect {

// The source line of a run-time kernel address (vmlinux, or a module
// whose debuginfo is loaded).
Result<SourceLine> source_line_of(const Program& prog, uint64_t addr);

}  // namespace kinspect
