// What the report parser finds in a kernel log: one Report per oops, BUG,
// lockup, RCU stall, hung task, WARNING or panic, with the task it names,
// the register sets it printed (RIP / pc), their Code: bytes and the call
// trace frames as the kernel wrote them (not yet symbolized).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kinspect {

enum class ReportKind {
  oops,
  bug,
  soft_lockup,
  hard_lockup,
  rcu_stall,
  hung_task,
  warning,
  panic,
  nmi_backtrace,  // "NMI backtrace for cpu N": one CPU's part of a lockup or stall dump
  fragment,       // report lines without their header (a grep's output, a cut log)
};

const char* report_kind_name(ReportKind k);

// "sym+0x15/0x20 [mod]" as the kernel prints a code address (%pS / %pB).
struct CodeLocation {
  std::optional<uint64_t> address;  // "[<ffffffff816ab935>]" or a bare "0xffffffffc02b1000"
  std::string symbol;               // empty when the kernel printed only an address
  uint64_t offset = 0;
  std::optional<uint64_t> size;     // the symbol's size as the log's kernel knew it
  std::string module;               // "" for vmlinux
  std::string text() const;         // "sym+0x15/0x20 [mod]" or "0xffffffffc02b1000"
};

struct LoggedFrame {
  CodeLocation loc;
  bool reliable = true;   // false: printed with "? " (a stale return address on the stack)
  std::string context;    // "IRQ", "TASK", "NMI", "SOFTIRQ", "EOI" from <IRQ>...</IRQ> markers; "" outside
};

// One set of registers: x86_64 "RIP: 0010:..." with RSP.. R15, or arm64
// "pc : ..." / "lr : ..." with x0..x29.
struct LoggedRegisters {
  std::string label = "RIP";        // what the architecture calls the ip: "RIP", "pc"
  CodeLocation ip;                  // RIP, or arm64 pc
  std::optional<CodeLocation> lr;   // arm64 lr
  bool user = false;                // RIP in user space (CS 0033)
  std::vector<std::pair<std::string, std::string>> regs;  // in printed order: {"RAX", "0000..."}
  std::string code;                 // the Code: line's text after "Code: ", "" when absent
};

struct Report {
  ReportKind kind = ReportKind::fragment;
  std::string header;                 // the line that opened the report
  std::string first_timestamp, last_timestamp;  // of its first and last lines
  size_t first_line = 0;              // 1-based line number in the log
  std::optional<int> cpu;
  std::optional<int> pid;
  std::string comm;
  std::string taint;                  // "G        W  OEL" as printed, blanks collapsed
  std::string release;                // "6.1.0-56-cloud-amd64"
  std::vector<LoggedRegisters> registers;
  std::vector<LoggedFrame> frames;

  // The first kernel-mode RIP / pc: where the CPU was.
  const LoggedRegisters* kernel_regs() const;
};

}  // namespace kinspect
