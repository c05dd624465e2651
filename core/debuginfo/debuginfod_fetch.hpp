// Debug files by build-id from debuginfod servers, through elfutils'
// libdebuginfod: only when DEBUGINFOD_URLS is set (the client's own rule),
// into its cache (DEBUGINFOD_CACHE_PATH, else ~/.cache/debuginfod_client),
// so a second run reads the cached file without asking a server.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace kinspect {

// True when DEBUGINFOD_URLS names at least one server.
bool debuginfod_enabled();

// The path of the cached debug file with that build-id (hex), fetched
// first when not cached. progress gets one line per update while bytes
// arrive ("debuginfod: vmlinux 12.0 of 283.3 MB"); `what` names the file
// in it. Errc::not_found when no server is configured or none has it.
Result<std::string> debuginfod_fetch(std::string_view build_id, std::string_view what,
                                     const std::function<void(std::string_view)>& progress);

}  // namespace kinspect
