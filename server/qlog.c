/*
 * qlog.c -- the query log line (see qlog.h).
 *
 * Untrusted bytes read here: the 12-octet header (ID, RCODE, QDCOUNT)
 * and the first question's name and type, each read only after checking
 * that it lies inside pkt[0..len). A compression pointer or a name over
 * 255 octets ends the name with "?" (queries never compress the
 * question, RFC 1035 section 4.1.4 allows it only as a suffix). Label
 * octets outside printable ASCII, and '.' or '\' inside a label, are
 * escaped as \DDD / \. / \\ (RFC 1035 section 5.1), so a line is never
 * broken by what a client sent.
 */
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "qlog.h"

static const char *const qlog_rcodes[16] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "RCODE11",
	"RCODE12", "RCODE13", "RCODE14", "RCODE15"
};

/* The text of a qtype: the common mnemonics, else TYPEnnn (RFC 3597). */
static const char *
qlog_type(uint16_t t, char *buf, size_t len)
{
	switch (t) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	}
	snprintf(buf, len, "TYPE%u", t);
	return buf;
}

/*
 * The question's name as text into out, and *qtype (-1 if the packet
 * ends before it). Returns 0 if there is a question at all.
 */
static int
qlog_question(const uint8_t *pkt, size_t len, char *out, size_t outlen,
	int *qtype)
{
	size_t off = 12, o = 0, wire = 0;
	unsigned lab, i;

	*qtype = -1;
	out[0] = '\0';
	if (len < 12 || (pkt[4] == 0 && pkt[5] == 0))
		return -1;
	for (;;) {
		if (off >= len) {
			snprintf(out + o, outlen - o, "?");
			return 0;
		}
		lab = pkt[off++];
		if (lab == 0)
			break;
		wire += lab + 1;
		if ((lab & 0xc0) != 0 || off + lab > len || wire > 255) {
			snprintf(out + o, outlen - o, "?");
			return 0;
		}
		for (i = 0; i < lab && o + 5 < outlen; i++) {
			uint8_t c = pkt[off + i];

			if (c == '.' || c == '\\')
				o += (size_t)snprintf(out + o, outlen - o,
				    "\\%c", c);
			else if (c <= ' ' || c >= 0x7f)
				o += (size_t)snprintf(out + o, outlen - o,
				    "\\%03u", c);
			else
				out[o++] = (char)c;
		}
		off += lab;
		if (o + 2 < outlen)
			out[o++] = '.';
		out[o] = '\0';
	}
	if (o == 0 && outlen > 1) {
		out[o++] = '.';
		out[o] = '\0';
	}
	if (off + 2 <= len)
		*qtype = (pkt[off] << 8) | pkt[off + 1];
	return 0;
}

void
qlog_packet(const uint8_t client[ADDR_LEN], int tcp, const uint8_t *pkt,
	size_t len, const char *outcome, const char *suffix)
{
	char who[ADDR_STRLEN], name[1100], tbuf[16];
	int qtype = -1;

	if (client != NULL)
		addr_format(client, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "-");
	if (qlog_question(pkt, len, name, sizeof(name), &qtype) != 0)
		snprintf(name, sizeof(name), "(no question)");
	if (outcome == NULL)
		outcome = len >= 12 ? qlog_rcodes[pkt[3] & 0x0f] : "drop";
	log_info("query %s %s id=%u %s %s %s%s%s", who, tcp ? "tcp" : "udp",
	    len >= 2 ? (unsigned)((pkt[0] << 8) | pkt[1]) : 0u, name,
	    qtype < 0 ? "-" : qlog_type((uint16_t)qtype, tbuf, sizeof(tbuf)),
	    outcome, suffix ? " " : "", suffix ? suffix : "");
}
