// arm64 translation over page tables the fixture builder lays out: every
// granule and VA size Linux configures, blocks at each legal level, the
// linear map before and after the 5.4 flip, kimage_voffset, PAC stripping.
#include <gtest/gtest.h>

#include "arch/arm64/arm64_arch.hpp"
#include "arch/paging_form.hpp"
#include "tests/fixtures/page_table_builder.hpp"

namespace kinspect {
namespace {

using testing::Arm64Oa;
using testing::FakePhys;
using testing::FakeVmlinux;
using testing::PageTableBuilder;
using testing::PteEncoding;
using testing::TableGeometry;

uint64_t neg(unsigned bits) { return ~0ull << bits; }  // -(1 << bits)

struct Config {
  unsigned page_shift;
  unsigned va_bits;
  const char* form;               // describe() of the expected paging form
  std::vector<uint64_t> blocks;   // legal block sizes
  Arm64Oa oa = Arm64Oa::pa48;
};

// A Linux >= 5.4 kernel (linear map at the bottom) laid out by the fixture.
struct Arm64Kernel {
  explicit Arm64Kernel(Config c) : cfg(std::move(c)) {}
  Config cfg;
  unsigned va_actual = 0;                // 0: same as VA_BITS
  uint64_t phys_offset = 0x40000000;     // PHYS_OFFSET (memstart_addr)
  uint64_t kaslr = 0x12200000;
  uint64_t text_pa = 0x41200000;         // where _text sits in RAM
  uint64_t table_pa = 0x48000000;        // page-table pages from here
  std::optional<uint64_t> pacmask;
  bool vmemmap_in_vmcoreinfo = true;  // NUMBER(VMEMMAP_START) exists since Linux 6.x

  FakePhys mem;
  FakeVmlinux vmlinux;
  VmcoreInfo vi;
  std::unique_ptr<PageTableBuilder> pt;
  arm64::Arm64Arch arch;

  unsigned vmin() const { return cfg.va_bits > 48 ? 48 : cfg.va_bits; }
  uint64_t text_link() const { return neg(vmin() - 1) + 0x10000000; }  // KIMAGE_VADDR
  uint64_t text_va() const { return text_link() + kaslr; }
  uint64_t swapper_va() const { return text_va() + 0x1800000; }
  uint64_t kimage_voffset() const { return text_va() - text_pa; }
  uint64_t root_pa() const { return swapper_va() - kimage_voffset(); }
  uint64_t actual() const { return va_actual ? va_actual : cfg.va_bits; }
  // The page_offset the kernel's linear arithmetic uses.
  uint64_t linear_va(uint64_t pa) const {
    return pa - phys_offset + (static_cast<int64_t>(phys_offset) < 0 ? neg(cfg.va_bits) : neg(actual()));
  }
  // Somewhere in vmalloc space, aligned for the biggest block.
  uint64_t vmalloc() const { return neg(vmin() - 2); }
  uint64_t vmemmap_start() const { return neg(vmin() - 3); }

