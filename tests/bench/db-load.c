/* db-load: a load generator for OVSDB servers, for "make bench". */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <json-c/json.h>

#include "jsonrpc.h"
#include "stream.h"
#include "util.h"

/*
 * Every test inserts rows into the root table Queue of the Open_vSwitch
 * schema (vswitchd/vswitch.schema.json), each row with one external_ids
 * entry, so that a server that accepts the schema accepts the load.
 * Every reply is checked: an error, a missing result or a row count that
 * does not add up ends the program with a message and exit status 1,
 * so that a run never reports the speed of failures.
 *
 * The result is one line of KEY=VALUE pairs on stdout; "value" and "unit"
 * are the headline figure, the rest is detail.
 */

enum test { TEST_SINGLE, TEST_BULK, TEST_MEMORY };

struct load_options {
    const char *remote;
    const char *db_name;
    enum test test;
    long long int count;        /* Meaning depends on the test. */
    long long int batch;        /* Rows per transaction (memory). */
    int repeat;                 /* Transactions measured (bulk). */
    int durable;                /* -1: the test's default, else 0 or 1. */
    long long int pid;          /* Server process (memory); 0: none. */
    long long int checkpoint;   /* Memory: also measure at this many rows. */
    int timeout_ms;             /* Per reply. */
};

/* Defaults of --count for each test, indexed by enum test. */
static const long long int default_counts[] = { 1000, 1000, 100000 };

static void
usage(void)
{
    printf("%s: a load generator for OVSDB servers (Skiff's make bench)\n"
           "usage: %s --remote=REMOTE --test=TEST [OPTIONS]\n"
           "\n"
           "Tests (each inserts rows into table Queue):\n"
           "  single   COUNT transactions of one row and a durable "
           "commit,\n"
           "           one at a time; reports transactions per second\n"
           "  bulk     REPEAT transactions of COUNT rows and a durable "
           "commit;\n"
           "           reports the median milliseconds per transaction\n"
           "  memory   COUNT rows in transactions of BATCH rows "
           "(not durable);\n"
           "           reports the growth of the server's resident "
           "memory\n"
           "\n"
           "Options:\n"
           "  --remote=REMOTE    the server: unix:PATH or tcp:IP:PORT\n"
           "  --test=TEST        single, bulk or memory\n"
           "  --count=N          transactions (single, default 1000) or "
           "rows\n"
           "                     (bulk, default 1000; memory, default "
           "100000)\n"
           "  --batch=N          rows per transaction (memory, default "
           "1000)\n"
           "  --repeat=N         transactions measured (bulk, default 5)\n"
           "  --durable=BOOL     commit durably (true or false; default "
           "true,\n"
           "                     but false for memory)\n"
           "  --checkpoint=N     memory: also report the growth after the "
           "first\n"
           "                     N rows (rounded up to a whole batch)\n"
           "  --pid=PID          the server's process (memory; required "
           "there)\n"
           "  --db=NAME          the database (default Open_vSwitch)\n"
           "  --timeout=SECS     longest wait for one reply (default 60)\n"
           "  -h, --help         this help\n"
           "\n"
           "Prints one line of KEY=VALUE pairs.  Exit status: 0 success,\n"
           "1 a failed request or connection, 2 bad usage.\n",
           get_program_name(), get_program_name());
}

static long long int
parse_number(const char *option, const char *s, long long int min,
             long long int max)
{
    long long int value;
    if (str_to_llong(s, 10, min, max, &value)) {
        skiff_usage_error("--%s: \"%s\" is not a number from %lld to %lld",
                          option, s, min, max);
    }
    return value;
}

