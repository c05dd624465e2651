#include "core/types/types.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <libelf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "core/elf_image.hpp"
#include "core/types/dwarf_util.hpp"
#include "core/types/type_name.hpp"

namespace kinspect {

struct Types::File {
  std::string name;  // "" for vmlinux, else the module name
  const ElfImage* elf = nullptr;
  // Our own libelf handle over the mapped file: libelf handles are not safe
  // to share between threads, and the index may be built on another thread
  // while the ElfImage's handle loads symbols.
  Elf* own_elf = nullptr;
  Dwarf* dw = nullptr;
  DwarfIndex index;
  // Modules: libdwfl owns the relocated ELF and its Dwarf.
  std::string path;
  Dwfl* dwfl = nullptr;
  Dwfl_Module* dwfl_mod = nullptr;
  std::vector<std::pair<std::string, uint64_t>> sections;
  uint64_t bias = 0;  // what libdwfl adds to the module's DWARF addresses
  ~File() {
    if (dwfl) {
      dwfl_end(dwfl);
    } else {
      if (dw) dwarf_end(dw);
      if (own_elf) elf_end(own_elf);
    }
  }
};

Types::~Types() = default;

const Type* Types::void_type() {
  static const Type v = [] {
    Type t;
    t.kind = TypeKind::void_;
    t.name = "void";
    t.size = 1;  // GNU C: sizeof(void) == 1, arithmetic on void *
    return t;
  }();
  return &v;
}

namespace {

std::string index_key(const ElfImage& elf) {
  if (!elf.build_id().empty()) return elf.build_id();
  // No build-id: the file's size and modification time stand in for it.
  struct stat st{};
  ::stat(elf.path().c_str(), &st);
  return "nobuildid-" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtime);
}

}  // namespace

Result<std::unique_ptr<Types>> Types::open(const ElfImage& elf, const TypesOptions& opts) {
  auto types = std::unique_ptr<Types>(new Types());
  auto file = std::make_unique<File>();
  file->elf = &elf;
  elf_version(EV_CURRENT);
  auto bytes = elf.file().bytes();
  file->own_elf = elf_memory(reinterpret_cast<char*>(const_cast<uint8_t*>(bytes.data())), bytes.size());
  if (!file->own_elf) return fail(Errc::format, elf.path() + ": " + elf_errmsg(-1));
  file->dw = dwarf_begin_elf(file->own_elf, DWARF_C_READ, nullptr);
  if (!file->dw)
    return fail(Errc::not_found, elf.path() + " has no DWARF debug info (" + dwarf_errmsg(-1) + ")");

  std::string key = index_key(elf);
  // The cache is keyed by build-id; the header also records the file size
  // so a rebuilt file with a reused id is not trusted.
  std::string full_key = key + ":" + std::to_string(elf.file().size());
  std::string path = opts.cache_path.empty() ? DwarfIndex::default_cache_path(key) : opts.cache_path;
  bool loaded = false;
  if (opts.use_cache && !path.empty()) {
    auto t0 = std::chrono::steady_clock::now();
    if (auto idx = DwarfIndex::load(path, full_key); idx.ok()) {
      file->index = std::move(idx).value();
      loaded = true;
      types->stats_.from_cache = true;
      types->stats_.cache_path = path;
      types->stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else if (idx.error().code != Errc::io) {
      types->stats_.cache_note = idx.error().message;  // stale or damaged: rebuilt below
    }
  }
  if (!loaded) {
    ASSIGN_OR_RETURN(file->index,
                     DwarfIndex::build(elf.file().bytes(), opts.threads, opts.progress, &types->stats_));
    if (opts.use_cache && !path.empty()) {
      if (auto st = file->index.save(path, full_key); st.ok()) {
        types->stats_.cache_path = path;
      } else {
        types->stats_.cache_note = "index not cached: " + st.error().message;
      }
    }
  }
  types->files_.push_back(std::move(file));
  return types;
}

std::unique_ptr<Types> Types::empty(std::string reason) {
  auto t = std::unique_ptr<Types>(new Types());
  t->no_dwarf_reason_ = std::move(reason);
  return t;
}

const DwarfIndex& Types::index(uint32_t file) const { return files_.at(file)->index; }
Dwarf* Types::dwarf(uint32_t file) const { return files_.at(file)->dw; }

std::optional<std::pair<uint32_t, IndexEntry>> Types::lookup(std::string_view name, IndexKind kind) const {
  std::optional<std::pair<uint32_t, IndexEntry>> decl;
  for (uint32_t f = 0; f < files_.size(); ++f) {
    auto e = files_[f]->index.find(name, kind);
    if (!e) continue;
    if (!e->declaration()) return std::make_pair(f, *e);
    if (!decl) decl = std::make_pair(f, *e);
  }
  return decl;
}

// ---------------------------------------------------------------------------
// Materialization.

const Type* Types::make_type(Type t) const {
  owned_.push_back(std::move(t));
  return &owned_.back();
}

const Type* Types::type_at(uint32_t file, uint64_t die) const {
  if (die == 0 || file >= files_.size()) return void_type();
  std::lock_guard lock(mu_);
  uint64_t key = (uint64_t(file) << 48) | die;
  if (auto it = by_die_.find(key); it != by_die_.end()) return it->second;
  Dwarf_Die d;
  if (!dwarf_offdie(files_[file]->dw, die, &d)) return void_type();
  const Type* t = materialize(file, &d);
  by_die_[key] = t;
  return t;
}

namespace {

std::optional<uint64_t> member_location(Dwarf_Die* m) {
  Dwarf_Attribute a;
  if (!dwarf_attr(m, DW_AT_data_member_location, &a)) return std::nullopt;
  Dwarf_Word w;
  if (dwarf_formudata(&a, &w) == 0) return w;
  // DWARF 2 style: a location expression, DW_OP_plus_uconst N.
  Dwarf_Op* ops;
  size_t n;
  if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst)
    return ops[0].number;
  return std::nullopt;
}

}  // namespace

