// ELF note parsing shared by the ELF reader (PT_NOTE) and the kdump reader
// (kdump_sub_header.offset_note holds the same notes). Fills the note-derived
// fields of DumpInfo: NT_PRSTATUS per CPU, QEMU's per-CPU notes, VMCOREINFO.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/dump/dump.hpp"

namespace kinspect {

// Offsets inside the kernel's struct elf_prstatus, identical on x86_64 and
// arm64 (both LP64): pr_info (12) + pr_cursig (2, padded to 16) + pr_sigpend
// and pr_sighold (8 each) put pr_pid at 32; pid, ppid, pgrp, sid and four
// struct timevals put pr_reg at 112. pr_fpvalid (int, padded) follows pr_reg.
inline constexpr size_t kPrstatusPidOffset = 32;
inline constexpr size_t kPrstatusRegOffset = 112;
inline constexpr size_t kPrstatusTail = 8;  // pr_fpvalid + padding
// sizeof(pr_reg): x86_64 user_regs_struct is 27 u64, arm64 user_pt_regs 34.
size_t prstatus_reg_size(DumpMachine m);

inline constexpr uint32_t kNtPrstatus = 1;

// Parses a blob of Elf64_Nhdr-framed notes. `where` names the file and the
// blob's file offset for warnings ("vmcore: note at offset 0x..."). A
// malformed note stops parsing with a warning rather than failing the open:
// the memory is still readable without it.
void parse_elf_notes(std::span<const uint8_t> blob, const std::string& file, uint64_t file_offset,
                     DumpInfo& info);

// Largest note blob we read (PT_NOTE or kdump offset_note). 8192 CPUs of
// PRSTATUS + QEMU notes stay well under this; a bigger size is corruption.
inline constexpr uint64_t kMaxNoteBytes = 64ull << 20;
// Largest VMCOREINFO text we accept (the kernel's buffer is one page).
inline constexpr uint64_t kMaxVmcoreinfoBytes = 1ull << 20;

// The machine implied by the NT_PRSTATUS register blocks already parsed
// (216 bytes: x86_64, 272: arm64), for producers that do not name it: QEMU's
// kdump header says "Unknown" in utsname.machine for arm64 guests.
DumpMachine machine_from_prstatus(const DumpInfo& info);

// VMCOREINFO text with trailing NULs removed (the kernel pads the note).
std::string trim_vmcoreinfo(std::span<const uint8_t> text);

// Page size announced by VMCOREINFO (PAGESIZE=), 0 when absent or absurd.
uint32_t vmcoreinfo_page_size(const std::string& text);

}  // namespace kinspect
