#!/bin/bash
# tests/service.sh BUILD_DIR -- running fcrdnsd as a service, end to end:
# the control socket (recheck, forget, stats, reload), the exempt and
# block lists, reloads under load, the metrics listener, the logs.
#
#   bash tests/service.sh build/asan
#
# Starts, on random 127.0.0.1 ports: NSD serving a copy of
# zones/fixtures/ (the copy is edited to fix a PTR record), and
# BUILD_DIR/fcrdnsd forwarding only to that NSD. Asserts with dig, curl,
# dnsperf and BUILD_DIR/fcrdnsctl.
#
# Output: "ok - ..." / "not ok - ...: expected X got Y", then
# "N passed, N failed". Exit 1 if anything failed. Every process started
# here is stopped by its PID; logs are in the temporary directory, whose
# tails are printed on failure (it is kept then; KEEP_TMP=1 keeps it).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash tests/service.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "service: no directory $1" >&2; exit 2; }
FIX=$REPO/zones/fixtures

. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/procs.sh"
. "$REPO/tests/lib/dns.sh"

LOGS=()
mkdir -p "$REPO/tests/tmp"
TMP=$(mktemp -d "$REPO/tests/tmp/service.XXXXXX")
ZONE=fcrdns.local
ZONE_FILE=$REPO/zones/fcrdns.local.zone
CHECK_TIMEOUT_MS=3000

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:log_path=$TMP/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:log_path=$TMP/ubsan}

