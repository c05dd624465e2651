#!/usr/bin/env bash
# install-deps.sh [--try] : installs the Debian packages kinspect needs.
#   (no argument)  everything: build, tests, fuzzers, every sample dump, oracles
#   --try          only what ./try.sh needs: build kinspect, make the x86_64 dump
# Safe to run again: packages already installed are skipped. apt's own output
# goes to $KINSPECT_CACHE/logs/install-deps.log; one line per step on stderr.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
CACHE=${KINSPECT_CACHE:-$HOME/.cache/kinspect}
mkdir -p "$CACHE/logs"
LOG="$CACHE/logs/install-deps.log"

# Build kinspect (GoogleTest: the tests are configured even when not built).
BUILD_PKGS=(
  build-essential cmake pkg-config ninja-build git
  libelf-dev libdw-dev liblzo2-dev zlib1g-dev libsnappy-dev libzstd-dev
  libreadline-dev binutils-multiarch-dev libgtest-dev libdebuginfod-dev
)
# Make the x86_64 sample dump (sample-dumps/make.sh x86_64-sysrq).
X86_DUMP_PKGS=(
  qemu-system-x86 busybox-static cpio xz-utils kmod makedumpfile file
  python3 e2fsprogs
)
# Tests, fuzzers, packaging, arm64 dumps and the oracles tests compare against.
TEST_PKGS=(
  googletest clang libclang-rt-14-dev
  qemu-system-arm qemu-utils kexec-tools crash python3-drgn libkdumpfile-dev
  python3-libkdumpfile dpkg-dev binutils-aarch64-linux-gnu tmux man-db
  debuginfod libarchive-tools
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
  mmdebstrap
)

want=("${BUILD_PKGS[@]}" "${X86_DUMP_PKGS[@]}")
full=1
[ "${1:-}" = "--try" ] && full=0
[ $full = 1 ] && want+=("${TEST_PKGS[@]}")

t0=$(date +%s)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
update=0
if [ $full = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "install-deps: adding the arm64 architecture (for arm64 kernel packages)" >&2
  $SUDO dpkg --add-architecture arm64
  update=1
fi
if [ ${#missing[@]} -eq 0 ] && [ $update = 0 ]; then
  echo "install-deps: all packages present" >&2
  exit 0
fi
echo "install-deps: installing ${#missing[@]} packages (apt log: $LOG)" >&2
{
  echo "=== $(date -u) install-deps ${1:-}: ${missing[*]}"
  $SUDO apt-get update -q
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
} >> "$LOG" 2>&1 || { echo "install-deps: apt-get failed; the last lines of $LOG:" >&2; tail -20 "$LOG" >&2; exit 1; }
echo "install-deps: done in $(( $(date +%s) - t0 ))s" >&2
