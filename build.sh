#!/usr/bin/env bash
# build.sh [TARGET...] : configures and builds kinspect in ./build (every target
# when none is named; try.sh builds only `kinspect`). 2 jobs: these machines have
# 2 cores. Compiler output goes to stderr; KINSPECT_BUILD_DIR picks the directory.
set -euo pipefail
cd "$(dirname "$0")"
BUILD_DIR="${KINSPECT_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
ninja -C "$BUILD_DIR" -j"${KINSPECT_JOBS:-2}" "$@" >&2
