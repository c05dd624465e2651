// Arm64Arch::init: learning the running kernel's layout from VMCOREINFO
// (arch/arm64/kernel/vmcore_info.c), falling back to the vmlinux and memory.
#include <bit>

#include "arch/arm64/arm64_arch.hpp"
#include "arch/kaslr_search.hpp"
#include "arch/vmcoreinfo_values.hpp"

namespace kinspect::arm64 {

namespace {
constexpr uint64_t k64K = 64ull << 10;
constexpr uint64_t k128M = 128ull << 20;
constexpr uint64_t k2M = 2ull << 20;
constexpr uint64_t k1G = 1ull << 30;
constexpr unsigned kStructPageMaxShift = 6;  // STRUCT_PAGE_MAX_SHIFT: ilog2(64)
uint64_t neg_pow2(unsigned bits) { return ~0ull << bits; }  // -(1 << bits)

Result<uint64_t> read_u64(const ArchEnv& env, uint64_t paddr, const std::string& what) {
  uint64_t v = 0;
  TRY_VOID(env.read_phys(paddr, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), 8))
               .context("reading " + what + " at paddr " + hex(paddr)));
  return v;
}
}  // namespace

Status Arm64Arch::init(const ArchEnv& env) {
  read_phys_ = env.read_phys;
  if (auto sz = env.vmcoreinfo ? env.vmcoreinfo->size("page") : std::nullopt)
    struct_page_size_ = *sz;
  TRY_VOID(learn_offsets(env));
  TRY_VOID(learn_geometry(env));
  learn_linear_map();
  learn_regions(env);
  return {};
}

Status Arm64Arch::learn_offsets(const ArchEnv& env) {
  const VmcoreInfo* vi = env.vmcoreinfo;
  auto sym = [&](const char* name) -> std::optional<uint64_t> {
    if (!env.vmlinux_symbol) return std::nullopt;
    return env.vmlinux_symbol(name);
  };
  auto voff = vmcoreinfo_number(vi, "kimage_voffset");
  auto koff = vmcoreinfo_kerneloffset(vi);
  if (voff) {
    kimage_voffset_ = *voff;
    kaslr_offset_ = koff.value_or(0);
    kaslr_source_ = koff ? "VMCOREINFO KERNELOFFSET" : "VMCOREINFO without KERNELOFFSET: assumed 0";
  } else {
    auto hit = locate_kernel_image(env, k64K, k64K);
    if (!hit.ok())
      return fail(Errc::not_found,
                  "arm64: VMCOREINFO has no kimage_voffset and the kernel image was not found: " +
                      hit.error().message);
    kaslr_offset_ = koff.value_or(hit->virt_offset);
    kimage_voffset_ = hit->banner_link + kaslr_offset_ - hit->banner_paddr;
    kaslr_source_ = koff ? "VMCOREINFO KERNELOFFSET" : hit->source;
  }
  sources_.push_back({"kimage_voffset", voff ? "VMCOREINFO" : "from linux_banner's paddr"});

  // Variables read through the kernel image mapping (va - kimage_voffset).
  auto read_var = [&](const char* name) -> std::optional<uint64_t> {
    auto link = sym(name);
    if (!link) return std::nullopt;
    auto v = read_u64(env, *link + kaslr_offset_ - kimage_voffset_, name);
    return v.ok() ? std::optional<uint64_t>(*v) : std::nullopt;
  };

  if (auto p = vmcoreinfo_number(vi, "PHYS_OFFSET")) {
    phys_offset_ = *p;
    sources_.push_back({"PHYS_OFFSET", "VMCOREINFO"});
  } else if (auto m = read_var("memstart_addr")) {
    phys_offset_ = *m;
    sources_.push_back({"PHYS_OFFSET", "read from the kernel's memstart_addr"});
  } else {
    return fail(Errc::not_found, "arm64: no PHYS_OFFSET in VMCOREINFO and no memstart_addr");
  }

  // vabits_actual exists since Linux 5.4 (52-bit VA); before it VA_BITS was all there was.
  auto vabits_var = read_var("vabits_actual");
  if (auto v = vmcoreinfo_number(vi, "VA_BITS")) {
    va_bits_ = static_cast<unsigned>(*v);
    sources_.push_back({"VA_BITS", "VMCOREINFO"});
  } else if (vabits_var) {
    va_bits_ = static_cast<unsigned>(*vabits_var);
    sources_.push_back({"VA_BITS", "read from the kernel's vabits_actual"});
  } else {
    sources_.push_back({"VA_BITS", "default 48"});
  }
  // TCR_EL1_T1SZ (Linux 5.9; some trees spell it tcr_el1_t1sz) gives the
  // VA size the hardware runs, which differs from VA_BITS when a 52-bit
  // kernel runs on a CPU without LVA/LPA2.
  auto t1sz = vmcoreinfo_number(vi, "TCR_EL1_T1SZ");
  if (!t1sz) t1sz = vmcoreinfo_number(vi, "tcr_el1_t1sz");
  if (t1sz && *t1sz > 0 && *t1sz < 64)
    va_bits_actual_ = 64 - static_cast<unsigned>(*t1sz);
  else if (vabits_var)
    va_bits_actual_ = static_cast<unsigned>(*vabits_var);
  else
    va_bits_actual_ = va_bits_;

  pac_mask_ = vmcoreinfo_number(vi, "KERNELPACMASK");

  if (auto va = vmcoreinfo_symbol(vi, "swapper_pg_dir")) {
    kimage_va_ = *va;
    sources_.push_back({"kernel root", "VMCOREINFO SYMBOL(swapper_pg_dir)"});
  } else if (auto link = sym("swapper_pg_dir")) {
    kimage_va_ = *link + kaslr_offset_;
    sources_.push_back({"kernel root", "vmlinux swapper_pg_dir"});
  } else {
    return fail(Errc::not_found, "arm64: no swapper_pg_dir in VMCOREINFO or vmlinux");
  }
  root_ = kimage_va_ - kimage_voffset_;
  // The image is mapped segment by segment from _stext (map_kernel()); the
  // 64K header before it is left unmapped, and vmalloc hands that hole out:
  // on the nokaslr arm64 sample an IRQ stack sits at _text + 0x100.
  auto text = sym("_stext"), end = sym("_end");
  if (!text) text = sym("_text");
  if (text && end && *end > *text) {
    kimage_start_ = *text + kaslr_offset_;
    kimage_end_ = *end + kaslr_offset_;
  }
  return {};
}

