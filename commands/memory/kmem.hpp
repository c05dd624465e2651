// The parts of `kmem` (commands/memory/cmd_kmem.cpp parses the flags):
// each prints one of crash's kmem reports from the core/linux readers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "commands/command.hpp"

namespace kinspect {

struct SlabCache;
struct CacheWalk;
struct Slab;

Status kmem_info(CommandContext& ctx);     // -i
Status kmem_vm_stat(CommandContext& ctx);  // -V
Status kmem_zones(CommandContext& ctx);    // -z
// -s / -S: every cache, or those named (by name or kmem_cache address).
Status kmem_slabs(CommandContext& ctx, const std::vector<std::string>& caches, bool objects);
// kmem ADDR: what the address is; an error when nothing claims it.
Status kmem_address(CommandContext& ctx, uint64_t addr);

// crash's slab report lines, shared by -s, -S and kmem ADDR.
void print_cache_header(Output& out);
void print_cache_line(Output& out, const SlabCache& c, const CacheWalk& w, uint64_t page_size);
void print_slab_header(Output& out);
void print_slab_line(Output& out, const Slab& s);

}  // namespace kinspect
