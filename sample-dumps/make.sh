#!/usr/bin/env bash
# make.sh [NAME...] : make the sample vmcores (when no NAME: every scenario but
# the OPT_IN=1 ones, which KINSPECT_MATRIX=all adds) in
# ${KINSPECT_CACHE:-$HOME/.cache/kinspect}. Each step is skipped when its result
# is cached and was made by the same scripts. KINSPECT_SKIP_ORACLES=1 skips the
# crash/drgn checks (most of the time). See sample-dumps/README.md.
. "$(dirname "$0")/lib.sh"
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(default_scenarios)
for n in "${names[@]}"; do load_scenario "$n"; done   # fail early on a typo

t0=$(date +%s)
for n in "${names[@]}"; do
  t1=$(date +%s)
  load_scenario "$n"
  log "=== $n ($ARCH, $MODE)"
  "$SD_DIR/fetch-kernel.sh" "$ARCH" "$SUITE"
  "$SD_DIR/fetch-tools.sh" "$ARCH"
  if [ "$TOOLS" = trixie ]; then
    "$SD_DIR/trixie-tools.sh" x86_64   # drgn runs on the host for every arch
    [ "$(deb_arch "$ARCH")" = amd64 ] || "$SD_DIR/trixie-tools.sh" "$ARCH"
  fi
  "$SD_DIR/build-initramfs.sh" "$n"
  "$SD_DIR/run-qemu.sh" "$n"
  "$SD_DIR/convert.sh" "$n"
  D=$DUMP_DIR
  stamp_with() { (echo "skip_oracles=$1"; cat "$0" "$SD_DIR/lib.sh" "$SD_DIR/facts.py" "$SD_DIR/guest_proc.py" \
    "$SD_DIR/oracles.py" "$SD_DIR/paths.sh" "$D/.convert.done"
    [ "$TOOLS" != trixie ] || cat "$(trixie_root x86_64)/.done") | sha256sum | cut -c1-16; }
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
    else
      log "$n: checking which formats crash and drgn open"
      files=""
      # crash for ARCH under qemu-user is slow (~2 min a file): two formats only.
      [ "$(deb_arch "$ARCH")" = "$(dpkg --print-architecture)" ] || files=vmcore.qemu.elf,vmcore.mdf-zlib
      ORACLE_CRASH=$(sed -n 's/^ORACLE_CRASH=//p' "$D/paths.env") \
      ORACLE_PYTHON=$(sed -n 's/^ORACLE_PYTHON=//p' "$D/paths.env") \
      ORACLE_CRASH_FILES=$files "$PY" "$SD_DIR/oracles.py" "$D" "$(vmlinux_of "$ARCH")"
    fi
    mark_done "$D/.done" "$STAMP"
  fi
  log "$n: done in $(( $(date +%s) - t1 ))s: $D"
done
log "all done in $(( $(date +%s) - t0 ))s"
