/*
 * config.c -- command-line flags of fcrdnsd (server and checker alike).
 *
 * Every value is checked here, at start-up, and a bad one ends the
 * program with one line naming the flag and the value (exit 2), so that
 * nothing half-configured ever answers queries.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

#define FCRDNSD_VERSION "0.1.0"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->zone, sizeof(c->zone), "fcrdns.local");
	snprintf(c->db, sizeof(c->db), "var/db");
	snprintf(c->zone_file, sizeof(c->zone_file), "zones/fcrdns.local.zone");
	c->wait_ms = 1500;
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
"usage: fcrdnsd [options]\n"
"  --listen ADDR@PORT       UDP and TCP address (repeatable; default 127.0.0.1@5300)\n"
"  --zone NAME              DNSBL zone (default fcrdns.local)\n"
"  --db DIR                 LMDB store directory (default var/db)\n"
"  --forward ADDR[@PORT]    upstream recursive resolver (repeatable;\n"
"                           default: /etc/resolv.conf)\n"
"  --stub ZONE=ADDR@PORT    ask this server directly for names under ZONE\n"
"  --wait-ms N              how long a query for an unchecked address waits (1500)\n"
"  --allow-query CIDR       clients allowed besides loopback (repeatable)\n"
"  --zone-file FILE         apex SOA/NS (default zones/fcrdns.local.zone)\n"
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
"  -v                       more logging (repeatable)\n"
"  --help, --version\n");
}

enum {
	O_LISTEN = 256, O_ZONE, O_DB, O_FORWARD, O_STUB, O_WAIT, O_ALLOW,
	O_ZONEFILE, O_MAXWAIT, O_TTLCAP, O_SHORTTTL, O_STALETTL, O_IDENTITY,
	O_NOVERSION, O_NOIDENTITY, O_NONSID, O_TCPMAX, O_TCPIDLE, O_MAXNAMES,
	O_INFLIGHT, O_QUEUE, O_CHECKTO, O_TTLMIN, O_TTLMAX, O_BOMIN, O_BOMAX,
	O_GRACE, O_INTEREST, O_SKIP, O_NODEFSKIP, O_CHECKERFD, O_HELP,
	O_VERSION
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
	{ "checker-fd", required_argument, NULL, O_CHECKERFD },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static int
bad(const char *flag, const char *val, const char *why)
{
	fprintf(stderr, "fcrdnsd: %s: '%s' %s\n", flag, val, why);
	return 2;
}

/* A whole decimal number within [lo, hi]. */
static int
parse_u32(const char *flag, const char *s, uint32_t lo, uint32_t hi,
	uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return bad(flag, s, "is not a number");
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return bad(flag, s, "is not a number");
	if (errno == ERANGE || v < lo || v > hi) {
		fprintf(stderr, "fcrdnsd: %s: '%s' is out of range %u..%u\n",
		    flag, s, lo, hi);
		return 2;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "ADDR@PORT" (port optional when defport != 0) into addr and port. */
static int
parse_addr_port(const char *flag, const char *s, uint16_t defport,
	uint8_t addr[ADDR_LEN], uint16_t *port)
{
	char buf[80];
	char *at;
	uint32_t p = defport;

	if (strlen(s) >= sizeof(buf))
		return bad(flag, s, "is too long");
	strcpy(buf, s);
	at = strrchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (parse_u32(flag, at, 1, 65535, &p) != 0)
			return 2;
	} else if (defport == 0)
		return bad(flag, s, "needs ADDR@PORT");
	if (addr_parse(buf, addr) != 0)
		return bad(flag, s, "is not an IP address");
	*port = (uint16_t)p;
	return 0;
}

/* A domain name in text: labels of 1..63 octets, at most 253 in all,
 * stored lower-case without the trailing dot. */
static int
parse_domain(const char *flag, const char *s, char *out, size_t outlen)
{
	size_t len = strlen(s), i, lab = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || len >= outlen)
		return bad(flag, s, "is not a domain name");
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '.') {
			if (lab == 0)
				return bad(flag, s, "has an empty label");
			lab = 0;
		} else if (ch <= ' ' || ch >= 0x7f || ch == '\\' ||
		    ++lab > 63) {
			return bad(flag, s, "is not a domain name");
		}
		out[i] = (char)tolower(ch);
	}
	if (lab == 0)
		return bad(flag, s, "has an empty label");
	out[len] = '\0';
	return 0;
}

