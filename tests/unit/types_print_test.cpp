// struct, union, whatis and p on the x86_64-sysrq sample dump: texts crash
// 8.0.2 printed for the same commands, limited to what does not change from
// one boot of this kernel to another (layouts, init_task's constants); the
// dump-specific values are compared with crash live in
// types_crash_oracle_test.cpp.
#include <gtest/gtest.h>

#include "commands/session.hpp"
#include "core/program.hpp"
#include "tests/unit/types_test_env.hpp"

using namespace kinspect;

namespace {

class CrashParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto paths = kinspect::testing::sample_paths("x86_64-sysrq");
    vmlinux_ = paths["VMLINUX"];
    vmcore_ = paths["VMCORE_MDF_ZLIB"];
    if (!kinspect::testing::file_exists(vmlinux_) || !kinspect::testing::file_exists(vmcore_)) return;
    auto prog = Program::open(vmlinux_, vmcore_);
    ASSERT_TRUE(prog.ok()) << prog.error().to_string();
    session_ = new Session(std::move(prog).value());
  }
  void SetUp() override {
    KINSPECT_NEED_FILE(vmlinux_);
    KINSPECT_NEED_FILE(vmcore_);
  }
  static std::string run(const std::string& line) {
    StringOutput out;
    Status st = session_->run_line(line, out);
    if (!st) return "ERROR: " + st.error().to_string();
    return out.str();
  }
  // p numbers its values ($1, $2...) per session; compare without them.
  static std::string strip_history(std::string s) {
    for (size_t i = 0; (i = s.find('$', i)) != std::string::npos;) {
      size_t j = i + 1;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      s.replace(i, j - i, "$N");
      i += 2;
    }
    return s;
  }
  static inline std::string vmlinux_, vmcore_;
  static inline Session* session_ = nullptr;
};

TEST_F(CrashParity, Layouts) {
  EXPECT_EQ(run("struct list_head"),
            "struct list_head {\n"
            "    struct list_head *next;\n"
            "    struct list_head *prev;\n"
            "}\n"
            "SIZE: 16\n");
  EXPECT_EQ(run("struct __call_single_node -o"),
            "struct __call_single_node {\n"
            "   [0] struct llist_node llist;\n"
            "       union {\n"
            "   [8]     unsigned int u_flags;\n"
            "   [8]     atomic_t a_flags;\n"
            "       };\n"
            "  [12] u16 src;\n"
            "  [14] u16 dst;\n"
            "}\n"
            "SIZE: 16\n");
  EXPECT_EQ(run("union rcu_special -o"),
            "union rcu_special {\n"
            "      struct {\n"
            "          u8 blocked;\n"
            "          u8 need_qs;\n"
            "          u8 exp_hint;\n"
            "          u8 need_mb;\n"
            "  [0] } b;\n"
            "  [0] u32 s;\n"
            "}\n"
            "SIZE: 4\n");
  EXPECT_EQ(run("struct rpc_procinfo"),
            "struct rpc_procinfo {\n"
            "    u32 p_proc;\n"
            "    kxdreproc_t p_encode;\n"
            "    kxdrdproc_t p_decode;\n"
            "    unsigned int p_arglen;\n"
            "    unsigned int p_replen;\n"
            "    unsigned int p_timer;\n"
            "    u32 p_statidx;\n"
            "    const char *p_name;\n"
            "}\n"
            "SIZE: 48\n");
  EXPECT_EQ(run("struct kmap_ctrl -o"), "struct kmap_ctrl {\n      <no data fields>\n}\nSIZE: 0\n");
}

