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
	if [ "$rc" != 0 ] || [ "$FAILED" -gt 0 ]; then
		local f
		for f in "${LOGS[@]}" "$TMP"/asan* "$TMP"/ubsan*; do
			[ -s "$f" ] || continue
			echo "# ---- tail of $f"
			tail -n 15 "$f" | sed 's/^/# /'
		done
		echo "# logs kept in $TMP"
	elif [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TMP"
	else
		echo "# logs kept in $TMP"
	fi
	[ "$rc" = 0 ] || [ -n "${BAILED:-}" ] ||
		not_ok "run finished" "exit 0" "interrupted or died ($rc)"
	echo "# $((($(now_ms) - T_START) / 1000)) s"
	tap_summary
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM

bail() {
	not_ok "$1" "${2:-success}" "${3:-failure}"
	BAILED=1
	exit 1
}

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
start_nsd2() {
	start_bg nsd2 "$TMP/nsd2.out" nsd -d -c "$TMP/nsd2.conf"
	NSD2_PID=$BG_PID
	wait_for 10 nsd_up "$NSD2_PORT" t.example.net
}
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
t0=$(now_ms)
python3 "$REPO/tests/checker/dnsload.py" --server "127.0.0.1:${FC_PORT[L]}" \
	--names "$TMP/load.names" --window 500 --timeout 5 --short-ttl "$SHORT_TTL" \
	--summary "$TMP/load.summary" >"$TMP/load.out" 2>&1
echo "# load: $N_Q queries in $(($(now_ms) - t0)) ms"
sumv() { sed -n "s/^$2=//p" "$1" | head -n1; }
S=$TMP/load.summary
[ -s "$S" ] || bail "dnsload.py finished" "a summary" "$(cat "$TMP/load.out")"
sed -n 's/^example=/# wrong: /p' "$S"
check_eq "load: $N_Q distinct addresses sent" "$N_Q" "$(sumv "$S" sent)"
check_eq "load: every query answered (none lost in 5 s)" "$N_Q answered, 0 lost" \
	"$(sumv "$S" answered) answered, $(sumv "$S" lost) lost"
check_eq "load: every reply is its address's verdict or the deadline answer (NXDOMAIN, SOA TTL $SHORT_TTL)" 0 "$(sumv "$S" wrong)"
echo "# load: $(sumv "$S" verdicts) verdicts, $(sumv "$S" deadline) deadline answers, slowest $(sumv "$S" max_ms) ms"
check_ge "load: verdicts where checks finished in time (some)" "$(sumv "$S" verdicts)" 1
check_le "load: slowest reply within --wait-ms $L_WAIT + 1200 ms" "$(sumv "$S" max_ms)" $((L_WAIT + 1200))

# the silent addresses end at --check-timeout-ms; then the checker idles
idle() { local s; s=$(checker_stats L) && [ "$(field "$s" running)" = 0 ] && [ "$(field "$s" queued)" = 0 ] &&
	[ "$(ctl L show 198.18.200.4 | awk '{ print $1; exit }')" = TEMPERROR ]; }
check_true "load: the checker is idle afterwards" "running=0 queued=0" "busy" wait_for 10 idle
ST=$(checker_stats L)
echo "# ${ST#*checker: }"
check_le "load: max_running <= --max-inflight $L_INFLIGHT" "$(field "$ST" max_running)" "$L_INFLIGHT"
check_ge "load: the window was used (max_running >= 2)" "$(field "$ST" max_running)" 2
check_le "load: max_lookups <= max-inflight x (1 + max-names) = $L_WINDOW" "$(field "$ST" max_lookups)" "$L_WINDOW"
check_eq "load: lookup_window reported as $L_WINDOW" "$L_WINDOW" "$(field "$ST" lookup_window)"
check_le "load: max_queued <= --max-queue $L_QUEUE" "$(field "$ST" max_queued)" "$L_QUEUE"
check_ge "load: a full queue answered at once and counted (queue_full)" "$(field "$ST" queue_full)" 1
check_ge "load: silent server: checks ended at --check-timeout-ms (timeouts)" "$(field "$ST" timeouts)" 1
check_eq "load: idle: outstanding lookups are exactly the cancelled ones still held" \
	"$(field "$ST" held)" "$(field "$ST" lookups)"
check_ge "load: cancelled lookups stay counted (held)" "$(field "$ST" held)" 1
check_eq "load: no store errors, no dropped IPC" "0 0" "$(field "$ST" store_errors) $(field "$ST" done_dropped)"
for i in 1 2 3 4; do
	w=$(ctl L show "198.18.200.$i" | awk '{ print $1; exit }')
	[ "$w" = TEMPERROR ] || not_ok "load: silent 198.18.200.$i is TEMPERROR" TEMPERROR "$w"
done
ok "load: the silent addresses are stored as TEMPERROR"

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
		--server "127.0.0.1:${FC_PORT[L]}" --names "$BF" --window 100 --rate 250 \
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
		# the restart window: the store opens clean, cached answers come
		dump_rc=0 stat_rc=0
		ctl L dump >"$TMP/after.$k" 2>&1 || dump_rc=$?
		mdb_stat -a "${FC_DB[L]}" >"$TMP/mdbstat.$k" 2>&1 || stat_rc=$?
		asked=0 bad=0
		newchk() { local c; c=$(checker_pid L); [ -n "$c" ] && [ "$c" != "$old" ]; }
		while :; do
			dnsq "${FC_PORT[L]}" "$(qn "$CACHED_L")" A
			asked=$((asked + 1))
			[ "$R_STATUS $(rdata "$R_ANSWER" A)" = "NOERROR 127.0.0.2" ] && [ "$R_MS" -le 500 ] || bad=$((bad + 1))
			dnsq "${FC_PORT[L]}" "$(qn "$CACHED_P")" A
			asked=$((asked + 1))
			[ "$R_STATUS" = NXDOMAIN ] && [ "$(ttls "$R_AUTH" SOA)" != "$SHORT_TTL" ] && [ "$R_MS" -le 500 ] || bad=$((bad + 1))
			newchk && break
			[ $(($(now_ms) - t0)) -gt 15000 ] && break
		done
		win=$(($(now_ms) - t0))
		check_eq "kill $k: fcrdnsctl dump opens the store after SIGKILL" 0 "$dump_rc"
		check_eq "kill $k: mdb_stat -a reads the store" 0 "$stat_rc"
		lost=$(comm -23 <(defpairs "$TMP/snap.$k") <(defpairs "$TMP/after.$k") | wc -l)
		check_eq "kill $k: every verdict committed before the kill is still stored ($(defpairs "$TMP/snap.$k" | wc -l))" 0 "$lost"
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
check_true "after $KILLS kills: mdb_stat -a reads the store" "exit 0" "failure" mdb_stat -a "${FC_DB[L]}"

echo "# $((($(now_ms) - T_START) / 1000)) s so far"
