// Debuginfo found, not hunted: the vmlinux of a dump by its VMCOREINFO
// BUILD-ID and release under -d DIR (the root of the unpacked -dbg
// package), with the same output as when the vmlinux is given; a file
// with another build-id is passed over; and, opt-in because the server
// must first index the 283 MB -dbg .deb (about 2 minutes), a real
// debuginfod on 127.0.0.1 serving the cached .deb to an empty client cache.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "core/debuginfo/debuginfo_path.hpp"
#include "sample_dump.hpp"

using namespace kinspect;
using namespace kinspect::testing;
namespace fs = std::filesystem;

namespace {

const char* const kSamples[] = {"x86_64-sysrq",          "x86_64-csd-lockup",    "x86_64-kdump",
                                "arm64-sysrq",           "arm64-csd-lockup",     "x86_64-bullseye-sysrq",
                                "x86_64-trixie-sysrq",   "arm64-bullseye-sysrq", "arm64-trixie-sysrq"};

// The root of the unpacked -dbg package the sample's VMLINUX lies in
// (ROOT/usr/lib/debug/boot/vmlinux-RELEASE).
std::string dbg_root(const SampleDump& d) {
  std::string v = d.path("VMLINUX");
  return v.substr(0, v.find("/usr/lib/debug/boot/"));
}

std::string steps_cmd() { return std::string(KINSPECT_SOURCE_DIR) + "/tests/release/steps.cmd"; }

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("kinspect-" + tag + "-" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

class DebuginfoSearch : public ::testing::TestWithParam<const char*> {};

// kinspect -d ROOT -c steps.cmd VMCORE runs the README's steps with the
// vmlinux found (sys names it: the sample's own), and on one sample prints
// exactly what kinspect VMLINUX VMCORE prints.
TEST_P(DebuginfoSearch, OpensWithDashDAndNoVmlinux) {
  KINSPECT_REQUIRE_SAMPLE(d, GetParam());
  RunResult found = run_kinspect({"--no-rc", "-d", dbg_root(d), "-c", steps_cmd(), d.path("VMCORE")});
  ASSERT_EQ(found.status, 0) << found.err;
  EXPECT_NE(found.out.find("KERNEL: " + d.path("VMLINUX")), std::string::npos) << found.out.substr(0, 600);
  EXPECT_NE(found.out.find("RELEASE: " + d.fact("release")), std::string::npos);
  EXPECT_NE(found.out.find("kinspect> bt\nPID: "), std::string::npos) << found.out;
  if (std::string(GetParam()) != "x86_64-csd-lockup") return;
  RunResult given = run_kinspect({"--no-rc", "-c", steps_cmd(), d.path("VMLINUX"), d.path("VMCORE")});
  ASSERT_EQ(given.status, 0) << given.err;
  EXPECT_EQ(found.out, given.out);
}

INSTANTIATE_TEST_SUITE_P(Samples, DebuginfoSearch, ::testing::ValuesIn(kSamples), SampleName());

// The search order, and a candidate with another build-id passed over for
// a later one that matches.
TEST(DebuginfoSearchOrder, BuildIdFirstThenReleaseAndMismatchesPassedOver) {
  DebuginfoPath p;
  p.dirs = {"/a/"};
  p.system = true;
  auto c = vmlinux_candidates(p, "0123abcd", "6.1.0-57-cloud-amd64");
  std::vector<std::string> want = {
      "/a/usr/lib/debug/.build-id/01/23abcd.debug",
      "/a/.build-id/01/23abcd.debug",
      "/a/usr/lib/debug/boot/vmlinux-6.1.0-57-cloud-amd64",
      "/a/boot/vmlinux-6.1.0-57-cloud-amd64",
      "/a/usr/lib/debug/lib/modules/6.1.0-57-cloud-amd64/vmlinux",
      "/a/lib/modules/6.1.0-57-cloud-amd64/vmlinux",
      "/a/vmlinux-6.1.0-57-cloud-amd64",
      "/a/vmlinux",
      "/usr/lib/debug/.build-id/01/23abcd.debug",
      "/usr/lib/debug/boot/vmlinux-6.1.0-57-cloud-amd64",
      "/usr/lib/debug/lib/modules/6.1.0-57-cloud-amd64/vmlinux",
      "/boot/vmlinux-6.1.0-57-cloud-amd64",
  };
  EXPECT_EQ(c, want);

  KINSPECT_REQUIRE_SAMPLE(x86, "x86_64-sysrq");
  KINSPECT_REQUIRE_SAMPLE(arm, "arm64-sysrq");
  TempDir t("search");
  std::string rel = x86.fact("release");
  // The arm64 vmlinux where the x86_64 one is looked for first by name: its
  // build-id is not the dump's, so the x86_64 one under another name wins.
  fs::create_directories(t.path / "boot");
  fs::create_symlink(arm.path("VMLINUX"), t.path / "boot" / ("vmlinux-" + rel));
  fs::create_symlink(x86.path("VMLINUX"), t.path / ("vmlinux-" + rel));
  RunResult bid = run_shell("readelf -n " + shell_quote(x86.path("VMLINUX")));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(bid.out, m, std::regex("Build ID: ([0-9a-f]{40})"))) << bid.out << bid.err;
  std::string id = m[1];
  DebuginfoPath q;
  q.dirs = {t.path.string()};
  q.system = false;
  q.debuginfod = false;
  auto got = find_vmlinux(q, id, rel);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, (t.path / ("vmlinux-" + rel)).string());
  // Nothing matches: the error names where it looked and what it refused.
  fs::remove(t.path / ("vmlinux-" + rel));
  auto none = find_vmlinux(q, id, rel);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("refused " + (t.path / "boot" / ("vmlinux-" + rel)).string()), std::string::npos)
      << none.error().message;
  EXPECT_NE(none.error().message.find(t.path.string()), std::string::npos);
}

