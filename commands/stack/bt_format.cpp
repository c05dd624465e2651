// crash's bt text for a Backtrace (see bt_format.hpp).
#include "commands/stack/bt_format.hpp"

#include <cstdio>

#include "commands/stack/frame_variables_text.hpp"
#include "commands/output.hpp"
#include "core/address_info.hpp"
#include "core/linux/tasks.hpp"
#include "core/program.hpp"
#include "core/unwind/inline_frames.hpp"
#include "core/unwind/symbolize.hpp"

namespace kinspect {

namespace {

std::string symbol_text(const Program& prog, uint64_t pc, bool with_offset, int radix,
                        bool return_address = false) {
  return symbolize(prog, pc, SymbolStyle{with_offset, radix, return_address});
}

std::string frame_line(unsigned level, uint64_t slot, const std::string& what, uint64_t pc) {
  char b[512];
  std::snprintf(b, sizeof b, "%s#%u [%llx] %s at %llx", level < 10 ? " " : "", level,
                static_cast<unsigned long long>(slot), what.c_str(), static_cast<unsigned long long>(pc));
  return b;
}

// The stack words from just above `from` through `to`, two per line, as
// crash's bt -f lays them out (each line ends in a blank).
void print_words(Program& prog, uint64_t from, uint64_t to, Output& out) {
  std::string line;
  int n = 0;
  for (uint64_t a = from; a <= to && a - from < 8192; a += 8) {
    if (n % 2 == 0) {
      if (!line.empty()) out.line(line);
      char b[32];
      std::snprintf(b, sizeof b, "    %016llx: ", static_cast<unsigned long long>(a));
      line = b;
    }
    auto v = prog.read_u64(a);
    char b[24];
    if (v.ok()) std::snprintf(b, sizeof b, "%016llx ", static_cast<unsigned long long>(*v));
    else std::snprintf(b, sizeof b, "%s ", "????????????????");
    line += b;
    ++n;
  }
  if (!line.empty()) out.line(line);
}

void print_source(Program& prog, const Frame& f, Output& out) {
  uint64_t where = f.pc_is_return_address ? f.pc - 1 : f.pc;
  // Calls inlined at this pc, innermost first, then the function's own line.
  auto chain = inline_chain(prog, where);
  if (chain.size() > 1) {
    for (const InlineLevel& lv : chain)
      out.line("    " + lv.file + ": " + std::to_string(lv.line) +
               (lv.inlined ? "  (inlined " + lv.function + ")" : ""));
    return;
  }
  // crash's line for the frame: the return address's own line.
  if (auto src = source_line_of(prog, f.pc); src.ok())
    out.line("    " + src->file + ": " + std::to_string(src->line));
}

}  // namespace

std::string backtrace_frame_line(const Program& prog, const Frame& f, bool with_offset, int radix) {
  return frame_line(f.level, f.stack_slot ? f.stack_slot : f.sp,
                    symbol_text(prog, f.pc, with_offset, radix, f.pc_is_return_address), f.pc);
}

void print_backtrace(Program& prog, ArchUnwinder& u, const Backtrace& bt, const BtFormat& fmt,
                     Output& out) {
  const auto& fr = bt.frames;
  for (size_t i = 0; i < fr.size(); ++i) {
    const Frame& f = fr[i];
    // The frame right after a pt_regs is shown as crash's exception line
    // under the entry frame, then as its own numbered frame.
    if (i > 0 && fr[i - 1].exception) out.line(u.register_block(*fr[i - 1].exception));
    if (i > 0 && f.stack != fr[i - 1].stack && !fr[i - 1].stack.empty() && fr[i - 1].stack != "task")
      out.line("--- <" + fr[i - 1].stack + " stack> ---");
    out.line(backtrace_frame_line(prog, f, fmt.sym_offset, fmt.offset_radix));
    if (fmt.lines) print_source(prog, f, out);
    if (fmt.variables) {
      ValueFormat vf;
      vf.radix = fmt.value_radix;
      out.write(backtrace_frame_variables(prog, bt, i, vf));
    }
    if (fmt.frame_words && i + 1 < fr.size() && fr[i + 1].stack == f.stack && !fr[i].exception) {
      uint64_t next = fr[i + 1].stack_slot ? fr[i + 1].stack_slot : fr[i + 1].sp;
      // From the frame's own stack pointer (one above its return address)
      // through the slot holding the next frame's return address.
      if (next >= f.sp) print_words(prog, f.sp, next, out);
    }
  }
  if (bt.user_regs) out.line(u.register_block(*bt.user_regs));
  if (!bt.stop_reason.empty()) out.line("bt: unwind stopped: " + bt.stop_reason);
}

Status print_stack_text(Program& prog, ArchUnwinder& u, const Backtrace& bt, bool whole_stack,
                        Output& out) {
  if (bt.frames.empty()) return fail(Errc::not_found, "no kernel stack to search");
  const Frame& f0 = bt.frames.front();
  TaskInfo t;
  t.task = bt.task;
  t.cpu = bt.cpu;
  auto bounds = u.stack_bounds(f0.sp, t);
  if (!bounds) return fail(Errc::not_found, "stack of " + hex(f0.sp) + " unknown");
  out.line("              START: " + symbol_text(prog, f0.pc, false, 10) + " at " +
           hex(f0.pc).substr(2));
  uint64_t from = whole_stack ? bounds->first : f0.sp;
  const Arch& arch = prog.arch();
  for (uint64_t a = from & ~7ull; a + 8 <= bounds->second; a += 8) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    auto v = prog.read_u64(a);
    if (!v.ok()) continue;
    uint64_t pc = arch.strip_code_pointer(*v);
    auto m = prog.symbols().lookup(pc);
    if (!m || (m->sym->type != 't' && m->sym->type != 'T') || m->offset == 0) continue;
    char b[512];
    std::snprintf(b, sizeof b, "  [%llx] %s at %llx", static_cast<unsigned long long>(a),
                  symbol_text(prog, pc, false, 10).c_str(), static_cast<unsigned long long>(pc));
    out.line(b);
  }
  return {};
}

}  // namespace kinspect
