#include "core/types/type.hpp"

#include "core/types/types.hpp"

namespace kinspect {

const Type* TypeLink::get() const {
  if (cached_) return cached_;
  if (!types_) return Types::void_type();
  cached_ = types_->type_at(file_, die_);
  return cached_;
}

const Type* Type::strip() const {
  const Type* t = this;
  for (int i = 0; i < 64; ++i) {
    if (t->kind != TypeKind::typedef_ && t->kind != TypeKind::const_ && t->kind != TypeKind::volatile_)
      return t;
    t = t->target.get();
  }
  return t;
}

const Type* Type::strip_cv() const {
  const Type* t = this;
  for (int i = 0; i < 64; ++i) {
    if (t->kind != TypeKind::const_ && t->kind != TypeKind::volatile_) return t;
    t = t->target.get();
  }
  return t;
}

uint64_t Type::byte_size() const {
  const Type* t = strip();
  if (t->kind == TypeKind::array) return t->count.value_or(0) * t->target.get()->byte_size();
  if (t->kind == TypeKind::function || t->kind == TypeKind::void_) return t->size ? t->size : 1;
  return t->size;
}

bool Type::is_integer() const {
  const Type* t = strip();
  if (t->kind == TypeKind::enum_) return true;
  return t->kind == TypeKind::base && t->encoding != BaseEncoding::float_;
}

bool Type::is_signed() const {
  const Type* t = strip();
  if (t->kind == TypeKind::enum_) {
    const Type* b = t->target.is_void_link() ? nullptr : t->target.get();
    if (b && b->strip()->kind == TypeKind::base) return b->is_signed();
    for (const auto& e : t->enumerators)
      if (e.value < 0) return true;
    return false;
  }
  if (t->kind != TypeKind::base) return false;
  return t->encoding == BaseEncoding::signed_int || t->encoding == BaseEncoding::signed_char ||
         t->encoding == BaseEncoding::float_;
}

bool Type::is_char() const {
  const Type* t = strip();
  return t->kind == TypeKind::base && t->size == 1 &&
         (t->encoding == BaseEncoding::signed_char || t->encoding == BaseEncoding::unsigned_char);
}

std::optional<Type::FoundMember> Type::find_member(std::string_view want) const {
  const Type* t = strip();
  if (t->kind != TypeKind::struct_ && t->kind != TypeKind::union_) return std::nullopt;
  for (const Member& m : t->members) {
    if (!m.name.empty()) {
      if (m.name == want) return FoundMember{&m, m.offset, m.bit_pos};
      continue;
    }
    // Anonymous struct/union: its members belong to this scope.
    if (auto f = m.type.get()->find_member(want)) {
      f->offset += m.offset;
      f->bit_pos += m.offset * 8;
      return f;
    }
  }
  return std::nullopt;
}

}  // namespace kinspect
