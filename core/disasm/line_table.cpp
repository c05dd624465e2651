#include "core/disasm/line_table.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <unordered_map>

namespace kinspect {

std::string join_comp_dir(const char* comp_dir, const char* file) {
  if (!file) return "??";
  if (file[0] == '/' || !comp_dir || !*comp_dir) return file;
  std::string s = comp_dir;
  if (s.back() != '/') s += '/';
  return s + file;
}

namespace {

struct Row {
  uint64_t addr;
  int line;
  bool is_stmt;
  bool end_sequence;
  unsigned discriminator;
  size_t subfile;
};

}  // namespace

Result<GdbLineTable> GdbLineTable::for_address(Dwarf* dw, uint64_t link_addr) {
  if (!dw) return fail(Errc::not_found, "no DWARF line information");
  Dwarf_Die cu;
  if (!dwarf_addrdie(dw, link_addr, &cu))
    return fail(Errc::not_found, "no compilation unit covers " + hex(link_addr), link_addr);
  Dwarf_Lines* lines = nullptr;
  size_t n = 0;
  if (dwarf_getsrclines(&cu, &lines, &n) != 0)
    return fail(Errc::not_found, "no line table for the unit covering " + hex(link_addr), link_addr);

  Dwarf_Attribute attr;
  const char* comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attr));
  const char* cu_name = dwarf_formstring(dwarf_attr(&cu, DW_AT_name, &attr));

  GdbLineTable t;
  t.primary_ = join_comp_dir(comp_dir, cu_name);
  // Subfiles by name; the primary one exists before any row (gdb's
  // start_symtab), the rest in the order rows first name them.
  std::unordered_map<std::string, size_t> by_name;
  auto subfile_of = [&](const std::string& name) {
    auto [it, added] = by_name.emplace(name, t.subfiles_.size());
    if (added) t.subfiles_.push_back(Subfile{name, {}});
    return it->second;
  };
  subfile_of(t.primary_);
  {
    Dwarf_Addr base, lo, hi;
    ptrdiff_t off = 0;
    while ((off = dwarf_ranges(&cu, off, &base, &lo, &hi)) > 0) t.ranges_.emplace_back(lo, hi);
  }
  dwarf_getfuncs(
      &cu,
      [](Dwarf_Die* fn, void* arg) -> int {
        // Where each range starts (hot/cold split functions have
        // DW_AT_ranges and no DW_AT_low_pc).
        Dwarf_Addr base, lo, hi;
        ptrdiff_t off = 0;
        while ((off = dwarf_ranges(fn, off, &base, &lo, &hi)) > 0) {
          static_cast<std::vector<uint64_t>*>(arg)->push_back(lo);
        }
        return DWARF_CB_OK;
      },
      &t.entries_, 0);
  std::sort(t.entries_.begin(), t.entries_.end());
  // gdb makes one symtab per line-header file, in header order.
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(&cu, &files, &nfiles) == 0)
    for (size_t i = 0; i < nfiles; ++i)
      if (const char* f = dwarf_filesrc(files, i, nullptr, nullptr)) subfile_of(join_comp_dir(comp_dir, f));

  // libdw hands the rows sorted by address, stably, with an end_sequence
  // row before other rows at its address; sequences do not overlap, so each
  // sequence's rows keep their order.
  std::vector<Row> rows;
  rows.reserve(n);
  std::unordered_map<const char*, size_t> by_file_ptr;
  for (size_t i = 0; i < n; ++i) {
    Dwarf_Line* l = dwarf_onesrcline(lines, i);
    if (!l) continue;
    Row r{};
    Dwarf_Addr a = 0;
    dwarf_lineaddr(l, &a);
    r.addr = a;
    dwarf_lineno(l, &r.line);
    bool flag = false;
    dwarf_linebeginstatement(l, &flag);
    r.is_stmt = flag;
    dwarf_lineendsequence(l, &flag);
    r.end_sequence = flag;
    dwarf_linediscriminator(l, &r.discriminator);
    const char* f = dwarf_linesrc(l, nullptr, nullptr);
    auto it = by_file_ptr.find(f);
    if (it == by_file_ptr.end()) it = by_file_ptr.emplace(f, subfile_of(join_comp_dir(comp_dir, f))).first;
    r.subfile = it->second;
    rows.push_back(r);
  }

  auto record = [&](size_t sf, int line, uint64_t pc, bool is_stmt) {
    auto& v = t.subfiles_[sf].entries;
    // An end marker replaces the rows it follows at the same address.
    if (line == 0)
      while (!v.empty() && v.back().pc == pc) v.pop_back();
    v.push_back(Entry{pc, line, is_stmt});
  };

  // gdb's line-program state machine, one sequence at a time
  // (dwarf2/read.c, lnp_state_machine::record_line).
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t last_subfile = kNone;
  int last_line = 0, sm_line = 1;
  uint64_t last_address = 0;
  bool stmt_at_address = false, nonzero_discriminator = false;
  for (const Row& r : rows) {
    if (r.end_sequence) {
      if (last_subfile != kNone) record(last_subfile, 0, r.addr, true);
      last_subfile = kNone;
      last_line = 0;
      sm_line = 1;
      last_address = 0;
      stmt_at_address = false;
      nonzero_discriminator = false;
      continue;
    }
    if (r.line != sm_line)
      nonzero_discriminator = r.discriminator != 0;
    else
      nonzero_discriminator |= r.discriminator != 0;
    sm_line = r.line;
    bool file_changed = r.subfile != last_subfile;
    bool ignore = (file_changed && last_address == r.addr && !r.is_stmt && stmt_at_address) ||
                  r.line == 0;
    if (file_changed && !ignore && last_subfile != kNone) record(last_subfile, 0, r.addr, true);
    if (!ignore) {
      if (file_changed || r.line != last_line || !nonzero_discriminator)
        record(r.subfile, r.line, r.addr, r.is_stmt);
      last_subfile = r.subfile;
      last_line = r.line;
    }
    if (last_address != r.addr) {
      stmt_at_address = false;
      last_address = r.addr;
    }
    stmt_at_address |= r.is_stmt;
  }

  // Each file's table sorted by address, end markers first at an address.
  for (auto& sf : t.subfiles_)
    std::stable_sort(sf.entries.begin(), sf.entries.end(), [](const Entry& a, const Entry& b) {
      if (a.pc == b.pc && (a.line == 0) != (b.line == 0)) return a.line == 0;
      return a.pc < b.pc;
    });
  return t;
}

