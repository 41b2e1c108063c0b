#!/bin/bash
# tests/install.sh BUILD_DIR -- make install, man pages, the systemd unit,
# and the privilege drop (--user, --chroot).
#
#   bash tests/install.sh build/asan
#
#  1. `make install DESTDIR=... PREFIX=/usr` (and PREFIX=/usr/local): the
#     exact file list and modes, absolute installed defaults, an existing
#     /etc/fcrdnsd.conf kept, no user created with a DESTDIR; the installed
#     fcrdnsd runs on the installed fcrdnsd.conf, and names the file, line,
#     key and value of a broken one (exit 2).
#  2. Each man page: `man -l` renders it, `mandoc -T lint` and
#     `groff -ww -z -man` say nothing.
#  3. `systemd-analyze verify` on the unit (skipped if not installed).
#  4. As root (skipped otherwise): fcrdnsd (BUILD_DIR) started as root on
#     port 53 inside a private network namespace with --user fcrdnsd-test
#     (created here and removed at the end if it did not exist): `ps` shows
#     the server and its checker, and a restarted checker, as that user; the
#     store is theirs, also when an earlier run left root's files in it.
#     An unknown --user is exit 2 naming --user.
#  5. As root: --chroot (the plain build/fcrdnsd, as ASan needs /proc):
#     server and checker in the chroot (/proc/PID/root) as the user, and a
#     check done from inside it; without the loader in DIR, exit 2.
# Output: "ok - ..." / "not ok - ..." / "skip - ...", then
# "N passed, N failed"; exit 1 on a failure. Processes are stopped by PID.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bash tests/install.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "install: no directory $1" >&2; exit 2; }

. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/procs.sh"
. "$REPO/tests/lib/dns.sh"

LOGS=()
mkdir -p "$REPO/tests/tmp"
TMP=$(mktemp -d "$REPO/tests/tmp/install.XXXXXX")
chmod 755 "$TMP"   # the unprivileged user must reach its store below
TUSER=fcrdnsd-test
TUSER_MADE=""
NS=""

finish() {
	local rc=$1 f
	trap - EXIT INT TERM
	stop_all
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	[ -n "$TUSER_MADE" ] && userdel "$TUSER" 2>/dev/null
	suite_end "$rc" "$TMP"/san/asan* "$TMP"/san/ubsan*
}
trap 'finish $?' EXIT
trap 'finish 130' INT TERM

skip() { echo "skip - $*"; }

# ---------------------------------------------------------------------------
# 1. make install into a DESTDIR
users_before=$(getent passwd fcrdnsd)
D=$TMP/dest
if out=$(make -s -C "$REPO" install DESTDIR="$D" PREFIX=/usr 2>&1); then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	not_ok "make install DESTDIR=... PREFIX=/usr" "exit 0" "$out"
fi
expect_tree="755 etc
755 etc/fcrdnsd
644 etc/fcrdnsd.conf
644 etc/fcrdnsd/fcrdns.local.zone
755 lib
755 lib/systemd
755 lib/systemd/system
644 lib/systemd/system/fcrdnsd.service
755 usr
755 usr/sbin
755 usr/sbin/fcrdnsctl
755 usr/sbin/fcrdnsd
755 usr/share
755 usr/share/man
755 usr/share/man/man5
644 usr/share/man/man5/fcrdnsd.conf.5
755 usr/share/man/man8
644 usr/share/man/man8/fcrdnsctl.8
644 usr/share/man/man8/fcrdnsd.8
755 var
755 var/lib
750 var/lib/fcrdnsd"
check_eq "installed tree: files and modes" "$expect_tree" \
	"$(cd "$D" && find . -mindepth 1 -printf '%m %P\n' | sort -k2)"
check_eq "make install with a DESTDIR creates no user" "$users_before" "$(getent passwd fcrdnsd)"
check_eq "unit runs the installed binary with the installed config" \
	"ExecStart=/usr/sbin/fcrdnsd -c /etc/fcrdnsd.conf" \
	"$(grep '^ExecStart=' "$D/lib/systemd/system/fcrdnsd.service")"
