/* test-db-idl: replicas and their transactions against a real skiff
 * database server, which runs in a thread of its own so that the blocking
 * calls (db_idl_wait_synced(), db_idl_txn_commit_block()) get answers. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-idl.h"
#include "db-schema.h"
#include "db-server.h"
#include "db.h"
#include "dynamic-string.h"
#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

/* Generous: only a broken replica takes this long. */
#define DEADLINE_MS 10000

static char *tmp_dir;
static char *log_name;
static char *remote;            /* "unix:<tmp_dir>/db.sock". */

/* Bridges (root, unique names) own ports (non-root, strongly
 * referenced); Stats is a second root table. */
static const char SCHEMA[] =
    "{\"name\": \"Test\", \"version\": \"1.0.0\", \"tables\": {"
    "  \"Bridge\": {\"isRoot\": true, \"indexes\": [[\"name\"]],"
    "    \"columns\": {"
    "      \"name\": {\"type\": \"string\"},"
    "      \"count\": {\"type\": \"integer\"},"
    "      \"other\": {\"type\": {\"key\": \"string\", \"value\": \"string\","
    "                           \"min\": 0, \"max\": \"unlimited\"}},"
    "      \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "                                      \"refTable\": \"Port\"},"
    "                           \"min\": 0, \"max\": \"unlimited\"}}}},"
    "  \"Port\": {\"columns\": {"
    "    \"name\": {\"type\": \"string\"},"
    "    \"tag\": {\"type\": \"integer\"}}},"
    "  \"Stats\": {\"isRoot\": true, \"columns\": {"
    "    \"value\": {\"type\": \"integer\"}}}}}";

/* ---- The server, in its own thread. ---- */

struct test_server {
    struct db *db;
    struct db_server *server;       /* While running. */
    pthread_t thread;
    int pipe[2];                    /* Wakes the thread to stop. */
    atomic_bool stop;
};

static struct json_object *
parse(const char *text)
{
    struct json_object *json = json_tokener_parse(text);
    if (!json) {
        fail_msg("does not parse: %s", text);
    }
    return json;
}

static struct db_schema *
parse_schema(const char *text)
{
    struct json_object *json = parse(text);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);
    if (error) {
        fail_msg("bad schema: %s", error->details);
    }
    json_object_put(json);
    return schema;
}

/* Fails unless RESULT, a transact result, has no error element. */
static void
assert_no_error(const struct json_object *result)
{
    size_t n = json_object_array_length(result);
    for (size_t i = 0; i < n; i++) {
        struct json_object *r = json_object_array_get_idx(result, i);
        if (!r || json_object_object_get_ex(r, "error", NULL)) {
            fail_msg("transaction failed: %s",
                     json_object_to_json_string((struct json_object *)
                                                result));
        }
    }
}

/* Runs OPS (JSON text) on DB directly, while no server thread runs. */
static void
db_exec(struct db *db, const char *ops)
{
    struct json_object *json = parse(ops);
    long long int retry;
    struct json_object *result = db_execute(db, NULL, json, 0, &retry);
    assert_non_null(result);
    assert_no_error(result);
    json_object_put(result);
    json_object_put(json);
}

static void *
server_main(void *ts_)
{
    struct test_server *ts = ts_;
    while (!atomic_load(&ts->stop)) {
        db_server_run(ts->server);
        db_server_wait(ts->server);
        poll_fd_wait(ts->pipe[0], POLLIN);
        poll_block();
    }
    return NULL;
}

/* Serves TS's database on REMOTE's socket from a new thread. */
static void
server_start(struct test_server *ts)
{
    char *listen = xasprintf("p%s", remote);
    ts->server = db_server_create(ts->db, NULL);
    assert_int_equal(db_server_add_remote(ts->server, listen), 0);
    free(listen);
    assert_int_equal(pipe(ts->pipe), 0);
    atomic_store(&ts->stop, false);
    assert_int_equal(pthread_create(&ts->thread, NULL, server_main, ts), 0);
}

/* Stops the thread and the server (closing its connections); the
 * database stays. */
static void
server_stop(struct test_server *ts)
{
    atomic_store(&ts->stop, true);
    assert_int_equal(write(ts->pipe[1], "x", 1), 1);
    assert_int_equal(pthread_join(ts->thread, NULL), 0);
    close(ts->pipe[0]);
    close(ts->pipe[1]);
    db_server_destroy(ts->server);
    ts->server = NULL;
}

/* A running server whose database holds SCHEMA and then OPS (JSON text
 * or NULL). */
static struct test_server *
server_create(const char *schema, const char *ops)
{
    struct test_server *ts = xzalloc(sizeof *ts);
    ts->db = db_create(parse_schema(schema));
    if (ops) {
        db_exec(ts->db, ops);
    }
    server_start(ts);
    return ts;
}

