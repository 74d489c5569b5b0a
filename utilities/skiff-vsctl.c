/* skiff-vsctl: configure Skiff through its database, one atomic chain of
 * commands at a time. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-idl.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"
#include "vsctl.h"

VLOG_DEFINE_THIS_MODULE(vsctl);

static void
usage(void)
{
    struct ds commands = DS_EMPTY_INITIALIZER;
    vsctl_put_usage(&commands);
    printf("%s: configure Skiff through its database\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND "
           "[ARG...]]...\n"
           "\n"
           "Commands:\n%s"
           "\n"
           "Options:\n"
           "  --db=SERVER          the database server (default "
           "unix:<rundir>/db.sock)\n"
           "  -t, --timeout=SECS   give up after SECS seconds\n"
           "  --no-wait            do not wait for skiff-vswitchd to apply "
           "the change\n"
           "  -f, --format=FORMAT  table, list (default), json or csv\n"
           "  --bare               values only, no headings\n"
           "  --dry-run            check the commands, change nothing\n"
           "  -v, --verbose[=SPEC] log more\n"
           "  -h, --help           this help\n"
           "  -V, --version        the version\n"
           "\n"
           "Exit status: 0 success, 1 failure, 2 bad usage.\n",
           get_program_name(), get_program_name(), ds_cstr(&commands));
    ds_destroy(&commands);
}

static enum vsctl_format
parse_format(const char *s)
{
    static const char *const names[] = { "table", "list", "json", "csv" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i])) {
            return (enum vsctl_format) i;
        }
    }
    skiff_usage_error("--format: \"%s\" is not table, list, json or csv", s);
}

/* True if ARG is an option that belongs to a command. */
static bool
is_command_option(const char *arg)
{
    static const char *const options[] = {
        "--may-exist", "--if-exists", "--all", "--id=", "--columns=",
    };
    for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
        size_t len = strlen(options[i]);
        if (options[i][len - 1] == '=' ? !strncmp(arg, options[i], len)
                                        : !strcmp(arg, options[i])) {
            return true;
        }
    }
    return false;
}

/* Parses the global options; returns the index of the first command. */
static int
parse_options(int argc, char *argv[], struct vsctl_options *o)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_NO_WAIT,
        OPT_BARE,
        OPT_DRY_RUN,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"timeout", required_argument, NULL, 't'},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"format", required_argument, NULL, 'f'},
        {"bare", no_argument, NULL, OPT_BARE},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *shorts = long_options_to_short_options(long_options);
    static char *spec;          /* Static: reachable if an option exits. */
    spec = xasprintf("+%s", shorts);    /* Stop at the command. */
    int c, secs;

    /* The first command's own options ("--may-exist add-br br0") may
     * stand before it, as the "--" before the first command is
     * optional: global options end where they begin. */
    int n_global = 1;
    while (n_global < argc && argv[n_global][0] == '-'
           && !is_command_option(argv[n_global])
           && strcmp(argv[n_global], "--")) {
        n_global++;
    }
    if (n_global < argc && !strcmp(argv[n_global], "--")) {
        n_global++;
    }

    free(shorts);
    while ((c = getopt_long(n_global, argv, spec, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            o->db = optarg;
            break;
        case 't':
            if (str_to_int(optarg, 10, 0, 86400, &secs)) {
                skiff_usage_error("--timeout: \"%s\" is not a number of "
                                  "seconds from 0 to 86400", optarg);
            }
            o->timeout_ms = secs ? secs * 1000 : -1;
            break;
        case OPT_NO_WAIT:
            o->no_wait = true;
            break;
        case 'f':
            o->format = parse_format(optarg);
            break;
        case OPT_BARE:
            o->bare = true;
            break;
        case OPT_DRY_RUN:
            o->dry_run = true;
            break;
        STD_OPTION_HANDLERS(usage, spec)
        VLOG_OPTION_HANDLERS
        default:
            abort();
        }
    }
    free(spec);
    return optind;
}

/* True if OPTION ("--may-exist") is in the comma-separated LIST. */
static bool
option_allowed(const char *list, const char *option)
{
    size_t len = strlen(option);
    for (const char *p = list; p && (p = strstr(p, option)); p += len) {
        if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len])) {
            return true;
        }
    }
    return false;
}

/* Parses one command's options, e.g. "--may-exist" or "--id=@p". */
static void
parse_command_option(struct vsctl_command *cmd, const char *arg,
                     const char *allowed, const char *name)
{
    const char *eq = strchr(arg, '=');
    char *option = eq ? xstrndup(arg, (size_t) (eq - arg)) : xstrdup(arg);

    if (!option_allowed(allowed, option)) {
        skiff_usage_error("\"%s\" does not take option %s", name, option);
    }
    if (!strcmp(option, "--may-exist")) {
        cmd->may_exist = true;
    } else if (!strcmp(option, "--if-exists")) {
        cmd->if_exists = true;
    } else if (!strcmp(option, "--all")) {
        cmd->all = true;
    } else if (!strcmp(option, "--id") && eq && eq[1] == '@' && eq[2]) {
        cmd->id = xstrdup(eq + 1);
    } else if (!strcmp(option, "--columns") && eq && eq[1]) {
        cmd->columns = xstrdup(eq + 1);
    } else {
        skiff_usage_error("bad option \"%s\" for \"%s\"", arg, name);
    }
    free(option);
}

