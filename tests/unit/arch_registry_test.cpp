#include <gtest/gtest.h>

#include "arch/arch.hpp"

namespace kinspect {
namespace {

TEST(ArchRegistry, MapsMachinesAndNames) {
  auto x = make_arch(DumpMachine::x86_64);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ((*x)->name(), "x86_64");
  auto a = make_arch(DumpMachine::aarch64);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->name(), "arm64");
  for (const char* n : {"aarch64", "arm64"}) {
    auto r = make_arch(std::string_view(n));
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_EQ((*r)->machine(), DumpMachine::aarch64);
  }
  EXPECT_EQ(make_arch(std::string_view("x86_64")).value()->machine(), DumpMachine::x86_64);
  auto bad = make_arch(std::string_view("riscv64"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::unsupported);
  EXPECT_FALSE(make_arch(DumpMachine::unknown).ok());
}

}  // namespace
}  // namespace kinspect
