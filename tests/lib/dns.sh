# tests/lib/dns.sh -- ask with dig and pick the reply apart (bash).
#
# dnsq PORT NAME TYPE [DIG OPTION...] sends one query to 127.0.0.1@PORT
# (no recursion wanted, one try, 3 s) and sets:
#   R_STATUS    rcode mnemonic (NOERROR, NXDOMAIN, ...), or TIMEOUT
#   R_FLAGS     header flags as dig prints them, e.g. "qr aa"
#   R_QUESTION  question line(s), e.g. ";2.2.0.192.fcrdns.local. IN A"
#   R_ANSWER    answer RRs, one per line: OWNER TTL CLASS TYPE RDATA, the
#               fields separated by one tab (rdata keeps its own spaces)
#   R_AUTH      authority RRs, same format
#   R_MS        wall-clock milliseconds the query took
#   R_RAW       dig's whole output (for failure messages)

DIG_OPTS=(+norec +tries=1 +time=3)

# _section NAME: the RR lines of one section of R_RAW, rewritten as
# OWNER<tab>TTL<tab>CLASS<tab>TYPE<tab>RDATA. dig aligns with tabs, or with
# single spaces once the owner name is long, so split on the first four
# blank-separated tokens and keep the rdata's own spacing.
_section() {
	awk -v s=";; $1 SECTION:" '
		$0 == s { f = 1; next }
		/^$/ || /^;; [A-Z]+ SECTION:/ || /^;; Query time/ { f = 0 }
		f {
			line = $0
			sub(/^;; /, ";", line)
			out = ""
			for (i = 1; i <= 4; i++) {
				if (!match(line, /^[ \t]*[^ \t]+/))
					break
				tok = substr(line, RSTART, RLENGTH)
				gsub(/^[ \t]+/, "", tok)
				out = out (i > 1 ? "\t" : "") tok
				line = substr(line, RSTART + RLENGTH)
			}
			sub(/^[ \t]+/, "", line)
			print out (line != "" ? "\t" line : "")
		}' <<<"$R_RAW"
}

# _parse: set the R_* variables from R_RAW.
_parse() {
	R_STATUS=$(sed -n 's/.*status: \([A-Z0-9]*\),.*/\1/p' <<<"$R_RAW" | head -n1)
	[ -n "$R_STATUS" ] || R_STATUS=TIMEOUT
	R_FLAGS=$(sed -n 's/^;; flags: \([^;]*\);.*/\1/p' <<<"$R_RAW" | head -n1)
	R_FLAGS=${R_FLAGS% }
	R_QUESTION=$(_section QUESTION)
	R_ANSWER=$(_section ANSWER)
	R_AUTH=$(_section AUTHORITY)
}

dnsq() {
	local port=$1 name=$2 type=$3 t0
	shift 3
	t0=$(now_ms)
	R_RAW=$(dig "${DIG_OPTS[@]}" -p "$port" @127.0.0.1 "$name" "$type" "$@" 2>&1)
	R_MS=$(($(now_ms) - t0))
	_parse
}

# kdnsq PORT NAME TYPE [KDIG OPTION...]: the same through kdig (its output
# uses the same section layout with a different header line).
kdnsq() {
	local port=$1 name=$2 type=$3 t0 raw
	shift 3
	t0=$(now_ms)
	raw=$(kdig +norec +retry=0 +time=3 -p "$port" @127.0.0.1 "$name" "$type" "$@" 2>&1)
	R_MS=$(($(now_ms) - t0))
	# kdig: ";; ->>HEADER<<- opcode: QUERY; status: NXDOMAIN; id: 1"
	#       ";; Flags: qr aa; QUERY: 1; ANSWER: 0; ..."
	R_RAW=$(sed -e 's/^;; ->>HEADER<<- opcode: \([A-Z]*\); status: \([A-Z]*\); /;; ->>HEADER<<- opcode: \1, status: \2, /' \
		-e 's/^;; Flags: \([^;]*\);/;; flags: \1;/' <<<"$raw")
	_parse
}

# has_flag FLAG: 1 if R_FLAGS has FLAG.
has_flag() {
	[[ " $R_FLAGS " == *" $1 "* ]]
}

# rrs SECTION_TEXT TYPE: the RRs of one type.
rrs() {
	awk -F'\t' -v t="$2" '$4 == t' <<<"$1"
}

# rdata SECTION_TEXT TYPE: rdata of the RRs of one type, one per line.
rdata() {
	awk -F'\t' -v t="$2" '$4 == t { print $5 }' <<<"$1"
}

# ttls SECTION_TEXT TYPE: TTLs of the RRs of one type, one per line.
ttls() {
	awk -F'\t' -v t="$2" '$4 == t { print $2 }' <<<"$1"
}

# types SECTION_TEXT: the types in a section, space separated.
types() {
	awk -F'\t' 'NF { printf "%s%s", (n++ ? " " : ""), $4 }' <<<"$1"
}

# revname ADDRESS ZONE: the DNSBL query name of an address, e.g.
# "2.2.0.192.fcrdns.local" or the 32-nibble form for IPv6 (RFC 5782 s2.4).
revname() {
	python3 -c '
import ipaddress, sys
rp = ipaddress.ip_address(sys.argv[1]).reverse_pointer
for suffix in (".in-addr.arpa", ".ip6.arpa"):
    if rp.endswith(suffix):
        rp = rp[: -len(suffix)]
print(rp + "." + sys.argv[2])' "$1" "$2"
}
