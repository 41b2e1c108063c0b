#!/bin/bash
# local_input.sh -- hostile zone files, config files and override lists.
# Each case runs ASan fcrdnsd (or it exits at start-up) on a random
# loopback port with a temp db; prints exit status and the first stderr
# lines, flags sanitizer reports. Loopback only; bounded by timeout.
set -u
ROOT=/work/main
BIN=${FCRDNSD:-$ROOT/build/asan/fcrdnsd}
T=$(mktemp -d /tmp/localin.XXXXXX)
cd $ROOT
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
port() { python3 -c 'import sys; sys.path.insert(0,"'$ROOT'/tests/attack"); import dnslib; print(dnslib.free_port())'; }

# run NAME ARGS...: start; if it is still up after 2 s, ask the apex SOA, stop it
run() {
	local name=$1; shift
	local p; p=$(port)
	rm -rf "$T/db"; mkdir -p "$T/db"
	timeout 20 "$BIN" --listen 127.0.0.1@$p --db "$T/db" --control "$T/ctl.sock" --forward 127.0.0.1@9 "$@" >"$T/$name.log" 2>&1 &
	local pid=$!
	local i
	for i in $(seq 1 20); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	local status
	if kill -0 $pid 2>/dev/null; then
		local soa; soa=$(dig +tries=1 +time=2 @127.0.0.1 -p $p fcrdns.local SOA +short 2>&1 | head -1)
		kill -TERM $pid; wait $pid; status="ran (exit $?) soa=[$soa]"
	else
		wait $pid; status="exit $?"
	fi
	printf '%-28s %s\n' "$name" "$status"
	head -c 400 "$T/$name.log" | grep -v 'running as root\|checker started\|listening on\|signal 15\|stopped:' | head -3 | cat -v | sed 's/^/    /'
	grep -q 'Sanitizer\|runtime error' "$T/$name.log" && { echo "    !!! SANITIZER"; grep -A30 'ERROR\|runtime error' "$T/$name.log" | head -40; }
}

Z=$ROOT/zones/fcrdns.local.zone
if [ "${ONLY:-}" != conf ]; then
# ---- zone files
head -c 200000 /dev/urandom >"$T/z.bin"; run zone-binary --zone-file "$T/z.bin"
{ cat $Z; echo '$INCLUDE /etc/passwd'; } >"$T/z.inc"; run zone-include --zone-file "$T/z.inc"
{ cat $Z; for i in $(seq 1 10000); do echo "h$i 300 IN A 192.0.2.1"; done; } >"$T/z.10k"; run zone-10k-records --zone-file "$T/z.10k"
{ cat $Z; echo 'evil.example.com. 300 IN A 192.0.2.1'; } >"$T/z.out"; run zone-outside-name --zone-file "$T/z.out"
{ cat $Z; python3 -c 'print("big 300 IN TXT " + " ".join(["\"" + "x"*255 + "\""]*300))'; } >"$T/z.bigtxt"; run zone-huge-txt --zone-file "$T/z.bigtxt"
{ cat $Z; python3 -c 'print("t 300 IN TXT " + " ".join(["\"" + "y"*255 + "\""]*3))'; } >"$T/z.txt3"; run zone-txt-765 --zone-file "$T/z.txt3"
{ cat $Z; head -c 50000000 /dev/zero | tr '\0' ';'; echo; } >"$T/z.huge"; run zone-50MB-comment --zone-file "$T/z.huge"
{ cat $Z; echo '@ 300 IN SOA a. b. 1 2 3 4 5'; } >"$T/z.2soa"; run zone-two-soa --zone-file "$T/z.2soa"
{ grep -v 'NS' $Z; } >"$T/z.nons"; run zone-no-ns --zone-file "$T/z.nons"
{ cat $Z; echo '1.2.0.192 300 IN A 127.0.0.9'; echo '3.2.0.192 300 IN TXT "x"'; } >"$T/z.shadow"; run zone-shadows-address --zone-file "$T/z.shadow"
{ cat $Z; echo '* 300 IN A 127.0.0.2'; } >"$T/z.wild"; run zone-wildcard --zone-file "$T/z.wild"
{ cat $Z; echo 'x 300 IN CNAME ns1'; echo 'y 300 IN DNAME example.com.'; } >"$T/z.cname"; run zone-cname-dname --zone-file "$T/z.cname"
{ cat $Z; echo 'long 300 IN NS ' $(python3 -c 'print(".".join(["a"*63]*3)+".")'); } >"$T/z.longns"; run zone-long-ns-target --zone-file "$T/z.longns"
run zone-directory --zone-file /tmp
run zone-devzero --zone-file /dev/zero
run zone-missing --zone-file "$T/nope"
run zone-longname --zone "$(python3 -c 'print(".".join(["a"*63]*4))')"
run zone-nonzone --zone ".."