static int
add_forward(struct config *c, const char *s)
{
	uint8_t a[ADDR_LEN];
	uint16_t port;
	char txt[ADDR_STRLEN];

	if (c->n_forward >= CONFIG_MAX_FORWARD)
		return bad("--forward", s, "is one too many");
	if (parse_addr_port("--forward", s, 53, a, &port) != 0)
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
		return bad("--stub", s, "is one too many");
	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(zone))
		return bad("--stub", s, "needs ZONE=ADDR@PORT");
	memcpy(zone, s, eq - s);
	zone[eq - s] = '\0';
	st = &c->stub[c->n_stub];
	if (parse_domain("--stub", zone, st->zone, sizeof(st->zone)) != 0)
		return 2;
	if (parse_addr_port("--stub", eq + 1, 53, a, &port) != 0)
		return 2;
	snprintf(st->addr, sizeof(st->addr), "%s@%u",
	    addr_format(a, txt, sizeof(txt)), port);
	c->n_stub++;
	return 0;
}

static int
add_listen(struct config *c, const char *s)
{
	struct config_listen *l;

	if (c->n_listen >= CONFIG_MAX_LISTEN)
		return bad("--listen", s, "is one too many");
	l = &c->listen[c->n_listen];
	if (parse_addr_port("--listen", s, 5300, l->addr, &l->port) != 0)
		return 2;
	/* "::ffff:1.2.3.4" cannot be bound as AF_INET6 on every system;
	 * an IPv4 text listens on AF_INET. */
	l->v4 = addr_is_v4(l->addr);
	c->n_listen++;
	return 0;
}

static int
add_cidr(const char *flag, struct cidr_list *l, const char *s)
{
	struct cidr cd;

	if (cidr_parse(s, &cd) != 0)
		return bad(flag, s, "is not an address or CIDR network");
	if (cidr_list_add(l, &cd) != 0)
		return bad(flag, s, "is one too many");
	return 0;
}

