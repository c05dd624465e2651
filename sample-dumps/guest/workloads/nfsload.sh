# nfsload: NFS clients whose server stops answering (incident 4): a tiny
# NFSv3 server in the guest (nfsload.c) answers MOUNT and NULL, never an
# NFS call, so each client's mount(2) waits in __rpc_execute. Loopback only.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
nfsload /tmp/nfs-server.log 3
fact nfs_server_port=2049 nfs_clients=3
GT_EXTRA="$GT_EXTRA /tmp/nfs-server.log"
