#!/usr/bin/python3
"""drgn_vtop.py VMLINUX VMCORE pick
     kernel addresses of each kind (text, data, direct map, vmalloc stack,
     vmemmap, module) as drgn finds them: "KIND VADDR" lines.
drgn_vtop.py VMLINUX VMCORE check VADDR PADDR...
     for each pair, whether drgn reads the same non-zero 256 bytes through
     its own translation of VADDR and at physical PADDR: "VADDR same|DIFFER|zero".
drgn 0.0.22 has no helper that returns a physical address, so the check is
by contents, on addresses chosen to hold data."""
import sys

import drgn
from drgn import container_of
from drgn.helpers.linux.mm import virt_to_page

prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])

if sys.argv[3] == "pick":
    task = container_of(prog["init_task"].tasks.next, "struct task_struct", "tasks")
    # THREAD_SIZE: the size of init_stack, the boot task's stack.
    thread_size = prog.symbol("init_stack").size or 16384
    picks = [
        ("text", prog.symbol("schedule").address),
        ("data", prog.symbol("linux_banner").address),
        ("direct", task.value_()),
        ("vmalloc", task.stack.value_() + thread_size - 512),
        ("vmemmap", virt_to_page(prog, task.value_()).value_()),
        ("module", prog["modules"].next.value_()),
    ]
    for kind, va in picks:
        print(kind, hex(va))
else:
    args = sys.argv[4:]
    for va, pa in zip(args[0::2], args[1::2]):
        v = prog.read(int(va, 16), 256)
        p = prog.read(int(pa, 16), 256, True)
        print(va, "zero" if not any(v) else "same" if v == p else "DIFFER")
