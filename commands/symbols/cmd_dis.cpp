// dis: disassemble kernel and module code in crash's layout,
// "0xADDR <func+off>:\tinsn", with crash's flags (-l -r -f -s -x -d) and
// --vmlinux to read the bytes from the vmlinux file instead of the dump.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>


#include "commands/command.hpp"
#include "core/disasm/arm64_addresses.hpp"
#include "core/disasm/disassembler.hpp"
#include "core/disasm/line_table.hpp"
#include "core/expr/expr.hpp"
#include "core/code_dwarf.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxFunction = 1 << 20;  // bytes; no kernel function is near this

struct DisRequest {
  bool lines = false;    // -l
  bool reverse = false;  // -r
  bool forward = false;  // -f
  bool source = false;   // -s
  bool hex = false;      // -x (offsets in hex); -d and the default are decimal
  bool from_file = false;  // --vmlinux
  std::string target_text;
  uint64_t target = 0;
  bool bare_symbol = false;  // "schedule", not "schedule+5" or an address
  const Symbol* named = nullptr;  // the symbol the target names, if any
  std::optional<uint64_t> count;
};

bool is_text_type(char t) { return t == 'T' || t == 't' || t == 'W' || t == 'w'; }

// "name", "name+off", "name-off" (offsets decimal unless 0x, as crash's gdb
// reads them), a hex address, or "(expression)".
Result<uint64_t> resolve_address(Program& prog, std::string_view text, bool* bare_symbol,
                                 const Symbol** named) {
  *bare_symbol = false;
  *named = nullptr;
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    std::string_view inner = text.substr(1, text.size() - 2);
    bool ignored;
    if (auto simple = resolve_address(prog, inner, &ignored, named); simple.ok()) return simple;
    ASSIGN_OR_RETURN(ExprResult r, evaluate(prog, inner));
    if (r.value.is_lvalue() && r.value.type() && r.value.type()->kind == TypeKind::function)
      return r.value.address();
    return r.value.as_u64();
  }
  size_t op = text.find_first_of("+-");
  std::string name(text.substr(0, op));
  if (const Symbol* s = prog.symbols().find(name); s && !s->is_percpu()) {
    *named = s;
    if (op == std::string_view::npos) {
      *bare_symbol = true;
      return s->addr;
    }
    std::string_view off_text = text.substr(op + 1);
    auto off = parse_number(off_text);
    if (!off || off_text.empty())
      return fail(Errc::invalid_argument, "invalid offset: " + std::string(text));
    return text[op] == '+' ? s->addr + *off : s->addr - *off;
  }
  if (op == std::string_view::npos)
    if (auto v = parse_hex(text)) return *v;
  if (const Symbol* s = prog.symbols().find(name); s && s->is_percpu())
    return fail(Errc::invalid_argument, name + " is a per-cpu variable, not code");
  return fail(Errc::not_found, "symbol not found: " + std::string(name));
}

Result<DisRequest> parse_dis(Program& prog, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "rfludxsb", {"-vmlinux"}));
  DisRequest r;
  r.lines = o.has('l');
  r.reverse = o.has('r');
  r.forward = o.has('f');
  r.source = o.has('s');
  for (char c : o.flags) {  // the last of -x and -d wins
    if (c == 'x') r.hex = true;
    if (c == 'd') r.hex = false;
  }
  for (const auto& [k, v] : o.values)
    if (k == '#' && v == "-vmlinux") r.from_file = true;
  if (o.has('u'))
    return fail(Errc::unsupported,
                "-u (user virtual addresses) needs task contexts, which are not implemented yet");
  if (o.has('b'))
    return fail(Errc::unsupported, "-b (bytes skipped after ud2) is not implemented; kernels "
                                   "since 4.x keep BUG data out of line and need none");
  if (r.reverse && r.forward) return fail(Errc::invalid_argument, "-r and -f cannot be combined");
  if (o.positional.empty())
    return fail(Errc::invalid_argument, "a symbol, an address or (expression) is required");
  if (o.positional.size() > 2)
    return fail(Errc::invalid_argument, "unexpected argument: " + o.positional[2].text);
  r.target_text = o.positional[0].text;
  ASSIGN_OR_RETURN(r.target, resolve_address(prog, r.target_text, &r.bare_symbol, &r.named));
  if (o.positional.size() == 2) {
    auto c = parse_number(o.positional[1].text);
    if (!c || *c == 0)
      return fail(Errc::invalid_argument, "invalid count argument: " + o.positional[1].text);
    if (*c > (1u << 24)) return fail(Errc::invalid_argument, "count too large: " + o.positional[1].text);
    r.count = *c;
  }
  return r;
}

