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
  mutexq ADDR                 -> "mutex ADDR OWNER_PID WAITER_PID,...": the mutex at
                                 ADDR, its owner and the tasks on its wait_list
  rwsemq ADDR                 -> "rwsem ADDR OWNER_PID WAITER_PID,...": the same for
                                 an rw_semaphore (writer-owned)
  rcu                         -> "rcu GP_SEQ CPU,... TASK_PID,...": rcu_state.gp_seq
                                 (signed), the CPUs whose bit is set in a leaf
                                 rcu_node's qsmask, the tasks from gp_tasks on
  completionq ADDR            -> "completion ADDR DONE WAITER_PID,...": the tasks
                                 on the completion's swait queue
  rpc DEBUG_DIR PID           -> "rpc PID TASK PROC_INDEX P_NAME PROG VERS XPRT STATE
                                 ADDR PORT": task PID's __rpc_execute rpc_task (with
                                 sunrpc/nfs/nfsv3's debug files from DEBUG_DIR), its
                                 rpc_proc's index in nfs3_procedures, the client's
                                 program/version, the transport, its state word and
                                 address_strings
"""
import glob
import sys

import drgn
from drgn import Object, cast, sizeof
from drgn.helpers.linux.list import list_for_each_entry
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


def waiters(lock, waiter_type):
    pids = []
    for w in list_for_each_entry(waiter_type, lock.wait_list.address_of_(), "list"):
        pids.append(str(int(w.task.pid)))
    return ",".join(pids) or "-"


def rpc(debug_dir, pid):
    kos = []
    for m in ("sunrpc", "nfs", "nfsv3"):
        kos += glob.glob(debug_dir + "/**/%s.ko" % m, recursive=True)[:1]
    if kos:
        prog.load_debug_info(kos)
    for frame in prog.stack_trace(find_task(prog, pid)):
        if frame.name == "__rpc_execute":
            t = frame["task"]
            proc = t.tk_msg.rpc_proc
            base = prog["nfs3_procedures"]
            idx = (int(proc) - int(base.address_of_())) // sizeof(base[0])
            clnt, x = t.tk_client, t.tk_xprt
            print(f"rpc {pid} {int(t):#x} {idx} {proc.p_name.string_().decode()} {int(clnt.cl_prog)} "
                  f"{int(clnt.cl_vers)} {int(x):#x} {int(x.state):#x} "
                  f"{x.address_strings[0].string_().decode()} {x.address_strings[1].string_().decode()}")
            return
    print(f"rpc {pid} none")


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
    elif w[0] == "mutexq":
        m = Object(prog, "struct mutex", address=int(w[1], 16))
        print(f"mutex {int(w[1], 16):#x} {owner_pid(m.owner.counter, 7)} {waiters(m, 'struct mutex_waiter')}")
    elif w[0] == "rwsemq":
        r = Object(prog, "struct rw_semaphore", address=int(w[1], 16))
        print(f"rwsem {int(w[1], 16):#x} {owner_pid(r.owner.counter, 7)} {waiters(r, 'struct rwsem_waiter')}")
    elif w[0] == "rcu":
        rs = prog["rcu_state"]
        levels = int(prog["rcu_num_lvls"])
        cpus, tasks = [], []
        for i in range(int(prog["rcu_num_nodes"])):
            n = rs.node[i]
            if int(n.level) != levels - 1:
                continue
            cpus += [str(int(n.grplo) + b) for b in range(64) if int(n.qsmask) >> b & 1]
            started = False
            for t in list_for_each_entry("struct task_struct", n.blkd_tasks.address_of_(), "rcu_node_entry"):
                started = started or int(t.rcu_node_entry.address_of_()) == int(n.gp_tasks)
                if started:
                    tasks.append(str(int(t.pid)))
        seq = int(rs.gp_seq)
        seq = seq - (1 << 64) if seq >= 1 << 63 else seq
        print(f"rcu {seq} {','.join(cpus) or '-'} {','.join(tasks) or '-'}")
    elif w[0] == "rpc":
        rpc(w[1], int(w[2]))
    elif w[0] == "completionq":
        c = Object(prog, "struct completion", address=int(w[1], 16))
        pids = [str(int(q.task.pid)) for q in
                list_for_each_entry("struct swait_queue", c.wait.task_list.address_of_(), "task_list")]
        print(f"completion {int(w[1], 16):#x} {int(c.done)} {','.join(pids) or '-'}")
