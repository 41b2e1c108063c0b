/*
 * config.c -- fcrdnsd's settings: command-line flags and the
 * configuration file, with one setter for both.
 *
 * Every value is checked here, at start-up, and a bad one ends the
 * program with one line naming the flag (or the file, line and key) and
 * the value (exit 2), so that nothing half-configured ever answers.
 * The file is read with inih (Debian's libinih): "key = value" lines
 * whose keys are the long flags without dashes, as NSD and unbound keep
 * one name per setting in their files and their tools.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "config.h"
#include "defaults.h"
#include "reason.h"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->zone, sizeof(c->zone), "fcrdns.local");
	snprintf(c->db, sizeof(c->db), "%s", FCRDNSD_DEFAULT_DB);
	snprintf(c->zone_file_from, sizeof(c->zone_file_from), "--zone-file");
	snprintf(c->exempt_from, sizeof(c->exempt_from), "--exempt");
	snprintf(c->block_from, sizeof(c->block_from), "--block");
	snprintf(c->zone_file, sizeof(c->zone_file), "%s",
	    FCRDNSD_DEFAULT_ZONE_FILE);
	snprintf(c->user, sizeof(c->user), "%s", FCRDNSD_DEFAULT_USER);
	snprintf(c->control, sizeof(c->control), "%s", FCRDNSD_DEFAULT_CONTROL);
	c->wait_ms = 1500;
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c->workers = n < 1 ? 1 : n > 16 ? 16 : (uint32_t)n;
	}
	c->max_waiting = 4096;
	c->ttl_cap = 300;
	c->short_ttl = 10;
	c->stale_ttl = 30;   /* RFC 8767 section 4 suggests 30 s */
	c->edns_size = 1232; /* DNS flag day 2020: no IP fragmentation */
	if (gethostname(c->identity, sizeof(c->identity) - 1) != 0)
		snprintf(c->identity, sizeof(c->identity), "fcrdnsd");
	snprintf(c->version, sizeof(c->version), "fcrdnsd " FCRDNSD_VERSION);
	c->tcp_max = 128;
	c->tcp_idle_ms = 10000;
	c->max_names = 10;
	c->max_inflight = 256;
	c->max_queue = 10000;
	c->check_timeout_ms = 10000;
	c->ttl_min = 300;
	c->ttl_max = 86400;
	c->backoff_min = 30;
	c->backoff_max = 900;
	c->grace = 86400;
	c->interest = 3600;
	cidr_list_default_skip(&c->skip);
	c->checker_fd = -1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: fcrdnsd [-c FILE] [options]\n"