// Bytes of code, a page at a time, from the dump or from the vmlinux file.
class CodeReader {
 public:
  CodeReader(Program& prog, bool from_file, std::optional<int64_t> kaslr)
      : prog_(prog), from_file_(from_file), kaslr_(kaslr) {}

  // Up to `want` bytes at addr, stopping at the first unreadable page; an
  // error when not even the first byte can be read.
  Result<std::vector<uint8_t>> bytes(uint64_t addr, size_t want) {
    std::vector<uint8_t> out;
    while (out.size() < want) {
      uint64_t a = addr + out.size();
      uint64_t page = a & ~(kPage - 1);
      auto it = pages_.find(page);
      if (it == pages_.end()) it = pages_.emplace(page, load(page)).first;
      if (!it->second.ok()) {
        if (out.empty()) return fail(Error(it->second.error()));
        break;
      }
      const auto& p = it->second.value();
      size_t off = a - page;
      size_t n = std::min<size_t>(want - out.size(), p.size() - off);
      out.insert(out.end(), p.begin() + off, p.begin() + off + n);
    }
    return out;
  }

 private:
  Result<std::vector<uint8_t>> load(uint64_t page) {
    std::vector<uint8_t> buf(kPage);
    if (!from_file_) {
      if (auto st = prog_.read(page, buf); !st)
        return fail(std::move(st).error().context("cannot read text"));
      return buf;
    }
    if (!kaslr_) return fail(Errc::not_found, "no vmlinux symbols to place the file's code");
    uint64_t link = page - static_cast<uint64_t>(*kaslr_);
    if (auto st = prog_.vmlinux().read(link, buf); !st)
      return fail(std::move(st).error().context("no code at " + hex(page) + " in " +
                                                prog_.vmlinux_path()));
    return buf;
  }

  Program& prog_;
  bool from_file_;
  std::optional<int64_t> kaslr_;
  std::map<uint64_t, Result<std::vector<uint8_t>>> pages_;
};

// Symbols in crash's disassembly. gdb decides whether an address gets a
// <symbol>: a text address always, a data address only when the nearest
// sized symbol at or below it covers it (zero-sized labels such as
// init_thread_union are skipped, and alone they name nothing). crash then
// names it from its own table: aliases at one address by name, and GCC's
// ".isra."/".part." clone suffixes cut off ("rt6_remove_exception.part.0"
// shows as rt6_remove_exception).
std::string crash_symbol_name(std::string_view name) {
  size_t cut = std::min(name.find(".isra."), name.find(".part."));
  return std::string(name.substr(0, cut));
}

class Symbolizer {
 public:
  Symbolizer(Program& prog, bool hex, bool arm64) : prog_(prog), hex_(hex), arm64_(arm64) {}

  std::string offset_text(const Symbol& s, uint64_t off) const {
    std::string t = crash_symbol_name(s.name);
    if (off) {
      char buf[32];
      std::snprintf(buf, sizeof buf, hex_ ? "+0x%llx" : "+%llu", static_cast<unsigned long long>(off));
      t += buf;
    }
    return t;
  }

  // An operand's symbol, when gdb would print one.
  std::optional<std::string> name(uint64_t addr) const { return resolve(addr, false); }
  // The <symbol+offset> heading an instruction line: crash's nearest symbol.
  std::optional<std::string> line_name(uint64_t addr) const { return resolve(addr, true); }

 private:
  std::optional<std::string> resolve(uint64_t addr, bool any_offset) const {
    auto m = prog_.symbols().lookup(addr);
    if (!m || !m->sym) return std::nullopt;
    const Symbol* s = m->sym;
    // arm64 modules' kallsyms keep the $x/$d mapping symbols: name a real
    // symbol at that address instead.
    if (s->name.starts_with('$')) {
      s = nullptr;
      const auto& all = prog_.symbols().sorted();
      auto it = std::lower_bound(all.begin(), all.end(), m->sym->addr,
                                 [](const Symbol& x, uint64_t a) { return x.addr < a; });
      for (; it != all.end() && it->addr == m->sym->addr; ++it)
        if (!it->name.starts_with('$') && !it->is_percpu() && it->module == m->sym->module) {
          s = &*it;
          break;
        }
      if (!s) return std::nullopt;
    }
    if (any_offset ||
        (is_text_type(s->type) ? (s->size == 0 || m->offset < s->size) : data_covered(addr, s->module)))
      return offset_text(*s, m->offset);
    // arm64's per-cpu variables have addresses in .data..percpu (the boot
    // template), reached by adrp: name them as gdb does.
    if (arm64_) return percpu_name(addr);
    return std::nullopt;
  }

