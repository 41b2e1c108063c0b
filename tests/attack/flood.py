#!/usr/bin/env python3
"""flood.py -- UDP miss-path flood (distinct addresses) and/or TCP connection
flood against ASan fcrdnsd; measures cached-query latency and RssAnon.

    flood.py udp|tcp|slowloris|both [SECONDS] [extra fcrdnsd flags]

Upstream: --forward to faultdns 'silent' (checks never finish before
--check-timeout-ms), --stub for 198.51.100/24 and hostile.test to
hostile_up.py (fast, for the cached verdicts). Loopback only."""
import multiprocessing as mp
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from dnslib import (ROOT, build_query, parse_msg, rss_anon, start_daemon, stop,
                    udp_ask)

what = sys.argv[1] if len(sys.argv) > 1 else "udp"
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 20
extra = sys.argv[3:]
wd = tempfile.mkdtemp(prefix="flood.", dir="/tmp")


def wait_port(path):
    for _ in range(50):
        if os.path.exists(path):
            return
        time.sleep(0.1)


fd = subprocess.Popen([sys.executable, ROOT + "/tests/faultdns.py", "--ports", wd + "/fports",
                       "--log", "/dev/null", "silent"])
up = subprocess.Popen([sys.executable, os.path.dirname(__file__) + "/hostile_up.py",
                       wd + "/uport", "/dev/null"])
wait_port(wd + "/fports")
wait_port(wd + "/uport")
fport = int(open(wd + "/fports").read().split()[1])
uport = int(open(wd + "/uport").read())
flags = ["--stub", "100.51.198.in-addr.arpa=127.0.0.1@%d" % uport,
         "--stub", "hostile.test=127.0.0.1@%d" % uport,
         "--max-waiting", "64", "--max-inflight", "8", "--wait-ms", "1500",
         "--check-timeout-ms", "3000", "--tcp-max", "64", "--tcp-idle-ms", "3000"] + extra
d, port = start_daemon(wd, fport, flags)
print("workdir", wd, "port", port, "pid", d.pid, flush=True)

# cached verdicts
for m in (7, 17):
    udp_ask(port, build_query("%d.100.51.198.fcrdns.local" % m, 1), timeout=5)
time.sleep(0.5)
r = parse_msg(udp_ask(port, build_query("7.100.51.198.fcrdns.local", 1)))
print("cached 198.51.100.7 A:", [x[4].hex() for x in r["an"]], "rcode", r["rcode"])


def udp_flooder(port, secs, seed):
    random.seed(seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    end = time.monotonic() + secs
    n = 0
    hdr = 0
    while time.monotonic() < end:
        for _ in range(200):
            a, b, c = random.randrange(256), random.randrange(256), random.randrange(256)
            q = struct.pack("!HHHHHH", n & 0xffff, 0, 1, 0, 0, 0) + \
                b"".join(bytes([len(x)]) + x for x in (str(c).encode(), str(b).encode(),
                                                       str(a).encode(), b"45", b"fcrdns", b"local")) + \
                b"\0\0\1\0\1"
            try:
                s.sendto(q, ("127.0.0.1", port))
            except (BlockingIOError, OSError):
                pass
            n += 1
        try:
            while True:
                s.recv(4096)
        except (BlockingIOError, OSError):
            pass
    print("flooder", seed, "sent", n, flush=True)


def tcp_flooder(port, secs, slow):
    conns = []
    end = time.monotonic() + secs
    refused = 0
    q = build_query("7.100.51.198.fcrdns.local", 1)
    frame = struct.pack("!H", len(q)) + q
    while len(conns) < 1000 and time.monotonic() < end:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=1)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.setblocking(False)
            conns.append([c, 0])
        except OSError:
            refused += 1
    closed = 0
    while time.monotonic() < end:
        for cs in conns:
            c, i = cs
            if c is None:
                continue
            try:
                if slow:
                    c.send(frame[i % len(frame):i % len(frame) + 1])
                else:
                    c.send(frame * 50)   # pipeline, never read
                cs[1] = i + 1
            except (BlockingIOError,):
                pass
            except OSError:
                c.close()
                cs[0] = None
                closed += 1
        time.sleep(1.0 if slow else 0.05)
    print("tcp flooder: opened", len(conns), "refused", refused, "closed by server", closed, flush=True)
    for cs in conns:
        if cs[0]:
            cs[0].close()


