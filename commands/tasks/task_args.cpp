#include "commands/tasks/task_args.hpp"

#include <cstdio>

#include "commands/args.hpp"
#include "commands/session.hpp"

namespace kinspect {

namespace {
bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}
}  // namespace

Result<std::vector<const TaskInfo*>> resolve_tasks(const TaskList& tasks, std::string_view word) {
  std::vector<const TaskInfo*> out;
  if (all_digits(word) && word.size() < 10) {
    int64_t pid = std::stoll(std::string(word));
    for (const auto& t : tasks.tasks)
      if (t.pid == pid) out.push_back(&t);
    if (!out.empty()) return out;
  }
  if (auto addr = parse_hex(word)) {
    if (const TaskInfo* t = tasks.by_task(*addr)) return std::vector<const TaskInfo*>{t};
  }
  return fail(Errc::not_found, "invalid task or pid value: " + std::string(word));
}

Result<const TaskInfo*> resolve_task(const TaskList& tasks, std::string_view word) {
  ASSIGN_OR_RETURN(auto all, resolve_tasks(tasks, word));
  return all.front();
}

Result<const TaskInfo*> option_task_or_current(Session& session, const std::optional<std::string>& word) {
  if (!word) return session.current_task();
  ASSIGN_OR_RETURN(const TaskList* list, session.tasks());
  return resolve_task(*list, *word);
}

Status for_each_named_task(CommandContext& ctx, const std::vector<Word>& words,
                           const std::function<void(const TaskInfo&)>& fn) {
  ASSIGN_OR_RETURN(const TaskList* list, ctx.session.tasks());
  const TaskInfo* cur = nullptr;
  if (words.empty()) {
    ASSIGN_OR_RETURN(cur, ctx.session.current_task());
  }
  ASSIGN_OR_RETURN(std::vector<const TaskInfo*> targets, named_tasks_or(*list, words, cur));
  bool first = true;
  for (const TaskInfo* t : targets) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    if (!first) ctx.out.write("\n");
    first = false;
    fn(*t);
  }
  return {};
}

Result<std::vector<const TaskInfo*>> named_tasks_or(const TaskList& tasks,
                                                    const std::vector<Word>& words,
                                                    const TaskInfo* current) {
  std::vector<const TaskInfo*> out;
  for (const Word& w : words) {
    ASSIGN_OR_RETURN(auto all, resolve_tasks(tasks, w.text));
    out.insert(out.end(), all.begin(), all.end());
  }
  if (out.empty() && current) out.push_back(current);
  return out;
}

std::string task_header(const TaskInfo& t) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "PID: %-7lld  TASK: %llx  CPU: %-3d  COMMAND: \"%s\"",
                static_cast<long long>(t.pid), static_cast<unsigned long long>(t.task), t.cpu,
                t.comm.c_str());
  return buf;
}

}  // namespace kinspect
