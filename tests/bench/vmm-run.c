/* vmm-run: runs one virtual machine monitor and measures it, for the
 * VMM benchmark of "make bench" (tests/bench/vmm-bench.sh).
 *
 * It empties the console file, starts COMMAND (the VMM, which must write
 * the guest's serial console to that file), and watches the file with
 * inotify.  It reports, as one line of KEY=VALUE pairs on stdout:
 *
 *   first_line_ms   wall time from just before fork() to the first
 *                   complete line ('\n') in the console file;
 *   first_line_cpu_ms  CPU time of all the VMM's threads at that moment
 *                   (the sum of /proc/PID/task/TID/schedstat's first
 *                   field, in nanoseconds), guest time included;
 *   first_line_main_cpu_ms  the same for the main thread alone;
 *
 * and then, without --until, waits for the VMM to end by itself:
 *
 *   exit_ms         wall time to the end of the process (its pidfd
 *                   becoming readable);
 *   user_ms sys_ms cpu_ms maxrss_kb   from wait4()'s rusage;
 *   status          its exit status, or signal=N;
 *
 * or, with --until=TEXT, waits for the first console line that contains
 * TEXT, waits --settle milliseconds more, reads /proc/PID/status and
 * /proc/PID/smaps:
 *
 *   until_ms        wall time to that line;
 *   rss_kb hwm_kb anon_kb file_kb shmem_kb   VmRSS, VmHWM, RssAnon,
 *                   RssFile, RssShmem;
 *   guest_rss_kb    resident memory of the guest's RAM: the Rss of the
 *                   writable mapping whose size is exactly --guest-ram
 *                   (there must be exactly one);
 *   own_rss_kb own_hwm_kb   rss_kb and hwm_kb minus guest_rss_kb;
 *   idle_cpu_ms_per_s  the VMM's CPU time over the next --idle
 *                   milliseconds, per second;
 *
 * then stops the VMM with SIGTERM (SIGKILL after 10 seconds) and adds
 * user_ms, sys_ms, cpu_ms, maxrss_kb and status as above.
 *
 * Exit status: 0 when the measurement was made (whatever the VMM's own
 * status; the caller checks it), 1 when it could not be (the VMM did not
 * start, printed no line, or timed out: it is killed), 2 on bad usage. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define LINE_MAX_KEPT 4096      /* Longer console lines are cut here. */
#define STOP_TIMEOUT_MS 10000   /* SIGTERM to SIGKILL. */

struct run_options {
    const char *console;
    const char *log;
    const char *until;
    long long int settle_ms;
    long long int idle_ms;
    long long int guest_ram_mib;
    long long int timeout_ms;
    char **command;
};

/* The console file as read so far. */
struct console {
    int fd;
    off_t offset;
    char line[LINE_MAX_KEPT + 1];
    size_t line_len;
    bool have_first;            /* A complete line was seen. */
    bool have_until;            /* A line with --until's text was seen. */
};

static void
usage(void)
{
    printf("%s: runs a VMM and measures its start, CPU time and memory\n"
           "usage: %s --console=FILE [OPTIONS] -- COMMAND [ARG...]\n"
           "\n"
           "COMMAND must write the guest's serial console to FILE, which\n"
           "is emptied first.  Prints one line of KEY=VALUE pairs.\n"
           "\n"
           "Options:\n"
           "  --console=FILE     the console file (required)\n"
           "  --log=FILE         COMMAND's stdout and stderr (default: "
           "/dev/null)\n"
           "  --until=TEXT       measure memory once a console line "
           "contains TEXT,\n"
           "                     then stop COMMAND with SIGTERM; without "
           "it, wait\n"
           "                     for COMMAND to end by itself\n"
           "  --settle=MS        with --until: wait MS before reading "
           "memory\n"
           "                     (default 500)\n"
           "  --idle=MS          with --until: CPU time is measured over "
           "MS\n"
           "                     (default 1000)\n"
           "  --guest-ram=MIB    the guest's RAM, to find its mapping "
           "(required\n"
           "                     with --until)\n"
           "  --timeout=MS       give up (and kill COMMAND) after MS "
           "(default 30000)\n"
           "  -h, --help         this help\n"
           "\n"
           "Exit status: 0 measured, 1 not measured, 2 bad usage.\n",
           get_program_name(), get_program_name());
}

static long long int
parse_number(const char *name, const char *s, long long int min,
             long long int max)
{
    long long int value;
    if (str_to_llong(s, 10, min, max, &value)) {
        skiff_usage_error("--%s: \"%s\" is not a number from %lld to %lld",
                          name, s, min, max);
    }
    return value;
}

