#!/usr/bin/env python3
"""vpc-conn: TCP and UDP ends for the security group tests.

  vpc-conn.py listen tcp|udp PORT        echo server, until killed
  vpc-conn.py probe tcp|udp IP PORT      exit 0 if an echo comes back in 1 s
  vpc-conn.py hold IP PORT FILE          one TCP connection: sends a byte
                                         every 50 ms; appends "ok" to FILE
                                         per echo, "broken" when none comes
                                         back for 1 s, then exits
Bounded: probes and holds give up after their timeouts; servers are killed
by the test that started them."""
import socket
import sys
import threading
import time


def serve_tcp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)

    def echo(c):
        try:
            while True:
                data = c.recv(4096)
                if not data:
                    break
                c.sendall(data)
        except OSError:
            pass
        c.close()

    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def serve_udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        data, peer = s.recvfrom(4096)
        s.sendto(data, peer)


def probe(proto, ip, port):
    if proto == "tcp":
        try:
            c = socket.create_connection((ip, port), timeout=1)
            c.settimeout(1)
            c.sendall(b"probe")
            return c.recv(16) == b"probe"
        except OSError:
            return False
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(1)
    try:
        c.sendto(b"probe", (ip, port))
        data, _ = c.recvfrom(16)
        return data == b"probe"
    except OSError:
        return False


def hold(ip, port, path):
    c = socket.create_connection((ip, port), timeout=2)
    c.settimeout(1)
    deadline = time.time() + 120
    with open(path, "a") as f:
        while time.time() < deadline:
            try:
                c.sendall(b"x")
                if c.recv(16):
                    f.write("ok\n")
                    f.flush()
                    time.sleep(0.05)
                    continue
            except OSError:
                pass
            f.write("broken\n")
            f.flush()
            return


def main():
    args = sys.argv[1:]
    if args[:1] == ["listen"] and len(args) == 3:
        (serve_tcp if args[1] == "tcp" else serve_udp)(int(args[2]))
    elif args[:1] == ["probe"] and len(args) == 4:
        sys.exit(0 if probe(args[1], args[2], int(args[3])) else 1)
    elif args[:1] == ["hold"] and len(args) == 4:
        hold(args[1], int(args[2]), args[3])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
