// x86_64 ORC unwind tables (.orc_unwind_ip / .orc_unwind, and each module's
// mod_arch_specific copy) and the one-step ORC unwind the kernel's
// arch/x86/kernel/unwind_orc.c performs, over caller-supplied memory so unit
// tests can drive it with stacks they build.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect::x86_64 {

// ORC register numbers (arch/x86/include/asm/orc_types.h).
enum OrcReg : uint8_t {
  kOrcRegUndefined = 0, kOrcRegPrevSp = 1, kOrcRegDx = 2, kOrcRegDi = 3, kOrcRegBp = 4,
  kOrcRegSp = 5, kOrcRegR10 = 6, kOrcRegR13 = 7, kOrcRegBpIndirect = 8, kOrcRegSpIndirect = 9,
};

// Entry types after decoding, whichever encoding the kernel uses.
enum class OrcType : uint8_t { undefined, end_of_stack, call, regs, regs_partial };

struct OrcEntry {
  int16_t sp_offset = 0;
  int16_t bp_offset = 0;
  uint8_t sp_reg = kOrcRegUndefined;
  uint8_t bp_reg = kOrcRegUndefined;
  OrcType type = OrcType::undefined;
};

// The bitfield word of struct orc_entry changed in v6.4 (commit fb799447ae29
// "x86,objtool: Split UNWIND_HINT_EMPTY in two"): before, type:2 (call, regs,
// regs_partial) and end:1; after, type:3 (undefined, end_of_stack, call,
// regs, regs_partial) and signal:1. Told apart by the DWARF of struct
// orc_entry: the old one has a member named "end".
enum class OrcEncoding { end_bit, type3 };

inline constexpr size_t kOrcEntrySize = 6;
OrcEntry decode_orc_entry(std::span<const uint8_t, kOrcEntrySize> bytes, OrcEncoding enc);

// Sorted ip -> entry lookup over one or more tables (vmlinux, modules).
class OrcTable {
 public:
  // ips: absolute addresses, ascending; entries: 6 bytes each, same count.
  void add(std::vector<uint64_t> ips, std::vector<uint8_t> entries, OrcEncoding enc,
           uint64_t end_ip);
  // The entry covering ip: the last one at or below it, within a table whose
  // [first ip, end_ip) range holds ip.
  std::optional<OrcEntry> find(uint64_t ip) const;
  bool empty() const { return tables_.empty(); }

 private:
  struct One {
    std::vector<uint64_t> ips;
    std::vector<uint8_t> entries;
    OrcEncoding enc;
    uint64_t end_ip;
  };
  std::vector<One> tables_;
};

// x86_64 DWARF register numbers used below.
enum Dwarf : unsigned {
  kRax = 0, kRdx = 1, kRcx = 2, kRbx = 3, kRsi = 4, kRdi = 5, kRbp = 6, kRsp = 7,
  kR8 = 8, kR10 = 10, kR13 = 13, kR15 = 15, kRip = 16,
};

// struct pt_regs: 21 words, r15 first (arch/x86/include/asm/ptrace.h).
inline constexpr unsigned kPtRegsWords = 21;
inline constexpr unsigned kPtRegsIp = 16, kPtRegsCs = 17, kPtRegsFlags = 18, kPtRegsSp = 19;
// DWARF number of each pt_regs word, -1 for orig_ax, cs, flags, ss.
int pt_regs_dwarf(unsigned word);
// The registers a full pt_regs holds.
ExceptionFrame exception_from_pt_regs(uint64_t address, std::span<const uint64_t> words);

using ReadWord = std::function<Result<uint64_t>(uint64_t addr)>;

// One unwind step from `f` by its ORC entry: the caller frame (or the
// interrupted context after a pt_regs, recorded in f.exception), or nullopt
// at the end of the stack. No entry for the pc falls back to the frame
// pointer when rbp is known. Errors say which read or entry stopped it.
Result<std::optional<Frame>> orc_step(const OrcTable& table, Frame& f, const ReadWord& read);

// The frame-pointer step: return address at rbp + 8, caller's rbp at rbp.
Result<std::optional<Frame>> frame_pointer_step(Frame& f, const ReadWord& read);

}  // namespace kinspect::x86_64
