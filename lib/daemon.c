/* daemon: pidfile, detaching, exit signals and files removed at exit.
 *
 * The pidfile is locked with a classic fcntl() write lock for as long as
 * the daemon runs.  The kernel drops such a lock when its process dies, so
 * a pidfile nobody holds is stale and may be taken over, and F_GETLK tells
 * anyone which process holds it.  Two things follow from the lock being
 * per process: a child made by fork() does not hold it (with --detach the
 * child takes it itself), and closing any descriptor of the pidfile in the
 * holding process drops it (daemon_read_pidfile() never opens our own).
 *
 * Signals only set a flag and write a byte to a non-blocking self-pipe, so
 * that the main loop's poll_block() wakes even when the signal arrives just
 * before it blocks. */
#include <config.h>

#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dirs.h"
#include "list.h"
#include "poll-loop.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(daemon);

/* Options. */
static bool want_pidfile;
static char *pidfile_name;      /* As given; NULL: "<program>.pid". */
static char *pidfile_path;      /* Resolved from pidfile_name, absolute. */
static bool detach;
static bool no_chdir;

/* The pidfile this process has locked (pidfile_owner is its pid). */
static int pidfile_fd = -1;
static pid_t pidfile_owner;
static dev_t pidfile_dev;
static ino_t pidfile_ino;

/* With --detach, the child's end of the pipe its parent waits on. */
static int notify_fd = -1;

/* Exit requests, set by signal handlers and daemon_request_exit(). */
static atomic_bool exiting;
static atomic_int exit_signo;           /* 0: not from a signal. */
static int signal_fds[2] = { -1, -1 };  /* Self-pipe: read, write. */
static bool exit_logged;

/* Files to remove at exit, each by the process that registered it. */
struct exit_file {
    struct list node;           /* In 'exit_files'. */
    char *path;                 /* Absolute. */
    pid_t owner;
};
static struct list exit_files = LIST_INITIALIZER(&exit_files);
static pthread_mutex_t exit_files_mutex = PTHREAD_MUTEX_INITIALIZER;
static bool exit_hook_installed;

static void pidfile_create(void);
static void pidfile_check_running(void);
static void fork_and_wait(void);
static void signals_install(void);

/* Logs an error and exits with status 1. */
static void NO_RETURN PRINTF_FORMAT(1, 2)
daemon_fatal(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(&this_module, VLL_ERR, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

/* Returns PATH (which it takes) made absolute against the current
 * directory, so that it still names the same file after chdir("/"). */
static char *
absolute_path(char *path)
{
    if (path[0] == '/') {
        return path;
    }
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        VLOG_WARN("%s: cannot make path absolute (%s)",
                  path, strerror(errno));
        return path;
    }
    char *abs = xasprintf("%s/%s", cwd, path);
    free(cwd);
    free(path);
    return abs;
}

void
daemon_set_pidfile(const char *name)
{
    free(pidfile_name);
    pidfile_name = name ? xstrdup(name) : NULL;
    free(pidfile_path);
    pidfile_path = NULL;
    want_pidfile = true;
}

const char *
daemon_get_pidfile(void)
{
    if (!want_pidfile) {
        return NULL;
    }
    if (!pidfile_path) {
        char *name = (pidfile_name ? xstrdup(pidfile_name)
                      : xasprintf("%s.pid", get_program_name()));
        pidfile_path = absolute_path(skiff_rundir_file(name));
        free(name);
    }
    return pidfile_path;
}

void
daemon_set_detach(bool detach_)
{
    detach = detach_;
}

void
daemon_set_no_chdir(bool no_chdir_)
{
    no_chdir = no_chdir_;
}

void
daemonize_start(void)
{
    int error = skiff_rundir_create();
    if (error) {
        daemon_fatal("%s: cannot create run directory (%s)",
                     skiff_rundir(), strerror(error));
    }
    if (detach) {
        if (want_pidfile) {
            /* Fail here, in the foreground, in the common case; the child
             * checks again when it takes the lock. */
            pidfile_check_running();
        }
        fork_and_wait();
    }
    signals_install();
    if (want_pidfile) {
        pidfile_create();
    }
}

/* Points stdin, stdout and stderr at /dev/null. */
static void
close_standard_fds(void)
{
    /* Not O_CLOEXEC: if it lands on 0, 1 or 2, it stays there. */
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) {
        VLOG_WARN("/dev/null: open failed (%s)", strerror(errno));
        return;
    }
    for (int i = 0; i <= STDERR_FILENO; i++) {
        if (fd != i && dup2(fd, i) < 0) {
            VLOG_WARN("dup2(/dev/null, %d) failed (%s)", i, strerror(errno));
        }
    }
    if (fd > STDERR_FILENO) {
        close(fd);
    }
}

