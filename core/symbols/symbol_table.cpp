#include "core/symbols/symbol_table.hpp"

#include <elf.h>
#include <gelf.h>

#include <algorithm>

#include "core/elf_image.hpp"

namespace kinspect {

std::string_view SymbolTable::intern(std::string_view s) {
  constexpr size_t kBlock = 1 << 20;
  if (string_blocks_.empty() || s.size() > kBlock - block_used_) {
    string_blocks_.push_back(std::make_unique<char[]>(std::max(kBlock, s.size())));
    block_used_ = 0;
  }
  char* p = string_blocks_.back().get() + block_used_;
  std::copy(s.begin(), s.end(), p);
  block_used_ += s.size();
  return {p, s.size()};
}

namespace {
size_t name_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
}  // namespace

template <typename Fn>
void SymbolTable::for_each_named(std::string_view name, Fn fn) const {
  if (by_name_.empty()) return;
  size_t mask = by_name_.size() - 1;
  for (size_t i = name_hash(name) & mask; by_name_[i] != 0; i = (i + 1) & mask)
    if (syms_[by_name_[i] - 1].name == name) fn(by_name_[i] - 1);
}

void SymbolTable::add(std::string_view name, uint64_t addr, uint64_t size, char type,
                      std::string_view module, bool percpu, std::optional<uint64_t> link_addr,
                      bool relocatable) {
  Symbol s;
  s.name = intern(name);
  s.module = module.empty() ? std::string_view{} : intern(module);
  s.addr = addr;
  s.size = size;
  s.type = type;
  s.percpu = percpu;
  s.link_addr = link_addr.value_or(addr);
  s.relocatable = relocatable;
  syms_.push_back(s);
  dirty_ = true;
}

void SymbolTable::ensure_sorted() const {
  if (!dirty_) return;
  // Aliases at one address sort by name, as crash sorts them: an exact
  // address names the first of them, an address inside names the last
  // (so 0xffffffff81000000 is _stext, and init_stack+8 is init_thread_union+8).
  // Module symbols at one address keep their kallsyms order, as in crash.
  std::stable_sort(syms_.begin(), syms_.end(), [](const Symbol& a, const Symbol& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    if (!a.module.empty() || !b.module.empty()) return false;
    return a.name < b.name;
  });
  size_t slots = 16;
  while (slots < syms_.size() * 2) slots *= 2;
  by_name_.assign(slots, 0);
  addr_index_.clear();
  for (size_t i = 0; i < syms_.size(); ++i) {
    size_t j = name_hash(syms_[i].name) & (slots - 1);
    while (by_name_[j] != 0) j = (j + 1) & (slots - 1);
    by_name_[j] = static_cast<uint32_t>(i + 1);
    if (!syms_[i].is_percpu()) addr_index_.push_back(static_cast<uint32_t>(i));
  }
  dirty_ = false;
}

void SymbolTable::finalize() { ensure_sorted(); }

const std::vector<Symbol>& SymbolTable::sorted() const {
  ensure_sorted();
  return syms_;
}

const Symbol* SymbolTable::find(std::string_view name) const {
  ensure_sorted();
  const Symbol* best = nullptr;
  for_each_named(name, [&](size_t i) {
    const Symbol* s = &syms_[i];
    // Prefer vmlinux over modules, globals over locals.
    auto rank = [](const Symbol& x) {
      return (x.module.empty() ? 0 : 2) + (x.type >= 'a' && x.type <= 'z' ? 1 : 0);
    };
    // Equal ranks: the first in address order, as before.
    if (!best || rank(*s) < rank(*best) || (rank(*s) == rank(*best) && s < best)) best = s;
  });
  return best;
}

std::vector<const Symbol*> SymbolTable::find_all(std::string_view name) const {
  ensure_sorted();
  std::vector<const Symbol*> out;
  for_each_named(name, [&](size_t i) { out.push_back(&syms_[i]); });
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->addr < b->addr || (a->addr == b->addr && a < b); });
  return out;
}

