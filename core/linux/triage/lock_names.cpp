#include "core/linux/triage/lock_names.hpp"

#include "core/linux/triage/frame_search.hpp"
#include "core/program.hpp"
#include "core/types/type_name.hpp"

namespace kinspect {

std::string member_at_offset(const Type* t, uint64_t offset) {
  t = t->strip();
  if (!t->is_aggregate()) return {};
  for (const Member& m : t->members) {
    if (m.is_bitfield()) continue;
    const Type* mt = m.type.get();
    uint64_t size = mt->byte_size();
    if (offset < m.offset || offset >= m.offset + (size ? size : 1)) continue;
    if (m.name.empty()) {  // anonymous struct/union: look through it
      std::string inner = member_at_offset(mt, offset - m.offset);
      if (!inner.empty()) return inner;
      continue;
    }
    if (offset == m.offset) return m.name;
    std::string inner = member_at_offset(mt, offset - m.offset);
    if (!inner.empty()) return m.name + "." + inner;
  }
  return {};
}

namespace {
bool is_data_symbol(char type) {
  switch (type) {
    case 'd': case 'D': case 'b': case 'B': case 'r': case 'R': return true;
    default: return false;
  }
}
}  // namespace

LockName name_lock(Program& prog, FrameSearch& frames, size_t from_frame, uint64_t address,
                   size_t max_frames) {
  LockName out;
  if (auto m = prog.symbols().lookup(address); m && m->sym && is_data_symbol(m->sym->type) &&
                                               (m->sym->size == 0 || m->offset < m->sym->size)) {
    out.text = format_symbol(*m);
    out.source = "symbol";
    return out;
  }
  const auto& bt = frames.backtrace();
  for (size_t i = from_frame + 1; i < bt.frames.size() && i <= from_frame + max_frames; ++i) {
    const auto& sc = frames.scopes(i);
    if (!sc.ok()) continue;
    for (const FrameScope& s : *sc)
      for (const FrameVariable& v : s.variables) {
        if (!v.value || !v.type) continue;
        const Type* pt = v.type->strip();
        if (pt->kind != TypeKind::pointer) continue;
        const Type* target = pt->target.get();
        if (!target->strip()->is_aggregate()) continue;
        uint64_t size = target->byte_size();
        auto p = v.value->as_u64();
        if (!p.ok() || !*p || address < *p || address >= *p + size) continue;
        std::string member = member_at_offset(target, address - *p);
        if (member.empty()) continue;
        out.container = *p;
        out.type = type_name(target->strip());
        out.member = member;
        out.text = out.type + " " + hex(*p) + ": " + member;
        out.source = "frame #" + std::to_string(i) + " " + s.function + ": " + v.name;
        return out;
      }
  }
  return out;
}

}  // namespace kinspect
