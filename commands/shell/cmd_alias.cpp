// alias: crash's command aliases, listed or defined for the session.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"

namespace kinspect {

namespace {

Status cmd_alias(CommandContext& ctx, const Args& args) {
  Session& session = ctx.session;
  if (args.words.empty()) {
    ctx.out.line("ORIGIN   ALIAS    COMMAND");
    for (const auto& [name, expansion] : session.aliases())
      ctx.out.print("%-8s %-8s %s\n", session.is_builtin_alias(name) ? "builtin" : "runtime",
                    name.c_str(), expansion.c_str());
    return {};
  }
  const std::string& name = args.words[0].text;
  if (find_command(name))
    return fail(Errc::invalid_argument, "alias " + name + ": " + name + " is a command");
  if (args.words.size() == 1) {
    auto it = session.aliases().find(name);
    if (it == session.aliases().end()) return fail(Errc::not_found, "alias does not exist: " + name);
    ctx.out.print("%-8s %-8s %s\n", session.is_builtin_alias(name) ? "builtin" : "runtime",
                  name.c_str(), it->second.c_str());
    return {};
  }
  // The rest of the line, quoted or not, is the expansion.
  std::string expansion;
  for (size_t i = 1; i < args.words.size(); ++i) expansion += (i > 1 ? " " : "") + args.words[i].text;
  session.aliases()[name] = expansion;
  ctx.out.print("%-8s %-8s %s\n", "runtime", name.c_str(), expansion.c_str());
  return {};
}

constexpr std::string_view kAliasHelp = R"(NAME
  alias - command aliases

SYNOPSIS
  alias [alias ["command string"]]

DESCRIPTION
  With no argument, lists every alias: builtin ones (man, ?, last, hex,
  dec) and those defined in this session. With an alias name, shows
  it. With a name and a command string (quoted when it holds blanks),
  defines it: "alias kp "ps -k"" makes "kp" run "ps -k", with any further
  words appended. One level of expansion applies, as in crash. Aliases in
  ~/.kinspectrc or ./.kinspectrc last every session.
)";

}  // namespace

extern const CommandSpec kAliasCommand{"alias", cmd_alias, "command aliases", kAliasHelp, "", false};

}  // namespace kinspect
