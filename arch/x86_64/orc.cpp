// ORC tables and the ORC unwind step; the rules follow the kernel's
// unwind_next_frame() in arch/x86/kernel/unwind_orc.c.
#include "arch/x86_64/orc.hpp"

#include <algorithm>
#include <cstring>

namespace kinspect::x86_64 {

OrcEntry decode_orc_entry(std::span<const uint8_t, kOrcEntrySize> b, OrcEncoding enc) {
  OrcEntry e;
  e.sp_offset = static_cast<int16_t>(b[0] | b[1] << 8);
  e.bp_offset = static_cast<int16_t>(b[2] | b[3] << 8);
  uint16_t bits = static_cast<uint16_t>(b[4] | b[5] << 8);
  e.sp_reg = bits & 0xf;
  e.bp_reg = (bits >> 4) & 0xf;
  if (enc == OrcEncoding::end_bit) {
    unsigned type = (bits >> 8) & 3;
    bool end = (bits >> 10) & 1;
    if (end) e.type = OrcType::end_of_stack;
    else if (e.sp_reg == kOrcRegUndefined) e.type = OrcType::undefined;
    else e.type = type == 0 ? OrcType::call : type == 1 ? OrcType::regs : OrcType::regs_partial;
  } else {
    static constexpr OrcType kTypes[] = {OrcType::undefined, OrcType::end_of_stack, OrcType::call,
                                         OrcType::regs, OrcType::regs_partial};
    unsigned type = (bits >> 8) & 7;
    e.type = type < 5 ? kTypes[type] : OrcType::undefined;
  }
  return e;
}

void OrcTable::add(std::vector<uint64_t> ips, std::vector<uint8_t> entries, OrcEncoding enc,
                   uint64_t end_ip) {
  size_t n = std::min(ips.size(), entries.size() / kOrcEntrySize);
  ips.resize(n);
  if (n == 0) return;
  if (!std::is_sorted(ips.begin(), ips.end())) {
    // The kernel sorts at build (scripts/sorttable) or at boot; sort a copy
    // whose entries move with their ips when a table is not sorted yet.
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ips[a] < ips[b]; });
    std::vector<uint64_t> sips(n);
    std::vector<uint8_t> sent(n * kOrcEntrySize);
    for (size_t i = 0; i < n; ++i) {
      sips[i] = ips[order[i]];
      std::memcpy(&sent[i * kOrcEntrySize], &entries[order[i] * kOrcEntrySize], kOrcEntrySize);
    }
    ips = std::move(sips);
    entries = std::move(sent);
  }
  tables_.push_back({std::move(ips), std::move(entries), enc, end_ip});
}

std::optional<OrcEntry> OrcTable::find(uint64_t ip) const {
  for (const One& t : tables_) {
    if (ip < t.ips.front() || ip >= t.end_ip) continue;
    auto it = std::upper_bound(t.ips.begin(), t.ips.end(), ip);
    size_t i = static_cast<size_t>(it - t.ips.begin()) - 1;
    return decode_orc_entry(std::span<const uint8_t, kOrcEntrySize>(&t.entries[i * kOrcEntrySize],
                                                                    kOrcEntrySize),
                            t.enc);
  }
  return std::nullopt;
}

int pt_regs_dwarf(unsigned word) {
  // r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss
  static constexpr int kMap[kPtRegsWords] = {15, 14, 13, 12, 6, 3, 11, 10, 9, 8, 0,
                                             2,  1,  4,  5,  -1, 16, -1, -1, 7, -1};
  return word < kPtRegsWords ? kMap[word] : -1;
}

ExceptionFrame exception_from_pt_regs(uint64_t address, std::span<const uint64_t> words) {
  ExceptionFrame e;
  e.address = address;
  e.words.assign(words.begin(), words.end());
  for (unsigned i = 0; i < words.size(); ++i)
    if (int d = pt_regs_dwarf(i); d >= 0) e.regs.set(static_cast<unsigned>(d), words[i]);
  e.user_mode = words.size() > kPtRegsCs && (words[kPtRegsCs] & 3) != 0;
  return e;
}

namespace {

Result<uint64_t> need(const RegisterSet& r, unsigned reg, const char* name) {
  if (auto v = r.get(reg)) return *v;
  return fail(Errc::not_found, std::string("ORC entry needs ") + name + ", not known at this frame");
}

// Words [first, w.size()) of a pt_regs at base.
Status read_words(const ReadWord& read, uint64_t base, unsigned first, std::vector<uint64_t>& w) {
  for (unsigned i = first; i < w.size(); ++i) {
    auto v = read(base + 8 * i);
    if (!v.ok()) return std::move(v).error().context("reading pt_regs at " + hex(base));
    w[i] = *v;
  }
  return {};
}

// The frame after a pt_regs: every register it saved.
Frame frame_after_regs(const ExceptionFrame& e) {
  Frame n;
  n.regs = e.regs;
  n.pc = e.words[kPtRegsIp];
  n.sp = e.words[kPtRegsSp];
  n.pc_is_return_address = false;
  return n;
}

}  // namespace