finish() {
	local rc=$1 f
	trap - EXIT INT TERM
	stop_all
	for f in "$TMP"/asan* "$TMP"/ubsan*; do
		[ -s "$f" ] && not_ok "no sanitizer report" "none" "$f"
	done
	suite_end "$rc"
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM


for tool in dig nsd nsd-checkconf curl dnsperf python3 pgrep; do
	command -v "$tool" >/dev/null 2>&1 || bail "tool $tool is installed" "$tool in PATH" "missing (run: make deps)"
done
mkdir -p "$TMP/bin"
for b in fcrdnsd fcrdnsctl; do
	[ -x "$BUILD/$b" ] || bail "$BUILD/$b is built" "an executable" "missing"
	cp "$BUILD/$b" "$TMP/bin/$b"
done
FCRDNSD=$TMP/bin/fcrdnsd
CTL=$TMP/bin/fcrdnsctl

# ---------------------------------------------------------------------------
# NSD with a copy of the fixture zones (the recheck test edits the copy)
ZDIR=$TMP/zones
mkdir -p "$ZDIR"
cp "$FIX"/*.zone "$ZDIR"/
NSD_PORT=$(free_port)
NSD=127.0.0.1@$NSD_PORT
subst "$FIX/nsd.conf.in" "$TMP/nsd.conf" "PORT=$NSD_PORT" "TMP=$TMP" "ZONES=$ZDIR"
out=$(nsd-checkconf "$TMP/nsd.conf" 2>&1) || bail "nsd-checkconf" "no error" "$out"
start_bg nsd "$TMP/nsd.out" nsd -d -c "$TMP/nsd.conf"
NSD_PID=$BG_PID
nsd_up() { dig +norec +tries=1 +time=1 -p "$NSD_PORT" @127.0.0.1 example.com SOA 2>/dev/null | grep -q 'status: NOERROR'; }
wait_for 10 nsd_up || bail "NSD answers on $NSD" "NOERROR for example.com SOA" "nothing"
ok "NSD serves a copy of the fixtures on $NSD"

# ---------------------------------------------------------------------------
# fcrdnsd with a control socket, override lists, metrics and a query log
DB=$TMP/db
SOCK=$TMP/fcrdnsd.sock
EXEMPT=$TMP/exempt.txt
BLOCK=$TMP/block.txt
cat >"$EXEMPT" <<'EOF'
# never listed, never checked
192.0.2.3            # would be NO_PTR
192.0.2.64/26
EOF
cat >"$BLOCK" <<'EOF'
# always listed
192.0.2.1 4 blocked by the operator, see https://example.com/#12
198.51.100.0/24
192.0.2.70 127.0.0.3 inside an exempt /26: the longer prefix wins
EOF
FPORT=$(free_port)
MPORT=$(free_port)
BASE_ARGS=(--zone-file "$ZONE_FILE" --forward "$NSD"
	--stub "2.0.192.in-addr.arpa=$NSD" --stub "example.com=$NSD"
	--check-timeout-ms "$CHECK_TIMEOUT_MS")
FCRDNSD_ARGS=(--listen "127.0.0.1@$FPORT" --db "$DB" "${BASE_ARGS[@]}"
	--control "$SOCK" --exempt "$EXEMPT" --block "$BLOCK"
	--metrics "127.0.0.1@$MPORT" --query-log)
up() { dig +norec +tries=1 +time=1 -p "$1" @127.0.0.1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
LOG=$TMP/fcrdnsd.log
start_bg fcrdnsd "$LOG" "$FCRDNSD" "${FCRDNSD_ARGS[@]}"
FCRDNSD_PID=$BG_PID
wait_for 15 up "$FPORT" || bail "fcrdnsd answers on 127.0.0.1@$FPORT" "the apex SOA" "no answer"
ok "fcrdnsd answers on 127.0.0.1@$FPORT"

ctl() { "$CTL" --control "$SOCK" --db "$DB" "$@"; }
ctl_word() { "$CTL" --db "$DB" show "$1" 2>&1 | awk 'NR == 1 { print $1 }'; }
# ask IP TYPE: dnsq for the address's DNSBL name
ask() { dnsq "$FPORT" "$(revname "$1" "$ZONE")" "$2"; }

# --- the control socket itself ----------------------------------------------
check_eq "control socket is mode 0600" "600" "$(stat -c %a "$SOCK" 2>&1)"
check_eq "control socket is a socket" "socket" "$(stat -c %F "$SOCK" 2>&1 | awk '{print $NF}')"

# --- overrides ---------------------------------------------------------------
ask 192.0.2.1 A
check_eq "block 192.0.2.1 (a PASS in DNS): A" "NOERROR 127.0.0.4" "$R_STATUS $(rdata "$R_ANSWER" A)"
check_range "block 192.0.2.1: answered at once, no wait (ms)" 0 500 "$R_MS"
check_eq "block 192.0.2.1: A TTL is the cap" 300 "$(ttls "$R_ANSWER" A)"
ask 192.0.2.1 TXT
check_eq "block 192.0.2.1: the list's TXT ('#' inside a word is text)" \
	'"blocked by the operator, see https://example.com/#12"' "$(rdata "$R_ANSWER" TXT)"
ask 198.51.100.77 TXT
check_eq "block 198.51.100.0/24, no code or TXT: default TXT" \
	'"FCrDNS: 198.51.100.77 is on the local block list"' "$(rdata "$R_ANSWER" TXT)"
ask 198.51.100.77 A
check_eq "block 198.51.100.0/24: default code 127.0.0.2" "127.0.0.2" "$(rdata "$R_ANSWER" A)"
ask 192.0.2.3 A
check_eq "exempt 192.0.2.3 (NO_PTR in DNS): NXDOMAIN" "NXDOMAIN" "$R_STATUS"
check_range "exempt 192.0.2.3: answered at once (ms)" 0 500 "$R_MS"
ask 192.0.2.65 A
check_eq "exempt 192.0.2.64/26: 192.0.2.65 NXDOMAIN" "NXDOMAIN" "$R_STATUS"
ask 192.0.2.70 A
check_eq "longest prefix: block /32 inside exempt /26" "NOERROR 127.0.0.3" "$R_STATUS $(rdata "$R_ANSWER" A)"
sleep 0.5
for ip in 192.0.2.1 192.0.2.3 198.51.100.77 192.0.2.65 192.0.2.70; do
	check_eq "$ip: never checked (nothing stored)" "NONE" "$(ctl_word "$ip")"
done
check_eq "show notes the override" "note: exempt by $EXEMPT line 2: answered NXDOMAIN, never checked" \
	"$("$CTL" --db "$DB" --exempt "$EXEMPT" show 192.0.2.3 | sed -n 2p)"
# an address on no list is checked as usual
ask 192.0.2.2 A
check_eq "192.0.2.2 on no list: NO_PTR listing" "NOERROR 127.0.0.2" "$R_STATUS $(rdata "$R_ANSWER" A)"

# reload by SIGHUP: 192.0.2.1 leaves the block list, 192.0.2.10 joins it
cat >"$BLOCK" <<'EOF'
192.0.2.10 3 now blocked
198.51.100.0/24
EOF
kill -HUP "$FCRDNSD_PID"
reloaded() { ask 192.0.2.10 A; [ "$(rdata "$R_ANSWER" A)" = 127.0.0.3 ]; }
check_true "SIGHUP reload: 192.0.2.10 now blocked (127.0.0.3)" "127.0.0.3" "$(rdata "$R_ANSWER" A)" wait_for 5 reloaded
ask 192.0.2.1 A
check_eq "SIGHUP reload: 192.0.2.1 is checked again (PASS: NXDOMAIN)" "NXDOMAIN" "$R_STATUS"
check_eq "192.0.2.1 checked after the reload: PASS stored" "PASS" "$(ctl_word 192.0.2.1)"
check_re "SIGHUP reload is logged" ".*SIGHUP: reloaded: exempt .*: 2 entries, block .*: 2 entries.*" "$(grep 'SIGHUP' "$LOG" | tail -n1)"

# a bad line: reported as FILE:LINE, the old lists stay
printf '192.0.2.10 3 now blocked\n198.51.100.0/24\n192.0.2.77 7 bad code\n' >"$BLOCK"
out=$(ctl reload 2>&1); rc=$?
check_eq "fcrdnsctl reload with a bad line: exit 1" 1 "$rc"
check_eq "fcrdnsctl reload names FILE:LINE and keeps the old lists" \
	"fcrdnsctl: reload: $BLOCK:3: code '7' is not 2, 3, 4 or 127.0.0.2..127.0.0.4; the old lists stay in force (2 exempt, 2 block entries)" "$out"
ask 192.0.2.10 A
check_eq "after the failed reload: 192.0.2.10 still blocked" "127.0.0.3" "$(rdata "$R_ANSWER" A)"
kill -HUP "$FCRDNSD_PID"
hup_logged() { grep -q "SIGHUP: $BLOCK:3: code '7'" "$LOG"; }
check_true "SIGHUP with a bad line: FILE:LINE logged" "a log line" "none" wait_for 5 hup_logged
ask 192.0.2.10 A
check_eq "after the failed SIGHUP: 192.0.2.10 still blocked" "127.0.0.3" "$(rdata "$R_ANSWER" A)"
printf '192.0.2.10 2\n' >"$BLOCK"
out=$(ctl reload 2>&1); rc=$?
check_eq "fcrdnsctl reload fixed: exit 0" 0 "$rc"
check_re "fcrdnsctl reload fixed: says what is in force" "reloaded: exempt .*: 2 entries, block .*: 1 entries" "$out"
ask 192.0.2.10 A
check_eq "after fcrdnsctl reload: new code" "127.0.0.2" "$(rdata "$R_ANSWER" A)"

# --- forget: the next query waits for a new check and re-lists ----------------
check_eq "192.0.2.2 stored as NO_PTR before forget" "NO_PTR" "$(ctl_word 192.0.2.2)"
out=$(ctl forget 192.0.2.2 2>&1); rc=$?
check_eq "fcrdnsctl forget: exit 0 and says so" "0 192.0.2.2: record deleted" "$rc $out"
check_eq "after forget: nothing stored" "NONE" "$(ctl_word 192.0.2.2)"
misses0=$(ctl stats | awk '$1 == "cache_misses_total" { print $2 }')
ask 192.0.2.2 A
check_eq "after forget: the next query re-lists it" "NOERROR 127.0.0.2" "$R_STATUS $(rdata "$R_ANSWER" A)"
misses1=$(ctl stats | awk '$1 == "cache_misses_total" { print $2 }')
check_eq "after forget: that query was a miss (it waited for a check)" "$((misses0 + 1))" "$misses1"
check_eq "after forget: NO_PTR stored again" "NO_PTR" "$(ctl_word 192.0.2.2)"
out=$(ctl forget 192.0.2.250 2>&1); rc=$?
check_eq "forget of an unknown address" "0 192.0.2.250: nothing was stored" "$rc $out"
out=$(ctl forget not-an-ip 2>&1); rc=$?
# a bad address is a usage error (exit 2), found before the daemon is asked
check_eq "forget with a bad address: usage error" "2 fcrdnsctl: 'not-an-ip': not an IPv4 or IPv6 address" "$rc $out"

# --- recheck: fix a PTR in DNS, recheck, delisted at once ----------------------
ask 192.0.2.150 A
check_eq "192.0.2.150 (no PTR yet): NO_PTR listing" "NOERROR 127.0.0.2" "$R_STATUS $(rdata "$R_ANSWER" A)"
# the sender fixes their DNS: PTR and A; NSD reloads changed zones on SIGHUP
sed -i 's/ 1 3600 900 / 2 3600 900 /' "$ZDIR/2.0.192.in-addr.arpa.zone" "$ZDIR/example.com.zone"
echo "150     IN PTR  mx150.example.com." >>"$ZDIR/2.0.192.in-addr.arpa.zone"
echo "mx150    IN A    192.0.2.150" >>"$ZDIR/example.com.zone"
kill -HUP "$NSD_PID"
nsd_has_ptr() { dig +norec +short -p "$NSD_PORT" @127.0.0.1 150.2.0.192.in-addr.arpa PTR 2>/dev/null | grep -q mx150; }
check_true "NSD serves the new PTR after SIGHUP" "mx150.example.com." "none" wait_for 10 nsd_has_ptr
# a plain forget + query still sees the checker's cached NXDOMAIN (the
# reverse zone's negative TTL is an hour): this is why recheck exists
ctl forget 192.0.2.150 >/dev/null 2>&1
ask 192.0.2.150 A
check_eq "forget + query: the checker's DNS cache still says NXDOMAIN" "127.0.0.2" "$(rdata "$R_ANSWER" A)"
out=$(ctl recheck 192.0.2.150 2>&1); rc=$?
check_eq "fcrdnsctl recheck: exit 0" 0 "$rc"
check_re "fcrdnsctl recheck prints the new verdict like show" \
	"PASS 192\.0\.2\.150 state=fresh .*names=mx150\.example\.com.*" "$out"
ask 192.0.2.150 A
check_eq "after recheck: delisted at once (NXDOMAIN)" "NXDOMAIN" "$R_STATUS"
check_range "after recheck: answered from the store at once (ms)" 0 500 "$R_MS"
check_re "the recheck is logged by the checker" ".*check 192\.0\.2\.150 PASS names=mx150\.example\.com [0-9]+ ms \(recheck, fresh cache\).*" \
	"$(grep 'check 192.0.2.150 PASS' "$LOG" | tail -n1)"
out=$(ctl recheck 10.0.0.5 2>&1); rc=$?
check_eq "recheck of a skipped range" "0 NOT_APPLICABLE 10.0.0.5 skip=range" "$rc $out"
out=$(ctl recheck 192.0.2.3 2>&1); rc=$?
check_re "recheck of an exempt address runs, and says the list decides" \
	"NO_PTR 192\.0\.2\.3 state=fresh .*
note: on the exempt list \($EXEMPT line 2\): queries are answered NXDOMAIN whatever the verdict" "$out"
ask 192.0.2.3 A
check_eq "exempt 192.0.2.3 stays NXDOMAIN after its recheck" "NXDOMAIN" "$R_STATUS"
out=$(ctl recheck 127.0.0.2 2>&1); rc=$?
check_re "recheck of an RFC 5782 test entry: error" "fcrdnsctl: recheck: 127\.0\.0\.2 is an RFC 5782 test entry.*" "$out"

# --- stats -----------------------------------------------------------------
out=$(ctl stats 2>&1); rc=$?
check_eq "fcrdnsctl stats: exit 0" 0 "$rc"
check_eq "stats: every line is 'name value'" "" "$(awk 'NF != 2 || $2 !~ /^[0-9]+(\.[0-9]+)?$/' <<<"$out")"
check_eq "stats: override entries" "1 2" "$(awk '$1 == "override_entries.block" { b = $2 } $1 == "override_entries.exempt" { e = $2 } END { print b, e }' <<<"$out")"
check_eq "stats: every recheck that reached the checker is counted" "3" "$(awk '$1 == "rechecks_total" { print $2 }' <<<"$out")"

# --- query log and check log -------------------------------------------------
check_re "query log: client, qname, qtype, rcode" \
	".*query 127\.0\.0\.1 udp id=[0-9]+ 70\.2\.0\.192\.fcrdns\.local\. A NOERROR" "$(grep 'query 127.0.0.1 udp id=[0-9]* 70.2.0.192' "$LOG" | head -n1)"
check_re "query log: a parked query logs 'wait' then its answer" \
	".*query - udp id=[0-9]+ 150\.2\.0\.192\.fcrdns\.local\. A NOERROR after-wait" "$(grep 'query - udp id=[0-9]* 150.2.0.192' "$LOG" | head -n1)"
check_re "check log: address, verdict, names, duration" \
	".*check 192\.0\.2\.2 NO_PTR names=- [0-9]+ ms: .*" "$(grep 'check 192.0.2.2 NO_PTR' "$LOG" | head -n1)"

# --- reload under steady load: no query lost ----------------------------------
QF=$TMP/queries.txt
for i in $(seq 1 20); do
	for ip in 192.0.2.2 192.0.2.1 192.0.2.10 198.51.100.$i 192.0.2.65 192.0.2.150; do
		echo "$(revname "$ip" "$ZONE") A"
	done
done >"$QF"
printf '192.0.2.10 2\n198.51.100.0/24 3 load test\n' >"$BLOCK"
ctl reload >/dev/null 2>&1
nreload0=$(grep -c 'reloaded: exempt' "$LOG")
dnsperf -s 127.0.0.1 -p "$FPORT" -d "$QF" -l 5 -Q 2000 >"$TMP/dnsperf.out" 2>&1 &
DP=$!
PROCS+=("dnsperf $DP")
for i in 1 2 3 4 5 6; do
	sleep 0.6
	printf '192.0.2.10 2\n198.51.100.0/24 %s load test %s\n' $((3 + i % 2)) "$i" >"$BLOCK"
	if [ $((i % 2)) = 0 ]; then kill -HUP "$FCRDNSD_PID"; else ctl reload >/dev/null 2>&1; fi
done
wait "$DP"
forget "$DP"
sent=$(awk '/Queries sent:/ { print $3 }' "$TMP/dnsperf.out")
lost=$(awk '/Queries lost:/ { print $3 }' "$TMP/dnsperf.out")
check_range "dnsperf sent queries for 5 s at 2000 qps" 8000 10000 "$sent"
check_eq "six reloads under load: dnsperf reports no query lost" 0 "$lost"
check_eq "reloads under load: every query completed" "$sent" "$(awk '/Queries completed:/ { print $3 }' "$TMP/dnsperf.out")"
check_eq "reloads under load: all six reloads took effect" 6 "$(($(grep -c 'reloaded: exempt' "$LOG") - nreload0))"

# --- fcrdnsctl without a daemon ------------------------------------------------
out=$("$CTL" --control "$TMP/nothing.sock" stats 2>&1); rc=$?
check_eq "fcrdnsctl stats without a daemon: exit 1" 1 "$rc"
check_eq "fcrdnsctl stats without a daemon: says so" \
	"fcrdnsctl: no fcrdnsd running on control socket $TMP/nothing.sock (connect: No such file or directory)" "$out"

# --- a second daemon on the same socket is refused; stop removes it -----------
out=$("$FCRDNSD" --listen "127.0.0.1@$(free_port)" --db "$TMP/db2" --zone-file "$ZONE_FILE" --forward "$NSD" --control "$SOCK" 2>&1); rc=$?
check_re "a second fcrdnsd on a live control socket is refused" \
	"1 .*fcrdnsd: --control $SOCK: another fcrdnsd is running there.*" "$rc $out"
# ... and so is a second one on the same store with its own socket: two
# checkers would both write it
out=$("$FCRDNSD" --listen "127.0.0.1@$(free_port)" --db "$DB" --zone-file "$ZONE_FILE" --forward "$NSD" --control "$TMP/second.sock" 2>&1); rc=$?
check_eq "a second fcrdnsd on the same store (another socket) is refused" \
	"1 fcrdnsd: --db $DB: another fcrdnsd is running on this store" "$rc $out"
check_true "... and leaves no socket behind" "no file" "$(ls -l "$TMP/second.sock" 2>&1)" test ! -e "$TMP/second.sock"
stop_pid "$FCRDNSD_PID"
forget "$FCRDNSD_PID"
check_eq "fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
check_true "the control socket is removed at exit" "no file" "$(ls -l "$SOCK" 2>&1)" test ! -e "$SOCK"
out=$(ctl recheck 192.0.2.2 2>&1); rc=$?
check_eq "fcrdnsctl recheck without a daemon: exit 1 and says so" \
	"1 fcrdnsctl: no fcrdnsd running on control socket $SOCK (connect: No such file or directory)" "$rc $out"
check_eq "store commands still work without a daemon (show)" "NO_PTR" "$(ctl_word 192.0.2.2)"
check_true "store commands still work without a daemon (dump)" "a dump" "none" \
	bash -c "'$CTL' --db '$DB' dump | grep -q '^192.0.2.150 PASS'"

# a bad list at start: exit 2, FILE:LINE named
printf '192.0.2.1\nbogus-line\n' >"$TMP/bad-exempt.txt"
out=$("$FCRDNSD" --listen "127.0.0.1@$(free_port)" --db "$TMP/db3" --zone-file "$ZONE_FILE" --forward "$NSD" --control "" --exempt "$TMP/bad-exempt.txt" 2>&1); rc=$?
check_eq "start with a bad exempt file: exit 2 and FILE:LINE" \
	"2 fcrdnsd: --exempt: $TMP/bad-exempt.txt:2: 'bogus-line' is not an address or CIDR network" "$rc $(tail -n1 <<<"$out")"

# a stale socket (left by a SIGKILLed daemon) is replaced
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK"
check_true "a stale socket file exists" "a socket" "none" test -S "$SOCK"

# ---------------------------------------------------------------------------
# Metrics: a fresh daemon, an exact sequence of queries, exact counters
FPORT=$(free_port)
DB=$TMP/dbm
M_ARGS=(--listen "127.0.0.1@$FPORT" --db "$DB" "${BASE_ARGS[@]}"
	--control "$SOCK" --metrics "127.0.0.1@$MPORT" --workers 2)
start_bg fcrdnsd-m "$TMP/fcrdnsd-m.log" "$FCRDNSD" "${M_ARGS[@]}"
MPID=$BG_PID
wait_for 15 up "$FPORT" || bail "metrics fcrdnsd answers" "the apex SOA" "no answer"
ok "fcrdnsd starts over a stale control socket"
# warm up: the store exists and every worker's reader has seen it (a
# reader opened before the checker made the store looks again after a
# second), then every figure is compared with this baseline
ask 192.0.2.22 A
sleep 1.5
M0=$(curl -s "http://127.0.0.1:$MPORT/metrics")
ask 192.0.2.2 A      # miss: waits, NO_PTR
ask 192.0.2.2 TXT    # hit: NO_PTR
ask 192.0.2.1 A      # miss: waits, PASS
ask 10.0.0.5 A       # NOT_APPLICABLE at once
dnsq "$FPORT" example.org A   # outside the zone: REFUSED
sleep 1.5            # the checker's next IPC_STATS
M=$(curl -s -D "$TMP/headers" "http://127.0.0.1:$MPORT/metrics")
mval() { awk -v k="$1" '$1 == k { print $2 }' <<<"$M"; }
# mdelta NAME: the sample's growth since the baseline
mdelta() {
	local a b
	a=$(awk -v k="$1" '$1 == k { print $2 }' <<<"$M0")
	b=$(mval "$1")
	echo $((${b:-0} - ${a:-0}))
}
check_eq "metrics: Content-Type is the Prometheus text format" "text/plain; version=0.0.4; charset=utf-8" \
	"$(awk -F': ' 'tolower($1) == "content-type" { sub(/\r$/, "", $2); print $2 }' "$TMP/headers")"
check_eq "metrics: 5 queries" 5 "$(mdelta fcrdnsd_queries_total)"
check_eq "metrics: NOERROR answers" 2 "$(mdelta 'fcrdnsd_answers_total{rcode="NOERROR"}')"
check_eq "metrics: NXDOMAIN answers" 2 "$(mdelta 'fcrdnsd_answers_total{rcode="NXDOMAIN"}')"
check_eq "metrics: REFUSED answers" 1 "$(mdelta 'fcrdnsd_answers_total{rcode="REFUSED"}')"
check_eq "metrics: answers by verdict NO_PTR" 2 "$(mdelta 'fcrdnsd_answers_by_verdict_total{verdict="NO_PTR"}')"
check_eq "metrics: answers by verdict PASS" 1 "$(mdelta 'fcrdnsd_answers_by_verdict_total{verdict="PASS"}')"
check_eq "metrics: answers by verdict NOT_APPLICABLE" 1 "$(mdelta 'fcrdnsd_answers_by_verdict_total{verdict="NOT_APPLICABLE"}')"
check_eq "metrics: misses" 2 "$(mdelta fcrdnsd_cache_misses_total)"
check_eq "metrics: hits (the second query and the two answers after waiting)" 3 "$(mdelta fcrdnsd_cache_hits_total)"
check_eq "metrics: waits" 2 "$(mdelta fcrdnsd_waits_total)"
check_eq "metrics: waits answered by the check" 2 "$(mdelta fcrdnsd_wait_answers_total)"
check_eq "metrics: deadline answers" 0 "$(mval fcrdnsd_deadline_answers_total)"
check_eq "metrics: table-full answers" 0 "$(mval fcrdnsd_table_full_answers_total)"
check_eq "metrics: checks NO_PTR" 1 "$(mdelta 'fcrdnsd_checks_total{verdict="NO_PTR"}')"
check_eq "metrics: checks PASS" 1 "$(mdelta 'fcrdnsd_checks_total{verdict="PASS"}')"
check_eq "metrics: latency histogram count" 2 "$(mdelta fcrdnsd_check_duration_seconds_count)"
check_eq "metrics: latency histogram +Inf bucket" 2 "$(mdelta 'fcrdnsd_check_duration_seconds_bucket{le="+Inf"}')"
check_eq "metrics: latency buckets are cumulative" "" \
	"$(awk '/^fcrdnsd_check_duration_seconds_bucket/ { if ($2 < prev) print "decreasing"; prev = $2 }' <<<"$M")"
check_eq "metrics: checks in flight" 0 "$(mval fcrdnsd_checks_in_flight)"
check_eq "metrics: check queue length" 0 "$(mval fcrdnsd_check_queue_length)"
check_eq "metrics: store entries (with the warm-up's)" 3 "$(mval fcrdnsd_store_entries)"
check_true "metrics: store bytes > 0" "> 0" "$(mval fcrdnsd_store_bytes)" test "$(mval fcrdnsd_store_bytes)" -gt 0
check_eq "metrics: checker restarts" 0 "$(mval fcrdnsd_checker_restarts_total)"
check_eq "metrics: workers" 2 "$(mval fcrdnsd_workers)"
check_eq "metrics: every family has # HELP and # TYPE" \
	"$(grep -c '^# HELP ' <<<"$M")" "$(grep -c '^# TYPE ' <<<"$M")"
check_eq "metrics: every sample line is 'name value'" "" \
	"$(grep -v '^#' <<<"$M" | awk 'NF != 2 || $2 !~ /^[0-9]+(\.[0-9]+)?$/')"
check_eq "metrics: another path is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/")"
check_eq "metrics: POST is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MPORT/metrics")"
CHK=$(pgrep -P "$MPID" | head -n1)
[ -n "$CHK" ] && kill -KILL "$CHK"
restarted() { curl -s "http://127.0.0.1:$MPORT/metrics" | grep -q '^fcrdnsd_checker_restarts_total 1$'; }
check_true "metrics: checker restarts counted after SIGKILL" "1" "other" wait_for 10 restarted
stop_pid "$MPID"
forget "$MPID"

# --metrics must be loopback; --syslog sends nothing to stderr
out=$("$FCRDNSD" --metrics 192.0.2.1@9100 2>&1); rc=$?
check_eq "--metrics on a non-loopback address is refused" \
	"2 fcrdnsd: --metrics: '192.0.2.1@9100' is not a loopback address" "$rc $out"
start_bg fcrdnsd-s "$TMP/fcrdnsd-syslog.log" "$FCRDNSD" --listen "127.0.0.1@$FPORT" "${BASE_ARGS[@]}" \
	--db "$TMP/dbs" --control "" --syslog
SPID=$BG_PID
wait_for 15 up "$FPORT" || not_ok "fcrdnsd --syslog answers" "the apex SOA" "no answer"
stop_pid "$SPID"
forget "$SPID"
check_eq "--syslog: nothing on stderr" "" "$(grep -v '^=\|AddressSanitizer' "$TMP/fcrdnsd-syslog.log")"
