#!/bin/bash
# tests/mta.sh BUILD_DIR -- a real MTA in front of fcrdnsd.
#
#   bash tests/mta.sh build/asan
#
# Everything runs inside a private network namespace (ip netns), so nothing
# touches the host's ports or resolver:
#   - NSD with a temporary copy of zones/fixtures/;
#   - BUILD_DIR/fcrdnsd on 127.0.0.1@5300, asking only that NSD;
#   - Debian's unbound on 127.0.0.1@53 with the README's stub-zone snippet,
#     named by the namespace's resolv.conf (/etc/netns/NAME/resolv.conf,
#     which "ip netns exec" bind-mounts over /etc/resolv.conf);
#   - Debian's Postfix from its own configuration directory, queue and data
#     directories in the temporary directory, chroot off (a chrooted smtpd
#     reads its own copy of resolv.conf), with the README's
#     `reject_rbl_client fcrdns.local=127.0.0.[2..4]` on port 25 and the
#     README's soft-fail (rbl_reply_maps, 4xx) variant on port 2525.
# swaks connects from documentation addresses on the namespace's loopback:
# 192.0.2.2 (no PTR in the fixtures) is rejected with the code and the TXT
# in the SMTP reply, 192.0.2.1 (passes) is accepted. Then the test gives
# 192.0.2.2 a PTR in the zone copy, reloads NSD (SIGHUP), runs `fcrdnsctl
# recheck`, flushes the zone from unbound (unbound-control flush_zone), and
# 192.0.2.2 is accepted.
#
# Needs root and network namespaces; says "skip - ..." otherwise. The
# system's Postfix configuration (/etc/postfix) is never written, and the
# system's Postfix is never started. Output: "ok - ..." / "not ok - ...",
# then "N passed, N failed"; exit 1 on a failure. Every process is stopped
# by its PID on exit, and the namespace is deleted.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash tests/mta.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "mta: no directory $1" >&2; exit 2; }

. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/procs.sh"
. "$REPO/tests/lib/dns.sh"

LOGS=()
ZONE=fcrdns.local
NS=""
NETNS_DIR_MADE=""
TMP=""

skip() {
	echo "skip - tests/mta.sh: $*"
	tap_summary
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root (a network namespace, Postfix)"
for tool in ip nsd nsd-checkconf unbound unbound-checkconf unbound-control \
	postfix postconf swaks dig python3; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (make deps installs it)"
done
PF_DAEMON_DIR=$(postconf -dh daemon_directory 2>/dev/null)
[ -x "$PF_DAEMON_DIR/master" ] || skip "no Postfix master daemon in '$PF_DAEMON_DIR'"
for b in fcrdnsd fcrdnsctl; do
	[ -x "$BUILD/$b" ] || { echo "not ok - $BUILD/$b is built"; echo "0 passed, 1 failed"; exit 1; }
done

# The system's Postfix configuration, to compare at the end.
pf_sum() {
	find /etc/postfix -type f -print0 2>/dev/null | sort -z | xargs -0 -r md5sum 2>/dev/null
}
PF_BEFORE=$(pf_sum)

mkdir -p "$REPO/tests/tmp"
TMP=$(mktemp -d "$REPO/tests/tmp/mta.XXXXXX")
# Postfix's daemons run as the postfix user and must reach their queue.
chmod 755 "$TMP"
NS=fcrdns-mta-$$

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:log_path=$TMP/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:log_path=$TMP/ubsan}