static void
parse_options(int argc, char *argv[], struct load_options *o)
{
    enum {
        OPT_REMOTE = UCHAR_MAX + 1,
        OPT_TEST,
        OPT_COUNT,
        OPT_BATCH,
        OPT_REPEAT,
        OPT_DURABLE,
        OPT_CHECKPOINT,
        OPT_PID,
        OPT_DB,
        OPT_TIMEOUT,
    };
    static const struct option long_options[] = {
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"test", required_argument, NULL, OPT_TEST},
        {"count", required_argument, NULL, OPT_COUNT},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"durable", required_argument, NULL, OPT_DURABLE},
        {"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
        {"pid", required_argument, NULL, OPT_PID},
        {"db", required_argument, NULL, OPT_DB},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *short_options = long_options_to_short_options(long_options);
    const char *test = NULL;
    int c;

    while ((c = getopt_long(argc, argv, short_options, long_options,
                            NULL)) != -1) {
        switch (c) {
        case OPT_REMOTE:
            if (!stream_verify_name(optarg)) {
                skiff_usage_error("--remote: \"%s\" is not unix:PATH, "
                                  "tcp:IP:PORT or ssl:IP:PORT", optarg);
            }
            o->remote = optarg;
            break;
        case OPT_TEST:
            test = optarg;
            break;
        case OPT_COUNT:
            o->count = parse_number("count", optarg, 1, 100000000);
            break;
        case OPT_BATCH:
            o->batch = parse_number("batch", optarg, 1, 1000000);
            break;
        case OPT_REPEAT:
            o->repeat = parse_number("repeat", optarg, 1, 1000);
            break;
        case OPT_DURABLE:
            if (!strcmp(optarg, "true")) {
                o->durable = 1;
            } else if (!strcmp(optarg, "false")) {
                o->durable = 0;
            } else {
                skiff_usage_error("--durable: \"%s\" is not true or false",
                                  optarg);
            }
            break;
        case OPT_CHECKPOINT:
            o->checkpoint = parse_number("checkpoint", optarg, 1,
                                         100000000);
            break;
        case OPT_PID:
            o->pid = parse_number("pid", optarg, 1, INT_MAX);
            break;
        case OPT_DB:
            o->db_name = optarg;
            break;
        case OPT_TIMEOUT:
            o->timeout_ms = parse_number("timeout", optarg, 1, 86400) * 1000;
            break;
        case 'h':
            usage();
            exit(0);
        case '?':
            fprintf(stderr, "(\"%s --help\" for help)\n",
                    get_program_name());
            exit(2);
        default:
            abort();
        }
    }
    free(short_options);

    if (optind != argc) {
        skiff_usage_error("unexpected argument \"%s\"", argv[optind]);
    }
    if (!o->remote) {
        skiff_usage_error("--remote is required");
    }
    if (!test) {
        skiff_usage_error("--test is required");
    } else if (!strcmp(test, "single")) {
        o->test = TEST_SINGLE;
    } else if (!strcmp(test, "bulk")) {
        o->test = TEST_BULK;
    } else if (!strcmp(test, "memory")) {
        o->test = TEST_MEMORY;
    } else {
        skiff_usage_error("--test: \"%s\" is not single, bulk or memory",
                          test);
    }
    if (!o->count) {
        o->count = default_counts[o->test];
    }
    if (o->durable < 0) {
        o->durable = o->test != TEST_MEMORY;
    }
    if (o->test == TEST_MEMORY && !o->pid) {
        skiff_usage_error("--test=memory needs --pid");
    }
    if (o->checkpoint && (o->test != TEST_MEMORY
                          || o->checkpoint > o->count)) {
        skiff_usage_error("--checkpoint needs --test=memory and at most "
                          "--count rows");
    }
}

/* Monotonic time in microseconds. */
static long long int
now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* A Queue row's insert operation, keyed "<TAG>-<N>". */
static struct json_object *
insert_op(const char *tag, long long int n)
{
    char value[64];
    snprintf(value, sizeof value, "%s-%lld", tag, n);

    struct json_object *pair = json_object_new_array();
    json_object_array_add(pair, json_object_new_string("bench"));
    json_object_array_add(pair, json_object_new_string(value));
    struct json_object *pairs = json_object_new_array();
    json_object_array_add(pairs, pair);
    struct json_object *map = json_object_new_array();
    json_object_array_add(map, json_object_new_string("map"));
    json_object_array_add(map, pairs);

    struct json_object *row = json_object_new_object();
    json_object_object_add(row, "external_ids", map);
    struct json_object *op = json_object_new_object();
    json_object_object_add(op, "op", json_object_new_string("insert"));
    json_object_object_add(op, "table", json_object_new_string("Queue"));
    json_object_object_add(op, "row", row);
    return op;
}

static struct json_object *
commit_op(bool durable)
{
    struct json_object *op = json_object_new_object();
    json_object_object_add(op, "op", json_object_new_string("commit"));
    json_object_object_add(op, "durable", json_object_new_boolean(durable));
    return op;
}

/* The params of a transaction inserting N_ROWS rows, keyed from FIRST on,
 * then committing (durably if DURABLE). */
static struct json_object *
insert_params(const struct load_options *o, const char *tag,
              long long int first, long long int n_rows, bool durable)
{
    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string(o->db_name));
    for (long long int i = 0; i < n_rows; i++) {
        json_object_array_add(params, insert_op(tag, first + i));
    }
    json_object_array_add(params, commit_op(durable));
    return params;
}

static const char *
json_text(const struct json_object *json)
{
    /* json-c does not change the object; its API just lacks const. */
    return json_object_to_json_string_ext((struct json_object *) json,
                                          JSON_C_TO_STRING_PLAIN);
}

/* Sends a "transact" request with PARAMS (taking ownership) and returns
 * its result array, having checked that it holds one object without an
 * "error" member for each of the N_OPS operations.  Exits with a message
 * on any failure.  The caller puts the result. */
