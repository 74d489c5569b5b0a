/* Unit tests for lib/daemon: pidfile, --detach, exit signals, files
 * removed at exit.
 *
 * Every daemon here is a real process made with fork(); the test process
 * itself never calls daemonize_start().  Children report back through
 * pipes and exit statuses, never through cmocka (an assertion in a child
 * would run the rest of the suite there).  Each process a test starts is
 * listed, and the teardown kills and reaps whatever is left even when the
 * test failed.  The test process is a child subreaper, so that a detached
 * daemon (a grandchild) is reparented to it and can be reaped too.  No
 * check depends on timing: waits are bounded by WAIT_MSEC only to turn a
 * hang into a failure. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "dirs.h"
#include "poll-loop.h"
#include "timeval.h"

#define WAIT_MSEC 30000         /* How long a child may take to act. */
#define LONG_SLEEP_MSEC (3600LL * 1000)  /* A poll_block() that must wake. */

/* In a child: exits with status 99 (naming the line on stderr) unless
 * COND holds. */
#define CHILD_CHECK(COND)                                               \
    do {                                                                \
        if (!(COND)) {                                                  \
            fprintf(stderr, "%s:%d: child check failed: %s\n",          \
                    __FILE__, __LINE__, #COND);                         \
            _exit(99);                                                  \
        }                                                               \
    } while (0)

/* The current test's temporary run dir. */
static char *tmpdir;

/* Processes the current test started and has not reaped yet. */
static pid_t children[16];
static size_t n_children;

/* Memory the current test allocated, freed by the teardown even when the
 * test fails.  (A leak left by a failed test would otherwise make every
 * later child's exit-time leak check fail as well.) */
static void *allocations[64];
static size_t n_allocations;

static void *
test_own(void *p)
{
    assert_true(n_allocations < ARRAY_SIZE(allocations));
    allocations[n_allocations++] = p;
    return p;
}

static char * PRINTF_FORMAT(1, 2)
test_format(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);
    return test_own(s);
}

static void
free_allocations(void)
{
    for (size_t i = 0; i < n_allocations; i++) {
        free(allocations[i]);
    }
    n_allocations = 0;
}

/* ---- Process helpers. ---- */

static void
child_add(pid_t pid)
{
    assert_true(n_children < ARRAY_SIZE(children));
    children[n_children++] = pid;
}

static void
child_forget(pid_t pid)
{
    for (size_t i = 0; i < n_children; i++) {
        if (children[i] == pid) {
            children[i] = children[--n_children];
            return;
        }
    }
}

/* Forks a child that runs FUNC(AUX), which must not return.  With
 * STDERR_FD, the child's stderr goes to a pipe whose read end is stored
 * there. */
static pid_t
spawn(void (*func)(const void *aux), const void *aux, int *stderr_fd)
{
    int err_pipe[2] = { -1, -1 };
    if (stderr_fd) {
        assert_int_equal(pipe2(err_pipe, O_CLOEXEC), 0);
    }

    fflush(NULL);               /* Or the child repeats buffered output. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        if (stderr_fd) {
            dup2(err_pipe[1], STDERR_FILENO);
        }
        func(aux);
        _exit(98);
    }
    child_add(pid);
    if (stderr_fd) {
        close(err_pipe[1]);
        *stderr_fd = err_pipe[0];
    }
    return pid;
}

/* Waits for child PID to end and returns its wait status.  Fails the test
 * if it has not ended within WAIT_MSEC. */
static int
wait_child(pid_t pid)
{
    long long int deadline = time_msec() + WAIT_MSEC;
    for (;;) {
        int status;
        pid_t ret = waitpid(pid, &status, WNOHANG);
        if (ret == pid) {
            child_forget(pid);
            return status;
        } else if (ret < 0 && errno != EINTR) {
            fail_msg("waitpid(%ld): %s", (long int) pid, strerror(errno));
        } else if (time_msec() > deadline) {
            fail_msg("process %ld did not exit", (long int) pid);
        }
        time_sleep_msec(10);
    }
}

/* Waits for child PID and checks that it exited with status CODE. */
static void
expect_exit(pid_t pid, int code)
{
    int status = wait_child(pid);
    if (!WIFEXITED(status)) {
        fail_msg("process %ld ended with wait status %#x, expected exit %d",
                 (long int) pid, (unsigned int) status, code);
    }
    assert_int_equal(WEXITSTATUS(status), code);
}

/* Kills every listed process and reaps it (in the order they were
 * started, so that a detached daemon is reparented to us by the time it
 * is reaped). */
static void
kill_children(void)
{
    for (size_t i = 0; i < n_children; i++) {
        kill(children[i], SIGKILL);
    }
    for (size_t i = 0; i < n_children; i++) {
        while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR) {
            continue;
        }
    }
    n_children = 0;
}

