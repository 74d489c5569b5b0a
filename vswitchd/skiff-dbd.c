/* skiff-dbd: Skiff's configuration database server (OVSDB, RFC 7047). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control.h"
#include "daemon.h"
#include "db-error.h"
#include "db-file.h"
#include "db-schema.h"
#include "db-server.h"
#include "db.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "poll-loop.h"
#include "stream-ssl.h"
#include "stream.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dbd);

#define MAX_REMOTES 16

struct dbd_options {
    char *db_path;                  /* NULL: <dbdir>/conf.db. */
    const char *schema_path;        /* For creating a new database. */
    const char *remotes[MAX_REMOTES];
    int n_remotes;
    const char *ctl_path;
    struct stream_ssl_options ssl;
};

struct dbd {
    struct db *db;
    struct db_file *file;
    struct db_server *server;
};

static void
usage(void)
{
    printf("%s: Skiff's configuration database server (OVSDB protocol)\n"
           "usage: %s [OPTIONS]\n"
           "\n"
           "  --db=FILE            the database file (default %s/conf.db);\n"
           "                       created from the schema if missing\n"
           "  --schema=FILE        schema for a new database (default\n"
           "                       %s/vswitch.schema.json)\n"
           "  --remote=REMOTE      listen on punix:PATH, ptcp:PORT[:IP] or\n"
           "                       pssl:PORT[:IP]; repeatable (default\n"
           "                       punix:<rundir>/db.sock)\n"
           "  --ctl=PATH           control socket (default "
           "<rundir>/%s.PID.ctl)\n"
           "  --private-key=FILE --certificate=FILE --ca-cert=FILE\n"
           "                       TLS credentials for pssl: remotes\n"
           "  -v, --verbose[=SPEC] --log-file[=FILE]   logging\n"
           DAEMON_USAGE
           "  -h, --help           this help\n"
           "  -V, --version        the version\n",
           get_program_name(), get_program_name(), skiff_dbdir(),
           SKIFF_PKGDATADIR, get_program_name(), get_program_name());
}

static void
parse_options(int argc, char *argv[], struct dbd_options *o)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_SCHEMA,
        OPT_REMOTE,
        OPT_CTL,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"schema", required_argument, NULL, OPT_SCHEMA},
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"ctl", required_argument, NULL, OPT_CTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    /* Static: still reachable when an option handler exits. */
    static char *short_options;
    short_options = long_options_to_short_options(long_options);
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            free(o->db_path);
            o->db_path = xstrdup(optarg);
            break;
        case OPT_SCHEMA:
            o->schema_path = optarg;
            break;
        case OPT_REMOTE:
            if (!pstream_verify_name(optarg)) {
                skiff_usage_error("--remote must be punix:, ptcp: or pssl:, "
                                  "not \"%s\"", optarg);
            }
            if (o->n_remotes >= MAX_REMOTES) {
                skiff_usage_error("too many --remote options at \"%s\"",
                                  optarg);
            }
            o->remotes[o->n_remotes++] = optarg;
            break;
        case OPT_CTL:
            o->ctl_path = optarg;
            break;
        STD_OPTION_HANDLERS(usage, short_options)
        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS(&o->ssl)
        default:
            abort();
        }
    }
    free(short_options);
    if (optind != argc) {
        skiff_usage_error("unexpected argument \"%s\"", argv[optind]);
    }
}

static void
cmd_compact(struct control_conn *conn, int argc, const char *argv[],
            void *dbd_)
{
    struct dbd *dbd = dbd_;
    struct db_error *error = db_file_compact(dbd->file);
    if (error) {
        char *s = db_error_to_string(error);
        control_command_reply_error(conn, s);
        free(s);
        db_error_destroy(error);
    } else {
        control_command_reply(conn, NULL);
    }
}

static void
cmd_status(struct control_conn *conn, int argc, const char *argv[],
           void *dbd_)
{
    struct dbd *dbd = dbd_;
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "database: %s\n", dbd->db->schema->name);
    ds_put_format(&s, "file: %s\n", db_file_get_name(dbd->file));
    ds_put_format(&s, "file size: %lld\n",
                  (long long int) db_file_get_size(dbd->file));
    for (size_t i = 0; i < dbd->db->schema->n_tables; i++) {
        const struct db_table *table = dbd->db->tables[i];
        ds_put_format(&s, "rows in %s: %zu\n", table->schema->name,
                      db_table_count_rows(table));
    }
    db_server_put_status(dbd->server, &s);
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Makes the directory that holds PATH, if missing. */
static void
make_parent_dir(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
            VLOG_WARN("%s: cannot create directory (%s)", dir,
                      strerror(errno));
        }
    }
    free(dir);
}

static void
open_database(const struct dbd_options *o, struct dbd *dbd)
{
    make_parent_dir(o->db_path);
    struct db_error *error = db_file_open(o->db_path, o->schema_path,
                                          &dbd->db, &dbd->file);
    if (error) {
        char *s = db_error_to_string(error);
        skiff_error(0, "%s", s);
        free(s);
        db_error_destroy(error);
        exit(EXIT_FAILURE);
    }
}

static void
start_listening(const struct dbd_options *o, struct dbd *dbd)
{
    dbd->server = db_server_create(dbd->db, dbd->file);
    for (int i = 0; i < o->n_remotes; i++) {
        if (db_server_add_remote(dbd->server, o->remotes[i])) {
            skiff_fatal(0, "cannot listen on %s (see the log)",
                        o->remotes[i]);
        }
    }
}

int
main(int argc, char *argv[])
{
    struct dbd_options o = { .schema_path = NULL };
    struct control_server *ctl;
    struct dbd dbd;

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);
    if (!o.db_path) {
        o.db_path = xasprintf("%s/conf.db", skiff_dbdir());
    }
    if (!o.schema_path) {
        o.schema_path = SKIFF_PKGDATADIR "/vswitch.schema.json";
    }
    char *default_remote = xasprintf("punix:%s/db.sock", skiff_rundir());
    if (!o.n_remotes) {
        o.remotes[o.n_remotes++] = default_remote;
    }
    if (stream_ssl_options_apply(&o.ssl)) {
        exit(1);
    }

    daemonize_start();
    open_database(&o, &dbd);
    start_listening(&o, &dbd);
    if (control_server_create(o.ctl_path, &ctl)) {
        skiff_fatal(0, "cannot create the control socket (see the log)");
    }
    control_command_register("db/compact", "", 0, 0, cmd_compact, &dbd);
    control_command_register("db/status", "", 0, 0, cmd_status, &dbd);
    daemonize_complete();
    VLOG_INFO("serving %s from %s", dbd.db->schema->name, o.db_path);

    while (!daemon_should_exit()) {
        db_server_run(dbd.server);
        control_server_run(ctl);
        db_server_wait(dbd.server);
        control_server_wait(ctl);
        daemon_wait();
        poll_block();
    }

    VLOG_INFO("exiting");
    control_server_destroy(ctl);
    db_server_destroy(dbd.server);
    db_destroy(dbd.db);
    free(o.db_path);
    free(default_remote);
    return 0;
}