"  -c, --config FILE        configuration file (keys are these flags' names)\n"
"  --listen ADDR[@PORT]     UDP and TCP address (repeatable; default 127.0.0.1@5300,\n"
"                           port 5300 when left out)\n"
"  --zone NAME              DNSBL zone (default fcrdns.local)\n"
"  --db DIR                 LMDB store directory (default " FCRDNSD_DEFAULT_DB ")\n"
"  --forward ADDR[@PORT]    upstream recursive resolver (repeatable;\n"
"                           default: /etc/resolv.conf)\n"
"  --stub ZONE=ADDR[@PORT]  ask this server (port 53 when left out) for names under ZONE\n"
"  --wait-ms N              how long a query for an unchecked address waits (1500)\n"
"  --allow-query CIDR       clients allowed besides loopback (repeatable)\n"
"  --zone-file FILE         apex SOA/NS (default " FCRDNSD_DEFAULT_ZONE_FILE ")\n"
"  --workers N              UDP answering threads per --listen address\n"
"                           (default: one per core)\n"
"  --max-waiting N          parked queries at most (4096)\n"
"  --ttl-cap S              TTL cap of listing answers (300)\n"
"  --short-ttl S            TTL of TEMPERROR and deadline answers (10)\n"
"  --stale-ttl S            TTL of served-stale answers (30)\n"
"  --identity NAME          id.server / hostname.bind / NSID (hostname)\n"
"  --no-version             refuse CHAOS version.bind / version.server\n"
"  --no-identity            refuse CHAOS id.server / hostname.bind\n"
"  --no-nsid                never send the EDNS NSID option\n"
"  --tcp-max N              open TCP connections at most (128)\n"
"  --tcp-idle-ms N          idle TCP connections are closed after (10000)\n"
"  --max-names N            PTR names checked per address (10)\n"
"  --max-inflight N         checks running at once (256)\n"
"  --max-queue N            checks waiting for a slot (10000)\n"
"  --check-timeout-ms N     deadline of one check (10000)\n"
"  --ttl-min S, --ttl-max S clamp of verdict lifetimes (300, 86400)\n"
"  --backoff-min S, --backoff-max S  TEMPERROR retry back-off (30, 900)\n"
"  --grace S                serve a stale verdict this long past expiry (86400)\n"
"  --interest S             retry failed checks while asked within (3600)\n"
"  --skip CIDR              never check this network (repeatable)\n"
"  --no-default-skip        drop the built-in private/reserved skip list\n"
"  --user NAME              drop privileges to NAME when started as root\n"
"  --chroot DIR             chroot to DIR after start-up\n"
"  --control PATH           control socket for fcrdnsctl (default %s;\n"
"                           \"\" turns it off)\n"
"  --exempt FILE            addresses and networks never listed nor checked\n"
"  --block FILE             addresses and networks always listed\n"
"  --metrics ADDR@PORT      Prometheus metrics over HTTP (loopback; off)\n"
"  --syslog                 log to syslog (daemon facility) instead of stderr\n"
"  --query-log              log every query (at info level)\n"
"  -v, --verbose N          more logging: -v repeatable, or the level N (0-5)\n"
"  --help, --version\n", FCRDNSD_CONTROL_HELP);
}

enum {
	O_LISTEN = 256, O_ZONE, O_DB, O_FORWARD, O_STUB, O_WAIT, O_ALLOW,
	O_ZONEFILE, O_MAXWAIT, O_TTLCAP, O_SHORTTTL, O_STALETTL, O_IDENTITY,
	O_NOVERSION, O_NOIDENTITY, O_NONSID, O_TCPMAX, O_TCPIDLE, O_MAXNAMES,
	O_INFLIGHT, O_QUEUE, O_CHECKTO, O_TTLMIN, O_TTLMAX, O_BOMIN, O_BOMAX,
	O_GRACE, O_INTEREST, O_SKIP, O_NODEFSKIP, O_USER, O_CHROOT,
	O_CONTROL, O_EXEMPT, O_BLOCK, O_METRICS, O_SYSLOG, O_QUERYLOG,
	O_VERBOSE, O_WORKERS, O_CONFIG, O_CHECKERFD, O_HELP, O_VERSION
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "zone", required_argument, NULL, O_ZONE },
	{ "db", required_argument, NULL, O_DB },
	{ "forward", required_argument, NULL, O_FORWARD },
	{ "stub", required_argument, NULL, O_STUB },
	{ "wait-ms", required_argument, NULL, O_WAIT },
	{ "allow-query", required_argument, NULL, O_ALLOW },
	{ "zone-file", required_argument, NULL, O_ZONEFILE },
	{ "max-waiting", required_argument, NULL, O_MAXWAIT },
	{ "ttl-cap", required_argument, NULL, O_TTLCAP },
	{ "short-ttl", required_argument, NULL, O_SHORTTTL },
	{ "stale-ttl", required_argument, NULL, O_STALETTL },
	{ "identity", required_argument, NULL, O_IDENTITY },
	{ "no-version", no_argument, NULL, O_NOVERSION },
	{ "no-identity", no_argument, NULL, O_NOIDENTITY },
	{ "no-nsid", no_argument, NULL, O_NONSID },
	{ "tcp-max", required_argument, NULL, O_TCPMAX },
	{ "tcp-idle-ms", required_argument, NULL, O_TCPIDLE },
	{ "max-names", required_argument, NULL, O_MAXNAMES },
	{ "max-inflight", required_argument, NULL, O_INFLIGHT },
	{ "max-queue", required_argument, NULL, O_QUEUE },
	{ "check-timeout-ms", required_argument, NULL, O_CHECKTO },
	{ "ttl-min", required_argument, NULL, O_TTLMIN },
	{ "ttl-max", required_argument, NULL, O_TTLMAX },
	{ "backoff-min", required_argument, NULL, O_BOMIN },
	{ "backoff-max", required_argument, NULL, O_BOMAX },
	{ "grace", required_argument, NULL, O_GRACE },
	{ "interest", required_argument, NULL, O_INTEREST },
	{ "skip", required_argument, NULL, O_SKIP },
	{ "no-default-skip", no_argument, NULL, O_NODEFSKIP },
	{ "user", required_argument, NULL, O_USER },
	{ "chroot", required_argument, NULL, O_CHROOT },
	{ "control", required_argument, NULL, O_CONTROL },
	{ "exempt", required_argument, NULL, O_EXEMPT },
	{ "block", required_argument, NULL, O_BLOCK },
	{ "metrics", required_argument, NULL, O_METRICS },
	{ "syslog", no_argument, NULL, O_SYSLOG },
	{ "query-log", no_argument, NULL, O_QUERYLOG },
	{ "verbose", required_argument, NULL, O_VERBOSE }, /* file: level */
	{ "workers", required_argument, NULL, O_WORKERS },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "checker-fd", required_argument, NULL, O_CHECKERFD },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* The message of the first error, without its "where" prefix. */