Result<std::optional<Frame>> orc_step(const OrcTable& table, Frame& f, const ReadWord& read) {
  uint64_t lookup = f.pc_is_return_address ? f.pc - 1 : f.pc;
  auto orc = table.find(lookup);
  if (!orc) return frame_pointer_step(f, read);
  if (orc->type == OrcType::end_of_stack) return std::optional<Frame>{};
  if (orc->type == OrcType::undefined)
    return fail(Errc::not_found, "no ORC data for this address (undefined entry)", f.pc);

  const RegisterSet& r = f.regs;
  uint64_t cfa = 0;
  bool indirect = false;
  switch (orc->sp_reg) {
    case kOrcRegSp: { ASSIGN_OR_RETURN(uint64_t sp, need(r, kRsp, "rsp")); cfa = sp + orc->sp_offset; break; }
    case kOrcRegBp: { ASSIGN_OR_RETURN(uint64_t bp, need(r, kRbp, "rbp")); cfa = bp + orc->sp_offset; break; }
    case kOrcRegSpIndirect: { ASSIGN_OR_RETURN(cfa, need(r, kRsp, "rsp")); indirect = true; break; }
    case kOrcRegBpIndirect: {
      ASSIGN_OR_RETURN(uint64_t bp, need(r, kRbp, "rbp"));
      cfa = bp + orc->sp_offset;
      indirect = true;
      break;
    }
    case kOrcRegR10: { ASSIGN_OR_RETURN(cfa, need(r, kR10, "r10")); break; }
    case kOrcRegR13: { ASSIGN_OR_RETURN(cfa, need(r, kR13, "r13")); break; }
    case kOrcRegDi: { ASSIGN_OR_RETURN(cfa, need(r, kRdi, "rdi")); break; }
    case kOrcRegDx: { ASSIGN_OR_RETURN(cfa, need(r, kRdx, "rdx")); break; }
    default:
      return fail(Errc::format, "unknown ORC sp register " + std::to_string(orc->sp_reg), f.pc);
  }
  if (indirect) {
    ASSIGN_OR_RETURN(cfa, read(cfa));
    if (orc->sp_reg == kOrcRegSpIndirect) cfa += orc->sp_offset;
  }
  f.cfa = cfa;

  Frame n;
  switch (orc->type) {
    case OrcType::call: {
      ASSIGN_OR_RETURN(uint64_t ra, read(cfa - 8));
      n.pc = ra;
      n.sp = cfa;
      n.stack_slot = cfa - 8;  // crash's bracket: where the return address lay
      n.pc_is_return_address = true;
      n.regs.set(kRip, ra);
      n.regs.set(kRsp, cfa);
      break;
    }
    case OrcType::regs: {
      std::vector<uint64_t> w(kPtRegsWords);
      TRY_VOID(read_words(read, cfa, 0, w));
      f.exception = exception_from_pt_regs(cfa, w);
      n = frame_after_regs(*f.exception);
      break;
    }
    case OrcType::regs_partial: {
      // Only the hardware iret frame (ip, cs, flags, sp, ss) is saved.
      uint64_t base = cfa - 8 * kPtRegsIp;
      std::vector<uint64_t> w(kPtRegsWords, 0);
      TRY_VOID(read_words(read, base, kPtRegsIp, w));
      ExceptionFrame e;
      e.address = base;
      e.words = w;
      e.regs.set(kRip, w[kPtRegsIp]);
      e.regs.set(kRsp, w[kPtRegsSp]);
      e.user_mode = (w[kPtRegsCs] & 3) != 0;
      f.exception = e;
      n = frame_after_regs(e);
      if (auto bp = r.get(kRbp)) n.regs.set(kRbp, *bp);  // not saved: still live
      break;
    }
    default:
      return fail(Errc::format, "unknown ORC entry type", f.pc);
  }

  switch (orc->bp_reg) {
    case kOrcRegUndefined:
      // Unchanged, unless a full pt_regs supplied it (already in n.regs).
      if (orc->type == OrcType::call)
        if (auto bp = r.get(kRbp)) n.regs.set(kRbp, *bp);
      break;
    case kOrcRegPrevSp: {
      ASSIGN_OR_RETURN(uint64_t bp, read(cfa + orc->bp_offset));
      n.regs.set(kRbp, bp);
      break;
    }
    case kOrcRegBp: {
      ASSIGN_OR_RETURN(uint64_t old, need(r, kRbp, "rbp"));
      ASSIGN_OR_RETURN(uint64_t bp, read(old + orc->bp_offset));
      n.regs.set(kRbp, bp);
      break;
    }
    default:
      return fail(Errc::format, "unknown ORC bp register " + std::to_string(orc->bp_reg), f.pc);
  }
  return std::optional<Frame>{std::move(n)};
}

Result<std::optional<Frame>> frame_pointer_step(Frame& f, const ReadWord& read) {
  auto bp = f.regs.get(kRbp);
  if (!bp || *bp == 0)
    return fail(Errc::not_found, "no ORC entry and no frame pointer for this address", f.pc);
  ASSIGN_OR_RETURN(uint64_t ra, read(*bp + 8));
  ASSIGN_OR_RETURN(uint64_t caller_bp, read(*bp));
  f.cfa = *bp + 16;
  Frame n;
  n.pc = ra;
  n.sp = *bp + 16;
  n.stack_slot = *bp + 8;
  n.pc_is_return_address = true;
  n.regs.set(kRip, ra);
  n.regs.set(kRsp, n.sp);
  n.regs.set(kRbp, caller_bp);
  return std::optional<Frame>{std::move(n)};
}

}  // namespace kinspect::x86_64
