#!/usr/bin/env python3
"""ctl_abuse.py -- abuse fcrdnsd's control socket (ASan build).
Loopback/Unix socket only; every loop is time-bounded."""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from dnslib import ROOT, build_query, start_daemon, stop, udp_ask

wd = tempfile.mkdtemp(prefix="ctl.", dir="/tmp")
up = subprocess.Popen([sys.executable, os.path.dirname(__file__) + "/hostile_up.py",
                       wd + "/uport", "/dev/null"])
for _ in range(50):
    if os.path.exists(wd + "/uport"):
        break
    time.sleep(0.1)
uport = int(open(wd + "/uport").read())
blk = wd + "/block"
open(blk, "w").write("192.0.2.50 3 blocked\n")
d, port = start_daemon(wd, uport, ["--block", blk, "--wait-ms", "3000"])
sock = wd + "/ctl.sock"
print("workdir", wd, "port", port, flush=True)


def ctl(data, read=True, timeout=15, close_after_send=False):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(timeout)
    t = time.monotonic()
    try:
        c.connect(sock)
        if data:
            c.sendall(data)
        if close_after_send:
            c.close()
            return b"(closed)"
        out = b""
        if read:
            while True:
                x = c.recv(65536)
                if not x:
                    break
                out += x
        return out + (b" [%.1fs]" % (time.monotonic() - t))
    except OSError as e:
        return ("ERR %s [%.1fs]" % (e, time.monotonic() - t)).encode()
    finally:
        c.close()


def show(name, r):
    print("%-34s %s" % (name, r[:300].decode("latin-1").replace("\n", " | ")), flush=True)


show("stats", ctl(b"stats\n")[:120])
show("1MB line", ctl(b"x" * 1000000 + b"\n"))
show("1MB no newline", ctl(b"y" * 1000000))
show("binary with NUL", ctl(b"recheck \x00\xff\xfe\n"))
show("binary no NUL", ctl(b"\xff\xfe\x1b[31m\x07\n"))
for cmd in [b"recheck 999.1.1.1", b"recheck ::ffff:127.0.0.2", b"recheck 127.0.0.2",
            b"recheck 10.0.0.1", b"forget ::", b"recheck 1.2.3.4 extra", b"recheck " + b"1" * 400,
            b"recheck %s%n%x", b"recheck 198.51.100.7", b"forget 198.51.100.7",
            b"recheck 198.51.100.30", b"recheck ::ffff:198.51.100.7", b"recheck 192.0.2.50",
            b"recheck 2001:db8::1%eth0", b"recheck [2001:db8::1]", b"stats extra", b"reload",
            b"\r\n", b"   \t  ", b"RECHECK 1.2.3.4", b"recheck\t198.51.100.8"]:
    show(cmd[:40].decode("latin-1"), ctl(cmd + b"\n"))
show("pipelined 2 cmds", ctl(b"stats\nreload\n")[-200:])
show("silent client (no data)", ctl(b"", timeout=30))

# a broken block file reloaded over the control socket and SIGHUP
open(blk, "wb").write(b"\x00\xffjunk\n")
show("reload broken", ctl(b"reload\n"))
os.kill(d.pid, 1)
time.sleep(0.5)
r = udp_ask(port, build_query("50.2.0.192.fcrdns.local", 1))
print("block entry still answered after broken reload:", r is not None and r[3] & 15 == 0, flush=True)
open(blk, "w").write("192.0.2.50 3 blocked\n")

# close during a recheck wait, many times
for i in range(50):
    ctl(b"recheck 198.51.100.%d\n" % (100 + i), close_after_send=True)
show("after 50 abandoned rechecks", ctl(b"stats\n")[:80])

# 200 concurrent clients that never send
res = []
def hold(i):
    res.append(ctl(b"", timeout=15))
ths = [threading.Thread(target=hold, args=(i,)) for i in range(200)]
for t in ths:
    t.start()
time.sleep(1)
show("stats with 200 idle clients", ctl(b"stats\n", timeout=15)[:120])
for t in ths:
    t.join(30)
busy = sum(1 for r in res if b"too many" in r)
print("200 idle clients: busy-refused", busy, "others", len(res) - busy, flush=True)

# slowloris on the control socket: 40 clients, one byte every 5 s
stop_flag = []
def slow(i):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        c.connect(sock)
        end = time.monotonic() + 35
        while time.monotonic() < end and not stop_flag:
            c.send(b"x")
            time.sleep(5)
    except OSError:
        pass
    c.close()
ths = [threading.Thread(target=slow, args=(i,)) for i in range(40)]
for t in ths:
    t.start()
time.sleep(12)
show("stats during ctl slowloris (t=12s)", ctl(b"stats\n", timeout=5)[:120])
time.sleep(12)
show("stats during ctl slowloris (t=24s)", ctl(b"stats\n", timeout=5)[:120])
stop_flag.append(1)
for t in ths:
    t.join(40)

print("DNS still answers:", udp_ask(port, build_query("fcrdns.local", 6)) is not None)
alive = d.poll() is None
rc = stop(d, 20)
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
