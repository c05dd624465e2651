#include "core/dump/pfn_bitmap.hpp"

#include <bit>
#include <cstring>

namespace kinspect {

namespace {
constexpr uint64_t kBlockBits = 512;
constexpr size_t kWordsPerBlock = kBlockBits / 64;
}  // namespace

PfnBitmap::PfnBitmap(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {
  size_t words = (bytes_.size() + 7) / 8;
  prefix_.reserve(words / kWordsPerBlock + 2);
  uint64_t count = 0;
  for (size_t i = 0; i < words; ++i) {
    if (i % kWordsPerBlock == 0) prefix_.push_back(count);
    count += std::popcount(word(i));
  }
  prefix_.push_back(count);
}

uint64_t PfnBitmap::word(size_t i) const {
  uint64_t v = 0;
  size_t base = i * 8;
  if (base + 8 <= bytes_.size()) {
    std::memcpy(&v, bytes_.data() + base, 8);  // bitmaps are little-endian, as are the hosts we run on
    return v;
  }
  for (size_t b = 0; b < 8 && base + b < bytes_.size(); ++b)
    v |= static_cast<uint64_t>(bytes_[base + b]) << (8 * b);
  return v;
}

uint64_t PfnBitmap::rank(uint64_t bit) const {
  if (bit >= size_bits()) return prefix_.empty() ? 0 : prefix_.back();
  uint64_t block = bit / kBlockBits;
  uint64_t count = prefix_[block];
  size_t w = block * kWordsPerBlock;
  size_t last = bit / 64;
  for (; w < last; ++w) count += std::popcount(word(w));
  uint64_t partial = bit % 64;
  if (partial) count += std::popcount(word(last) & ((uint64_t{1} << partial) - 1));
  return count;
}

std::optional<std::vector<std::pair<uint64_t, uint64_t>>> PfnBitmap::runs(uint64_t limit,
                                                                          size_t max_runs) const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  if (limit > size_bits()) limit = size_bits();
  uint64_t bit = 0;
  while (bit < limit) {
    uint64_t w = word(bit / 64) >> (bit % 64);
    if (w == 0) {  // skip to the next word
      bit = (bit / 64 + 1) * 64;
      continue;
    }
    bit += std::countr_zero(w);
    if (bit >= limit) break;
    uint64_t start = bit;
    while (bit < limit) {
      uint64_t ones = ~(word(bit / 64) >> (bit % 64));
      // Bits past the word's end shift in as zeros and so count as ones here:
      // mask to the bits actually in this word.
      uint64_t avail = 64 - bit % 64;
      uint64_t run = ones == 0 ? 64 : std::countr_zero(ones);
      if (run > avail) run = avail;
      bit += run;
      if (run < avail) break;
    }
    if (bit > limit) bit = limit;
    if (out.size() == max_runs) return std::nullopt;
    out.emplace_back(start, bit);
  }
  return out;
}

}  // namespace kinspect
