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
 *   fcrdnsctl check IP [--forward ADDR[@PORT]].. [--stub ZONE=ADDR[@PORT]]..
 *             [--max-names N] [--check-timeout-ms N] [-v]
 *                               run one check now through the resolvers
 *                               and print its trace; nothing is stored
 *   fcrdnsctl [--control PATH] recheck IP | forget IP | stats | reload
 *                               ask the running fcrdnsd over its control
 *                               socket (server/control.h): re-check now
 *                               with a fresh DNS cache and print the new
 *                               verdict; delete a record; print the
 *                               counters; re-read the exempt/block lists
 *
 * Flags may come before or after the command. The flags fcrdnsd shares
 * (--db, --forward, --stub, --skip, --grace, ...) are handed to
 * config_parse(), so the tool and the daemon cannot disagree on their
 * syntax or defaults (--db is var/db, like the daemon's). A bad flag or
 * value is one line on stderr and exit status 2; an operational failure
 * (store unreadable) is exit status 1.
 *
 * The store is opened read-only and may be in use by a running fcrdnsd:
 * LMDB readers never block its writer. show, dump and check work without
 * a daemon; the control commands say clearly when none is running (exit
 * status 1).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../checker/checker.h"
#include "../common/addr.h"
#include "../common/config.h"
#include "../common/defaults.h"
#include "../common/log.h"
#include "../common/reason.h"
#include "../common/verdict.h"
#include "../server/overrides.h"
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
"       fcrdnsctl check IP [--forward ADDR[@PORT]]... [--stub ZONE=ADDR[@PORT]]... [-v]\n"
"       fcrdnsctl [--control PATH] recheck IP | forget IP | stats | reload\n"
"flags: --db DIR (default %s), --skip CIDR, --no-default-skip,\n"
"       --grace S, --now EPOCH (evaluate show/dump at that time),\n"
"       --max-names N, --check-timeout-ms N, -v, --help, --version,\n"
"       -c FILE (fcrdnsd's configuration file: --db, --control, ...),\n"
"       --control PATH (fcrdnsd's control socket, default %s),\n"
"       --exempt FILE, --block FILE (show notes an override)\n",
	    FCRDNSD_DEFAULT_DB, FCRDNSD_CONTROL_HELP);
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

	char path[4200];

	/* a mistyped --db must not read as "no verdict" */
	snprintf(path, sizeof(path), "%s/data.mdb", c->cfg.db);
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "fcrdnsctl: --db %s: no store there (%s: %s)\n",
		    c->cfg.db, path, strerror(errno));
		return -1;
	}
	if (store_open(st, c->cfg.db, STORE_RDONLY, 0) != STORE_OK)
		return -1;
	return 0;
}

/*
 * show: a second line when --exempt/--block (flags or the configuration
 * file) puts the address on a list, since the list decides its answer
 * whatever is stored (server/overrides.h). Files that do not parse are
 * reported on stderr and ignored here.
 */
static int
ctl_note_override(const struct ctl *c, const uint8_t a[ADDR_LEN])
{
	struct overrides *o;
	struct ovr_hit h;
	char err[700];

	if (!c->cfg.exempt_file[0] && !c->cfg.block_file[0])
		return 0;
	if (overrides_load(&o, c->cfg.exempt_file, c->cfg.block_file, err,
	    sizeof(err)) != 0) {
		/* the daemon refuses to start on such a file: so do we */
		fprintf(stderr, "fcrdnsctl: %s\n", err);
		return -1;
	}
	switch (overrides_match(o, a, &h)) {
	case OVR_EXEMPT:
		printf("note: exempt by %s line %u: answered NXDOMAIN, never "
		    "checked\n", c->cfg.exempt_file, h.line);
		break;
	case OVR_BLOCK:
		printf("note: blocked by %s line %u: answered 127.0.0.%u, "
		    "never checked\n", c->cfg.block_file, h.line, h.code);
		break;
	}
	overrides_free(o);
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
		store_close(st);
		/* fcrdnsctl(8): no such verdict is exit 1 */
		return ctl_note_override(c, a) != 0 ? 2 : 1;
	} else {
		fprintf(stderr, "fcrdnsctl: %s: cannot read the record of %s\n",
		    c->cfg.db, ip);
		store_close(st);
		return 1;
	}
	store_close(st);
	return ctl_note_override(c, a) != 0 ? 2 : 0;
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
 * The control commands: send "COMMAND [IP]\n" to the daemon's control
 * socket (server/control.h), copy its reply lines to stdout, and end on
 * its last line: "ok" (exit 0) or "error: ..." (to stderr, exit 1).
 * A recheck may take the daemon's whole check deadline, so the reply is
 * awaited for --check-timeout-ms plus 10 s (the daemon answers by
 * itself 2 s after its own deadline).
 */
