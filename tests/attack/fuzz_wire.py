#!/usr/bin/env python3
"""fuzz_wire.py -- malformed-packet fuzzer for fcrdnsd (UDP and TCP).

    fuzz_wire.py PORT [--count N] [--seconds S] [--seed N] [--tcp-share F]

Sends random and structured mutations of valid queries to 127.0.0.1@PORT,
decodes every reply strictly (dnslib.parse_msg) and checks invariants.
Loopback only. Prints a summary and every violation (first 50)."""
import argparse
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from dnslib import (Bad, build_query, enc_name, parse_msg, question_bytes)

ZONE = "fcrdns.local"

viol = []
stats = {"sent": 0, "reply": 0, "noreply": 0, "noreply_expected": 0,
         "tcp_frames": 0, "tcp_reply": 0, "tcp_closed": 0}
rcodes = {}


def V(msg, q, r=None):
    if len(viol) < 200:
        viol.append((msg, q.hex()[:400], r.hex()[:400] if r else ""))


def rand_v4():
    return "%d.%d.%d.%d" % (random.choice([192, 198, 203, 1, 8, 45, 11]),
                            random.randrange(256), random.randrange(256),
                            random.randrange(256))


def rand_name():
    k = random.randrange(12)
    if k == 0:
        return ZONE
    if k in (1, 2, 3):
        ip = rand_v4()
        return ".".join(reversed(ip.split("."))) + "." + ZONE
    if k == 4:
        nib = "".join(random.choice("0123456789abcdefABCDEF") for _ in range(32))
        return ".".join(nib) + "." + ZONE
    if k == 5:
        return ".".join(str(random.randrange(256)) for _ in range(random.randrange(1, 4))) + "." + ZONE
    if k == 6:
        return random.choice(["version.bind", "version.server", "id.server",
                              "hostname.bind", "authors.bind"])
    if k == 7:
        return "ns1." + ZONE
    if k == 8:
        return "example.com"
    if k == 9:
        return "2.0.0.127." + ZONE
    if k == 10:
        return ".".join(random.choice(["0", "00", "256", "1", "-1", "a", "x" * 63])
                        for _ in range(random.randrange(1, 6))) + "." + ZONE
    return ".".join(random.choice("0123456789abcdef") for _ in range(random.randrange(1, 40))) + "." + ZONE


def base_query():
    name = rand_name()
    qtype = random.choice([1, 16, 28, 255, 6, 2, 12, 252, 251, 0, 65535, 41, 99])
    qclass = 3 if name.endswith(".bind") or name.endswith(".server") else 1
    if random.random() < 0.05:
        qclass = random.choice([0, 2, 4, 254, 255, 65535])
    edns = None
    opts = b""
    if random.random() < 0.6:
        edns = random.choice([0, 1, 511, 512, 513, 1232, 4096, 65535, 1400])
        for _ in range(random.randrange(0, 3)):
            code = random.choice([3, 10, 8, 12, 65001, 0])
            data = bytes(random.randrange(256) for _ in range(random.randrange(0, 40)))
            opts += struct.pack("!HH", code, len(data)) + data
    return build_query(name, qtype, qclass, edns=edns, opts=opts,
                       rd=random.randrange(2), do=random.randrange(2),
                       ver=0 if random.random() < 0.9 else random.randrange(256))


