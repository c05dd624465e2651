// kinspect VMLINUX VMCORE: open a dump and answer crash-language commands.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "commands/kernel/postmortem_output.hpp"
#include "commands/shell/repl.hpp"
#include "commands/session.hpp"
#include "commands/startup.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"

namespace kinspect {
// "0.1.0 (git 1234abcd)": generated at build time (commands/version_info.cmake).
extern const char kVersionString[];
}  // namespace kinspect

using namespace kinspect;

namespace {

void usage(FILE* f) {
  std::fputs(
      "usage: kinspect [OPTIONS] [VMLINUX] VMCORE\n"
      "       (the two files may come in either order; without VMLINUX it is found\n"
      "       by the dump's build-id and release under -d DIR, /usr/lib/debug, /boot,\n"
      "       then debuginfod when DEBUGINFOD_URLS is set)\n"
      "       kinspect --log FILE [--mod-dir DIR]... [VMLINUX]\n"
      "\n"
      "  -c FILE            run the commands in FILE, then exit (status 1 if any failed)\n"
      "  -i FILE            run the commands in FILE, then stay interactive\n"
      "  -s                 silent: no startup summary\n"
      "  -d DIR             look for the vmlinux and module debug files under DIR\n"
      "                     first (repeatable; e.g. an unpacked -dbg package)\n"
      "  --stop-on-error    with -c or stdin: stop at the first failing command\n"
      "  --force            open even if the vmlinux does not match the dump\n"
      "  --zero-excluded    read pages the dump left out as zeros (crash's --zero_excluded)\n"
      "  --no-rc            do not run ~/.kinspectrc and ./.kinspectrc\n"
      "  --log FILE         no dump: symbolize and summarize the reports of kernel log\n"
      "                     FILE against VMLINUX (the postmortem command), then exit;\n"
      "                     without VMLINUX, parse and summarize only\n"
      "  --mod-dir DIR      with --log: look for module debug files in DIR first\n"
      "  --triage           print the triage report (why the machine stopped) and exit\n"
      "  --json             with --triage: the report as JSON\n"
      "  -h, --help         this text\n"
      "  -v, --version      print the version\n"
      "\n"
      "Without -c, commands come from the terminal's prompt, or from stdin when it\n"
      "is not a terminal. \"help\" lists commands; see kinspect(1).\n",
      f);
}

// kinspect --log FILE VMLINUX: a log and a vmlinux, no dump, so no
// Session: the postmortem analysis runs once and prints to stdout.
int run_log_only(const std::string& log_file, const std::vector<std::string>& files,
                 const std::vector<std::string>& mod_dirs) {
  // Without a VMLINUX the reports are parsed and summarized, not symbolized.
  if (files.size() > 1) {
    std::fprintf(stderr, "kinspect: --log takes one VMLINUX (got %zu files)\n", files.size());
    return 2;
  }
  std::ifstream f(log_file, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "kinspect: %s: %s\n", log_file.c_str(), std::strerror(errno));
    return 1;
  }
  std::stringstream text;
  text << f.rdbuf();
  PostmortemRequest req;
  req.log_name = log_file;
  if (!files.empty()) req.vmlinux = files[0];
  req.module_dirs = mod_dirs;
  FileOutput out(stdout);
  if (auto st = run_postmortem(text.str(), req, out); !st) {
    std::fflush(stdout);
    std::fprintf(stderr, "kinspect: %s\n", st.error().to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string script, init_script, log_file;
  std::vector<std::string> mod_dirs, debug_dirs;
  bool silent = false, stop_on_error = false, force = false, zero_excluded = false, no_rc = false;
  bool triage = false, json = false;
  static const option long_opts[] = {
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'v'},
      {"stop-on-error", no_argument, nullptr, 'E'},
      {"force", no_argument, nullptr, 'F'},
      {"zero-excluded", no_argument, nullptr, 'Z'},
      {"no-rc", no_argument, nullptr, 'N'},
      {"log", required_argument, nullptr, 'L'},
      {"mod-dir", required_argument, nullptr, 'M'},
      {"triage", no_argument, nullptr, 'T'},
      {"json", no_argument, nullptr, 'J'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "c:i:d:shv", long_opts, nullptr)) != -1) {
    switch (c) {
      case 'c': script = optarg; break;
      case 'i': init_script = optarg; break;
      case 's': silent = true; break;
      case 'd': debug_dirs.push_back(optarg); break;
      case 'E': stop_on_error = true; break;
      case 'F': force = true; break;
      case 'N': no_rc = true; break;
      case 'Z': zero_excluded = true; break;
      case 'L': log_file = optarg; break;
      case 'M': mod_dirs.push_back(optarg); break;
      case 'T': triage = true; break;
      case 'J': json = true; break;
      case 'h': usage(stdout); return 0;
      case 'v': std::printf("kinspect %s\n", kVersionString); return 0;
      default: usage(stderr); return 2;
    }
  }
  std::vector<std::string> files(argv + optind, argv + argc);
  if (!log_file.empty()) return run_log_only(log_file, files, mod_dirs);
  if (json && !triage) {
    std::fprintf(stderr, "kinspect: --json goes with --triage; in a session use triage -j\n");
    return 2;
  }
  if (!mod_dirs.empty()) {
    std::fprintf(stderr, "kinspect: --mod-dir is for --log; in a session use mod -S DIR or postmortem -d DIR\n");
    return 2;
  }
  if (files.empty() || files.size() > 2) {
    std::fprintf(stderr, "kinspect: need a VMCORE and optionally its VMLINUX (got %zu files)\n", files.size());
    usage(stderr);
    return 2;
  }

