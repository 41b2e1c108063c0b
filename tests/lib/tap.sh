# tests/lib/tap.sh -- assertions for the integration test (bash).
#
# One line per assertion: "ok - DESC" or "not ok - DESC: expected X got Y".
# tap_summary prints the final "N passed, N failed" line.

PASSED=0
FAILED=0

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $1"
}

# not_ok DESC EXPECTED GOT
not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $1: expected $2 got $3"
}

# show VALUE: quote a value for a message; newlines become " | ".
_tap_show() {
	local v=${1//$'\n'/ | }
	printf "'%s'" "$v"
}

# check_eq DESC EXPECTED GOT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "$(_tap_show "$2")" "$(_tap_show "$3")"; fi
}

# check_re DESC EXTENDED_REGEX GOT (the whole value must match)
check_re() {
	if [[ $3 =~ ^($2)$ ]]; then ok "$1"; else not_ok "$1" "/$2/" "$(_tap_show "$3")"; fi
}

# check_range DESC LO HI GOT (integers, inclusive)
check_range() {
	if [[ $4 =~ ^[0-9]+$ ]] && [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "$2..$3" "$(_tap_show "$4")"
	fi
}

# check_true DESC EXPECTED_TEXT GOT_TEXT COMMAND...: ok if COMMAND succeeds.
check_true() {
	local d=$1 e=$2 g=$3
	shift 3
	if "$@"; then ok "$d"; else not_ok "$d" "$e" "$g"; fi
}

tap_summary() {
	echo "$PASSED passed, $FAILED failed"
}

# suite_end RC [FILE...]: the last step of a suite's EXIT trap, after its
# own clean-up (processes stopped, namespaces deleted). On a failure it
# prints the tail of every log in LOGS, of any sanitizer report in TMP and
# of each FILE, and keeps TMP; on success it removes TMP unless KEEP_TMP
# is set. Then the closing "N passed, N failed" line, and exit 0 or 1.
suite_end() {
	local rc=$1 f
	shift
	if [ "$rc" != 0 ] || [ "$FAILED" -gt 0 ]; then
		for f in "${LOGS[@]}" "$TMP"/asan* "$TMP"/ubsan* "$@"; do
			[ -s "$f" ] || continue
			echo "# ---- tail of $f"
			tail -n 25 "$f" | sed 's/^/# /'
		done
		echo "# logs kept in $TMP"
	elif [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$TMP"
	fi
	[ "$rc" = 0 ] || [ -n "${BAILED:-}" ] ||
		not_ok "run finished" "exit 0" "interrupted or died ($rc)"
	tap_summary
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}

# bail DESC [EXPECTED GOT]: a failure that makes the rest meaningless.
bail() {
	not_ok "$1" "${2:-success}" "${3:-failure}"
	BAILED=1
	exit 1
}
