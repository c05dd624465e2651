#include "core/linux/slub.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/linux/kernel_list.hpp"
#include "core/linux/zones.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

constexpr uint64_t kSlabStoreUser = 0x00010000;  // SLAB_STORE_USER: full slabs are listed
constexpr size_t kMaxCpuPartial = 1 << 16;

Result<uint64_t> u64_member(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

// How this kernel lays SLUB out, from its DWARF.
struct Layout {
  const Type* cache_t = nullptr;
  const Type* cpu_t = nullptr;
  const Type* node_t = nullptr;
  // struct slab split out of struct page in 5.17 (kernel commit
  // d122019bf061); before it the same fields sit in struct page.
  const Type* slab_t = nullptr;
  std::string cpu_slab_member;  // kmem_cache_cpu.slab (5.17+) or .page
  uint64_t slab_list_off = 0;   // slab_list (5.1+, kernel commit 916ac0527837) or lru
  uint64_t vmemmap = 0;         // struct page of pfn 0
  uint64_t page_struct_size = 0;
  unsigned page_shift = 12;
  std::vector<std::pair<int, std::pair<uint64_t, uint64_t>>> node_pfns;  // node -> [start, end)
};

Result<Layout> layout(Program& prog) {
  const Types& t = prog.types();
  Layout l;
  ASSIGN_OR_RETURN(l.cache_t, t.find_struct("kmem_cache"));
  auto cpu = t.find_struct("kmem_cache_cpu");
  if (!cpu.ok()) return fail(Errc::unsupported, "no struct kmem_cache_cpu: only the SLUB allocator is handled (not SLAB or SLOB)");
  l.cpu_t = *cpu;
  ASSIGN_OR_RETURN(l.node_t, t.find_struct("kmem_cache_node"));
  if (auto s = t.find_struct("slab"); s.ok() && t.member_offset("slab", "slab_cache").ok()) {
    l.slab_t = *s;
  } else {
    ASSIGN_OR_RETURN(l.slab_t, t.find_struct("page"));
  }
  l.cpu_slab_member = t.member_offset("kmem_cache_cpu", "slab").ok() ? "slab" : "page";
  auto list_off = t.member_path(l.slab_t, "slab_list");
  if (!list_off.ok()) list_off = t.member_path(l.slab_t, "lru");
  if (!list_off.ok()) return fail(std::move(list_off).error());
  l.slab_list_off = list_off->offset;
  ASSIGN_OR_RETURN(const Type* page_t, t.find_struct("page"));
  l.page_struct_size = page_t->byte_size();
  auto base = prog.arch().page_struct(0);
  if (!base) return fail(Errc::unsupported, "struct page addresses unknown (no vmemmap base)");
  l.vmemmap = *base;
  while ((1ull << l.page_shift) < prog.arch().page_size()) ++l.page_shift;
  ASSIGN_OR_RETURN(auto nodes, read_nodes(prog));
  for (const auto& n : nodes) l.node_pfns.push_back({n.id, {n.start_pfn, n.start_pfn + n.spanned}});
  return l;
}

int node_of_pfn(const Layout& l, uint64_t pfn) {
  for (const auto& [id, r] : l.node_pfns)
    if (pfn >= r.first && pfn < r.second) return id;
  return 0;
}

// Reads a slab's counters and places its memory.
Result<Slab> read_slab(Program& prog, const Layout& l, uint64_t addr) {
  if (addr < l.vmemmap || (addr - l.vmemmap) % l.page_struct_size)
    return fail(Errc::format, "slab pointer " + hex(addr) + " is not a struct page address", addr);
  Object s = Object::at(prog, l.slab_t, addr);
  Slab slab;
  slab.address = addr;
  uint64_t pfn = (addr - l.vmemmap) / l.page_struct_size;
  auto mem = prog.arch().ptov(pfn << l.page_shift);
  if (!mem) return fail(Errc::format, "slab " + hex(addr) + " is outside the direct map", addr);
  slab.memory = *mem;
  slab.node = node_of_pfn(l, pfn);
  ASSIGN_OR_RETURN(uint64_t objects, u64_member(s, "objects"));
  ASSIGN_OR_RETURN(uint64_t inuse, u64_member(s, "inuse"));
  slab.objects = static_cast<unsigned>(objects);
  slab.inuse = static_cast<unsigned>(inuse);
  return slab;
}

// Follows free pointers. With CONFIG_SLAB_FREELIST_HARDENED each is stored
// as ptr ^ s->random ^ swab(address it is stored at) since 5.7 (kernel
// commit 1ad53d9fa3f6), without the swab from 4.14 (commit 2482ddec670f);
// the form is learned per cache from the first chain that decodes into the
// slab under one of them.
class FreelistReader {
 public:
  FreelistReader(Program& prog, const SlabCache& c) : prog_(prog), c_(c) {}

  // The objects on the chain starting at `head`, which must all lie in the
  // slab's memory; an error names the bad link.
  Result<std::vector<uint64_t>> chain(const Slab& s, uint64_t head) {
    if (!c_.hardened) return follow(s, head, false);
    if (swab_) return follow(s, head, *swab_);
    auto a = follow(s, head, true);
    if (a.ok()) {
      if (a->size() > 1) swab_ = true;
      return a;
    }
    auto b = follow(s, head, false);
    if (b.ok()) {
      if (b->size() > 1) swab_ = false;
      return b;
    }
    return a;
  }

 private:
  bool in_slab(const Slab& s, uint64_t p) const {
    uint64_t start = s.memory + c_.red_left_pad;
    return p >= start && p < s.memory + uint64_t{s.objects} * c_.size && (p - start) % c_.size == 0;
  }
  Result<std::vector<uint64_t>> follow(const Slab& s, uint64_t p, bool swab) {
    std::vector<uint64_t> out;
    std::unordered_set<uint64_t> seen;
    while (p) {
      if (!in_slab(s, p)) return fail(Errc::format, "free pointer " + hex(p) + " outside slab " + hex(s.address), p);
      if (!seen.insert(p).second) return fail(Errc::format, "freelist of slab " + hex(s.address) + " loops at " + hex(p), p);
      out.push_back(p);
      uint64_t at = p + c_.offset;
      ASSIGN_OR_RETURN(uint64_t stored, prog_.read_u64(at));
      p = c_.hardened ? stored ^ c_.random ^ (swab ? __builtin_bswap64(at) : at) : stored;
    }
    return out;
  }
  Program& prog_;
  const SlabCache& c_;
  std::optional<bool> swab_;
};

// Fills slab.free and, when asked, the object list from the free objects.
void finish_slab(Slab& s, const SlabCache& c, const std::vector<uint64_t>& free_list,
                 const std::vector<uint64_t>& cpu_free, bool with_objects) {
  s.free = static_cast<unsigned>(free_list.size() + cpu_free.size());
  if (!with_objects) return;
  std::unordered_set<uint64_t> f(free_list.begin(), free_list.end()), cf(cpu_free.begin(), cpu_free.end());
  for (unsigned i = 0; i < s.objects; ++i) {
    uint64_t o = s.memory + c.red_left_pad + uint64_t{i} * c.size;
    ObjectState st = cf.count(o) ? ObjectState::free_cpu : f.count(o) ? ObjectState::free : ObjectState::allocated;
    s.object_list.push_back({o, st});
  }
}

// A slab on a list (not a CPU's active slab): its own freelist holds every
// free object.
Result<Slab> listed_slab(Program& prog, const Layout& l, const SlabCache& c, FreelistReader& fr, uint64_t addr,
                         SlabPlace place, int cpu, bool with_objects) {
  ASSIGN_OR_RETURN(Slab s, read_slab(prog, l, addr));
  s.place = place;
  s.cpu = cpu;
  ASSIGN_OR_RETURN(uint64_t head, u64_member(Object::at(prog, l.slab_t, addr), "freelist"));
  auto chain = fr.chain(s, head);
  if (!chain.ok()) {
    s.gap = chain.error().to_string();
    s.free = s.objects >= s.inuse ? s.objects - s.inuse : 0;
    return s;
  }
  finish_slab(s, c, *chain, {}, with_objects);
  return s;
}

Status walk_cpu(Program& prog, const Layout& l, const SlabCache& c, FreelistReader& fr, unsigned cpu,
                bool with_objects, CacheWalk& w) {
  CpuSlabs cs;
  cs.cpu = cpu;
  ASSIGN_OR_RETURN(cs.kmem_cache_cpu, per_cpu_address(prog, c.cpu_slab, cpu));
  Object kc = Object::at(prog, l.cpu_t, cs.kmem_cache_cpu);
  ASSIGN_OR_RETURN(uint64_t slab_addr, u64_member(kc, l.cpu_slab_member));
  if (slab_addr) {
    ASSIGN_OR_RETURN(Slab s, read_slab(prog, l, slab_addr));
    s.place = SlabPlace::cpu;
    s.cpu = static_cast<int>(cpu);
    // The active slab's free objects are on the CPU's lockless freelist;
    // objects freed by other CPUs meanwhile go to the slab's own freelist.
    ASSIGN_OR_RETURN(uint64_t cpu_head, u64_member(kc, "freelist"));
    ASSIGN_OR_RETURN(uint64_t slab_head, u64_member(Object::at(prog, l.slab_t, slab_addr), "freelist"));
    auto cpu_free = fr.chain(s, cpu_head);
    auto slab_free = fr.chain(s, slab_head);
    if (cpu_free.ok() && slab_free.ok()) {
      // crash shows every free object of a CPU's active slab as "(cpu N
      // cache)", whichever of the two freelists holds it.
      std::vector<uint64_t> all = *cpu_free;
      all.insert(all.end(), slab_free->begin(), slab_free->end());
      finish_slab(s, c, {}, all, with_objects);
    } else {
      s.gap = (cpu_free.ok() ? slab_free.error() : cpu_free.error()).to_string();
      s.free = s.objects >= s.inuse ? s.objects - s.inuse : 0;
    }
    w.free += s.free;
    cs.slab = std::move(s);
  }
  if (auto partial = kc.member("partial"); partial.ok()) {  // CONFIG_SLUB_CPU_PARTIAL
    ASSIGN_OR_RETURN(uint64_t p, partial->as_u64());
    std::unordered_set<uint64_t> seen;
    while (p) {
      if (!seen.insert(p).second || seen.size() > kMaxCpuPartial) {
        w.gaps.push_back("cpu " + std::to_string(cpu) + " partial list of " + c.name + " loops at " + hex(p));
        break;
      }
      auto s = listed_slab(prog, l, c, fr, p, SlabPlace::cpu_partial, static_cast<int>(cpu), with_objects);
      if (!s.ok()) {
        w.gaps.push_back(s.error().to_string());
        break;
      }
      w.free += s->free;
      cs.partial.push_back(std::move(*s));
      ASSIGN_OR_RETURN(p, u64_member(Object::at(prog, l.slab_t, p), "next"));
    }
  }
  w.cpus.push_back(std::move(cs));
  return {};
}

Status walk_slab_list(Program& prog, const Layout& l, const SlabCache& c, FreelistReader& fr, uint64_t head,
                      SlabPlace place, bool with_objects, std::vector<Slab>& out, CacheWalk& w) {
  return walk_list(prog, head, l.slab_list_off, [&](uint64_t slab) -> Status {
    auto s = listed_slab(prog, l, c, fr, slab, place, -1, with_objects);
    if (!s.ok()) {
      w.gaps.push_back(s.error().to_string());
      return {};
    }
    w.free += s->free;
    out.push_back(std::move(*s));
    return {};
  });
}

Result<uint64_t> atomic_long(const Object& o, std::string_view m) {
  auto v = u64_member(o, std::string(m) + ".counter");
  if (v.ok()) return v;
  return u64_member(o, m);
}

Result<std::vector<int>> node_ids(Program& prog) {
  ASSIGN_OR_RETURN(auto nodes, read_nodes(prog));
  std::vector<int> ids;
  for (const auto& n : nodes) ids.push_back(n.id);
  return ids;
}

Result<SlabCache> read_cache(Program& prog, const Layout& l, const std::vector<int>& ids, uint64_t addr) {
  Object k = Object::at(prog, l.cache_t, addr);
  SlabCache c;
  c.address = addr;
  ASSIGN_OR_RETURN(Object name, k.member("name"));
  ASSIGN_OR_RETURN(c.name, name.as_string(64));
  ASSIGN_OR_RETURN(c.object_size, u64_member(k, "object_size"));
  ASSIGN_OR_RETURN(c.size, u64_member(k, "size"));
  ASSIGN_OR_RETURN(c.offset, u64_member(k, "offset"));
  ASSIGN_OR_RETURN(c.flags, u64_member(k, "flags"));
  c.red_left_pad = u64_member(k, "red_left_pad").value_or(0);
  ASSIGN_OR_RETURN(uint64_t oo, u64_member(k, "oo.x"));
  c.order = static_cast<unsigned>(oo >> 16);  // OO_SHIFT
  c.objects_per_slab = static_cast<unsigned>(oo & 0xffff);
  ASSIGN_OR_RETURN(c.cpu_slab, u64_member(k, "cpu_slab"));
  if (auto r = k.member("random"); r.ok()) {
    c.hardened = true;
    ASSIGN_OR_RETURN(c.random, r->as_u64());
  }
  ASSIGN_OR_RETURN(Object node, k.member("node"));
  for (int id : ids) {
    ASSIGN_OR_RETURN(Object slot, node.index(id));
    ASSIGN_OR_RETURN(uint64_t n, slot.as_u64());
    if (n) c.nodes.push_back({id, n});
  }
  if (c.size == 0) return fail(Errc::format, "kmem_cache " + hex(addr) + " has size 0", addr);
  return c;
}

}  // namespace

