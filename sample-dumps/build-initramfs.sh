#!/usr/bin/env bash
# build-initramfs.sh NAME : the guest initramfs of scenario NAME, at
# $CACHE/initramfs/NAME.cpio.gz (and NAME-capture.cpio.gz inside it for kdump).
# Contents: static busybox, guest/init, guest/kinspect-panic, the static mthread
# program, the kernel modules the scenario needs (with modules.dep dependencies),
# plus the test modules (scenario_kmods: csd_lockup for csd, KMODS=) and for
# kdump kexec, makedumpfile, vmlinuz.
. "$(dirname "$0")/lib.sh"
load_scenario "${1:?usage: build-initramfs.sh NAME}"
DA=$(deb_arch "$ARCH")
REL=$(kernel_release "$ARCH")
OUT="$CACHE/initramfs/$NAME.cpio.gz"
extra=()
# Workloads: only the scenario's own are in its stamp, so adding a workload for a
# new scenario does not remake the other scenarios' dumps.
for w in $WORKLOADS; do
  for f in "$SD_DIR/guest/workloads/$w".*; do [ -f "$f" ] && extra+=("$f"); done
  [ -f "$SD_DIR/guest/workloads/$w.sh" ] || die "scenario $NAME: no guest/workloads/$w.sh"
done
# Test modules: only the scenario's own sources are in its stamp.
mapfile -t kmods < <(scenario_kmods)
for m in ${kmods[@]+"${kmods[@]}"}; do
  [ -f "$SD_DIR/module/$m.c" ] || die "scenario $NAME: no module/$m.c"
  extra+=("$SD_DIR/module/$m.c")
