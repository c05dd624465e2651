// PageCache: a bounded LRU of decompressed dump pages keyed by pfn. Walking a
// list or a page table touches the same few pages over and over; without it
// every u64 read would inflate a whole page again.
#pragma once

#include <cstdint>
#include <list>
#include <span>
#include <unordered_map>
#include <vector>

namespace kinspect {

class PageCache {
 public:
  // capacity: number of pages kept (at least 1); page_size: bytes per page.
  PageCache(size_t capacity, size_t page_size);

  // The cached page for pfn, or an empty span. Marks it most recently used.
  // The span stays valid until the next insert().
  std::span<const uint8_t> find(uint64_t pfn);
  // A writable page-sized buffer for pfn, made most recently used, evicting
  // (and reusing the buffer of) the least recently used page when full. The
  // caller fills it; if filling fails it must call erase(pfn).
  std::span<uint8_t> insert(uint64_t pfn);
  void erase(uint64_t pfn);

  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    uint64_t pfn;
    std::vector<uint8_t> data;
  };
  size_t capacity_;
  size_t page_size_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<uint64_t, std::list<Entry>::iterator> index_;
  uint64_t hits_ = 0, misses_ = 0;
};

// Default capacity: 4096 pages (16 MiB of 4 KiB pages).
inline constexpr size_t kDefaultPageCachePages = 4096;

}  // namespace kinspect
