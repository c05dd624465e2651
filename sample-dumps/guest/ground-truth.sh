# Sourced by guest/init just before the crash: prints the kernel's own view of
# itself (/proc files and a few listings) to the console, each between
#   KINSPECT_PROC_BEGIN NAME
#   KINSPECT_PROC_END NAME
# lines. The host (sample-dumps/guest_proc.py) writes each block to
# DUMP_DIR/guest-proc/NAME, the ground truth tests compare kinspect with.
# Init's stdout is the console device, not printk, so the dump's log is unchanged.
# Workloads (guest/workloads/*.sh) may add paths to GT_EXTRA.
gt_file() {
	for f in "$@"; do
		[ -r "$f" ] || continue
		echo "KINSPECT_PROC_BEGIN $f"
		cat "$f" 2>/dev/null
		echo "KINSPECT_PROC_END $f"
	done
}
gt_cmd() { # gt_cmd NAME COMMAND... : a command's output as block NAME
	n=$1; shift
	echo "KINSPECT_PROC_BEGIN $n"
	"$@" 2>&1
	echo "KINSPECT_PROC_END $n"
}
gt_file /proc/meminfo /proc/vmstat /proc/buddyinfo /proc/zoneinfo /proc/pagetypeinfo \
	/proc/slabinfo /proc/vmallocinfo /proc/swaps /proc/iomem /proc/ioports \
	/proc/interrupts /proc/softirqs /proc/stat /proc/loadavg /proc/uptime \
	/proc/net/dev /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 \
	/proc/net/unix /proc/net/arp /proc/net/route \
	/proc/mounts /proc/self/mountinfo /proc/filesystems /proc/devices \
	/proc/partitions /proc/diskstats /proc/modules /proc/cpuinfo /proc/cgroups \
	/proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg /proc/timer_list \
	/proc/sys/kernel/tainted /proc/sys/kernel/hung_task_timeout_secs $GT_EXTRA
# Per process: its mappings, open files (with the link targets) and signal state.
for p in /proc/[0-9]*; do
	# (/proc files report size 0: test for content, not with -s)
	[ -n "$(head -c 1 "$p/maps" 2>/dev/null)" ] || continue
	gt_file "$p/maps" "$p/status"
	gt_cmd "$p/fd" ls -l "$p/fd/"
done
if [ -d /sys/fs/cgroup ] && [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	gt_cmd cgroup-tree find /sys/fs/cgroup -name cgroup.controllers
fi
