// PageCache: LRU order, capacity bound, buffer reuse, erase on failed fill.
#include <gtest/gtest.h>

#include "core/dump/page_cache.hpp"

namespace kinspect {
namespace {

TEST(DumpPageCache, EvictsLeastRecentlyUsed) {
  PageCache c(2, 16);
  c.insert(1)[0] = 'a';
  c.insert(2)[0] = 'b';
  ASSERT_FALSE(c.find(1).empty());  // 1 is now most recent
  c.insert(3)[0] = 'c';             // evicts 2
  EXPECT_TRUE(c.find(2).empty());
  ASSERT_FALSE(c.find(1).empty());
  EXPECT_EQ(c.find(1)[0], 'a');
  EXPECT_EQ(c.find(3)[0], 'c');
  EXPECT_EQ(c.size(), 2u);
}

TEST(DumpPageCache, PagesHaveThePageSize) {
  PageCache c(4, 4096);
  EXPECT_EQ(c.insert(9).size(), 4096u);
  EXPECT_EQ(c.find(9).size(), 4096u);
}

TEST(DumpPageCache, EraseForgetsAFailedFill) {
  PageCache c(4, 8);
  c.insert(5);
  c.erase(5);
  EXPECT_TRUE(c.find(5).empty());
  EXPECT_EQ(c.size(), 0u);
  c.erase(42);  // absent: no-op
}

TEST(DumpPageCache, CountsHitsAndMisses) {
  PageCache c(1, 8);
  EXPECT_TRUE(c.find(1).empty());
  c.insert(1);
  EXPECT_FALSE(c.find(1).empty());
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 1u);
  PageCache z(0, 8);  // capacity 0 still keeps one page
  EXPECT_EQ(z.capacity(), 1u);
}

}  // namespace
}  // namespace kinspect
