// set: crash's current context (the task `bt`, `task`, `vtop -u` default
// to) and session variables (scroll, radix).
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/startup.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

// crash's STATE line: the state's name from the letters ps shows.
const char* state_name(const std::string& st) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"RU", "TASK_RUNNING"},       {"IN", "TASK_INTERRUPTIBLE"}, {"UN", "TASK_UNINTERRUPTIBLE"},
      {"ST", "TASK_STOPPED"},       {"TR", "TASK_TRACED"},        {"ZO", "EXIT_ZOMBIE"},
      {"DE", "EXIT_DEAD"},          {"WA", "TASK_WAKING"},        {"PA", "TASK_PARKED"},
      {"ID", "TASK_IDLE"},          {"NE", "TASK_NEW"}};
  for (const auto& [letters, name] : kNames)
    if (st == letters) return name;
  return "(unknown)";
}

// THREAD_INFO: the task itself when thread_info is embedded in task_struct
// (CONFIG_THREAD_INFO_IN_TASK, told by the member being a struct), else the
// base of its stack, where the kernel keeps thread_info.
uint64_t thread_info_address(Program& prog, const TaskInfo& t) {
  auto type = prog.types().find_struct("task_struct");
  if (!type.ok()) return t.task;
  Object task = Object::at(prog, *type, t.task);
  if (auto ti = task.member("thread_info"); ti.ok() && ti->type()->kind == TypeKind::struct_)
    return t.task;
  if (auto stack = task.member("stack"); stack.ok())
    if (auto v = stack->as_u64(); v.ok()) return *v;
  return t.task;
}

const char* on_off(bool b) { return b ? "on" : "off"; }

}  // namespace

void print_context(Session& session, const TaskInfo& t, Output& out) {
  Program& prog = *session.program();
  out.print("    PID: %lld\n", static_cast<long long>(t.pid));
  out.print("COMMAND: \"%s\"\n", t.comm.c_str());
  std::string of;
  if (auto list = session.tasks(); list.ok()) {
    int n = 0, index = 0;
    for (const auto& o : (*list)->tasks) {
      if (o.pid != t.pid) continue;
      ++n;
      if (o.task == t.task) index = n;
    }
    if (n > 1) of = "  (" + std::to_string(index) + " of " + std::to_string(n) + ")";
  }
  out.print("   TASK: %llx%s  [THREAD_INFO: %llx]\n", static_cast<unsigned long long>(t.task),
            of.c_str(), static_cast<unsigned long long>(thread_info_address(prog, t)));
  out.print("    CPU: %d\n", t.cpu);
  std::string suffix;
  auto panic = session.panic();
  if (panic.ok() && (*panic)->found() && (*panic)->task == t.task)
    suffix = " (PANIC)";
  else if (t.active)
    suffix = " (ACTIVE)";
  out.print("  STATE: %s%s\n", state_name(t.st), suffix.c_str());
}

