#!/usr/bin/env bash
# paths.sh NAME : print KEY=path lines for scenario NAME's files in the cache
# (the same lines make.sh writes to $CACHE/dumps/NAME/paths.env). Paths are
# printed even when a file is not made yet; make.sh NAME makes them.
. "$(dirname "$0")/lib.sh"
load_scenario "${1:?usage: paths.sh NAME}"
# 0: an OPT_IN=1 scenario that KINSPECT_MATRIX=all did not select (tests skip it).
echo "SELECTED=$(scenario_selected && echo 1 || echo 0)"
[ -f "$(kernel_dir "$ARCH")/release" ] || die "kernel for $ARCH ($SUITE) not fetched yet: run sample-dumps/make.sh $NAME"
D=$DUMP_DIR
cat <<END
NAME=$NAME
ARCH=$ARCH
CACHE=$CACHE
DUMP_DIR=$D
KERNEL_RELEASE=$(kernel_release "$ARCH")
KERNEL_VERSION=$(kernel_version "$ARCH")
VMLINUX=$(vmlinux_of "$ARCH")
SYSTEM_MAP=$(sysmap_of "$ARCH")
VMLINUZ=$(vmlinuz_of "$ARCH")
MODULES_DIR=$(modules_of "$ARCH")
MODULE_DEBUG_DIR=$(moddebug_of "$ARCH")
CONSOLE_LOG=$D/console.log
FACTS=$D/facts.env
GUEST_PROC=$D/guest-proc
ORACLES=$D/oracles.env
END
case "$MODE" in
kdump)
  echo "VMCORE_KDUMP_ELF=$D/vmcore.kdump.elf"
  echo "VMCORE_KDUMP_ZLIB=$D/vmcore.kdump-zlib"
  for f in mdf-zlib mdf-lzo mdf.elf mdf-zlib.flat mdf-zlib.unflat; do
    k=$(echo "$f" | tr 'a-z.-' 'A-Z__'); echo "VMCORE_$k=$D/vmcore.$f"
  done ;;
*)
  for f in qemu.elf qemu-paging.elf qemu-kdump-zlib.flat qemu-kdump-zlib \
           mdf-zlib mdf-lzo mdf.elf mdf-zlib.flat mdf-zlib.unflat; do
    k=$(echo "$f" | tr 'a-z.-' 'A-Z__'); echo "VMCORE_$k=$D/vmcore.$f"
  done ;;
esac
if [ "$TOOLS" = trixie ] && [ "$MDF_FILTER" != none ]; then
  echo "VMCORE_MDF_ZSTD=$D/vmcore.mdf-zstd"
  # Not a VMCORE_: bookworm's makedumpfile left kernel pages out (convert.sh).
  echo "PARTIAL_VMCORE=$D/vmcore.bookworm-mdf-zlib"
fi
echo "SUITE=$SUITE"
echo "TOOLS=${TOOLS:-bookworm}"
# The oracles for this kernel, as commands: crash (its -s VMLINUX VMCORE follow)
# and the python whose drgn reads it (oracles.py, the integration tests).
if [ "$TOOLS" = trixie ]; then
  echo "ORACLE_CRASH=$SD_DIR/trixie-run.sh $ARCH usr/bin/crash"
  echo "ORACLE_PYTHON=$SD_DIR/trixie-run.sh x86_64 usr/bin/python3"
elif [ "$(deb_arch "$ARCH")" = "$(dpkg --print-architecture)" ]; then
  echo "ORACLE_CRASH=crash"
  echo "ORACLE_PYTHON=$PY"
else
  echo "ORACLE_CRASH=qemu-aarch64-static -L $CACHE/tools/arm64 $CACHE/tools/arm64/usr/bin/crash"
  echo "ORACLE_PYTHON=$PY"
fi
# VMCORE: the file try.sh opens and the README shows, a filtered, compressed
# makedumpfile file as a support engineer receives it.
case "$MODE" in
kdump) echo "VMCORE=$D/vmcore.kdump-zlib" ;;
*)     if [ "$MDF_FILTER" = none ]; then echo "VMCORE=$D/vmcore.qemu-kdump-zlib"
        else echo "VMCORE=$D/vmcore.mdf-zlib"; fi ;;
esac
[ "$MODE" = csd ] && echo "CSD_MODULE=$D/csd_lockup.ko"
# Every test module the guest had (with DWARF, for mod -s), space-separated.
echo "TEST_MODULES=$(for m in $(scenario_kmods); do printf '%s ' "$D/$m.ko"; done)"
exit 0
