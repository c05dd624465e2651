#!/usr/bin/env bash
# make.sh [NAME...] : make the sample vmcores (all scenarios when no NAME) in
# ${KINSPECT_CACHE:-$HOME/.cache/kinspect}. Each step is skipped when its result
# is cached and was made by the same scripts. KINSPECT_SKIP_ORACLES=1 skips the
# crash/drgn checks (most of the time). See sample-dumps/README.md.
. "$(dirname "$0")/lib.sh"
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(scenario_names)
for n in "${names[@]}"; do load_scenario "$n"; done   # fail early on a typo

t0=$(date +%s)
for n in "${names[@]}"; do
  t1=$(date +%s)
  load_scenario "$n"
  log "=== $n ($ARCH, $MODE)"
  "$SD_DIR/fetch-kernel.sh" "$ARCH"
  "$SD_DIR/fetch-tools.sh" "$ARCH"
  "$SD_DIR/build-initramfs.sh" "$n"
  "$SD_DIR/run-qemu.sh" "$n"
  "$SD_DIR/convert.sh" "$n"
  D=$DUMP_DIR
  stamp_with() { (echo "skip_oracles=$1"; cat "$0" "$SD_DIR/lib.sh" "$SD_DIR/facts.py" "$SD_DIR/guest_proc.py" \
    "$SD_DIR/oracles.py" "$SD_DIR/paths.sh" "$D/.convert.done") | sha256sum | cut -c1-16; }
  STAMP=$(stamp_with "${KINSPECT_SKIP_ORACLES:-0}")
  # A dump made with the oracle checks serves a run that skips them (try.sh).
  if is_done "$D/.done" "$STAMP" || { [ "${KINSPECT_SKIP_ORACLES:-0}" = 1 ] && is_done "$D/.done" "$(stamp_with 0)"; }; then
    log "$n: cached"
  else
    rm -f "$D/.done"
    "$PY" "$SD_DIR/facts.py" "$D/console.log" "$(sysmap_of "$ARCH")" \
      name="$n" arch="$ARCH" scenario="$MODE" qemu_cpus="$CPUS" qemu_mem="$MEM" \
      kernel_package="linux-image-$(kernel_release "$ARCH")" \
      kernel_version="$(kernel_version "$ARCH")" > "$D/facts.env.tmp"
    mv "$D/facts.env.tmp" "$D/facts.env"
    rm -rf "$D/guest-proc"
    "$PY" "$SD_DIR/guest_proc.py" "$D/console.log" "$D/guest-proc"
    "$SD_DIR/paths.sh" "$n" > "$D/paths.env"
    if [ "${KINSPECT_SKIP_ORACLES:-0}" = 1 ]; then
      log "$n: KINSPECT_SKIP_ORACLES=1: not checking crash and drgn"
      rm -rf "$D/oracles.env" "$D/oracles"
    elif [ "$(deb_arch "$ARCH")" = "$(dpkg --print-architecture)" ]; then
      log "$n: checking which formats crash and drgn open"
      "$PY" "$SD_DIR/oracles.py" "$D" "$(vmlinux_of "$ARCH")"
    else
      log "$n: checking which formats crash and drgn open"
      # crash for ARCH under qemu-user is slow (~2 min a file): two formats only.
      ORACLE_CRASH="qemu-aarch64-static -L $CACHE/tools/arm64 $CACHE/tools/arm64/usr/bin/crash" \
      ORACLE_CRASH_FILES=vmcore.qemu.elf,vmcore.mdf-zlib \
        "$PY" "$SD_DIR/oracles.py" "$D" "$(vmlinux_of "$ARCH")"
    fi
    mark_done "$D/.done" "$STAMP"
  fi
  log "$n: done in $(( $(date +%s) - t1 ))s: $D"
done
log "all done in $(( $(date +%s) - t0 ))s"
