#!/usr/bin/env bash
# run-qemu.sh NAME : boot scenario NAME under QEMU TCG until the guest panics, then
# dump its memory through QMP. Writes into $CACHE/dumps/NAME/:
#   console.log                     the guest's serial console
#   vmcore.qemu.elf                 dump-guest-memory, ELF, paging off
#   vmcore.qemu-paging.elf          dump-guest-memory, ELF, paging on
#   vmcore.qemu-kdump-zlib.flat     dump-guest-memory format kdump-zlib (flattened)
# For MODE=kdump the guest saves its own dump (see guest/init) and powers off:
#   vmcore.kdump.elf                /proc/vmcore copied by the capture kernel
#   vmcore.kdump-zlib               makedumpfile -c -d 31 run by the capture kernel
. "$(dirname "$0")/lib.sh"
load_scenario "${1:?usage: run-qemu.sh NAME}"
INITRD="$CACHE/initramfs/$NAME.cpio.gz"
STAMP=$(stamp_of "$0" "$SD_DIR/qmp.py" "$INITRD.done" "$SD_DIR/scenarios/$NAME.conf")
if is_done "$DUMP_DIR/.qemu.done" "$STAMP"; then log "$NAME: dump cached"; exit 0; fi
[ -f "$INITRD.done" ] || die "no initramfs for $NAME: run build-initramfs.sh $NAME"

rm -rf "$DUMP_DIR"; mkdir -p "$DUMP_DIR"
D=$DUMP_DIR
CON="$D/console.log"
SOCK="$D/.qmp.sock"
: > "$CON"

# A scenario's QEMU_CPU= replaces the default CPU model.
case "$ARCH" in
x86_64)
  QEMU=(qemu-system-x86_64 -M pc -cpu "${QEMU_CPU:-max,la57=off}")
  CONSOLE=ttyS0 ;;
arm64)
  QEMU=(qemu-system-aarch64 -M virt,gic-version=3 -cpu "${QEMU_CPU:-max,pauth-impdef=on,sve=off}")
  CONSOLE=ttyAMA0 ;;
esac
APPEND="console=$CONSOLE,115200 panic=0 loglevel=7 $APPEND_EXTRA"
# arm64: sve=off because QEMU 7.2 sizes the kdump notes from one CPU's SVE state
# and fails ("failed to write guest note") when the CPUs differ.
QEMU+=(-accel tcg,thread=multi -smp "$CPUS" -m "$MEM"
  -nodefaults -no-user-config -display none -no-reboot
  -kernel "$(vmlinuz_of "$ARCH")" -initrd "$INITRD" -append "$APPEND"
  -serial "file:$CON" -device vmcoreinfo
  -qmp "unix:$SOCK,server=on,wait=off")
if [ "$MODE" = kdump ]; then
  mke2fs -q -F -t ext4 "$D/.disk.img" "${DISK_MB}M"
  QEMU+=(-drive "file=$D/.disk.img,format=raw,if=virtio")
fi

log "$NAME: booting ${QEMU[0]} ($CPUS vCPUs, $MEM, TCG): $APPEND"
"${QEMU[@]}" > "$D/.qemu.out" 2>&1 &
QPID=$!
trap 'kill $QPID 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

start=$(date +%s); beat=$start; panicked=""
while :; do
  now=$(date +%s)
  if [ -z "$panicked" ] && grep -q -- '---\[ end Kernel panic' "$CON"; then
    panicked=$now; log "$NAME: guest panicked after $((now-start))s"
    [ "$MODE" = kdump ] || break
  fi
  if [ -z "$panicked" ] && [ "$MODE" = kdump ] && grep -q 'Kernel panic - not syncing' "$CON"; then
    panicked=$now; log "$NAME: guest panicked after $((now-start))s, capture kernel booting"
  fi
  if ! kill -0 "$QPID" 2>/dev/null; then
    wait "$QPID" || true
    if [ "$MODE" = kdump ] && grep -q 'KINSPECT_FACT capture_done=1' "$CON"; then
      log "$NAME: capture kernel saved the dump and powered off after $((now-start))s"; break
    fi
    tail -n 30 "$CON" >&2; cat "$D/.qemu.out" >&2
    die "$NAME: QEMU exited before the guest panicked (console: $CON)"
  fi
  if [ $((now - start)) -ge "$BOOT_TIMEOUT" ]; then
    tail -n 30 "$CON" >&2
    die "$NAME: no panic within ${BOOT_TIMEOUT}s (console: $CON)"
  fi
  if [ $((now - beat)) -ge 10 ]; then
    beat=$now
    last=$(tail -n 1 "$CON" | tr -d '\r' | cut -c1-90)
    log "$NAME: QEMU running $((now-start))s, console $(wc -l < "$CON") lines: $last"
  fi
  sleep 1
done

if [ "$MODE" = kdump ]; then
  for f in vmcore.kdump-zlib:vmcore.kdump-zlib vmcore.elf:vmcore.kdump.elf; do
    debugfs -R "dump /${f%%:*} $D/${f##*:}" "$D/.disk.img" 2>/dev/null
    [ -s "$D/${f##*:}" ] || die "$NAME: the capture kernel did not write /${f%%:*}"
  done
  rm -f "$D/.disk.img"
else
  sleep 3   # let the panic finish stopping the other CPUs
  log "$NAME: stopping the guest and dumping (ELF, ELF paging, kdump-zlib)"
  dump() { printf '{"execute":"dump-guest-memory","arguments":{"paging":%s,"protocol":"file:%s"%s}}' "$@"; }
  timeout 900 "$PY" "$SD_DIR/qmp.py" "$SOCK" '{"execute":"stop"}' \
    "$(dump false "$D/vmcore.qemu.elf" '')" \
    "$(dump true "$D/vmcore.qemu-paging.elf" '')" \
    "$(dump false "$D/vmcore.qemu-kdump-zlib.flat" ',"format":"kdump-zlib"')" \
    '{"execute":"quit"}' > "$D/.qmp.log" || die "$NAME: QMP dump failed (see $D/.qmp.log)"
  for _ in $(seq 50); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.2; done
fi
for m in $(scenario_kmods); do cp "$CACHE/initramfs/$NAME.$m.ko" "$D/$m.ko"; done
chmod 0644 "$D"/vmcore.*
mark_done "$D/.qemu.done" "$STAMP"
log "$NAME: dumps in $D: $(cd "$D" && ls vmcore.* | tr '\n' ' ')"
