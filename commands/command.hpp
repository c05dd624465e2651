// The command table: every command kinspect has, listed explicitly in
// command_table.cpp (no static self-registration), each writing to an Output.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "commands/args.hpp"
#include "commands/output.hpp"
#include "core/error.hpp"

namespace kinspect {

class Session;
class Program;

struct CommandContext {
  Session& session;
  Output& out;
  // The open dump; commands with needs_dump are only called when it is set.
  Program* program = nullptr;
};

using CommandFn = Status (*)(CommandContext& ctx, const Args& args);

struct CommandSpec {
  std::string_view name;
  CommandFn fn;
  std::string_view summary;  // one line for `help`
  std::string_view help;     // full text for `help NAME`: synopsis, description, every flag
  std::string_view flags;    // flags offered by tab completion, e.g. "-p -u -8 -16 -32 -64"
  bool needs_dump = true;
};

std::span<const CommandSpec> command_table();
const CommandSpec* find_command(std::string_view name);

}  // namespace kinspect
