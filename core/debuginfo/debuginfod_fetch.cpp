#include "core/debuginfo/debuginfod_fetch.hpp"

#include <elfutils/debuginfod.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace kinspect {

bool debuginfod_enabled() {
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  return urls && *urls;
}

namespace {

struct ProgressState {
  std::string what;
  const std::function<void(std::string_view)>* progress = nullptr;
  long last_shown = -1;
};

// libdebuginfod calls this while it waits and as bytes arrive: a = bytes
// so far, b = the total when the server said it (else 0 or negative).
int on_progress(debuginfod_client* c, long a, long b) {
  auto* st = static_cast<ProgressState*>(debuginfod_get_user_data(c));
  if (!st || !st->progress || !*st->progress) return 0;
  long mb10 = a / (1024 * 1024 / 10);  // one update per 0.1 MB
  if (mb10 == st->last_shown) return 0;
  st->last_shown = mb10;
  char line[256];
  if (b > 0)
    std::snprintf(line, sizeof line, "debuginfod: downloading %s: %.1f of %.1f MB", st->what.c_str(),
                  a / 1048576.0, b / 1048576.0);
  else
    std::snprintf(line, sizeof line, "debuginfod: downloading %s: %.1f MB", st->what.c_str(), a / 1048576.0);
  (*st->progress)(line);
  return 0;
}

}  // namespace

Result<std::string> debuginfod_fetch(std::string_view build_id, std::string_view what,
                                     const std::function<void(std::string_view)>& progress) {
  if (!debuginfod_enabled()) return fail(Errc::not_found, "DEBUGINFOD_URLS is not set");
  if (build_id.empty() || build_id.size() % 2 != 0) return fail(Errc::invalid_argument, "no build-id to ask debuginfod for");
  std::unique_ptr<debuginfod_client, void (*)(debuginfod_client*)> client(debuginfod_begin(), debuginfod_end);
  if (!client) return fail(Errc::io, "debuginfod: cannot start a client");
  ProgressState st{std::string(what), &progress};
  debuginfod_set_user_data(client.get(), &st);
  debuginfod_set_progressfn(client.get(), on_progress);
  // The build-id as hex text (length 0 tells the library it is a string).
  std::string id(build_id);
  char* path = nullptr;
  int fd = debuginfod_find_debuginfo(client.get(), reinterpret_cast<const unsigned char*>(id.c_str()), 0, &path);
  if (st.last_shown >= 0 && progress) progress("");  // clears the line
  if (fd < 0) {
    std::free(path);
    return fail(fd == -ENOENT ? Errc::not_found : Errc::io,
                "debuginfod has no debug file for build-id " + id + " (" + std::strerror(-fd) + ")");
  }
  close(fd);
  std::string out = path ? path : "";
  std::free(path);
  if (out.empty()) return fail(Errc::io, "debuginfod returned no path for build-id " + id);
  return out;
}

}  // namespace kinspect