const Type* Types::materialize(uint32_t file, void* die_ptr) const {
  Dwarf_Die* die = static_cast<Dwarf_Die*>(die_ptr);
  Type t;
  t.file = file;
  t.die = dwarf_dieoffset(die);
  const char* name = dwarf_diename(die);
  if (name) t.name = name;
  auto link = [&](Dwarf_Die* d, unsigned attr = DW_AT_type) {
    Dwarf_Die target;
    if (!dwarf_ref(d, attr, &target)) return TypeLink();  // void
    return TypeLink(this, file, dwarf_dieoffset(&target));
  };
  int tag = dwarf_tag(die);
  switch (tag) {
    case DW_TAG_base_type: {
      t.kind = TypeKind::base;
      t.size = dwarf_udata(die, DW_AT_byte_size).value_or(0);
      switch (dwarf_udata(die, DW_AT_encoding).value_or(DW_ATE_signed)) {
        case DW_ATE_unsigned: t.encoding = BaseEncoding::unsigned_int; break;
        case DW_ATE_signed_char: t.encoding = BaseEncoding::signed_char; break;
        case DW_ATE_unsigned_char: t.encoding = BaseEncoding::unsigned_char; break;
        case DW_ATE_boolean: t.encoding = BaseEncoding::boolean; break;
        case DW_ATE_float: t.encoding = BaseEncoding::float_; break;
        default: t.encoding = BaseEncoding::signed_int; break;
      }
      break;
    }
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
      t.kind = TypeKind::pointer;
      t.size = dwarf_udata(die, DW_AT_byte_size).value_or(address_size());
      t.target = link(die);
      break;
    case DW_TAG_const_type:
      t.kind = TypeKind::const_;
      t.target = link(die);
      break;
    case DW_TAG_volatile_type:
      t.kind = TypeKind::volatile_;
      t.target = link(die);
      break;
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
    case DW_TAG_immutable_type: {
      // Not part of the C names crash prints: transparent.
      Dwarf_Die target;
      if (!dwarf_ref(die, DW_AT_type, &target)) return void_type();
      return type_at(file, dwarf_dieoffset(&target));
    }
    case DW_TAG_typedef:
      t.kind = TypeKind::typedef_;
      t.target = link(die);
      break;
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_class_type:
    case DW_TAG_enumeration_type: {
      bool is_enum = tag == DW_TAG_enumeration_type;
      t.kind = is_enum ? TypeKind::enum_ : tag == DW_TAG_union_type ? TypeKind::union_ : TypeKind::struct_;
      t.declaration = dwarf_flag(die, DW_AT_declaration);
      if (t.declaration && !t.name.empty()) {
        // A declaration here, the definition elsewhere: use the definition.
        IndexKind k = is_enum ? IndexKind::enum_ : t.kind == TypeKind::union_ ? IndexKind::union_ : IndexKind::struct_;
        if (auto def = lookup(t.name, k); def && !def->second.declaration())
          return type_at(def->first, def->second.die);
      }
      t.size = dwarf_udata(die, DW_AT_byte_size).value_or(0);
      if (is_enum) {
        t.target = link(die);
        bool sgn = dwarf_enum_is_signed(die);
        Dwarf_Die c;
        if (dwarf_child(die, &c) == 0) {
          do {
            if (dwarf_tag(&c) != DW_TAG_enumerator) continue;
            Enumerator e;
            if (const char* n = dwarf_diename(&c)) e.name = n;
            dwarf_enumerator_value(&c, sgn, &e.value);
            t.enumerators.push_back(std::move(e));
          } while (dwarf_siblingof(&c, &c) == 0);
        }
        bool any_negative = false;
        for (auto& e : t.enumerators) any_negative |= e.value < 0;
        t.encoding = (sgn || any_negative) ? BaseEncoding::signed_int : BaseEncoding::unsigned_int;
        break;
      }
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) {
        do {
          if (dwarf_tag(&c) != DW_TAG_member) continue;
          Member m;
          if (const char* n = dwarf_diename(&c)) m.name = n;
          m.type = link(&c);
          uint64_t loc = member_location(&c).value_or(0);
          if (auto bits = dwarf_udata(&c, DW_AT_bit_size)) {
            m.bit_size = static_cast<uint32_t>(*bits);
            if (auto dbo = dwarf_udata(&c, DW_AT_data_bit_offset)) {
              m.bit_pos = *dbo;  // DWARF 4+: bits from the start of the struct
            } else {
              // DWARF 2/3: DW_AT_bit_offset counts from the storage unit's
              // most significant bit (little-endian targets).
              uint64_t unit = dwarf_udata(&c, DW_AT_byte_size).value_or(0);
              if (unit == 0) {
                Dwarf_Die mt;
                if (dwarf_ref(&c, DW_AT_type, &mt)) unit = dwarf_udata(&mt, DW_AT_byte_size).value_or(4);
              }
              uint64_t bo = dwarf_udata(&c, DW_AT_bit_offset).value_or(0);
              m.bit_pos = loc * 8 + unit * 8 - bo - m.bit_size;
            }
            m.offset = m.bit_pos / 8;
          } else {
            m.offset = loc;
            m.bit_pos = loc * 8;
          }
          t.members.push_back(std::move(m));
        } while (dwarf_siblingof(&c, &c) == 0);
      }
      break;
    }
    case DW_TAG_array_type: {
      std::vector<std::optional<uint64_t>> dims;
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) {
        do {
          int ct = dwarf_tag(&c);
          if (ct != DW_TAG_subrange_type && ct != DW_TAG_enumeration_type) continue;
          if (auto n = dwarf_udata(&c, DW_AT_count)) {
            dims.push_back(*n);
          } else if (Dwarf_Attribute a; dwarf_attr(&c, DW_AT_upper_bound, &a)) {
            Dwarf_Sword ub;
            Dwarf_Word uub;
            if (dwarf_whatform(&a) == DW_FORM_sdata && dwarf_formsdata(&a, &ub) == 0)
              dims.push_back(ub < 0 ? 0 : uint64_t(ub) + 1);
            else if (dwarf_formudata(&a, &uub) == 0)
              dims.push_back(uub == ~0ull ? 0 : uub + 1);  // [0]: upper bound -1
            else
              dims.push_back(std::nullopt);  // a bound we cannot evaluate (VLA)
          } else {
            dims.push_back(std::nullopt);  // flexible array member
          }
        } while (dwarf_siblingof(&c, &c) == 0);
      }
      if (dims.empty()) dims.push_back(std::nullopt);
      // T x[a][b][c] is array(a) of array(b) of array(c) of T.
      TypeLink elem = link(die);
      for (size_t i = dims.size() - 1; i > 0; --i) {
        const Type* inner = array_of(elem.get(), dims[i]);
        elem = TypeLink(inner);
      }
      t.kind = TypeKind::array;
      t.count = dims[0];
      t.target = elem;
      t.size = dims[0] ? *dims[0] * elem.get()->byte_size() : 0;
      break;
    }
    case DW_TAG_subroutine_type:
    case DW_TAG_subprogram: {
      t.kind = TypeKind::function;
      t.target = link(die);
      t.size = 1;
      t.prototyped = dwarf_flag(die, DW_AT_prototyped);
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) {
        do {
          int ct = dwarf_tag(&c);
          if (ct == DW_TAG_formal_parameter)
            t.params.push_back(link(&c));
          else if (ct == DW_TAG_unspecified_parameters)
            t.variadic = true;
        } while (dwarf_siblingof(&c, &c) == 0);
      }
      break;
    }
    case DW_TAG_unspecified_type:
      return void_type();
    default:
      return void_type();
  }
  return make_type(std::move(t));
}

