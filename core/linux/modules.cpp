#include "core/linux/modules.hpp"

#include <algorithm>
#include <cstring>

#include "core/types/object.hpp"

namespace kinspect {

namespace {

// Bounds that keep a corrupted list or symbol table from running away.
constexpr size_t kMaxModules = 16384;
constexpr uint64_t kMaxModuleSymbols = 1u << 20;

struct Layout {
  uint64_t base = 0, size = 0, text_size = 0;
  uint64_t core_total = 0;  // mem[] kernels: the core regions' sizes added up
  std::vector<ModuleRegion> regions;
};

// "TEXT" for MOD_TEXT's value in enum mod_mem_type, from DWARF.
std::string region_name(const Types& types, int64_t value) {
  auto text = types.enumerator("MOD_TEXT");
  if (text)
    for (const auto& e : types.enumerators_with_prefix("MOD_"))
      if (e.value == value)
        if (auto full = types.enumerator(e.name); full && full->enum_type == text->enum_type) return e.name.substr(4);
  return "MEM" + std::to_string(value);
}

// The core area of a module, whichever way this kernel describes it.
Result<Layout> module_layout(const Object& mod) {
  Layout l;
  if (auto mem = mod.member("mem"); mem.ok()) {
    // 6.4+ (kernel commit ac3b43283923 "module: replace module_layout with
    // module_memory"): mem[MOD_TEXT] first; the module spans text..rodata..data.
    ASSIGN_OR_RETURN(Object text, mem->index(0));
    ASSIGN_OR_RETURN(Object base, text.member("base"));
    ASSIGN_OR_RETURN(l.base, base.as_u64());
    ASSIGN_OR_RETURN(Object size, text.member("size"));
    ASSIGN_OR_RETURN(l.text_size, size.as_u64());
    l.size = l.text_size;
    for (int64_t i = 1; i < 3; ++i) {  // MOD_DATA, MOD_RODATA
      auto part = mem->index(i);
      if (!part.ok()) break;
      auto b = part->member("base"), s = part->member("size");
      if (!b.ok() || !s.ok()) break;
      uint64_t pb = b->as_u64().value_or(0), ps = s->as_u64().value_or(0);
      if (pb >= l.base && pb + ps > l.base + l.size) l.size = pb + ps - l.base;
    }
    // The core regions are the mem[] entries before MOD_INIT_TEXT (text,
    // data, rodata, ro_after_init); crash's SIZE is their sum.
    int64_t core_types = 4;
    if (auto e = mod.program().types().enumerator("MOD_INIT_TEXT")) core_types = e->value;
    for (int64_t i = 0; i < core_types; ++i) {
      auto part = mem->index(i);
      if (!part.ok()) break;
      auto s = part->member("size"), b = part->member("base");
      uint64_t size = s.ok() ? s->as_u64().value_or(0) : 0;
      l.core_total += size;
      if (size && b.ok())
        l.regions.push_back({region_name(mod.program().types(), i), b->as_u64().value_or(0), size});
    }
    return l;
  }
  if (auto core = mod.member("core_layout"); core.ok()) {
    ASSIGN_OR_RETURN(Object base, core->member("base"));
    ASSIGN_OR_RETURN(l.base, base.as_u64());
    ASSIGN_OR_RETURN(Object size, core->member("size"));
    ASSIGN_OR_RETURN(l.size, size.as_u64());
    ASSIGN_OR_RETURN(Object text, core->member("text_size"));
    ASSIGN_OR_RETURN(l.text_size, text.as_u64());
    return l;
  }
  ASSIGN_OR_RETURN(Object base, mod.member("module_core"));
  ASSIGN_OR_RETURN(l.base, base.as_u64());
  ASSIGN_OR_RETURN(Object size, mod.member("core_size"));
  ASSIGN_OR_RETURN(l.size, size.as_u64());
  if (auto text = mod.member("core_text_size"); text.ok()) l.text_size = text->as_u64().value_or(0);
  return l;
}

// Elf64_Sym as the kernel keeps it in mod->kallsyms->symtab.
struct Elf64SymRaw {
  uint32_t st_name;
  uint8_t st_info, st_other;
  uint16_t st_shndx;
  uint64_t st_value, st_size;
};
static_assert(sizeof(Elf64SymRaw) == 24);

Status read_kallsyms(Program& prog, const Object& mod, KernelModule& km) {
  ASSIGN_OR_RETURN(Object ks_ptr, mod.member("kallsyms"));
  ASSIGN_OR_RETURN(uint64_t ks_addr, ks_ptr.as_u64());
  if (!ks_addr) return fail(Errc::not_found, "module " + km.name + " has no kallsyms");
  ASSIGN_OR_RETURN(Object ks, ks_ptr.deref());
  ASSIGN_OR_RETURN(Object symtab, ks.member("symtab"));
  ASSIGN_OR_RETURN(uint64_t symtab_addr, symtab.as_u64());
  ASSIGN_OR_RETURN(Object num, ks.member("num_symtab"));
  ASSIGN_OR_RETURN(uint64_t count, num.as_u64());
  ASSIGN_OR_RETURN(Object strtab, ks.member("strtab"));
  ASSIGN_OR_RETURN(uint64_t strtab_addr, strtab.as_u64());
  if (count > kMaxModuleSymbols)
    return fail(Errc::format, "module " + km.name + ": num_symtab " + std::to_string(count) +
                                  " is implausible");
  std::vector<Elf64SymRaw> syms(count);
  TRY_VOID(prog.read(symtab_addr, std::span(reinterpret_cast<uint8_t*>(syms.data()),
                                            syms.size() * sizeof(Elf64SymRaw))));
  // The string table has no recorded size: read names one by one, each
  // bounded by KSYM_NAME_LEN.
  for (uint64_t i = 0; i < count; ++i) {
    const Elf64SymRaw& s = syms[i];
    if (s.st_shndx == 0 || s.st_value == 0) continue;  // undefined
    auto name = prog.read_string(strtab_addr + s.st_name, 512);
    // arm64 modules keep their $x/$d mapping symbols in kallsyms; they name
    // no code or data.
    if (!name.ok() || name->empty() || (*name)[0] == '$') continue;
    // crash calls module functions t or T by their ELF binding and every
    // other module symbol '?'; so do we (the kernel's typetab says 't' for
    // global functions too, so it is not used for this).
    constexpr uint8_t kSttFunc = 2, kStbGlobal = 1, kStbWeak = 2;
    char t = '?';
    if ((s.st_info & 0xf) == kSttFunc) {
      uint8_t bind = s.st_info >> 4;
      t = bind == kStbGlobal || bind == kStbWeak ? 'T' : 't';
    }
    km.symbols.push_back({std::move(*name), s.st_value, s.st_size, t});
  }
  std::stable_sort(km.symbols.begin(), km.symbols.end(),
                   [](const ModuleSymbol& a, const ModuleSymbol& b) { return a.addr < b.addr; });
  return {};
}

}  // namespace

Result<std::vector<KernelModule>> read_modules(Program& prog) {
  ASSIGN_OR_RETURN(Object head, variable(prog, "modules"));
  ASSIGN_OR_RETURN(const Type* module_t, prog.types().find_struct("module"));
  ASSIGN_OR_RETURN(uint64_t list_off, prog.types().member_offset("module", "list"));
  std::vector<KernelModule> out;
  uint64_t head_addr = head.address();
  ASSIGN_OR_RETURN(uint64_t next, prog.read_u64(head_addr));
  while (next != head_addr) {
    if (out.size() >= kMaxModules)
      return fail(Errc::format, "the modules list does not end after " + std::to_string(kMaxModules) +
                                    " entries (corrupted or looping)");
    KernelModule km;
    km.address = next - list_off;
    Object mod = Object::at(prog, module_t, km.address);
    ASSIGN_OR_RETURN(Object name, mod.member("name"));
    ASSIGN_OR_RETURN(km.name, name.as_string(64));
    auto layout = module_layout(mod);
    if (layout.ok()) {
      km.base = layout->base;
      km.size = layout->size;
      km.text_size = layout->text_size;
      km.core_total = layout->core_total;
      km.regions = layout->regions;
    } else {
      km.error = layout.error().message;
    }
    if (auto st = read_kallsyms(prog, mod, km); !st) km.error = st.error().message;
    if (auto t = mod.member("taints"); t.ok())
      if (auto v = t->as_u64(); v.ok()) km.taints = *v;
    out.push_back(std::move(km));
    auto n = prog.read_u64(next);
    if (!n) return fail(std::move(n).error().context("walking the modules list"));
    next = *n;
  }
  return out;
}

void add_kallsyms_symbols(Program& prog, const KernelModule& m) {
  prog.symbols().remove_module(m.name);
  for (const auto& s : m.symbols) prog.symbols().add(s.name, s.addr, s.size, s.type, m.name);
  if (m.size) prog.symbols().set_extent(m.name, m.base, m.base + m.size);
}

Result<std::vector<KernelModule>> load_module_symbols(Program& prog) {
  ASSIGN_OR_RETURN(auto mods, read_modules(prog));
  for (const auto& m : mods) add_kallsyms_symbols(prog, m);
  prog.symbols().finalize();
  return mods;
}

Result<std::string> module_taint_letters(Program& prog, uint64_t taints) {
  std::string out;
  if (!taints) return out;
  ASSIGN_OR_RETURN(Object flags, variable(prog, "taint_flags"));
  uint64_t n = flags.type()->strip()->count.value_or(0);
  for (uint64_t bit = 0; bit < n && bit < 64; ++bit) {
    if (!(taints >> bit & 1)) continue;
    ASSIGN_OR_RETURN(Object f, flags.index(static_cast<int64_t>(bit)));
    ASSIGN_OR_RETURN(Object c, f.member("c_true"));
    ASSIGN_OR_RETURN(uint64_t ch, c.as_u64());
    out += static_cast<char>(ch);
  }
  return out;
}

}  // namespace kinspect
