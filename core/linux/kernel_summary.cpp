#include "core/linux/kernel_summary.hpp"

#include <bit>

#include "core/types/object.hpp"
#include <cstdio>
#include <vector>

namespace kinspect {

namespace {

// Population count of a cpumask variable (a bitmap sized by its symbol).
std::optional<int> count_mask(Program& prog, std::string_view name) {
  const Symbol* s = prog.symbols().find(name);
  if (!s) return std::nullopt;
  uint64_t size = s->size ? s->size : 8;
  if (size > 8192) size = 8192;  // NR_CPUS 65536 at most
  std::vector<uint8_t> buf(size);
  if (!prog.read(s->addr, buf).ok()) return std::nullopt;
  int n = 0;
  for (uint8_t b : buf) n += std::popcount(b);
  return n;
}

// Pages the kernel's memory nodes hold (pglist_data.node_present_pages,
// summed over node_data[] on NUMA kernels, contig_page_data otherwise): the
// figure crash prints as MEMORY.
Result<uint64_t> present_pages(Program& prog) {
  if (auto nodes = variable(prog, "node_data"); nodes.ok()) {
    const Type* t = nodes->type();
    uint64_t count = t->kind == TypeKind::array && t->count ? *t->count : 1;
    uint64_t pages = 0;
    for (uint64_t i = 0; i < count; ++i) {
      ASSIGN_OR_RETURN(Object node, nodes->index(static_cast<int64_t>(i)));
      ASSIGN_OR_RETURN(uint64_t ptr, node.as_u64());
      if (!ptr) continue;
      ASSIGN_OR_RETURN(Object pgdat, node.deref());
      ASSIGN_OR_RETURN(Object present, pgdat.member("node_present_pages"));
      ASSIGN_OR_RETURN(uint64_t n, present.as_u64());
      pages += n;
    }
    return pages;
  }
  ASSIGN_OR_RETURN(Object contig, variable(prog, "contig_page_data"));
  ASSIGN_OR_RETURN(Object present, contig.member("node_present_pages"));
  return present.as_u64();
}

// The kernel's wall-clock seconds at the crash: tk_core.timekeeper.xtime_sec
// (timekeeping core since 3.17), else the older shadow copies.
Result<int64_t> xtime_seconds(Program& prog) {
  if (auto tk = variable(prog, "tk_core"); tk.ok()) {
    ASSIGN_OR_RETURN(Object sec, tk->member("timekeeper.xtime_sec"));
    return sec.as_int();
  }
  ASSIGN_OR_RETURN(Object tk, variable(prog, "timekeeper"));
  ASSIGN_OR_RETURN(Object sec, tk.member("xtime_sec"));
  return sec.as_int();
}

// HZ from tick_nsec (NSEC_PER_SEC / HZ, rounded): the kernel keeps no HZ
// variable, and the configured value (100, 250, 300, 1000) differs by
// distribution. NTP may nudge tick_nsec by a few ns; rounding absorbs it.
std::optional<unsigned> kernel_hz(Program& prog) {
  auto v = variable(prog, "tick_nsec");
  if (!v.ok()) return std::nullopt;
  auto ns = v->as_u64();
  if (!ns.ok() || *ns == 0 || *ns > 1000000000ull) return std::nullopt;
  return static_cast<unsigned>((1000000000ull + *ns / 2) / *ns);
}

// Seconds since boot: jiffies_64 counts from INITIAL_JIFFIES, which is
// (unsigned long)(unsigned int)(-300 * HZ) so that the 32-bit jiffies
// wrap five minutes after boot (include/linux/jiffies.h).
std::optional<uint64_t> uptime_seconds(Program& prog, unsigned hz) {
  auto j = variable(prog, "jiffies_64");
  if (!j.ok()) j = variable(prog, "jiffies");
  if (!j.ok()) return std::nullopt;
  auto now = j->as_u64();
  if (!now.ok()) return std::nullopt;
  uint64_t initial = static_cast<uint32_t>(-300 * static_cast<int64_t>(hz));
  return (*now - initial) / hz;
}

// avenrun[3] holds fixed-point loads with FSHIFT 11 bits of fraction;
// like /proc/loadavg, crash rounds by adding FIXED_1/200 first.
std::optional<std::string> load_average(Program& prog) {
  auto v = variable(prog, "avenrun");
  if (!v.ok()) return std::nullopt;
  constexpr uint64_t kFshift = 11, kFixed1 = 1ull << kFshift;
  std::string out;
  for (int i = 0; i < 3; ++i) {
    auto e = v->index(i);
    if (!e.ok()) return std::nullopt;
    auto x = e->as_u64();
    if (!x.ok()) return std::nullopt;
    uint64_t a = *x + kFixed1 / 200;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%llu.%02llu", i ? ", " : "",
                  static_cast<unsigned long long>(a >> kFshift),
                  static_cast<unsigned long long>(((a & (kFixed1 - 1)) * 100) >> kFshift));
    out += buf;
  }
  return out;
}

}  // namespace

