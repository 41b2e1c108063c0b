#!/usr/bin/env python3
"""bench/report.py -- turn bench/run.sh's figures into results.md and the
data of results.png (drawn by bench/plot.gp). Called by run.sh only."""
import argparse
import os
import subprocess
import time


def f(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def kv(s):
    return dict(p.split("=", 1) for p in s.split() if "=" in p)


def mib(kb):
    return "%.1f" % (f(kb) / 1024.0)


def ok(b):
    return "**met**" if b else "**missed**"


def cdf(src, dst, points=400):
    try:
        with open(src) as fh:
            v = sorted(float(x) for x in fh if x.strip())
    except OSError:
        v = []
    with open(dst, "w") as fh:
        n = len(v)
        if n == 0:
            fh.write("0 0\n")
            return
        step = max(1, n // points)
        for i in range(0, n, step):
            fh.write("%.4f %.5f\n" % (v[i], (i + 1) / n))
        fh.write("%.4f 1\n" % v[-1])


def main():
    ap = argparse.ArgumentParser()
    for k in ("out raw n window rounds rate hit-secs miss-rounds drv-qps "
              "fc-qps drv-cpu fc-cpu fc-lost drv-wrong verify lat-rate lat-n "
              "drv-lat fc-lat fc-lat-lost names maxq cpuq chkq lostq mem memc "
              "fc-lat-shm mem-miss fill entries10 bpv10 bpv10f bpv100 entries100 fa10w "
              "fa10c fa100w wscale secs log").split():
        ap.add_argument("--" + k, default="")
    a = ap.parse_args()
    names = a.names.split()
    idx = {n: i for i, n in enumerate(names)}
    maxq = a.maxq.split()
    cpuq = [f(x) for x in a.cpuq.split()]
    chkq = a.chkq.split()
    lostq = a.lostq.split()
    mem = [m.split() for m in a.mem.split(",")]
    memc = [m.split() for m in a.memc.split(",")]
    cpu = {n: cpuq[i] for i, n in enumerate(names)}
    dl, fl, ver = kv(a.drv_lat), kv(a.fc_lat), kv(a.verify)

    r_rbl = cpu["fcrdnsd"] / cpu["rbldnsd"]
    r_floor = cpu["fcrdnsd"] / cpu["floor"]
    r_miss = f(a.fc_qps) / f(a.drv_qps)
    d_p50 = f(fl.get("p50")) - f(dl.get("p50"))
    r_10m = cpu["fcrdnsd-10M"] / cpu["fcrdnsd"]
    n = int(f(a.n))
    sample_ok = (ver.get("mismatched") == "0" and
                 ver.get("answered") == ver.get("sampled"))

    L = []
    w = L.append
    w("# fcrdnsd benchmark results\n")
    w("Run of %s on %s (%d CPUs), %s s. World: %d addresses (a quarter each "
      "PASS, NO_PTR, NO_FORWARD, MISMATCH). Only ratios within this run mean "
      "anything.\n" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().nodename,
                      os.cpu_count(), a.secs, n))
    try:
        rev = subprocess.run(["git", "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip()
    except OSError:
        rev = "?"
    w("fcrdnsd at %s (build/fcrdnsd copied at the start of the run).\n" % rev)
    w("## Targets\n")
    w("| target | measured | |")
    w("|---|---|---|")
    w("| hit path: CPU/query <= rbldnsd's | %.2f us vs %.2f us = **%.2fx** | %s |"
      % (cpu["fcrdnsd"], cpu["rbldnsd"], r_rbl, ok(r_rbl <= 1.0)))
    w("| hit path: CPU/query <= 1.3x floor's | %.2f us vs %.2f us = **%.2fx** | %s |"
      % (cpu["fcrdnsd"], cpu["floor"], r_floor, ok(r_floor <= 1.3)))
    w("| miss path: checks/s >= 0.7x driver's | %.0f vs %.0f = **%.2fx** | %s |"
      % (f(a.fc_qps), f(a.drv_qps), r_miss, ok(r_miss >= 0.7)))
    w("| miss path: p50 at half load <= driver's + 2 ms | %.2f ms vs %.2f ms = **%+.2f ms** | %s |"
      % (f(fl.get("p50")), f(dl.get("p50")), d_p50, ok(d_p50 <= 2.0)))
    w("| miss path: sample re-queried matches the truth | %s of %s match | %s |"
      % (int(f(ver.get("sampled"))) - int(f(ver.get("mismatched"))),
         ver.get("sampled"), ok(sample_ok)))
    w("| 10M: store bytes/verdict <= 256 | **%s** (%s before compaction) | %s |"
      % (a.bpv10, a.bpv10f, ok(f(a.bpv10) <= 256)))
    w("| 10M: CPU/hit <= 1.2x the 100k store | %.2f us vs %.2f us = **%.2fx** | %s |"
      % (cpu["fcrdnsd-10M"], cpu["fcrdnsd"], r_10m, ok(r_10m <= 1.2)))
    w("| 10M: first answer <= 100 ms | **%s ms** warm, %s ms cold | %s |"
      % (a.fa10w, a.fa10c, ok(f(a.fa10w) <= 100 and f(a.fa10c) <= 100)))
    w("")

    w("## Hit path (answers from the store)\n")
    w("dnsperf replays the %d shuffled queries (-c 4 -q 500) pinned to CPU 0, "
      "the server pinned to CPU 1; servers alternate (A B C D), %s rounds, "
      "medians. CPU is the server's own time (all threads, /proc schedstat) "
      "over the run divided by the answers; fcrdnsd's checker is shown apart. "
      "Fixed rate: %s qps, %s s a run.\n" % (n, a.rounds, a.rate, a.hit_secs))
    w("| server | max qps (pinned) | CPU us/query at %s qps | vs rbldnsd | vs floor | checker us/query | lost at fixed rate |" % a.rate)
    w("|---|---:|---:|---:|---:|---:|---:|")
    for i, nm in enumerate(names):
        w("| %s | %.0f | %.2f | %.2fx | %.2fx | %s | %s |" % (
            nm, f(maxq[i]), cpuq[i], cpuq[i] / cpu["rbldnsd"],
            cpuq[i] / cpu["floor"], chkq[i] if i < len(chkq) else "-",
            lostq[i] if i < len(lostq) else "-"))
    if a.wscale.strip():
        w("\nfcrdnsd workers (UDP threads on one socket), max qps with nothing pinned, "
          "dnsperf -c 8 on the same 2 cores: " + ", ".join(
              "%s worker(s) %.0f qps" % (p.split(":")[0], f(p.split(":")[1]))
              for p in a.wscale.split()))
    else:
        w("\n(no --workers flag in this build: no scaling run)")
    w("")

    w("## Miss path (every address checked once)\n")
    w("NSD on loopback serves the world; fcrdnsd (--wait-ms 10000, default --max-waiting, "
      "--max-inflight %s) is asked each address once by dnsperf -q %s, a "
      "fresh store each run; the bare libunbound driver (bench/ubdriver.c) "
      "does the same PTR-then-A lookups with %s checks in flight. %s round(s), "
      "alternating, medians.\n" % (a.window, a.window, a.window, a.miss_rounds))
    w("| program | checks/s | ratio | CPU s per 1k checks | lost / wrong |")
    w("|---|---:|---:|---:|---:|")
    w("| libunbound driver | %.0f | 1.00 | %.3f | %s wrong |" % (
        f(a.drv_qps), f(a.drv_cpu) / n * 1000, a.drv_wrong))
    w("| fcrdnsd (server + checker) | %.0f | %.2f | %.3f | %s lost |" % (
        f(a.fc_qps), r_miss, f(a.fc_cpu) / n * 1000, a.fc_lost))
    w("\nLatency at %s checks/s offered to both (half of fcrdnsd's maximum), "
      "%s checks, per reply (dnsperf -v) and per check (driver):\n"
      % (a.lat_rate, a.lat_n))
    w("| program | p50 ms | p90 ms | p99 ms | lost |")
    w("|---|---:|---:|---:|---:|")
    w("| libunbound driver | %s | %s | %s | - |" % (dl.get("p50"), dl.get("p90"), dl.get("p99")))
    w("| fcrdnsd | %s | %s | %s | %s |" % (fl.get("p50"), fl.get("p90"), fl.get("p99"), a.fc_lat_lost))
    sl = kv(a.fc_lat_shm)
    if sl:
        w("| fcrdnsd, store on tmpfs (diagnostic) | %s | %s | %s | - |" % (
            sl.get("p50"), sl.get("p90"), sl.get("p99")))
    w("\nAfter the checks: %s\n" % a.verify)

    w("## Store scale\n")
    w("bench/fill_store.c wrote %s realistic verdicts in random key order "
      "through store/ (batches of 100,000) on top of the world's %s; then "
      "mdb_copy -c dropped the pages the big batches had freed (a checker's "
      "small batches reuse them).\n" % (a.fill, a.entries100))
    w("| store | verdicts | bytes/verdict | CPU us/hit | first answer warm | first answer cold |")
    w("|---|---:|---:|---:|---:|---:|")
    w("| 100k (after the miss run) | %s | %s | %.2f | %s ms | - |" % (
        a.entries100, a.bpv100, cpu["fcrdnsd"], a.fa100w))
    w("| 10M | %s | %s (%s uncompacted) | %.2f | %s ms | %s ms |" % (
        a.entries10, a.bpv10, a.bpv10f, cpu["fcrdnsd-10M"], a.fa10w, a.fa10c))
    w("")

    w("## Memory (resident, MiB)\n")
    w("| process | RssAnon | RssFile |")
    w("|---|---:|---:|")
    for i, nm in enumerate(names):
        w("| %s%s | %s | %s |" % (nm, " server" if nm.startswith("fcrdnsd") else "",
                               mib(mem[i][0]), mib(mem[i][1])))
        if i < len(memc) and memc[i]:
            w("| %s checker | %s | %s |" % (nm, mib(memc[i][0]), mib(memc[i][1])))
    mm = a.mem_miss.split(",")
    labels = ["fcrdnsd server after the miss run", "fcrdnsd checker after the miss run",
              "libunbound driver at its end", "NSD (world zones)"]
    for lab, m in zip(labels, mm):
        v = m.split()
        if len(v) >= 2:
            w("| %s | %s | %s |" % (lab, mib(v[0]), mib(v[1])))
    w("")

    for title, fn in (("Profile: fcrdnsd on the hit path (perf, self time)", "perf-hit.txt"),
                      ("Profile: fcrdnsd on the hit path, user space only", "perf-hit-user.txt"),
                      ("Profile: rbldnsd on the hit path", "perf-hit-rbldnsd.txt"),
                      ("Profile: miss path (server, checker, NSD)", "perf-miss.txt")):
        p = os.path.join(a.raw, fn)
        if os.path.exists(p):
            with open(p) as fh:
                rows = [l.rstrip() for l in fh if l.strip() and not l.startswith("#")]
            w("## %s\n" % title)
            w("```")
            L.extend(rows[:25])
            w("```\n")

    with open(os.path.join(a.out, "results.md"), "w") as fh:
        fh.write("\n".join(L) + "\n")

    # Plot data
    with open(os.path.join(a.raw, "hit.dat"), "w") as fh:
        for i, nm in enumerate(names):
            fh.write('"%s" %.4f %.0f\n' % (nm, cpuq[i], f(maxq[i])))
    cdf(os.path.join(a.raw, "lat-fcrdnsd.ms"), os.path.join(a.raw, "cdf-fcrdnsd.dat"))
    cdf(os.path.join(a.raw, "lat-driver.ms"), os.path.join(a.raw, "cdf-driver.dat"))
    cdf(os.path.join(a.raw, "lat-fcrdnsd-shm.ms"), os.path.join(a.raw, "cdf-fcrdnsd-shm.dat"))
    subprocess.run(["gnuplot", "-e", "raw='%s'; out='%s'" % (
        a.raw, os.path.join(a.out, "results.png")), "bench/plot.gp"], check=True)
    print("\n".join(L[:16]))


if __name__ == "__main__":
    main()
