// The C expression evaluator, list and flags on the sample dumps. Expected
// values: C's own arithmetic rules, gdb's offsets, kernel invariants (a
// list_head's next->prev), and the kernel source for enumerator values;
// none depends on where this boot put things.
#include <gtest/gtest.h>

#include "commands/session.hpp"
#include "core/expr/expr.hpp"
#include "core/program.hpp"
#include "core/types/flags.hpp"
#include "core/types/type_name.hpp"
#include "tests/unit/types_test_env.hpp"

using namespace kinspect;

namespace {

class ExprOnDump : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { open_once("x86_64-sysrq", sysrq_); }
  static void open_once(const std::string& name, Session*& s) {
    auto paths = kinspect::testing::sample_paths(name);
    if (!kinspect::testing::file_exists(paths["VMLINUX"]) || !kinspect::testing::file_exists(paths["VMCORE_MDF_ZLIB"]))
      return;
    auto prog = Program::open(paths["VMLINUX"], paths["VMCORE_MDF_ZLIB"]);
    ASSERT_TRUE(prog.ok()) << prog.error().to_string();
    s = new Session(std::move(prog).value());
  }
  void SetUp() override {
    if (!sysrq_) GTEST_SKIP() << "x86_64-sysrq sample dump not present";
  }
  static Program& prog() { return *sysrq_->program(); }
  // Value and type name of an expression.
  static std::pair<uint64_t, std::string> eval(const std::string& e) {
    auto r = evaluate(prog(), e);
    if (!r.ok()) return {0, "ERROR " + r.error().to_string()};
    auto v = r->value.as_u64();
    return {v.ok() ? *v : 0, type_name(r->value.type())};
  }
  static std::string run(Session* s, const std::string& line) {
    StringOutput out;
    Status st = s->run_line(line, out);
    return st.ok() ? out.str() : "ERROR: " + st.error().to_string();
  }
  static inline Session* sysrq_ = nullptr;
};

TEST_F(ExprOnDump, ConstantsFollowCTyping) {
  EXPECT_EQ(eval("1"), std::make_pair(uint64_t(1), std::string("int")));
  EXPECT_EQ(eval("0x80000000"), std::make_pair(uint64_t(0x80000000), std::string("unsigned int")));
  EXPECT_EQ(eval("2147483648"), std::make_pair(uint64_t(2147483648), std::string("long")));
  EXPECT_EQ(eval("1UL"), std::make_pair(uint64_t(1), std::string("unsigned long")));
  EXPECT_EQ(eval("'A'"), std::make_pair(uint64_t(65), std::string("char")));
  EXPECT_EQ(eval("010"), std::make_pair(uint64_t(8), std::string("int")));
}

TEST_F(ExprOnDump, OperatorsAndPrecedence) {
  EXPECT_EQ(eval("1 + 2 * 3").first, 7u);
  EXPECT_EQ(eval("(1 + 2) * 3").first, 9u);
  EXPECT_EQ(eval("1 << 4 | 1").first, 17u);
  EXPECT_EQ(eval("7 % 3").first, 1u);
  // as_u64 sign-extends a negative int.
  EXPECT_EQ(eval("-7 / 2"), std::make_pair(static_cast<uint64_t>(-3), std::string("int")));
  EXPECT_EQ(eval("-7 % 2").first, static_cast<uint64_t>(-1));
  EXPECT_EQ(eval("~0"), std::make_pair(uint64_t(~0ull), std::string("int")));
  EXPECT_EQ(eval("~0U"), std::make_pair(uint64_t(0xffffffffull), std::string("unsigned int")));
  EXPECT_EQ(eval("0xffffffffU + 1").first, 0u);  // unsigned int wraps
  EXPECT_EQ(eval("0xffffffffUL + 1").first, 0x100000000u);
  EXPECT_EQ(eval("!5").first, 0u);
  EXPECT_EQ(eval("3 > 2 && 2 > 1").first, 1u);
  EXPECT_EQ(eval("0 || 0").first, 0u);
  EXPECT_EQ(eval("1 ? 10 : 20").first, 10u);
  EXPECT_EQ(eval("0xf0 & 0x3c ^ 0x01").first, (0xf0 & 0x3c) ^ 0x01u);
  EXPECT_EQ(eval("-1 < 0U").first, 0u);  // -1 converts to unsigned int
  EXPECT_EQ(eval("-1L < 0U").first, 1u); // unsigned int converts to long
  EXPECT_EQ(eval("sizeof(int)").first, 4u);
  EXPECT_EQ(eval("sizeof(struct list_head *)").first, 8u);
  EXPECT_EQ(eval("sizeof init_task").first, 9728u);  // gdb: sizeof(struct task_struct)
  EXPECT_NE(eval("1 / 0").second.find("division by zero"), std::string::npos);
}

