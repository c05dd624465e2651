// SPDX-License-Identifier: GPL-2.0
/*
 * kinspect_locks: kernel-side lock waits for triage's wait-for graph (kinspect
 * sample dumps, scenario x86_64-locks).
 *
 * - "kl_abba_a" takes kl_mutex_a then kl_mutex_b, "kl_abba_b" takes kl_mutex_b
 *   then kl_mutex_a: an ABBA deadlock, a real cycle; "kl_behind" then blocks on
 *   kl_mutex_a behind them.
 * - "kl_rw_writer" holds kl_rwsem for write and sleeps (S state);
 *   "kl_rw_reader0"/"kl_rw_reader1" block in down_read(), "kl_rw_writer2" in
 *   down_write().
 * - "kl_rcu_staller", bound to stall_cpu, spins inside rcu_read_lock() with
 *   preemption disabled: that CPU never reports a quiescent state, so the
 *   grace period in progress stalls (boot with a short rcu_cpu_stall_timeout);
 *   "kl_rcu_waiter" then blocks in synchronize_rcu() on that grace period.
 * - "kl_rcu_reader", bound to reader_cpu, spins inside rcu_read_lock() with
 *   preemption enabled (boot with preempt=full): preempted there by the
 *   CPU's other busy task, it blocks the grace period as a task (rcu_node's
 *   blkd_tasks / gp_tasks) rather than as a CPU.
 *
 * Every thread's pid and every lock's address are printed as KINSPECT_FACT
 * lines for the tests.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/smp.h>

static int stall_cpu = 2;
module_param(stall_cpu, int, 0444);
MODULE_PARM_DESC(stall_cpu, "CPU on which kl_rcu_staller spins in rcu_read_lock()");

static int reader_cpu;
module_param(reader_cpu, int, 0444);
MODULE_PARM_DESC(reader_cpu, "CPU on which kl_rcu_reader spins, preemptible, in rcu_read_lock()");

static DEFINE_MUTEX(kl_mutex_a);
static DEFINE_MUTEX(kl_mutex_b);
static DECLARE_RWSEM(kl_rwsem);

static atomic_t abba_first_held = ATOMIC_INIT(0);
static atomic_t rw_write_held = ATOMIC_INIT(0);
static atomic_t rcu_readers_in = ATOMIC_INIT(0);

/* Sleep interruptibly forever: a holder that is not itself blocked on a lock. */
static void kinspect_sleep_forever(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		schedule();
	}
}

/* Takes its first mutex, waits until the other thread holds its own, then
 * blocks on the other's: neither ever returns. */
static int kinspect_abba_thread(void *first_is_a)
{
	struct mutex *first = first_is_a ? &kl_mutex_a : &kl_mutex_b;
	struct mutex *second = first_is_a ? &kl_mutex_b : &kl_mutex_a;

	mutex_lock(first);
	atomic_inc(&abba_first_held);
	while (atomic_read(&abba_first_held) < 2)
		msleep(10);
	mutex_lock(second);
	pr_emerg("kinspect_locks: ABBA did not deadlock\n");
	kinspect_sleep_forever();
	return 0;
}

static int kinspect_behind_thread(void *unused)
{
	while (atomic_read(&abba_first_held) < 2)
		msleep(10);
	msleep(200);	/* after both ABBA threads block on their second mutex */
	mutex_lock(&kl_mutex_a);
	kinspect_sleep_forever();
	return 0;
}

static int kinspect_rw_writer_thread(void *unused)
{
	down_write(&kl_rwsem);
	atomic_set(&rw_write_held, 1);
	kinspect_sleep_forever();
	return 0;
}

static int kinspect_rw_reader_thread(void *unused)
{
	while (!atomic_read(&rw_write_held))
		msleep(10);
	down_read(&kl_rwsem);
	kinspect_sleep_forever();
	return 0;
}

static int kinspect_rw_writer2_thread(void *unused)
{
	while (!atomic_read(&rw_write_held))
		msleep(10);
	msleep(200);	/* queue behind the readers */
	down_write(&kl_rwsem);
	kinspect_sleep_forever();
	return 0;
}