  void build() {
    vmlinux.symbols = {{"_text", text_link()}, {"_end", text_link() + 0x2000000}};
    pt = std::make_unique<PageTableBuilder>(mem, TableGeometry::arm64(cfg.page_shift, cfg.va_bits),
                                            PteEncoding::arm64(cfg.page_shift, cfg.oa), root_pa(),
                                            table_pa);
    std::vector<std::pair<std::string, std::string>> kv = {
        {"OSRELEASE", "6.1.0-arm64"},
        {"PAGESIZE", std::to_string(1u << cfg.page_shift)},
        {"SYMBOL(swapper_pg_dir)", hex(swapper_va()).substr(2)},
        {"SIZE(page)", "64"},
        {"NUMBER(VA_BITS)", std::to_string(cfg.va_bits)},
        {"NUMBER(VMEMMAP_START)", hex(vmemmap_start())},
        {"NUMBER(VMEMMAP_END)", hex(vmemmap_start() + (1ull << (vmin() - 5)))},
        {"NUMBER(kimage_voffset)", hex(kimage_voffset())},
        {"NUMBER(PHYS_OFFSET)", hex(phys_offset)},
        {"NUMBER(TCR_EL1_T1SZ)", hex(64 - actual())},
        {"KERNELOFFSET", hex(kaslr).substr(2)},
    };
    if (pacmask) kv.push_back({"NUMBER(KERNELPACMASK)", hex(*pacmask)});
    if (!vmemmap_in_vmcoreinfo)
      std::erase_if(kv, [](const auto& e) { return e.first.starts_with("NUMBER(VMEMMAP"); });
    vi = VmcoreInfo::parse(testing::vmcoreinfo_text(kv));
  }
  Status init() { return arch.init(testing::make_env(mem, &vi, &vmlinux)); }
};

class ArchArm64Forms : public ::testing::TestWithParam<Config> {};

TEST_P(ArchArm64Forms, PagingFormMatchesTheArchitecture) {
  const Config& c = GetParam();
  auto f = arm64_paging_form(c.page_shift, c.va_bits);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(describe(*f), c.form);
  // The fixture's geometry, derived the hardware's way, agrees.
  TableGeometry g = TableGeometry::arm64(c.page_shift, c.va_bits);
  ASSERT_EQ(g.shifts.size(), f->levels.size());
  for (size_t i = 0; i < g.shifts.size(); ++i) {
    EXPECT_EQ(f->levels[i].shift, g.shifts[i]);
    EXPECT_EQ(f->levels[i].bits, g.bits[i]);
  }
}

TEST_P(ArchArm64Forms, PagesAndBlocksAtEachLegalLevel) {
  Arm64Kernel k{GetParam()};
  k.build();
  const uint64_t page = 1ull << k.cfg.page_shift;
  // High physical addresses for the 52-bit output-address encodings.
  const uint64_t hi = k.cfg.oa == Arm64Oa::pa48 ? 0 : 0x000f000000000000ull;
  const uint64_t v = k.vmalloc();
  k.pt->map(v, hi + 0x7654ull * page, page);
  for (size_t i = 0; i < k.cfg.blocks.size(); ++i)
    k.pt->map(v + (i + 1) * (4ull << 30), hi + 0x200000000ull * (i + 1), k.cfg.blocks[i]);
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.page_size(), page);
  EXPECT_EQ(describe(k.arch.kernel_paging()), k.cfg.form);

  auto t = k.arch.kvtop(v + 0x18);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->paddr, hi + 0x7654ull * page + 0x18);
  EXPECT_EQ(t->page_size, page);
  EXPECT_EQ(t->steps.size(), k.arch.kernel_paging().levels.size());
  EXPECT_EQ(t->steps.back().level, "PTE");
  EXPECT_EQ(t->steps.front().table_paddr, k.root_pa());
  EXPECT_EQ(t->region, "vmalloc");

  for (size_t i = 0; i < k.cfg.blocks.size(); ++i) {
    const uint64_t bv = v + (i + 1) * (4ull << 30);
    const uint64_t off = k.cfg.blocks[i] - 8;
    auto b = k.arch.kvtop(bv + off);
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    EXPECT_EQ(b->paddr, hi + 0x200000000ull * (i + 1) + off) << size_name(k.cfg.blocks[i]);
    EXPECT_EQ(b->page_size, k.cfg.blocks[i]);
  }
}

