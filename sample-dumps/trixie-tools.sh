#!/usr/bin/env bash
# trixie-tools.sh ARCH : unpack Debian trixie's crash 8.0.6, makedumpfile 1.7.6,
# (amd64 only) python3-drgn 0.0.31 and python3-libkdumpfile 0.5.4, with their
# dependencies, into $CACHE/chroots/trixie-<debarch> with mmdebstrap
# (--variant=extract: nothing is configured or run, so a foreign arch needs no
# binfmt). They are the oracles for trixie's 6.12 kernel (bookworm's crash 8.0.2
# and makedumpfile 1.7.2 predate it) and make its makedumpfile files and the
# real zstd kdump files (makedumpfile -z). Run them with run_trixie (lib.sh).
. "$(dirname "$0")/lib.sh"
ARCH=${1:?usage: trixie-tools.sh x86_64|arm64}
DA=$(deb_arch "$ARCH")
R=$(trixie_root "$DA")
PKGS=(crash makedumpfile)
[ "$DA" = amd64 ] && PKGS+=(python3-drgn python3-libkdumpfile)
# Names what the tree holds; bump LAYOUT when how it is made changes.
LAYOUT=2
STAMP=$(printf 'trixie %s %s layout=%s\n' "$DA" "${PKGS[*]}" "$LAYOUT" | sha256sum | cut -c1-16)
if is_done "$R/.done" "$STAMP"; then log "trixie tools $DA: cached"; exit 0; fi
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run ./install-deps.sh"
mirror=$(machine_mirror main)
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*"
log "trixie tools $DA: mmdebstrap ${PKGS[*]} from $mirror"
rm -rf "$R.tmp"; mkdir -p "$(dirname "$R")"
mmdebstrap --quiet --mode=root --variant=extract --architectures="$DA" \
  --include="$(IFS=,; echo "${PKGS[*]}")" \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  trixie "$R.tmp" "deb $mirror trixie main" > "$CACHE/chroots/trixie-$DA.log" 2>&1 \
  || { tail -n 20 "$CACHE/chroots/trixie-$DA.log" >&2; die "mmdebstrap trixie $DA failed"; }
# extract sets up no merged /usr: the links usrmerge makes, so that the ELF
# interpreter /lib/ld-linux-aarch64.so.1 is found under qemu-user's -L.
for d in bin sbin lib lib64; do
  [ -e "$R.tmp/$d" ] || [ ! -d "$R.tmp/usr/$d" ] || ln -s "usr/$d" "$R.tmp/$d"
done
rm -rf "$R"; mv "$R.tmp" "$R"
mark_done "$R/.done" "$STAMP"
v() { run_trixie "$ARCH" "$@" 2>&1 | head -1; }
log "trixie tools $DA: ready in $R: $(v usr/bin/makedumpfile -v)"
