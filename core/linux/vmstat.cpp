#include "core/linux/vmstat.hpp"

#include <cstring>

#include "core/linux/zones.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

std::optional<int64_t> CounterTable::get(std::string_view name) const {
  for (const auto& c : counters)
    if (c.name == name) return c.value;
  return std::nullopt;
}

const CounterTable* VmStat::table(std::string_view title) const {
  for (const auto& t : tables)
    if (t.title == title) return &t;
  return nullptr;
}

std::optional<int64_t> VmStat::get(std::string_view name) const {
  for (const auto& t : tables)
    if (auto v = t.get(name)) return v;
  return std::nullopt;
}

Result<std::vector<std::string>> counter_names(Program& prog, std::string_view tag,
                                               std::string_view count_name) {
  ASSIGN_OR_RETURN(const Type* e, prog.types().find_enum(tag));
  std::optional<int64_t> count;
  for (const auto& en : e->enumerators)
    if (en.name == count_name) count = en.value;
  if (!count || *count <= 0 || *count > 4096)
    return fail(Errc::not_found, "enum " + std::string(tag) + " has no " + std::string(count_name));
  std::vector<std::string> names(static_cast<size_t>(*count));
  for (const auto& en : e->enumerators)
    if (en.value >= 0 && en.value < *count) names[static_cast<size_t>(en.value)] = en.name;
  return names;
}

Result<std::vector<NamedCounter>> read_counters(Program& prog, uint64_t address,
                                                const std::vector<std::string>& names) {
  std::vector<uint8_t> buf(names.size() * 8);
  TRY_VOID(prog.read(address, buf));
  std::vector<NamedCounter> out;
  for (size_t i = 0; i < names.size(); ++i) {
    int64_t v = 0;
    std::memcpy(&v, buf.data() + i * 8, 8);
    out.push_back({names[i], v});
  }
  return out;
}

namespace {

Result<CounterTable> global_table(Program& prog, std::string_view symbol, std::string_view title,
                                  std::string_view tag, std::string_view count_name) {
  ASSIGN_OR_RETURN(uint64_t addr, prog.symbol_address(symbol));
  ASSIGN_OR_RETURN(auto names, counter_names(prog, tag, count_name));
  ASSIGN_OR_RETURN(auto counters, read_counters(prog, addr, names));
  return CounterTable{std::string(title), std::move(counters)};
}

// vm_event_states is per cpu; /proc/vmstat shows the sum over the CPUs.
Result<CounterTable> event_table(Program& prog) {
  ASSIGN_OR_RETURN(uint64_t addr, prog.symbol_address("vm_event_states"));
  ASSIGN_OR_RETURN(auto names, counter_names(prog, "vm_event_item", "NR_VM_EVENT_ITEMS"));
  ASSIGN_OR_RETURN(unsigned cpus, nr_cpu_ids(prog));
  CounterTable t{"VM_EVENT_STATES", {}};
  for (const auto& n : names) t.counters.push_back({n, 0});
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog, addr, cpu));
    auto c = read_counters(prog, a, names);
    if (!c.ok()) return fail(std::move(c).error().context("vm_event_states of cpu " + std::to_string(cpu)));
    for (size_t i = 0; i < names.size(); ++i) t.counters[i].value += (*c)[i].value;
  }
  return t;
}

// Since 5.14 (kernel commit f19298b9516c) NUMA events are counted per cpu
// in each zone's per_cpu_zonestats and folded into vm_numa_event only from
// time to time; /proc/vmstat folds them first, so the sum here does too.
Result<CounterTable> numa_event_table(Program& prog) {
  ASSIGN_OR_RETURN(CounterTable t,
                   global_table(prog, "vm_numa_event", "VM_NUMA_EVENT", "numa_stat_item", "NR_VM_NUMA_EVENT_ITEMS"));
  // struct per_cpu_zonestat (singular) holds them.
  ASSIGN_OR_RETURN(uint64_t off, prog.types().member_offset("per_cpu_zonestat", "vm_numa_event"));
  ASSIGN_OR_RETURN(auto nodes, read_nodes(prog));
  ASSIGN_OR_RETURN(unsigned cpus, nr_cpu_ids(prog));
  std::vector<std::string> names;
  for (const auto& c : t.counters) names.push_back(c.name);
  for (const auto& n : nodes)
    for (const auto& z : n.zones) {
      if (!z.per_cpu_zonestats) continue;
      for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog, z.per_cpu_zonestats, cpu));
        auto c = read_counters(prog, a + off, names);
        if (!c.ok()) return fail(std::move(c).error().context("per_cpu_zonestats of zone " + z.name));
        for (size_t i = 0; i < names.size(); ++i) t.counters[i].value += (*c)[i].value;
      }
    }
  return t;
}

}  // namespace

Result<VmStat> read_vm_stat(Program& prog) {
  VmStat s;
  auto add = [&](Result<CounterTable> t) {
    if (t.ok()) s.tables.push_back(std::move(*t));
    else s.gaps.push_back(t.error().to_string());
  };
  if (prog.symbols().find("vm_zone_stat")) {
    // Zone and node counters split in 4.8 (kernel commit 75ef71840539).
    add(global_table(prog, "vm_zone_stat", "VM_ZONE_STAT", "zone_stat_item", "NR_VM_ZONE_STAT_ITEMS"));
    add(global_table(prog, "vm_node_stat", "VM_NODE_STAT", "node_stat_item", "NR_VM_NODE_STAT_ITEMS"));
  } else if (prog.symbols().find("vm_stat")) {
    add(global_table(prog, "vm_stat", "VM_STAT", "zone_stat_item", "NR_VM_ZONE_STAT_ITEMS"));
  } else {
    return fail(Errc::not_found, "the kernel has neither vm_zone_stat nor vm_stat");
  }
  if (prog.symbols().find("vm_numa_event"))
    add(numa_event_table(prog));
  else if (prog.symbols().find("vm_numa_stat"))  // 4.14 to 5.13
    add(global_table(prog, "vm_numa_stat", "VM_NUMA_STAT", "numa_stat_item", "NR_VM_NUMA_STAT_ITEMS"));
  if (prog.symbols().find("vm_event_states")) add(event_table(prog));
  return s;
}

}  // namespace kinspect
