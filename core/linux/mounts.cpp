// Mount namespace walk: see mounts.hpp.
#include "core/linux/mounts.hpp"

#include "core/linux/kernel_list.hpp"
#include "core/linux/vfs_path.hpp"
#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

Result<uint64_t> task_mount_namespace(Program& prog, uint64_t task) {
  ASSIGN_OR_RETURN(uint64_t nsproxy, read_pointer_member(prog, "task_struct", task, "nsproxy"));
  if (nsproxy == 0) return fail(Errc::not_found, "task " + hex(task) + " has no nsproxy (it has exited)");
  return read_pointer_member(prog, "nsproxy", nsproxy, "mnt_ns");
}

Result<std::vector<MountInfo>> read_mounts(Program& prog, uint64_t task) {
  ASSIGN_OR_RETURN(uint64_t ns, task_mount_namespace(prog, task));
  // The namespace's mounts are a list (mnt_namespace.list, mount.mnt_list)
  // until 6.8 made them an rb-tree (commit 2eea9ce4310d "mounts: keep list of
  // mounts in an rbtree").
  auto list_off = prog.types().member_offset("mnt_namespace", "list");
  if (!list_off) return fail(Errc::unsupported, "mnt_namespace has no mount list (an rb-tree kernel): not supported yet");
  ASSIGN_OR_RETURN(uint64_t node_off, prog.types().member_offset("mount", "mnt_list"));
  ASSIGN_OR_RETURN(uint64_t mnt_off, prog.types().member_offset("mount", "mnt"));
  ASSIGN_OR_RETURN(uint64_t fs_off, prog.types().member_offset("task_struct", "fs"));
  ASSIGN_OR_RETURN(uint64_t root_off, prog.types().member_offset("fs_struct", "root"));
  VfsPath root;
  ASSIGN_OR_RETURN(uint64_t fs, prog.read_u64(task + fs_off));
  if (fs) {
    ASSIGN_OR_RETURN(root, read_vfs_path(prog, fs + root_off));
  }
  std::vector<MountInfo> out;
  TRY_VOID(walk_list(prog, ns + *list_off, node_off, [&](uint64_t mount) -> Status {
    MountInfo m;
    m.mount = mount;
    m.vfsmnt = mount + mnt_off;
    auto fill = [&]() -> Status {
      ASSIGN_OR_RETURN(m.sb, read_pointer_member(prog, "vfsmount", m.vfsmnt, "mnt_sb"));
      ASSIGN_OR_RETURN(uint64_t fstype, read_pointer_member(prog, "super_block", m.sb, "s_type"));
      ASSIGN_OR_RETURN(uint64_t name, read_pointer_member(prog, "file_system_type", fstype, "name"));
      ASSIGN_OR_RETURN(m.type, prog.read_string(name, 64));
      ASSIGN_OR_RETURN(uint64_t dev, read_pointer_member(prog, "mount", mount, "mnt_devname"));
      if (dev) {
        ASSIGN_OR_RETURN(m.devname, prog.read_string(dev, 4096));
      }
      ASSIGN_OR_RETURN(uint64_t mnt_root, read_pointer_member(prog, "vfsmount", m.vfsmnt, "mnt_root"));
      ASSIGN_OR_RETURN(m.dirname, vfs_path_name(prog, VfsPath{m.vfsmnt, mnt_root}, root));
      return {};
    };
    if (auto s = fill(); !s) m.error = "mount " + hex(mount) + ": " + s.error().to_string();
    out.push_back(std::move(m));
    return {};
  }).context("walking the mounts of mnt_namespace " + hex(ns)));
  return out;
}

}  // namespace kinspect
