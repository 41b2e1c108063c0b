#!/bin/bash
# tests/integration.sh BUILD_DIR -- fcrdnsd end to end, with real daemons.
#
#   bash tests/integration.sh build/asan
#
# Starts, all on random 127.0.0.1 ports:
#   - NSD serving zones/fixtures/ (one row of verdicts.md per address);
#   - tests/faultdns.py: SERVFAIL, REFUSED, silent, malformed, slow, a
#     mixed-case PTR, and a "trap" that must never be asked;
#   - BUILD_DIR/fcrdnsd with --stub flags to those and --forward to NSD, so
#     no lookup can leave the machine;
#   - later Debian's unbound with the README's stub-zone snippet.
# Then asserts with dig/kdig, for every scenario, the first query's exact
# answer (rcode, AA, A, TXT, SOA in AUTHORITY and TTLs) and what
# `fcrdnsctl show` says; the exact lines of `fcrdnsctl check IP` (the
# trace) for each kind of outcome; restarts fcrdnsd on the same store
# without NSD; and kills the checker with SIGKILL while cached answers keep
# coming.
#
# Output: "ok - ..." / "not ok - ...: expected X got Y", then
# "N passed, N failed". Exit 1 if anything failed. Every process started
# here is stopped by its PID on exit, pass or fail; logs are in the
# temporary directory, whose tails are printed on failure (and which is
# kept then; set KEEP_TMP=1 to keep it always).
# Run by sh (an older Makefile line)? This needs bash: start it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash tests/integration.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "integration: no directory $1" >&2; exit 2; }
FIX=$REPO/zones/fixtures

. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/procs.sh"
. "$REPO/tests/lib/dns.sh"
. "$REPO/tests/lib/expect.sh"

LOGS=()
mkdir -p "$REPO/tests/tmp"
TMP=$(mktemp -d "$REPO/tests/tmp/integration.XXXXXX")
DB=$TMP/db
ZONE=fcrdns.local
ZONE_FILE=$REPO/zones/fcrdns.local.zone
TTL_CAP=300
SHORT_TTL=10
CHECK_TIMEOUT_MS=3000           # the silent server's check ends after this
CHECK_WAIT=$((CHECK_TIMEOUT_MS / 1000 + 3))

# ASan: report and stop at the first error; the logs are checked at the end.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:log_path=$TMP/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:log_path=$TMP/ubsan}

