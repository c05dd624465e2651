// The DWARF expression evaluator on expression bytes built here, fake
// registers and a fake memory: locations (register, memory, frame base,
// CFA, pieces, computed and implicit values), entry values, and the cases
// that must give no value rather than a wrong one.
#include "core/unwind/dwarf_location.hpp"

#include <dwarf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace kinspect {
namespace {

// Expression bytes: ops and their operands, LEB128 encoders for the operands.
struct Bytes {
  std::vector<uint8_t> b;
  Bytes& op(uint8_t a) { b.push_back(a); return *this; }
  Bytes& uleb(uint64_t v) {
    do {
      uint8_t c = v & 0x7f;
      v >>= 7;
      b.push_back(c | (v ? 0x80 : 0));
    } while (v);
    return *this;
  }
  Bytes& sleb(int64_t v) {
    for (bool more = true; more;) {
      uint8_t c = v & 0x7f;
      v >>= 7;
      more = !((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40)));
      b.push_back(c | (more ? 0x80 : 0));
    }
    return *this;
  }
  Bytes& u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes& block(const Bytes& inner) {
    uleb(inner.b.size());
    b.insert(b.end(), inner.b.begin(), inner.b.end());
    return *this;
  }
};

// A little memory: 8-byte words at addresses; anything else is "excluded".
struct Env {
  RegisterSet regs;
  std::map<uint64_t, uint8_t> mem;
  LocationInputs in;
  Env() {
    in.regs = &regs;
    in.read_memory = [this](uint64_t addr, std::span<uint8_t> out) -> Status {
      for (size_t i = 0; i < out.size(); ++i) {
        auto it = mem.find(addr + i);
        if (it == mem.end()) return fail(Errc::excluded, "page excluded from dump", addr + i);
        out[i] = it->second;
      }
      return {};
    };
  }
  void store(uint64_t addr, uint64_t v) {
    for (int i = 0; i < 8; ++i) mem[addr + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  Result<std::vector<uint8_t>> read(const Bytes& e, size_t size) {
    ASSIGN_OR_RETURN(DwarfExpr ops, decode_dwarf_expr(e.b));
    ASSIGN_OR_RETURN(Location loc, evaluate_location(ops, in));
    return read_location(loc, size, in);
  }
  uint64_t read_u64(const Bytes& e, size_t size = 8) {
    auto r = read(e, size);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    uint64_t v = 0;
    if (r.ok()) std::memcpy(&v, r->data(), std::min<size_t>(8, r->size()));
    return v;
  }
};

TEST(DwarfLocation, RegisterHoldsTheValue) {
  Env e;
  e.regs.set(4, 0xffff888003c68d88);  // rsi
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_reg4)), 0xffff888003c68d88u);
  // A 4-byte int in a register is its low half.
  e.regs.set(0, 0x1234567800000002);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_reg0), 4), 2u);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_regx).uleb(0)), 0x1234567800000002u);
}

TEST(DwarfLocation, MissingRegisterIsUnavailableNotZero) {
  Env e;
  auto r = e.read(Bytes().op(DW_OP_reg3), 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(missing_kind(r.error()), Missing::unavailable);
  EXPECT_NE(r.error().message.find("register 3 not recovered"), std::string::npos);
  // breg of a missing register too.
  r = e.read(Bytes().op(DW_OP_breg6).sleb(-8), 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(missing_kind(r.error()), Missing::unavailable);
}

TEST(DwarfLocation, FrameBaseAndCfaAddressMemory) {
  Env e;
  e.in.frame_base = 0xffffc90000367b00;
  e.store(0xffffc90000367b00 - 112, 0xffff88801f232b40);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_fbreg).sleb(-112)), 0xffff88801f232b40u);
  e.in.cfa = 0x1000;
  e.store(0x1000 - 16, 77);
  Bytes cfa_expr;
  cfa_expr.op(DW_OP_call_frame_cfa).op(DW_OP_consts).sleb(-16).op(DW_OP_plus);
  EXPECT_EQ(e.read_u64(cfa_expr), 77u);
  auto ops = decode_dwarf_expr(Bytes().op(DW_OP_call_frame_cfa).b);
  ASSERT_TRUE(ops.ok());
  auto v = evaluate_value(*ops, e.in);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 0x1000u);
  // Without a frame base, fbreg is unavailable.
  e.in.frame_base.reset();
  auto r = e.read(Bytes().op(DW_OP_fbreg).sleb(-112), 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(missing_kind(r.error()), Missing::unavailable);
}

