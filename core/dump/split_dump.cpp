// SplitDump: the files of a makedumpfile --split set read as one dump. Each
// piece is an ordinary KdumpDump restricted to [start_pfn, end_pfn); the
// bitmaps are the whole dump's in every piece, so metadata and ranges come
// from the first piece and a page read goes to the piece holding its pfn.
#include <algorithm>

#include "core/dump/dump.hpp"

namespace kinspect {

namespace {

class SplitDump final : public Dump {
 public:
  struct Piece {
    uint64_t start_pfn, end_pfn;
    std::unique_ptr<Dump> dump;
  };

  SplitDump(std::vector<Piece> pieces, std::string paths) : pieces_(std::move(pieces)), path_(std::move(paths)) {
    const DumpInfo& first = pieces_.front().dump->info();
    info_ = first;
    info_.split_start_pfn.reset();
    info_.split_end_pfn.reset();
    // "kdump-compressed (zlib, filtered -d 31, split)" -> "..., split into N files)"
    auto at = info_.format.rfind(", split)");
    if (at != std::string::npos)
      info_.format.replace(at, std::string::npos, ", split into " + std::to_string(pieces_.size()) + " files)");
    for (size_t i = 1; i < pieces_.size(); ++i)
      for (const auto& w : pieces_[i].dump->info().warnings) info_.warnings.push_back(w);
    page_size_ = first.page_size;
  }

  const DumpInfo& info() const override { return info_; }
  const std::vector<PhysRange>& ranges() const override { return pieces_.front().dump->ranges(); }
  const std::string& path() const override { return path_; }

  Status read_phys(uint64_t paddr, std::span<uint8_t> out) override {
    while (!out.empty()) {
      uint64_t pfn = paddr / page_size_;
      auto it = std::upper_bound(pieces_.begin(), pieces_.end(), pfn,
                                 [](uint64_t p, const Piece& x) { return p < x.start_pfn; });
      if (it == pieces_.begin() || pfn >= std::prev(it)->end_pfn) {
        // No piece holds it: let the first piece classify it (absent,
        // excluded), or say the set is missing the file that would.
        auto st = pieces_.front().dump->read_phys(paddr, out.first(std::min<uint64_t>(out.size(), 1)));
        if (!st.ok() && st.error().code != Errc::not_present) return st;
        return fail(Errc::not_present,
                    path_ + ": physical address " + hex(paddr) + " (pfn " + hex(pfn) +
                        ") is held by no file of the split dump set",
                    paddr);
      }
      const Piece& p = *std::prev(it);
      uint64_t piece_end = p.end_pfn * page_size_;
      uint64_t n = piece_end > paddr ? std::min<uint64_t>(out.size(), piece_end - paddr) : out.size();
      TRY_VOID(p.dump->read_phys(paddr, out.first(n)));
      paddr += n;
      out = out.subspan(n);
    }
    return {};
  }

 private:
  std::vector<Piece> pieces_;  // sorted by start_pfn, disjoint
  std::string path_;
  DumpInfo info_;
  uint64_t page_size_ = 4096;
};

}  // namespace

Result<std::unique_ptr<Dump>> open_dump_set(const std::vector<std::string>& paths) {
  if (paths.empty()) return fail(Errc::invalid_argument, "open_dump_set: no files");
  if (paths.size() == 1) return open_dump(paths.front());
  std::vector<SplitDump::Piece> pieces;
  std::string joined;
  for (const auto& p : paths) {
    ASSIGN_OR_RETURN(auto d, open_dump(p));
    const DumpInfo& i = d->info();
    if (!i.split_start_pfn || !i.split_end_pfn)
      return fail(Errc::format, p + ": not a piece of a makedumpfile --split set (no split range in its sub header)");
    if (!pieces.empty()) {
      const DumpInfo& f = pieces.front().dump->info();
      if (i.page_size != f.page_size || i.machine != f.machine || i.vmcoreinfo != f.vmcoreinfo ||
          i.timestamp_sec != f.timestamp_sec)
        return fail(Errc::mismatch, p + ": does not belong to the same split dump as " + pieces.front().dump->path() +
                                        " (page size, machine, timestamp or VMCOREINFO differ)");
    }
    joined += (joined.empty() ? "" : ", ") + p;
    pieces.push_back({*i.split_start_pfn, *i.split_end_pfn, std::move(d)});
  }
  std::sort(pieces.begin(), pieces.end(), [](const auto& a, const auto& b) { return a.start_pfn < b.start_pfn; });
  for (size_t i = 1; i < pieces.size(); ++i)
    if (pieces[i].start_pfn < pieces[i - 1].end_pfn)
      return fail(Errc::format, pieces[i].dump->path() + ": its pfn range " + hex(pieces[i].start_pfn) + "-" +
                                    hex(pieces[i].end_pfn) + " overlaps " + pieces[i - 1].dump->path() + "'s");
  if (pieces.front().dump->info().page_size == 0)
    return fail(Errc::format, pieces.front().dump->path() + ": split piece without a page size");
  return std::unique_ptr<Dump>(new SplitDump(std::move(pieces), joined));
}

}  // namespace kinspect
