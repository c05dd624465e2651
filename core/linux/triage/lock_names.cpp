#include "core/linux/triage/lock_names.hpp"

#include <optional>

#include "core/linux/triage/frame_search.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"

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
// '?': a module symbol whose kallsyms type is unknown; a lock the kernel
// writes cannot be inside code, so a symbol covering it is its variable.
bool is_data_symbol(char type) {
  switch (type) {
    case 'd': case 'D': case 'b': case 'B': case 'r': case 'R': case '?': return true;
    default: return false;
  }
}
// A pointer to the lock itself (or to a lock wrapping it) names nothing.
bool is_lock_type(std::string_view name) {
  for (std::string_view t : {"mutex", "rw_semaphore", "semaphore", "completion", "qspinlock", "spinlock",
                             "raw_spinlock", "swait_queue_head", "wait_queue_head", "ww_mutex"})
    if (name == t) return true;
  return false;
}

// Read a pointer member; 0 when unreadable.
uint64_t pointer(const Object& o, std::string_view path) {
  auto m = o.member(path);
  if (!m) return 0;
  auto v = m->as_u64();
  return v ? *v : 0;
}

uint64_t address_of(const Object& o, std::string_view path) {
  auto m = o.member(path);
  return m ? m->address() : 0;
}

// Structures whose locks the kernel's sleeping paths take most, when no
// frame still holds a pointer to them (a caller's `file` is often
// optimized out). An address is taken for one only when a self-reference
// of that structure holds, so a wrong guess is never printed.
struct Embedding {
  std::string_view type, member;
  std::string_view proof;  // the self-reference checked
  bool (*holds)(const Object& o);
};

constexpr Embedding kEmbeddings[] = {
    {"inode", "i_rwsem", "i_mapping == &i_data",
     [](const Object& o) { return pointer(o, "i_mapping") == address_of(o, "i_data") && address_of(o, "i_data"); }},
    {"file", "f_pos_lock", "f_mapping == f_inode->i_mapping",
     [](const Object& o) {
       uint64_t mapping = pointer(o, "f_mapping");
       auto inode = o.member("f_inode");
       if (!mapping || !inode) return false;
       auto i_mapping = inode->member("i_mapping");
       auto v = i_mapping ? i_mapping->as_u64() : Result<uint64_t>(fail(Errc::not_found, ""));
       return v.ok() && *v == mapping;
     }},
    {"super_block", "s_umount", "s_root->d_sb == this",
     [](const Object& o) {
       auto root = o.member("s_root");
       if (!root) return false;
       auto sb = root->member("d_sb");
       auto v = sb ? sb->as_u64() : Result<uint64_t>(fail(Errc::not_found, ""));
       return v.ok() && *v == o.address();
     }},
};

std::optional<LockName> embedded_lock(Program& prog, uint64_t address) {
  for (const Embedding& e : kEmbeddings) {
    auto t = prog.types().find_struct(e.type);
    auto off = prog.types().member_offset(e.type, e.member);
    if (!t || !off || address < *off) continue;
    Object o = Object::at(prog, *t, address - *off);
    if (!e.holds(o)) continue;
    LockName n;
    n.container = o.address();
    n.type = "struct " + std::string(e.type);
    n.member = std::string(e.member);
    n.text = n.type + " " + hex(n.container) + ": " + n.member;
    n.source = "struct " + std::string(e.type) + " at " + hex(n.container) + ": " + std::string(e.proof);
    return n;
  }
  return std::nullopt;
}

}  // namespace

LockName name_lock(Program& prog, FrameSearch& frames, size_t from_frame, uint64_t address,
                   size_t max_frames) {
  LockName out;
  if (auto m = prog.symbols().lookup(address); m && m->sym && is_data_symbol(m->sym->type) &&
                                               (m->offset == 0 || m->offset < m->sym->size)) {
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
        if (!target->strip()->is_aggregate() || is_lock_type(target->strip()->name)) continue;
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
  if (auto e = embedded_lock(prog, address)) return *e;
  return out;
}

}  // namespace kinspect