// The VA size swapper_pg_dir is walked with. A 52-bit kernel with 4K or 16K
// pages (FEAT_LPA2, Linux 6.9's LPA2 series, "arm64: Enable 52-bit virtual
// addressing for 4k and 16k granule configs") that boots on a CPU without
// LPA2 folds its top level at run time: swapper_pg_dir is then the root of a
// va_bits_actual walk (trixie's arm64 kernel under QEMU -cpu max,lpa2=off:
// VA_BITS 52, TCR_EL1.T1SZ 16). With 64K pages (FEAT_LVA, Linux 5.4) the
// kernel keeps a 52-bit sized PGD and offsets TTBR1 into it instead (commit
// e842dfb5a2d3 "arm64: mm: Offset TTBR1 to allow 52-bit PTRS_PER_PGD"), so
// the walk stays at VA_BITS.
unsigned Arm64Arch::walk_va_bits(unsigned page_shift) const {
  return page_shift != 16 && va_bits_actual_ < va_bits_ ? va_bits_actual_ : va_bits_;
}

Status Arm64Arch::learn_geometry(const ArchEnv& env) {
  auto pagesize = env.vmcoreinfo ? env.vmcoreinfo->dec_value("PAGESIZE") : std::nullopt;
  if (pagesize && std::has_single_bit(static_cast<uint64_t>(*pagesize))) {
    page_shift_ = std::countr_zero(static_cast<uint64_t>(*pagesize));
    sources_.push_back({"page size", "VMCOREINFO PAGESIZE"});
  } else {
    // Probe: the granule whose walk of swapper_pg_dir maps the kernel image
    // where kimage_voffset says it is.
    page_shift_ = 12;
    std::string how = "default 4K";
    for (unsigned shift : {12u, 16u, 14u}) {
      auto f = arm64_paging_form(shift, walk_va_bits(shift));
      if (!f.ok()) continue;
      form_ = *f;
      page_shift_ = shift;
      pte_ = PteFormat(shift, shift == 16 ? OutputAddress::lpa_64k : OutputAddress::pa48);
      auto t = walk(root_, kimage_va_);
      if (t.ok() && t->paddr == kimage_va_ - kimage_voffset_) {
        how = "probed through swapper_pg_dir";
        break;
      }
      page_shift_ = 12;
    }
    sources_.push_back({"page size", how});
  }
  ASSIGN_OR_RETURN(form_, arm64_paging_form(page_shift_, walk_va_bits(page_shift_)));
  // 52-bit output addresses: FEAT_LPA with 64K pages keeps OA[51:48] in bits
  // 15:12 (RES0 otherwise, so always decoding them is safe). With 4K/16K
  // pages 52 bits need FEAT_LPA2 (Linux 6.9, CONFIG_ARM64_LPA2), which moves
  // OA[51:50] into bits 9:8; the kernel only does so when LPA2 is enabled,
  // i.e. when the hardware runs the 52-bit VA (lpa2_is_enabled(); otherwise
  // bits 9:8 stay shareability, PTE_MAYBE_SHARED).
  OutputAddress oa = OutputAddress::pa48;
  if (page_shift_ == 16)
    oa = OutputAddress::lpa_64k;
  else if (va_bits_ == 52 && va_bits_actual_ == 52)
    oa = OutputAddress::lpa2;
  pte_ = PteFormat(page_shift_, oa);
  return {};
}

