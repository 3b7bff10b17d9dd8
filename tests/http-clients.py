#!/usr/bin/env python3
"""Bad HTTP clients for the metrics endpoint's tests.

    http-clients.py IP PORT DIR N_SLOW N_GARBAGE

Opens N_SLOW connections that send half a request and then trickle one
header byte every half second (so that no inactivity timeout ever drops
them), and N_GARBAGE connections that send binary garbage.  Writes
DIR/ready once all are connected and the garbage is sent.  When DIR/stop
appears, writes to DIR/open how many slow connections the server still
holds open, and exits.
"""
import os
import socket
import sys
import time


def still_open(sock):
    try:
        data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return len(data) > 0 and not data.startswith(b"HTTP")


def main():
    ip, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    n_slow, n_garbage = int(sys.argv[4]), int(sys.argv[5])

    slow = []
    for _ in range(n_slow):
        s = socket.create_connection((ip, port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    garbage = []
    for i in range(n_garbage):
        s = socket.create_connection((ip, port))
        s.sendall(bytes((i * 7 + j * 13) % 256 for j in range(512))
                  + b"\r\n\r\n")
        garbage.append(s)
    with open(os.path.join(out, "ready"), "w") as f:
        f.write("%d %d\n" % (n_slow, n_garbage))

    while not os.path.exists(os.path.join(out, "stop")):
        time.sleep(0.5)
        for s in slow:
            try:
                s.send(b"a")
            except OSError:
                pass
    n_open = sum(1 for s in slow if still_open(s))
    with open(os.path.join(out, "open.tmp"), "w") as f:
        f.write("%d\n" % n_open)
    os.rename(os.path.join(out, "open.tmp"), os.path.join(out, "open"))


if __name__ == "__main__":
    main()
