// Signal state of a task: its handlers (sighand->action[]), the shared
// pending set and queue (signal->shared_pending), and each thread's blocked
// mask and private pending set and queue (task->pending), as
// /proc/PID/status summarizes them (SigPnd ShdPnd SigBlk SigIgn SigCgt).
// Layouts from DWARF; no output formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct SignalAction {
  unsigned sig = 0;        // 1-based
  uint64_t sigaction = 0;  // &sighand->action[sig - 1]
  uint64_t handler = 0;    // 0 SIG_DFL, 1 SIG_IGN, else a user address
  uint64_t mask = 0;       // sa_mask
  uint64_t flags = 0;      // sa_flags
};

struct QueuedSignal {
  uint64_t sigqueue = 0;  // struct sigqueue *
  int signo = 0;
  int code = 0;
};

struct PendingSignals {
  uint64_t signal = 0;  // the sigset bits (bit n-1 for signal n)
  std::vector<QueuedSignal> queue;
};

struct TaskSignals {
  uint64_t task = 0;
  uint64_t signal_struct = 0, sighand = 0;
  int nr_threads = 0;
  std::vector<SignalAction> actions;  // _NSIG of them
  PendingSignals shared;              // signal->shared_pending
  uint64_t blocked = 0;               // task->blocked
  bool sigpending = false;            // TIF_SIGPENDING, from the thread flags
  PendingSignals private_pending;     // task->pending
  // /proc/PID/status's masks, from the handlers.
  uint64_t ignored() const;
  uint64_t caught() const;
};

Result<TaskSignals> read_task_signals(Program& prog, uint64_t task);

// Signal names 1..64 as crash's `sig -l` gives them ("SIGHUP", "SIGABRT/SIGIOT",
// "SIGRTMIN+1", "SIGRTMAX-15"); "" outside that range.
std::string signal_name(unsigned sig);

// crash's names of the SA_* bits set in flags ("SA_RESTART|SA_RESTORER").
std::string sigaction_flag_names(uint64_t flags);

}  // namespace kinspect