/* Reads up to N bytes from FD until end of file, waiting up to WAIT_MSEC.
 * Returns the number of bytes read. */
static size_t
read_bounded(int fd, void *buf, size_t n)
{
    long long int deadline = time_msec() + WAIT_MSEC;
    size_t done = 0;
    while (done < n) {
        long long int left = deadline - time_msec();
        if (left <= 0) {
            fail_msg("timed out reading from a child");
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, (int) left) <= 0) {
            continue;
        }
        ssize_t r = read(fd, (char *) buf + done, n - done);
        if (r == 0) {
            break;
        } else if (r < 0 && errno != EINTR) {
            fail_msg("read: %s", strerror(errno));
        } else if (r > 0) {
            done += (size_t) r;
        }
    }
    return done;
}

/* Reads FD to its end as a string and closes FD. */
static char *
read_text(int fd)
{
    char *buf = test_own(xzalloc(8192));
    read_bounded(fd, buf, 8191);
    close(fd);
    return buf;
}

static void
make_pipe(int fds[2])
{
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
}

/* ---- File helpers. ---- */

static char *
tmp_file(const char *name)
{
    return test_format("%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    assert_int_equal(fclose(f), 0);
}

static bool
file_exists(const char *path)
{
    struct stat s;
    return !stat(path, &s);
}

/* Checks that pidfile PATH says PID, as the daemon writes it. */
static void
assert_pidfile_says(const char *path, pid_t pid)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[64] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    char *expected = test_format("%ld\n", (long int) pid);
    assert_int_equal(n, strlen(expected));
    assert_string_equal(buf, expected);
}

static void
assert_reads_pid(const char *path, pid_t pid)
{
    pid_t got = 0;
    assert_int_equal(daemon_read_pidfile(path, &got), 0);
    assert_int_equal(got, pid);
}

static void
assert_read_error(const char *path, int error)
{
    pid_t got = 0;
    assert_int_equal(daemon_read_pidfile(path, &got), error);
}

/* ---- A daemon under test. ---- */

struct daemon_opts {
    const char *pidfile;        /* Relative to the run dir; NULL: none. */
    bool detach;
    bool no_chdir;
    bool die_early;             /* exit(7) before daemonize_complete(). */
    const char *early_file;     /* Created and registered for removal at
                                 * exit before daemonize_start(). */
    int report_fd;              /* Gets a struct report; -1: none. */
    int gate_fd;                /* Wait for a byte before completing
                                 * (first sending our pid); -1: none. */
};

/* What a daemon tells the test once it has completed start-up. */
struct report {
    pid_t pid;
    pid_t sid;
    pid_t read_pid;             /* From daemon_read_pidfile() of our own. */
    int read_error;
    bool cwd_is_root;
    bool stdio_is_null;
};

static bool
stdio_is_dev_null(void)
{
    struct stat null, s;
    if (stat("/dev/null", &null) < 0) {
        return false;
    }
    for (int fd = 0; fd <= STDERR_FILENO; fd++) {
        if (fstat(fd, &s) < 0 || !S_ISCHR(s.st_mode)
            || s.st_rdev != null.st_rdev) {
            return false;
        }
    }
    return true;
}

static void
send_report(int fd)
{
    struct report r = { .pid = getpid(), .sid = getsid(0) };
    char cwd[PATH_MAX];

    r.cwd_is_root = getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/");
    r.stdio_is_null = stdio_is_dev_null();
    r.read_error = (daemon_get_pidfile()
                    ? daemon_read_pidfile(daemon_get_pidfile(), &r.read_pid)
                    : ENOENT);
    CHILD_CHECK(!write_fully(fd, &r, sizeof r));
}

