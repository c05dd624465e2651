// A task's open files: its root and working directory (fs_struct) and every
// slot of its file descriptor table (files_struct -> fdtable) in use, with
// the file's dentry, inode, inode type and path. No output formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/vfs_path.hpp"

namespace kinspect {

class Program;

struct OpenFile {
  unsigned fd = 0;
  uint64_t file = 0;    // struct file *
  uint64_t dentry = 0;  // file->f_path.dentry
  uint64_t inode = 0;   // the dentry's d_inode
  uint64_t vfsmnt = 0;  // file->f_path.mnt
  std::string type;     // inode_type_name(): "REG ", "SOCK", ...
  std::string path;     // as /proc/PID/fd shows it
  std::string error;    // why this slot could not be read completely, if so
};

struct TaskFiles {
  uint64_t task = 0;
  uint64_t fs = 0, files = 0;  // task->fs, task->files (0: exited or a kernel thread without)
  VfsPath root, cwd;
  std::string root_path, cwd_path;
  std::vector<OpenFile> open;  // in fd order
};

// Reads one task's files. An unreadable fd slot is kept with its error
// (the other slots are still read); a missing fs or files is not an error.
Result<TaskFiles> read_task_files(Program& prog, uint64_t task);

}  // namespace kinspect