static void
parse_options(int argc, char *argv[], struct run_options *o)
{
    enum {
        OPT_CONSOLE = UCHAR_MAX + 1,
        OPT_LOG,
        OPT_UNTIL,
        OPT_SETTLE,
        OPT_IDLE,
        OPT_GUEST_RAM,
        OPT_TIMEOUT,
    };
    static const struct option long_options[] = {
        {"console", required_argument, NULL, OPT_CONSOLE},
        {"log", required_argument, NULL, OPT_LOG},
        {"until", required_argument, NULL, OPT_UNTIL},
        {"settle", required_argument, NULL, OPT_SETTLE},
        {"idle", required_argument, NULL, OPT_IDLE},
        {"guest-ram", required_argument, NULL, OPT_GUEST_RAM},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_CONSOLE:
            o->console = optarg;
            break;
        case OPT_LOG:
            o->log = optarg;
            break;
        case OPT_UNTIL:
            if (!*optarg || strchr(optarg, '\n')) {
                skiff_usage_error("--until: \"%s\" is not one line of text",
                                  optarg);
            }
            o->until = optarg;
            break;
        case OPT_SETTLE:
            o->settle_ms = parse_number("settle", optarg, 0, 600000);
            break;
        case OPT_IDLE:
            o->idle_ms = parse_number("idle", optarg, 1, 600000);
            break;
        case OPT_GUEST_RAM:
            o->guest_ram_mib = parse_number("guest-ram", optarg, 1,
                                            64 * 1024);
            break;
        case OPT_TIMEOUT:
            o->timeout_ms = parse_number("timeout", optarg, 1, 3600000);
            break;
        case 'h':
            usage();
            exit(0);
        default:
            exit(2);
        }
    }
    if (!o->console) {
        skiff_usage_error("--console is required");
    }
    if (o->until && !o->guest_ram_mib) {
        skiff_usage_error("--until needs --guest-ram");
    }
    if (optind >= argc) {
        skiff_usage_error("no COMMAND to run (after --)");
    }
    o->command = &argv[optind];
}

static long long int
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double
ms_since(long long int start_ns, long long int end_ns)
{
    return (end_ns - start_ns) / 1e6;
}

static void
sleep_ms(long long int ms)
{
    struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
    while (nanosleep(&ts, &ts) && errno == EINTR) {
        continue;
    }
}

/* The CPU time of all of PID's threads, in nanoseconds, or -1 if it
 * cannot be read.  Threads that already ended are not counted.  If MAINP
 * is not NULL, stores in it the CPU time of the main thread alone (-1 if
 * it cannot be read). */
static long long int
task_cpu_ns(pid_t pid, long long int *mainp)
{
    if (mainp) {
        *mainp = -1;
    }

    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", (long) pid);
    DIR *dir = opendir(path);
    if (!dir) {
        return -1;
    }

    long long int total = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char file[128];
        snprintf(file, sizeof file, "/proc/%ld/task/%.20s/schedstat",
                 (long) pid, de->d_name);
        FILE *f = fopen(file, "r");
        unsigned long long int ns;
        if (!f) {
            continue;           /* The thread ended meanwhile. */
        }
        if (fscanf(f, "%llu", &ns) == 1) {
            total += ns;
            if (mainp && atol(de->d_name) == (long) pid) {
                *mainp = ns;
            }
        }
        fclose(f);
    }
    closedir(dir);
    return total;
}

struct memory {
    long long int rss_kb, hwm_kb, anon_kb, file_kb, shmem_kb;
    long long int guest_rss_kb;
};

/* Reads PID's memory figures; exits 1 if it cannot, or if the guest's
 * RAM mapping (writable, exactly GUEST_BYTES long) is not there exactly
 * once. */
