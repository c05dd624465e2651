// arm64: the linear map (below the kernel image since Linux 5.4, above it
// before), the kernel image at kimage_voffset, vmemmap, modules and vmalloc
// through swapper_pg_dir; 4K/16K/64K granules, 39- to 52-bit VA, and
// pointer-authentication stripping.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "arch/arch.hpp"
#include "arch/arm64/pte.hpp"
#include "arch/page_walk.hpp"
#include "arch/paging_form.hpp"

namespace kinspect::arm64 {

class Arm64Arch final : public Arch {
 public:
  std::string_view name() const override { return "arm64"; }
  DumpMachine machine() const override { return DumpMachine::aarch64; }
  uint64_t page_size() const override { return uint64_t{1} << page_shift_; }

  Status init(const ArchEnv& env) override;

  uint64_t kaslr_offset() const override { return kaslr_offset_; }
  std::string kaslr_source() const override { return kaslr_source_; }
  const PagingForm& kernel_paging() const override { return form_; }
  uint64_t kernel_root() const override { return root_; }
  std::vector<std::pair<std::string, uint64_t>> layout() const override;

  Result<Translation> kvtop(uint64_t vaddr) const override;
  Result<Translation> kwalk(uint64_t vaddr) const override;
  Result<Translation> uvtop(uint64_t root_paddr, uint64_t vaddr) const override;
  std::optional<uint64_t> ptov(uint64_t paddr) const override;
  bool is_kernel_address(uint64_t vaddr) const override;
  uint64_t strip_code_pointer(uint64_t v) const override;
  std::string pte_flags(uint64_t pte) const override { return arm64::pte_flags(pte); }
  std::optional<uint64_t> page_struct(uint64_t paddr) const override;
  std::string walk_text(const Translation& t) const override;  // vtop_text.cpp
  uint64_t pte_page(uint64_t pte) const override;
  // AAPCS64 6.1.1: x19-x28 and the frame pointer x29.
  uint64_t callee_saved_dwarf_registers() const override { return 0x7ffu << 19; }
  std::string dwarf_register_name(unsigned reg) const override;
  std::optional<uint64_t> prstatus_pc(std::span<const uint8_t> pr_reg) const override;
  Result<std::unique_ptr<ArchUnwinder>> make_unwinder(Program& prog) const override;

  unsigned va_bits() const { return va_bits_; }
  unsigned va_bits_actual() const { return va_bits_actual_; }
  uint64_t kimage_voffset() const { return kimage_voffset_; }
  uint64_t phys_offset() const { return phys_offset_; }
  // Linux 5.4+ layout (commit 14c127c957c1): linear map in the lower half.
  bool flipped_layout() const { return flipped_; }
  const std::vector<std::pair<std::string, std::string>>& sources() const { return sources_; }

 private:
  Status learn_offsets(const ArchEnv& env);
  Status learn_geometry(const ArchEnv& env);
  unsigned walk_va_bits(unsigned page_shift) const;
  void learn_linear_map();
  void learn_regions(const ArchEnv& env);
  Result<Translation> walk(uint64_t root, uint64_t vaddr) const;
  bool is_linear(uint64_t vaddr) const;
  std::string region_of(uint64_t vaddr) const;
  static uint64_t untag(uint64_t vaddr);

  PhysReader read_phys_;
  unsigned page_shift_ = 12;
  unsigned va_bits_ = 48;         // CONFIG_ARM64_VA_BITS (NUMBER(VA_BITS))
  unsigned va_bits_actual_ = 48;  // vabits_actual: 64 - TCR_EL1.T1SZ
  PagingForm form_;
  PteFormat pte_;
  uint64_t kaslr_offset_ = 0;
  std::string kaslr_source_ = "not initialized";
  uint64_t kimage_voffset_ = 0;
  uint64_t phys_offset_ = 0;      // PHYS_OFFSET (memstart_addr), may be "negative"
  std::optional<uint64_t> pac_mask_;  // NUMBER(KERNELPACMASK)
  uint64_t root_ = 0;             // swapper_pg_dir, physical
  uint64_t kimage_va_ = 0;        // a kernel image address (swapper_pg_dir / _text)
  uint64_t kimage_start_ = 0, kimage_end_ = 0;  // _text.._end, 0 when unknown
  bool flipped_ = true;
  uint64_t page_offset_ = 0;      // PAGE_OFFSET used in the linear arithmetic
  uint64_t linear_start_ = 0, linear_end_ = 0;  // [start, end), end 0 = top of VA
  uint64_t vmemmap_start_ = 0, vmemmap_end_ = 0;
  uint64_t modules_vaddr_ = 0, modules_end_ = 0;
  uint64_t struct_page_size_ = 64;
  std::vector<std::pair<std::string, std::string>> sources_;
};

}  // namespace kinspect::arm64
