#include "arch/kaslr_search.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace kinspect {

namespace {

constexpr size_t kMaxBanner = 256;
constexpr size_t kPointerSamples = 16;

Result<std::vector<uint8_t>> vmlinux_banner(const ArchEnv& env, uint64_t link) {
  // Byte by byte: the banner may end its section, so a long read could fail.
  std::vector<uint8_t> buf;
  for (size_t i = 0; i < kMaxBanner; ++i) {
    uint8_t c = 0;
    TRY_VOID(env.read_vmlinux(link + i, std::span<uint8_t>(&c, 1))
                 .context("reading linux_banner from vmlinux"));
    if (c == 0) break;
    buf.push_back(c);
  }
  if (buf.size() < 16 || std::memcmp(buf.data(), "Linux version ", 14) != 0)
    return fail(Errc::format, "vmlinux linux_banner at " + hex(link) +
                                  " does not start with \"Linux version \"");
  return buf;
}

std::optional<uint64_t> find_bytes(const ArchEnv& env, const std::vector<uint8_t>& want,
                                   uint64_t link, uint64_t align) {
  std::vector<uint8_t> got(want.size());
  const uint64_t in_align = link & (align - 1);
  for (const PhysRange& r : env.phys_ranges) {
    uint64_t base = (r.start & ~(align - 1));
    for (; base + in_align + want.size() <= r.end; base += align) {
      const uint64_t pa = base + in_align;
      if (pa < r.start) continue;
      if (!env.read_phys(pa, got).ok()) continue;  // excluded pages: keep looking
      if (got == want) return pa;
    }
  }
  return std::nullopt;
}

// Link-time values of pointers the vmlinux leaves zero for the loader: arm64
// links with --no-apply-dynamic-relocs, so the value is the addend of the
// R_AARCH64_RELATIVE entry for that slot in .rela.dyn (__rela_start..__rela_end).
void fill_from_relocations(const ArchEnv& env, uint64_t link, std::vector<uint64_t>& values) {
  auto start = env.vmlinux_symbol("__rela_start"), end = env.vmlinux_symbol("__rela_end");
  if (!start || !end || *end <= *start || *end - *start > (256ull << 20)) return;
  std::vector<uint64_t> rela((*end - *start) / 8);
  if (!env.read_vmlinux(*start, std::span<uint8_t>(reinterpret_cast<uint8_t*>(rela.data()),
                                                   rela.size() * 8)).ok())
    return;
  for (size_t i = 0; i + 2 < rela.size(); i += 3) {  // Elf64_Rela: r_offset, r_info, r_addend
    const uint64_t off = rela[i];
    if (off < link || off >= link + values.size() * 8 || (off - link) % 8) continue;
    uint64_t& v = values[(off - link) / 8];
    if (v == 0) v = rela[i + 2];
  }
}

// Compares sys_call_table's pointers in the vmlinux file with memory.
std::optional<uint64_t> pointer_delta(const ArchEnv& env, uint64_t banner_link,
                                      uint64_t banner_paddr, uint64_t offset_align,
                                      std::string& how) {
  static const char* const kTables[] = {"sys_call_table"};
  for (const char* name : kTables) {
    auto link = env.vmlinux_symbol(name);
    if (!link) continue;
    std::vector<uint64_t> file(kPointerSamples), mem(kPointerSamples);
    auto as_bytes = [](std::vector<uint64_t>& v) {
      return std::span<uint8_t>(reinterpret_cast<uint8_t*>(v.data()), v.size() * 8);
    };
    if (!env.read_vmlinux(*link, as_bytes(file)).ok()) continue;
    if (std::all_of(file.begin(), file.end(), [](uint64_t v) { return v == 0; }))
      fill_from_relocations(env, *link, file);
    // The image is contiguous in physical memory, so link distances hold.
    const uint64_t paddr = banner_paddr + (*link - banner_link);
    if (!env.read_phys(paddr, as_bytes(mem)).ok()) continue;
    std::optional<uint64_t> delta;
    bool consistent = true;
    for (size_t i = 0; i < kPointerSamples; ++i) {
      if (file[i] == 0) continue;  // left for a dynamic relocation: says nothing
      const uint64_t d = mem[i] - file[i];
      if (delta && *delta != d) consistent = false;
      delta = d;
    }
    if (delta && consistent && (*delta & (offset_align - 1)) == 0) {
      how = std::string(name) + " pointers";
      return delta;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<KernelImageHit> locate_kernel_image(const ArchEnv& env, uint64_t phys_align,
                                           uint64_t offset_align) {
  if (!env.vmlinux_symbol || !env.read_vmlinux || !env.read_phys)
    return fail(Errc::not_found, "no vmlinux to search memory with");
  auto link = env.vmlinux_symbol("linux_banner");
  if (!link) return fail(Errc::not_found, "vmlinux has no linux_banner symbol");
  ASSIGN_OR_RETURN(auto banner, vmlinux_banner(env, *link));
  auto pa = find_bytes(env, banner, *link, phys_align);
  if (!pa)
    return fail(Errc::not_found, "linux_banner of the vmlinux not found in physical memory "
                                 "(wrong vmlinux, or its page was filtered from the dump)");
  KernelImageHit hit;
  hit.banner_link = *link;
  hit.banner_paddr = *pa;
  hit.source = "linux_banner found at paddr " + hex(*pa);
  std::string how;
  if (auto d = pointer_delta(env, *link, *pa, offset_align, how)) {
    hit.virt_offset = *d;
    hit.virt_offset_known = true;
    hit.source += ", virtual offset from " + how;
  } else {
    hit.source += ", virtual offset unknown (taken as 0)";
  }
  return hit;
}

}  // namespace kinspect