namespace {

// The value of one Prometheus line of debuginfod's /metrics, or -1.
long metric(const std::string& metrics, const std::string& name) {
  size_t at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::atol(metrics.c_str() + at + name.size() + 2);
}

}  // namespace

// A real debuginfod (elfutils' server) on 127.0.0.1 serving the cached
// x86_64 -dbg .deb: with an empty client cache and no -d, the vmlinux
// arrives by the dump's build-id and the session runs; a second run with
// the server stopped is served from the client cache. Opt-in
// (KINSPECT_TEST_DEBUGINFOD=1): indexing the .deb takes about 2 minutes.
TEST(Debuginfod, VmlinuxArrivesFromARealServerIntoAnEmptyCache) {
  if (!getenv("KINSPECT_TEST_DEBUGINFOD")) GTEST_SKIP() << "set KINSPECT_TEST_DEBUGINFOD=1 (indexing takes ~2 min)";
  KINSPECT_REQUIRE_SAMPLE(d, "x86_64-csd-lockup");
  if (run_shell("command -v debuginfod && command -v bsdtar").status != 0)
    GTEST_SKIP() << "debuginfod or bsdtar (libarchive-tools) not installed";
  std::string debs = std::string(getenv("HOME")) + "/.cache/kinspect/debs/amd64";
  std::string deb;
  for (const auto& e : fs::directory_iterator(debs))
    if (e.path().filename().string().find("-dbg_") != std::string::npos) deb = e.path().string();
  ASSERT_FALSE(deb.empty()) << "no -dbg .deb in " << debs;
  TempDir t("debuginfod");
  fs::create_directories(t.path / "debs");
  fs::create_symlink(deb, t.path / "debs" / fs::path(deb).filename());
  int port = 20000 + getpid() % 20000;
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  std::string pidfile = (t.path / "server.pid").string();
  RunResult start = run_shell("debuginfod -L -U " + shell_quote((t.path / "debs").string()) + " -p " +
                              std::to_string(port) + " -d " + shell_quote((t.path / "db.sqlite").string()) +
                              " > " + shell_quote((t.path / "server.log").string()) + " 2>&1 & echo $! > " +
                              shell_quote(pidfile));
  ASSERT_EQ(start.status, 0);
  std::string server_pid;
  std::ifstream(pidfile) >> server_pid;
  auto stop = [&] { run_shell("kill " + server_pid + " 2>/dev/null; sleep 1"); };
  // Ready when the .deb was scanned and no scan is pending or busy.
  bool ready = false;
  for (int i = 0; i < 300 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    RunResult m = run_shell("curl -s " + url + "/metrics");
    std::string text = "\n" + m.out;
    ready = metric(text, "scanned_files_total{source=\".deb archive\"}") >= 1 &&
            metric(text, "thread_work_pending{role=\"scan\"}") == 0 && metric(text, "thread_busy{role=\"scan\"}") == 0;
  }
  if (!ready) {
    stop();
    FAIL() << "debuginfod did not finish indexing " << deb;
  }
  std::string env = "DEBUGINFOD_URLS=" + url + " DEBUGINFOD_CACHE_PATH=" + shell_quote((t.path / "cache").string()) +
                    " DEBUGINFOD_PROGRESS=0 ";
  std::string cmd = env + shell_quote(std::string(KINSPECT_BINARY)) + " --no-rc -c " + shell_quote(steps_cmd()) +
                    " " + shell_quote(d.path("VMCORE"));
  RunResult first = run_shell(cmd);
  stop();
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("KERNEL: " + (t.path / "cache").string()), std::string::npos) << first.out.substr(0, 600);
  EXPECT_NE(first.out.find("RELEASE: " + d.fact("release")), std::string::npos);
  RunResult second = run_shell(cmd);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(first.out, second.out);
}
