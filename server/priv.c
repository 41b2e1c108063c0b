/*
 * priv.c -- dropping root: --user and --chroot (see priv.h).
 *
 * Paths and the chroot. After chroot(DIR) the server and the checker see
 * DIR as "/". A path setting that must still work afterwards (--db, and
 * the control socket and override files the server may reopen) is
 * rewritten once, the same way in both processes: an absolute path inside
 * DIR becomes relative to DIR ("/srv/f/db" with --chroot /srv/f is "db"),
 * and a relative path is taken as relative to DIR. The server chdir()s to
 * DIR before it opens anything, and to "/" (the same directory) after the
 * chroot, so one relative path names the same file before and after.
 * The checker is exec()ed inside the chroot and parses its flags again
 * there, so a configuration file it reads (-c, or the built-in default)
 * must exist at the same path inside DIR, and so must the dynamic loader
 * and the shared libraries of fcrdnsd (bind-mount /usr read-only into
 * DIR); priv_prepare() checks the loader, the file, and that
 * /etc/resolv.conf is there when no --forward is given.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "../common/config.h"
#include "../common/log.h"
#include "priv.h"

static int drop;                /* root, and --user names a user */
static uid_t drop_uid;
static gid_t drop_gid;
static char chroot_abs[PATH_MAX]; /* --chroot, without trailing '/' */

/* --chroot without trailing slashes ("/" becomes ""). */
static int
chroot_root(const struct config *cfg, char *out, size_t len)
{
	size_t n = strlen(cfg->chroot_dir);

	if (cfg->chroot_dir[0] != '/')
		return -1;
	while (n > 0 && cfg->chroot_dir[n - 1] == '/')
		n--;
	if (n >= len)
		return -1;
	memcpy(out, cfg->chroot_dir, n);
	out[n] = '\0';
	return 0;
}

/*
 * Rewrite path (an absolute path inside root, or a relative one) so that
 * it names the same file relative to root. Returns 0; -1 if path is
 * absolute and not inside root (then path is left as it was).
 */
static int
rebase(char *path, size_t len, const char *root)
{
	size_t n = strlen(root);
	const char *rest;

	if (path[0] != '/')
		return 0;
	if (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return -1;
	rest = path + n;
	while (*rest == '/')
		rest++;
	memmove(path, *rest ? rest : ".", strlen(*rest ? rest : ".") + 1);
	(void)len;
	return 0;
}

/* mkdir -p, mode for the components created. */
static int
mkdirs(const char *dir, mode_t mode)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			return -1;
		p[i] = dir[i];
	}
	return 0;
}

/*
 * Give the store directory, and the files directly in it (data.mdb and
 * lock.mdb, maybe made by an earlier run as root), to the user. Symbolic
 * links are not followed below the directory itself.
 */
static int
own_db(const char *db)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int fd, dfd;

	if (mkdirs(db, 0750) != 0) {
		fprintf(stderr, "fcrdnsd: --db %s: cannot create: %s\n", db,
		    strerror(errno));
		return 2;
	}
	fd = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		fprintf(stderr, "fcrdnsd: --db %s: %s\n", db, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	if ((sb.st_uid != drop_uid || sb.st_gid != drop_gid) &&
	    fchown(fd, drop_uid, drop_gid) != 0) {
		fprintf(stderr, "fcrdnsd: --db %s: cannot give it to the "
		    "--user: %s\n", db, strerror(errno));
		close(fd);
		return 2;
	}
	dfd = dup(fd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if ((sb.st_uid != drop_uid || sb.st_gid != drop_gid) &&
		    fchownat(fd, de->d_name, drop_uid, drop_gid,
		    AT_SYMLINK_NOFOLLOW) != 0) {
			fprintf(stderr, "fcrdnsd: --db %s/%s: cannot give it to "
			    "the --user: %s\n", db, de->d_name,
			    strerror(errno));
			closedir(d);
			close(fd);
			return 2;
		}
	}
	closedir(d);
	/* The server opens the store read-only before it drops root; if
	 * lock.mdb is missing then, LMDB would create it owned by root and
	 * the checker (the writer, unprivileged) could not use it. An empty
	 * lock file is one LMDB initialises. */
	if (fstatat(fd, "data.mdb", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(fd, "lock.mdb", &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
	    errno == ENOENT) {
		int lfd = openat(fd, "lock.mdb", O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0640);
		if (lfd >= 0) {
			if (fchown(lfd, drop_uid, drop_gid) != 0)
				log_warn("--db %s/lock.mdb: chown: %s", db,
				    strerror(errno));
			close(lfd);
		}
	}
	close(fd);
	return 0;
}

/* The checker re-reads this file inside the chroot: it must be there. */
static int
in_chroot_exists(const char *root, const char *path)
{
	char p[PATH_MAX * 2];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", root, path);
	return stat(p, &sb) == 0;
}

/*
 * The ELF interpreter (dynamic loader) of our executable into out.
 * Returns 0 if there is one, 1 for a static executable, -1 if unknown.
 */
static int
exe_interp(char *out, size_t len)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	int fd, i, r = 1;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_phentsize != sizeof(ph)) {
		close(fd);
		return -1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i *
		    sizeof(ph)) != (ssize_t)sizeof(ph)) {
			r = -1;
			break;
		}
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz == 0 || ph.p_filesz > len ||
		    pread(fd, out, ph.p_filesz, ph.p_offset) !=
		    (ssize_t)ph.p_filesz) {
			r = -1;
			break;
		}
		out[ph.p_filesz - 1] = '\0';
		r = 0;
		break;
	}
	close(fd);
	return r;
}