static struct json_object *
transact(struct jsonrpc *rpc, const struct load_options *o,
         struct json_object *params, size_t n_ops)
{
    struct jsonrpc_msg *request = jsonrpc_create_request("transact", params);
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(rpc, request, &reply, o->timeout_ms);
    if (error) {
        skiff_fatal(0, "%s: transact failed: %s", o->remote,
                    error == EOF ? "connection closed by the server"
                                 : strerror(error));
    }
    if (reply->type == JSONRPC_ERROR) {
        skiff_fatal(0, "%s: transact failed: %s", o->remote,
                    json_text(reply->error));
    }

    struct json_object *result = reply->result;
    if (!json_object_is_type(result, json_type_array)) {
        skiff_fatal(0, "%s: transact result is not an array: %s",
                    o->remote, json_text(result));
    }
    size_t n = json_object_array_length(result);
    for (size_t i = 0; i < n; i++) {
        struct json_object *r = json_object_array_get_idx(result, i);
        struct json_object *e;
        if (json_object_is_type(r, json_type_object)
            && json_object_object_get_ex(r, "error", &e)) {
            skiff_fatal(0, "%s: operation %zu of %zu failed: %s",
                        o->remote, i + 1, n_ops, json_text(r));
        }
        if (!json_object_is_type(r, json_type_object)) {
            skiff_fatal(0, "%s: operation %zu of %zu has no result: %s",
                        o->remote, i + 1, n_ops, json_text(r));
        }
    }
    if (n != n_ops) {
        skiff_fatal(0, "%s: %zu results for %zu operations", o->remote,
                    n, n_ops);
    }

    json_object_get(result);
    jsonrpc_msg_destroy(reply);
    return result;
}

/* Runs a transaction inserting N_ROWS rows and checks that each insert
 * got a uuid. */
static void
insert_rows(struct jsonrpc *rpc, const struct load_options *o,
            const char *tag, long long int first, long long int n_rows,
            bool durable)
{
    struct json_object *params = insert_params(o, tag, first, n_rows,
                                               durable);
    struct json_object *result = transact(rpc, o, params, n_rows + 1);
    for (long long int i = 0; i < n_rows; i++) {
        struct json_object *r = json_object_array_get_idx(result, i);
        struct json_object *uuid;
        if (!json_object_object_get_ex(r, "uuid", &uuid)) {
            skiff_fatal(0, "%s: insert %lld has no uuid: %s", o->remote,
                        i + 1, json_text(r));
        }
    }
    json_object_put(result);
}

/* The number of rows in table Queue. */
static long long int
count_rows(struct jsonrpc *rpc, const struct load_options *o)
{
    struct json_object *select = json_object_new_object();
    json_object_object_add(select, "op", json_object_new_string("select"));
    json_object_object_add(select, "table",
                           json_object_new_string("Queue"));
    json_object_object_add(select, "where", json_object_new_array());
    struct json_object *columns = json_object_new_array();
    json_object_array_add(columns, json_object_new_string("_uuid"));
    json_object_object_add(select, "columns", columns);

    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string(o->db_name));
    json_object_array_add(params, select);

    struct json_object *result = transact(rpc, o, params, 1);
    struct json_object *rows;
    if (!json_object_object_get_ex(json_object_array_get_idx(result, 0),
                                   "rows", &rows)
        || !json_object_is_type(rows, json_type_array)) {
        skiff_fatal(0, "%s: select result has no rows: %s", o->remote,
                    json_text(result));
    }
    long long int n = json_object_array_length(rows);
    json_object_put(result);
    return n;
}

static void
check_count(struct jsonrpc *rpc, const struct load_options *o,
            long long int expected)
{
    long long int n = count_rows(rpc, o);
    if (n != expected) {
        skiff_fatal(0, "%s: table Queue has %lld rows, expected %lld",
                    o->remote, n, expected);
    }
}

/* The resident memory of process PID, in kB. */
static long long int
read_rss_kb(long long int pid)
{
    char *name = xasprintf("/proc/%lld/status", pid);
    FILE *file = fopen(name, "r");
    if (!file) {
        skiff_fatal(errno, "%s: cannot open", name);
    }

    char line[256];
    long long int kb = -1;
    while (fgets(line, sizeof line, file)) {
        if (sscanf(line, "VmRSS: %lld kB", &kb) == 1) {
            break;
        }
    }
    fclose(file);
    if (kb < 0) {
        skiff_fatal(0, "%s: no VmRSS line", name);
    }
    free(name);
    return kb;
}

