// x86_64 translation over page tables the fixture builder lays out in fake
// physical memory. Every expected paddr is one the fixture mapped.
#include <gtest/gtest.h>

#include "arch/paging_form.hpp"
#include "arch/x86_64/x86_64_arch.hpp"
#include "tests/fixtures/page_table_builder.hpp"

namespace kinspect {
namespace {

using testing::FakePhys;
using testing::FakeVmlinux;
using testing::PageTableBuilder;
using testing::PteEncoding;
using testing::TableGeometry;

constexpr uint64_t kStart = 0xffffffff80000000ull;
constexpr uint64_t k4K = 4096, k2M = 2ull << 20, k1G = 1ull << 30;

// A KASLR-randomized kernel: link addresses, offsets and bases as the fixture defines them.
struct X86Kernel {
  bool l5 = false;
  uint64_t kaslr = 0x1e000000;
  uint64_t phys_base = 0x2a00000;
  uint64_t page_offset_base = 0xffff9a8c40000000ull;
  uint64_t vmalloc_base = 0xffffb1e5c0000000ull;
  uint64_t vmemmap_base = 0xffffde2e00000000ull;
  // Link-time addresses.
  uint64_t text = 0xffffffff81000000ull;
  uint64_t end = 0xffffffff83000000ull;
  uint64_t init_top_pgt = 0xffffffff82a0c000ull;
  uint64_t vars = 0xffffffff82b10000ull;  // page_offset_base, vmalloc_base, vmemmap_base

  FakePhys mem;
  FakeVmlinux vmlinux;
  VmcoreInfo vi;
  std::unique_ptr<PageTableBuilder> pt;
  x86_64::X86_64Arch arch;

  uint64_t text_pa(uint64_t link) const { return link + kaslr - kStart + phys_base; }

  void build(std::vector<std::pair<std::string, std::string>> extra_vmcoreinfo = {},
             bool with_vmcoreinfo = true) {
    if (l5) {
      page_offset_base = 0xff4d2a0000000000ull;
      vmalloc_base = 0xffb9d00000000000ull;
      vmemmap_base = 0xffd6e00000000000ull;
    }
    vmlinux.symbols = {{"_text", text},
                       {"_end", end},
                       {"init_top_pgt", init_top_pgt},
                       {"page_offset_base", vars},
                       {"vmalloc_base", vars + 8},
                       {"vmemmap_base", vars + 16}};
    mem.write_u64(text_pa(vars), page_offset_base);
    mem.write_u64(text_pa(vars + 8), vmalloc_base);
    mem.write_u64(text_pa(vars + 16), vmemmap_base);
    pt = std::make_unique<PageTableBuilder>(mem, TableGeometry::x86_64(l5), PteEncoding::x86_64(),
                                            text_pa(init_top_pgt), 0x10000000);
    std::vector<std::pair<std::string, std::string>> kv = {
        {"OSRELEASE", "6.1.0-test"},
        {"PAGESIZE", "4096"},
        {"SYMBOL(init_top_pgt)", hex(init_top_pgt + kaslr).substr(2)},
        {"SIZE(page)", "64"},
        {"NUMBER(phys_base)", std::to_string(phys_base)},
        {"NUMBER(pgtable_l5_enabled)", l5 ? "1" : "0"},
        {"KERNELOFFSET", hex(kaslr).substr(2)},
        {"NUMBER(KERNEL_IMAGE_SIZE)", std::to_string(k1G)},
    };
    for (auto& e : extra_vmcoreinfo) kv.push_back(e);
    if (with_vmcoreinfo) vi = VmcoreInfo::parse(testing::vmcoreinfo_text(kv));
  }
  Status init() { return arch.init(testing::make_env(mem, &vi, &vmlinux)); }
};

TEST(ArchX86_64, PagingFormIsData) {
  EXPECT_EQ(describe(x86_64_paging_form(false)),
            "x86_64 4-level, 4K pages: PML4(39,9) PUD(30,9,1G) PMD(21,9,2M) PTE(12,9,4K)");
  EXPECT_EQ(describe(x86_64_paging_form(true)),
            "x86_64 5-level, 4K pages: PML5(48,9) PML4(39,9) PUD(30,9,1G) PMD(21,9,2M) "
            "PTE(12,9,4K)");
}

TEST(ArchX86_64, LearnsKaslrAndBasesFromTheKernel) {
  X86Kernel k;
  k.build();
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.kaslr_offset(), k.kaslr);
  EXPECT_EQ(k.arch.kaslr_source(), "VMCOREINFO KERNELOFFSET");
  EXPECT_EQ(k.arch.phys_base(), k.phys_base);
  EXPECT_EQ(k.arch.kernel_root(), k.text_pa(k.init_top_pgt));
  EXPECT_FALSE(k.arch.five_level());
  auto layout = k.arch.layout();
  auto get = [&](const std::string& n) {
    for (auto& [name, v] : layout)
      if (name == n) return v;
    ADD_FAILURE() << "no " << n;
    return uint64_t{0};
  };
  EXPECT_EQ(get("page_offset_base"), k.page_offset_base);
  EXPECT_EQ(get("vmalloc_base"), k.vmalloc_base);
  EXPECT_EQ(get("vmemmap_base"), k.vmemmap_base);
}

TEST(ArchX86_64, KernelTextNeedsNoPageTables) {
  X86Kernel k;
  k.build();
  ASSERT_TRUE(k.init().ok());
  const uint64_t va = k.text + k.kaslr + 0x123456;
  auto t = k.arch.kvtop(va);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->paddr, k.text_pa(k.text) + 0x123456);
  EXPECT_EQ(t->paddr, 0x1000000 + k.kaslr + k.phys_base + 0x123456);
  EXPECT_EQ(t->region, "kernel text");
  EXPECT_TRUE(t->steps.empty());
}

