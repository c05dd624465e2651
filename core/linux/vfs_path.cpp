// Dentry and mount path walks: see vfs_path.hpp.
#include "core/linux/vfs_path.hpp"

#include <array>
#include <set>
#include <vector>

#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// Deeper than PATH_MAX allows: a dentry chain this long is corrupt.
constexpr size_t kMaxDepth = 4096;

struct VfsLayout {
  uint64_t d_parent = 0, d_name_len = 0, d_name_name = 0, d_inode = 0, d_op = 0;
  uint64_t mount_mnt = 0;  // offsetof(struct mount, mnt): container_of for a vfsmount
  uint64_t mnt_parent = 0, mnt_mountpoint = 0;
  uint64_t vfsmnt_root = 0;
  uint64_t path_mnt = 0, path_dentry = 0;
  uint64_t inode_mode = 0, inode_ino = 0;
};

Result<VfsLayout> layout(Program& prog) {
  const Types& t = prog.types();
  VfsLayout l;
  auto off = [&](std::string_view type, std::string_view member, uint64_t* out) -> Status {
    auto o = t.member_offset(type, member);
    if (!o) return fail(std::move(o).error().context(std::string(type) + "." + std::string(member)));
    *out = *o;
    return {};
  };
  TRY_VOID(off("dentry", "d_parent", &l.d_parent));
  TRY_VOID(off("dentry", "d_name.len", &l.d_name_len));
  TRY_VOID(off("dentry", "d_name.name", &l.d_name_name));
  TRY_VOID(off("dentry", "d_inode", &l.d_inode));
  TRY_VOID(off("dentry", "d_op", &l.d_op));
  TRY_VOID(off("mount", "mnt", &l.mount_mnt));
  TRY_VOID(off("mount", "mnt_parent", &l.mnt_parent));
  TRY_VOID(off("mount", "mnt_mountpoint", &l.mnt_mountpoint));
  TRY_VOID(off("vfsmount", "mnt_root", &l.vfsmnt_root));
  TRY_VOID(off("path", "mnt", &l.path_mnt));
  TRY_VOID(off("path", "dentry", &l.path_dentry));
  TRY_VOID(off("inode", "i_mode", &l.inode_mode));
  TRY_VOID(off("inode", "i_ino", &l.inode_ino));
  return l;
}

Result<std::string> name_at(Program& prog, const VfsLayout& l, uint64_t dentry) {
  ASSIGN_OR_RETURN(uint32_t len, prog.read_u32(dentry + l.d_name_len));
  ASSIGN_OR_RETURN(uint64_t name, prog.read_u64(dentry + l.d_name_name));
  if (len > 255) return fail(Errc::format, "dentry " + hex(dentry) + " has a name of " + std::to_string(len) + " bytes");
  std::string s(len, '\0');
  if (len) TRY_VOID(prog.read(name, std::span<uint8_t>(reinterpret_cast<uint8_t*>(s.data()), len)));
  return s;
}

// The name a pseudo filesystem's d_dname() gives (pipefs "pipe:[ino]",
// sockfs "socket:[ino]", anon_inodefs "anon_inode:NAME"), found from the
// dentry operations' symbol; nullopt for an ordinary dentry.
Result<std::optional<std::string>> dynamic_name(Program& prog, const VfsLayout& l, uint64_t dentry) {
  ASSIGN_OR_RETURN(uint64_t ops, prog.read_u64(dentry + l.d_op));
  if (ops == 0) return std::optional<std::string>();
  auto m = prog.symbols().lookup(ops);
  if (!m || m->offset != 0) return std::optional<std::string>();
  std::string_view sym = m->sym->name;
  std::string prefix;
  if (sym == "pipefs_dentry_operations") prefix = "pipe";
  else if (sym == "sockfs_dentry_operations") prefix = "socket";
  else if (sym == "anon_inodefs_dentry_operations") {
    ASSIGN_OR_RETURN(std::string n, name_at(prog, l, dentry));
    return std::optional<std::string>("anon_inode:" + n);
  } else {
    return std::optional<std::string>();
  }
  ASSIGN_OR_RETURN(uint64_t inode, prog.read_u64(dentry + l.d_inode));
  if (inode == 0) return fail(Errc::format, "pseudo-file dentry " + hex(dentry) + " has no inode");
  ASSIGN_OR_RETURN(uint64_t ino, prog.read_u64(inode + l.inode_ino));
  return std::optional<std::string>(prefix + ":[" + std::to_string(ino) + "]");
}

