#include "commands/symbols/type_support.hpp"

#include <charconv>
#include <map>
#include <mutex>

#include "commands/args.hpp"
#include "commands/session.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

Result<std::vector<unsigned>> parse_cpuspec(Program& prog, std::string_view spec) {
  ASSIGN_OR_RETURN(unsigned n, nr_cpu_ids(prog));
  std::vector<unsigned> cpus;
  if (spec == "a" || spec == "all" || spec.empty()) {
    for (unsigned c = 0; c < n; ++c) cpus.push_back(c);
    return cpus;
  }
  auto num = [&](std::string_view s) -> Result<unsigned> {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
      return fail(Errc::invalid_argument, "invalid cpu specification: " + std::string(spec));
    if (v >= n)
      return fail(Errc::invalid_argument, "invalid cpu " + std::to_string(v) + " (nr_cpu_ids is " + std::to_string(n) + ")");
    return v;
  };
  size_t i = 0;
  while (i <= spec.size()) {
    size_t comma = spec.find(',', i);
    if (comma == std::string_view::npos) comma = spec.size();
    std::string_view part = spec.substr(i, comma - i);
    if (auto dash = part.find('-'); dash != std::string_view::npos) {
      ASSIGN_OR_RETURN(unsigned lo, num(part.substr(0, dash)));
      ASSIGN_OR_RETURN(unsigned hi, num(part.substr(dash + 1)));
      for (unsigned c = lo; c <= hi; ++c) cpus.push_back(c);
    } else {
      ASSIGN_OR_RETURN(unsigned c, num(part));
      cpus.push_back(c);
    }
    i = comma + 1;
  }
  return cpus;
}

Result<std::vector<AddressArg>> resolve_address_arg(Program& prog, std::string_view word) {
  std::vector<AddressArg> out;
  if (auto colon = word.find(':'); colon != std::string_view::npos) {
    std::string sym(word.substr(0, colon));
    const Symbol* s = prog.symbols().find(sym);
    if (!s) return fail(Errc::not_found, "no symbol \"" + sym + "\"");
    if (!is_per_cpu_symbol(prog, sym)) return fail(Errc::invalid_argument, sym + " is not a per-cpu symbol");
    ASSIGN_OR_RETURN(auto cpus, parse_cpuspec(prog, word.substr(colon + 1)));
    for (unsigned c : cpus) {
      ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog, s->addr, c));
      out.push_back({a, c});
    }
    return out;
  }
  if (const Symbol* s = prog.symbols().find(word)) {
    out.push_back({s->addr, std::nullopt});
    return out;
  }
  if (auto v = parse_hex(word)) {
    out.push_back({*v, std::nullopt});
    return out;
  }
  return fail(Errc::invalid_argument, "invalid address or symbol: " + std::string(word));
}

Result<std::vector<uint8_t>> read_for_print(Program& prog, const Type* t, uint64_t address) {
  const Type* s = t->strip();
  uint64_t n = t->byte_size();
  if (s->kind == TypeKind::function) return std::vector<uint8_t>{};
  if (s->kind == TypeKind::array && s->count && !s->target.get()->is_char()) {
    uint64_t esz = s->target.get()->byte_size();
    n = std::min<uint64_t>(*s->count, 256) * esz;
  }
  if (n > (256u << 20)) return fail(Errc::invalid_argument, "object of " + std::to_string(n) + " bytes is too large to print");
  std::vector<uint8_t> buf(n);
  TRY_VOID(prog.read(address, buf));
  return buf;
}

int next_value_number(Session& session) {
  static std::mutex mu;
  static std::map<const Session*, int> counters;
  std::lock_guard lock(mu);
  return ++counters[&session];
}

}  // namespace kinspect
