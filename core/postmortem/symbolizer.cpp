#include "core/postmortem/symbolizer.hpp"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <gelf.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/disasm/line_table.hpp"

namespace kinspect {

struct Symbolizer::Object {
  std::string path;
  Dwfl* dwfl = nullptr;
  Dwfl_Module* mod = nullptr;
  struct Sym {
    uint64_t addr, size;
    std::string name;
    // The size the kernel prints after "/": kallsyms knows no sizes and
    // takes the distance to the next symbol's address.
    uint64_t gap = 0;
  };
  std::vector<Sym> by_addr;                                 // function symbols, sorted
  std::unordered_multimap<std::string, size_t> by_name;     // -> by_addr index
  ~Object() {
    if (dwfl) dwfl_end(dwfl);
  }
};

namespace {

char* no_debuginfo_path = nullptr;
const Dwfl_Callbacks kOfflineCallbacks = {
    dwfl_build_id_find_elf, dwfl_standard_find_debuginfo, dwfl_offline_section_address, &no_debuginfo_path,
};

// vmlinux at its link addresses (arm64's is ET_DYN, which "offline"
// reporting would move), a module's ET_REL .ko laid out by libdwfl.
Result<std::unique_ptr<Symbolizer::Object>> open_object(const std::string& name, const std::string& path,
                                                        bool at_link_addresses) {
  auto obj = std::make_unique<Symbolizer::Object>();
  obj->path = path;
  obj->dwfl = dwfl_begin(&kOfflineCallbacks);
  if (!obj->dwfl) return fail(Errc::io, std::string("libdwfl: ") + dwfl_errmsg(-1));
  obj->mod = at_link_addresses ? dwfl_report_elf(obj->dwfl, name.c_str(), path.c_str(), -1, 0, true)
                               : dwfl_report_offline(obj->dwfl, name.c_str(), path.c_str(), -1);
  if (!obj->mod) return fail(Errc::format, path + ": " + dwfl_errmsg(-1));
  dwfl_report_end(obj->dwfl, nullptr, nullptr);
  int n = dwfl_module_getsymtab(obj->mod);
  if (n <= 0) return fail(Errc::format, path + ": no symbol table");
  for (int i = 0; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr addr;
    GElf_Word shndx = 0;
    Elf* elf = nullptr;
    const char* nm = dwfl_module_getsym_info(obj->mod, i, &sym, &addr, &shndx, &elf, nullptr);
    if (!nm || !*nm || !elf) continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_NOTYPE) continue;
    if (shndx == SHN_UNDEF || shndx == SHN_ABS) continue;
    GElf_Shdr sh;
    Elf_Scn* scn = elf_getscn(elf, shndx);
    if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_EXECINSTR)) continue;
    obj->by_addr.push_back({addr, sym.st_size, nm});
  }
  std::sort(obj->by_addr.begin(), obj->by_addr.end(), [](const auto& a, const auto& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.size > b.size;
  });
  for (size_t i = 0, j = 0; i < obj->by_addr.size(); ++i) {
    while (j < obj->by_addr.size() && obj->by_addr[j].addr <= obj->by_addr[i].addr) ++j;
    if (j < obj->by_addr.size()) obj->by_addr[i].gap = obj->by_addr[j].addr - obj->by_addr[i].addr;
  }
  for (size_t i = 0; i < obj->by_addr.size(); ++i) obj->by_name.emplace(obj->by_addr[i].name, i);
  return obj;
}

std::string attr_string(Dwarf_Die* die, int name) {
  Dwarf_Attribute a;
  if (!dwarf_attr_integrate(die, name, &a)) return {};
  const char* s = dwarf_formstring(&a);
  return s ? s : "";
}

// The name addr2line gives a subprogram or inlined instance.
std::string function_name(Dwarf_Die* die) {
  std::string n = attr_string(die, DW_AT_name);
  return n.empty() ? attr_string(die, DW_AT_linkage_name) : n;
}

// "Linux version 6.1.0-56-cloud-amd64 (...)" -> "6.1.0-56-cloud-amd64".
std::string banner_release(Dwfl_Module* mod) {
  int n = dwfl_module_getsymtab(mod);
  for (int i = 0; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr addr;
    GElf_Word shndx = 0;
    Elf* elf = nullptr;
    const char* nm = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, &elf, nullptr);
    if (!nm || std::strcmp(nm, "linux_banner") != 0 || !elf) continue;
    GElf_Shdr sh;
    Elf_Scn* scn = elf_getscn(elf, shndx);
    if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS) return {};
    Elf_Data* d = elf_getdata(scn, nullptr);
    if (!d || sym.st_value < sh.sh_addr || sym.st_value - sh.sh_addr >= d->d_size) return {};
    const char* text = static_cast<const char*>(d->d_buf) + (sym.st_value - sh.sh_addr);
    std::string banner(text, strnlen(text, d->d_size - (sym.st_value - sh.sh_addr)));
    constexpr std::string_view kPrefix = "Linux version ";
    if (!banner.starts_with(kPrefix)) return {};
    return banner.substr(kPrefix.size(), banner.find(' ', kPrefix.size()) - kPrefix.size());
  }
  return {};
}

}  // namespace

