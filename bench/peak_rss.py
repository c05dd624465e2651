#!/usr/bin/env python3
"""peak_rss.py CMD ARGS...: runs CMD (stdin/stdout/stderr passed through) and
then prints, as the last line of stderr, "PEAK_RSS_KB N CPU_S S RC R": the
child's own peak resident set (ru_maxrss of wait4, so of that process alone)
and its user + system CPU seconds. bench.py measures each tool through it."""
import os
import sys

pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
rc = os.waitstatus_to_exitcode(status)
sys.stderr.write(f"PEAK_RSS_KB {ru.ru_maxrss} CPU_S {ru.ru_utime + ru.ru_stime:.3f} RC {rc}\n")
sys.exit(0)
