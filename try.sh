#!/usr/bin/env bash
# The main job on a fresh machine: install what kinspect needs, build it, make
# (or reuse) the x86_64 sample dump, and open it at the kinspect> prompt.
# Extra arguments go to kinspect (e.g. ./try.sh -c steps.cmd); the exit status
# is kinspect's. Progress goes to stderr, one line per step with its time;
# the long logs go to ~/.cache/kinspect/logs/.
set -euo pipefail
cd "$(dirname "$0")"
CACHE=${KINSPECT_CACHE:-$HOME/.cache/kinspect}
mkdir -p "$CACHE/logs"
T0=$(date +%s)
step() { # step NAME LOG COMMAND... : run COMMAND, output to LOG, one line on stderr
  local name=$1 log=$2 t; shift 2
  t=$(date +%s)
  printf 'try: %s ...\n' "$name" >&2
  if ! "$@" > "$log" 2>&1; then
    printf 'try: %s FAILED after %ss; the last lines of %s:\n' "$name" $(( $(date +%s) - t )) "$log" >&2
    tail -25 "$log" >&2
    exit 1
  fi
  printf 'try: %s: done in %ss\n' "$name" $(( $(date +%s) - t )) >&2
}
step "installing Debian packages" "$CACHE/logs/try-install.log" ./install-deps.sh --try
step "building kinspect" "$CACHE/logs/try-build.log" ./build.sh kinspect
# The crash/drgn oracle checks are for the tests (./test.sh), not for opening a dump.
step "making or reusing the x86_64 sample dump (first time: kernel download and a QEMU boot)" \
  "$CACHE/logs/try-sample.log" env KINSPECT_SKIP_ORACLES=1 sample-dumps/make.sh x86_64-sysrq
eval "$(sample-dumps/paths.sh x86_64-sysrq)"
printf 'try: ready in %ss\n' $(( $(date +%s) - T0 )) >&2
exec "${KINSPECT_BUILD_DIR:-build}/commands/kinspect" "$@" "$VMLINUX" "$VMCORE"