static void
server_destroy(struct test_server *ts)
{
    if (ts->server) {
        server_stop(ts);
    }
    db_destroy(ts->db);
    free(ts);
}

/* Runs OPS (JSON text) through the running server as another client
 * would, and fails unless they succeed. */
static void
remote_transact(const char *ops)
{
    struct stream *stream;
    assert_int_equal(stream_open_block(remote, DEADLINE_MS, &stream), 0);
    struct jsonrpc *rpc = jsonrpc_open(stream);
    struct json_object *json = parse(ops);
    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string("Test"));
    for (size_t i = 0; i < json_object_array_length(json); i++) {
        json_object_array_add(params, json_object_get(
                                  json_object_array_get_idx(json, i)));
    }
    json_object_put(json);

    struct jsonrpc_msg *reply;
    assert_int_equal(jsonrpc_transact_block(
                         rpc, jsonrpc_create_request("transact", params),
                         &reply, DEADLINE_MS), 0);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_no_error(reply->result);
    jsonrpc_msg_destroy(reply);
    jsonrpc_close(rpc);
}

/* ---- Reading the replica. ---- */

static const struct db_table *
table(const struct db_idl *idl, const char *name)
{
    const struct db *db = db_idl_get_db(idl);
    assert_non_null(db);
    const struct db_table *t = db_get_table(db, name);
    assert_non_null(t);
    return t;
}

static const struct db_datum *
field(const struct db_row *row, const char *column)
{
    const struct db_column *c
        = db_table_schema_find_column(row->table->schema, column);
    assert_non_null(c);
    return &row->fields[c->index];
}

static const char *
get_string(const struct db_row *row, const char *column)
{
    const struct db_datum *d = field(row, column);
    assert_int_equal(d->n, 1);
    return d->keys[0].string;
}

static long long int
get_int(const struct db_row *row, const char *column)
{
    const struct db_datum *d = field(row, column);
    assert_int_equal(d->n, 1);
    return d->keys[0].integer;
}

/* The row of TABLE_NAME whose "name" is NAME, or NULL. */
static const struct db_row *
find_named(const struct db_idl *idl, const char *table_name,
           const char *name)
{
    const struct db_row *row;
    DB_TABLE_FOR_EACH_ROW (row, table(idl, table_name)) {
        if (!strcmp(get_string(row, "name"), name)) {
            return row;
        }
    }
    return NULL;
}

static size_t
n_rows(const struct db_idl *idl, const char *table_name)
{
    return db_table_count_rows(table(idl, table_name));
}

/* ---- Running replicas until something holds. ---- */

typedef bool condition_func(struct db_idl *, const void *aux);

/* Runs IDL until COND(IDL, AUX) holds, or fails with WHAT. */
static void
run_until(struct db_idl *idl, condition_func *cond, const void *aux,
          const char *what)
{
    long long int deadline = time_msec() + DEADLINE_MS;
    for (;;) {
        db_idl_run(idl);
        if (cond(idl, aux)) {
            return;
        }
        if (time_msec() >= deadline) {
            fail_msg("replica never %s", what);
        }
        db_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
is_connected(struct db_idl *idl, const void *aux)
{
    (void) aux;
    return db_idl_is_connected(idl);
}

static bool
is_disconnected(struct db_idl *idl, const void *aux)
{
    (void) aux;
    return !db_idl_is_connected(idl);
}

/* A bridge named NAME with COUNT, or (COUNT < 0) no bridge named NAME. */
struct bridge_state {
    const char *name;
    long long int count;
};

static bool
has_bridge_state(struct db_idl *idl, const void *bs_)
{
    const struct bridge_state *bs = bs_;
    const struct db_row *row = (db_idl_get_db(idl)
                                ? find_named(idl, "Bridge", bs->name)
                                : NULL);
    return bs->count < 0 ? !row : row && get_int(row, "count") == bs->count;
}

static void
wait_bridge(struct db_idl *idl, const char *name, long long int count)
{
    struct bridge_state bs = { name, count };
    run_until(idl, has_bridge_state, &bs, "showed the bridge's change");
}

static struct db_idl *
synced_idl(void)
{
    struct db_idl *idl = db_idl_create(remote, "Test");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);
    return idl;
}

/* ---- The log. ---- */

static size_t
log_mark(void)
{
    struct stat st;
    assert_int_equal(stat(log_name, &st), 0);
    return st.st_size;
}

/* The log since MARK (the caller frees it). */
static char *
log_since(size_t mark)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;
    FILE *file = fopen(log_name, "r");

    assert_non_null(file);
    assert_int_equal(fseek(file, (long) mark, SEEK_SET), 0);
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        ds_put_buffer(&s, buf, n);
    }
    fclose(file);
    return ds_steal_cstr(&s);
}

