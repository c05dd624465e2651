// kinspect VMLINUX VMCORE: open a dump and answer crash-language commands.
#include <getopt.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands/command.hpp"
#include "commands/repl.hpp"
#include "commands/session.hpp"
#include "commands/startup.hpp"
#include "core/linux/modules.hpp"
#include "core/program.hpp"

using namespace kinspect;

namespace {

void usage(FILE* f) {
  std::fputs(
      "usage: kinspect [OPTIONS] VMLINUX VMCORE\n"
      "       (the two files may come in either order)\n"
      "\n"
      "  -c FILE            run the commands in FILE, then exit (status 1 if any failed)\n"
      "  -i FILE            run the commands in FILE, then stay interactive\n"
      "  -s                 silent: no startup summary\n"
      "  --stop-on-error    with -c or stdin: stop at the first failing command\n"
      "  --force            open even if the vmlinux does not match the dump\n"
      "  --zero-excluded    read pages the dump left out as zeros (crash's --zero_excluded)\n"
      "  -h, --help         this text\n"
      "  -v, --version      print the version\n"
      "\n"
      "Without -c, commands come from the terminal's prompt, or from stdin when it\n"
      "is not a terminal. \"help\" lists commands; see kinspect(1).\n",
      f);
}

}  // namespace

int main(int argc, char** argv) {
  std::string script, init_script;
  bool silent = false, stop_on_error = false, force = false, zero_excluded = false;
  static const option long_opts[] = {
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'v'},
      {"stop-on-error", no_argument, nullptr, 'E'},
      {"force", no_argument, nullptr, 'F'},
      {"zero-excluded", no_argument, nullptr, 'Z'},
      {nullptr, 0, nullptr, 0},
  };
  int c;
  while ((c = getopt_long(argc, argv, "c:i:shv", long_opts, nullptr)) != -1) {
    switch (c) {
      case 'c': script = optarg; break;
      case 'i': init_script = optarg; break;
      case 's': silent = true; break;
      case 'E': stop_on_error = true; break;
      case 'F': force = true; break;
      case 'Z': zero_excluded = true; break;
      case 'h': usage(stdout); return 0;
      case 'v': std::printf("kinspect 0.1.0\n"); return 0;
      default: usage(stderr); return 2;
    }
  }
  std::vector<std::string> files(argv + optind, argv + argc);
  if (files.size() != 2) {
    std::fprintf(stderr, "kinspect: need a VMLINUX and a VMCORE (got %zu file%s)\n", files.size(),
                 files.size() == 1 ? "" : "s");
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
  auto prog = Program::open(files[0], files[1], opts);
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
