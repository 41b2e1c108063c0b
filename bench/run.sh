#!/bin/bash
# bench/run.sh -- the benchmark behind `make bench` (see BENCHMARKS.md and
# ../shared/spec/bench.md). Everything runs on loopback: a generated world
# served by our own NSD, fcrdnsd forwarding only to it, rbldnsd and a floor
# responder on their own ports. Only the processes started here are ever
# stopped, by PID (tests/lib/procs.sh), also on an error or ^C.
#
#   bench/run.sh [--n N] [--fill N] [--window W] [--rounds R] [--rate QPS]
#                [--hit-secs S] [--max-secs S] [--lat-secs S] [--sample K]
#                [--miss-rounds R] [--no-profile] [--quick]
#
# --quick is for iterating: 2,000 addresses, a 200,000-verdict fill, short
# runs. Results: bench/results/results.md, bench/results/results.png, and
# the raw outputs under bench/results/raw/.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
# shellcheck source=../tests/lib/procs.sh
. tests/lib/procs.sh
LOGS=()

N=100000            # world size (addresses)
FILL=10000000       # verdicts written into the large store
WINDOW=256          # miss path: queries (checks) in flight
ROUNDS=3            # hit path: A B C ... rounds
RATE=0              # hit path: fixed offered rate (0: half the slowest max)
HIT_SECS=10         # hit path: seconds per fixed-rate run
MAX_SECS=5          # hit path: seconds per max-rate run
LAT_SECS=20         # miss path: seconds of the half-rate latency run
SAMPLE=1000         # miss path: addresses re-queried and compared
MISS_ROUNDS=2       # miss path: D F D F ... rounds at the full window
PROFILE=1
SEED=5
while [ $# -gt 0 ]; do
	case $1 in
	--n) N=$2; shift ;;
	--fill) FILL=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--hit-secs) HIT_SECS=$2; shift ;;
	--max-secs) MAX_SECS=$2; shift ;;
	--lat-secs) LAT_SECS=$2; shift ;;
	--sample) SAMPLE=$2; shift ;;
	--miss-rounds) MISS_ROUNDS=$2; shift ;;
	--no-profile) PROFILE=0 ;;
	--quick) N=2000 FILL=200000 ROUNDS=2 HIT_SECS=4 MAX_SECS=3 LAT_SECS=5
		MISS_ROUNDS=1 ;;
	*) echo "run.sh: unknown flag $1" >&2; exit 2 ;;
	esac
	shift
done

B=build
BB=build/bench
OUT=bench/results
RAW=$OUT/raw
WORLD=$OUT/world
RUN=$OUT/run            # databases, configs, logs of this run
ZONE=fcrdns.local
PY="python3 bench/lib.py"
for f in $B/fcrdnsd $BB/floor $BB/ubdriver $BB/fill_store; do
	[ -x "$f" ] || { echo "run.sh: $f missing (make bench builds it)" >&2; exit 1; }
done
for t in nsd dnsperf rbldnsd gnuplot dig taskset mdb_copy; do
	command -v $t >/dev/null || { echo "run.sh: $t missing" >&2; exit 1; }
done

rm -rf "$RAW" "$RUN"
mkdir -p "$RAW" "$RUN" "$WORLD"
chmod 755 "$OUT" "$RUN" "$WORLD"       # rbldnsd reads as user rbldns
LOG=$RAW/log
# A copy of the server under test: the build tree may be rebuilt while the
# bench runs. The checker is exec()ed from the same file.
mkdir -p "$RUN/bin"
cp $B/fcrdnsd "$RUN/bin/fcrdnsd"
FCBIN=$RUN/bin/fcrdnsd
say() { echo "bench: $*" | tee -a "$LOG"; }
T_BEGIN=$(date +%s)