TEST(ArchX86_64, DirectMapAndPtov) {
  X86Kernel k;
  k.build();
  ASSERT_TRUE(k.init().ok());
  auto t = k.arch.kvtop(k.page_offset_base + 0x12345678);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->paddr, 0x12345678u);
  EXPECT_EQ(t->region, "direct map");
  EXPECT_EQ(k.arch.ptov(0x12345678), k.page_offset_base + 0x12345678);
}

TEST(ArchX86_64, WalksFourKTwoMAndOneGPages) {
  X86Kernel k;
  k.build();
  k.pt->map_text(
      "0xffffb1e5c0005000 0x7654000 4K   # vmalloc\n"
      "0xffffde2e00000000 0x40000000 2M  # vmemmap\n"
      "0xffffb1e680000000 0x80000000 1G\n"
      "0xffffffffc0123000 0x3456000 4K   # module\n");
  ASSERT_TRUE(k.init().ok());

  auto v = k.arch.kvtop(0xffffb1e5c0005abcull);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->paddr, 0x7654abcu);
  EXPECT_EQ(v->page_size, k4K);
  EXPECT_EQ(v->region, "vmalloc");
  ASSERT_EQ(v->steps.size(), 4u);
  EXPECT_EQ(v->steps[0].level, "PML4");
  EXPECT_EQ(v->steps[3].level, "PTE");
  EXPECT_EQ(v->steps[0].table_paddr, k.arch.kernel_root());
  EXPECT_EQ(v->steps[3].entry, 0x8000000007654163ull);
  EXPECT_EQ(v->steps[3].entry_paddr, k.pt->entry_paddr(0xffffb1e5c0005abcull, 3));

  auto m = k.arch.kvtop(0xffffde2e001fffffull);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->paddr, 0x401fffffu);
  EXPECT_EQ(m->page_size, k2M);
  EXPECT_EQ(m->region, "vmemmap");
  EXPECT_EQ(m->steps.size(), 3u);
  EXPECT_EQ(m->steps.back().level, "PMD");

  auto g = k.arch.kvtop(0xffffb1e680000000ull + 0x3fedcba9);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->paddr, 0x80000000u + 0x3fedcba9);
  EXPECT_EQ(g->page_size, k1G);
  EXPECT_EQ(g->steps.back().level, "PUD");

  auto mod = k.arch.kvtop(0xffffffffc0123008ull);
  ASSERT_TRUE(mod.ok());
  EXPECT_EQ(mod->paddr, 0x3456008u);
  EXPECT_EQ(mod->region, "module");
}