done
[ ${#kmods[@]} -eq 0 ] || extra+=("$SD_DIR/build-module.sh")
STAMP=$(stamp_of "$0" "$SD_DIR/lib.sh" "$SD_DIR/scenarios/$NAME.conf" "$SD_DIR"/guest/init \
  "$SD_DIR"/guest/kinspect-panic "$SD_DIR"/guest/mthread.c "$SD_DIR"/guest/ground-truth.sh \
  "$(kernel_dir "$ARCH")/.done" ${extra[@]+"${extra[@]}"})
if is_done "$OUT.done" "$STAMP"; then log "initramfs $NAME: cached"; exit 0; fi

W="$CACHE/initramfs/$NAME.work"
rm -rf "$W"; mkdir -p "$W/base" "$CACHE/initramfs"
B="$W/base"
mkdir -p "$B"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,lib/modules,lib/kinspect,boot}

# busybox: the host's for amd64, busybox-static:arm64 from fetch-tools.sh for arm64.
if [ "$DA" = "$(dpkg --print-architecture)" ]; then
  bb=/bin/busybox
  cc=(gcc)
else
  T="$CACHE/tools/$DA"
  [ -x "$T/bin/busybox" ] || die "no $T/bin/busybox: run fetch-tools.sh $ARCH"
  bb="$T/bin/busybox"
  cc=(aarch64-linux-gnu-gcc)
fi
file -L "$bb" | grep -q 'statically linked' || die "$bb is not static"
cp "$bb" "$B/bin/busybox"
# Same busybox version on both arches, so the host's applet list is the guest's.
for a in $(/bin/busybox --list); do
  [ -e "$B/bin/$a" ] || ln -s busybox "$B/bin/$a"
done
command -v "${cc[0]}" >/dev/null || die "${cc[0]} missing: run ./install-deps.sh"
"${cc[@]}" -static -O2 -pthread -o "$B/bin/mthread" "$SD_DIR/guest/mthread.c"
install -m 755 "$SD_DIR/guest/init" "$B/init"
install -m 755 "$SD_DIR/guest/kinspect-panic" "$B/bin/kinspect-panic"
install -m 644 "$SD_DIR/guest/ground-truth.sh" "$B/lib/kinspect/ground-truth.sh"
# Workloads: NAME.sh is sourced by init; NAME.c, if present, is built static
# into /bin/NAME (with the guest's compiler, as mthread is).
mkdir -p "$B/lib/kinspect/workloads"
for w in $WORKLOADS; do
  install -m 644 "$SD_DIR/guest/workloads/$w.sh" "$B/lib/kinspect/workloads/$w.sh"
  if [ -f "$SD_DIR/guest/workloads/$w.c" ]; then
    "${cc[@]}" -static -O2 -pthread -o "$B/bin/$w" "$SD_DIR/guest/workloads/$w.c"
  fi
done

# Kernel modules with their dependencies, in load order.
MODS=$(modules_of "$ARCH")
: > "$B/etc/kinspect.modules"
declare -A seen=()
add_mod() { # add_mod PATH-relative-to-MODS
  local rel=$1 deps i
  local -a arr
  [ -z "${seen[$rel]:-}" ] || return 0
  deps=$(grep -m1 "^$rel:" "$MODS/modules.dep" | cut -d: -f2)
  read -r -a arr <<< "$deps"
  # modules.dep lists dependencies so that the last one must be loaded first.
  for ((i=${#arr[@]}-1; i>=0; i--)); do add_mod "${arr[$i]}"; done
  seen[$rel]=1
  mkdir -p "$B/lib/modules/$(dirname "$rel")"
  # trixie ships .ko.xz, which busybox's insmod does not read: unpack them.
  case "$rel" in
  *.ko.xz) xz -dc "$MODS/$rel" > "$B/lib/modules/${rel%.xz}" ;;
  *) cp "$MODS/$rel" "$B/lib/modules/$rel" ;;
  esac
  echo "${rel%.xz}" >> "$B/etc/kinspect.modules"
}
for m in $MODULES; do
  rel=$(grep -o "^[^:]*/$m\.ko\(\.xz\)\{0,1\}:" "$MODS/modules.dep" | head -1 | tr -d :)
  [ -n "$rel" ] || die "module $m not in $MODS/modules.dep"
  add_mod "$rel"
done

{
  echo "MODE=$MODE"
  echo "CRASH_CPU=$CRASH_CPU"
  echo "SPIN_CPU=$SPIN_CPU"
  echo "CSD_SPIN_CPU=${CSD_SPIN_CPU:-}"
  echo "USER_CPU=${USER_CPU:-0}"
  echo "KDUMP_APPEND='${KDUMP_APPEND:-}'"
  echo "WORKLOADS='${WORKLOADS:-}'"
} > "$B/etc/kinspect.env"

if [ ${#kmods[@]} -gt 0 ]; then
  "$SD_DIR/build-module.sh" "$ARCH" "$W/module" "${kmods[@]}"
  for m in "${kmods[@]}"; do
    cp "$W/module/$m.ko" "$B/lib/kinspect/"
    cp "$W/module/$m.ko" "$CACHE/initramfs/$NAME.$m.ko"
  done
fi

# copy_bin BIN... : host binaries with their shared libraries (host is amd64 bookworm).
copy_bin() {
  local b l
  for b in "$@"; do
    cp "$(command -v "$b")" "$B/bin/"
    for l in $(ldd "$(command -v "$b")" | grep -o '/[^ ]*'); do
      mkdir -p "$B$(dirname "$l")"; cp -L "$l" "$B$l"
    done
  done
}

mkcpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$2"; }

if [ "$MODE" = kdump ]; then
  [ "$DA" = amd64 ] || die "kdump scenario needs an amd64 guest (host binaries are copied)"
  rm -f "$B/bin/kexec" "$B/bin/makedumpfile"
  copy_bin kexec makedumpfile
  cp -a "$B" "$W/capture"
  mkcpio "$W/capture" "$W/capture.cpio.gz"
  cp "$W/capture.cpio.gz" "$B/boot/capture.cpio.gz"
  cp "$(vmlinuz_of "$ARCH")" "$B/boot/vmlinuz"
fi

mkcpio "$B" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$W"
mark_done "$OUT.done" "$STAMP"
log "initramfs $NAME: $OUT ($(du -h "$OUT" | cut -f1))"
