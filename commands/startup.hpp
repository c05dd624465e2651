#pragma once

#include "commands/output.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"

namespace kinspect {

class Session;

// crash's startup summary (and `sys`): right-aligned field names, ": ", value.
void print_startup_summary(Session& session, Output& out);
// crash's context block (PID, COMMAND, TASK, CPU, STATE), shown by `set`
// and at startup.
void print_context(Session& session, const TaskInfo& t, Output& out);

}  // namespace kinspect
