#!/usr/bin/python3
"""drgn_bt.py VMLINUX VMCORE MODE: drgn 0.0.22's stack traces as lists of
kernel program counters (inlined frames folded into their function), one
line per trace, for comparing with kinspect's bt.

MODE "crashed": "crashed PID: PC PC ..." for prog.crashed_thread().
MODE "crashed-inline": "NAME FILE LINE" for each inlined frame of the
crashed thread and the frame it was inlined into.
MODE "sleeping": "PID TASK: PC ..." for every task not running on a CPU
(drgn unwinds those from the switch frame correctly; its traces of running
tasks of QEMU dumps are not usable, it matches notes to pids).
MODE "cpus": "cpu N: PC ..." for each CPU from its NT_PRSTATUS note taken in
note order (QEMU writes one per CPU, in CPU order), as a struct pt_regs."""
import struct
import sys

import drgn
from drgn.helpers.linux.cpumask import for_each_online_cpu
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.percpu import per_cpu

prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])
KERNEL = 0xFFFF000000000000


def pcs(trace):
    out = []
    for f in trace:
        try:
            pc = f.pc
        except LookupError:  # the frame after the last one drgn could unwind
            break
        if f.is_inline or pc < KERNEL:
            continue
        out.append("%x" % pc)
    return " ".join(out)


def prstatus_notes(path):
    """pr_reg bytes of each NT_PRSTATUS note, in file order."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    regs = []
    with open(path, "rb") as f:
        for i in range(phnum):
            p_type, _, off, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i)
            if p_type != 4:
                continue
            f.seek(off)
            blob = f.read(filesz)
            pos = 0
            while pos + 12 <= len(blob):
                namesz, descsz, ntype = struct.unpack_from("<III", blob, pos)
                pos += 12
                name_end = pos + ((namesz + 3) & ~3)
                desc = blob[name_end:name_end + descsz]
                pos = name_end + ((descsz + 3) & ~3)
                if ntype == 1:
                    regs.append(desc[112:])
    return regs


mode = sys.argv[3] if len(sys.argv) > 3 else sys.stdin.readline().strip()
if mode == "crashed":
    t = prog.crashed_thread()
    print("crashed %d: %s" % (t.tid, pcs(t.stack_trace())))
elif mode == "crashed-inline":
    frames = list(prog.crashed_thread().stack_trace())
    for i, f in enumerate(frames):
        if not f.is_inline or i + 1 >= len(frames):
            continue
        for g in (f, frames[i + 1]):
            file, line, _ = g.source()
            print(g.name, file, line)
elif mode == "sleeping":
    running = {per_cpu(prog["runqueues"], c).curr.value_() for c in for_each_online_cpu(prog)}
    for task in for_each_task(prog):
        if task.value_() in running or task.on_cpu:
            continue
        try:
            trace = prog.stack_trace(task)
        except Exception:
            continue
        print("%d %x: %s" % (task.pid, task.value_(), pcs(trace)))
elif mode == "cpus":
    notes = prstatus_notes(sys.argv[2])
    size = prog.type("struct pt_regs").size
    for cpu, reg in enumerate(notes):
        raw = (reg + bytes(size))[:size]
        regs = drgn.Object.from_bytes_(prog, "struct pt_regs", raw)
        print("cpu %d: %s" % (cpu, pcs(prog.stack_trace(regs))))
