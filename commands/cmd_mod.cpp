// mod: the loaded modules in crash's columns; -s/-S load their debuginfo
// (commands/module_debuginfo.hpp).
#include <algorithm>
#include <string_view>

#include "commands/columns.hpp"
#include "commands/command.hpp"
#include "commands/module_debuginfo.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"

namespace kinspect {


Status cmd_mod(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "sSdDtrog"));
  for (char f : o.flags)
    if (f != 's' && f != 'S')
      return fail(Errc::unsupported, std::string("mod -") + f + " is not implemented yet; plain \"mod\" lists modules");
  if (o.has('s') && o.has('S')) return fail(Errc::invalid_argument, "-s and -S are exclusive");
  ASSIGN_OR_RETURN(auto mods, read_modules(*ctx.program));
  Program& prog = *ctx.program;
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
  std::string head = centered("MODULE", 16) + "  " + std::string("NAME") +
                     std::string(name_w - 4, ' ') + "  " + centered("BASE", 16) + "  " + "  SIZE" +
                     "  OBJECT FILE";
  ctx.out.line(head);
  for (const auto& m : mods) {
    if (only && m.name != *only) continue;
    std::string file = prog.types().module_file(m.name);
    // crash leaves a blank after a loaded object file's name.
    std::string object = file.empty() ? "(not loaded)  [CONFIG_KALLSYMS]" : file + " ";
    ctx.out.print("%16llx  %-*s  %16llx  %6llu  %s\n", static_cast<unsigned long long>(m.address),
                  static_cast<int>(name_w), m.name.c_str(), static_cast<unsigned long long>(m.base),
                  static_cast<unsigned long long>(m.size), object.c_str());
  }
  if (!load_error.empty()) return fail(Errc::not_found, load_error);
  return {};
}

namespace {
constexpr std::string_view kModHelp = R"(NAME
  mod - list loaded kernel modules

SYNOPSIS
  mod [-s MODULE [FILE] | -S [DIRECTORY]]

DESCRIPTION
  Lists the modules on the kernel's modules list in crash's columns: the
  struct module address, NAME, BASE (start of its core area), SIZE (bytes
  of its core area) and OBJECT FILE, the debuginfo file loaded for it, or
  "(not loaded)  [CONFIG_KALLSYMS]" when its symbols come from the kallsyms
  the kernel keeps in the dump.

  -s MODULE [FILE]
          load MODULE's debuginfo: FILE, or MODULE.ko (.ko.debug, .ko.xz,
          .ko.gz, .ko.zst) found under the -dbg tree next to the vmlinux
          (.../usr/lib/debug/lib/modules/RELEASE), /usr/lib/debug/lib/
          modules/RELEASE or /lib/modules/RELEASE. It is relocated to the
          module's sections in the dump; its types, variables and symbols
          (statics too) are then available. A file whose build-id is not
          the module's is refused. Prints the module's row.
  -S [DIRECTORY]
          the same for every loaded module, searching DIRECTORY first.
  -d, -D, -t, -r, -o, -g  crash's other flags: not implemented yet; each
          says so.
)";
}  // namespace

extern const CommandSpec kModCommand{"mod", cmd_mod, "list loaded kernel modules", kModHelp, "-s -S", true};

}  // namespace kinspect
