// kmem -s / -S: SLUB caches in crash's layout, and the slab part of
// kmem ADDR.
#include <cinttypes>

#include "commands/memory/kmem.hpp"
#include "commands/args.hpp"
#include "commands/progress.hpp"
#include "core/linux/slub.hpp"
#include "core/program.hpp"

namespace kinspect {

void print_cache_header(Output& out) { out.line("CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME"); }

void print_cache_line(Output& out, const SlabCache& c, const CacheWalk& w, uint64_t page_size) {
  out.print("%-16" PRIx64 "  %7" PRIu64 "  %9" PRIu64 "  %8" PRIu64 "  %5" PRIu64 "  %4" PRIu64 "k  %s\n", c.address,
            c.object_size, w.allocated(), w.total, w.slabs, (page_size << c.order) / 1024, c.name.c_str());
}

void print_slab_header(Output& out) { out.line("  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE"); }

void print_slab_line(Output& out, const Slab& s) {
  out.print("  %16" PRIx64 "  %16" PRIx64 "  %4d  %5u  %9u  %4u\n", s.address, s.memory, s.node, s.objects,
            s.objects >= s.free ? s.objects - s.free : 0, s.free);
}

namespace {

void print_object(Output& out, const SlabObject& o, int cpu) {
  switch (o.state) {
    case ObjectState::allocated: out.print("  [%" PRIx64 "]\n", o.address); break;
    case ObjectState::free_cpu: out.print("   %" PRIx64 "  (cpu %d cache)\n", o.address, cpu); break;
    case ObjectState::free: out.print("   %" PRIx64 "  \n", o.address); break;
  }
}

void print_slab_objects(Output& out, const Slab& s) {
  print_slab_header(out);
  print_slab_line(out, s);
  if (!s.gap.empty()) {
    out.line("  (freelist unreadable: " + s.gap + ")");
    return;
  }
  out.line("  FREE / [ALLOCATED]");
  for (const auto& o : s.object_list) print_object(out, o, s.cpu);
}

void print_slab_list(Output& out, const std::vector<Slab>& slabs) {
  if (slabs.empty()) out.line("  (empty)");
  for (const auto& s : slabs) print_slab_objects(out, s);
}

void print_cache_objects(Output& out, const SlabCache& c, const CacheWalk& w) {
  for (const auto& cs : w.cpus) {
    out.print("CPU %u KMEM_CACHE_CPU:\n  %" PRIx64 "\n", cs.cpu, cs.kmem_cache_cpu);
    out.print("CPU %u SLAB:\n", cs.cpu);
    if (cs.slab)
      print_slab_objects(out, *cs.slab);
    else
      out.line("  (empty)");
    out.print("CPU %u PARTIAL:\n", cs.cpu);
    print_slab_list(out, cs.partial);
  }
  out.line("KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU");
  for (const auto& n : w.nodes)
    out.print("%16" PRIx64 "  %4d  %5" PRIu64 "  %7" PRIu64 "  %7u\n", n.kmem_cache_node, n.node, n.nr_slabs,
              n.nr_partial, n.cpu_slabs);
  for (const auto& n : w.nodes) {
    out.print("NODE %d PARTIAL:\n", n.node);
    print_slab_list(out, n.partial);
    out.print("NODE %d FULL:\n", n.node);
    if (n.full)
      print_slab_list(out, *n.full);
    else
      out.line("  (not tracked)");
  }
  (void)c;
}

// A cache argument: its name, or its kmem_cache address.
bool matches(const SlabCache& c, const std::string& arg) {
  if (c.name == arg) return true;
  auto a = parse_hex(arg);
  return a && *a == c.address;
}

}  // namespace

Status kmem_slabs(CommandContext& ctx, const std::vector<std::string>& names, bool objects) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(auto caches, read_slab_caches(prog));
  std::vector<const SlabCache*> chosen;
  for (const auto& n : names) {
    const SlabCache* hit = nullptr;
    for (const auto& c : caches)
      if (matches(c, n)) hit = &c;
    if (!hit) return fail(Errc::not_found, "invalid kmem_cache: " + n);
    chosen.push_back(hit);
  }
  if (names.empty())
    for (const auto& c : caches) chosen.push_back(&c);
  Progress progress("kmem", chosen.size(), "caches");
  Status result;
  if (!objects) print_cache_header(ctx.out);
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    progress.step(i);
    const SlabCache& c = *chosen[i];
    auto w = walk_cache(prog, c, objects);
    if (!w.ok()) {
      ctx.out.line("kmem: " + c.name + ": " + w.error().to_string());
      if (result.ok()) result = fail(std::move(w).error().context("cache " + c.name));
      continue;
    }
    if (objects) print_cache_header(ctx.out);
    print_cache_line(ctx.out, c, *w, prog.arch().page_size());
    if (objects) {
      print_cache_objects(ctx.out, c, *w);
      ctx.out.line("");
    }
    for (const auto& g : w->gaps) ctx.out.line("kmem: " + c.name + ": " + g);
  }
  return result;
}

}  // namespace kinspect