TEST_P(ArchArm64Forms, NonPresentAtEachLevel) {
  const size_t nlevels = TableGeometry::arm64(GetParam().page_shift, GetParam().va_bits).shifts.size();
  for (size_t level = 0; level < nlevels; ++level) {
    Arm64Kernel k{GetParam()};
    k.build();
    const uint64_t page = 1ull << k.cfg.page_shift;
    const uint64_t v = k.vmalloc() + 5 * page;
    k.pt->map(v, 0x43210000ull & ~(page - 1), page);
    k.pt->set_entry(v, level, 0x0040000000000000ull);  // valid bit clear
    ASSERT_TRUE(k.init().ok());
    auto t = k.arch.kvtop(v);
    ASSERT_FALSE(t.ok()) << "level " << level;
    EXPECT_EQ(t.error().code, Errc::not_present);
    EXPECT_EQ(t.error().address, v);
    const std::string want = k.arch.kernel_paging().levels[level].name + " entry at paddr " +
                             hex(k.pt->entry_paddr(v, level)) + " is 0x40000000000000";
    EXPECT_NE(t.error().message.find(want), std::string::npos) << t.error().message;
  }
}

TEST_P(ArchArm64Forms, LinearMapKernelImageAndVmemmap) {
  Arm64Kernel k{GetParam()};
  k.build();
  ASSERT_TRUE(k.init().ok());
  EXPECT_TRUE(k.arch.flipped_layout());
  const uint64_t pa = 0x5abcd123;
  auto lm = k.arch.kvtop(k.linear_va(pa));
  ASSERT_TRUE(lm.ok()) << lm.error().to_string();
  EXPECT_EQ(lm->paddr, pa);
  EXPECT_EQ(lm->region, "direct map");
  EXPECT_EQ(k.arch.ptov(pa), k.linear_va(pa));

  auto img = k.arch.kvtop(k.text_va() + 0x123458);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->paddr, k.text_pa + 0x123458);
  EXPECT_EQ(img->region, "kernel text");
  EXPECT_EQ(k.arch.kernel_root(), k.root_pa());

  EXPECT_EQ(k.arch.page_struct(k.phys_offset + (7ull << k.cfg.page_shift)), k.vmemmap_start() + 7 * 64);
}

const Config kConfigs[] = {
    {12, 39, "arm64 4K granule, 39-bit VA: PGD(30,9,1G) PMD(21,9,2M) PTE(12,9,4K)", {1ull << 30, 2ull << 20}},
    {12, 48, "arm64 4K granule, 48-bit VA: PGD(39,9) PUD(30,9,1G) PMD(21,9,2M) PTE(12,9,4K)",
     {1ull << 30, 2ull << 20}},
    {12, 52, "arm64 4K granule, 52-bit VA: PGD(48,4) P4D(39,9) PUD(30,9,1G) PMD(21,9,2M) PTE(12,9,4K)",
     {1ull << 30, 2ull << 20}, Arm64Oa::lpa2},
    {14, 47, "arm64 16K granule, 47-bit VA: PGD(36,11) PMD(25,11,32M) PTE(14,11,16K)", {32ull << 20}},
    {14, 48, "arm64 16K granule, 48-bit VA: PGD(47,1) PUD(36,11) PMD(25,11,32M) PTE(14,11,16K)",
     {32ull << 20}},
    {14, 52, "arm64 16K granule, 52-bit VA: PGD(47,5) PUD(36,11) PMD(25,11,32M) PTE(14,11,16K)",
     {32ull << 20}, Arm64Oa::lpa2},
    {16, 42, "arm64 64K granule, 42-bit VA: PGD(29,13,512M) PTE(16,13,64K)", {512ull << 20},
     Arm64Oa::lpa_64k},
    {16, 48, "arm64 64K granule, 48-bit VA: PGD(42,6) PMD(29,13,512M) PTE(16,13,64K)", {512ull << 20},
     Arm64Oa::lpa_64k},
    {16, 52, "arm64 64K granule, 52-bit VA: PGD(42,10) PMD(29,13,512M) PTE(16,13,64K)", {512ull << 20},
     Arm64Oa::lpa_64k},
};

INSTANTIATE_TEST_SUITE_P(Granules, ArchArm64Forms, ::testing::ValuesIn(kConfigs),
                         [](const ::testing::TestParamInfo<Config>& i) {
                           return "g" + std::to_string(1u << (i.param.page_shift - 10)) + "k_va" +
                                  std::to_string(i.param.va_bits);
                         });