// ---------------------------------------------------------------------------
// Made-up types.

const Type* Types::pointer_to(const Type* target) const {
  std::lock_guard lock(mu_);
  if (auto it = pointers_.find(target); it != pointers_.end()) return it->second;
  Type t;
  t.kind = TypeKind::pointer;
  t.size = address_size();
  t.target = TypeLink(target);
  const Type* p = make_type(std::move(t));
  pointers_[target] = p;
  return p;
}

const Type* Types::array_of(const Type* elem, std::optional<uint64_t> count) const {
  std::lock_guard lock(mu_);
  auto key = std::make_pair(elem, count ? int64_t(*count) : -1);
  if (auto it = arrays_.find(key); it != arrays_.end()) return it->second;
  Type t;
  t.kind = TypeKind::array;
  t.count = count;
  t.target = TypeLink(elem);
  t.size = count ? *count * elem->byte_size() : 0;
  const Type* a = make_type(std::move(t));
  arrays_[key] = a;
  return a;
}

const Type* Types::base_type_named(std::string_view dwarf_name) const {
  std::lock_guard lock(mu_);
  if (auto it = bases_.find(dwarf_name); it != bases_.end()) return it->second;
  const Type* found = nullptr;
  if (auto e = lookup(dwarf_name, IndexKind::base)) found = type_at(e->first, e->second.die);
  if (!found) {
    // Not in this kernel's DWARF (no unit used it): made from its spelling.
    auto info = base_type_info(dwarf_name);
    if (!info) return nullptr;
    Type t;
    t.kind = TypeKind::base;
    t.name = std::string(dwarf_name);
    t.size = info->size;
    t.encoding = info->encoding;
    found = make_type(std::move(t));
  }
  bases_.emplace(std::string(dwarf_name), found);
  return found;
}

