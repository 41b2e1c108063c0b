#!/usr/bin/env python3
"""threads_load.py PORT SECONDS -- the mixed load of tests/threads.sh.

Several client threads at once, for SECONDS, against fcrdnsd on
127.0.0.1@PORT:
  - UDP misses: new addresses in 198.51.0.0/16 (their checks finish fast,
    so the main thread answers parked queries while the UDP threads park
    more), each asked twice from two sockets (a resolver's retry);
  - UDP hits: addresses already checked, and the RFC 5782 test entry;
  - TCP: ten pipelined queries a connection, misses and hits mixed.
Prints one line "sent=N answered=N tcp=N wrong=N": wrong counts replies
whose id or question does not match the query. Standard library only;
loopback only.
"""
import random
import socket
import struct
import sys
import threading
import time

ZONE = "fcrdns.local"


def query(name, qid, qtype=1):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", qtype, 1)


def matches(reply, q):
    # id, and the question echoed byte for byte
    return len(reply) >= len(q) and reply[:2] == q[:2] and \
        reply[12:len(q)] == q[12:]


def report(proto, q, rep):
    """A wrong reply, to stderr: what was asked and what came back."""
    sys.stderr.write("wrong %s reply: query %s reply %s\n" % (
        proto, q.hex() if q else "-", rep[:64].hex()))


def revname(a, b, c, d):
    return "%d.%d.%d.%d.%s" % (d, c, b, a, ZONE)


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = self.answered = self.tcp = self.wrong = 0

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)


def udp_client(port, stop, seed, counts, checked):
    r = random.Random(seed)
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in (0, 1)]
    for s in socks:
        s.settimeout(3)
    while time.time() < stop:
        if r.random() < 0.5 or not checked:
            addr = (198, 51, r.randrange(256), r.randrange(1, 255))
            checked.append(addr)
        else:
            addr = r.choice(checked) if r.random() < 0.9 else (127, 0, 0, 2)
        name = revname(*addr)
        qtype = r.choice((1, 1, 16, 28))
        qs = []
        for s in socks:
            q = query(name, r.randrange(65536), qtype)
            s.sendto(q, ("127.0.0.1", port))
            qs.append((s, q))
        counts.add(sent=2)
        for s, q in qs:
            try:
                rep = s.recv(4096)
            except OSError:
                continue
            good = matches(rep, q)
            if not good:
                report("udp", q, rep)
            counts.add(answered=1, wrong=0 if good else 1)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise OSError("closed")
        buf += chunk
    return buf


def tcp_client(port, stop, seed, counts, checked):
    r = random.Random(seed)
    while time.time() < stop:
        qs = []
        ids = r.sample(range(65536), 10)   # distinct within a connection
        for qid in ids:
            if checked and r.random() < 0.7:
                addr = r.choice(checked)
            else:
                addr = (198, 51, r.randrange(256), r.randrange(1, 255))
            qs.append(query(revname(*addr), qid))
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"".join(struct.pack(">H", len(q)) + q for q in qs))
            counts.add(sent=len(qs))
            want = {q[:2]: q for q in qs}
            for _ in qs:
                n = struct.unpack(">H", recv_exact(s, 2))[0]
                rep = recv_exact(s, n)
                q = want.get(rep[:2])
                good = q is not None and matches(rep, q)
                if not good:
                    report("tcp", q, rep)
                counts.add(answered=1, tcp=1, wrong=0 if good else 1)
            s.close()
        except OSError:
            pass


def main():
    port, secs = int(sys.argv[1]), float(sys.argv[2])
    stop = time.time() + secs
    counts = Counts()
    checked = []
    threads = [threading.Thread(target=udp_client,
                                args=(port, stop, i, counts, checked))
               for i in range(6)]
    threads += [threading.Thread(target=tcp_client,
                                 args=(port, stop, 100 + i, counts, checked))
                for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("sent=%d answered=%d tcp=%d wrong=%d" %
          (counts.sent, counts.answered, counts.tcp, counts.wrong))


if __name__ == "__main__":
    main()