static char errmsg[512];

/* The value is echoed printable only: it may come from a file, and
 * the message goes to a terminal or to syslog. */
static int
bad(const char *val, const char *why)
{
	char safe[200];

	reason_printable(safe, sizeof(safe), (const uint8_t *)val,
	    strlen(val));
	snprintf(errmsg, sizeof(errmsg), "'%s' %s", safe, why);
	return 2;
}

/* A whole decimal number within [lo, hi]. */
static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		snprintf(errmsg, sizeof(errmsg), "'%s' is out of range %u..%u",
		    s, lo, hi);
		return 2;
	}
	if (!isdigit((unsigned char)*s))
		return bad(s, "is not a number");
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return bad(s, "is not a number");
	if (errno == ERANGE || v < lo || v > hi) {
		snprintf(errmsg, sizeof(errmsg), "'%s' is out of range %u..%u",
		    s, lo, hi);
		return 2;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "ADDR@PORT" (port optional when defport != 0) into addr and port. */
static int
parse_addr_port(const char *s, uint16_t defport, uint8_t addr[ADDR_LEN],
	uint16_t *port)
{
	char buf[80];
	char *at;
	uint32_t p = defport;

	if (strlen(s) >= sizeof(buf))
		return bad(s, "is too long");
	strcpy(buf, s);
	at = strrchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (*at == '\0')
			return bad(s, "has no port after '@'");
		if (parse_u32(at, 1, 65535, &p) != 0)
			return 2;
	} else if (defport == 0)
		return bad(s, "needs ADDR@PORT");
	if (addr_parse(buf, addr) != 0) {
		/* 127.0.0.1:53 and [::1]:53 are other programs' forms */
		if (strchr(buf, ']') || (strchr(buf, ':') &&
		    strchr(buf, '.')))
			return bad(s, "is not an IP address (the port goes "
			    "after '@': ADDR@PORT)");
		return bad(s, "is not an IP address");
	}
	*port = (uint16_t)p;
	return 0;
}

/* A domain name in text: labels of 1..63 octets, at most 253 in all,
 * stored lower-case without the trailing dot. */
static int
parse_domain(const char *s, char *out, size_t outlen)
{
	size_t len = strlen(s), i, lab = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || len >= outlen)
		return bad(s, "is not a domain name");
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '.') {
			if (lab == 0)
				return bad(s, "has an empty label");
			lab = 0;
		} else if (ch <= ' ' || ch >= 0x7f || ch == '\\' ||
		    ++lab > 63) {
			return bad(s, "is not a domain name");
		}
		out[i] = (char)tolower(ch);
	}
	if (lab == 0)
		return bad(s, "has an empty label");
	out[len] = '\0';
	return 0;
}

static int
parse_path(const char *s, char *out, size_t outlen, int empty_ok)
{
	if ((!*s && !empty_ok) || strlen(s) >= outlen)
		return bad(s, "is not a usable path");
	snprintf(out, outlen, "%s", s);
	return 0;
}

