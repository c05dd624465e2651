#!/usr/bin/python3
"""drgn_runq.py VMLINUX VMCORE: the tasks queued on each CPU's CFS tree and
RT priority array, one "CPU N CFS|RT PRIO PID COMM" line each, in queue
order, following task-group queues (my_q) the way crash's plain runq does.
An independent reading for the runq test where crash cannot name the tasks."""
import sys

import drgn
from drgn import container_of
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.cpumask import for_each_present_cpu
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry

prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])


def cfs(cpu, cfs_rq):
    curr = cfs_rq.curr
    if curr and curr.my_q:
        cfs(cpu, curr.my_q)
    for se in rbtree_inorder_for_each_entry("struct sched_entity", cfs_rq.tasks_timeline.rb_root.address_of_(), "run_node"):
        if se.my_q:
            cfs(cpu, se.my_q)
            continue
        t = container_of(se, "struct task_struct", "se")
        print(f"CPU {cpu} CFS {int(t.prio)} {int(t.pid)} {t.comm.string_().decode()}")


def rt(cpu, rt_rq):
    queue = rt_rq.active.queue
    for prio in range(len(queue)):
        for rse in list_for_each_entry("struct sched_rt_entity", queue[prio].address_of_(), "run_list"):
            if rse.my_q:
                rt(cpu, rse.my_q)
                continue
            t = container_of(rse, "struct task_struct", "rt")
            print(f"CPU {cpu} RT {prio} {int(t.pid)} {t.comm.string_().decode()}")


for cpu in for_each_present_cpu(prog):
    rq = per_cpu(prog["runqueues"], cpu)
    rt(cpu, rq.rt)
    cfs(cpu, rq.cfs)
