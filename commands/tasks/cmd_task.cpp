// task: a task's task_struct, whole or by member (crash's `task -R`).
#include <sstream>
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "commands/symbols/type_support.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"
#include "core/types/value_printer.hpp"

namespace kinspect {

namespace {

Status cmd_task(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "R:xd"));
  Session& session = ctx.session;
  ASSIGN_OR_RETURN(const TaskList* list, session.tasks());
  const TaskInfo* cur = nullptr;
  if (o.positional.empty()) {
    ASSIGN_OR_RETURN(cur, session.current_task());
  }
  ASSIGN_OR_RETURN(std::vector<const TaskInfo*> targets, named_tasks_or(*list, o.positional, cur));
  std::vector<std::string> members;
  if (auto r = o.value('R')) {
    std::stringstream in(*r);
    for (std::string m; std::getline(in, m, ',');)
      if (!m.empty()) members.push_back(m);
  }
  ASSIGN_OR_RETURN(const Type* type, ctx.program->types().find_struct("task_struct"));
  ValueFormat fmt;
  fmt.radix = o.has('x') ? 16 : o.has('d') ? 10 : session.settings().radix;
  ValuePrinter printer(*ctx.program, fmt);
  bool first = true;
  for (const TaskInfo* t : targets) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    if (!first && members.empty()) ctx.out.write("\n");
    first = false;
    ctx.out.line(task_header(*t));
    TRY_VOID(print_struct_value(ctx, type, members, t->task, printer));
  }
  return {};
}

constexpr std::string_view kTaskHelp = R"(NAME
  task - task_struct contents

SYNOPSIS
  task [-R member[,member...]] [-x|-d] [pid | task] ...

DESCRIPTION
  Prints crash's task header line (PID, TASK, CPU, COMMAND) and the
  task_struct of each task named, or of the current context (see set).
  Members may be nested ("se.vruntime", "thread.sp").

  -R member,...  only these members, as "  member = value," lines.
  -x             integers in hexadecimal.
  -d             integers in decimal.
)";

}  // namespace

extern const CommandSpec kTaskCommand{"task", cmd_task, "task_struct contents", kTaskHelp,
                                      "-R -x -d", true};

}  // namespace kinspect