/* Parses ARGV[0..N) as one command. */
static void
parse_command(int n, char *argv[], struct vsctl_command *cmd)
{
    int i = 0;
    /* The command's name comes after its own options. */
    while (i < n && str_starts_with(argv[i], "--")) {
        i++;
    }
    if (i >= n) {
        skiff_usage_error("missing command name");
    }
    const char *name = argv[i];
    cmd->syntax = vsctl_find_command(name);
    if (!cmd->syntax) {
        skiff_usage_error("unknown command \"%s\"", name);
    }
    for (int j = 0; j < i; j++) {
        parse_command_option(cmd, argv[j], cmd->syntax->options, name);
    }
    cmd->argc = n - i;
    cmd->argv = argv + i;
    int n_args = cmd->argc - 1;
    if (n_args < cmd->syntax->min_args) {
        skiff_usage_error("\"%s\" needs at least %d argument%s", name,
                          cmd->syntax->min_args,
                          cmd->syntax->min_args == 1 ? "" : "s");
    }
    if (n_args > cmd->syntax->max_args) {
        skiff_usage_error("\"%s\" takes at most %d argument%s", name,
                          cmd->syntax->max_args,
                          cmd->syntax->max_args == 1 ? "" : "s");
    }
    ds_init(&cmd->output);
}

/* Splits ARGV at "--" into commands. */
static struct vsctl_command *
parse_commands(int argc, char *argv[], size_t *n)
{
    struct vsctl_command *cmds = xcalloc((size_t) argc + 1, sizeof *cmds);
    int start = 0;
    *n = 0;
    for (int i = 0; i <= argc; i++) {
        if (i == argc || !strcmp(argv[i], "--")) {
            if (i > start) {
                parse_command(i - start, argv + start, &cmds[(*n)++]);
            } else if (i < argc) {
                skiff_usage_error("empty command before \"--\"");
            }
            start = i + 1;
        }
    }
    if (!*n) {
        skiff_usage_error("missing command name");
    }
    return cmds;
}

/* Copies the replica into a fresh database the commands may change. */
static struct db *
copy_db(const struct db *src)
{
    struct db *dst = db_create(db_schema_clone(src->schema));
    for (size_t t = 0; t < src->schema->n_tables; t++) {
        const struct db_table *from = src->tables[t];
        struct db_table *to = dst->tables[t];
        const struct db_row *row;
        DB_TABLE_FOR_EACH_ROW (row, from) {
            struct db_row *copy = db_row_create(to);
            for (size_t c = 0; c < from->schema->n_columns; c++) {
                const struct db_type *type = &to->schema->columns[c]->type;
                db_datum_destroy(&copy->fields[c], type);
                db_datum_clone(&copy->fields[c], &row->fields[c], type);
            }
            hmap_insert(&to->rows, &copy->node,
                        uuid_hash(db_row_get_uuid(copy)));
        }
    }
    return dst;
}

static void
free_ctx(struct vsctl_ctx *ctx)
{
    struct vsctl_symbol *symbol;
    HMAP_FOR_EACH_SAFE (symbol, node, &ctx->symbols) {
        hmap_remove(&ctx->symbols, &symbol->node);
        free(symbol->name);
        free(symbol);
    }
    hmap_destroy(&ctx->symbols);
    db_txn_abort(ctx->txn);
    db_destroy(ctx->db);
    free(ctx->error);
}

/* An "@name" that a command used but no "--id=@name" created. */
static int
check_symbols(struct vsctl_ctx *ctx)
{
    const struct vsctl_symbol *symbol;
    HMAP_FOR_EACH (symbol, node, &ctx->symbols) {
        if (!symbol->created) {
            return vsctl_error(ctx, "%s is used but no command creates it "
                               "with --id=%s", symbol->name, symbol->name);
        }
    }
    return 0;
}

/* Runs every command on a copy of the replica.  Returns 0, 1 (error,
 * printed) or 2 (a command's silent "no"). */
static int
run_commands(struct vsctl_ctx *ctx, struct vsctl_command *cmds, size_t n)
{
    int status = 0;
    for (size_t i = 0; i < n && !status; i++) {
        ds_clear(&cmds[i].output);
        status = cmds[i].syntax->run(ctx, &cmds[i]);
    }
    if (!status) {
        status = check_symbols(ctx);
    }
    if (status == VSCTL_WAIT) {
        VLOG_DBG("waiting: %s", ctx->error);
        return status;
    }
    if (status && ctx->error) {
        fprintf(stderr, "%s: %s\n", get_program_name(), ctx->error);
    }
    return status;
}

static long long int
deadline_of(const struct vsctl_options *o)
{
    return o->timeout_ms < 0 ? LLONG_MAX : time_msec() + o->timeout_ms;
}

