#include "core/linux/user_vmas.hpp"

#include <array>
#include <unordered_set>

#include "core/linux/maple_tree.hpp"
#include "core/linux/member_read.hpp"
#include "core/linux/vfs_path.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// Each mapping seen once; a list longer than this is taken as a loop.
constexpr size_t kVmaLimit = 1u << 20;

Result<UserVma> read_vma(Program& prog, uint64_t vma, uint64_t root_path) {
  UserVma v;
  v.address = vma;
  const Types& t = prog.types();
  std::string where = "vm_area_struct at " + hex(vma);
  ASSIGN_OR_RETURN(uint64_t start_off, t.member_offset("vm_area_struct", "vm_start"));
  ASSIGN_OR_RETURN(uint64_t end_off, t.member_offset("vm_area_struct", "vm_end"));
  // 6.3 made vm_flags a const member of an anonymous union (kernel commit
  // bc292ab00f6c); the path through anonymous members finds it either way.
  ASSIGN_OR_RETURN(uint64_t flags_off, t.member_offset("vm_area_struct", "vm_flags"));
  ASSIGN_OR_RETURN(uint64_t pgoff_off, t.member_offset("vm_area_struct", "vm_pgoff"));
  ASSIGN_OR_RETURN(uint64_t file_off, t.member_offset("vm_area_struct", "vm_file"));
  ASSIGN_OR_RETURN(v.start, prog.read_u64(vma + start_off).context(where));
  ASSIGN_OR_RETURN(v.end, prog.read_u64(vma + end_off).context(where));
  ASSIGN_OR_RETURN(v.flags, prog.read_u64(vma + flags_off).context(where));
  ASSIGN_OR_RETURN(v.pgoff, prog.read_u64(vma + pgoff_off).context(where));
  ASSIGN_OR_RETURN(v.file, prog.read_u64(vma + file_off).context(where));
  if (v.file) {
    ASSIGN_OR_RETURN(uint64_t path_off, t.member_offset("file", "f_path"));
    ASSIGN_OR_RETURN(VfsPath p, read_vfs_path(prog, v.file + path_off));
    Result<std::string> name = root_path ? [&]() -> Result<std::string> {
      ASSIGN_OR_RETURN(VfsPath root, read_vfs_path(prog, root_path));
      return vfs_path_name(prog, p, root);
    }()
                                         : dentry_path(prog, p.dentry);
    if (!name) return fail(std::move(name).error().context(where + ": vm_file " + hex(v.file)));
    v.file_name = *name;
  }
  return v;
}

}  // namespace

Result<uint64_t> task_root_path(Program& prog, uint64_t task) {
  ASSIGN_OR_RETURN(uint64_t fs, read_pointer_member(prog, "task_struct", task, "fs"));
  if (!fs) return uint64_t{0};
  ASSIGN_OR_RETURN(uint64_t root_off, prog.types().member_offset("fs_struct", "root"));
  return fs + root_off;
}

Result<UserMm> read_user_mm(Program& prog, uint64_t mm, uint64_t root_path) {
  const Types& t = prog.types();
  UserMm out;
  out.mm = mm;
  std::string where = "mm_struct at " + hex(mm);
  ASSIGN_OR_RETURN(out.pgd, read_pointer_member(prog, "mm_struct", mm, "pgd"));
  ASSIGN_OR_RETURN(uint64_t mc_off, t.member_offset("mm_struct", "map_count"));
  ASSIGN_OR_RETURN(uint32_t mc, prog.read_u32(mm + mc_off).context(where + ": map_count"));
  out.map_count = mc;
  std::vector<uint64_t> addrs;
  if (auto mt_off = t.member_offset("mm_struct", "mm_mt"); mt_off.ok()) {
    TRY_VOID(walk_maple_tree(prog, mm + *mt_off, [&](uint64_t, uint64_t, uint64_t e) -> Status {
      addrs.push_back(e);
      return {};
    }).context(where + ": mm_mt"));
  } else {
    // Before the maple tree: the mm->mmap list, linked by vm_next in
    // address order (the rb-tree mm_rb indexes the same VMAs).
    ASSIGN_OR_RETURN(uint64_t next_off, t.member_offset("vm_area_struct", "vm_next"));
    ASSIGN_OR_RETURN(uint64_t vma, read_pointer_member(prog, "mm_struct", mm, "mmap"));
    std::unordered_set<uint64_t> seen;
    while (vma) {
      if (!seen.insert(vma).second || seen.size() > kVmaLimit)
        return fail(Errc::format, where + ": mmap list loops at " + hex(vma), vma);
      addrs.push_back(vma);
      ASSIGN_OR_RETURN(vma, prog.read_u64(vma + next_off).context("vm_area_struct at " + hex(vma) + ": vm_next"));
    }
  }
  for (uint64_t a : addrs) {
    auto v = read_vma(prog, a, root_path);
    if (!v) {
      out.problems.push_back(v.error().message);
      continue;
    }
    out.vmas.push_back(std::move(*v));
  }
  return out;
}

std::string vm_flag_names(uint64_t flags) {
  // crash's table of VM_ bit names (memory.c), historical names included, in
  // its order (HUGETLB before ACCOUNT), so that `vm -f` reads as crash's
  // does; bit 21 has no name there.
  static constexpr std::array<std::pair<unsigned, const char*>, 31> kNames = {{
      {0, "READ"},        {1, "WRITE"},        {2, "EXEC"},        {3, "SHARED"},      {4, "MAYREAD"},
      {5, "MAYWRITE"},    {6, "MAYEXEC"},      {7, "MAYSHARE"},    {8, "GROWSDOWN"},   {9, "NOHUGEPAGE"},
      {10, "PFNMAP"},     {11, "DENYWRITE"},   {12, "EXECUTABLE"}, {13, "LOCKED"},     {14, "IO"},
      {15, "SEQ_READ"},   {16, "RAND_READ"},   {17, "DONTCOPY"},   {18, "DONTEXPAND"}, {19, "RESERVED"},
      {22, "HUGETLB"},    {20, "ACCOUNT"},     {23, "NONLINEAR"},  {24, "MAPPED_COPY"}, {25, "INSERTPAGE"},
      {26, "ALWAYSDUMP"}, {27, "CAN_NONLINEAR"}, {28, "MIXEDMAP"}, {29, "SAO"},        {30, "PFN_AT_MMAP"},
      {31, "MERGEABLE"}}};
  std::string s;
  for (const auto& [b, name] : kNames) {
    if (!(flags & (uint64_t{1} << b))) continue;
    if (!s.empty()) s += '|';
    s += name;
  }
  return s;
}

}  // namespace kinspect
