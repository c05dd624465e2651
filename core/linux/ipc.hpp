// System V IPC objects of an IPC namespace (nsproxy->ipc_ns->ids[]):
// shared memory segments, semaphore sets and message queues, with what
// /proc/sysvipc/{shm,sem,msg} print for them. Each ids[] table is an IDR
// (an XArray) of kern_ipc_perm pointers. Layouts from DWARF; no output here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct IpcObject {
  uint64_t address = 0;  // struct shmid_kernel / sem_array / msg_queue *
  int64_t key = 0;       // kern_ipc_perm.key (key_t, signed)
  int64_t id = 0;        // kern_ipc_perm.id
  unsigned uid = 0;
  unsigned mode = 0;     // kern_ipc_perm.mode (permission bits and SHM_DEST/SHM_LOCKED)
  bool deleted = false;  // kern_ipc_perm.deleted
  // shm: size in bytes and attach count; sem: semaphores; msg: bytes and
  // messages queued.
  uint64_t shm_bytes = 0, shm_nattch = 0;
  uint64_t sem_nsems = 0;
  uint64_t msg_bytes = 0, msg_count = 0;
};

struct IpcObjects {
  uint64_t ns = 0;  // struct ipc_namespace *
  std::vector<IpcObject> shm, sem, msg;
};

// The IPC namespace of a task (task->nsproxy->ipc_ns).
Result<uint64_t> task_ipc_namespace(Program& prog, uint64_t task);

Result<IpcObjects> read_ipc_objects(Program& prog, uint64_t ipc_ns);

}  // namespace kinspect