/* Fails unless the log since MARK has TEXT. */
static void
assert_logged(size_t mark, const char *text)
{
    char *log = log_since(mark);
    if (!strstr(log, text)) {
        fail_msg("log lacks \"%s\":\n%s", text, log);
    }
    free(log);
}

/* For run_until(): whether the log since LOG_START has TEXT. */
static size_t log_start;

static bool
has_logged(struct db_idl *idl, const void *text)
{
    (void) idl;
    char *log = log_since(log_start);
    bool found = strstr(log, text) != NULL;
    free(log);
    return found;
}

/* ---- Tests: replication. ---- */

static const char TWO_BRIDGES[] =
    "[{\"op\": \"insert\", \"table\": \"Bridge\", \"uuid-name\": \"b0\","
    "  \"row\": {\"name\": \"br0\", \"count\": 1,"
    "            \"other\": [\"map\", [[\"k\", \"v\"]]],"
    "            \"ports\": [\"named-uuid\", \"p0\"]}},"
    " {\"op\": \"insert\", \"table\": \"Port\", \"uuid-name\": \"p0\","
    "  \"row\": {\"name\": \"eth0\", \"tag\": 7}},"
    " {\"op\": \"insert\", \"table\": \"Bridge\","
    "  \"row\": {\"name\": \"br1\", \"count\": 2}},"
    " {\"op\": \"insert\", \"table\": \"Stats\", \"row\": {\"value\": 99}}]";

static void
test_initial_sync(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = db_idl_create(remote, "Test");

    assert_null(db_idl_get_db(idl));
    assert_false(db_idl_is_synced(idl));
    unsigned int seqno = db_idl_get_seqno(idl);
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);
    assert_true(db_idl_is_connected(idl));
    assert_true(db_idl_is_synced(idl));
    assert_int_not_equal(db_idl_get_seqno(idl), seqno);
    assert_string_equal(db_idl_get_db(idl)->schema->name, "Test");

    assert_int_equal(n_rows(idl, "Bridge"), 2);
    assert_int_equal(n_rows(idl, "Port"), 1);
    assert_int_equal(n_rows(idl, "Stats"), 1);
    const struct db_row *br0 = find_named(idl, "Bridge", "br0");
    const struct db_row *eth0 = find_named(idl, "Port", "eth0");
    assert_non_null(br0);
    assert_non_null(eth0);
    assert_int_equal(get_int(br0, "count"), 1);
    assert_int_equal(field(br0, "other")->n, 1);
    assert_string_equal(field(br0, "other")->values[0].string, "v");
    assert_int_equal(field(br0, "ports")->n, 1);
    assert_true(uuid_equals(&field(br0, "ports")->keys[0].uuid,
                            db_row_get_uuid(eth0)));
    assert_int_equal(get_int(eth0, "tag"), 7);
    /* Rows are found by the server's uuids. */
    assert_ptr_equal(db_table_find_row(table(idl, "Port"),
                                       db_row_get_uuid(eth0)), eth0);
    assert_int_equal(get_int(find_named(idl, "Bridge", "br1"), "count"), 2);

    db_idl_destroy(idl);
    db_idl_destroy(NULL);
    server_destroy(ts);
}

/* Another client inserts, modifies and deletes rows: the replica
 * follows, and its seqno changes each time. */
static void
test_updates_from_another_client(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = synced_idl();
    unsigned int seqno = db_idl_get_seqno(idl);

    remote_transact("[{\"op\": \"insert\", \"table\": \"Bridge\","
                    "  \"row\": {\"name\": \"br2\", \"count\": 5}}]");
    wait_bridge(idl, "br2", 5);
    assert_int_not_equal(db_idl_get_seqno(idl), seqno);
    seqno = db_idl_get_seqno(idl);

    remote_transact("[{\"op\": \"update\", \"table\": \"Bridge\","
                    "  \"where\": [[\"name\", \"==\", \"br2\"]],"
                    "  \"row\": {\"count\": 6}}]");
    wait_bridge(idl, "br2", 6);
    assert_int_not_equal(db_idl_get_seqno(idl), seqno);
    seqno = db_idl_get_seqno(idl);
    /* The modification kept the columns it did not change. */
    assert_string_equal(get_string(find_named(idl, "Bridge", "br2"),
                                   "name"), "br2");

    remote_transact("[{\"op\": \"delete\", \"table\": \"Bridge\","
                    "  \"where\": [[\"name\", \"==\", \"br2\"]]}]");
    wait_bridge(idl, "br2", -1);
    assert_int_not_equal(db_idl_get_seqno(idl), seqno);
    assert_int_equal(n_rows(idl, "Bridge"), 2);

    /* Deleting br0 garbage-collects its port on the server. */
    remote_transact("[{\"op\": \"delete\", \"table\": \"Bridge\","
                    "  \"where\": [[\"name\", \"==\", \"br0\"]]}]");
    wait_bridge(idl, "br0", -1);
    assert_int_equal(n_rows(idl, "Port"), 0);

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* Only the chosen columns are replicated; the others keep defaults. */
static void
test_column_subset(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = db_idl_create(remote, "Test");
    db_idl_add_column(idl, "Bridge", "name");
    db_idl_add_column(idl, "Bridge", "other");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);

    const struct db_row *br0 = find_named(idl, "Bridge", "br0");
    assert_non_null(br0);
    assert_int_equal(get_int(br0, "count"), 0);
    assert_int_equal(field(br0, "ports")->n, 0);
    assert_int_equal(field(br0, "other")->n, 1);
    /* Tables left out stay empty. */
    assert_int_equal(n_rows(idl, "Port"), 0);
    assert_int_equal(n_rows(idl, "Stats"), 0);

    /* A change to replicated columns shows; the others stay default. */
    remote_transact("[{\"op\": \"update\", \"table\": \"Bridge\","
                    "  \"where\": [[\"name\", \"==\", \"br1\"]],"
                    "  \"row\": {\"name\": \"br9\", \"count\": 9}}]");
    wait_bridge(idl, "br9", 0);
    assert_null(find_named(idl, "Bridge", "br1"));

    db_idl_destroy(idl);
    server_destroy(ts);
}

