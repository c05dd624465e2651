#include "core/types/dwarf_index.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <fcntl.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/types/dwarf_util.hpp"

namespace kinspect {

std::string_view index_kind_name(IndexKind k) {
  switch (k) {
    case IndexKind::struct_: return "struct";
    case IndexKind::union_: return "union";
    case IndexKind::enum_: return "enum";
    case IndexKind::typedef_: return "typedef";
    case IndexKind::base: return "base";
    case IndexKind::variable: return "variable";
    case IndexKind::function: return "function";
    case IndexKind::enumerator: return "enumerator";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Storage: records sorted by (name, kind, rank, die) and a string table, either
// owned (after a build) or mapped from a cache file.

struct DwarfIndex::Store {
  std::vector<IndexRecord> owned_records;
  std::string owned_strings;
  // Mapped cache file.
  void* map = nullptr;
  size_t map_len = 0;
  std::span<const IndexRecord> recs;
  std::string_view strings;

  ~Store() {
    if (map) munmap(map, map_len);
  }
};

DwarfIndex::DwarfIndex() : s_(std::make_unique<Store>()) {}
DwarfIndex::~DwarfIndex() = default;
DwarfIndex::DwarfIndex(DwarfIndex&&) noexcept = default;
DwarfIndex& DwarfIndex::operator=(DwarfIndex&&) noexcept = default;

std::span<const IndexRecord> DwarfIndex::records() const { return s_->recs; }
std::string_view DwarfIndex::name_of(const IndexRecord& r) const {
  return s_->strings.substr(r.name_off, r.name_len);
}
IndexEntry DwarfIndex::entry(const IndexRecord& r) const {
  return IndexEntry{name_of(r), static_cast<IndexKind>(r.kind), r.flags, r.die, r.value};
}
size_t DwarfIndex::size() const { return s_->recs.size(); }
IndexEntry DwarfIndex::at(size_t i) const { return entry(s_->recs[i]); }

std::pair<size_t, size_t> DwarfIndex::equal_range(std::string_view name) const {
  auto recs = records();
  auto lo = std::lower_bound(recs.begin(), recs.end(), name,
                             [&](const IndexRecord& r, std::string_view n) { return name_of(r) < n; });
  auto hi = lo;
  while (hi != recs.end() && name_of(*hi) == name) ++hi;
  return {static_cast<size_t>(lo - recs.begin()), static_cast<size_t>(hi - recs.begin())};
}

std::optional<IndexEntry> DwarfIndex::find(std::string_view name, IndexKind kind) const {
  auto [lo, hi] = equal_range(name);
  for (size_t i = lo; i < hi; ++i)
    if (s_->recs[i].kind == static_cast<uint8_t>(kind)) return entry(s_->recs[i]);
  return std::nullopt;
}

std::vector<IndexEntry> DwarfIndex::find_all(std::string_view name) const {
  std::vector<IndexEntry> out;
  auto [lo, hi] = equal_range(name);
  for (size_t i = lo; i < hi; ++i) out.push_back(entry(s_->recs[i]));
  return out;
}

std::vector<IndexEntry> DwarfIndex::find_prefix(std::string_view prefix, size_t limit) const {
  std::vector<IndexEntry> out;
  auto recs = records();
  auto it = std::lower_bound(recs.begin(), recs.end(), prefix,
                             [&](const IndexRecord& r, std::string_view n) { return name_of(r) < n; });
  for (; it != recs.end() && out.size() < limit && name_of(*it).starts_with(prefix); ++it)
    out.push_back(entry(*it));
  return out;
}

// ---------------------------------------------------------------------------
// Building.

struct IndexRaw {
  const char* name;
  uint32_t len;
  IndexKind kind;
  uint8_t flags;
  uint64_t die;
  int64_t value;
};

namespace {

using Raw = IndexRaw;

// Lower is better: a definition before a declaration, external before static.
int rank(uint8_t flags) {
  return ((flags & IndexEntry::kDeclaration) ? 2 : 0) + ((flags & IndexEntry::kExternal) ? 0 : 1);
}

bool better(const Raw& a, const Raw& b) {
  int ra = rank(a.flags), rb = rank(b.flags);
  if (ra != rb) return ra < rb;
  return a.die < b.die;
}

// Names seen by one thread: one best entry per (name, kind), except that every
// distinct variable definition is kept (static variables of one name in many
// files; an address picks among them later). Most names live in the merged
// .debug_str, so the same name in every unit is the same pointer: a first
// table keyed by (pointer, kind) absorbs the millions of repeats without
// touching the bytes; distinct pointers are merged by content at the end.
// Names stored inline in .debug_info (DW_FORM_string) have a pointer of their
// own in every DIE, so hashing them would only fill the table (a cache miss
// per DIE); they are copied out and merged by content at the end too. The
// copy also lets the indexer drop the .debug_info pages it has read.
class Collector {
 public:
  // [str_lo, str_hi): the .debug_str bytes (empty: every name is copied).
  Collector(const char* str_lo = nullptr, const char* str_hi = nullptr)
      : str_lo_(str_lo), str_hi_(str_hi), slots_(1u << 16) {}

  void add(const char* name, IndexKind kind, uint8_t flags, uint64_t die, int64_t value) {
    bool shared = name >= str_lo_ && name < str_hi_;
    if (!shared || (kind == IndexKind::variable && !(flags & IndexEntry::kDeclaration))) {
      uint32_t len = static_cast<uint32_t>(strlen(name));
      vars_.push_back(Raw{shared ? name : copy(name, len), len, kind, flags, die, value});
      return;
    }
    // Slots are 16 bytes (key, index into raws_); user-space pointers leave
    // the top byte free for the kind. The table outgrows the caches, so a
    // name's slot is prefetched and looked at a few names later.
    uint64_t key = reinterpret_cast<uintptr_t>(name) | (static_cast<uint64_t>(kind) << 56);
    __builtin_prefetch(&slots_[hash(key) & (slots_.size() - 1)]);
    Pending& p = pending_[npending_++ % kPending];
    if (npending_ > kPending) insert(p.key, p.name, p.kind, p.flags, p.die, p.value);
    p = Pending{key, name, kind, flags, die, value};
  }

  // This thread's distinct (name pointer, kind) entries, its variable
  // definitions and its inline names, moved out (the copied names stay
  // owned by the collector).
  void drain(std::vector<Raw>& out) {
    for (size_t i = npending_ > kPending ? npending_ - kPending : 0; i < npending_; ++i) {
      const Pending& p = pending_[i % kPending];
      insert(p.key, p.name, p.kind, p.flags, p.die, p.value);
    }
    npending_ = 0;
    out.insert(out.end(), raws_.begin(), raws_.end());
    out.insert(out.end(), vars_.begin(), vars_.end());
    slots_ = {};
    raws_ = {};
    vars_ = {};
  }

 private:
  void insert(uint64_t key, const char* name, IndexKind kind, uint8_t flags, uint64_t die, int64_t value) {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == 0) {
        s.key = key;
        s.index = static_cast<uint32_t>(raws_.size());
        raws_.push_back(Raw{name, static_cast<uint32_t>(strlen(name)), kind, flags, die, value});
        if (raws_.size() * 2 > slots_.size()) grow();
        return;
      }
      if (s.key == key) {
        Raw& old = raws_[s.index];
        Raw r{name, old.len, kind, flags, die, value};
        if (better(r, old)) old = r;
        return;
      }
    }
  }
  struct Pending {
    uint64_t key;
    const char* name;
    IndexKind kind;
    uint8_t flags;
    uint64_t die;
    int64_t value;
  };
  static constexpr size_t kPending = 8;
  Pending pending_[kPending];
  size_t npending_ = 0;
  struct Slot {
    uint64_t key = 0;
    uint32_t index = 0;
  };
  static uint64_t hash(uint64_t k) {
    k *= 0x9e3779b97f4a7c15ull;
    return k ^ (k >> 29);
  }
  void grow() {
    std::vector<Slot> bigger(slots_.size() * 2);
    size_t mask = bigger.size() - 1;
    for (const Slot& s : slots_) {
      if (s.key == 0) continue;
      size_t i = hash(s.key) & mask;
      while (bigger[i].key != 0) i = (i + 1) & mask;
      bigger[i] = s;
    }
    slots_.swap(bigger);
  }
  const char* copy(const char* name, size_t len) {
    constexpr size_t kBlock = 1 << 20;
    if (len + 1 > kBlock - used_ || blocks_.empty()) {
      blocks_.push_back(std::make_unique<char[]>(std::max(kBlock, len + 1)));
      used_ = 0;
    }
    char* p = blocks_.back().get() + used_;
    std::memcpy(p, name, len + 1);
    used_ += len + 1;
    return p;
  }
  const char* str_lo_;
  const char* str_hi_;
  std::vector<Slot> slots_;
  std::vector<Raw> raws_;
  std::vector<Raw> vars_;  // variable definitions and inline names
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0;
};

// The final list from every thread's entries, sorted by (name, kind,
// definition first, external first, DIE): the best entry per (name, kind),
// except that every distinct variable definition is kept (static variables
// of one name in many files) and a variable declaration only when no
// definition of that name exists.
std::vector<Raw> finish(std::vector<Raw> all) {
  auto name = [](const Raw& r) { return std::string_view(r.name, r.len); };
  std::sort(all.begin(), all.end(), [&](const Raw& a, const Raw& b) {
    int c = name(a).compare(name(b));
    if (c != 0) return c < 0;
    if (a.kind != b.kind) return a.kind < b.kind;
    return better(a, b);
  });
  std::vector<Raw> out;
  out.reserve(all.size() / 2);
  for (size_t i = 0; i < all.size();) {
    size_t j = i + 1;
    while (j < all.size() && all[j].kind == all[i].kind && name(all[j]) == name(all[i])) ++j;
    if (all[i].kind == IndexKind::variable && !(all[i].flags & IndexEntry::kDeclaration)) {
      for (size_t k = i; k < j; ++k)
        if (!(all[k].flags & IndexEntry::kDeclaration) && (k == i || all[k].die != all[k - 1].die))
          out.push_back(all[k]);
    } else {
      out.push_back(all[i]);
    }
    i = j;
  }
  return out;
}

uint8_t decl_flags(Dwarf_Die* die) {
  uint8_t f = 0;
  bool flag = false;
  Dwarf_Attribute a;
  if (dwarf_attr(die, DW_AT_declaration, &a) && dwarf_formflag(&a, &flag) == 0 && flag)
    f |= IndexEntry::kDeclaration;
  flag = false;
  if (dwarf_attr(die, DW_AT_external, &a) && dwarf_formflag(&a, &flag) == 0 && flag)
    f |= IndexEntry::kExternal;
  return f;
}

// Indexes the top-level DIEs of one unit (and the enumerators of its enums).
size_t index_unit(Dwarf_Die* cu, Collector& out) {
  Dwarf_Die child;
  size_t n = 0;
  if (dwarf_child(cu, &child) != 0) return 0;
  do {
    ++n;
    int tag = dwarf_tag(&child);
    IndexKind kind;
    switch (tag) {
      case DW_TAG_structure_type: kind = IndexKind::struct_; break;
      case DW_TAG_union_type: kind = IndexKind::union_; break;
      case DW_TAG_enumeration_type: kind = IndexKind::enum_; break;
      case DW_TAG_typedef: kind = IndexKind::typedef_; break;
      case DW_TAG_base_type: kind = IndexKind::base; break;
      case DW_TAG_variable: kind = IndexKind::variable; break;
      case DW_TAG_subprogram: kind = IndexKind::function; break;
      default: continue;
    }
    const char* name = dwarf_diename(&child);
    if (!name && kind == IndexKind::variable) {
      // A definition completing an earlier declaration (DW_AT_specification)
      // carries the complete type: "char linux_banner[204]" after "[]".
      Dwarf_Attribute a;
      if (dwarf_attr_integrate(&child, DW_AT_name, &a)) name = dwarf_formstring(&a);
    }
    uint64_t off = dwarf_dieoffset(&child);
    uint8_t flags = 0;
    if (kind != IndexKind::typedef_ && kind != IndexKind::base) flags = decl_flags(&child);
    if (name) out.add(name, kind, flags, off, 0);
    if (kind == IndexKind::enum_ && !(flags & IndexEntry::kDeclaration)) {
      bool is_signed = dwarf_enum_is_signed(&child);
      Dwarf_Die e;
      if (dwarf_child(&child, &e) == 0) {
        do {
          ++n;
          if (dwarf_tag(&e) != DW_TAG_enumerator) continue;
          const char* ename = dwarf_diename(&e);
          if (!ename) continue;
          int64_t v = 0;
          if (!dwarf_enumerator_value(&e, is_signed, &v)) continue;
          out.add(ename, IndexKind::enumerator, 0, off, v);
        } while (dwarf_siblingof(&e, &e) == 0);
      }
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return n;
}

struct ElfDwarf {
  Elf* elf = nullptr;
  Dwarf* dw = nullptr;
  ~ElfDwarf() {
    if (dw) dwarf_end(dw);
    if (elf) elf_end(elf);
  }
};

bool open_handles(std::span<const uint8_t> bytes, ElfDwarf& h) {
  elf_version(EV_CURRENT);
  h.elf = elf_memory(reinterpret_cast<char*>(const_cast<uint8_t*>(bytes.data())), bytes.size());
  if (!h.elf) return false;
  h.dw = dwarf_begin_elf(h.elf, DWARF_C_READ, nullptr);
  return h.dw != nullptr;
}

// A section's bytes inside the image (empty if absent or not in the file).
std::span<const uint8_t> section_bytes(Elf* elf, std::span<const uint8_t> bytes, std::string_view name) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS) continue;
    const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
    if (!n || name != n) continue;
    if (sh.sh_offset > bytes.size() || sh.sh_size > bytes.size() - sh.sh_offset) return {};
    return bytes.subspan(sh.sh_offset, sh.sh_size);
  }
  return {};
}

// Gives back the pages of [from, to) of a read-only file mapping: they leave
// the process's resident set (the page cache keeps them) and fault back in
// from the file if touched again, so nothing read through them changes.
void release_pages(const uint8_t* from, const uint8_t* to) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t lo = (reinterpret_cast<uintptr_t>(from) + page - 1) & ~(page - 1);
  uintptr_t hi = reinterpret_cast<uintptr_t>(to) & ~(page - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

}  // namespace

DwarfIndex DwarfIndex::from_raws(const std::vector<Raw>& raws) {
  DwarfIndex idx;
  Store& s = *idx.s_;
  s.owned_records.reserve(raws.size());
  size_t total = 0;
  for (const Raw& r : raws) total += r.len;
  s.owned_strings.reserve(total);
  std::string_view prev;
  uint32_t prev_off = 0;
  for (const Raw& r : raws) {
    std::string_view name(r.name, r.len);
    IndexRecord rec;
    if (name == prev) {
      rec.name_off = prev_off;  // one copy per distinct name
    } else {
      rec.name_off = static_cast<uint32_t>(s.owned_strings.size());
      s.owned_strings.append(name);
      prev = name;
      prev_off = rec.name_off;
    }
    rec.name_len = r.len;
    rec.kind = static_cast<uint8_t>(r.kind);
    rec.flags = r.flags;
    rec.die = r.die;
    rec.value = r.value;
    s.owned_records.push_back(rec);
  }
  s.recs = s.owned_records;
  s.strings = s.owned_strings;
  return idx;
}

Result<DwarfIndex> DwarfIndex::build_from_dwarf(Dwarf* dw) {
  Collector c;
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  while (dwarf_next_unit(dw, off, &next, &hsize, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu;
    if (dwarf_offdie(dw, off + hsize, &cu)) index_unit(&cu, c);
    off = next;
  }
  std::vector<Raw> all;
  c.drain(all);
  return from_raws(finish(std::move(all)));
}

Result<DwarfIndex> DwarfIndex::build(std::span<const uint8_t> bytes, unsigned threads,
                                     const IndexProgressFn& progress, IndexBuildStats* stats) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  ElfDwarf main;
  if (!open_handles(bytes, main))
    return fail(Errc::not_found, std::string("no DWARF debug info: ") + dwarf_errmsg(-1));

  // The units' DIE offsets (headers only: cheap).
  std::vector<uint64_t> units;
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  while (dwarf_next_unit(main.dw, off, &next, &hsize, nullptr, nullptr, nullptr, nullptr, nullptr,
                         nullptr) == 0) {
    units.push_back(off + hsize);
    off = next;
  }
  if (units.empty()) return fail(Errc::not_found, "no DWARF compilation units");

  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (const char* e = std::getenv("KINSPECT_THREADS")) threads = std::max(1, std::atoi(e));
  threads = std::min<unsigned>(threads, 64);
  threads = std::min<unsigned>(threads, static_cast<unsigned>(units.size()));

  std::atomic<size_t> next_unit{0}, done_units{0}, dies{0};
  // Names in .debug_str are hashed by pointer; .debug_info is read once, in
  // unit order, and its pages are given back behind the slowest thread so
  // that the index's peak memory does not include the whole section.
  auto str = section_bytes(main.elf, bytes, ".debug_str");
  auto info = section_bytes(main.elf, bytes, ".debug_info");
  std::vector<Collector> collectors;
  collectors.reserve(threads);
  for (unsigned t = 0; t < threads; ++t)
    collectors.emplace_back(reinterpret_cast<const char*>(str.data()),
                            reinterpret_cast<const char*>(str.data() + str.size()));
  constexpr size_t kIdle = SIZE_MAX;
  std::vector<std::atomic<size_t>> current(threads);
  for (auto& c : current) c = kIdle;
  const uint8_t* released = info.data();
  auto release_done_units = [&] {
    if (info.empty()) return;
    size_t low = std::min(next_unit.load(), units.size());
    for (auto& c : current) low = std::min(low, c.load());
    // A unit's header precedes its first DIE; keep a page of slack.
    uint64_t end = low < units.size() ? units[low] : info.size();
    end = end > 8192 ? end - 8192 : 0;
    const uint8_t* to = info.data() + std::min<uint64_t>(end, info.size());
    if (to > released) {
      release_pages(released, to);
      released = to;
    }
  };
  std::atomic<bool> failed{false};
  auto worker = [&](unsigned t) {
    ElfDwarf h;
    Dwarf* dw = main.dw;
    if (t != 0) {  // thread 0 uses the main handles; libdw handles are not shared
      if (!open_handles(bytes, h)) {
        failed = true;
        return;
      }
      dw = h.dw;
    }
    Collector& c = collectors[t];
    size_t local_dies = 0;
    for (;;) {
      size_t i = next_unit.fetch_add(1);
      if (i >= units.size()) break;
      current[t] = i;
      Dwarf_Die cu;
      if (dwarf_offdie(dw, units[i], &cu)) local_dies += index_unit(&cu, c);
      done_units.fetch_add(1, std::memory_order_relaxed);
    }
    current[t] = kIdle;
    dies += local_dies;
  };

  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  // The calling thread works too, and reports progress between units when
  // the build takes more than a second.
  std::thread self(worker, 0);
  bool reported = false;
  auto last = t0;
  while (done_units.load() < units.size() && !failed.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    release_done_units();
    auto now = Clock::now();
    if (progress && now - t0 > std::chrono::seconds(1) && now - last > std::chrono::milliseconds(500)) {
      last = now;
      reported = true;
      size_t d = done_units.load();
      progress("indexing DWARF: " + std::to_string(d * 100 / units.size()) + "% (" + std::to_string(d) +
               "/" + std::to_string(units.size()) + " units, " + std::to_string(threads) + " threads)");
    }
  }
  self.join();
  for (auto& th : pool) th.join();
  if (failed) return fail(Errc::format, std::string("cannot open DWARF: ") + dwarf_errmsg(-1));

  std::vector<Raw> all;
  for (auto& c : collectors) c.drain(all);
  std::vector<Raw> raws = finish(std::move(all));

  DwarfIndex idx = from_raws(raws);
  if (reported && progress)
    progress("indexed " + std::to_string(raws.size()) + " names in " +
             std::to_string(std::chrono::duration<double>(Clock::now() - t0).count()).substr(0, 4) + "s");
  if (stats) {
    stats->seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    stats->units = units.size();
    stats->dies = dies.load();
    stats->threads = threads;
  }
  return idx;
}

// ---------------------------------------------------------------------------
// Cache file: header, records, strings. Native byte order (the header records
// it), versioned, keyed, checksummed.

namespace {

constexpr char kMagic[8] = {'K', 'I', 'N', 'S', 'P', 'I', 'D', 'X'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kEndian = 0x01020304;

struct CacheHeader {
  char magic[8];
  uint32_t version;
  uint32_t endian;
  char key[128];  // NUL-padded
  uint64_t nrecords;
  uint64_t strings_len;
  uint64_t checksum;  // over records and strings
  uint64_t reserved[4];
};
static_assert(sizeof(CacheHeader) == 8 + 4 + 4 + 128 + 8 * 3 + 32);

uint64_t checksum(const uint8_t* p, size_t n, uint64_t h = 0x9e3779b97f4a7c15ull) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::string DwarfIndex::default_cache_path(std::string_view key) {
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = std::string(h) + "/.cache";
  } else {
    return {};
  }
  return base + "/kinspect/index/" + std::string(key) + ".idx";
}

Result<DwarfIndex> DwarfIndex::load(const std::string& path, std::string_view key) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::io, path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < sizeof(CacheHeader)) {
    ::close(fd);
    return fail(Errc::format, path + ": too short for an index");
  }
  size_t len = static_cast<size_t>(st.st_size);
  void* map = mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return fail(Errc::io, path + ": mmap: " + std::strerror(errno));
  DwarfIndex idx;
  idx.s_->map = map;
  idx.s_->map_len = len;
  CacheHeader h;
  std::memcpy(&h, map, sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) return fail(Errc::format, path + ": not a kinspect index");
  if (h.version != kVersion || h.endian != kEndian)
    return fail(Errc::format, path + ": index format " + std::to_string(h.version) + ", expected " +
                                  std::to_string(kVersion));
  std::string stored_key(h.key, strnlen(h.key, sizeof h.key));
  if (stored_key != key) return fail(Errc::mismatch, path + ": index is for " + stored_key);
  const uint8_t* base = static_cast<const uint8_t*>(map);
  uint64_t rec_bytes = h.nrecords * sizeof(IndexRecord);
  if (h.nrecords > len / sizeof(IndexRecord) || sizeof h + rec_bytes + h.strings_len != len)
    return fail(Errc::truncated, path + ": index size does not match its header");
  if (checksum(base + sizeof h, len - sizeof h) != h.checksum)
    return fail(Errc::format, path + ": index checksum mismatch");
  idx.s_->recs = std::span(reinterpret_cast<const IndexRecord*>(base + sizeof h), h.nrecords);
  idx.s_->strings = std::string_view(reinterpret_cast<const char*>(base + sizeof h + rec_bytes), h.strings_len);
  for (const IndexRecord& r : idx.s_->recs)
    if (uint64_t(r.name_off) + r.name_len > h.strings_len)
      return fail(Errc::format, path + ": index names out of range");
  return idx;
}

