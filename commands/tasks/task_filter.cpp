#include "commands/tasks/task_filter.hpp"

namespace kinspect {

bool TaskFilter::match(const TaskInfo& t) const {
  if (empty()) return true;
  for (auto p : pids)
    if (t.pid == p) return true;
  for (auto a : tasks)
    if (t.task == a) return true;
  for (const auto& n : names)
    if (t.comm == n) return true;
  for (const auto& r : regexes)
    if (std::regex_search(t.comm, r)) return true;
  return false;
}

Status add_task_selector(TaskFilter& f, const Word& w) {
  if (w.quoted) {
    try {
      f.regexes.emplace_back(w.text, std::regex::extended);
    } catch (const std::regex_error&) {
      return fail(Errc::invalid_argument, "invalid regular expression: " + w.text);
    }
    return {};
  }
  bool digits = !w.text.empty() && w.text.find_first_not_of("0123456789") == std::string::npos;
  if (digits && w.text.size() < 10) {
    f.pids.push_back(std::stoll(w.text));
  } else if (auto a = parse_hex(w.text); a && (w.text.rfind("0x", 0) == 0 || w.text.size() >= 10)) {
    f.tasks.push_back(*a);
  } else {
    f.names.push_back(w.text);
  }
  return {};
}

}  // namespace kinspect