/* yes/no for switches in the file. */
static int
parse_bool(const char *s, int *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") ||
	    !strcmp(s, "0"))
		*out = 0;
	else
		return bad(s, "is not yes or no");
	return 0;
}

static int
add_forward(struct config *c, const char *s)
{
	uint8_t a[ADDR_LEN];
	uint16_t port;
	char txt[ADDR_STRLEN];

	if (c->n_forward >= CONFIG_MAX_FORWARD)
		return bad(s, "is one too many");
	if (parse_addr_port(s, 53, a, &port) != 0)
		return 2;
	snprintf(c->forward[c->n_forward++], sizeof(c->forward[0]), "%s@%u",
	    addr_format(a, txt, sizeof(txt)), port);
	return 0;
}

static int
add_stub(struct config *c, const char *s)
{
	struct config_stub *st;
	const char *eq = strchr(s, '=');
	char zone[256];
	uint8_t a[ADDR_LEN];
	uint16_t port;
	char txt[ADDR_STRLEN];

	if (c->n_stub >= CONFIG_MAX_STUB)
		return bad(s, "is one too many");
	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(zone))
		return bad(s, "needs ZONE=ADDR[@PORT]");
	memcpy(zone, s, eq - s);
	zone[eq - s] = '\0';
	st = &c->stub[c->n_stub];
	if (parse_domain(zone, st->zone, sizeof(st->zone)) != 0)
		return 2;
	if (parse_addr_port(eq + 1, 53, a, &port) != 0)
		return 2;
	snprintf(st->addr, sizeof(st->addr), "%s@%u",
	    addr_format(a, txt, sizeof(txt)), port);
	c->n_stub++;
	return 0;
}

static int
parse_listen(const char *s, struct config_listen *l)
{
	if (parse_addr_port(s, 5300, l->addr, &l->port) != 0)
		return 2;
	/* "::ffff:1.2.3.4" cannot be bound as AF_INET6 everywhere; an
	 * IPv4 address listens on AF_INET. */
	l->v4 = addr_is_v4(l->addr);
	return 0;
}

static int
add_listen(struct config *c, const char *s)
{
	if (c->n_listen >= CONFIG_MAX_LISTEN)
		return bad(s, "is one too many");
	if (parse_listen(s, &c->listen[c->n_listen]) != 0)
		return 2;
	c->n_listen++;
	return 0;
}

static int
add_cidr(struct cidr_list *l, const char *s)
{
	struct cidr cd;

	if (cidr_parse(s, &cd) != 0)
		return bad(s, "is not an address or CIDR network");
	if (cidr_list_add(l, &cd) != 0)
		return bad(s, "is one too many");
	return 0;
}

/* Where the settings come from, for the rule "flags override the file". */
struct parse_state {
	struct cidr_list skip;   /* --skip entries of the current source */
	int skip_set;            /* --skip seen in the current source */
	int no_def_skip;
	int from_flags;
	int control_set;         /* --control given */
	const char *path;        /* the file being read (NULL: flags) */
	const int *line;         /* its current line */
	unsigned replaced;       /* list options a flag has reset already */
};

/* The options that repeat, each adding an entry to a list. */
static int
is_list(int id)
{
	return id == O_LISTEN || id == O_FORWARD || id == O_STUB ||
	    id == O_ALLOW || id == O_SKIP;
}

/* A list option given as a flag replaces what the file set. */
static void
replace_list(struct config *c, struct parse_state *st, int id)
{
	unsigned bit;

	if (!is_list(id))
		return;
	bit = 1u << (id - O_LISTEN); /* all five are below O_LISTEN + 32 */
	if (!st->from_flags || (st->replaced & bit))
		return;
	st->replaced |= bit;
	switch (id) {
	case O_LISTEN: c->n_listen = 0; break;
	case O_FORWARD: c->n_forward = 0; break;
	case O_STUB: c->n_stub = 0; break;
	case O_ALLOW: c->allow.n = 0; break;
	case O_SKIP: st->skip.n = 0; break;
	}
}

/* Remember where key was set: "--key" from a flag, "CONF:LINE: key"
 * from the configuration file. */
