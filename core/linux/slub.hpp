// SLUB caches: every struct kmem_cache on slab_caches, and for one cache
// its per-cpu slabs (with the objects on each CPU's lockless freelist), its
// per-cpu partial slabs and its per-node partial (and, when tracked, full)
// slabs, each object marked allocated or free. Layouts come from the DWARF:
// struct slab (5.17+) or the slab fields of struct page before it, and
// kmem_cache_cpu's slab or page member. Free pointers are decoded as
// CONFIG_SLAB_FREELIST_HARDENED stores them when kmem_cache has `random`.
// SLAB and SLOB kernels (no kmem_cache_cpu) are reported as unsupported.
// No printing here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct SlabCache {
  uint64_t address = 0;  // struct kmem_cache
  std::string name;
  uint64_t object_size = 0;  // what the user asked for (crash's OBJSIZE)
  uint64_t size = 0;         // stride of objects in a slab, metadata included
  uint64_t offset = 0;       // of the free pointer in a free object
  uint64_t red_left_pad = 0;
  unsigned order = 0;        // pages per slab = 1 << order
  unsigned objects_per_slab = 0;
  uint64_t cpu_slab = 0;     // __percpu struct kmem_cache_cpu *
  std::vector<std::pair<int, uint64_t>> nodes;  // (node id, struct kmem_cache_node *)
  uint64_t flags = 0;        // SLAB_* flags
  uint64_t random = 0;       // CONFIG_SLAB_FREELIST_HARDENED key
  bool hardened = false;
};

enum class ObjectState { allocated, free, free_cpu };  // free_cpu: free in a CPU's active slab

struct SlabObject {
  uint64_t address = 0;
  ObjectState state = ObjectState::allocated;
};

enum class SlabPlace { cpu, cpu_partial, node_partial, node_full, other };

struct Slab {
  uint64_t address = 0;  // struct slab (or struct page)
  uint64_t memory = 0;   // first byte of the slab's memory
  int node = 0;
  unsigned objects = 0, inuse = 0;
  SlabPlace place = SlabPlace::other;
  int cpu = -1;          // cpu and cpu_partial slabs
  unsigned free = 0;     // free objects (freelists counted)
  std::vector<SlabObject> object_list;  // filled when objects were asked for
  std::string gap;       // why the freelist could not be followed, if so
};

struct CpuSlabs {
  unsigned cpu = 0;
  uint64_t kmem_cache_cpu = 0;
  std::optional<Slab> slab;
  std::vector<Slab> partial;
};

struct NodeSlabs {
  int node = 0;
  uint64_t kmem_cache_node = 0;
  uint64_t nr_slabs = 0, nr_partial = 0, total_objects = 0;
  unsigned cpu_slabs = 0;        // per-cpu slabs of this node (crash's PER-CPU)
  std::vector<Slab> partial;
  std::optional<std::vector<Slab>> full;  // nullopt: the kernel does not track full slabs
};

struct CacheWalk {
  std::vector<CpuSlabs> cpus;
  std::vector<NodeSlabs> nodes;
  uint64_t total = 0, slabs = 0, free = 0;
  uint64_t allocated() const { return total > free ? total - free : 0; }
  std::vector<std::string> gaps;  // slabs or lists that could not be read
};

// Every cache on slab_caches, in list order (newest first, as crash shows them).
Result<std::vector<SlabCache>> read_slab_caches(Program& prog);
Result<SlabCache> read_slab_cache(Program& prog, uint64_t kmem_cache);

// Walks one cache's slabs; with_objects fills each slab's object_list.
Result<CacheWalk> walk_cache(Program& prog, const SlabCache& cache, bool with_objects);

// The object an address falls in, when it is in a slab page.
struct SlabHit {
  SlabCache cache;
  CacheWalk walk;            // the whole cache, for its counts
  Slab slab;                 // its place (cpu, partial, full...) and counts
  uint64_t object = 0;       // start of the object containing the address
  ObjectState state = ObjectState::allocated;
};
// nullopt when the address is not in a slab page; an error when it is but
// the slab cannot be read.
Result<std::optional<SlabHit>> find_slab_object(Program& prog, uint64_t vaddr);

}  // namespace kinspect
