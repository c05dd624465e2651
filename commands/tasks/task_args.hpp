// Naming tasks the way crash's commands do: a decimal PID or a hexadecimal
// task_struct address, and crash's one-line task header.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/args.hpp"
#include "commands/command.hpp"
#include "core/error.hpp"
#include "core/linux/tasks.hpp"

namespace kinspect {

// "130" is a pid when a task has it, otherwise (and for hex words such as
// "ffff8880...") a task_struct address. A pid shared by several tasks (the
// idle tasks' 0) names the first, as in crash.
Result<const TaskInfo*> resolve_task(const TaskList& tasks, std::string_view word);

// Every task a word names: all threads of a pid's group are not implied;
// pid 0 names every CPU's idle task, as crash's `set 0`/`ps 0` see it.
Result<std::vector<const TaskInfo*>> resolve_tasks(const TaskList& tasks, std::string_view word);

// The tasks each word names (resolve_tasks), in order; `current` alone
// when no word names one (a command's default: the current context).
Result<std::vector<const TaskInfo*>> named_tasks_or(const TaskList& tasks,
                                                    const std::vector<Word>& words,
                                                    const TaskInfo* current);

// The task a "-n pid|task" option names, or the session's current context.
Result<const TaskInfo*> option_task_or_current(Session& session, const std::optional<std::string>& word);

// Runs fn(task) for each task the words name (the current context when
// none), with a blank line between tasks, as crash separates them; stops
// on Ctrl-C. For per-task commands such as files, sig and net -s.
Status for_each_named_task(CommandContext& ctx, const std::vector<Word>& words,
                           const std::function<void(const TaskInfo&)>& fn);

// PID: 130      TASK: ffff8d4001aca0c0  CPU: 1    COMMAND: "kinspect-panic"
std::string task_header(const TaskInfo& t);

}  // namespace kinspect