KernelSummary read_kernel_summary(Program& prog) {
  KernelSummary k;
  const DumpInfo& info = prog.dump_info();
  int present = count_mask(prog, "__cpu_present_mask").value_or(0);
  int online = count_mask(prog, "__cpu_online_mask").value_or(0);
  k.cpus = present ? present : online;
  if (!k.cpus && info.header_nr_cpus) k.cpus = *info.header_nr_cpus;
  if (!k.cpus) k.cpus = static_cast<int>(info.prstatus.size());
  k.cpus_offline = (present && online && online < present) ? present - online : 0;

  if (auto t = xtime_seconds(prog); t.ok() && *t > 0) {
    k.crash_time = *t;
    k.crash_time_source = "tk_core.timekeeper.xtime_sec";
  } else if (info.timestamp_sec && *info.timestamp_sec > 0) {
    k.crash_time = *info.timestamp_sec;
    k.crash_time_source = "kdump header";
  } else if (auto t = prog.vmcoreinfo().dec_value("CRASHTIME")) {
    k.crash_time = *t;
    k.crash_time_source = "VMCOREINFO CRASHTIME";
  }

  if (auto pages = present_pages(prog); pages.ok() && *pages) {
    k.memory_bytes = *pages * prog.arch().page_size();
  } else {
    for (const auto& r : prog.dump().ranges()) k.memory_bytes += r.end - r.start;
  }

  if (const Symbol* s = prog.symbols().find("cpu_khz")) {
    if (auto v = prog.read_u32(s->addr); v.ok()) k.cpu_khz = *v;
  }
  k.hz = kernel_hz(prog);
  k.uptime_sec = kernel_uptime_seconds(prog);
  k.load_average = load_average(prog);
  return k;
}

std::optional<uint64_t> kernel_uptime_seconds(Program& prog) {
  auto hz = kernel_hz(prog);
  if (!hz) return std::nullopt;
  return uptime_seconds(prog, *hz);
}

Result<int64_t> kernel_xtime(Program& prog) { return xtime_seconds(prog); }

std::optional<unsigned> kernel_tick_hz(Program& prog) { return kernel_hz(prog); }

std::string format_uptime(uint64_t seconds) {
  char buf[64];
  uint64_t days = seconds / 86400;
  seconds %= 86400;
  int n = 0;
  if (days) n = std::snprintf(buf, sizeof buf, "%llu days, ", static_cast<unsigned long long>(days));
  std::snprintf(buf + n, sizeof buf - n, "%02llu:%02llu:%02llu",
                static_cast<unsigned long long>(seconds / 3600),
                static_cast<unsigned long long>(seconds / 60 % 60),
                static_cast<unsigned long long>(seconds % 60));
  return buf;
}

std::string format_memory_size(uint64_t bytes) {
  // One decimal, a trailing ".0" dropped, and gigabytes from 1000 MB up:
  // crash prints 130944 pages as "511.5 MB" and 262016 as "1 GB".
  char buf[64];
  const double MB = 1024.0 * 1024.0, GB = MB * 1024.0;
  double b = static_cast<double>(bytes);
  if (b >= 1000.0 * MB)
    std::snprintf(buf, sizeof buf, "%.1f GB", b / GB);
  else if (b >= MB)
    std::snprintf(buf, sizeof buf, "%.1f MB", b / MB);
  else
    std::snprintf(buf, sizeof buf, "%llu KB", static_cast<unsigned long long>(bytes >> 10));
  std::string s = buf;
  if (auto dot = s.find(".0 "); dot != std::string::npos) s.erase(dot, 2);
  return s;
}

std::string format_days_hms_ms(uint64_t ns) {
  uint64_t ms = ns / 1000000, s = ms / 1000, m = s / 60, h = m / 60;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%llu %02llu:%02llu:%02llu.%03llu",
                static_cast<unsigned long long>(h / 24), static_cast<unsigned long long>(h % 24),
                static_cast<unsigned long long>(m % 60), static_cast<unsigned long long>(s % 60),
                static_cast<unsigned long long>(ms % 1000));
  return buf;
}

}  // namespace kinspect
