#!/usr/bin/env bash
# check_main_command.sh : runs the README's main command as a new user does
# (./try.sh -c tests/release/steps.cmd) and fails unless it exits 0 and prints
# the sample's sys, the panic task's trace and the end of the log. Called by
# ./test.sh, so a broken README command fails CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail() { echo "check_main_command: FAIL: $*" >&2; sed -n 1,60p "$W/out" >&2; exit 1; }

t0=$(date +%s)
./try.sh -c tests/release/steps.cmd > "$W/out" 2> "$W/err" || { cat "$W/err" >&2; fail "./try.sh -c exited $?"; }
eval "$(sample-dumps/paths.sh x86_64-sysrq)"
# shellcheck disable=SC1090
. "$FACTS"
grep -q "^     RELEASE: $KERNEL_RELEASE\$" "$W/out" || fail "no sys RELEASE: $KERNEL_RELEASE"
grep -q '^       PANIC: "Kernel panic - not syncing: sysrq triggered crash"$' "$W/out" || fail "no sys PANIC line"
grep -q "^kinspect> bt\$" "$W/out" || fail "bt not echoed"
grep -Eq "^PID: $panic_pid +TASK: [0-9a-f]+ +CPU: $panic_cpu +COMMAND: \"$panic_comm\"\$" "$W/out" \
  || fail "bt does not start with the panic task (pid $panic_pid, cpu $panic_cpu, $panic_comm)"
for f in panic sysrq_handle_crash write_sysrq_trigger entry_SYSCALL_64; do
  grep -Eq "^ #[0-9]+ \[[0-9a-f]+\] $f[a-z_.0-9]* at [0-9a-f]+\$" "$W/out" || fail "bt has no $f frame"
done
grep -q "^      PID    PPID  CPU       TASK        ST  %MEM" "$W/out" || fail "no ps header"
grep -q "end Kernel panic - not syncing: sysrq triggered crash \]---" "$W/out" || fail "log | tail has no end-of-panic line"
grep -q "try: ready in" "$W/err" || fail "no progress line from try.sh"
echo "check_main_command: ok: ./try.sh -c printed sys, the panic task's bt, ps and log ($(( $(date +%s) - t0 ))s)" >&2