cleanup() {
	stop_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HAVE_WORKERS=0
$FCBIN --help 2>&1 | grep -q -- '--workers' && HAVE_WORKERS=1
W1=""
[ $HAVE_WORKERS = 1 ] && W1="--workers 1"
# Flags every fcrdnsd of the bench gets: no control socket (several
# instances run at once) where the build has one.
FCX=()
$FCBIN --help 2>&1 | grep -q -- '--control' && FCX+=(--control "")

# ---------------------------------------------------------------- world
if [ "$(cat "$WORLD/stamp" 2>/dev/null)" != "$N $SEED $ZONE" ]; then
	rm -rf "$WORLD"; mkdir -p "$WORLD"; chmod 755 "$WORLD"
	python3 bench/gen_world.py --n "$N" --seed "$SEED" --zone "$ZONE" \
	    --out "$WORLD" | tee -a "$LOG" || exit 1
	echo "$N $SEED $ZONE" >"$WORLD/stamp"
fi
chmod 644 "$WORLD"/*.* 2>/dev/null

NSD_PORT=$(free_port)
subst bench/nsd.conf.in "$RUN/nsd.conf" PORT="$NSD_PORT" TMP="$ROOT/$RUN" \
    ZONES="$ROOT/$WORLD/zones"
start_bg nsd "$RUN/nsd.out" nsd -d -c "$RUN/nsd.conf"
NSD_PID=$BG_PID
some_ptr=$(awk '$2=="PASS"{print $1; exit}' "$WORLD/truth.txt")
if ! wait_for 60 sh -c "dig @127.0.0.1 -p $NSD_PORT +norec +time=1 +tries=1 \
    -x $some_ptr +short | grep -q bench"; then
	say "NSD did not come up"; cat "$RUN/nsd.out" "$RUN/nsd.log" >&2; exit 1
fi
say "NSD on 127.0.0.1@$NSD_PORT serves $N addresses"

UPSTREAM="--stub 11.in-addr.arpa=127.0.0.1@$NSD_PORT
 --stub bench.example.net=127.0.0.1@$NSD_PORT --forward 127.0.0.1@$NSD_PORT"

# fc_start NAME DB PORT [FLAGS...]: start fcrdnsd, wait for it to answer;
# sets FC_PID and FC_CHK (its checker's pid).
fc_start() {
	local name=$1 db=$2 port=$3
	shift 3
	# shellcheck disable=SC2086
	start_bg "$name" "$RUN/$name.log" "$FCBIN" --listen "127.0.0.1@$port" \
	    --db "$db" --zone "$ZONE" --zone-file zones/fcrdns.local.zone \
	    $UPSTREAM --wait-ms 10000 --max-inflight "$WINDOW" \
	    --max-queue 200000 "${FCX[@]}" "$@"
	FC_PID=$BG_PID
	if ! wait_for 20 sh -c "dig @127.0.0.1 -p $port +norec +time=1 \
	    +tries=1 2.0.0.127.$ZONE A +short | grep -q 127.0.0.2"; then
		say "fcrdnsd ($name) did not come up"; cat "$RUN/$name.log" >&2
		exit 1
	fi
	FC_CHK=""
	wait_for 5 sh -c "[ -n \"\$(cat /proc/$FC_PID/task/*/children)\" ]"
	FC_CHK=$(cat /proc/$FC_PID/task/*/children 2>/dev/null | tr -s ' \n' ' ')
	FC_CHK=${FC_CHK% }
	FC_CHK=${FC_CHK# }
}

# pin CPU PID...: every thread of the processes onto CPU
pin() {
	local c=$1 p t
	shift
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do
			taskset -p -c "$c" "${t##*/}" >/dev/null 2>&1
		done
	done
}