std::optional<SymbolMatch> SymbolTable::lookup(uint64_t addr) const {
  ensure_sorted();
  // Per-cpu symbols are offsets into each CPU's area, not addresses: the
  // address index leaves them out.
  auto it = std::upper_bound(addr_index_.begin(), addr_index_.end(), addr,
                             [this](uint64_t a, uint32_t i) { return a < syms_[i].addr; });
  if (it == addr_index_.begin()) return std::nullopt;
  uint64_t at = syms_[*std::prev(it)].addr;
  auto first = std::lower_bound(addr_index_.begin(), it, at,
                                [this](uint32_t i, uint64_t a) { return syms_[i].addr < a; });
  const Symbol& s = syms_[at == addr ? *first : *std::prev(it)];
  // An address belongs to the preceding symbol only inside that symbol's
  // module or image; without a known extent, only inside the symbol's size
  // (one page for labels) when nothing follows it.
  if (auto e = extents_.find(s.module); e != extents_.end()) {
    if (addr >= e->second.second) return std::nullopt;
  } else if (it == addr_index_.end() || (!s.module.empty() && syms_[*it].module != s.module)) {
    uint64_t limit = s.size ? s.size : 4096;
    if (addr - s.addr >= limit) return std::nullopt;
  }
  return SymbolMatch{&s, addr - s.addr};
}

void SymbolTable::relocate(uint64_t offset) {
  for (auto& s : syms_)
    if (s.relocatable) s.addr = s.link_addr + offset;
  dirty_ = true;
}

void SymbolTable::set_extent(std::string_view module, uint64_t start, uint64_t end) {
  extents_[intern(module)] = {start, end};
}

void SymbolTable::remove_module(std::string_view module) {
  std::erase_if(syms_, [&](const Symbol& s) { return s.module == module; });
  dirty_ = true;
}

std::string format_symbol(const SymbolMatch& m) {
  std::string s(m.sym->name);
  if (m.offset) s += "+" + std::to_string(m.offset);
  return s;
}

namespace {
char nm_letter(const GElf_Sym& sym, const ElfSection* sec) {
  bool global = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
  char c = '?';
  if (sym.st_shndx == SHN_ABS) {
    c = 'a';
  } else if (!sec) {
    c = '?';
  } else if (sec->flags & SHF_EXECINSTR) {
    c = 't';
  } else if (sec->type == SHT_NOBITS) {
    c = 'b';
  } else if (sec->flags & SHF_WRITE) {
    c = 'd';
  } else if (sec->flags & SHF_ALLOC) {
    c = 'r';
  } else {
    c = 'n';
  }
  if (global && c != '?') c = static_cast<char>(c - 'a' + 'A');
  return c;
}
}  // namespace

Status load_vmlinux_symbols(const ElfImage& vmlinux, uint64_t kaslr_offset, SymbolTable& out) {
  const ElfSection* symtab = nullptr;
  for (const auto& s : vmlinux.sections())
    if (s.type == SHT_SYMTAB) symtab = &s;
  if (!symtab)
    return fail(Errc::not_found, vmlinux.path() + ": no symbol table (.symtab); is it stripped?");
  Elf_Scn* scn = elf_getscn(vmlinux.elf(), symtab->index);
  GElf_Shdr sh;
  if (!scn || !gelf_getshdr(scn, &sh)) return fail(Errc::format, vmlinux.path() + ": bad .symtab");
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data) return fail(Errc::format, vmlinux.path() + ": cannot read .symtab");
  size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
  std::vector<const ElfSection*> by_index;
  for (const auto& s : vmlinux.sections()) {
    if (s.index >= by_index.size()) by_index.resize(s.index + 1, nullptr);
    by_index[s.index] = &s;
  }
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type == STT_SECTION || type == STT_FILE) continue;
    if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) continue;
    const char* name = elf_strptr(vmlinux.elf(), sh.sh_link, sym.st_name);
    if (!name || !*name || name[0] == '$') continue;  // arm64 mapping symbols $x/$d
    const ElfSection* sec = sym.st_shndx < by_index.size() ? by_index[sym.st_shndx] : nullptr;
    if (!sec || !(sec->flags & SHF_ALLOC)) continue;
    uint64_t addr = sym.st_value;
    // Per-cpu variables live in .data..percpu: zero-based offsets on x86_64
    // (never relocated), the boot-time template inside the image on arm64.
    bool percpu = sec->name == ".data..percpu";
    if (sec->addr != 0) addr += kaslr_offset;
    out.add(name, addr, sym.st_size, nm_letter(sym, sec), {}, percpu, sym.st_value, sec->addr != 0);
  }
  out.finalize();
  return {};
}

}  // namespace kinspect