static void
set_from(char *out, size_t len, const struct parse_state *st,
	const char *key)
{
	if (st->path != NULL && st->line != NULL)
		snprintf(out, len, "%.100s:%d: %s", st->path, *st->line, key);
	else
		snprintf(out, len, "--%s", key);
}

/*
 * Apply one setting. val is the value (NULL for a switch given as a
 * flag; "yes"/"no" for a switch from the file). Returns 0, or 2 with
 * errmsg set.
 */
static int
config_set(struct config *c, struct parse_state *st, int id,
	const char *val)
{
	uint32_t v;
	int on = 1;

	if (val && (id == O_NOVERSION || id == O_NOIDENTITY || id == O_NONSID ||
	    id == O_NODEFSKIP || id == O_SYSLOG || id == O_QUERYLOG) &&
	    parse_bool(val, &on) != 0)
		return 2;
	replace_list(c, st, id);
	switch (id) {
	case O_LISTEN: return add_listen(c, val);
	case O_ZONE: return parse_domain(val, c->zone, sizeof(c->zone));
	case O_DB: return parse_path(val, c->db, sizeof(c->db), 0);
	case O_FORWARD: return add_forward(c, val);
	case O_STUB: return add_stub(c, val);
	case O_WAIT: return parse_u32(val, 0, 60000, &c->wait_ms);
	case O_ALLOW: return add_cidr(&c->allow, val);
	case O_ZONEFILE:
		set_from(c->zone_file_from, sizeof(c->zone_file_from), st,
		    "zone-file");
		return parse_path(val, c->zone_file, sizeof(c->zone_file), 0);
	case O_MAXWAIT: return parse_u32(val, 1, 1000000, &c->max_waiting);
	case O_WORKERS: return parse_u32(val, 1, 64, &c->workers);
	case O_TTLCAP: return parse_u32(val, 0, 604800, &c->ttl_cap);
	case O_SHORTTTL: return parse_u32(val, 0, 3600, &c->short_ttl);
	case O_STALETTL: return parse_u32(val, 0, 3600, &c->stale_ttl);
	case O_IDENTITY:
		if (strlen(val) > 255)
			return bad(val, "is longer than 255");
		snprintf(c->identity, sizeof(c->identity), "%s", val);
		return 0;
	case O_NOVERSION: c->no_version = on; return 0;
	case O_NOIDENTITY: c->no_identity = on; return 0;
	case O_NONSID: c->no_nsid = on; return 0;
	case O_TCPMAX: return parse_u32(val, 1, 100000, &c->tcp_max);
	case O_TCPIDLE: return parse_u32(val, 100, 3600000, &c->tcp_idle_ms);
	case O_MAXNAMES: return parse_u32(val, 1, 64, &c->max_names);
	case O_INFLIGHT: return parse_u32(val, 1, 100000, &c->max_inflight);
	case O_QUEUE: return parse_u32(val, 1, 10000000, &c->max_queue);
	case O_CHECKTO:
		return parse_u32(val, 100, 600000, &c->check_timeout_ms);
	case O_TTLMIN: return parse_u32(val, 1, 604800, &c->ttl_min);
	case O_TTLMAX: return parse_u32(val, 1, 604800, &c->ttl_max);
	case O_BOMIN: return parse_u32(val, 1, 86400, &c->backoff_min);
	case O_BOMAX: return parse_u32(val, 1, 86400, &c->backoff_max);
	case O_GRACE: return parse_u32(val, 0, 2592000, &c->grace);
	case O_INTEREST: return parse_u32(val, 1, 2592000, &c->interest);
	case O_SKIP:
		st->skip_set = 1;
		return add_cidr(&st->skip, val);
	case O_NODEFSKIP: st->no_def_skip = on; return 0;
	case O_USER:
		if (strlen(val) >= sizeof(c->user))
			return bad(val, "is too long for a user name");
		snprintf(c->user, sizeof(c->user), "%s", val);
		return 0;
	case O_CHROOT:
		return parse_path(val, c->chroot_dir, sizeof(c->chroot_dir), 1);
	case O_CONTROL:
		/* sun_path holds 108 bytes on Linux */
		if (strlen(val) >= 108)
			return bad(val, "is too long for a Unix socket path");
		snprintf(c->control, sizeof(c->control), "%s", val);
		st->control_set = 1;
		return 0;
	case O_EXEMPT:
		set_from(c->exempt_from, sizeof(c->exempt_from), st, "exempt");
		return parse_path(val, c->exempt_file, sizeof(c->exempt_file), 1);
	case O_BLOCK:
		set_from(c->block_from, sizeof(c->block_from), st, "block");
		return parse_path(val, c->block_file, sizeof(c->block_file), 1);
	case O_METRICS:
		/* no default port: 5300 would be the DNS port */
		if (parse_addr_port(val, 0, c->metrics.addr,
		    &c->metrics.port) != 0)
			return 2;
		c->metrics.v4 = addr_is_v4(c->metrics.addr);
		/* metrics tell what the server knows: loopback only */
		if (!addr_is_loopback(c->metrics.addr))
			return bad(val, "is not a loopback address");
		return 0;
	case O_SYSLOG: c->syslog = on; return 0;
	case O_QUERYLOG: c->query_log = on; return 0;
	case O_VERBOSE:
		if (parse_u32(val, 0, 5, &v) != 0)
			return 2;
		c->verbose = (int)v;
		return 0;
	case O_CHECKERFD:
		if (parse_u32(val, 0, 65535, &v) != 0)
			return 2;
		c->checker_fd = (int)v;
		return 0;
	}
	return bad(val, "is not a setting");
}

