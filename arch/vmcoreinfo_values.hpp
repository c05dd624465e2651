// VMCOREINFO values the arch layer reads, parsed the way the kernel printed
// them. VMCOREINFO_NUMBER() prints "%ld", but arm64 appends its own
// "NUMBER(kimage_voffset)=0x%llx" lines (arch/arm64/kernel/crash_core.c,
// "Please note VMCOREINFO_NUMBER() uses "%d", not "%x""), so NUMBER values
// here accept both bases.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/vmcoreinfo.hpp"

namespace kinspect {

// NUMBER(name): "0x..." as hex, otherwise signed decimal; nullopt when absent,
// when vi is null, or when the text is not a number.
std::optional<uint64_t> vmcoreinfo_number(const VmcoreInfo* vi, std::string_view name);
// KERNELOFFSET=hex (printed with %lx, no 0x).
std::optional<uint64_t> vmcoreinfo_kerneloffset(const VmcoreInfo* vi);
// SYMBOL(name)=hex.
std::optional<uint64_t> vmcoreinfo_symbol(const VmcoreInfo* vi, std::string_view name);

}  // namespace kinspect