static int
compare_llong(const void *a_, const void *b_)
{
    const long long int *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

static void
run_single(struct jsonrpc *rpc, const struct load_options *o,
           long long int before)
{
    long long int start = now_usec();
    for (long long int i = 0; i < o->count; i++) {
        insert_rows(rpc, o, "single", i, 1, o->durable);
    }
    long long int usec = now_usec() - start;
    check_count(rpc, o, before + o->count);

    printf("test=single durable=%s transactions=%lld seconds=%.3f "
           "value=%.1f unit=txn/s\n", o->durable ? "true" : "false",
           o->count, usec / 1e6, o->count / (usec / 1e6));
}

static void
run_bulk(struct jsonrpc *rpc, const struct load_options *o,
         long long int before)
{
    long long int *usecs = xcalloc(o->repeat, sizeof *usecs);
    for (int i = 0; i < o->repeat; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "bulk%d", i);

        /* The request is built before the clock starts: what is timed is
         * the server's work, not the client's. */
        struct json_object *params = insert_params(o, tag, 0, o->count,
                                                   o->durable);
        long long int start = now_usec();
        json_object_put(transact(rpc, o, params, o->count + 1));
        usecs[i] = now_usec() - start;
    }
    check_count(rpc, o, before + o->count * o->repeat);

    qsort(usecs, o->repeat, sizeof *usecs, compare_llong);
    int mid = o->repeat / 2;
    double median = (o->repeat % 2 ? usecs[mid]
                     : (usecs[mid - 1] + usecs[mid]) / 2.0);
    printf("test=bulk durable=%s rows=%lld repeat=%d min_ms=%.3f "
           "max_ms=%.3f value=%.3f unit=ms\n",
           o->durable ? "true" : "false", o->count, o->repeat,
           usecs[0] / 1e3, usecs[o->repeat - 1] / 1e3, median / 1e3);
    free(usecs);
}

static void
run_memory(struct jsonrpc *rpc, const struct load_options *o,
           long long int before)
{
    long long int rss_before = read_rss_kb(o->pid);
    long long int checkpoint_rows = 0, rss_checkpoint = 0;
    long long int start = now_usec();
    for (long long int done = 0; done < o->count; ) {
        long long int n = o->count - done;
        n = n < o->batch ? n : o->batch;
        insert_rows(rpc, o, "memory", done, n, o->durable);
        done += n;
        if (o->checkpoint && !checkpoint_rows && done >= o->checkpoint) {
            /* Not timed: reading /proc is the client's time. */
            long long int pause = now_usec();
            rss_checkpoint = read_rss_kb(o->pid);
            checkpoint_rows = done;
            start += now_usec() - pause;
        }
    }
    long long int usec = now_usec() - start;
    long long int rss_after = read_rss_kb(o->pid);
    check_count(rpc, o, before + o->count);

    printf("test=memory durable=%s rows=%lld batch=%lld "
           "rss_before_kb=%lld rss_after_kb=%lld seconds=%.3f "
           "rows_per_s=%.0f bytes_per_row=%.0f",
           o->durable ? "true" : "false", o->count, o->batch, rss_before,
           rss_after, usec / 1e6, o->count / (usec / 1e6),
           (rss_after - rss_before) * 1024.0 / o->count);
    if (checkpoint_rows) {
        printf(" checkpoint_rows=%lld checkpoint_kb=%lld "
               "checkpoint_mib=%.2f checkpoint_bytes_per_row=%.0f",
               checkpoint_rows, rss_checkpoint,
               (rss_checkpoint - rss_before) / 1024.0,
               (rss_checkpoint - rss_before) * 1024.0 / checkpoint_rows);
    }
    printf(" value=%.2f unit=MiB\n", (rss_after - rss_before) / 1024.0);
}

int
main(int argc, char *argv[])
{
    struct load_options o = {
        .db_name = "Open_vSwitch",
        .batch = 1000,
        .repeat = 5,
        .durable = -1,
        .timeout_ms = 60 * 1000,
    };

    set_program_name(argv[0]);
    parse_options(argc, argv, &o);

    struct stream *stream;
    int error = stream_open_block(o.remote, o.timeout_ms, &stream);
    if (error) {
        skiff_fatal(0, "%s: cannot connect: %s", o.remote,
                    strerror(error));
    }
    struct jsonrpc *rpc = jsonrpc_open(stream);

    long long int before = count_rows(rpc, &o);
    switch (o.test) {
    case TEST_SINGLE:
        run_single(rpc, &o, before);
        break;
    case TEST_BULK:
        run_bulk(rpc, &o, before);
        break;
    case TEST_MEMORY:
        run_memory(rpc, &o, before);
        break;
    }
    if (fflush(stdout) || ferror(stdout)) {
        skiff_fatal(errno, "standard output");
    }

    jsonrpc_close(rpc);
    return 0;
}