static void
test_table_subset(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = db_idl_create(remote, "Test");
    db_idl_add_table(idl, "Stats");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);

    assert_int_equal(n_rows(idl, "Bridge"), 0);
    assert_int_equal(n_rows(idl, "Port"), 0);
    assert_int_equal(n_rows(idl, "Stats"), 1);
    const struct db_row *row;
    DB_TABLE_FOR_EACH_ROW (row, table(idl, "Stats")) {
        assert_int_equal(get_int(row, "value"), 99);
    }

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* Names the server lacks are logged and ignored. */
static void
test_unknown_names(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = db_idl_create(remote, "Test");
    size_t mark = log_mark();
    db_idl_add_table(idl, "Nonesuch");
    db_idl_add_column(idl, "Nonesuch", "name");
    db_idl_add_column(idl, "Bridge", "nonesuch");
    db_idl_add_column(idl, "Bridge", "name");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);

    assert_logged(mark, "|db_idl|WARN|");
    assert_logged(mark, "database Test has no table Nonesuch");
    assert_logged(mark, "table Bridge has no column nonesuch");
    assert_non_null(find_named(idl, "Bridge", "br0"));
    assert_int_equal(get_int(find_named(idl, "Bridge", "br0"), "count"), 0);
    assert_int_equal(n_rows(idl, "Stats"), 0);

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* A database the server lacks: the replica never syncs, and says why. */
static void
test_unknown_database(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, NULL);
    struct db_idl *idl = db_idl_create(remote, "Nonesuch");
    size_t mark = log_mark();

    assert_int_equal(db_idl_wait_synced(idl, 300), ETIMEDOUT);
    assert_null(db_idl_get_db(idl));
    assert_logged(mark, "\"get_schema\" for database Nonesuch failed "
                  "(unknown database");

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* The server goes away, its database changes, and it comes back: the
 * replica keeps its contents meanwhile and then takes the new ones. */
static void
test_reconnect_resyncs(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = synced_idl();
    const struct db *replica = db_idl_get_db(idl);

    server_stop(ts);
    run_until(idl, is_disconnected, NULL, "noticed the server was gone");
    assert_false(db_idl_is_synced(idl));
    assert_int_equal(n_rows(idl, "Bridge"), 2);

    db_exec(ts->db, "[{\"op\": \"delete\", \"table\": \"Bridge\","
            "  \"where\": [[\"name\", \"==\", \"br1\"]]},"
            " {\"op\": \"update\", \"table\": \"Bridge\","
            "  \"where\": [[\"name\", \"==\", \"br0\"]],"
            "  \"row\": {\"count\": 10}},"
            " {\"op\": \"insert\", \"table\": \"Bridge\","
            "  \"row\": {\"name\": \"br3\", \"count\": 3}}]");
    unsigned int seqno = db_idl_get_seqno(idl);
    server_start(ts);
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);

    /* Same schema: same replica, fresh contents. */
    assert_ptr_equal(db_idl_get_db(idl), replica);
    assert_int_not_equal(db_idl_get_seqno(idl), seqno);
    assert_int_equal(n_rows(idl, "Bridge"), 2);
    assert_null(find_named(idl, "Bridge", "br1"));
    assert_int_equal(get_int(find_named(idl, "Bridge", "br0"), "count"), 10);
    assert_int_equal(get_int(find_named(idl, "Bridge", "br3"), "count"), 3);

    /* Updates flow on the new connection. */
    remote_transact("[{\"op\": \"insert\", \"table\": \"Bridge\","
                    "  \"row\": {\"name\": \"br4\", \"count\": 4}}]");
    wait_bridge(idl, "br4", 4);

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* The server comes back with another schema: the replica is rebuilt. */
static void
test_schema_change(void **state)
{
    (void) state;
    static const char NEW_SCHEMA[] =
        "{\"name\": \"Test\", \"version\": \"1.1.0\", \"tables\": {"
        "  \"Bridge\": {\"columns\": {"
        "    \"name\": {\"type\": \"string\"},"
        "    \"count\": {\"type\": \"integer\"},"
        "    \"extra\": {\"type\": \"string\"}}}}}";
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = synced_idl();

    server_destroy(ts);
    run_until(idl, is_disconnected, NULL, "noticed the server was gone");
    ts = server_create(NEW_SCHEMA,
                       "[{\"op\": \"insert\", \"table\": \"Bridge\","
                       "  \"row\": {\"name\": \"new\", \"extra\": \"x\"}}]");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);

    const struct db *db = db_idl_get_db(idl);
    assert_string_equal(db->schema->version, "1.1.0");
    assert_null(db_get_table(db, "Port"));
    assert_int_equal(n_rows(idl, "Bridge"), 1);
    assert_string_equal(get_string(find_named(idl, "Bridge", "new"),
                                   "extra"), "x");

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* ---- A hand-driven server that sends what it likes. ---- */