const Type* Types::no_debug_info_type(bool text) const {
  std::lock_guard lock(mu_);
  if (!no_debug_[text]) {
    Type t;
    t.kind = text ? TypeKind::function : TypeKind::void_;
    t.name = text ? "<text variable, no debug info>" : "<data variable, no debug info>";
    t.size = text ? 1 : 0;
    t.prototyped = false;
    if (text) t.target = TypeLink(base_type_named("int"));
    no_debug_[text] = make_type(std::move(t));
  }
  return no_debug_[text];
}

const Type* Types::base_type(std::string_view c_name) const {
  auto canon = canonical_base_name(c_name);
  if (!canon) return nullptr;
  if (*canon == "void") return void_type();
  return base_type_named(*canon);
}

// ---------------------------------------------------------------------------
// Lookups.

Result<const Type*> Types::find_tagged(std::string_view tag, IndexKind kind, std::string_view word) const {
  auto e = lookup(tag, kind);
  if (!e && !has_dwarf()) return fail(Errc::not_found, no_dwarf_reason_);
  if (!e) return fail(Errc::not_found, "no " + std::string(word) + " named \"" + std::string(tag) + "\"");
  return type_at(e->first, e->second.die);
}

Result<const Type*> Types::find_struct(std::string_view tag) const {
  return find_tagged(tag, IndexKind::struct_, "struct");
}
Result<const Type*> Types::find_union(std::string_view tag) const {
  return find_tagged(tag, IndexKind::union_, "union");
}
Result<const Type*> Types::find_enum(std::string_view tag) const {
  return find_tagged(tag, IndexKind::enum_, "enum");
}
Result<const Type*> Types::find_typedef(std::string_view name) const {
  return find_tagged(name, IndexKind::typedef_, "typedef");
}