def mutate(q):
    if len(q) < 20:
        q = base_query()
    q = bytearray(q)
    k = random.randrange(22)
    if k == 0:  # pure random
        return bytes(random.randrange(256) for _ in range(random.randrange(0, 700)))
    if k == 1:  # byte flips
        for _ in range(random.randrange(1, 6)):
            i = random.randrange(len(q))
            q[i] = random.randrange(256)
        return bytes(q)
    if k == 2:  # header counts
        i = random.choice([4, 6, 8, 10])
        v = random.choice([0, 1, 2, 3, 255, 256, 0x7fff, 0xffff, random.randrange(65536)])
        q[i:i + 2] = struct.pack("!H", v)
        return bytes(q)
    if k == 3:  # truncate
        return bytes(q[:random.randrange(len(q) + 1)])
    if k == 4:  # append junk
        return bytes(q) + bytes(random.randrange(256) for _ in range(random.randrange(1, 300)))
    if k == 5:  # compression pointer in qname
        p = random.randrange(12, max(13, len(q) - 4))
        ptr = random.choice([0xc00c, 0xc000, 0xc000 | p, 0xffff, 0xc000 | (p + 2)])
        q[p:p + 2] = struct.pack("!H", ptr)
        return bytes(q)
    if k == 6:  # label types
        p = 12
        q[p] = random.choice([0x40, 0x80, 0x41, 0xbf, 0x7f, 64, 63])
        return bytes(q)
    if k == 7:  # long names
        nl = random.choice([126, 127, 128, 200])
        name = b"".join(b"\x01" + bytes([random.choice(b"0123456789abcdef")]) for _ in range(nl)) + b"\0"
        if random.random() < 0.5:
            name = b"\x3f" + b"a" * 63 + b"\x3f" + b"b" * 63 + b"\x3f" + b"c" * 63 + b"\x3e" + b"d" * 62 + b"\0"
            if random.random() < 0.5:
                name = name[:-1] + b"\x01x\0"
        return build_query(name, 1, 1)
    if k == 8:  # EDNS option bad lengths
        name = enc_name(rand_name())
        opts = struct.pack("!HH", random.choice([3, 10, 8]), random.choice([0xffff, 5, 100, 1])) + b"ab"
        rdlen = random.choice([len(opts), len(opts) + 3, 0xffff, max(0, len(opts) - 1), 3, 1])
        h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 1)
        return h + name + struct.pack("!HH", 1, 1) + b"\0" + struct.pack("!HHIH", 41, 1232, 0, rdlen) + opts
    if k == 9:  # two OPTs, OPT in answer, OPT with non-root owner
        name = enc_name(rand_name())
        opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
        var = random.randrange(4)
        if var == 0:
            h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 2)
            return h + name + struct.pack("!HH", 1, 1) + opt + opt
        if var == 1:
            h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 1, 0, 1)
            return h + name + struct.pack("!HH", 1, 1) + opt + opt
        if var == 2:
            h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 1)
            return h + name + struct.pack("!HH", 1, 1) + b"\xc0\x0c" + opt[1:]
        h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 1)
        return h + name + struct.pack("!HH", 1, 1) + b"\x01a\0" + opt[1:]
    if k == 10:  # known-answer records with pointer loops in owners
        name = enc_name(rand_name())
        qend = 12 + len(name) + 4
        rr = struct.pack("!H", 0xc000 | qend) + struct.pack("!HHIH", 1, 1, 0, 4) + b"\1\2\3\4"
        h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, random.randrange(1, 4), 0, 0)
        return h + name + struct.pack("!HH", 1, 1) + rr * random.randrange(1, 4)
    if k == 11:  # opcode / flags
        q[2] = random.randrange(256) & 0x7f
        q[3] = random.randrange(256)
        return bytes(q)
    if k == 12:  # QR=1 response (must be dropped)
        q[2] |= 0x80
        return bytes(q)
    if k == 13:  # empty / tiny
        return bytes(q[:random.randrange(0, 13)])
    if k == 14:  # zero-length labels in middle, label len past end
        return bytes(q[:12]) + b"\x05ab" 
    if k == 15:  # big packet near UDP_BUF
        n = random.choice([4095, 4096, 4097, 8000, 1024, 1025])
        name = enc_name(rand_name())
        h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 1)
        body = h + name + struct.pack("!HH", 16, 1)
        pad = max(0, n - len(body) - 11 - 4)
        opt = b"\0" + struct.pack("!HHIH", 41, 4096, 0, pad + 4) + struct.pack("!HH", 12, pad) + b"\0" * pad
        return body + opt
    if k == 16:  # many additional records with random types
        name = enc_name(rand_name())
        recs = b""
        n = random.randrange(1, 50)
        for _ in range(n):
            rd = bytes(random.randrange(256) for _ in range(random.randrange(0, 20)))
            recs += b"\0" + struct.pack("!HHIH", random.choice([1, 16, 41, 250, 0xffff]), 1, 0, len(rd)) + rd
        h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, n)
        return h + name + struct.pack("!HH", 1, 1) + recs
    if k == 17:  # qdcount 0 / 2
        q[4:6] = struct.pack("!H", random.choice([0, 2]))
        return bytes(q)
    if k == 18:  # insert bytes
        i = random.randrange(len(q) + 1)
        return bytes(q[:i]) + bytes(random.randrange(256) for _ in range(random.randrange(1, 5))) + bytes(q[i:])
    if k == 19:  # delete bytes
        i = random.randrange(len(q))
        return bytes(q[:i]) + bytes(q[i + random.randrange(1, 5):])
    if k == 20:  # EDNS version / size edge
        name = enc_name(rand_name())
        h = struct.pack("!HHHHHH", random.randrange(65536), 0, 1, 0, 0, 1)
        ttl = random.choice([0x00010000, 0xff000000, 0x00ff8000, 0xffffffff, 0x8000])
        return h + name + struct.pack("!HH", random.choice([1, 16, 255]), 1) + b"\0" + struct.pack("!HHIH", 41, random.choice([0, 1, 511, 65535]), ttl, 0)
    return bytes(q)