struct fake_server {
    struct pstream *pstream;
    struct jsonrpc *rpc;
};

/* Runs IDL and FS until FS receives a request, which it returns. */
static struct jsonrpc_msg *
fake_recv(struct fake_server *fs, struct db_idl *idl)
{
    long long int deadline = time_msec() + DEADLINE_MS;
    for (;;) {
        db_idl_run(idl);
        if (!fs->rpc) {
            struct stream *stream;
            if (!pstream_accept(fs->pstream, &stream)) {
                fs->rpc = jsonrpc_open(stream);
            }
        }
        struct jsonrpc_msg *msg;
        if (fs->rpc && !jsonrpc_recv(fs->rpc, &msg)) {
            return msg;
        }
        if (time_msec() >= deadline) {
            fail_msg("the replica sent nothing");
        }
        db_idl_wait(idl);
        if (fs->rpc) {
            jsonrpc_recv_wait(fs->rpc);
        } else {
            pstream_wait(fs->pstream);
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Expects a METHOD request and answers it with RESULT (JSON text). */
static void
fake_answer(struct fake_server *fs, struct db_idl *idl, const char *method,
            const char *result)
{
    struct jsonrpc_msg *msg = fake_recv(fs, idl);
    assert_int_equal(msg->type, JSONRPC_REQUEST);
    assert_string_equal(msg->method, method);
    assert_int_equal(jsonrpc_send(fs->rpc, jsonrpc_create_reply(
                                      parse(result), msg->id)), 0);
    jsonrpc_msg_destroy(msg);
}

static bool
has_no_rows(struct db_idl *idl, const void *aux)
{
    (void) aux;
    return n_rows(idl, "Bridge") == 0;
}

#define UUID1 "11111111-2222-4333-8444-555555555555"
#define UUID2 "66666666-7777-4888-9999-aaaaaaaaaaaa"

/* Whatever the server sends, the replica keeps what makes sense, logs the
 * rest, and does not crash. */
static void
test_bad_input_from_server(void **state)
{
    (void) state;
    char *path = xasprintf("%s/fake.sock", tmp_dir);
    char *listen = xasprintf("punix:%s", path);
    char *connect = xasprintf("unix:%s", path);
    struct fake_server fs = { NULL, NULL };
    assert_int_equal(pstream_open(listen, &fs.pstream), 0);
    struct db_idl *idl = db_idl_create(connect, "Test");
    size_t mark = log_mark();

    fake_answer(&fs, idl, "get_schema", SCHEMA);
    fake_answer(&fs, idl, "monitor",
                "{\"Bridge\": {"
                "   \"not-a-uuid\": {\"new\": {\"name\": \"x\"}},"
                "   \"" UUID1 "\": {\"new\": {\"name\": 5, \"count\": 3,"
                "                           \"nonesuch\": 1}},"
                "   \"" UUID2 "\": 42},"
                " \"Nonesuch\": {}}");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);
    assert_int_equal(n_rows(idl, "Bridge"), 1);
    struct uuid uuid1;
    assert_true(uuid_from_string(&uuid1, UUID1));
    const struct db_row *row = db_table_find_row(table(idl, "Bridge"),
                                                 &uuid1);
    assert_non_null(row);
    assert_int_equal(get_int(row, "count"), 3);
    assert_string_equal(get_string(row, "name"), "");
    assert_logged(mark, "bad update for row not-a-uuid of table Bridge");
    assert_logged(mark, "bad value for column name of table Bridge");
    assert_logged(mark, "bad update for row " UUID2);
    assert_logged(mark, "ignoring updates for table Nonesuch");

    /* Bad notifications are logged; a good one still works. */
    static const char *const notifications[] = {
        "[]",
        "[\"other-monitor\", {}]",
        "[\"db-idl\", 5]",
        "[\"db-idl\", {\"Bridge\": {\"" UUID1 "\": {}}}]",
        "[\"db-idl\", {\"Bridge\": {\"" UUID1 "\": {\"old\": {}}}}]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(notifications); i++) {
        assert_int_equal(jsonrpc_send(fs.rpc, jsonrpc_create_notify(
                                          "update",
                                          parse(notifications[i]))), 0);
    }
    run_until(idl, has_no_rows, NULL, "applied the deletion");
    assert_logged(mark, "bad \"update\"");
    assert_logged(mark, "table updates are not an object");

    /* The server's "echo" is answered; other requests get errors. */
    struct jsonrpc_msg *reply;
    jsonrpc_send(fs.rpc, jsonrpc_create_request("echo", parse("[1]")));
    jsonrpc_send(fs.rpc, jsonrpc_create_request("nonesuch", NULL));
    reply = fake_recv(&fs, idl);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_int_equal(json_object_get_int(
                         json_object_array_get_idx(reply->result, 0)), 1);
    jsonrpc_msg_destroy(reply);
    reply = fake_recv(&fs, idl);
    assert_int_equal(reply->type, JSONRPC_ERROR);
    jsonrpc_msg_destroy(reply);

    /* A bad schema on the next connection: logged, and the old replica
     * stays. */
    jsonrpc_close(fs.rpc);
    fs.rpc = NULL;
    fake_answer(&fs, idl, "get_schema", "{\"name\": 5}");
    log_start = mark;
    run_until(idl, has_logged, "bad schema for database Test",
              "logged the bad schema");
    assert_false(db_idl_is_synced(idl));
    assert_int_equal(n_rows(idl, "Bridge"), 0);

    db_idl_destroy(idl);
    jsonrpc_close(fs.rpc);
    pstream_close(fs.pstream);
    free(connect);
    free(listen);
    free(path);
}

/* ---- Tests: transactions. ---- */

static void
test_txn_insert_update_delete(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, NULL);
    struct db_idl *idl = synced_idl();

    /* Insert a port and a bridge that refers to it by its placeholder. */
    struct db_idl_txn *txn = db_idl_txn_create(idl);
    struct uuid port = db_idl_txn_insert(
        txn, "Port", parse("{\"name\": \"eth1\", \"tag\": 3}"));
    char *row = xasprintf("{\"name\": \"brA\", \"count\": 1,"
                          " \"ports\": [\"uuid\", \""UUID_FMT"\"]}",
                          UUID_ARGS(&port));
    struct uuid bridge = db_idl_txn_insert(txn, "Bridge", parse(row));
    free(row);
    db_idl_txn_add_comment(txn, "adding brA");
    assert_null(db_idl_txn_get_insert_uuid(txn, &bridge));
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_SUCCESS);
    assert_null(db_idl_txn_get_error(txn));
    /* Two inserts and the comment. */
    assert_int_equal(json_object_array_length(db_idl_txn_get_result(txn)),
                     3);

    const struct uuid *real_bridge = db_idl_txn_get_insert_uuid(txn,
                                                                &bridge);
    const struct uuid *real_port = db_idl_txn_get_insert_uuid(txn, &port);
    assert_non_null(real_bridge);
    assert_non_null(real_port);
    /* The server's update comes before its reply, so the replica already
     * holds the new rows. */
    const struct db_row *br = db_table_find_row(table(idl, "Bridge"),
                                                real_bridge);
    assert_non_null(br);
    assert_string_equal(get_string(br, "name"), "brA");
    assert_int_equal(field(br, "ports")->n, 1);
    assert_true(uuid_equals(&field(br, "ports")->keys[0].uuid, real_port));
    assert_non_null(db_table_find_row(table(idl, "Port"), real_port));
    db_idl_txn_destroy(txn);

    txn = db_idl_txn_create(idl);
    db_idl_txn_update(txn, br, parse("{\"count\": 2}"));
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_SUCCESS);
    db_idl_txn_destroy(txn);
    wait_bridge(idl, "brA", 2);

    br = find_named(idl, "Bridge", "brA");
    txn = db_idl_txn_create(idl);
    db_idl_txn_delete(txn, br);
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_SUCCESS);
    /* A second commit_block() just reports the status again. */
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_SUCCESS);
    db_idl_txn_destroy(txn);
    wait_bridge(idl, "brA", -1);
    assert_int_equal(n_rows(idl, "Port"), 0);

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* Two clients change the same value: the one whose verified value went
 * stale must try again, and succeeds after rereading. */
