// mount: the mounts of a mount namespace, in crash's layout.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/mounts.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

Status cmd_mount(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "n:fi"));
  for (char c : {'f', 'i'})
    if (o.has(c)) return fail(Errc::unsupported, std::string("mount -") + c + ": not implemented yet");
  if (!o.positional.empty())
    return fail(Errc::unsupported, "mount " + o.positional[0].text + ": selecting a mount is not implemented yet");
  ASSIGN_OR_RETURN(const TaskInfo* task, option_task_or_current(ctx.session, o.value('n')));
  ASSIGN_OR_RETURN(std::vector<MountInfo> mounts, read_mounts(*ctx.program, task->task));
  ctx.out.line("     MOUNT           SUPERBLK     TYPE   DEVNAME   DIRNAME");
  for (const MountInfo& m : mounts) {
    if (!m.error.empty()) {
      ctx.out.print("%16llx  (%s)\n", static_cast<unsigned long long>(m.mount), m.error.c_str());
      continue;
    }
    // crash aligns DEVNAME and DIRNAME to fixed columns (41, 51), one blank
    // at least after a longer value.
    char head[64];
    std::snprintf(head, sizeof head, "%16llx %16llx ", static_cast<unsigned long long>(m.mount),
                  static_cast<unsigned long long>(m.sb));
    std::string line = head + m.type;
    line.append(line.size() < 41 ? 41 - line.size() : 1, ' ');
    line += m.devname;
    line.append(line.size() < 51 ? 51 - line.size() : 1, ' ');
    char dir[4096];
    std::snprintf(dir, sizeof dir, "%-10s", m.dirname.c_str());
    ctx.out.line(line + dir);
  }
  return {};
}

constexpr std::string_view kMountHelp = R"(NAME
  mount - mounted filesystems

SYNOPSIS
  mount [-n pid|task]

DESCRIPTION
  Lists the mounts of the current context's mount namespace
  (task->nsproxy->mnt_ns), in the namespace's order (that of
  /proc/mounts), in crash's columns: the struct mount, its super_block,
  the filesystem type, the device name and the mount point, as seen from
  the task's root.

  -n pid|task  the mount namespace of that task instead.
  -f           not implemented yet (open files of each mount).
  -i           not implemented yet (dirty inodes of each mount).
)";

}  // namespace

extern const CommandSpec kMountCommand{"mount", cmd_mount, "mounted filesystems", kMountHelp, "-n -f -i", true};

}  // namespace kinspect
