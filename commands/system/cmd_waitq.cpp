// waitq: the tasks on a wait queue; ascii: a value's bytes as characters.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/waitqueue.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// The wait_queue_head a waitq argument list names: ADDR, a global
// variable's name, or STRUCT.MEMBER ADDR.
Result<uint64_t> wait_queue_address(Program& prog, const std::vector<Word>& w) {
  if (w.size() == 2) {
    const std::string& spec = w[0].text;
    size_t dot = spec.find('.');
    if (dot == std::string::npos) return fail(Errc::invalid_argument, "waitq: expected STRUCT.MEMBER ADDR, not " + spec);
    auto addr = parse_hex(w[1].text);
    if (!addr) return fail(Errc::invalid_argument, "waitq: not an address: " + w[1].text);
    ASSIGN_OR_RETURN(uint64_t off, prog.types().member_offset(spec.substr(0, dot), spec.substr(dot + 1)));
    return *addr + off;
  }
  if (w.size() != 1) return fail(Errc::invalid_argument, "waitq: expected ADDR, SYMBOL or STRUCT.MEMBER ADDR");
  if (is_identifier(w[0].text)) {
    if (auto v = variable(prog, w[0].text)) return v->address();
  }
  auto addr = parse_hex(w[0].text);
  if (!addr) return fail(Errc::invalid_argument, "waitq: not an address or wait queue variable: " + w[0].text);
  return *addr;
}

Status cmd_waitq(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, ""));
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(uint64_t head, wait_queue_address(prog, o.positional));
  ASSIGN_OR_RETURN(std::vector<WaitQueueEntry> entries, read_wait_queue(prog, head));
  if (entries.empty()) {
    ctx.out.print("wait queue \"%llx\" is empty\n", static_cast<unsigned long long>(head));
    return {};
  }
  ASSIGN_OR_RETURN(const TaskList* list, ctx.session.tasks());
  for (const auto& e : entries) {
    if (const TaskInfo* t = list->by_task(e.task)) {
      ctx.out.line(task_header(*t));
      continue;
    }
    // Not a task: a custom wake function's private data (epoll, io_uring...).
    std::string func = hex(e.func);
    if (auto m = prog.symbols().lookup(e.func); m && m->offset == 0) func = std::string(m->sym->name);
    ctx.out.print("WAIT_QUEUE_ENTRY: %llx  PRIVATE: %llx  FUNC: %s\n", static_cast<unsigned long long>(e.entry),
                  static_cast<unsigned long long>(e.task), func.c_str());
  }
  return {};
}

Status cmd_ascii(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, ""));
  if (o.positional.empty()) return fail(Errc::unsupported, "ascii without a value (the ASCII chart): not implemented yet");
  for (const auto& w : o.positional) {
    auto v = parse_hex(w.text);
    if (!v) return fail(Errc::invalid_argument, "ascii: not a hexadecimal value: " + w.text);
    // The value's bytes in memory order (little-endian), up to its last
    // non-zero byte; unprintable bytes as <hex>, as crash shows them.
    std::string s;
    for (uint64_t x = *v; x; x >>= 8) {
      unsigned char c = x & 0xff;
      if (c >= 0x20 && c < 0x7f) s += static_cast<char>(c);
      else {
        char b[8];
        std::snprintf(b, sizeof b, "<%x>", c);
        s += b;
      }
    }
    ctx.out.print("%s: %s\n", w.text.c_str(), s.c_str());
  }
  return {};
}

constexpr std::string_view kWaitqHelp = R"(NAME
  waitq - tasks on a wait queue

SYNOPSIS
  waitq ADDR | SYMBOL | STRUCT.MEMBER ADDR

DESCRIPTION
  Walks a struct wait_queue_head and prints crash's task header line for
  each waiting task (wait_queue_entry.private). ADDR is the head's address,
  SYMBOL a global wait queue head, STRUCT.MEMBER ADDR the member of the
  struct at ADDR (e.g. "pipe_inode_info.rd_wait ffff8880..."). Entries whose
  private data is not a task (custom wake functions such as epoll's) are
  shown with their entry, private pointer and wake function. An empty queue
  says so.
)";

constexpr std::string_view kAsciiHelp = R"(NAME
  ascii - a value as ASCII characters

SYNOPSIS
  ascii VALUE...

DESCRIPTION
  Translates each hexadecimal VALUE into the characters of its bytes in
  memory order (least significant first), unprintable bytes as <hex>, as
  in "62696c2f: /lib". Without a value crash prints an ASCII chart: not
  implemented yet (says so).
)";

}  // namespace

extern const CommandSpec kWaitqCommand{"waitq", cmd_waitq, "tasks on a wait queue", kWaitqHelp, "", true};
extern const CommandSpec kAsciiCommand{"ascii", cmd_ascii, "a value as ASCII characters", kAsciiHelp, "", false};

}  // namespace kinspect
