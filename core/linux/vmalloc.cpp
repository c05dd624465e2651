#include "core/linux/vmalloc.hpp"

#include "core/linux/kernel_list.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

Result<uint64_t> u64_member(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

}  // namespace

Result<std::vector<VmapArea>> read_vmap_areas(Program& prog) {
  // vmap_area_list holds the busy areas from 2.6.28 until 6.9, when the
  // per-node vmap_nodes replaced it (kernel commit d093602919ad).
  auto head = prog.symbol_address("vmap_area_list");
  if (!head.ok()) return fail(Errc::unsupported, "no vmap_area_list (kernels from 6.9 keep vmap_nodes: not handled yet)");
  ASSIGN_OR_RETURN(const Type* va_t, prog.types().find_struct("vmap_area"));
  ASSIGN_OR_RETURN(const Type* vm_t, prog.types().find_struct("vm_struct"));
  ASSIGN_OR_RETURN(uint64_t link, prog.types().member_offset("vmap_area", "list"));
  std::vector<VmapArea> out;
  TRY_VOID(walk_list(prog, *head, link, [&](uint64_t a) -> Status {
    Object va = Object::at(prog, va_t, a);
    VmapArea v;
    v.address = a;
    ASSIGN_OR_RETURN(v.start, u64_member(va, "va_start"));
    ASSIGN_OR_RETURN(v.end, u64_member(va, "va_end"));
    ASSIGN_OR_RETURN(v.vm, u64_member(va, "vm"));
    if (v.vm) {
      Object vm = Object::at(prog, vm_t, v.vm);
      v.caller = u64_member(vm, "caller").value_or(0);
      v.nr_pages = u64_member(vm, "nr_pages").value_or(0);
    }
    out.push_back(v);
    return {};
  }));
  return out;
}

Result<std::optional<VmapArea>> find_vmap_area(Program& prog, uint64_t vaddr) {
  ASSIGN_OR_RETURN(auto areas, read_vmap_areas(prog));
  for (const auto& a : areas)
    if (vaddr >= a.start && vaddr < a.end) return std::optional<VmapArea>{a};
  return std::optional<VmapArea>{};
}

}  // namespace kinspect