/* Runs a daemon with OPTS until a signal tells it to exit. */
static void NO_RETURN
run_daemon(const void *opts_)
{
    const struct daemon_opts *opts = opts_;

    CHILD_CHECK(!chdir(tmpdir));
    skiff_set_rundir(tmpdir);
    if (opts->pidfile) {
        daemon_set_pidfile(opts->pidfile);
    }
    daemon_set_detach(opts->detach);
    daemon_set_no_chdir(opts->no_chdir);
    if (opts->early_file) {
        FILE *f = fopen(opts->early_file, "w");
        CHILD_CHECK(f && !fclose(f));
        daemon_remove_file_on_exit(opts->early_file);
    }
    daemonize_start();
    if (opts->die_early) {
        exit(7);
    }
    if (opts->gate_fd >= 0) {
        pid_t pid = getpid();
        char byte;
        size_t n;
        CHILD_CHECK(!write_fully(opts->report_fd, &pid, sizeof pid));
        CHILD_CHECK(!read_fully(opts->gate_fd, &byte, 1, &n) && n == 1);
    }
    daemonize_complete();
    if (opts->report_fd >= 0) {
        send_report(opts->report_fd);
    }

    while (!daemon_should_exit()) {
        daemon_wait();
        poll_block();
    }
    exit(EXIT_SUCCESS);
}

/* Starts a daemon (not detached) with pidfile PIDFILE and waits until it
 * has started.  Returns its report. */
static struct report
start_daemon(const char *pidfile)
{
    int report[2];
    make_pipe(report);
    struct daemon_opts opts = {
        .pidfile = pidfile, .report_fd = report[1], .gate_fd = -1,
    };
    pid_t pid = spawn(run_daemon, &opts, NULL);
    close(report[1]);

    struct report r;
    assert_int_equal(read_bounded(report[0], &r, sizeof r), sizeof r);
    close(report[0]);
    assert_int_equal(r.pid, pid);
    return r;
}

/* Sends SIGTERM to daemon PID and checks that it exits with status 0. */
static void
stop_daemon(pid_t pid)
{
    assert_int_equal(kill(pid, SIGTERM), 0);
    expect_exit(pid, 0);
}

/* ---- Pidfile. ---- */

static void
test_pidfile_lifecycle(void **state)
{
    char *path = tmp_file("test.pid");
    struct report r = start_daemon("test.pid");

    /* The daemon reads its own pidfile without dropping its lock. */
    assert_int_equal(r.read_error, 0);
    assert_int_equal(r.read_pid, r.pid);
    assert_pidfile_says(path, r.pid);
    assert_reads_pid(path, r.pid);

    /* Not detached: same session, stdio untouched. */
    assert_int_equal(r.sid, getsid(0));
    assert_false(r.stdio_is_null);

    stop_daemon(r.pid);
    assert_false(file_exists(path));
}

static void
test_pidfile_default_name(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        char *expected;

        CHILD_CHECK(daemon_get_pidfile() == NULL);
        skiff_set_rundir(tmpdir);
        daemon_set_pidfile(NULL);
        expected = xasprintf("%s/test-daemon.pid", tmpdir);
        CHILD_CHECK(!strcmp(daemon_get_pidfile(), expected));
        free(expected);
        daemon_set_pidfile("other.pid");
        expected = xasprintf("%s/other.pid", tmpdir);
        CHILD_CHECK(!strcmp(daemon_get_pidfile(), expected));
        free(expected);
        daemon_set_pidfile("/somewhere/else.pid");
        CHILD_CHECK(!strcmp(daemon_get_pidfile(), "/somewhere/else.pid"));
        _exit(0);
    }
    child_add(pid);
    expect_exit(pid, 0);
}

