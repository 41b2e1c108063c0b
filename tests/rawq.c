/*
 * rawq.c -- send raw DNS queries to a server on loopback and print the
 * replies in a stable, grep-able form (tests/conformance.sh uses it for
 * the queries dig and kdig cannot express).
 *
 *   rawq [-t | -P] [-w MS] [-s ADDR] [-H] PORT QUERY...
 *
 *   -t      TCP, one connection per QUERY (2-byte length framing)
 *   -P      TCP, every QUERY pipelined on ONE connection: all are written
 *           first, then the answers are read (in any order, matched by id)
 *   -w MS   how long to wait for each reply (UDP) or for all (TCP); 2000
 *   -s ADDR server address (default 127.0.0.1)
 *   -H      print each built query as hex (no network) and exit
 *
 * A QUERY is either
 *   hex:HEX               the raw bytes (spaces, ':' and '.' are ignored)
 * or a query built here (the canned forms):
 *   NAME/TYPE[/OPT,...]   NAME as text, case kept, no escapes ("." is the
 *                         root); a label longer than 63 is written with its
 *                         real length, so an illegal length octet results.
 *                         TYPE is A NS SOA TXT AAAA MX PTR ANY AXFR IXFR
 *                         OPT or a number. OPTs:
 *     id=N class=IN|CH|N opcode=N rd cd ad z ra qr tc aa
 *     qd=N an=N ns=N ar=N  (override a header count, nothing else changes)
 *     edns[=SIZE]          an OPT record, payload SIZE (default 1232)
 *     do ver=N nsid opt=CODE:HEX   OPT contents (imply edns)
 *     opt2                 a second OPT record
 *     cut=N                send only the first N bytes
 *     ptr                  end the QNAME with a pointer to offset 12
 *                          instead of the root label (c0 0c)
 *   The default id is 4096 + the QUERY's index.
 *
 * Output, one line per item, fields separated by one space:
 *   REPLY id=N len=N opcode=N rcode=NAME qr=B aa=B tc=B rd=B ra=B ad=B
 *         cd=B z=B qd=N an=N ns=N ar=N          (counts as on the wire)
 *   QD OWNER CLASS TYPE
 *   AN|NS|AR OWNER TTL CLASS TYPE RDATA         (ldns' presentation form)
 *   OPT version=N do=B udp=N ercode=N rdlen=N   (one per OPT record seen)
 *   EDNSOPT code=N len=N hex=HEX [text="..."]   (options of that OPT)
 *   MALFORMED STATUS                            (ldns could not decode)
 *   END id=N
 * and, when nothing came back in time, "NOREPLY id=N"; TCP: "CLOSED" when
 * the server closed the connection, "ORDER id id ..." (arrival order).
 * rcode is the full 12-bit RCODE (BADVERS included) when an OPT is there.
 * Exit status 0 if every query got a reply, 1 if not, 2 on usage errors,
 * 3 if the socket could not connect.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#define MAXQ   64
#define MAXPKT 65535

struct q {
	uint8_t b[MAXPKT];
	size_t len;
	uint16_t id;
	int got;
};

static struct q qs[MAXQ];
static int nq;

static void
usage(void)
{
	fprintf(stderr, "usage: rawq [-t | -P] [-w MS] [-s ADDR] [-H] PORT "
	    "QUERY...\n  QUERY: hex:HEX or NAME/TYPE[/OPT,...] "
	    "(see tests/rawq.c)\n");
	exit(2);
}

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "rawq: %s: %s\n", what, arg);
	exit(2);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
put8(struct q *q, unsigned v)
{
	if (q->len >= MAXPKT)
		die("query", "too long");
	q->b[q->len++] = (uint8_t)v;
}

static void
put16(struct q *q, unsigned v)
{
	put8(q, v >> 8);
	put8(q, v & 0xff);
}

static void
set16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned
rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Append the hex string s (separators ignored). */
static void
put_hex(struct q *q, const char *s, const char *arg)
{
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == ':' || *s == '.' || *s == '\n')
			continue;
		if ((v = hexval((unsigned char)*s)) < 0)
			die("not hex", arg);
		if (hi < 0)
			hi = v;
		else {
			put8(q, (unsigned)(hi << 4 | v));
			hi = -1;
		}
	}
	if (hi >= 0)
		die("odd number of hex digits", arg);
}

static unsigned long
num(const char *s, unsigned long max, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (!*s || *end || errno || v > max)
		die("bad number", arg);
	return v;
}

