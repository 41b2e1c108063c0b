#!/usr/bin/env python3
"""gen.py -- the generated fixtures of tests/checker.sh, into a directory.

    gen.py DIR NSD_PORT NSD2_PORT N_LOAD N_BURST

Writes to DIR (never into the repository):
  load.rev.zone     18.198.in-addr.arpa: N_LOAD + N_BURST addresses
                    198.18.(i/250).(i%250+1); by i % 5:
                      0 PASS        PTR hI.load.example.net, A = the address
                      1 NO_PTR      no PTR (NXDOMAIN)
                      2 MISMATCH    PTR mI, A 203.0.113.(i%250+1)
                      3 NO_FORWARD  PTR nI, no address record
                      4 PASS        PTR aI (A 203.0.113.x) and bI (A = it):
                                    two names, 1 + 2 lookups, the whole
                                    --max-names 2 budget
                    TTLs 3600 (SOA minimum too).
  load.fwd.zone     load.example.net, the forward data of the above.
  pf.rev.zone       1.19.198.in-addr.arpa, TTL 1: 198.19.1.1 has no PTR
                    (NO_PTR; the prefetch address).
  t.rev.zone        0.19.198.in-addr.arpa, TTL 1 (served by NSD2, the
  t.fwd.zone        upstream that goes down and comes back), t.example.net:
                      198.19.0.1 PTR a1  -> A 203.0.113.71   MISMATCH
                      198.19.0.2 no PTR                       NO_PTR
                      198.19.0.3 PTR p3  -> A 198.19.0.3      PASS
                      198.19.0.4 PTR w4  -> A 203.0.113.74   MISMATCH
                      198.19.0.5 PTR r5  -> A 198.19.0.5      PASS
  nsd.conf, nsd2.conf   NSD configurations (loopback, state in DIR)
  load.names        "QNAME EXPECTED" for dnsload.py: the first N_LOAD
                    addresses in random order (seeded), with four
                    addresses of 198.18.200.0/24 (stubbed to a silent
                    server: DEADLINE) spread through it
  burst.names       the next N_BURST addresses, in order
  load.expect       "ADDRESS VERDICT" for every generated address
"""
import os
import random
import sys

ZONE = "fcrdns.local"


def addr(i):
    return "198.18.%d.%d" % (i // 250, i % 250 + 1)


def qname(a):
    return ".".join(reversed(a.split("."))) + "." + ZONE


def soa(origin, ttl):
    return ("$ORIGIN %s.\n$TTL %d\n@ IN SOA ns1.%s. hostmaster.%s. "
            "1 3600 900 604800 %d\n@ IN NS ns1.%s.\n"
            % (origin, ttl, origin, origin, ttl, origin))


NSD_CONF = """server:
	ip-address: 127.0.0.1@{port}
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "{dir}"
	database: ""
	pidfile: "{dir}/{name}.pid"
	xfrdfile: "{dir}/{name}-xfrd.state"
	zonelistfile: "{dir}/{name}-zone.list"
	xfrdir: "{dir}"
	logfile: "{dir}/{name}.log"
	verbosity: 1
	hide-version: yes
	minimal-responses: yes
	reuseport: no
	tcp-count: 64
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
"""


def zone_stanza(name, f):
    return 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' % (name, f)


def main():
    d, port, port2, n_load, n_burst = sys.argv[1], sys.argv[2], \
        sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    n = n_load + n_burst
    assert n <= 200 * 250, "198.18.200/24 is the silent zone"
    rev = [soa("18.198.in-addr.arpa", 3600)]
    fwd = [soa("load.example.net", 3600), "ns1 IN A 127.0.0.1\n"]
    expect, names = [], []
    for i in range(n):
        a = addr(i)
        o = a.split(".")
        owner = "%s.%s" % (o[3], o[2])
        other = "203.0.113.%d" % (i % 250 + 1)
        k = i % 5
        if k == 0:
            rev.append("%s IN PTR h%d.load.example.net.\n" % (owner, i))
            fwd.append("h%d IN A %s\n" % (i, a))
            v = "PASS"
        elif k == 1:
            v = "NO_PTR"
        elif k == 2:
            rev.append("%s IN PTR m%d.load.example.net.\n" % (owner, i))
            fwd.append("m%d IN A %s\n" % (i, other))
            v = "MISMATCH"
        elif k == 3:
            rev.append("%s IN PTR n%d.load.example.net.\n" % (owner, i))
            fwd.append("n%d IN TXT \"no address\"\n" % i)
            v = "NO_FORWARD"
        else:
            rev.append("%s IN PTR a%d.load.example.net.\n" % (owner, i))
            rev.append("%s IN PTR b%d.load.example.net.\n" % (owner, i))
            fwd.append("a%d IN A %s\n" % (i, other))
            fwd.append("b%d IN A %s\n" % (i, a))
            v = "PASS"
        expect.append("%s %s\n" % (a, v))
        names.append("%s %s\n" % (qname(a), v))
    with open(os.path.join(d, "load.rev.zone"), "w") as f:
        f.writelines(rev)
    with open(os.path.join(d, "load.fwd.zone"), "w") as f:
        f.writelines(fwd)
    with open(os.path.join(d, "load.expect"), "w") as f:
        f.writelines(expect)

    load = names[:n_load]
    random.Random(4).shuffle(load)
    for j in range(4):
        load.insert(j * n_load // 4 + 1,
                    "%s DEADLINE\n" % qname("198.18.200.%d" % (j + 1)))
    with open(os.path.join(d, "load.names"), "w") as f:
        f.writelines(load)
    with open(os.path.join(d, "burst.names"), "w") as f:
        f.writelines(names[n_load:])

    with open(os.path.join(d, "pf.rev.zone"), "w") as f:
        f.write(soa("1.19.198.in-addr.arpa", 1))
        f.write("ns1 IN A 127.0.0.1\n")
    with open(os.path.join(d, "t.rev.zone"), "w") as f:
        f.write(soa("0.19.198.in-addr.arpa", 1))
        f.write("1 IN PTR a1.t.example.net.\n"
                "3 IN PTR p3.t.example.net.\n"
                "4 IN PTR w4.t.example.net.\n"
                "5 IN PTR r5.t.example.net.\n")
    with open(os.path.join(d, "t.fwd.zone"), "w") as f:
        f.write(soa("t.example.net", 1))
        f.write("ns1 IN A 127.0.0.1\n"
                "a1 IN A 203.0.113.71\n"
                "p3 IN A 198.19.0.3\n"
                "w4 IN A 203.0.113.74\n"
                "r5 IN A 198.19.0.5\n")

    with open(os.path.join(d, "nsd.conf"), "w") as f:
        f.write(NSD_CONF.format(port=port, dir=d, name="nsd"))
        f.write(zone_stanza("18.198.in-addr.arpa", "load.rev.zone"))
        f.write(zone_stanza("load.example.net", "load.fwd.zone"))
        f.write(zone_stanza("1.19.198.in-addr.arpa", "pf.rev.zone"))
    with open(os.path.join(d, "nsd2.conf"), "w") as f:
        f.write(NSD_CONF.format(port=port2, dir=d, name="nsd2"))
        f.write(zone_stanza("0.19.198.in-addr.arpa", "t.rev.zone"))
        f.write(zone_stanza("t.example.net", "t.fwd.zone"))


if __name__ == "__main__":
    main()
