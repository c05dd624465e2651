#!/usr/bin/python3
"""drgn_ps.py VMLINUX VMCORE: one line per task as drgn sees it,
"PID PPID CPU STATE-CHAR COMM", for comparing with kinspect's ps."""
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_cpu, task_state_to_char

prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])
for t in for_each_task(prog):
    print(int(t.pid), int(t.real_parent.pid), task_cpu(t), task_state_to_char(t),
          t.comm.string_().decode(errors="replace"), hex(t.value_()))