TEST(DwarfLocation, ComputedValueFromRegisters) {
  // GCC's csd = per_cpu_ptr(cfd->csd, cpu): DW_OP_breg13 0, DW_OP_breg6 0, DW_OP_plus, DW_OP_stack_value.
  Env e;
  e.regs.set(13, 0x2b000);
  e.regs.set(6, 0xffff88801f000000);
  Bytes b;
  b.op(DW_OP_breg13).sleb(0).op(DW_OP_breg6).sleb(0).op(DW_OP_plus).op(DW_OP_stack_value);
  EXPECT_EQ(e.read_u64(b), 0xffff88801f02b000u);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_lit1).op(DW_OP_stack_value), 1), 1u);
  e.regs.set(4, 0x100);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_breg4).sleb(8).op(DW_OP_stack_value)), 0x108u);
}

TEST(DwarfLocation, StackAndArithmeticOperators) {
  Env e;
  auto val = [&](Bytes b) { return e.read_u64(b.op(DW_OP_stack_value)); };
  EXPECT_EQ(val(Bytes().op(DW_OP_lit5).op(DW_OP_lit3).op(DW_OP_minus)), 2u);
  EXPECT_EQ(val(Bytes().op(DW_OP_lit3).op(DW_OP_lit5).op(DW_OP_swap).op(DW_OP_minus)), 2u);
  EXPECT_EQ(val(Bytes().op(DW_OP_lit6).op(DW_OP_lit7).op(DW_OP_mul)), 42u);
  EXPECT_EQ(val(Bytes().op(DW_OP_consts).sleb(-7).op(DW_OP_lit2).op(DW_OP_div)), static_cast<uint64_t>(-3));
  EXPECT_EQ(val(Bytes().op(DW_OP_consts).sleb(-16).op(DW_OP_abs)), 16u);
  EXPECT_EQ(val(Bytes().op(DW_OP_lit1).op(DW_OP_lit4).op(DW_OP_shl)), 16u);
  EXPECT_EQ(val(Bytes().op(DW_OP_consts).sleb(-16).op(DW_OP_lit2).op(DW_OP_shra)), static_cast<uint64_t>(-4));
  EXPECT_EQ(val(Bytes().op(DW_OP_lit1).op(DW_OP_lit2).op(DW_OP_lit3).op(DW_OP_rot).op(DW_OP_drop).op(DW_OP_drop)), 3u);  // 1 2 3 -> 3 1 2
  EXPECT_EQ(val(Bytes().op(DW_OP_lit9).op(DW_OP_lit1).op(DW_OP_over).op(DW_OP_plus)), 10u);
  EXPECT_EQ(val(Bytes().op(DW_OP_lit9).op(DW_OP_lit1).op(DW_OP_pick).uleb(1).op(DW_OP_mul)), 9u);
  EXPECT_EQ(val(Bytes().op(DW_OP_constu).uleb(0xf0).op(DW_OP_plus_uconst).uleb(0x11)), 0x101u);
  EXPECT_EQ(val(Bytes().op(DW_OP_lit3).op(DW_OP_lit3).op(DW_OP_eq)), 1u);
  EXPECT_EQ(val(Bytes().op(DW_OP_const1s).op(0xff).op(DW_OP_neg)), 1u);
  EXPECT_EQ(val(Bytes().op(DW_OP_const2u).op(0x34).op(0x12)), 0x1234u);
  // Division by zero is an error, not a value.
  auto r = e.read(Bytes().op(DW_OP_lit1).op(DW_OP_lit0).op(DW_OP_div).op(DW_OP_stack_value), 8);
  EXPECT_FALSE(r.ok());
  r = e.read(Bytes().op(DW_OP_plus), 8);  // underflow
  EXPECT_FALSE(r.ok());
}

TEST(DwarfLocation, DerefReadsMemoryAndExcludedPagesAreUnavailable) {
  Env e;
  e.regs.set(7, 0x2000);  // rsp
  e.store(0x2008, 0x3000);
  e.store(0x3000, 0xdeadbeefcafef00d);
  Bytes b;
  b.op(DW_OP_breg7).sleb(8).op(DW_OP_deref);  // the address of the object is at rsp+8
  EXPECT_EQ(e.read_u64(b), 0xdeadbeefcafef00du);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_breg7).sleb(8).op(DW_OP_deref_size).op(2).op(DW_OP_stack_value)), 0x3000u);
  auto r = e.read(Bytes().op(DW_OP_breg7).sleb(0x100), 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::excluded);
  EXPECT_EQ(missing_kind(r.error()), Missing::unavailable);
}

