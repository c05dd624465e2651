// mod: the loaded modules in crash's columns. Loading module debuginfo
// (-s/-S) arrives with the module-debuginfo work.
#include <algorithm>
#include <string_view>

#include "commands/command.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {
std::string centered(std::string_view s, size_t width) {
  size_t left = width > s.size() ? (width - s.size()) / 2 : 0;
  std::string out(left, ' ');
  out += s;
  out.resize(std::max(width, out.size()), ' ');
  return out;
}
}  // namespace

Status cmd_mod(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "sSdDtrog"));
  for (char f : o.flags)
    return fail(Errc::unsupported, std::string("mod -") + f + " is not implemented yet; plain \"mod\" lists modules");
  ASSIGN_OR_RETURN(auto mods, read_modules(*ctx.program));
  // crash lists modules by address (the kernel's list is newest first).
  std::sort(mods.begin(), mods.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  size_t name_w = 4;
  for (const auto& m : mods) name_w = std::max(name_w, m.name.size());
  std::string head = centered("MODULE", 16) + "  " + std::string("NAME") +
                     std::string(name_w - 4, ' ') + "  " + centered("BASE", 16) + "  " + "  SIZE" +
                     "  OBJECT FILE";
  ctx.out.line(head);
  for (const auto& m : mods) {
    ctx.out.print("%16llx  %-*s  %16llx  %6llu  (not loaded)  [CONFIG_KALLSYMS]\n",
                  static_cast<unsigned long long>(m.address), static_cast<int>(name_w), m.name.c_str(),
                  static_cast<unsigned long long>(m.base), static_cast<unsigned long long>(m.size));
  }
  return {};
}

namespace {
constexpr std::string_view kModHelp = R"(NAME
  mod - list loaded kernel modules

SYNOPSIS
  mod

DESCRIPTION
  Lists the modules on the kernel's modules list in crash's columns: the
  struct module address, NAME, BASE (start of its core area), SIZE (bytes
  of its core area) and OBJECT FILE, the debuginfo file loaded for it, or
  "(not loaded)  [CONFIG_KALLSYMS]" when its symbols come from the kallsyms
  the kernel keeps in the dump.

  -s, -S, -d, -D, -t, -r, -o, -g  crash's other flags: not implemented yet;
          each says so.
)";
}  // namespace

extern const CommandSpec kModCommand{"mod", cmd_mod, "list loaded kernel modules", kModHelp, "", true};

}  // namespace kinspect
