/* skiff-testd: a small daemon with a control socket, for the tests.
 *
 * It is what every Skiff daemon is minus the work: options, pidfile,
 * detach, logging, signals, and a control server on its unix socket and
 * any --remote listeners (tcp, ssl).  Its own commands:
 *   test/echo [ARG...]        replies with the arguments, space-separated
 *   test/fail [MESSAGE]       answers with an error
 *   test/log LEVEL MESSAGE    logs MESSAGE at LEVEL in module "testd"
 *   test/listeners            the control server's listeners, one a line
 */
#include <config.h>

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "daemon.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "poll-loop.h"
#include "stream-ssl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(testd);

#define MAX_REMOTES 8

struct testd_options {
    const char *ctl_path;           /* NULL: default. */
    const char *remotes[MAX_REMOTES];
    int n_remotes;
    struct stream_ssl_options ssl;
};

static void
usage(void)
{
    printf("%s: a test daemon with a control socket\n"
           "usage: %s [OPTIONS]\n"
           "  --ctl=PATH|none        control socket (default "
           "<rundir>/%s.PID.ctl)\n"
           "  --remote=PSTREAM       also serve control commands on PSTREAM "
           "(ptcp:, pssl:)\n"
           "  --private-key=FILE --certificate=FILE --ca-cert=FILE\n"
           "  -v, --verbose[=SPEC]   --log-file[=FILE]\n"
           DAEMON_USAGE,
           get_program_name(), get_program_name(), get_program_name(),
           get_program_name());
}

static void
parse_options(int argc, char *argv[], struct testd_options *o)
{
    enum {
        OPT_CTL = UCHAR_MAX + 1,
        OPT_REMOTE,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ctl", required_argument, NULL, OPT_CTL},
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"help", no_argument, NULL, 'h'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = long_options_to_short_options(long_options);
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_CTL:
            o->ctl_path = optarg;
            break;
        case OPT_REMOTE:
            if (o->n_remotes >= MAX_REMOTES) {
                skiff_fatal(0, "at most %d --remote options", MAX_REMOTES);
            }
            o->remotes[o->n_remotes++] = optarg;
            break;
        case 'h':
            usage();
            exit(0);
        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS(&o->ssl)
        case '?':
            exit(2);
        default:
            abort();
        }
    }
    free(short_options);
    if (optind != argc) {
        fprintf(stderr, "%s: unexpected argument \"%s\"\n",
                get_program_name(), argv[optind]);
        exit(2);
    }
}

static void
cmd_echo(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < argc; i++) {
        ds_put_format(&s, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
cmd_fail(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    control_command_reply_error(conn, argc > 1 ? argv[1] : "failed");
}

static void
cmd_log(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    int level = vlog_level_from_string(argv[1]);
    if (level <= VLL_OFF) {
        char *error = xasprintf("\"%s\" is not a log level", argv[1]);
        control_command_reply_error(conn, error);
        free(error);
        return;
    }
    vlog(&this_module, level, "%s", argv[2]);
    control_command_reply(conn, NULL);
}

static void
cmd_listeners(struct control_conn *conn, int argc, const char *argv[],
              void *server_)
{
    struct control_server *server = server_;
    struct ds s = DS_EMPTY_INITIALIZER;
    const char *name;
    for (int i = 0; (name = control_server_get_listener(server, i)); i++) {
        ds_put_format(&s, "%s\n", name);
    }
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

int
main(int argc, char *argv[])
{
    struct testd_options o = { .ctl_path = NULL };
    struct control_server *server;

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);
    if (stream_ssl_options_apply(&o.ssl)) {
        exit(1);
    }

    daemonize_start();
    if (control_server_create(o.ctl_path, &server)) {
        skiff_fatal(0, "cannot create the control socket (see the log)");
    }
    for (int i = 0; i < o.n_remotes; i++) {
        if (control_server_add_remote(server, o.remotes[i])) {
            skiff_fatal(0, "cannot listen on %s (see the log)",
                        o.remotes[i]);
        }
    }
    control_command_register("test/echo", "[ARG...]", 0, INT_MAX, cmd_echo,
                             NULL);
    control_command_register("test/fail", "[MESSAGE]", 0, 1, cmd_fail,
                             NULL);
    control_command_register("test/log", "LEVEL MESSAGE", 2, 2, cmd_log,
                             NULL);
    control_command_register("test/listeners", "", 0, 0, cmd_listeners,
                             server);
    daemonize_complete();
    VLOG_INFO("started, control socket %s",
              control_server_get_path(server)
              ? control_server_get_path(server) : "(none)");

    while (!daemon_should_exit()) {
        control_server_run(server);
        control_server_wait(server);
        daemon_wait();
        poll_block();
    }

    VLOG_INFO("exiting");
    control_server_destroy(server);
    return 0;
}
