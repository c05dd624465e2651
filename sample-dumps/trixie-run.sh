#!/usr/bin/env bash
# trixie-run.sh ARCH PROGRAM ARGS... : run a program of trixie-tools.sh's tree
# (e.g. usr/bin/crash, usr/bin/python3, usr/bin/makedumpfile) on the host; a
# command for oracles.py and the integration tests (paths.sh ORACLE_CRASH=).
. "$(dirname "$0")/lib.sh"
ARCH=${1:?usage: trixie-run.sh ARCH PROGRAM ARGS...}; shift
run_trixie "$ARCH" "$@"