Symbolizer::~Symbolizer() = default;

Result<std::unique_ptr<Symbolizer>> Symbolizer::open(const std::string& vmlinux, ModuleFileFinder find_module) {
  std::unique_ptr<Symbolizer> s(new Symbolizer());
  s->vmlinux_path_ = vmlinux;
  s->find_module_ = std::move(find_module);
  ASSIGN_OR_RETURN(auto obj, open_object("vmlinux", vmlinux, true));
  GElf_Addr bias;
  Elf* elf = dwfl_module_getelf(obj->mod, &bias);
  GElf_Ehdr eh;
  if (!elf || !gelf_getehdr(elf, &eh)) return fail(Errc::format, vmlinux + ": not an ELF file");
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    return fail(Errc::invalid_argument, vmlinux + ": not a vmlinux (an ELF executable)");
  s->machine_ = eh.e_machine;
  s->release_ = banner_release(obj->mod);
  s->objects_.emplace("", std::move(obj));
  return s;
}

uint16_t Symbolizer::machine() const { return machine_; }
const std::string& Symbolizer::vmlinux_path() const { return vmlinux_path_; }

Result<Symbolizer::Object*> Symbolizer::object_for(const std::string& module) {
  if (auto it = objects_.find(module); it != objects_.end()) return it->second.get();
  if (auto it = failed_.find(module); it != failed_.end()) return fail(Error(it->second));
  std::optional<std::string> path = find_module_ ? find_module_(module) : std::nullopt;
  if (!path) {
    Error e = make_error(Errc::not_found, "no debug file found for module " + module + " (give its directory: --mod-dir, postmortem -d)");
    failed_.emplace(module, e);
    return fail(std::move(e));
  }
  auto obj = open_object(module, *path, false);
  if (!obj) {
    failed_.emplace(module, obj.error());
    return fail(Error(obj.error()));
  }
  Object* raw = obj->get();
  objects_.emplace(module, std::move(obj).value());
  return raw;
}

Result<SymbolizedLocation> Symbolizer::resolve(const CodeLocation& loc) {
  ASSIGN_OR_RETURN(Object * obj, object_for(loc.module));
  SymbolizedLocation out;
  out.object = loc.module.empty() ? "vmlinux" : obj->path;
  if (loc.symbol.empty()) {
    if (!loc.address) return fail(Errc::invalid_argument, "no symbol and no address");
    // A bare address resolves only where it is a link-time vmlinux address
    // (a kernel booted without KASLR); anything else is reported unresolved.
    if (!loc.module.empty() || !symbol_at("", *loc.address))
      return fail(Errc::not_found, "no symbol at " + hex(*loc.address) + " in " + out.object, *loc.address);
    out.address = *loc.address;
  } else {
    auto [lo, hi] = obj->by_name.equal_range(loc.symbol);
    if (lo == hi)
      return fail(Errc::mismatch, "symbol " + loc.symbol + " is not in " + out.object);
    // Static functions repeat across files: the one of the log's size.
    const Object::Sym* pick = nullptr;
    for (auto it = lo; it != hi; ++it) {
      const auto& s = obj->by_addr[it->second];
      if (!pick || (loc.size && s.gap == *loc.size)) pick = &s;
    }
    out.address = pick->addr + loc.offset;
    out.symbol_size = pick->gap;
    char buf[160];
    if (loc.size && pick->gap != *loc.size) {
      std::snprintf(buf, sizeof buf, "%s is 0x%llx bytes in %s, 0x%llx in the log", loc.symbol.c_str(),
                    static_cast<unsigned long long>(pick->gap), out.object.c_str(),
                    static_cast<unsigned long long>(*loc.size));
      out.mismatch = buf;
    } else if (pick->gap && loc.offset > pick->gap) {  // %pB prints a return address at the end as +size
      std::snprintf(buf, sizeof buf, "%s+0x%llx is past the end of %s in %s", loc.symbol.c_str(),
                    static_cast<unsigned long long>(loc.offset), loc.symbol.c_str(), out.object.c_str());
      out.mismatch = buf;
    }
  }
  out.chain = source_chain(loc.module, out.address);
  return out;
}

