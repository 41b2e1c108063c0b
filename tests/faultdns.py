#!/usr/bin/env python3
"""faultdns.py -- a tiny fault-injecting DNS server for the integration test.

NSD answers correctly; this answers wrongly on purpose, for the cases NSD
cannot produce. Python 3 standard library only. Loopback only.

    faultdns.py --ports FILE --log FILE MODE...

Each MODE gets its own port (UDP and TCP, same number, picked by the kernel
on 127.0.0.1). When every socket is bound, "MODE PORT" lines are written to
the --ports file (atomically, via rename), so the caller waits for that
file. Every query received is logged as "MODE PROTO QNAME QTYPE".

Modes:
  servfail  answer SERVFAIL, question echoed
  refused   answer REFUSED, question echoed
  silent    never answer (UDP dropped; TCP accepted, read, never answered)
  garbage   a reply with the right id that is cut off mid-record (malformed)
  trap      answer REFUSED; exists to prove that no query is made (the test
            asserts its log lines are absent)
  ptr:NAME  answer every PTR query with one PTR record NAME, byte for byte
            (NSD lower-cases PTR data; this keeps "MX16.Example.COM."),
            AA, TTL 3600; other types get NODATA
  slow      answer NXDOMAIN (AA, no records) 300 ms late over UDP: a check
            slow enough that a resolver's retries arrive while it runs
"""
import argparse
import os
import selectors
import socket
import struct
import sys
import time

MODES = ("servfail", "refused", "silent", "garbage", "trap", "slow")
SLOW_S = 0.3


def parse_question(msg):
    """(qname text, qtype, end offset of the question) or None."""
    if len(msg) < 12 or struct.unpack("!H", msg[4:6])[0] != 1:
        return None
    labels, off = [], 12
    while True:
        if off >= len(msg):
            return None
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n > 63 or off + n > len(msg):
            return None
        labels.append(msg[off:off + n].decode("ascii", "backslashreplace"))
        off += n
    if off + 4 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[off:off + 2])[0]
    return (".".join(labels) + ".", qtype, off + 4)


def reply(mode, msg):
    """The reply bytes for one query, or None to stay silent."""
    q = parse_question(msg)
    if q is None or mode == "silent":
        return None
    qid, flags = struct.unpack("!HH", msg[0:4])
    if flags & 0x8000:          # a response: never answer it
        return None
    rd = flags & 0x0100
    question = msg[12:q[2]]
    if mode == "garbage":
        # Claims one answer RR, then stops inside its header.
        hdr = struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 1, 0, 0)
        return hdr + question + b"\xc0\x0c\x00\x0c\x00"
    if mode.startswith("ptr:"):
        if q[1] != 12:
            return struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 0, 0, 0) + question
        target = b"".join(bytes([len(l)]) + l.encode()
                          for l in mode[4:].rstrip(".").split(".")) + b"\0"
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 12, 1, 3600, len(target)) + target
        return struct.pack("!HHHHHH", qid, 0x8400 | rd, 1, 1, 0, 0) + question + rr
    if mode == "slow":
        return struct.pack("!HHHHHH", qid, 0x8403 | rd, 1, 0, 0, 0) + question
    rcode = 2 if mode == "servfail" else 5
    hdr = struct.pack("!HHHHHH", qid, 0x8000 | rd | rcode, 1, 0, 0, 0)
    return hdr + question


class Tcp:
    """One TCP client: 2-byte length framing (RFC 1035 4.2.2)."""

    def __init__(self, sock, mode):
        self.sock, self.mode, self.buf = sock, mode, b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("modes", nargs="+", metavar="MODE")
    args = ap.parse_args()
    for m in args.modes:
        if m not in MODES and not m.startswith("ptr:"):
            ap.error("unknown mode " + m)

    log = open(args.log, "a", buffering=1)
    sel = selectors.DefaultSelector()
    lines = []
    for mode in args.modes:
        for _ in range(50):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                t.bind(("127.0.0.1", port))
                break
            except OSError:
                u.close()
                t.close()
        else:
            sys.exit("faultdns: no free port for " + mode)
        t.listen(16)
        u.setblocking(False)
        t.setblocking(False)
        sel.register(u, selectors.EVENT_READ, ("udp", mode))
        sel.register(t, selectors.EVENT_READ, ("listen", mode))
        lines.append("%s %d\n" % (mode, port))
    tmp = args.ports + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.rename(tmp, args.ports)

    def note(mode, proto, msg):
        q = parse_question(msg)
        log.write("%s %s %s %s\n" % (mode, proto, q[0] if q else "?",
                                    q[1] if q else "?"))

    later = []   # (due, sock, reply, peer) for the slow mode
    while True:
        now = time.monotonic()
        while later and later[0][0] <= now:
            _, s, r, peer = later.pop(0)
            try:
                s.sendto(r, peer)
            except OSError:
                pass
        wait = max(0.0, later[0][0] - now) if later else None
        for key, _ in sel.select(wait):
            kind, mode = key.data if isinstance(key.data, tuple) else ("tcp", None)
            s = key.fileobj
            try:
                if kind == "udp":
                    msg, peer = s.recvfrom(65535)
                    note(mode, "udp", msg)
                    r = reply(mode, msg)
                    if r is not None and mode == "slow":
                        later.append((time.monotonic() + SLOW_S, s, r, peer))
                    elif r is not None:
                        s.sendto(r, peer)
                elif kind == "listen":
                    c, _ = s.accept()
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, Tcp(c, mode))
                else:
                    conn = key.data
                    data = s.recv(65535)
                    if not data:
                        sel.unregister(s)
                        s.close()
                        continue
                    conn.buf += data
                    while len(conn.buf) >= 2:
                        n = struct.unpack("!H", conn.buf[:2])[0]
                        if len(conn.buf) < 2 + n:
                            break
                        msg, conn.buf = conn.buf[2:2 + n], conn.buf[2 + n:]
                        note(conn.mode, "tcp", msg)
                        r = reply(conn.mode, msg)
                        if r is not None:
                            s.sendall(struct.pack("!H", len(r)) + r)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                if kind == "tcp":
                    sel.unregister(s)
                    s.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
