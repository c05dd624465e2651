#include "core/linux/mem_summary.hpp"

#include "core/linux/kernel_list.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

Result<uint64_t> u64_member(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

// A global integer, or the counter of a global atomic_long_t / percpu_counter.
Result<int64_t> global_int(Program& prog, std::string_view name, std::string_view member = {}) {
  ASSIGN_OR_RETURN(Object v, variable(prog, name));
  if (!member.empty()) {
    ASSIGN_OR_RETURN(v, v.member(member));
  }
  return v.as_int();
}

// totalram_pages became the atomic _totalram_pages in 5.0 (kernel commit
// ca79b0c211af).
Result<uint64_t> total_ram(Program& prog) {
  if (prog.symbols().find("_totalram_pages")) {
    ASSIGN_OR_RETURN(int64_t v, global_int(prog, "_totalram_pages", "counter"));
    return static_cast<uint64_t>(v);
  }
  ASSIGN_OR_RETURN(int64_t v, global_int(prog, "totalram_pages"));
  return static_cast<uint64_t>(v);
}

// nr_blockdev_pages(): the page cache of every block-device inode, found on
// the bdev pseudo filesystem's inode list.
Result<uint64_t> blockdev_pages(Program& prog) {
  ASSIGN_OR_RETURN(Object sbp, variable(prog, "blockdev_superblock"));
  ASSIGN_OR_RETURN(uint64_t sb, sbp.as_u64());
  if (!sb) return uint64_t{0};
  ASSIGN_OR_RETURN(const Type* sb_t, prog.types().find_struct("super_block"));
  ASSIGN_OR_RETURN(const Type* inode_t, prog.types().find_struct("inode"));
  ASSIGN_OR_RETURN(Object head, Object::at(prog, sb_t, sb).member("s_inodes"));
  ASSIGN_OR_RETURN(uint64_t link_off, prog.types().member_offset("inode", "i_sb_list"));
  uint64_t pages = 0;
  TRY_VOID(walk_list(prog, head.address(), link_off, [&](uint64_t inode) -> Status {
    ASSIGN_OR_RETURN(Object mapping, Object::at(prog, inode_t, inode).member("i_mapping"));
    ASSIGN_OR_RETURN(uint64_t nr, u64_member(mapping, "nrpages"));
    pages += nr;
    return {};
  }));
  return pages;
}

struct Huge {
  uint64_t total = 0, free = 0;
};

Result<Huge> hugetlb_pages(Program& prog) {
  Huge h;
  if (!prog.symbols().find("hstates")) return h;  // no CONFIG_HUGETLBFS
  ASSIGN_OR_RETURN(int64_t n, global_int(prog, "hugetlb_max_hstate"));
  ASSIGN_OR_RETURN(Object hs, variable(prog, "hstates"));
  for (int64_t i = 0; i < n && i < 64; ++i) {
    ASSIGN_OR_RETURN(Object s, hs.index(i));
    ASSIGN_OR_RETURN(uint64_t order, u64_member(s, "order"));
    ASSIGN_OR_RETURN(uint64_t nr, u64_member(s, "nr_huge_pages"));
    ASSIGN_OR_RETURN(uint64_t fr, u64_member(s, "free_huge_pages"));
    h.total += nr << order;
    h.free += fr << order;
  }
  return h;
}

// vm_commit_limit(): overcommit_kbytes if set, else the overcommit ratio
// of RAM outside the hugetlb pools; plus swap.
Result<uint64_t> commit_limit(Program& prog, uint64_t total, uint64_t huge, uint64_t swap) {
  int64_t kbytes = global_int(prog, "sysctl_overcommit_kbytes").value_or(0);
  uint64_t limit;
  if (kbytes > 0) {
    limit = static_cast<uint64_t>(kbytes) / (prog.arch().page_size() / 1024);
  } else {
    ASSIGN_OR_RETURN(int64_t ratio, global_int(prog, "sysctl_overcommit_ratio"));
    limit = (total - huge) * static_cast<uint64_t>(ratio) / 100;
  }
  return limit + swap;
}

}  // namespace

Result<MemSummary> read_mem_summary(Program& prog, const VmStat& vm) {
  MemSummary m;
  auto gap = [&](const std::string& what, const Error& e) { m.gaps.push_back(what + ": " + e.to_string()); };
  ASSIGN_OR_RETURN(m.total, total_ram(prog));
  auto free = vm.get("NR_FREE_PAGES");
  if (!free) return fail(Errc::not_found, "no NR_FREE_PAGES counter");
  m.free = static_cast<uint64_t>(*free);

  ASSIGN_OR_RETURN(m.page_counts, count_pages(prog));
  m.shared = m.page_counts.shared;
  m.slab = m.page_counts.slab;

  if (auto b = blockdev_pages(prog); b.ok()) m.buffers = *b;
  else gap("BUFFERS", b.error());
  int64_t file = vm.get("NR_FILE_PAGES").value_or(0);
  int64_t swapcache = vm.get("NR_SWAPCACHE").value_or(0);  // a node counter since 5.12
  int64_t cached = file - swapcache - static_cast<int64_t>(m.buffers);
  m.cached = cached > 0 ? static_cast<uint64_t>(cached) : 0;

  Huge h;
  if (auto hr = hugetlb_pages(prog); hr.ok()) h = *hr;
  else gap("TOTAL HUGE", hr.error());
  m.huge_total = h.total;
  m.huge_free = h.free;

  if (auto t = global_int(prog, "total_swap_pages"); t.ok()) m.swap_total = static_cast<uint64_t>(*t);
  else gap("TOTAL SWAP", t.error());
  if (auto f = global_int(prog, "nr_swap_pages", "counter"); f.ok()) m.swap_free = static_cast<uint64_t>(*f);
  else gap("SWAP FREE", f.error());

  if (auto l = commit_limit(prog, m.total, m.huge_total, m.swap_total); l.ok()) m.commit_limit = *l;
  else gap("COMMIT LIMIT", l.error());
  // percpu_counter_read_positive(&vm_committed_as), as /proc/meminfo.
  if (auto c = global_int(prog, "vm_committed_as", "count"); c.ok()) m.committed = *c > 0 ? static_cast<uint64_t>(*c) : 0;
  else gap("COMMITTED", c.error());
  return m;
}

}  // namespace kinspect
