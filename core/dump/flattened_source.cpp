#include "core/dump/flattened_source.hpp"

#include <algorithm>
#include <cstring>

#include "core/dump/bytes.hpp"
#include "core/dump/probe.hpp"

namespace kinspect {

using namespace dumpbytes;

void ExtentMapBuilder::add(uint64_t start, uint64_t len, uint64_t src) {
  if (len == 0) return;
  uint64_t end = start + len;
  // Trim or split every run that overlaps [start, end).
  auto it = runs_.lower_bound(start);
  if (it != runs_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.end > start) {
      Run tail = prev->second;
      uint64_t prev_start = prev->first;
      prev->second.end = start;
      if (tail.end > end) runs_[end] = Run{tail.end, tail.src + (end - prev_start)};
    }
  }
  it = runs_.lower_bound(start);
  while (it != runs_.end() && it->first < end) {
    Run r = it->second;
    uint64_t s = it->first;
    it = runs_.erase(it);
    if (r.end > end) {
      runs_[end] = Run{r.end, r.src + (end - s)};
      break;
    }
  }
  runs_[start] = Run{end, src};
}

std::vector<FlattenedSource::Extent> ExtentMapBuilder::finish() const {
  std::vector<FlattenedSource::Extent> out;
  out.reserve(runs_.size());
  for (const auto& [start, r] : runs_) {
    // Merge runs that continue each other in both spaces (the common case:
    // makedumpfile writing consecutive buffers).
    if (!out.empty() && out.back().end == start && out.back().src + (out.back().end - out.back().start) == r.src)
      out.back().end = r.end;
    else
      out.push_back({start, r.end, r.src});
  }
  return out;
}

Result<std::unique_ptr<FlattenedSource>> FlattenedSource::index(std::unique_ptr<ByteSource> stream) {
  const std::string& name = stream->name();
  const uint64_t fsize = stream->size();
  ExtentMapBuilder map;
  uint64_t pos = kFlatHeaderSize;
  uint64_t records = 0;
  uint64_t max_end = 0;
  bool complete = false;
  while (true) {
    uint8_t h[kFlatRecordHeader];
    if (pos > fsize || fsize - pos < sizeof h) break;  // no end marker: incomplete
    TRY_VOID(stream->read_exact(pos, h));
    auto off = static_cast<int64_t>(be64(h, 0));
    auto len = static_cast<int64_t>(be64(h, 8));
    if (off == -1) {
      complete = true;
      break;
    }
    if (off < 0 || len <= 0)
      return fail(Errc::format, name + ": flattened record at offset " + hex(pos) + " has offset " +
                                    std::to_string(off) + " and size " + std::to_string(len) +
                                    " (both must be positive; -1/-1 ends the stream)");
    uint64_t data = pos + sizeof h;
    uint64_t avail = fsize - data;
    auto ulen = static_cast<uint64_t>(len);
    auto uoff = static_cast<uint64_t>(off);
    if (uoff + ulen < uoff)
      return fail(Errc::format, name + ": flattened record at offset " + hex(pos) + " (offset " +
                                    hex(uoff) + ", size " + hex(ulen) + ") wraps around");
    // A record cut short by the end of the file keeps what it has.
    uint64_t have = std::min(ulen, avail);
    map.add(uoff, have, data);
    max_end = std::max(max_end, uoff + have);
    ++records;
    if (have < ulen) {
      pos = fsize;
      break;
    }
    pos = data + ulen;
  }
  return std::unique_ptr<FlattenedSource>(
      new FlattenedSource(std::move(stream), map.finish(), max_end, records, complete, pos));
}

FlattenedSource::FlattenedSource(std::unique_ptr<ByteSource> stream, std::vector<Extent> extents,
                                 uint64_t size, uint64_t records, bool complete, uint64_t stream_end)
    : stream_(std::move(stream)),
      name_(stream_->name() + " (flattened)"),
      extents_(std::move(extents)),
      size_(size),
      records_(records),
      complete_(complete),
      stream_end_(stream_end) {}

