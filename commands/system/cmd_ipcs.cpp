// ipcs: System V IPC shared memory, semaphores and message queues, in
// crash's layout.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/ipc.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

constexpr unsigned kShmDest = 01000, kShmLocked = 02000;  // include/linux/shm.h

void prefix(Output& out, const IpcObject& o) {
  out.print("%16llx %08x %-10lld %-5u %-5o ", static_cast<unsigned long long>(o.address),
            static_cast<unsigned>(o.key), static_cast<long long>(o.id), o.uid, o.mode & 0777);
}

void show_shm(Output& out, const std::vector<IpcObject>& v) {
  out.line("SHMID_KERNEL     KEY      SHMID      UID   PERMS BYTES      NATTCH STATUS");
  if (v.empty()) out.line("(none allocated)");
  for (const auto& o : v) {
    prefix(out, o);
    std::string status = (o.mode & kShmDest) ? "dest" : (o.mode & kShmLocked) ? "locked" : "";
    out.print("%-10llu %-7llu %s\n", static_cast<unsigned long long>(o.shm_bytes),
              static_cast<unsigned long long>(o.shm_nattch), status.c_str());
  }
}

void show_sem(Output& out, const std::vector<IpcObject>& v) {
  out.line("SEM_ARRAY        KEY      SEMID      UID   PERMS NSEMS     ");
  if (v.empty()) out.line("(none allocated)");
  for (const auto& o : v) {
    prefix(out, o);
    out.print("%-10llu\n", static_cast<unsigned long long>(o.sem_nsems));
  }
}

void show_msg(Output& out, const std::vector<IpcObject>& v) {
  out.line("MSG_QUEUE        KEY      MSQID      UID   PERMS USED-BYTES   MESSAGES    ");
  if (v.empty()) out.line("(none allocated)");
  for (const auto& o : v) {
    prefix(out, o);
    out.print("%-12llu %-12llu\n", static_cast<unsigned long long>(o.msg_bytes),
              static_cast<unsigned long long>(o.msg_count));
  }
}

Status cmd_ipcs(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "smMqn:"));
  if (o.has('M')) return fail(Errc::unsupported, "ipcs -M: not implemented yet");
  if (!o.positional.empty())
    return fail(Errc::unsupported, "ipcs " + o.positional[0].text + ": selecting one object is not implemented yet");
  ASSIGN_OR_RETURN(const TaskInfo* task, option_task_or_current(ctx.session, o.value('n')));
  ASSIGN_OR_RETURN(uint64_t ns, task_ipc_namespace(*ctx.program, task->task));
  ASSIGN_OR_RETURN(IpcObjects objs, read_ipc_objects(*ctx.program, ns));
  bool all = !o.has('s') && !o.has('m') && !o.has('q');
  bool first = true;
  auto sep = [&] {
    if (!first) ctx.out.write("\n");
    first = false;
  };
  if (all || o.has('m')) sep(), show_shm(ctx.out, objs.shm);
  if (all || o.has('s')) sep(), show_sem(ctx.out, objs.sem);
  if (all || o.has('q')) sep(), show_msg(ctx.out, objs.msg);
  return {};
}

constexpr std::string_view kIpcsHelp = R"(NAME
  ipcs - System V IPC facilities

SYNOPSIS
  ipcs [-smq] [-n pid|task]

DESCRIPTION
  Lists the System V shared memory segments, semaphore sets and message
  queues of the current context's IPC namespace (nsproxy->ipc_ns, whose
  ids[] tables are IDRs), in crash's columns: the kernel object, KEY,
  the id, UID, PERMS (octal) and, for shared memory, BYTES, NATTCH and
  STATUS (dest, locked), for semaphores NSEMS, for message queues
  USED-BYTES and MESSAGES.

  -m           shared memory segments only.
  -s           semaphore sets only.
  -q           message queues only.
  -n pid|task  the IPC namespace of that task.
  -M           not implemented yet (shared memory with more detail).
)";

}  // namespace

extern const CommandSpec kIpcsCommand{"ipcs", cmd_ipcs, "System V IPC facilities", kIpcsHelp, "-s -m -q -n -M", true};

}  // namespace kinspect
