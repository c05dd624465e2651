#include "arch/arm64/arm64_arch.hpp"

#include "arch/arm64/arm64_unwind.hpp"
#include "core/dump/bytes.hpp"

namespace kinspect::arm64 {

namespace {
constexpr uint64_t kTopByte = 0xff00000000000000ull;
constexpr uint64_t kBit55 = 1ull << 55;
}  // namespace

// Kernel pointers may carry a KASAN tag in the top byte (TBI1); the kernel's
// __tag_reset() sign-extends from bit 55.
uint64_t Arm64Arch::untag(uint64_t v) { return (v & kBit55) ? (v | kTopByte) : (v & ~kTopByte); }

bool Arm64Arch::is_kernel_address(uint64_t vaddr) const {
  const uint64_t v = untag(vaddr);
  return (v & kBit55) && v >= (~0ull << va_bits_);
}

bool Arm64Arch::is_linear(uint64_t v) const {
  return v >= linear_start_ && (linear_end_ == 0 || v < linear_end_);
}

uint64_t Arm64Arch::strip_code_pointer(uint64_t v) const {
  // With pointer authentication the PAC sits in the bits KERNELPACMASK names
  // (ptrauth_kernel_pac_mask(): GENMASK(63, vabits_actual)); a kernel pointer
  // has them all set once stripped, a user pointer has them clear.
  uint64_t mask = pac_mask_ && *pac_mask_ ? *pac_mask_ : ~0ull << va_bits_actual_;
  mask |= kTopByte;  // tags (TBI) too
  return (v & kBit55) ? (v | mask) : (v & ~mask);
}

std::string Arm64Arch::region_of(uint64_t v) const {
  if (is_linear(v)) return "direct map";
  if (kimage_end_ && v >= kimage_start_ && v < kimage_end_) return "kernel text";
  if (v >= vmemmap_start_ && v < vmemmap_end_) return "vmemmap";
  if (v >= modules_vaddr_ && v < modules_end_) return "module";
  return "vmalloc";
}

Result<Translation> Arm64Arch::walk(uint64_t root, uint64_t vaddr) const {
  return walk_page_tables(form_, pte_, read_phys_, root, vaddr);
}

Result<Translation> Arm64Arch::kvtop(uint64_t vaddr) const {
  if (!is_kernel_address(vaddr))
    return fail(Errc::invalid_argument, hex(vaddr) + " is not a kernel address", vaddr);
  const uint64_t v = untag(vaddr);
  Translation t;
  t.vaddr = vaddr;
  t.region = region_of(v);
  t.page_size = page_size();
  if (is_linear(v)) {
    t.paddr = v - page_offset_ + phys_offset_;  // __lm_to_phys
    return t;
  }
  if (t.region == "kernel text") {
    t.paddr = v - kimage_voffset_;  // __kimg_to_phys
    return t;
  }
  ASSIGN_OR_RETURN(Translation w, walk(root_, v));
  w.vaddr = vaddr;
  w.region = std::move(t.region);
  return w;
}

Result<Translation> Arm64Arch::kwalk(uint64_t vaddr) const {
  if (!is_kernel_address(vaddr))
    return fail(Errc::invalid_argument, hex(vaddr) + " is not a kernel address", vaddr);
  const uint64_t v = untag(vaddr);
  ASSIGN_OR_RETURN(Translation w, walk(root_, v));
  w.vaddr = vaddr;
  w.region = region_of(v);
  return w;
}

Result<Translation> Arm64Arch::uvtop(uint64_t root_paddr, uint64_t vaddr) const {
  const uint64_t v = vaddr & ~kTopByte;  // TBI0: user tags are ignored
  if (v & kBit55)
    return fail(Errc::invalid_argument, hex(vaddr) + " is not a user address", vaddr);
  ASSIGN_OR_RETURN(Translation t, walk(root_paddr, v));
  t.vaddr = vaddr;
  t.region = "user";
  return t;
}

std::optional<uint64_t> Arm64Arch::ptov(uint64_t paddr) const {
  const uint64_t v = paddr - phys_offset_ + page_offset_;  // __phys_to_virt
  if (!is_linear(v)) return std::nullopt;
  return v;
}

std::optional<uint64_t> Arm64Arch::page_struct(uint64_t paddr) const {
  // vmemmap = VMEMMAP_START - (memstart_addr >> PAGE_SHIFT), indexed by pfn.
  if (!vmemmap_start_) return std::nullopt;
  return vmemmap_start_ + ((paddr - phys_offset_) >> page_shift_) * struct_page_size_;
}

std::vector<std::pair<std::string, uint64_t>> Arm64Arch::layout() const {
  std::vector<std::pair<std::string, uint64_t>> l = {
      {"KERNELOFFSET", kaslr_offset_},
      {"kimage_voffset", kimage_voffset_},
      {"PHYS_OFFSET", phys_offset_},
      {"VA_BITS", va_bits_},
      {"VA_BITS_ACTUAL", va_bits_actual_},
      {"PAGE_OFFSET", page_offset_},
      {"linear map start", linear_start_},
      {"linear map end", linear_end_},
      {"VMEMMAP_START", vmemmap_start_},
      {"VMEMMAP_END", vmemmap_end_},
      {"MODULES_VADDR", modules_vaddr_},
      {"MODULES_END", modules_end_},
      {"kernel root (paddr)", root_},
  };
  if (kimage_end_) {
    l.push_back({"_text", kimage_start_});
    l.push_back({"_end", kimage_end_});
  }
  if (pac_mask_) l.push_back({"KERNELPACMASK", *pac_mask_});
  return l;
}

// user_pt_regs: regs[31], sp, then pc.
std::optional<uint64_t> Arm64Arch::prstatus_pc(std::span<const uint8_t> pr_reg) const {
  constexpr size_t off = 32 * 8;
  if (pr_reg.size() < off + 8) return std::nullopt;
  return dumpbytes::le64(pr_reg, off);
}

Result<std::unique_ptr<ArchUnwinder>> Arm64Arch::make_unwinder(Program& prog) const {
  return make_arm64_unwinder(prog);
}

// DWARF for AArch64: 0-30 x0-x30, 31 sp, 32 pc.
std::string Arm64Arch::dwarf_register_name(unsigned reg) const {
  if (reg <= 30) return "x" + std::to_string(reg);
  return reg == 31 ? "sp" : reg == 32 ? "pc" : "";
}

}  // namespace kinspect::arm64
