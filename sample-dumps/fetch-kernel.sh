#!/usr/bin/env bash
# fetch-kernel.sh ARCH : download Debian bookworm's cloud kernel for ARCH (x86_64 or
# arm64) with its -dbg package and the headers to build a module, keep
# the .debs in $CACHE/debs/<debarch>/ and unpack them into $CACHE/kernels/<debarch>/root.
. "$(dirname "$0")/lib.sh"
ARCH=${1:?usage: fetch-kernel.sh x86_64|arm64}
DA=$(deb_arch "$ARCH")
KD="$CACHE/kernels/$DA"
STAMP=$(stamp_of "$0")
if is_done "$KD/.done" "$STAMP"; then
  log "kernel $DA: cached ($(cat "$KD/release") $(cat "$KD/version"))"; exit 0
fi

qual=""; [ "$DA" = "$(dpkg --print-architecture)" ] || qual=":$DA"
# Resolve the meta package to the concrete image package, e.g.
# linux-image-cloud-amd64 -> linux-image-6.1.0-56-cloud-amd64.
meta="linux-image-cloud-$DA"
img=$(apt-cache depends "$meta$qual" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -1)
[ -n "$img" ] || die "cannot resolve $meta$qual (apt-get update? dpkg --add-architecture $DA?)"
rel=${img#linux-image-}
ver=$(apt-cache show "$img$qual" | sed -n 's/^Version: //p' | head -1)
log "kernel $DA: $meta -> $img $ver (release $rel)"

# name[:arch] of each package; the headers (+ -common, + the host's linux-kbuild,
# whose scripts/ are host binaries) are for building module/csd_lockup.c.
hdr="linux-headers-$rel"
common=$(apt-cache depends "$hdr$qual" | sed -n 's/^ *Depends: <\{0,1\}\(linux-headers-[^ :>]*-common\).*/\1/p' | head -1)
kbuild=$(apt-cache depends "$hdr$qual" | sed -n 's/^ *Depends: <\{0,1\}\(linux-kbuild-[^ :>]*\).*/\1/p' | head -1)
[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve the dependencies of $hdr$qual"
pkgs=("$img$qual" "$img-dbg$qual" "$hdr$qual" "$common" "$kbuild")

DEBS="$CACHE/debs/$DA"
mkdir -p "$DEBS"
for p in "${pkgs[@]}"; do
  if ls "$DEBS/${p%%:*}_${ver}_"*.deb >/dev/null 2>&1; then continue; fi
  log "downloading $p $ver"
  (cd "$DEBS" && apt-get download -q "$p=$ver" 2>&1 | { grep -v '^W: Download is performed unsandboxed' >&2 || true; }) \
    || die "apt-get download $p=$ver failed"
done

rm -rf "$KD.tmp" && mkdir -p "$KD.tmp/root"
for p in "${pkgs[@]}"; do
  deb=$(ls "$DEBS/${p%%:*}_${ver}_"*.deb | head -1)
  log "unpacking $(basename "$deb")"
  dpkg-deb -x "$deb" "$KD.tmp/root"
done
R="$KD.tmp/root"
[ -f "$R/usr/lib/debug/boot/vmlinux-$rel" ] || die "no vmlinux in $img-dbg"
[ -f "$R/boot/vmlinuz-$rel" ] || die "no vmlinuz in $img"
# Debian generates modules.dep at install time; do it here for the unpacked tree.
depmod -b "$R" -F "$R/usr/lib/debug/boot/System.map-$rel" "$rel" 2>/dev/null || depmod -b "$R" "$rel"
echo "$rel" > "$KD.tmp/release"
echo "$ver" > "$KD.tmp/version"
rm -rf "$KD" && mv "$KD.tmp" "$KD"
mark_done "$KD/.done" "$STAMP"
log "kernel $DA: ready in $KD"