static void
test_txn_verify_conflict(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *a = synced_idl();
    struct db_idl *b = synced_idl();

    /* A reads count 1 and prepares to write 2. */
    const struct db_row *row = find_named(a, "Bridge", "br0");
    struct db_idl_txn *txn_a = db_idl_txn_create(a);
    db_idl_txn_verify(txn_a, row, "count");
    db_idl_txn_update(txn_a, row, parse("{\"count\": 2}"));

    /* Meanwhile B writes 5. */
    struct db_idl_txn *txn_b = db_idl_txn_create(b);
    const struct db_row *row_b = find_named(b, "Bridge", "br0");
    db_idl_txn_verify(txn_b, row_b, "count");
    db_idl_txn_update(txn_b, row_b, parse("{\"count\": 5}"));
    assert_int_equal(db_idl_txn_commit_block(txn_b, DEADLINE_MS),
                     DB_IDL_TXN_SUCCESS);
    db_idl_txn_destroy(txn_b);

    assert_int_equal(db_idl_txn_commit_block(txn_a, DEADLINE_MS),
                     DB_IDL_TXN_TRY_AGAIN);
    assert_null(db_idl_txn_get_error(txn_a));
    db_idl_txn_destroy(txn_a);

    /* A catches up and tries again. */
    wait_bridge(a, "br0", 5);
    row = find_named(a, "Bridge", "br0");
    txn_a = db_idl_txn_create(a);
    db_idl_txn_verify(txn_a, row, "count");
    db_idl_txn_update(txn_a, row, parse("{\"count\": 6}"));
    assert_int_equal(db_idl_txn_commit_block(txn_a, DEADLINE_MS),
                     DB_IDL_TXN_SUCCESS);
    db_idl_txn_destroy(txn_a);
    wait_bridge(b, "br0", 6);

    db_idl_destroy(a);
    db_idl_destroy(b);
    server_destroy(ts);
}

