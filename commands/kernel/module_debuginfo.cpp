#include "commands/kernel/module_debuginfo.hpp"

#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "core/debuginfo/debuginfod_fetch.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace fs = std::filesystem;

std::vector<std::string> module_debug_dirs(Program& prog, const std::vector<std::string>& extra) {
  // -d DIR and `set debuginfo-path` come right after mod -S's own directory.
  std::vector<std::string> first = extra;
  for (auto& d : module_search_dirs(prog.debuginfo_path(), prog.utsname().release)) first.push_back(std::move(d));
  return module_debug_dirs(prog.vmlinux_path(), prog.utsname().release, first);
}

std::vector<std::string> module_debug_dirs(const std::string& vml, const std::string& release,
                                           const std::vector<std::string>& extra) {
  std::vector<std::string> dirs = extra;
  // An unpacked -dbg package: .../usr/lib/debug/boot/vmlinux-RELEASE.
  if (auto p = vml.find("/usr/lib/debug/boot/"); p != std::string::npos && !release.empty())
    dirs.push_back(vml.substr(0, p) + "/usr/lib/debug/lib/modules/" + release);
  // kernel-debuginfo: .../usr/lib/debug/lib/modules/RELEASE/vmlinux.
  if (auto p = vml.rfind("/vmlinux"); p != std::string::npos && vml.find("/lib/modules/") != std::string::npos)
    dirs.push_back(vml.substr(0, p));
  if (!release.empty()) {
    dirs.push_back("/usr/lib/debug/lib/modules/" + release);
    dirs.push_back("/lib/modules/" + release);
  }
  return dirs;
}

namespace {

std::string normalize(std::string s) {
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

// Module name -> files under a directory, built once per directory.
const std::multimap<std::string, std::string>& scan(const std::string& dir) {
  static std::mutex mu;
  static std::map<std::string, std::multimap<std::string, std::string>> cache;
  std::lock_guard lock(mu);
  auto [it, fresh] = cache.try_emplace(dir);
  if (!fresh) return it->second;
  std::error_code ec;
  fs::recursive_directory_iterator walk(dir, fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && walk != fs::recursive_directory_iterator(); walk.increment(ec)) {
    if (!walk->is_regular_file(ec)) continue;
    std::string name = walk->path().filename().string();
    for (const char* ext : {".ko.debug", ".ko.xz", ".ko.gz", ".ko.zst", ".ko"}) {
      std::string e = ext;
      if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
        it->second.emplace(normalize(name.substr(0, name.size() - e.size())), walk->path().string());
        break;
      }
    }
  }
  return it->second;
}

int preference(const std::string& path) {
  // Files with DWARF first: -dbg trees hold plain .ko, distributions .ko.debug.
  if (path.ends_with(".ko.debug")) return 0;
  if (path.find("/usr/lib/debug/") != std::string::npos) return 1;
  return 2;
}

}  // namespace

std::optional<std::string> find_module_file(const std::string& module, const std::vector<std::string>& dirs) {
  std::string key = normalize(module);
  for (const auto& d : dirs) {
    const auto& files = scan(d);
    auto [lo, hi] = files.equal_range(key);
    std::optional<std::string> best;
    for (auto i = lo; i != hi; ++i)
      if (!best || preference(i->second) < preference(*best)) best = i->second;
    if (best) return best;
  }
  return std::nullopt;
}

Result<std::vector<std::pair<std::string, uint64_t>>> module_sections(Program& prog, uint64_t module_struct) {
  ASSIGN_OR_RETURN(const Type* mt, prog.types().find_struct("module"));
  Object mod = Object::at(prog, mt, module_struct);
  ASSIGN_OR_RETURN(Object attrs_ptr, mod.member("sect_attrs"));
  ASSIGN_OR_RETURN(uint64_t p, attrs_ptr.as_u64());
  if (p == 0) return fail(Errc::not_found, "the module has no section attributes (sect_attrs is NULL)");
  ASSIGN_OR_RETURN(Object n, attrs_ptr.member("nsections"));
  ASSIGN_OR_RETURN(uint64_t count, n.as_u64());
  if (count > 4096) return fail(Errc::format, "implausible section count " + std::to_string(count));
  ASSIGN_OR_RETURN(Object attrs, attrs_ptr.member("attrs"));
  std::vector<std::pair<std::string, uint64_t>> out;
  for (uint64_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(Object a, attrs.index(static_cast<int64_t>(i)));
    // 5.8+: battr.attr.name; before: a name member of its own.
    auto name = a.member("battr.attr.name");
    if (!name.ok()) name = a.member("name");
    if (!name.ok()) return fail(std::move(name).error());
    ASSIGN_OR_RETURN(std::string sname, name->as_string(256));
    ASSIGN_OR_RETURN(Object addr, a.member("address"));
    ASSIGN_OR_RETURN(uint64_t v, addr.as_u64());
    out.emplace_back(sname, v);
  }
  // The per-cpu section is not SHF_ALLOC once loaded (layout_and_allocate
  // clears it), so sect_attrs leaves it out; its copy for CPU 0's offset
  // base is mod->percpu, where the module's per-cpu variables live.
  bool has_percpu = false;
  for (const auto& [name, addr] : out) has_percpu |= name == ".data..percpu";
  if (auto pc = mod.member("percpu"); !has_percpu && pc.ok())
    if (auto v = pc->as_u64(); v.ok() && *v) out.emplace_back(".data..percpu", *v);
  return out;
}

