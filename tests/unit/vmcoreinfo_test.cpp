#include <gtest/gtest.h>

#include "core/vmcoreinfo.hpp"

using namespace kinspect;

TEST(VmcoreInfo, ParsesEachKeyKind) {
  auto v = VmcoreInfo::parse(
      "OSRELEASE=6.1.0-28-cloud-amd64\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82a15080\n"
      "OFFSET(uts_namespace.name)=0\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=1a000000\n"
      "NUMBER(KERNELPACMASK)=-1\nSIZE(page)=64\nCRASHTIME=1763776000\n");
  EXPECT_EQ(v.osrelease(), "6.1.0-28-cloud-amd64");
  EXPECT_EQ(v.symbol("init_uts_ns"), 0xffffffff82a15080ull);
  EXPECT_EQ(v.offset("uts_namespace.name"), 0);
  EXPECT_EQ(v.number("pgtable_l5_enabled"), 0);
  EXPECT_EQ(v.number("KERNELPACMASK"), -1);
  EXPECT_EQ(v.size("page"), 64);
  EXPECT_EQ(v.hex_value("KERNELOFFSET"), 0x1a000000ull);
  EXPECT_EQ(v.dec_value("CRASHTIME"), 1763776000);
  EXPECT_FALSE(v.symbol("nosuch").has_value());
  auto r = v.require_hex("NOSUCH");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("NOSUCH"), std::string::npos);
}

TEST(VmcoreInfo, ToleratesNulPaddingAndJunkLines) {
  static const char raw[] = "garbage\n=x\nPAGESIZE=4096\0\0\0";
  auto v = VmcoreInfo::parse(std::string_view(raw, sizeof raw - 1));
  EXPECT_EQ(v.dec_value("PAGESIZE"), 4096);
  EXPECT_EQ(v.all().size(), 1u);
}

TEST(VmcoreInfo, Arm64PrintsSomeNumbersInHex) {
  auto v = VmcoreInfo::parse("NUMBER(kimage_voffset)=0xffffbe0606600000\nNUMBER(PHYS_OFFSET)=0x40000000\n"
                             "NUMBER(VA_BITS)=48\n");
  EXPECT_EQ(static_cast<uint64_t>(*v.number("kimage_voffset")), 0xffffbe0606600000ull);
  EXPECT_EQ(v.number("PHYS_OFFSET"), 0x40000000);
  EXPECT_EQ(v.number("VA_BITS"), 48);
}

#include "core/linux/kernel_summary.hpp"

TEST(KernelSummary, MemorySizeAsCrashPrintsIt) {
  // Values crash 8.0.2 printed for the sample dumps' node_present_pages.
  EXPECT_EQ(kinspect::format_memory_size(130944ull * 4096), "511.5 MB");
  EXPECT_EQ(kinspect::format_memory_size(131072ull * 4096), "512 MB");
  EXPECT_EQ(kinspect::format_memory_size(262016ull * 4096), "1 GB");
}
