#!/usr/bin/env bash
# check_package.sh : kinspect installs like a tool of its field. From the build
# directory ./test.sh made: `cmake --install` into a prefix, `cpack -G DEB`, then
# the .deb is unpacked with dpkg -x into a scratch root and that kinspect runs
# --version and a -c script on the x86_64 sample; the man page renders without
# groff warnings; the .deb depends on runtime libraries only.
set -euo pipefail
cd "$(dirname "$0")/../.."
B="${KINSPECT_BUILD_DIR:-build}"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail() { echo "check_package: FAIL: $*" >&2; exit 1; }

cmake --install "$B" --prefix "$W/prefix" > "$W/install.log"
[ -x "$W/prefix/bin/kinspect" ] || fail "cmake --install gave no bin/kinspect"
[ -f "$W/prefix/share/man/man1/kinspect.1" ] || fail "cmake --install gave no share/man/man1/kinspect.1"

rm -f "$B"/kinspect_*.deb
(cd "$B" && cpack -G DEB > "$W/cpack.log" 2>&1) || { cat "$W/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$B"/kinspect_*.deb)
deps=$(dpkg-deb -f "$deb" Depends)
case "$deps" in *-dev*|*gtest*|*cmake*) fail "the .deb depends on build packages: $deps" ;; esac
echo "$deps" | grep -q libdw1 || fail "the .deb does not depend on libdw1: $deps"

dpkg -x "$deb" "$W/root"
K="$W/root/usr/bin/kinspect"
"$K" --version | grep -Eq '^kinspect [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-f]{7,}(-dirty)?\)$' \
  || fail "--version: $("$K" --version)"
MANWIDTH=80 man --warnings -l "$W/root/usr/share/man/man1/kinspect.1" > "$W/man.txt" 2> "$W/man.err" \
  || fail "man -l failed"
[ ! -s "$W/man.err" ] || { cat "$W/man.err" >&2; fail "man -l printed warnings"; }
grep -q "crash dump" "$W/man.txt" || fail "the rendered man page lacks its description"

eval "$(sample-dumps/paths.sh x86_64-sysrq)"
# shellcheck disable=SC1090
. "$FACTS"
printf 'sys\nbt\n' > "$W/steps.cmd"
"$K" --no-rc -c "$W/steps.cmd" "$VMLINUX" "$VMCORE" > "$W/out" || fail "the unpacked kinspect -c exited $?"
grep -Eq "^PID: $panic_pid +TASK: " "$W/out" || fail "the unpacked kinspect's bt lacks the panic task"
echo "check_package: ok: $(basename "$deb") (Depends: $deps) unpacked and ran" >&2
