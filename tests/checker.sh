#!/bin/bash
# tests/checker.sh BUILD_DIR -- the checker under load, under SIGKILL, and
# on short clocks (issue 4, "Tests": load, kill, temperror, prefetch, sweep).
#
#   bash tests/checker.sh build/asan
#
# Everything runs on 127.0.0.1 random ports; no lookup can leave the
# machine (every fcrdnsd gets --forward and --stub to loopback servers).
# Generated zones, stores and logs live in a temporary directory
# (${TMPDIR:-/tmp}/fcrdns-checker.*), never in the repository:
#   - tests/checker/gen.py writes the zones (10,000 load addresses in
#     198.18.0.0/16, a burst set, the short-TTL zones) and NSD configs;
#   - NSD serves the load and prefetch zones all the time, NSD2 serves the
#     zones of the temperror part and is started and stopped by the test;
#   - tests/faultdns.py "silent" never answers 198.18.200.0/24;
#   - tests/checker/dnsload.py sends the load and judges each reply.
# Parts (each names its rule in its "ok" lines):
#   1. load: 10,004 distinct addresses, --max-inflight 8, --max-queue 32,
#      --max-names 2: every query answered (verdict or deadline answer),
#      RssAnon bounded, the checker's stats line within the windows;
#   2. SIGKILL the checker 20 times during a burst of new addresses (five
#      fcrdnsd runs of four kills: see KILLS_PER_RUN), store clean, no
#      committed verdict lost, cached answers throughout;
#   3. temperror / back-off / upstream back / serve-stale / grace /
#      --interest, 5. sweep, 6. libunbound recovery: one fcrdnsd with
#      lifetimes of 3 s, back-off 2..4 s, --grace 8, --interest 6;
#   4. prefetch: lifetimes of 20 s, a busy address queried every 250 ms
#      (runs in the background during part 3).
#
# Output: "ok - ..." / "not ok - ...: expected X got Y", then
# "N passed, N failed"; exit 1 if anything failed. Every process started
# here is stopped by its PID on exit (trap). The temporary directory is
# removed on success (KEEP_TMP=1 keeps it) and kept on failure.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash tests/checker.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "checker.sh: no directory $1" >&2; exit 2; }

. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/procs.sh"
. "$REPO/tests/lib/dns.sh"

LOGS=()
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fcrdns-checker.XXXXXX")
ZONE=fcrdns.local
ZONE_FILE=$REPO/zones/fcrdns.local.zone
SHORT_TTL=10
T_START=$(now_ms)

# ASan: a smaller quarantine than the default 256 MB, so that RssAnon
# measures the program and not the allocator's quarantine.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:quarantine_size_mb=16:log_path=$TMP/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:log_path=$TMP/ubsan}

