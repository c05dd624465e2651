#include "arch/x86_64/x86_64_arch.hpp"

#include "arch/x86_64/x86_64_unwind.hpp"
#include "core/dump/bytes.hpp"

#include <algorithm>

namespace kinspect::x86_64 {

namespace {
// MAXMEM: 1 << MAX_PHYSMEM_BITS (46 with 4-level, 52 with 5-level paging).
uint64_t max_mem(bool l5) { return uint64_t{1} << (l5 ? 52 : 46); }
// Region sizes from Documentation/arch/x86/x86_64/mm.rst.
uint64_t vmalloc_size(bool l5) { return l5 ? 12800ull << 40 : 32ull << 40; }
uint64_t vmemmap_size(bool l5) { return uint64_t{1} << (l5 ? 49 : 40); }
}  // namespace

bool X86_64Arch::is_kernel_address(uint64_t vaddr) const {
  // The upper canonical half: bit 47 (4-level) or 56 (5-level) and above set.
  return vaddr >= (five_level_ ? 0xff00000000000000ull : 0xffff800000000000ull);
}

uint64_t X86_64Arch::direct_map_end() const {
  // With KASLR the regions are packed, so the next base may come before MAXMEM.
  uint64_t end = page_offset_base_ + max_mem(five_level_);
  for (uint64_t b : {vmalloc_base_, vmemmap_base_})
    if (b > page_offset_base_) end = std::min(end, b);
  return end;
}

std::string X86_64Arch::region_of(uint64_t v) const {
  if (v >= kStartKernelMap && v < text_end_) return "kernel text";
  if (v >= page_offset_base_ && v < direct_map_end()) return "direct map";
  if (v >= vmalloc_base_ && v - vmalloc_base_ < vmalloc_size(five_level_)) return "vmalloc";
  if (v >= vmemmap_base_ && v - vmemmap_base_ < vmemmap_size(five_level_)) return "vmemmap";
  if (v >= kStartKernelMap + kernel_image_size_ && v < kModulesEnd) return "module";
  if (v >= kStartKernelMap) return "kernel text";  // past _end, inside the image window
  return "kernel";
}

Result<Translation> X86_64Arch::walk(uint64_t root, uint64_t vaddr) const {
  return walk_page_tables(form_, pte_, read_phys_, root & kAddressMask, vaddr);
}

Result<Translation> X86_64Arch::kvtop(uint64_t vaddr) const {
  if (!is_kernel_address(vaddr))
    return fail(Errc::invalid_argument, hex(vaddr) + " is not a kernel address", vaddr);
  Translation t;
  t.vaddr = vaddr;
  t.region = region_of(vaddr);
  if (vaddr >= kStartKernelMap && vaddr < text_end_) {
    t.paddr = text_to_phys(vaddr);
    t.page_size = page_size();
    return t;
  }
  if (t.region == "direct map") {
    t.paddr = vaddr - page_offset_base_;
    t.page_size = page_size();
    return t;
  }
  ASSIGN_OR_RETURN(Translation w, walk(root_, vaddr));
  w.region = std::move(t.region);
  return w;
}

Result<Translation> X86_64Arch::kwalk(uint64_t vaddr) const {
  if (!is_kernel_address(vaddr))
    return fail(Errc::invalid_argument, hex(vaddr) + " is not a kernel address", vaddr);
  ASSIGN_OR_RETURN(Translation w, walk(root_, vaddr));
  w.region = region_of(vaddr);
  return w;
}

Result<Translation> X86_64Arch::uvtop(uint64_t root_paddr, uint64_t vaddr) const {
  if (is_kernel_address(vaddr))
    return fail(Errc::invalid_argument, hex(vaddr) + " is not a user address", vaddr);
  ASSIGN_OR_RETURN(Translation t, walk(root_paddr, vaddr));
  t.region = "user";
  return t;
}

std::optional<uint64_t> X86_64Arch::ptov(uint64_t paddr) const {
  if (paddr >= max_mem(five_level_)) return std::nullopt;
  return page_offset_base_ + paddr;
}

std::optional<uint64_t> X86_64Arch::page_struct(uint64_t paddr) const {
  if (!vmemmap_base_) return std::nullopt;
  return vmemmap_base_ + (paddr >> 12) * struct_page_size_;
}

std::vector<std::pair<std::string, uint64_t>> X86_64Arch::layout() const {
  return {
      {"KERNELOFFSET", kaslr_offset_},
      {"phys_base", phys_base_},
      {"__START_KERNEL_map", kStartKernelMap},
      {"page_offset_base", page_offset_base_},
      {"vmalloc_base", vmalloc_base_},
      {"vmemmap_base", vmemmap_base_},
      {"MODULES_VADDR", kStartKernelMap + kernel_image_size_},
      {"MODULES_END", kModulesEnd},
      {"kernel root (paddr)", root_},
  };
}

// user_regs_struct.ip is the 17th of its 27 u64s.
std::optional<uint64_t> X86_64Arch::prstatus_pc(std::span<const uint8_t> pr_reg) const {
  constexpr size_t off = 16 * 8;
  if (pr_reg.size() < off + 8) return std::nullopt;
  return dumpbytes::le64(pr_reg, off);
}

Result<std::unique_ptr<ArchUnwinder>> X86_64Arch::make_unwinder(Program& prog) const {
  return make_x86_64_unwinder(prog);
}

// The psABI's DWARF numbering (figure 3.36): 0 rax, 1 rdx, 2 rcx, 3 rbx,
// 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 the return address (rip).
std::string X86_64Arch::dwarf_register_name(unsigned reg) const {
  static const char* const kNames[] = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8",
                                       "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip"};
  return reg < std::size(kNames) ? kNames[reg] : "";
}

}  // namespace kinspect::x86_64