static void
read_memory(pid_t pid, unsigned long long int guest_bytes, struct memory *m)
{
    static const struct {
        const char *key;
        size_t offset;
    } keys[] = {
        {"VmRSS:", offsetof(struct memory, rss_kb)},
        {"VmHWM:", offsetof(struct memory, hwm_kb)},
        {"RssAnon:", offsetof(struct memory, anon_kb)},
        {"RssFile:", offsetof(struct memory, file_kb)},
        {"RssShmem:", offsetof(struct memory, shmem_kb)},
    };
    char path[64], line[512];
    FILE *f;

    memset(m, 0xff, sizeof *m);         /* -1 until read. */
    snprintf(path, sizeof path, "/proc/%ld/status", (long) pid);
    f = fopen(path, "r");
    if (!f) {
        skiff_fatal(errno, "%s", path);
    }
    while (fgets(line, sizeof line, f)) {
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
            size_t n = strlen(keys[i].key);
            if (!strncmp(line, keys[i].key, n)) {
                long long int *p = (long long int *)
                    (void *) ((char *) m + keys[i].offset);
                *p = strtoll(line + n, NULL, 10);
            }
        }
    }
    fclose(f);
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        if (*(long long int *) (void *) ((char *) m + keys[i].offset) < 0) {
            skiff_fatal(0, "%s has no %s line", path, keys[i].key);
        }
    }

    snprintf(path, sizeof path, "/proc/%ld/smaps", (long) pid);
    f = fopen(path, "r");
    if (!f) {
        skiff_fatal(errno, "%s", path);
    }
    bool in_guest = false;
    int n_guest = 0;
    m->guest_rss_kb = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long int start, end;
        char perms[8];
        long long int kb;
        if (sscanf(line, "%llx-%llx %7s", &start, &end, perms) == 3) {
            in_guest = end - start == guest_bytes && perms[1] == 'w';
            n_guest += in_guest;
        } else if (in_guest && sscanf(line, "Rss: %lld kB", &kb) == 1) {
            m->guest_rss_kb += kb;
        }
    }
    fclose(f);
    if (n_guest != 1) {
        skiff_fatal(0, "%s: %d writable mappings of %llu bytes, not 1: "
                    "cannot tell the guest's RAM", path, n_guest,
                    guest_bytes);
    }
}

/* Reads what the console file gained since the last call, noting the
 * first complete line and the first line that contains UNTIL (if not
 * NULL). */
static void
read_console(struct console *con, const char *until)
{
    char buf[4096];
    ssize_t n;

    while ((n = pread(con->fd, buf, sizeof buf, con->offset)) > 0) {
        con->offset += n;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (con->line_len < LINE_MAX_KEPT) {
                    con->line[con->line_len++] = buf[i];
                }
                continue;
            }
            con->line[con->line_len] = '\0';
            con->have_first = true;
            if (until && !con->have_until && strstr(con->line, until)) {
                con->have_until = true;
            }
            con->line_len = 0;
        }
    }
    if (n < 0) {
        skiff_fatal(errno, "cannot read the console");
    }
}

/* Waits up to TIMEOUT_MS for the child behind PIDFD to end; returns true
 * if it did. */
static bool
wait_pidfd(int pidfd, long long int timeout_ms)
{
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    long long int deadline = now_ns() + timeout_ms * 1000000;

    for (;;) {
        long long int left = (deadline - now_ns()) / 1000000;
        if (left < 0) {
            return false;
        }
        int retval = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int) left);
        if (retval > 0) {
            return true;
        } else if (retval < 0 && errno != EINTR) {
            skiff_fatal(errno, "poll");
        }
    }
}

static void
print_rusage(pid_t pid)
{
    struct rusage ru;
    int status;

    if (wait4(pid, &status, 0, &ru) < 0) {
        skiff_fatal(errno, "wait4");
    }
    double user = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
    double sys = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
    printf(" user_ms=%.3f sys_ms=%.3f cpu_ms=%.3f maxrss_kb=%ld",
           user, sys, user + sys, ru.ru_maxrss);
    if (WIFEXITED(status)) {
        printf(" status=%d", WEXITSTATUS(status));
    } else {
        printf(" status=signal=%d", WTERMSIG(status));
    }
}

static pid_t
start_command(const struct run_options *o)
{
    int log_fd = open(o->log ? o->log : "/dev/null",
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        skiff_fatal(errno, "%s", o->log);
    }

    pid_t pid = fork();
    if (pid < 0) {
        skiff_fatal(errno, "fork");
    } else if (!pid) {
        if (dup2(log_fd, STDOUT_FILENO) < 0
            || dup2(log_fd, STDERR_FILENO) < 0) {
            _exit(127);
        }
        execvp(o->command[0], o->command);
        dprintf(STDERR_FILENO, "%s: cannot run %s: %s\n",
                get_program_name(), o->command[0], strerror(errno));
        _exit(127);
    }
    close(log_fd);
    return pid;
}