std::string join_reversed(const std::vector<std::string>& parts) {
  if (parts.empty()) return "/";
  std::string s;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) s += "/" + *it;
  return s;
}

}  // namespace

Result<VfsPath> read_vfs_path(Program& prog, uint64_t address) {
  ASSIGN_OR_RETURN(VfsLayout l, layout(prog));
  VfsPath p;
  ASSIGN_OR_RETURN(p.mnt, prog.read_u64(address + l.path_mnt));
  ASSIGN_OR_RETURN(p.dentry, prog.read_u64(address + l.path_dentry));
  return p;
}

Result<std::string> vfs_path_name(Program& prog, const VfsPath& p, const VfsPath& root) {
  ASSIGN_OR_RETURN(VfsLayout l, layout(prog));
  if (p.dentry == 0) return fail(Errc::format, "path without a dentry");
  ASSIGN_OR_RETURN(auto dyn, dynamic_name(prog, l, p.dentry));
  if (dyn) return *dyn;
  std::vector<std::string> parts;
  uint64_t dentry = p.dentry, vfsmnt = p.mnt;
  std::set<std::pair<uint64_t, uint64_t>> seen;
  while (!(dentry == root.dentry && vfsmnt == root.mnt)) {
    if (!seen.insert({dentry, vfsmnt}).second || seen.size() > kMaxDepth)
      return fail(Errc::format, "the path of dentry " + hex(p.dentry) + " loops", dentry);
    ASSIGN_OR_RETURN(uint64_t parent, prog.read_u64(dentry + l.d_parent));
    uint64_t mnt_root = 0;
    if (vfsmnt) {
      ASSIGN_OR_RETURN(mnt_root, prog.read_u64(vfsmnt + l.vfsmnt_root));
    }
    if (vfsmnt && dentry == mnt_root) {
      // At the root of this mount: continue from its mountpoint in the parent.
      uint64_t mount = vfsmnt - l.mount_mnt;
      ASSIGN_OR_RETURN(uint64_t parent_mount, prog.read_u64(mount + l.mnt_parent));
      if (parent_mount == mount || parent_mount == 0) break;  // the top of the tree
      ASSIGN_OR_RETURN(dentry, prog.read_u64(mount + l.mnt_mountpoint));
      vfsmnt = parent_mount + l.mount_mnt;
      continue;
    }
    if (parent == dentry || parent == 0) break;  // a filesystem's root (IS_ROOT)
    ASSIGN_OR_RETURN(std::string n, name_at(prog, l, dentry));
    parts.push_back(std::move(n));
    dentry = parent;
  }
  return join_reversed(parts);
}

Result<std::string> dentry_path(Program& prog, uint64_t dentry) {
  ASSIGN_OR_RETURN(VfsLayout l, layout(prog));
  ASSIGN_OR_RETURN(auto dyn, dynamic_name(prog, l, dentry));
  if (dyn) return *dyn;
  std::vector<std::string> parts;
  for (size_t depth = 0;; ++depth) {
    if (depth > kMaxDepth) return fail(Errc::format, "the path of dentry " + hex(dentry) + " loops");
    ASSIGN_OR_RETURN(uint64_t parent, prog.read_u64(dentry + l.d_parent));
    if (parent == dentry || parent == 0) break;
    ASSIGN_OR_RETURN(std::string n, name_at(prog, l, dentry));
    parts.push_back(std::move(n));
    dentry = parent;
  }
  return join_reversed(parts);
}

Result<std::string> dentry_name(Program& prog, uint64_t dentry) {
  ASSIGN_OR_RETURN(VfsLayout l, layout(prog));
  return name_at(prog, l, dentry);
}

Result<uint64_t> dentry_inode(Program& prog, uint64_t dentry) {
  ASSIGN_OR_RETURN(VfsLayout l, layout(prog));
  return prog.read_u64(dentry + l.d_inode);
}

Result<uint32_t> inode_mode(Program& prog, uint64_t inode) {
  ASSIGN_OR_RETURN(VfsLayout l, layout(prog));
  std::array<uint8_t, 2> b{};
  TRY_VOID(prog.read(inode + l.inode_mode, b));
  return static_cast<uint32_t>(b[0] | (b[1] << 8));
}

std::string inode_type_name(uint32_t mode) {
  switch (mode & 0170000) {
    case 0100000: return "REG ";
    case 0040000: return "DIR ";
    case 0020000: return "CHR ";
    case 0060000: return "BLK ";
    case 0120000: return "LNK ";
    case 0010000: return "FIFO";
    case 0140000: return "SOCK";
    default: return "UNKN";
  }
}

}  // namespace kinspect