/* The program's name for messages: fcrdnsd or fcrdnsctl. */
static const char *
prog(void)
{
	return program_invocation_short_name;
}

struct file_ctx {
	struct config *c;
	struct parse_state *st;
	char key[64];      /* key of the first error */
	int failed;
	int set_on[O_VERSION - O_LISTEN + 1]; /* line a key was set on */
};

/* inih handler: one "key = value". Returns 0 on an error so that
 * ini_parse() reports its line. */
static int
file_handler(void *user, const char *section, const char *name,
	const char *value)
{
	struct file_ctx *fx = user;
	const struct option *o;

	if (fx->failed)
		return 1; /* report only the first error */
	reason_printable(fx->key, sizeof(fx->key), (const uint8_t *)name,
	    strlen(name));
	if (section && *section) {
		snprintf(fx->key, sizeof(fx->key), "[%s]", section);
		snprintf(errmsg, sizeof(errmsg),
		    "sections are not used: put keys at the top level");
		fx->failed = 1;
		return 0;
	}
	for (o = long_opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			break;
	if (!o->name || o->val == O_CONFIG || o->val == O_CHECKERFD ||
	    o->val == O_HELP || o->val == O_VERSION) {
		snprintf(errmsg, sizeof(errmsg), "unknown key");
		fx->failed = 1;
		return 0;
	}
	/* a key given twice is a mistake whichever one wins (unbound and
	 * NSD take the last, Postfix warns): only the lists repeat */
	if (!is_list(o->val)) {
		int *at = &fx->set_on[o->val - O_LISTEN];
		if (*at) {
			snprintf(errmsg, sizeof(errmsg), "already set on line "
			    "%d (only listen, forward, stub, allow-query and "
			    "skip may repeat)", *at);
			fx->failed = 1;
			return 0;
		}
		*at = *fx->st->line;
	}
	if (config_set(fx->c, fx->st, o->val, value) != 0) {
		fx->failed = 1;
		return 0;
	}
	return 1;
}

struct file_reader {
	FILE *f;
	int line;
	int max;           /* longest line inih takes (its buffer, less 2) */
	const char *bad;   /* why reading stopped early, or NULL */
};

/*
 * inih's line reader (an fgets with checks). inih would cut a long line
 * at its buffer and parse the rest as the next line, so a commented-out
 * "no-version = yes" at column 200 would turn on; and a binary file
 * would be read as text. Both stop the parse with a message instead.
 */
static char *
file_reader(char *str, int num, void *stream)
{
	struct file_reader *fr = stream;
	size_t len, i;

	fr->max = num - 2;
	if (fr->bad || !fgets(str, num, fr->f))
		return NULL;
	fr->line++;
	len = strlen(str);
	if (len + 1 < (size_t)num && !feof(fr->f) &&
	    (len == 0 || str[len - 1] != '\n')) {
		fr->bad = "a NUL octet in the line";
		return NULL;
	}
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(fr->f)) {
		fr->bad = "line too long";
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)str[i];
		if (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') {
			fr->bad = "a control character in the line";
			return NULL;
		}
	}
	/* inih joins an indented line to the key above it (its multi-line
	 * values): "  wait-ms = 900" under "zone = x" would become part of
	 * the zone name. Indentation means nothing here: drop it. */
	i = strspn(str, " \t");
	if (i > 0) {
		memmove(str, str + i, len - i + 1);
		len -= i;
		i = 0;
	}
	/* inih would take "[x]" in, and report it on the next key's line */
	if (str[i] == '[') {
		fr->bad = "[section] headers are not used: put keys at the "
		    "top level";
		return NULL;
	}
	/* fcrdnsd.conf(5): "#" after white space starts a comment, as ";"
	 * does for inih (a "#" inside a word, as in a path, does not) */
	for (i = 1; i < len; i++)
		if (str[i] == '#' && (str[i - 1] == ' ' || str[i - 1] == '\t')) {
			str[i] = '\n';
			str[i + 1] = '\0';
			break;
		}
	return str;
}

