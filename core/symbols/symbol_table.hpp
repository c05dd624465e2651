// SymbolTable: kernel and module symbols at their run-time addresses, looked
// up by name or by address (nearest preceding symbol, "sym+off").
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class ElfImage;

struct Symbol {
  std::string_view name;
  uint64_t addr = 0;
  uint64_t size = 0;        // 0 when unknown
  char type = '?';          // nm's letter as crash prints it: T t D d B b R r
  std::string_view module;  // "" for vmlinux
  // A .data..percpu variable: on x86_64 a zero-based offset into each CPU's
  // area, on arm64 the address of the boot-time template. Either way it is
  // reached through __per_cpu_offset[cpu] and never names an address.
  bool percpu = false;
  bool is_percpu() const { return percpu; }
  // The address in the ELF file (vmlinux before KASLR); equals addr for
  // module symbols, which come from the dump.
  uint64_t link_addr = 0;
  // Moves with the KASLR offset (every vmlinux symbol of a section with a
  // link address; not x86_64's zero-based per-cpu offsets).
  bool relocatable = false;
};

struct SymbolMatch {
  const Symbol* sym = nullptr;
  uint64_t offset = 0;
};

class SymbolTable {
 public:
  // Copies name/module into the table's own storage.
  void add(std::string_view name, uint64_t addr, uint64_t size, char type,
           std::string_view module = {}, bool percpu = false,
           std::optional<uint64_t> link_addr = std::nullopt, bool relocatable = false);
  // Sorts and indexes; call after the last add() (add() after finalize() is
  // allowed and re-finalizes lazily).
  void finalize();

  const Symbol* find(std::string_view name) const;
  // All symbols of that name (static functions repeat across files).
  std::vector<const Symbol*> find_all(std::string_view name) const;
  // Nearest symbol at or below addr. Text addresses never resolve past the
  // end of a sized symbol into a gap of more than max_gap bytes.
  std::optional<SymbolMatch> lookup(uint64_t addr) const;
  // Symbols in address order, for sym -l, sym -q, sym -m.
  const std::vector<Symbol>& sorted() const;
  size_t size() const { return syms_.size(); }
  void remove_module(std::string_view module);
  // The address range a module (or "" for vmlinux) occupies: an address in
  // it past its last symbol still resolves to that symbol plus an offset,
  // as crash resolves it; beyond the range nothing does.
  void set_extent(std::string_view module, uint64_t start, uint64_t end);
  // Places every relocatable symbol at link_addr + offset (KASLR).
  void relocate(uint64_t offset);

 private:
  void ensure_sorted() const;
  std::string_view intern(std::string_view s);

  // Calls fn(index) for every symbol named name.
  template <typename Fn>
  void for_each_named(std::string_view name, Fn fn) const;

  // Names live in large blocks (one allocation per ~1 MB, not per symbol).
  std::vector<std::unique_ptr<char[]>> string_blocks_;
  size_t block_used_ = 0;
  mutable std::vector<Symbol> syms_;
  // Open-addressing table of syms_ positions + 1 (0: empty), by name hash:
  // one flat array instead of a node per symbol.
  mutable std::vector<uint32_t> by_name_;
  mutable std::vector<uint32_t> addr_index_;  // syms_ positions of non-per-cpu symbols
  std::unordered_map<std::string_view, std::pair<uint64_t, uint64_t>> extents_;
  mutable bool dirty_ = false;
};

// Loads vmlinux's .symtab, relocating by kaslr_offset every symbol of an
// allocated section with a non-zero link address (relocate() can move them
// again once the offset is known). x86_64's zero-based
// .data..percpu symbols are offsets into each CPU's area and stay unrelocated
// (Symbol::percpu).
Status load_vmlinux_symbols(const ElfImage& vmlinux, uint64_t kaslr_offset, SymbolTable& out);

// "name+0x1f" / "name" formatting used by every command.
std::string format_symbol(const SymbolMatch& m);

}  // namespace kinspect
