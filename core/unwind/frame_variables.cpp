#include "core/unwind/frame_variables.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/code_dwarf.hpp"
#include "core/program.hpp"
#include "core/types/dwarf_util.hpp"
#include "core/unwind/cfi_row.hpp"
#include "core/unwind/libdw_expr.hpp"

namespace kinspect {

namespace {

Failure optimized_out(std::string why) { return fail(Errc::not_found, std::move(why)); }

std::string die_name(Dwarf_Die* die) {
  Dwarf_Attribute a;
  if (dwarf_attr_integrate(die, DW_AT_name, &a))
    if (const char* s = dwarf_formstring(&a)) return s;
  return {};
}

bool is_function_scope(int tag) { return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine; }

// The expression of attribute `name` that applies at link address pc:
// an exprloc, or the location-list entry covering pc. No entry there means
// the value is optimized out at pc.
Result<DwarfExpr> expression_at(Dwarf_Die* die, unsigned name, uint64_t pc) {
  Dwarf_Attribute attr;
  if (!dwarf_attr(die, name, &attr)) return optimized_out("no location");
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  int found = dwarf_getlocation_addr(&attr, pc, &ops, &n, 1);
  if (found < 0) return fail(Errc::format, std::string("location: ") + dwarf_errmsg(-1));
  if (found == 0 || n == 0) return optimized_out("no location at this pc");
  return from_libdw(ops, n, &attr);
}

// The DIEs containing pc, innermost first, ending with the CU: the
// function, then the inlined subroutines and lexical blocks nested in it.
// (dwarf_getscopes would continue from an inlined instance into its
// abstract definition, losing the function it was inlined into.)
std::vector<Dwarf_Die> scopes_at(Dwarf_Die cu, uint64_t pc) {
  std::vector<Dwarf_Die> chain{cu};
  for (bool descended = true; descended;) {
    descended = false;
    Dwarf_Die child;
    if (dwarf_child(&chain.back(), &child) != 0) break;
    do {
      int tag = dwarf_tag(&child);
      if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block) continue;
      if (dwarf_haspc(&child, pc) == 1) {
        chain.push_back(child);
        descended = true;
        break;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

// What one physical frame offers to its expressions.
struct FrameContext {
  CodeDwarf code;        // vmlinux's DWARF or the module's the pc lies in
  uint64_t lookup = 0;   // DWARF-space pc used for scopes and location lists
  uint64_t link_pc = 0;  // the frame's own pc, in DWARF space
  std::vector<Dwarf_Die> scopes;  // innermost first, ending with the CU
  Dwarf_Die function{};  // the physical (out-of-line) function
  LocationInputs in;
};

class Reader {
 public:
  Reader(Program& prog, std::span<const Frame> frames) : prog_(prog), frames_(frames.begin(), frames.end()) {}

  Result<FrameContext> context(size_t i, unsigned depth) {
    while (recovered_ < i) recover_saved_registers(recovered_++);
    const Frame& f = frames_[i];
    FrameContext c;
    uint64_t where = f.pc - (f.pc_is_return_address ? 1 : 0);
    auto code = code_dwarf(prog_, where);
    if (!code.ok()) return fail(Errc::not_found, "no DWARF describes " + hex(f.pc) + ": " + code.error().message, f.pc);
    c.code = std::move(*code);
    c.link_pc = c.code.to_dwarf(f.pc);
    c.lookup = c.code.to_dwarf(where);
    Dwarf_Die cu;
    if (!dwarf_addrdie(c.code.dw, c.lookup, &cu))
      return fail(Errc::not_found, "no DWARF describes " + hex(f.pc), f.pc);
    c.scopes = scopes_at(cu, c.lookup);
    bool have_function = false;
    for (Dwarf_Die& d : c.scopes)
      if (dwarf_tag(&d) == DW_TAG_subprogram) {
        c.function = d;
        have_function = true;
      }
    if (!have_function) return fail(Errc::not_found, "no function in the DWARF at " + hex(f.pc), f.pc);

    c.in.regs = &f.regs;
    c.in.address_bias = c.code.bias;
    c.in.read_memory = [this](uint64_t addr, std::span<uint8_t> out) { return prog_.read(addr, out); };
    c.in.register_name = [this](unsigned reg) { return prog_.arch().dwarf_register_name(reg); };
    // The CFA as DWARF defines it (the caller's sp before the call), which
    // DW_OP_call_frame_cfa and so every fbreg depend on. An unwinder's own
    // notion may differ (arm64 frame records give fp + 16, not the CFA of a
    // frame with locals), so .debug_frame comes first.
    if (auto row = CfiRow::at(prog_, where); row.ok())
      if (auto cfa = row->cfa(c.in); cfa.ok()) c.in.cfa = *cfa;
    if (!c.in.cfa) c.in.cfa = f.cfa;
    if (auto fb = expression_at(&c.function, DW_AT_frame_base, c.lookup); fb.ok())
      if (auto v = evaluate_value(*fb, c.in); v.ok()) c.in.frame_base = *v;
    c.in.entry_value = [this, i, depth, fn = c.function, code = c.code](unsigned reg) mutable {
      return entry_value(i, &fn, code, reg, depth);
    };
    return c;
  }

  std::vector<FrameScope> scopes(FrameContext& c) {
    std::vector<FrameScope> out;
    std::vector<Dwarf_Die*> blocks;  // lexical blocks inside the current function, inner first
    for (Dwarf_Die& d : c.scopes) {
      int tag = dwarf_tag(&d);
      if (tag == DW_TAG_lexical_block) {
        blocks.push_back(&d);
        continue;
      }
      if (!is_function_scope(tag)) break;  // the CU
      FrameScope s;
      s.function = die_name(&d);
      s.inlined = tag == DW_TAG_inlined_subroutine;
      if (s.inlined) {
        Dwarf_Files* files = nullptr;
        if (auto file = dwarf_udata(&d, DW_AT_call_file); file && dwarf_getsrcfiles(&c.scopes.back(), &files, nullptr) == 0)
          if (const char* name = dwarf_filesrc(files, *file, nullptr, nullptr)) s.call_file = name;
        s.call_line = dwarf_udata(&d, DW_AT_call_line).value_or(0);
      }
      // gdb's order: arguments, then locals innermost block first.
      add_variables(&d, c, s, true);
      for (Dwarf_Die* b : blocks) add_variables(b, c, s, false);
      add_variables(&d, c, s, false);
      blocks.clear();
      out.push_back(std::move(s));
      if (tag == DW_TAG_subprogram) break;
    }
    return out;
  }

 private:
  // The unwinder may know only the registers it needs to walk the stack
  // (ORC: rip, rsp, rbp). The caller's other registers that frame i saved
  // in its prologue (push %rbx; stp x19, x20) are where .debug_frame says,
  // at frame i's pc. Used only when the CFI's return address rule gives the
  // caller's pc the unwinder found, so both agree on this step; registers
  // the CFI leaves undefined (caller-saved ones) stay unknown.
  void recover_saved_registers(size_t i) {
    if (i + 1 >= frames_.size() || frames_[i].exception) return;  // a pt_regs gave the caller's registers
    Frame& f = frames_[i];
    Frame& caller = frames_[i + 1];
    auto row = CfiRow::at(prog_, f.pc - (f.pc_is_return_address ? 1 : 0));
    if (!row.ok()) return;
    LocationInputs in;
    in.regs = &f.regs;
    in.read_memory = [this](uint64_t addr, std::span<uint8_t> out) { return prog_.read(addr, out); };
    if (auto cfa = row->cfa(in); cfa.ok()) in.cfa = *cfa;
    if (!in.cfa) in.cfa = f.cfa;
    if (!in.cfa) return;
    const uint64_t callee_saved = prog_.arch().callee_saved_dwarf_registers();
    unsigned ra = row->return_address_register();
    auto ra_value = row->caller_value(ra, in, callee_saved);
    if (ra_value && prog_.arch().strip_code_pointer(*ra_value) == caller.pc)
      for (unsigned r = 0; r < RegisterSet::kMaxRegs; ++r)
        if (!caller.regs.known(r) && r != ra)
          if (auto v = row->caller_value(r, in, callee_saved)) caller.regs.set(r, *v);
  }

  // The parameters (or locals) of a scope. A concrete inlined instance or
  // out-of-line copy may omit what its abstract origin declares; those are
  // listed too, with no value, as gdb lists them.
  void add_variables(Dwarf_Die* scope, FrameContext& c, FrameScope& s, bool parameters) {
    std::set<Dwarf_Off> instantiated;  // abstract DIEs a concrete child stands for
    add_children(scope, c, s, parameters, instantiated);
    Dwarf_Die origin;
    if (dwarf_ref(scope, DW_AT_abstract_origin, &origin)) add_abstract(&origin, c, s, parameters, instantiated);
  }

  static bool has_range(Dwarf_Die* d) {
    return dwarf_hasattr(d, DW_AT_low_pc) || dwarf_hasattr(d, DW_AT_ranges);
  }

  void add_children(Dwarf_Die* scope, FrameContext& c, FrameScope& s, bool parameters,
                    std::set<Dwarf_Off>& instantiated) {
    Dwarf_Die child;
    if (dwarf_child(scope, &child) != 0) return;
    do {
      int tag = dwarf_tag(&child);
      Dwarf_Die origin;
      if (dwarf_ref(&child, DW_AT_abstract_origin, &origin)) instantiated.insert(dwarf_dieoffset(&origin));
      // A block with no address range of its own is part of its parent's
      // (gdb reads it the same way): its locals are listed here.
      if (!parameters && tag == DW_TAG_lexical_block && !has_range(&child))
        add_children(&child, c, s, false, instantiated);
      if (tag == (parameters ? DW_TAG_formal_parameter : DW_TAG_variable)) add_variable(&child, c, s, parameters);
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  void add_abstract(Dwarf_Die* origin, FrameContext& c, FrameScope& s, bool parameters,
                    const std::set<Dwarf_Off>& instantiated) {
    Dwarf_Die child;
    if (dwarf_child(origin, &child) != 0) return;
    do {
      if (instantiated.count(dwarf_dieoffset(&child))) continue;
      int tag = dwarf_tag(&child);
      if (!parameters && tag == DW_TAG_lexical_block) add_abstract(&child, c, s, false, instantiated);
      if (tag == (parameters ? DW_TAG_formal_parameter : DW_TAG_variable)) add_variable(&child, c, s, parameters);
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  void add_variable(Dwarf_Die* var, FrameContext& c, FrameScope& s, bool parameter) {
    if (dwarf_flag(var, DW_AT_declaration)) return;  // an extern declared in a block
    FrameVariable v;
    v.name = die_name(var);
    if (v.name.empty()) return;
    v.is_parameter = parameter;
    Dwarf_Die type_die;
    v.type = dwarf_ref(var, DW_AT_type, &type_die) ? prog_.types().type_at(c.code.file, dwarf_dieoffset(&type_die))
                                                    : Types::void_type();
    Result<Object> value = read_variable(var, v.type, c);
    if (value.ok()) {
      v.value = std::move(*value);
    } else {
      v.missing = missing_kind(value.error());
      v.why = value.error().message;
    }
    s.variables.push_back(std::move(v));
  }

  Result<Object> read_variable(Dwarf_Die* var, const Type* type, FrameContext& c) {
    size_t size = type->byte_size();
    Dwarf_Attribute a;
    if (!dwarf_attr(var, DW_AT_location, &a)) {
      if (dwarf_attr_integrate(var, DW_AT_const_value, &a)) return constant(&a, type);
      return optimized_out("no location");
    }
    ASSIGN_OR_RETURN(DwarfExpr e, expression_at(var, DW_AT_location, c.lookup));
    ASSIGN_OR_RETURN(Location loc, evaluate_location(e, c.in));
    if (loc.pieces.size() == 1 && loc.pieces[0].kind == LocationPiece::Kind::memory && loc.pieces[0].size_bits == 0)
      return Object::at(prog_, type, loc.pieces[0].address);
    ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_location(loc, size, c.in));
    return Object::from_bytes(prog_, type, bytes);
  }

  Result<Object> constant(Dwarf_Attribute* a, const Type* type) {
    Dwarf_Block b;
    if (dwarf_whatform(a) != DW_FORM_sdata && dwarf_formblock(a, &b) == 0) {
      if (b.length < type->byte_size()) return fail(Errc::format, "DW_AT_const_value shorter than its type");
      return Object::from_bytes(prog_, type, std::span<const uint8_t>(b.data, b.length));
    }
    Dwarf_Sword s;
    Dwarf_Word w;
    if (dwarf_whatform(a) == DW_FORM_sdata && dwarf_formsdata(a, &s) == 0)
      return Object::from_u64(prog_, type, static_cast<uint64_t>(s));
    if (dwarf_formudata(a, &w) == 0) return Object::from_u64(prog_, type, w);
    return fail(Errc::format, "unreadable DW_AT_const_value");
  }

  // The DIE offsets that name a function: its own, its abstract origin's and
  // its declaration's, so a call site's DW_AT_call_origin can be matched.
  static std::set<Dwarf_Off> function_identity(Dwarf_Die* fn) {
    std::set<Dwarf_Off> ids{dwarf_dieoffset(fn)};
    Dwarf_Die d = *fn;
    for (int i = 0; i < 4; ++i) {
      Dwarf_Die next;
      if (!dwarf_ref(&d, DW_AT_abstract_origin, &next) && !dwarf_ref(&d, DW_AT_specification, &next)) break;
      ids.insert(dwarf_dieoffset(&next));
      d = next;
    }
    return ids;
  }

  // Does this call site call `callee` (the frame's physical function)? A
  // direct call names its origin (a declaration when the callee lives in
  // another CU: then the external name must match); an indirect one has a
  // target expression, evaluated in the caller's frame.
  bool calls(Dwarf_Die* site, Dwarf_Die* callee, const CodeDwarf& callee_code, FrameContext& caller) {
    Dwarf_Die origin;
    if (dwarf_ref(site, DW_AT_call_origin, &origin) || dwarf_ref(site, DW_AT_abstract_origin, &origin)) {
      // DIE offsets name a function only within one file (a module's call
      // into vmlinux, or back, meets a declaration instead).
      bool same_file = callee_code.file == caller.code.file;
      if (same_file && function_identity(callee).count(dwarf_dieoffset(&origin))) return true;
      if (dwarf_flag(&origin, DW_AT_declaration))
        return dwarf_flag(callee, DW_AT_external) && die_name(&origin) == die_name(callee) && !die_name(callee).empty();
      return false;
    }
    for (unsigned attr : {unsigned{DW_AT_call_target}, unsigned{DW_AT_GNU_call_site_target}}) {
      auto e = expression_at(site, attr, caller.lookup);
      if (!e.ok()) continue;
      auto target = evaluate_value(*e, caller.in);
      Dwarf_Addr entry;
      return target.ok() && dwarf_entrypc(callee, &entry) == 0 && *target == callee_code.to_runtime(entry);
    }
    return false;
  }

  static std::optional<uint64_t> return_pc(Dwarf_Die* site) {
    Dwarf_Addr a;
    Dwarf_Attribute at;
    if (dwarf_attr(site, DW_AT_call_return_pc, &at) && dwarf_formaddr(&at, &a) == 0) return a;
    if (dwarf_tag(site) == DW_TAG_GNU_call_site && dwarf_lowpc(site, &a) == 0) return a;
    return std::nullopt;
  }

  // The value register `reg` held when frames_[i]'s function was entered,
  // from its caller's call site.
  Result<uint64_t> entry_value(size_t i, Dwarf_Die* callee, const CodeDwarf& callee_code, unsigned reg,
                               unsigned depth) {
    std::string what = "entry value of DWARF register " + std::to_string(reg);
    if (depth > 8 || i + 1 >= frames_.size() || !frames_[i + 1].pc_is_return_address)
      return optimized_out(what + ": no calling frame");
    ASSIGN_OR_RETURN(FrameContext caller, context(i + 1, depth + 1));
    for (Dwarf_Die& scope : caller.scopes) {
      Dwarf_Die site;
      if (dwarf_child(&scope, &site) != 0) continue;
      do {
        int tag = dwarf_tag(&site);
        if (tag != DW_TAG_call_site && tag != DW_TAG_GNU_call_site) continue;
        if (return_pc(&site) != caller.link_pc) continue;
        if (!calls(&site, callee, callee_code, caller)) return optimized_out(what + ": the caller's call site calls another function");
        return call_site_value(&site, reg, caller, what);
      } while (dwarf_siblingof(&site, &site) == 0);
    }
    return optimized_out(what + ": the caller has no call site at " + hex(frames_[i + 1].pc));
  }

  Result<uint64_t> call_site_value(Dwarf_Die* site, unsigned reg, FrameContext& caller, const std::string& what) {
    Dwarf_Die p;
    if (dwarf_child(site, &p) != 0) return optimized_out(what + ": not passed at the call site");
    do {
      int tag = dwarf_tag(&p);
      if (tag != DW_TAG_call_site_parameter && tag != DW_TAG_GNU_call_site_parameter) continue;
      auto loc = expression_at(&p, DW_AT_location, caller.lookup);
      if (!loc.ok() || loc->size() != 1) continue;
      uint8_t atom = (*loc)[0].atom;
      unsigned r = atom == DW_OP_regx ? static_cast<unsigned>((*loc)[0].number) : atom - DW_OP_reg0;
      if (!(atom == DW_OP_regx || (atom >= DW_OP_reg0 && atom <= DW_OP_reg31)) || r != reg) continue;
      for (unsigned attr : {unsigned{DW_AT_call_value}, unsigned{DW_AT_GNU_call_site_value}}) {
        auto e = expression_at(&p, attr, caller.lookup);
        if (e.ok()) return evaluate_value(*e, caller.in).context(what + " from the caller");
      }
    } while (dwarf_siblingof(&p, &p) == 0);
    return optimized_out(what + ": not recorded at the caller's call site");
  }

  Program& prog_;
  std::vector<Frame> frames_;  // the unwinder's, plus registers recovered from CFI
  size_t recovered_ = 0;        // frames_[0..recovered_] are complete
};

}  // namespace

Result<std::vector<FrameScope>> frame_scopes(Program& prog, std::span<const Frame> frames, size_t index) {
  if (index >= frames.size()) return fail(Errc::invalid_argument, "no frame #" + std::to_string(index));
  Reader r(prog, frames);
  ASSIGN_OR_RETURN(FrameContext c, r.context(index, 0));
  return r.scopes(c);
}

}  // namespace kinspect