TEST_F(CrashParity, Whatis) {
  EXPECT_EQ(run("whatis init_task"), "struct task_struct init_task;\n");
  EXPECT_EQ(run("whatis jiffies"), "volatile unsigned long jiffies;\n");
  EXPECT_EQ(run("whatis schedule"), "void schedule(void);\n");
  EXPECT_EQ(run("whatis do_sys_open"), "long do_sys_open(int, const char *, int, umode_t);\n");
  EXPECT_EQ(run("whatis vfs_read"), "ssize_t vfs_read(struct file *, char *, size_t, loff_t *);\n");
  EXPECT_EQ(run("whatis u32"), "typedef unsigned int u32;\nSIZE: 4\n");
  EXPECT_EQ(run("whatis pid_t"), "typedef int pid_t;\nSIZE: 4\n");
  EXPECT_EQ(run("whatis kxdreproc_t"),
            "typedef void (*)(struct rpc_rqst *, struct xdr_stream *, const void *) kxdreproc_t;\nSIZE: 8\n");
  EXPECT_EQ(run("whatis atomic_t"), "typedef struct {\n    int counter;\n} atomic_t;\nSIZE: 4\n");
  EXPECT_EQ(run("whatis linux_banner"), "const char linux_banner[204];\n");
  EXPECT_EQ(run("whatis __per_cpu_offset"), "unsigned long __per_cpu_offset[8192];\n");
  EXPECT_EQ(run("whatis enum pid_type"),
            "enum pid_type {\n  PIDTYPE_PID = 0\n  PIDTYPE_TGID = 1\n  PIDTYPE_PGID = 2\n  PIDTYPE_SID = 3\n"
            "  PIDTYPE_MAX = 4\n};\n");
  EXPECT_EQ(run("whatis init_task.se"), "struct sched_entity\n");
}

