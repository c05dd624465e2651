// Dump: the physical memory and metadata of one vmcore, whatever its format.
// Readers live one per file in core/dump/ and are tried from the table in
// probe.cpp. Nothing here knows what a task or a page table is.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/error.hpp"

namespace kinspect {

// ELF e_machine values we understand (EM_X86_64, EM_AARCH64); 0 when the
// format does not say (a kdump header names the machine in utsname instead).
enum class DumpMachine : uint16_t { unknown = 0, x86_64 = 62, aarch64 = 183 };

// One NT_PRSTATUS note: the kernel's struct elf_prstatus. We keep the raw
// pr_reg bytes; the arch layer knows their layout.
struct PrStatus {
  int32_t pid = 0;           // kdump: the task's pid; QEMU: cpu + 1
  std::vector<uint8_t> regs; // pr_reg, arch-specific (x86_64: 27 x u64, arm64: 34 x u64)
  uint32_t note_index = 0;   // position among the PRSTATUS notes (the CPU order)
};

// QEMU's "QEMU" note (x86_64 QEMUCPUState, arm64 has none): raw descriptor.
struct QemuCpuState {
  uint32_t cpu = 0;  // index among the QEMU notes
  std::vector<uint8_t> desc;
};

// A range of physical addresses the dump holds (before filtering).
struct PhysRange {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
};

struct DumpInfo {
  std::string format;            // e.g. "ELF", "kdump-compressed (zlib)", "flattened kdump-compressed"
  DumpMachine machine = DumpMachine::unknown;
  uint32_t page_size = 0;        // from the header when it says; 0 when unknown
  std::string vmcoreinfo;        // raw VMCOREINFO text, empty if absent
  std::vector<PrStatus> prstatus;
  std::vector<QemuCpuState> qemu_cpu;
  // kdump-compressed header fields (absent for ELF):
  std::optional<std::string> uts_sysname, uts_nodename, uts_release, uts_version,
      uts_machine, uts_domainname;
  std::optional<int64_t> timestamp_sec;  // disk_dump_header.timestamp
  std::optional<int32_t> header_nr_cpus; // disk_dump_header.nr_cpus
  std::optional<int32_t> current_cpu;    // disk_dump_header.current_cpu (panic CPU)
  std::optional<uint32_t> dump_level;    // kdump_sub_header.dump_level (-d N)
  std::optional<uint64_t> phys_base;     // kdump_sub_header.phys_base
  // A piece of a makedumpfile --split set holds only pfns [start, end).
  std::optional<uint64_t> split_start_pfn, split_end_pfn;
  // Things a reader noticed but could read past (incomplete dump, a segment
  // running off the end of the file, a malformed note). One line each, naming
  // the file; `sys` and the REPL show them once at open.
  std::vector<std::string> warnings;
};

class Dump {
 public:
  virtual ~Dump() = default;
  virtual const DumpInfo& info() const = 0;
  // Physical ranges the dump describes (ELF PT_LOADs, or the kdump bitmap's
  // max_mapnr span). Used by ptov and to tell "absent" from "excluded".
  virtual const std::vector<PhysRange>& ranges() const = 0;
  // Reads physical memory. A page outside every range is Errc::not_present;
  // a page the dump filtered out is Errc::excluded; both carry the address.
  // Reads may cross pages and ranges.
  virtual Status read_phys(uint64_t paddr, std::span<uint8_t> out) = 0;
  // The file(s) this dump was read from, for messages and `sys`.
  virtual const std::string& path() const = 0;
};

// Probes the file against every known format (probe.cpp's table) and
// returns the first reader that claims it. Errors name the file.
Result<std::unique_ptr<Dump>> open_dump(const std::string& path);
// Same, over an already-open source (tests, fuzzers).
Result<std::unique_ptr<Dump>> open_dump(std::unique_ptr<ByteSource> src);
// A makedumpfile --split set: every file holds one pfn range of the same
// dump (same header and bitmaps). Opens them all and reads each page from
// the file that holds it. One file of a set also opens alone with
// open_dump(); pages held by the other files are then not_present.
Result<std::unique_ptr<Dump>> open_dump_set(const std::vector<std::string>& paths);

}  // namespace kinspect
