// The mounts of a mount namespace (nsproxy->mnt_ns), in the namespace's
// order, with superblock, filesystem type, device name and mount point path,
// as /proc/PID/mounts lists them. Layouts from DWARF; no output here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct MountInfo {
  uint64_t mount = 0;   // struct mount *
  uint64_t vfsmnt = 0;  // &mount->mnt (struct vfsmount *)
  uint64_t sb = 0;      // mnt.mnt_sb
  std::string type;     // sb->s_type->name
  std::string devname;  // mnt_devname
  std::string dirname;  // the mount point, from the task's root
  std::string error;    // what could not be read, if anything
};

// The mount namespace of a task (task->nsproxy->mnt_ns).
Result<uint64_t> task_mount_namespace(Program& prog, uint64_t task);

// Every mount of the namespace, paths seen from `task`'s root.
Result<std::vector<MountInfo>> read_mounts(Program& prog, uint64_t task);

}  // namespace kinspect
