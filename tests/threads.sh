#!/bin/bash
# tests/threads.sh BUILD_DIR TSAN_BUILD_DIR -- the answer server's threads
# under ThreadSanitizer: UDP threads parking queries in the shared wait
# table, the main thread answering them when checks finish, TCP, the
# control socket, a checker restart and the store's map growing under the
# readers, all at once.
#
#   bash tests/threads.sh build/asan build/tsan
#
# TSAN_BUILD_DIR/fcrdnsd is the daemon built with -fsanitize=thread
# (`make build/tsan/fcrdnsd`); fcrdnsctl comes from BUILD_DIR. Before the
# start, build/bench/fill_store fills the store's 64 MiB map (LMDB's
# recorded size) to within 2 MB with 340,000 verdicts, so that the
# checker grows the map during the load and every reading thread of the
# server meets MDB_MAP_RESIZED and remaps. Everything
# runs on 127.0.0.1 random ports: tests/faultdns.py "ptr:host.example.com."
# is both the --stub for 51.198.in-addr.arpa and the --forward, so every
# check finishes in a millisecond (NO_FORWARD) and no lookup leaves the
# machine. tests/threads_load.py sends the load (six UDP clients asking
# new and checked addresses, each query twice, and two TCP clients with
# ten pipelined queries a connection) for LOAD_S seconds; halfway through,
# the checker is killed once (SIGKILL) and the server restarts it.
#
# Asserted: no ThreadSanitizer report (data race, lock-order inversion,
# thread leak); every query answered with its own id and question; the
# server alive throughout, still answering afterwards, and exiting 0 on
# SIGTERM; its counters (fcrdnsctl stats) show parked and answered
# queries; the checker came back; the map grew and no reader failed to
# remap. A lock-order deadlock (a UDP thread holding a read transaction
# while it waits for the wait table's lock, which the main thread holds
# while it remaps) shows as "cannot remap" and unanswered queries.
#
# Output: "ok - ..." / "not ok - ...: expected X got Y", then
# "N passed, N failed"; exit 1 if anything failed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bash tests/threads.sh BUILD_DIR TSAN_BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "threads.sh: no directory $1" >&2; exit 2; }
TBUILD=$(cd "$2" 2>/dev/null && pwd) || { echo "threads.sh: no directory $2" >&2; exit 2; }

. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/procs.sh"
. "$REPO/tests/lib/dns.sh"

LOGS=()
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fcrdns-threads.XXXXXX")
ZONE=fcrdns.local
LOAD_S=${LOAD_S:-16}
T_START=$(now_ms)
FCRDNSD=$TBUILD/fcrdnsd
CTL=$BUILD/fcrdnsctl
FILL=$REPO/build/bench/fill_store

# halt_on_error=0: count every report, not just the first. The checker
# child is the same binary, so it is checked too (its own log files).
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$TMP/tsan"
export ASAN_OPTIONS=${ASAN_OPTIONS:-log_path=$TMP/asan}