static unsigned
type_num(const char *t, const char *arg)
{
	static const struct { const char *n; unsigned v; } types[] = {
		{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 },
		{ "PTR", 12 }, { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
		{ "OPT", 41 }, { "IXFR", 251 }, { "AXFR", 252 }, { "ANY", 255 },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(t, types[i].n) == 0)
			return types[i].v;
	return (unsigned)num(t, 65535, arg);
}

/* NAME/TYPE[/OPT,...] into q. */
static void
build(struct q *q, char *spec, int idx)
{
	char *arg = strdup(spec), *name, *type, *opts, *o, *save = NULL;
	unsigned id = 4096 + (unsigned)idx, qclass = 1, opcode = 0;
	unsigned flags = 0, edns_size = 1232, ver = 0;
	long counts[4] = { -1, -1, -1, -1 };
	int edns = 0, ednsdo = 0, nsid = 0, opt2 = 0, ptr = 0;
	long cut = -1;
	char optbuf[8][512];
	int nopt = 0;
	size_t rdl_at, start;

	if (!arg)
		die("out of memory", spec);
	name = spec;
	type = strchr(name, '/');
	if (!type)
		die("needs NAME/TYPE", arg);
	*type++ = '\0';
	opts = strchr(type, '/');
	if (opts)
		*opts++ = '\0';
	for (o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	    o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');

		if (v)
			*v++ = '\0';
		if (!strcmp(o, "id") && v)
			id = (unsigned)num(v, 65535, arg);
		else if (!strcmp(o, "class") && v)
			qclass = !strcasecmp(v, "IN") ? 1 :
			    !strcasecmp(v, "CH") ? 3 : (unsigned)num(v, 65535, arg);
		else if (!strcmp(o, "opcode") && v)
			opcode = (unsigned)num(v, 15, arg);
		else if (!strcmp(o, "qr"))
			flags |= 0x8000;
		else if (!strcmp(o, "aa"))
			flags |= 0x0400;
		else if (!strcmp(o, "tc"))
			flags |= 0x0200;
		else if (!strcmp(o, "rd"))
			flags |= 0x0100;
		else if (!strcmp(o, "ra"))
			flags |= 0x0080;
		else if (!strcmp(o, "z"))
			flags |= 0x0040;
		else if (!strcmp(o, "ad"))
			flags |= 0x0020;
		else if (!strcmp(o, "cd"))
			flags |= 0x0010;
		else if (!strcmp(o, "qd") && v)
			counts[0] = (long)num(v, 65535, arg);
		else if (!strcmp(o, "an") && v)
			counts[1] = (long)num(v, 65535, arg);
		else if (!strcmp(o, "ns") && v)
			counts[2] = (long)num(v, 65535, arg);
		else if (!strcmp(o, "ar") && v)
			counts[3] = (long)num(v, 65535, arg);
		else if (!strcmp(o, "edns")) {
			edns = 1;
			if (v)
				edns_size = (unsigned)num(v, 65535, arg);
		} else if (!strcmp(o, "do"))
			edns = ednsdo = 1;
		else if (!strcmp(o, "ver") && v) {
			edns = 1;
			ver = (unsigned)num(v, 255, arg);
		} else if (!strcmp(o, "nsid"))
			edns = nsid = 1;
		else if (!strcmp(o, "opt") && v && nopt < 8 &&
		    strlen(v) < sizeof(optbuf[0])) {
			edns = 1;
			strcpy(optbuf[nopt++], v);
		} else if (!strcmp(o, "opt2"))
			edns = opt2 = 1;
		else if (!strcmp(o, "cut") && v)
			cut = (long)num(v, MAXPKT, arg);
		else if (!strcmp(o, "ptr"))
			ptr = 1;
		else
			die("unknown query option", o);
	}

	q->len = 0;
	q->id = (uint16_t)id;
	put16(q, id);
	put16(q, flags | opcode << 11);
	put16(q, 1);
	put16(q, 0);
	put16(q, 0);
	put16(q, edns ? 1 + opt2 : 0);
	/* QNAME: labels as written, case kept */
	if (strcmp(name, ".") != 0 && *name) {
		char *l = name, *dot;

		for (;;) {
			size_t n;

			dot = strchr(l, '.');
			n = dot ? (size_t)(dot - l) : strlen(l);
			if (n == 0 && !dot)
				break;          /* trailing dot */
			if (n == 0 || n > 255)
				die("empty or huge label", arg);
			put8(q, (unsigned)n);
			while (n--)
				put8(q, (unsigned char)*l++);
			if (!dot)
				break;
			l = dot + 1;
		}
	}
	if (ptr) {
		put8(q, 0xc0);
		put8(q, 0x0c);
	} else
		put8(q, 0);
	put16(q, type_num(type, arg));
	put16(q, qclass);
	/* OPT (RFC 6891 s. 6.1.2) */
	for (int k = 0; edns && k < 1 + opt2; k++) {
		put8(q, 0);
		put16(q, 41);
		put16(q, edns_size);
		put8(q, 0);             /* extended RCODE */
		put8(q, ver);
		put16(q, ednsdo ? 0x8000 : 0);
		rdl_at = q->len;
		put16(q, 0);
		start = q->len;
		if (nsid && k == 0) {
			put16(q, 3);
			put16(q, 0);
		}
		for (int j = 0; j < nopt && k == 0; j++) {
			char *c = strchr(optbuf[j], ':');
			size_t at;

			if (!c)
				die("opt=CODE:HEX", arg);
			*c++ = '\0';
			put16(q, (unsigned)num(optbuf[j], 65535, arg));
			at = q->len;
			put16(q, 0);
			put_hex(q, c, arg);
			set16(q->b + at, (unsigned)(q->len - at - 2));
		}
		set16(q->b + rdl_at, (unsigned)(q->len - start));
	}
	for (int k = 0; k < 4; k++)
		if (counts[k] >= 0)
			set16(q->b + 4 + 2 * k, (unsigned)counts[k]);
	if (cut >= 0 && (size_t)cut < q->len)
		q->len = (size_t)cut;
	free(arg);
}

static void
parse_query(struct q *q, const char *s, int idx)
{
	if (!strncmp(s, "hex:", 4)) {
		q->len = 0;
		put_hex(q, s + 4, s);
		q->id = q->len >= 2 ? (uint16_t)rd16(q->b) : 0;
	} else {
		char *spec = strdup(s);

		if (!spec)
			die("out of memory", s);
		build(q, spec, idx);
		free(spec);
	}
}

/* ---- printing ---------------------------------------------------------- */

static const char *
rcode_name(unsigned rc, char *buf, size_t len)
{
	static const char *names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	    "NXRRSET", "NOTAUTH", "NOTZONE" };

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	if (rc == 16)
		return "BADVERS";
	snprintf(buf, len, "RCODE%u", rc);
	return buf;
}

