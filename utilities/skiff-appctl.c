/* skiff-appctl: run a command on a Skiff daemon through its control
 * socket. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control-client.h"
#include "dirs.h"
#include "jsonrpc.h"
#include "stream-ssl.h"
#include "util.h"
#include "vlog.h"

enum format { FORMAT_TEXT, FORMAT_JSON };

struct appctl_options {
    const char *target;
    int timeout_ms;             /* -1: wait forever. */
    enum format format;
    struct stream_ssl_options ssl;
};

static void
usage(void)
{
    printf("%s: run a command on a Skiff daemon\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\n"
           "\"%s list-commands\" lists a daemon's commands.\n"
           "\n"
           "Options:\n"
           "  -t, --target=TARGET   the daemon: its name (default "
           "skiff-vswitchd),\n"
           "                        a socket path, or unix:PATH, "
           "tcp:IP:PORT, ssl:IP:PORT\n"
           "  -T, --timeout=SECS    give up after SECS seconds\n"
           "  -f, --format=FORMAT   text (default) or json\n"
           "      --rundir=DIR      where daemons keep their sockets\n"
           "      --private-key=FILE, --certificate=FILE, "
           "--ca-cert=FILE\n"
           "                        TLS credentials for ssl: targets\n"
           "  -v, --verbose[=SPEC]  log more (see skiff-appctl(8))\n"
           "  -h, --help            this help\n"
           "  -V, --version         the version\n"
           "\n"
           "Exit status: 0 success, 1 the command or connection failed, "
           "2 bad usage.\n",
           get_program_name(), get_program_name(), get_program_name());
}

static int
parse_options(int argc, char *argv[], struct appctl_options *o)
{
    enum {
        OPT_RUNDIR = UCHAR_MAX + 1,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'},
        {"format", required_argument, NULL, 'f'},
        {"rundir", required_argument, NULL, OPT_RUNDIR},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = long_options_to_short_options(long_options);
    int c;

    /* '+': stop at the command, so its arguments may start with '-'. */
    static char *spec;          /* Static: reachable if an option exits. */
    spec = xasprintf("+%s", short_options);
    free(short_options);
    while ((c = getopt_long(argc, argv, spec, long_options, NULL)) != -1) {
        int secs;
        switch (c) {
        case 't':
            o->target = optarg;
            break;
        case 'T':
            if (str_to_int(optarg, 10, 1, 86400, &secs)) {
                skiff_usage_error("--timeout: \"%s\" is not a number of "
                                  "seconds from 1 to 86400", optarg);
            }
            o->timeout_ms = secs * 1000;
            break;
        case 'f':
            if (!strcmp(optarg, "text")) {
                o->format = FORMAT_TEXT;
            } else if (!strcmp(optarg, "json")) {
                o->format = FORMAT_JSON;
            } else {
                skiff_usage_error("--format: \"%s\" is not text or json",
                                  optarg);
            }
            break;
        case OPT_RUNDIR:
            skiff_set_rundir(optarg);
            break;
        STD_OPTION_HANDLERS(usage, spec)
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS(&o->ssl)
        default:
            abort();
        }
    }
    free(spec);
    return optind;
}

/* Prints the outcome in the chosen format; returns the exit status. */
static int
print_outcome(enum format format, const char *result, const char *error)
{
    if (format == FORMAT_JSON) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, error ? "error" : "result",
                               json_object_new_string(error ? error
                                                            : result));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else if (error) {
        fputs(error, stderr);
        if (*error && error[strlen(error) - 1] != '\n') {
            fputc('\n', stderr);
        }
    } else {
        fputs(result, stdout);
    }
    return error ? 1 : 0;
}

int
main(int argc, char *argv[])
{
    struct appctl_options o = {
        .target = "skiff-vswitchd",
        .timeout_ms = -1,
        .format = FORMAT_TEXT,
    };

    set_program_name(argv[0]);
    int first = parse_options(argc, argv, &o);
    if (first >= argc) {
        skiff_usage_error("missing command name");
    }
    int ssl_error = stream_ssl_options_apply(&o.ssl);
    if (ssl_error) {
        /* EINVAL: the options themselves are incomplete. */
        exit(ssl_error == EINVAL ? 2 : 1);
    }

    struct jsonrpc *rpc;
    char *error;
    if (control_client_open(o.target, o.timeout_ms, &rpc, &error)) {
        fprintf(stderr, "%s: %s\n", get_program_name(), error);
        free(error);
        return 1;
    }

    char *result;
    int status = control_client_transact(rpc, argv[first],
                                         argc - first - 1, argv + first + 1,
                                         o.timeout_ms, &result, &error);
    jsonrpc_close(rpc);
    if (status) {
        fprintf(stderr, "%s: %s: %s\n", get_program_name(), o.target,
                status == ETIMEDOUT ? "no answer before the timeout"
                                    : strerror(status));
        return 1;
    }
    int rc = print_outcome(o.format, result, error);
    free(result);
    free(error);
    return rc;
}
