// foreach: run a context command (bt, task, ps, set ...) for every task a
// selector names, as crash does: each task becomes the current context in
// turn, and the context is restored afterwards.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "commands/command.hpp"
#include "commands/progress.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "commands/tasks/task_filter.hpp"

namespace kinspect {

namespace {

// The commands that act on the current context; crash's foreach takes a
// similar list. Each runs once per task (ps once, with every task).
constexpr std::string_view kContextCommands[] = {"bt", "task", "set", "ps", "frame"};

bool is_state(const std::string& w) {
  for (const char* s : {"RU", "IN", "UN", "ZO", "ST", "TR", "DE", "WA", "PA", "ID", "NE"})
    if (w == s) return true;
  return false;
}

struct Selection {
  TaskFilter identity;  // pids, tasks, names, regexes
  std::vector<std::string> states;
  bool kernel = false, user = false, gleader = false, active = false;
};

// Splits the words before the command name into task selectors.
Result<Selection> parse_selection(const std::vector<Word>& words) {
  Selection s;
  for (const Word& w : words) {
    if (!w.quoted && w.text == "kernel") {
      s.kernel = true;
    } else if (!w.quoted && w.text == "user") {
      s.user = true;
    } else if (!w.quoted && w.text == "gleader") {
      s.gleader = true;
    } else if (!w.quoted && w.text == "active") {
      s.active = true;
    } else if (!w.quoted && is_state(w.text)) {
      s.states.push_back(w.text);
    } else {
      TRY_VOID(add_task_selector(s.identity, w));
    }
  }
  return s;
}

std::vector<const TaskInfo*> select_tasks(const Selection& s, const TaskList& list) {
  bool any = !s.identity.empty() || !s.states.empty();
  std::vector<const TaskInfo*> out;
  for (const TaskInfo& t : list.tasks) {
    if (s.kernel && !t.kernel_thread()) continue;
    if (s.user && t.kernel_thread()) continue;
    if (s.gleader && !t.idle && t.group_leader != t.task) continue;
    if (s.active && !t.active) continue;
    if (any) {
      bool hit = !s.identity.empty() && s.identity.match(t);
      for (const auto& st : s.states) hit = hit || t.st == st;
      if (!hit) continue;
    }
    out.push_back(&t);
  }
  return out;
}

// "foreach: 120/3000" on a terminal's stderr once a run takes over a second.
Status cmd_foreach(CommandContext& ctx, const Args& args) {
  Session& session = ctx.session;
  ASSIGN_OR_RETURN(const TaskList* list, session.tasks());
  // The command is the first word that names a context command.
  size_t at = 0;
  while (at < args.words.size()) {
    const std::string& w = args.words[at].text;
    bool is_cmd = false;
    for (auto c : kContextCommands) is_cmd = is_cmd || w == c;
    if (is_cmd) break;
    ++at;
  }
  if (at == args.words.size())
    return fail(Errc::invalid_argument,
                "no command given (one of: bt, task, set, ps, frame)");
  const std::string command = args.words[at].text;
  if (!find_command(command))
    return fail(Errc::unsupported, command + " is not available in this build");
  std::string rest;
  for (size_t i = at + 1; i < args.words.size(); ++i) {
    const Word& w = args.words[i];
    rest += " " + (w.quoted ? "'" + w.text + "'" : w.text);
  }
  ASSIGN_OR_RETURN(Selection sel, parse_selection({args.words.begin(), args.words.begin() + at}));
  std::vector<const TaskInfo*> tasks = select_tasks(sel, *list);
  if (tasks.empty()) return fail(Errc::not_found, "no task matches");

  if (command == "ps") {
    std::string line = "ps" + rest;
    for (const TaskInfo* t : tasks) line += " " + hex(t->task).substr(2);
    return session.run_line(line, ctx.out);
  }

  ASSIGN_OR_RETURN(const TaskInfo* saved, session.current_task());
  const uint64_t saved_task = saved->task;
  Progress progress("foreach", tasks.size(), "tasks");
  Status result;
  size_t failed = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (interrupted()) {
      result = fail(Errc::interrupted, "interrupted after " + std::to_string(i) + " of " +
                                           std::to_string(tasks.size()) + " tasks");
      break;
    }
    progress.step(i);
    if (auto s = session.set_current_task(tasks[i]->task); !s.ok()) return s;
    if (i > 0 && command != "set") ctx.out.write("\n");
    Status s = session.run_line(command + rest, ctx.out);
    if (!s.ok()) {
      // One task's failure is reported in place; the walk goes on.
      ctx.out.print("%s: %s\n", command.c_str(), s.error().message.c_str());
      ++failed;
    }
  }
  (void)session.set_current_task(saved_task);
  if (!result.ok()) return result;
  if (failed)
    return fail(Errc::io, command + " failed for " + std::to_string(failed) + " of " +
                              std::to_string(tasks.size()) + " tasks");
  return {};
}

constexpr std::string_view kForeachHelp = R"(NAME
  foreach - run a command for each of several tasks

SYNOPSIS
  foreach [pid | task | name | 'regex' | state | kernel | user | gleader | active] ...
          command [flags] [arguments]

DESCRIPTION
  Runs command once for every selected task, with that task as the current
  context (see set); the context is restored afterwards. Without selectors
  every task is selected. Selectors of one kind add up; kernel, user,
  gleader and active narrow the selection.

  pid, task   a decimal pid or a hexadecimal task_struct address.
  name        tasks whose command name is name.
  'regex'     tasks whose command name matches the quoted regular expression.
  state       RU IN UN ZO ST TR DE WA PA ID NE: tasks in that state.
  kernel      kernel threads only.     user     user tasks only.
  gleader     thread group leaders.    active   each CPU's running task.

  Commands: bt, task, set, ps (once, listing every selected task) and
  frame. A task for which the command fails gets its error line in place
  and the walk goes on; Ctrl-C stops it. On a terminal, a walk that takes
  more than a second shows its progress on stderr.
)";

}  // namespace

extern const CommandSpec kForeachCommand{"foreach", cmd_foreach,
                                         "run a command for each of several tasks", kForeachHelp,
                                         "kernel user gleader active", true};

}  // namespace kinspect