/* Skip a (possibly compressed) name without following pointers. */
static size_t
skip_name(const uint8_t *p, size_t len, size_t o)
{
	for (;;) {
		if (o >= len)
			return 0;
		if ((p[o] & 0xc0) == 0xc0)
			return o + 2 <= len ? o + 2 : 0;
		if (p[o] & 0xc0)
			return 0;
		if (p[o] == 0)
			return o + 1;
		o += (size_t)p[o] + 1;
	}
}

/*
 * Walk the raw reply for OPT records (ldns folds the first one into the
 * packet and may drop others): print each if out, return the extended
 * RCODE bits of the first, or -1 if there is none (or the walk failed).
 */
static int
print_opts(const uint8_t *p, size_t len, int out)
{
	size_t o = 12, i, n_an, n_all;
	int ext = -1;

	if (len < 12)
		return -1;
	for (i = 0; i < rd16(p + 4); i++) {
		if (!(o = skip_name(p, len, o)) || o + 4 > len)
			return ext;
		o += 4;
	}
	n_an = rd16(p + 6) + rd16(p + 8);
	n_all = n_an + rd16(p + 10);
	for (i = 0; i < n_all; i++) {
		size_t owner = o, rdlen;
		unsigned type;

		if (!(o = skip_name(p, len, o)) || o + 10 > len)
			return ext;
		type = rd16(p + o);
		rdlen = rd16(p + o + 8);
		if (o + 10 + rdlen > len)
			return ext;
		if (type == 41 && i >= n_an && !out) {
			if (ext < 0)
				ext = p[o + 4];
		} else if (type == 41 && i >= n_an) {
			const uint8_t *r = p + o + 10;
			size_t k = 0;

			printf("OPT version=%u do=%u udp=%u ercode=%u rdlen=%zu"
			    " owner=%s\n", p[o + 5], (p[o + 6] & 0x80) ? 1 : 0,
			    rd16(p + o + 2), p[o + 4], rdlen,
			    (o == owner + 1 && p[owner] == 0) ? "root" : "other");
			if (ext < 0)
				ext = p[o + 4];
			while (k + 4 <= rdlen) {
				unsigned code = rd16(r + k), olen = rd16(r + k + 2);
				size_t j;
				int printable = olen > 0;

				k += 4;
				if (k + olen > rdlen) {
					printf("EDNSOPT code=%u len=%u BAD\n",
					    code, olen);
					break;
				}
				printf("EDNSOPT code=%u len=%u hex=", code, olen);
				for (j = 0; j < olen; j++) {
					printf("%02x", r[k + j]);
					if (r[k + j] < 0x20 || r[k + j] > 0x7e ||
					    r[k + j] == '"')
						printable = 0;
				}
				if (printable)
					printf(" text=\"%.*s\"", (int)olen,
					    (const char *)r + k);
				printf("\n");
				k += olen;
			}
		}
		o += 10 + rdlen;
	}
	return ext;
}

