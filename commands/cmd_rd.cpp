// rd: read memory, in crash's layout.
#include <string_view>
#include <cctype>
#include <cstring>
#include <vector>

#include "commands/command.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

enum class Radix { hex, sdec, udec };

struct RdRequest {
  bool physical = false;
  unsigned width = 8;  // bytes per value
  Radix radix = Radix::hex;
  bool ascii_only = false;
  bool symbols = false;  // -s: values that are kernel addresses as symbols
  uint64_t addr = 0;
  uint64_t count = 1;
};

Result<RdRequest> parse_rd(Program& prog, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "pxduasS", {"8", "16", "32", "64"}));
  RdRequest r;
  r.physical = o.has('p');
  if (o.has('d')) r.radix = Radix::sdec;
  if (o.has('u')) r.radix = Radix::udec;
  r.ascii_only = o.has('a');
  r.symbols = o.has('s') || o.has('S');
  for (const auto& [k, v] : o.values)
    if (k == '#') r.width = static_cast<unsigned>(std::stoul(v) / 8);
  if (o.positional.empty()) return fail(Errc::invalid_argument, "an address or symbol is required");
  const std::string& a = o.positional[0].text;
  if (auto v = parse_hex(a)) {
    r.addr = *v;
  } else if (!r.physical) {
    ASSIGN_OR_RETURN(r.addr, prog.symbol_address(a));
  } else {
    return fail(Errc::invalid_argument, "invalid physical address: " + a);
  }
  if (o.positional.size() > 1) {
    auto c = parse_number(o.positional[1].text);
    if (!c || *c == 0) return fail(Errc::invalid_argument, "invalid count: " + o.positional[1].text);
    r.count = *c;
  }
  if (o.positional.size() > 2)
    return fail(Errc::invalid_argument, "unexpected argument: " + o.positional[2].text);
  if (r.count > (1ull << 28)) return fail(Errc::invalid_argument, "count too large");
  return r;
}

uint64_t load(const uint8_t* p, unsigned width) {
  uint64_t v = 0;
  std::memcpy(&v, p, width);  // little-endian targets (x86_64, arm64)
  return v;
}

int64_t sign_extend(uint64_t v, unsigned width) {
  if (width == 8) return static_cast<int64_t>(v);
  unsigned bits = width * 8;
  uint64_t m = 1ull << (bits - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

std::string format_value(Program& prog, uint64_t v, const RdRequest& r) {
  char buf[64];
  if (r.symbols && r.width == 8) {
    if (auto m = prog.symbols().lookup(v); m && prog.arch().is_kernel_address(v))
      return format_symbol(*m);
  }
  switch (r.radix) {
    case Radix::hex:
      std::snprintf(buf, sizeof buf, "%0*llx", static_cast<int>(r.width * 2),
                    static_cast<unsigned long long>(v));
      break;
    case Radix::sdec:
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(sign_extend(v, r.width)));
      break;
    case Radix::udec:
      std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
      break;
  }
  return buf;
}

}  // namespace

Status cmd_rd(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(RdRequest r, parse_rd(prog, args));
  auto read = [&](uint64_t a, std::span<uint8_t> out) {
    return r.physical ? prog.read_phys(a, out) : prog.read(a, out);
  };

  if (r.ascii_only) {
    // -a: text until a NUL or COUNT bytes (crash's default limit is a page).
    uint64_t limit = args.size() > 1 && r.count > 1 ? r.count : 4096;
    std::string text;
    uint8_t c;
    for (uint64_t i = 0; i < limit; ++i) {
      TRY_VOID(read(r.addr + i, std::span(&c, 1)));
      if (c == 0) break;
      text += std::isprint(c) ? static_cast<char>(c) : '.';
    }
    ctx.out.print("%16llx:  %s\n", static_cast<unsigned long long>(r.addr), text.c_str());
    return {};
  }

  const unsigned per_line = 16 / r.width;
  const bool show_ascii = r.radix == Radix::hex && !r.symbols;
  uint64_t done = 0;
  std::vector<uint8_t> line(16);
  while (done < r.count) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    uint64_t addr = r.addr + done * r.width;
    unsigned n = static_cast<unsigned>(std::min<uint64_t>(per_line, r.count - done));
    TRY_VOID(read(addr, std::span(line.data(), n * r.width)));
    std::string text;
    char head[40];
    std::snprintf(head, sizeof head, "%16llx:  ", static_cast<unsigned long long>(addr));
    text += head;
    for (unsigned i = 0; i < n; ++i) {
      std::string v = format_value(prog, load(&line[i * r.width], r.width), r);
      if (r.symbols && r.width == 8) v.resize(std::max<size_t>(v.size(), 16), ' ');
      text += v;
      text += ' ';
    }
    if (show_ascii) {
      // Pad a short last line so the ASCII column stays aligned.
      for (unsigned i = n; i < per_line; ++i) text.append(r.width * 2 + 1, ' ');
      text += "  ";
      for (unsigned i = 0; i < n * r.width; ++i)
        text += std::isprint(line[i]) ? static_cast<char>(line[i]) : '.';
    } else {
      while (!text.empty() && text.back() == ' ') text.pop_back();
    }
    ctx.out.line(text);
    done += n;
  }
  return {};
}

namespace {
constexpr std::string_view kRdHelp = R"(NAME
  rd - read memory

SYNOPSIS
  rd [-p] [-8|-16|-32|-64] [-x|-d|-u] [-a] ADDRESS|SYMBOL [COUNT]

DESCRIPTION
  Displays COUNT units (default 1) of memory starting at ADDRESS, a kernel
  virtual address (hexadecimal, 0x optional) or a symbol, in crash's layout:
  the address, then the values of one 16-byte line, then their ASCII.

  -p      ADDRESS is a physical address.
  -8      display 8-bit values.
  -16     display 16-bit values.
  -32     display 32-bit values.
  -64     display 64-bit values (the default).
  -x      hexadecimal values (the default).
  -d      signed decimal values, no ASCII column.
  -u      unsigned decimal values, no ASCII column.
  -a      display ASCII text up to COUNT bytes or a NUL.

  A page the dump excluded (makedumpfile -d) or never held is reported as
  an error naming the address; it is never shown as zeros.
)";
}  // namespace

extern const CommandSpec kRdCommand{"rd", cmd_rd, "read memory", kRdHelp,
                                    "-p -8 -16 -32 -64 -x -d -u -a -s -S", true};

}  // namespace kinspect
