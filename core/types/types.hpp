// Types: the DWARF of vmlinux (and, later, of loaded modules) behind a small
// API: find a type by its C name, a member's offset, a variable's or a
// function's type, an enumerator's value. The name index is built at open time
// (or loaded from the cache); Type objects are materialized on first use and
// live as long as the Types.
//
//   const Type* t = *types.find_type("struct task_struct");
//   uint64_t off  = *types.member_offset("task_struct", "se.vruntime");
//   auto v        = *types.variable("init_task");   // v.type, v.link_address
//
// Reading values from a dump goes through Object (core/types/object.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/types/dwarf_index.hpp"
#include "core/types/type.hpp"

typedef struct Dwarf Dwarf;
typedef struct Dwfl Dwfl;
typedef struct Dwfl_Module Dwfl_Module;

namespace kinspect {

class ElfImage;

struct TypesOptions {
  std::function<void(std::string_view)> progress;
  bool use_cache = true;      // read and write ${XDG_CACHE_HOME:-~/.cache}/kinspect/index/
  std::string cache_path;     // overrides the default cache file
  unsigned threads = 0;       // 0: one per hardware thread
};

struct VariableInfo {
  std::string_view name;
  const Type* type = nullptr;
  std::optional<uint64_t> link_address;  // DW_OP_addr from DW_AT_location, if any
  uint32_t file = 0;
  uint64_t die = 0;
};

struct FunctionInfo {
  std::string_view name;
  const Type* type = nullptr;  // TypeKind::function: return type and parameters
  std::vector<std::string> param_names;
  uint32_t file = 0;
  uint64_t die = 0;
};

struct EnumeratorInfo {
  std::string name;
  int64_t value = 0;
  const Type* enum_type = nullptr;
};

class Types {
 public:
  ~Types();
  Types(const Types&) = delete;
  Types& operator=(const Types&) = delete;

  // Indexes (or loads the cached index of) the DWARF in an ELF image, which
  // must outlive the Types.
  static Result<std::unique_ptr<Types>> open(const ElfImage& elf, const TypesOptions& opts = {});
  // Adds a module's debug file (a .ko with DWARF; .ko.xz too), relocated by
  // libdwfl to the module's section addresses in the dump (name -> address;
  // sections not listed are left out). Its types, variables and functions
  // join the lookups after vmlinux's. Replaces an earlier file for `module`.
  // With expected_build_id (hex, from the dump), a file whose build-id
  // differs is refused (Errc::mismatch).
  Status add_module(const std::string& module, const std::string& path,
                    const std::vector<std::pair<std::string, uint64_t>>& sections,
                    const std::string& expected_build_id = {});
  // Forgets a module's debug file; false if none was loaded.
  bool remove_module(std::string_view module);
  // The debug file loaded for a module ("" if none), and its libdwfl module
  // (relocated: line tables and addresses are run-time), or null.
  std::string module_file(std::string_view module) const;
  Dwfl_Module* dwfl_module(std::string_view module) const;
  // A loaded module's DWARF: its file number (for type_at), the Dwarf
  // libdwfl relocated to the module's sections, and the bias libdwfl adds
  // to its addresses (run-time address = DWARF address + bias).
  struct ModuleDwarf {
    uint32_t file = 0;
    Dwarf* dw = nullptr;
    uint64_t bias = 0;
    Dwfl_Module* dwfl_mod = nullptr;
  };
  std::optional<ModuleDwarf> module_dwarf(std::string_view module) const;
  std::vector<std::string> loaded_modules() const;

  // No DWARF: every lookup fails, naming `reason`.
  static std::unique_ptr<Types> empty(std::string reason);
  bool has_dwarf() const { return !files_.empty(); }

  // A type by C name: "struct task_struct", "union thread_union", "enum
  // pid_type", a typedef ("u32"), a base type in any spelling ("unsigned
  // long"), with pointer and array suffixes ("struct page *", "char [16]").
  // A bare word that is not a typedef or base type is tried as a struct,
  // union, then enum tag, the way crash resolves `struct NAME` arguments.
  Result<const Type*> find_type(std::string_view c_name) const;
  // Tagged types only; complete definitions are preferred over declarations.
  Result<const Type*> find_struct(std::string_view tag) const;
  Result<const Type*> find_union(std::string_view tag) const;
  Result<const Type*> find_enum(std::string_view tag) const;
  Result<const Type*> find_typedef(std::string_view name) const;

  // Offset in bytes of a member path ("se.vruntime", "pid_links[1]",
  // anonymous members looked through) in struct/union TYPE (a name as for
  // find_type; a bare word is a struct or union tag).
  Result<uint64_t> member_offset(std::string_view type, std::string_view path) const;
  struct MemberPath {
    const Type* type = nullptr;  // the member's type
    uint64_t offset = 0;         // bytes from the start of the outer type
    uint64_t bit_pos = 0;        // bitfields: bits from the start
    uint32_t bit_size = 0;       // 0 unless a bitfield
  };
  Result<MemberPath> member_path(const Type* outer, std::string_view path) const;

  // A global variable. When several files define one of that name (statics),
  // link_address picks the one at that address.
  Result<VariableInfo> variable(std::string_view name,
                                std::optional<uint64_t> link_address = std::nullopt) const;
  Result<FunctionInfo> function(std::string_view name) const;
  std::optional<EnumeratorInfo> enumerator(std::string_view name) const;
  // Every enumerator whose name starts with prefix, from all enums (names and
  // values only; enum_type is null). For decoding flag words.
  std::vector<EnumeratorInfo> enumerators_with_prefix(std::string_view prefix) const;

  // Types made on demand, cached: T *, T[n], base types by C spelling.
  const Type* pointer_to(const Type* t) const;
  const Type* array_of(const Type* t, std::optional<uint64_t> count) const;
  // "unsigned long", "long unsigned int", "u8"... nullptr if not a base type spelling.
  const Type* base_type(std::string_view c_name) const;
  static const Type* void_type();
  // gdb's types for a symbol without DWARF: "<text variable, no debug info>"
  // (a function returning int) or "<data variable, no debug info>" (void-like).
  const Type* no_debug_info_type(bool text) const;

  // The Type of a DIE (used by TypeLink); void on a bad DIE.
  const Type* type_at(uint32_t file, uint64_t die) const;

  const DwarfIndex& index(uint32_t file = 0) const;
  const IndexBuildStats& index_stats() const { return stats_; }
  Dwarf* dwarf(uint32_t file = 0) const;
  uint32_t address_size() const { return 8; }

 private:
  Types() = default;
  struct File;
  // die is a Dwarf_Die* (libdw stays out of this header).
  const Type* materialize(uint32_t file, void* die) const;
  const Type* make_type(Type t) const;
  std::optional<std::pair<uint32_t, IndexEntry>> lookup(std::string_view name, IndexKind kind) const;
  Result<const Type*> find_tagged(std::string_view tag, IndexKind kind, std::string_view word) const;
  const Type* base_type_named(std::string_view dwarf_name) const;

  std::vector<std::unique_ptr<File>> files_;
  std::string no_dwarf_reason_;
  IndexBuildStats stats_;
  mutable std::recursive_mutex mu_;
  mutable std::unordered_map<uint64_t, const Type*> by_die_;  // (file << 48) | die
  mutable std::deque<Type> owned_;
  mutable std::map<const Type*, const Type*> pointers_;
  mutable std::map<std::pair<const Type*, int64_t>, const Type*> arrays_;
  mutable std::map<std::string, const Type*, std::less<>> bases_;
  mutable const Type* no_debug_[2] = {nullptr, nullptr};
};

}  // namespace kinspect