Result<SlabCache> read_slab_cache(Program& prog, uint64_t kmem_cache) {
  ASSIGN_OR_RETURN(Layout l, layout(prog));
  ASSIGN_OR_RETURN(auto ids, node_ids(prog));
  return read_cache(prog, l, ids, kmem_cache);
}

Result<std::vector<SlabCache>> read_slab_caches(Program& prog) {
  ASSIGN_OR_RETURN(Layout l, layout(prog));
  ASSIGN_OR_RETURN(auto ids, node_ids(prog));
  ASSIGN_OR_RETURN(uint64_t head, prog.symbol_address("slab_caches"));
  ASSIGN_OR_RETURN(uint64_t list_off, prog.types().member_offset("kmem_cache", "list"));
  std::vector<SlabCache> out;
  TRY_VOID(walk_list(prog, head, list_off, [&](uint64_t addr) -> Status {
    auto c = read_cache(prog, l, ids, addr);
    if (!c.ok()) return fail(std::move(c).error().context("reading kmem_cache at " + hex(addr)));
    out.push_back(std::move(*c));
    return {};
  }));
  return out;
}

Result<CacheWalk> walk_cache(Program& prog, const SlabCache& c, bool with_objects) {
  ASSIGN_OR_RETURN(Layout l, layout(prog));
  ASSIGN_OR_RETURN(unsigned cpus, nr_cpu_ids(prog));
  FreelistReader fr(prog, c);
  CacheWalk w;
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    Status st = walk_cpu(prog, l, c, fr, cpu, with_objects, w);
    if (!st.ok()) w.gaps.push_back("cpu " + std::to_string(cpu) + ": " + st.error().to_string());
  }
  bool full_tracked = (c.flags & kSlabStoreUser) && prog.types().member_offset("kmem_cache_node", "full").ok();
  for (const auto& [id, addr] : c.nodes) {
    NodeSlabs ns;
    ns.node = id;
    ns.kmem_cache_node = addr;
    Object n = Object::at(prog, l.node_t, addr);
    ASSIGN_OR_RETURN(ns.nr_partial, u64_member(n, "nr_partial"));
    // nr_slabs and total_objects are kept with CONFIG_SLUB_DEBUG only.
    auto nr_slabs = atomic_long(n, "nr_slabs");
    auto total = atomic_long(n, "total_objects");
    if (nr_slabs.ok() && total.ok()) {
      ns.nr_slabs = *nr_slabs;
      ns.total_objects = *total;
    } else {
      w.gaps.push_back("node " + std::to_string(id) + ": no nr_slabs/total_objects (kernel without CONFIG_SLUB_DEBUG)");
    }
    for (const auto& cs : w.cpus)
      if (cs.slab && cs.slab->node == id) ++ns.cpu_slabs;
    ASSIGN_OR_RETURN(Object partial, n.member("partial"));
    Status st = walk_slab_list(prog, l, c, fr, partial.address(), SlabPlace::node_partial, with_objects, ns.partial, w);
    if (!st.ok()) w.gaps.push_back(st.error().to_string());
    if (full_tracked) {
      ns.full.emplace();
      ASSIGN_OR_RETURN(Object full, n.member("full"));
      st = walk_slab_list(prog, l, c, fr, full.address(), SlabPlace::node_full, with_objects, *ns.full, w);
      if (!st.ok()) w.gaps.push_back(st.error().to_string());
    }
    w.total += ns.total_objects;
    w.slabs += ns.nr_slabs;
    w.nodes.push_back(std::move(ns));
  }
  return w;
}