namespace {

Status set_variable(Session& session, const std::string& name, const std::string& value,
                    Output& out) {
  Settings& s = session.settings();
  if (name == "scroll") {
    if (value == "on") s.scroll = true;
    else if (value == "off") s.scroll = false;
    else if (!value.empty()) return fail(Errc::invalid_argument, "set scroll: expected on or off, not " + value);
    out.print("scroll: %s\n", on_off(s.scroll));
    return {};
  }
  if (name == "radix") {
    if (value == "10" || value == "16") s.radix = std::stoi(value);
    else if (!value.empty()) return fail(Errc::invalid_argument, "set radix: expected 10 or 16, not " + value);
    out.print("output radix: %d (%s)\n", s.radix, s.radix == 16 ? "hex" : "decimal");
    return {};
  }
  return fail(Errc::invalid_argument, "unknown variable or invalid task or pid value: " + name);
}

std::string joined(const std::vector<std::string>& dirs) {
  std::string s;
  for (const auto& d : dirs) s += (s.empty() ? "" : ":") + d;
  return s.empty() ? "(none)" : s;
}

// The dump's debuginfo settings: module debug files loaded on demand, and
// the directories searched for debug files (as -d DIR gives them).
Status set_debuginfo_variable(Program& prog, const std::string& name, const std::string& value, Output& out) {
  if (name == "autoload") {
    if (value == "on") prog.set_autoload(true);
    else if (value == "off") prog.set_autoload(false);
    else if (!value.empty()) return fail(Errc::invalid_argument, "set autoload: expected on or off, not " + value);
    out.print("autoload: %s\n", on_off(prog.autoload()));
    return {};
  }
  if (!value.empty()) {
    std::vector<std::string> dirs;
    for (size_t at = 0; at <= value.size();) {
      size_t end = value.find(':', at);
      if (end == std::string::npos) end = value.size();
      if (end > at) dirs.push_back(value.substr(at, end - at));
      at = end + 1;
    }
    prog.debuginfo_path().dirs = std::move(dirs);
  }
  out.print("debuginfo-path: %s\n", joined(prog.debuginfo_path().dirs).c_str());
  return {};
}

Status cmd_set(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "pvc:"));
  Session& session = ctx.session;
  if (o.has('v')) {
    ctx.out.print("%14s: %s\n", "scroll", on_off(session.settings().scroll));
    ctx.out.print("%14s: %d (%s)\n", "radix", session.settings().radix,
                  session.settings().radix == 16 ? "hex" : "decimal");
    if (ctx.program) {
      ctx.out.print("%14s: %s\n", "namelist", ctx.program->vmlinux_path().c_str());
      ctx.out.print("%14s: %s\n", "dumpfile", ctx.program->dump_path().c_str());
      ctx.out.print("%14s: %s\n", "autoload", on_off(ctx.program->autoload()));
      ctx.out.print("%14s: %s\n", "debuginfo-path", joined(ctx.program->debuginfo_path().dirs).c_str());
    }
    return {};
  }
  // Session variables work without a dump; everything else is a context.
  if (!o.positional.empty()) {
    const std::string& w = o.positional[0].text;
    if (w == "scroll" || w == "radix")
      return set_variable(session, w, o.positional.size() > 1 ? o.positional[1].text : "", ctx.out);
  }
  if (!ctx.program) return fail(Errc::invalid_argument, "no dump is open");
  if (!o.positional.empty() && (o.positional[0].text == "autoload" || o.positional[0].text == "debuginfo-path"))
    return set_debuginfo_variable(*ctx.program, o.positional[0].text,
                                  o.positional.size() > 1 ? o.positional[1].text : "", ctx.out);
  ASSIGN_OR_RETURN(const TaskList* list, session.tasks());
  if (o.has('p')) {
    ASSIGN_OR_RETURN(const PanicInfo* p, session.panic());
    if (!p->found()) return fail(Errc::not_found, "-p: the dump shows no panic task");
    TRY_VOID(session.set_current_task(p->task));
  } else if (auto cpu = o.value('c')) {
    auto n = parse_number(*cpu);
    if (!n || *n >= list->active.size() || list->active[*n] == 0)
      return fail(Errc::invalid_argument, "-c: invalid cpu: " + *cpu);
    TRY_VOID(session.set_current_task(list->active[*n]));
  } else if (!o.positional.empty()) {
    if (o.positional.size() > 1)
      return set_variable(session, o.positional[0].text, o.positional[1].text, ctx.out);
    auto t = resolve_task(*list, o.positional[0].text);
    if (!t.ok()) return set_variable(session, o.positional[0].text, "", ctx.out);
    TRY_VOID(session.set_current_task((*t)->task));
  }
  ASSIGN_OR_RETURN(const TaskInfo* cur, session.current_task());
  print_context(session, *cur, ctx.out);
  return {};
}

constexpr std::string_view kSetHelp = R"(NAME
  set - set the current context, or a session variable

SYNOPSIS
  set [pid | task | -c cpu | -p]
  set [-v] [scroll on|off] [radix 10|16] [autoload on|off] [debuginfo-path DIR[:DIR...]]

DESCRIPTION
  With no argument, shows the current context: the task that bt, task and
  foreach default to. It starts as the panic task (found from panic_cpu,
  the kdump header, or the CPU whose registers stop in the panic path), or
  CPU 0's running task when the dump shows no panic.

  pid     make the task with this pid the context (pid 0: CPU 0's idle task).
  task    make the task_struct at this hexadecimal address the context.
  -c cpu  make the task running on this CPU the context.
  -p      go back to the panic task.
  -v      show the session variables.

  Session variables:
    scroll on|off   page long output through less on a terminal (default on).
    radix 10|16     default output radix of p (default 10).
    autoload on|off load a module's debug file the first time a frame,
                    source line or unwind step in its code, or one of its
                    variables in an expression, needs it (default on;
                    off for slow links). mod shows what is
                    loaded and from where.
    debuginfo-path DIR[:DIR...]
                    directories searched for debug files before
                    /usr/lib/debug and /lib/modules, as -d DIR gives them
                    (each a debug root: DIR/usr/lib/debug/lib/modules/
                    RELEASE, DIR/lib/modules/RELEASE).
)";

}  // namespace

extern const CommandSpec kSetCommand{"set", cmd_set, "set the context or a session variable",
                                     kSetHelp, "-c -p -v", false};

}  // namespace kinspect