Status DwarfIndex::save(const std::string& path, std::string_view key) const {
  if (key.size() >= sizeof(CacheHeader::key)) return fail(Errc::invalid_argument, "index key too long");
  auto slash = path.rfind('/');
  if (slash != std::string::npos) {
    // mkdir -p
    std::string dir = path.substr(0, slash);
    for (size_t i = 1; i <= dir.size(); ++i)
      if (i == dir.size() || dir[i] == '/') ::mkdir(dir.substr(0, i).c_str(), 0755);
  }
  CacheHeader h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.endian = kEndian;
  std::memcpy(h.key, key.data(), key.size());
  auto recs = records();
  h.nrecords = recs.size();
  h.strings_len = s_->strings.size();
  uint64_t c = checksum(reinterpret_cast<const uint8_t*>(recs.data()), recs.size_bytes());
  // The checksum runs over records then strings as one stream; records are
  // a multiple of 8 bytes so chaining word-wise is the same as one pass.
  c = checksum(reinterpret_cast<const uint8_t*>(s_->strings.data()), s_->strings.size(), c);
  h.checksum = c;

  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(Errc::io, tmp + ": " + std::strerror(errno));
  auto write_all = [&](const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
      ssize_t w = ::write(fd, c, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      c += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  bool ok = write_all(&h, sizeof h) && write_all(recs.data(), recs.size_bytes()) &&
            write_all(s_->strings.data(), s_->strings.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail(Errc::io, path + ": " + std::strerror(e));
  }
  return {};
}

}  // namespace kinspect