 public:
  // The per-cpu variable covering a per-cpu address: x86_64's offset from
  // %gs, arm64's .data..percpu address.
  std::optional<std::string> percpu_name(uint64_t addr) const {
    if (!percpu_loaded_) {
      for (const auto& x : prog_.symbols().sorted())
        if (x.is_percpu() && x.module.empty() && x.size) percpu_.push_back(&x);
      percpu_loaded_ = true;
    }
    auto it = std::upper_bound(percpu_.begin(), percpu_.end(), addr,
                               [](uint64_t a, const Symbol* x) { return a < x->addr; });
    if (it == percpu_.begin()) return std::nullopt;
    const Symbol* x = *std::prev(it);
    if (addr >= x->addr + x->size) return std::nullopt;
    return offset_text(*x, addr - x->addr);
  }

 private:

  bool data_covered(uint64_t addr, std::string_view module) const {
    const auto& all = prog_.symbols().sorted();
    auto it = std::upper_bound(all.begin(), all.end(), addr,
                               [](uint64_t a, const Symbol& x) { return a < x.addr; });
    for (int steps = 0; it != all.begin() && steps < 256; ++steps) {
      --it;
      if (it->is_percpu() || it->module != module || it->size == 0) continue;
      return addr < it->addr + it->size;
    }
    return false;
  }

 public:
  std::string address(uint64_t addr) const {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr));
    std::string t = buf;
    if (auto n = name(addr)) t += " <" + *n + ">";
    return t;
  }

 private:
  Program& prog_;
  bool hex_;
  bool arm64_;
  mutable std::vector<const Symbol*> percpu_;
  mutable bool percpu_loaded_ = false;
};

// x86_64 per-cpu operands, "%gs:0x1fb80" or "%gs:0x...(%rip)  # 0x1fb40",
// get the variable's name: "# 0x1fb80 <current_task>" (crash prints none).
std::string x86_percpu_comment(std::string& text, const Symbolizer& sym) {
  size_t gs = text.find("%gs:0x");
  if (gs == std::string::npos) return {};
  size_t j = gs + 6;
  while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j]))) ++j;
  if (j < text.size() && text[j] == '(') {
    // RIP-relative: libopcodes computed the offset into the comment.
    size_t c = text.rfind("# 0x");
    if (c == std::string::npos || text.find('<', c) != std::string::npos) return {};
    uint64_t off = std::strtoull(text.c_str() + c + 4, nullptr, 16);
    if (auto n = sym.percpu_name(off)) text += " <" + *n + ">";
    return {};
  }
  if (text.find('#') != std::string::npos) return {};
  uint64_t off = std::strtoull(text.substr(gs + 6, j - gs - 6).c_str(), nullptr, 16);
  if (auto n = sym.percpu_name(off)) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(off));
    return std::string("        # ") + buf + " <" + *n + ">";
  }
  return {};
}

// x86_64: an absolute kernel address in an operand (a sign-extended
// displacement "-0x5c5fd8c0(,%rax,8)", a "$0xffffffff..." immediate, a
// movabs moffs) gets the "# 0x... <sym>" comment libopcodes gives
// RIP-relative operands, when a symbol covers it. Never for %gs: per-cpu
// offsets, never when the instruction already has a comment.
std::string x86_operand_comment(const Instruction& insn, const Symbolizer& sym) {
  const std::string& text = insn.text;
  if (text.find('#') != std::string::npos) return {};
  size_t ops = text.find(' ');
  if (ops == std::string::npos) return {};
  for (size_t i = ops; i < text.size(); ++i) {
    bool neg = false;
    size_t start = i;
    if (text[i] == '-' && text.compare(i + 1, 2, "0x") == 0) {
      neg = true;
      ++i;
    } else if (text.compare(i, 2, "0x") != 0) {
      continue;
    }
    if (start >= 4 && text.compare(start - 4, 4, "%gs:") == 0) {
      i += 2;
      continue;
    }
    size_t j = i + 2;
    while (j < text.size() && std::isxdigit(static_cast<unsigned char>(text[j]))) ++j;
    std::string digits = text.substr(i + 2, j - i - 2);
    i = j;
    if (digits.empty() || digits.size() > 16) continue;
    // Only immediates ($0x...), displacements (0x...(%reg)) and movabs
    // offsets; a branch target libopcodes already printed is skipped.
    bool immediate = start > 0 && text[start - 1] == '$';
    bool displacement = j < text.size() && text[j] == '(';
    bool moffs = digits.size() == 16 && !neg;
    if (!immediate && !displacement && !moffs) continue;
    uint64_t v = std::strtoull(digits.c_str(), nullptr, 16);
    if (neg) v = 0 - v;
    if (std::find(insn.addresses.begin(), insn.addresses.end(), v) != insn.addresses.end()) continue;
    if (v < 0xffff800000000000ull) continue;  // not a kernel address
    if (auto n = sym.name(v)) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
      return std::string("        # ") + buf + " <" + *n + ">";
    }
  }
  return {};
}

