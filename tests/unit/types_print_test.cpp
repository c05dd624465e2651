// struct, union, whatis and p on the x86_64-sysrq sample dump, compared
// with what crash 8.0.2 printed for the same commands on the same dump
// (the expected texts below are crash's output, copied).
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

TEST_F(CrashParity, StructValues) {
  EXPECT_EQ(run("struct list_head ffffffffa421b2d0"),
            "struct list_head {\n  next = 0xffff8ad901204a10,\n  prev = 0xffff8ad902b2ca10\n}\n");
  EXPECT_EQ(run("struct task_struct.pid,comm ffffffffa421aa40"),
            "  pid = 0,\n  comm = \"swapper/0\\000\\000\\000\\000\\000\\000\",\n");
  EXPECT_EQ(run("struct task_struct.se.vruntime,se.load ffffffffa421aa40"),
            "  se.vruntime = 0,\n  se.load = {\n    weight = 1048576,\n    inv_weight = 4194304\n  },\n");
  EXPECT_EQ(run("struct rq.cfs.nr_running ffff8ad91f231980"), "  cfs.nr_running = 0,\n");
  EXPECT_EQ(run("struct list_head.next ffffffffa421b2d0 2"), "  next = 0xffff8ad901204a10,\n\n  next = 0x8c,\n");
  EXPECT_EQ(run("struct list_head -o ffffffffa421b2d0"),
            "struct list_head {\n  [ffffffffa421b2d0] struct list_head *next;\n"
            "  [ffffffffa421b2d8] struct list_head *prev;\n}\nSIZE: 16\n");
  EXPECT_EQ(run("union rcu_special ffffffffa421b238"),
            "union rcu_special {\n  b = {\n    blocked = 0 '\\000',\n    need_qs = 0 '\\000',\n"
            "    exp_hint = 0 '\\000',\n    need_mb = 0 '\\000'\n  },\n  s = 0\n}\n");
  // Pointers to symbols: <sym+off>; the zero-sized label init_stack is not used.
  std::string init = run("struct task_struct ffffffffa421aa40");
  EXPECT_NE(init.find("  stack = 0xffffffffa4200000,\n"), std::string::npos);
  EXPECT_NE(init.find("      next = 0xffffffffa421aae8 <init_task+168>,\n"), std::string::npos);
  EXPECT_NE(init.find("  kmap_ctrl = {<No data fields>},\n"), std::string::npos);
  EXPECT_NE(init.find("  thread_pid = 0xffffffffa42594c0 <init_struct_pid>,\n"), std::string::npos);
  std::string hex = run("struct task_struct -x ffffffffa421aa40");
  EXPECT_NE(hex.find("  flags = 0x4200002,\n"), std::string::npos);
  EXPECT_NE(hex.find("  patch_state = 0xffffffff,\n"), std::string::npos);
  EXPECT_NE(hex.find("  comm = \"swapper/0\\000\\000\\000\\000\\000\\000\",\n"), std::string::npos);
  EXPECT_NE(hex.find("            extended_state_area = 0xffffffffa421c280 <init_task+6208> \"\"\n"),
            std::string::npos);
  EXPECT_EQ(run("struct nosuch"), "ERROR: invalid data structure reference: nosuch");
  EXPECT_EQ(run("struct list_head.nosuch ffffffffa421b2d0"),
            "ERROR: invalid data structure reference: list_head.nosuch");
  EXPECT_EQ(run("struct rcu_special"), "ERROR: data type mismatch: rcu_special is not a struct");
}