def check_reply(q, r, tcp):
    try:
        m = parse_msg(r)
    except Bad as e:
        V("undecodable reply: %s" % e, q, r)
        return
    qid = struct.unpack("!H", q[:2])[0]
    rcodes[m["rcode"]] = rcodes.get(m["rcode"], 0) + 1
    if not m["qr"]:
        V("QR=0 in reply", q, r)
    if m["id"] != qid:
        V("id mismatch", q, r)
    if m["opcode"] != (q[2] >> 3) & 15:
        V("opcode mismatch", q, r)
    if len(m["qd"]) > 1:
        V("qdcount>1", q, r)
    if m["qd"]:
        qb = question_bytes(q)
        end = 12
        # the reply's question bytes
        try:
            from dnslib import read_name
            _, off = read_name(r, 12)
            rq = r[12:off + 4]
        except Bad:
            rq = None
        if qb is not None and rq != qb:
            V("question not echoed byte for byte", q, r)
    if m["rcode"] in (1,) and (m["an"] or m["ns"] or m["qd"]):
        V("FORMERR with sections", q, r)
    if not tcp and m["opt"] is None and len(r) > 512:
        V("UDP reply > 512 without OPT", q, r)
    if not tcp and len(r) > 4096:
        V("UDP reply > 4096", q, r)
    if m["tc"] and tcp:
        V("TC over TCP", q, r)
    for n, t, c, ttl, rd in m["an"]:
        owner = b".".join(n).decode("latin-1").lower()
        if t == 1 and c == 1 and owner.endswith(ZONE) and not owner.startswith("ns1."):
            if len(rd) != 4 or rd[0] != 127 or rd[1] or rd[2] or rd[3] not in (2, 3, 4):
                V("listing A not 127.0.0.2-4: %s" % rd.hex(), q, r)
        if t == 16:
            if len(rd) > 256 or len(rd) < 1:
                V("TXT rdata length %d" % len(rd), q, r)
            if any(b < 0x20 or b > 0x7e for b in rd[1:]):
                V("TXT not printable", q, r)
        if ttl > 0x7fffffff:
            V("TTL with high bit", q, r)
    for n, t, c, ttl, rd in m["ns"]:
        if ttl > 0x7fffffff:
            V("TTL with high bit", q, r)


def expect_reply(q):
    return len(q) >= 12 and not (q[2] & 0x80) and len(q) <= 4096


def udp_round(port, batch):
    socks = []
    for q in batch:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        try:
            s.sendto(q, ("127.0.0.1", port))
        except OSError:
            pass
        stats["sent"] += 1
        socks.append((s, q))
    pending = {s.fileno(): (s, q) for s, q in socks}
    got = {}
    deadline = time.monotonic() + 2.5
    while any(expect_reply(q) for _, q in pending.values()) and time.monotonic() < deadline:
        rl, _, _ = select.select([s for s, _ in pending.values()], [], [], 0.2)
        for s in rl:
            fd = s.fileno()
            try:
                r = s.recv(70000)
            except OSError:
                continue
            ss, q = pending.pop(fd)
            got[fd] = r
            stats["reply"] += 1
            check_reply(q, r, False)
            # a second reply would be a bug too
    for fd, (s, q) in pending.items():
        if expect_reply(q):
            stats["noreply"] += 1
            if stats["noreply"] <= 20:
                V("no UDP reply", q)
        else:
            stats["noreply_expected"] += 1
    for s, q in socks:
        # late duplicate?
        s.close()


def tcp_read_all(s, timeout, want=None):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            if want is not None and nframes(data) >= want:
                break
            d = s.recv(70000)
            if not d:
                stats["tcp_closed"] += 1
                break
            data += d
    except socket.timeout:
        pass
    except OSError:
        stats["tcp_closed"] += 1
    return data