finish() {
	local rc=$1
	trap - EXIT INT TERM
	stop_all
	suite_end "$rc"
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM


# ---------------------------------------------------------------------------
# Prerequisites
for tool in dig kdig nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf \
	python3 ldns-read-zone pgrep; do
	command -v "$tool" >/dev/null 2>&1 || bail "tool $tool is installed" "$tool in PATH" "missing (run: make deps)"
done
# Copies, so a rebuild in the tree during the run cannot swap them out.
mkdir -p "$TMP/bin"
for b in fcrdnsd fcrdnsctl; do
	[ -x "$BUILD/$b" ] || bail "$BUILD/$b is built" "an executable" "missing"
	cp "$BUILD/$b" "$TMP/bin/$b"
done
FCRDNSD=$TMP/bin/fcrdnsd
CTL=$TMP/bin/fcrdnsctl

# Our apex zone: expected SOA and negative TTL come from the file itself.
SOA_LINE=$(ldns-read-zone "$ZONE_FILE" 2>&1 | awk -F'\t' '$4 == "SOA"') ||
	bail "ldns-read-zone $ZONE_FILE" "a zone" "$SOA_LINE"
[ -n "$SOA_LINE" ] || bail "$ZONE_FILE has an SOA" "an SOA" "none"
SOA_TTL=$(awk -F'\t' '{ print $2 }' <<<"$SOA_LINE")
SOA_RDATA=$(awk -F'\t' '{ print $5 }' <<<"$SOA_LINE")
SOA_MIN=${SOA_RDATA##* }
ZNEG=$((SOA_TTL < SOA_MIN ? SOA_TTL : SOA_MIN))

# ---------------------------------------------------------------------------
# Fault-injecting servers
start_bg faultdns "$TMP/faultdns.out" python3 "$REPO/tests/faultdns.py" \
	--ports "$TMP/faultdns.ports" --log "$TMP/faultdns.log" \
	servfail refused silent garbage trap slow ptr:MX16.Example.COM.
FAULT_PID=$BG_PID
wait_for 5 test -s "$TMP/faultdns.ports" || bail "faultdns.py starts" "a ports file" "none"
fport() { awk -v m="$1" '$1 == m { print $2 }' "$TMP/faultdns.ports"; }
SERVFAIL=127.0.0.1@$(fport servfail)
REFUSED=127.0.0.1@$(fport refused)
SILENT=127.0.0.1@$(fport silent)
GARBAGE=127.0.0.1@$(fport garbage)
TRAP=127.0.0.1@$(fport trap)
SLOW=127.0.0.1@$(fport slow)
MIXED=127.0.0.1@$(fport ptr:MX16.Example.COM.)
ok "faultdns.py listens (servfail $SERVFAIL, silent $SILENT, trap $TRAP, ...)"

# faultlog MODE QNAME: how many queries for QNAME that server has seen.
faultlog() {
	awk -v m="$1" -v q="$2" 'BEGIN { n = 0 } $1 == m && tolower($3) == tolower(q) "." { n++ } END { print n }' \
		"$TMP/faultdns.log" 2>/dev/null || echo 0
}

# ---------------------------------------------------------------------------
# NSD with the fixture zones
NSD_PORT=$(free_port)
NSD=127.0.0.1@$NSD_PORT
subst "$FIX/nsd.conf.in" "$TMP/nsd.conf" "PORT=$NSD_PORT" "TMP=$TMP" "ZONES=$FIX"
out=$(nsd-checkconf "$TMP/nsd.conf" 2>&1) || bail "nsd-checkconf zones/fixtures/nsd.conf.in" "no error" "$out"
for zf in "$FIX"/*.zone; do
	origin=$(sed -n 's/^\$ORIGIN //p' "$zf" | head -n1)
	out=$(nsd-checkzone "$origin" "$zf" 2>&1) ||
		bail "nsd-checkzone ${zf#"$REPO"/}" "ok" "$out"
done
ok "fixture zones pass nsd-checkconf and nsd-checkzone"
start_bg nsd "$TMP/nsd.log.out" nsd -d -c "$TMP/nsd.conf"
NSD_PID=$BG_PID
nsd_up() { dig +norec +tries=1 +time=1 -p "$NSD_PORT" @127.0.0.1 example.com SOA 2>/dev/null | grep -q 'status: NOERROR'; }
wait_for 10 nsd_up || bail "NSD answers on $NSD" "NOERROR for example.com SOA" "nothing"
ok "NSD serves the fixtures on $NSD"

# ---------------------------------------------------------------------------
# fcrdnsd
FPORT=$(free_port)
FCRDNSD_ARGS=(--listen "127.0.0.1@$FPORT" --db "$DB" --zone-file "$ZONE_FILE"
	--forward "$NSD"
	--stub "2.0.192.in-addr.arpa=$NSD"
	--stub "example.com=$NSD"
	--stub "8.b.d.0.1.0.0.2.ip6.arpa=$NSD"
	--stub "7.2.0.192.in-addr.arpa=$SERVFAIL"
	--stub "8.2.0.192.in-addr.arpa=$SILENT"
	--stub "9.2.0.192.in-addr.arpa=$GARBAGE"
	--stub "20.2.0.192.in-addr.arpa=$REFUSED"
	--stub "40.2.0.192.in-addr.arpa=$SLOW"
	--stub "16.2.0.192.in-addr.arpa=$MIXED"
	--stub "sf.example.com=$SERVFAIL"
	--stub "10.in-addr.arpa=$TRAP"
	--stub "168.192.in-addr.arpa=$TRAP"
	--stub "127.in-addr.arpa=$TRAP"
	--stub "64.100.in-addr.arpa=$TRAP"
	--stub "254.169.in-addr.arpa=$TRAP"
	--stub "d.f.ip6.arpa=$TRAP"
	--stub "0.8.e.f.ip6.arpa=$TRAP"
	--check-timeout-ms "$CHECK_TIMEOUT_MS")
# Newer flags: pass them only when this build has them.
if "$FCRDNSD" --help 2>&1 | grep -q -- '--control'; then
	FCRDNSD_ARGS+=(--control "$TMP/fcrdnsd.sock")
fi

fcrdnsd_up() { dig +norec +tries=1 +time=1 -p "$FPORT" @127.0.0.1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
# fcrdnsd_up_or_dead: stop waiting at once if it exited.
fcrdnsd_up_or_dead() { fcrdnsd_up || ! alive "$FCRDNSD_PID"; }

# start_fcrdnsd LOGNAME: start it and wait until the apex SOA answers.
start_fcrdnsd() {
	start_bg fcrdnsd "$TMP/$1" "$FCRDNSD" "${FCRDNSD_ARGS[@]}"
	FCRDNSD_PID=$BG_PID
	wait_for 15 fcrdnsd_up_or_dead && fcrdnsd_up
}
start_fcrdnsd fcrdnsd.log || bail "fcrdnsd answers on 127.0.0.1@$FPORT" "the apex SOA" "no answer"
ok "fcrdnsd answers on 127.0.0.1@$FPORT"

# checker_pid: the checker, the child of fcrdnsd that runs with --checker-fd.
checker_pid() { pgrep -P "$FCRDNSD_PID" -f -- '--checker-fd' | head -n1; }
has_checker() { [ -n "$(checker_pid)" ]; }
check_true "fcrdnsd runs its checker as a child process" "a child of $FCRDNSD_PID" "none" \
	wait_for 5 has_checker

# --- fcrdnsctl check: the trace ----------------------------------------------
# One check now, nothing stored, every step printed (issue 4). Exact lines.
CHECK_UP=(--forward "$NSD" --stub "2.0.192.in-addr.arpa=$NSD"
	--stub "example.com=$NSD" --stub "8.b.d.0.1.0.0.2.ip6.arpa=$NSD"
	--stub "7.2.0.192.in-addr.arpa=$SERVFAIL" --stub "sf.example.com=$SERVFAIL"
	--stub "10.in-addr.arpa=$TRAP")
# trace_has IP LINE...: `fcrdnsctl check IP` exits 0 and prints each LINE
trace_has() {
	local ip=$1 out rc line
	shift
	out=$("$CTL" check "$ip" "${CHECK_UP[@]}" 2>&1); rc=$?
	check_eq "fcrdnsctl check $ip: exit status" 0 "$rc"
	for line in "$@"; do
		if grep -qxF -- "$line" <<<"$out"; then
			ok "fcrdnsctl check $ip: '$line'"
		else
			not_ok "fcrdnsctl check $ip: prints the line" "$line" "$(_tap_show "$out")"
		fi
	done
}
trace_has 192.0.2.10 \
	";; checking 192.0.2.10: reverse name 10.2.0.192.in-addr.arpa" \
	"10.2.0.192.in-addr.arpa domain name pointer a10.example.com. (TTL 3600): kept" \
	";; 2 usable name(s), 2 kept (--max-names 10)" \
	"a10.example.com has address 203.0.113.1 (TTL 3600)" \
	";; a10.example.com: other-addresses" \
	"b10.example.com has address 192.0.2.10 (TTL 3600)" \
	";; b10.example.com: match" \
	"PASS: b10.example.com has A 192.0.2.10" \
	";; verdict lifetime 3600 s (--ttl-min 300, --ttl-max 86400)"
trace_has 192.0.2.12 \
	"a12.example.com A: NXDOMAIN (negative TTL 3600)" \
	";; a12.example.com: no-address" \
	"MISMATCH: 192.0.2.12 PTR b12.example.com resolves to 203.0.113.2, no name to the address"
trace_has 192.0.2.2 \
	"2.2.0.192.in-addr.arpa PTR: NXDOMAIN (negative TTL 3600)" \
	"NO_PTR: 2.2.0.192.in-addr.arpa does not exist (NXDOMAIN)"
trace_has 192.0.2.3 "3.2.0.192.in-addr.arpa PTR: NODATA (negative TTL 3600)"
trace_has 192.0.2.13 ";; followed 1 CNAME(s) to the PTR records" \
	"PASS: mx13.example.com has A 192.0.2.13"
trace_has 192.0.2.17 "17.2.0.192.in-addr.arpa domain name pointer . (TTL 3600): root name" \
	"NO_PTR: 17.2.0.192.in-addr.arpa has no usable PTR name (1 root, 0 IP literal, 0 too long)"
trace_has 192.0.2.18 "18.2.0.192.in-addr.arpa domain name pointer 192.0.2.18. (TTL 3600): IP literal"
# (a21's SERVFAIL may come before or after b21's match: either way PASS)
trace_has 192.0.2.21 ";; a21.sf.example.com: tempfail" ";; b21.example.com: match" \
	"PASS: b21.example.com has A 192.0.2.21"
trace_has 2001:db8::27 "v4only27.example.com AAAA: NODATA (negative TTL 3600)" \
	"NO_FORWARD: 2001:db8::27 PTR v4only27.example.com has no AAAA record"
trace_has 192.0.2.24 ";; 40 usable name(s), 10 kept (--max-names 10)"
out=$("$CTL" check 192.0.2.24 "${CHECK_UP[@]}" 2>&1)
check_eq "fcrdnsctl check 192.0.2.24: the 30 names past the cap are shown as not kept" 30 \
	"$(grep -c ': not kept (over --max-names)$' <<<"$out")"
check_re "fcrdnsctl check 192.0.2.24: z99-..., the matching name, is past the cap" \
	"24.2.0.192.in-addr.arpa domain name pointer z99-[a-z0-9.-]+\. \(TTL 3600\): not kept \(over --max-names\)" \
	"$(grep '^24.2.0.192.in-addr.arpa domain name pointer z99-' <<<"$out")"
trace_has 192.0.2.7 "7.2.0.192.in-addr.arpa PTR: temporary failure (SERVFAIL)"
trace_has 10.0.0.5 "10.0.0.5: in a skipped range, never checked" "NOT_APPLICABLE"
check_eq "fcrdnsctl check 10.0.0.5 asks nothing (trap server unasked)" 0 "$(faultlog trap 5.0.0.10.in-addr.arpa)"
out=$("$CTL" check bogus "${CHECK_UP[@]}" 2>&1); rc=$?
check_eq "fcrdnsctl check bogus: exit 2" 2 "$rc"
check_eq "fcrdnsctl check bogus: names the value" "fcrdnsctl: 'bogus': not an IPv4 or IPv6 address" "$out"

F="FCrDNS fail:"

# --- the apex ----------------------------------------------------------------
dnsq "$FPORT" "$ZONE" SOA
check_eq "apex SOA: rcode" NOERROR "$R_STATUS"
check_aa "apex SOA"
check_eq "apex SOA: from the zone file" "$ZONE. $SOA_TTL IN SOA $SOA_RDATA" \
	"$(awk -F'\t' '{ print $1, $2, $3, $4, $5 }' <<<"$R_ANSWER")"

# ---------------------------------------------------------------------------
# The scenarios of verdicts.md: each first query is a cache miss and must
# carry the real verdict (default --wait-ms 1500).

# A fresh store: the very first verdict, right after start, is served.
expect_listed 192.0.2.2  NO_PTR 2 "$F 192.0.2.2 has no PTR record"

# The silent server next: its answer is the deadline answer on the wire
# (NXDOMAIN, short TTL) after --wait-ms, and its check ends in TEMPERROR at
# --check-timeout-ms while the other rows run.
q8=$(revname 192.0.2.8 "$ZONE")
dnsq "$FPORT" "$q8" A
check_eq "192.0.2.8 silent server: first query rcode (deadline answer)" NXDOMAIN "$R_STATUS"
check_aa "192.0.2.8 silent server: first query"
check_eq "192.0.2.8 silent server: no answer RR" "" "$R_ANSWER"
check_soa_auth "192.0.2.8 silent server: deadline answer" "$SHORT_TTL" "$SHORT_TTL"
check_range "192.0.2.8 silent server: answered at the 1500 ms deadline (ms)" 1400 2600 "$R_MS"
check_true "192.0.2.8 silent server: the check really asked the silent server" \
	"queries in faultdns.log" "none" test "$(faultlog silent "8.2.0.192.in-addr.arpa")" -gt 0

# PASS rows
expect_pass 192.0.2.1
expect_pass 192.0.2.10
expect_pass 192.0.2.13
expect_pass 192.0.2.14
expect_pass 192.0.2.16
check_re "192.0.2.16: names stored lower-case" ".*mx16\.example\.com.*" "$("$CTL" --db "$DB" show 192.0.2.16 2>&1)"
expect_pass 192.0.2.21
expect_pass 192.0.2.22 3600 AAAA      # first query AAAA: it waits too
expect_pass 192.0.2.23
expect_pass 192.0.2.28
expect_pass 192.0.2.30 3600 TXT
expect_pass 192.0.2.31
expect_pass 192.0.2.35 300
expect_pass 2001:db8::26
expect_pass ::ffff:192.0.2.1        # already checked as 192.0.2.1: one key

# NO_PTR rows (192.0.2.2 above)
expect_listed 192.0.2.3  NO_PTR 2 "$F 192.0.2.3 has no PTR record" TXT
expect_listed 192.0.2.17 NO_PTR 2 "$F 192.0.2.17 has no PTR record"
expect_listed 192.0.2.18 NO_PTR 2 "$F 192.0.2.18 has no PTR record"
expect_listed 192.0.2.19 NO_PTR 2 "$F 192.0.2.19 has no PTR record" AAAA
expect_listed 2001:db8::28 NO_PTR 2 "$F 2001:db8::28 has no PTR record"
# the nibble form of an IPv4-mapped address is the IPv4 address
expect_listed ::ffff:192.0.2.41 NO_PTR 2 "$F 192.0.2.41 has no PTR record"
# NO_FORWARD rows
expect_listed 192.0.2.4  NO_FORWARD 3 "$F 192.0.2.4 PTR gone4.example.com has no A record"
expect_listed 192.0.2.5  NO_FORWARD 3 "$F 192.0.2.5 PTR v6only5.example.com has no A record" TXT
expect_listed 192.0.2.29 NO_FORWARD 3 "$F 192.0.2.29 PTR mapped29.example.com has no A record"
expect_listed 2001:db8::27 NO_FORWARD 3 "$F 2001:db8::27 PTR v4only27.example.com has no AAAA record"
# MISMATCH rows
expect_listed 192.0.2.6  MISMATCH 4 "$F 192.0.2.6 PTR other6.example.com resolves to 198.51.100.6"
# The TXT must name the name that resolves to the address it gives (b12),
# not a12, which has no address at all.
expect_listed 192.0.2.12 MISMATCH 4 "~$F 192\\.0\\.2\\.12 PTR b12\\.example\\.com( \\(\\+1 more\\))? resolves to 203\\.0\\.113\\.2" AAAA
expect_listed 192.0.2.25 MISMATCH 4 "$F 192.0.2.25 PTR mx25.example.com resolves to 192.0.2.26" TXT
expect_listed 2001:db8::29 MISMATCH 4 "$F 2001:db8::29 PTR other29.example.com resolves to 2001:db8::1:29"
# 40 long names (~5 kB) only over TCP; the sorted cap keeps n01..n10, all
# elsewhere (the matching z99-... is 40th); one address, seen 10 times
L24=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuv.long-second-label-abcdefghijklmnopqrstuvwxyz.long24.example.com
expect_listed 192.0.2.24 MISMATCH 4 "$F 192.0.2.24 PTR n01-$L24 (+9 more) resolves to 203.0.113.24"
# The proof that these verdicts needed TCP: over UDP at libunbound's EDNS
# size (1232) NSD answers this PTR set with TC and no records at all, so
# the names above (and .23's PASS) can only have come over TCP.
udp23=$(dig +norec +tries=1 +time=2 +notcp +ignore +bufsize=1232 \
	-p "$NSD_PORT" @127.0.0.1 23.2.0.192.in-addr.arpa PTR 2>&1)
check_re "40 long PTR names over UDP: TC set" '.*flags: qr aa tc;.*' \
	"$(grep 'flags:' <<<"$udp23" | tr '\n' ' ')"
check_re "40 long PTR names over UDP: no records" '.*ANSWER: 0,.*' \
	"$(grep 'ANSWER:' <<<"$udp23" | tr '\n' ' ')"
check_eq "40 long PTR names over TCP: all 40" 40 \
	"$(dig +norec +tries=1 +time=2 +tcp +short -p "$NSD_PORT" @127.0.0.1 \
	23.2.0.192.in-addr.arpa PTR 2>/dev/null | grep -c .)"
# non-printable octets in a PTR name never reach the TXT
expect_listed 192.0.2.33 MISMATCH 4 "~$F 192\\.0\\.2\\.33 PTR evil.*x\\.example\\.com resolves to 203\\.0\\.113\\.33"
# 60 s TTLs: the lifetime is clamped up to --ttl-min 300, so the TTL is
# (almost) the 300 s cap rather than 60
expect_listed 192.0.2.34 MISMATCH 4 "$F 192.0.2.34 PTR short34.example.com resolves to 203.0.113.34" A 295 300

# TEMPERROR rows: NXDOMAIN with the short TTL, never a listing
expect_nx 192.0.2.7  "~TEMPERROR" "$SHORT_TTL" "$SHORT_TTL"       # reverse SERVFAIL
expect_nx 192.0.2.20 "~TEMPERROR" "$SHORT_TTL" "$SHORT_TTL"       # reverse REFUSED
expect_nx 192.0.2.9  "~TEMPERROR" "$SHORT_TTL" "$SHORT_TTL"       # malformed reply
expect_nx 192.0.2.15 "~TEMPERROR" "$SHORT_TTL" "$SHORT_TTL"       # CNAME loop
expect_nx 192.0.2.11 "~TEMPERROR" "$SHORT_TTL" "$SHORT_TTL"       # SERVFAIL beats mismatch

# 192.0.2.8: TEMPERROR once the check's own deadline passed
if wait_ctl "$CHECK_WAIT" 192.0.2.8 TEMPERROR; then
	ok "192.0.2.8 silent server: TEMPERROR after --check-timeout-ms"
else
	not_ok "192.0.2.8 silent server: TEMPERROR after --check-timeout-ms" TEMPERROR "$(ctl_word 192.0.2.8)"
fi
dnsq "$FPORT" "$q8" A
check_eq "192.0.2.8 TEMPERROR: rcode" NXDOMAIN "$R_STATUS"
check_soa_auth "192.0.2.8 TEMPERROR" "$SHORT_TTL" "$SHORT_TTL"
check_range "192.0.2.8 TEMPERROR: answered at once (ms)" 0 500 "$R_MS"

# Back-off: a query during back-off is answered at once and starts no
# second check (the SERVFAIL server sees no new query for 192.0.2.7).
n7=$(faultlog servfail "7.2.0.192.in-addr.arpa")
q7=$(revname 192.0.2.7 "$ZONE")
dnsq "$FPORT" "$q7" A
check_range "192.0.2.7 back-off: answered at once (ms)" 0 500 "$R_MS"
check_eq "192.0.2.7 back-off: NXDOMAIN" NXDOMAIN "$R_STATUS"
sleep 0.5
check_eq "192.0.2.7 back-off: no second check reaches the server" "$n7" \
	"$(faultlog servfail "7.2.0.192.in-addr.arpa")"

# NOT_APPLICABLE: NXDOMAIN at once with the zone's negative TTL, no lookup,
# nothing stored.
for ip in 10.0.0.5 192.168.1.5 fd00::5 100.64.0.5 169.254.1.5 fe80::5 \
	0.10.20.30 224.0.0.5 240.0.0.5 ff02::5 ::1; do
	expect_nx "$ip" NOT_APPLICABLE "$ZNEG" "$ZNEG"
	check_range "$ip NOT_APPLICABLE: answered at once (ms)" 0 500 "$R_MS"
done

# Four single-digit labels are an IPv4 address and an IPv6 prefix: with
# nothing stored, NOERROR/NODATA at once, never NXDOMAIN (dns-server.md).
dnsq "$FPORT" "3.2.1.0.$ZONE" A
check_eq "3.2.1.0 (IPv4 0.1.2.3 and an IPv6 prefix): NOERROR/NODATA" "NOERROR " "$R_STATUS $R_ANSWER"
check_aa "3.2.1.0 overlap"
check_soa_auth "3.2.1.0 overlap: NODATA" "$SHORT_TTL" "$ZNEG"
check_range "3.2.1.0 overlap: answered at once (ms)" 0 500 "$R_MS"

# RFC 5782 test entries, in both forms
NOTE="RFC 5782 test entry" expect_listed 127.0.0.2 - 2 "~.*[Tt][Ee][Ss][Tt].*" A 1 86400
NOTE="RFC 5782 test entry" expect_listed ::ffff:7f00:2 - 2 "~.*[Tt][Ee][Ss][Tt].*" A 1 86400
NOTE="RFC 5782 test entry" expect_nx 127.0.0.1 - "$ZNEG" "$ZNEG"
NOTE="RFC 5782 test entry" expect_nx ::ffff:7f00:1 - "$ZNEG" "$ZNEG"

check_eq "no lookup for NOT_APPLICABLE or RFC 5782 addresses (trap queries)" 0 \
	"$(awk '$1 == "trap"' "$TMP/faultdns.log" 2>/dev/null | wc -l)"
dump=$("$CTL" --db "$DB" dump 2>&1)
check_eq "nothing stored for NOT_APPLICABLE or RFC 5782 addresses" "" \
	"$(grep -E '(^|[^0-9a-f:.])(10\.0\.0\.5|192\.168\.1\.5|fd00::5|127\.0\.0\.[12]|::1)([^0-9a-f:.]|$)' <<<"$dump")"

# --- answer shape -----------------------------------------------------------
# 0x20: the question is echoed byte for byte.
dnsq "$FPORT" "2.2.0.192.FcRdNs.LoCaL" A
check_eq "0x20: question echoed as sent" ";2.2.0.192.FcRdNs.LoCaL." \
	"$(awk -F'\t' '{ print $1; exit }' <<<"$R_QUESTION")"
check_eq "0x20: mixed-case name answers the listing" "127.0.0.2" "$(rdata "$R_ANSWER" A)"
# A prefix of an address is an empty non-terminal (RFC 8020), never NXDOMAIN.
dnsq "$FPORT" "2.0.192.$ZONE" A
check_eq "partial name 2.0.192: NOERROR/NODATA" "NOERROR " "$R_STATUS $R_ANSWER"
# Names outside the zone are refused without AA.
dnsq "$FPORT" "2.2.0.192.example.org" A
check_eq "out-of-zone name: REFUSED" REFUSED "$R_STATUS"
check_true "out-of-zone name: no AA" "no aa" "'$R_FLAGS'" eval '! has_flag aa'
# Same answer over TCP, asked with kdig.
kdnsq "$FPORT" "$(revname 192.0.2.6 "$ZONE")" TXT +tcp
check_eq "kdig over TCP: TXT of 192.0.2.6" \
	"\"$F 192.0.2.6 PTR other6.example.com resolves to 198.51.100.6\"" "$(rdata "$R_ANSWER" TXT)"
check_aa "kdig over TCP"

# --- a resolver's retries share one check ----------------------------------
# 192.0.2.40's reverse server answers 300 ms late: three queries (new id and
# port each, 100 ms apart) all wait and all get the verdict from one check.
q40=$(revname 192.0.2.40 "$ZONE")
digs=()
for i in 1 2 3; do
	dig "${DIG_OPTS[@]}" -p "$FPORT" @127.0.0.1 "$q40" A >"$TMP/retry$i.out" 2>&1 &
	digs+=($!)
	sleep 0.1
done
wait "${digs[@]}" 2>/dev/null
for i in 1 2 3; do
	R_RAW=$(cat "$TMP/retry$i.out"); _parse
	check_eq "192.0.2.40 retry $i: the verdict, not the deadline answer" "NOERROR 127.0.0.2" \
		"$R_STATUS $(rdata "$R_ANSWER" A)"
done
check_eq "192.0.2.40: three queries, one PTR lookup" 1 "$(faultlog slow "40.2.0.192.in-addr.arpa")"

# ---------------------------------------------------------------------------
# Debian's unbound in front, with the README's snippet, as an MTA asks.
UB_PORT=$(free_port)
CLOSED_PORT=$(free_port)
cat >"$TMP/root.ds" <<'EOF'
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
EOF
subst "$REPO/tests/unbound/stub.conf.in" "$TMP/stub.conf" "FCRDNS_PORT=$FPORT"
subst "$REPO/tests/unbound/test.conf.in" "$TMP/unbound.conf" "TMP=$TMP" \
	"UNBOUND_PORT=$UB_PORT" "CLOSED_PORT=$CLOSED_PORT"
if out=$(unbound-checkconf "$TMP/unbound.conf" 2>&1); then
	start_bg unbound "$TMP/unbound.log" unbound -d -c "$TMP/unbound.conf"
	UB_PID=$BG_PID
	ub_up() { dig +tries=1 +time=1 -p "$UB_PORT" @127.0.0.1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
	check_true "unbound with the README snippet resolves $ZONE SOA" NOERROR "no answer" wait_for 10 ub_up
	ubq() { R_RAW=$(dig +tries=1 +time=5 -p "$UB_PORT" @127.0.0.1 "$1" "$2" 2>&1); _parse; }
	ubq "$(revname 192.0.2.6 "$ZONE")" A
	check_eq "via unbound: 192.0.2.6 (MISMATCH) gives 127.0.0.4" "NOERROR 127.0.0.4" "$R_STATUS $(rdata "$R_ANSWER" A)"
	ubq "$(revname 192.0.2.6 "$ZONE")" TXT
	check_eq "via unbound: 192.0.2.6 TXT" "\"$F 192.0.2.6 PTR other6.example.com resolves to 198.51.100.6\"" \
		"$(rdata "$R_ANSWER" TXT)"
	ubq "$(revname 192.0.2.1 "$ZONE")" A
	check_eq "via unbound: 192.0.2.1 (PASS) is NXDOMAIN" NXDOMAIN "$R_STATUS"
	# Never asked before: unbound's qname minimisation walks the empty
	# non-terminals, then retries while fcrdnsd waits for the check.
	ubq "$(revname 192.0.2.200 "$ZONE")" A
	check_eq "via unbound: unchecked 192.0.2.200 (no PTR) gives 127.0.0.2 on first ask" \
		"NOERROR 127.0.0.2" "$R_STATUS $(rdata "$R_ANSWER" A)"
	ubq "$(revname 2001:db8::27 "$ZONE")" A
	check_eq "via unbound: 2001:db8::27 (NO_FORWARD) gives 127.0.0.3" "NOERROR 127.0.0.3" \
		"$R_STATUS $(rdata "$R_ANSWER" A)"
	stop_pid "$UB_PID" 5
	forget "$UB_PID"
else
	not_ok "unbound-checkconf of tests/unbound/*.conf.in" "no error" "$out"
fi

# ---------------------------------------------------------------------------
# Kill the checker: cached answers keep coming while it is restarted.
OLD_CHECKER=$(checker_pid)
if [ -n "$OLD_CHECKER" ]; then
	bad=0 n=0 slow=0
	kill -KILL "$OLD_CHECKER"
	end=$(($(now_ms) + 1500))
	while [ "$(now_ms)" -lt "$end" ]; do
		for ip in 2 6 1; do
			dnsq "$FPORT" "$ip.2.0.192.$ZONE" A
			n=$((n + 1))
			case $ip:$R_STATUS:$(rdata "$R_ANSWER" A) in
			2:NOERROR:127.0.0.2 | 6:NOERROR:127.0.0.4 | 1:NXDOMAIN:) ;;
			*) bad=$((bad + 1)) ;;
			esac
			[ "$R_MS" -gt 500 ] && slow=$((slow + 1))
		done
	done
	check_eq "checker killed: $n cached answers right" "0 wrong" "$bad wrong"
	check_eq "checker killed: cached answers at once" "0 slower than 500 ms" "$slow slower than 500 ms"
	newchk() { local c; c=$(checker_pid); [ -n "$c" ] && [ "$c" != "$OLD_CHECKER" ]; }
	check_true "checker restarted by fcrdnsd" "a new child" "none" wait_for 10 newchk
	check_true "fcrdnsd survived its checker's death" "running" "gone" alive "$FCRDNSD_PID"
	expect_listed 192.0.2.201 NO_PTR 2 "$F 192.0.2.201 has no PTR record"
else
	not_ok "checker process found" "a child of fcrdnsd" "none"
fi

# ---------------------------------------------------------------------------
# Restart fcrdnsd without NSD: the same verdicts come from LMDB.
declare -A BEFORE
RESTART_IPS=(192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6 192.0.2.10
	192.0.2.12 192.0.2.13 192.0.2.16 192.0.2.17 192.0.2.18 192.0.2.22 192.0.2.25
	2001:db8::26 2001:db8::27 ::ffff:192.0.2.1)
snapshot() {
	local ip t
	for ip in "${RESTART_IPS[@]}"; do
		for t in A TXT; do
			dnsq "$FPORT" "$(revname "$ip" "$ZONE")" "$t"
			printf '%s %s\n' "$R_STATUS" "$(rdata "$R_ANSWER" "$t")"
		done
	done
}
snap1=$(snapshot)
CHK=$(checker_pid)
t0=$(now_ms)
stop_pid "$FCRDNSD_PID" 10
forget "$FCRDNSD_PID"
check_eq "fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
echo "# fcrdnsd stopped $(($(now_ms) - t0)) ms after SIGTERM"
if [ -n "$CHK" ]; then
	check_true "its checker ($CHK) is gone too" "gone" "still running" \
		wait_for 5 eval "! alive $CHK"
	alive "$CHK" && kill -KILL "$CHK"       # ours: do not leave it behind
fi
stop_pid "$NSD_PID" 5
forget "$NSD_PID"
start_fcrdnsd fcrdnsd2.log || not_ok "fcrdnsd restarts on the same store" "the apex SOA" "no answer"
snap2=$(snapshot)
i=0
while read -r line2 <&3 && read -r line1 <&4; do
	ip=${RESTART_IPS[i / 2]}
	t=A; [ $((i % 2)) = 1 ] && t=TXT
	check_eq "after restart without NSD: $ip $t as before" "$line1" "$line2"
	i=$((i + 1))
done 3<<<"$snap2" 4<<<"$snap1"
# Upstream down: a new address is never a listing.
NOTE="new address, upstream down" expect_nx 192.0.2.202 - "$SHORT_TTL" "$SHORT_TTL"

stop_pid "$FCRDNSD_PID" 10
forget "$FCRDNSD_PID"
check_eq "restarted fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"

# ---------------------------------------------------------------------------
# A short clock (flags, no long sleeps): lifetimes clamped to [2, 3] s,
# back-off 1..2 s, on the same store. 192.0.2.36 (MISMATCH) and .37 (PASS)
# have 1 s DNS TTLs, so no resolver cache outlives the clock. They expire
# while NSD is down: served stale (RFC 8767, TTL 30), the re-check fails
# (TEMPERROR back-off), and the fresh verdict is back within a back-off step
# once NSD returns.
start_nsd() {
	start_bg nsd "$TMP/nsd.log.out" nsd -d -c "$TMP/nsd.conf"
	NSD_PID=$BG_PID
	wait_for 10 nsd_up
}
start_nsd || not_ok "NSD restarts on $NSD" "NOERROR" "no answer"
FCRDNSD_ARGS+=(--ttl-min 2 --ttl-max 3 --backoff-min 1 --backoff-max 2)
start_fcrdnsd fcrdnsd3.log || not_ok "fcrdnsd starts with a short clock" "the apex SOA" "no answer"
q36=36.2.0.192.$ZONE
q37=37.2.0.192.$ZONE
dnsq "$FPORT" "$q36" A
check_eq "short clock: 192.0.2.36 listed" "NOERROR 127.0.0.4" "$R_STATUS $(rdata "$R_ANSWER" A)"
check_range "short clock: A TTL is the time the verdict has left (--ttl-min 2, --ttl-max 3)" 1 3 "$(ttls "$R_ANSWER" A)"
dnsq "$FPORT" "$q37" A
check_eq "short clock: 192.0.2.37 PASS" NXDOMAIN "$R_STATUS"
check_range "short clock: PASS SOA TTL is min(SOA, time left)" 1 3 "$(ttls "$R_AUTH" SOA)"
stop_pid "$NSD_PID" 5
forget "$NSD_PID"
sleep 3.5
dnsq "$FPORT" "$q36" A
check_eq "expired, upstream down: 192.0.2.36 still listed (serve-stale)" "NOERROR 127.0.0.4" \
	"$R_STATUS $(rdata "$R_ANSWER" A)"
check_eq "serve-stale: A TTL is 30 (RFC 8767)" 30 "$(ttls "$R_ANSWER" A)"
check_range "serve-stale: answered at once (ms)" 0 500 "$R_MS"
dnsq "$FPORT" "$q37" A
check_eq "expired, upstream down: 192.0.2.37 PASS still NXDOMAIN" NXDOMAIN "$R_STATUS"
check_range "serve-stale PASS: SOA TTL at most 30" 1 30 "$(ttls "$R_AUTH" SOA)"
# The re-check runs into --check-timeout-ms against the dead upstream.
tempfail36() { [[ $("$CTL" --db "$DB" show 192.0.2.36 2>&1) == *" last=TEMPERROR "* ]]; }
check_true "re-check failed: fcrdnsctl show has last=TEMPERROR (back-off)" "last=TEMPERROR" \
	"$("$CTL" --db "$DB" show 192.0.2.36 2>&1)" wait_for "$CHECK_WAIT" tempfail36
dnsq "$FPORT" "$q36" A
check_eq "re-check failed: 192.0.2.36 still served stale" "NOERROR 127.0.0.4 30" \
	"$R_STATUS $(rdata "$R_ANSWER" A) $(ttls "$R_ANSWER" A)"
start_nsd || not_ok "NSD restarts on $NSD" "NOERROR" "no answer"
fresh36() {
	dnsq "$FPORT" "$q36" A
	[ "$R_STATUS $(rdata "$R_ANSWER" A)" = "NOERROR 127.0.0.4" ] && [ "$(ttls "$R_ANSWER" A)" -le 3 ]
}
t0=$(now_ms)
if wait_for 10 fresh36; then
	ok "upstream back: fresh verdict for 192.0.2.36 after $(($(now_ms) - t0)) ms"
else
	not_ok "upstream back: fresh verdict for 192.0.2.36 within 10 s" "TTL <= 3" \
		"$R_STATUS $(rdata "$R_ANSWER" A) TTL $(ttls "$R_ANSWER" A); $(ctl_word 192.0.2.36)"
fi
stop_pid "$FCRDNSD_PID" 10
forget "$FCRDNSD_PID"
check_eq "short-clock fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
stop_all

# --- flags and signals ------------------------------------------------------
# A bad flag or value: one line naming it, exit 2, nothing started.
bad_flag() {
	local want=$1 out rc
	shift
	out=$("$FCRDNSD" "$@" --db "$TMP/baddb" 2>&1); rc=$?
	check_eq "fcrdnsd $*: exit 2" 2 "$rc"
	check_eq "fcrdnsd $*: one line naming it" "$want" "$out"
}
bad_flag "fcrdnsd: --bogus: unknown flag (see --help)" --bogus
bad_flag "fcrdnsd: --wait-ms: 'abc' is not a number" --wait-ms abc
bad_flag "fcrdnsd: --listen: '1.2.3.4.5' is not an IP address" --listen 1.2.3.4.5
check_eq "fcrdnsd --version" "fcrdnsd 0.1.0" "$("$FCRDNSD" --version 2>&1)"
check_eq "fcrdnsctl --version: its own name, the same version" "fcrdnsctl 0.1.0" "$("$CTL" --version 2>&1)"
check_re "fcrdnsctl --help lists --version" ".*--help, --version.*" "$("$CTL" --help 2>&1)"
# (as root: --user is looked up before --db is made)
[ "$(id -u)" = 0 ] && bad_flag "fcrdnsd: --user nosuchuser-fcrdns: no such user" --user nosuchuser-fcrdns
check_true "a bad flag creates no store" "no $TMP/baddb" "it exists" test ! -e "$TMP/baddb"
# SIGINT stops the server and its checker cleanly, like SIGTERM.
start_fcrdnsd fcrdnsd-int.log || not_ok "fcrdnsd starts again for SIGINT" "the apex SOA" "no answer"
wait_for 5 has_checker
INT_CHK=$(checker_pid)
kill -INT "$FCRDNSD_PID"
exited() { ! running "$FCRDNSD_PID"; }
check_true "SIGINT: fcrdnsd exits" "gone" "still running" wait_for 10 exited
wait "$FCRDNSD_PID" 2>/dev/null
check_eq "SIGINT: exit status 0" 0 "$?"
forget "$FCRDNSD_PID"
check_true "SIGINT: its checker is gone too" "gone" "still running" \
	wait_for 5 eval '! alive "${INT_CHK:-0}"'
check_re "SIGINT: logged as a clean stop" ".*signal 2: stopping.*" "$(grep 'signal 2' "$TMP/fcrdnsd-int.log")"

# A damaged store (data.mdb cut short): an error naming the store, exit
# 1, no crash -- LMDB alone would die of SIGBUS on the missing pages.
mkdir -p "$TMP/damaged"
cp "$DB/data.mdb" "$TMP/damaged/data.mdb"
truncate -s -4096 "$TMP/damaged/data.mdb"
DAMAGED_MSG="store $TMP/damaged: data.mdb is $(stat -c %s "$TMP/damaged/data.mdb") bytes but its pages need $(( $(stat -c %s "$TMP/damaged/data.mdb") + 4096 )): the file is damaged (truncated?); move the directory aside and the checker starts a new store"
out=$("$CTL" --db "$TMP/damaged" dump 2>&1); rc=$?
check_eq "damaged store: fcrdnsctl dump exits 1" 1 "$rc"
check_eq "damaged store: fcrdnsctl says what is wrong" "error: $DAMAGED_MSG" \
	"$(sed 's/^fcrdnsctl\[[0-9]*\]: //' <<<"$out")"
out=$("$FCRDNSD" --db "$TMP/damaged" --listen "127.0.0.1@$FPORT" --forward "127.0.0.1@$NSD_PORT" 2>&1); rc=$?
check_eq "damaged store: fcrdnsd exits 1" 1 "$rc"
check_eq "damaged store: fcrdnsd says what is wrong, then which flag" \
	"error: $DAMAGED_MSG|fcrdnsd: --db $TMP/damaged: cannot open the store" \
	"$(sed 's/^fcrdnsd\[[0-9]*\]: //' <<<"$out" | paste -sd'|')"

# Sanitizer reports from any fcrdnsd process (ASan builds write them to
# $TMP/asan.PID / ubsan.PID; also look in the daemon logs).
reports=$(cat "$TMP"/asan* "$TMP"/ubsan* 2>/dev/null; grep -h -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP"/fcrdnsd*.log 2>/dev/null)
check_eq "no sanitizer reports" "" "$(head -n 3 <<<"$reports")"
exit 0