Result<const Type*> Types::find_type(std::string_view c_name) const {
  return parse_type_name(*this, c_name, /*bare_word_is_tag=*/true);
}

Result<Types::MemberPath> Types::member_path(const Type* outer, std::string_view path) const {
  MemberPath r;
  r.type = outer;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < path.size() && (path[i] == ' ' || path[i] == '\t')) ++i;
  };
  bool first = true;
  while (true) {
    skip_ws();
    if (i >= path.size()) break;
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return fail(Errc::invalid_argument, "missing ] in " + std::string(path));
      std::string num(path.substr(i + 1, close - i - 1));
      char* end = nullptr;
      uint64_t idx = std::strtoull(num.c_str(), &end, 0);
      if (num.empty() || *end) return fail(Errc::invalid_argument, "bad array index [" + num + "]");
      const Type* a = r.type->strip();
      if (a->kind != TypeKind::array)
        return fail(Errc::invalid_argument, std::string(path.substr(0, i)) + " is not an array");
      r.type = a->target.get();
      r.offset += idx * r.type->byte_size();
      r.bit_pos = r.offset * 8;
      r.bit_size = 0;
      i = close + 1;
      first = false;
      continue;
    }
    if (!first) {
      if (path[i] == '.') {
        ++i;
      } else if (path.substr(i, 2) == "->") {
        return fail(Errc::invalid_argument, "a member path cannot follow a pointer (->): " + std::string(path));
      } else {
        return fail(Errc::invalid_argument, "bad member path: " + std::string(path));
      }
    }
    skip_ws();
    size_t b = i;
    while (i < path.size() && (std::isalnum(static_cast<unsigned char>(path[i])) || path[i] == '_')) ++i;
    std::string_view name = path.substr(b, i - b);
    if (name.empty()) return fail(Errc::invalid_argument, "bad member path: " + std::string(path));
    if (!r.type->is_aggregate())
      return fail(Errc::invalid_argument, type_name(r.type) + " has no members (looking for " + std::string(name) + ")");
    auto f = r.type->find_member(name);
    if (!f)
      return fail(Errc::not_found, type_name(r.type->strip()) + " has no member \"" + std::string(name) + "\"");
    r.bit_pos = r.offset * 8 + f->bit_pos;
    r.offset += f->offset;
    r.bit_size = f->member->bit_size;
    r.type = f->member->type.get();
    first = false;
  }
  return r;
}

Result<uint64_t> Types::member_offset(std::string_view type, std::string_view path) const {
  ASSIGN_OR_RETURN(const Type* t, find_type(type));
  ASSIGN_OR_RETURN(MemberPath p, member_path(t, path));
  return p.offset;
}

namespace {

std::optional<uint64_t> die_address(Dwarf_Die* d) {
  Dwarf_Attribute a;
  if (!dwarf_attr_integrate(d, DW_AT_location, &a)) return std::nullopt;
  Dwarf_Op* ops;
  size_t n;
  if (dwarf_getlocation(&a, &ops, &n) != 0 || n < 1 || ops[0].atom != DW_OP_addr) return std::nullopt;
  return ops[0].number;
}

}  // namespace

