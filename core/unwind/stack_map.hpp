// The stacks a task may be running on (its own, its CPU's IRQ stack, the
// exception or overflow stacks), found once per task and CPU by the
// architecture and named for bt's "--- <IRQ stack> ---" lines.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/linux/tasks.hpp"
#include "core/unwind/unwind.hpp"

namespace kinspect {

class Program;

struct StackRange {
  std::string name;  // "task", "IRQ", "NMI exception", "overflow", ...
  uint64_t start = 0, end = 0;
};

class StackMap {
 public:
  // cpu_stacks: the CPU's own stacks (IRQ, exception, overflow).
  using CpuStacks = std::function<void(int cpu, std::vector<StackRange>& out)>;
  StackMap(Program& prog, uint64_t thread_size, CpuStacks cpu_stacks)
      : prog_(prog), thread_size_(thread_size), cpu_stacks_(std::move(cpu_stacks)) {}

  const std::vector<StackRange>& of(const TaskInfo& task);
  // "user" below the kernel's addresses, "" when on no known stack. An sp
  // at a stack's very top (an empty frame) still names that stack.
  std::string name(uint64_t sp, const TaskInfo& task);
  std::optional<std::pair<uint64_t, uint64_t>> bounds(uint64_t sp, const TaskInfo& task);

 private:
  Program& prog_;
  uint64_t thread_size_;
  CpuStacks cpu_stacks_;
  std::map<std::pair<uint64_t, int>, std::vector<StackRange>> cache_;
};

// An ArchUnwinder whose stack names and bounds come from its StackMap.
class StackMapUnwinder : public ArchUnwinder {
 public:
  std::string stack_name(uint64_t sp, const TaskInfo& task) override { return stacks().name(sp, task); }
  std::optional<std::pair<uint64_t, uint64_t>> stack_bounds(uint64_t sp,
                                                             const TaskInfo& task) override {
    return stacks().bounds(sp, task);
  }

 protected:
  virtual StackMap& stacks() = 0;
};

}  // namespace kinspect