help=$("$D/usr/sbin/fcrdnsd" --help 2>&1)
check_re "installed fcrdnsd: default --db /var/lib/fcrdnsd" ".*--db DIR [^\n]*default /var/lib/fcrdnsd\\).*" "$help"
check_re "installed fcrdnsd: default --zone-file /etc/fcrdnsd/fcrdns.local.zone" \
	".*default /etc/fcrdnsd/fcrdns\\.local\\.zone.*" "$help"
check_eq "installed zone file is the repository's" "" "$(cmp "$REPO/zones/fcrdns.local.zone" "$D/etc/fcrdnsd/fcrdns.local.zone" 2>&1)"
echo "# changed by the operator" >>"$D/etc/fcrdnsd.conf"
make -s -C "$REPO" install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check_eq "a second make install keeps the existing /etc/fcrdnsd.conf" "# changed by the operator" \
	"$(tail -n1 "$D/etc/fcrdnsd.conf")"
D2=$TMP/dest-local
make -s -C "$REPO" install DESTDIR="$D2" >/dev/null 2>&1
check_eq "PREFIX=/usr/local (default): binaries, man pages and unit under /usr/local" \
	"usr/local/lib/systemd/system/fcrdnsd.service usr/local/sbin/fcrdnsd usr/local/share/man/man8/fcrdnsd.8" \
	"$(cd "$D2" && ls -d usr/local/lib/systemd/system/fcrdnsd.service usr/local/sbin/fcrdnsd usr/local/share/man/man8/fcrdnsd.8 2>&1 | tr '\n' ' ' | sed 's/ $//')"

# The installed example configuration parses, and every key in it is known:
# run the installed binary on it (loopback port, temporary store, no drop).
CPORT=$(free_port)
start_bg conf "$TMP/conf.log" "$D/usr/sbin/fcrdnsd" -c "$D/etc/fcrdnsd.conf" \
	--listen "127.0.0.1@$CPORT" --db "$TMP/confdb" --zone-file "$REPO/zones/fcrdns.local.zone" \
	--user "" --control "" --forward 127.0.0.1@9
CONF_PID=$BG_PID
conf_up() { dig +norec +tries=1 +time=1 -p "$CPORT" @127.0.0.1 fcrdns.local SOA 2>/dev/null | grep -q 'status: NOERROR'; }
check_true "dist/fcrdnsd.conf is accepted by the installed fcrdnsd" "it answers" "$(tail -n1 "$TMP/conf.log")" \
	wait_for 10 conf_up
stop_pid "$CONF_PID" 5
forget "$CONF_PID"

# Errors in a configuration file, from the installed binary: file, line,
# key and value named, exit status 2, nothing started.
cp "$D/etc/fcrdnsd.conf" "$TMP/bad.conf"
echo "bogus-key = yes" >>"$TMP/bad.conf"
nl=$(wc -l <"$TMP/bad.conf")
out=$("$D/usr/sbin/fcrdnsd" -c "$TMP/bad.conf" 2>&1); rc=$?
check_eq "config: an unknown key is exit 2" 2 "$rc"
check_eq "config: an unknown key is named with file and line" \
	"fcrdnsd: $TMP/bad.conf:$nl: bogus-key: unknown key" "$out"
printf 'listen = 127.0.0.1@%s\nwait-ms = abc\n' "$CPORT" >"$TMP/bad2.conf"
out=$("$D/usr/sbin/fcrdnsd" -c "$TMP/bad2.conf" 2>&1); rc=$?
check_eq "config: a bad value is exit 2" 2 "$rc"
check_eq "config: a bad value is named with file, line and key" \
	"fcrdnsd: $TMP/bad2.conf:2: wait-ms: 'abc' is not a number" "$out"
out=$("$D/usr/sbin/fcrdnsd" -c "$TMP/missing.conf" 2>&1); rc=$?
check_eq "config: a missing file is exit 2" 2 "$rc"
check_eq "config: a missing file is named" \
	"fcrdnsd: -c $TMP/missing.conf: No such file or directory" "$out"

