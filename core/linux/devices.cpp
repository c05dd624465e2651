// Device majors: see devices.hpp.
#include "core/linux/devices.hpp"

#include <algorithm>
#include <set>

#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

constexpr size_t kMaxChain = 4096;  // a longer hash chain is corrupt

// Walks an array of singly-linked chains (`next` members) of struct `type`;
// fn(Object) for each element.
template <class Fn>
Status walk_chains(Program& prog, std::string_view array, std::string_view type, Fn&& fn) {
  ASSIGN_OR_RETURN(Object heads, variable(prog, array));
  ASSIGN_OR_RETURN(const Type* t, prog.types().find_struct(type));
  uint64_t n = heads.type()->strip()->count.value_or(0);
  for (uint64_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(Object h, heads.index(static_cast<int64_t>(i)));
    ASSIGN_OR_RETURN(uint64_t p, h.as_u64());
    std::set<uint64_t> seen;
    while (p) {
      if (!seen.insert(p).second || seen.size() > kMaxChain)
        return fail(Errc::format, std::string(array) + "[" + std::to_string(i) + "] loops", p);
      Object o = Object::at(prog, t, p);
      TRY_VOID(fn(o));
      ASSIGN_OR_RETURN(p, member_u64(o, "next"));
    }
  }
  return {};
}

// The cdev cdev_map maps the region's first device number to (what
// chrdev_open() would find), for regions registered without their own cdev.
Result<uint64_t> mapped_cdev(Program& prog, unsigned major, unsigned minor) {
  ASSIGN_OR_RETURN(Object map_ptr, variable(prog, "cdev_map"));
  ASSIGN_OR_RETURN(uint64_t map, map_ptr.as_u64());
  if (!map) return uint64_t{0};
  ASSIGN_OR_RETURN(const Type* km, prog.types().find_struct("kobj_map"));
  ASSIGN_OR_RETURN(Object probes, Object::at(prog, km, map).member("probes"));
  uint64_t n = probes.type()->strip()->count.value_or(255);
  ASSIGN_OR_RETURN(Object head, probes.index(static_cast<int64_t>(major % n)));
  ASSIGN_OR_RETURN(uint64_t p, head.as_u64());
  ASSIGN_OR_RETURN(const Type* probe, prog.types().find_struct("probe"));
  uint64_t dev = (static_cast<uint64_t>(major) << 20) | minor;  // MKDEV: MINORBITS = 20
  std::set<uint64_t> seen;
  while (p && seen.insert(p).second && seen.size() < kMaxChain) {
    Object o = Object::at(prog, probe, p);
    ASSIGN_OR_RETURN(uint64_t start, member_u64(o, "dev"));
    ASSIGN_OR_RETURN(uint64_t range, member_u64(o, "range"));
    if (start <= dev && dev < start + range && (start >> 20) == major) return member_u64(o, "data");
    ASSIGN_OR_RETURN(p, member_u64(o, "next"));
  }
  return uint64_t{0};
}

}  // namespace

Result<std::vector<CharDevice>> read_char_devices(Program& prog) {
  std::vector<CharDevice> out;
  TRY_VOID(walk_chains(prog, "chrdevs", "char_device_struct", [&](const Object& o) -> Status {
    CharDevice c;
    ASSIGN_OR_RETURN(uint64_t major, member_u64(o, "major"));
    ASSIGN_OR_RETURN(uint64_t baseminor, member_u64(o, "baseminor"));
    ASSIGN_OR_RETURN(uint64_t minorct, member_u64(o, "minorct"));
    c.major = static_cast<unsigned>(major);
    c.baseminor = static_cast<unsigned>(baseminor);
    c.minorct = static_cast<unsigned>(minorct);
    ASSIGN_OR_RETURN(Object name, o.member("name"));
    ASSIGN_OR_RETURN(c.name, name.as_string());
    ASSIGN_OR_RETURN(c.cdev, member_u64(o, "cdev"));
    if (!c.cdev) c.cdev = mapped_cdev(prog, c.major, c.baseminor).value_or(0);
    if (c.cdev) {
      ASSIGN_OR_RETURN(const Type* cdev, prog.types().find_struct("cdev"));
      ASSIGN_OR_RETURN(c.ops, member_u64(Object::at(prog, cdev, c.cdev), "ops"));
    }
    out.push_back(std::move(c));
    return {};
  }).context("walking chrdevs"));
  // The hash chains keep each major's regions by minor; /proc/devices orders by major.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.major < b.major; });
  return out;
}

Result<std::vector<BlockDevice>> read_block_devices(Program& prog) {
  std::vector<BlockDevice> out;
  TRY_VOID(walk_chains(prog, "major_names", "blk_major_name", [&](const Object& o) -> Status {
    BlockDevice b;
    ASSIGN_OR_RETURN(uint64_t major, member_u64(o, "major"));
    b.major = static_cast<unsigned>(major);
    ASSIGN_OR_RETURN(Object name, o.member("name"));
    ASSIGN_OR_RETURN(b.name, name.as_string());
    out.push_back(std::move(b));
    return {};
  }).context("walking major_names"));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.major < b.major; });
  return out;
}

}  // namespace kinspect