Status FlattenedSource::read_exact(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    return fail(Errc::truncated, name_ + ": read of " + std::to_string(out.size()) + " bytes at offset " +
                                     hex(offset) + " goes past the end of the rearranged dump (size " +
                                     hex(size_) + (complete_ ? ")" : "; the stream has no end marker)"));
  auto it = std::upper_bound(extents_.begin(), extents_.end(), offset,
                             [](uint64_t o, const Extent& e) { return o < e.start; });
  if (it != extents_.begin() && std::prev(it)->end > offset) --it;
  while (!out.empty()) {
    if (it == extents_.end() || offset < it->start) {
      // A hole no record wrote: zeros, as in a file rearranged with -R.
      uint64_t hole_end = it == extents_.end() ? offset + out.size() : it->start;
      uint64_t n = std::min<uint64_t>(out.size(), hole_end - offset);
      std::memset(out.data(), 0, n);
      offset += n;
      out = out.subspan(n);
      continue;
    }
    uint64_t n = std::min<uint64_t>(out.size(), it->end - offset);
    TRY_VOID(stream_->read_exact(it->src + (offset - it->start), out.first(n)));
    offset += n;
    out = out.subspan(n);
    ++it;
  }
  return {};
}

std::span<const uint8_t> FlattenedSource::view(uint64_t offset, uint64_t len) const {
  auto it = std::upper_bound(extents_.begin(), extents_.end(), offset,
                             [](uint64_t o, const Extent& e) { return o < e.start; });
  if (it == extents_.begin()) return {};
  --it;
  if (offset >= it->end || len > it->end - offset) return {};
  return stream_->view(it->src + (offset - it->start), len);
}

ProbeResult probe_flattened(std::unique_ptr<ByteSource>& src) {
  // A flattened stream inside a flattened stream is not something any tool
  // writes; refusing it also bounds the recursion through open_dump.
  if (dynamic_cast<const FlattenedSource*>(src.get())) return std::unique_ptr<Dump>();
  uint8_t sig[sizeof kFlatSignature - 1];
  if (src->size() < sizeof sig) return std::unique_ptr<Dump>();
  TRY_VOID(src->read_exact(0, sig));
  if (std::memcmp(sig, kFlatSignature, sizeof sig) != 0) return std::unique_ptr<Dump>();

  const std::string& name = src->name();
  uint8_t h[32];
  if (src->size() < kFlatHeaderSize)
    return fail(Errc::truncated, name + ": makedumpfile flattened header truncated: file is " +
                                     std::to_string(src->size()) + " bytes, the header needs 4096 (offset 0x0)");
  TRY_VOID(src->read_exact(0, h));
  // makedumpfile_header: char signature[16], int64 type, int64 version, all
  // big-endian. Type 1 = flattened; version 1 is the only one there is.
  uint64_t type = be64(h, 16), version = be64(h, 24);
  if (type != 1)
    return fail(Errc::unsupported, name + ": makedumpfile header type " + std::to_string(type) +
                                       " at offset 0x10 is not 1 (flattened)");
  if (version != 1)
    return fail(Errc::unsupported, name + ": makedumpfile flattened version " + std::to_string(version) +
                                       " at offset 0x18 is not 1");
  ASSIGN_OR_RETURN(auto flat, FlattenedSource::index(std::move(src)));
  if (flat->size() == 0)
    return fail(Errc::format, flat->file_name() + ": flattened stream holds no data records (stream ends at offset " +
                                  hex(flat->stream_end()) + ")");
  auto inner = open_dump(std::unique_ptr<ByteSource>(std::move(flat)));
  if (!inner.ok()) return std::move(inner).error().context("flattened makedumpfile stream");
  return inner;
}

uint64_t stored_size(const ByteSource& src) {
  auto* flat = dynamic_cast<const FlattenedSource*>(&src);
  return flat ? std::min(flat->size(), flat->stream_size()) : src.size();
}

void finish_info(const ByteSource& src, DumpInfo& info) {
  auto* flat = dynamic_cast<const FlattenedSource*>(&src);
  if (!flat) return;
  info.format = "flattened " + info.format;
  if (!flat->complete())
    info.warnings.push_back(flat->file_name() + ": flattened stream ends at offset " +
                            hex(flat->stream_end()) + " without its end marker: the dump is incomplete");
}

}  // namespace kinspect