TEST(DwarfLocation, AddrIsRelocatedByTheBias) {
  Env e;
  e.in.address_bias = 0x1000;
  e.store(0xffffffff81001000, 5);
  EXPECT_EQ(e.read_u64(Bytes().op(DW_OP_addr).u64(0xffffffff81000000)), 5u);
}

TEST(DwarfLocation, PiecesAssembleAnObject) {
  // A 16-byte struct: low 8 bytes in rbx, high 4 in memory at fbreg-4, last 4 a constant.
  Env e;
  e.regs.set(3, 0x1111111122222222);
  e.in.frame_base = 0x5000;
  e.store(0x5000 - 4, 0x33333333);
  Bytes b;
  b.op(DW_OP_reg3).op(DW_OP_piece).uleb(8);
  b.op(DW_OP_fbreg).sleb(-4).op(DW_OP_piece).uleb(4);
  b.op(DW_OP_lit7).op(DW_OP_stack_value).op(DW_OP_piece).uleb(4);
  auto r = e.read(b, 16);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::vector<uint8_t> want = {0x22, 0x22, 0x22, 0x22, 0x11, 0x11, 0x11, 0x11, 0x33, 0x33, 0x33, 0x33, 7, 0, 0, 0};
  EXPECT_EQ(*r, want);
  // A piece with no location is optimized out: the whole object is not printed.
  Bytes hole;
  hole.op(DW_OP_reg3).op(DW_OP_piece).uleb(8).op(DW_OP_piece).uleb(8);
  auto h = e.read(hole, 16);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(missing_kind(h.error()), Missing::optimized_out);
  // bit_piece of whole bytes: the high half of a register.
  Bytes bp;
  bp.op(DW_OP_reg3).op(DW_OP_bit_piece).uleb(32).uleb(32);
  EXPECT_EQ(e.read_u64(bp, 4), 0x11111111u);
}

TEST(DwarfLocation, ImplicitValueAndImplicitPointer) {
  Env e;
  Bytes b;
  b.op(DW_OP_implicit_value).uleb(4).op(0x78).op(0x56).op(0x34).op(0x12);
  EXPECT_EQ(e.read_u64(b, 4), 0x12345678u);
  Bytes p;
  p.op(DW_OP_implicit_pointer).op(0x10).op(0).op(0).op(0).sleb(0);
  auto r = e.read(p, 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(missing_kind(r.error()), Missing::optimized_out);
}

TEST(DwarfLocation, EntryValueComesFromTheCallerOrIsOptimizedOut) {
  // mask = DW_OP_entry_value(DW_OP_reg5 RDI), DW_OP_stack_value
  Env e;
  Bytes b;
  b.op(DW_OP_entry_value).block(Bytes().op(DW_OP_reg5)).op(DW_OP_stack_value);
  auto r = e.read(b, 8);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(missing_kind(r.error()), Missing::optimized_out);
  unsigned asked = 99;
  e.in.entry_value = [&](unsigned reg) -> Result<uint64_t> {
    asked = reg;
    return uint64_t{0xffffffff82a10ff8};
  };
  EXPECT_EQ(e.read_u64(b), 0xffffffff82a10ff8u);
  EXPECT_EQ(asked, 5u);
  // The GNU spelling, and regx inside.
  Bytes g;
  g.op(DW_OP_GNU_entry_value).block(Bytes().op(DW_OP_regx).uleb(19)).op(DW_OP_lit8).op(DW_OP_plus).op(DW_OP_stack_value);
  EXPECT_EQ(e.read_u64(g), 0xffffffff82a11000u);
  EXPECT_EQ(asked, 19u);
  // A caller that cannot supply it: the error passes through.
  e.in.entry_value = [](unsigned) -> Result<uint64_t> { return fail(Errc::not_found, "no call site"); };
  auto n = e.read(b, 8);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(missing_kind(n.error()), Missing::optimized_out);
}

TEST(DwarfLocation, MalformedAndUnknownExpressionsAreErrors) {
  EXPECT_FALSE(decode_dwarf_expr(Bytes().op(DW_OP_addr).op(1).op(2).b).ok());  // truncated address
  EXPECT_FALSE(decode_dwarf_expr(Bytes().op(DW_OP_fbreg).op(0x80).b).ok());    // truncated LEB128
  auto u = decode_dwarf_expr(Bytes().op(0xe0).b);                            // DW_OP_lo_user
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, Errc::unsupported);
  Env e;
  auto empty = e.read(Bytes(), 8);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(missing_kind(empty.error()), Missing::optimized_out);
}

}  // namespace
}  // namespace kinspect
