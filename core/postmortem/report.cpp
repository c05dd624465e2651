#include "core/postmortem/report.hpp"

#include <cstdio>

namespace kinspect {

const char* report_kind_name(ReportKind k) {
  switch (k) {
    case ReportKind::oops: return "oops";
    case ReportKind::bug: return "BUG";
    case ReportKind::soft_lockup: return "soft lockup";
    case ReportKind::hard_lockup: return "hard lockup";
    case ReportKind::rcu_stall: return "RCU stall";
    case ReportKind::hung_task: return "hung task";
    case ReportKind::warning: return "WARNING";
    case ReportKind::panic: return "panic";
    case ReportKind::nmi_backtrace: return "NMI backtrace";
    case ReportKind::fragment: return "fragment";
  }
  return "?";
}

std::string CodeLocation::text() const {
  char buf[64];
  std::string t;
  if (symbol.empty()) {
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(address.value_or(0)));
    return buf;
  }
  t = symbol;
  std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(offset));
  t += buf;
  if (size) {
    std::snprintf(buf, sizeof buf, "/0x%llx", static_cast<unsigned long long>(*size));
    t += buf;
  }
  if (!module.empty()) t += " [" + module + "]";
  return t;
}

const LoggedRegisters* Report::kernel_regs() const {
  for (const auto& r : registers)
    if (!r.user) return &r;
  return nullptr;
}

}  // namespace kinspect
