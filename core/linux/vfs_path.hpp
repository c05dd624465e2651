// Path names of dentries, the way the kernel's d_path() builds them: up the
// dentry tree to the mount's root, across each mount to its mountpoint in
// the parent mount, until the task's (or the namespace's) root. Pseudo
// filesystems whose dentries name themselves (d_op->d_dname: pipes, sockets,
// anonymous inodes) get the names /proc/PID/fd shows ("pipe:[1207]").
// Layouts from DWARF; no output formatting here.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace kinspect {

class Program;

// struct path: a vfsmount and a dentry in it.
struct VfsPath {
  uint64_t mnt = 0;     // struct vfsmount * (embedded in struct mount)
  uint64_t dentry = 0;  // struct dentry *
};

// Reads a struct path at `address` (fs_struct.root, file.f_path, ...).
Result<VfsPath> read_vfs_path(Program& prog, uint64_t address);

// The absolute path of `p` as seen from `root` (a task's fs->root). When the
// walk reaches the top of a mount tree without meeting `root` the path is
// still absolute from that top, as the kernel's d_absolute_path() gives it.
Result<std::string> vfs_path_name(Program& prog, const VfsPath& p, const VfsPath& root);

// The path of a dentry alone, without its mount (crash's `files -d`): the
// names up to the root of its filesystem, "/"-joined.
Result<std::string> dentry_path(Program& prog, uint64_t dentry);

// One dentry's own name (d_name), at most 255 bytes.
Result<std::string> dentry_name(Program& prog, uint64_t dentry);

// The inode of a dentry (d_inode; 0 for a negative dentry).
Result<uint64_t> dentry_inode(Program& prog, uint64_t dentry);

// crash's four-letter inode type from i_mode: "REG ", "DIR ", "CHR ", "BLK ",
// "LNK ", "FIFO", "SOCK", or "UNKN".
std::string inode_type_name(uint32_t mode);
Result<uint32_t> inode_mode(Program& prog, uint64_t inode);

}  // namespace kinspect