// Where kernel sources are looked for (-s): KINSPECT_SRC_PATH, a
// colon-separated list of directories. A line-table name such as
// "debian/build/build_amd64_none_cloud-amd64/kernel/sched/core.c" is tried
// whole under each, then without its leading components, so a kernel
// source tree's root matches.
class SourceFinder {
 public:
  SourceFinder() {
    if (const char* p = std::getenv("KINSPECT_SRC_PATH")) {
      std::string s = p;
      size_t b = 0;
      while (b <= s.size()) {
        size_t e = s.find(':', b);
        if (e == std::string::npos) e = s.size();
        if (e > b) dirs_.push_back(s.substr(b, e - b));
        b = e + 1;
      }
    }
  }
  bool configured() const { return !dirs_.empty(); }
  std::string dirs_text() const {
    std::string t;
    for (const auto& d : dirs_) t += (t.empty() ? "" : ":") + d;
    return t;
  }

  // The file's lines, or nullptr when it is not found.
  const std::vector<std::string>* lines(const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second ? &*it->second : nullptr;
    std::optional<std::vector<std::string>> text;
    for (const auto& path : candidates(name)) {
      std::ifstream f(path);
      if (!f) continue;
      std::vector<std::string> v;
      std::string l;
      while (std::getline(f, l)) v.push_back(l);
      text = std::move(v);
      break;
    }
    auto [ins, _] = cache_.emplace(name, std::move(text));
    return ins->second ? &*ins->second : nullptr;
  }

 private:
  std::vector<std::string> candidates(const std::string& name) const {
    std::vector<std::string> c;
    if (!name.empty() && name[0] == '/') c.push_back(name);
    std::string rel = name;
    while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
    for (;;) {
      for (const auto& d : dirs_) c.push_back(d + "/" + rel);
      size_t slash = rel.find('/');
      if (slash == std::string::npos) break;
      rel.erase(0, slash + 1);
    }
    return c;
  }

  std::vector<std::string> dirs_;
  std::map<std::string, std::optional<std::vector<std::string>>> cache_;
};

struct Bounds {
  const Symbol* sym = nullptr;
  uint64_t start = 0, end = 0;
};

// The function around addr: its ELF (or kallsyms) symbol and size. The
// symbol can begin before DWARF's low_pc (arm64's patchable-entry NOPs),
// so the symbol, not DWARF, bounds the function.
Result<Bounds> function_bounds(Program& prog, uint64_t addr, const std::string& what,
                               const Symbol* named = nullptr) {
  auto m = prog.symbols().lookup(addr);
  if (!m || !m->sym)
    return fail(Errc::not_found, what + ": no kernel or module text at " + hex(addr), addr);
  // Among aliases at the symbol's address (_stext, _text, startup_64) the
  // one the user named, else a text symbol whose size covers addr.
  const Symbol* s = nullptr;
  auto covers = [&](const Symbol* x) { return x->size && addr < x->addr + x->size; };
  if (named && is_text_type(named->type) && named->addr <= addr &&
      (named->size == 0 || covers(named)))
    s = named;
  if (!s) {
    const auto& all = prog.symbols().sorted();
    auto lo = std::lower_bound(all.begin(), all.end(), m->sym->addr,
                               [](const Symbol& x, uint64_t a) { return x.addr < a; });
    for (auto it = lo; it != all.end() && it->addr == m->sym->addr; ++it) {
      if (it->is_percpu() || it->module != m->sym->module || !is_text_type(it->type)) continue;
      if (covers(&*it)) {
        s = &*it;
        break;
      }
      if (!s) s = &*it;
    }
  }
  if (!s) {
    const Symbol* d = m->sym;
    if ((d->size && m->offset < d->size) || m->offset == 0)
      return fail(Errc::invalid_argument,
                  what + ": " + hex(addr) + " is data (" + std::string(d->name) +
                      (m->offset ? "+" + std::to_string(m->offset) : std::string()) + ", type " +
                      std::string(1, d->type) + "), not code",
                  addr);
    return fail(Errc::not_found, what + ": no kernel or module text at " + hex(addr), addr);
  }
  Bounds b{s, s->addr, s->addr + s->size};
  if (s->size == 0 || addr >= b.end) {
    // Unsized (assembler) symbols, or an address past the symbol's size:
    // up to the next symbol.
    const auto& all = prog.symbols().sorted();
    auto it = std::upper_bound(all.begin(), all.end(), addr,
                               [](uint64_t a, const Symbol& x) { return a < x.addr; });
    while (it != all.end() && it->is_percpu()) ++it;
    b.end = it != all.end() ? it->addr : addr + 1;
    if (b.end - b.start > kMaxFunction) b.end = std::max(addr + 1, b.start + kMaxFunction);
  }
  return b;
}

