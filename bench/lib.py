#!/usr/bin/env python3
"""bench/lib.py -- small helpers for bench/run.sh (stdlib only).

  lib.py cpu PID...            CPU time of the processes, all threads:
                               "<ns from schedstat> <ns from stat utime+stime>"
  lib.py mem PID               "<RssAnon kB> <RssFile kB> <RssShmem kB>"
  lib.py dnsperf FILE          key=value from a dnsperf report
  lib.py vlat FILE OUT         per-reply latencies of `dnsperf -v` (ms, sorted)
                               to OUT; prints p50/p90/p99/n
  lib.py lat FILE              the same percentiles from a file of ms values
  lib.py sample TRUTH K SEED OUT  K random addresses of TRUTH, as dig -f lines
  lib.py verify DIGOUT SAMPLE  compare `dig -f` output with the sample's truth
  lib.py firstanswer PORT QNAME TIMEOUT_S -- CMD...
                               start CMD, send the query every 2 ms until an
                               answer; prints ms from start and the child pid
  lib.py median V...           the median
"""
import os
import random
import socket
import struct
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def cpu(pids):
    ns = ticks = 0
    for pid in pids:
        tdir = "/proc/%s/task" % pid
        try:
            for t in os.listdir(tdir):
                with open("%s/%s/schedstat" % (tdir, t)) as f:
                    ns += int(f.read().split()[0])
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    print(ns, ticks * 1000000000 // HZ)


def mem(pid):
    vals = {"RssAnon:": 0, "RssFile:": 0, "RssShmem:": 0}
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                k = line.split(None, 1)[0] if line.strip() else ""
                if k in vals:
                    vals[k] = int(line.split()[1])
    except OSError:
        pass
    print(vals["RssAnon:"], vals["RssFile:"], vals["RssShmem:"])


def dnsperf(path):
    out = {"sent": 0, "completed": 0, "lost": 0, "runtime": 0.0, "qps": 0.0}
    keys = {"Queries sent:": "sent", "Queries completed:": "completed",
            "Queries lost:": "lost", "Run time (s):": "runtime",
            "Queries per second:": "qps"}
    with open(path, errors="replace") as f:
        for line in f:
            s = line.strip()
            for k, name in keys.items():
                if s.startswith(k):
                    v = s[len(k):].split()[0]
                    out[name] = float(v) if "." in v else int(v)
    print(" ".join("%s=%s" % kv for kv in out.items()))


def percentiles(vals):
    vals.sort()
    n = len(vals)

    def p(q):
        return vals[min(n - 1, int(q / 100.0 * (n - 1) + 0.5))] if n else 0.0
    return "p50=%.3f p90=%.3f p99=%.3f n=%d" % (p(50), p(90), p(99), n)


def vlat(path, outp):
    vals = []
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("> "):
                try:
                    vals.append(float(line.split()[-1]) * 1000.0)
                except ValueError:
                    pass
    res = percentiles(vals)
    with open(outp, "w") as f:
        f.writelines("%.4f\n" % v for v in vals)
    print(res)


def lat(path):
    with open(path) as f:
        vals = [float(x) for x in f if x.strip()]
    print(percentiles(vals))


def sample(truth, k, seed, outp, port, zone):
    with open(truth) as f:
        rows = [l.split() for l in f if l.strip()]
    rnd = random.Random(int(seed))
    pick = rnd.sample(rows, min(int(k), len(rows)))
    with open(outp, "w") as f:
        for ip, v in pick:
            q = ".".join(reversed(ip.split("."))) + "." + zone
            f.write("%s %s %s\n" % (ip, v, q))
    with open(outp + ".dig", "w") as f:
        for ip, v in pick:
            q = ".".join(reversed(ip.split("."))) + "." + zone
            f.write("@127.0.0.1 -p %s +norec +tries=1 +time=5 %s A\n"
                    % (port, q))


CODE = {"127.0.0.2": "NO_PTR", "127.0.0.3": "NO_FORWARD",
        "127.0.0.4": "MISMATCH"}


def verify(digout, samplep):
    with open(samplep) as f:
        want = [l.split() for l in f if l.strip()]
    got = []      # (status, [A rdata])
    cur = None
    with open(digout, errors="replace") as f:
        for line in f:
            if "->>HEADER<<-" in line:
                if cur is not None:
                    got.append(cur)
                st = line.split("status:")[1].split(",")[0].strip()
                cur = [st, []]
            elif cur is not None and not line.startswith(";") and \
                    line.split()[3:4] == ["A"]:
                cur[1].append(line.split()[4])
    if cur is not None:
        got.append(cur)
    bad = 0
    for i, (ip, v, q) in enumerate(want):
        if i >= len(got):
            bad += 1
            continue
        st, a = got[i]
        if st == "NXDOMAIN" and not a:
            verdict = "PASS"
        elif st == "NOERROR" and len(a) == 1 and a[0] in CODE:
            verdict = CODE[a[0]]
        else:
            verdict = "%s/%s" % (st, ",".join(a))
        if verdict != v:
            if bad < 10:
                sys.stderr.write("verify: %s got %s want %s\n" % (ip, verdict, v))
            bad += 1
    print("sampled=%d answered=%d mismatched=%d" % (len(want), len(got), bad))


def dns_query(qname, qid):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for lab in qname.rstrip(".").split("."):
        q += bytes([len(lab)]) + lab.encode()
    return q + b"\0" + struct.pack(">HH", 1, 1)


def firstanswer(port, qname, timeout_s, cmd):
    """Start cmd, ask for qname (an address listed in the store) every
    2 ms; the first answer that carries an A record ends the wait. Any
    of the queries sent may be the one answered."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.002)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    qid = 1
    ms = -1.0
    while ms < 0 and time.monotonic() - t0 < float(timeout_s):
        try:
            s.sendto(dns_query(qname, qid), ("127.0.0.1", int(port)))
        except OSError:
            pass
        qid = (qid + 1) & 0xffff
        end = time.monotonic() + 0.002
        while time.monotonic() < end:
            try:
                d = s.recv(4096)
            except (socket.timeout, BlockingIOError):
                break
            except OSError:         # ICMP port unreachable: not up yet
                time.sleep(0.0005)
                break
            # QR set, NOERROR, at least one answer record
            if len(d) >= 12 and d[2] & 0x80 and (d[3] & 0x0f) == 0 and \
                    struct.unpack(">H", d[6:8])[0] > 0:
                ms = (time.monotonic() - t0) * 1000.0
                break
    print("%.1f %d" % (ms, p.pid))
    sys.stdout.flush()
    # The caller stops the server by this pid; leave it running here.
    os._exit(0)


def median(vals):
    v = sorted(float(x) for x in vals)
    if not v:
        print(0)
        return
    m = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
    print("%g" % m)


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    c = a[0]
    if c == "cpu":
        cpu(a[1:])
    elif c == "mem":
        mem(a[1])
    elif c == "dnsperf":
        dnsperf(a[1])
    elif c == "vlat":
        vlat(a[1], a[2])
    elif c == "lat":
        lat(a[1])
    elif c == "sample":
        sample(*a[1:7])
    elif c == "verify":
        verify(a[1], a[2])
    elif c == "firstanswer":
        i = a.index("--")
        firstanswer(a[1], a[2], a[3], a[i + 1:])
    elif c == "median":
        median(a[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