def nframes(data):
    off = n = 0
    while off + 2 <= len(data):
        L = struct.unpack("!H", data[off:off + 2])[0]
        if off + 2 + L > len(data):
            break
        off += 2 + L
        n += 1
    return n


def tcp_round(port, batch):
    k = random.randrange(6)
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    frames = [struct.pack("!H", len(q)) + q for q in batch]
    if k == 0:  # pipelined good and bad
        s.sendall(b"".join(frames))
    elif k == 1:  # byte at a time, a few frames
        blob = b"".join(frames[:3])[:600]
        for b in blob:
            s.send(bytes([b]))
        frames = frames[:3]
    elif k == 2:  # partial frame then close
        s.sendall(frames[0][:random.randrange(1, len(frames[0]))])
        s.close()
        return
    elif k == 3:  # 65535-byte frame
        body = bytes(random.randrange(256) for _ in range(12)) + b"\0" * (65535 - 12)
        body = batch[0][:12] + body[12:]
        s.sendall(struct.pack("!H", 65535) + body)
        frames = [struct.pack("!H", 65535) + body]
        batch = [body]
    elif k == 4:  # zero-length and tiny frames
        s.sendall(b"\0\0" + b"\0\1x" + frames[0])
        frames = []
    else:  # half close after sending
        s.sendall(b"".join(frames))
        s.shutdown(socket.SHUT_WR)
    stats["tcp_frames"] += len(frames)
    want = None
    if k in (0, 1, 5):
        want = 0
        for q in batch[:len(frames)]:
            if len(q) < 12:
                break
            if expect_reply(q):
                want += 1
    data = tcp_read_all(s, 3.0 if k != 4 else 1.0, want)
    s.close()
    # decode frames
    off = 0
    n = 0
    byid = {}
    for q in batch:
        if len(q) >= 2:
            byid.setdefault(q[:2], []).append(q)
    while off + 2 <= len(data):
        L = struct.unpack("!H", data[off:off + 2])[0]
        r = data[off + 2:off + 2 + L]
        if len(r) < L:
            V("TCP reply frame cut", b"", data[off:off + 50])
            break
        off += 2 + L
        n += 1
        stats["tcp_reply"] += 1
        cand = byid.get(r[:2])
        if cand:
            check_reply(cand.pop(0), r, True)
        else:
            try:
                parse_msg(r)
            except Bad as e:
                V("undecodable TCP reply: %s" % e, b"", r)
    if off != len(data):
        V("TCP trailing bytes", b"", data[off:off + 50])


def health(port):
    q = build_query(ZONE, 6)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    t = time.monotonic()
    try:
        s.sendto(q, ("127.0.0.1", port))
        s.recv(4096)
        return time.monotonic() - t
    except socket.timeout:
        return None
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--count", type=int, default=50000)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tcp-share", type=float, default=0.15)
    a = ap.parse_args()
    random.seed(a.seed)
    t0 = time.monotonic()
    worst = 0
    while stats["sent"] + stats["tcp_frames"] < a.count and time.monotonic() - t0 < a.seconds:
        batch = []
        for _ in range(48):
            q = base_query()
            if random.random() < 0.85:
                q = mutate(q)
                if random.random() < 0.3:
                    q = mutate(q)
            batch.append(q)
        if random.random() < a.tcp_share:
            try:
                tcp_round(a.port, batch[:16])
            except OSError as e:
                V("TCP connect/send error %s" % e, b"")
        else:
            udp_round(a.port, batch)
        h = health(a.port)
        if h is None:
            V("health query unanswered (hang?)", b"")
            h2 = health(a.port)
            if h2 is None:
                print("SERVER NOT ANSWERING; stopping")
                break
        else:
            worst = max(worst, h)
    print("stats", stats, "rcodes", rcodes, "worst health %.3fs" % worst,
          "elapsed %.0fs" % (time.monotonic() - t0))
    seen = set()
    for v in viol:
        if v[0] in seen and len(seen) > 5:
            continue
        seen.add(v[0])
        print("VIOLATION", v[0], "\n  q=", v[1], "\n  r=", v[2])
    print("violations", len(viol), "kinds", sorted(set(v[0] for v in viol)))


if __name__ == "__main__":
    main()
