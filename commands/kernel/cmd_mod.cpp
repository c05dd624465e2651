// mod: the loaded modules in crash's columns; -s/-S load their debuginfo
// (commands/module_debuginfo.hpp).
#include <algorithm>
#include <string_view>

#include "commands/columns.hpp"
#include "commands/command.hpp"
#include "commands/kernel/module_debuginfo.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

// crash's -t: the tainted modules and their taint letters.
Status print_taints(CommandContext& ctx, const std::vector<KernelModule>& mods) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& m : mods) {
    if (!m.taints) continue;
    ASSIGN_OR_RETURN(std::string letters, module_taint_letters(*ctx.program, m.taints));
    rows.emplace_back(m.name, letters);
  }
  if (rows.empty()) {
    ctx.out.line("no tainted modules");
    return {};
  }
  size_t w = 4;
  for (const auto& r : rows) w = std::max(w, r.first.size());
  ctx.out.print("%-*s  TAINTS\n", static_cast<int>(w), "NAME");
  for (const auto& [name, letters] : rows)
    ctx.out.print("%-*s  %s\n", static_cast<int>(w), name.c_str(), letters.c_str());
  return {};
}

}  // namespace

Status cmd_mod(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "sSdDtrog"));
  for (char f : o.flags)
    if (f == 'r' || f == 'o' || f == 'g')
      return fail(Errc::unsupported, std::string("-") + f + " is not implemented yet");
  int modes = o.has('s') + o.has('S') + o.has('d') + o.has('D') + o.has('t');
  if (modes > 1) return fail(Errc::invalid_argument, "-s, -S, -d, -D and -t are exclusive");
  ASSIGN_OR_RETURN(auto mods, read_modules(*ctx.program));
  Program& prog = *ctx.program;
  if (o.has('t')) return print_taints(ctx, mods);
  if (o.has('d') || o.has('D')) {
    // -d MODULE / -D: drop loaded debuginfo; kallsyms symbols come back.
    if (o.has('d') && o.positional.empty()) return fail(Errc::invalid_argument, "-d needs a module name");
    bool found = false;
    for (const auto& m : mods) {
      if (o.has('d') && m.name != o.positional[0].text) continue;
      found = true;
      if (prog.types().remove_module(m.name)) add_kallsyms_symbols(prog, m);
    }
    prog.symbols().finalize();
    if (!found) return fail(Errc::not_found, "module " + o.positional[0].text + " is not loaded");
    return {};
  }
  // -s NAME [FILE]: one module's debuginfo; -S [DIR]: every module's.
  std::optional<std::string> only;
  std::string load_error;
  if (o.has('s')) {
    if (o.positional.empty()) return fail(Errc::invalid_argument, "mod -s needs a module name");
    only = o.positional[0].text;
    auto it = std::find_if(mods.begin(), mods.end(), [&](const auto& m) { return m.name == *only; });
    if (it == mods.end()) return fail(Errc::not_found, "module " + *only + " is not loaded");
    std::optional<std::string> file;
    if (o.positional.size() > 1) file = o.positional[1].text;
    TRY_VOID(load_module_debuginfo(prog, *it, file, module_debug_dirs(prog)).context("mod -s " + *only));
  } else if (o.has('S')) {
    std::vector<std::string> extra;
    if (!o.positional.empty()) extra.push_back(o.positional[0].text);
    auto dirs = module_debug_dirs(prog, extra);
    for (const auto& m : mods) {
      if (!prog.types().module_file(m.name).empty()) continue;  // already loaded (mod -s FILE)
      if (auto r = load_module_debuginfo(prog, m, std::nullopt, dirs); !r.ok())
        load_error += (load_error.empty() ? "" : "; ") + m.name + ": " + r.error().message;
    }
  }
  // crash lists modules by address (the kernel's list is newest first).
  std::sort(mods.begin(), mods.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  size_t name_w = 4;
  for (const auto& m : mods) name_w = std::max(name_w, m.name.size());
  // 6.4+ modules keep text, data and rodata in separate regions: crash then
  // heads the base column TEXT_BASE and adds the regions' sizes up.
  bool regions = std::any_of(mods.begin(), mods.end(), [](const auto& m) { return m.core_total != 0; });
  std::string head = centered("MODULE", 16) + "  " + std::string("NAME") +
                     std::string(name_w - 4, ' ') + "  " + (regions ? std::string("   TEXT_BASE    ") : centered("BASE", 16)) +
                     "  " + "  SIZE" + "  OBJECT FILE";
  ctx.out.line(head);
  for (const auto& m : mods) {
    if (only && m.name != *only) continue;
    std::string file = prog.types().module_file(m.name);
    // crash leaves a blank after a loaded object file's name.
    std::string object = file.empty() ? "(not loaded)  [CONFIG_KALLSYMS]" : file + " ";
    ctx.out.print("%16llx  %-*s  %16llx  %6llu  %s\n", static_cast<unsigned long long>(m.address),
                  static_cast<int>(name_w), m.name.c_str(), static_cast<unsigned long long>(m.base),
                  static_cast<unsigned long long>(m.core_total ? m.core_total : m.size), object.c_str());
  }
  if (!load_error.empty()) return fail(Errc::not_found, load_error);
  return {};
}

namespace {
constexpr std::string_view kModHelp = R"(NAME
  mod - list loaded kernel modules

SYNOPSIS
  mod [-s MODULE [FILE] | -S [DIRECTORY] | -d MODULE | -D | -t]

DESCRIPTION
  Lists the modules on the kernel's modules list in crash's columns: the
  struct module address, NAME, BASE (start of its core area), SIZE (bytes
  of its core area) and OBJECT FILE (on 6.4+ kernels, whose modules keep
  text, data and rodata apart: TEXT_BASE, and SIZE adds the core regions
  up, as crash 8.0.3+ prints them), the debuginfo file loaded for it, or
  "(not loaded)  [CONFIG_KALLSYMS]" when its symbols come from the kallsyms
  the kernel keeps in the dump.

  -s MODULE [FILE]
          load MODULE's debuginfo: FILE, or MODULE.ko (.ko.debug, .ko.xz,
          .ko.gz, .ko.zst) found under the -d directories (set
          debuginfo-path), the -dbg tree next to the vmlinux
          (.../usr/lib/debug/lib/modules/RELEASE), /usr/lib/debug/lib/
          modules/RELEASE or /lib/modules/RELEASE, then through debuginfod
          by the module's build-id when DEBUGINFOD_URLS is set. Without -s,
          the same happens by itself the first time a frame or source line
          in the module's code needs it (set autoload). It is relocated to the
          module's sections in the dump; its types, variables and symbols
          (statics too) are then available. A file whose build-id is not
          the module's is refused. Prints the module's row.
  -S [DIRECTORY]
          the same for every loaded module, searching DIRECTORY first.
  -d MODULE
          drop MODULE's loaded debuginfo: its types and the debug file's
          symbols go; its kallsyms symbols from the dump come back.
  -D      the same for every module.
  -t      the tainted modules and their taint letters (OE ...), from the
          kernel's taint_flags[] table in the dump.
  -r      crash's -r: not implemented yet (says so).
  -o      crash's -o: not implemented yet (says so).
  -g      crash's -g: not implemented yet (says so).
)";
}  // namespace

extern const CommandSpec kModCommand{"mod", cmd_mod, "list loaded kernel modules", kModHelp, "-s -S -d -D -t -r -o -g", true};

}  // namespace kinspect
