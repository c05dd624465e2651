// SPDX-License-Identifier: GPL-2.0
/*
 * csd_lockup: reproduce a CSD lock wait soft lockup (kinspect sample dumps).
 *
 * A kthread "csd_spinner" bound to spin_cpu disables interrupts and spins, so
 * it never answers a function-call IPI. Then a kthread "csd_waiter" bound to
 * wait_cpu calls on_each_cpu(..., wait=1): smp_call_function_many_cond() spins
 * in csd_lock_wait() on spin_cpu's csd with preemption disabled until the
 * soft-lockup watchdog panics (boot with softlockup_panic=1).
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>

static int wait_cpu = 1;
module_param(wait_cpu, int, 0444);
MODULE_PARM_DESC(wait_cpu, "CPU that waits in csd_lock_wait()");
static int spin_cpu = 2;
module_param(spin_cpu, int, 0444);
MODULE_PARM_DESC(spin_cpu, "CPU that spins with interrupts disabled");

static atomic_t spinning = ATOMIC_INIT(0);
static atomic_t ipi_calls = ATOMIC_INIT(0);

static void csd_lockup_ipi(void *info)
{
	atomic_inc(&ipi_calls);
}

static int csd_spinner(void *unused)
{
	pr_emerg("KINSPECT_FACT csd_spin_cpu=%d csd_spinner_pid=%d csd_spinner_comm=%s\n",
		 raw_smp_processor_id(), current->pid, current->comm);
	local_irq_disable();
	atomic_set(&spinning, 1);
	for (;;)
		cpu_relax();
	return 0;
}

/* Tasks (threads) alive now, idle tasks excluded: as counted from /proc. */
static int count_tasks(void)
{
	struct task_struct *p, *t;
	int n = 0;

	rcu_read_lock();
	for_each_process_thread(p, t)
		n++;
	rcu_read_unlock();
	return n;
}

static int csd_waiter(void *unused)
{
	while (!atomic_read(&spinning))
		msleep(10);
	msleep(1000);	/* let insmod exit, so the task count stays exact */
	pr_emerg("KINSPECT_FACT csd_wait_cpu=%d csd_waiter_pid=%d csd_waiter_comm=%s tasks=%d\n",
		 raw_smp_processor_id(), current->pid, current->comm, count_tasks());
	pr_emerg("KINSPECT_FACT panic_cpu=%d panic_pid=%d panic_comm=%s\n",
		 raw_smp_processor_id(), current->pid, current->comm);
	on_each_cpu(csd_lockup_ipi, NULL, 1);
	pr_emerg("csd_lockup: on_each_cpu returned, no lockup\n");
	return 0;
}

static int __init csd_lockup_init(void)
{
	struct task_struct *spinner, *waiter;

	if (wait_cpu == spin_cpu || !cpu_online(wait_cpu) || !cpu_online(spin_cpu))
		return -EINVAL;
	spinner = kthread_create(csd_spinner, NULL, "csd_spinner");
	if (IS_ERR(spinner))
		return PTR_ERR(spinner);
	kthread_bind(spinner, spin_cpu);
	waiter = kthread_create(csd_waiter, NULL, "csd_waiter");
	if (IS_ERR(waiter))
		return PTR_ERR(waiter);
	kthread_bind(waiter, wait_cpu);
	wake_up_process(spinner);
	wake_up_process(waiter);
	return 0;
}
module_init(csd_lockup_init);

/* No exit function: the module cannot be unloaded (the machine panics anyway). */
MODULE_DESCRIPTION("kinspect sample dumps: CSD lock wait soft lockup");
MODULE_LICENSE("GPL");
