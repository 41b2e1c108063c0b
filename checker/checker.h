/*
 * checker.h -- the background FCrDNS checker process.
 *
 * fcrdnsd fork()s and exec()s itself with "--checker-fd N"; main() then
 * calls checker_main(). The checker owns the only LMDB write handle and a
 * libunbound context in event mode on its own libevent base. It reads
 * IPC_CHECK / IPC_REFRESH / IPC_SEEN / IPC_RECHECK from the server on
 * c->checker_fd, runs the check (checker/verdict.h decides), stores the
 * record, and answers IPC_DONE with the verdict.
 */
#ifndef FCRDNS_CHECKER_H
#define FCRDNS_CHECKER_H

#include <stdio.h>
#include "../common/addr.h"
#include "../common/config.h"

/* Run the checker until the server's end of the socketpair closes or
 * SIGTERM arrives. Returns the process exit status (0 clean). */
int checker_main(const struct config *c);

/*
 * fcrdnsctl check: run one check of addr now with the resolvers of c
 * (--forward / --stub / resolv.conf), nothing stored, and print the trace
 * to out like host(1): the PTR lookup's outcome, each name kept and its
 * addresses or error, then the verdict and why it follows.
 * Returns the verdict (enum verdict).
 */
int checker_run_once(const struct config *c, const uint8_t addr[ADDR_LEN],
	FILE *out);

#endif
