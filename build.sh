#!/usr/bin/env bash
# Configures and builds kinspect in ./build (2 jobs: these machines have 2 cores).
set -euo pipefail
cd "$(dirname "$0")"
BUILD_DIR="${KINSPECT_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
ninja -C "$BUILD_DIR" -j"${KINSPECT_JOBS:-2}" >&2