static int
read_file(struct config *c, struct parse_state *st, const char *path)
{
	struct file_ctx fx = { .c = c, .st = st };
	struct file_reader fr = { 0 };
	struct stat sb;
	int line;

	snprintf(c->config_file, sizeof(c->config_file), "%s", path);
	fr.f = fopen(path, "r");
	if (!fr.f || fstat(fileno(fr.f), &sb) != 0) {
		fprintf(stderr, "%s: -c %s: %s\n", prog(), path,
		    strerror(errno ? errno : ENOENT));
		if (fr.f)
			fclose(fr.f);
		return 2;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(stderr, "%s: -c %s: not a regular file\n", prog(), path);
		fclose(fr.f);
		return 2;
	}
	st->path = c->config_file;
	st->line = &fr.line;
	line = ini_parse_stream(file_reader, &fr, file_handler, &fx);
	st->path = NULL;
	st->line = NULL;
	fclose(fr.f);
	if (fr.bad && !fx.failed) {
		if (strcmp(fr.bad, "line too long") == 0)
			fprintf(stderr, "%s: %s:%d: line too long (at most %d "
			    "bytes)\n", prog(), path, fr.line, fr.max);
		else
			fprintf(stderr, "%s: %s:%d: %s\n", prog(), path,
			    fr.line, fr.bad);
		return 2;
	}
	if (line == -1) {
		fprintf(stderr, "%s: -c %s: %s\n", prog(), path,
		    strerror(errno ? errno : ENOENT));
		return 2;
	}
	if (line == -2) {
		fprintf(stderr, "%s: %s: out of memory\n", prog(), path);
		return 2;
	}
	if (line > 0) {
		if (fx.failed)
			fprintf(stderr, "%s: %s:%d: %s: %s\n", prog(), path,
			    line, fx.key, errmsg);
		else
			fprintf(stderr, "%s: %s:%d: not a 'key = value' line\n",
			    prog(), path, line);
		return 2;
	}
	return 0;
}

