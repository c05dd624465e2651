#include "core/disasm/arm64_addresses.hpp"

#include <array>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kinspect {

namespace {

struct Parsed {
  std::string mnemonic;
  std::vector<std::string> ops;  // top-level operands, "[x19, #960]!" kept whole
};

Parsed parse(std::string_view text) {
  Parsed p;
  size_t tab = text.find('\t');
  p.mnemonic = std::string(text.substr(0, tab));
  if (tab == std::string_view::npos) return p;
  std::string_view rest = text.substr(tab + 1);
  // Cut a trailing comment ("\t// #10", "  // b.any").
  if (size_t c = rest.find("//"); c != std::string_view::npos) rest = rest.substr(0, c);
  int depth = 0;
  std::string cur;
  for (char ch : rest) {
    if (ch == '[' || ch == '{') ++depth;
    if (ch == ']' || ch == '}') --depth;
    if (ch == ',' && depth == 0) {
      p.ops.push_back(cur);
      cur.clear();
      continue;
    }
    if (ch == ' ' && cur.empty()) continue;
    cur += ch;
  }
  while (!cur.empty() && (cur.back() == ' ' || cur.back() == '\t')) cur.pop_back();
  if (!cur.empty()) p.ops.push_back(cur);
  return p;
}

// "x5" / "w5" -> 5; sp, xzr, vector and system registers -> none.
std::optional<unsigned> gpr(std::string_view op) {
  if (op.size() < 2 || (op[0] != 'x' && op[0] != 'w')) return std::nullopt;
  unsigned n = 0;
  for (size_t i = 1; i < op.size(); ++i) {
    if (op[i] < '0' || op[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(op[i] - '0');
  }
  return n <= 30 ? std::optional<unsigned>(n) : std::nullopt;
}

// "#0xde8", "#960", "#-16" -> value.
std::optional<int64_t> immediate(std::string_view op) {
  if (op.empty() || op[0] != '#') return std::nullopt;
  std::string s(op.substr(1));
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (!end || *end) return std::nullopt;
  return v;
}

struct Memory {
  unsigned base;
  int64_t offset = 0;
  bool writeback = false;  // "[xn, #i]!" or "[xn], #i"
  bool post_index = false;
};

// The memory operand of a load or store, when it is base + immediate.
std::optional<Memory> memory_operand(const Parsed& p) {
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const std::string& op = p.ops[i];
    if (op.empty() || op[0] != '[') continue;
    size_t close = op.find(']');
    if (close == std::string::npos) return std::nullopt;
    std::string inner = op.substr(1, close - 1);
    std::string base_text = inner.substr(0, inner.find(','));
    auto base = gpr(base_text);
    if (!base) return std::nullopt;
    Memory m{*base};
    if (size_t comma = inner.find(','); comma != std::string::npos) {
      std::string off = inner.substr(comma + 1);
      while (!off.empty() && off[0] == ' ') off.erase(0, 1);
      auto imm = immediate(off);
      if (!imm) return std::nullopt;  // register offset: not a fixed address
      m.offset = *imm;
    }
    m.writeback = op.find("]!") != std::string::npos;
    if (i + 1 < p.ops.size()) {  // post-index "[xn], #imm"
      m.writeback = true;
      m.post_index = true;
    }
    return m;
  }
  return std::nullopt;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_branch(const std::string& m) {
  return m == "b" || m == "bl" || starts_with(m, "b.") || m == "cbz" || m == "cbnz" || m == "tbz" ||
         m == "tbnz";
}

// Control leaves and does not fall through, or a call clobbers registers.
bool ends_knowledge(const std::string& m) {
  return m == "b" || m == "bl" || m == "br" || m == "blr" || starts_with(m, "ret") ||
         starts_with(m, "blra") || starts_with(m, "bra") || m == "eret" || starts_with(m, "eret") ||
         m == "brk" || m == "hvc" || m == "svc" || m == "smc";
}

bool writes_nothing(const std::string& m) {
  static const std::set<std::string, std::less<>> none = {
      "cmp", "cmn", "tst", "ccmp", "ccmn", "fcmp", "fcmpe", "fccmp", "nop", "prfm", "prfum", "dmb",
      "dsb", "isb", "sev", "sevl", "wfe", "wfi", "yield", "msr", "hint", "clrex", "paciasp",
      "autiasp", "pacibsp", "autibsp", "bti", "csdb", "esb", "psb", "tsb", "sb", "dc", "ic", "tlbi",
      "at", "udf", "b.none", "cbz", "cbnz", "tbz", "tbnz"};
  return none.count(m) || starts_with(m, "b.");
}

}  // namespace

std::map<uint64_t, uint64_t> arm64_adrp_addresses(std::span<const Instruction> insns) {
  std::map<uint64_t, uint64_t> out;
  if (insns.empty()) return out;
  uint64_t lo = insns.front().addr, hi = insns.back().addr + insns.back().length;
  std::set<uint64_t> targets;
  for (const auto& insn : insns) {
    Parsed p = parse(insn.text);
    if (is_branch(p.mnemonic) && !insn.addresses.empty() && insn.addresses.back() >= lo &&
        insn.addresses.back() < hi)
      targets.insert(insn.addresses.back());
  }

  std::array<std::optional<uint64_t>, 31> reg{};
  auto forget_all = [&] { reg.fill(std::nullopt); };
  for (const auto& insn : insns) {
    if (targets.count(insn.addr)) forget_all();
    Parsed p = parse(insn.text);
    const std::string& m = p.mnemonic;

    // The address this instruction forms, if any.
    std::optional<uint64_t> formed;
    if (m == "add" && p.ops.size() == 3) {
      auto n = gpr(p.ops[1]);
      auto imm = immediate(p.ops[2]);
      if (n && imm && reg[*n]) formed = *reg[*n] + static_cast<uint64_t>(*imm);
    }
    std::optional<Memory> mem;
    if (starts_with(m, "ld") || starts_with(m, "st")) {
      mem = memory_operand(p);
      if (mem && reg[mem->base])
        formed = *reg[mem->base] + (mem->post_index ? 0 : static_cast<uint64_t>(mem->offset));
    }
    if (formed) out[insn.addr] = *formed;

    // What it writes.
    if (ends_knowledge(m)) {
      forget_all();
      continue;
    }
    if (m == "adrp" && !p.ops.empty() && !insn.addresses.empty()) {
      if (auto d = gpr(p.ops[0])) reg[*d] = insn.addresses.back();
      continue;
    }
    if (mem && mem->writeback) reg[mem->base].reset();
    if (writes_nothing(m)) continue;
    bool store = starts_with(m, "st");
    bool exclusive_store = store && (m.find("xr") != std::string::npos || m.find("xp") != std::string::npos);
    if (store && !exclusive_store) continue;
    std::vector<std::string> written;
    if (!p.ops.empty()) written.push_back(p.ops[0]);
    if ((m == "ldp" || m == "ldnp" || m == "ldpsw" || m == "ldxp" || m == "ldaxp") && p.ops.size() > 1)
      written.push_back(p.ops[1]);
    for (const auto& w : written)
      if (auto d = gpr(w)) reg[*d].reset();
    if (m == "add" && formed && !p.ops.empty())
      if (auto d = gpr(p.ops[0]); d && p.ops[0][0] == 'x') reg[*d] = formed;
  }
  return out;
}

}  // namespace kinspect
