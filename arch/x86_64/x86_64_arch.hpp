// x86_64: the kernel text mapping at __START_KERNEL_map + phys_base, the
// direct map at page_offset_base, vmalloc, vmemmap and modules, 4- and
// 5-level page tables. Bases come from the running kernel (KASLR moves them).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "arch/arch.hpp"
#include "arch/page_walk.hpp"
#include "arch/paging_form.hpp"
#include "arch/x86_64/pte.hpp"

namespace kinspect::x86_64 {

inline constexpr uint64_t kStartKernelMap = 0xffffffff80000000ull;  // __START_KERNEL_map
inline constexpr uint64_t kModulesEnd = 0xffffffffff000000ull;      // MODULES_END

class X86_64Arch final : public Arch {
 public:
  std::string_view name() const override { return "x86_64"; }
  DumpMachine machine() const override { return DumpMachine::x86_64; }
  uint64_t page_size() const override { return 4096; }

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
  std::string pte_flags(uint64_t pte) const override { return x86_64::pte_flags(pte); }
  std::optional<uint64_t> page_struct(uint64_t paddr) const override;
  std::string walk_text(const Translation& t) const override;  // vtop_text.cpp
  uint64_t pte_page(uint64_t pte) const override;
  // SysV x86-64 psABI 3.2.1: rbx (3), rbp (6), r12-r15 (12-15).
  uint64_t callee_saved_dwarf_registers() const override { return 1u << 3 | 1u << 6 | 0xfu << 12; }
  std::string dwarf_register_name(unsigned reg) const override;
  std::optional<uint64_t> prstatus_pc(std::span<const uint8_t> pr_reg) const override;
  Result<std::unique_ptr<ArchUnwinder>> make_unwinder(Program& prog) const override;

  uint64_t phys_base() const { return phys_base_; }
  bool five_level() const { return five_level_; }
  // How each base was learned ("read from page_offset_base", "default"), for `sys -i`.
  const std::vector<std::pair<std::string, std::string>>& sources() const { return sources_; }

 private:
  Status learn_kaslr(const ArchEnv& env);
  Status learn_root(const ArchEnv& env);
  void learn_paging_level(const ArchEnv& env);
  void learn_bases(const ArchEnv& env);
  Result<uint64_t> read_text_u64(const ArchEnv& env, uint64_t vaddr, unsigned size) const;
  uint64_t text_to_phys(uint64_t vaddr) const { return vaddr - kStartKernelMap + phys_base_; }
  uint64_t direct_map_end() const;
  std::string region_of(uint64_t vaddr) const;
  Result<Translation> walk(uint64_t root, uint64_t vaddr) const;

  PhysReader read_phys_;
  PagingForm form_ = x86_64_paging_form(false);
  PteFormat pte_;
  bool five_level_ = false;
  uint64_t kaslr_offset_ = 0;
  std::string kaslr_source_ = "not initialized";
  uint64_t phys_base_ = 0;
  uint64_t root_ = 0;
  uint64_t text_end_ = 0;          // end of the computed kernel text mapping
  uint64_t kernel_image_size_ = 0; // KERNEL_IMAGE_SIZE: modules start above it
  uint64_t page_offset_base_ = 0, vmalloc_base_ = 0, vmemmap_base_ = 0;
  uint64_t struct_page_size_ = 64;
  std::vector<std::pair<std::string, std::string>> sources_;
};

}  // namespace kinspect::x86_64
