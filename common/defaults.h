/*
 * defaults.h -- the defaults that differ between an in-tree build
 * (relative paths, so that `make run` works from a checkout, and no user
 * to drop to) and `make install` (absolute paths under /etc, /var/lib and
 * /run, the fcrdnsd user). The Makefile's install build defines them.
 */
#ifndef FCRDNS_DEFAULTS_H
#define FCRDNS_DEFAULTS_H

#ifndef FCRDNSD_DEFAULT_CONF
#define FCRDNSD_DEFAULT_CONF ""
#endif
#ifndef FCRDNSD_DEFAULT_DB
#define FCRDNSD_DEFAULT_DB "var/db"
#endif
#ifndef FCRDNSD_DEFAULT_ZONE_FILE
#define FCRDNSD_DEFAULT_ZONE_FILE "zones/fcrdns.local.zone"
#endif
#ifndef FCRDNSD_DEFAULT_USER
#define FCRDNSD_DEFAULT_USER ""
#endif
/* "" puts the control socket in the --db directory: one daemon per
 * store, and fcrdnsctl --db DIR finds its daemon. */
#ifndef FCRDNSD_DEFAULT_CONTROL
#define FCRDNSD_DEFAULT_CONTROL ""
#endif

/* The control socket's default as --help prints it. */
#define FCRDNSD_CONTROL_HELP \
	(*FCRDNSD_DEFAULT_CONTROL ? FCRDNSD_DEFAULT_CONTROL : "DB/fcrdnsd.sock")

#endif