TEST_F(ExprOnDump, PointersCastsAndMembers) {
  // Offsets gdb reports for task_struct: tasks 0x890, pid_links 0x9f0 (+16 each).
  EXPECT_EQ(eval("&init_task").second, "struct task_struct *");
  EXPECT_EQ(eval("(char *)&init_task.tasks - (char *)&init_task").first, 0x890u);
  EXPECT_EQ(eval("(char *)(&init_task.tasks + 1) - (char *)&init_task.tasks").first, 16u);  // scaled by 16
  EXPECT_EQ(eval("&init_task.tasks + 1 - &init_task.tasks").first, 1u);
  EXPECT_EQ(eval("(char *)&init_task.pid_links[1] - (char *)&init_task").first, 0x9f0u);
  EXPECT_EQ(eval("(unsigned long)&init_task.tasks + 1 - (unsigned long)&init_task.tasks").first, 1u);
  // A list_head's next->prev leads back.
  EXPECT_EQ(eval("init_task.tasks.next->prev == &init_task.tasks").first, 1u);
  EXPECT_EQ(eval("((struct list_head *)&init_task.tasks)->next->prev == &init_task.tasks").first, 1u);
  EXPECT_EQ(eval("init_task.flags & 0x200000").first, 0x200000u);  // PF_KTHREAD
  EXPECT_EQ(eval("*(unsigned int *)&init_task.flags == init_task.flags").first, 1u);
  EXPECT_EQ(eval("init_task.comm[1]").first, static_cast<uint64_t>('w'));
  EXPECT_EQ(eval("per_cpu(cpu_number, 3)").first, 3u);
  EXPECT_EQ(eval("&per_cpu(runqueues, 3) == per_cpu_ptr(&runqueues, 3)").first, 1u);
  EXPECT_EQ(eval("(char *)&per_cpu(runqueues, 1) - (char *)&per_cpu(runqueues, 0) == "
                 "__per_cpu_offset[1] - __per_cpu_offset[0]")
                .first,
            1u);
  EXPECT_EQ(eval("CSD_TYPE_SYNC | CSD_FLAG_LOCK").first, 0x11u);
  EXPECT_NE(eval("init_task.nosuch").second.find("no member"), std::string::npos);
  EXPECT_NE(eval("nosuch_xyz").second.find("no symbol"), std::string::npos);
  EXPECT_NE(eval("*init_task.stack").second.find("void"), std::string::npos);
}

TEST_F(ExprOnDump, ListWalks) {
  auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
  // -h shows init_task then every other task; -H leaves the head out.
  std::string h = run(sysrq_, "list task_struct.tasks -h init_task");
  std::string H = run(sysrq_, "list -H init_task.tasks");
  EXPECT_GT(lines(h), 10);
  EXPECT_EQ(lines(H), lines(h) - 1);
  EXPECT_EQ(lines(run(sysrq_, "list -r -H init_task.tasks")), lines(H));
  std::string s = run(sysrq_, "list task_struct.tasks -s task_struct.pid -h init_task");
  EXPECT_NE(s.find("\n  pid = 0,\nffff"), std::string::npos);
  EXPECT_NE(s.find("\n  pid = 1,\n"), std::string::npos);
  // A list that loops without coming back to its start is refused, not
  // walked forever: start at the prev field of init_task.tasks, whose value
  // (the last task) leads round the circle, which never passes the start.
  auto prev_field = evaluate(prog(), "&init_task.tasks.prev");
  auto last = evaluate(prog(), "init_task.tasks.prev");
  ASSERT_TRUE(prev_field.ok() && last.ok());
  char cmd[64], dup[96];
  std::snprintf(cmd, sizeof cmd, "list %llx", static_cast<unsigned long long>(*prev_field->value.as_u64()));
  std::snprintf(dup, sizeof dup, "duplicate list entry: %llx", static_cast<unsigned long long>(*last->value.as_u64()));
  EXPECT_NE(run(sysrq_, cmd).find(dup), std::string::npos);
  EXPECT_EQ(run(sysrq_, "list 0"), "ERROR: invalid kernel virtual address: 0");
}

