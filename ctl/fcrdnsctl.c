/*
 * fcrdnsctl.c -- the administrator's tool: read the verdict store, run
 * one check by hand.
 *
 *   fcrdnsctl [--db DIR] [--skip CIDR].. [--no-default-skip] [--now T]
 *             show IP           one line: the verdict a query would get,
 *                               then the stored details
 *   fcrdnsctl [--db DIR] [--now T] dump
 *                               every stored record, one line each,
 *                               address first
 *   fcrdnsctl check IP [--forward ADDR[@PORT]].. [--stub ZONE=ADDR@PORT]..
 *             [--max-names N] [--check-timeout-ms N] [-v]
 *                               run one check now through the resolvers
 *                               and print its trace; nothing is stored
 *
 * Flags may come before or after the command. The flags fcrdnsd shares
 * (--db, --forward, --stub, --skip, --grace, ...) are handed to
 * config_parse(), so the tool and the daemon cannot disagree on their
 * syntax or defaults (--db is var/db, like the daemon's). A bad flag or
 * value is one line on stderr and exit status 2; an operational failure
 * (store unreadable) is exit status 1.
 *
 * The store is opened read-only and may be in use by a running fcrdnsd:
 * LMDB readers never block its writer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../checker/checker.h"
#include "../common/addr.h"
#include "../common/config.h"
#include "../common/log.h"
#include "../common/reason.h"
#include "../common/verdict.h"
#include "../store/store.h"

#define CTL_MAX_ARGS 256

/* Everything a command needs, parsed from argv. */
struct ctl {
	struct config cfg;
	int64_t now;            /* --now, or time(NULL) */
	char *pos[4];           /* command and its operands */
	int npos;
};

struct ctl_cmd {
	const char *name;
	int nargs;              /* operands after the command */
	const char *usage;
	int (*run)(struct ctl *c);  /* NULL: not there yet */
};

static void
ctl_usage(FILE *f)
{
	fprintf(f,
"usage: fcrdnsctl [--db DIR] show IP\n"
"       fcrdnsctl [--db DIR] dump\n"
"       fcrdnsctl check IP [--forward ADDR[@PORT]]... [--stub ZONE=ADDR@PORT]... [-v]\n"
"flags: --db DIR (default var/db), --skip CIDR, --no-default-skip,\n"
"       --grace S, --now EPOCH (evaluate show/dump at that time),\n"
"       --max-names N, --check-timeout-ms N, -v, --help\n");
}

/*
 * The verdict a query for this record would get at now. This is a
 * simplified mirror of the server's serving policy (server/policy.c is
 * authoritative), enough for an operator to see why an address is or is
 * not listed:
 *   fresh    a definitive verdict before its expires_at: that verdict;
 *   stale    past expiry but within --grace: still served while the
 *            address is re-checked (RFC 8767 serve-stale, verdicts.md);
 *   backoff  otherwise, if the latest check failed: TEMPERROR (NXDOMAIN
 *            with the short TTL, retried on the back-off timer);
 *   expired  otherwise NONE: a query would start a check and wait.
 */
static int
ctl_effective(const struct store_record *rec, int64_t now, uint32_t grace,
	const char **state)
{
	if (verdict_is_definitive(rec->def_verdict)) {
		if (now < rec->expires_at) {
			*state = "fresh";
			return rec->def_verdict;
		}
		if (now < rec->expires_at + (int64_t)grace) {
			*state = "stale";
			return rec->def_verdict;
		}
	}
	if (rec->verdict == V_TEMPERROR) {
		*state = "backoff";
		return V_TEMPERROR;
	}
	*state = "expired";
	return V_NONE;
}

/* Print one record: "VERDICT IP state=.. details" (show) or
 * "IP VERDICT state=.. details" (dump, address first). */
static void
ctl_print(FILE *out, const struct ctl *c, const uint8_t key[ADDR_LEN],
	const struct store_record *rec, int addr_first)
{
	char ip[ADDR_STRLEN], detail[4096];
	const char *state;
	int v;

	v = ctl_effective(rec, c->now, c->cfg.grace, &state);
	addr_format(key, ip, sizeof(ip));
	reason_detail(rec, detail, sizeof(detail));
	if (addr_first)
		fprintf(out, "%s %s state=%s %s\n", ip, verdict_name(v),
		    state, detail);
	else
		fprintf(out, "%s %s state=%s %s\n", verdict_name(v), ip,
		    state, detail);
}

