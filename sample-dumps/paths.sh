#!/usr/bin/env bash
# paths.sh NAME : print KEY=path lines for scenario NAME's files in the cache
# (the same lines make.sh writes to $CACHE/dumps/NAME/paths.env). Paths are
# printed even when a file is not made yet; make.sh NAME makes them.
. "$(dirname "$0")/lib.sh"
load_scenario "${1:?usage: paths.sh NAME}"
[ -f "$(kernel_dir "$ARCH")/release" ] || die "kernel for $ARCH not fetched yet: run sample-dumps/make.sh $NAME"
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
# VMCORE: the file try.sh opens and the README shows, a filtered, compressed
# makedumpfile file as a support engineer receives it.
case "$MODE" in
kdump) echo "VMCORE=$D/vmcore.kdump-zlib" ;;
*)     echo "VMCORE=$D/vmcore.mdf-zlib" ;;
esac
[ "$MODE" = csd ] && echo "CSD_MODULE=$D/csd_lockup.ko"
exit 0