  OpenOptions opts;
  opts.force_mismatch = force;
  opts.zero_excluded = zero_excluded;
  bool tty_err = isatty(STDERR_FILENO);
  opts.progress = [tty_err](std::string_view msg) {
    if (tty_err) std::fprintf(stderr, "\r\033[K%.*s", static_cast<int>(msg.size()), msg.data());
  };
  opts.debuginfo.dirs = debug_dirs;
  opts.debuginfo.progress = opts.progress;
  auto prog = Program::open(files[0], files.size() > 1 ? files[1] : "", opts);
  if (tty_err) std::fprintf(stderr, "\r\033[K");
  if (!prog) {
    std::fprintf(stderr, "kinspect: %s\n", prog.error().to_string().c_str());
    return 1;
  }
  for (const auto& w : (*prog)->warnings()) std::fprintf(stderr, "kinspect: %s\n", w.c_str());
  // Module addresses resolve from the dump's kallsyms before any debuginfo.
  if (auto mods = load_module_symbols(**prog); !mods)
    std::fprintf(stderr, "kinspect: WARNING: module symbols unavailable: %s\n",
                 mods.error().to_string().c_str());

  Session session(std::move(prog).value());
  if (triage) {
    // One report to stdout, no banner: kinspect --triage [--json] V C | less.
    FileOutput out(stdout);
    auto st = session.run_line(json ? "triage -j" : "triage", out);
    std::fflush(stdout);
    if (!st) std::fprintf(stderr, "kinspect: triage: %s\n", st.error().to_string().c_str());
    return st ? 0 : 1;
  }
  if (!silent) {
    FileOutput out(stdout);
    print_startup_summary(session, out);
    out.write("\n");
    if (auto cur = session.current_task(); cur.ok()) {
      print_context(session, **cur, out);
      out.write("\n");
    }
    std::fflush(stdout);
  }

  auto run_file = [&](const std::string& path) -> BatchResult {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) {
      std::fprintf(stderr, "kinspect: %s: %s\n", path.c_str(), std::strerror(errno));
      return BatchResult{0, 1, true};
    }
    BatchResult r = run_script(session, f, stop_on_error);
    std::fclose(f);
    return r;
  };

  // Start-up files, as crash's .crashrc: the home one, then the current
  // directory's (unless it is the same file). Their output shows, their
  // commands are not echoed, and their failures do not fail a -c run.
  if (!no_rc) {
    std::vector<std::string> rcs;
    if (const char* home = std::getenv("HOME")) rcs.push_back(std::string(home) + "/.kinspectrc");
    rcs.push_back(".kinspectrc");
    std::error_code ec;
    for (size_t i = 0; i < rcs.size(); ++i) {
      if (!std::filesystem::is_regular_file(rcs[i], ec)) continue;
      if (i == 1 && !rcs.empty() && std::filesystem::equivalent(rcs[0], rcs[1], ec)) continue;
      if (FILE* f = std::fopen(rcs[i].c_str(), "r")) {
        run_script(session, f, false, /*echo=*/false);
        std::fclose(f);
      }
    }
  }

  if (!script.empty()) {
    BatchResult r = run_file(script);
    return r.failed ? 1 : 0;
  }
  if (!init_script.empty()) run_file(init_script);
  if (!isatty(STDIN_FILENO)) {
    BatchResult r = run_script(session, stdin, stop_on_error);
    return r.failed ? 1 : 0;
  }
  run_interactive(session);
  return 0;
}