void
daemonize_complete(void)
{
    if (notify_fd < 0) {
        return;
    }
    if (setsid() < 0) {
        VLOG_WARN("setsid failed (%s)", strerror(errno));
    }
    if (!no_chdir && chdir("/") < 0) {
        VLOG_WARN("chdir(\"/\") failed (%s)", strerror(errno));
    }
    fflush(NULL);
    close_standard_fds();

    int error = write_fully(notify_fd, "", 1);
    if (error) {
        VLOG_WARN("cannot tell the parent process start-up is done (%s)",
                  strerror(error));
    }
    close(notify_fd);
    notify_fd = -1;
}

/* ---- Detaching. ---- */

/* Describes wait status STATUS, e.g. "exited with status 1".  The caller
 * frees the string. */
static char *
exit_status_to_string(int status)
{
    if (WIFEXITED(status)) {
        return xasprintf("exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        return xasprintf("was killed by signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
    }
    return xasprintf("ended with wait status %#x", (unsigned int) status);
}

/* The parent's side of --detach: waits for the child CHILD to write a byte
 * to FD (start-up done: exit 0) or to die first (exit 1).  _exit() keeps
 * the parent from running exit handlers that belong to the daemon. */
static void NO_RETURN
parent_wait(pid_t child, int fd)
{
    char byte;
    size_t n;
    int error = read_fully(fd, &byte, 1, &n);
    if (!error && n == 1) {
        _exit(EXIT_SUCCESS);
    }

    int status;
    pid_t ret;
    do {
        ret = waitpid(child, &status, 0);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        VLOG_ERR("daemon process %ld died before completing start-up "
                 "(waitpid: %s)", (long int) child, strerror(errno));
    } else {
        char *how = exit_status_to_string(status);
        VLOG_ERR("daemon process %ld %s before completing start-up",
                 (long int) child, how);
        free(how);
    }
    _exit(EXIT_FAILURE);
}

/* Forks.  Only the child returns; the parent exits once the child has
 * called daemonize_complete() or died. */
static void
fork_and_wait(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        daemon_fatal("pipe failed (%s)", strerror(errno));
    }

    fflush(NULL);               /* Or both processes flush the buffers. */
    pid_t pid = fork();
    if (pid < 0) {
        daemon_fatal("fork failed (%s)", strerror(errno));
    } else if (pid > 0) {
        close(fds[1]);
        parent_wait(pid, fds[0]);
    }

    close(fds[0]);
    notify_fd = fds[1];

    /* The daemon is this process now: it removes the files at exit. */
    struct exit_file *f;
    pthread_mutex_lock(&exit_files_mutex);
    LIST_FOR_EACH (f, node, &exit_files) {
        f->owner = getpid();
    }
    pthread_mutex_unlock(&exit_files_mutex);
}

/* ---- Signals. ---- */

static void
exit_signal_handler(int signo)
{
    int saved_errno = errno;
    atomic_store(&exit_signo, signo);
    atomic_store(&exiting, true);
    if (write(signal_fds[1], "", 1) < 0) {
        /* A full pipe is already readable: nothing is lost. */
    }
    errno = saved_errno;
}

static void
signals_install(void)
{
    static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

    if (signal_fds[0] < 0
        && pipe2(signal_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        daemon_fatal("pipe failed (%s)", strerror(errno));
    }

    struct sigaction sa = {
        .sa_handler = exit_signal_handler,
        .sa_flags = SA_RESTART,
    };
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
        if (sigaction(signals[i], &sa, NULL) < 0) {
            daemon_fatal("sigaction(%d) failed (%s)", signals[i],
                         strerror(errno));
        }
    }
    signal(SIGPIPE, SIG_IGN);
}

