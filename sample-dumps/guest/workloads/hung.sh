# Workload "hung" (sourced by guest/init): /bin/hung (hung.c) leaves tasks in D
# state waiting for a pipe mutex and a tmpfs inode's i_rwsem whose holders sleep
# in an unserved userfaultfd fault, one of them in a two-lock chain. Returns once
# every waiter is queued; their kernel stacks go into the ground truth.
hung &
n=0; while [ ! -e /tmp/hung.ready ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
[ -e /tmp/hung.ready ] || say "hung: not ready"
for p in /proc/[0-9]*; do
	case "$(cat "$p/comm" 2>/dev/null)" in
	hung*) GT_EXTRA="$GT_EXTRA $p/stack $p/wchan $p/task/*/stack";;
	esac
done
