// A task's open files: see files.hpp.
#include "core/linux/files.hpp"

#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// More descriptors than any fdtable holds (sysctl fs.nr_open caps at 2^30,
// but a table that large in a dump is corrupt for our purposes).
constexpr uint64_t kMaxFds = 1u << 24;

void fill_file(Program& prog, const VfsPath& root, OpenFile& f) {
  auto path_off = prog.types().member_offset("file", "f_path");
  if (!path_off) {
    f.error = path_off.error().to_string();
    return;
  }
  auto p = read_vfs_path(prog, f.file + *path_off);
  if (!p) {
    f.error = "reading file " + hex(f.file) + ": " + p.error().to_string();
    return;
  }
  f.dentry = p->dentry;
  f.vfsmnt = p->mnt;
  if (auto i = dentry_inode(prog, f.dentry)) f.inode = *i;
  else f.error = i.error().to_string();
  if (f.inode) {
    if (auto m = inode_mode(prog, f.inode)) f.type = inode_type_name(*m);
    else f.error = m.error().to_string();
  } else {
    f.type = "UNKN";
  }
  if (auto n = vfs_path_name(prog, *p, root)) f.path = *n;
  else f.error = n.error().to_string();
}

}  // namespace

Result<TaskFiles> read_task_files(Program& prog, uint64_t task) {
  TaskFiles tf;
  tf.task = task;
  auto ctx = "reading the files of task " + hex(task);
  ASSIGN_OR_RETURN(tf.fs, read_pointer_member(prog, "task_struct", task, "fs").context(ctx));
  ASSIGN_OR_RETURN(tf.files, read_pointer_member(prog, "task_struct", task, "files").context(ctx));
  if (tf.fs) {
    ASSIGN_OR_RETURN(uint64_t root_off, prog.types().member_offset("fs_struct", "root"));
    ASSIGN_OR_RETURN(uint64_t pwd_off, prog.types().member_offset("fs_struct", "pwd"));
    ASSIGN_OR_RETURN(tf.root, read_vfs_path(prog, tf.fs + root_off).context(ctx + ": fs->root"));
    ASSIGN_OR_RETURN(tf.cwd, read_vfs_path(prog, tf.fs + pwd_off).context(ctx + ": fs->pwd"));
    ASSIGN_OR_RETURN(tf.root_path, vfs_path_name(prog, tf.root, tf.root).context(ctx + ": fs->root"));
    ASSIGN_OR_RETURN(tf.cwd_path, vfs_path_name(prog, tf.cwd, tf.root).context(ctx + ": fs->pwd"));
  }
  if (!tf.files) return tf;
  ASSIGN_OR_RETURN(uint64_t fdt, read_pointer_member(prog, "files_struct", tf.files, "fdt").context(ctx));
  ASSIGN_OR_RETURN(const Type* fdtable, prog.types().find_struct("fdtable"));
  Object table = Object::at(prog, fdtable, fdt);
  ASSIGN_OR_RETURN(Object max_fds, table.member("max_fds"));
  ASSIGN_OR_RETURN(uint64_t max, max_fds.as_u64().context(ctx + ": fdtable " + hex(fdt)));
  ASSIGN_OR_RETURN(Object fd_array, table.member("fd"));
  ASSIGN_OR_RETURN(uint64_t fds, fd_array.as_u64());
  if (max > kMaxFds) return fail(Errc::format, ctx + ": fdtable " + hex(fdt) + " claims " + std::to_string(max) + " descriptors");
  // Read the pointer array a page at a time: most slots are empty.
  std::vector<uint8_t> slots(max * 8);
  for (uint64_t off = 0; off < slots.size(); off += 4096) {
    size_t n = std::min<uint64_t>(4096, slots.size() - off);
    TRY_VOID(prog.read(fds + off, std::span<uint8_t>(slots.data() + off, n)).context(ctx + ": fd array " + hex(fds)));
  }
  for (uint64_t i = 0; i < max; ++i) {
    uint64_t file = load_integer(std::span<const uint8_t>(slots.data() + i * 8, 8), 8, false);
    if (!file) continue;
    OpenFile f;
    f.fd = static_cast<unsigned>(i);
    f.file = file;
    fill_file(prog, tf.root, f);
    tf.open.push_back(std::move(f));
  }
  return tf;
}

}  // namespace kinspect