std::optional<int64_t> kaslr_offset(Program& prog) {
  for (const char* n : {"_stext", "_text", "startup_64", "_head"})
    if (const Symbol* s = prog.symbols().find(n); s && s->module.empty())
      return static_cast<int64_t>(s->addr - s->link_addr);
  return std::nullopt;
}

// The run-time addresses of x86_64 ftrace call sites, from vmlinux's
// __mcount_loc table (link addresses in the file; init data, so gone from
// the dump).
std::vector<uint64_t> mcount_sites(Program& prog, std::optional<int64_t> kaslr) {
  std::vector<uint64_t> v;
  const Symbol* b = prog.symbols().find("__start_mcount_loc");
  const Symbol* e = prog.symbols().find("__stop_mcount_loc");
  if (!b || !e || !kaslr || e->link_addr <= b->link_addr) return v;
  uint64_t n = (e->link_addr - b->link_addr) / 8;
  if (n > (1u << 22)) return v;
  std::vector<uint8_t> raw(n * 8);
  if (!prog.vmlinux().read(b->link_addr, raw)) return v;
  v.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t a;
    std::memcpy(&a, &raw[i * 8], 8);
    if (a) v.push_back(a + static_cast<uint64_t>(*kaslr));
  }
  std::sort(v.begin(), v.end());
  return v;
}

class DisPrinter {
 public:
  DisPrinter(CommandContext& ctx, Program& prog, const DisRequest& r, DisasmArch arch,
             std::optional<int64_t> kaslr)
      : ctx_(ctx), prog_(prog), r_(r), arch_(arch), kaslr_(kaslr), sym_(prog, r.hex, arch == DisasmArch::aarch64) {}