static void
assert_txn_error(struct db_idl *idl, struct db_idl_txn *txn,
                 const char *prefix)
{
    (void) idl;
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_ERROR);
    const char *error = db_idl_txn_get_error(txn);
    assert_non_null(error);
    if (strncmp(error, prefix, strlen(prefix))) {
        fail_msg("error \"%s\" does not start with \"%s\"", error, prefix);
    }
    db_idl_txn_destroy(txn);
}

/* The server refuses: the status is ERROR and the error says why. */
static void
test_txn_error(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = synced_idl();

    /* A failing operation. */
    struct db_idl_txn *txn = db_idl_txn_create(idl);
    db_idl_txn_insert(txn, "Nonesuch", NULL);
    assert_txn_error(idl, txn, "syntax error: \"Nonesuch\": no table");

    /* A failing commit (the error is appended after the results). */
    txn = db_idl_txn_create(idl);
    db_idl_txn_insert(txn, "Bridge", parse("{\"name\": \"br0\"}"));
    assert_txn_error(idl, txn, "constraint violation");

    /* An operation that fails on purpose. */
    txn = db_idl_txn_create(idl);
    db_idl_txn_add_op(txn, parse("{\"op\": \"abort\"}"));
    assert_txn_error(idl, txn, "aborted: aborted by request");

    /* A wait that times out but is not a verify is an error too. */
    txn = db_idl_txn_create(idl);
    db_idl_txn_add_op(txn, parse("{\"op\": \"wait\", \"table\": \"Bridge\","
                                 " \"where\": [], \"columns\": [\"name\"],"
                                 " \"until\": \"==\", \"rows\": [],"
                                 " \"timeout\": 0}"));
    assert_txn_error(idl, txn, "timed out");

    /* Nothing changed. */
    assert_int_equal(n_rows(idl, "Bridge"), 2);
    db_idl_destroy(idl);

    /* An error answer to the whole request: a replica of a database the
     * server lacks is connected but never synced, and its transactions
     * are refused. */
    idl = db_idl_create(remote, "Nonesuch");
    run_until(idl, is_connected, NULL, "connected");
    txn = db_idl_txn_create(idl);
    db_idl_txn_add_op(txn, parse("{\"op\": \"comment\","
                                 " \"comment\": \"hello\"}"));
    assert_txn_error(idl, txn, "unknown database: no database named");
    db_idl_destroy(idl);
    server_destroy(ts);
}

/* The "wait" that never holds: the server holds the request. */
static const char WAIT_FOREVER[] =
    "{\"op\": \"wait\", \"table\": \"Bridge\","
    " \"where\": [[\"name\", \"==\", \"never\"]], \"columns\": [\"name\"],"
    " \"until\": \"==\", \"rows\": [{\"name\": \"never\"}]}";