TEST(ArchArm64, BlockAtAnIllegalLevelIsInvalid) {
  Arm64Kernel k{kConfigs[1]};  // 4K, 48-bit: no 512G blocks at the PGD
  k.build();
  const uint64_t v = k.vmalloc();
  k.pt->set_entry(v, 0, 0x0000008000000401ull);  // valid, block form
  ASSERT_TRUE(k.init().ok());
  auto t = k.arch.kvtop(v);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::format);
  EXPECT_NE(t.error().message.find("PGD entry"), std::string::npos) << t.error().message;
}

// 52-bit VA kernel on 48-bit hardware: since 5.11 PAGE_OFFSET stays
// _PAGE_OFFSET(52) and PHYS_OFFSET is lowered (negative); before, PAGE_OFFSET
// followed vabits_actual. Both put pa at the same 48-bit linear address.
TEST(ArchArm64, FiftyTwoBitKernelOnFortyEightBitHardware) {
  const uint64_t real = 0x80000000;
  for (bool adjusted : {true, false}) {
    Arm64Kernel k{kConfigs[8]};  // 64K, 52-bit
    k.va_actual = 48;
    k.phys_offset = adjusted ? real - (neg(48) - neg(52)) : real;
    k.text_pa = real + 0x1200000;
    k.table_pa = real + 0x8000000;
    k.build();
    const uint64_t v = k.vmalloc();
    k.pt->map(v, real + 0x30000, 64 << 10);
    ASSERT_TRUE(k.init().ok());
    EXPECT_EQ(k.arch.va_bits(), 52u);
    EXPECT_EQ(k.arch.va_bits_actual(), 48u);
    auto t = k.arch.kvtop(0xffff000000001000ull);
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    EXPECT_EQ(t->paddr, real + 0x1000) << (adjusted ? "5.11+" : "5.4");
    EXPECT_EQ(k.arch.ptov(real + 0x1000), 0xffff000000001000ull);
    auto w = k.arch.kvtop(v + 0x40);
    ASSERT_TRUE(w.ok()) << w.error().to_string();
    EXPECT_EQ(w->paddr, real + 0x30040);
  }
}

// Before Linux 5.4 the linear map was the upper half and the image the lower.
TEST(ArchArm64, PreFlipLayoutIsDetectedFromTheImageAddress) {
  FakePhys mem;
  const uint64_t text_link = 0xffff000008080000ull, kaslr = 0x1e00000;
  const uint64_t text_pa = 0x40080000, kimage_voffset = text_link + kaslr - text_pa;
  const uint64_t swapper_va = text_link + kaslr + 0x1000000;
  PageTableBuilder pt(mem, TableGeometry::arm64(12, 48), PteEncoding::arm64(12, Arm64Oa::pa48),
                      swapper_va - kimage_voffset, 0x48000000);
  pt.map(0xffff000010000000ull, 0x4abcd000, 4096);  // vmalloc, now in the lower half
  VmcoreInfo vi = VmcoreInfo::parse(testing::vmcoreinfo_text({
      {"PAGESIZE", "4096"},
      {"SYMBOL(swapper_pg_dir)", hex(swapper_va).substr(2)},
      {"NUMBER(VA_BITS)", "48"},
      {"NUMBER(kimage_voffset)", hex(kimage_voffset)},
      {"NUMBER(PHYS_OFFSET)", "0x40000000"},
      {"KERNELOFFSET", hex(kaslr).substr(2)},
  }));
  arm64::Arm64Arch arch;
  ASSERT_TRUE(arch.init(testing::make_env(mem, &vi, nullptr)).ok());
  EXPECT_FALSE(arch.flipped_layout());
  auto lm = arch.kvtop(0xffff800000001000ull);
  ASSERT_TRUE(lm.ok());
  EXPECT_EQ(lm->paddr, 0x40001000u);
  EXPECT_EQ(lm->region, "direct map");
  EXPECT_EQ(arch.ptov(0x40001000), 0xffff800000001000ull);
  auto v = arch.kvtop(0xffff000010000010ull);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->paddr, 0x4abcd010u);
  // Pre-4.x VMEMMAP_START = PAGE_OFFSET - VMEMMAP_SIZE, 1 << (48 - 12 - 1 + 6).
  EXPECT_EQ(arch.page_struct(0x40000000 + 3 * 4096), 0xffff800000000000ull - (1ull << 41) + 3 * 64);
}

