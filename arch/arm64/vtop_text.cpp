// crash's arm64 `vtop` walk lines (arm64_vtop_*): "PAGE DIRECTORY" is
// swapper_pg_dir's kernel-image address, and each level's entry is named by
// its kernel virtual address: the image for the PGD, the linear map below.
#include "arch/text_line.hpp"

#include "arch/arm64/arm64_arch.hpp"

namespace kinspect::arm64 {


std::string Arm64Arch::walk_text(const Translation& t) const {
  std::string out;
  if (t.steps.empty()) return out;
  uint64_t root_va = t.root_paddr + kimage_voffset_;  // __phys_to_kimg
  out += text_line("PAGE DIRECTORY: %llx\n", root_va);
  for (size_t i = 0; i < t.steps.size(); ++i) {
    const VtopStep& s = t.steps[i];
    uint64_t va = i == 0 ? root_va + (s.entry_paddr - t.root_paddr)
                         : ptov(s.entry_paddr).value_or(s.entry_paddr);
    out += "   " + s.level + text_line(": %llx => %llx\n", va, s.entry);
  }
  uint64_t page = t.paddr & ~(t.page_size - 1);
  const uint64_t MB = 1ull << 20, GB = 1ull << 30;
  if (t.page_size >= GB && t.page_size % GB == 0)
    out += text_line("  PAGE: %llx  (%lluGB)\n", page, t.page_size / GB);
  else if (t.page_size > page_size() && t.page_size >= MB)
    out += text_line("  PAGE: %llx  (%lluMB)\n", page, t.page_size / MB);
  else
    out += text_line("  PAGE: %llx\n", page);
  return out;
}

uint64_t Arm64Arch::pte_page(uint64_t pte) const { return pte_.output_address(pte) & ~(page_size() - 1); }

}  // namespace kinspect::arm64
