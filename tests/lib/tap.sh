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
