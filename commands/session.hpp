// Session: one user's conversation with kinspect: the open Program, the
// settings, aliases, and the line runner that handles `!cmd`, `| pipeline`,
// `> file` and `>> file` the way crash does.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "commands/output.hpp"
#include "core/error.hpp"
#include "core/expr/expr.hpp"
#include "core/linux/panic.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"

namespace kinspect {

struct Settings {
  bool scroll = true;     // page long output on a terminal (`set scroll on|off`)
  int radix = 10;         // default output radix (`set radix`), 10 as in crash
};

class Session {
 public:
  explicit Session(std::unique_ptr<Program> program);
  Program* program() { return program_.get(); }
  Settings& settings() { return settings_; }
  std::map<std::string, std::string>& aliases() { return aliases_; }
  // The aliases every session starts with (crash's builtins).
  bool is_builtin_alias(const std::string& name) const;

  // Runs one command line, writing to `out` unless the line redirects or
  // pipes its output. Blank lines and comments succeed and print nothing.
  Status run_line(std::string_view line, Output& out);
  // The variables of the frame chosen with `frame N`: p, whatis and flags
  // see them as C code in that frame would.
  const LocalNames& frame_locals() const { return frame_locals_; }
  void set_frame_locals(LocalNames locals) { frame_locals_ = std::move(locals); }
  bool quit_requested() const { return quit_; }

  // The dump's tasks, read once per session (the dump never changes).
  Result<const TaskList*> tasks();
  // The panic CPU and task (found once), with crash's PANIC message.
  Result<const PanicInfo*> panic();
  // crash's "current context": the task `bt`, `task` and `vtop -u` default
  // to. It starts as the panic task, or CPU 0's running task when the dump
  // shows no panic; `set PID|TASK` and `foreach` change it.
  Result<const TaskInfo*> current_task();
  Status set_current_task(uint64_t task);
  void request_quit() { quit_ = true; }

 private:
  Status run_command(std::string_view line, Output& out);

  std::unique_ptr<Program> program_;
  Settings settings_;
  std::map<std::string, std::string> aliases_;
  bool quit_ = false;
  std::optional<TaskList> tasks_;
  std::optional<PanicInfo> panic_;
  uint64_t current_task_ = 0;  // 0: not chosen yet
  LocalNames frame_locals_;
};

// Splits "cmd args | pipeline" / "cmd args > file" at the first |, > or >>
// outside quotes and parentheses. Exposed for tests.
struct Redirect {
  std::string command;
  enum class Kind { none, pipe, write, append } kind = Kind::none;
  std::string target;  // shell pipeline or file name
};
Redirect split_redirect(std::string_view line);

}  // namespace kinspect