cpu_ns() { $PY cpu "$@" | cut -d' ' -f1; }
kv() { # kv KEY "k=v k=v": print the value of KEY
	local k=$1 s=$2
	s=" $s "
	s=${s#* "$k"=}
	echo "${s%% *}"
}
calc() { python3 -c "import sys; print($*)"; }

# --------------------------------------------------------------- miss path
say "== miss path: window $WINDOW, $N checks per run, $MISS_ROUNDS round(s)"
DRV_QPS=() FC_QPS=() FC_CPU=() DRV_CPU=() FC_LOST=() DRV_WRONG=()
for ((r = 1; r <= MISS_ROUNDS; r++)); do
	# D: the bare libunbound driver
	out=$($BB/ubdriver --addrs "$WORLD/addrs.txt" --truth "$WORLD/truth.txt" \
	    --window "$WINDOW" $UPSTREAM --timeout-s 900 2>>"$LOG")
	echo "driver round $r: $out" >>"$LOG"
	DRV_QPS+=("$(kv checks_per_s "$out")")
	DRV_CPU+=("$(kv cpu_s "$out")")
	DRV_WRONG+=("$(kv wrong "$out")")
	DRV_MEM="$(kv rss_anon_kb "$out") $(kv rss_file_kb "$out")"
	say "driver   round $r: $(kv checks_per_s "$out") checks/s, wrong $(kv wrong "$out"), temperror $(kv temperror "$out")"
	# F: fcrdnsd, every address once, a fresh store and cache
	if [ -n "${MISS_PID:-}" ]; then stop_pid "$MISS_PID"; forget "$MISS_PID"; fi
	DB100=$RUN/db100-$r
	port=$(free_port)
	fc_start "fcrdnsd-miss$r" "$DB100" "$port" $W1
	MISS_PID=$FC_PID MISS_CHK=$FC_CHK MISS_PORT=$port
	c0=$(cpu_ns "$FC_PID" $FC_CHK)
	dnsperf -s 127.0.0.1 -p "$port" -d "$WORLD/miss.queries" -n 1 \
	    -q "$WINDOW" -t 30 -l 900 >"$RAW/miss-fcrdnsd-$r.dnsperf" 2>&1
	c1=$(cpu_ns "$FC_PID" $FC_CHK)
	d=$($PY dnsperf "$RAW/miss-fcrdnsd-$r.dnsperf")
	FC_QPS+=("$(kv qps "$d")")
	FC_LOST+=("$(kv lost "$d")")
	FC_CPU+=("$(calc "($c1 - $c0) / 1e9")")
	say "fcrdnsd  round $r: $(kv qps "$d") checks/s, lost $(kv lost "$d") of $(kv sent "$d")"
done
FC_MISS_MEM_S=$($PY mem "$MISS_PID")
FC_MISS_MEM_C=$($PY mem "${MISS_CHK%% *}")
NSD_MEM=$($PY mem "$NSD_PID")
drv_qps=$($PY median "${DRV_QPS[@]}")
fc_qps=$($PY median "${FC_QPS[@]}")
drv_cpu=$($PY median "${DRV_CPU[@]}")
fc_cpu=$($PY median "${FC_CPU[@]}")
fc_lost=$($PY median "${FC_LOST[@]}")
drv_wrong=$($PY median "${DRV_WRONG[@]}")

# Correctness after the checks: a random sample, re-queried with dig.
$PY sample "$WORLD/truth.txt" "$SAMPLE" 17 "$RUN/sample" "$MISS_PORT" "$ZONE"
dig -f "$RUN/sample.dig" >"$RAW/sample.dig.out" 2>&1
VERIFY=$($PY verify "$RAW/sample.dig.out" "$RUN/sample" 2>>"$LOG")
say "sample: $VERIFY"
stop_pid "$MISS_PID"; forget "$MISS_PID"; MISS_PID=""

# Latency at half of fcrdnsd's maximum, the same offered rate for both.
LAT_RATE=$(calc "max(50, int(float('$fc_qps') / 2))")
LAT_N=$(calc "min($N, $LAT_RATE * $LAT_SECS)")
head -n "$LAT_N" "$WORLD/addrs.txt" >"$RUN/lat.addrs"
head -n "$LAT_N" "$WORLD/miss.queries" >"$RUN/lat.queries"
say "latency runs: $LAT_N checks at $LAT_RATE checks/s"
out=$($BB/ubdriver --addrs "$RUN/lat.addrs" --truth "$WORLD/truth.txt" \
    --window "$WINDOW" --qps "$LAT_RATE" $UPSTREAM --timeout-s 900 \
    --latency-out "$RAW/lat-driver.ms" 2>>"$LOG")
DRV_LAT=$($PY lat "$RAW/lat-driver.ms")
port=$(free_port)
fc_start fcrdnsd-lat "$RUN/db-lat" "$port" $W1
dnsperf -s 127.0.0.1 -p "$port" -d "$RUN/lat.queries" -n 1 -q "$WINDOW" \
    -Q "$LAT_RATE" -t 30 -l 900 -v >"$RAW/lat-fcrdnsd.dnsperf" 2>&1
FC_LAT=$($PY vlat "$RAW/lat-fcrdnsd.dnsperf" "$RAW/lat-fcrdnsd.ms")
FC_LAT_LOST=$(kv lost "$($PY dnsperf "$RAW/lat-fcrdnsd.dnsperf")")
# The same run with the store on tmpfs: what the checker's commit
# (fdatasync on its event loop) costs the waiting queries.
stop_pid "$FC_PID"; forget "$FC_PID"
SHMDB=$(mktemp -d /dev/shm/fcrdnsd-bench.XXXXXX)
port=$(free_port)
fc_start fcrdnsd-lat-shm "$SHMDB/db" "$port" $W1
dnsperf -s 127.0.0.1 -p "$port" -d "$RUN/lat.queries" -n 1 -q "$WINDOW" \
    -Q "$LAT_RATE" -t 30 -l 900 -v >"$RAW/lat-fcrdnsd-shm.dnsperf" 2>&1
FC_LAT_SHM=$($PY vlat "$RAW/lat-fcrdnsd-shm.dnsperf" "$RAW/lat-fcrdnsd-shm.ms")
stop_pid "$FC_PID"; forget "$FC_PID"
rm -rf "$SHMDB"
say "latency fcrdnsd, store on tmpfs: $FC_LAT_SHM"
say "latency driver:  $DRV_LAT"
say "latency fcrdnsd: $FC_LAT lost $FC_LAT_LOST"

if [ "$PROFILE" = 1 ]; then
	# Where the miss path's time goes: server and checker, one more run
	# with a fresh store (not counted in the figures above).
	port=$(free_port)
	fc_start fcrdnsd-prof "$RUN/db-prof" "$port" $W1
	perf record -F 1999 -o "$RUN/perf-miss.data" \
	    -p "$FC_PID,${FC_CHK// /,},$NSD_PID" -- sleep 8 >/dev/null 2>&1 &
	PP=$!
	sleep 0.3
	dnsperf -s 127.0.0.1 -p "$port" -d "$WORLD/miss.queries" -n 1 \
	    -q "$WINDOW" -t 30 -l 8 >"$RAW/miss-prof.dnsperf" 2>&1
	wait "$PP"
	stop_pid "$FC_PID"; forget "$FC_PID"
fi
stop_pid "$NSD_PID"; forget "$NSD_PID"      # the hit path needs no NSD

# ------------------------------------------------------------- store scale
say "== store scale: $FILL verdicts on top of the $N of the world"
DB10=$RUN/db10m
mkdir -p "$RUN/db10m-fill" "$DB10"
mdb_copy -c "$DB100" "$RUN/db10m-fill"
FILLOUT=$($BB/fill_store --db "$RUN/db10m-fill" --count "$FILL" 2>>"$LOG")
say "fill: $FILLOUT"
# The store as a long-running checker leaves it: the big fill batches
# leave about one batch of freed pages behind, which a checker's small
# batches would have reused. mdb_copy -c keeps every page as it is and
# drops the free ones.
mdb_copy -c "$RUN/db10m-fill" "$DB10"
ENTRIES10=$(mdb_stat -s verdicts "$DB10" | awk '/Entries/{print $2}')
ENTRIES100=$(mdb_stat -s verdicts "$DB100" | awk '/Entries/{print $2}')
SIZE10=$(stat -c %s "$DB10/data.mdb")
SIZE10F=$(stat -c %s "$RUN/db10m-fill/data.mdb")
SIZE100=$(stat -c %s "$DB100/data.mdb")
BPV10=$(calc "round($SIZE10 / $ENTRIES10, 1)")
BPV10F=$(calc "round($SIZE10F / $ENTRIES10, 1)")
BPV100=$(calc "round($SIZE100 / $ENTRIES100, 1)")
rm -rf "$RUN/db10m-fill"
say "store: $ENTRIES10 verdicts, $BPV10 bytes/verdict ($BPV10F before compaction); 100k store $BPV100"

# Time to first answer: the server is started by the poller, which asks for
# one of the world's addresses every 2 ms. Warm: the file in the page
# cache; cold: the file's pages evicted first (posix_fadvise, this file
# only).
first_answer() { # DB TAG
	local db=$1 port q res pid
	port=$(free_port)
	q=$(awk '$2=="NO_PTR"{split($1,a,"."); print a[4]"."a[3]"."a[2]"."a[1]; exit}' \
	    "$WORLD/truth.txt").$ZONE
	[ "$2" = cold ] && python3 -c "import os,sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)" \
	    "$db/data.mdb"
	# shellcheck disable=SC2086
	res=$($PY firstanswer "$port" "$q" 10 -- "$FCBIN" \
	    --listen "127.0.0.1@$port" --db "$db" --zone "$ZONE" \
	    --zone-file zones/fcrdns.local.zone --forward 127.0.0.1@9 \
	    "${FCX[@]}" $W1)
	pid=${res#* }
	PROCS+=("first $pid")
	stop_pid "$pid"; forget "$pid"
	echo "${res%% *}"
}
FA10W=() FA10C=() FA100W=()
for i in 1 2 3; do
	FA10W+=("$(first_answer "$DB10" warm)")
	FA10C+=("$(first_answer "$DB10" cold)")
	FA100W+=("$(first_answer "$DB100" warm)")
done
fa10w=$($PY median "${FA10W[@]}")
fa10c=$($PY median "${FA10C[@]}")
fa100w=$($PY median "${FA100W[@]}")
say "first answer ms: 10M warm ${FA10W[*]}, cold ${FA10C[*]}; 100k warm ${FA100W[*]}"

# ---------------------------------------------------------------- hit path
say "== hit path"
NAMES=() PORTS=() PIDS=()
add_server() { NAMES+=("$1"); PORTS+=("$2"); PIDS+=("$3"); }
port=$(free_port); fc_start fcrdnsd "$DB100" "$port" $W1
add_server fcrdnsd "$port" "$FC_PID $FC_CHK"
port=$(free_port); fc_start fcrdnsd-10M "$DB10" "$port" $W1
add_server fcrdnsd-10M "$port" "$FC_PID $FC_CHK"
port=$(free_port)
start_bg rbldnsd "$RUN/rbldnsd.log" rbldnsd -n -q -a -c 0 -t 300 \
    -u rbldns -b "127.0.0.1/$port" -w "$ROOT/$WORLD" \
    "$ZONE:ip4set:rbldnsd.ip4set"
RB_PID=$BG_PID
rq=$(awk '$2=="NO_PTR"{split($1,a,"."); print a[4]"."a[3]"."a[2]"."a[1]; exit}' "$WORLD/truth.txt")
wait_for 120 sh -c "dig @127.0.0.1 -p $port +norec +time=1 +tries=1 \
    $rq.$ZONE A +short | grep -q 127.0.0.2" ||
	{ say "rbldnsd did not come up"; cat "$RUN/rbldnsd.log" >&2; exit 1; }
add_server rbldnsd "$port" "$RB_PID"
port=$(free_port)
start_bg floor "$RUN/floor.log" $BB/floor 127.0.0.1 "$port"
add_server floor "$port" "$BG_PID"
sleep 0.3
for i in "${!NAMES[@]}"; do
	# shellcheck disable=SC2086
	pin 1 ${PIDS[i]}
done

# Every server answers the same file alike (the floor excepted).
for i in 0 1 2; do
	dnsperf -s 127.0.0.1 -p "${PORTS[i]}" -d "$WORLD/hit.queries" -n 1 \
	    -q 200 >"$RAW/hit-check-${NAMES[i]}.dnsperf" 2>&1
	grep "Response codes" "$RAW/hit-check-${NAMES[i]}.dnsperf" |
	    sed "s/^ */${NAMES[i]}: /" >>"$LOG"
done

declare -A MAXQ CPUQ LOSTQ CHKQ
MAXM=() CPUM=() CHKM=() LOSTM=() MEM=() MEMC=()
for ((r = 1; r <= ROUNDS; r++)); do
	for i in "${!NAMES[@]}"; do
		n=${NAMES[i]}
		taskset -c 0 dnsperf -s 127.0.0.1 -p "${PORTS[i]}" -c 4 -q 500 \
		    -d "$WORLD/hit.queries" -l "$MAX_SECS" \
		    >"$RAW/hit-max-$n-$r.dnsperf" 2>&1
		d=$($PY dnsperf "$RAW/hit-max-$n-$r.dnsperf")
		MAXQ[$n]="${MAXQ[$n]:-} $(kv qps "$d")"
	done
done
for i in "${!NAMES[@]}"; do
	n=${NAMES[i]}
	# shellcheck disable=SC2086
	MAXM[$i]=$($PY median ${MAXQ[$n]})
	say "max qps pinned $n: ${MAXQ[$n]} -> median ${MAXM[$i]}"
done
if [ "$RATE" = 0 ]; then
	RATE=$(calc "max(1000, int(min([$(IFS=,; echo "${MAXM[*]}")]) / 2 / 1000) * 1000)")
fi
say "fixed rate: $RATE qps, $HIT_SECS s per run, $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do
	for i in "${!NAMES[@]}"; do
		n=${NAMES[i]}
		set -- ${PIDS[i]}
		main=$1; shift
		c0=$(cpu_ns "$main"); k0=$(cpu_ns "$@")
		taskset -c 0 dnsperf -s 127.0.0.1 -p "${PORTS[i]}" -c 4 -q 500 \
		    -d "$WORLD/hit.queries" -l "$HIT_SECS" -Q "$RATE" \
		    >"$RAW/hit-fix-$n-$r.dnsperf" 2>&1
		c1=$(cpu_ns "$main"); k1=$(cpu_ns "$@")
		d=$($PY dnsperf "$RAW/hit-fix-$n-$r.dnsperf")
		done_q=$(kv completed "$d")
		CPUQ[$n]="${CPUQ[$n]:-} $(calc "round(($c1 - $c0) / 1e3 / max(1, $done_q), 3)")"
		[ $# -gt 0 ] && CHKQ[$n]="${CHKQ[$n]:-} $(calc "round(($k1 - $k0) / 1e3 / max(1, $done_q), 3)")"
		LOSTQ[$n]="${LOSTQ[$n]:-} $(kv lost "$d")"
	done
done
for i in "${!NAMES[@]}"; do
	n=${NAMES[i]}
	# shellcheck disable=SC2086
	CPUM[$i]=$($PY median ${CPUQ[$n]})
	# shellcheck disable=SC2086
	CHKM[$i]=$([ -n "${CHKQ[$n]:-}" ] && $PY median ${CHKQ[$n]} || echo -)
	# shellcheck disable=SC2086
	LOSTM[$i]=$($PY median ${LOSTQ[$n]})
	set -- ${PIDS[i]}
	MEM[$i]=$($PY mem "$1")
	[ $# -gt 1 ] && MEMC[$i]=$($PY mem "$2") || MEMC[$i]=""
	say "cpu us/query $n: ${CPUQ[$n]} -> median ${CPUM[$i]} (checker ${CHKM[$i]}), lost ${LOSTQ[$n]}"
done

if [ "$PROFILE" = 1 ]; then
	set -- ${PIDS[0]}
	taskset -c 0 dnsperf -s 127.0.0.1 -p "${PORTS[0]}" -c 4 -q 500 \
	    -d "$WORLD/hit.queries" -l 9 -Q "$RATE" >"$RAW/hit-prof.dnsperf" 2>&1 &
	DP=$!
	sleep 1
	perf record -F 4999 -o "$RUN/perf-hit.data" -p "$1" -- sleep 6 \
	    >/dev/null 2>&1
	wait "$DP"
	set -- ${PIDS[2]}
	taskset -c 0 dnsperf -s 127.0.0.1 -p "${PORTS[2]}" -c 4 -q 500 \
	    -d "$WORLD/hit.queries" -l 9 -Q "$RATE" >"$RAW/hit-prof-rbl.dnsperf" 2>&1 &
	DP=$!
	sleep 1
	perf record -F 4999 -o "$RUN/perf-hit-rbl.data" -p "$1" -- sleep 6 \
	    >/dev/null 2>&1
	wait "$DP"
fi

# Workers: qps with nothing pinned, fcrdnsd with 1 and 2 workers.
WSCALE=""
if [ $HAVE_WORKERS = 1 ]; then
	mkdir -p "$RUN/db100-w"
	mdb_copy "$DB100" "$RUN/db100-w"
	for w in 1 2; do
		port=$(free_port)
		fc_start "fcrdnsd-w$w" "$RUN/db100-w" "$port" --workers "$w"
		q=()
		for ((r = 1; r <= ROUNDS; r++)); do
			dnsperf -s 127.0.0.1 -p "$port" -c 8 -q 500 \
			    -d "$WORLD/hit.queries" -l "$MAX_SECS" \
			    >"$RAW/hit-w$w-$r.dnsperf" 2>&1
			q+=("$(kv qps "$($PY dnsperf "$RAW/hit-w$w-$r.dnsperf")")")
		done
		WSCALE="$WSCALE $w:$($PY median "${q[@]}")"
		say "workers $w: ${q[*]}"
		stop_pid "$FC_PID"; forget "$FC_PID"
	done
fi

# ------------------------------------------------------------------ report
stop_all
if [ "$PROFILE" = 1 ]; then
	# perf report: self time; pid separates fcrdnsd's server and checker
	prep() { grep -v '^#' | grep -v '^$' | head -"$1"; }
	perf report -i "$RUN/perf-miss.data" --stdio --no-children \
	    --sort pid,dso,symbol --percent-limit 0.5 2>/dev/null |
	    prep 40 >"$RAW/perf-miss.txt"
	perf report -i "$RUN/perf-hit.data" --stdio --no-children \
	    --sort dso,symbol --percent-limit 0.5 2>/dev/null |
	    prep 40 >"$RAW/perf-hit.txt"
	perf report -i "$RUN/perf-hit.data" --stdio --no-children \
	    --sort dso,symbol --percent-limit 0.1 2>/dev/null |
	    grep -v '\[k\]' | prep 40 >"$RAW/perf-hit-user.txt"
	perf report -i "$RUN/perf-hit-rbl.data" --stdio --no-children \
	    --sort dso,symbol --percent-limit 0.5 2>/dev/null |
	    prep 30 >"$RAW/perf-hit-rbldnsd.txt"
fi
T_END=$(date +%s)
python3 bench/report.py --out "$OUT" --raw "$RAW" \
    --n "$N" --window "$WINDOW" --rounds "$ROUNDS" --rate "$RATE" \
    --hit-secs "$HIT_SECS" --miss-rounds "$MISS_ROUNDS" \
    --drv-qps "$drv_qps" --fc-qps "$fc_qps" --drv-cpu "$drv_cpu" \
    --fc-cpu "$fc_cpu" --fc-lost "$fc_lost" --drv-wrong "$drv_wrong" \
    --verify "$VERIFY" --lat-rate "$LAT_RATE" --lat-n "$LAT_N" \
    --drv-lat "$DRV_LAT" --fc-lat "$FC_LAT" --fc-lat-lost "$FC_LAT_LOST" \
    --fc-lat-shm "$FC_LAT_SHM" \
    --names "${NAMES[*]}" --maxq "${MAXM[*]}" --cpuq "${CPUM[*]}" \
    --chkq "${CHKM[*]}" --lostq "${LOSTM[*]}" \
    --mem "$(IFS=,; echo "${MEM[*]}")" --memc "$(IFS=,; echo "${MEMC[*]}")" \
    --mem-miss "$FC_MISS_MEM_S,$FC_MISS_MEM_C,$DRV_MEM,$NSD_MEM" \
    --fill "$FILL" --entries10 "$ENTRIES10" --bpv10 "$BPV10" \
    --bpv10f "$BPV10F" --bpv100 "$BPV100" --entries100 "$ENTRIES100" \
    --fa10w "$fa10w" --fa10c "$fa10c" --fa100w "$fa100w" \
    --wscale "$WSCALE" --secs "$((T_END - T_BEGIN))" --log "$LOG" || exit 1
# The stores (GBs with the 10M fill) are not results: drop them.
rm -rf "$RUN"/db* "$RUN"/bin
say "results: $OUT/results.md $OUT/results.png ($((T_END - T_BEGIN)) s)"
