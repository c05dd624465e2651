// help, quit: the session's own commands.
#include <string_view>
#include <algorithm>
#include <vector>

#include "commands/command.hpp"
#include "commands/missing_commands.hpp"
#include "commands/session.hpp"

namespace kinspect {

Status cmd_help(CommandContext& ctx, const Args& args) {
  if (args.size() == 0) {
    std::vector<CommandSpec> table(command_table().begin(), command_table().end());
    std::sort(table.begin(), table.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    size_t width = 0;
    for (const auto& c : table) width = std::max(width, c.name.size());
    for (const auto& c : table)
      ctx.out.print("%-*s  %.*s\n", static_cast<int>(width), std::string(c.name).c_str(),
                    static_cast<int>(c.summary.size()), c.summary.data());
    ctx.out.line("\nEnter \"help COMMAND\" for a command's synopsis and every flag.");
    ctx.out.line("\ncrash commands not implemented yet:");
    for (const auto& m : kMissingCrashCommands)
      ctx.out.print("%-*s  %.*s\n", static_cast<int>(width), std::string(m.name).c_str(),
                    static_cast<int>(m.what.size()), m.what.data());
    return {};
  }
  for (const auto& w : args.words) {
    const CommandSpec* c = find_command(w.text);
    if (!c) return fail(Errc::not_found, "no command \"" + w.text + "\"; \"help\" lists them");
    ctx.out.write(c->help);
    if (!c->help.ends_with("\n")) ctx.out.write("\n");
  }
  return {};
}

Status cmd_quit(CommandContext& ctx, const Args&) {
  ctx.session.request_quit();
  return {};
}

namespace {
constexpr std::string_view kHelpHelp = R"(NAME
  help - list commands, or describe one

SYNOPSIS
  help [COMMAND...]

DESCRIPTION
  With no argument, lists every command with a one-line summary. With
  command names, prints each one's synopsis and every flag.
)";

constexpr std::string_view kQuitHelp = R"(NAME
  q, quit, exit - leave kinspect

SYNOPSIS
  q
)";
}  // namespace

extern const CommandSpec kHelpCommand{"help", cmd_help, "list commands, or describe one", kHelpHelp, "", false};
extern const CommandSpec kQuitCommand{"q", cmd_quit, "leave kinspect (also quit, exit)", kQuitHelp, "", false};
extern const CommandSpec kQuitLongCommand{"quit", cmd_quit, "leave kinspect", kQuitHelp, "", false};
extern const CommandSpec kExitCommand{"exit", cmd_quit, "leave kinspect", kQuitHelp, "", false};

}  // namespace kinspect
