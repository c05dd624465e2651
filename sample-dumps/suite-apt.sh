#!/usr/bin/env bash
# suite-apt.sh SUITE [APT-COMMAND ARGS...] : run an apt command (apt-get,
# apt-cache) against the project's own apt configuration for a Debian suite
# other than the machine's (bullseye, trixie, bookworm-backports), so that
# their kernel packages can be downloaded (never installed) without touching
# the machine's apt sources. With no command, only prepare and update it.
#
# Everything lives under $CACHE/apt/SUITE/: sources.list (the machine's own
# mirror, read from /etc/apt/sources.list*), lists/, cache/ and an apt.conf
# passed as APT_CONFIG. dpkg's status stays the machine's (apt needs one), so
# apt-get download and apt-cache work; apt-get install must never be used.
# The lists are refreshed once a day (KINSPECT_APT_MAX_AGE seconds).
. "$(dirname "$0")/lib.sh"
S=${1:?usage: suite-apt.sh SUITE [apt-get|apt-cache ARGS...]}; shift
A="$CACHE/apt/$S"

main_url=$(machine_mirror main)
sec_url=$(machine_mirror security)
[ -n "$main_url" ] || die "no Debian mirror found in /etc/apt/sources.list*"
[ -n "$sec_url" ] || sec_url="${main_url%/debian}/debian-security"

case "$S" in
  bullseye) suites=("$main_url $S" "$sec_url $S-security") ;;
  trixie) suites=("$main_url $S") ;;
  bookworm-backports) suites=("$main_url $S") ;;
  *) die "suite-apt.sh: unknown suite $S (bullseye, trixie, bookworm-backports)" ;;
esac

mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
{
  for s in "${suites[@]}"; do
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${s% *} ${s#* } main"
  done
} > "$A/sources.list.tmp"
cat > "$A/apt.conf.tmp" <<END
Dir::Etc::SourceList "$A/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$A/lists";
Dir::Cache "$A/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
END
# The machine's apt.conf.d (proxy, Check-Valid-Until, ...) still applies: it is
# read before APT_CONFIG's file.
changed=0
for f in sources.list apt.conf; do
  cmp -s "$A/$f.tmp" "$A/$f" && rm "$A/$f.tmp" || { mv "$A/$f.tmp" "$A/$f"; changed=1; }
done
export APT_CONFIG="$A/apt.conf"

age=$(( $(date +%s) - $(stat -c %Y "$A/.updated" 2>/dev/null || echo 0) ))
if [ $changed = 1 ] || [ "$age" -ge "${KINSPECT_APT_MAX_AGE:-86400}" ]; then
  log "apt $S: updating the project's lists ($(printf '%s, ' "${suites[@]}" | sed 's/, $//'))"
  apt-get update -q > "$A/update.log" 2>&1 || { tail -n 20 "$A/update.log" >&2; die "apt-get update for $S failed"; }
  touch "$A/.updated"
fi
[ $# -eq 0 ] || exec "$@"