bool GdbLineTable::covers(uint64_t a) const {
  for (const auto& [lo, hi] : ranges_)
    if (a >= lo && a < hi) return true;
  return false;
}

std::optional<uint64_t> GdbLineTable::entry_after(uint64_t sym_start, uint64_t sym_end) const {
  // A patchable entry is two to four instructions; a function that starts
  // at the symbol, or code of the next function, is not one.
  auto it = std::lower_bound(entries_.begin(), entries_.end(), sym_start);
  if (it == entries_.end() || *it == sym_start || *it - sym_start > 16 || *it >= sym_end)
    return std::nullopt;
  return *it;
}

std::optional<SourceLine> GdbLineTable::lookup(uint64_t pc) const {
  const Subfile* best_sf = nullptr;
  const Entry* best = nullptr;
  for (const Subfile& sf : subfiles_) {
    const auto& v = sf.entries;
    auto item = std::upper_bound(v.begin(), v.end(), pc,
                                 [](uint64_t p, const Entry& e) { return p < e.pc; });
    if (item == v.begin()) continue;
    auto prev = std::prev(item);
    // A file whose range ended here has nothing to say about pc.
    if (prev->line == 0) continue;
    if (best && prev->pc <= best->pc) continue;
    // On a non-statement row, prefer a statement row at the same address.
    auto tmp = prev;
    while (tmp != v.begin() && std::prev(tmp)->pc == tmp->pc && std::prev(tmp)->line != 0 &&
           !tmp->is_stmt)
      --tmp;
    best = tmp->is_stmt ? &*tmp : &*prev;
    best_sf = &sf;
  }
  if (!best || best->line == 0) return std::nullopt;
  return SourceLine{best_sf->name, best->line};
}

}  // namespace kinspect
