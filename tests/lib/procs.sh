# tests/lib/procs.sh -- temporary directory, loopback ports, and the
# processes the integration test starts (bash).
#
# Every process is started with start_bg and remembered by PID; stop_all
# stops exactly those PIDs (SIGTERM, then SIGKILL after a grace period).
# Nothing is ever stopped by name.

PROCS=()        # "NAME PID" entries, in start order

# free_port: print a loopback port free for both UDP and TCP right now.
free_port() {
	python3 - <<'EOF'
import socket, sys
for _ in range(200):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        t.close()
        u.close()
    print(p)
    sys.exit(0)
sys.exit("free_port: no free port")
EOF
}

# start_bg NAME LOG CMD...: start CMD in the background, its stdout and
# stderr appended to LOG; sets BG_PID and remembers it under NAME.
start_bg() {
	local name=$1 log=$2
	shift 2
	"$@" >>"$log" 2>&1 </dev/null &
	BG_PID=$!
	PROCS+=("$name $BG_PID")
	LOGS+=("$log")
}

# alive PID
alive() {
	kill -0 "$1" 2>/dev/null
}

# running PID: 1 while PID runs: not a zombie, and not gone. One ps
# read decides. (kill -0 holds for a zombie until bash reaps it, which
# its SIGCHLD handler may do at any moment: "kill -0, then ps" can see a
# zombie, then no process, and took an exited daemon for a stuck one.)
running() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 5), then
# SIGKILL. Sets STOP_STATUS to the exit status when PID is our child and
# to "killed" if it needed SIGKILL, "gone" if it was already gone.
stop_pid() {
	local pid=$1 secs=${2:-5} i
	STOP_STATUS=gone
	alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < secs * 10; i++)); do
		running "$pid" || break
		sleep 0.1
	done
	if running "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		STOP_STATUS=killed
		return 0
	fi
	wait "$pid" 2>/dev/null
	STOP_STATUS=$?
}

# stop_all: stop every remembered process, newest first.
stop_all() {
	local i entry
	for ((i = ${#PROCS[@]} - 1; i >= 0; i--)); do
		entry=${PROCS[i]}
		stop_pid "${entry#* }" 5
	done
	PROCS=()
}

# forget PID: drop PID from the list (after the test stopped it itself).
forget() {
	local i
	for i in "${!PROCS[@]}"; do
		[ "${PROCS[i]#* }" = "$1" ] && unset 'PROCS[i]'
	done
	PROCS=("${PROCS[@]}")
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# subst IN OUT VAR=VALUE...: copy IN to OUT replacing each @VAR@.
subst() {
	local in=$1 out=$2 kv s
	shift 2
	s=$(cat "$in") || return 1
	for kv in "$@"; do
		s=${s//@${kv%%=*}@/${kv#*=}}
	done
	printf '%s\n' "$s" >"$out"
}

# now_ms: monotonic-enough wall clock in milliseconds.
now_ms() {
	date +%s%3N
}
