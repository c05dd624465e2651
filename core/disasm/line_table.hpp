// The source line of each instruction as gdb, and so crash's `dis -l`,
// chooses it. A DWARF line table often has several rows at one address
// (the entry of an inlined callee, a statement that emitted no code), and
// libdw's and addr2line's pick can differ from gdb's; users compare our
// `dis -l` with crash's, so we rebuild gdb's per-file tables: a row in a
// new file ends the previous file's range at that address, duplicate rows
// of a line with a discriminator are dropped, and at an address the last
// is_stmt row wins.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/symbols/source_lines.hpp"

typedef struct Dwarf Dwarf;

namespace kinspect {

// A line-table file name as gdb and addr2line show it: relative names
// under the unit's DW_AT_comp_dir ("debian/build/.../kernel/smp.c").
std::string join_comp_dir(const char* comp_dir, const char* file);

class GdbLineTable {
 public:
  // The table of the compilation unit whose ranges cover link_addr (an
  // address in the DWARF file's own address space).
  static Result<GdbLineTable> for_address(Dwarf* dw, uint64_t link_addr);

  // The line of link_addr, or nullopt where gdb has none (line 0, or
  // before the first row).
  std::optional<SourceLine> lookup(uint64_t link_addr) const;
  // The compilation unit's primary source file, as lookup() names files.
  const std::string& primary_file() const { return primary_; }
  // Whether link_addr is in the unit's address ranges.
  bool covers(uint64_t link_addr) const;
  // The entry (DWARF low_pc) of a function of this unit whose ELF symbol
  // starts at sym_start, when the entry is later: arm64's
  // -fpatchable-function-entry NOPs sit between the two, and the line
  // table gives them the previous function's last line.
  std::optional<uint64_t> entry_after(uint64_t sym_start, uint64_t sym_end) const;

  struct Entry {
    uint64_t pc = 0;
    int line = 0;  // 0: end of a range
    bool is_stmt = false;
  };
  struct Subfile {
    std::string name;  // "debian/build/.../kernel/sched/core.c", as crash prints it
    std::vector<Entry> entries;
  };

 private:
  std::vector<Subfile> subfiles_;  // in gdb's search order: primary first
  std::string primary_;
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;  // [lo, hi)
  std::vector<uint64_t> entries_;  // where functions' address ranges start, sorted
};

}  // namespace kinspect
