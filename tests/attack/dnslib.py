"""dnslib.py -- minimal strict DNS wire encoder/decoder for the attack
scripts (no dnspython on this host). Loopback only."""
import os
import random
import socket
import struct
import subprocess
import time


class Bad(Exception):
    pass


def enc_name(text):
    if text in (".", ""):
        return b"\0"
    out = b""
    for l in text.rstrip(".").split("."):
        b = l.encode("latin-1")
        out += bytes([len(b)]) + b
    return out + b"\0"


def build_query(qname, qtype=1, qclass=1, qid=None, edns=None, rd=0,
                opts=b"", do=0, ver=0):
    if qid is None:
        qid = random.randrange(65536)
    ar = 1 if edns is not None else 0
    h = struct.pack("!HHHHHH", qid, rd << 8, 1, 0, 0, ar)
    q = (qname if isinstance(qname, bytes) else enc_name(qname)) + \
        struct.pack("!HH", qtype, qclass)
    if edns is not None:
        ttl = (ver << 16) | (0x8000 if do else 0)
        q += b"\0" + struct.pack("!HHIH", 41, edns, ttl, len(opts)) + opts
    return h + q


def read_name(m, off, depth=0):
    """Strict: returns (labels list of bytes, new offset). Follows
    pointers only backwards, max 255 octets, no label types 0x40/0x80."""
    labels = []
    total = 1
    jumped = False
    end = None
    seen = set()
    while True:
        if off >= len(m):
            raise Bad("name runs past end")
        c = m[off]
        if c & 0xc0 == 0xc0:
            if off + 1 >= len(m):
                raise Bad("ptr past end")
            ptr = ((c & 0x3f) << 8) | m[off + 1]
            if ptr in seen or ptr >= off:
                raise Bad("forward/looping pointer %d at %d" % (ptr, off))
            seen.add(ptr)
            if not jumped:
                end = off + 2
            jumped = True
            off = ptr
            continue
        if c & 0xc0:
            raise Bad("bad label type %#x" % c)
        if c == 0:
            if not jumped:
                end = off + 1
            break
        if off + 1 + c > len(m):
            raise Bad("label past end")
        labels.append(m[off + 1:off + 1 + c])
        total += c + 1
        if total > 255:
            raise Bad("name longer than 255")
        off += c + 1
    return labels, end


def parse_msg(m):
    """Decode a whole response strictly. Returns dict; raises Bad."""
    if len(m) < 12:
        raise Bad("short %d" % len(m))
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    r = {"id": qid, "flags": flags, "qr": flags >> 15,
         "opcode": (flags >> 11) & 15, "aa": (flags >> 10) & 1,
         "tc": (flags >> 9) & 1, "rd": (flags >> 8) & 1,
         "rcode": flags & 15, "qd": [], "an": [], "ns": [], "ar": [],
         "len": len(m), "opt": None}
    off = 12
    for _ in range(qd):
        n, off = read_name(m, off)
        if off + 4 > len(m):
            raise Bad("question past end")
        t, c = struct.unpack("!HH", m[off:off + 4])
        off += 4
        r["qd"].append((n, t, c))
    for sec, cnt in (("an", an), ("ns", ns), ("ar", ar)):
        for _ in range(cnt):
            n, off = read_name(m, off)
            if off + 10 > len(m):
                raise Bad("rr header past end")
            t, c, ttl, rdl = struct.unpack("!HHIH", m[off:off + 10])
            off += 10
            if off + rdl > len(m):
                raise Bad("rdata past end")
            rd = m[off:off + rdl]
            rdoff = off
            off += rdl
            if t == 41:
                if sec != "ar" or r["opt"] is not None or n != []:
                    raise Bad("bad OPT placement")
                r["opt"] = (c, ttl, rd)
                r["rcode"] |= (ttl >> 24) << 4
            if t == 16:
                p = 0
                while p < len(rd):
                    L = rd[p]
                    if p + 1 + L > len(rd):
                        raise Bad("TXT string past rdata")
                    p += 1 + L
            if t == 6:
                _, o2 = read_name(m, rdoff)
                _, o3 = read_name(m, o2)
                if o3 + 20 != rdoff + rdl:
                    raise Bad("SOA rdata length")
            if t == 2:
                _, o2 = read_name(m, rdoff)
                if o2 != rdoff + rdl:
                    raise Bad("NS rdata length")
            r[sec].append((n, t, c, ttl, rd))
    if off != len(m):
        raise Bad("trailing %d bytes" % (len(m) - off))
    return r


def question_bytes(q):
    """The raw question section of a query we built (up to qend), or None."""
    try:
        n, off = read_name(q, 12)
    except Bad:
        return None
    return q[12:off + 4]


# ---- daemon control -------------------------------------------------------

ROOT = "/work/main"
FCRDNSD = os.environ.get("FCRDNSD", ROOT + "/build/asan/fcrdnsd")


def free_port():
    for _ in range(200):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        p = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            t.close()
            u.close()
        return p
    raise RuntimeError("no port")


def start_daemon(workdir, forward_port, extra=(), port=None, env=None):
    port = port or free_port()
    db = os.path.join(workdir, "db")
    os.makedirs(db, exist_ok=True)
    log = open(os.path.join(workdir, "fcrdnsd.log"), "ab")
    e = dict(os.environ)
    e["ASAN_OPTIONS"] = "abort_on_error=0:halt_on_error=1:detect_leaks=1"
    e["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    if env:
        e.update(env)
    cmd = [FCRDNSD, "--listen", "127.0.0.1@%d" % port, "--db", db,
           "--zone-file", ROOT + "/zones/fcrdns.local.zone",
           "--control", os.path.join(workdir, "ctl.sock")]
    if forward_port:
        cmd += ["--forward", "127.0.0.1@%d" % forward_port]
    cmd += list(extra)
    p = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                         env=e)
    # wait until it answers
    q = build_query("fcrdns.local", 6)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    for _ in range(100):
        if p.poll() is not None:
            raise RuntimeError("fcrdnsd exited %s" % p.returncode)
        try:
            s.sendto(q, ("127.0.0.1", port))
            s.recvfrom(4096)
            break
        except socket.timeout:
            continue
    s.close()
    return p, port


def stop(p, secs=10):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(secs)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def udp_ask(port, q, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(q, ("127.0.0.1", port))
        return s.recvfrom(65535)[0]
    except socket.timeout:
        return None
    finally:
        s.close()


def rev4(ip):
    return ".".join(reversed(ip.split(".")))


def rss_anon(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for l in f:
                if l.startswith("RssAnon"):
                    return int(l.split()[1])
    except OSError:
        return None
