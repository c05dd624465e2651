// Module debuginfo (mod -s): sunrpc's debug file from the Debian -dbg tree,
// relocated to where the x86_64-csd-lockup dump loaded sunrpc. The layout
// expected is crash's `struct rpc_task -o` after `mod -s sunrpc`; the
// element naming is kinspect's answer to incident 4.
#include <gtest/gtest.h>

#include "commands/kernel/module_debuginfo.hpp"
#include "commands/session.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"
#include "tests/unit/types_test_env.hpp"

using namespace kinspect;

namespace {

class ModuleDebuginfo : public ::testing::Test {
 protected:
  void SetUp() override {
    auto paths = kinspect::testing::sample_paths("x86_64-csd-lockup");
    KINSPECT_NEED_FILE(paths["VMCORE_MDF_ZLIB"]);
    dbg_dir_ = paths["MODULE_DEBUG_DIR"];
    KINSPECT_NEED_FILE(dbg_dir_ + "/kernel/net/sunrpc/sunrpc.ko");
    auto prog = Program::open(paths["VMLINUX"], paths["VMCORE_MDF_ZLIB"]);
    ASSERT_TRUE(prog.ok()) << prog.error().to_string();
    session_ = std::make_unique<Session>(std::move(prog).value());
    auto mods = read_modules(prog_());
    ASSERT_TRUE(mods.ok()) << mods.error().to_string();
    for (auto& m : *mods)
      if (m.name == "sunrpc") sunrpc_ = m;
    ASSERT_EQ(sunrpc_.name, "sunrpc");
  }
  Program& prog_() { return *session_->program(); }
  std::string run(const std::string& line) {
    StringOutput out;
    Status st = session_->run_line(line, out);
    return st.ok() ? out.str() : "ERROR: " + st.error().to_string();
  }
  std::string dbg_dir_;
  std::unique_ptr<Session> session_;
  KernelModule sunrpc_;
};

TEST_F(ModuleDebuginfo, LoadsRelocatesAndNamesArrayElements) {
  EXPECT_EQ(run("whatis rpcb_procedures2").rfind("ERROR: ", 0), 0u);  // a static of sunrpc
  auto path = load_module_debuginfo(prog_(), sunrpc_, std::nullopt, module_debug_dirs(prog_()));
  ASSERT_TRUE(path.ok()) << path.error().to_string();
  EXPECT_EQ(*path, dbg_dir_ + "/kernel/net/sunrpc/sunrpc.ko");
  EXPECT_EQ(prog_().types().module_file("sunrpc"), *path);
  EXPECT_EQ(run("whatis rpcb_procedures2"), "const struct rpc_procinfo rpcb_procedures2[];\n");
  std::string layout = run("struct rpc_task -o");
  EXPECT_EQ(layout.rfind("struct rpc_task {\n"
            "    [0] atomic_t tk_count;\n"
            "    [4] int tk_status;\n"
            "    [8] struct list_head tk_task;\n"
            "   [24] void (*tk_callback)(struct rpc_task *);\n", 0),
            0u);
  EXPECT_NE(layout.find("        union {\n"
                        "            struct work_struct tk_work;\n"
                        "            struct rpc_wait tk_wait;\n"
                        "   [64] } u;\n"),
            std::string::npos);
  EXPECT_NE(layout.find("  [208] pid_t tk_owner;\n"), std::string::npos);
  EXPECT_NE(layout.find("  [222] unsigned char tk_cred_retry : 2;\n}\nSIZE: 224\n"), std::string::npos);
  // Relocated: the static array's symbol and DWARF agree, and a pointer into
  // it names the element (crash: <rpcb_procedures2+96>).
  std::string p = run("p &rpcb_procedures2[2]");
  EXPECT_NE(p.find("(const struct rpc_procinfo *) 0xffffffffc"), std::string::npos) << p;
  EXPECT_NE(p.find(" <rpcb_procedures2[2]>\n"), std::string::npos) << p;
  EXPECT_NE(run("p (char *)&rpcb_procedures2[2] + 8").find(" <rpcb_procedures2[2]+8> "), std::string::npos);
  // rpcb_procedures2[] = { [RPCBPROC_SET] = {.p_name = "SET"}, [RPCBPROC_UNSET] = {.p_name = "UNSET"} }
  EXPECT_NE(run("p rpcb_procedures2[2].p_name").find(" \"UNSET\"\n"), std::string::npos);
  EXPECT_NE(run("p rpcb_procedures2[1].p_name").find(" \"SET\"\n"), std::string::npos);
}

TEST_F(ModuleDebuginfo, RefusesAFileOfAnotherModule) {
  auto r = load_module_debuginfo(prog_(), sunrpc_, dbg_dir_ + "/kernel/drivers/firmware/qemu_fw_cfg.ko", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::mismatch);
  EXPECT_NE(r.error().message.find("build-id"), std::string::npos);
  EXPECT_EQ(prog_().types().module_file("sunrpc"), "");
}

}  // namespace