static void
test_second_instance_refused(void **state)
{
    char *path = tmp_file("test.pid");
    struct report r = start_daemon("test.pid");
    char *pid_text = test_format("process %ld", (long int) r.pid);

    for (int detach = 0; detach < 2; detach++) {
        struct daemon_opts opts = {
            .pidfile = "test.pid", .detach = detach,
            .report_fd = -1, .gate_fd = -1,
        };
        int err_fd;
        pid_t pid = spawn(run_daemon, &opts, &err_fd);
        expect_exit(pid, 1);

        /* With --detach, the parent refuses before it forks. */
        char *err = read_text(err_fd);
        if (!strstr(err, path) || !strstr(err, pid_text)
            || strstr(err, "before completing start-up")) {
            fail_msg("unexpected message: %s", err);
        }
    }

    /* The first one still holds it. */
    assert_reads_pid(path, r.pid);
    stop_daemon(r.pid);
}

static void
test_stale_pidfile_replaced(void **state)
{
    char *path = tmp_file("test.pid");
    struct report first = start_daemon("test.pid");

    assert_int_equal(kill(first.pid, SIGKILL), 0);
    int status = wait_child(first.pid);
    assert_true(WIFSIGNALED(status));
    assert_pidfile_says(path, first.pid);
    assert_read_error(path, ESRCH);

    struct report second = start_daemon("test.pid");
    assert_int_equal(second.read_error, 0);
    assert_pidfile_says(path, second.pid);
    assert_reads_pid(path, second.pid);

    stop_daemon(second.pid);
    assert_false(file_exists(path));
}

/* A process that locks 'path' as a daemon would, says so on 'ready_fd',
 * and keeps the lock until it reads a byte from 'gate_fd'. */
struct lock_holder_opts {
    const char *path;
    int ready_fd;
    int gate_fd;
};

static void NO_RETURN
hold_lock(const void *opts_)
{
    const struct lock_holder_opts *opts = opts_;
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char byte;
    size_t n;

    int fd = open(opts->path, O_RDWR);
    CHILD_CHECK(fd >= 0);
    CHILD_CHECK(!fcntl(fd, F_SETLK, &lk));
    CHILD_CHECK(!write_fully(opts->ready_fd, "", 1));
    CHILD_CHECK(!read_fully(opts->gate_fd, &byte, 1, &n) && n == 1);
    _exit(0);
}

static void
test_read_pidfile(void **state)
{
    static const char *const garbage[] = {
        "", "\n", "hello\n", "12x\n", "-5\n", " 12\n", "0\n", "12\n\n",
        "99999999999999999999\n",
    };
    char *path = tmp_file("test.pid");
    char *own = test_format("%ld\n", (long int) getpid());

    assert_read_error(path, ENOENT);
    for (size_t i = 0; i < ARRAY_SIZE(garbage); i++) {
        write_file(path, garbage[i]);
        assert_read_error(path, EINVAL);
    }

    /* A pid, but no process holds the lock. */
    write_file(path, own);
    assert_read_error(path, ESRCH);
    write_file(path, "1");
    assert_read_error(path, ESRCH);

    /* Locked by a process other than the one it names, then by it. */
    int ready[2], gate[2];
    make_pipe(ready);
    make_pipe(gate);
    struct lock_holder_opts opts = {
        .path = path, .ready_fd = ready[1], .gate_fd = gate[0],
    };
    pid_t holder = spawn(hold_lock, &opts, NULL);
    close(ready[1]);
    close(gate[0]);
    char byte;
    assert_int_equal(read_bounded(ready[0], &byte, 1), 1);

    assert_read_error(path, EINVAL);
    char *holder_text = test_format("%ld\n", (long int) holder);
    write_file(path, holder_text);
    assert_reads_pid(path, holder);

    assert_int_equal(write_fully(gate[1], "", 1), 0);
    expect_exit(holder, 0);
    assert_read_error(path, ESRCH);

    close(ready[0]);
    close(gate[1]);
}

/* ---- --detach. ---- */