static void
test_txn_not_connected(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = synced_idl();

    /* The answer does not come in time: still incomplete. */
    struct db_idl_txn *txn = db_idl_txn_create(idl);
    db_idl_txn_add_op(txn, parse(WAIT_FOREVER));
    assert_int_equal(db_idl_txn_commit_block(txn, 100),
                     DB_IDL_TXN_INCOMPLETE);

    /* The connection drops while it waits. */
    server_stop(ts);
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_NOT_CONNECTED);
    db_idl_txn_destroy(txn);

    /* Down at commit time. */
    assert_false(db_idl_is_connected(idl));
    txn = db_idl_txn_create(idl);
    db_idl_txn_delete(txn, find_named(idl, "Bridge", "br0"));
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_NOT_CONNECTED);
    db_idl_txn_destroy(txn);

    /* An incomplete transaction may be destroyed, and its answer is then
     * ignored. */
    server_start(ts);
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);
    txn = db_idl_txn_create(idl);
    db_idl_txn_add_op(txn, parse(WAIT_FOREVER));
    assert_int_equal(db_idl_txn_commit_block(txn, 0), DB_IDL_TXN_INCOMPLETE);
    db_idl_txn_destroy(txn);

    db_idl_destroy(idl);
    server_destroy(ts);
}

static void
test_txn_unchanged(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = synced_idl();

    struct db_idl_txn *txn = db_idl_txn_create(idl);
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_UNCHANGED);
    db_idl_txn_destroy(txn);

    txn = db_idl_txn_create(idl);
    db_idl_txn_add_comment(txn, "nothing");
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_UNCHANGED);
    db_idl_txn_destroy(txn);
    db_idl_txn_destroy(NULL);

    db_idl_destroy(idl);
    server_destroy(ts);
}

/* Verifying a column the replica lacks is logged and left out; adding to
 * a committed transaction is logged and ignored. */
static void
test_txn_misuse(void **state)
{
    (void) state;
    struct test_server *ts = server_create(SCHEMA, TWO_BRIDGES);
    struct db_idl *idl = db_idl_create(remote, "Test");
    db_idl_add_column(idl, "Bridge", "name");
    assert_int_equal(db_idl_wait_synced(idl, DEADLINE_MS), 0);
    size_t mark = log_mark();

    const struct db_row *row = find_named(idl, "Bridge", "br0");
    struct db_idl_txn *txn = db_idl_txn_create(idl);
    db_idl_txn_verify(txn, row, "count");
    db_idl_txn_verify(txn, row, "nonesuch");
    assert_logged(mark, "cannot verify column count of table Bridge");
    assert_logged(mark, "cannot verify column nonesuch of table Bridge");
    assert_int_equal(db_idl_txn_commit_block(txn, DEADLINE_MS),
                     DB_IDL_TXN_UNCHANGED);

    db_idl_txn_update(txn, row, parse("{\"count\": 3}"));
    db_idl_txn_add_op(txn, parse("{\"op\": \"abort\"}"));
    db_idl_txn_add_comment(txn, "late");
    assert_logged(mark, "operation added to a committed transaction");
    db_idl_txn_destroy(txn);

    db_idl_destroy(idl);
    server_destroy(ts);
}

static void
test_status_strings(void **state)
{
    (void) state;
    assert_string_equal(db_idl_txn_status_to_string(DB_IDL_TXN_SUCCESS),
                        "success");
    assert_string_equal(db_idl_txn_status_to_string(DB_IDL_TXN_TRY_AGAIN),
                        "try again");
    assert_string_equal(
        db_idl_txn_status_to_string(DB_IDL_TXN_NOT_CONNECTED),
        "not connected");
}

/* ---- Setup. ---- */

static int
setup(void **state)
{
    (void) state;
    tmp_dir = unit_mkdtemp();
    log_name = xasprintf("%s/test.log", tmp_dir);
    remote = xasprintf("unix:%s/db.sock", tmp_dir);
    assert_int_equal(vlog_set_log_file(log_name), 0);
    /* Everything to the log file, the replica's debug lines included;
     * nothing to the console. */
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    vlog_set_levels(vlog_module_from_name("db_idl"), VLF_FILE, VLL_DBG);
    return 0;
}

static int
teardown(void **state)
{
    (void) state;
    vlog_close_log_file();
    unit_rmdir_r(tmp_dir);
    free(tmp_dir);
    free(log_name);
    free(remote);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_sync),
        cmocka_unit_test(test_updates_from_another_client),
        cmocka_unit_test(test_column_subset),
        cmocka_unit_test(test_table_subset),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_unknown_database),
        cmocka_unit_test(test_reconnect_resyncs),
        cmocka_unit_test(test_schema_change),
        cmocka_unit_test(test_bad_input_from_server),
        cmocka_unit_test(test_txn_insert_update_delete),
        cmocka_unit_test(test_txn_verify_conflict),
        cmocka_unit_test(test_txn_error),
        cmocka_unit_test(test_txn_not_connected),
        cmocka_unit_test(test_txn_unchanged),
        cmocka_unit_test(test_txn_misuse),
        cmocka_unit_test(test_status_strings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