int
config_parse(struct config *c, int argc, char **argv)
{
	struct cidr_list skip = { 0 };
	int no_def_skip = 0, ch, r = 0;
	uint32_t v;

	optind = 0; /* glibc: full re-initialisation, config_parse may run twice */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":v", long_opts, NULL)) != -1) {
		const char *flag = argv[optind - 1];
		switch (ch) {
		case 'v': c->verbose++; break;
		case O_LISTEN: r = add_listen(c, optarg); break;
		case O_ZONE:
			r = parse_domain("--zone", optarg, c->zone, sizeof(c->zone));
			break;
		case O_DB:
			if (!*optarg || strlen(optarg) >= sizeof(c->db))
				return bad("--db", optarg, "is not a usable path");
			snprintf(c->db, sizeof(c->db), "%s", optarg);
			break;
		case O_FORWARD: r = add_forward(c, optarg); break;
		case O_STUB: r = add_stub(c, optarg); break;
		case O_WAIT: r = parse_u32("--wait-ms", optarg, 0, 60000, &c->wait_ms); break;
		case O_ALLOW: r = add_cidr("--allow-query", &c->allow, optarg); break;
		case O_ZONEFILE:
			if (!*optarg || strlen(optarg) >= sizeof(c->zone_file))
				return bad("--zone-file", optarg, "is not a usable path");
			snprintf(c->zone_file, sizeof(c->zone_file), "%s", optarg);
			break;
		case O_MAXWAIT: r = parse_u32("--max-waiting", optarg, 1, 1000000, &c->max_waiting); break;
		case O_TTLCAP: r = parse_u32("--ttl-cap", optarg, 0, 604800, &c->ttl_cap); break;
		case O_SHORTTTL: r = parse_u32("--short-ttl", optarg, 0, 3600, &c->short_ttl); break;
		case O_STALETTL: r = parse_u32("--stale-ttl", optarg, 0, 3600, &c->stale_ttl); break;
		case O_IDENTITY:
			if (strlen(optarg) > 255)
				return bad("--identity", optarg, "is longer than 255");
			snprintf(c->identity, sizeof(c->identity), "%s", optarg);
			break;
		case O_NOVERSION: c->no_version = 1; break;
		case O_NOIDENTITY: c->no_identity = 1; break;
		case O_NONSID: c->no_nsid = 1; break;
		case O_TCPMAX: r = parse_u32("--tcp-max", optarg, 1, 100000, &c->tcp_max); break;
		case O_TCPIDLE: r = parse_u32("--tcp-idle-ms", optarg, 100, 3600000, &c->tcp_idle_ms); break;
		case O_MAXNAMES: r = parse_u32("--max-names", optarg, 1, 64, &c->max_names); break;
		case O_INFLIGHT: r = parse_u32("--max-inflight", optarg, 1, 100000, &c->max_inflight); break;
		case O_QUEUE: r = parse_u32("--max-queue", optarg, 1, 10000000, &c->max_queue); break;
		case O_CHECKTO: r = parse_u32("--check-timeout-ms", optarg, 100, 600000, &c->check_timeout_ms); break;
		case O_TTLMIN: r = parse_u32("--ttl-min", optarg, 1, 604800, &c->ttl_min); break;
		case O_TTLMAX: r = parse_u32("--ttl-max", optarg, 1, 604800, &c->ttl_max); break;
		case O_BOMIN: r = parse_u32("--backoff-min", optarg, 1, 86400, &c->backoff_min); break;
		case O_BOMAX: r = parse_u32("--backoff-max", optarg, 1, 86400, &c->backoff_max); break;
		case O_GRACE: r = parse_u32("--grace", optarg, 0, 2592000, &c->grace); break;
		case O_INTEREST: r = parse_u32("--interest", optarg, 1, 2592000, &c->interest); break;
		case O_SKIP: r = add_cidr("--skip", &skip, optarg); break;
		case O_NODEFSKIP: no_def_skip = 1; break;
		case O_CHECKERFD:
			r = parse_u32("--checker-fd", optarg, 0, 65535, &v);
			c->checker_fd = (int)v;
			break;
		case O_HELP: usage(stdout); return 1;
		case O_VERSION: printf("fcrdnsd " FCRDNSD_VERSION "\n"); return 1;
		case ':':
			fprintf(stderr, "fcrdnsd: %s: needs a value\n", flag);
			return 2;
		default:
			fprintf(stderr, "fcrdnsd: %s: unknown flag (see --help)\n",
			    flag);
			return 2;
		}
		if (r != 0)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "fcrdnsd: '%s': unexpected argument (see --help)\n",
		    argv[optind]);
		return 2;
	}
	if (c->ttl_min > c->ttl_max) {
		fprintf(stderr, "fcrdnsd: --ttl-min: %u is above --ttl-max %u\n",
		    c->ttl_min, c->ttl_max);
		return 2;
	}
	if (c->backoff_min > c->backoff_max) {
		fprintf(stderr, "fcrdnsd: --backoff-min: %u is above --backoff-max %u\n",
		    c->backoff_min, c->backoff_max);
		return 2;
	}
	if (no_def_skip)
		c->skip.n = 0;
	for (ch = 0; ch < skip.n; ch++)
		if (cidr_list_add(&c->skip, &skip.item[ch]) != 0)
			return bad("--skip", "...", "makes the list too long");
	if (c->n_listen == 0) {
		c->n_listen = 1;
		(void)addr_parse("127.0.0.1", c->listen[0].addr);
		c->listen[0].v4 = 1;
		c->listen[0].port = 5300;
	}
	return 0;
}
