#!/usr/bin/env bash
# Everything CI checks: install, build, make (or reuse) every sample dump,
# run unit and integration tests, then each fuzzer briefly, then the README's
# main command (./try.sh -c) and the install/.deb checks (tests/release/).
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh
./build.sh
sample-dumps/make.sh >&2
# The slower oracle checks on every real dump run in CI too.
export KINSPECT_REAL_DUMPS=1 KINSPECT_ARCH_ORACLE=1
ctest --test-dir "${KINSPECT_BUILD_DIR:-build}" --output-on-failure -j2
if [ -x tests/fuzz/run.sh ]; then
  tests/fuzz/run.sh "${KINSPECT_FUZZ_SECONDS:-20}"
fi
# The README's own commands: the main one (./try.sh -c), then the install and
# the .deb, from this clone.
tests/release/check_main_command.sh
tests/release/check_package.sh
