#!/usr/bin/env python3
"""dnsload.py -- send many DNSBL queries to fcrdnsd and judge every reply.

    dnsload.py --server 127.0.0.1:PORT --names FILE [--window N]
               [--rate QPS] [--timeout S] [--short-ttl S] --summary FILE

FILE has one "QNAME EXPECTED" line per query, EXPECTED one of PASS,
NO_PTR, NO_FORWARD, MISMATCH or DEADLINE. Each QNAME is asked once (type
A, RD clear) from one UDP socket, keeping at most --window queries
outstanding and, with --rate, at most that many queries a second. A query
with no reply within --timeout seconds is lost (no retries).

Each reply is classified from the wire:
  NXDOMAIN, no answer, SOA TTL == --short-ttl      -> DEADLINE (the deadline
                                                      or TEMPERROR answer)
  NXDOMAIN, no answer, SOA TTL != --short-ttl      -> PASS
  NOERROR, one A 127.0.0.2 / .3 / .4               -> NO_PTR / NO_FORWARD /
                                                      MISMATCH
  anything else                                    -> OTHER
A reply is right if its class is the expected one or DEADLINE (a check
that did not finish in time). On SIGTERM sending stops; outstanding
queries are still waited for. At the end, "key=value" lines go to
--summary: sent, answered, lost, right, wrong, verdicts (right and not
DEADLINE), deadline, max_ms, and up to 5 "example=" lines of wrong or
lost replies. Python 3 standard library only.
"""
import argparse
import collections
import os
import random
import select
import signal
import socket
import struct
import sys
import time

CODES = {"127.0.0.2": "NO_PTR", "127.0.0.3": "NO_FORWARD",
         "127.0.0.4": "MISMATCH"}


def encode_query(qid, qname):
    out = struct.pack("!HHHHHH", qid, 0x0000, 1, 0, 0, 0)
    for label in qname.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0" + struct.pack("!HH", 1, 1)


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def read_name(msg, off):
    labels, jumps = [], 0
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels).lower()
        if n & 0xC0 == 0xC0:
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            if jumps > 20:
                raise ValueError("pointer loop")
            continue
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def classify(msg, short_ttl):
    """(qid, qname, class, detail)."""
    qid, flags, qd, an, ns, _ = struct.unpack("!HHHHHH", msg[:12])
    rcode = flags & 0xF
    off = 12
    qname = read_name(msg, off) if qd else ""
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    rrs = []
    for _ in range(an + ns):
        off = skip_name(msg, off)
        rtype, _, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        rrs.append((rtype, ttl, msg[off:off + rdlen]))
        off += rdlen
    answers, auth = rrs[:an], rrs[an:]
    detail = "rcode=%d an=%d ns=%d" % (rcode, an, ns)
    if rcode == 3 and an == 0 and len(auth) == 1 and auth[0][0] == 6:
        ttl = auth[0][1]
        return qid, qname, ("DEADLINE" if ttl == short_ttl else "PASS"), \
            detail + " soa_ttl=%d" % ttl
    if rcode == 0 and an == 1 and answers[0][0] == 1 and \
            len(answers[0][2]) == 4:
        a = socket.inet_ntoa(answers[0][2])
        return qid, qname, CODES.get(a, "OTHER"), detail + " a=" + a
    return qid, qname, "OTHER", detail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--names", required=True)
    ap.add_argument("--window", type=int, default=500)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=4.0)
    ap.add_argument("--short-ttl", type=int, default=10)
    ap.add_argument("--summary", required=True)
    args = ap.parse_args()
    host, port = args.server.rsplit(":", 1)
    peer = (host, int(port))

    todo = []
    with open(args.names) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                todo.append((parts[0].lower().rstrip("."), parts[1]))
    todo.reverse()      # pop() from the end keeps file order

    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
        s.setsockopt(socket.SOL_SOCKET, opt, 4 << 20)
    s.connect(peer)
    s.setblocking(False)

    pending = {}        # qid -> (qname, expected, sent_at)
    ids = list(range(65536))
    random.shuffle(ids)
    free_ids = collections.deque(ids)
    st = {"sent": 0, "answered": 0, "lost": 0, "right": 0, "wrong": 0,
          "verdicts": 0, "deadline": 0, "max_ms": 0, "late": 0}
    examples = []
    t_start = time.monotonic()

    while True:
        now = time.monotonic()
        # send
        while todo and not stop[0] and len(pending) < args.window:
            if args.rate > 0 and st["sent"] >= (now - t_start) * args.rate:
                break
            qname, exp = todo[-1]
            qid = free_ids.popleft()
            try:
                s.send(encode_query(qid, qname))
            except BlockingIOError:
                free_ids.appendleft(qid)
                break
            todo.pop()
            pending[qid] = (qname, exp, now)
            st["sent"] += 1
        if not pending and (not todo or stop[0]):
            break
        r, _, _ = select.select([s], [], [], 0.01)
        now = time.monotonic()
        if r:
            while True:
                try:
                    msg = s.recv(65535)
                except (BlockingIOError, InterruptedError):
                    break
                except ConnectionRefusedError:
                    continue
                try:
                    qid, qname, cls, detail = classify(msg, args.short_ttl)
                except (ValueError, IndexError, struct.error):
                    continue
                if qid not in pending or pending[qid][0] != qname:
                    st["late"] += 1
                    continue
                _, exp, t0 = pending.pop(qid)
                free_ids.append(qid)
                ms = int((now - t0) * 1000)
                st["answered"] += 1
                st["max_ms"] = max(st["max_ms"], ms)
                if cls == exp or cls == "DEADLINE":
                    st["right"] += 1
                    st["deadline" if cls == "DEADLINE" else "verdicts"] += 1
                else:
                    st["wrong"] += 1
                    if len(examples) < 5:
                        examples.append("%s expected %s got %s (%s)" %
                                        (qname, exp, cls, detail))
        for qid in [q for q, v in pending.items()
                    if now - v[2] > args.timeout]:
            qname, exp, _ = pending.pop(qid)
            free_ids.append(qid)
            st["lost"] += 1
            if len(examples) < 5:
                examples.append("%s expected %s got no reply in %.1f s" %
                                (qname, exp, args.timeout))
    st["seconds"] = "%.1f" % (time.monotonic() - t_start)
    with open(args.summary + ".tmp", "w") as f:
        for k, v in st.items():
            f.write("%s=%s\n" % (k, v))
        for e in examples:
            f.write("example=%s\n" % e)
    os.rename(args.summary + ".tmp", args.summary)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(1)
