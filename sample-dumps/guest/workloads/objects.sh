# Workload "objects" (sourced by guest/init): loopback up, a second tmpfs mount,
# and /bin/objects (objects.c) holding files, TCP/UDP/UNIX sockets, SysV IPC
# objects and signal state until the crash. Returns once they all exist.
ifconfig lo 127.0.0.1 netmask 255.0.0.0 up || say "objects: lo not up"
mkdir -p /mnt/objects && mount -t tmpfs -o size=1m objects /mnt/objects
echo data > /mnt/objects/file
objects &
n=0; while [ ! -e /tmp/objects.ready ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
[ -e /tmp/objects.ready ] || say "objects: not ready"
# A shell that keeps a file open for reading on fd 3 and /mnt/objects as cwd.
(cd /mnt/objects && exec 3< /mnt/objects/file && exec sleep 300000) &
fact pid_objects_holder=$!
GT_EXTRA="$GT_EXTRA /proc/net/netstat /proc/net/sockstat /proc/sys/kernel/sem"