finish() {
	local rc=$1
	trap - EXIT INT TERM
	stop_all
	echo "# $((($(now_ms) - T_START) / 1000)) s"
	suite_end "$rc"    # tests/lib/tap.sh: logs on failure, summary, exit
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM

# dead PID: gone, or a zombie (exited, not yet reaped by its parent)
dead() { ! running "$1"; }
# check_le DESC GOT MAX (integers)
check_le() {
	if [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -le "$3" ]; then ok "$1"; else not_ok "$1" "<= $3" "$(_tap_show "$2")"; fi
}
# check_ge DESC GOT MIN (integers)
check_ge() {
	if [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ]; then ok "$1"; else not_ok "$1" ">= $3" "$(_tap_show "$2")"; fi
}

for tool in dig nsd nsd-checkconf nsd-checkzone python3 pgrep mdb_stat date; do
	command -v "$tool" >/dev/null 2>&1 || bail "tool $tool is installed" "$tool in PATH" "missing"
done
mkdir -p "$TMP/bin"
for b in fcrdnsd fcrdnsctl; do
	[ -x "$BUILD/$b" ] || bail "$BUILD/$b is built" "an executable" "missing"
	cp "$BUILD/$b" "$TMP/bin/$b"
done
FCRDNSD=$TMP/bin/fcrdnsd
CTL=$TMP/bin/fcrdnsctl

# ---------------------------------------------------------------------------
# Fixtures and upstream servers
N_LOAD=10000
N_BURST=10000
NSD_PORT=$(free_port)
NSD2_PORT=$(free_port)
NSD=127.0.0.1@$NSD_PORT
NSD2=127.0.0.1@$NSD2_PORT
python3 "$REPO/tests/checker/gen.py" "$TMP" "$NSD_PORT" "$NSD2_PORT" "$N_LOAD" "$N_BURST" ||
	bail "tests/checker/gen.py writes the zones" "exit 0" "failure"
out=$(nsd-checkconf "$TMP/nsd.conf" 2>&1 && nsd-checkconf "$TMP/nsd2.conf" 2>&1 &&
	nsd-checkzone 18.198.in-addr.arpa "$TMP/load.rev.zone" 2>&1 &&
	nsd-checkzone load.example.net "$TMP/load.fwd.zone" 2>&1 &&
	nsd-checkzone 1.19.198.in-addr.arpa "$TMP/pf.rev.zone" 2>&1 &&
	nsd-checkzone 0.19.198.in-addr.arpa "$TMP/t.rev.zone" 2>&1 &&
	nsd-checkzone t.example.net "$TMP/t.fwd.zone" 2>&1) ||
	bail "generated zones pass nsd-checkconf and nsd-checkzone" "no error" "$out"
ok "generated $N_LOAD + $N_BURST load addresses; zones pass nsd-checkzone"

nsd_up() { dig +norec +tries=1 +time=1 -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
start_bg nsd "$TMP/nsd.out" nsd -d -c "$TMP/nsd.conf"
NSD_PID=$BG_PID
wait_for 20 nsd_up "$NSD_PORT" load.example.net || bail "NSD answers on $NSD" "NOERROR" "nothing"
ok "NSD serves the load zones on $NSD"
NSD2_PID=
# start_nsd2: while NSD2 is down its port is free, and any process may
# take it for a moment (libunbound picks random source ports): retry.
start_nsd2() {
	local i
	for ((i = 0; i < 20; i++)); do
		start_bg nsd2 "$TMP/nsd2.out" nsd -d -c "$TMP/nsd2.conf"
		NSD2_PID=$BG_PID
		wait_for 5 nsd2_up_or_dead && nsd_up "$NSD2_PORT" t.example.net && return 0
		stop_nsd2
		sleep 0.5
	done
	return 1
}
nsd2_up_or_dead() { nsd_up "$NSD2_PORT" t.example.net || dead "$NSD2_PID"; }
stop_nsd2() {
	stop_pid "$NSD2_PID" 5
	forget "$NSD2_PID"
	NSD2_PID=
}

start_bg faultdns "$TMP/faultdns.out" python3 "$REPO/tests/faultdns.py" \
	--ports "$TMP/faultdns.ports" --log "$TMP/faultdns.log" silent
wait_for 5 test -s "$TMP/faultdns.ports" || bail "faultdns.py starts" "a ports file" "none"
SILENT=127.0.0.1@$(awk '$1 == "silent" { print $2 }' "$TMP/faultdns.ports")

# ---------------------------------------------------------------------------
# fcrdnsd instances: TAG -> port, store, arguments, PID
declare -A FC_PORT FC_DB FC_PID FC_LOG
declare -A FC_ARGS
# fc_define TAG ARGS...: its port, store and arguments (not started)
fc_define() {
	local tag=$1
	shift
	FC_PORT[$tag]=$(free_port)
	FC_DB[$tag]=$TMP/db.$tag
	FC_ARGS[$tag]=$(printf '%q ' --listen "127.0.0.1@${FC_PORT[$tag]}" --db "${FC_DB[$tag]}" \
		--zone-file "$ZONE_FILE" --forward "$NSD" "$@")
}
fc_up() { dig +norec +tries=1 +time=1 -p "${FC_PORT[$1]}" @127.0.0.1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
# fc_start TAG LOGNAME: start it and wait for the apex SOA and its checker
fc_start() {
	local tag=$1 args
	eval "args=(${FC_ARGS[$tag]})"
	FC_LOG[$tag]=$TMP/$2
	start_bg "fcrdnsd-$tag" "${FC_LOG[$tag]}" "$FCRDNSD" "${args[@]}"
	FC_PID[$tag]=$BG_PID
	wait_for 15 fc_up "$tag" && wait_for 5 has_checker "$tag"
}
# fc_stop TAG: SIGTERM; STOP_STATUS is its exit status
fc_stop() {
	stop_pid "${FC_PID[$1]}" 10
	forget "${FC_PID[$1]}"
}
checker_pid() { pgrep -P "${FC_PID[$1]}" -f -- '--checker-fd' | head -n1; }
has_checker() { [ -n "$(checker_pid "$1")" ]; }
# ctl TAG ARGS...: fcrdnsctl on TAG's store
ctl() { local tag=$1; shift; "$CTL" --db "${FC_DB[$tag]}" "$@"; }
# ctl_stat TAG KEY: one value of "fcrdnsctl stats" (the server's counters)
ctl_stat() { "$CTL" --control "${FC_DB[$1]}/fcrdnsd.sock" stats 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }'; }
# checker_stats TAG: SIGUSR1 the checker, print its new stats line
checker_stats() {
	local tag=$1 pid n i line
	pid=$(checker_pid "$tag")
	[ -n "$pid" ] || return 1
	n=$(grep -c 'checker: stats ' "${FC_LOG[$tag]}")
	kill -USR1 "$pid"
	for ((i = 0; i < 50; i++)); do
		line=$(grep 'checker: stats ' "${FC_LOG[$tag]}" | sed -n "$((n + 1))p")
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.1
	done
	return 1
}
# field LINE KEY: the value of KEY=VALUE in LINE
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n1; }
# rss PID: RssAnon in kB
rss() { awk '$1 == "RssAnon:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
# epoch TIME: "2026-12-03T19:41:00Z" -> seconds
epoch() { date -u -d "$1" +%s; }
qn() { revname "$1" "$ZONE"; }

# ===========================================================================
# 1. Load
L_INFLIGHT=8 L_QUEUE=32 L_NAMES=2 L_WAIT=800 L_TIMEOUT=2000
L_WINDOW=$((L_INFLIGHT * (1 + L_NAMES)))
fc_define L --stub "18.198.in-addr.arpa=$NSD" --stub "load.example.net=$NSD" \
	--stub "200.18.198.in-addr.arpa=$SILENT" \
	--max-inflight "$L_INFLIGHT" --max-queue "$L_QUEUE" --max-names "$L_NAMES" \
	--wait-ms "$L_WAIT" --check-timeout-ms "$L_TIMEOUT" --workers 2
fc_start L fcrdnsd-L.log || bail "fcrdnsd (load) starts" "the apex SOA and a checker" "no answer"
ok "fcrdnsd (load) runs: --max-inflight $L_INFLIGHT --max-queue $L_QUEUE --max-names $L_NAMES --wait-ms $L_WAIT --check-timeout-ms $L_TIMEOUT"
# one check first, so "before" includes a started libunbound
dnsq "${FC_PORT[L]}" "$(qn 198.18.199.250)" A
L_CHK=$(checker_pid L)
rss_srv0=$(rss "${FC_PID[L]}") rss_chk0=$(rss "$L_CHK")

N_Q=$(wc -l <"$TMP/load.names")
sumv() { sed -n "s/^$2=//p" "$1" | head -n1; }
# load_pass NAME RATE: send load.names; RATE 0 = as fast as a window of
# 500 outstanding queries and the socket buffers allow
load_pass() {
	local name=$1 rate=$2 t0 S=$TMP/$1.summary
	t0=$(now_ms)
	python3 "$REPO/tests/checker/dnsload.py" --server "127.0.0.1:${FC_PORT[L]}" \
		--names "$TMP/load.names" --window 500 --rate "$rate" --timeout 5 \
		--short-ttl "$SHORT_TTL" --summary "$S" >"$TMP/$name.out" 2>&1
	[ -s "$S" ] || bail "dnsload.py finished ($name)" "a summary" "$(cat "$TMP/$name.out")"
	echo "# $name: $N_Q queries in $(($(now_ms) - t0)) ms: $(sumv "$S" verdicts) verdicts, $(sumv "$S" deadline) deadline answers, slowest $(sumv "$S" max_ms) ms"
	sed -n 's/^example=/# wrong: /p' "$S"
	check_eq "$name: $N_Q distinct addresses sent" "$N_Q" "$(sumv "$S" sent)"
	check_eq "$name: every query answered (none lost in 5 s)" "$N_Q answered, 0 lost" \
		"$(sumv "$S" answered) answered, $(sumv "$S" lost) lost"
	check_eq "$name: every reply is its address's verdict or the deadline answer (NXDOMAIN, SOA TTL $SHORT_TTL)" 0 "$(sumv "$S" wrong)"
	check_ge "$name: verdicts where checks finished in time (some)" "$(sumv "$S" verdicts)" 1
	check_le "$name: slowest reply within --wait-ms $L_WAIT + 1200 ms" "$(sumv "$S" max_ms)" $((L_WAIT + 1200))
}
# 1a: a flood: the queue overflows at once (queue_full answers)
load_pass load-flood 0
ST=$(checker_stats L)
check_ge "load-flood: a full queue is answered at once and counted (queue_full)" "$(field "$ST" queue_full)" 1
check_eq "load-flood: no verdict's IPC_DONE dropped (done_dropped)" 0 "$(field "$ST" done_dropped)"
echo "# load-flood: queue_full=$(field "$ST" queue_full) hints_dropped=$(field "$ST" hints_dropped)"
# 1b: the same addresses again, paced: the checks run
load_pass load-paced 1000
S=$TMP/load-paced.summary

# the silent addresses end at --check-timeout-ms; then the checker idles
idle() { local s; s=$(checker_stats L) && [ "$(field "$s" running)" = 0 ] && [ "$(field "$s" queued)" = 0 ] &&
	[ "$(ctl L show 198.18.200.1 | awk '{ print $1; exit }')" = TEMPERROR ]; }
check_true "load: the checker is idle afterwards" "running=0 queued=0" "busy" wait_for 10 idle
ST=$(checker_stats L)
echo "# ${ST#*checker: }"
check_le "load: max_running <= --max-inflight $L_INFLIGHT" "$(field "$ST" max_running)" "$L_INFLIGHT"
check_ge "load: the window was used (max_running >= 2)" "$(field "$ST" max_running)" 2
check_le "load: max_lookups <= max-inflight x (1 + max-names) = $L_WINDOW" "$(field "$ST" max_lookups)" "$L_WINDOW"
check_eq "load: lookup_window reported as $L_WINDOW" "$L_WINDOW" "$(field "$ST" lookup_window)"
check_le "load: max_queued <= --max-queue $L_QUEUE" "$(field "$ST" max_queued)" "$L_QUEUE"
check_ge "load: silent server: checks ended at --check-timeout-ms (timeouts)" "$(field "$ST" timeouts)" 1
check_eq "load: idle: outstanding lookups are exactly the cancelled ones still held" \
	"$(field "$ST" held)" "$(field "$ST" lookups)"
check_ge "load: cancelled lookups stay counted (held)" "$(field "$ST" held)" 1
check_eq "load: no store errors, no verdict's IPC_DONE dropped" "0 0" "$(field "$ST" store_errors) $(field "$ST" done_dropped)"
w=$(for i in 1 2 3 4; do ctl L show "198.18.200.$i" | awk '{ print $1; exit }'; done | sort | uniq -c | awk '{ printf "%s%s x%s", n++ ? ", " : "", $2, $1 }')
check_re "load: the silent server's addresses are stored as TEMPERROR (never a listing)" "(NONE x[1-3], )?TEMPERROR x[1-4]" "$w"

# Every stored verdict is the right one.
ctl L dump >"$TMP/load.dump" 2>"$TMP/load.dump.err"
check_eq "load: fcrdnsctl dump exits 0" 0 "$?"
bad=$(awk 'NR == FNR { want[$1] = $2; next }
	($1 in want) && $2 != want[$1] { n++; if (n <= 3) print "# " $1 " stored " $2 " want " want[$1] }
	END { print n + 0 }' "$TMP/load.expect" "$TMP/load.dump")
stored=$(awk 'NR == FNR { want[$1] = 1; next } ($1 in want) { n++ } END { print n + 0 }' "$TMP/load.expect" "$TMP/load.dump")
sed -n '/^#/p' <<<"$bad"
echo "# load: $stored load addresses stored"
check_eq "load: every stored verdict is the address's verdict ($stored stored)" 0 "$(tail -n1 <<<"$bad")"
check_ge "load: stored verdicts >= verdict answers" "$stored" "$(sumv "$S" verdicts)"

# Memory: RssAnon after the load, against the idle figure. The bound:
# libunbound's caches are 8 + 16 MB (checker/resolve.c); 64 MB each
# leaves room for ASan's shadow and quarantine (16 MB here) and would
# still catch per-query or per-address growth (10,000 of them).
rss_srv1=$(rss "${FC_PID[L]}") rss_chk1=$(rss "$L_CHK")
echo "# RssAnon kB: server $rss_srv0 -> $rss_srv1, checker $rss_chk0 -> $rss_chk1"
check_le "load: server RssAnon grew at most 64 MB (kB)" $((rss_srv1 - rss_srv0)) 65536
check_le "load: checker RssAnon grew at most 64 MB (kB)" $((rss_chk1 - rss_chk0)) 65536
check_eq "load: the checker is the same process (no restart)" "$L_CHK" "$(checker_pid L)"

# ===========================================================================
# 2. SIGKILL the checker during a burst of writes, 20 times.
# fcrdnsd restarts its checker after 200 ms, doubling while it keeps dying
# within 30 s (server/link.c, RESTART_MIN_MS..RESTART_MAX_MS): 20 kills in
# one run would wait ~150 s, so fcrdnsd is restarted (SIGTERM, same store)
# after every KILLS_PER_RUN kills.
KILLS=20 KILLS_PER_RUN=4
# cached addresses: one listed, one PASS
CACHED_L=$(awk '$2 == "NO_PTR" { print $1; exit }' "$TMP/load.dump")
CACHED_P=$(awk '$2 == "PASS" { print $1; exit }' "$TMP/load.dump")
[ -n "$CACHED_L" ] && [ -n "$CACHED_P" ] || bail "load stored a NO_PTR and a PASS" "both" "none"
Q_L=$(qn "$CACHED_L") Q_P=$(qn "$CACHED_P")
split -l $((N_BURST / (KILLS / KILLS_PER_RUN))) -d "$TMP/burst.names" "$TMP/burst."
# definitive "IP VERDICT" pairs of a dump
defpairs() { awk '$2 ~ /^(PASS|NO_PTR|NO_FORWARD|MISMATCH)$/ { print $1, $2 }' "$1" | sort; }
k=0 run=0
kill_fail=0
while [ "$k" -lt "$KILLS" ]; do
	if [ "$run" -gt 0 ]; then
		fc_start L "fcrdnsd-L$run.log" || bail "fcrdnsd (load) restarts on its store (run $run)" "the apex SOA" "no answer"
	fi
	BF=$(printf '%s/burst.%02d' "$TMP" "$run")
	start_bg burst "$TMP/burst$run.out" python3 "$REPO/tests/checker/dnsload.py" \
		--server "127.0.0.1:${FC_PORT[L]}" --names "$BF" --window 100 --rate 150 \
		--timeout 5 --short-ttl "$SHORT_TTL" --summary "$TMP/burst$run.summary"
	BURST_PID=$BG_PID
	prev=$(ctl L dump 2>/dev/null | wc -l)
	for ((j = 0; j < KILLS_PER_RUN; j++)); do
		k=$((k + 1))
		grown() { [ "$(ctl L dump 2>/dev/null | wc -l)" -gt "$prev" ]; }
		wait_for 10 has_checker L && wait_for 10 grown ||
			not_ok "kill $k: the checker writes new verdicts before the kill" "a growing store" "$prev records"
		sleep "0.$((RANDOM % 3))"
		ctl L dump >"$TMP/snap.$k" 2>&1 || not_ok "kill $k: dump before" "exit 0" "$?"
		old=$(checker_pid L)
		kill -KILL "$old"
		t0=$(now_ms)
		wait_for 2 dead "$old"
		# the restart window: the store opens clean, cached answers come
		dump_rc=0 stat_rc=0
		ctl L dump >"$TMP/after.$k" 2>&1 || dump_rc=$?
		mdb_stat -a "${FC_DB[L]}" >"$TMP/mdbstat.$k" 2>&1 || stat_rc=$?
		asked=0 bad=0
		newchk() { local c; c=$(checker_pid L); [ -n "$c" ] && [ "$c" != "$old" ]; }
		while :; do
			dnsq "${FC_PORT[L]}" "$Q_L" A
			asked=$((asked + 1))
			[ "$R_STATUS $(rdata "$R_ANSWER" A)" = "NOERROR 127.0.0.2" ] && [ "$R_MS" -le 500 ] ||
				{ bad=$((bad + 1)); echo "# kill $k: $CACHED_L: $R_STATUS $(rdata "$R_ANSWER" A) in $R_MS ms"; }
			dnsq "${FC_PORT[L]}" "$Q_P" A
			asked=$((asked + 1))
			[ "$R_STATUS" = NXDOMAIN ] && [ "$(ttls "$R_AUTH" SOA)" != "$SHORT_TTL" ] && [ "$R_MS" -le 500 ] ||
				{ bad=$((bad + 1)); echo "# kill $k: $CACHED_P: $R_STATUS SOA TTL $(ttls "$R_AUTH" SOA) in $R_MS ms"; }
			newchk && break
			[ $(($(now_ms) - t0)) -gt 15000 ] && break
		done
		win=$(($(now_ms) - t0))
		check_eq "kill $k: fcrdnsctl dump opens the store after SIGKILL" 0 "$dump_rc"
		check_eq "kill $k: mdb_stat -a reads the store" 0 "$stat_rc"
		lost=$(comm -23 <(defpairs "$TMP/snap.$k") <(defpairs "$TMP/after.$k") | wc -l)
		check_eq "kill $k: every verdict of the dump before the kill is still stored ($(defpairs "$TMP/snap.$k" | wc -l))" 0 "$lost"
		# The checker logs "check IP VERDICT ..." after the commit
		# (checker_flush_cb): every one the killed checker logged is
		# stored, up to the instant of the kill.
		grep -h "^fcrdnsd-checker\[$old\]: check " "${FC_LOG[L]}" |
			awk '$4 ~ /^(PASS|NO_PTR|NO_FORWARD|MISMATCH)$/ { print $3, $4 }' | sort -u >"$TMP/logged.$k"
		check_eq "kill $k: every verdict the killed checker logged as committed ($(wc -l <"$TMP/logged.$k")) is stored" 0 \
			"$(comm -23 "$TMP/logged.$k" <(defpairs "$TMP/after.$k") | wc -l)"
		check_eq "kill $k: $asked cached answers during the ${win} ms restart window right and at once" 0 "$bad"
		check_true "kill $k: a new checker runs" "a new child" "none" newchk
		prev=$(wc -l <"$TMP/after.$k")
	done
	kill -TERM "$BURST_PID"
	wait_for 10 test -s "$TMP/burst$run.summary"
	forget "$BURST_PID"
	S=$TMP/burst$run.summary
	sed -n 's/^example=/# wrong: /p' "$S"
	check_eq "kill run $run: burst of new addresses: all answered, none wrong" "0 lost, 0 wrong" \
		"$(sumv "$S" lost) lost, $(sumv "$S" wrong) wrong"
	echo "# kill run $run: burst sent $(sumv "$S" sent), $(sumv "$S" verdicts) verdicts, $(sumv "$S" deadline) deadline answers"
	fc_stop L
	check_eq "kill run $run: fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
	run=$((run + 1))
done
# the store after all of it: complete and consistent
ctl L dump >"$TMP/final.dump" 2>&1
check_eq "after $KILLS kills: dump exits 0" 0 "$?"
check_eq "after $KILLS kills: no verdict of any snapshot lost" 0 \
	"$(cat "$TMP"/snap.* | awk '$2 ~ /^(PASS|NO_PTR|NO_FORWARD|MISMATCH)$/ { print $1, $2 }' | sort -u |
		comm -23 - <(defpairs "$TMP/final.dump") | wc -l)"
bad=$(awk 'NR == FNR { want[$1] = $2; next } ($1 in want) && $2 != want[$1] && $2 != "TEMPERROR" { n++ } END { print n + 0 }' \
	"$TMP/load.expect" "$TMP/final.dump")
check_eq "after $KILLS kills: every stored verdict is the address's verdict" 0 "$bad"
mdb_ok() { mdb_stat -a "$1" >/dev/null 2>&1; }
check_true "after $KILLS kills: mdb_stat -a reads the store" "exit 0" "failure" mdb_ok "${FC_DB[L]}"

echo "# $((($(now_ms) - T_START) / 1000)) s so far"

# ===========================================================================
# 3-6. Short clocks. Instance T: lifetimes 3 s, back-off 2 s doubling to
# 4 s, grace 8 s, interest 6 s; its zones are on NSD2 (TTL 1), which is
# down at first. Instance P (part 4, prefetch): lifetimes of 20 s, run in
# the background meanwhile.
T_BMIN=2 T_BMAX=4 T_TTL=3 T_GRACE=8 T_INTEREST=6 T_TIMEOUT=1500
fc_define T --stub "0.19.198.in-addr.arpa=$NSD2" --stub "t.example.net=$NSD2" \
	--ttl-min "$T_TTL" --ttl-max "$T_TTL" --backoff-min "$T_BMIN" --backoff-max "$T_BMAX" \
	--grace "$T_GRACE" --interest "$T_INTEREST" --check-timeout-ms "$T_TIMEOUT"
P_TTL=20
fc_define P --stub "1.19.198.in-addr.arpa=$NSD" --ttl-min "$P_TTL" --ttl-max "$P_TTL"
fc_start T fcrdnsd-T.log || bail "fcrdnsd (short clock) starts" "the apex SOA" "no answer"
fc_start P fcrdnsd-P.log || bail "fcrdnsd (prefetch) starts" "the apex SOA" "no answer"
ok "fcrdnsd (short clocks) runs: --ttl-min/max $T_TTL --backoff-min $T_BMIN --backoff-max $T_BMAX --grace $T_GRACE --interest $T_INTEREST --check-timeout-ms $T_TIMEOUT"
tctl() { ctl T --grace "$T_GRACE" "$@"; }
tshow() { tctl show "$1" 2>&1 | head -n1; }
tq() { dnsq "${FC_PORT[T]}" "$(qn "$1")" A; }
# tans IP: ask T; ANS is the answer on one line ("NOERROR 127.0.0.2 ttl=3",
# "NXDOMAIN soa=10"), R_* as dnsq sets them (no subshell: R_MS is used)
declare -A QN
tq() {
	[ -n "${QN[$1]:-}" ] || QN[$1]=$(qn "$1")
	dnsq "${FC_PORT[T]}" "${QN[$1]}" A
}
tans() {
	tq "$1"
	if [ "$R_STATUS" = NOERROR ]; then
		ANS="NOERROR $(rdata "$R_ANSWER" A) ttl=$(ttls "$R_ANSWER" A)"
	else
		ANS="$R_STATUS soa=$(ttls "$R_AUTH" SOA)"
	fi
}

# --- 4 (started here). Prefetch: 198.19.1.1 has no PTR -> NO_PTR for 20 s.
PF=198.19.1.1
dnsq "${FC_PORT[P]}" "$(qn "$PF")" A
check_eq "prefetch: $PF listed (NO_PTR)" "NOERROR 127.0.0.2" "$R_STATUS $(rdata "$R_ANSWER" A)"
pf_checked=$(epoch "$(field "$(ctl P show "$PF")" checked)")
pf_expires=$(epoch "$(field "$(ctl P show "$PF")" expires)")
check_eq "prefetch: lifetime is --ttl-min/--ttl-max $P_TTL" "$P_TTL" $((pf_expires - pf_checked))
ST=$(checker_stats P)
pf_checks0=$(field "$ST" checks)
pf_miss0=$(ctl_stat P cache_misses_total) pf_waits0=$(ctl_stat P waits_total)
# the busy address: asked every 250 ms until 6 s past the first expiry
PF_Q=$(qn "$PF")
busy() {
	local end=$1 out t0 ms
	while [ "$(date +%s)" -lt "$end" ]; do
		t0=$(date +%s%3N)
		out=$(dig "${DIG_OPTS[@]}" -p "${FC_PORT[P]}" @127.0.0.1 "$PF_Q" A 2>&1)
		ms=$(($(date +%s%3N) - t0))
		awk -v t="${t0%???}" -v ms="$ms" '/status:/ { sub(/,.*/, "", $6); st = $6 }
			$4 == "A" && $1 !~ /^;/ { a = $5; ttl = $2 }
			END { print t, ms, st, a, ttl }' <<<"$out"
		sleep 0.25
	done >"$TMP/busy.out"
}
start_bg busy "$TMP/busy.err" busy $((pf_expires + 6))
BUSY_PID=$BG_PID

# --- 3. The first check fails: upstream (NSD2) is down.
A1=198.19.0.1
tans "$A1"
check_eq "temperror: first query for $A1, upstream down: NXDOMAIN, short TTL" "NXDOMAIN soa=$SHORT_TTL" "$ANS"
check_eq "temperror: no answer record" "" "$R_ANSWER"
is_temp() { [[ $(tshow "$A1") == "TEMPERROR $A1 state=backoff "* ]]; }
check_true "temperror: fcrdnsctl show says TEMPERROR state=backoff" "TEMPERROR $A1 state=backoff" "$(tshow "$A1")" wait_for 6 is_temp
line=$(tshow "$A1")
check_eq "temperror: first failure: fails=1, back-off --backoff-min ${T_BMIN}s" "1 ${T_BMIN}s" "$(field "$line" fails) $(field "$line" backoff)"
retry_in=$(($(epoch "$(field "$line" retry)") - $(epoch "$(field "$line" checked)")))
check_eq "temperror: retry= is checked= + the back-off" "$T_BMIN" "$retry_in"
ST=$(checker_stats T)
c0=$(field "$ST" checks) r0=$(field "$ST" retries)
for i in 1 2 3; do
	tans "$A1"; a=$ANS
	check_eq "temperror: query $i during back-off: NXDOMAIN short TTL" "NXDOMAIN soa=$SHORT_TTL" "$a"
	check_le "temperror: query $i during back-off answered at once (ms)" "$R_MS" 300
done
# the timer retries (and fails): the back-off doubles to --backoff-max,
# the address being asked for (--interest) meanwhile
doubled() { tq "$A1"; [ "$(field "$(tshow "$A1")" backoff)" = "${T_BMAX}s" ]; }
check_true "temperror: retries double the back-off to --backoff-max ${T_BMAX}s" "backoff=${T_BMAX}s" "$(tshow "$A1")" \
	wait_for 12 doubled
ST=$(checker_stats T)
c1=$(field "$ST" checks) r1=$(field "$ST" retries)
check_ge "temperror: the checker retried on its timer" $((r1 - r0)) 1
check_eq "temperror: queries during back-off start no check (checks - retries unchanged)" $((c0 - r0)) $((c1 - r1))
check_eq "temperror: all of them failed (TEMPERROR, never a listing)" "NXDOMAIN" "$R_STATUS"

# --- 3/6. Upstream returns: the verdict appears within the back-off step.
start_nsd2 || bail "NSD2 starts on $NSD2" "NOERROR" "no answer"
t_up=$(now_ms)
listed1() { tans "$A1"; [ "${ANS% *}" = "NOERROR 127.0.0.4" ]; }
if wait_for 60 listed1; then
	dt=$(($(now_ms) - t_up))
	echo "# upstream back: $A1 listed after $dt ms"
	check_le "temperror: upstream back: the verdict (MISMATCH 127.0.0.4) is served within the back-off step (${T_BMAX} s + check + tick, ms)" \
		"$dt" $((T_BMAX * 1000 + T_TIMEOUT + 1500))
	ok "libunbound recovery: upstream back after a failure: verdict within a minute ($dt ms)"
else
	not_ok "temperror: upstream back: the verdict appears within 60 s" "NOERROR 127.0.0.4" "$ANS; $(tshow "$A1")"
fi
line=$(tshow "$A1")
check_eq "temperror: the back-off ended (fresh MISMATCH, retry cleared)" "MISMATCH fresh" "${line%% *} $(field "$line" state)"


# --- 3. Serve-stale within grace, then the short TTL past it.
# S (NO_PTR, a listing) and P3 (PASS) are checked with NSD2 up; W4
# (MISMATCH) too, and is never asked again (part 5).
S=198.19.0.2 P3=198.19.0.3 W4=198.19.0.4
tans "$S"; a=$ANS
check_re "stale: $S checked with upstream up: NO_PTR listed, TTL <= lifetime $T_TTL" "NOERROR 127\.0\.0\.2 ttl=[1-$T_TTL]" "$a"
tans "$P3"; a=$ANS
check_re "stale: $P3 checked with upstream up: PASS (NXDOMAIN, SOA TTL <= $T_TTL)" "NXDOMAIN soa=[1-$T_TTL]" "$a"
tans "$W4"; a=$ANS
check_re "sweep: $W4 checked: MISMATCH listed" "NOERROR 127\.0\.0\.4 ttl=[1-$T_TTL]" "$a"
s_exp=$(epoch "$(field "$(tshow "$S")" expires)")
p_exp=$(epoch "$(field "$(tshow "$P3")" expires)")
w_exp=$(epoch "$(field "$(tshow "$W4")" expires)")
w_checked=$(epoch "$(field "$(tshow "$W4")" checked)")
stop_nsd2
ok "upstream (NSD2) stopped"
# sleep_until EPOCH: sleep until the wall clock reaches EPOCH (+ 0.2 s)
sleep_until() {
	local ms=$(($1 * 1000 + 200 - $(now_ms)))
	[ "$ms" -gt 0 ] && sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	return 0
}
sleep_until $((s_exp > p_exp ? s_exp : p_exp))
tans "$S"; a=$ANS
check_eq "stale: $S expired, upstream down: still listed, TTL 30 (RFC 8767)" "NOERROR 127.0.0.2 ttl=30" "$a"
check_le "stale: answered at once (ms)" "$R_MS" 300
tans "$P3"; a=$ANS
check_eq "stale: $P3 PASS expired, upstream down: NXDOMAIN, SOA TTL 30" "NXDOMAIN soa=30" "$a"
# the re-check (a refresh) fails: back-off, the definitive verdict kept
stale_tf() { tq "$S"; tq "$P3"; local l; l=$(tshow "$S"); [[ $l == "NO_PTR $S state=stale "* ]] && [ "$(field "$l" last)" = TEMPERROR ]; }
check_true "stale: the re-check failed: show says NO_PTR state=stale last=TEMPERROR" "last=TEMPERROR" "$(tshow "$S")" \
	wait_for 6 stale_tf
line=$(tshow "$S")
check_re "stale: the failed re-check is in back-off (fails=1, retry set)" "1 ${T_BMIN}s [0-9T:Z-]+" \
	"$(field "$line" fails) $(field "$line" backoff) $(field "$line" retry)"
# every second until one second before grace ends: still served stale
n=0 bad=0
while [ "$(date +%s)" -lt $((s_exp + T_GRACE - 1)) ]; do
	tans "$S"; a=$ANS; [ "$a" = "NOERROR 127.0.0.2 ttl=30" ] && [ "$R_MS" -le 300 ] || { bad=$((bad + 1)); echo "# $S: $a ${R_MS} ms"; }
	tans "$P3"; a=$ANS; [ "$a" = "NXDOMAIN soa=30" ] && [ "$R_MS" -le 300 ] || { bad=$((bad + 1)); echo "# $P3: $a ${R_MS} ms"; }
	n=$((n + 2))
	sleep 0.5
done
check_eq "stale: $n answers within --grace $T_GRACE s: stale listing / stale PASS, at once" 0 "$bad"
check_true "sweep: $W4 (expired, unused) still stored before --grace ends" "stored" "gone" \
	eval "tctl dump | grep -q '^$W4 '"
sleep_until $((s_exp + T_GRACE))
tans "$S"; a=$ANS
check_eq "grace over: $S: NXDOMAIN with the short TTL (no listing)" "NXDOMAIN soa=$SHORT_TTL" "$a"
sleep_until $((p_exp + T_GRACE))
tans "$P3"; a=$ANS
check_eq "grace over: $P3: NXDOMAIN with the short TTL" "NXDOMAIN soa=$SHORT_TTL" "$a"
t_last=$(date +%s)
check_eq "grace over: show says TEMPERROR state=backoff" "TEMPERROR backoff" \
	"$(tshow "$S" | awk '{ print $1 }') $(field "$(tshow "$S")" state)"

# --- 5. Sweep: W4 expired at w_exp, unused; sweepable after w_exp + grace,
# swept at the next sweep (every max(5, grace / 2) s, checker/checker.c).
gone_w4() { ! tctl dump | grep -q "^$W4 "; }
if wait_for 12 gone_w4; then
	dt=$(($(date +%s) - w_exp - T_GRACE))
	check_le "sweep: $W4 removed within one sweep period (5 s) of becoming sweepable at expiry + --grace + 1 (s past expiry + grace)" "$dt" 7
	check_ge "sweep: $W4 not removed before expiry + --grace (s)" "$dt" 1
else
	not_ok "sweep: $W4 removed after --grace" "gone from dump" "$(tctl dump | grep "^$W4 ")"
fi
ST=$(checker_stats T)
check_ge "sweep: counted (swept)" "$(field "$ST" swept)" 1
check_true "sweep: $S and $P3, still in back-off, are not swept" "both stored" "$(tctl dump | wc -l) records" \
	eval "tctl dump | grep -q '^$S ' && tctl dump | grep -q '^$P3 '"

# --- 3. Retrying stops when nobody asked within --interest.
stopped() { [ "$(field "$(tshow "$S")" retry)" = - ] && [ "$(field "$(tshow "$P3")" retry)" = - ]; }
if wait_for $((T_INTEREST + T_BMAX + 4)) stopped; then
	dt=$(($(date +%s) - t_last))
	check_le "interest: retries of $S and $P3 stopped within --interest + --backoff-max + 2 s of the last query (s)" "$dt" \
		$((T_INTEREST + T_BMAX + 2))
	check_ge "interest: not before --interest (s)" "$dt" "$T_INTEREST"
else
	not_ok "interest: retries stop" "retry=-" "$(tshow "$S")"
fi
ST=$(checker_stats T)
# stopped by the timer (retry_stopped) or, when the last retry was already
# running, by that retry's own record (checker/record.c)
echo "# interest: retry_stopped=$(field "$ST" retry_stopped)"
check_eq "interest: nothing waits for a retry (retry_wait)" 0 "$(field "$ST" retry_wait)"
c2=$(field "$ST" checks)
sleep $((T_BMAX + 1))
check_eq "interest: no more checks after the stop ($((T_BMAX + 1)) s)" "$c2" "$(field "$(checker_stats T)" checks)"

# --- 6. libunbound recovery after a long outage (every lookup to NSD2
# failed for ~20 s): a new address is checked within a minute of the
# return (infra-keep-probing, infra-host-ttl 60 in checker/resolve.c).
R5=198.19.0.5
start_nsd2 || bail "NSD2 restarts on $NSD2" "NOERROR" "no answer"
t_up=$(now_ms)
pass5() { tq "$R5"; [ "$R_STATUS" = NXDOMAIN ] && [ "$(ttls "$R_AUTH" SOA)" != "$SHORT_TTL" ]; }
if wait_for 60 pass5; then
	dt=$(($(now_ms) - t_up))
	echo "# upstream back after a long outage: $R5 PASS after $dt ms"
	check_le "libunbound recovery: after a long outage, a new address gets its verdict within a minute (ms)" "$dt" 60000
	check_eq "libunbound recovery: $R5 stored as PASS" PASS "$(tshow "$R5" | awk '{ print $1 }')"
else
	not_ok "libunbound recovery: $R5 PASS within 60 s of upstream's return" "PASS" "$(tshow "$R5")"
fi

# --- 4. Prefetch: the busy loop has run from the first check to 6 s past
# the first expiry.
wait "$BUSY_PID"
forget "$BUSY_PID"
n=$(wc -l <"$TMP/busy.out")
check_ge "prefetch: the busy address was asked every 250 ms through its expiry ($n queries)" "$n" $((2 * (P_TTL + 4)))
bad=$(awk -v t="$P_TTL" '!($3 == "NOERROR" && $4 == "127.0.0.2" && $5 >= 1 && $5 <= t && $2 <= 1000) { n++; if (n <= 3) print "# " $0 } END { print n + 0 }' "$TMP/busy.out")
sed -n '/^#/p' <<<"$bad"
check_eq "prefetch: every answer the fresh listing (TTL 1..$P_TTL), within 1 s: never a miss, never stale" 0 "$(tail -n1 <<<"$bad")"
ST=$(checker_stats P)
check_eq "prefetch: exactly one re-check (checker checks)" 1 $(($(field "$ST" checks) - pf_checks0))
check_eq "prefetch: exactly one IPC_REFRESH sent (server refreshes_total)" 1 "$(ctl_stat P refreshes_total)"
check_eq "prefetch: no query waited (cache_misses_total, waits_total unchanged)" "$pf_miss0 $pf_waits0" \
	"$(ctl_stat P cache_misses_total) $(ctl_stat P waits_total)"
check_eq "prefetch: no stale answer" 0 "$(ctl_stat P stale_answers_total)"
line=$(ctl P show "$PF")
c=$(epoch "$(field "$line" checked)")
check_range "prefetch: checked= moved to the last tenth of the first lifetime (s after the first check)" \
	$((P_TTL - P_TTL / 10 - 1)) "$P_TTL" $((c - pf_checked))
check_eq "prefetch: the re-check stored NO_PTR with a new lifetime of $P_TTL s" "NO_PTR $P_TTL" \
	"${line%% *} $(($(epoch "$(field "$line" expires)") - c))"

# ---------------------------------------------------------------------------
for t in T P; do
	fc_stop "$t"
	check_eq "fcrdnsd ($t) exits 0 on SIGTERM" 0 "$STOP_STATUS"
done
stop_all
reports=$(cat "$TMP"/asan* "$TMP"/ubsan* 2>/dev/null; grep -h -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP"/fcrdnsd*.log 2>/dev/null)
check_eq "no sanitizer reports" "" "$(head -n 3 <<<"$reports")"
exit 0