/* The IP operand; a bad one is a usage error (exit 2). */
static int
ctl_addr(const char *s, uint8_t a[ADDR_LEN])
{
	if (addr_parse(s, a) != 0) {
		fprintf(stderr, "fcrdnsctl: '%s': not an IPv4 or IPv6 "
		    "address\n", s);
		return -1;
	}
	return 0;
}

static int
ctl_open(const struct ctl *c, struct store **st)
{
	struct stat sb;

	/* only with -v: scripts read the first line of show's output */
	if (c->cfg.verbose && stat(c->cfg.db, &sb) != 0)
		fprintf(stderr, "fcrdnsctl: %s: %s (nothing stored yet?)\n",
		    c->cfg.db, strerror(errno));
	if (store_open(st, c->cfg.db, STORE_RDONLY, 0) != STORE_OK)
		return -1;
	return 0;
}

static int
cmd_show(struct ctl *c)
{
	uint8_t a[ADDR_LEN], t2[ADDR_LEN], t1[ADDR_LEN];
	char ip[ADDR_STRLEN];
	struct store_record rec;
	struct store *st;
	int rc;

	if (ctl_addr(c->pos[1], a) != 0)
		return 2;
	addr_format(a, ip, sizeof(ip));
	/* RFC 5782 section 5: the server answers these itself */
	(void)addr_parse("127.0.0.2", t2);
	(void)addr_parse("127.0.0.1", t1);
	if (memcmp(a, t2, ADDR_LEN) == 0) {
		printf("NO_PTR %s rfc5782=test-entry-listed\n", ip);
		return 0;
	}
	if (memcmp(a, t1, ADDR_LEN) == 0) {
		printf("NOT_APPLICABLE %s rfc5782=test-entry-unlisted\n", ip);
		return 0;
	}
	if (cidr_list_contains(&c->cfg.skip, a)) {
		printf("NOT_APPLICABLE %s skip=range\n", ip);
		return 0;
	}
	if (ctl_open(c, &st) != 0)
		return 1;
	rc = store_get(st, a, &rec);
	if (rc == STORE_OK) {
		ctl_print(stdout, c, a, &rec, 0);
	} else if (rc == STORE_NOTFOUND) {
		printf("NONE %s stored=no\n", ip);
	} else {
		fprintf(stderr, "fcrdnsctl: %s: cannot read the record of %s\n",
		    c->cfg.db, ip);
		store_close(st);
		return 1;
	}
	store_close(st);
	return 0;
}

static int
dump_one(const uint8_t key[ADDR_LEN], const struct store_record *rec,
	void *arg)
{
	ctl_print(stdout, arg, key, rec, 1);
	return 0;
}

static int
cmd_dump(struct ctl *c)
{
	struct store *st;
	int rc;

	if (ctl_open(c, &st) != 0)
		return 1;
	rc = store_foreach(st, dump_one, c);
	store_close(st);
	if (fflush(stdout) != 0 || rc != 0) {
		fprintf(stderr, "fcrdnsctl: %s: dump failed\n", c->cfg.db);
		return 1;
	}
	return 0;
}

