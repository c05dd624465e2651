#pragma once

#include "commands/output.hpp"
#include "core/program.hpp"

namespace kinspect {

// crash's startup summary (and `sys`): right-aligned field names, ": ", value.
void print_startup_summary(Program& prog, Output& out);

}  // namespace kinspect
