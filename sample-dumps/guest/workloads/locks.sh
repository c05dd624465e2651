# Workload "locks" (sourced by guest/init): module/kinspect_locks.c's kernel
# threads make an ABBA mutex deadlock (plus one task behind it), an rwsem held
# for write by a sleeping thread with readers and a writer queued, and an RCU
# stall on LOCKS_STALL_CPU with a task blocked in synchronize_rcu(), and a
# preemptible reader on CPU 0 (with the user-space spinner) that blocks the same
# grace period as a task. User tasks
# move off that CPU first, so the crash and the ground truth still run. Returns
# once the kernel has reported the stall.
LOCKS_STALL_CPU=2
taskset -p 3 $$ > /dev/null
insmod /lib/kinspect/kinspect_locks.ko stall_cpu="$LOCKS_STALL_CPU" reader_cpu=0 || say "locks: insmod failed"
n=0
while ! dmesg | grep -q 'detected stalls on CPUs' && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done
dmesg | grep -q 'detected stalls on CPUs' || say "locks: no RCU stall reported"
for p in /proc/[0-9]*; do
	case "$(cat "$p/comm" 2>/dev/null)" in
	kl_*) GT_EXTRA="$GT_EXTRA $p/stack $p/wchan";;
	esac
done
