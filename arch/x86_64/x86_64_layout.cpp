// X86_64Arch::init: learning the running kernel's layout. Everything is read
// through the kernel text mapping (vaddr - __START_KERNEL_map + phys_base),
// which needs no page tables, so it works before the root is known.
#include <cstring>

#include "arch/kaslr_search.hpp"
#include "arch/vmcoreinfo_values.hpp"
#include "arch/x86_64/x86_64_arch.hpp"

namespace kinspect::x86_64 {

namespace {
constexpr uint64_t k2M = 2ull << 20;
constexpr uint64_t k1G = 1ull << 30;
}  // namespace

Status X86_64Arch::init(const ArchEnv& env) {
  read_phys_ = env.read_phys;
  const VmcoreInfo* vi = env.vmcoreinfo;
  pte_ = PteFormat(vmcoreinfo_number(vi, "sme_mask").value_or(0));
  if (auto sz = vi ? vi->size("page") : std::nullopt) struct_page_size_ = *sz;

  TRY_VOID(learn_kaslr(env));

  // Where the computed text mapping ends: _end when the vmlinux says, else
  // the whole KERNEL_IMAGE_SIZE window.
  kernel_image_size_ = vmcoreinfo_number(vi, "KERNEL_IMAGE_SIZE")
                           .value_or(kaslr_offset_ ? k1G : 512ull << 20);
  text_end_ = kStartKernelMap + kernel_image_size_;
  if (env.vmlinux_symbol)
    if (auto end = env.vmlinux_symbol("_end")) text_end_ = (*end + kaslr_offset_ + k2M - 1) & ~(k2M - 1);

  learn_paging_level(env);
  TRY_VOID(learn_root(env));
  learn_bases(env);
  return {};
}

Status X86_64Arch::learn_kaslr(const ArchEnv& env) {
  const VmcoreInfo* vi = env.vmcoreinfo;
  auto phys_base = vmcoreinfo_number(vi, "phys_base");
  if (auto off = vmcoreinfo_kerneloffset(vi)) {
    kaslr_offset_ = *off;
    kaslr_source_ = "VMCOREINFO KERNELOFFSET";
    phys_base_ = phys_base.value_or(0);
    return {};
  }
  if (vi && !vi->empty() && phys_base) {
    // KERNELOFFSET is printed since Linux 3.14; before it nothing moved the kernel.
    phys_base_ = *phys_base;
    kaslr_source_ = "VMCOREINFO without KERNELOFFSET: kernel not relocated";
    return {};
  }
  auto hit = locate_kernel_image(env, k2M, k2M);
  if (!hit.ok()) {
    phys_base_ = phys_base.value_or(0);
    kaslr_source_ = "none found (" + hit.error().message + "): assumed 0";
    return {};
  }
  kaslr_offset_ = hit->virt_offset;
  // banner_paddr = banner_link + offset - __START_KERNEL_map + phys_base.
  phys_base_ = hit->banner_paddr - (hit->banner_link + kaslr_offset_ - kStartKernelMap);
  kaslr_source_ = hit->source;
  return {};
}

void X86_64Arch::learn_paging_level(const ArchEnv& env) {
  // NUMBER(pgtable_l5_enabled) since Linux 4.17 (the same release that made
  // 5-level a runtime choice); otherwise the kernel's own flag, else 4-level.
  std::optional<uint64_t> l5 = vmcoreinfo_number(env.vmcoreinfo, "pgtable_l5_enabled");
  if (!l5 && env.vmlinux_symbol) {
    if (auto sym = env.vmlinux_symbol("__pgtable_l5_enabled")) {
      auto v = read_text_u64(env, *sym + kaslr_offset_, 4);
      if (v.ok()) l5 = *v;
    }
  }
  five_level_ = l5.value_or(0) != 0;
  form_ = x86_64_paging_form(five_level_);
}

Status X86_64Arch::learn_root(const ArchEnv& env) {
  // init_top_pgt was init_level4_pgt before Linux 4.13 (5-level rename).
  for (const char* name : {"init_top_pgt", "init_level4_pgt"}) {
    if (auto va = vmcoreinfo_symbol(env.vmcoreinfo, name)) {
      root_ = text_to_phys(*va);
      sources_.push_back({"kernel root", std::string("VMCOREINFO SYMBOL(") + name + ")"});
      return {};
    }
  }
  if (env.vmlinux_symbol) {
    for (const char* name : {"init_top_pgt", "init_level4_pgt"}) {
      if (auto link = env.vmlinux_symbol(name)) {
        root_ = text_to_phys(*link + kaslr_offset_);
        sources_.push_back({"kernel root", std::string("vmlinux ") + name});
        return {};
      }
    }
  }
  return fail(Errc::not_found,
              "x86_64: no init_top_pgt in VMCOREINFO or vmlinux: cannot find the kernel page tables");
}

Result<uint64_t> X86_64Arch::read_text_u64(const ArchEnv& env, uint64_t vaddr,
                                           unsigned size) const {
  uint64_t v = 0;
  TRY_VOID(env.read_phys(text_to_phys(vaddr), std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), size))
               .context("reading kernel variable at " + hex(vaddr)));
  return v;
}

void X86_64Arch::learn_bases(const ArchEnv& env) {
  // Defaults: Documentation/arch/x86/x86_64/mm.rst without KASLR.
  struct Base {
    const char* name;
    uint64_t* out;
    std::vector<uint64_t> defaults;
  };
  std::vector<Base> bases = {
      // The 4-level direct map moved from 0xffff880000000000 to
      // 0xffff888000000000 in Linux 4.20 (commit d52888aa2753, "x86/mm: Move
      // LDT remap out of KASLR region on 5-level paging"); probed below.
      {"page_offset_base", &page_offset_base_,
       five_level_ ? std::vector<uint64_t>{0xff11000000000000ull}
                   : std::vector<uint64_t>{0xffff888000000000ull, 0xffff880000000000ull}},
      {"vmalloc_base", &vmalloc_base_,
       {five_level_ ? 0xffa0000000000000ull : 0xffffc90000000000ull}},
      {"vmemmap_base", &vmemmap_base_,
       {five_level_ ? 0xffd4000000000000ull : 0xffffea0000000000ull}},
  };
  for (Base& b : bases) {
    // The variables exist with CONFIG_RANDOMIZE_MEMORY (Linux 4.8) or
    // CONFIG_DYNAMIC_MEMORY_LAYOUT (4.17); their values are the truth.
    if (env.vmlinux_symbol) {
      if (auto sym = env.vmlinux_symbol(b.name)) {
        auto v = read_text_u64(env, *sym + kaslr_offset_, 8);
        if (v.ok() && is_kernel_address(*v)) {
          *b.out = *v;
          sources_.push_back({b.name, "read from the kernel's " + std::string(b.name)});
          continue;
        }
      }
    }
    *b.out = b.defaults.front();
    std::string how = "default";
    if (b.defaults.size() > 1) {
      // Pick the default whose direct-map address of the page-table root
      // walks to the root itself.
      for (uint64_t cand : b.defaults) {
        auto t = walk(root_, cand + root_);
        if (t.ok() && t->paddr == root_) {
          *b.out = cand;
          how = "default, probed through the page tables";
          break;
        }
      }
    }
    sources_.push_back({b.name, how});
  }
}

}  // namespace kinspect::x86_64