  // One instruction line, with -l/-s headers before it when its line changed.
  void print(const Instruction& insn, std::span<const uint8_t> bytes, const Bounds* fn) {
    if (!pending_note_.empty()) {
      note(pending_note_);
      pending_note_.clear();
    }
    if (r_.lines || r_.source) header(insn.addr);
    std::string line;
    char head[40];
    std::snprintf(head, sizeof head, "0x%llx", static_cast<unsigned long long>(insn.addr));
    line += head;
    if (auto n = sym_.line_name(insn.addr)) line += " <" + *n + ">";
    line += ":\t";
    std::string text = insn.text;
    std::string comment;
    if (arch_ == DisasmArch::x86_64) {
      comment = x86_percpu_comment(text, sym_);
      if (comment.empty() && text == insn.text) comment = x86_operand_comment(insn, sym_);
    }
    if (auto it = formed_.find(insn.addr); it != formed_.end()) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(it->second));
      comment = std::string("\t// ") + buf;
      if (auto n = sym_.name(it->second)) comment += " <" + *n + ">";
    }
    line += text;
    if (is_ftrace_nop(insn, bytes, fn)) line += " [FTRACE NOP]";
    line += comment;
    ctx_.out.line(line);
  }

  const Symbolizer& symbolizer() const { return sym_; }

 private:
  bool is_ftrace_nop(const Instruction& insn, std::span<const uint8_t> bytes, const Bounds* fn) {
    uint64_t off = fn && insn.addr >= fn->start ? insn.addr - fn->start : ~0ull;
    if (arch_ == DisasmArch::x86_64) {
      if (!is_x86_ftrace_nop(bytes)) return false;
      if (fn && fn->sym && fn->sym->module.empty()) {
        if (!mcount_loaded_) {
          mcount_ = mcount_sites(prog_, kaslr_);
          mcount_loaded_ = true;
        }
        if (!mcount_.empty()) return std::binary_search(mcount_.begin(), mcount_.end(), insn.addr);
      }
      // Modules (and kernels without __mcount_loc): the function's entry,
      // or right after its endbr64, as crash marks it.
      return off == 0 || (off == 4 && first_is_endbr_);
    }
    // arm64 -fpatchable-function-entry=2: two NOPs at the symbol, before
    // DWARF's low_pc. At boot ftrace makes the first "mov x9, x30"; the
    // second is the call site, "bl ftrace_caller" while traced.
    return insn.text == "nop" && arm64_patchable_entry_ &&
           ((off == 0 && !arm64_entry_patched_) || off == 4);
  }

 public:
  // Facts about the function's first instructions, for the ftrace marks.
  void set_entry(std::span<const uint8_t> entry) {
    static constexpr uint8_t kEndbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
    static constexpr uint8_t kNop[] = {0x1f, 0x20, 0x03, 0xd5};
    first_is_endbr_ = entry.size() >= 4 && std::memcmp(entry.data(), kEndbr64, 4) == 0;
    static constexpr uint8_t kMovX9X30[] = {0xe9, 0x03, 0x1e, 0xaa};
    arm64_entry_patched_ = entry.size() >= 4 && std::memcmp(entry.data(), kMovX9X30, 4) == 0;
    arm64_patchable_entry_ = arch_ == DisasmArch::aarch64 && entry.size() >= 8 &&
                             (arm64_entry_patched_ || std::memcmp(entry.data(), kNop, 4) == 0) &&
                             std::memcmp(entry.data() + 4, kNop, 4) == 0 &&
                             prog_.symbols().find("ftrace_caller") != nullptr;
  }

  // A note printed once, before any instruction.
  void note(const std::string& text) {
    if (notes_.insert(text).second) ctx_.out.line("dis: " + text);
  }
  // arm64: the addresses adds, loads and stores form from an adrp page.
  void set_formed_addresses(std::map<uint64_t, uint64_t> m) { formed_ = std::move(m); }

  // A note printed just before the first instruction, if there is one.
  void note_before_output(std::string text) { pending_note_ = std::move(text); }

 private:
  void header(uint64_t addr) {
    auto sl = line_of(addr);
    if (!sl) return;
    char num[16];
    std::snprintf(num, sizeof num, ": %d", sl->line);
    std::string h = sl->file + num;
    if (h == last_header_) return;
    last_header_ = h;
    // Notes about missing sources come before the header they concern.
    const std::vector<std::string>* text = r_.source ? source_file(sl->file) : nullptr;
    ctx_.out.line(h);
    if (text && sl->line >= 1 && static_cast<size_t>(sl->line) <= text->size())
      ctx_.out.print("  %d\t%s\n", sl->line, (*text)[static_cast<size_t>(sl->line) - 1].c_str());
  }

  const std::vector<std::string>* source_file(const std::string& file) {
    if (!sources_.configured()) {
      note("no source directory: set KINSPECT_SRC_PATH to the kernel source tree to see "
           "source lines (file: line shown instead)");
      return nullptr;
    }
    const auto* lines = sources_.lines(file);
    if (!lines) note("source not found under KINSPECT_SRC_PATH (" + sources_.dirs_text() + "): " + file);
    return lines;
  }

  std::optional<SourceLine> line_of(uint64_t addr) {
    auto m = prog_.symbols().lookup(addr);
    if (!m || !m->sym) return std::nullopt;
    auto code = code_dwarf(prog_, addr);
    if (!code.ok()) {
      note(m->sym->module.empty() ? "no source lines: " + code.error().message
                                  : "no source lines for module " + std::string(m->sym->module) +
                                        ": its debuginfo is not loaded (mod -s)");
      return std::nullopt;
    }
    Dwarf* dw = code->dw;
    uint64_t link = code->to_dwarf(addr), sym_link = code->to_dwarf(m->sym->addr);
    if (!table_ || table_dw_ != dw || !table_->covers(link)) {
      // Patchable-entry NOPs of a unit's first function lie outside every
      // unit's ranges: take the unit of the code right after them.
      auto t = GdbLineTable::for_address(dw, link);
      for (uint64_t step = 4; !t && step <= 32 && link - sym_link + step <= 32; step += 4)
        t = GdbLineTable::for_address(dw, link + step);
      if (!t) return std::nullopt;
      table_ = std::move(t).value();
      table_dw_ = dw;
    }
    // The patchable-entry NOPs before DWARF's entry belong to the function
    // that follows them, not to the previous function's last line.
    uint64_t sym_end = sym_link + (m->sym->size ? m->sym->size : 16);
    if (auto entry = table_->entry_after(sym_link, sym_end); entry && link < *entry) link = *entry;
    return table_->lookup(link);
  }

  CommandContext& ctx_;
  Program& prog_;
  const DisRequest& r_;
  DisasmArch arch_;
  std::optional<int64_t> kaslr_;
  Symbolizer sym_;
  std::optional<GdbLineTable> table_;
  Dwarf* table_dw_ = nullptr;
  SourceFinder sources_;
  std::string last_header_;
  std::set<std::string> notes_;
  std::string pending_note_;
  std::map<uint64_t, uint64_t> formed_;
  std::vector<uint64_t> mcount_;
  bool mcount_loaded_ = false;
  bool first_is_endbr_ = false;
  bool arm64_patchable_entry_ = false;
  bool arm64_entry_patched_ = false;
};

