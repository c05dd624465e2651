#include "core/linux/zones.hpp"

#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

Result<uint64_t> u64_member(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

// atomic_long_t since 5.0 (kernel commit 9705bea5f833), unsigned long before.
Result<uint64_t> maybe_atomic(const Object& o, std::string_view path) {
  auto v = u64_member(o, std::string(path) + ".counter");
  if (v.ok()) return v;
  return u64_member(o, path);
}

// The node ids set in node_states[N_ONLINE]; nullopt when the kernel has no
// such mask (a non-NUMA build), so every node_data slot is tried.
std::optional<std::vector<bool>> online_nodes(Program& prog) {
  auto n_online = prog.types().enumerator("N_ONLINE");
  auto states = variable(prog, "node_states");
  if (!n_online || !states.ok()) return std::nullopt;
  auto mask = states->index(n_online->value);
  if (!mask.ok()) return std::nullopt;
  auto bytes = mask->bytes();
  if (!bytes.ok()) return std::nullopt;
  std::vector<bool> on(bytes->size() * 8);
  for (size_t i = 0; i < on.size(); ++i) on[i] = ((*bytes)[i / 8] >> (i % 8)) & 1;
  return on;
}

Result<ZoneInfo> read_zone(Program& prog, const Object& zone, int node, unsigned index,
                           const std::vector<std::string>& stat_names) {
  ZoneInfo z;
  z.node = node;
  z.index = index;
  z.address = zone.address();
  ASSIGN_OR_RETURN(Object name, zone.member("name"));
  z.name = name.as_string(64).value_or("?");
  ASSIGN_OR_RETURN(z.start_pfn, u64_member(zone, "zone_start_pfn"));
  ASSIGN_OR_RETURN(z.spanned, u64_member(zone, "spanned_pages"));
  ASSIGN_OR_RETURN(z.present, u64_member(zone, "present_pages"));
  ASSIGN_OR_RETURN(z.managed, maybe_atomic(zone, "managed_pages"));
  // _watermark[] since 5.0 (kernel commit 1c30844d2dfe), watermark[] before.
  auto wm = zone.member("_watermark");
  if (!wm.ok()) wm = zone.member("watermark");
  if (!wm.ok()) return fail(std::move(wm).error());
  ASSIGN_OR_RETURN(Object w0, wm->index(0));
  ASSIGN_OR_RETURN(Object w1, wm->index(1));
  ASSIGN_OR_RETURN(Object w2, wm->index(2));
  ASSIGN_OR_RETURN(z.wmark_min, w0.as_u64());
  ASSIGN_OR_RETURN(z.wmark_low, w1.as_u64());
  ASSIGN_OR_RETURN(z.wmark_high, w2.as_u64());
  ASSIGN_OR_RETURN(Object vs, zone.member("vm_stat"));
  ASSIGN_OR_RETURN(z.vm_stat, read_counters(prog, vs.address(), stat_names));
  // Per-cpu zone statistics split out of per_cpu_pageset in 5.14 (kernel
  // commit 28f836b6777b); only the NUMA event counts are taken from them.
  if (auto pcz = zone.member("per_cpu_zonestats"); pcz.ok()) z.per_cpu_zonestats = pcz->as_u64().value_or(0);
  ASSIGN_OR_RETURN(Object areas, zone.member("free_area"));
  uint64_t orders = areas.type()->strip()->count.value_or(0);
  for (unsigned o = 0; o < orders; ++o) {
    ASSIGN_OR_RETURN(Object fa, areas.index(o));
    FreeArea f;
    f.order = o;
    f.address = fa.address();
    ASSIGN_OR_RETURN(f.nr_free, u64_member(fa, "nr_free"));
    ASSIGN_OR_RETURN(Object lists, fa.member("free_list"));
    uint64_t types = lists.type()->strip()->count.value_or(0);
    for (unsigned t = 0; t < types; ++t) {
      ASSIGN_OR_RETURN(Object head, lists.index(t));
      f.list_heads.push_back(head.address());
    }
    z.free_areas.push_back(std::move(f));
  }
  return z;
}

Result<NodeInfo> read_node(Program& prog, const Type* pgdat_t, uint64_t pgdat, int id,
                           const std::vector<std::string>& stat_names) {
  Object pg = Object::at(prog, pgdat_t, pgdat);
  NodeInfo n;
  n.id = id;
  n.pgdat = pgdat;
  ASSIGN_OR_RETURN(n.start_pfn, u64_member(pg, "node_start_pfn"));
  ASSIGN_OR_RETURN(n.spanned, u64_member(pg, "node_spanned_pages"));
  ASSIGN_OR_RETURN(n.present, u64_member(pg, "node_present_pages"));
  ASSIGN_OR_RETURN(Object zones, pg.member("node_zones"));
  uint64_t count = zones.type()->strip()->count.value_or(0);
  for (unsigned i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(Object zone, zones.index(i));
    auto z = read_zone(prog, zone, id, i, stat_names);
    if (!z.ok()) return fail(std::move(z).error().context("reading zone " + std::to_string(i) + " of node " +
                                                          std::to_string(id) + " at " + hex(zone.address())));
    n.zones.push_back(std::move(*z));
  }
  return n;
}

}  // namespace

Result<std::vector<NodeInfo>> read_nodes(Program& prog) {
  ASSIGN_OR_RETURN(const Type* pgdat_t, prog.types().find_struct("pglist_data"));
  auto names = counter_names(prog, "zone_stat_item", "NR_VM_ZONE_STAT_ITEMS");
  if (!names.ok()) return fail(std::move(names).error());
  std::vector<NodeInfo> nodes;
  if (auto nd = variable(prog, "node_data"); nd.ok()) {
    // NUMA: node_data[MAX_NUMNODES] of pointers, set for possible nodes.
    auto online = online_nodes(prog);
    uint64_t slots = nd->type()->strip()->count.value_or(0);
    for (unsigned i = 0; i < slots; ++i) {
      if (online && (i >= online->size() || !(*online)[i])) continue;
      ASSIGN_OR_RETURN(Object slot, nd->index(i));
      ASSIGN_OR_RETURN(uint64_t pgdat, slot.as_u64());
      if (!pgdat) continue;
      ASSIGN_OR_RETURN(NodeInfo n, read_node(prog, pgdat_t, pgdat, static_cast<int>(i), *names));
      nodes.push_back(std::move(n));
    }
    return nodes;
  }
  ASSIGN_OR_RETURN(uint64_t contig, prog.symbol_address("contig_page_data"));
  ASSIGN_OR_RETURN(NodeInfo n, read_node(prog, pgdat_t, contig, 0, *names));
  nodes.push_back(std::move(n));
  return nodes;
}

Result<std::vector<std::string>> migrate_type_names(Program& prog) {
  ASSIGN_OR_RETURN(Object arr, variable(prog, "migratetype_names"));
  uint64_t n = arr.type()->strip()->count.value_or(0);
  std::vector<std::string> out;
  for (unsigned i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(Object s, arr.index(i));
    ASSIGN_OR_RETURN(std::string name, s.as_string(64));
    out.push_back(name);
  }
  return out;
}

}  // namespace kinspect