void Arm64Arch::learn_linear_map() {
  const unsigned vmin = va_bits_ > 48 ? 48 : va_bits_;  // VA_BITS_MIN
  // Linux 5.4 moved the linear map from the upper to the lower half of the
  // kernel VA space (commit 14c127c957c1, "arm64: mm: Flip kernel VA
  // space"). Detected from where the kernel image sits: above
  // _PAGE_END(VA_BITS_MIN) after the flip, in the lower half before it.
  flipped_ = kimage_va_ >= neg_pow2(vmin - 1);
  if (flipped_) {
    // PAGE_OFFSET is _PAGE_OFFSET(VA_BITS) since Linux 5.11 (commit
    // 7bc1a0f9e176, "arm64: mm: use single quantity to represent the PA to VA
    // translation"), which on hardware without 52-bit VA lowers memstart_addr
    // by _PAGE_OFFSET(48) - _PAGE_OFFSET(52), making PHYS_OFFSET "negative".
    // Before, PAGE_OFFSET followed vabits_actual and PHYS_OFFSET was real.
    // Both give the same addresses; pick the pair the dump reports.
    const bool adjusted = static_cast<int64_t>(phys_offset_) < 0;
    page_offset_ = neg_pow2(adjusted ? va_bits_ : va_bits_actual_);
    linear_start_ = neg_pow2(va_bits_actual_);
    linear_end_ = neg_pow2(vmin - 1);  // PAGE_END
  } else {
    page_offset_ = neg_pow2(va_bits_ - 1);
    linear_start_ = page_offset_;
    linear_end_ = 0;  // to the top of the address space
  }
}

void Arm64Arch::learn_regions(const ArchEnv& env) {
  const VmcoreInfo* vi = env.vmcoreinfo;
  const unsigned vmin = va_bits_ > 48 ? 48 : va_bits_;
  const unsigned vmemmap_shift = page_shift_ - kStructPageMaxShift;
  auto start = vmcoreinfo_number(vi, "VMEMMAP_START");
  auto end = vmcoreinfo_number(vi, "VMEMMAP_END");
  if (start && end) {
    vmemmap_start_ = *start;
    vmemmap_end_ = *end;
    sources_.push_back({"vmemmap", "VMCOREINFO"});
  } else {
    // VMEMMAP_START moved with nearly every layout change; try each
    // definition and keep the one whose struct page for swapper_pg_dir's
    // page is mapped.
    std::vector<std::pair<uint64_t, uint64_t>> cands;  // start, size
    if (flipped_) {
      const uint64_t size = (neg_pow2(vmin - 1) - neg_pow2(va_bits_)) >> vmemmap_shift;
      cands.push_back({neg_pow2(va_bits_ - vmemmap_shift), size});  // 5.11: -(1 << (VA_BITS - VMEMMAP_SHIFT))
      cands.push_back({0 - size - k2M, size});                      // 5.4: -VMEMMAP_SIZE - SZ_2M
      cands.push_back({0 - k1G - size, size});                      // 6.9: VMEMMAP_END (-SZ_1G) - size
    } else {
      const uint64_t size = uint64_t{1} << (va_bits_ - page_shift_ - 1 + kStructPageMaxShift);
      cands.push_back({page_offset_ - size, size});  // PAGE_OFFSET - VMEMMAP_SIZE
    }
    vmemmap_start_ = cands.front().first;
    vmemmap_end_ = cands.front().first + cands.front().second;
    std::string how = "default";
    for (auto [s, size] : cands) {
      const uint64_t probe = s + ((root_ - phys_offset_) >> page_shift_) * struct_page_size_;
      if (walk(root_, probe).ok()) {
        vmemmap_start_ = s;
        vmemmap_end_ = s + size;
        how = "probed through swapper_pg_dir";
        break;
      }
    }
    sources_.push_back({"vmemmap", how});
  }
  // With KASLR, modules sit near the kernel image, not at MODULES_VADDR: the
  // kernel keeps the window's base in module_alloc_base (Linux 4.6-6.6,
  // randomized at boot) or module_direct_base (6.7, "arm64: module: rework
  // module VA range selection"); a 128M window.
  for (const char* var : {"module_direct_base", "module_alloc_base"}) {
    if (!env.vmlinux_symbol) break;
    auto link = env.vmlinux_symbol(var);
    if (!link) continue;
    uint64_t v = 0;
    if (!env.read_phys(*link + kaslr_offset_ - kimage_voffset_,
                       std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), 8)).ok() || v == 0)
      continue;
    modules_vaddr_ = v;
    modules_end_ = v + k128M;
    sources_.push_back({"modules", std::string("read from the kernel's ") + var});
    return;
  }
  auto mstart = vmcoreinfo_number(vi, "MODULES_VADDR");
  auto mend = vmcoreinfo_number(vi, "MODULES_END");
  if (mstart && mend) {
    modules_vaddr_ = *mstart;
    modules_end_ = *mend;
  } else if (flipped_) {
    modules_vaddr_ = neg_pow2(vmin - 1);  // _PAGE_END(VA_BITS_MIN) (+ the BPF JIT region)
    modules_end_ = modules_vaddr_ + 2 * k128M;
  } else {
    modules_vaddr_ = neg_pow2(va_bits_);  // VA_START (without KASAN)
    modules_end_ = modules_vaddr_ + k128M;
  }
}

}  // namespace kinspect::arm64
