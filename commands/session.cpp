#include "commands/session.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "commands/args.hpp"
#include "commands/command.hpp"
#include "commands/kernel/module_debuginfo.hpp"
#include "core/linux/printk.hpp"

namespace kinspect {

namespace {
// crash's builtin aliases that name commands kinspect has.
const std::pair<const char*, const char*> kBuiltinAliases[] = {
    {"man", "help"}, {"?", "help"}, {"last", "ps -l"}, {"hex", "set radix 16"},
    {"dec", "set radix 10"},
};
}  // namespace

Session::Session(std::unique_ptr<Program> program) : program_(std::move(program)) {
  if (program_) install_module_autoload(*program_);
  for (const auto& [name, expansion] : kBuiltinAliases) aliases_[name] = expansion;
}

bool Session::is_builtin_alias(const std::string& name) const {
  for (const auto& [n, expansion] : kBuiltinAliases)
    if (name == n) return aliases_.count(name) && aliases_.at(name) == expansion;
  return false;
}

Result<const TaskList*> Session::tasks() {
  if (!program_) return fail(Errc::invalid_argument, "no dump is open");
  if (!tasks_) {
    ASSIGN_OR_RETURN(TaskList t, read_tasks(*program_));
    tasks_ = std::move(t);
  }
  return &*tasks_;
}

Result<const PanicInfo*> Session::panic() {
  if (!panic_) {
    ASSIGN_OR_RETURN(const TaskList* t, tasks());
    PanicInfo p = find_panic(*program_, *t);
    if (auto log = read_printk_log(*program_)) p.message = panic_message(*log);
    panic_ = std::move(p);
  }
  return &*panic_;
}

Result<const TaskInfo*> Session::current_task() {
  ASSIGN_OR_RETURN(const TaskList* t, tasks());
  if (current_task_ == 0) {
    ASSIGN_OR_RETURN(const PanicInfo* p, panic());
    if (p->found()) {
      current_task_ = p->task;
    } else if (!t->active.empty() && t->active[0]) {
      current_task_ = t->active[0];
    } else if (!t->tasks.empty()) {
      current_task_ = t->tasks.front().task;
    }
  }
  const TaskInfo* ti = t->by_task(current_task_);
  if (!ti) return fail(Errc::not_found, "current context: task " + hex(current_task_) + " not found");
  return ti;
}

Status Session::set_current_task(uint64_t task) {
  ASSIGN_OR_RETURN(const TaskList* t, tasks());
  if (!t->by_task(task)) return fail(Errc::not_found, "invalid task address: " + hex(task));
  current_task_ = task;
  frame_locals_ = {};  // `frame N` chose a frame of the previous context
  return {};
}

Redirect split_redirect(std::string_view line) {
  Redirect r;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if ((c == ')' || c == ']') && depth > 0) {
      --depth;
    } else if (depth == 0 && (c == '|' || c == '>')) {
      // "->" is a member access, never a redirect.
      if (c == '>' && i > 0 && line[i - 1] == '-') continue;
      r.command = std::string(line.substr(0, i));
      if (c == '|') {
        r.kind = Redirect::Kind::pipe;
        r.target = std::string(line.substr(i + 1));
      } else if (i + 1 < line.size() && line[i + 1] == '>') {
        r.kind = Redirect::Kind::append;
        r.target = std::string(line.substr(i + 2));
      } else {
        r.kind = Redirect::Kind::write;
        r.target = std::string(line.substr(i + 1));
      }
      auto trim = [](std::string& s) {
        size_t b = s.find_first_not_of(" \t");
        size_t e = s.find_last_not_of(" \t");
        s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
      };
      trim(r.target);
      trim(r.command);
      return r;
    }
  }
  r.command = std::string(line);
  return r;
}

namespace {
std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
}  // namespace

Status Session::run_line(std::string_view raw, Output& out) {
  std::string_view line = trim_view(raw);
  if (line.empty() || line.front() == '#') return {};
  if (line.front() == '!') {
    std::string cmd(trim_view(line.substr(1)));
    if (cmd.empty()) cmd = "${SHELL:-/bin/sh}";
    std::fflush(stdout);
    int rc = std::system(cmd.c_str());
    if (rc != 0) return fail(Errc::io, "shell command exited with status " + std::to_string(rc));
    return {};
  }

  Redirect r = split_redirect(line);
  if (r.kind == Redirect::Kind::none) return run_command(r.command, out);
  if (r.target.empty()) return fail(Errc::invalid_argument, "nothing after the redirection");

  if (r.kind == Redirect::Kind::pipe) {
    std::fflush(stdout);
    FILE* p = ::popen(r.target.c_str(), "w");
    if (!p) return fail(Errc::io, "cannot start \"" + r.target + "\": " + std::strerror(errno));
    // A reader that quits early (| head) must not kill us with SIGPIPE.
    auto old = std::signal(SIGPIPE, SIG_IGN);
    FileOutput po(p);
    Status st = run_command(r.command, po);
    std::fflush(p);
    ::pclose(p);
    std::signal(SIGPIPE, old);
    return st;
  }
  FILE* f = std::fopen(r.target.c_str(), r.kind == Redirect::Kind::append ? "a" : "w");
  if (!f) return fail(Errc::io, r.target + ": " + std::strerror(errno));
  FileOutput fo(f);
  Status st = run_command(r.command, fo);
  if (std::fclose(f) != 0 && st.ok()) return fail(Errc::io, r.target + ": " + std::strerror(errno));
  return st;
}

Status Session::run_command(std::string_view line, Output& out) {
  ASSIGN_OR_RETURN(Args args, parse_args(line));
  // One level of alias expansion, as crash does.
  if (auto it = aliases_.find(args.command); it != aliases_.end()) {
    std::string expanded = it->second + (args.rest.empty() ? "" : " " + args.rest);
    ASSIGN_OR_RETURN(args, parse_args(expanded));
  }
  const CommandSpec* spec = find_command(args.command);
  if (!spec) return fail(Errc::not_found, "command not found: " + args.command);
  if (spec->needs_dump && !program_)
    return fail(Errc::unsupported, args.command + ": needs a vmcore, and none is open");
  CommandContext ctx{*this, out, program_.get()};
  return spec->fn(ctx, args);
}

}  // namespace kinspect
