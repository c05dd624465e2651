#!/usr/bin/env bash
# build-module.sh ARCH OUTDIR MODULE... : build module/MODULE.c into MODULE.ko
# (e.g. csd_lockup) against the cached
# linux-headers of ARCH's kernel, with gcc-12 like Debian's kernel (the host's
# for amd64, aarch64-linux-gnu-gcc-12 for arm64). The .ko keeps its DWARF (not
# stripped) for mod -s.
. "$(dirname "$0")/lib.sh"
ARCH=${1:?usage: build-module.sh ARCH OUTDIR MODULE...}; OUT=${2:?}; shift 2
[ $# -gt 0 ] || die "build-module.sh: no module named"
DA=$(deb_arch "$ARCH")
cross=()
if [ "$DA" != "$(dpkg --print-architecture)" ]; then
  gnu=$(dpkg-architecture -a"$DA" -qDEB_HOST_GNU_TYPE 2>/dev/null)
  command -v "$gnu-gcc-12" >/dev/null || die "$gnu-gcc-12 missing: run ./install-deps.sh"
  cross=(DEB_BUILD_ARCH="$(dpkg --print-architecture)" DEB_HOST_ARCH="$DA" DEB_HOST_GNU_TYPE="$gnu")
fi
REL=$(kernel_release "$ARCH")
R=$(kernel_root "$ARCH")
# The headers package refers to /usr/src/... and /usr/lib/linux-kbuild-6.1 by
# absolute path; make a copy of its small top directory pointing into the cache.
H="$OUT/headers"
rm -rf "$OUT"; mkdir -p "$OUT"
cp -a "$R/usr/src/linux-headers-$REL" "$H"
common=$(sed -n 's|^include /usr/src/\(.*\)/Makefile$|\1|p' "$H/Makefile")
kbuild=$(readlink "$H/scripts" | sed 's|.*/lib/\(linux-kbuild-[^/]*\)/.*|\1|')
echo "include $R/usr/src/$common/Makefile" > "$H/Makefile"
ln -sfn "$R/usr/lib/$kbuild/scripts" "$H/scripts"
ln -sfn "$R/usr/lib/$kbuild/tools" "$H/tools"
for m in "$@"; do cp "$SD_DIR/module/$m.c" "$OUT/"; done
echo "obj-m := $(printf '%s.o ' "$@")" > "$OUT/Kbuild"
log "building $* for $REL"
make -s -C "$H" M="$OUT" ${cross[@]+"${cross[@]}"} modules > "$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; die "module build failed"; }
for m in "$@"; do
  [ -f "$OUT/$m.ko" ] || die "no $m.ko"
  modinfo -F vermagic "$OUT/$m.ko" | grep -q "^$REL " || die "$m.ko: vermagic mismatch: $(modinfo -F vermagic "$OUT/$m.ko")"
done
