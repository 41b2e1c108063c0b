#!/usr/bin/env python3
"""Write the seed corpus of fuzz_wire (tests/fuzz/corpus/): a few valid
queries of each kind the server answers. Byte 0 is the fuzzer's control
byte (see fuzz_wire.c). Rerun after changing the list; the seeds are
committed so that `make fuzz` starts from them."""
import os, struct, sys

def name(n):
    out = b""
    for lab in n.rstrip(".").split("."):
        out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"

def query(qname, qtype=1, qclass=1, flags=0x0100, edns=None, ctl=0):
    hdr = struct.pack(">HHHHHH", 0x1234, flags, 1, 0, 0, 1 if edns else 0)
    q = hdr + name(qname) + struct.pack(">HH", qtype, qclass)
    if edns is not None:
        size, ver, do, opts = edns
        q += b"\0" + struct.pack(">HHBBHH", 41, size, 0, ver,
                                 0x8000 if do else 0, len(opts)) + opts
    return bytes([ctl]) + q

NIB = ".".join("6200000000000000000000008bd01002"[i] for i in range(32))
seeds = {
    "v4_listed_a": query("2.2.0.192.fcrdns.local"),
    "v4_listed_txt_edns": query("6.2.0.192.fcrdns.local", 16, edns=(1232, 0, 1, b"")),
    "v4_any_tcp": query("4.2.0.192.fcrdns.local", 255, ctl=1),
    "v6_nibbles": query(NIB + ".fcrdns.local", 16),
    "apex_soa_nsid": query("fcrdns.local", 6, edns=(4096, 0, 0, b"\0\x03\0\0")),
    "apex_ns": query("FcRdNs.LoCaL", 2),
    "prefix": query("2.0.192.fcrdns.local"),
    "overlap": query("7.0.6.2.fcrdns.local"),
    "rfc5782": query("2.0.0.127.fcrdns.local", 16),
    "chaos_version": query("version.bind", 16, 3),
    "badvers": query("fcrdns.local", 6, edns=(1232, 1, 0, b"")),
    "outside": query("example.com"),
    "miss_wait": query("9.2.0.192.fcrdns.local", ctl=4),
    "notimp": query("fcrdns.local", 6, flags=0x2800),
    "pointer": bytes([0]) + struct.pack(">HHHHHH", 1, 0, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1",
}
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    with open(os.path.join(d, k), "wb") as f:
        f.write(v)
print(len(seeds), "seeds in", d)