static const char *
signal_name(int signo)
{
    switch (signo) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

bool
daemon_should_exit(void)
{
    if (signal_fds[0] >= 0) {
        char buf[64];
        while (read(signal_fds[0], buf, sizeof buf) > 0) {
            continue;
        }
    }
    if (!atomic_load(&exiting)) {
        return false;
    }
    if (!exit_logged) {
        int signo = atomic_load(&exit_signo);
        exit_logged = true;
        if (signo) {
            VLOG_INFO("%s received, exiting", signal_name(signo));
        } else {
            VLOG_INFO("exit requested, exiting");
        }
    }
    return true;
}

void
daemon_request_exit(void)
{
    atomic_store(&exiting, true);
    if (signal_fds[1] >= 0 && write(signal_fds[1], "", 1) < 0) {
        /* A full pipe is already readable. */
    }
}

void
daemon_wait(void)
{
    if (atomic_load(&exiting)) {
        poll_immediate_wake();
    } else if (signal_fds[0] >= 0) {
        poll_fd_wait(signal_fds[0], POLLIN);
    }
}

/* ---- Files removed at exit. ---- */

static void
remove_exit_files(void)
{
    pid_t self = getpid();
    struct exit_file *f;

    pthread_mutex_lock(&exit_files_mutex);
    LIST_FOR_EACH_SAFE (f, node, &exit_files) {
        if (f->owner == self && unlink(f->path) < 0 && errno != ENOENT) {
            VLOG_WARN("%s: cannot remove (%s)", f->path, strerror(errno));
        }
        list_remove(&f->node);
        free(f->path);
        free(f);
    }
    pthread_mutex_unlock(&exit_files_mutex);
}

/* Returns the entry for absolute path PATH, or NULL.  The caller holds
 * exit_files_mutex. */
static struct exit_file *
exit_file_find(const char *path)
{
    struct exit_file *f;
    LIST_FOR_EACH (f, node, &exit_files) {
        if (!strcmp(f->path, path)) {
            return f;
        }
    }
    return NULL;
}

void
daemon_remove_file_on_exit(const char *path)
{
    char *abs = absolute_path(xstrdup(path));

    pthread_mutex_lock(&exit_files_mutex);
    if (!exit_hook_installed) {
        exit_hook_installed = true;
        if (atexit(remove_exit_files)) {
            VLOG_WARN("atexit failed: files will stay after exit");
        }
    }
    if (!exit_file_find(abs)) {
        struct exit_file *f = xmalloc(sizeof *f);
        f->path = abs;
        f->owner = getpid();
        list_push_back(&exit_files, &f->node);
        abs = NULL;
    }
    pthread_mutex_unlock(&exit_files_mutex);
    free(abs);
}

void
daemon_forget_file_on_exit(const char *path)
{
    char *abs = absolute_path(xstrdup(path));

    pthread_mutex_lock(&exit_files_mutex);
    struct exit_file *f = exit_file_find(abs);
    if (f) {
        list_remove(&f->node);
        free(f->path);
        free(f);
    }
    pthread_mutex_unlock(&exit_files_mutex);
    free(abs);
}

/* ---- Pidfile. ---- */

/* Sets *HOLDERP to the pid of the process that holds a lock on FD's file,
 * or to 0 if none does.  Returns 0 or a positive errno value. */
static int
pidfile_lock_holder(int fd, pid_t *holderp)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (fcntl(fd, F_GETLK, &lk) < 0) {
        return errno;
    }
    *holderp = lk.l_type == F_UNLCK ? 0 : lk.l_pid;
    return 0;
}

/* Reads the pid written in FD.  Returns 0, EINVAL if the content is not a
 * pid (one decimal number and an optional new-line), or another positive
 * errno value. */
static int
pidfile_parse(int fd, pid_t *pidp)
{
    char buf[32];
    size_t n;
    int error = read_fully(fd, buf, sizeof buf - 1, &n);
    if (error) {
        return error;
    }
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
    }

    long long int pid;
    if (buf[0] < '0' || buf[0] > '9'
        || str_to_llong(buf, 10, 1, INT_MAX, &pid)) {
        return EINVAL;
    }
    *pidp = (pid_t) pid;
    return 0;
}