fi
# ---- config files
head -c 100000 /dev/urandom >"$T/c.bin"; run conf-binary -c "$T/c.bin"
python3 -c 'print("identity = " + "a"*1000000)' >"$T/c.1mb"; run conf-1MB-line -c "$T/c.1mb"
printf 'bogus = 1\n' >"$T/c.unk"; run conf-unknown-key -c "$T/c.unk"
printf '[server]\nworkers = 2\n' >"$T/c.sect"; run conf-section -c "$T/c.sect"
python3 -c 'print("#" + "x"*250 + "no-version = yes")' >"$T/c.cmt"; run conf-long-comment-injects -c "$T/c.cmt"
printf 'workers = 2\n  0\n' >"$T/c.ml"; run conf-multiline -c "$T/c.ml"
printf 'listen = 127.0.0.1@1\nlisten = 127.0.0.1@2\nlisten = 127.0.0.1@3\nlisten = 127.0.0.1@4\nlisten = 127.0.0.1@5\nlisten = 127.0.0.1@6\nlisten = 127.0.0.1@7\nlisten = 127.0.0.1@8\nlisten = 127.0.0.1@9\nlisten = 127.0.0.1@10\nlisten = 127.0.0.1@11\nlisten = 127.0.0.1@12\nlisten = 127.0.0.1@13\nlisten = 127.0.0.1@14\nlisten = 127.0.0.1@15\nlisten = 127.0.0.1@16\nlisten = 127.0.0.1@17\n' >"$T/c.many"; run conf-many-listen -c "$T/c.many"
run conf-devzero -c /dev/zero
run conf-dir -c /tmp
printf 'workers = 99999999999999999999\n' >"$T/c.big"; run conf-bignum -c "$T/c.big"
printf 'wait-ms = -1\n' >"$T/c.neg"; run conf-negative -c "$T/c.neg"
printf 'identity = \x01\x02\x1b[31m\n' >"$T/c.ctl"; run conf-identity-ctl -c "$T/c.ctl"

# ---- exempt / block files
head -c 100000 /dev/urandom >"$T/o.bin"; run block-binary --block "$T/o.bin"
python3 -c 'print("192.0.2.1 " + "a"*1000000)' >"$T/o.1mb"; run block-1MB-line --block "$T/o.1mb"
python3 -c '
import random
for i in range(200000): print("%d.%d.%d.%d/%d 3 spam" % (random.randrange(1,224),random.randrange(256),random.randrange(256),random.randrange(256), random.randrange(8,33)))' >"$T/o.200k"; run block-200k-lines --block "$T/o.200k"
python3 -c 'print("192.0.2.1 4 " + "t"*255)' >"$T/o.255"; run block-txt-255 --block "$T/o.255"
python3 -c 'print("192.0.2.1 4 " + "t"*256)' >"$T/o.256"; run block-txt-256 --block "$T/o.256"
printf '192.0.2.0/33\n' >"$T/o.pl"; run exempt-bad-prefix --exempt "$T/o.pl"
printf '::/0\n' >"$T/o.all"; run exempt-everything --exempt "$T/o.all"
printf '192.0.2.1 \x01\x1b[31mred\n' >"$T/o.ctl"; run block-ctl-txt --block "$T/o.ctl"
printf '\x1b[31mEVIL\x07 is bad\n' >"$T/o.esc"; run block-escape-in-word --block "$T/o.esc"
run block-devzero --block /dev/zero
run block-dir --block /tmp
echo "tmp dir $T"
