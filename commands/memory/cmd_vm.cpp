// vm: a task's address space in crash's layout (header, mm line, VMAs),
// with -p page translations, -m/-v the mm_struct / each vm_area_struct, and
// -f a vm_flags value decoded.
#include <string>

#include "commands/columns.hpp"
#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/symbols/type_support.hpp"
#include "commands/tasks/task_args.hpp"
#include "core/linux/user_vmas.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"
#include "core/types/value_printer.hpp"

namespace kinspect {

namespace {

constexpr const char* kVmaHeader = "      VMA           START       END     FLAGS FILE";

std::string vma_line(const UserVma& v) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%016llx %10llx %10llx %llx ", static_cast<unsigned long long>(v.address),
                static_cast<unsigned long long>(v.start), static_cast<unsigned long long>(v.end),
                static_cast<unsigned long long>(v.flags));
  return buf + v.file_name;
}

void mm_lines(Output& out, const TaskInfo& t, const UserMm& mm) {
  out.line("       MM               PGD          RSS    TOTAL_VM");
  out.line(hex_digits(mm.mm) + "  " + hex_digits(mm.pgd) + "  " + centered(std::to_string(t.rss_kb) + "k", 6) + "  " +
           centered(std::to_string(t.vsz_kb) + "k", 8));
}

// Each page of the VMA: its physical address when resident, otherwise the
// file and offset it would be read from, or "(not mapped)".
Status page_lines(CommandContext& ctx, const UserVma& v, uint64_t root_paddr) {
  const Arch& arch = ctx.program->arch();
  uint64_t ps = arch.page_size();
  ctx.out.line("VIRTUAL     PHYSICAL");
  char buf[160];
  for (uint64_t a = v.start; a < v.end; a += ps) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    auto t = arch.uvtop(root_paddr, a);
    if (t) {
      std::snprintf(buf, sizeof buf, "%-10llx  %8llx", static_cast<unsigned long long>(a),
                    static_cast<unsigned long long>(t->paddr));
      ctx.out.line(buf);
    } else if (v.file) {
      std::snprintf(buf, sizeof buf, "%-10llx  FILE: %s  OFFSET: %llx", static_cast<unsigned long long>(a),
                    v.file_name.c_str(), static_cast<unsigned long long>(a - v.start + v.pgoff * ps));
      ctx.out.line(buf);
    } else {
      std::snprintf(buf, sizeof buf, "%-10llx  (not mapped)", static_cast<unsigned long long>(a));
      ctx.out.line(buf);
    }
  }
  return {};
}

Status vm_task(CommandContext& ctx, const TaskInfo& t, const Options& o, ValuePrinter& printer) {
  Program& prog = *ctx.program;
  ctx.out.line(task_header(t));
  if (!t.mm) {
    ctx.out.line("       MM               PGD          RSS    TOTAL_VM");
    ctx.out.line("       0                 0            0k      0k    ");
    return {};
  }
  if (o.has('m')) {
    ASSIGN_OR_RETURN(const Type* mm_t, prog.types().find_struct("mm_struct"));
    return print_struct_value(ctx, mm_t, {}, t.mm, printer);
  }
  ASSIGN_OR_RETURN(uint64_t root, task_root_path(prog, t.task));
  ASSIGN_OR_RETURN(UserMm mm, read_user_mm(prog, t.mm, root));
  if (o.has('v')) {
    ASSIGN_OR_RETURN(const Type* vma_t, prog.types().find_struct("vm_area_struct"));
    for (const auto& v : mm.vmas) TRY_VOID(print_struct_value(ctx, vma_t, {}, v.address, printer));
  } else {
    mm_lines(ctx.out, t, mm);
    uint64_t root_paddr = 0;
    if (o.has('p')) {
      ASSIGN_OR_RETURN(Translation pg, prog.arch().kvtop(mm.pgd));
      root_paddr = pg.paddr;
    }
    if (!o.has('p')) ctx.out.line(kVmaHeader);
    for (const auto& v : mm.vmas) {
      if (o.has('p')) ctx.out.line(kVmaHeader);
      ctx.out.line(vma_line(v));
      if (o.has('p')) TRY_VOID(page_lines(ctx, v, root_paddr));
    }
  }
  for (const auto& p : mm.problems) ctx.out.line("vm: " + p);
  return {};
}

Status cmd_vm(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "f:pmvRP:xd"));
  if (o.has('R') || o.has('P')) return fail(Errc::unsupported, "vm -R/-P are not implemented");
  if (auto f = o.value('f')) {
    auto v = parse_hex(*f);
    if (!v) return fail(Errc::invalid_argument, "vm -f: invalid flags value: " + *f);
    ctx.out.line(hex_digits(*v) + ": (" + vm_flag_names(*v) + ")");
    return {};
  }
  Session& session = ctx.session;
  ASSIGN_OR_RETURN(const TaskList* list, session.tasks());
  const TaskInfo* cur = nullptr;
  if (o.positional.empty()) {
    ASSIGN_OR_RETURN(cur, session.current_task());
  }
  ASSIGN_OR_RETURN(std::vector<const TaskInfo*> targets, named_tasks_or(*list, o.positional, cur));
  ValueFormat fmt;
  fmt.radix = o.has('x') ? 16 : o.has('d') ? 10 : session.settings().radix;
  ValuePrinter printer(*ctx.program, fmt);
  Status result;
  bool first = true;
  for (const TaskInfo* t : targets) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    if (!first) ctx.out.line("");
    first = false;
    if (auto st = vm_task(ctx, *t, o, printer); !st && result.ok()) result = st;
  }
  return result;
}

constexpr std::string_view kVmHelp = R"HELP(NAME
  vm - virtual memory of a task

SYNOPSIS
  vm [-p | -m | -v] [-x|-d] [pid | task] ...
  vm -f vm_flags

DESCRIPTION
  Prints crash's task header, the task's mm_struct, page-table root (PGD),
  RSS and total virtual size, then one line per VMA (vm_area_struct
  address, start, end, vm_flags, file). The VMAs come from the maple tree
  mm->mm_mt (6.1+) or the mm->mmap list (older kernels), whichever the
  kernel's DWARF has. Without a task, the current context (see set).

  -p          after each VMA, every page's physical address when resident,
              the file and offset of a non-resident file page, or
              "(not mapped)".
  -m          the task's struct mm_struct.
  -v          each struct vm_area_struct of the task.
  -x          integers of -m/-v in hexadecimal.
  -d          integers of -m/-v in decimal.
  -f vm_flags names the VM_ bits of a hexadecimal vm_flags value, with
              crash's bit names.
  -R ref      crash's reference search: not implemented (says so).
  -P vma      crash's single-VMA form: not implemented (says so).
)HELP";

}  // namespace

extern const CommandSpec kVmCommand{"vm", cmd_vm, "virtual memory of a task", kVmHelp, "-p -m -v -x -d -f -R -P", true};

}  // namespace kinspect
