# Shared helpers for the sample-dumps scripts. Source it; do not run it.
# shellcheck shell=bash
set -euo pipefail

SD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KINSPECT_CACHE:-$HOME/.cache/kinspect}
PY=/usr/bin/python3           # Debian's python: has drgn, stdlib only otherwise
# The Debian suite of the kernel (scenario SUITE=, fetch-kernel.sh's 2nd word):
# bookworm is the machine's own; others come through suite-apt.sh.
SUITE=${SUITE:-bookworm}

log() { printf '[sample-dumps %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[sample-dumps] ERROR: %s\n' "$*" >&2; exit 1; }

# Debian architecture name for a scenario arch (x86_64 -> amd64).
deb_arch() {
  case "$1" in
    x86_64|amd64) echo amd64 ;;
    arm64|aarch64) echo arm64 ;;
    *) die "unknown arch $1" ;;
  esac
}

# stamp_of FILE... : a hash of the given files' contents, used to decide whether
# a cached step was made by the same scripts (a changed script redoes the step).
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

# is_done MARKER STAMP : true when the marker exists and holds STAMP.
is_done() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
mark_done() { printf '%s\n' "$2" > "$1.tmp" && mv "$1.tmp" "$1"; }

# Kernel tree for a Debian arch of $SUITE, filled by fetch-kernel.sh:
#   $CACHE/kernels/<debarch>/release        e.g. 6.1.0-56-cloud-amd64
#   $CACHE/kernels/<debarch>/version        Debian package version, e.g. 6.1.192-2
#   $CACHE/kernels/<debarch>/root/...       dpkg-deb -x of image, -dbg (and headers)
# (bookworm's at kernels/<debarch>, another suite's at kernels/<suite>-<debarch>).
kernel_dir() {
  if [ "$SUITE" = bookworm ]; then echo "$CACHE/kernels/$(deb_arch "$1")"
  else echo "$CACHE/kernels/$SUITE-$(deb_arch "$1")"; fi
}
kernel_release() { cat "$(kernel_dir "$1")/release"; }
kernel_version() { cat "$(kernel_dir "$1")/version"; }
kernel_root() { echo "$(kernel_dir "$1")/root"; }
vmlinux_of() { echo "$(kernel_root "$1")/usr/lib/debug/boot/vmlinux-$(kernel_release "$1")"; }
vmlinuz_of() { echo "$(kernel_root "$1")/boot/vmlinuz-$(kernel_release "$1")"; }
sysmap_of() { echo "$(kernel_root "$1")/usr/lib/debug/boot/System.map-$(kernel_release "$1")"; }
modules_of() { echo "$(kernel_root "$1")/lib/modules/$(kernel_release "$1")"; }
moddebug_of() { echo "$(kernel_root "$1")/usr/lib/debug/lib/modules/$(kernel_release "$1")"; }

# Scenarios live in scenarios/<name>.conf (shell variables, see one for the list).
scenario_names() { for f in "$SD_DIR"/scenarios/*.conf; do basename "$f" .conf; done; }
load_scenario() {
  local f="$SD_DIR/scenarios/$1.conf"
  [ -f "$f" ] || die "no scenario '$1' (have: $(scenario_names | tr '\n' ' '))"
  NAME=$1
  ARCH= MODE= CPUS=2 MEM=512M APPEND_EXTRA= BOOT_TIMEOUT=600 DISK_MB=0 CRASH_CPU=1 WORKLOADS=
  SUITE=bookworm QEMU_CPU= TOOLS= OPT_IN=0 MDF_FILTER= KMODS=
  # shellcheck disable=SC1090
  . "$f"
  DUMP_DIR="$CACHE/dumps/$NAME"
}

# The test kernel modules (module/NAME.c) a scenario's guest gets in
# /lib/kinspect/NAME.ko: csd_lockup for MODE=csd, plus the scenario's KMODS=
# (which its workload insmods). Built for the scenario's kernel by build-module.sh.
scenario_kmods() { # after load_scenario
  { [ "$MODE" != csd ] || echo csd_lockup; for m in $KMODS; do echo "$m"; done; } | awk '!seen[$0]++'
}

# A scenario with OPT_IN=1 (the slow part of the kernel matrix) is made by
# make.sh without names, and required by the tests, only with KINSPECT_MATRIX=all.
scenario_selected() { # after load_scenario
  [ "$OPT_IN" != 1 ] || [ "${KINSPECT_MATRIX:-}" = all ]
}
default_scenarios() {
  local n; for n in $(scenario_names); do (load_scenario "$n"; scenario_selected) && echo "$n"; done; true
}

# run_foreign ARCH PROGRAM ARGS... : run a program of the ARCH sysroot made by
# fetch-tools.sh (e.g. usr/sbin/makedumpfile) under qemu-user; runs it natively
# when ARCH is the host's.
run_foreign() {
  local da; da=$(deb_arch "$1"); shift
  local prog=$1; shift
  if [ "$da" = "$(dpkg --print-architecture)" ]; then "$(basename "$prog")" "$@"; return; fi
  local q
  case "$da" in arm64) q=qemu-aarch64-static ;; amd64) q=qemu-x86_64-static ;; esac
  command -v "$q" >/dev/null || die "$q missing: run ./install-deps.sh"
  "$q" -L "$CACHE/tools/$da" "$CACHE/tools/$da/$prog" "$@"
}

# machine_mirror main|security : the machine's Debian mirror URL, e.g.
# http://deb.debian.org/debian (from deb822 URIs: or one-line deb entries), so
# that the project's other suites (suite-apt.sh, trixie-tools.sh) use the same.
machine_mirror() {
  local want=$1 url
  url=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n -e 's/^URIs: *\([^ ]*\).*/\1/p' -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' |
    grep -E '/debian(-security)?/?$' | { if [ "$want" = security ]; then grep -- '-security'; else grep -v -- '-security'; fi; } |
    head -1 || true)
  echo "${url%/}"
}

# Trixie's crash, drgn, makedumpfile and libkdumpfile, unpacked by
# trixie-tools.sh into $CACHE/chroots/trixie-<debarch> (not a bootable chroot:
# nothing in it is configured). run_trixie ARCH PROGRAM ARGS... runs one of its
# programs (e.g. usr/bin/crash) on the host: through the chroot's own dynamic
# loader for amd64, under qemu-user with the chroot as sysroot for arm64.
trixie_root() { echo "$CACHE/chroots/trixie-$(deb_arch "$1")"; }
run_trixie() {
  local da; da=$(deb_arch "$1"); shift
  local prog=$1 R; shift
  R=$(trixie_root "$da")
  [ -f "$R/.done" ] || die "no trixie tools for $da: run sample-dumps/trixie-tools.sh $da"
  case "$da" in
  amd64)
    PYTHONHOME="$R/usr" "$R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
      --library-path "$R/usr/lib/x86_64-linux-gnu" "$R/$prog" "$@" ;;
  arm64) qemu-aarch64-static -L "$R" "$R/$prog" "$@" ;;
  esac
}