static void
test_detach(void **state)
{
    for (int no_chdir = 0; no_chdir < 2; no_chdir++) {
        char *path = tmp_file("test.pid");
        char *early = tmp_file("early");
        int report[2], gate[2];
        make_pipe(report);
        make_pipe(gate);
        struct daemon_opts opts = {
            .pidfile = "test.pid", .detach = true, .no_chdir = no_chdir,
            .early_file = early,
            .report_fd = report[1], .gate_fd = gate[0],
        };
        pid_t parent = spawn(run_daemon, &opts, NULL);
        close(report[1]);
        close(gate[0]);

        /* The daemon has started and waits at the gate: its parent must
         * still be waiting too, and the pidfile names the daemon. */
        pid_t daemon;
        assert_int_equal(read_bounded(report[0], &daemon, sizeof daemon),
                         sizeof daemon);
        child_add(daemon);
        assert_int_not_equal(daemon, parent);
        assert_int_equal(waitpid(parent, NULL, WNOHANG), 0);
        assert_reads_pid(path, daemon);

        /* Once it completes start-up, the parent exits 0. */
        assert_int_equal(write_fully(gate[1], "", 1), 0);
        expect_exit(parent, 0);

        struct report r;
        assert_int_equal(read_bounded(report[0], &r, sizeof r), sizeof r);
        assert_int_equal(r.pid, daemon);
        assert_int_equal(r.sid, daemon);
        assert_int_not_equal(r.sid, getsid(0));
        assert_true(r.stdio_is_null);
        assert_int_equal(r.cwd_is_root, !no_chdir);
        assert_int_equal(r.read_error, 0);
        assert_int_equal(r.read_pid, daemon);
        assert_pidfile_says(path, daemon);

        /* The daemon, not its parent, removes what was registered before
         * the fork.  (It was reparented to us, a subreaper.) */
        assert_true(file_exists(early));
        stop_daemon(daemon);
        assert_false(file_exists(path));
        assert_false(file_exists(early));

        close(report[0]);
        close(gate[1]);
        }
}

static void
test_detach_child_dies(void **state)
{
    char *path = tmp_file("test.pid");
    struct daemon_opts opts = {
        .pidfile = "test.pid", .detach = true, .die_early = true,
        .report_fd = -1, .gate_fd = -1,
    };
    int err_fd;
    pid_t parent = spawn(run_daemon, &opts, &err_fd);
    expect_exit(parent, 1);

    char *err = read_text(err_fd);
    if (!strstr(err, "exited with status 7 before completing start-up")) {
        fail_msg("unexpected message: %s", err);
    }

    /* The child's exit() removed its pidfile. */
    assert_read_error(path, ENOENT);
}

/* ---- Exit requests. ---- */

/* Starts the daemon machinery without a pidfile; then, after writing a
 * byte to fd AUX, blocks in poll_block() with a long timer until told to
 * exit, and exits 0 if daemon_should_exit() says so. */
static void NO_RETURN
wait_for_exit(const void *aux)
{
    const int *ready_fd = aux;

    skiff_set_rundir(tmpdir);
    daemonize_start();
    daemonize_complete();
    CHILD_CHECK(!daemon_should_exit());
    CHILD_CHECK(!write_fully(*ready_fd, "", 1));

    poll_timer_wait(LONG_SLEEP_MSEC);
    daemon_wait();
    poll_block();
    CHILD_CHECK(daemon_should_exit());
    CHILD_CHECK(daemon_should_exit());   /* And it stays so. */
    exit(EXIT_SUCCESS);
}

static void
test_signals_wake_poll_block(void **state)
{
    static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

    for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
        int ready[2];
        make_pipe(ready);
        pid_t pid = spawn(wait_for_exit, &ready[1], NULL);
        close(ready[1]);

        char byte;
        assert_int_equal(read_bounded(ready[0], &byte, 1), 1);
        close(ready[0]);
        assert_int_equal(kill(pid, signals[i]), 0);
        expect_exit(pid, 0);
    }
}

/* A signal that arrives after daemon_wait() but before poll_block() (so
 * that poll() is not interrupted) still wakes it. */
static void NO_RETURN
signal_before_block(const void *aux)
{
    skiff_set_rundir(tmpdir);
    daemonize_start();
    CHILD_CHECK(!daemon_should_exit());
    poll_timer_wait(LONG_SLEEP_MSEC);
    daemon_wait();
    raise(SIGHUP);
    poll_block();
    CHILD_CHECK(daemon_should_exit());

    /* SIGPIPE is ignored: writing to a closed pipe fails with EPIPE. */
    int fds[2];
    CHILD_CHECK(!pipe(fds));
    close(fds[0]);
    CHILD_CHECK(write(fds[1], "", 1) < 0 && errno == EPIPE);
    exit(EXIT_SUCCESS);
}