// Without NUMBER(VMEMMAP_START), the definition whose struct page for
// swapper_pg_dir's page is mapped wins: here Linux 5.4's
// VMEMMAP_START = -VMEMMAP_SIZE - SZ_2M with VMEMMAP_SIZE = 2^47 >> 6.
TEST(ArchArm64, VmemmapBaseIsProbedWhenVmcoreinfoLacksIt) {
  Arm64Kernel k{kConfigs[1]};  // 4K, 48-bit
  k.vmemmap_in_vmcoreinfo = false;
  k.build();
  const uint64_t start = 0 - (1ull << 41) - (2ull << 20);
  const uint64_t probe = start + ((k.root_pa() - k.phys_offset) >> 12) * 64;
  k.pt->map(probe & ~0xfffull, 0x4f000000, 4096);
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.page_struct(k.phys_offset), start);
  EXPECT_EQ(k.arch.page_struct(k.phys_offset + 5 * 4096), start + 5 * 64);
  auto t = k.arch.kvtop(probe);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->region, "vmemmap");
  EXPECT_EQ(t->paddr, 0x4f000000 + (probe & 0xfff));
}

TEST(ArchArm64, StripsPointerAuthenticationAndTags) {
  Arm64Kernel k{kConfigs[1]};
  k.pacmask = 0xffff000000000000ull;  // GENMASK(63, 48)
  k.build();
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.strip_code_pointer(0x3fd5800010234567ull), 0xffff800010234567ull);
  EXPECT_EQ(k.arch.strip_code_pointer(0xffff800010234567ull), 0xffff800010234567ull);
  EXPECT_EQ(k.arch.strip_code_pointer(0x001d00000040a123ull), 0x000000000040a123ull);

  // No KERNELPACMASK: the bits above the VA size.
  Arm64Kernel k39{kConfigs[0]};
  k39.build();
  ASSERT_TRUE(k39.init().ok());
  EXPECT_EQ(k39.arch.strip_code_pointer(0x12a1ffc010234567ull | (1ull << 55)),
            0xffffffc010234567ull);
  EXPECT_EQ(k39.arch.strip_code_pointer(0x7b0000000040a123ull), 0x000000000040a123ull);
}

TEST(ArchArm64, UserAddressesThroughAGivenRoot) {
  Arm64Kernel k{kConfigs[4]};  // 16K, 48-bit
  k.build();
  PageTableBuilder user(k.mem, TableGeometry::arm64(14, 48), PteEncoding::arm64(14, Arm64Oa::pa48),
                        0x50000000, 0x50004000);
  user.map(0xaaaad0004000ull, 0x51234000, 16 << 10);
  ASSERT_TRUE(k.init().ok());
  auto t = k.arch.uvtop(0x50000000, 0xaaaad0004abcull);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->paddr, 0x51234abcu);
  EXPECT_EQ(t->region, "user");
  // A tagged user pointer (TBI0) reaches the same page.
  auto tagged = k.arch.uvtop(0x50000000, 0x0f00aaaad0004abcull);
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(tagged->paddr, 0x51234abcu);
  EXPECT_FALSE(k.arch.uvtop(0x50000000, 0xaaaad0008000ull).ok());
}

TEST(ArchArm64, PteFlagsAsCrashPrintsThem) {
  EXPECT_EQ(arm64::pte_flags(0x0060000040000703ull), "(VALID|SHARED|AF|PXN|UXN)");
  EXPECT_EQ(arm64::pte_flags(0x00e8000041234fc3ull), "(VALID|USER|RDONLY|SHARED|AF|NG|PXN|UXN|DIRTY|WRITE)");
  EXPECT_EQ(arm64::pte_flags(0), "(no mapping)");
}