Result<VariableInfo> Types::variable(std::string_view name, std::optional<uint64_t> link_address) const {
  std::lock_guard lock(mu_);
  // Every definition of that name; the one at link_address wins, and among
  // those a complete type ("char x[204]") over an incomplete one ("char x[]"),
  // since one variable may be described in two units.
  std::optional<VariableInfo> best;
  int best_score = -1;
  for (uint32_t f = 0; f < files_.size(); ++f) {
    for (const IndexEntry& e : files_[f]->index.find_all(name)) {
      if (e.kind != IndexKind::variable) continue;
      Dwarf_Die d;
      if (!dwarf_offdie(files_[f]->dw, e.die, &d)) continue;
      VariableInfo v;
      v.name = e.name;
      v.file = f;
      v.die = e.die;
      v.link_address = die_address(&d);
      Dwarf_Die t;
      v.type = dwarf_ref(&d, DW_AT_type, &t) ? type_at(f, dwarf_dieoffset(&t)) : void_type();
      const Type* st = v.type->strip();
      bool complete = !(st->kind == TypeKind::array && !st->count) && !st->declaration;
      bool at = link_address && v.link_address && *v.link_address == *link_address;
      int score = (at ? 2 : 0) + (complete ? 1 : 0);
      if (score > best_score) {
        best = v;
        best_score = score;
      }
    }
  }
  if (best) return *best;
  if (!has_dwarf()) return fail(Errc::not_found, no_dwarf_reason_);
  return fail(Errc::not_found, "no variable named \"" + std::string(name) + "\" in the debug info");
}

