// The type model: one Type per DWARF type DIE, materialized on first use.
// Links between types (a pointer's target, a member's type) are resolved
// lazily through the owning Types, so materializing struct task_struct does
// not pull in the whole kernel's type graph.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kinspect {

class Types;
class Type;

enum class TypeKind : uint8_t {
  void_,
  base,       // int, char, _Bool, float...
  pointer,
  struct_,
  union_,
  enum_,
  typedef_,
  array,
  function,   // a function prototype (the target of a function pointer)
  const_,     // qualifiers wrap their target, as in DWARF
  volatile_,
};

enum class BaseEncoding : uint8_t { signed_int, unsigned_int, signed_char, unsigned_char, boolean, float_ };

// A reference to a type that is materialized on first get(): a DIE in one of
// the Types' DWARF files, or an already built (synthetic) Type.
class TypeLink {
 public:
  TypeLink() = default;
  TypeLink(const Types* types, uint32_t file, uint64_t die) : types_(types), file_(file), die_(die) {}
  explicit TypeLink(const Type* t) : cached_(t) {}
  // Never null: a link with no DIE is void.
  const Type* get() const;
  bool is_void_link() const { return !cached_ && die_ == 0; }

 private:
  const Types* types_ = nullptr;
  uint32_t file_ = 0;
  uint64_t die_ = 0;
  mutable const Type* cached_ = nullptr;
};

struct Member {
  std::string name;       // empty for an anonymous struct/union member
  uint64_t offset = 0;    // bytes from the start of the enclosing type (bitfields: bit_pos / 8)
  uint64_t bit_pos = 0;   // bitfields: bits from the start of the enclosing type
  uint32_t bit_size = 0;  // 0 unless a bitfield
  TypeLink type;
  bool is_bitfield() const { return bit_size != 0; }
};

struct Enumerator {
  std::string name;
  int64_t value = 0;
};

class Type {
 public:
  TypeKind kind = TypeKind::void_;
  std::string name;        // "task_struct" for struct task_struct; "" if anonymous
  uint64_t size = 0;       // bytes; see byte_size() for typedefs and qualifiers
  bool declaration = false;  // struct/union/enum known only by a declaration
  BaseEncoding encoding = BaseEncoding::signed_int;
  TypeLink target;         // pointer, typedef, array element, qualifier, enum's base, function return
  std::vector<Member> members;          // struct, union
  std::vector<Enumerator> enumerators;  // enum
  // array: element counts per dimension are folded into nested array types;
  // `count` is this dimension, nullopt for a flexible array (`[]`).
  std::optional<uint64_t> count;
  std::vector<TypeLink> params;  // function prototype parameters
  bool variadic = false;         // function: ends in "..."
  bool prototyped = true;
  uint32_t file = 0;             // which DWARF file it came from
  uint64_t die = 0;              // its DIE offset (0 for synthetic types)

  // Follows typedefs and const/volatile to the type that has the shape.
  const Type* strip() const;
  // Follows const/volatile only.
  const Type* strip_cv() const;
  // Size in bytes through typedefs, qualifiers and arrays (count * element).
  uint64_t byte_size() const;

  bool is_integer() const;  // base integers, bool, char, enums (after strip)
  bool is_signed() const;
  bool is_pointer() const { return strip()->kind == TypeKind::pointer; }
  bool is_array() const { return strip()->kind == TypeKind::array; }
  bool is_aggregate() const {
    auto k = strip()->kind;
    return k == TypeKind::struct_ || k == TypeKind::union_;
  }
  bool is_char() const;  // char, signed char, unsigned char
  bool is_float() const { return strip()->kind == TypeKind::base && strip()->encoding == BaseEncoding::float_; }

  // Members by name, descending into anonymous structs/unions; offset is
  // from the start of this type.
  struct FoundMember {
    const Member* member = nullptr;
    uint64_t offset = 0;   // byte offset of the member (bitfield: bit_pos / 8)
    uint64_t bit_pos = 0;  // absolute bit position (bitfields)
  };
  std::optional<FoundMember> find_member(std::string_view name) const;
};

}  // namespace kinspect