int
daemon_read_pidfile(const char *path, pid_t *pidp)
{
    struct stat s;
    if (stat(path, &s) < 0) {
        return errno;
    }
    if (pidfile_fd >= 0 && pidfile_owner == getpid()
        && s.st_dev == pidfile_dev && s.st_ino == pidfile_ino) {
        /* Our own: opening and closing it would drop our lock. */
        *pidp = getpid();
        return 0;
    }

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    pid_t written = 0, holder = 0;
    int error = pidfile_parse(fd, &written);
    if (!error) {
        error = pidfile_lock_holder(fd, &holder);
    }
    close(fd);

    if (error) {
        return error;
    } else if (!holder) {
        return ESRCH;
    } else if (holder != written) {
        return EINVAL;
    }
    *pidp = holder;
    return 0;
}

static void NO_RETURN
pidfile_held_fatal(const char *path, pid_t holder)
{
    daemon_fatal("%s is already running as process %ld (pidfile %s)",
                 get_program_name(), (long int) holder, path);
}

/* Exits with an error if a running daemon holds the pidfile. */
static void
pidfile_check_running(void)
{
    const char *path = daemon_get_pidfile();
    pid_t pid;
    if (!daemon_read_pidfile(path, &pid)) {
        pidfile_held_fatal(path, pid);
    }
}

/* Opens and locks pidfile PATH, creating it if needed.  Returns 0 and sets
 * *FDP, EAGAIN and *HOLDERP if another process holds it, ESTALE if it was
 * removed or replaced meanwhile (try again), or a positive errno value. */
static int
pidfile_lock(const char *path, int *fdp, pid_t *holderp)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct stat fs, ps;
    int error = 0;

    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return errno;
    }
    if (fcntl(fd, F_SETLK, &lk) < 0) {
        error = errno == EACCES || errno == EAGAIN ? EAGAIN : errno;
        if (error == EAGAIN
            && (pidfile_lock_holder(fd, holderp) || !*holderp)) {
            error = ESTALE;     /* Released meanwhile. */
        }
        goto close_fd;
    }
    /* A daemon that is exiting removes its pidfile while it still holds
     * the lock; make sure we locked the file that PATH names now. */
    if (fstat(fd, &fs) < 0) {
        error = errno;
        goto close_fd;
    }
    if (stat(path, &ps) < 0
        || ps.st_dev != fs.st_dev || ps.st_ino != fs.st_ino) {
        error = ESTALE;
        goto close_fd;
    }
    if (fs.st_size > 0) {
        VLOG_INFO("%s: replacing stale pidfile", path);
    }
    pidfile_dev = fs.st_dev;
    pidfile_ino = fs.st_ino;
    *fdp = fd;
    return 0;

close_fd:
    close(fd);
    return error;
}

/* Writes our pid into locked pidfile FD.  Returns 0 or a positive errno
 * value. */
static int
pidfile_write(int fd)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", (long int) getpid());
    if (ftruncate(fd, 0) < 0) {
        return errno;
    }
    return write_fully(fd, buf, (size_t) len);
}

/* Takes the pidfile (or exits with an error) and removes it at exit. */
static void
pidfile_create(void)
{
    const char *path = daemon_get_pidfile();
    pid_t holder = 0;
    int fd = -1;
    int error = ESTALE;

    for (int i = 0; i < 10 && error == ESTALE; i++) {
        error = pidfile_lock(path, &fd, &holder);
    }
    if (error == EAGAIN) {
        pidfile_held_fatal(path, holder);
    } else if (error) {
        daemon_fatal("%s: cannot create pidfile (%s)", path,
                     strerror(error));
    }

    error = pidfile_write(fd);
    if (error) {
        unlink(path);           /* While still locked. */
        close(fd);
        daemon_fatal("%s: cannot write pidfile (%s)", path, strerror(error));
    }
    pidfile_fd = fd;
    pidfile_owner = getpid();
    daemon_remove_file_on_exit(path);
}
