#include "core/postmortem/analysis.hpp"

#include <elf.h>

#include <map>
#include <set>

namespace kinspect {

namespace {

AnalyzedCode failed(std::string why) {
  AnalyzedCode c;
  c.error = std::move(why);
  return c;
}

class Analyzer {
 public:
  explicit Analyzer(Symbolizer* sym) : sym_(sym) {}

  size_t checked() const { return checked_; }
  std::vector<std::string> mismatches() { return std::move(mismatches_); }

  Resolved resolve(const CodeLocation& loc) {
    std::string key = loc.text();
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    Resolved r;
    if (!sym_) {
      // Parse-only: nothing to say per frame.
    } else if (auto w = sym_->resolve(loc)) {
      r.where = std::move(w).value();
      if (!loc.symbol.empty()) ++checked_;
      if (!r.where->mismatch.empty()) note(r.where->mismatch);
    } else {
      r.error = w.error().message;
      if (w.error().code == Errc::mismatch) {
        ++checked_;
        note(r.error);
      }
    }
    return cache_.emplace(key, r).first->second;
  }

  std::optional<AnalyzedCode> code(const LoggedRegisters& regs, const Resolved& ip) {
    auto c = decoded(regs, ip);
    if (c) c->words = c->words || (!regs.code.empty() && regs.label == "pc");
    return c;
  }

 private:
  std::optional<AnalyzedCode> decoded(const LoggedRegisters& regs, const Resolved& ip) {
    if (regs.code.empty()) return std::nullopt;
    auto bytes = parse_oops_code_bytes(regs.code);
    if (!bytes) return failed("no instruction bytes in the Code: line");
    AnalyzedCode out;
    out.words = bytes->arm64;
    // The bytes say the architecture: arm64 prints 32-bit words.
    dis_ = disassembler(bytes->arm64 ? DisasmArch::aarch64 : DisasmArch::x86_64);
    if (!dis_) return failed("no disassembler");
    if (regs.user || (!sym_ && regs.ip.address)) return decode_only(*bytes, regs.ip.address.value_or(0));
    if (!sym_) {
      // No address anywhere: number the bytes as offsets into the RIP's
      // function, which the log does give.
      if (regs.ip.symbol.empty() || regs.ip.offset < bytes->fault_index) return decode_only(*bytes, bytes->fault_index);
      AnalyzedCode rel = decode_only(*bytes, regs.ip.offset);
      rel.offsets_in = regs.ip.symbol;
      return rel;
    }
    // Place the bytes at the RIP: the vmlinux address when the symbol
    // resolved, else the log's own address, else offsets from 0.
    uint64_t fault = ip.where ? ip.where->address : regs.ip.address.value_or(bytes->fault_index);
    std::optional<uint64_t> sync;
    if (ip.where && ip.where->object == "vmlinux") {
      std::vector<uint8_t> text(bytes->bytes.size());
      SymbolizedLocation window = *ip.where;
      window.address = fault - bytes->fault_index;
      out.matches_vmlinux = sym_->read_text(window, text).ok() && text == bytes->bytes;
      if (out.matches_vmlinux) sync = boundary_from_function_start(*ip.where, window.address, fault);
    }
    AddressPrinter print;
    if (out.matches_vmlinux)
      print = [this](uint64_t a) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
        std::string t = buf;
        if (auto s = sym_->symbol_at("", a))
          t += " <" + s->first + (s->second ? "+" + std::to_string(s->second) : "") + ">";
        return t;
      };
    auto insns = decode_code(*bytes, fault, *dis_, sync, print);
    if (!insns) {
      out.error = insns.error().message;
      return out;
    }
    for (auto& i : *insns) {
      DecodedLine l{std::move(i), std::nullopt};
      if (out.matches_vmlinux) {
        auto chain = sym_->source_chain("", l.insn.addr);
        if (!chain.empty()) l.source = chain.front();
      }
      out.lines.push_back(std::move(l));
    }
    return out;
  }

  AnalyzedCode decode_only(const CodeBytes& bytes, uint64_t fault) {
    AnalyzedCode out;
    auto insns = decode_code(bytes, fault, *dis_, std::nullopt);
    if (!insns) {
      out.error = insns.error().message;
      return out;
    }
    for (auto& i : *insns) out.lines.push_back({std::move(i), std::nullopt});
    return out;
  }

  // The first instruction boundary at or after window_start, found by
  // decoding the vmlinux from the function's entry (x86_64 only needs it).
  std::optional<uint64_t> boundary_from_function_start(const SymbolizedLocation& at, uint64_t window_start,
                                                       uint64_t fault) {
    auto start = sym_->symbol_start(at);
    if (!start) return std::nullopt;
    uint64_t a = start->first;
    if (a >= window_start) return a;
    std::vector<uint8_t> buf(fault - a + dis_->max_length());
    SymbolizedLocation from = at;
    from.address = a;
    if (!sym_->read_text(from, buf)) return std::nullopt;
    while (a < window_start) {
      auto insn = dis_->decode(a, std::span<const uint8_t>(buf).subspan(a - start->first));
      if (!insn || insn->length == 0) return std::nullopt;
      a += insn->length;
    }
    return a;
  }

  Disassembler* disassembler(DisasmArch arch) {
    auto& d = by_arch_[static_cast<int>(arch)];
    if (!d)
      if (auto c = Disassembler::create(arch)) d = std::move(c).value();
    return d.get();
  }

  void note(const std::string& m) {
    if (seen_.insert(m).second) mismatches_.push_back(m);
  }

  Symbolizer* sym_;
  std::map<int, std::unique_ptr<Disassembler>> by_arch_;
  Disassembler* dis_ = nullptr;  // the one for the Code: line being decoded
  std::map<std::string, Resolved> cache_;
  std::set<std::string> seen_;
  std::vector<std::string> mismatches_;
  size_t checked_ = 0;
};

}  // namespace

Analysis analyze(std::vector<Report> reports, Symbolizer* symbolizer) {
  Analyzer a(symbolizer);
  Analysis out;
  for (auto& r : reports) {
    AnalyzedReport ar;
    for (const auto& regs : r.registers) {
      AnalyzedRegisters x;
      if (!regs.user && (!regs.ip.symbol.empty() || regs.ip.address)) x.ip = a.resolve(regs.ip);
      if (regs.lr) x.lr = a.resolve(*regs.lr);
      x.code = a.code(regs, x.ip);
      ar.registers.push_back(std::move(x));
    }
    for (const auto& f : r.frames) ar.frames.push_back(a.resolve(f.loc));
    ar.report = std::move(r);
    out.reports.push_back(std::move(ar));
  }
  out.locations_checked = a.checked();
  out.mismatches = a.mismatches();
  return out;
}

}  // namespace kinspect
