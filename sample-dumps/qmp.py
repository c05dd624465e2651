#!/usr/bin/python3
"""qmp.py SOCKET JSON... : run QMP commands in order on QEMU's unix socket.

Each JSON argument is one command object, e.g. '{"execute":"stop"}'. Prints each
reply on stdout; exits 1 on the first error reply. Stdlib only."""
import json
import socket
import sys
import time


def main():
    path, cmds = sys.argv[1], sys.argv[2:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            sock.connect(path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit(f"qmp: cannot connect to {path}")
    f = sock.makefile("rw")

    def reply():
        while True:
            line = f.readline()
            if not line:
                sys.exit("qmp: QEMU closed the socket")
            msg = json.loads(line)
            if "event" not in msg:   # skip asynchronous events
                return msg

    reply()  # greeting
    for cmd in ['{"execute":"qmp_capabilities"}'] + cmds:
        f.write(cmd + "\n")
        f.flush()
        r = reply()
        if "error" in r:
            sys.exit(f"qmp: {cmd} -> {r['error']}")
        print(json.dumps(r))


if __name__ == "__main__":
    main()