TEST(ArchX86_64, NonPresentAtEachLevelNamesLevelEntryAndValue) {
  const char* names[] = {"PML4", "PUD", "PMD", "PTE"};
  for (size_t level = 0; level < 4; ++level) {
    X86Kernel k;
    k.build();
    const uint64_t va = 0xffffb1e5c0007000ull;
    k.pt->map(va, 0x7777000, k4K);
    k.pt->set_entry(va, level, 0x2);  // RW but not present
    ASSERT_TRUE(k.init().ok());
    auto t = k.arch.kvtop(va + 0x10);
    ASSERT_FALSE(t.ok()) << names[level];
    EXPECT_EQ(t.error().code, Errc::not_present);
    EXPECT_EQ(t.error().address, va + 0x10);
    const std::string& msg = t.error().message;
    EXPECT_NE(msg.find(std::string(names[level]) + " entry at paddr " +
                       hex(k.pt->entry_paddr(va, level)) + " is 0x2"),
              std::string::npos)
        << msg;
  }
}

TEST(ArchX86_64, ExcludedTablePageIsReportedWithTheLevel) {
  X86Kernel k;
  k.build();
  const uint64_t va = 0xffffb1e5c0009000ull;
  k.pt->map(va, 0x9999000, k4K);
  k.mem.exclude(k.pt->entry_paddr(va, 3));  // the PTE table
  ASSERT_TRUE(k.init().ok());
  auto t = k.arch.kvtop(va);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::excluded);
  EXPECT_NE(t.error().message.find("reading PTE entry at paddr"), std::string::npos)
      << t.error().message;
}

TEST(ArchX86_64, FiveLevelPaging) {
  X86Kernel k;
  k.l5 = true;
  k.build();
  const uint64_t va = 0xffb9d00012345000ull;
  k.pt->map(va, 0x5000000, k4K);
  k.pt->map(0xffb9d80000000000ull, 0x200000000ull, k1G);
  ASSERT_TRUE(k.init().ok());
  EXPECT_TRUE(k.arch.five_level());
  EXPECT_EQ(k.arch.kernel_paging().levels.size(), 5u);
  auto t = k.arch.kvtop(va + 0x678);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->paddr, 0x5000678u);
  ASSERT_EQ(t->steps.size(), 5u);
  EXPECT_EQ(t->steps[0].level, "PML5");
  EXPECT_EQ(t->region, "vmalloc");
  auto g = k.arch.kvtop(0xffb9d80000000000ull + 0x1234);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->paddr, 0x200001234ull);
  EXPECT_EQ(g->page_size, k1G);
  // The direct map of a 5-level kernel.
  auto d = k.arch.kvtop(k.page_offset_base + 0x3000);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->paddr, 0x3000u);
  EXPECT_TRUE(k.arch.is_kernel_address(0xff11000000000000ull));
  EXPECT_FALSE(k.arch.is_kernel_address(0x00ff000000000000ull));

  // A 5-level non-present root entry.
  X86Kernel k2;
  k2.l5 = true;
  k2.build();
  k2.pt->map(va, 0x5000000, k4K);
  k2.pt->set_entry(va, 0, 0);
  ASSERT_TRUE(k2.init().ok());
  auto e = k2.arch.kvtop(va);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("PML5 entry"), std::string::npos);
}

TEST(ArchX86_64, UserAddressesThroughAGivenRoot) {
  X86Kernel k;
  k.build();
  PageTableBuilder user(k.mem, TableGeometry::x86_64(false), PteEncoding::x86_64(), 0x20000000,
                        0x20001000);
  user.map(0x7f1234567000ull, 0x5555000, k4K);
  user.map(0x7f0000000000ull, 0x60000000, k2M);
  ASSERT_TRUE(k.init().ok());
  auto t = k.arch.uvtop(0x20000000, 0x7f1234567321ull);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->paddr, 0x5555321u);
  EXPECT_EQ(t->region, "user");
  EXPECT_EQ(t->root_paddr, 0x20000000u);
  auto h = k.arch.uvtop(0x20000000, 0x7f0000012345ull);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->paddr, 0x60012345u);
  auto miss = k.arch.uvtop(0x20000000, 0x400000);
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.error().code, Errc::not_present);
  EXPECT_FALSE(k.arch.uvtop(0x20000000, 0xffffffff81000000ull).ok());
  EXPECT_FALSE(k.arch.kvtop(0x7f1234567000ull).ok());
}