finish() {
	local rc=$1
	trap - EXIT INT TERM
	stop_all
	echo "# $((($(now_ms) - T_START) / 1000)) s"
	suite_end "$rc" "$TMP"/tsan*
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM

for tool in dig python3 pgrep; do
	command -v "$tool" >/dev/null 2>&1 || bail "tool $tool is installed" "$tool in PATH" "missing"
done
[ -x "$FCRDNSD" ] || bail "$FCRDNSD is built" "an executable" "missing"
[ -x "$CTL" ] || bail "$CTL is built" "an executable" "missing"
[ -x "$FILL" ] || bail "$FILL is built" "an executable" "missing"

start_bg faultdns "$TMP/faultdns.out" python3 "$REPO/tests/faultdns.py" \
	--ports "$TMP/faultdns.ports" --log /dev/null "ptr:host.example.com."
wait_for 5 test -s "$TMP/faultdns.ports" || bail "faultdns.py starts" "a ports file" "none"
UP=127.0.0.1@$(awk '$1 == "ptr:host.example.com." { print $2 }' "$TMP/faultdns.ports")

PORT=$(free_port)
DB=$TMP/db
fill=$("$FILL" --db "$DB" --count 340000 --batch 1000 --map-mb 64 2>&1)
check_re "the store is filled to near its 64 MiB map" ".* file_bytes=6[4-6][0-9]{6} .*" "$fill"
# Small limits, so that the edges are crossed under load: the wait table
# fills (--max-waiting 64), TCP connections are refused at the cap.
start_bg fcrdnsd "$TMP/fcrdnsd.log" "$FCRDNSD" --listen "127.0.0.1@$PORT" \
	--db "$DB" --zone-file "$REPO/zones/fcrdns.local.zone" \
	--forward "$UP" --stub "51.198.in-addr.arpa=$UP" \
	--workers 4 --max-waiting 64 --tcp-max 8 --wait-ms 1000
FC=$BG_PID
fc_up() { dig +norec +tries=1 +time=1 -p "$PORT" @127.0.0.1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
checker_pid() { pgrep -P "$FC" -f -- '--checker-fd' | head -n1; }
has_checker() { [ -n "$(checker_pid)" ]; }
wait_for 60 fc_up || bail "fcrdnsd (ThreadSanitizer build) answers" "NOERROR" "nothing"
wait_for 10 has_checker || bail "fcrdnsd starts its checker" "a child" "none"
ok "fcrdnsd (ThreadSanitizer build) answers the apex SOA, 4 UDP threads"

# One check end to end before the load: the verdict the load will see.
DIG_OPTS=(+norec +tries=1 +time=3)
dnsq "$PORT" "$(revname 198.51.7.9 "$ZONE")" A
check_eq "a first query waits for its check: NO_FORWARD code" "127.0.0.3" "$(rdata "$R_ANSWER" A)"

python3 "$REPO/tests/threads_load.py" "$PORT" "$LOAD_S" >"$TMP/load.out" 2>&1 &
LOAD=$!
PROCS+=("load $LOAD")
sleep $((LOAD_S / 2))
OLD=$(checker_pid)
kill -KILL "$OLD" 2>/dev/null
newchk() { local c; c=$(checker_pid); [ -n "$c" ] && [ "$c" != "$OLD" ]; }
check_true "the checker killed mid-load comes back" "a new checker PID" "none" wait_for 15 newchk
# The control socket, from another thread of the server, during the load.
for i in 1 2 3; do "$CTL" --control "$DB/fcrdnsd.sock" stats >/dev/null 2>&1 || break; done
check_eq "fcrdnsctl stats answers during the load" 0 "$?"
wait "$LOAD"
forget "$LOAD"

line=$(tail -n1 "$TMP/load.out")
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
sent=$(field "$line" sent) answered=$(field "$line" answered)
check_re "the load ran" '^[0-9]+$' "$sent"
check_ge() { if [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ]; then ok "$1"; else not_ok "$1" ">= $3" "$(_tap_show "$2")"; fi; }
check_ge "the load sent enough queries to mean something" "${sent:-x}" 2000
check_eq "every query answered" "$sent" "$answered"
check_eq "no reply with another id or question" 0 "$(field "$line" wrong)"
check_ge "TCP queries answered" "$(field "$line" tcp)" 100

check_true "fcrdnsd is alive after the load" "alive" "gone" alive "$FC"
dnsq "$PORT" "$(revname 198.51.7.9 "$ZONE")" A
check_eq "fcrdnsd still answers from the store" "127.0.0.3" "$(rdata "$R_ANSWER" A)"
stats=$("$CTL" --control "$DB/fcrdnsd.sock" stats 2>&1)
stat() { awk -v k="$1" '$1 == k { print $2 }' <<<"$stats"; }
check_ge "queries were parked while their checks ran" "$(stat waits_total)" 100
check_ge "parked queries answered by their verdict" "$(stat wait_answers_total)" 100
check_ge "cached answers from the UDP threads" "$(stat cache_hits_total)" 1000

check_re "the checker grew the map during the load" ".*: map grown to 131072 KiB" \
	"$(grep -m1 'map grown' "$TMP/fcrdnsd.log")"
check_eq "no reader failed to remap or to read" "" \
	"$(grep -E 'cannot remap|read transaction:|map keeps being resized' "$TMP/fcrdnsd.log" | head -n3)"

stop_pid "$FC" 15
forget "$FC"
check_eq "fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
reports=$(cat "$TMP"/tsan* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer')
check_eq "no ThreadSanitizer report" 0 "$reports"
finish 0
