#!/usr/bin/python3
"""drgn_rpc_tasks.py VMLINUX VMCORE < "MODULE_DEBUG_DIR\nPID...": for each
PID, drgn 0.0.22 (with sunrpc, nfs, nfsv3 and lockd's debug files) unwinds
the task and prints, for its __rpc_execute frame:

  PID TASK_ADDRESS P_NAME

(the rpc_task the frame runs, and the name of its procedure)."""
import glob
import sys

import drgn
from drgn.helpers.linux.pid import find_task

words = sys.stdin.read().split()
prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
kos = []
for m in ("sunrpc", "nfs", "nfsv3", "lockd"):
    kos += glob.glob(words[0] + "/**/%s.ko" % m, recursive=True)[:1]
prog.load_debug_info([sys.argv[1]] + kos)
for pid in words[1:]:
    for frame in prog.stack_trace(find_task(prog, int(pid))):
        if frame.name == "__rpc_execute":
            task = frame["task"]
            print("%s %x %s" % (pid, task.value_(), task.tk_msg.rpc_proc.p_name.string_().decode()))
            break
