// StackMap (see stack_map.hpp).
#include "core/unwind/stack_map.hpp"

#include "core/program.hpp"

namespace kinspect {

const std::vector<StackRange>& StackMap::of(const TaskInfo& task) {
  auto key = std::make_pair(task.task, task.cpu);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  std::vector<StackRange> out;
  // task_struct.stack: the base of the THREAD_SIZE task stack.
  if (auto off = prog_.types().member_offset("task_struct", "stack"); off.ok())
    if (auto base = prog_.read_u64(task.task + *off); base.ok())
      out.push_back({"task", *base, *base + thread_size_});
  if (task.cpu >= 0) cpu_stacks_(task.cpu, out);
  return cache_[key] = std::move(out);
}

std::string StackMap::name(uint64_t sp, const TaskInfo& task) {
  if (!prog_.arch().is_kernel_address(sp)) return "user";
  for (const StackRange& s : of(task))
    if (sp >= s.start && sp < s.end) return s.name;
  for (const StackRange& s : of(task))
    if (sp == s.end) return s.name;
  return "";
}

std::optional<std::pair<uint64_t, uint64_t>> StackMap::bounds(uint64_t sp, const TaskInfo& task) {
  for (const StackRange& s : of(task))
    if (sp >= s.start && sp <= s.end) return std::make_pair(s.start, s.end);
  return std::nullopt;
}

}  // namespace kinspect