/* One RR list of ldns, as "SEC OWNER TTL CLASS TYPE RDATA". */
static void
print_section(const char *sec, ldns_rr_list *l, int question)
{
	size_t i;

	for (i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *s, *c, *out;
		size_t n = 0;
		int sp = 0;

		ldns_rr_set_question(rr, question);
		s = ldns_rr2str(rr);
		if (!s)
			continue;
		out = malloc(strlen(s) + 1);
		if (!out) {
			free(s);
			continue;
		}
		/* tabs and runs of blanks to one space; no ';' of questions */
		for (c = s; *c; c++) {
			if (c == s && *c == ';')
				continue;
			if (*c == '\t' || *c == ' ' || *c == '\n') {
				sp = 1;
				continue;
			}
			if (sp && n > 0)
				out[n++] = ' ';
			sp = 0;
			out[n++] = *c;
		}
		out[n] = '\0';
		printf("%s %s\n", sec, out);
		free(out);
		free(s);
	}
}

static void
print_reply(const uint8_t *p, size_t len)
{
	ldns_pkt *pkt = NULL;
	ldns_status st;
	unsigned rc;
	int ext;
	char rb[16];

	if (len < 12) {
		printf("SHORT len=%zu\n", len);
		return;
	}
	/* the header line needs the extended RCODE: a silent walk first */
	ext = print_opts(p, len, 0);
	rc = (p[3] & 0x0f) | (ext > 0 ? (unsigned)ext << 4 : 0);
	printf("REPLY id=%u len=%zu opcode=%u rcode=%s qr=%d aa=%d tc=%d "
	    "rd=%d ra=%d ad=%d cd=%d z=%d qd=%u an=%u ns=%u ar=%u\n",
	    rd16(p), len, (p[2] >> 3) & 0x0f, rcode_name(rc, rb, sizeof(rb)),
	    !!(p[2] & 0x80), !!(p[2] & 0x04), !!(p[2] & 0x02), !!(p[2] & 0x01),
	    !!(p[3] & 0x80), !!(p[3] & 0x20), !!(p[3] & 0x10),
	    !!(p[3] & 0x40), rd16(p + 4), rd16(p + 6), rd16(p + 8),
	    rd16(p + 10));
	st = ldns_wire2pkt(&pkt, p, len);
	if (st != LDNS_STATUS_OK) {
		printf("MALFORMED %s\n", ldns_get_errorstr_by_id(st));
	} else {
		print_section("QD", ldns_pkt_question(pkt), 1);
		print_section("AN", ldns_pkt_answer(pkt), 0);
		print_section("NS", ldns_pkt_authority(pkt), 0);
		print_section("AR", ldns_pkt_additional(pkt), 0);
		ldns_pkt_free(pkt);
	}
	print_opts(p, len, 1);
	printf("END id=%u\n", rd16(p));
	fflush(stdout);
}

/* Mark the query with this id answered; print the reply. */
static void
got_reply(const uint8_t *p, size_t len)
{
	int i;

	if (len >= 2)
		for (i = 0; i < nq; i++)
			if (!qs[i].got && qs[i].id == rd16(p)) {
				qs[i].got = 1;
				break;
			}
	print_reply(p, len);
}

/* ---- network ----------------------------------------------------------- */

static struct sockaddr_in srv;

static int
tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&srv, sizeof(srv)) != 0) {
		fprintf(stderr, "rawq: connect: %s\n", strerror(errno));
		exit(3);
	}
	return fd;
}