TEST_F(ExprOnDump, FlagsDecodeWithTheKernelsEnumerators) {
  // include/linux/smp_types.h (6.1): CSD_FLAG_LOCK 0x01, CSD_TYPE_ASYNC 0,
  // SYNC 0x10, IRQ_WORK 0x20, TTWU 0x30, CSD_FLAG_TYPE_MASK 0xf0.
  std::vector<FlagName> csd;
  for (auto& e : prog().types().enumerators_with_prefix("CSD_")) csd.push_back({e.name, e.value});
  EXPECT_EQ(format_flags(0x11, csd), "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)");
  EXPECT_EQ(format_flags(0x31, csd), "0x31 (CSD_FLAG_LOCK|CSD_TYPE_TTWU)");
  EXPECT_EQ(format_flags(0x01, csd), "0x1 (CSD_FLAG_LOCK)");
  EXPECT_EQ(format_flags(0x00, csd), "0x0 (CSD_TYPE_ASYNC)");
  EXPECT_EQ(format_flags(0x101, csd), "0x101 (CSD_FLAG_LOCK|CSD_TYPE_ASYNC|0x100)");
  // A counting enum is not split into bits.
  std::vector<FlagName> pid;
  for (auto& e : (*prog().types().find_enum("pid_type"))->enumerators) pid.push_back({e.name, e.value});
  EXPECT_EQ(format_flags(3, pid, true), "0x3 (PIDTYPE_SID)");
  EXPECT_EQ(format_flags(5, pid, true), "0x5");
  EXPECT_EQ(run(sysrq_, "flags (CSD_TYPE_SYNC|CSD_FLAG_LOCK) CSD_"), "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)\n");
  EXPECT_EQ(run(sysrq_, "flags system_state"), "0x3 (SYSTEM_RUNNING)\n");
}

TEST(ExprCsdLockup, TheWaitedForCsdIsLockedAndSynchronous) {
  // x86_64-csd-lockup: csd_lockup.ko's waiter on CPU 1 waits in
  // csd_lock_wait() for CPU 2, which spins with IRQs off, so the csd CPU 1
  // queued for CPU 2 is still locked: u_flags = CSD_FLAG_LOCK|CSD_TYPE_SYNC.
  auto paths = kinspect::testing::sample_paths("x86_64-csd-lockup");
  KINSPECT_NEED_FILE(paths["VMCORE_MDF_ZLIB"]);
  auto prog = Program::open(paths["VMLINUX"], paths["VMCORE_MDF_ZLIB"]);
  ASSERT_TRUE(prog.ok()) << prog.error().to_string();
  Session s(std::move(prog).value());
  StringOutput out;
  ASSERT_TRUE(s.run_line("flags per_cpu_ptr(per_cpu(cfd_data, 1).pcpu, 2)->csd.node.u_flags CSD_", out).ok());
  EXPECT_EQ(out.str(), "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)\n");
  StringOutput q;
  ASSERT_TRUE(s.run_line("p per_cpu_ptr(per_cpu(cfd_data, 1).pcpu, 2)", q).ok());
  EXPECT_NE(q.str().find("(struct cfd_percpu *) 0xffff"), std::string::npos);
}

}  // namespace

// A selected frame's locals shadow the kernel's globals of the same name, a
// local with no value is an error naming it, and the session hands them to
// p and whatis.
TEST_F(ExprOnDump, FrameLocalsShadowGlobals) {
  const Type* int_t = prog().types().base_type("int");
  LocalNames locals = [&](std::string_view name) -> std::optional<Result<Object>> {
    if (name == "jiffies") return Object::from_u64(prog(), int_t, 41);
    if (name == "gone") return Result<Object>(fail(Errc::not_present, "gone is optimized out in the selected frame"));
    return std::nullopt;
  };
  auto r = evaluate(prog(), "jiffies + 1", locals);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r->value.as_int(), 42);
  EXPECT_EQ(type_name(r->value.type()), "int");
  auto g = evaluate(prog(), "gone->next", locals);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message.find("gone is optimized out"), std::string::npos);
  // Names that are not locals are still the kernel's.
  auto init = evaluate(prog(), "init_task.pid", locals);
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(*init->value.as_int(), 0);
  // Without locals, jiffies is the kernel's unsigned long.
  EXPECT_EQ(eval("jiffies").second, "volatile unsigned long");
  sysrq_->set_frame_locals(locals);
  EXPECT_EQ(run(sysrq_, "whatis jiffies"), "int jiffies;\n");
  EXPECT_EQ(run(sysrq_, "p jiffies + 1"), "$1 = 42\n");
  sysrq_->set_frame_locals({});
}
