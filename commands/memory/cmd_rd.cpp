// rd: read memory, in crash's layout.
#include <string_view>
#include <cctype>
#include <cstring>
#include <functional>
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
  bool count_given = false;
  uint64_t addr = 0;
  uint64_t count = 1;
};

Result<RdRequest> parse_rd(Program& prog, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "pkuxdDasS", {"8", "16", "32", "64"}));
  RdRequest r;
  r.physical = o.has('p');
  if (o.has('u'))
    return fail(Errc::unsupported,
                "-u (user virtual addresses) needs task contexts, which are not implemented yet");
  if (o.has('S'))
    return fail(Errc::unsupported, "-S (slab cache names) is not implemented yet; use -s");
  if (o.has('d')) r.radix = Radix::sdec;
  if (o.has('D')) r.radix = Radix::udec;
  r.ascii_only = o.has('a');
  r.symbols = o.has('s');
  r.count_given = o.positional.size() > 1;
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

// Column widths of crash's decimal output, per value size (1, 2, 4, 8 bytes).
int decimal_width(unsigned width, bool is_signed) {
  switch (width) {
    case 1: return 3;
    case 2: return 5;
    case 4: return 12;
    default: return is_signed ? 15 : 20;
  }
}

std::string format_value(Program& prog, uint64_t v, const RdRequest& r) {
  char buf[64];
  if (r.symbols && r.width == 8) {
    if (auto m = prog.symbols().lookup(v); m && prog.arch().is_kernel_address(v)) {
      std::snprintf(buf, sizeof buf, "%-16s", format_symbol(*m).c_str());
      return buf;
    }
  }
  switch (r.radix) {
    case Radix::hex:
      std::snprintf(buf, sizeof buf, "%0*llx", static_cast<int>(r.width * 2),
                    static_cast<unsigned long long>(v));
      break;
    case Radix::sdec:
      // crash shows 8- and 16-bit values unsigned even with -d; so do we.
      std::snprintf(buf, sizeof buf, "%*lld", decimal_width(r.width, true),
                    static_cast<long long>(r.width >= 4 ? sign_extend(v, r.width) : v));
      break;
    case Radix::udec:
      std::snprintf(buf, sizeof buf, "%*llu", decimal_width(r.width, false),
                    static_cast<unsigned long long>(v));
      break;
  }
  return buf;
}

// -a: printable text in lines of 60 characters, each headed by its address.
// Without a count it stops at the first NUL; with one it scans COUNT bytes
// and shows every run of text in them at its own address, as crash does.
Status print_ascii(Output& out, const RdRequest& r,
                   const std::function<Status(uint64_t, std::span<uint8_t>)>& read) {
  constexpr size_t kLine = 60;
  uint64_t limit = r.count_given ? r.count : 4096;
  std::string run;
  uint64_t run_start = r.addr;
  auto flush = [&] {
    for (size_t i = 0; i < run.size(); i += kLine)
      out.print("%16llx:  %s\n", static_cast<unsigned long long>(run_start + i),
                run.substr(i, kLine).c_str());
    run.clear();
  };
  uint8_t c;
  for (uint64_t i = 0; i < limit; ++i) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    TRY_VOID(read(r.addr + i, std::span(&c, 1)));
    if (std::isprint(c)) {
      if (run.empty()) run_start = r.addr + i;
      run += static_cast<char>(c);
      continue;
    }
    flush();
    if (!r.count_given) break;
  }
  flush();
  return {};
}

}  // namespace

Status cmd_rd(CommandContext& ctx, const Args& args) {
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(RdRequest r, parse_rd(prog, args));
  std::function<Status(uint64_t, std::span<uint8_t>)> read = [&](uint64_t a, std::span<uint8_t> out) {
    return r.physical ? prog.read_phys(a, out) : prog.read(a, out);
  };

  if (r.ascii_only) return print_ascii(ctx.out, r, read);

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
      text += format_value(prog, load(&line[i * r.width], r.width), r);
      text += ' ';
    }
    if (show_ascii) {
      // Pad a short last line so the ASCII column stays aligned.
      for (unsigned i = n; i < per_line; ++i) text.append(r.width * 2 + 1, ' ');
      text += "  ";
      for (unsigned i = 0; i < n * r.width; ++i)
        text += std::isprint(line[i]) ? static_cast<char>(line[i]) : '.';
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
  rd [-p|-u] [-8|-16|-32|-64] [-x|-d|-D] [-s] [-a] ADDRESS|SYMBOL [COUNT]

DESCRIPTION
  Displays COUNT units (default 1) of memory starting at ADDRESS, a kernel
  virtual address (hexadecimal, 0x optional) or a symbol, in crash's layout:
  the address, then the values of one 16-byte line, then their ASCII.

  -p      ADDRESS is a physical address.
  -u      ADDRESS is a user virtual address of the current task (not yet
          implemented: says so).
  -8      display 8-bit values.
  -16     display 16-bit values.
  -32     display 32-bit values.
  -64     display 64-bit values (the default).
  -x      hexadecimal values (the default).
  -d      signed decimal values, no ASCII column.
  -D      unsigned decimal values, no ASCII column.
  -s      64-bit values that are kernel addresses shown as symbol+offset
          (decimal offset), no ASCII column.
  -S      like -s, also naming slab caches (not yet implemented: says so).
  -a      display ASCII text: up to a NUL, or with COUNT, every run of
          text within COUNT bytes, 60 characters per line.

  A page the dump excluded (makedumpfile -d) or never held is reported as
  an error naming the address; it is never shown as zeros.
)";
}  // namespace

extern const CommandSpec kRdCommand{"rd", cmd_rd, "read memory", kRdHelp,
                                    "-p -u -8 -16 -32 -64 -x -d -D -a -s -S", true};

}  // namespace kinspect