TEST(ArchArm64, RejectsGeometryTheArchitectureLacks) {
  EXPECT_FALSE(arm64_paging_form(13, 48).ok());
  EXPECT_FALSE(arm64_paging_form(12, 60).ok());
}

// No VMCOREINFO: kimage_voffset from linux_banner's physical address, the
// KASLR offset from sys_call_table, PHYS_OFFSET and VA_BITS from the
// kernel's variables, the granule by probing swapper_pg_dir.
TEST(ArchArm64, KaslrFromLinuxBannerWithoutVmcoreinfo) {
  FakePhys mem;
  FakeVmlinux vml;
  const uint64_t text_link = 0xffff800008000000ull, kaslr = 0x3a5e0000, text_pa = 0x40410000;
  const uint64_t voff = text_link + kaslr - text_pa;
  auto pa_of = [&](uint64_t link) { return link + kaslr - voff; };
  const uint64_t banner = text_link + 0x1100038, sct = text_link + 0x1200000,
                 memstart = text_link + 0x1300000, vabits = text_link + 0x1300008,
                 swapper = text_link + 0x1800000;
  vml.symbols = {{"_text", text_link},         {"_end", text_link + 0x2000000},
                 {"linux_banner", banner},     {"sys_call_table", sct},
                 {"memstart_addr", memstart},  {"vabits_actual", vabits},
                 {"swapper_pg_dir", swapper}};
  const std::string text = "Linux version 6.1.0-arm64 (kinspect@fixture) #1 SMP";
  vml.put_string(banner, text);
  std::vector<uint64_t> ptrs;
  for (int i = 0; i < 16; ++i) ptrs.push_back(text_link + 0x300000 + i * 0x20);
  // arm64 links with --no-apply-dynamic-relocs: the file holds zeros and the
  // values are the addends of R_AARCH64_RELATIVE (1027) entries in .rela.dyn.
  vml.put_u64s(sct, std::vector<uint64_t>(16, 0));
  const uint64_t rela = text_link + 0x1400000;
  std::vector<uint64_t> entries = {text_link + 0x500, 1027, text_link + 0x40};  // an unrelated slot
  for (int i = 15; i >= 0; --i) entries.insert(entries.end(), {sct + 8 * i, 1027, ptrs[i]});
  vml.put_u64s(rela, entries);
  vml.symbols["__rela_start"] = rela;
  vml.symbols["__rela_end"] = rela + entries.size() * 8;
  mem.write_string(pa_of(banner), text);
  for (int i = 0; i < 16; ++i) mem.write_u64(pa_of(sct) + 8 * i, ptrs[i] + kaslr);
  mem.write_u64(pa_of(memstart), 0x40000000);
  mem.write_u64(pa_of(vabits), 48);
  PageTableBuilder pt(mem, TableGeometry::arm64(12, 48), PteEncoding::arm64(12, Arm64Oa::pa48),
                      pa_of(swapper), 0x48000000);
  pt.map(swapper + kaslr, pa_of(swapper), 4096);  // the image is mapped in swapper_pg_dir
  VmcoreInfo empty;
  arm64::Arm64Arch arch;
  auto st = arch.init(testing::make_env(mem, &empty, &vml));
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(arch.kaslr_offset(), kaslr);
  EXPECT_EQ(arch.kimage_voffset(), voff);
  EXPECT_EQ(arch.phys_offset(), 0x40000000u);
  EXPECT_EQ(arch.page_size(), 4096u);
  EXPECT_EQ(arch.kaslr_source(), "linux_banner found at paddr " + hex(pa_of(banner)) +
                                     ", virtual offset from sys_call_table pointers");
  auto t = arch.kvtop(text_link + kaslr + 0x20);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->paddr, text_pa + 0x20);
}

}  // namespace
}  // namespace kinspect