static int
cmd_control(struct ctl *c)
{
	const char *path = c->cfg.control;
	struct sockaddr_un sun;
	uint8_t probe[ADDR_LEN];
	char req[600], buf[4096], last[sizeof(buf)] = "";
	size_t used = 0, n;
	int fd, ms, status = 1;
	struct pollfd pfd;
	ssize_t r;

	if (c->npos > 1 && ctl_addr(c->pos[1], probe) != 0)
		return 2; /* a bad IP is a usage error, daemon or not */
	if (path[0] == '\0') {
		fprintf(stderr, "fcrdnsctl: %s: the control socket is turned "
		    "off (--control \"\")\n", c->pos[0]);
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "fcrdnsctl: --control %s: path too long for a "
		    "Unix socket\n", path);
		return 2;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "fcrdnsctl: no fcrdnsd running on control "
		    "socket %s (connect: %s)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	n = (size_t)snprintf(req, sizeof(req), "%s%s%s\n", c->pos[0],
	    c->npos > 1 ? " " : "", c->npos > 1 ? c->pos[1] : "");
	if (n >= sizeof(req) || write(fd, req, n) != (ssize_t)n) {
		fprintf(stderr, "fcrdnsctl: %s: cannot send the request: %s\n",
		    path, strerror(errno));
		close(fd);
		return 1;
	}
	ms = (int)c->cfg.check_timeout_ms + 10000;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		char *nl;

		if (poll(&pfd, 1, ms) <= 0) {
			fprintf(stderr, "fcrdnsctl: %s: no reply from fcrdnsd "
			    "on %s\n", c->pos[0], path);
			break;
		}
		r = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (used > 0) {  /* a last line without newline */
				buf[used] = '\0';
				snprintf(last, sizeof(last), "%s", buf);
			}
			break;
		}
		used += (size_t)r;
		buf[used] = '\0';
		/* print every complete line but keep the latest back: it
		 * may be the status line */
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (last[0])
				printf("%s\n", last);
			snprintf(last, sizeof(last), "%s", buf);
			n = (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, used - n + 1);
			used -= n;
		}
		if (used == sizeof(buf) - 1) {  /* an endless line */
			printf("%s\n", buf);
			used = 0;
		}
	}
	close(fd);
	if (strcmp(last, "ok") == 0)
		status = 0;
	else if (strncmp(last, "error: ", 7) == 0)
		fprintf(stderr, "fcrdnsctl: %s: %s\n", c->pos[0], last + 7);
	else if (last[0])
		fprintf(stderr, "fcrdnsctl: %s: unexpected reply '%s'\n",
		    c->pos[0], last);
	else
		fprintf(stderr, "fcrdnsctl: %s: fcrdnsd closed the connection "
		    "without a reply\n", c->pos[0]);
	return fflush(stdout) == 0 ? status : 1;
}

/* The commands; the last four talk to a running fcrdnsd. */
static const struct ctl_cmd ctl_cmds[] = {
	{ "show", 1, "show IP", cmd_show },
	{ "dump", 0, "dump", cmd_dump },
	{ "check", 1, "check IP", cmd_check },
	{ "recheck", 1, "recheck IP", cmd_control },
	{ "forget", 1, "forget IP", cmd_control },
	{ "stats", 0, "stats", cmd_control },
	{ "reload", 0, "reload", cmd_control },
};

enum {
	O_DB = 256, O_FORWARD, O_STUB, O_SKIP, O_NODEFSKIP, O_GRACE,
	O_MAXNAMES, O_CHECKTO, O_CONTROL, O_EXEMPT, O_BLOCK, O_CONFIG,
	O_NOW, O_HELP, O_VERSION
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
	{ "control", required_argument, NULL, O_CONTROL },
	{ "exempt", required_argument, NULL, O_EXEMPT },
	{ "block", required_argument, NULL, O_BLOCK },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "now", required_argument, NULL, O_NOW },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};
/* The same flags as config_parse() reads them, in ctl_opts' order. */
static const char *const ctl_flag_text[] = {
	"--db", "--forward", "--stub", "--skip", "--no-default-skip",
	"--grace", "--max-names", "--check-timeout-ms", "--control",
	"--exempt", "--block", "--config", "--now", "--help"
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
	while ((ch = getopt_long(argc, argv, ":vhc:", ctl_opts, NULL)) != -1) {
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
		case O_VERSION:
			/* the daemon's version: they are built together */
			printf("fcrdnsctl %s\n", FCRDNSD_VERSION);
			return 1;
		case 'v':
			cargv[cargc++] = "-v";
			break;
		case 'c':
			cargv[cargc++] = "--config";
			cargv[cargc++] = optarg;
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
		    "check, recheck, forget, stats, reload)\n", c.pos[0]);
		return 2;
	}
	if (c.npos - 1 != cmd->nargs) {
		fprintf(stderr, "fcrdnsctl: %s: usage: fcrdnsctl %s\n",
		    cmd->name, cmd->usage);
		return 2;
	}
	return cmd->run(&c);
}