static int
cmd_check(struct ctl *c)
{
	uint8_t a[ADDR_LEN];

	if (ctl_addr(c->pos[1], a) != 0)
		return 2;
	(void)checker_run_once(&c->cfg, a, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * The commands. The ones with no run function will talk to a running
 * fcrdnsd over its control socket (not there yet): recheck IP (forced
 * re-check, IPC_RECHECK), forget IP (delete the record), stats
 * (counters), reload (zone file). Add the socket client here and give
 * them run functions; argv handling below already covers them.
 */
static const struct ctl_cmd ctl_cmds[] = {
	{ "show", 1, "show IP", cmd_show },
	{ "dump", 0, "dump", cmd_dump },
	{ "check", 1, "check IP", cmd_check },
	{ "recheck", 1, "recheck IP", NULL },
	{ "forget", 1, "forget IP", NULL },
	{ "stats", 0, "stats", NULL },
	{ "reload", 0, "reload", NULL },
};

enum {
	O_DB = 256, O_FORWARD, O_STUB, O_SKIP, O_NODEFSKIP, O_GRACE,
	O_MAXNAMES, O_CHECKTO, O_NOW, O_HELP
};

/* Flags fcrdnsctl takes; all but --now and --help go to config_parse. */
static const struct option ctl_opts[] = {
	{ "db", required_argument, NULL, O_DB },
	{ "forward", required_argument, NULL, O_FORWARD },
	{ "stub", required_argument, NULL, O_STUB },
	{ "skip", required_argument, NULL, O_SKIP },
	{ "no-default-skip", no_argument, NULL, O_NODEFSKIP },
	{ "grace", required_argument, NULL, O_GRACE },
	{ "max-names", required_argument, NULL, O_MAXNAMES },
	{ "check-timeout-ms", required_argument, NULL, O_CHECKTO },
	{ "now", required_argument, NULL, O_NOW },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};
/* The same flags as config_parse() reads them, in ctl_opts' order. */
static const char *const ctl_flag_text[] = {
	"--db", "--forward", "--stub", "--skip", "--no-default-skip",
	"--grace", "--max-names", "--check-timeout-ms", "--now", "--help"
};

/*
 * Split argv into operands and flags (getopt permutes, so flags may
 * follow the command), then let config_parse() check the shared flags.
 * Returns 0, 1 after --help, or 2 after a one-line error.
 */
static int
ctl_parse(struct ctl *c, int argc, char **argv)
{
	char *cargv[CTL_MAX_ARGS];
	int cargc = 0, ch, i;
	char *end;

	config_defaults(&c->cfg);
	c->now = (int64_t)time(NULL);
	cargv[cargc++] = "fcrdnsctl";
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":vh", ctl_opts, NULL)) != -1) {
		const char *flag = argv[optind - 1];
		if (cargc + 2 >= CTL_MAX_ARGS) {
			fprintf(stderr, "fcrdnsctl: too many flags\n");
			return 2;
		}
		switch (ch) {
		case 'h':
		case O_HELP:
			ctl_usage(stdout);
			return 1;
		case 'v':
			cargv[cargc++] = "-v";
			break;
		case O_NOW:
			errno = 0;
			c->now = (int64_t)strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || c->now < 0) {
				fprintf(stderr, "fcrdnsctl: --now: '%s' is not "
				    "seconds since the epoch\n", optarg);
				return 2;
			}
			break;
		case ':':
			fprintf(stderr, "fcrdnsctl: %s: needs a value\n", flag);
			return 2;
		case '?':
			fprintf(stderr, "fcrdnsctl: %s: unknown flag (see "
			    "--help)\n", flag);
			return 2;
		default:
			/* a shared flag: hand it on as --name VALUE */
			for (i = 0; ctl_opts[i].name; i++)
				if (ctl_opts[i].val == ch)
					break;
			cargv[cargc++] = (char *)ctl_flag_text[i];
			if (ctl_opts[i].has_arg)
				cargv[cargc++] = optarg;
			break;
		}
	}
	for (i = optind; i < argc; i++) {
		if (c->npos == (int)(sizeof(c->pos) / sizeof(c->pos[0]))) {
			fprintf(stderr, "fcrdnsctl: '%s': unexpected argument\n",
			    argv[i]);
			return 2;
		}
		c->pos[c->npos++] = argv[i];
	}
	cargv[cargc] = NULL;
	return config_parse(&c->cfg, cargc, cargv);
}

int
main(int argc, char **argv)
{
	struct ctl c;
	const struct ctl_cmd *cmd = NULL;
	size_t i;
	int r;

	memset(&c, 0, sizeof(c));
	r = ctl_parse(&c, argc, argv);
	if (r != 0)
		return r == 1 ? 0 : 2;
	log_init("fcrdnsctl", c.cfg.verbose);
	if (c.npos == 0) {
		ctl_usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(ctl_cmds[i].name, c.pos[0]) == 0)
			cmd = &ctl_cmds[i];
	if (cmd == NULL) {
		fprintf(stderr, "fcrdnsctl: '%s': unknown command (show, dump, "
		    "check)\n", c.pos[0]);
		return 2;
	}
	if (c.npos - 1 != cmd->nargs) {
		fprintf(stderr, "fcrdnsctl: %s: usage: fcrdnsctl %s\n",
		    cmd->name, cmd->usage);
		return 2;
	}
	if (cmd->run == NULL) {
		fprintf(stderr, "fcrdnsctl: %s: needs the control socket, "
		    "not implemented yet\n", cmd->name);
		return 2;
	}
	return cmd->run(&c);
}
