// DwarfIndex: the names of a DWARF file's types, variables, functions and
// enumerators, each mapped to the DIE that defines it. Built in parallel over
// compilation units (one libdw handle per thread), saved to a cache file keyed
// by build-id, and loaded from it with one mmap and a checksum.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

typedef struct Dwarf Dwarf;

namespace kinspect {

struct IndexRaw;  // one name as the builder collects it (dwarf_index.cpp)

enum class IndexKind : uint8_t {
  struct_ = 1,
  union_,
  enum_,
  typedef_,
  base,
  variable,
  function,
  enumerator,
};
std::string_view index_kind_name(IndexKind k);

// One name. The on-disk layout of the cache is an array of these (plus a
// string table), so the field order and sizes are fixed.
struct IndexRecord {
  uint32_t name_off = 0;
  uint32_t name_len = 0;
  uint8_t kind = 0;
  uint8_t flags = 0;
  uint16_t reserved = 0;
  uint32_t reserved2 = 0;
  uint64_t die = 0;    // DIE offset in .debug_info
  int64_t value = 0;   // enumerators: the value; otherwise 0
};
static_assert(sizeof(IndexRecord) == 32);

struct IndexEntry {
  std::string_view name;
  IndexKind kind;
  uint8_t flags;
  uint64_t die;
  int64_t value;
  static constexpr uint8_t kDeclaration = 1;  // struct/union/enum declaration, extern declaration
  static constexpr uint8_t kExternal = 2;     // DW_AT_external
  bool declaration() const { return flags & kDeclaration; }
};

using IndexProgressFn = std::function<void(std::string_view)>;

struct IndexBuildStats {
  double seconds = 0;
  size_t units = 0;
  size_t dies = 0;  // DIEs looked at
  unsigned threads = 0;
  bool from_cache = false;
  std::string cache_path;  // where it was loaded from or saved to ("" if none)
  std::string cache_note;  // why a cache was not used or not written
};

class DwarfIndex {
 public:
  DwarfIndex();
  ~DwarfIndex();
  DwarfIndex(DwarfIndex&&) noexcept;
  DwarfIndex& operator=(DwarfIndex&&) noexcept;

  // Indexes the ELF file whose bytes are given (each thread opens its own
  // libelf/libdw handles over them). threads == 0 picks the hardware count.
  static Result<DwarfIndex> build(std::span<const uint8_t> elf_bytes, unsigned threads,
                                  const IndexProgressFn& progress, IndexBuildStats* stats = nullptr);

  // Indexes an already open libdw handle on the calling thread (module
  // debuginfo relocated by libdwfl: small, and not reopenable from bytes).
  static Result<DwarfIndex> build_from_dwarf(Dwarf* dw);

  // Loads a cache file written by save(); refuses one that was written for
  // another file (key), another format version, or whose checksum fails.
  static Result<DwarfIndex> load(const std::string& path, std::string_view key);
  // Writes atomically (temporary file + rename).
  Status save(const std::string& path, std::string_view key) const;

  // The best entry of that kind: a definition over a declaration.
  std::optional<IndexEntry> find(std::string_view name, IndexKind kind) const;
  // Every entry of that name (all kinds, definitions and declarations).
  std::vector<IndexEntry> find_all(std::string_view name) const;
  // Entries whose name starts with prefix (for completion), at most limit.
  std::vector<IndexEntry> find_prefix(std::string_view prefix, size_t limit) const;
  size_t size() const;
  IndexEntry at(size_t i) const;

  // ${XDG_CACHE_HOME:-$HOME/.cache}/kinspect/index/KEY.idx; "" without a home.
  static std::string default_cache_path(std::string_view key);

 private:
  struct Store;
  static DwarfIndex from_raws(const std::vector<IndexRaw>& raws);
  std::unique_ptr<Store> s_;
  std::span<const IndexRecord> records() const;
  std::string_view name_of(const IndexRecord& r) const;
  IndexEntry entry(const IndexRecord& r) const;
  std::pair<size_t, size_t> equal_range(std::string_view name) const;
};

}  // namespace kinspect