// Values that do not change from one boot of this kernel to the next (the
// addresses do, with KASLR: types_crash_oracle_test compares those with
// crash on whatever dump is present).
TEST_F(CrashParity, StableValues) {
  EXPECT_EQ(run("struct task_struct.pid,comm init_task"),
            "  pid = 0,\n  comm = \"swapper/0\\000\\000\\000\\000\\000\\000\",\n");
  EXPECT_EQ(run("struct task_struct.se.load init_task"),
            "  se.load = {\n    weight = 1048576,\n    inv_weight = 4194304\n  },\n");
  EXPECT_EQ(run("struct nosuch"), "ERROR: invalid data structure reference: nosuch");
  EXPECT_EQ(run("struct list_head.nosuch init_task"), "ERROR: invalid data structure reference: list_head.nosuch");
  EXPECT_EQ(run("struct rcu_special"), "ERROR: data type mismatch: rcu_special is not a struct");
  EXPECT_EQ(run("struct list_head ffff000000000000"), "ERROR: invalid kernel virtual address: ffff000000000000");
  std::string init = run("struct task_struct init_task");
  EXPECT_EQ(init.rfind("struct task_struct {\n  thread_info = {\n", 0), 0u);
  EXPECT_NE(init.find("  kmap_ctrl = {<No data fields>},\n"), std::string::npos);
  EXPECT_NE(init.find(" <init_struct_pid>,\n"), std::string::npos);
  std::string hex = run("struct task_struct -x init_task");
  EXPECT_NE(hex.find("  comm = \"swapper/0\\000\\000\\000\\000\\000\\000\",\n"), std::string::npos);
  EXPECT_NE(hex.find("  prio = 0x78,\n"), std::string::npos);

  auto p = [&](const std::string& e) { return strip_history(run("p " + e)); };
  EXPECT_EQ(p("init_task.pid"), "$N = 0\n");
  EXPECT_EQ(p("init_task.comm"), "$N = \"swapper/0\\000\\000\\000\\000\\000\\000\"\n");
  EXPECT_EQ(p("sizeof(struct task_struct)"), "$N = 9728\n");
  EXPECT_EQ(p("sizeof(init_task)"), "$N = 9728\n");
  EXPECT_EQ(p("CSD_FLAG_LOCK"), "$N = CSD_FLAG_LOCK\n");
  EXPECT_EQ(p("(1<<3)"), "$N = 8\n");
  EXPECT_EQ(p("init_task.comm[0]"), "$N = 115 's'\n");
  EXPECT_EQ(p("init_task.prio"), "$N = 120\n");
  EXPECT_EQ(p("init_task.se.load.weight * 2"), "$N = 2097152\n");
  EXPECT_EQ(p("init_task.numa_faults_locality"), "$N = {0, 0, 0}\n");
  EXPECT_EQ(p("10/3"), "$N = 3\n");
  EXPECT_EQ(p("'A'"), "$N = 65 'A'\n");
  EXPECT_EQ(p("(unsigned char)200"), "$N = 200 '\\310'\n");
  EXPECT_EQ(p("(signed char)-3"), "$N = -3 '\\375'\n");
  EXPECT_EQ(p("(_Bool)1"), "$N = true\n");
  EXPECT_EQ(p("(unsigned int)-1"), "$N = 4294967295\n");
  EXPECT_EQ(strip_history(run("p/x -1")), "$N = 0xffffffff\n");
  EXPECT_EQ(strip_history(run("p/d 0xffffffffffffffff")), "$N = -1\n");
  EXPECT_EQ(p("1.5"), "$N = 1.5\n");
  EXPECT_EQ(p("system_state"), "system_state = $N = SYSTEM_RUNNING\n");
  EXPECT_EQ(strip_history(run("p/x system_state")), "$N = 0x3\n");
  EXPECT_EQ(p("(enum pid_type)2"), "$N = PIDTYPE_PGID\n");
  EXPECT_EQ(p("(enum pid_type)7"), "$N = 7\n");
  EXPECT_EQ(p("&((struct task_struct *)0)->tasks"), "$N = (struct list_head *) 0x890\n");
  EXPECT_EQ(p("init_task.thread_pid->numbers[0].nr"), "$N = 0\n");
  // Type prefixes and symbols, whatever the addresses.
  EXPECT_EQ(p("&init_task").rfind("$N = (struct task_struct *) 0xffffffff", 0), 0u);
  EXPECT_NE(p("&init_task").find(" <init_task>\n"), std::string::npos);
  EXPECT_NE(p("&init_task.tasks").find(" <init_task+2192>\n"), std::string::npos);
  EXPECT_NE(p("&init_task.comm").find("$N = (char (*)[16]) 0x"), std::string::npos);
  EXPECT_NE(p("&linux_banner").find("$N = (const char (*)[204]) 0x"), std::string::npos);
  EXPECT_NE(p("schedule").find("schedule = $N = \n {void (void)} 0x"), std::string::npos);
  EXPECT_NE(p("&schedule").find("$N = (void (*)(void)) 0x"), std::string::npos);
  EXPECT_NE(p("init_task.sched_class").find("$N = (const struct sched_class *) 0x"), std::string::npos);
  EXPECT_NE(p("init_task.sched_class").find(" <idle_sched_class>\n"), std::string::npos);
  EXPECT_EQ(run("p nosuch_symbol_xyz").rfind("ERROR: ", 0), 0u);
  EXPECT_EQ(run("p init_task.nosuch").rfind("ERROR: ", 0), 0u);
}

TEST_F(CrashParity, PerCpu) {
  std::string rq = run("p runqueues");
  EXPECT_EQ(rq.rfind("PER-CPU DATA TYPE:\n  struct rq runqueues;\nPER-CPU ADDRESSES:\n  [0]: ffff", 0), 0u);
  EXPECT_EQ(strip_history(run("p cpu_number:a")),
            "per_cpu(cpu_number, 0) = $N = 0\nper_cpu(cpu_number, 1) = $N = 1\n"
            "per_cpu(cpu_number, 2) = $N = 2\nper_cpu(cpu_number, 3) = $N = 3\n");
  EXPECT_EQ(strip_history(run("p per_cpu(cpu_number, 2)")), "$N = 2\n");
  EXPECT_EQ(strip_history(run("p cpu_number:1-2")), "per_cpu(cpu_number, 1) = $N = 1\nper_cpu(cpu_number, 2) = $N = 2\n");
  EXPECT_EQ(run("p cpu_number:9").rfind("ERROR: invalid cpu 9", 0), 0u);
  EXPECT_EQ(run("struct tss_struct.x86_tss -x cpu_tss_rw:0").rfind("[0]: ffff", 0), 0u);
}

}  // namespace