std::optional<std::pair<std::string, uint64_t>> Symbolizer::symbol_at(const std::string& module, uint64_t addr) {
  auto obj = object_for(module);
  if (!obj) return std::nullopt;
  const auto& v = (*obj)->by_addr;
  auto it = std::upper_bound(v.begin(), v.end(), addr, [](uint64_t a, const Object::Sym& s) { return a < s.addr; });
  // The nearest symbol at or below addr, as far as kallsyms would stretch
  // it (to the next symbol); the last one only over its own size.
  if (it == v.begin()) return std::nullopt;
  --it;
  uint64_t extent = std::max<uint64_t>({it->gap, it->size, 1});
  if (addr >= it->addr + extent) return std::nullopt;
  return std::pair{it->name, addr - it->addr};
}

std::optional<std::pair<uint64_t, std::string>> Symbolizer::symbol_start(const SymbolizedLocation& at) {
  std::string module = at.object == "vmlinux" ? "" : at.object;
  for (const auto& [name, obj] : objects_)
    if (obj->path == at.object) module = name;
  auto s = symbol_at(module, at.address);
  if (!s) return std::nullopt;
  return std::pair{at.address - s->second, s->first};
}

std::vector<SourceFrame> Symbolizer::source_chain(const std::string& module, uint64_t addr) {
  std::vector<SourceFrame> chain;
  auto objr = object_for(module);
  if (!objr) return chain;
  Object* obj = *objr;
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(obj->mod, addr, &bias);
  if (!cu) return chain;
  Dwarf_Attribute attr;
  const char* comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
  SourceFrame inner;
  if (Dwfl_Line* line = dwfl_module_getsrc(obj->mod, addr)) {
    int lineno = 0;
    const char* file = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr);
    inner.file = join_comp_dir(comp_dir, file);
    inner.line = lineno;
    Dwarf_Addr lb;
    if (Dwarf_Line* dl = dwfl_dwarf_line(line, &lb)) dwarf_linediscriminator(dl, &inner.discriminator);
  }
  // The concrete functions around the address, outermost first: the
  // subprogram, then each inlined instance inside it. (dwarf_getscopes
  // would continue from an inlined instance into its abstract definition,
  // losing the caller it was inlined into.)
  std::vector<Dwarf_Die> nest;
  Dwarf_Die die = *cu;
  for (bool deeper = true; deeper;) {
    deeper = false;
    Dwarf_Die child;
    if (dwarf_child(&die, &child) != 0) break;
    do {
      int tag = dwarf_tag(&child);
      bool scope = tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
                   tag == DW_TAG_namespace || tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
      if (!scope) continue;
      if (tag != DW_TAG_namespace && dwarf_haspc(&child, addr - bias) != 1) continue;
      if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) nest.push_back(child);
      die = child;
      deeper = true;
      break;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  Dwarf_Files* files = nullptr;
  dwarf_getsrcfiles(cu, &files, nullptr);
  SourceFrame pending = inner;
  for (auto it = nest.rbegin(); it != nest.rend(); ++it) {
    pending.function = function_name(&*it);
    chain.push_back(pending);
    // An inlined instance's call is the position in the next function out.
    pending = SourceFrame{};
    Dwarf_Attribute a;
    Dwarf_Word w = 0;
    if (dwarf_attr(&*it, DW_AT_call_file, &a) && dwarf_formudata(&a, &w) == 0 && files)
      pending.file = join_comp_dir(comp_dir, dwarf_filesrc(files, w, nullptr, nullptr));
    if (dwarf_attr(&*it, DW_AT_call_line, &a) && dwarf_formudata(&a, &w) == 0) pending.line = static_cast<int>(w);
  }
  // Assembly has lines but no functions: addr2line names the ELF symbol.
  if (chain.empty() && inner.line) {
    if (auto s = symbol_at(module, addr)) inner.function = s->first;
    chain.push_back(inner);
  }
  return chain;
}

Status Symbolizer::read_text(const SymbolizedLocation& at, std::span<uint8_t> out) {
  Object* obj = nullptr;
  for (const auto& [name, o] : objects_)
    if (o->path == at.object || (at.object == "vmlinux" && name.empty())) obj = o.get();
  if (!obj) return fail(Errc::not_found, "no object " + at.object);
  GElf_Addr bias = 0;
  Elf* elf = dwfl_module_getelf(obj->mod, &bias);
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn))) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC)) continue;
    uint64_t start = sh.sh_addr + bias;
    if (at.address < start || at.address + out.size() > start + sh.sh_size) continue;
    Elf_Data* d = elf_getdata(scn, nullptr);
    if (!d || !d->d_buf) break;
    std::memcpy(out.data(), static_cast<const uint8_t*>(d->d_buf) + (at.address - start), out.size());
    return {};
  }
  return fail(Errc::not_present, "no text at " + hex(at.address) + " in " + at.object, at.address);
}

}  // namespace kinspect