static void
test_signal_before_block(void **state)
{
    pid_t pid = spawn(signal_before_block, NULL, NULL);
    expect_exit(pid, 0);
}

static void *
request_exit_thread(void *aux)
{
    daemon_request_exit();
    return NULL;
}

/* daemon_request_exit() in this thread, and in another thread while this
 * one blocks. */
static void NO_RETURN
request_exit(const void *aux)
{
    const bool *from_thread = aux;
    pthread_t thread;

    skiff_set_rundir(tmpdir);
    daemonize_start();
    CHILD_CHECK(!daemon_should_exit());
    if (*from_thread) {
        CHILD_CHECK(!pthread_create(&thread, NULL, request_exit_thread,
                                    NULL));
    } else {
        daemon_request_exit();
    }
    while (!daemon_should_exit()) {
        poll_timer_wait(LONG_SLEEP_MSEC);
        daemon_wait();
        poll_block();
    }
    if (*from_thread) {
        CHILD_CHECK(!pthread_join(thread, NULL));
    }
    exit(EXIT_SUCCESS);
}

static void
test_request_exit(void **state)
{
    for (int i = 0; i < 2; i++) {
        bool from_thread = i;
        pid_t pid = spawn(request_exit, &from_thread, NULL);
        expect_exit(pid, 0);
    }
}

/* ---- Files removed at exit. ---- */

static void NO_RETURN
remove_files(const void *aux)
{
    static const char *const names[] = { "a", "b", "c", "d" };
    char *d_abs = xasprintf("%s/d", tmpdir);

    CHILD_CHECK(!chdir(tmpdir));
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        FILE *f = fopen(names[i], "w");
        CHILD_CHECK(f && !fclose(f));
    }
    daemon_remove_file_on_exit("a");
    daemon_remove_file_on_exit("b");
    daemon_remove_file_on_exit("c");
    daemon_remove_file_on_exit("c");
    daemon_remove_file_on_exit("d");
    daemon_forget_file_on_exit("b");
    daemon_forget_file_on_exit(d_abs);    /* Same file, absolute name. */
    free(d_abs);

    /* A forked child's exit does not remove its parent's files. */
    pid_t pid = fork();
    CHILD_CHECK(pid >= 0);
    if (!pid) {
        exit(EXIT_SUCCESS);
    }
    int status;
    CHILD_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    CHILD_CHECK(!access("a", F_OK));

    /* Relative names were resolved when registered. */
    CHILD_CHECK(!chdir("/"));
    exit(EXIT_SUCCESS);
}

static void
test_remove_file_on_exit(void **state)
{
    pid_t pid = spawn(remove_files, NULL, NULL);
    expect_exit(pid, 0);

    static const struct {
        const char *name;
        bool exists;
    } files[] = {
        { "a", false }, { "b", true }, { "c", false }, { "d", true },
    };
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        char *path = tmp_file(files[i].name);
        if (file_exists(path) != files[i].exists) {
            fail_msg("%s: %s", path,
                     files[i].exists ? "removed" : "not removed");
        }
        }
}

/* ---- Fixtures. ---- */

static int
setup(void **state)
{
    tmpdir = unit_mkdtemp();
    n_children = 0;
    return 0;
}

static int
teardown(void **state)
{
    kill_children();
    free_allocations();
    unit_rmdir_r(tmpdir);
    free(tmpdir);
    tmpdir = NULL;
    return 0;
}

#define TEST(NAME) cmocka_unit_test_setup_teardown(NAME, setup, teardown)

int
main(void)
{
    set_program_name("test-daemon");

    /* Detached daemons are our grandchildren: reap them ourselves. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        perror("prctl(PR_SET_CHILD_SUBREAPER)");
        return EXIT_FAILURE;
    }

    const struct CMUnitTest tests[] = {
        TEST(test_pidfile_lifecycle),
        TEST(test_pidfile_default_name),
        TEST(test_second_instance_refused),
        TEST(test_stale_pidfile_replaced),
        TEST(test_read_pidfile),
        TEST(test_detach),
        TEST(test_detach_child_dies),
        TEST(test_signals_wake_poll_block),
        TEST(test_signal_before_block),
        TEST(test_request_exit),
        TEST(test_remove_file_on_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
