// A process's address space: its mm_struct's page-table root and counters
// and every VMA (struct vm_area_struct) in address order, from the maple
// tree mm->mm_mt (6.1+, kernel commit d4af56c5c7c6) or the mm->mmap list
// before it, whichever the DWARF has. No printing here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct UserVma {
  uint64_t address = 0;        // struct vm_area_struct
  uint64_t start = 0, end = 0; // [vm_start, vm_end)
  uint64_t flags = 0;          // vm_flags
  uint64_t pgoff = 0;          // vm_pgoff
  uint64_t file = 0;           // vm_file (struct file *), 0 if anonymous
  std::string file_name;       // its path, "" for anonymous mappings
};

struct UserMm {
  uint64_t mm = 0;
  uint64_t pgd = 0;            // mm->pgd (kernel virtual)
  uint64_t map_count = 0;
  std::vector<UserVma> vmas;
  std::vector<std::string> problems;  // VMAs or names that could not be read
};

// `root_dentry_path`: the struct path address to resolve file names against
// (the task's fs->root), 0 for the dentry path alone.
Result<UserMm> read_user_mm(Program& prog, uint64_t mm, uint64_t root_path_address);

// The struct path address of task->fs->root, 0 when the task has no fs.
Result<uint64_t> task_root_path(Program& prog, uint64_t task);

// crash's `vm -f` names of the VM_ flag bits set in flags.
std::string vm_flag_names(uint64_t flags);

}  // namespace kinspect
