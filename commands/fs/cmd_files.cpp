// files: a task's root, working directory and open files, in crash's layout;
// files -d: one dentry's inode, superblock, type and path.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/files.hpp"
#include "core/linux/vfs_path.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

void print_task_files(Output& out, const TaskInfo& t, const TaskFiles& tf) {
  out.line(task_header(t));
  if (tf.fs) out.print("ROOT: %s    CWD: %s\n", tf.root_path.c_str(), tf.cwd_path.c_str());
  if (tf.open.empty()) {
    out.line("No open files");
    return;
  }
  out.line(" FD       FILE            DENTRY           INODE       TYPE PATH");
  for (const OpenFile& f : tf.open) {
    out.print("%3u %16llx %16llx %16llx %s %s\n", f.fd, static_cast<unsigned long long>(f.file),
              static_cast<unsigned long long>(f.dentry), static_cast<unsigned long long>(f.inode),
              f.type.empty() ? "UNKN" : f.type.c_str(), f.path.c_str());
    if (!f.error.empty()) out.print("    (fd %u: %s)\n", f.fd, f.error.c_str());
  }
}

Status files_of_dentry(CommandContext& ctx, const std::string& word) {
  Program& prog = *ctx.program;
  auto addr = parse_hex(word);
  if (!addr) return fail(Errc::invalid_argument, "files -d: not a dentry address: " + word);
  ASSIGN_OR_RETURN(uint64_t inode, dentry_inode(prog, *addr).context("files -d: dentry " + hex(*addr)));
  ASSIGN_OR_RETURN(uint64_t sb_off, prog.types().member_offset("dentry", "d_sb"));
  ASSIGN_OR_RETURN(uint64_t sb, prog.read_u64(*addr + sb_off));
  std::string type = "UNKN";
  if (inode) {
    ASSIGN_OR_RETURN(uint32_t mode, inode_mode(prog, inode).context("files -d: inode " + hex(inode)));
    type = inode_type_name(mode);
  }
  ASSIGN_OR_RETURN(std::string path, dentry_path(prog, *addr).context("files -d: dentry " + hex(*addr)));
  ctx.out.line("     DENTRY           INODE           SUPERBLK     TYPE PATH");
  ctx.out.print("%16llx %16llx %16llx %s %s\n", static_cast<unsigned long long>(*addr),
                static_cast<unsigned long long>(inode), static_cast<unsigned long long>(sb), type.c_str(),
                path.c_str());
  return {};
}

Status cmd_files(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "d:p:cR:"));
  for (char c : {'p', 'c', 'R'})
    if (o.has(c)) return fail(Errc::unsupported, std::string("files -") + c + ": not implemented yet");
  if (auto d = o.value('d')) return files_of_dentry(ctx, *d);
  return for_each_named_task(ctx, o.positional, [&](const TaskInfo& t) {
    auto tf = read_task_files(*ctx.program, t.task);
    if (!tf) {
      ctx.out.line(task_header(t));
      ctx.out.line("files: " + tf.error().to_string());
      return;
    }
    print_task_files(ctx.out, t, *tf);
  });
}

constexpr std::string_view kFilesHelp = R"(NAME
  files - open files

SYNOPSIS
  files [pid | task] ...
  files -d dentry

DESCRIPTION
  For each task named (default: the current context, see set) prints
  crash's task header, the task's root and working directory
  ("ROOT: /    CWD: /tmp") and one line per open file descriptor: FD,
  the struct file, its dentry and inode, the inode type (REG, DIR, CHR,
  BLK, LNK, FIFO, SOCK) and the path. Paths are rebuilt as the kernel's
  d_path() does, through dentries and mounts up to the task's root;
  pipes, sockets and anonymous inodes are named as /proc/PID/fd names
  them ("pipe:[1207]", "socket:[1139]", "anon_inode:[eventpoll]").
  A descriptor whose file cannot be read is shown with the reason.

  -d dentry  the dentry's inode, superblock, inode type and path within
             its filesystem.
  -p inode   not implemented yet (page-cache pages of an inode).
  -c         not implemented yet (page-cache page counts per file).
  -R ref     not implemented yet (search for a reference).
)";

}  // namespace

extern const CommandSpec kFilesCommand{"files", cmd_files, "open files", kFilesHelp, "-d -p -c -R", true};

}  // namespace kinspect
