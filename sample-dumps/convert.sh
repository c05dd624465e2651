#!/usr/bin/env bash
# convert.sh NAME : makedumpfile 1.7.2 conversions of $CACHE/dumps/NAME/vmcore.qemu.elf
# (for kdump: of vmcore.kdump.elf, the capture kernel's copy of /proc/vmcore)
#   vmcore.mdf-zlib          makedumpfile -c -d 31        (kdump-compressed, zlib)
#   vmcore.mdf-lzo           makedumpfile -l -d 31        (kdump-compressed, lzo)
#   vmcore.mdf.elf           makedumpfile -E -d 31        (filtered ELF)
#   vmcore.mdf-zlib.flat     makedumpfile -F -c -d 31     (flattened, to stdout)
#   vmcore.mdf-zlib.unflat   makedumpfile -R < vmcore.mdf-zlib.flat
#   vmcore.qemu-kdump-zlib   makedumpfile -R < vmcore.qemu-kdump-zlib.flat
# QEMU's ELF is read from a copy with its program headers moved (elf-phdr-fix.py).
# Debian's makedumpfile is built for one arch only: for a foreign-arch dump the
# same Debian version for that arch runs under qemu-user (fetch-tools.sh).
# A scenario with TOOLS=trixie gets trixie's makedumpfile 1.7.6 instead
# (trixie-tools.sh; bookworm's 1.7.2 does not support its kernel), and also
#   vmcore.mdf-zstd          makedumpfile -z -d 31        (kdump-compressed, zstd)
#   vmcore.bookworm-mdf-zlib bookworm's 1.7.2 -c -d 31: "kernel version is not
#                            supported", so kernel pages are missing (a real
#                            partial dump; PARTIAL_VMCORE in paths.sh)
. "$(dirname "$0")/lib.sh"
load_scenario "${1:?usage: convert.sh NAME}"
D=$DUMP_DIR
extra=()
[ "$TOOLS" = trixie ] && extra+=("$(trixie_root "$ARCH")/.done")
STAMP=$(stamp_of "$0" "$SD_DIR/lib.sh" "$SD_DIR/elf-phdr-fix.py" "$D/.qemu.done" ${extra[@]+"${extra[@]}"})
if is_done "$D/.convert.done" "$STAMP"; then log "$NAME: conversions cached"; exit 0; fi
[ -f "$D/.qemu.done" ] || die "$NAME: no dump yet (run-qemu.sh $NAME)"
LOG="$D/.makedumpfile.log"; : > "$LOG"

run_mdf() {
  if [ "$TOOLS" = trixie ]; then run_trixie "$ARCH" usr/bin/makedumpfile "$@"
  else run_foreign "$ARCH" usr/bin/makedumpfile "$@"; fi
}
mdf() { # mdf OUT ARGS... : run makedumpfile, quietly unless it fails
  local out=$1; shift
  rm -f "$out"
  echo "+ makedumpfile $*" >> "$LOG"
  run_mdf "$@" >> "$LOG" 2>&1 \
    || { tail -n 5 "$LOG" >&2; die "$NAME: makedumpfile $* failed"; }
}

if [ -f "$D/vmcore.qemu-kdump-zlib.flat" ]; then
  log "$NAME: unflattening QEMU's kdump-zlib"
  mdf "$D/vmcore.qemu-kdump-zlib" -R "$D/vmcore.qemu-kdump-zlib" < "$D/vmcore.qemu-kdump-zlib.flat"
fi

if [ -f "$D/vmcore.qemu.elf" ]; then
  SRC="$D/.phfix.elf"
  "$PY" "$SD_DIR/elf-phdr-fix.py" "$D/vmcore.qemu.elf" "$SRC"
else
  SRC="$D/vmcore.kdump.elf"   # the capture kernel's /proc/vmcore: headers are fine
fi
if [ "$MDF_FILTER" = none ]; then
  # No Debian makedumpfile filters this kernel (see the scenario): QEMU's files only.
  rm -f "$D/.phfix.elf"
  chmod 0644 "$D"/vmcore.*
  mark_done "$D/.convert.done" "$STAMP"
  log "$NAME: conversions done (MDF_FILTER=none: no makedumpfile -d 31 files)"
  exit 0
fi
log "$NAME: makedumpfile -c / -l / -E / -F -d 31 of $(basename "$SRC")"
mdf "$D/vmcore.mdf-zlib" -c -d 31 "$SRC" "$D/vmcore.mdf-zlib"
mdf "$D/vmcore.mdf-lzo" -l -d 31 "$SRC" "$D/vmcore.mdf-lzo"
mdf "$D/vmcore.mdf.elf" -E -d 31 "$SRC" "$D/vmcore.mdf.elf"
rm -f "$D/vmcore.mdf-zlib.flat"
echo "+ makedumpfile -F -c -d 31 $SRC > vmcore.mdf-zlib.flat" >> "$LOG"
run_mdf -F -c -d 31 "$SRC" > "$D/vmcore.mdf-zlib.flat" 2>> "$LOG" \
  || die "$NAME: makedumpfile -F failed"
mdf "$D/vmcore.mdf-zlib.unflat" -R "$D/vmcore.mdf-zlib.unflat" < "$D/vmcore.mdf-zlib.flat"
if [ "$TOOLS" = trixie ]; then
  mdf "$D/vmcore.mdf-zstd" -z -d 31 "$SRC" "$D/vmcore.mdf-zstd"
  rm -f "$D/vmcore.bookworm-mdf-zlib"
  echo "+ bookworm's makedumpfile -c -d 31 (may refuse the kernel)" >> "$LOG"
  run_foreign "$ARCH" usr/bin/makedumpfile -c -d 31 "$SRC" "$D/vmcore.bookworm-mdf-zlib" >> "$LOG" 2>&1 || true
  [ -s "$D/vmcore.bookworm-mdf-zlib" ] || log "$NAME: bookworm's makedumpfile wrote no file (see $LOG)"
fi
rm -f "$D/.phfix.elf"
chmod 0644 "$D"/vmcore.*
mark_done "$D/.convert.done" "$STAMP"
log "$NAME: conversions done"