std::string module_build_id(Program& prog, const std::vector<std::pair<std::string, uint64_t>>& sections) {
  for (const auto& [name, addr] : sections) {
    if (name != ".note.gnu.build-id") continue;
    uint8_t buf[256];
    if (!prog.read(addr, buf).ok()) return {};
    // Elf64_Nhdr: namesz, descsz, type; "GNU\0"; the id.
    size_t off = 0;
    while (off + 12 <= sizeof buf) {
      uint32_t namesz, descsz, type;
      std::memcpy(&namesz, buf + off, 4);
      std::memcpy(&descsz, buf + off + 4, 4);
      std::memcpy(&type, buf + off + 8, 4);
      size_t name_at = off + 12, desc_at = name_at + ((namesz + 3) & ~3u);
      if (desc_at + descsz > sizeof buf || descsz == 0) return {};
      if (type == 3 && namesz == 4 && std::memcmp(buf + name_at, "GNU", 4) == 0) {
        std::string hex;
        static const char* digits = "0123456789abcdef";
        for (uint32_t i = 0; i < descsz; ++i) {
          hex += digits[buf[desc_at + i] >> 4];
          hex += digits[buf[desc_at + i] & 15];
        }
        return hex;
      }
      off = desc_at + ((descsz + 3) & ~3u);
    }
  }
  return {};
}

namespace {

// nm's letter for a symbol from its section, as crash shows module symbols.
char nm_letter(Elf* elf, GElf_Sym& sym, GElf_Word shndx) {
  bool global = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
  char c = 'd';
  if (Elf_Scn* scn = elf_getscn(elf, shndx)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh)) {
      if (sh.sh_flags & SHF_EXECINSTR) c = 't';
      else if (sh.sh_type == SHT_NOBITS) c = 'b';
      else if (!(sh.sh_flags & SHF_WRITE)) c = 'r';
    }
  }
  return global ? static_cast<char>(c - 'a' + 'A') : c;
}

}  // namespace

// The debug file's own symbol table, relocated, replaces the module's
// kallsyms symbols (it has the statics kallsyms may leave out, and sizes).
void add_module_symbols(Program& prog, const std::string& module) {
  Dwfl_Module* m = prog.types().dwfl_module(module);
  if (!m) return;
  int n = dwfl_module_getsymtab(m);
  if (n <= 0) return;
  SymbolTable& table = prog.symbols();
  table.remove_module(module);
  for (int i = 1; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr addr = 0;
    GElf_Word shndx = 0;
    Elf* elf = nullptr;
    Dwarf_Addr bias = 0;
    const char* name = dwfl_module_getsym_info(m, i, &sym, &addr, &shndx, &elf, &bias);
    if (!name || !*name || shndx == SHN_UNDEF || shndx == SHN_ABS) continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type == STT_SECTION || type == STT_FILE) continue;
    if (name[0] == '$' || std::strncmp(name, ".L", 2) == 0) continue;
    bool percpu = false;
    if (Elf_Scn* scn = elf_getscn(elf, shndx)) {
      GElf_Shdr sh;
      size_t shstrndx = 0;
      if (gelf_getshdr(scn, &sh) && elf_getshdrstrndx(elf, &shstrndx) == 0)
        if (const char* sn = elf_strptr(elf, shstrndx, sh.sh_name)) percpu = std::strcmp(sn, ".data..percpu") == 0;
    }
    table.add(name, addr, sym.st_size, nm_letter(elf, sym, shndx), module, percpu, addr);
  }
  table.finalize();
}

Result<std::string> load_module_debuginfo(Program& prog, const KernelModule& mod, const std::optional<std::string>& file,
                                          const std::vector<std::string>& dirs) {
  std::string path;
  ASSIGN_OR_RETURN(auto sections, module_sections(prog, mod.address));
  std::string id = module_build_id(prog, sections);
  if (file) {
    path = *file;
    if (!fs::exists(path)) return fail(Errc::not_found, path + ": no such file");
  } else if (auto found = find_module_file(mod.name, dirs)) {
    path = *found;
  } else {
    std::string where;
    for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d;
    std::string why = "cannot find a debug file for module " + mod.name + " in " + where;
    // Last, debuginfod by the build-id the module carries in the dump.
    const DebuginfoPath& dp = prog.debuginfo_path();
    if (!dp.debuginfod || !debuginfod_enabled() || id.empty()) return fail(Errc::not_found, why);
    auto fetched = debuginfod_fetch(id, mod.name + ".ko", dp.progress);
    if (!fetched.ok()) return fail(Errc::not_found, why + "; " + fetched.error().message);
    path = *fetched;
  }
  TRY_VOID(prog.types().add_module(mod.name, path, sections, id));
  add_module_symbols(prog, mod.name);
  return path;
}

void install_module_autoload(Program& prog) {
  prog.set_module_loader([&prog](std::string_view module) {
    auto mods = read_modules(prog);
    if (!mods.ok()) return false;
    for (const KernelModule& m : *mods) {
      if (m.name != module) continue;
      const auto& progress = prog.debuginfo_path().progress;
      if (progress) progress("loading debuginfo of module " + m.name);
      bool ok = load_module_debuginfo(prog, m, std::nullopt, module_debug_dirs(prog)).ok();
      if (progress) progress("");  // clears the line
      return ok;
    }
    return false;
  });
}

}  // namespace kinspect
