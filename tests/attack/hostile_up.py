#!/usr/bin/env python3
"""hostile_up.py -- a hostile upstream (forwarder/authority) for fcrdnsd.

    hostile_up.py PORTFILE LOGFILE

Binds UDP+TCP on a kernel-chosen 127.0.0.1 port, writes it to PORTFILE.
The reverse name of 198.51.100.D / 203.0.113.D selects mode D (and the
forward names it hands out, hD.hostile.test., select the same mode).
Loopback only."""
import selectors
import socket
import struct
import sys
import time

PTR, A, AAAA, CNAME, TXT, SOA = 12, 1, 28, 5, 16, 6


def name(text_or_bytes):
    if isinstance(text_or_bytes, bytes):
        return text_or_bytes
    out = b""
    for l in text_or_bytes.rstrip(".").split("."):
        out += bytes([len(l)]) + l.encode("latin-1")
    return out + b"\0"


def rr(owner, t, ttl, rdata, cls=1):
    return owner + struct.pack("!HHIH", t, cls, ttl, len(rdata)) + rdata


def parse_q(m):
    if len(m) < 12:
        return None
    off = 12
    labels = []
    while off < len(m):
        n = m[off]
        if n == 0:
            off += 1
            break
        if n & 0xc0:
            return None
        labels.append(m[off + 1:off + 1 + n])
        off += 1 + n
    if off + 4 > len(m):
        return None
    qt, qc = struct.unpack("!HH", m[off:off + 4])
    return labels, qt, qc, m[12:off + 4], m[12:off]


def soa_rr(ttl=300):
    rd = name("ns.hostile.test") + name("h.hostile.test") + struct.pack("!IIIII", 1, 2, 3, 4, ttl)
    return rr(name("hostile.test"), SOA, ttl, rd)


LONG255 = b"".join(bytes([63]) + bytes([0x41 + i]) * 63 for i in range(3)) + bytes([61]) + b"z" * 61 + b"\0"
assert len(LONG255) == 255
BIN255 = b"".join(bytes([63]) + bytes((j * 7 + i) % 256 for j in range(63)) for i in range(3)) + bytes([61]) + bytes(range(1, 62)) + b"\0"
assert len(BIN255) == 255


def mode_of(labels, qt):
    """(mode, kind) kind in 'ptr','fwd' or None."""
    low = [l.lower() for l in labels]
    if qt == PTR and len(low) == 6 and low[4:] == [b"in-addr", b"arpa"]:
        try:
            d = int(low[0])
            net = b".".join(reversed(low[1:4]))
        except ValueError:
            return None, None
        return (d if net == b"198.51.100" else 1000 + d), "ptr"
    if len(low) >= 3 and low[-2:] == [b"hostile", b"test"]:
        f = low[-3]
        if f.startswith(b"h"):
            try:
                return int(f[1:].split(b"-")[0]), "fwd"
            except ValueError:
                pass
        return 0, "fwd"
    return None, None


