#!/usr/bin/env bash
# fetch-tools.sh ARCH : for a non-host ARCH, unpack Debian's own busybox-static,
# makedumpfile and crash for ARCH (with their shared libraries) into the sysroot
# $CACHE/tools/<debarch>/. busybox goes into the guest; makedumpfile and crash run
# on the host under qemu-<arch>-static (see run_foreign in lib.sh), so that
# foreign-arch dumps get the same conversions and the same crash oracle.
. "$(dirname "$0")/lib.sh"
ARCH=${1:?usage: fetch-tools.sh ARCH}
DA=$(deb_arch "$ARCH")
[ "$DA" != "$(dpkg --print-architecture)" ] || exit 0
T="$CACHE/tools/$DA"
STAMP=$(stamp_of "$0")
if is_done "$T/.done" "$STAMP"; then log "tools $DA: cached"; exit 0; fi
PKGS=(busybox-static makedumpfile crash
  libc6 libgcc-s1 libstdc++6 zlib1g liblzma5 libbz2-1.0 libzstd1 liblzo2-2
  libelf1 libdw1 libsnappy1v5 libncursesw6 libtinfo6)
DEBS="$CACHE/debs/$DA"
mkdir -p "$DEBS"
need=()
for p in "${PKGS[@]}"; do
  ls "$DEBS/${p}_"*"_$DA.deb" >/dev/null 2>&1 || need+=("$p:$DA")
done
if [ ${#need[@]} -gt 0 ]; then
  log "tools $DA: downloading ${need[*]}"
  (cd "$DEBS" && apt-get download -q "${need[@]}" 2>&1 | { grep -v unsandboxed >&2 || true; })
fi
rm -rf "$T.tmp"; mkdir -p "$T.tmp"
for p in "${PKGS[@]}"; do
  deb=$(ls "$DEBS/${p}_"*"_$DA.deb" 2>/dev/null | sort -V | tail -1)
  [ -n "$deb" ] || die "no $p:$DA .deb in $DEBS"
  dpkg-deb -x "$deb" "$T.tmp"
done
rm -rf "$T"; mv "$T.tmp" "$T"
mark_done "$T/.done" "$STAMP"
log "tools $DA: ready in $T"
