// The explicit list of commands, in the order `help` shows them. Each
// command's file defines its CommandSpec (name, function, help text, flags
// for completion); adding a command is one extern line and one table entry.
#include <array>
#include <vector>

#include "commands/command.hpp"

namespace kinspect {

extern const CommandSpec kHelpCommand;
extern const CommandSpec kQuitCommand;
extern const CommandSpec kQuitLongCommand;
extern const CommandSpec kExitCommand;
extern const CommandSpec kRdCommand;
extern const CommandSpec kDisCommand;
extern const CommandSpec kSysCommand;
extern const CommandSpec kPsCommand;
extern const CommandSpec kSymCommand;
extern const CommandSpec kEvalCommand;
extern const CommandSpec kModCommand;
extern const CommandSpec kVtopCommand;
extern const CommandSpec kKmemCommand;
extern const CommandSpec kVmCommand;
extern const CommandSpec kPtovCommand;
extern const CommandSpec kStructCommand;
extern const CommandSpec kUnionCommand;
extern const CommandSpec kStarCommand;
extern const CommandSpec kPCommand;
extern const CommandSpec kPxCommand;
extern const CommandSpec kPdCommand;
extern const CommandSpec kWhatisCommand;
extern const CommandSpec kListCommand;
extern const CommandSpec kFlagsCommand;
extern const CommandSpec kFrameCommand;
extern const CommandSpec kLogCommand;
extern const CommandSpec kSetCommand;
extern const CommandSpec kTaskCommand;
extern const CommandSpec kBtCommand;
extern const CommandSpec kForeachCommand;
extern const CommandSpec kRunqCommand;
extern const CommandSpec kAliasCommand;
extern const CommandSpec kPostmortemCommand;
extern const CommandSpec kTriageCommand;
extern const CommandSpec kFilesCommand;
extern const CommandSpec kMountCommand;
extern const CommandSpec kNetCommand;
extern const CommandSpec kIpcsCommand;
extern const CommandSpec kSigCommand;
extern const CommandSpec kWaitqCommand;
extern const CommandSpec kAsciiCommand;
extern const CommandSpec kIrqCommand;
extern const CommandSpec kDevCommand;

namespace {

const std::array kCommands = {
    &kHelpCommand,
    &kRdCommand,
    &kDisCommand,
    &kEvalCommand,
    &kModCommand,
    &kPsCommand,
    &kPtovCommand,
    &kVtopCommand,
    &kKmemCommand,
    &kVmCommand,
    &kSymCommand,
    &kSysCommand,
    &kStructCommand,
    &kUnionCommand,
    &kStarCommand,
    &kPCommand,
    &kPxCommand,
    &kPdCommand,
    &kWhatisCommand,
    &kListCommand,
    &kFlagsCommand,
    &kFrameCommand,
    &kLogCommand,
    &kSetCommand,
    &kTaskCommand,
    &kBtCommand,
    &kForeachCommand,
    &kRunqCommand,
    &kAliasCommand,
    &kPostmortemCommand,
    &kTriageCommand,
    &kFilesCommand,
    &kMountCommand,
    &kNetCommand,
    &kIpcsCommand,
    &kSigCommand,
    &kWaitqCommand,
    &kAsciiCommand,
    &kIrqCommand,
    &kDevCommand,
    &kQuitCommand,
    &kQuitLongCommand,
    &kExitCommand,
};

std::vector<CommandSpec> flatten() {
  std::vector<CommandSpec> v;
  for (const CommandSpec* c : kCommands) v.push_back(*c);
  return v;
}

}  // namespace

std::span<const CommandSpec> command_table() {
  static const std::vector<CommandSpec> table = flatten();
  return table;
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : command_table())
    if (c.name == name) return &c;
  // gdb-style format suffixes: "p/x" runs p, which reads the suffix.
  if (auto slash = name.find('/'); slash != std::string_view::npos && slash > 0)
    return find_command(name.substr(0, slash));
  return nullptr;
}

}  // namespace kinspect
