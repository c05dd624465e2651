#!/usr/bin/python3
"""drgn_sys.py VMLINUX VMCORE: the fields of crash's `sys` as drgn reads them,
for dumps crash cannot open (Debian's crash is built for x86_64 only).
Values come from drgn; only the layout is crash's."""
import re
import sys
import time

import drgn
from drgn.helpers.linux.cpumask import for_each_online_cpu, for_each_present_cpu

vmlinux, vmcore = sys.argv[1], sys.argv[2]
prog = drgn.Program()
prog.set_core_dump(vmcore)
prog.load_debug_info([vmlinux])

uts = prog["init_uts_ns"].name
present = len(list(for_each_present_cpu(prog)))
online = len(list(for_each_online_cpu(prog)))
cpus = str(present) + (f" [OFFLINE: {present - online}]" if online < present else "")
xtime = int(prog["tk_core"].timekeeper.xtime_sec)
try:
    nodes = prog["node_data"]
    pages = sum(int(n.node_present_pages) for n in nodes if n.value_())
except KeyError:
    pages = int(prog["contig_page_data"].node_present_pages)
# The page size from the kernel's own VMCOREINFO text.
vi = prog["vmcoreinfo_data"].string_().decode()
page_size = int(re.search(r"^PAGESIZE=(\d+)$", vi, re.M).group(1))
nbytes = pages * page_size
MB, GB = 1 << 20, 1 << 30
if nbytes >= GB:
    mem = f"{nbytes // GB} GB" if nbytes % GB == 0 else f"{nbytes / GB:.1f} GB"
elif nbytes % MB == 0:
    mem = f"{nbytes // MB} MB"
else:
    mem = f"{nbytes / MB:.1f} MB"
print(f"     RELEASE: {uts.release.string_().decode()}")
print(f"     VERSION: {uts.version.string_().decode()}")
print(f"        CPUS: {cpus}")
print(f"        DATE: {time.strftime('%a %b %e %H:%M:%S %Z %Y', time.localtime(xtime))}")
print(f"      MEMORY: {mem}")
# avenrun's fixed point (FSHIFT 11), rounded as /proc/loadavg and crash do.
loads = []
for x in prog["avenrun"]:
    a = int(x) + (1 << 11) // 200
    loads.append(f"{a >> 11}.{((a & 2047) * 100) >> 11:02d}")
print(f"LOAD AVERAGE: {', '.join(loads)}")
from drgn.helpers.linux.printk import get_printk_records
panics = [r.text.decode() for r in get_printk_records(prog)
          if r.text.startswith(b"Kernel panic - not syncing")]
if panics:
    print(f'       PANIC: "{panics[-1]}"')