Result<DisasmArch> disasm_arch(const Program& prog) {
  switch (prog.vmlinux().machine()) {
    case 62: return DisasmArch::x86_64;    // EM_X86_64
    case 183: return DisasmArch::aarch64;  // EM_AARCH64
    default: return fail(Errc::unsupported, "no disassembler for this vmlinux's machine");
  }
}

}  // namespace

Status cmd_dis(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(DisRequest r, parse_dis(prog, args));
  ASSIGN_OR_RETURN(DisasmArch arch, disasm_arch(prog));
  ASSIGN_OR_RETURN(auto dis, Disassembler::create(arch));
  std::optional<int64_t> kaslr = kaslr_offset(prog);
  ASSIGN_OR_RETURN(Bounds fn, function_bounds(prog, r.target, r.target_text, r.named));
  if (r.from_file && !fn.sym->module.empty())
    return fail(Errc::unsupported, r.target_text + " is in module " + std::string(fn.sym->module) +
                                       ", whose code is only in the dump; --vmlinux reads vmlinux");

  CodeReader reader(prog, r.from_file, kaslr);
  DisPrinter printer(ctx, prog, r, arch, kaslr);
  if (!r.from_file && fn.sym->module.empty() && kaslr)
    if (const ElfSection* sec = prog.vmlinux().section_at(fn.start - static_cast<uint64_t>(*kaslr));
        sec && sec->name == ".init.text")
      printer.note_before_output(std::string(fn.sym->name) +
                   " is init code, freed after boot: the dump holds whatever replaced it "
                   "(x86_64 fills it with int3); dis --vmlinux shows the code");
  {
    auto entry = reader.bytes(fn.start, 8);
    if (entry.ok()) printer.set_entry(*entry);
  }
  AddressPrinter address_text = [&](uint64_t a) { return printer.symbolizer().address(a); };

  struct Decoded {
    Instruction insn;
    std::vector<uint8_t> bytes;
  };
  auto decode_at = [&](uint64_t addr) -> Result<Decoded> {
    auto read = reader.bytes(addr, dis->max_length());
    if (!read) return fail(std::move(read).error().context(r.target_text));
    std::vector<uint8_t> b = std::move(read).value();
    ASSIGN_OR_RETURN(Instruction insn, dis->decode(addr, b, address_text));
    b.resize(insn.length);
    return Decoded{std::move(insn), std::move(b)};
  };

  // The whole function, decoded from its start so the instruction
  // boundaries are the real ones (-r, -f, a bare symbol; and on arm64
  // always, to follow adrp pages).
  bool count_mode = !r.reverse && !r.forward && !(r.bare_symbol && !r.count);
  std::vector<Decoded> insns;
  if (!count_mode || arch == DisasmArch::aarch64) {
    for (uint64_t addr = fn.start; addr < fn.end;) {
      if (interrupted()) return fail(Errc::interrupted, "interrupted");
      if (r.reverse && addr > r.target) break;
      auto d = decode_at(addr);
      if (!d) {
        if (count_mode) break;  // only the adrp analysis needed it
        return fail(std::move(d).error());
      }
      addr += d->insn.length;
      insns.push_back(std::move(d).value());
    }
    if (arch == DisasmArch::aarch64) {
      std::vector<Instruction> plain;
      plain.reserve(insns.size());
      for (const auto& d : insns) plain.push_back(d.insn);
      printer.set_formed_addresses(arm64_adrp_addresses(plain));
    }
  }

  // Plain COUNT instructions from an address (crash's x/Ni), possibly
  // running into the next function.
  if (count_mode) {
    uint64_t addr = r.target;
    for (uint64_t i = 0; i < r.count.value_or(1); ++i) {
      if (interrupted()) return fail(Errc::interrupted, "interrupted");
      ASSIGN_OR_RETURN(Decoded d, decode_at(addr));
      Bounds here = fn;
      if (addr >= fn.end || addr < fn.start)
        if (auto b = function_bounds(prog, addr, r.target_text); b.ok()) here = *b;
      printer.print(d.insn, d.bytes, &here);
      addr += d.insn.length;
    }
    return {};
  }

  size_t first = 0, last = insns.size();
  if (r.forward) {
    while (first < last && insns[first].insn.addr < r.target) ++first;
    if (r.count) last = std::min<size_t>(last, first + *r.count);
  } else if (r.reverse && r.count && last - first > *r.count) {
    first = last - *r.count;
  }
  for (size_t i = first; i < last; ++i) printer.print(insns[i].insn, insns[i].bytes, &fn);
  return {};
}