int
priv_prepare(struct config *cfg)
{
	int root = geteuid() == 0;
	struct passwd *pw;

	if (cfg->user[0] && root) {
		errno = 0;
		pw = getpwnam(cfg->user);
		if (!pw) {
			fprintf(stderr, "fcrdnsd: --user %s: %s\n", cfg->user,
			    errno ? strerror(errno) : "no such user");
			return 2;
		}
		if (pw->pw_uid == 0) {
			fprintf(stderr, "fcrdnsd: --user %s: has uid 0; name an "
			    "unprivileged user (--user \"\" stays root)\n",
			    cfg->user);
			return 2;
		}
		drop = 1;
		drop_uid = pw->pw_uid;
		drop_gid = pw->pw_gid;
	} else if (cfg->user[0]) {
		log_debug("not started as root: --user %s has nothing to drop",
		    cfg->user);
	}

	if (cfg->chroot_dir[0]) {
		struct stat sb;

		if (!root) {
			fprintf(stderr, "fcrdnsd: --chroot %s: needs fcrdnsd to "
			    "be started as root\n", cfg->chroot_dir);
			return 2;
		}
		if (chroot_root(cfg, chroot_abs, sizeof(chroot_abs)) != 0) {
			fprintf(stderr, "fcrdnsd: --chroot %s: must be an "
			    "absolute path\n", cfg->chroot_dir);
			return 2;
		}
		if (stat(cfg->chroot_dir, &sb) != 0) {
			fprintf(stderr, "fcrdnsd: --chroot %s: %s\n",
			    cfg->chroot_dir, strerror(errno));
			return 2;
		}
		if (!S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "fcrdnsd: --chroot %s: not a directory\n",
			    cfg->chroot_dir);
			return 2;
		}
		if (rebase(cfg->db, sizeof(cfg->db), chroot_abs) != 0) {
			fprintf(stderr, "fcrdnsd: --db %s: is not inside "
			    "--chroot %s\n", cfg->db, cfg->chroot_dir);
			return 2;
		}
		if (rebase(cfg->control, sizeof(cfg->control), chroot_abs) != 0)
			log_warn("--control %s is outside --chroot %s: it "
			    "cannot be removed on exit", cfg->control,
			    cfg->chroot_dir);
		if (rebase(cfg->exempt_file, sizeof(cfg->exempt_file),
		    chroot_abs) != 0)
			log_warn("--exempt %s is outside --chroot %s: it "
			    "cannot be reloaded", cfg->exempt_file,
			    cfg->chroot_dir);
		if (rebase(cfg->block_file, sizeof(cfg->block_file),
		    chroot_abs) != 0)
			log_warn("--block %s is outside --chroot %s: it "
			    "cannot be reloaded", cfg->block_file,
			    cfg->chroot_dir);
		/* the checker is exec()ed inside the chroot: a dynamically
		 * linked fcrdnsd needs its loader and libraries there */
		{
			char interp[PATH_MAX];
			if (exe_interp(interp, sizeof(interp)) == 0 &&
			    !in_chroot_exists(chroot_abs, interp)) {
				fprintf(stderr, "fcrdnsd: --chroot %s: the "
				    "checker is started inside it, and it has "
				    "no %s: bind-mount /usr (and /lib, /lib64) "
				    "read-only into it, see fcrdnsd(8)\n",
				    cfg->chroot_dir, interp);
				return 2;
			}
		}
		if (cfg->config_file[0] &&
		    !in_chroot_exists(chroot_abs, cfg->config_file)) {
			fprintf(stderr, "fcrdnsd: --chroot %s: the checker "
			    "reads %s inside the chroot: copy it to %s/%s\n",
			    cfg->chroot_dir, cfg->config_file,
			    chroot_abs, cfg->config_file);
			return 2;
		}
		if (cfg->n_forward == 0 &&
		    !in_chroot_exists(chroot_abs, "etc/resolv.conf")) {
			fprintf(stderr, "fcrdnsd: --chroot %s: without --forward "
			    "the checker reads /etc/resolv.conf inside the "
			    "chroot: give --forward or copy it to "
			    "%s/etc/resolv.conf\n", cfg->chroot_dir,
			    chroot_abs);
			return 2;
		}
		if (chdir(cfg->chroot_dir) != 0) {
			fprintf(stderr, "fcrdnsd: --chroot %s: %s\n",
			    cfg->chroot_dir, strerror(errno));
			return 2;
		}
	}
	if (drop)
		return own_db(cfg->db);
	return 0;
}

