#!/bin/sh
# Install the Debian packages fcrdnsd builds, runs and tests with, if any
# is missing. Needs root (or sudo) only when something must be installed.
set -e
PKGS="build-essential pkg-config libevent-dev libunbound-dev libldns-dev
liblmdb-dev libcmocka-dev libinih-dev nsd unbound dnsutils knot-dnsutils ldnsutils
lmdb-utils python3 iproute2 procps mandoc groff-base man-db swaks dnsperf curl"
# Postfix for tests/mta.sh (run from its own configuration directory, never
# the system's), unless another MTA is installed: apt would remove that one,
# as every MTA package conflicts with the others (mail-transport-agent).
if dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "ok installed" ||
	[ ! -e /usr/sbin/sendmail ]; then
	PKGS="$PKGS postfix"
fi
[ "$1" = "--all" ] && PKGS="$PKGS clang"
# make bench: load generator, the reference DNSBL server, plots, profiler
[ "$1" = "--bench" ] && PKGS="$PKGS clang rbldnsd gnuplot-nox linux-perf"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tests/mta.sh runs its own Postfix: install the package without asking and
# without writing a main.cf ("No configuration").
echo "postfix postfix/main_mailer_type select No configuration" |
	$SUDO debconf-set-selections
$SUDO apt-get update -qq
# policy-rc.d keeps Debian from starting the system nsd/unbound services
# on install: we run our own instances on loopback ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends $missing
