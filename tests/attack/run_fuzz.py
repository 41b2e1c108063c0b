#!/usr/bin/env python3
"""run_fuzz.py -- start faultdns (ptr mode) + ASan fcrdnsd, run fuzz_wire.py,
stop both, report sanitizer output. Usage: run_fuzz.py [COUNT] [SEED]"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from dnslib import ROOT, start_daemon, stop

count = sys.argv[1] if len(sys.argv) > 1 else "50000"
seed = sys.argv[2] if len(sys.argv) > 2 else "1"
extra = sys.argv[3:]
wd = tempfile.mkdtemp(prefix="fuzz.", dir="/tmp")
ports = os.path.join(wd, "ports")
fd = subprocess.Popen([sys.executable, ROOT + "/tests/faultdns.py", "--ports", ports,
                       "--log", os.path.join(wd, "fault.log"), "ptr:host.example.com."])
for _ in range(50):
    if os.path.exists(ports):
        break
    time.sleep(0.1)
fport = int(open(ports).read().split()[1])
d, port = start_daemon(wd, fport, ["--wait-ms", "200", "--query-log"] + extra)
print("workdir", wd, "port", port, "pid", d.pid, flush=True)
try:
    subprocess.run([sys.executable, os.path.dirname(__file__) + "/fuzz_wire.py",
                    str(port), "--count", count, "--seed", seed, "--seconds", "900"])
finally:
    alive = d.poll() is None
    rc = stop(d, 20)
    fd.terminate()
    fd.wait()
print("daemon alive at end:", alive, "exit", rc)
log = open(os.path.join(wd, "fcrdnsd.log"), "rb").read()
for pat in (b"AddressSanitizer", b"runtime error", b"LeakSanitizer", b"SUMMARY"):
    i = log.find(pat)
    if i >= 0:
        print("SANITIZER:", log[max(0, i - 200):i + 3000].decode("latin-1"))
        break
else:
    print("no sanitizer report")