def hdr(qid, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def ptr_ip(labels):
    return ".".join(l.decode() for l in reversed(labels[:4]))


def answer(m, tcp):
    """Return bytes, or None (silent), or 'close' for TCP."""
    q = parse_q(m)
    if q is None:
        return None
    labels, qt, qc, question, qn = q
    qid, flags = struct.unpack("!HH", m[:4])
    rd = flags & 0x0100
    mode, kind = mode_of(labels, qt)
    OK = 0x8480 | rd          # QR AA RA
    NX = OK | 3
    if mode is None:
        return hdr(qid, NX, 1, 0, 1, 0) + question + soa_rr()

    def reply(an_rrs, rcode_flags=OK, ns_rrs=(), q=question, qd=1, idv=qid):
        return hdr(idv, rcode_flags, qd, len(an_rrs), len(ns_rrs), 0) + \
            (q if qd else b"") + b"".join(an_rrs) + b"".join(ns_rrs)

    own = b"\xc0\x0c"
    fwdname = name("h%d.hostile.test" % mode)
    if kind == "fwd":
        ip = None
        first = labels[0].lower()
        if first in (b"loopa", b"loopb"):
            tgt = b"loopb" if first == b"loopa" else b"loopa"
            return reply([rr(own, CNAME, 300, name(tgt.decode() + ".hostile.test"))])
        if first[:1] == b"c" and first[1:].isdigit():
            i = int(first[1:])
            if i < 49:
                return reply([rr(own, CNAME, 300, name("c%d.hostile.test" % (i + 1)))])
            if qt == PTR:
                return reply([rr(own, PTR, 300, name("h4.hostile.test"))])
            return reply([], ns_rrs=[soa_rr()])
        if qt not in (A, AAAA):
            return reply([], ns_rrs=[soa_rr()])
        # forward side: default is "resolves to the client" for PASS-ish modes
        client = "198.51.100.%d" % mode if mode < 1000 else "203.0.113.%d" % (mode - 1000)
        a_rd = socket.inet_aton(client)
        if mode == 12:   # huge TTL 2^31-1
            return reply([rr(own, A, 0x7fffffff, a_rd)])
        if mode == 13:   # 2^32-1
            return reply([rr(own, A, 0xffffffff, a_rd)])
        if mode == 14:   # TTL 0
            return reply([rr(own, A, 0, a_rd)])
        if mode == 15:   # A query answered with AAAA rdata / AAAA-type
            if qt == A:
                return reply([rr(own, AAAA, 300, b"\x20\x01\x0d\xb8" + b"\0" * 12)])
            return reply([rr(own, A, 300, a_rd)])
        if mode == 21:   # A with 3 / 5 byte rdata
            return reply([rr(own, A, 300, b"\xc6\x33\x64"), rr(own, A, 300, a_rd + b"\x00")])
        if mode == 22:   # 1000 A records (TCP only), mismatch
            if not tcp:
                return hdr(qid, OK | 0x0200, 1, 0, 0, 0) + question
            return reply([rr(own, A, 300, struct.pack("!BBBB", 198, 18, i // 256, i % 256)) for i in range(1000)])
        if mode == 24:   # resolves to loopback
            return reply([rr(own, A, 300, b"\x7f\0\0\1")])
        if mode == 26:   # forward CNAME chain to binary names
            chain = []
            prev = own
            for i in range(8):
                nxt = bytes([10]) + bytes((i * 13 + j) % 256 or 1 for j in range(10)) + name("hostile.test")
                chain.append(rr(prev, CNAME, 300, nxt))
                prev = nxt
            chain.append(rr(prev, A, 300, a_rd))
            return reply(chain)
        if mode == 27:   # mismatch with many addresses
            return reply([rr(own, A, 300, struct.pack("!BBBB", 198, 18, 0, i)) for i in range(60)])
        if mode == 16:   # NXDOMAIN with answers on forward
            return reply([rr(own, A, 300, a_rd)], rcode_flags=NX, ns_rrs=[soa_rr()])
        if mode == 31:   # forward answer: compression loop
            return reply([b"\xc0\x2a" + struct.pack("!HHIH", A, 1, 300, 4) + a_rd])
        if mode == 32:   # forward answer wrong id
            return reply([rr(own, A, 300, a_rd)], idv=qid ^ 0x5555)
        if mode == 33:   # forward: wrong question name
            wq = name("other.hostile.test") + struct.pack("!HH", qt, 1)
            return reply([rr(b"\xc0\x0c", A, 300, a_rd)], q=wq)
        if mode == 34:   # forward: class CH
            return reply([rr(own, A, 300, a_rd, cls=3)])
        if mode == 35:   # forward: truncated mid-record
            return reply([rr(own, A, 300, a_rd)])[:-3]
        if mode == 36:   # TC and no TCP
            if tcp:
                return "close"
            return hdr(qid, OK | 0x0200, 1, 0, 0, 0) + question
        if qt == AAAA:
            return reply([], ns_rrs=[soa_rr()])
        return reply([rr(own, A, 300, a_rd)])

    # ---- PTR side --------------------------------------------------------
    if mode == 1:    # binary / control bytes
        n = b"\x0c" + b"bin\x07\x1b[31m\n\r\x00" + b"\x05a\"b\\c" + name("hostile.test")
        return reply([rr(own, PTR, 300, n)])
    if mode == 2:    # 255-byte name, letters
        return reply([rr(own, PTR, 300, LONG255)])
    if mode == 25:   # 255-byte binary name
        return reply([rr(own, PTR, 300, BIN255)])
    if mode == 3:    # 1000 PTR records
        if not tcp:
            return hdr(qid, OK | 0x0200, 1, 0, 0, 0) + question
        return reply([rr(own, PTR, 300, name("n%d-%d.hostile.test" % (i, 3))) for i in range(1000)])
    if mode == 4:    # CNAME chain of 50
        chain = []
        prev = own
        for i in range(50):
            nxt = name("c%d.hostile.test" % i)
            chain.append(rr(prev, CNAME, 300, nxt))
            prev = nxt
        chain.append(rr(prev, PTR, 300, fwdname))
        return reply(chain)
    if mode == 5:    # CNAME loop
        a = name("loopa.hostile.test")
        b = name("loopb.hostile.test")
        return reply([rr(own, CNAME, 300, a), rr(a, CNAME, 300, b), rr(b, CNAME, 300, a)])
    if mode == 6:    # wrong question
        wq = name("1.100.51.198.in-addr.arpa") + struct.pack("!HH", PTR, 1)
        return reply([rr(b"\xc0\x0c", PTR, 300, fwdname)], q=wq)
    if mode == 7:    # wrong class
        return reply([rr(own, PTR, 300, fwdname, cls=3)])
    if mode == 8:    # compression loop in the PTR rdata
        # rdata: label "x" then pointer to itself
        base = 12 + len(question) + 12
        return reply([own + struct.pack("!HHIH", PTR, 1, 300, 4) + b"\x01x" + struct.pack("!H", 0xc000 | base)])
    if mode == 9:    # truncated packet
        return reply([rr(own, PTR, 300, fwdname)])[:-5]
    if mode == 10:   # TC, no TCP
        if tcp:
            return "close"
        return hdr(qid, OK | 0x0200, 1, 0, 0, 0) + question
    if mode == 11:   # mismatched id
        return reply([rr(own, PTR, 300, fwdname)], idv=qid ^ 0x1234)
    if mode == 12:
        return reply([rr(own, PTR, 0x7fffffff, fwdname)])
    if mode == 13:
        return reply([rr(own, PTR, 0xffffffff, fwdname)])
    if mode == 14:
        return reply([rr(own, PTR, 0, fwdname)])
    if mode == 16:   # NXDOMAIN with answers
        return reply([rr(own, PTR, 300, fwdname)], rcode_flags=NX, ns_rrs=[soa_rr()])
    if mode == 18:   # escaped dot / space in a label
        n = b"\x05a.b c" + name("hostile.test")
        return reply([rr(own, PTR, 300, n)])
    if mode == 19:   # IP literal as name
        return reply([rr(own, PTR, 300, name("198.51.100.19"))])
    if mode == 20:   # 64 binary-ish names
        return reply([rr(own, PTR, 300, bytes([4]) + bytes([i, 0xff, 0x80, 0x20]) + name("hostile.test")) for i in range(64)])
    if mode == 23:   # printf format
        n = b"\x08%s%n%x%p" + name("hostile.test")
        return reply([rr(own, PTR, 300, n)])
    if mode == 28:   # QDCOUNT 0 answer
        return reply([rr(name(b"".join(bytes([len(l)]) + l for l in labels) + b"\0"), PTR, 300, fwdname)], qd=0)
    if mode == 29:   # PTR rdata longer than the name, junk after
        n = fwdname + b"\xff\xff\xff"
        return reply([rr(own, PTR, 300, n)])
    if mode == 30:   # slow reply (3 s)
        time.sleep(3)
        return reply([rr(own, PTR, 300, fwdname)])
    if mode == 37:   # PTR to root "."
        return reply([rr(own, PTR, 300, b"\0")])
    if mode == 38:   # PTR type with A-like 4-byte rdata
        return reply([rr(own, PTR, 300, b"\x7f\0\0\1")])
    if mode == 39:   # 40 long (200-byte) names, need TCP
        names = []
        for i in range(40):
            n = b"".join(bytes([50]) + (b"%02d" % i) * 25 for _ in range(3)) + name("hostile.test")
            names.append(rr(own, PTR, 300, n))
        return reply(names)
    if mode == 40:   # names whose presentation form exceeds 255 chars (escapes)
        n = b"".join(bytes([63]) + b"\\" * 63 for _ in range(3)) + bytes([50]) + b"." * 50 + b"\0"
        return reply([rr(own, PTR, 300, n)])
    return reply([rr(own, PTR, 300, fwdname)])


def main():
    portfile, logf = sys.argv[1], sys.argv[2]
    log = open(logf, "a", buffering=1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", port))
    t.listen(64)
    open(portfile + ".tmp", "w").write("%d\n" % port)
    import os
    os.rename(portfile + ".tmp", portfile)
    sel = selectors.DefaultSelector()
    sel.register(u, selectors.EVENT_READ, "udp")
    sel.register(t, selectors.EVENT_READ, "listen")
    bufs = {}
    while True:
        for key, _ in sel.select(1.0):
            s = key.fileobj
            try:
                if key.data == "udp":
                    m, peer = s.recvfrom(65535)
                    q = parse_q(m)
                    log.write("udp %r\n" % ((q[:2],) if q else m.hex()))
                    r = answer(m, False)
                    if isinstance(r, bytes):
                        s.sendto(r, peer)
                elif key.data == "listen":
                    c, _ = s.accept()
                    c.setblocking(False)
                    bufs[c] = b""
                    sel.register(c, selectors.EVENT_READ, "tcp")
                else:
                    d = s.recv(65535)
                    if not d:
                        sel.unregister(s)
                        s.close()
                        bufs.pop(s, None)
                        continue
                    bufs[s] += d
                    while len(bufs[s]) >= 2:
                        n = struct.unpack("!H", bufs[s][:2])[0]
                        if len(bufs[s]) < 2 + n:
                            break
                        m, bufs[s] = bufs[s][2:2 + n], bufs[s][2 + n:]
                        q = parse_q(m)
                        log.write("tcp %r\n" % ((q[:2],) if q else m.hex()))
                        r = answer(m, True)
                        if r == "close":
                            sel.unregister(s)
                            s.close()
                            bufs.pop(s, None)
                            break
                        if isinstance(r, bytes):
                            s.setblocking(True)
                            s.sendall(struct.pack("!H", len(r)) + r)
                            s.setblocking(False)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                if key.data == "tcp":
                    try:
                        sel.unregister(s)
                    except Exception:
                        pass
                    s.close()
                    bufs.pop(s, None)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