TEST(ArchX86_64, SmeMaskIsNoPartOfTheAddress) {
  X86Kernel k;
  const uint64_t sme = 1ull << 47;
  k.build({{"NUMBER(sme_mask)", std::to_string(sme)}});
  const uint64_t va = 0xffffb1e5c000b000ull;
  k.pt->map(va, 0x4321000, k4K);
  // Set the C-bit in the leaf as an SME kernel would.
  const uint64_t slot = k.pt->entry_paddr(va, 3);
  k.mem.write_u64(slot, k.mem.read_u64(slot) | sme);
  ASSERT_TRUE(k.init().ok());
  auto t = k.arch.kvtop(va + 8);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->paddr, 0x4321008u);
}

TEST(ArchX86_64, PageStructInVmemmap) {
  X86Kernel k;
  k.build();
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.page_struct(0x12345000), k.vmemmap_base + 0x12345 * 64);
}

TEST(ArchX86_64, PteFlagsAsCrashPrintsThem) {
  EXPECT_EQ(x86_64::pte_flags(0x80000000000001e3ull), "(PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL|NX)");
  EXPECT_EQ(x86_64::pte_flags(0x8000000007654163ull), "(PRESENT|RW|ACCESSED|DIRTY|GLOBAL|NX)");
  EXPECT_EQ(x86_64::pte_flags(0x67), "(PRESENT|RW|USER|ACCESSED|DIRTY)");
  EXPECT_EQ(x86_64::pte_flags(0x100), "(PROTNONE|GLOBAL)");
  EXPECT_EQ(x86_64::pte_flags(0), "(no mapping)");
}

// Without the page_offset_base variable (no CONFIG_RANDOMIZE_MEMORY), the
// pre-4.20 direct map at 0xffff880000000000 is recognized by probing.
TEST(ArchX86_64, DefaultDirectMapIsProbed) {
  X86Kernel k;
  k.kaslr = 0;
  k.build();
  k.vmlinux.symbols.erase("page_offset_base");
  const uint64_t root = k.text_pa(k.init_top_pgt);
  k.pt->map(0xffff880000000000ull + root, root, k4K);
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.ptov(0x1000), 0xffff880000001000ull);
  ASSERT_TRUE(k.arch.kvtop(0xffff880000001000ull).ok());
  EXPECT_EQ(k.arch.kvtop(0xffff880000001000ull)->paddr, 0x1000u);
}

// No VMCOREINFO at all: the kernel is found through linux_banner, the
// virtual offset through sys_call_table's relocated pointers.
TEST(ArchX86_64, KaslrFromLinuxBannerWithoutVmcoreinfo) {
  X86Kernel k;
  k.kaslr = 0x2c000000;
  k.phys_base = 0x7e00000;  // physical randomization independent of the virtual one
  k.build({}, /*with_vmcoreinfo=*/false);
  const std::string banner = "Linux version 6.1.0-test (kinspect@fixture) #1 SMP PREEMPT_DYNAMIC";
  const uint64_t banner_link = 0xffffffff82000140ull, sct_link = 0xffffffff82200280ull;
  k.vmlinux.symbols["linux_banner"] = banner_link;
  k.vmlinux.symbols["sys_call_table"] = sct_link;
  k.vmlinux.put_string(banner_link, banner);
  std::vector<uint64_t> sct;
  for (int i = 0; i < 16; ++i) sct.push_back(0xffffffff81300000ull + i * 0x40);
  k.vmlinux.put_u64s(sct_link, sct);
  k.mem.write_string(k.text_pa(banner_link), banner);
  for (int i = 0; i < 16; ++i) k.mem.write_u64(k.text_pa(sct_link) + i * 8, sct[i] + k.kaslr);
  ASSERT_TRUE(k.vi.empty());
  ASSERT_TRUE(k.init().ok());
  EXPECT_EQ(k.arch.kaslr_offset(), k.kaslr);
  EXPECT_EQ(k.arch.phys_base(), k.phys_base);
  EXPECT_EQ(k.arch.kaslr_source(), "linux_banner found at paddr " + hex(k.text_pa(banner_link)) +
                                       ", virtual offset from sys_call_table pointers");
  EXPECT_EQ(k.arch.kernel_root(), k.text_pa(k.init_top_pgt));
  auto t = k.arch.kvtop(k.text + k.kaslr + 0x10);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->paddr, 0x1000000 + k.kaslr + k.phys_base + 0x10);
}

}  // namespace
}  // namespace kinspect