TEST_F(CrashParity, PrintExpressions) {
  auto p = [&](const std::string& e) { return strip_history(run("p " + e)); };
  EXPECT_EQ(p("jiffies"), "jiffies = $N = 4294894127\n");
  EXPECT_EQ(strip_history(run("p/x jiffies")), "$N = 0xfffee22f\n");
  EXPECT_EQ(p("-d jiffies"), "jiffies = $N = 4294894127\n");
  EXPECT_EQ(p("init_task.pid"), "$N = 0\n");
  EXPECT_EQ(p("init_task.comm"), "$N = \"swapper/0\\000\\000\\000\\000\\000\\000\"\n");
  EXPECT_EQ(p("&init_task"), "$N = (struct task_struct *) 0xffffffffa421aa40 <init_task>\n");
  EXPECT_EQ(p("sizeof(struct task_struct)"), "$N = 9728\n");
  EXPECT_EQ(p("CSD_FLAG_LOCK"), "$N = CSD_FLAG_LOCK\n");
  EXPECT_EQ(p("(1<<3)"), "$N = 8\n");
  EXPECT_EQ(p("&init_task.tasks"), "$N = (struct list_head *) 0xffffffffa421b2d0 <init_task+2192>\n");
  EXPECT_EQ(p("init_task.comm[0]"), "$N = 115 's'\n");
  EXPECT_EQ(p("init_task.thread_pid"), "$N = (struct pid *) 0xffffffffa42594c0 <init_struct_pid>\n");
  EXPECT_EQ(p("init_task.thread_pid->numbers[0]"),
            "$N = {\n  nr = 0,\n  ns = 0xffffffffa4259420 <init_pid_ns>\n}\n");
  EXPECT_EQ(p("init_task.sched_class"), "$N = (const struct sched_class *) 0xffffffffa3b983a0 <idle_sched_class>\n");
  EXPECT_EQ(p("init_task.se.load.weight * 2"), "$N = 2097152\n");
  EXPECT_EQ(strip_history(run("p/x init_task.flags")), "$N = 0x4200002\n");
  EXPECT_EQ(p("-x init_task.flags"), "$N = 0x4200002\n");
  EXPECT_EQ(p("sizeof(init_task)"), "$N = 9728\n");
  EXPECT_EQ(p("*(struct list_head *)0xffffffffa421b2d0"),
            "$N = {\n  next = 0xffff8ad901204a10,\n  prev = 0xffff8ad902b2ca10\n}\n");
  EXPECT_EQ(p("((struct list_head *)0xffffffffa421b2d0)->next"), "$N = (struct list_head *) 0xffff8ad901204a10\n");
  EXPECT_EQ(p("linux_banner[0]"), "$N = 76 'L'\n");
  EXPECT_EQ(p("&linux_banner"), "$N = (const char (*)[204]) 0xffffffffa391ffe0 <linux_banner>\n");
  EXPECT_EQ(p("&init_task.comm"), "$N = (char (*)[16]) 0xffffffffa421b5e0 <init_task+2976>\n");
  EXPECT_EQ(p("init_task.numa_faults_locality"), "$N = {0, 0, 0}\n");
  EXPECT_EQ(p("10/3"), "$N = 3\n");
  EXPECT_EQ(p("'A'"), "$N = 65 'A'\n");
  EXPECT_EQ(p("schedule"), "schedule = $N = \n {void (void)} 0xffffffffa32114f0 <schedule>\n");
  EXPECT_EQ(p("&schedule"), "$N = (void (*)(void)) 0xffffffffa32114f0 <schedule>\n");
  EXPECT_EQ(p("*schedule"), "$N = {void (void)} 0xffffffffa32114f0 <schedule>\n");
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
  EXPECT_EQ(p("saved_command_line"),
            "saved_command_line = $N = 0xffff8ad91fde57c0 \"console=ttyS0,115200 panic=0 loglevel=7 \"\n");
  EXPECT_EQ(p("zone_names"),
            "zone_names = $N = \n {0xffffffffa3b6a7ad \"DMA\", 0xffffffffa3b08a70 \"DMA32\", 0xffffffffa3b088b9 "
            "\"Normal\", 0xffffffffa3b088c0 \"Movable\", 0xffffffffa3b61208 \"Device\"}\n");
  EXPECT_EQ(p("init_task.thread_pid->numbers"), "$N = 0xffffffffa4259520 <init_struct_pid+96>\n");
  EXPECT_EQ(p("(struct task_struct *)init_task.tasks.next"), "$N = (struct task_struct *) 0xffff8ad901204a10\n");
  EXPECT_EQ(p("&((struct task_struct *)0)->tasks"), "$N = (struct list_head *) 0x890\n");
  EXPECT_EQ(p("pcpu_base_addr"), "pcpu_base_addr = $N = (void *) 0xffff8ad91f200000\n");
  EXPECT_EQ(p("init_mm.pgd"), "$N = (pgd_t *) 0xffffffffa4210000 <init_top_pgt>\n");
  EXPECT_EQ(p("*init_task.active_mm->pgd"), "$N = {\n  pgd = 0\n}\n");
  EXPECT_EQ(run("p nosuch_symbol_xyz").rfind("ERROR: ", 0), 0u);
  EXPECT_EQ(run("p init_task.nosuch").rfind("ERROR: ", 0), 0u);
}

TEST_F(CrashParity, PerCpu) {
  EXPECT_EQ(run("p runqueues"),
            "PER-CPU DATA TYPE:\n  struct rq runqueues;\nPER-CPU ADDRESSES:\n  [0]: ffff8ad91f231980\n"
            "  [1]: ffff8ad91f2b1980\n  [2]: ffff8ad91f331980\n  [3]: ffff8ad91f3b1980\n");
  EXPECT_EQ(strip_history(run("p cfd_data:a")),
            "per_cpu(cfd_data, 0) = $N = {\n  pcpu = 0x374e0,\n  cpumask = 0xffff8ad9010693a8,\n"
            "  cpumask_ipi = 0xffff8ad901069bb8\n}\n"
            "per_cpu(cfd_data, 1) = $N = {\n  pcpu = 0x38460,\n  cpumask = 0xffff8ad9010692b8,\n"
            "  cpumask_ipi = 0xffff8ad901069248\n}\n"
            "per_cpu(cfd_data, 2) = $N = {\n  pcpu = 0x38480,\n  cpumask = 0xffff8ad901069e28,\n"
            "  cpumask_ipi = 0xffff8ad901069ec0\n}\n"
            "per_cpu(cfd_data, 3) = $N = {\n  pcpu = 0x384a0,\n  cpumask = 0xffff8ad901069530,\n"
            "  cpumask_ipi = 0xffff8ad901069af8\n}\n");
  EXPECT_EQ(strip_history(run("p cpu_number:a")),
            "per_cpu(cpu_number, 0) = $N = 0\nper_cpu(cpu_number, 1) = $N = 1\n"
            "per_cpu(cpu_number, 2) = $N = 2\nper_cpu(cpu_number, 3) = $N = 3\n");
  EXPECT_EQ(strip_history(run("p call_single_queue:1")), "per_cpu(call_single_queue, 1) = $N = {\n  first = 0x0\n}\n");
  std::string rq1 = run("p runqueues:1");
  EXPECT_EQ(rq1.rfind("per_cpu(runqueues, 1) = $", 0), 0u);
  EXPECT_NE(rq1.find("\n  nr_running = 1,\n"), std::string::npos);
  EXPECT_NE(rq1.find("    func = 0xffffffffa28ce640 <nohz_csd_func>,\n"), std::string::npos);
  EXPECT_EQ(strip_history(run("p per_cpu(cpu_number, 2)")), "$N = 2\n");
  EXPECT_EQ(run("struct tss_struct.x86_tss -x cpu_tss_rw:0").substr(0, 41), "[0]: ffff8ad91f206000\n  x86_tss = {\n    r");
}

}  // namespace