# ---------------------------------------------------------------------------
# 2. man pages
for page in fcrdnsd.8 fcrdnsctl.8 fcrdnsd.conf.5; do
	f=$D/usr/share/man/man${page##*.}/$page
	out=$(MANWIDTH=80 man -l "$f" 2>&1 >/dev/null)
	lines=$(MANWIDTH=80 man -l "$f" 2>/dev/null | wc -l)
	if [ -z "$out" ] && [ "$lines" -gt 20 ]; then ok "man -l $page renders ($lines lines)"; else not_ok "man -l $page renders" "text, no warnings" "$lines lines; $out"; fi
	if command -v mandoc >/dev/null; then
		check_eq "mandoc -T lint $page" "" "$(mandoc -T lint -W all "$f" 2>&1)"
	else
		skip "mandoc -T lint $page: mandoc is not installed (make deps)"
	fi
	check_eq "groff -ww -z -man $page" "" "$(groff -ww -z -man "$f" 2>&1)"
done

# ---------------------------------------------------------------------------
# 3. systemd-analyze verify, on a copy that runs the DESTDIR's binary
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$TMP/unit"
	sed "s|/usr/sbin/fcrdnsd|$D/usr/sbin/fcrdnsd|" "$D/lib/systemd/system/fcrdnsd.service" >"$TMP/unit/fcrdnsd.service"
	out=$(MANPATH=$D/usr/share/man: systemd-analyze verify "$TMP/unit/fcrdnsd.service" 2>&1)
	check_eq "systemd-analyze verify fcrdnsd.service" "" "$out"
else
	skip "systemd-analyze verify: systemd-analyze is not installed"
fi

# ---------------------------------------------------------------------------
# 4. privilege drop
if [ "$(id -u)" != 0 ]; then
	skip "privilege drop: needs root"
	exit 0
fi
if ! getent passwd "$TUSER" >/dev/null; then
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$TUSER" ||
		{ not_ok "useradd $TUSER" "exit 0" "failed"; exit 1; }
	TUSER_MADE=1
fi
TUID=$(id -u "$TUSER")
mkdir -p "$TMP/san"
chmod 1777 "$TMP/san"   # sanitizer reports of the dropped processes
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:log_path=$TMP/san/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:log_path=$TMP/san/ubsan}

# A private network namespace: port 53 on its loopback is ours.
NS=fcrdns-inst-$$
if ip netns add "$NS" 2>/dev/null && ip netns exec "$NS" ip link set lo up; then
	nsx() { ip netns exec "$NS" "$@"; }
	FPORT=53
else
	NS=""
	nsx() { "$@"; }
	FPORT=$(free_port)
	echo "# no network namespace here: port $FPORT instead of 53"
fi
NSD_PORT=5353
[ -z "$NS" ] && NSD_PORT=$(free_port)
subst "$REPO/zones/fixtures/nsd.conf.in" "$TMP/nsd.conf" "PORT=$NSD_PORT" "TMP=$TMP" "ZONES=$REPO/zones/fixtures"
# ns_bg NAME LOG CMD...: start_bg, inside the namespace if there is one.
ns_bg() {
	local name=$1 log=$2
	shift 2
	if [ -n "$NS" ]; then
		start_bg "$name" "$log" ip netns exec "$NS" "$@"
	else
		start_bg "$name" "$log" "$@"
	fi
}
ns_bg nsd "$TMP/nsd.out" nsd -d -c "$TMP/nsd.conf"
nsd_up() { nsx dig +norec +tries=1 +time=1 -p "$NSD_PORT" @127.0.0.1 example.com SOA 2>/dev/null | grep -q 'status: NOERROR'; }
wait_for 10 nsd_up || not_ok "NSD answers" "NOERROR" "nothing"
NSD=127.0.0.1@$NSD_PORT

FARGS=(--listen "127.0.0.1@$FPORT" --zone-file "$REPO/zones/fcrdns.local.zone" --control ""
	--forward "$NSD" --stub "2.0.192.in-addr.arpa=$NSD" --stub "example.com=$NSD" --user "$TUSER")
