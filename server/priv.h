/*
 * priv.h -- dropping root: --user and --chroot.
 *
 * fcrdnsd is started as root only to bind port 53. The answer server
 * calls, in this order:
 *
 *   priv_prepare()  first, before --db is made or opened: looks the user up,
 *                   creates --db and gives it to the user (LMDB files
 *                   made by an earlier run as root included), and with
 *                   --chroot makes --db a path that names the same
 *                   directory inside and outside the chroot;
 *   priv_drop()     after every socket is bound (DNS, control, metrics)
 *                   and before the checker is started: chroot, then
 *                   setgroups/setgid/setuid, and checks that root cannot
 *                   be regained. The checker is therefore started as the
 *                   unprivileged user, and so is every restart of it.
 *
 * The checker (exec()ed with --checker-fd) calls priv_checker() right
 * after parsing its flags (it is exec()ed through the descriptor of our
 * executable that main.c opens at start, as /proc is absent inside a
 * chroot): it refuses to run as root when the server was
 * to drop, and applies the same --chroot path rewrite as the server.
 *
 * Started as another user than root, --user is ignored (there is nothing
 * to drop) and --chroot is an error.
 */
#ifndef FCRDNS_PRIV_H
#define FCRDNS_PRIV_H

struct config;

/* Returns 0, or 2 after printing a one-line error naming the flag
 * (--user, --chroot, --db): the caller exits with it. */
int priv_prepare(struct config *cfg);

/* Returns 0, or 1 after printing why (the caller exits 1). */
int priv_drop(const struct config *cfg);

/* In the checker: returns 0, or 1 after printing why. */
int priv_checker(struct config *cfg);

#endif
