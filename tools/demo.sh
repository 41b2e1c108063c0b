#!/bin/bash
# make demo: NSD on a loopback port serving the fixture zones, and fcrdnsd
# asking only that NSD (--forward and --stub), so nothing leaves the
# machine. Prints dig commands to try; Ctrl-C (or SIGTERM to this
# script) stops both. The logs and the store stay in the printed
# directory, which the next run does not reuse.
set -u
cd "$(dirname "$0")/.."
. tests/lib/procs.sh
LOGS=()
BIN=${1:-build}
TMP=$(mktemp -d /tmp/fcrdnsd-demo.XXXXXX)
trap 'trap - EXIT INT TERM; stop_all; echo "demo: stopped; logs and store kept in $TMP"; exit 0' EXIT INT TERM

NSD_PORT=$(free_port)
PORT=$(free_port)
subst zones/fixtures/nsd.conf.in "$TMP/nsd.conf" "PORT=$NSD_PORT" \
	"TMP=$TMP" "ZONES=$PWD/zones/fixtures"
start_bg nsd "$TMP/nsd.out" nsd -d -c "$TMP/nsd.conf"
U=127.0.0.1@$NSD_PORT
start_bg fcrdnsd "$TMP/fcrdnsd.log" "$BIN/fcrdnsd" \
	--listen "127.0.0.1@$PORT" --db "$TMP/db" --forward "$U" \
	--stub "2.0.192.in-addr.arpa=$U" --stub "example.com=$U" \
	--stub "8.b.d.0.1.0.0.2.ip6.arpa=$U"
sleep 0.5
if ! alive "${PROCS[1]#* }"; then
	echo "demo: fcrdnsd did not start:"; cat "$TMP/fcrdnsd.log"; exit 1
fi
D="dig @127.0.0.1 -p $PORT +norec"
cat <<MSG
fcrdnsd (pid ${PROCS[1]#* }) is serving fcrdns.local on 127.0.0.1@$PORT,
checking against the demo zones that NSD (pid ${PROCS[0]#* }) serves on
127.0.0.1@$NSD_PORT. Logs and store: $TMP (the store is --db $TMP/db).
Try:
  $D 1.2.0.192.fcrdns.local A      # 192.0.2.1 passes: NXDOMAIN
  $D 2.2.0.192.fcrdns.local A      # no PTR: 127.0.0.2
  $D 2.2.0.192.fcrdns.local TXT    # ... and why
  $D 4.2.0.192.fcrdns.local ANY    # PTR name without A: 127.0.0.3 + TXT
  $D 6.2.0.192.fcrdns.local A      # PTR name resolves elsewhere: 127.0.0.4
  $D 6.2.0.192.fcrdns.local TXT    # ... to which address
  # 2001:db8::26, whose PTR name has its AAAA: passes, NXDOMAIN
  $D 6.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.fcrdns.local A
  $D 2.0.0.127.fcrdns.local TXT    # RFC 5782 test entry
  $BIN/fcrdnsctl --db $TMP/db show 192.0.2.6
  $BIN/fcrdnsctl --db $TMP/db dump
  $BIN/fcrdnsctl --db $TMP/db recheck 192.0.2.2
  $BIN/fcrdnsctl check 192.0.2.6 --forward $U
Ctrl-C stops the demo (or: kill $$).
MSG
wait "${PROCS[1]#* }"