finish() {
	local rc=$1 f
	trap - EXIT INT TERM
	stop_all
	if [ -n "$NS" ]; then
		ip netns del "$NS" 2>/dev/null
		rm -rf "/etc/netns/$NS"
		[ -n "$NETNS_DIR_MADE" ] && rmdir /etc/netns 2>/dev/null
	fi
	suite_end "$rc" "$TMP/maillog"
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM


# ---------------------------------------------------------------------------
# The namespace: loopback up, the client addresses on it, its resolv.conf.
[ -d /etc/netns ] || NETNS_DIR_MADE=1
if ! ip netns add "$NS" 2>"$TMP/netns.err"; then
	NS=""
	skip "ip netns add fails here: $(head -n1 "$TMP/netns.err")"
fi
nsx() { ip netns exec "$NS" "$@"; }
mkdir -p "/etc/netns/$NS"
echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
nsx ip link set lo up || bail "loopback up in netns $NS"
nsx ip addr add 192.0.2.1/32 dev lo || bail "192.0.2.1 on the namespace's loopback"
nsx ip addr add 192.0.2.2/32 dev lo || bail "192.0.2.2 on the namespace's loopback"
nsx ip addr add 192.0.2.3/32 dev lo || bail "192.0.2.3 on the namespace's loopback"
check_eq "the namespace's resolv.conf names its own unbound" "nameserver 127.0.0.1" \
	"$(nsx cat /etc/resolv.conf)"

# Ports inside the namespace: all free, it is empty.
NSD_PORT=5353
FPORT=5300
CLOSED_PORT=9

# ---------------------------------------------------------------------------
# NSD with a copy of the fixtures (the test edits the copy).
mkdir -p "$TMP/zones" "$TMP/bin"
cp "$REPO"/zones/fixtures/*.zone "$TMP/zones/"
subst "$REPO/zones/fixtures/nsd.conf.in" "$TMP/nsd.conf" "PORT=$NSD_PORT" "TMP=$TMP" "ZONES=$TMP/zones"
out=$(nsd-checkconf "$TMP/nsd.conf" 2>&1) || bail "nsd-checkconf" "no error" "$out"
start_bg nsd "$TMP/nsd.out" ip netns exec "$NS" nsd -d -c "$TMP/nsd.conf"
NSD_PID=$BG_PID
nsd_up() { nsx dig +norec +tries=1 +time=1 -p "$NSD_PORT" @127.0.0.1 example.com SOA 2>/dev/null | grep -q 'status: NOERROR'; }
wait_for 10 nsd_up || bail "NSD answers in the namespace" "NOERROR" "nothing"
ok "NSD serves the fixtures in netns $NS"

# ---------------------------------------------------------------------------
# fcrdnsd (copies, so a rebuild during the run cannot swap them out)
cp "$BUILD/fcrdnsd" "$BUILD/fcrdnsctl" "$TMP/bin/"
FCRDNSD=$TMP/bin/fcrdnsd
CTL=$TMP/bin/fcrdnsctl
DB=$TMP/db
CTL_SOCK=$TMP/fcrdnsd.sock
NSD=127.0.0.1@$NSD_PORT
FCRDNSD_ARGS=(--listen "127.0.0.1@$FPORT" --db "$DB"
	--zone-file "$REPO/zones/fcrdns.local.zone" --control "$CTL_SOCK"
	--forward "$NSD" --stub "2.0.192.in-addr.arpa=$NSD" --stub "example.com=$NSD")
fcrdnsd_up() { nsx dig +norec +tries=1 +time=1 -p "$FPORT" @127.0.0.1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
start_fcrdnsd() {
	start_bg fcrdnsd "$TMP/$1" ip netns exec "$NS" "$FCRDNSD" "${FCRDNSD_ARGS[@]}"
	FCRDNSD_PID=$BG_PID
	wait_for 15 fcrdnsd_up
}
start_fcrdnsd fcrdnsd.log || bail "fcrdnsd answers in the namespace" "the apex SOA" "no answer"
ok "fcrdnsd answers on 127.0.0.1@$FPORT in the namespace"

# ---------------------------------------------------------------------------
# unbound on the namespace's 127.0.0.1@53 with the README's snippet
cat >"$TMP/root.ds" <<'EOF'
. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
EOF
subst "$REPO/tests/unbound/stub.conf.in" "$TMP/stub.conf" "FCRDNS_PORT=$FPORT"
subst "$REPO/tests/unbound/mta.conf.in" "$TMP/unbound.conf" "TMP=$TMP" "CLOSED_PORT=$CLOSED_PORT"
out=$(unbound-checkconf "$TMP/unbound.conf" 2>&1) || bail "unbound-checkconf" "no error" "$out"
start_bg unbound "$TMP/unbound.log" ip netns exec "$NS" unbound -d -c "$TMP/unbound.conf"
ub_up() { nsx dig +tries=1 +time=1 "$ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'; }
wait_for 10 ub_up || bail "unbound (resolv.conf) resolves $ZONE SOA in the namespace" "NOERROR" "no answer"
ok "the namespace's resolver (unbound, README snippet) resolves $ZONE"
ubctl() { nsx unbound-control -c "$TMP/unbound.conf" "$@"; }
check_eq "unbound-control reaches unbound over its Unix socket" ok \
	"$(ubctl status >/dev/null 2>&1 && echo ok || echo failed)"

# ---------------------------------------------------------------------------
# Postfix: own config directory, queue and data directories; chroot off.
PFC=$TMP/postfix
PFQ=$TMP/pfqueue
mkdir -p "$PFC" "$PFQ" "$TMP/pfdata"
chown postfix "$TMP/pfdata"
# The soft-fail variant's table, exactly as in the README.
cat >"$PFC/rbl_reply" <<'EOF'
fcrdns.local=127.0.0.[2..4]  450 4.7.1 Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}
EOF
cat >"$PFC/main.cf" <<EOF
# tests/mta.sh: a private Postfix instance (never /etc/postfix).
compatibility_level = 3.6
config_directory = $PFC
queue_directory = $PFQ
data_directory = $TMP/pfdata
maillog_file = $TMP/maillog
maillog_file_prefixes = $TMP
myhostname = mx.test.invalid
mydomain = test.invalid
myorigin = \$myhostname
mydestination = localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
biff = no
# smtpd keeps RBL results in a per-process cache for its whole life (up to
# max_use sessions): one session per process, so that every session below
# asks the resolver (in production: postfix reload after a delisting).
max_use = 1
smtpd_banner = \$myhostname ESMTP
# The README's snippet:
smtpd_client_restrictions =
    permit_mynetworks,
    reject_rbl_client fcrdns.local=127.0.0.[2..4]
EOF
cat >"$PFC/master.cf" <<EOF
# tests/mta.sh: every service with chroot off (column 5)
smtp      inet  n       -       n       -       -       smtpd
127.0.0.1:2525 inet n   -       n       -       -       smtpd
    -o rbl_reply_maps=texthash:$PFC/rbl_reply
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
# postfix check creates the queue directories with their owners.
out=$(postfix -c "$PFC" check 2>&1) ||
	bail "postfix -c $PFC check" "no error" "$out $(tail -n 3 "$TMP/maillog" 2>/dev/null)"
check_eq "postconf reads the README's restriction" \
	"smtpd_client_restrictions = permit_mynetworks, reject_rbl_client fcrdns.local=127.0.0.[2..4]" \
	"$(postconf -c "$PFC" smtpd_client_restrictions 2>&1)"
# setsid: master signals its own process group when it stops
start_bg postfix "$TMP/postfix.out" ip netns exec "$NS" setsid "$PF_DAEMON_DIR/master" -c "$PFC" -d
PF_PID=$BG_PID
pf_up() { nsx python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null; }
wait_for 15 pf_up 25 || bail "Postfix listens on 127.0.0.1:25 in the namespace" "a connection" "refused"
wait_for 5 pf_up 2525 || bail "Postfix listens on 127.0.0.1:2525 in the namespace" "a connection" "refused"
ok "Postfix (master pid $PF_PID, own config directory, chroot off) listens on :25 and :2525"

# smtp FROM_ADDR PORT: one SMTP session with swaks up to RCPT; sets
# SMTP_REPLY to the server's reply to RCPT TO (or, if the session ended
# before it, the last reply) and SMTP_RAW to the whole transcript.
smtp() {
	SMTP_RAW=$(nsx swaks --server 127.0.0.1 --port "$2" --local-interface "$1" \
		--helo client.example.com --from sender@example.com --to root@localhost \
		--quit-after RCPT --timeout 60 2>&1)
	SMTP_REPLY=$(awk '
		/^ *-> RCPT TO/ { r = 1; next }
		/^<(-|\*\*) +[0-9][0-9][0-9]/ { last = $0; if (r) { print; found = 1; exit } }
		END { if (!found && last != "") print last }' <<<"$SMTP_RAW" | sed -E 's/^<(-|\*\*) +//')
}

F="FCrDNS fail:"
# ---------------------------------------------------------------------------
# The no-PTR client is rejected, with the code and the TXT in the reply.
smtp 192.0.2.2 25
check_re "192.0.2.2 (no PTR): Postfix rejects with 554 and the TXT" \
	"554 5\\.7\\.1 Service unavailable; Client host \\[192\\.0\\.2\\.2\\] blocked using fcrdns\\.local; $F 192\\.0\\.2\\.2 has no PTR record" \
	"$SMTP_REPLY"
# The passing client is accepted.
smtp 192.0.2.1 25
check_re "192.0.2.1 (passes): Postfix accepts RCPT" "250 .*" "$SMTP_REPLY"
# The soft-fail variant answers 4xx, with the TXT.
smtp 192.0.2.2 2525
check_re "192.0.2.2, soft-fail variant (rbl_reply_maps): 450 with the TXT" \
	"450 4\\.7\\.1 Service unavailable; Client host \\[192\\.0\\.2\\.2\\] blocked using fcrdns\\.local; $F 192\\.0\\.2\\.2 has no PTR record" \
	"$SMTP_REPLY"
smtp 192.0.2.1 2525
check_re "192.0.2.1, soft-fail variant: accepted" "250 .*" "$SMTP_REPLY"

# ---------------------------------------------------------------------------
# The sender fixes its PTR: the zone copy gets 192.0.2.2 -> mx2 -> 192.0.2.2.
sed -i -E 's/^(@ +IN SOA +[^ ]+ +[^ ]+ +)1 /\12 /' "$TMP/zones/2.0.192.in-addr.arpa.zone" "$TMP/zones/example.com.zone"
echo "2.2.0.192.in-addr.arpa. 3600 IN PTR mx2.example.com." >>"$TMP/zones/2.0.192.in-addr.arpa.zone"
echo "mx2.example.com. 3600 IN A 192.0.2.2" >>"$TMP/zones/example.com.zone"
sleep 1 # NSD compares modification times
kill -HUP "$NSD_PID"
ptr_fixed() { [ "$(nsx dig +short +norec +tries=1 +time=1 -p "$NSD_PORT" @127.0.0.1 -x 192.0.2.2 PTR 2>/dev/null)" = mx2.example.com. ]; }
check_true "NSD serves the new PTR of 192.0.2.2 after SIGHUP" "mx2.example.com." "no PTR" wait_for 10 ptr_fixed

q2=2.2.0.192.$ZONE
fq() { R_RAW=$(nsx dig +norec +tries=1 +time=3 -p "$FPORT" @127.0.0.1 "$1" "$2" 2>&1); _parse; }
if "$CTL" --help 2>&1 | grep -q recheck; then
	out=$(nsx "$CTL" --control "$CTL_SOCK" --db "$DB" recheck 192.0.2.2 2>&1)
	check_re "fcrdnsctl recheck 192.0.2.2 prints the new verdict PASS" "(.*[^A-Z])?PASS([^A-Z].*)?" "$out"
else
	# TODO: fcrdnsctl recheck is not there yet (control socket, issue 6):
	# approximate it by restarting fcrdnsd on an empty store.
	echo "# TODO: fcrdnsctl has no recheck yet; restarting fcrdnsd on an empty store instead"
	stop_pid "$FCRDNSD_PID" 10
	forget "$FCRDNSD_PID"
	rm -rf "$DB"
	start_fcrdnsd fcrdnsd2.log || bail "fcrdnsd restarts" "the apex SOA" "no answer"
	fq "$q2" A
	ok "TODO (no fcrdnsctl recheck): fcrdnsd restarted on an empty store"
fi
fq "$q2" A
check_eq "fcrdnsd: 192.0.2.2 now passes (NXDOMAIN)" NXDOMAIN "$R_STATUS"

# Until unbound's cached listing is flushed (TTL up to 300 s), Postfix
# still rejects: that is what flush_zone is for.
smtp 192.0.2.2 25
check_re "before flush_zone: unbound's cached listing still rejects 192.0.2.2" "554 .*" "$SMTP_REPLY"
check_re "unbound-control flush_zone $ZONE" "ok.*" "$(ubctl flush_zone "$ZONE" 2>&1 | tail -n1)"
smtp 192.0.2.2 25
check_re "after recheck and flush_zone: Postfix accepts 192.0.2.2" "250 .*" "$SMTP_REPLY"
smtp 192.0.2.2 2525
check_re "after recheck and flush_zone: the soft-fail variant accepts 192.0.2.2" "250 .*" "$SMTP_REPLY"

# ---------------------------------------------------------------------------
# Fail open: with fcrdnsd down, unbound answers SERVFAIL and Postfix accepts
# even a client without PTR (192.0.2.3, never asked before), logging the
# lookup error.
stop_pid "$FCRDNSD_PID" 10
forget "$FCRDNSD_PID"
check_eq "fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
ubctl flush_zone "$ZONE" >/dev/null 2>&1
R_RAW=$(nsx dig +tries=1 +time=5 "3.2.0.192.$ZONE" A 2>&1); _parse
check_re "fcrdnsd down: no answer through unbound (SERVFAIL or timeout)" "SERVFAIL|TIMEOUT" "$R_STATUS"
smtp 192.0.2.3 25
check_re "fcrdnsd down: Postfix fails open and accepts 192.0.2.3 (no PTR)" "250 .*" "$SMTP_REPLY"

# ---------------------------------------------------------------------------
stop_pid "$PF_PID" 10
forget "$PF_PID"
check_true "Postfix logged the rejection with the TXT" "a NOQUEUE: reject line" "none" \
	grep -q "NOQUEUE: reject: RCPT from unknown\\[192.0.2.2\\]: 554 .*$F 192.0.2.2 has no PTR record" "$TMP/maillog"
stop_all
check_eq "the system's Postfix configuration (/etc/postfix) is unchanged" "$PF_BEFORE" "$(pf_sum)"
reports=$(cat "$TMP"/asan* "$TMP"/ubsan* 2>/dev/null; grep -h -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP"/fcrdnsd*.log 2>/dev/null)
check_eq "no sanitizer reports" "" "$(head -n 3 <<<"$reports")"
exit 0
