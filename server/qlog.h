/*
 * qlog.h -- the query log (--query-log): one info line per query.
 *
 *   query 192.0.2.99 udp id=4660 2.2.0.192.fcrdns.local A NOERROR
 *   query 192.0.2.99 udp id=4661 9.2.0.192.fcrdns.local TXT wait
 *   query - udp id=4661 9.2.0.192.fcrdns.local TXT NXDOMAIN after-wait
 *
 * A query answered at once gets one line with its RCODE. A query parked
 * for its check gets a "wait" line when it arrives, and an "after-wait"
 * line with the RCODE when it is answered (the parked copy no longer
 * knows its client: match the two by id and name). "drop" means no
 * answer was sent. respond.c calls this only when cfg->query_log is set,
 * so the log costs nothing when it is off.
 */
#ifndef FCRDNS_QLOG_H
#define FCRDNS_QLOG_H

#include <stddef.h>
#include <stdint.h>
#include "../common/addr.h"

/*
 * Log pkt[0..len): a query (outcome "wait" or "drop") or the answer
 * written in its place (outcome NULL: the RCODE is read from the
 * header). client is NULL when unknown. The packet is parsed with its
 * own bounds checks: a dropped query may be any bytes.
 */
void qlog_packet(const uint8_t client[ADDR_LEN], int tcp, const uint8_t *pkt,
	size_t len, const char *outcome, const char *suffix);

#endif