int
main(int argc, char *argv[])
{
    struct run_options o = {
        .settle_ms = 500,
        .idle_ms = 1000,
        .timeout_ms = 30000,
    };

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);

    struct console con = { .fd = -1 };
    con.fd = open(o.console, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (con.fd < 0) {
        skiff_fatal(errno, "%s", o.console);
    }
    int ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (ino_fd < 0) {
        skiff_fatal(errno, "inotify_init1");
    }
    int wd = inotify_add_watch(ino_fd, o.console, IN_MODIFY);
    if (wd < 0) {
        skiff_fatal(errno, "%s: inotify_add_watch", o.console);
    }

    long long int start = now_ns();
    pid_t pid = start_command(&o);
    int pidfd = syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        int error = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        skiff_fatal(error, "pidfd_open");
    }

    /* Watch the console until the first line (and, with --until, the
     * line with its text) or the end of the process. */
    long long int deadline = start + o.timeout_ms * 1000000;
    long long int first_ns = 0, until_ns = 0, end_ns = 0;
    long long int first_cpu_ns = -1, first_main_ns = -1;
    bool watching = true;
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = pidfd, .events = POLLIN },
            { .fd = ino_fd, .events = POLLIN },
        };
        long long int left = (deadline - now_ns()) / 1000000;
        if (left < 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            skiff_fatal(0, "%s: no %s within %lld ms (killed)",
                        o.command[0],
                        !con.have_first ? "console line"
                        : o.until ? "line with the --until text" : "exit",
                        o.timeout_ms);
        }
        int retval = poll(pfd, watching ? 2 : 1,
                          left > INT_MAX ? INT_MAX : (int) left);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            skiff_fatal(errno, "poll");
        }
        if (watching && pfd[1].revents) {
            char events[4096];
            while (read(ino_fd, events, sizeof events) > 0) {
                continue;
            }
            read_console(&con, o.until);
            if (con.have_first && !first_ns) {
                first_ns = now_ns();
                first_cpu_ns = task_cpu_ns(pid, &first_main_ns);
            }
            if (con.have_until) {
                until_ns = now_ns();
                break;
            }
            if (con.have_first && !o.until) {
                /* Nothing more to look for: stop waking up on every
                 * write, so as not to take CPU from the VMM. */
                watching = false;
            }
        }
        if (pfd[0].revents) {
            end_ns = now_ns();
            break;
        }
    }

    if (end_ns && !con.have_first) {
        read_console(&con, o.until);
        if (con.have_first) {
            first_ns = end_ns;  /* Seen only at the end: an upper bound. */
        }
    }
    if (!con.have_first) {
        print_rusage(pid);
        putchar('\n');
        skiff_fatal(0, "%s ended without printing a line", o.command[0]);
    }
    if (o.until && !until_ns) {
        print_rusage(pid);
        putchar('\n');
        skiff_fatal(0, "%s ended without printing \"%s\"", o.command[0],
                    o.until);
    }

    printf("first_line_ms=%.3f", ms_since(start, first_ns));
    if (first_cpu_ns >= 0) {
        printf(" first_line_cpu_ms=%.3f", first_cpu_ns / 1e6);
    }
    if (first_main_ns >= 0) {
        printf(" first_line_main_cpu_ms=%.3f", first_main_ns / 1e6);
    }
    if (!o.until) {
        printf(" exit_ms=%.3f", ms_since(start, end_ns));
        print_rusage(pid);
        putchar('\n');
        return 0;
    }

    printf(" until_ms=%.3f", ms_since(start, until_ns));
    sleep_ms(o.settle_ms);
    struct memory m;
    read_memory(pid, (unsigned long long int) o.guest_ram_mib << 20, &m);
    long long int cpu0 = task_cpu_ns(pid, NULL);
    long long int t0 = now_ns();
    sleep_ms(o.idle_ms);
    long long int cpu1 = task_cpu_ns(pid, NULL);
    long long int t1 = now_ns();
    printf(" rss_kb=%lld hwm_kb=%lld anon_kb=%lld file_kb=%lld "
           "shmem_kb=%lld guest_rss_kb=%lld own_rss_kb=%lld "
           "own_hwm_kb=%lld",
           m.rss_kb, m.hwm_kb, m.anon_kb, m.file_kb, m.shmem_kb,
           m.guest_rss_kb, m.rss_kb - m.guest_rss_kb,
           m.hwm_kb - m.guest_rss_kb);
    if (cpu0 >= 0 && cpu1 >= cpu0) {
        printf(" idle_cpu_ms_per_s=%.3f",
               (cpu1 - cpu0) / 1e6 / ((t1 - t0) / 1e9));
    }

    kill(pid, SIGTERM);
    if (!wait_pidfd(pidfd, STOP_TIMEOUT_MS)) {
        kill(pid, SIGKILL);
        fprintf(stderr, "%s: %s ignored SIGTERM for %d ms; killed\n",
                get_program_name(), o.command[0], STOP_TIMEOUT_MS);
    }
    print_rusage(pid);
    putchar('\n');
    if (fflush(stdout) || ferror(stdout)) {
        skiff_fatal(errno, "standard output");
    }
    return 0;
}