static int
write_all(int fd, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_framed(int fd, const struct q *q)
{
	uint8_t h[2] = { (uint8_t)(q->len >> 8), (uint8_t)q->len };

	return write_all(fd, h, 2) || write_all(fd, q->b, q->len) ? -1 : 0;
}

/*
 * Read framed replies from fd until `want` arrived, the server closed, or
 * the deadline passed. Returns the number read.
 */
static int
tcp_read_replies(int fd, int want, int64_t deadline, char *order,
	size_t orderlen)
{
	static uint8_t buf[2 + MAXPKT];
	size_t have = 0;
	int n = 0;

	while (n < want) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		r = read(fd, buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			printf("CLOSED\n");
			break;
		}
		have += (size_t)r;
		while (have >= 2 && have >= 2 + rd16(buf)) {
			size_t flen = rd16(buf);

			got_reply(buf + 2, flen);
			if (flen >= 2) {
				size_t ol = strlen(order);
				snprintf(order + ol, orderlen - ol, " %u",
				    rd16(buf + 2));
			}
			n++;
			memmove(buf, buf + 2 + flen, have - 2 - flen);
			have -= 2 + flen;
		}
	}
	return n;
}

int
main(int argc, char **argv)
{
	int tcp = 0, pipe_ = 0, hexonly = 0, c, i, missing = 0;
	long wait_ms = 2000;
	const char *server = "127.0.0.1";
	static char order[16 * MAXQ];

	signal(SIGPIPE, SIG_IGN); /* a closed connection is a result */
	while ((c = getopt(argc, argv, "tPw:s:H")) != -1) {
		switch (c) {
		case 't': tcp = 1; break;
		case 'P': tcp = pipe_ = 1; break;
		case 'w': wait_ms = (long)num(optarg, 600000, optarg); break;
		case 's': server = optarg; break;
		case 'H': hexonly = 1; break;
		default: usage();
		}
	}
	if (argc - optind < (hexonly ? 1 : 2))
		usage();
	memset(&srv, 0, sizeof(srv));
	srv.sin_family = AF_INET;
	if (!hexonly) {
		srv.sin_port = htons((uint16_t)num(argv[optind], 65535,
		    argv[optind]));
		if (inet_pton(AF_INET, server, &srv.sin_addr) != 1)
			die("not an IPv4 address", server);
		optind++;
	}
	for (i = optind; i < argc; i++) {
		if (nq >= MAXQ)
			die("too many queries", argv[i]);
		parse_query(&qs[nq], argv[i], nq);
		nq++;
	}
	if (hexonly) {
		for (i = 0; i < nq; i++) {
			for (size_t k = 0; k < qs[i].len; k++)
				printf("%02x", qs[i].b[k]);
			printf("\n");
		}
		return 0;
	}

	if (pipe_) {
		int fd = tcp_connect();

		for (i = 0; i < nq; i++)
			if (send_framed(fd, &qs[i]) != 0) {
				printf("CLOSED\n"); /* reset while writing */
				break;
			}
		tcp_read_replies(fd, nq, now_ms() + wait_ms, order,
		    sizeof(order));
		close(fd);
		printf("ORDER%s\n", order);
	} else {
		for (i = 0; i < nq; i++) {
			int64_t deadline = now_ms() + wait_ms;
			int fd;

			if (tcp) {
				fd = tcp_connect();
				if (send_framed(fd, &qs[i]) == 0)
					tcp_read_replies(fd, 1, deadline,
					    order, sizeof(order));
				else
					printf("CLOSED\n"); /* reset */
				close(fd);
				continue;
			}
			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (fd < 0 || connect(fd, (struct sockaddr *)&srv,
			    sizeof(srv)) != 0) {
				fprintf(stderr, "rawq: udp: %s\n",
				    strerror(errno));
				exit(3);
			}
			if (send(fd, qs[i].b, qs[i].len, 0) < 0)
				fprintf(stderr, "rawq: send: %s\n",
				    strerror(errno));
			/* read until the reply with our id or the deadline */
			while (!qs[i].got) {
				static uint8_t buf[MAXPKT];
				struct pollfd pfd = { fd, POLLIN, 0 };
				int64_t left = deadline - now_ms();
				ssize_t r;

				if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
					break;
				r = recv(fd, buf, sizeof(buf), 0);
				if (r < 0)
					continue; /* ICMP refused etc.: wait on */
				if (r >= 2 && rd16(buf) != qs[i].id) {
					printf("STRAY id=%u\n", rd16(buf));
					continue;
				}
				got_reply(buf, (size_t)r);
			}
			close(fd);
		}
	}
	for (i = 0; i < nq; i++)
		if (!qs[i].got) {
			printf("NOREPLY id=%u\n", qs[i].id);
			missing++;
		}
	fflush(stdout);
	return missing ? 1 : 0;
}
