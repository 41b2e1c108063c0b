#!/usr/bin/env python3
"""gen_world.py -- the generated DNS world of the benchmark (stdlib only).

N client addresses, scattered at random over 11.0.0.0/8 (public-looking,
so fcrdnsd checks them; only the bench's loopback NSD serves them), a
quarter each of:

  PASS        PTR pN.bench.example.net, whose A is the address
  NO_PTR      no PTR: the reverse name does not exist (NXDOMAIN)
  NO_FORWARD  PTR fN.bench.example.net, which is NXDOMAIN (even N) or
              has an AAAA only (odd N: NODATA for A)
  MISMATCH    PTR mN.bench.example.net, A 203.0.113.x (someone else)

Writes into --out:
  zones/11.in-addr.arpa.zone, zones/bench.example.net.zone  (for NSD)
  truth.txt        address VERDICT, one a line
  addrs.txt        the addresses in shuffled order (the driver's input)
  miss.queries     the same order as dnsperf input (A under --zone)
  hit.queries      another shuffle, for the hit path replay
  rbldnsd.ip4set   the failures, same codes and TXT as fcrdnsd gives
The same --seed gives the same world.
"""
import argparse
import os
import random
import sys

FWD = "bench.example.net"
REV = "11.in-addr.arpa"
KINDS = ["PASS", "NO_PTR", "NO_FORWARD", "MISMATCH"]
SOA = ("@ 3600 IN SOA ns.{z}. hostmaster.{z}. 1 3600 600 86400 3600\n"
       "@ 3600 IN NS ns.{fwd}.\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100000, help="addresses (100000)")
    ap.add_argument("--seed", type=int, default=5, help="random seed (5)")
    ap.add_argument("--zone", default="fcrdns.local", help="DNSBL zone")
    ap.add_argument("--out", required=True, help="output directory")
    a = ap.parse_args()
    if a.n < 4 or a.n > 4000000:
        sys.exit("gen_world: --n must be 4..4000000")
    rnd = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "zones"), exist_ok=True)

    # Distinct host numbers inside 11/8, avoiding .0 and .255 last octets.
    hosts = set()
    while len(hosts) < a.n:
        h = rnd.randrange(1, 1 << 24)
        if h & 0xff not in (0, 255):
            hosts.add(h)
    hosts = sorted(hosts)
    rnd.shuffle(hosts)
    kinds = [KINDS[i % 4] for i in range(a.n)]
    rnd.shuffle(kinds)

    rev = [SOA.format(z=REV, fwd=FWD)]
    fwd = [SOA.format(z=FWD, fwd=FWD), "ns 3600 IN A 127.0.0.1\n"]
    truth, rbl = [], []
    rbl.append("# rbldnsd ip4set: the failures of the bench world\n")
    # Same apex as fcrdnsd's zone file, so NXDOMAIN answers carry a SOA
    # in both servers' replies.
    rbl.append("$SOA 300 ns.%s. hostmaster.%s. 1 3600 600 86400 300\n"
               % (a.zone, a.zone))
    addrs = []
    for i, (h, kind) in enumerate(zip(hosts, kinds)):
        b, c, d = h >> 16, (h >> 8) & 0xff, h & 0xff
        ip = "11.%d.%d.%d" % (b, c, d)
        owner = "%d.%d.%d" % (d, c, b)
        addrs.append(ip)
        truth.append("%s %s\n" % (ip, kind))
        if kind == "PASS":
            name = "p%d.%s" % (i, FWD)
            rev.append("%s 3600 IN PTR %s.\n" % (owner, name))
            fwd.append("p%d 3600 IN A %s\n" % (i, ip))
        elif kind == "NO_PTR":
            rbl.append("%s :127.0.0.2:FCrDNS fail: %s has no PTR record\n"
                       % (ip, ip))
        elif kind == "NO_FORWARD":
            name = "f%d.%s" % (i, FWD)
            rev.append("%s 3600 IN PTR %s.\n" % (owner, name))
            if i % 2:
                fwd.append("f%d 3600 IN AAAA 2001:db8::%x\n" % (i, i & 0xffff))
            rbl.append("%s :127.0.0.3:FCrDNS fail: %s PTR %s has no A record\n"
                       % (ip, ip, name))
        else:
            name = "m%d.%s" % (i, FWD)
            other = "203.0.113.%d" % (i % 250 + 1)
            rev.append("%s 3600 IN PTR %s.\n" % (owner, name))
            fwd.append("m%d 3600 IN A %s\n" % (i, other))
            rbl.append("%s :127.0.0.4:FCrDNS fail: %s PTR %s resolves to %s\n"
                       % (ip, ip, name, other))

    def write(name, lines):
        with open(os.path.join(a.out, name), "w") as f:
            f.writelines(lines)

    def qname(ip):
        return ".".join(reversed(ip.split("."))) + "." + a.zone

    write("zones/%s.zone" % REV, ["$ORIGIN %s.\n" % REV] + rev)
    write("zones/%s.zone" % FWD, ["$ORIGIN %s.\n" % FWD] + fwd)
    write("truth.txt", truth)
    write("rbldnsd.ip4set", rbl)
    write("addrs.txt", [ip + "\n" for ip in addrs])
    write("miss.queries", ["%s A\n" % qname(ip) for ip in addrs])
    hit = list(addrs)
    rnd.shuffle(hit)
    write("hit.queries", ["%s A\n" % qname(ip) for ip in hit])
    print("gen_world: %d addresses in %s (%s)" % (
        a.n, a.out, ", ".join("%s %d" % (k, kinds.count(k)) for k in KINDS)))


if __name__ == "__main__":
    main()
