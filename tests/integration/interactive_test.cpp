// The interactive prompt under a real terminal (tmux): tab completion of a
// struct name and a member path, a pipe to the shell, and Ctrl-C during a
// long foreach that stops the command but not the session.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "sample_dump.hpp"

using namespace kinspect::testing;

namespace {

class Tmux {
 public:
  explicit Tmux(const std::string& command) : name_("kinspect-test-" + std::to_string(getpid())) {
    run_shell("tmux kill-session -t " + name_ + " 2>/dev/null");
    started_ = run_shell("tmux new-session -d -x 200 -y 50 -s " + name_ + " " + shell_quote(command)).status == 0;
  }
  ~Tmux() { run_shell("tmux kill-session -t " + name_ + " 2>/dev/null"); }
  bool started() const { return started_; }
  void keys(const std::string& k) { run_shell("tmux send-keys -t " + name_ + " " + k); }
  void type(const std::string& text) { keys("-l " + shell_quote(text)); }
  std::string screen() { return run_shell("tmux capture-pane -p -S -2000 -t " + name_).out; }
  // Waits until the screen holds `what` `times` times (up to 60 s).
  bool wait_for(const std::string& what, int times = 1) {
    for (int i = 0; i < 600; ++i) {
      std::string s = screen();
      int n = 0;
      for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
      if (n >= times) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  std::string name_;
  bool started_ = false;
};

TEST(Interactive, CompletionPipeAndCtrlCUnderTmux) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  if (run_shell("command -v tmux").status != 0) GTEST_SKIP() << "tmux is not installed";
  std::string home = "/tmp/kinspect-tmux-home-" + std::to_string(getpid());
  std::filesystem::create_directories(home);
  Tmux t("env HOME=" + home + " PAGER=cat TERM=xterm " + std::string(KINSPECT_BINARY) + " " +
         d.path("VMLINUX") + " " + d.path("VMCORE_QEMU_ELF"));
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("kinspect>")) << t.screen();

  t.type("struct task_str");
  t.keys("Tab");
  EXPECT_TRUE(t.wait_for("kinspect> struct task_struct")) << t.screen();
  t.keys("C-u");

  // comm and compat_robust_list share "com"; readline inserts it.
  t.type("p init_task.co");
  t.keys("Tab");
  EXPECT_TRUE(t.wait_for("kinspect> p init_task.com")) << t.screen();
  t.keys("C-u");
  // A unique member through a nested struct completes whole, and runs.
  t.type("p init_task.se.vrun");
  t.keys("Tab");
  EXPECT_TRUE(t.wait_for("kinspect> p init_task.se.vruntime")) << t.screen();
  t.keys("Enter");
  EXPECT_TRUE(t.wait_for("$1 = ")) << t.screen();

  t.type("ps | grep kinspect-");
  t.keys("Enter");
  // The sample's two kinspect-panic / kinspect-spin rows come back through grep.
  EXPECT_TRUE(t.wait_for("kinspect>", 3)) << t.screen();

  t.type("foreach bt");
  t.keys("Enter");
  t.keys("C-c");
  t.type("sys");
  t.keys("Enter");
  EXPECT_TRUE(t.wait_for("     RELEASE: " + d.fact("release"))) << t.screen();
  t.type("p jiffies");
  t.keys("Enter");
  EXPECT_TRUE(t.wait_for("jiffies = $2")) << t.screen();
  std::string screen = t.screen();
  EXPECT_NE(screen.find("  kinspect-panic\n"), std::string::npos) << screen;
  EXPECT_NE(screen.find("  kinspect-spin\n"), std::string::npos) << screen;

  std::filesystem::remove_all(home);
}

// Output longer than the terminal goes through less; quitting it returns to
// the prompt, and `set scroll off` prints straight through.
TEST(Interactive, LongOutputIsPagedUnlessScrollIsOff) {
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-sysrq");
  if (run_shell("command -v tmux && command -v less").status != 0) GTEST_SKIP() << "tmux or less missing";
  std::string home = "/tmp/kinspect-tmux-home-pager-" + std::to_string(getpid());
  std::filesystem::create_directories(home);
  Tmux t("env -u PAGER HOME=" + home + " TERM=xterm LESS= " + std::string(KINSPECT_BINARY) + " -s " +
         d.path("VMLINUX") + " " + d.path("VMCORE_QEMU_ELF"));
  ASSERT_TRUE(t.started());
  ASSERT_TRUE(t.wait_for("kinspect>")) << t.screen();
  t.type("ps");
  t.keys("Enter");
  // less holds the rest back: the last task is not on the screen yet.
  ASSERT_TRUE(t.wait_for("[kthreadd]")) << t.screen();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(t.screen().find("kinspect-panic"), std::string::npos) << t.screen();
  t.keys("q");
  ASSERT_TRUE(t.wait_for("kinspect>", 2)) << t.screen();
  t.type("set scroll off");
  t.keys("Enter");
  t.type("ps");
  t.keys("Enter");
  EXPECT_TRUE(t.wait_for("kinspect-panic")) << t.screen();
  std::filesystem::remove_all(home);
}

}  // namespace
