/*
 * dirs: where Skiff keeps its run files (pidfiles, sockets, logs).
 *
 * The run directory is, first found: the one set with skiff_set_rundir()
 * (a program's --rundir option), $SKIFF_RUNDIR, /run/skiff for root,
 * $XDG_RUNTIME_DIR/skiff, or /tmp/skiff-$UID.
 */
#ifndef SKIFF_DIRS_H
#define SKIFF_DIRS_H 1

const char *skiff_rundir(void);
void skiff_set_rundir(const char *dir);

/* Where databases live by default: $SKIFF_DBDIR, /var/lib/skiff for root,
 * else $HOME/.local/share/skiff (or the run directory without $HOME). */
const char *skiff_dbdir(void);

/* Creates the run directory (and its parents) if needed.  Returns 0 or a
 * positive errno value. */
int skiff_rundir_create(void);

/* Returns "<rundir>/<name>" (the caller frees it); NAME is returned as a
 * copy when it is already an absolute path. */
char *skiff_rundir_file(const char *name);

#endif /* dirs.h */
