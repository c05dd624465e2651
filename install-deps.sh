#!/usr/bin/env bash
# Installs every Debian package kinspect needs to build, test and make its
# sample dumps. Safe to run again: apt-get skips what is already installed.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Build and test.
BUILD_PKGS=(
  build-essential cmake pkg-config ninja-build
  libelf-dev libdw-dev liblzo2-dev zlib1g-dev libsnappy-dev libzstd-dev
  libreadline-dev binutils-multiarch-dev libgtest-dev googletest
  clang libclang-rt-14-dev
)
# Making sample dumps and the oracles tests compare against.
DUMP_PKGS=(
  qemu-system-x86 qemu-system-arm qemu-utils busybox-static cpio xz-utils kmod
  makedumpfile kexec-tools crash python3-drgn libkdumpfile-dev python3-libkdumpfile
  dpkg-dev binutils-aarch64-linux-gnu tmux file
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross e2fsprogs qemu-user-static
)


missing=()
for p in "${BUILD_PKGS[@]}" "${DUMP_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "install-deps: adding the arm64 architecture (for arm64 kernel packages)" >&2
  $SUDO dpkg --add-architecture arm64
  missing+=("__update__")
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
pkgs=()
for p in "${missing[@]}"; do [ "$p" = "__update__" ] || pkgs+=("$p"); done
if [ ${#pkgs[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi
