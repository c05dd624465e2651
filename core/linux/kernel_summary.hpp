// The facts `sys` and the startup banner print: CPU count, crash time,
// memory size, utsname. Each comes from the most direct source the dump has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/program.hpp"

namespace kinspect {

struct KernelSummary {
  int cpus = 0;                  // CPUs the kernel brought up (cpu_present_mask)
  int cpus_offline = 0;          // of those, not in cpu_online_mask at the crash
  std::optional<int64_t> crash_time;  // seconds since the epoch
  std::string crash_time_source;      // "kdump header", "VMCOREINFO CRASHTIME", ...
  uint64_t memory_bytes = 0;
  std::optional<uint32_t> cpu_khz;    // x86_64 cpu_khz
  std::optional<unsigned> hz;         // the kernel's HZ (from tick_nsec)
  std::optional<uint64_t> uptime_sec; // jiffies since boot / HZ
  // avenrun[] as crash prints it: "0.48, 0.10, 0.03".
  std::optional<std::string> load_average;
};

KernelSummary read_kernel_summary(Program& prog);

// Whole seconds since boot: (jiffies_64 - INITIAL_JIFFIES) / HZ, with HZ
// from tick_nsec; nullopt when the kernel has neither.
std::optional<uint64_t> kernel_uptime_seconds(Program& prog);
// The kernel's wall-clock seconds at the crash (tk_core.timekeeper.xtime_sec).
Result<int64_t> kernel_xtime(Program& prog);

// The kernel's HZ, from tick_nsec (the kernel keeps no HZ variable).
std::optional<unsigned> kernel_tick_hz(Program& prog);

// crash's uptime format: "00:00:08", "3 days, 04:05:06".
std::string format_uptime(uint64_t seconds);

// crash's ps -m duration: "0 00:00:03.102" (days hh:mm:ss.ms) of nanoseconds.
std::string format_days_hms_ms(uint64_t ns);

// crash's way of printing sizes: "512 MB", "1 GB", "2.5 GB".
std::string format_memory_size(uint64_t bytes);

}  // namespace kinspect