fup() { nsx dig +norec +tries=1 +time=1 -p "$FPORT" @127.0.0.1 fcrdns.local SOA 2>/dev/null | grep -q 'status: NOERROR'; }
fq() { R_RAW=$(nsx dig +norec +tries=1 +time=3 -p "$FPORT" @127.0.0.1 "$1" "$2" 2>&1); _parse; }
owner() { ps -o user= -p "$1" 2>/dev/null | tr -d ' '; }
uids() { awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$1/status" 2>/dev/null; }
checker_of() { pgrep -P "$1" | head -n1; }

# start_f LOG ARGS...: fcrdnsd from BIN in the namespace; sets FPID.
start_f() {
	local log=$1
	shift
	ns_bg fcrdnsd "$TMP/$log" "$@"
	FPID=$BG_PID
	wait_for 15 fup
}

# Copies, so a rebuild in the tree during the run cannot swap them out.
mkdir -p "$TMP/bin"
cp "$BUILD/fcrdnsd" "$TMP/bin/fcrdnsd"
FCRDNSD=$TMP/bin/fcrdnsd
DB=$TMP/db
if start_f fcrdnsd.log "$FCRDNSD" "${FARGS[@]}" --db "$DB"; then
	ok "fcrdnsd started as root answers on 127.0.0.1@$FPORT"
	check_eq "server runs as $TUSER after the drop (ps)" "$TUSER" "$(owner "$FPID")"
	check_eq "server: real, effective, saved and fs uid are $TUSER's" "$TUID $TUID $TUID $TUID" "$(uids "$FPID")"
	CHK=""
	wait_for 5 eval '[ -n "$(checker_of "$FPID")" ]' && CHK=$(checker_of "$FPID")
	check_eq "checker runs as $TUSER (ps)" "$TUSER" "$(owner "$CHK")"
	check_eq "checker: uids are $TUSER's" "$TUID $TUID $TUID $TUID" "$(uids "$CHK")"
	R_STATUS="" R_ANSWER=""
	listed2() { fq 2.2.0.192.fcrdns.local A; [ "$R_STATUS $(rdata "$R_ANSWER" A)" = "NOERROR 127.0.0.2" ]; }
	check_true "the unprivileged checker checks and stores: 192.0.2.2 is 127.0.0.2" "NOERROR 127.0.0.2" \
		"$R_STATUS $(rdata "$R_ANSWER" A)" wait_for 5 listed2
	check_eq "the store directory was created for $TUSER" "$TUSER 750" "$(stat -c '%U %a' "$DB")"
	check_eq "the store files are $TUSER's" "$TUSER $TUSER" "$(stat -c '%U' "$DB/data.mdb" "$DB/lock.mdb" | tr '\n' ' ' | sed 's/ $//')"
	if [ -n "$CHK" ]; then
		kill -KILL "$CHK"
		newchk() { local c; c=$(checker_of "$FPID"); [ -n "$c" ] && [ "$c" != "$CHK" ]; }
		if wait_for 10 newchk; then
			check_eq "a restarted checker runs as $TUSER too" "$TUSER" "$(owner "$(checker_of "$FPID")")"
		else
			not_ok "checker restarted" "a new child" "none"
		fi
	fi
	stop_pid "$FPID" 10
	forget "$FPID"
	check_eq "fcrdnsd (dropped) exits 0 on SIGTERM" 0 "$STOP_STATUS"
else
	not_ok "fcrdnsd started as root answers on 127.0.0.1@$FPORT" "the apex SOA" "$(tail -n 3 "$TMP/fcrdnsd.log")"
fi

# An earlier run as root left root's files: they are given to the user.
chown -R root:root "$DB"
if start_f fcrdnsd2.log "$FCRDNSD" "${FARGS[@]}" --db "$DB"; then
	fq 3.2.0.192.fcrdns.local A
	check_eq "store left by root: the checker still writes (192.0.2.3 is 127.0.0.2)" "NOERROR 127.0.0.2" \
		"$R_STATUS $(rdata "$R_ANSWER" A)"
	check_eq "store left by root: its files are $TUSER's again" "$TUSER $TUSER $TUSER" \
		"$(stat -c '%U' "$DB" "$DB/data.mdb" "$DB/lock.mdb" | tr '\n' ' ' | sed 's/ $//')"
	stop_pid "$FPID" 10
	forget "$FPID"
else
	not_ok "fcrdnsd starts on a store left by root" "the apex SOA" "$(tail -n 3 "$TMP/fcrdnsd2.log")"
fi

out=$("$FCRDNSD" --listen "127.0.0.1@$(free_port)" --db "$TMP/db-x" --control "" \
	--zone-file "$REPO/zones/fcrdns.local.zone" --user no-such-user-fcrdns 2>&1)
rc=$?
check_eq "unknown --user: exit 2" 2 "$rc"
check_re "unknown --user: the error names --user" "fcrdnsd: --user no-such-user-fcrdns: .*" "$(head -n1 <<<"$out")"

# ---------------------------------------------------------------------------
# 5. --chroot, with the plain build (ASan reads /proc, absent in a chroot)
PLAIN=$TMP/bin/fcrdnsd-plain
if ! cp "$REPO/build/fcrdnsd" "$PLAIN" 2>/dev/null; then
	skip "--chroot: $REPO/build/fcrdnsd is not built (make all)"
elif ! unshare -m --propagation private true 2>/dev/null; then
	skip "--chroot: no private mount namespace (unshare -m) for the read-only /usr"
else
	R=$TMP/root
	mkdir -p "$R"
	out=$("$PLAIN" "${FARGS[@]}" --listen "127.0.0.1@$(free_port)" --chroot "$R" --db "$R/db" 2>&1)
	rc=$?
	check_eq "--chroot without the loader inside: exit 2" 2 "$rc"
	check_re "--chroot without the loader inside: says so" ".*--chroot $R: .*ld-linux.*" "$out"
	mkdir -p "$R/usr"
	ln -s usr/lib "$R/lib"
	ln -s usr/lib64 "$R/lib64"
	start_f fcrdnsd-chroot.log unshare -m --propagation private sh -c \
		'mount --bind -o ro /usr "$1/usr" && mount -o remount,bind,ro "$1/usr" && shift && exec "$@"' \
		sh "$R" "$PLAIN" "${FARGS[@]}" --chroot "$R" --db "$R/db"
	if [ $? = 0 ]; then
		ok "fcrdnsd --chroot $R answers"
		CHK=$(checker_of "$FPID")
		check_eq "chroot: server's root directory" "$R" "$(readlink "/proc/$FPID/root")"
		check_eq "chroot: checker's root directory" "$R" "$(readlink "/proc/$CHK/root")"
		check_eq "chroot: server and checker run as $TUSER" "$TUSER $TUSER" "$(owner "$FPID") $(owner "$CHK")"
		fq 6.2.0.192.fcrdns.local A
		check_eq "chroot: the checker inside checks (192.0.2.6 MISMATCH is 127.0.0.4)" "NOERROR 127.0.0.4" \
			"$R_STATUS $(rdata "$R_ANSWER" A)"
		check_eq "chroot: the store is inside it" "$TUSER" "$(stat -c %U "$R/db/data.mdb" 2>&1)"
		stop_pid "$FPID" 10
		forget "$FPID"
		check_eq "chroot: fcrdnsd exits 0 on SIGTERM" 0 "$STOP_STATUS"
	else
		not_ok "fcrdnsd --chroot $R answers" "the apex SOA" "$(tail -n 3 "$TMP/fcrdnsd-chroot.log")"
	fi
fi

stop_all
reports=$(cat "$TMP"/san/asan* "$TMP"/san/ubsan* 2>/dev/null; grep -h -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP"/fcrdnsd*.log 2>/dev/null)
check_eq "no sanitizer reports" "" "$(head -n 3 <<<"$reports")"
exit 0
