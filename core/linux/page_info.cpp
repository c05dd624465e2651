#include "core/linux/page_info.hpp"

#include <cctype>
#include <set>

#include "core/types/object.hpp"

namespace kinspect {

Result<PageInfo> read_page_info(Program& prog, uint64_t page_address) {
  ASSIGN_OR_RETURN(const Type* page_t, prog.types().find_struct("page"));
  Object page = Object::at(prog, page_t, page_address);
  PageInfo p;
  p.address = page_address;
  ASSIGN_OR_RETURN(Object flags, page.member("flags"));
  ASSIGN_OR_RETURN(p.flags, flags.as_u64());
  // mapping and index sit in an anonymous union member since 4.18.
  ASSIGN_OR_RETURN(Object mapping, page.member("mapping"));
  ASSIGN_OR_RETURN(p.mapping, mapping.as_u64());
  ASSIGN_OR_RETURN(Object index, page.member("index"));
  ASSIGN_OR_RETURN(p.index, index.as_u64());
  // _refcount since 4.6 (kernel commit 0139aa7b7fa1), _count before.
  auto count = page.member("_refcount.counter");
  if (!count.ok()) count = page.member("_count.counter");
  ASSIGN_OR_RETURN(Object c, std::move(count));
  ASSIGN_OR_RETURN(p.count, c.as_int());
  return p;
}

Result<std::string> page_flag_names(Program& prog, uint64_t flags) {
  ASSIGN_OR_RETURN(const Type* e, prog.types().find_enum("pageflags"));
  int64_t nr = 64;
  for (const auto& en : e->enumerators)
    if (en.name == "__NR_PAGEFLAGS") nr = en.value;
  std::string out;
  std::set<int64_t> named;
  for (const auto& en : e->enumerators) {
    if (en.value < 0 || en.value >= nr || en.value >= 64 || !named.insert(en.value).second) continue;
    if (!((flags >> en.value) & 1) || !en.name.starts_with("PG_")) continue;
    std::string name = en.name.substr(3);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += (out.empty() ? "" : ",") + name;
  }
  return out;
}

}  // namespace kinspect
