// Naming tasks the way crash's commands do: a decimal PID or a hexadecimal
// task_struct address, and crash's one-line task header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/args.hpp"
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

// PID: 130      TASK: ffff8d4001aca0c0  CPU: 1    COMMAND: "kinspect-panic"
std::string task_header(const TaskInfo& t);

}  // namespace kinspect
