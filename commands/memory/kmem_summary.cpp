// kmem -i, -V and -z: the memory summary, the vm_stat counters and the
// zones, in crash's layout.
#include <algorithm>
#include <cinttypes>
#include <cstring>

#include "commands/memory/kmem.hpp"
#include "core/linux/mem_summary.hpp"
#include "core/linux/vmstat.hpp"
#include "core/linux/zones.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

// crash's pages_to_size(): "469.3 MB", "2 GB" (a ".0" dropped), "512 KB", "0".
std::string pages_to_size(uint64_t pages, uint64_t page_size) {
  if (pages == 0) return "0";
  double total = static_cast<double>(pages) * static_cast<double>(page_size);
  char buf[64];
  if (total >= 1024.0 * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f GB", total / (1024.0 * 1024 * 1024));
  else if (total >= 1024.0 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MB", total / (1024.0 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%" PRIu64 " KB", static_cast<uint64_t>(total / 1024.0));
  std::string s = buf;
  if (auto p = s.find(".0 "); p != std::string::npos) s.erase(p, 2);
  return s;
}

uint64_t percent(uint64_t part, uint64_t whole) { return whole ? part * 100 / whole : 0; }

void row(Output& out, const char* label, uint64_t pages, uint64_t page_size) {
  out.print("%13s  %7" PRIu64 "  %11s         ----\n", label, pages, pages_to_size(pages, page_size).c_str());
}

void row_pct(Output& out, const char* label, uint64_t pages, uint64_t whole, const char* of, uint64_t page_size) {
  out.print("%13s  %7" PRIu64 "  %11s  %3" PRIu64 "%% of %s\n", label, pages, pages_to_size(pages, page_size).c_str(),
            percent(pages, whole), of);
}

size_t name_width(const std::vector<NamedCounter>& counters) {
  size_t w = 0;
  for (const auto& c : counters) w = std::max(w, c.name.size());
  return w;
}

void print_counters(Output& out, const std::vector<NamedCounter>& counters, size_t width) {
  for (const auto& c : counters) out.print("%*s: %" PRId64 "\n", static_cast<int>(width), c.name.c_str(), c.value);
}

}  // namespace

Status kmem_info(CommandContext& ctx) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(VmStat vm, read_vm_stat(prog));
  ASSIGN_OR_RETURN(MemSummary m, read_mem_summary(prog, vm));
  const uint64_t ps = prog.arch().page_size();
  Output& out = ctx.out;
  out.line("                 PAGES        TOTAL      PERCENTAGE");
  row(out, "TOTAL MEM", m.total, ps);
  row_pct(out, "FREE", m.free, m.total, "TOTAL MEM", ps);
  row_pct(out, "USED", m.total > m.free ? m.total - m.free : 0, m.total, "TOTAL MEM", ps);
  row_pct(out, "SHARED", m.shared, m.total, "TOTAL MEM", ps);
  row_pct(out, "BUFFERS", m.buffers, m.total, "TOTAL MEM", ps);
  row_pct(out, "CACHED", m.cached, m.total, "TOTAL MEM", ps);
  row_pct(out, "SLAB", m.slab, m.total, "TOTAL MEM", ps);
  out.line("");
  row(out, "TOTAL HUGE", m.huge_total, ps);
  row_pct(out, "HUGE FREE", m.huge_free, m.huge_total, "TOTAL HUGE", ps);
  out.line("");
  row(out, "TOTAL SWAP", m.swap_total, ps);
  row_pct(out, "SWAP USED", m.swap_total > m.swap_free ? m.swap_total - m.swap_free : 0, m.swap_total, "TOTAL SWAP",
          ps);
  row_pct(out, "SWAP FREE", m.swap_free, m.swap_total, "TOTAL SWAP", ps);
  out.line("");
  row(out, "COMMIT LIMIT", m.commit_limit, ps);
  row_pct(out, "COMMITTED", m.committed, m.commit_limit, "TOTAL LIMIT", ps);
  for (const auto& g : vm.gaps) out.line("kmem: " + g);
  for (const auto& g : m.gaps) out.line("kmem: " + g);
  if (m.page_counts.unreadable)
    out.print("kmem: %" PRIu64 " struct pages not in the dump (SHARED and SLAB count the rest)\n",
              m.page_counts.unreadable);
  return {};
}

Status kmem_vm_stat(CommandContext& ctx) {
  ASSIGN_OR_RETURN(VmStat vm, read_vm_stat(*ctx.program));
  // crash reads zone and node items as one list, so they share one width.
  size_t stat_width = 0;
  for (const auto& t : vm.tables)
    if (t.title == "VM_ZONE_STAT" || t.title == "VM_NODE_STAT" || t.title == "VM_STAT")
      stat_width = std::max(stat_width, name_width(t.counters));
  bool first = true;
  for (const auto& t : vm.tables) {
    if (!first) ctx.out.line("");
    first = false;
    ctx.out.line("  " + t.title + ":");
    bool stat = t.title == "VM_ZONE_STAT" || t.title == "VM_NODE_STAT" || t.title == "VM_STAT";
    print_counters(ctx.out, t.counters, stat ? stat_width : name_width(t.counters));
  }
  for (const auto& g : vm.gaps) ctx.out.line("kmem: " + g);
  return {};
}

Status kmem_zones(CommandContext& ctx) {
  ASSIGN_OR_RETURN(auto nodes, read_nodes(*ctx.program));
  for (const auto& n : nodes)
    for (const auto& z : n.zones) {
      ctx.out.print("NODE: %d  ZONE: %u  ADDR: %" PRIx64 "  NAME: \"%s\"\n", n.id, z.index, z.address, z.name.c_str());
      if (z.spanned == 0) {
        ctx.out.line("  [unpopulated]");
        ctx.out.line("");
        continue;
      }
      std::string present = z.present != z.spanned ? "  PRESENT: " + std::to_string(z.present) : "";
      ctx.out.print("  SIZE: %" PRIu64 "%s  MIN/LOW/HIGH: %" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n", z.spanned,
                    present.c_str(), z.wmark_min, z.wmark_low, z.wmark_high);
      ctx.out.line("  VM_STAT:");
      print_counters(ctx.out, z.vm_stat, name_width(z.vm_stat));
      ctx.out.line("");
      ctx.out.line("");
    }
  return {};
}

}  // namespace kinspect
