#!/usr/bin/env python3
"""disk_full.py -- --db on a 1 MB tmpfs, flood distinct addresses so the
checker fills it (root needed for mount). Unmounts at the end."""
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from dnslib import ROOT, build_query, parse_msg, start_daemon, stop, udp_ask

size = sys.argv[1] if len(sys.argv) > 1 else "1m"
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 30
wd = tempfile.mkdtemp(prefix="full.", dir="/tmp")
mnt = wd + "/mnt"
os.mkdir(mnt)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt], check=True)
try:
    up = subprocess.Popen([sys.executable, os.path.dirname(__file__) + "/hostile_up.py",
                           wd + "/uport", "/dev/null"])
    while not os.path.exists(wd + "/uport"):
        time.sleep(0.1)
    uport = int(open(wd + "/uport").read())
    os.makedirs(mnt + "/db")
    # start_daemon uses WORKDIR/db: point it at the tmpfs via a symlink
    os.symlink(mnt + "/db", wd + "/dbl")
    os.rename(wd + "/dbl", wd + "/db") if not os.path.exists(wd + "/db") else None
    d, port = start_daemon(wd, uport, ["--max-inflight", "64", "--wait-ms", "2000"])
    print("workdir", wd, "port", port, flush=True)
    # an early verdict to be served throughout
    r = parse_msg(udp_ask(port, build_query("7.100.51.198.fcrdns.local", 1), timeout=5))
    print("early 198.51.100.7:", [x[4].hex() for x in r["an"]], flush=True)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    t0 = time.monotonic()
    n = 0
    probes = []
    while time.monotonic() - t0 < secs:
        for _ in range(50):
            q = build_query("%d.%d.%d.45.fcrdns.local" % (random.randrange(256), random.randrange(256), random.randrange(256)), 1)
            try:
                s.sendto(q, ("127.0.0.1", port))
            except OSError:
                pass
            n += 1
        try:
            while True:
                s.recv(4096)
        except OSError:
            pass
        if n % 2000 == 0:
            r = udp_ask(port, build_query("7.100.51.198.fcrdns.local", 1), timeout=2)
            ok = r is not None and parse_msg(r)["an"] and parse_msg(r)["an"][0][4] == b"\x7f\0\0\2"
            df = os.statvfs(mnt)
            probes.append((round(time.monotonic() - t0), ok, df.f_bavail * df.f_frsize // 1024))
        time.sleep(0.01)
    print("sent", n, "probes (t, cached ok, free kB):", probes, flush=True)
    time.sleep(3)
    r = udp_ask(port, build_query("7.100.51.198.fcrdns.local", 1), timeout=2)
    print("after: cached answer", parse_msg(r)["an"] if r else None)
    r = udp_ask(port, build_query("8.100.51.198.fcrdns.local", 16), timeout=5)
    print("after: new address answer rcode", parse_msg(r)["rcode"] if r else None)
    dump = subprocess.run([ROOT + "/build/asan/fcrdnsctl", "--db", mnt + "/db", "dump"],
                          capture_output=True, timeout=120)
    print("dump rc", dump.returncode, "lines", len(dump.stdout.splitlines()), dump.stderr[:500])
    ctl = subprocess.run([ROOT + "/build/asan/fcrdnsctl", "--control", wd + "/ctl.sock", "stats"],
                         capture_output=True, timeout=20)
    print("stats:", " ".join(l for l in ctl.stdout.decode().splitlines() if "store" in l or "checker_up" in l or "restarts" in l))
    alive = d.poll() is None
    rc = stop(d, 30)
    up.terminate()
    print("daemon alive:", alive, "exit:", rc)
    log = open(wd + "/fcrdnsd.log", "rb").read().decode("latin-1")
    errs = [l for l in log.splitlines() if any(k in l.lower() for k in ("full", "space", "store", "error", "sanitizer", "restart"))]
    print("log lines about the store (first 15 of %d):" % len(errs))
    for l in errs[:15]:
        print("   ", l[:300])
    if "Sanitizer" in log or "runtime error" in log:
        i = log.find("ERROR")
        print("SANITIZER:", log[i - 200:i + 4000])
finally:
    subprocess.run(["umount", mnt])
    print("unmounted", mnt)
