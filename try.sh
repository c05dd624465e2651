#!/usr/bin/env bash
# The main job on a fresh machine: install what kinspect needs, build it, make
# (or reuse) the x86_64 sample dump, and open it at the kinspect> prompt.
# Extra arguments go to kinspect (e.g. ./try.sh -c steps.cmd).
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh
./build.sh
sample-dumps/make.sh x86_64-sysrq >&2
eval "$(sample-dumps/paths.sh x86_64-sysrq)"
exec "${KINSPECT_BUILD_DIR:-build}/commands/kinspect" "$@" "$VMLINUX" "$VMCORE"
