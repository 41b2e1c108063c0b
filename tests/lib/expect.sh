# tests/lib/expect.sh -- what fcrdnsd must answer for one address (bash).
#
# Needs from the caller: FPORT (fcrdnsd's port), ZONE, SOA_RDATA (the apex
# SOA rdata as dig prints it), ZNEG (min(SOA TTL, SOA MINIMUM) of the apex
# zone file), SHORT_TTL, TTL_CAP, CTL (fcrdnsctl binary), DB, and
# tests/lib/{tap,dns}.sh.

# ctl_word IP: first word of "fcrdnsctl --db DB show IP".
ctl_word() {
	"$CTL" --db "$DB" show "$1" 2>&1 | awk 'NR == 1 { print $1 }'
}

# check_ctl LABEL IP VERDICT
check_ctl() {
	check_eq "$1: fcrdnsctl show says $3" "$3" "$(ctl_word "$2")"
}

# wait_ctl SECONDS IP VERDICT: poll fcrdnsctl until it says VERDICT.
wait_ctl() {
	local secs=$1 ip=$2 want=$3 i
	for ((i = 0; i < secs * 5; i++)); do
		[ "$(ctl_word "$ip")" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

# check_aa LABEL: AA must be set on answers from our zone.
check_aa() {
	if has_flag aa; then ok "$1: AA set"; else not_ok "$1: AA set" "flags with aa" "'$R_FLAGS'"; fi
}

# check_soa_auth LABEL TTL_LO TTL_HI: AUTHORITY is exactly the apex SOA
# (RFC 2308 section 3) with a TTL in [TTL_LO, TTL_HI].
check_soa_auth() {
	local label=$1 lo=$2 hi=$3
	check_eq "$label: AUTHORITY is the zone SOA" "$ZONE. IN SOA $SOA_RDATA" \
		"$(awk -F'\t' '{ print $1, $3, $4, $5 }' <<<"$R_AUTH")"
	check_range "$label: SOA TTL" "$lo" "$hi" "$(ttls "$R_AUTH" SOA)"
}

# check_txt_form LABEL RDATA: one character-string, printable ASCII, <= 255
# octets (dig shows other octets as \DDD, so those fail the pattern).
check_txt_form() {
	local label=$1 t=$2 re='^"([^"\\]|\\["\\])*"$' plain
	if [[ $t =~ $re ]]; then
		plain=${t:1:${#t}-2}
		plain=${plain//\\\"/x}
		plain=${plain//\\\\/x}
		check_range "$label: TXT is at most 255 octets" 1 255 "${#plain}"
	else
		not_ok "$label: TXT is one printable string" "one \"...\" of printable ASCII" "$(_tap_show "$t")"
	fi
}

# _check_txt LABEL WANT GOT: WANT is the exact text, or ~REGEX.
_check_txt() {
	if [ "${2:0:1}" = "~" ]; then
		check_re "$1: TXT" "\"${2:1}\"" "$3"
	else
		check_eq "$1: TXT" "\"$2\"" "$3"
	fi
}

# _ask_listed LABEL QNAME TYPE CODE TXT TTL_LO TTL_HI: one query for a
# listed name; TYPE A, TXT or AAAA (then NODATA + SOA).
_ask_listed() {
	local label=$1 q=$2 type=$3 code=$4 txt=$5 lo=$6 hi=$7
	dnsq "$FPORT" "$q" "$type"
	check_eq "$label: $type rcode" NOERROR "$R_STATUS"
	check_aa "$label: $type"
	case $type in
	A)
		check_eq "$label: A is 127.0.0.$code" "127.0.0.$code" "$(rdata "$R_ANSWER" A)"
		check_eq "$label: A is the only answer RR" "A" "$(types "$R_ANSWER")"
		check_range "$label: A TTL" "$lo" "$hi" "$(ttls "$R_ANSWER" A)"
		;;
	TXT)
		_check_txt "$label" "$txt" "$(rdata "$R_ANSWER" TXT)"
		check_txt_form "$label" "$(rdata "$R_ANSWER" TXT)"
		check_eq "$label: TXT is the only answer RR" "TXT" "$(types "$R_ANSWER")"
		check_range "$label: TXT TTL" "$lo" "$hi" "$(ttls "$R_ANSWER" TXT)"
		;;
	*)
		# min(SOA TTL, SOA MINIMUM), or less when the verdict has less
		# time left than that
		check_eq "$label: $type is NODATA" "" "$R_ANSWER"
		check_soa_auth "$label: $type NODATA" "$((lo < ZNEG ? lo : ZNEG))" "$ZNEG"
		;;
	esac
}

# expect_listed IP VERDICT CODE TXT [FIRST_TYPE [TTL_LO TTL_HI]]
# (VERDICT "-": no fcrdnsctl check; the label is "IP $NOTE")
# The first query (FIRST_TYPE, default A) is a cache miss and must carry
# the real verdict; then the other types. TTL defaults: exactly the cap.
expect_listed() {
	local ip=$1 verdict=$2 code=$3 txt=$4 first=${5:-A}
	local lo=${6:-$TTL_CAP} hi=${7:-$TTL_CAP} q t label
	q=$(revname "$ip" "$ZONE")
	label="$ip $verdict"
	[ "$verdict" = - ] && label="$ip ${NOTE:-}"
	_ask_listed "$label (first query)" "$q" "$first" "$code" "$txt" "$lo" "$hi"
	for t in A TXT AAAA; do
		[ "$t" = "$first" ] && continue
		_ask_listed "$label" "$q" "$t" "$code" "$txt" "$((lo - 5))" "$hi"
	done
	[ -n "$verdict" ] && [ "$verdict" != - ] && check_ctl "$label" "$ip" "$verdict"
}

# expect_nx IP VERDICT NEG_LO NEG_HI [FIRST_TYPE]: NXDOMAIN + SOA for A
# (or FIRST_TYPE first) and for TXT; VERDICT "-" skips fcrdnsctl, "~V"
# waits up to CHECK_WAIT seconds for the stored verdict V.
expect_nx() {
	local ip=$1 verdict=$2 lo=$3 hi=$4 first=${5:-A} q t label
	q=$(revname "$ip" "$ZONE")
	label="$ip ${verdict#\~}"
	[ "$verdict" = - ] && label="$ip ${NOTE:-}"
	for t in "$first" TXT; do
		dnsq "$FPORT" "$q" "$t"
		[ "$t" = "$first" ] && t="$t (first query)"
		check_eq "$label: $t rcode" NXDOMAIN "$R_STATUS"
		check_aa "$label: $t"
		check_eq "$label: $t has no answer" "" "$R_ANSWER"
		check_soa_auth "$label: $t" "$lo" "$hi"
		[ "$first" = TXT ] && break
	done
	case $verdict in
	-) ;;
	~*)
		if wait_ctl "${CHECK_WAIT:-5}" "$ip" "${verdict#\~}"; then
			ok "$label: fcrdnsctl show says ${verdict#\~}"
		else
			not_ok "$label: fcrdnsctl show says ${verdict#\~}" "${verdict#\~}" "$(ctl_word "$ip")"
		fi
		;;
	*) check_ctl "$label" "$ip" "$verdict" ;;
	esac
}

# expect_pass IP [LIFETIME [FIRST_TYPE]]: NXDOMAIN whose SOA TTL is
# min(SOA TTL, SOA MINIMUM, time the verdict has left) (verdicts.md).
expect_pass() {
	local life=${2:-3600} hi lo
	hi=$((ZNEG < life ? ZNEG : life))
	lo=$((ZNEG < life - 10 ? ZNEG : life - 10))
	expect_nx "$1" PASS "$lo" "$hi" "${3:-A}"
}
