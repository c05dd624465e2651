// Finding a relocated kernel without VMCOREINFO's KERNELOFFSET: locate
// linux_banner's bytes (read from the vmlinux) in physical memory, then learn
// the virtual offset from a table of pointers (sys_call_table) whose
// in-memory values are the vmlinux's values plus the KASLR offset.
#pragma once

#include <cstdint>
#include <string>

#include "arch/arch.hpp"

namespace kinspect {

struct KernelImageHit {
  uint64_t banner_link = 0;   // link-time address of linux_banner
  uint64_t banner_paddr = 0;  // where its bytes sit in physical memory
  uint64_t virt_offset = 0;   // runtime minus link-time virtual address
  bool virt_offset_known = false;
  std::string source;         // "linux_banner found at paddr 0x..., ..."
};

// phys_align: alignment the loader keeps for the image in physical memory, so
// the banner's offset modulo it is the same as at link time (x86_64: 2M,
// CONFIG_PHYSICAL_ALIGN; arm64: 64K, SEGMENT_ALIGN). offset_align: alignment
// of the virtual KASLR offset, used to reject accidental matches.
Result<KernelImageHit> locate_kernel_image(const ArchEnv& env, uint64_t phys_align,
                                           uint64_t offset_align);

}  // namespace kinspect