static int kinspect_rcu_staller(void *unused)
{
	msleep(500);	/* let the lock threads block first */
	/*
	 * Enter right after a grace period ended, so that the next one starts
	 * with both readers inside their sections and waits for both: this
	 * CPU (qsmask) and the preempted reader (gp_tasks).
	 */
	synchronize_rcu();
	pr_emerg("KINSPECT_FACT rcu_stall_cpu=%d rcu_staller_pid=%d rcu_staller_comm=%s\n",
		 raw_smp_processor_id(), current->pid, current->comm);
	rcu_read_lock();
	preempt_disable();
	atomic_inc(&rcu_readers_in);
	for (;;)
		cpu_relax();
	return 0;
}

static int kinspect_rcu_reader(void *unused)
{
	/* Busy-wait (no sleep) so that it enters within microseconds of the staller. */
	while (!atomic_read(&rcu_readers_in))
		cpu_relax();
	rcu_read_lock();
	atomic_inc(&rcu_readers_in);
	for (;;)
		cpu_relax();
	return 0;
}

static int kinspect_rcu_waiter(void *unused)
{
	while (atomic_read(&rcu_readers_in) < 2)
		msleep(10);
	msleep(100);	/* the reader has been preempted inside its section by now */
	synchronize_rcu();
	pr_emerg("kinspect_locks: the grace period ended, no RCU stall\n");
	kinspect_sleep_forever();
	return 0;
}

static struct task_struct *kinspect_start(int (*fn)(void *), void *arg,
					  const char *name, int cpu)
{
	struct task_struct *t = kthread_create(fn, arg, "%s", name);

	if (IS_ERR(t))
		return t;
	if (cpu >= 0)
		kthread_bind(t, cpu);
	wake_up_process(t);
	return t;
}

static int __init kinspect_locks_init(void)
{
	struct task_struct *t[10];
	int i;

	if (!cpu_online(stall_cpu) || !cpu_online(reader_cpu) || stall_cpu == reader_cpu)
		return -EINVAL;
	t[0] = kinspect_start(kinspect_abba_thread, (void *)1, "kl_abba_a", -1);
	t[1] = kinspect_start(kinspect_abba_thread, NULL, "kl_abba_b", -1);
	t[2] = kinspect_start(kinspect_behind_thread, NULL, "kl_behind", -1);
	t[3] = kinspect_start(kinspect_rw_writer_thread, NULL, "kl_rw_writer", -1);
	t[4] = kinspect_start(kinspect_rw_reader_thread, NULL, "kl_rw_reader0", -1);
	t[5] = kinspect_start(kinspect_rw_reader_thread, NULL, "kl_rw_reader1", -1);
	t[6] = kinspect_start(kinspect_rw_writer2_thread, NULL, "kl_rw_writer2", -1);
	t[7] = kinspect_start(kinspect_rcu_staller, NULL, "kl_rcu_staller", stall_cpu);
	t[8] = kinspect_start(kinspect_rcu_waiter, NULL, "kl_rcu_waiter", -1);
	t[9] = kinspect_start(kinspect_rcu_reader, NULL, "kl_rcu_reader", reader_cpu);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (IS_ERR(t[i]))
			return PTR_ERR(t[i]);	/* threads already started keep running */
	pr_emerg("KINSPECT_FACT locks_mutex_a=%px locks_mutex_b=%px locks_rwsem=%px\n",
		 &kl_mutex_a, &kl_mutex_b, &kl_rwsem);
	pr_emerg("KINSPECT_FACT locks_abba_a_pid=%d locks_abba_b_pid=%d locks_behind_pid=%d\n",
		 t[0]->pid, t[1]->pid, t[2]->pid);
	pr_emerg("KINSPECT_FACT locks_rw_writer_pid=%d locks_rw_readers_pids=%d,%d locks_rw_writer2_pid=%d\n",
		 t[3]->pid, t[4]->pid, t[5]->pid, t[6]->pid);
	pr_emerg("KINSPECT_FACT locks_rcu_waiter_pid=%d locks_rcu_reader_pid=%d locks_rcu_reader_cpu=%d\n",
		 t[8]->pid, t[9]->pid, reader_cpu);
	return 0;
}
module_init(kinspect_locks_init);

/* No exit function: the module cannot be unloaded (its threads never end). */
MODULE_DESCRIPTION("kinspect sample dumps: ABBA mutex deadlock, rwsem writer, RCU stall");
MODULE_LICENSE("GPL");
