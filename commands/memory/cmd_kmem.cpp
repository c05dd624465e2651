// kmem: crash's kernel memory command. This file reads the flags and hands
// each report to its printer (kmem_summary.cpp, kmem_slab.cpp,
// kmem_address.cpp); the flags not done yet say so in one line.
#include <cinttypes>

#include "commands/memory/kmem.hpp"
#include "core/linux/vmalloc.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

Status kmem_vmalloc(CommandContext& ctx) {
  ASSIGN_OR_RETURN(auto areas, read_vmap_areas(*ctx.program));
  ctx.out.line("   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE");
  for (const auto& a : areas) {
    if (!a.vm) continue;  // vm_map_ram areas have no vm_struct; crash skips them
    ctx.out.print("%16" PRIx64 "  %16" PRIx64 "  %16" PRIx64 " - %16" PRIx64 "  %7" PRIu64 "\n", a.address, a.vm,
                  a.start, a.end, a.end - a.start);
  }
  return {};
}

constexpr std::string_view kNotYet = "fFcCnohprgmIPlL";

}  // namespace

Status cmd_kmem(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "iVzsSvfFcCnohprgm:I:PlL"));
  for (char f : o.flags)
    if (kNotYet.find(f) != std::string_view::npos)
      return fail(Errc::unsupported, std::string("kmem -") + f + " is not implemented yet");
  int reports = o.has('i') + o.has('V') + o.has('z') + o.has('v') + (o.has('s') || o.has('S'));
  if (reports > 1) return fail(Errc::invalid_argument, "kmem: use one of -i, -V, -z, -v, -s/-S at a time");
  if (o.has('s') || o.has('S')) {
    std::vector<std::string> names;
    for (const auto& w : o.positional) names.push_back(w.text);
    return kmem_slabs(ctx, names, o.has('S'));
  }
  if (reports == 1 && !o.positional.empty())
    return fail(Errc::invalid_argument, "kmem: -" + std::string(1, o.flags[0]) + " takes no address");
  if (o.has('i')) return kmem_info(ctx);
  if (o.has('V')) return kmem_vm_stat(ctx);
  if (o.has('z')) return kmem_zones(ctx);
  if (o.has('v')) return kmem_vmalloc(ctx);
  if (o.positional.empty())
    return fail(Errc::invalid_argument, "usage: kmem [-i|-V|-z|-v] | [-s|-S] [CACHE...] | ADDRESS...");
  Status result;
  for (size_t i = 0; i < o.positional.size(); ++i) {
    auto a = parse_hex(o.positional[i].text);
    if (!a) {
      if (result.ok()) result = fail(Errc::invalid_argument, "kmem: invalid address: " + o.positional[i].text);
      continue;
    }
    if (i > 0) ctx.out.line("");
    if (Status s = kmem_address(ctx, *a); !s.ok() && result.ok()) result = s;
  }
  return result;
}

namespace {
constexpr std::string_view kKmemHelp = R"kmem(NAME
  kmem - kernel memory

SYNOPSIS
  kmem -i | -V | -z | -v
  kmem -s|-S [CACHE...]
  kmem ADDRESS...

DESCRIPTION
  crash's kmem reports, read from the dump's own counters and lists, with
  the kernel's layouts taken from its DWARF.

  -i      memory summary: TOTAL MEM, FREE, USED, SHARED, BUFFERS, CACHED,
          SLAB, hugetlb pages, swap and the commit limit, in pages, size
          and percent, as crash prints it. SHARED and SLAB come from a walk
          of every struct page (pages with _refcount > 1; pages with
          PG_slab, i.e. the head page of each slab, as crash counts them);
          /proc/meminfo's Slab is NR_SLAB_*_B in kmem -V.
  -V      the vm_stat counters: VM_ZONE_STAT, VM_NODE_STAT (VM_STAT before
          4.8), VM_NUMA_EVENT (5.14+; VM_NUMA_STAT before, the per-cpu
          counts folded in as /proc/vmstat does) and VM_EVENT_STATES
          (summed over the CPUs), each named by its kernel enumerator.
  -z      every zone of every node: size, present pages, watermarks and the
          zone's vm_stat counters.
  -v      the vmalloc areas (struct vmap_area, vm_struct, range, size).
  -s      SLUB caches: CACHE OBJSIZE ALLOCATED TOTAL SLABS SSIZE NAME, all
          of them or the CACHEs named (by name or kmem_cache address).
          ALLOCATED is TOTAL less the free objects on the per-cpu
          freelists and slabs, the per-cpu partial and the node partial
          slabs. Free pointers hardened by CONFIG_SLAB_FREELIST_HARDENED
          are decoded. SLAB and SLOB kernels are not handled.
  -S      as -s, then for each cache every CPU's kmem_cache_cpu, active
          slab and partial slabs, every node's kmem_cache_node and partial
          slabs (full slabs are listed only where the kernel tracks them),
          with each object: "[ADDR]" allocated, "ADDR" free, "ADDR  (cpu N
          cache)" free in that CPU's active slab.
  ADDRESS what the kernel address is: the slab object containing it (cache,
          slab, object start, allocated or free, and the task of an
          allocated task_struct), the kernel or module symbol, the vmalloc
          area, the task whose kernel stack it is on (TASK STACK, beyond
          crash), the CPU whose per-cpu area it is in (PER-CPU, beyond
          crash), then its struct page with flags. A struct page address
          shows that page.
  -f  -F  -c  -C  -n  -o  -h  -p  -r  -g  -m  -I  -P  -l  -L
          crash's other kmem flags: each says it is not implemented yet.
)kmem";
}  // namespace

extern const CommandSpec kKmemCommand{"kmem", cmd_kmem, "kernel memory", kKmemHelp,
                                      "-i -V -z -v -s -S -f -F -c -C -n -o -h -p -r -g -m -I -P -l -L", true};

}  // namespace kinspect