/* Checks across settings, and the final skip list. */
static int
finish(struct config *c, struct parse_state *file, struct parse_state *flags)
{
	struct cidr_list *skip = flags->skip_set ? &flags->skip : &file->skip;
	int i;

	if (c->ttl_min > c->ttl_max) {
		fprintf(stderr, "%s: --ttl-min: %u is above --ttl-max %u\n",
		    prog(), c->ttl_min, c->ttl_max);
		return 2;
	}
	if (c->backoff_min > c->backoff_max) {
		fprintf(stderr, "%s: --backoff-min: %u is above --backoff-max %u\n",
		    prog(), c->backoff_min, c->backoff_max);
		return 2;
	}
	if (file->no_def_skip || flags->no_def_skip)
		c->skip.n = 0;
	for (i = 0; i < skip->n; i++)
		if (cidr_list_add(&c->skip, &skip->item[i]) != 0) {
			fprintf(stderr, "%s: --skip: too many networks (at most %d)\n",
			    prog(), CIDR_LIST_MAX);
			return 2;
		}
	if (!file->control_set && !flags->control_set &&
	    !*FCRDNSD_DEFAULT_CONTROL) {
		if (strlen(c->db) + sizeof("/fcrdnsd.sock") > 108) {
			fprintf(stderr, "%s: --db %s: too long to hold the control "
			    "socket; give --control\n", prog(), c->db);
			return 2;
		}
		/* length checked above */
		strcpy(c->control, c->db);
		strcat(c->control, "/fcrdnsd.sock");
	}
	if (c->n_listen == 0) {
		c->n_listen = 1;
		(void)addr_parse("127.0.0.1", c->listen[0].addr);
		c->listen[0].v4 = 1;
		c->listen[0].port = 5300;
	}
	/* one UDP thread per worker and address, each with a read
	 * transaction: stay well inside the store's reader table */
	if (c->workers * (uint32_t)c->n_listen > CONFIG_MAX_THREADS) {
		fprintf(stderr, "%s: --workers: %u workers on %d --listen "
		    "addresses is over %d answering threads\n", prog(),
		    c->workers, c->n_listen, CONFIG_MAX_THREADS);
		return 2;
	}
	return 0;
}

int
config_read_file(struct config *c, const char *path)
{
	struct parse_state file = { 0 }, flags = { .from_flags = 1 };
	int r = read_file(c, &file, path);

	return r ? r : finish(c, &file, &flags);
}

/* -c FILE / --config FILE / --config=FILE anywhere in argv, or NULL. */
static const char *
find_config(int argc, char **argv)
{
	const char *found = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) &&
		    i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
			found = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			found = argv[i] + 9;
	}
	return found;
}

int
config_parse(struct config *c, int argc, char **argv)
{
	struct parse_state file = { 0 }, flags = { .from_flags = 1 };
	const char *conf = find_config(argc, argv);
	int ch, r;

	if (conf) {
		if ((r = read_file(c, &file, conf)) != 0)
			return r;
	} else if (*FCRDNSD_DEFAULT_CONF &&
	    access(FCRDNSD_DEFAULT_CONF, F_OK) == 0) {
		if ((r = read_file(c, &file, FCRDNSD_DEFAULT_CONF)) != 0)
			return r;
	}
	optind = 0; /* glibc: full re-initialisation, config_parse may run twice */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":vc:", long_opts, NULL)) != -1) {
		const char *flag = argv[optind - 1];
		/* "--wait-ms --db x": the value is missing, and getopt took
		 * the next flag for it */
		if (optarg != NULL && optarg[0] == '-' && optarg[1] == '-' &&
		    optarg == argv[optind - 1]) {
			fprintf(stderr, "%s: %s: needs a value (%s is a flag)\n",
			    prog(), argv[optind - 2], optarg);
			return 2;
		}
		switch (ch) {
		case 'v': c->verbose++; continue;
		case 'c': case O_CONFIG: continue; /* read above */
		case O_HELP: usage(stdout); return 1;
		case O_VERSION: printf("fcrdnsd " FCRDNSD_VERSION "\n"); return 1;
		case ':':
			fprintf(stderr, "%s: %s: needs a value\n", prog(), flag);
			return 2;
		case '?':
			/* getopt_long sets optopt to the flag of a switch
			 * given a value (--syslog=yes) */
			if (optopt != 0 && optopt != '?') {
				const struct option *o;
				for (o = long_opts; o->name &&
				    o->val != optopt; o++)
					;
				if (o->name) {
					fprintf(stderr, "%s: --%s: takes no "
					    "value\n", prog(), o->name);
					return 2;
				}
			}
			fprintf(stderr, "%s: %s: unknown flag (see --help)\n",
			    prog(), flag);
			return 2;
		}

		if (config_set(c, &flags, ch, optarg) != 0) {
			const struct option *o;
			for (o = long_opts; o->name && o->val != ch; o++)
				;
			fprintf(stderr, "%s: --%s: %s\n", prog(),
			    o->name ? o->name : "?", errmsg);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: '%s': unexpected argument (see --help)\n",
		    prog(), argv[optind]);
		return 2;
	}
	return finish(c, &file, &flags);
}
