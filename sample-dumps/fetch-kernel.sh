#!/usr/bin/env bash
# fetch-kernel.sh ARCH [SUITE] : download a Debian suite's cloud kernel for ARCH
# (x86_64 or arm64) with its -dbg package and the headers to build a module,
# keep the .debs in $CACHE/debs/<debarch>/ and unpack them into kernel_dir
# (lib.sh). SUITE is bookworm (the machine's apt, the default) or one that
# suite-apt.sh knows (bullseye, trixie, bookworm-backports): there the newest
# kernel whose -dbg package downloads is taken (bullseye-security's newest has
# none in the registry, so it falls back to an older one).
. "$(dirname "$0")/lib.sh"
ARCH=${1:?usage: fetch-kernel.sh x86_64|arm64 [SUITE]}
SUITE=${2:-$SUITE}
DA=$(deb_arch "$ARCH")
KD=$(kernel_dir "$ARCH")
# The stamp names what the tree holds (suite, packages, layout), not this
# script's text: fetching another suite never refetches bookworm's kernel.
# Bump LAYOUT when the unpacked tree changes.
LAYOUT=2
stamp_for() { printf 'layout=%s suite=%s %s\n' "$LAYOUT" "$SUITE" "$*" | sha256sum | cut -c1-16; }
if [ -f "$KD/.done" ] && is_done "$KD/.done" "$(stamp_for "$(cat "$KD/release")" "$(cat "$KD/version")")"; then
  log "kernel $SUITE $DA: cached ($(cat "$KD/release") $(cat "$KD/version"))"; exit 0
fi

APT=()
[ "$SUITE" = bookworm ] || APT=("$SD_DIR/suite-apt.sh" "$SUITE")
qual=""; [ "$DA" = "$(dpkg --print-architecture)" ] || qual=":$DA"
meta="linux-image-cloud-$DA"
DEBS="$CACHE/debs/$DA"
mkdir -p "$DEBS"
# download PKG[:ARCH]=VERSION into $DEBS unless there; false when apt cannot.
download() {
  local p=${1%%=*} v=${1#*=}
  ls "$DEBS/${p%%:*}_${v#*:}_"*.deb >/dev/null 2>&1 && return 0
  log "downloading $p $v"
  (cd "$DEBS" && ${APT[@]+"${APT[@]}"} apt-get download -q "$1" > "$DEBS/.download.log" 2>&1) && return 0
  grep -v 'unsandboxed' "$DEBS/.download.log" >&2 || true
  return 1
}

# Each version of the meta package, newest first; the first whose image, -dbg
# and headers all download is taken.
mapfile -t versions < <(${APT[@]+"${APT[@]}"} apt-cache madison "$meta$qual" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
[ ${#versions[@]} -gt 0 ] || die "cannot resolve $meta$qual in $SUITE (apt-get update? dpkg --add-architecture $DA?)"
pkgs=()
for ver in "${versions[@]}"; do
  # linux-image-cloud-amd64 -> linux-image-6.1.0-56-cloud-amd64
  img=$(${APT[@]+"${APT[@]}"} apt-cache show "$meta$qual=$ver" | sed -n 's/^Depends: .*\(linux-image-[0-9][^ :,]*\).*/\1/p' | head -1)
  [ -n "$img" ] || continue
  rel=${img#linux-image-}
  log "kernel $SUITE $DA: $meta $ver -> $img (release $rel)"
  # the headers (+ -common, + the host's linux-kbuild, whose scripts/ are host
  # binaries) are for building module/csd_lockup.c.
  hdr="linux-headers-$rel"
  deps=$(${APT[@]+"${APT[@]}"} apt-cache show "$hdr$qual=$ver" | sed -n 's/^Depends: //p' | head -1 | tr ',' '\n')
  common=$(echo "$deps" | sed -n 's/^ *\(linux-headers-[^ :]*-common[^ :]*\).*/\1/p' | head -1)
  kbuild=$(echo "$deps" | sed -n 's/^ *\(linux-kbuild-[^ :]*\).*/\1/p' | head -1)
  [ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve the dependencies of $hdr$qual=$ver"
  try=("$img$qual=$ver" "$img-dbg$qual=$ver" "$hdr$qual=$ver" "$common=$ver" "$kbuild=$ver")
  ok=1
  for p in "${try[@]}"; do download "$p" || { ok=0; break; }; done
  if [ $ok = 1 ]; then pkgs=("${try[@]}"); break; fi
  log "kernel $SUITE $DA: $ver is not complete in the registry, trying an older one"
done
[ ${#pkgs[@]} -gt 0 ] || die "no $SUITE kernel for $DA has its -dbg package in the registry"

rm -rf "$KD.tmp" && mkdir -p "$KD.tmp/root"
for p in "${pkgs[@]}"; do
  p=${p%%=*}
  deb=$(ls "$DEBS/${p%%:*}_${ver#*:}_"*.deb | head -1)
  log "unpacking $(basename "$deb")"
  dpkg-deb -x "$deb" "$KD.tmp/root"
done
R="$KD.tmp/root"
[ -f "$R/usr/lib/debug/boot/vmlinux-$rel" ] || die "no vmlinux in $img-dbg"
[ -f "$R/boot/vmlinuz-$rel" ] || die "no vmlinuz in $img"
# trixie's packages put the modules in /usr/lib/modules (merged /usr): give
# them the /lib/modules path depmod and build-initramfs.sh read.
if [ ! -d "$R/lib/modules/$rel" ] && [ -d "$R/usr/lib/modules/$rel" ]; then
  mkdir -p "$R/lib" && ln -s ../usr/lib/modules "$R/lib/modules"
fi
# Debian generates modules.dep at install time; do it here for the unpacked tree.
depmod -b "$R" -F "$R/usr/lib/debug/boot/System.map-$rel" "$rel" 2>/dev/null || depmod -b "$R" "$rel"
echo "$rel" > "$KD.tmp/release"
echo "$ver" > "$KD.tmp/version"
rm -rf "$KD" && mv "$KD.tmp" "$KD"
mark_done "$KD/.done" "$(stamp_for "$rel" "$ver")"
log "kernel $SUITE $DA: ready in $KD"
