#!/usr/bin/python3
"""drgn_triage.py VMLINUX VMCORE: the objects triage's wait-for edges name,
read by drgn along paths independent of any stack (the triage test's oracle).

stdin: one request per line.
  csd WAITER_CPU TARGET_CPU   -> "csd ADDR FLAGS FUNC": the csd the waiter CPU's
                                 cfd_data holds for the target CPU
  pipe PID FD                 -> "mutex ADDR OWNER_PID": the pipe behind fd FD of
                                 task PID, its pipe_inode_info.mutex and owner
  fpos PID FD                 -> "mutex ADDR OWNER_PID": the struct file's f_pos_lock
  inode PID FD                -> "rwsem ADDR OWNER_PID": the file's inode i_rwsem
                                 (writer-owned: owner with the flag bits masked)
"""
import sys

import drgn
from drgn import Object, cast
from drgn.helpers.linux.percpu import per_cpu, per_cpu_ptr
from drgn.helpers.linux.pid import find_task

prog = drgn.Program()
prog.set_core_dump(sys.argv[2])
prog.load_debug_info([sys.argv[1]])


def owner_pid(word, mask):
    task = int(word) & ~mask
    if not task:
        return 0
    return int(Object(prog, "struct task_struct *", value=task).pid)


def file_of(pid, fd):
    task = find_task(prog, pid)
    return task.files.fdt.fd[fd]


for line in sys.stdin:
    w = line.split()
    if not w:
        continue
    if w[0] == "csd":
        cfd = per_cpu(prog["cfd_data"], int(w[1]))
        try:
            csd = per_cpu_ptr(cfd.pcpu, int(w[2])).csd.address_of_()  # 5.16+
        except AttributeError:
            csd = per_cpu_ptr(cfd.csd, int(w[2]))
        print(f"csd {int(csd):#x} {int(csd.node.u_flags):#x} {int(csd.func):#x}")
    elif w[0] == "pipe":
        f = file_of(int(w[1]), int(w[2]))
        pipe = cast("struct pipe_inode_info *", f.private_data)
        print(f"mutex {int(pipe.mutex.address_of_()):#x} {owner_pid(pipe.mutex.owner.counter, 7)}")
    elif w[0] == "fpos":
        f = file_of(int(w[1]), int(w[2]))
        print(f"mutex {int(f.f_pos_lock.address_of_()):#x} {owner_pid(f.f_pos_lock.owner.counter, 7)}")
    elif w[0] == "inode":
        f = file_of(int(w[1]), int(w[2]))
        sem = f.f_inode.i_rwsem
        print(f"rwsem {int(sem.address_of_()):#x} {owner_pid(sem.owner.counter, 3)}")