Result<FunctionInfo> Types::function(std::string_view name) const {
  auto e = lookup(name, IndexKind::function);
  if (!e && !has_dwarf()) return fail(Errc::not_found, no_dwarf_reason_);
  if (!e) return fail(Errc::not_found, "no function named \"" + std::string(name) + "\" in the debug info");
  std::lock_guard lock(mu_);
  FunctionInfo fi;
  fi.name = e->second.name;
  fi.file = e->first;
  fi.die = e->second.die;
  fi.type = type_at(e->first, e->second.die);
  Dwarf_Die d, c;
  if (dwarf_offdie(files_[e->first]->dw, e->second.die, &d) && dwarf_child(&d, &c) == 0) {
    do {
      if (dwarf_tag(&c) != DW_TAG_formal_parameter) continue;
      const char* n = dwarf_diename(&c);
      fi.param_names.push_back(n ? n : "");
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  return fi;
}

std::optional<EnumeratorInfo> Types::enumerator(std::string_view name) const {
  auto e = lookup(name, IndexKind::enumerator);
  if (!e) return std::nullopt;
  EnumeratorInfo info;
  info.name = std::string(name);
  info.value = e->second.value;
  info.enum_type = type_at(e->first, e->second.die);
  return info;
}

std::vector<EnumeratorInfo> Types::enumerators_with_prefix(std::string_view prefix) const {
  std::vector<EnumeratorInfo> out;
  for (const auto& f : files_) {
    for (const IndexEntry& e : f->index.find_prefix(prefix, 1u << 20)) {
      if (e.kind != IndexKind::enumerator) continue;
      bool dup = false;
      for (const auto& o : out) dup |= o.name == e.name;
      if (!dup) out.push_back(EnumeratorInfo{std::string(e.name), e.value, nullptr});
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Module debug files.

namespace {

// A module as libdwfl sees it: reported by its address range, its ELF (the
// debug .ko) handed over by find_elf, its ET_REL sections placed where the
// dump says they were loaded by section_address (the userdata is the File).
int module_find_elf(Dwfl_Module*, void** userdata, const char*, Dwarf_Addr, char** file_name, Elf** elfp) {
  auto* path = static_cast<const std::string*>(*userdata);
  *elfp = nullptr;
  int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) *file_name = strdup(path->c_str());
  return fd;  // libdwfl opens it, decompressing .ko.xz/.gz/.zst
}

const std::vector<std::pair<std::string, uint64_t>>* g_sections_for_callback = nullptr;

int module_section_address(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char* secname, GElf_Word,
                           const GElf_Shdr*, Dwarf_Addr* addr) {
  if (g_sections_for_callback)
    for (const auto& [name, a] : *g_sections_for_callback)
      if (name == secname) {
        *addr = a;
        return DWARF_CB_OK;
      }
  *addr = static_cast<Dwarf_Addr>(-1);  // not loaded (discarded by the module loader)
  return DWARF_CB_OK;
}

char* no_debuginfo_path = nullptr;
const Dwfl_Callbacks kModuleCallbacks = {
    module_find_elf, dwfl_standard_find_debuginfo, module_section_address, &no_debuginfo_path,
};

std::mutex g_dwfl_mu;  // section addresses reach the callback through a global

}  // namespace

Status Types::add_module(const std::string& module, const std::string& path,
                         const std::vector<std::pair<std::string, uint64_t>>& sections,
                         const std::string& expected_build_id) {
  auto file = std::make_unique<File>();
  file->name = module;
  file->path = path;
  file->sections = sections;
  uint64_t lo = ~0ull, hi = 0;
  for (const auto& [n, a] : sections) {
    // Per-cpu addresses live in their own space, away from the module's.
    if (a == 0 || a == ~0ull || n == ".data..percpu") continue;
    lo = std::min(lo, a);
    hi = std::max(hi, a + 1);
  }
  if (lo >= hi) return fail(Errc::invalid_argument, "no section addresses for module " + module);
  file->dwfl = dwfl_begin(&kModuleCallbacks);
  if (!file->dwfl) return fail(Errc::io, std::string("libdwfl: ") + dwfl_errmsg(-1));
  dwfl_report_begin(file->dwfl);
  file->dwfl_mod = dwfl_report_module(file->dwfl, module.c_str(), lo, hi);
  if (!file->dwfl_mod) return fail(Errc::format, path + ": " + dwfl_errmsg(-1));
  void** ud = nullptr;
  dwfl_module_info(file->dwfl_mod, &ud, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (ud) *ud = &file->path;
  if (dwfl_report_end(file->dwfl, nullptr, nullptr) != 0) return fail(Errc::format, path + ": " + dwfl_errmsg(-1));
  Dwarf_Addr bias = 0;
  {
    std::lock_guard g(g_dwfl_mu);
    g_sections_for_callback = &file->sections;
    file->dw = dwfl_module_getdwarf(file->dwfl_mod, &bias);
    g_sections_for_callback = nullptr;
  }
  if (!file->dw) return fail(Errc::not_found, path + ": no DWARF debug info (" + dwfl_errmsg(-1) + ")");
  file->bias = bias;
  if (!expected_build_id.empty()) {
    const unsigned char* bits = nullptr;
    GElf_Addr vaddr = 0;
    int n = dwfl_module_build_id(file->dwfl_mod, &bits, &vaddr);
    std::string have;
    static const char* digits = "0123456789abcdef";
    for (int i = 0; i < n; ++i) {
      have += digits[bits[i] >> 4];
      have += digits[bits[i] & 15];
    }
    if (have != expected_build_id)
      return fail(Errc::mismatch, path + " does not match module " + module + " in the dump: build-id " +
                                      (have.empty() ? "(none)" : have) + ", the module's is " + expected_build_id);
  }
  ASSIGN_OR_RETURN(file->index, DwarfIndex::build_from_dwarf(file->dw));
  remove_module(module);  // an earlier file keeps its slot; its names go
  std::lock_guard lock(mu_);
  files_.push_back(std::move(file));
  return {};
}

bool Types::remove_module(std::string_view module) {
  std::lock_guard lock(mu_);
  for (size_t i = 1; i < files_.size(); ++i)
    if (files_[i]->name == module) {
      // Keep the slot (types already materialized point at its index) but
      // drop its names so lookups no longer find them.
      files_[i]->index = DwarfIndex();
      files_[i]->name = "(unloaded " + std::string(module) + ")";
      return true;
    }
  return false;
}

std::string Types::module_file(std::string_view module) const {
  std::lock_guard lock(mu_);
  for (size_t i = 1; i < files_.size(); ++i)
    if (files_[i]->name == module) return files_[i]->path;
  return {};
}

Dwfl_Module* Types::dwfl_module(std::string_view module) const {
  std::lock_guard lock(mu_);
  for (size_t i = 1; i < files_.size(); ++i)
    if (files_[i]->name == module) return files_[i]->dwfl_mod;
  return nullptr;
}

std::optional<Types::ModuleDwarf> Types::module_dwarf(std::string_view module) const {
  std::lock_guard lock(mu_);
  for (size_t i = 1; i < files_.size(); ++i)
    if (files_[i]->name == module)
      return ModuleDwarf{static_cast<uint32_t>(i), files_[i]->dw, files_[i]->bias, files_[i]->dwfl_mod};
  return std::nullopt;
}

std::vector<std::string> Types::loaded_modules() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (size_t i = 1; i < files_.size(); ++i)
    if (!files_[i]->name.starts_with("(unloaded")) out.push_back(files_[i]->name);
  return out;
}

}  // namespace kinspect
