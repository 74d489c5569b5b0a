/*
 * daemon: what every Skiff daemon does to start, run and stop.
 *
 *     main():
 *         parse options (DAEMON_OPTION_HANDLERS)
 *         daemonize_start();     pidfile; with --detach, fork and wait
 *         ... set up sockets ...
 *         daemonize_complete();  the parent exits 0; the child goes on
 *         while (!daemon_should_exit()) {
 *             ..._run(); ..._wait(); daemon_wait(); poll_block();
 *         }
 *         ... tear down ...     files registered with
 *                               daemon_remove_file_on_exit() go at exit
 *
 * SIGTERM, SIGINT and SIGHUP (and the control socket's "exit") make
 * daemon_should_exit() true; the daemon leaves its loop and cleans up.
 *
 * A pidfile is held with a write lock while the daemon runs, so a stale
 * pidfile (from a crash) is told from a live daemon, and a second daemon
 * with the same pidfile refuses to start.
 */
#ifndef SKIFF_DAEMON_H
#define SKIFF_DAEMON_H 1

#include <stdbool.h>
#include <sys/types.h>

/* NAME: the pidfile path (relative to the run dir), or NULL for
 * <rundir>/<program>.pid. */
void daemon_set_pidfile(const char *name);
/* The pidfile's absolute path, or NULL when there is none. */
const char *daemon_get_pidfile(void);
void daemon_set_detach(bool detach);
void daemon_set_no_chdir(bool no_chdir);

/* Creates the run dir, installs the signal handlers and, with --detach,
 * forks: the parent waits until the child calls daemonize_complete() (then
 * exits 0) or dies (then exits 1).  Writes the pidfile.  Exits with an
 * error message if the pidfile is held by a running daemon. */
void daemonize_start(void);

/* Tells a waiting parent that start-up succeeded; with --detach, starts a
 * new session, changes to / and points stdin, stdout and stderr at
 * /dev/null. */
void daemonize_complete(void);

bool daemon_should_exit(void);
void daemon_request_exit(void);
/* Wakes the poll loop when a signal arrives. */
void daemon_wait(void);

/* Removes PATH when the process exits normally (through exit() or a
 * return from main()).  Only the process that registered PATH removes it,
 * not a child made by fork(); with --detach, the daemon takes over what its
 * parent registered.  A relative PATH is taken from the current directory
 * at the time of the call, in both functions. */
void daemon_remove_file_on_exit(const char *path);
/* Stops removing PATH (e.g. after removing it yourself). */
void daemon_forget_file_on_exit(const char *path);

/* Reads the pid of the daemon that holds pidfile PATH.  Returns 0 and
 * *pidp, ENOENT if there is no pidfile, EINVAL if it does not hold a pid
 * or holds another pid than its lock holder's (e.g. a daemon is still
 * writing it), ESRCH if it holds a pid but no process holds its lock
 * (stale), or another positive errno value.  A daemon may read its own. */
int daemon_read_pidfile(const char *path, pid_t *pidp);

#define DAEMON_OPTION_ENUMS                     \
    OPT_DETACH,                                 \
    OPT_PIDFILE,                                \
    OPT_NO_CHDIR,                               \
    OPT_RUNDIR
#define DAEMON_LONG_OPTIONS                                             \
    {"detach", no_argument, NULL, OPT_DETACH},                          \
    {"pidfile", optional_argument, NULL, OPT_PIDFILE},                  \
    {"no-chdir", no_argument, NULL, OPT_NO_CHDIR},                      \
    {"rundir", required_argument, NULL, OPT_RUNDIR}
#define DAEMON_OPTION_HANDLERS                  \
    case OPT_DETACH:                            \
        daemon_set_detach(true);                \
        break;                                  \
    case OPT_PIDFILE:                           \
        daemon_set_pidfile(optarg);             \
        break;                                  \
    case OPT_NO_CHDIR:                          \
        daemon_set_no_chdir(true);              \
        break;                                  \
    case OPT_RUNDIR:                            \
        skiff_set_rundir(optarg);               \
        break;

#define DAEMON_USAGE                                                    \
    "Daemon options:\n"                                                 \
    "  --detach               run in the background\n"                  \
    "  --pidfile[=FILE]       write a pidfile (default <rundir>/%s.pid)\n" \
    "  --no-chdir             with --detach, stay in this directory\n"  \
    "  --rundir=DIR           put run files (sockets, pidfile) in DIR\n"

#endif /* daemon.h */