int
priv_drop(const struct config *cfg)
{
	gid_t groups[2];
	int n;

	if (cfg->chroot_dir[0]) {
		if (chroot(chroot_abs[0] ? chroot_abs : "/") != 0 ||
		    chdir("/") != 0) {
			fprintf(stderr, "fcrdnsd: --chroot %s: %s\n",
			    cfg->chroot_dir, strerror(errno));
			return 1;
		}
		log_info("chrooted to %s", cfg->chroot_dir);
	}
	if (!drop) {
		if (geteuid() == 0)
			log_info("running as root: give --user to drop "
			    "privileges");
		return 0;
	}
	if (setgroups(1, &drop_gid) != 0 ||
	    setresgid(drop_gid, drop_gid, drop_gid) != 0 ||
	    setresuid(drop_uid, drop_uid, drop_uid) != 0) {
		fprintf(stderr, "fcrdnsd: --user %s: cannot drop privileges: "
		    "%s\n", cfg->user, strerror(errno));
		return 1;
	}
	/* root must be gone for good: real, effective and saved ids, and
	 * the supplementary groups */
	n = getgroups(2, groups);
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 ||
	    getuid() != drop_uid || geteuid() != drop_uid ||
	    getgid() != drop_gid || getegid() != drop_gid ||
	    n < 0 || n > 1 || (n == 1 && groups[0] != drop_gid)) {
		fprintf(stderr, "fcrdnsd: --user %s: root could be regained "
		    "after the drop; stopping\n", cfg->user);
		return 1;
	}
	if (access(cfg->db, R_OK | W_OK | X_OK) != 0) {
		fprintf(stderr, "fcrdnsd: --db %s: not usable by --user %s: "
		    "%s\n", cfg->db, cfg->user, strerror(errno));
		return 1;
	}
	log_info("dropped privileges to %s (uid %u, gid %u)", cfg->user,
	    (unsigned)drop_uid, (unsigned)drop_gid);
	return 0;
}

int
priv_checker(struct config *cfg)
{
	char root[PATH_MAX];

	/* The server drops before it starts us: root here means it did
	 * not, and the checker (which talks to the internet) must not run
	 * with privileges the operator asked to give up. */
	if (cfg->user[0] && (geteuid() == 0 || getuid() == 0)) {
		fprintf(stderr, "fcrdnsd-checker: running as root although "
		    "--user %s is set; refusing\n", cfg->user);
		return 1;
	}
	if (cfg->chroot_dir[0]) {
		if (chroot_root(cfg, root, sizeof(root)) != 0 ||
		    rebase(cfg->db, sizeof(cfg->db), root) != 0) {
			fprintf(stderr, "fcrdnsd-checker: --db %s: is not "
			    "inside --chroot %s\n", cfg->db, cfg->chroot_dir);
			return 1;
		}
		(void)rebase(cfg->control, sizeof(cfg->control), root);
		(void)rebase(cfg->exempt_file, sizeof(cfg->exempt_file), root);
		(void)rebase(cfg->block_file, sizeof(cfg->block_file), root);
	}
	return 0;
}
