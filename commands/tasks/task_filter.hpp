// crash's task selectors, shared by ps and foreach: a decimal pid, a
// hexadecimal task address, a command name, or a quoted 'regex' matched
// against the command name. Selectors add up; no selector selects all.
#pragma once

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "commands/args.hpp"
#include "core/error.hpp"
#include "core/linux/tasks.hpp"

namespace kinspect {

struct TaskFilter {
  std::vector<int64_t> pids;
  std::vector<uint64_t> tasks;
  std::vector<std::string> names;
  std::vector<std::regex> regexes;
  bool empty() const { return pids.empty() && tasks.empty() && names.empty() && regexes.empty(); }
  bool match(const TaskInfo& t) const;
};

// Adds one word: quoted -> regex; up to 9 digits -> pid; 0x-prefixed or
// 10+ hex digits -> task address; anything else -> command name.
Status add_task_selector(TaskFilter& f, const Word& w);

}  // namespace kinspect
