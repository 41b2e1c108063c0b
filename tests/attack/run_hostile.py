#!/usr/bin/env python3
"""run_hostile.py -- fcrdnsd (ASan) forwarding to hostile_up.py; asks every
mode's address, checks answers, dumps the store. Usage:
run_hostile.py [forward|stub] [extra fcrdnsd flags...]"""
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from dnslib import (ROOT, build_query, parse_msg, start_daemon, stop, udp_ask,
                    Bad)

how = sys.argv[1] if len(sys.argv) > 1 else "forward"
extra = sys.argv[2:]
wd = tempfile.mkdtemp(prefix="hostile.", dir="/tmp")
pf = os.path.join(wd, "port")
up = subprocess.Popen([sys.executable, os.path.dirname(__file__) + "/hostile_up.py",
                       pf, os.path.join(wd, "up.log")])
for _ in range(50):
    if os.path.exists(pf):
        break
    time.sleep(0.1)
uport = int(open(pf).read())
if how == "stub":
    args = ["--stub", "100.51.198.in-addr.arpa=127.0.0.1@%d" % uport,
            "--stub", "113.0.203.in-addr.arpa=127.0.0.1@%d" % uport,
            "--stub", "hostile.test=127.0.0.1@%d" % uport]
    d, port = start_daemon(wd, uport, args + ["--wait-ms", "4000", "--check-timeout-ms", "6000"] + extra)
else:
    d, port = start_daemon(wd, uport, ["--wait-ms", "4000", "--check-timeout-ms", "6000"] + extra)
print("workdir", wd, "port", port, "up", uport, flush=True)

MODES = [m for m in range(1, 41) if m != 30] + [30]
problems = []
results = {}
for mode in MODES:
    ip = "198.51.100.%d" % mode
    qn = "%d.100.51.198.fcrdns.local" % mode
    out = {}
    for qt, nm in ((1, "A"), (16, "TXT")):
        r = udp_ask(port, build_query(qn, qt, edns=1232), timeout=8)
        if r is None:
            out[nm] = "NOREPLY"
            problems.append((mode, nm, "no reply"))
            continue
        try:
            m = parse_msg(r)
        except Bad as e:
            problems.append((mode, nm, "bad reply %s" % e))
            continue
        rc = m["rcode"]
        vals = []
        for n, t, c, ttl, rd in m["an"]:
            if t == 1:
                if len(rd) != 4 or rd[:3] != b"\x7f\0\0" or rd[3] not in (2, 3, 4):
                    problems.append((mode, nm, "bad A %s" % rd.hex()))
                vals.append("127.0.0.%d ttl=%d" % (rd[3], ttl))
            elif t == 16:
                s = rd[1:1 + rd[0]]
                if rd[0] + 1 != len(rd) or len(s) > 255 or any(b < 0x20 or b > 0x7e for b in s):
                    problems.append((mode, nm, "bad TXT %r" % rd))
                vals.append("TXT %r ttl=%d" % (s.decode("latin-1"), ttl))
        out[nm] = "rc=%d %s" % (rc, vals)
    results[mode] = out
    print(mode, out, flush=True)

# a second round: answers now from the store
time.sleep(1)
for mode in MODES:
    qn = "%d.100.51.198.fcrdns.local" % mode
    r = udp_ask(port, build_query(qn, 16), timeout=3)
    if r is None:
        problems.append((mode, "TXT2", "no reply second round"))

dump = subprocess.run([ROOT + "/build/asan/fcrdnsctl", "--db", os.path.join(wd, "db"), "dump"],
                      capture_output=True, timeout=60)
print("dump rc", dump.returncode, "lines", len(dump.stdout.splitlines()))
sys.stdout.write(dump.stdout.decode("latin-1"))
if dump.stderr:
    print("dump stderr:", dump.stderr.decode("latin-1")[:3000])
for ip in ("198.51.100.1", "198.51.100.3", "198.51.100.25", "198.51.100.40", "198.51.100.20"):
    sh = subprocess.run([ROOT + "/build/asan/fcrdnsctl", "--db", os.path.join(wd, "db"), "show", ip],
                        capture_output=True, timeout=60)
    print("show", ip, sh.returncode, sh.stdout.decode("latin-1")[:600], sh.stderr.decode("latin-1")[:1000])
alive = d.poll() is None
rc = stop(d, 20)
up.terminate()
up.wait()
print("daemon alive:", alive, "exit:", rc)
print("PROBLEMS", problems)
log = open(os.path.join(wd, "fcrdnsd.log"), "rb").read()
for pat in (b"AddressSanitizer", b"runtime error", b"LeakSanitizer"):
    i = log.find(pat)
    if i >= 0:
        print("SANITIZER:", log[max(0, i - 300):i + 4000].decode("latin-1"))
        break
else:
    print("no sanitizer report")