static int
remaining_ms(long long int deadline)
{
    if (deadline == LLONG_MAX) {
        return -1;
    }
    long long int left = deadline - time_msec();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int) left;
}

/* Waits until the replica's seqno moves past SEQNO (fresh contents after
 * a conflict). */
static void
wait_for_change(struct db_idl *idl, unsigned int seqno,
                long long int deadline)
{
    while (db_idl_get_seqno(idl) == seqno && time_msec() < deadline) {
        db_idl_run(idl);
        db_idl_wait(idl);
        poll_timer_wait_until(MIN(deadline, time_msec() + 1000));
        poll_block();
    }
}

/* The columns that the bridge, port and interface commands read (see
 * vsctl-bridge.c), as "TABLE.COLUMN".  A chain made only of those commands
 * replicates just these; any other command needs everything.  Writing a
 * column needs no replica of it: changes are sent as they are made. */
static const char *const bridge_commands[] = {
    "init", "show", "add-br", "del-br", "list-br", "br-exists",
    "br-set-external-id", "br-get-external-id", "add-port", "del-port",
    "list-ports", "port-to-br", "add-bond", "list-ifaces", "iface-to-br",
};
static const char *const bridge_columns[] = {
    "Open_vSwitch.bridges", "Open_vSwitch.manager_options",
    "Open_vSwitch.ovs_version", "Open_vSwitch.next_cfg",
    "Open_vSwitch.cur_cfg",
    "Bridge.name", "Bridge.ports", "Bridge.external_ids",
    "Bridge.controller", "Bridge.fail_mode", "Bridge.datapath_type",
    "Port.name", "Port.interfaces", "Port.tag", "Port.vlan_mode",
    "Port.trunks", "Port.bond_mode", "Port.lacp",
    "Interface.name", "Interface.type", "Interface.options",
    "Interface.error",
    "Controller.target", "Manager.target",
};

static bool
is_bridge_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(bridge_commands); i++) {
        if (!strcmp(bridge_commands[i], name)) {
            return true;
        }
    }
    return false;
}

/* Tells IDL to replicate only what the chain reads, when that is known:
 * the less it copies, the faster each command runs. */
static void
choose_replica(struct db_idl *idl, const struct vsctl_command *cmds,
               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_bridge_command(cmds[i].syntax->name)) {
            return;             /* Everything. */
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(bridge_columns); i++) {
        const char *dot = strchr(bridge_columns[i], '.');
        char *table = xstrndup(bridge_columns[i],
                               (size_t) (dot - bridge_columns[i]));
        db_idl_add_column(idl, table, dot + 1);
        free(table);
    }
}

static void
print_outputs(struct vsctl_command *cmds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputs(ds_cstr(&cmds[i].output), stdout);
    }
}

int
main(int argc, char *argv[])
{
    struct vsctl_options o = {
        .timeout_ms = -1,
        .format = VSCTL_FORMAT_LIST,
    };
    set_program_name(argv[0]);
    vsctl_bridge_init();
    vsctl_generic_init();
    int first = parse_options(argc, argv, &o);
    size_t n;
    struct vsctl_command *cmds = parse_commands(argc - first, argv + first,
                                                &n);
    char *default_db = xasprintf("unix:%s/db.sock", skiff_rundir());
    if (!o.db) {
        o.db = default_db;
    }

    long long int deadline = deadline_of(&o);
    struct db_idl *idl = db_idl_create(o.db, "Open_vSwitch");
    choose_replica(idl, cmds, n);
    int status;
    for (;;) {
        if (db_idl_wait_synced(idl, remaining_ms(deadline))) {
            skiff_error(0, "%s: cannot reach the database (is skiff-dbd "
                        "running?)", o.db);
            status = 1;
            break;
        }
        struct vsctl_ctx ctx = { .options = &o };
        hmap_init(&ctx.symbols);
        ctx.db = copy_db(db_idl_get_db(idl));
        ctx.txn = db_txn_create(ctx.db);
        unsigned int seqno = db_idl_get_seqno(idl);
        bool try_again = false;

        status = run_commands(&ctx, cmds, n);
        if (status == VSCTL_WAIT) {
            /* "wait-until": run again once the database changes. */
            if (time_msec() >= deadline) {
                skiff_error(0, "timed out: %s", ctx.error);
                status = 1;
            } else {
                try_again = true;
            }
        } else if (!status && !o.dry_run) {
            status = vsctl_commit(idl, &ctx, cmds, n, deadline, &try_again);
        }
        free_ctx(&ctx);
        if (!try_again) {
            break;
        }
        VLOG_DBG("another client changed the database; trying again");
        wait_for_change(idl, seqno, deadline);
    }
    if (!status) {
        print_outputs(cmds, n);
    }
    for (size_t i = 0; i < n; i++) {
        ds_destroy(&cmds[i].output);
        free(cmds[i].id);
        free(cmds[i].columns);
    }
    free(cmds);
    db_idl_destroy(idl);
    free(default_db);
    return status;
}
