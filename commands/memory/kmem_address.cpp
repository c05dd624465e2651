// kmem ADDR: what an address is, in crash's blocks: the slab object it is
// in (cache, slab, object allocated or free; the task for a task_struct),
// its kernel symbol, the vmalloc area (and whose stack it is, beyond
// crash), the per-cpu area (beyond crash), then its struct page.
#include <cinttypes>

#include "commands/memory/kmem.hpp"
#include "commands/memory/page_line.hpp"
#include "commands/session.hpp"
#include "commands/startup.hpp"
#include "core/linux/percpu_area.hpp"
#include "core/linux/slub.hpp"
#include "core/linux/task_stack.hpp"
#include "core/linux/vmalloc.hpp"
#include "core/linux/zones.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// A struct page address: inside the vmemmap array of a node's page frames
// and on a struct page boundary.
std::optional<uint64_t> page_struct_pfn(Program& prog, uint64_t addr) {
  auto base = prog.arch().page_struct(0);
  auto page_t = prog.types().find_struct("page");
  auto nodes = read_nodes(prog);
  if (!base || !page_t.ok() || !nodes.ok() || addr < *base) return std::nullopt;
  uint64_t size = (*page_t)->byte_size();
  if (size == 0 || (addr - *base) % size) return std::nullopt;
  uint64_t pfn = (addr - *base) / size;
  for (const auto& n : *nodes)
    if (pfn >= n.start_pfn && pfn < n.start_pfn + n.spanned) return pfn;
  return std::nullopt;
}

void print_slab_hit(CommandContext& ctx, const SlabHit& h, uint64_t addr) {
  Output& out = ctx.out;
  print_cache_header(out);
  print_cache_line(out, h.cache, h.walk, ctx.program->arch().page_size());
  print_slab_header(out);
  print_slab_line(out, h.slab);
  out.line("  FREE / [ALLOCATED]");
  switch (h.state) {
    case ObjectState::allocated: out.print("  [%" PRIx64 "]\n", h.object); break;
    case ObjectState::free_cpu: out.print("   %" PRIx64 "  (cpu %d cache)\n", h.object, h.slab.cpu); break;
    case ObjectState::free: out.print("   %" PRIx64 "  \n", h.object); break;
  }
  // crash names the task only for the task_struct's own address.
  if (h.cache.name != "task_struct" || h.state != ObjectState::allocated || addr != h.object) return;
  auto tasks = ctx.session.tasks();
  if (!tasks.ok()) return;
  if (const TaskInfo* t = (*tasks)->by_task(h.object)) {
    out.line("");
    print_context(ctx.session, *t, out);
  }
}

std::string symbol_line(const Program& prog, uint64_t addr) {
  auto m = prog.symbols().lookup(addr);
  if (!m || !m->sym) return {};
  const Symbol& s = *m->sym;
  char head[64];
  std::snprintf(head, sizeof head, "%" PRIx64 " (%c) ", addr, s.type);
  std::string line = head + std::string(s.name);
  if (m->offset) line += "+" + std::to_string(m->offset);
  bool text = s.type == 't' || s.type == 'T';
  if (!s.module.empty()) line += " [" + std::string(s.module) + "]" + (text ? " " : "");
  return line;
}

}  // namespace

Status kmem_address(CommandContext& ctx, uint64_t addr) {
  Program& prog = *ctx.program;
  Output& out = ctx.out;
  if (auto pfn = page_struct_pfn(prog, addr)) {
    unsigned shift = 0;
    while ((1ull << shift) < prog.arch().page_size()) ++shift;
    return print_page_block(out, prog, addr, *pfn << shift);
  }
  if (!prog.arch().is_kernel_address(addr))
    return fail(Errc::invalid_argument, "kmem: " + hex(addr) + ": not a kernel virtual address (user addresses need a task)");
  auto t = prog.arch().kvtop(addr);
  bool blocks = false;
  auto separate = [&] {
    if (blocks) out.line("");
    blocks = true;
  };

  if (t.ok() && t->region == "direct map") {
    auto hit = find_slab_object(prog, addr);
    if (!hit.ok()) {
      separate();
      out.line("kmem: " + hit.error().to_string());
    } else if (*hit) {
      separate();
      print_slab_hit(ctx, **hit, addr);
    }
  }
  if (t.ok() && (t->region == "kernel text" || t->region == "module")) {
    if (std::string line = symbol_line(prog, addr); !line.empty()) {
      separate();
      out.line(line);
    }
  }
  if (auto va = find_vmap_area(prog, addr); va.ok() && *va) {
    separate();
    out.line("   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE");
    out.print("%16" PRIx64 "  %16" PRIx64 "  %16" PRIx64 " - %16" PRIx64 "  %7" PRIu64 "\n", (*va)->address,
              (*va)->vm, (*va)->start, (*va)->end, (*va)->end - (*va)->start);
  }
  if (auto tasks = ctx.session.tasks(); tasks.ok()) {
    if (auto st = find_task_stack(prog, **tasks, addr); st.ok() && *st) {
      separate();
      out.print("TASK STACK: %" PRIx64 " - %" PRIx64 "  PID: %lld  TASK: %" PRIx64 "  COMMAND: \"%s\"\n",
                (*st)->base, (*st)->end, static_cast<long long>((*st)->task->pid), (*st)->task->task,
                (*st)->task->comm.c_str());
    }
  }
  if (auto pc = find_per_cpu(prog, addr); pc.ok() && *pc) {
    separate();
    std::string sym = (*pc)->symbol.empty() ? "" : "  (" + (*pc)->symbol + "+" + std::to_string((*pc)->symbol_offset) + ")";
    out.print("PER-CPU: CPU %u  OFFSET: %" PRIx64 "%s\n", (*pc)->cpu, (*pc)->offset, sym.c_str());
  }
  if (!t.ok()) {
    if (blocks) return {};
    return fail(std::move(t).error().context("kmem " + hex(addr)));
  }
  if (auto page = prog.arch().page_struct(t->paddr)) {
    if (blocks) out.line("");
    return print_page_block(out, prog, *page, t->paddr);
  }
  return {};
}

}  // namespace kinspect