namespace {
constexpr std::string_view kDisHelp = R"(NAME
  dis - disassemble

SYNOPSIS
  dis [-rfldxs] [--vmlinux] ADDRESS|SYMBOL|(EXPRESSION) [COUNT]

DESCRIPTION
  Disassembles kernel or module code in crash's layout,
  "0xADDRESS <function+offset>:<TAB>instruction", with GNU libopcodes:
  the same instruction text as objdump and gdb (AT&T syntax on x86_64).
  Call and jump targets show as "0x... <symbol+offset>"; RIP-relative
  operands, and absolute addresses in operands that a symbol covers, are
  followed by "# 0x... <symbol>"; per-cpu operands (x86_64 %gs:, arm64
  adrp into .data..percpu) name their variable, "# 0x1fb80 <current_task>".
  On arm64, an add, load or store that completes the address an earlier
  adrp began is followed by "// 0x... <symbol>" (the register is followed
  through the function, forgotten when written, after calls and at branch
  targets).
  An x86_64 ftrace call site that the
  kernel turned into a 5-byte NOP is marked [FTRACE NOP], as crash marks
  it; so are arm64's two patchable-entry NOPs. arm64 PAC and BTI
  instructions (paciasp, autiasp, bti c) show by name.

  A SYMBOL alone disassembles the whole function (its ELF or kallsyms
  symbol's size). An ADDRESS, "SYMBOL+OFFSET" (decimal offset, or 0x
  hexadecimal) or (EXPRESSION) disassembles COUNT instructions (default 1)
  from there. The bytes come from the dump, as the code ran: alternatives,
  static keys and ftrace patched in. Module code disassembles from the
  dump with its kallsyms symbols.

  -r      (reverse) from the start of the function up to and including
          the instruction that contains ADDRESS; with COUNT, the last COUNT
          of them.
  -f      (forward) from ADDRESS (the first instruction starting there or
          after it) to the end of the function; with COUNT, the first COUNT.
  -l      before the instructions of each source line, a "file: line"
          header, the line crash (gdb) picks for the address.
  -s      like -l, each header followed by that source line's text, read
          from the kernel source tree named by the environment variable
          KINSPECT_SRC_PATH (colon-separated directories; a line-table
          name is tried whole, then without its leading directories). When
          it is unset or a file is not found, one "dis:" line says so and
          the headers alone are shown.
  -x      offsets in <symbol+offset> in hexadecimal.
  -d      offsets in decimal (the default).
  -u      a user virtual address (not yet implemented: says so).
  -b      crash's byte count to skip after ud2 (not implemented: says so).
  --vmlinux
          read the bytes from the vmlinux file instead of the dump (not a
          crash option). Addresses stay the dump's, so the output diffs
          against the dump's: the file has "call __fentry__" where the
          dump has the ftrace NOP, and unrelocated immediates.

  A symbol that does not exist, text the dump cannot supply, and an
  address that is not code (a data symbol) each give one line saying so.
)";
}  // namespace

extern const CommandSpec kDisCommand{"dis", cmd_dis, "disassemble", kDisHelp,
                                     "-r -f -l -s -x -d -u -b --vmlinux", true};

}  // namespace kinspect