Result<std::optional<SlabHit>> find_slab_object(Program& prog, uint64_t vaddr) {
  auto t = prog.arch().kvtop(vaddr);
  if (!t.ok()) return std::optional<SlabHit>{};
  auto page = prog.arch().page_struct(t->paddr);
  if (!page) return std::optional<SlabHit>{};
  ASSIGN_OR_RETURN(Layout l, layout(prog));
  ASSIGN_OR_RETURN(const Type* page_t, prog.types().find_struct("page"));
  // A tail page of a compound (multi-page) slab points at its head with
  // bit 0 set (compound_head, 4.6+, kernel commit 1d798ca3f164).
  uint64_t head = *page;
  if (auto ch = Object::at(prog, page_t, *page).member("compound_head"); ch.ok()) {
    ASSIGN_OR_RETURN(uint64_t v, ch->as_u64());
    if (v & 1) head = v - 1;
  }
  auto pg_slab = prog.types().enumerator("PG_slab");
  if (!pg_slab) return fail(Errc::not_found, "enum pageflags has no PG_slab");
  ASSIGN_OR_RETURN(uint64_t flags, u64_member(Object::at(prog, page_t, head), "flags"));
  if (!((flags >> pg_slab->value) & 1)) return std::optional<SlabHit>{};
  ASSIGN_OR_RETURN(uint64_t cache_addr, u64_member(Object::at(prog, l.slab_t, head), "slab_cache"));
  ASSIGN_OR_RETURN(auto ids, node_ids(prog));
  ASSIGN_OR_RETURN(SlabCache cache, read_cache(prog, l, ids, cache_addr));
  ASSIGN_OR_RETURN(Slab slab, read_slab(prog, l, head));
  uint64_t start = slab.memory + cache.red_left_pad;
  if (vaddr < start || vaddr >= slab.memory + uint64_t{slab.objects} * cache.size)
    return std::optional<SlabHit>{};  // in the slab's left-over tail, no object
  SlabHit hit;
  hit.object = start + (vaddr - start) / cache.size * cache.size;
  // Where the slab is (cpu, partial...) decides which freelists hold its
  // free objects; a slab on no list is full.
  ASSIGN_OR_RETURN(CacheWalk w, walk_cache(prog, cache, true));
  auto search = [&](const Slab& s) {
    if (s.address != head) return false;
    hit.slab = s;
    for (const auto& o : s.object_list)
      if (o.address == hit.object) hit.state = o.state;
    return true;
  };
  bool found = false;
  for (const auto& cs : w.cpus) {
    if (cs.slab && search(*cs.slab)) found = true;
    for (const auto& s : cs.partial) found = found || search(s);
  }
  for (const auto& ns : w.nodes) {
    for (const auto& s : ns.partial) found = found || search(s);
    if (ns.full)
      for (const auto& s : *ns.full) found = found || search(s);
  }
  if (!found) {
    slab.place = SlabPlace::node_full;
    slab.free = 0;
    hit.slab = slab;
    hit.state = ObjectState::allocated;
  }
  hit.cache = std::move(cache);
  hit.walk = std::move(w);
  return std::optional<SlabHit>{std::move(hit)};
}

}  // namespace kinspect
