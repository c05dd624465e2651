#include "core/dump/page_cache.hpp"

namespace kinspect {

PageCache::PageCache(size_t capacity, size_t page_size)
    : capacity_(capacity == 0 ? 1 : capacity), page_size_(page_size) {}

std::span<const uint8_t> PageCache::find(uint64_t pfn) {
  auto it = index_.find(pfn);
  if (it == index_.end()) {
    ++misses_;
    return {};
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->data;
}

std::span<uint8_t> PageCache::insert(uint64_t pfn) {
  auto it = index_.find(pfn);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->data;
  }
  if (index_.size() >= capacity_) {
    // Recycle the oldest entry's buffer instead of freeing and reallocating.
    auto last = std::prev(lru_.end());
    index_.erase(last->pfn);
    last->pfn = pfn;
    lru_.splice(lru_.begin(), lru_, last);
  } else {
    lru_.push_front(Entry{pfn, std::vector<uint8_t>(page_size_)});
  }
  index_[pfn] = lru_.begin();
  return lru_.front().data;
}

void PageCache::erase(uint64_t pfn) {
  auto it = index_.find(pfn);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

}  // namespace kinspect