def children(pid):
    try:
        return [int(x) for x in open("/proc/%d/task/%d/children" % (pid, pid)).read().split()]
    except OSError:
        return []


def tcp_probe(port):
    q = build_query("7.100.51.198.fcrdns.local", 1)
    t = time.monotonic()
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=2)
        c.settimeout(2)
        c.sendall(struct.pack("!H", len(q)) + q)
        d = b""
        while len(d) < 2 or len(d) < 2 + struct.unpack("!H", d[:2])[0]:
            x = c.recv(4096)
            if not x:
                return None
            d += x
        c.close()
        return time.monotonic() - t
    except OSError:
        return None


procs = []
if what in ("udp", "both"):
    for i in range(2):
        p = mp.Process(target=udp_flooder, args=(port, secs, i))
        p.start()
        procs.append(p)
if what in ("tcp", "both", "slowloris"):
    p = mp.Process(target=tcp_flooder, args=(port, secs, what == "slowloris"))
    p.start()
    procs.append(p)

lat, fails, tlat, tfails = [], 0, [], 0
rss = []
t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    t = time.monotonic()
    r = udp_ask(port, build_query("7.100.51.198.fcrdns.local", 1), timeout=2)
    if r is None:
        fails += 1
    else:
        lat.append(time.monotonic() - t)
        m = parse_msg(r)
        if not m["an"] or m["an"][0][4] != b"\x7f\0\0\2":
            print("WRONG cached answer", m, flush=True)
    if what != "udp":
        x = tcp_probe(port)
        if x is None:
            tfails += 1
        else:
            tlat.append(x)
    kids = children(d.pid)
    rss.append((round(time.monotonic() - t0), rss_anon(d.pid), [rss_anon(k) for k in kids]))
    time.sleep(0.2)
for p in procs:
    p.join(secs + 30)

lat.sort()
tlat.sort()


def pct(l, p):
    return "%.1fms" % (1000 * l[min(len(l) - 1, int(len(l) * p))]) if l else "-"


print("UDP cached probes: ok", len(lat), "lost", fails, "p50", pct(lat, .5), "p99", pct(lat, .99), "max", pct(lat, 1))
if what != "udp":
    print("TCP probes: ok", len(tlat), "failed", tfails, "p50", pct(tlat, .5), "max", pct(tlat, 1))
print("RssAnon kB (t, daemon, [checker]):", rss[::max(1, len(rss) // 12)], "last", rss[-1])
time.sleep(2)
after = udp_ask(port, build_query("fcrdns.local", 6), timeout=2)
print("after flood SOA answered:", after is not None)
ctl = subprocess.run([ROOT + "/build/fcrdnsctl", "--control", wd + "/ctl.sock", "stats"],
                     capture_output=True, timeout=20)
print("stats:", " ".join(l for l in ctl.stdout.decode().splitlines()
                         if any(k in l for k in ("table_full", "deadline", "ipc", "queue", "dropped", "waited", "refused", "misses", "inflight", "checks"))))
alive = d.poll() is None
rc = stop(d, 30)
fd.terminate()
up.terminate()
print("daemon alive:", alive, "exit:", rc)
log = open(wd + "/fcrdnsd.log", "rb").read()
for pat in (b"AddressSanitizer", b"runtime error", b"LeakSanitizer"):
    i = log.find(pat)
    if i >= 0:
        print("SANITIZER:", log[max(0, i - 300):i + 4000].decode("latin-1"))
        break
else:
    print("no sanitizer report")
print("log tail:", log[-1500:].decode("latin-1"))
