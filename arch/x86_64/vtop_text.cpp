// crash's x86_64 `vtop` walk lines: the top table by its kernel-image
// address, its entry as "PAGE DIRECTORY", then each lower level's entry by
// physical address.
#include "arch/text_line.hpp"

#include "arch/x86_64/x86_64_arch.hpp"

namespace kinspect::x86_64 {


std::string X86_64Arch::walk_text(const Translation& t) const {
  std::string out;
  if (t.steps.empty()) return out;
  // init_top_pgt lives in the kernel image: crash names it by that address.
  out += text_line("PGD DIRECTORY: %llx\n", t.root_paddr - phys_base_ + kStartKernelMap);
  out += text_line("PAGE DIRECTORY: %llx\n", t.steps[0].entry);
  for (size_t i = 1; i < t.steps.size(); ++i) {
    // With 5-level paging the level below the top is the P4D.
    std::string name = t.steps[i].level == "PML4" ? "P4D" : t.steps[i].level;
    out += "   " + name + text_line(": %llx => %llx\n", t.steps[i].entry_paddr, t.steps[i].entry);
  }
  uint64_t page = t.paddr & ~(t.page_size - 1);
  if (t.page_size == (1ull << 30))
    out += text_line("  PAGE: %llx  (1GB)\n", page);
  else if (t.page_size == (1ull << 21))
    out += text_line("  PAGE: %llx  (2MB)\n", page);
  else
    out += text_line("  PAGE: %llx\n", page);
  return out;
}

uint64_t X86_64Arch::pte_page(uint64_t pte) const { return pte_.output_address(pte) & ~0xfffull; }

}  // namespace kinspect::x86_64
