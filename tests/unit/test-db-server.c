/* Unit tests for lib/db-server: the OVSDB protocol over real sockets.
 *
 * Each test serves a fresh in-memory database on a punix socket in a
 * temporary directory.  The server and its clients share the test's one
 * thread: a client sends, then the test runs the server's loop until the
 * client has a message, bounded by a generous deadline. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-file.h"
#include "db-schema.h"
#include "db-server.h"
#include "db.h"
#include "dynamic-string.h"
#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "vlog.h"

/* Bound on every wait for something the server should do. */
#define WAIT_MSEC 20000

static const char SCHEMA[] =
    "{\"name\": \"Test\", \"version\": \"2.0.0\", \"tables\": {"
    "  \"Root\": {\"isRoot\": true, \"columns\": {"
    "    \"name\": {\"type\": \"string\"},"
    "    \"count\": {\"type\": \"integer\"}}},"
    "  \"Blob\": {\"isRoot\": true, \"columns\": {"
    "    \"data\": {\"type\": \"string\"},"
    "    \"count\": {\"type\": \"integer\"}}}}}";

static char *tmp_dir;           /* For the whole program. */
static char *log_name;          /* vlog's file, in TMP_DIR. */
static unsigned int n_servers;  /* For unique socket names. */

/* The server of the test under way. */
static struct db *db;
static struct db_server *server;
static char *remote;            /* "unix:PATH" of its socket. */

/* ---- Helpers. ---- */

static struct json_object *
parse(const char *text)
{
    struct json_object *json = json_tokener_parse(text);
    if (!json) {
        fail_msg("does not parse: %s", text);
    }
    return json;
}

static void
assert_json_equal(const struct json_object *have, const char *want_text)
{
    struct json_object *want = parse(want_text);
    if (!json_object_equal((struct json_object *) have, want)) {
        fail_msg("%s != %s",
                 json_object_to_json_string((struct json_object *) have),
                 want_text);
    }
    json_object_put(want);
}

static char *
slurp(const char *path)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;
    FILE *file = fopen(path, "r");

    assert_non_null(file);
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        ds_put_buffer(&s, buf, n);
    }
    fclose(file);
    return ds_steal_cstr(&s);
}

/* Asserts that vlog's file has a line with TEXT. */
static void
assert_logged(const char *text)
{
    char *log = slurp(log_name);
    if (!strstr(log, text)) {
        fail_msg("log lacks \"%s\":\n%s", text, log);
    }
    free(log);
}

static struct jsonrpc *
client_open_remote(const char *name)
{
    struct stream *stream;
    int error = stream_open_block(name, WAIT_MSEC, &stream);
    if (error) {
        fail_msg("%s: cannot connect (%s)", name, strerror(error));
    }
    return jsonrpc_open(stream);
}

static struct jsonrpc *
client_open(void)
{
    return client_open_remote(remote);
}

/* Runs the server's loop once, sleeping until something happens, RPC (if
 * nonnull) can make progress, or DEADLINE passes. */
static void
run_server_once(struct jsonrpc *rpc, long long int deadline)
{
    db_server_run(server);
    db_server_wait(server);
    if (rpc) {
        jsonrpc_run(rpc);
        jsonrpc_wait(rpc);
        jsonrpc_recv_wait(rpc);
    }
    poll_timer_wait_until(deadline);
    poll_block();
}

/* Runs the server until RPC has a message, which it returns. */
static struct jsonrpc_msg *
recv_msg(struct jsonrpc *rpc)
{
    long long int deadline = time_msec() + WAIT_MSEC;
    for (;;) {
        struct jsonrpc_msg *msg;
        jsonrpc_run(rpc);
        int error = jsonrpc_recv(rpc, &msg);
        if (!error) {
            return msg;
        } else if (error != EAGAIN) {
            fail_msg("%s: %s", jsonrpc_get_name(rpc),
                     error == EOF ? "end of stream" : strerror(error));
        } else if (time_msec() >= deadline) {
            fail_msg("%s: nothing received within %d ms",
                     jsonrpc_get_name(rpc), WAIT_MSEC);
        }
        run_server_once(rpc, deadline);
    }
}

/* Runs the server until RPC's connection is closed by the server. */
static void
recv_until_closed(struct jsonrpc *rpc)
{
    long long int deadline = time_msec() + WAIT_MSEC;
    for (;;) {
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(rpc, &msg);
        if (!error) {
            jsonrpc_msg_destroy(msg);
            continue;
        } else if (error != EAGAIN) {
            return;
        } else if (time_msec() >= deadline) {
            fail_msg("%s: still open after %d ms", jsonrpc_get_name(rpc),
                     WAIT_MSEC);
        }
        run_server_once(rpc, deadline);
    }
}

/* The server's status report (the caller frees it). */
static char *
get_status(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    db_server_put_status(server, &s);
    return ds_steal_cstr(&s);
}

static bool
status_has(const char *line)
{
    char *status = get_status();
    char *with_nl = xasprintf("\n%s", status);
    char *want = xasprintf("\n%s\n", line);
    bool found = strstr(with_nl, want) != NULL;
    free(want);
    free(with_nl);
    free(status);
    return found;
}

/* Runs the server until its status report has LINE. */
static void
run_until_status(const char *line)
{
    long long int deadline = time_msec() + WAIT_MSEC;
    for (;;) {
        db_server_run(server);
        if (status_has(line)) {
            return;
        } else if (time_msec() >= deadline) {
            char *status = get_status();
            fail_msg("status lacks \"%s\" after %d ms:\n%s", line,
                     WAIT_MSEC, status);
        }
        db_server_wait(server);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Sends a request for METHOD with the parameters PARAMS_FMT (a JSON
 * array's text, printf-style) and returns its id (the caller puts it). */
static struct json_object *
send_request(struct jsonrpc *rpc, const char *method,
             const char *params_fmt, ...) PRINTF_FORMAT(3, 4);
static struct json_object *
send_request(struct jsonrpc *rpc, const char *method,
             const char *params_fmt, ...)
{
    va_list args;
    va_start(args, params_fmt);
    char *params = xvasprintf(params_fmt, args);
    va_end(args);

    struct jsonrpc_msg *req = jsonrpc_create_request(method, parse(params));
    struct json_object *id = json_object_get(req->id);
    assert_int_equal(jsonrpc_send(rpc, req), 0);
    free(params);
    return id;
}

static void
send_notify(struct jsonrpc *rpc, const char *method, const char *params)
{
    assert_int_equal(jsonrpc_send(rpc, jsonrpc_create_notify(
                                      method, parse(params))), 0);
}

static void
assert_ids_equal(const struct json_object *a, const struct json_object *b)
{
    if (!jsonrpc_id_equals(a, b)) {
        fail_msg("id %s != %s",
                 json_object_to_json_string((struct json_object *) a),
                 json_object_to_json_string((struct json_object *) b));
    }
}

/* Receives the reply to request ID and returns its result (the caller
 * puts it).  Takes ID. */
static struct json_object *
expect_reply(struct jsonrpc *rpc, struct json_object *id)
{
    struct jsonrpc_msg *msg = recv_msg(rpc);
    if (msg->type != JSONRPC_REPLY) {
        char *s = jsonrpc_msg_to_string(msg);
        fail_msg("expected a reply, got %s", s);
    }
    assert_ids_equal(msg->id, id);
    struct json_object *result = json_object_get(msg->result);
    jsonrpc_msg_destroy(msg);
    json_object_put(id);
    return result;
}

/* Receives the error reply to request ID, whose error must be TAG.
 * Takes ID. */
static void
expect_error(struct jsonrpc *rpc, struct json_object *id, const char *tag)
{
    struct jsonrpc_msg *msg = recv_msg(rpc);
    if (msg->type != JSONRPC_ERROR) {
        char *s = jsonrpc_msg_to_string(msg);
        fail_msg("expected an error, got %s", s);
    }
    assert_ids_equal(msg->id, id);
    struct json_object *error;
    if (!json_object_object_get_ex(msg->error, "error", &error)
        || strcmp(json_object_get_string(error), tag)) {
        fail_msg("expected error \"%s\", got %s", tag,
                 json_object_to_json_string(msg->error));
    }
    jsonrpc_msg_destroy(msg);
    json_object_put(id);
}

/* Receives a notification of METHOD and returns its params (the caller
 * puts them). */
static struct json_object *
expect_notify(struct jsonrpc *rpc, const char *method)
{
    struct jsonrpc_msg *msg = recv_msg(rpc);
    if (msg->type != JSONRPC_NOTIFY || strcmp(msg->method, method)) {
        char *s = jsonrpc_msg_to_string(msg);
        fail_msg("expected a \"%s\" notification, got %s", method, s);
    }
    struct json_object *params = json_object_get(msg->params);
    jsonrpc_msg_destroy(msg);
    return params;
}

/* Sends a request and returns the result of its reply. */
static struct json_object *
request(struct jsonrpc *rpc, const char *method, const char *params_fmt,
        ...) PRINTF_FORMAT(3, 4);
static struct json_object *
request(struct jsonrpc *rpc, const char *method, const char *params_fmt,
        ...)
{
    va_list args;
    va_start(args, params_fmt);
    char *params = xvasprintf(params_fmt, args);
    va_end(args);
    struct json_object *id = send_request(rpc, method, "%s", params);
    free(params);
    return expect_reply(rpc, id);
}

/* Sends a request that must get an error reply with TAG. */
static void
request_error(struct jsonrpc *rpc, const char *tag, const char *method,
              const char *params_fmt, ...) PRINTF_FORMAT(4, 5);
static void
request_error(struct jsonrpc *rpc, const char *tag, const char *method,
              const char *params_fmt, ...)
{
    va_list args;
    va_start(args, params_fmt);
    char *params = xvasprintf(params_fmt, args);
    va_end(args);
    struct json_object *id = send_request(rpc, method, "%s", params);
    free(params);
    expect_error(rpc, id, tag);
}

/* Asserts that nothing is waiting for RPC: the reply to an "echo" sent now
 * is the next message it gets (the server answers in order, so anything
 * it had sent before would come first). */
static void
expect_quiet(struct jsonrpc *rpc)
{
    struct json_object *result = request(rpc, "echo", "[\"quiet?\"]");
    assert_json_equal(result, "[\"quiet?\"]");
    json_object_put(result);
}

/* Runs a transaction of OPS (operations' JSON texts, comma-separated)
 * that must succeed in every operation; returns the results. */
static struct json_object *
transact(struct jsonrpc *rpc, const char *ops)
{
    struct json_object *results = request(rpc, "transact", "[\"Test\",%s]",
                                          ops);
    assert_true(json_object_is_type(results, json_type_array));
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        struct json_object *r = json_object_array_get_idx(results, i);
        if (!r || json_object_object_get_ex(r, "error", NULL)) {
            fail_msg("%s failed: %s", ops,
                     json_object_to_json_string(results));
        }
    }
    return results;
}

/* Inserts a Root row named NAME; returns its uuid (the caller frees it). */
static char *
insert_root(struct jsonrpc *rpc, const char *name)
{
    char *op = xasprintf("{\"op\":\"insert\",\"table\":\"Root\","
                         "\"row\":{\"name\":\"%s\"}}", name);
    struct json_object *results = transact(rpc, op);
    struct json_object *uuid;
    assert_true(json_object_object_get_ex(
                    json_object_array_get_idx(results, 0), "uuid", &uuid));
    char *s = xstrdup(json_object_get_string(
                          json_object_array_get_idx(uuid, 1)));
    json_object_put(results);
    free(op);
    return s;
}

static size_t
count_rows(const char *table)
{
    return db_table_count_rows(db_get_table(db, table));
}

/* The error tag of RESULTS[I], which must be an error object. */
static void
assert_result_error(const struct json_object *results, size_t i,
                    const char *tag)
{
    struct json_object *r = json_object_array_get_idx(results, i);
    struct json_object *error;
    if (!json_object_object_get_ex(r, "error", &error)
        || strcmp(json_object_get_string(error), tag)) {
        fail_msg("result %zu is not error \"%s\": %s", i, tag,
                 json_object_to_json_string(
                     (struct json_object *) results));
    }
}

/* A "wait" operation that holds once Root has a row named NAME, with
 * TIMEOUT ("" or ",\"timeout\":N"). */
static char *
wait_for_name(const char *name, const char *timeout)
{
    return xasprintf("{\"op\":\"wait\",\"table\":\"Root\","
                     "\"where\":[[\"name\",\"==\",\"%s\"]],"
                     "\"columns\":[\"name\"],\"until\":\"==\","
                     "\"rows\":[{\"name\":\"%s\"}]%s}", name, name, timeout);
}

/* ---- Tests: simple methods. ---- */

static void
test_list_dbs(void **state)
{
    (void) state;
    struct jsonrpc *rpc = client_open();
    struct json_object *result = request(rpc, "list_dbs", "[]");
    assert_json_equal(result, "[\"Test\"]");
    json_object_put(result);
    jsonrpc_close(rpc);
}

static void
test_get_schema(void **state)
{
    (void) state;
    struct jsonrpc *rpc = client_open();
    struct json_object *result = request(rpc, "get_schema", "[\"Test\"]");
    struct json_object *want = db_schema_to_json(db->schema);
    assert_true(json_object_equal(result, want));
    json_object_put(want);
    json_object_put(result);

    request_error(rpc, "unknown database", "get_schema", "[\"Nope\"]");
    request_error(rpc, "unknown database", "get_schema", "[5]");
    request_error(rpc, "syntax error", "get_schema", "[]");
    request_error(rpc, "syntax error", "get_schema", "[\"Test\",\"Test\"]");
    jsonrpc_close(rpc);
}

static void
test_echo_and_unknown_methods(void **state)
{
    (void) state;
    struct jsonrpc *rpc = client_open();
    struct json_object *result = request(rpc, "echo",
                                         "[\"a\",1,{\"b\":[null]}]");
    assert_json_equal(result, "[\"a\",1,{\"b\":[null]}]");
    json_object_put(result);
    result = request(rpc, "echo", "[]");
    assert_json_equal(result, "[]");
    json_object_put(result);

    result = request(rpc, "set_db_change_aware", "[true]");
    assert_json_equal(result, "{}");
    json_object_put(result);

    request_error(rpc, "unknown method", "frobnicate", "[]");
    /* Unknown notifications, and replies to nothing, are ignored. */
    send_notify(rpc, "frobnicate", "[1]");
    struct json_object *id = json_object_new_int(12345);
    assert_int_equal(jsonrpc_send(rpc, jsonrpc_create_reply(
                                      json_object_new_int(1), id)), 0);
    json_object_put(id);
    expect_quiet(rpc);
    jsonrpc_close(rpc);
}

/* Many requests sent at once (more than the server handles per round)
 * are all answered, in order. */
static void
test_pipelined_requests(void **state)
{
    (void) state;
    enum { N = 300 };
    struct jsonrpc *rpc = client_open();
    struct json_object *ids[N];
    for (int i = 0; i < N; i++) {
        ids[i] = send_request(rpc, "echo", "[%d]", i);
    }
    for (int i = 0; i < N; i++) {
        struct json_object *result = expect_reply(rpc, ids[i]);
        assert_int_equal(json_object_get_int(
                             json_object_array_get_idx(result, 0)), i);
        json_object_put(result);
    }
    jsonrpc_close(rpc);
}

/* ---- Tests: transact, wait, cancel. ---- */

static void
test_transact(void **state)
{
    (void) state;
    struct jsonrpc *rpc = client_open();

    struct json_object *results = transact(
        rpc, "{\"op\":\"insert\",\"table\":\"Root\","
        "      \"row\":{\"name\":\"a\",\"count\":1}},"
        "    {\"op\":\"select\",\"table\":\"Root\",\"where\":[],"
        "      \"columns\":[\"name\",\"count\"]}");
    assert_int_equal(json_object_array_length(results), 2);
    struct json_object *uuid;
    assert_true(json_object_object_get_ex(
                    json_object_array_get_idx(results, 0), "uuid", &uuid));
    assert_json_equal(json_object_array_get_idx(results, 1),
                      "{\"rows\":[{\"name\":\"a\",\"count\":1}]}");
    json_object_put(results);
    assert_int_equal(count_rows("Root"), 1);

    /* No operations: an empty result. */
    results = request(rpc, "transact", "[\"Test\"]");
    assert_json_equal(results, "[]");
    json_object_put(results);

    /* A failing operation is an error in the result array; the reply is
     * still a reply. */
    results = request(rpc, "transact", "[\"Test\","
                      "{\"op\":\"insert\",\"table\":\"Root\","
                      " \"row\":{\"name\":\"b\"}},"
                      "{\"op\":\"bogus\"},"
                      "{\"op\":\"comment\",\"comment\":\"x\"}]");
    assert_int_equal(json_object_array_length(results), 3);
    assert_result_error(results, 1, "syntax error");
    assert_null(json_object_array_get_idx(results, 2));
    json_object_put(results);
    assert_int_equal(count_rows("Root"), 1);

    request_error(rpc, "unknown database", "transact",
                  "[\"Nope\",{\"op\":\"comment\",\"comment\":\"x\"}]");
    request_error(rpc, "unknown database", "transact", "[{}]");
    request_error(rpc, "syntax error", "transact", "[]");
    assert_int_equal(count_rows("Root"), 1);
    jsonrpc_close(rpc);
}

/* A transaction whose "wait" does not hold is answered once another
 * client's commit makes it hold, and then commits its own changes. */
static void
test_wait_until_commit(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();

    char *wait = wait_for_name("go", "");
    struct json_object *id = send_request(
        a, "transact", "[\"Test\",%s,{\"op\":\"insert\",\"table\":\"Root\","
        "\"row\":{\"name\":\"after\"}}]", wait);
    run_until_status("waiting transactions: 1");
    expect_quiet(b);
    assert_int_equal(count_rows("Root"), 0);

    /* An unrelated commit does not release it. */
    free(insert_root(b, "other"));
    run_until_status("waiting transactions: 1");

    free(insert_root(b, "go"));
    struct json_object *results = expect_reply(a, id);
    assert_int_equal(json_object_array_length(results), 2);
    assert_json_equal(json_object_array_get_idx(results, 0), "{}");
    json_object_put(results);
    assert_int_equal(count_rows("Root"), 3);
    run_until_status("waiting transactions: 0");

    free(wait);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* A released transaction's commit can release another one. */
static void
test_wait_chain(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();
    struct jsonrpc *c = client_open();

    char *wait_x = wait_for_name("x", "");
    char *wait_y = wait_for_name("y", "");
    struct json_object *id_b = send_request(
        b, "transact", "[\"Test\",%s,{\"op\":\"insert\",\"table\":\"Root\","
        "\"row\":{\"name\":\"z\"}}]", wait_y);
    run_until_status("waiting transactions: 1");
    struct json_object *id_a = send_request(
        a, "transact", "[\"Test\",%s,{\"op\":\"insert\",\"table\":\"Root\","
        "\"row\":{\"name\":\"y\"}}]", wait_x);
    run_until_status("waiting transactions: 2");

    free(insert_root(c, "x"));
    json_object_put(expect_reply(a, id_a));
    json_object_put(expect_reply(b, id_b));
    assert_int_equal(count_rows("Root"), 3);
    run_until_status("waiting transactions: 0");

    free(wait_x);
    free(wait_y);
    jsonrpc_close(a);
    jsonrpc_close(b);
    jsonrpc_close(c);
}

/* "cancel" answers the blocked request with the error "canceled"; it
 * never commits. */
static void
test_cancel(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();

    char *wait = wait_for_name("go", "");
    char *ops = xasprintf("[\"Test\",%s,{\"op\":\"insert\",\"table\":"
                          "\"Root\",\"row\":{\"name\":\"never\"}}]", wait);
    struct json_object *id1 = send_request(a, "transact", "%s", ops);
    struct json_object *id2 = send_request(a, "transact", "%s", ops);
    run_until_status("waiting transactions: 2");

    /* Cancelling something that is not waiting does nothing. */
    send_notify(a, "cancel", "[999999]");
    send_notify(a, "cancel", "[]");
    expect_quiet(a);
    run_until_status("waiting transactions: 2");

    /* Another client cannot cancel A's request. */
    char *params = xasprintf("[%s]", json_object_to_json_string(id1));
    send_notify(b, "cancel", params);
    expect_quiet(b);
    run_until_status("waiting transactions: 2");

    send_notify(a, "cancel", params);
    expect_error(a, json_object_get(id1), "canceled");
    run_until_status("waiting transactions: 1");

    /* Once the condition holds, only the other one commits. */
    free(insert_root(b, "go"));
    json_object_put(expect_reply(a, id2));
    expect_quiet(a);
    assert_int_equal(count_rows("Root"), 2);

    json_object_put(id1);
    free(params);
    free(ops);
    free(wait);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* A "wait" with a timeout that passes is answered with "timed out". */
static void
test_wait_timeout(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();

    char *wait = wait_for_name("go", ",\"timeout\":50");
    struct json_object *id = send_request(
        a, "transact", "[\"Test\",%s,{\"op\":\"insert\",\"table\":\"Root\","
        "\"row\":{\"name\":\"never\"}}]", wait);
    struct json_object *results = expect_reply(a, id);
    assert_int_equal(json_object_array_length(results), 2);
    assert_result_error(results, 0, "timed out");
    assert_null(json_object_array_get_idx(results, 1));
    json_object_put(results);
    assert_int_equal(count_rows("Root"), 0);
    run_until_status("waiting transactions: 0");
    free(wait);

    /* A timeout of 0 times out at once. */
    wait = wait_for_name("go", ",\"timeout\":0");
    results = request(a, "transact", "[\"Test\",%s]", wait);
    assert_result_error(results, 0, "timed out");
    json_object_put(results);
    free(wait);
    jsonrpc_close(a);
}

/* One client cannot pile up waiting transactions, monitors or locks
 * without bound. */
static void
test_per_client_limits(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    char *wait = wait_for_name("go", "");
    for (int i = 0; i < 256; i++) {
        json_object_put(send_request(a, "transact", "[\"Test\",%s]",
                                     wait));
    }
    run_until_status("waiting transactions: 256");
    request_error(a, "resources exhausted", "transact", "[\"Test\",%s]",
                  wait);
    free(wait);
    jsonrpc_close(a);
    run_until_status("waiting transactions: 0");

    a = client_open();
    for (int i = 0; i < 256; i++) {
        json_object_put(request(a, "monitor", "[\"Test\",%d,{\"Root\":{}}]",
                                i));
    }
    request_error(a, "resources exhausted", "monitor",
                  "[\"Test\",\"x\",{\"Root\":{}}]");
    for (int i = 0; i < 256; i++) {
        json_object_put(request(a, "lock", "[\"l%d\"]", i));
    }
    request_error(a, "resources exhausted", "lock", "[\"one-more\"]");
    jsonrpc_close(a);
}

/* A huge timeout is just a long wait: it neither overflows nor spins, and
 * can still be released or canceled. */
static void
test_wait_huge_timeout(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();

    char *timeout = xasprintf(",\"timeout\":%lld", LLONG_MAX - 1);
    char *wait = wait_for_name("go", timeout);
    struct json_object *id1 = send_request(a, "transact", "[\"Test\",%s]",
                                           wait);
    run_until_status("waiting transactions: 1");
    char *params = xasprintf("[%s]", json_object_to_json_string(id1));
    send_notify(a, "cancel", params);
    expect_error(a, id1, "canceled");

    struct json_object *id2 = send_request(a, "transact", "[\"Test\",%s]",
                                           wait);
    run_until_status("waiting transactions: 1");
    free(insert_root(b, "go"));
    struct json_object *results = expect_reply(a, id2);
    assert_json_equal(results, "[{}]");
    json_object_put(results);

    free(params);
    free(wait);
    free(timeout);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* A client that goes away while its transaction waits takes it along. */
static void
test_disconnect_while_waiting(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();

    char *wait = wait_for_name("go", "");
    json_object_put(send_request(
        a, "transact", "[\"Test\",%s,{\"op\":\"insert\",\"table\":\"Root\","
        "\"row\":{\"name\":\"never\"}}]", wait));
    run_until_status("waiting transactions: 1");
    jsonrpc_close(a);
    run_until_status("clients: 1");
    run_until_status("waiting transactions: 0");

    free(insert_root(b, "go"));
    expect_quiet(b);
    assert_int_equal(count_rows("Root"), 1);
    free(wait);
    jsonrpc_close(b);
}

/* ---- Tests: monitors. ---- */

/* A monitor's reply is the initial contents; commits by other clients
 * are sent as "update" notifications until "monitor_cancel". */
static void
test_monitor(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();
    char *first = insert_root(b, "first");

    struct json_object *result = request(
        a, "monitor", "[\"Test\",\"m1\",{\"Root\":{\"columns\":[\"name\"]}}]");
    char *want = xasprintf("{\"Root\":{\"%s\":{\"new\":{\"name\":"
                           "\"first\"}}}}", first);
    assert_json_equal(result, want);
    json_object_put(result);
    free(want);
    run_until_status("monitors: 1");

    char *second = insert_root(b, "second");
    struct json_object *params = expect_notify(a, "update");
    want = xasprintf("[\"m1\",{\"Root\":{\"%s\":{\"new\":{\"name\":"
                     "\"second\"}}}}]", second);
    assert_json_equal(params, want);
    json_object_put(params);
    free(want);
    expect_quiet(a);

    /* A change to a column it does not watch: nothing. */
    json_object_put(transact(b, "{\"op\":\"update\",\"table\":\"Root\","
                             "\"where\":[],\"row\":{\"count\":5}}"));
    expect_quiet(a);

    /* The same id again is refused; the first monitor is unharmed. */
    request_error(a, "duplicate monitor ID", "monitor",
                  "[\"Test\",\"m1\",{\"Root\":{}}]");

    result = request(a, "monitor_cancel", "[\"m1\"]");
    assert_json_equal(result, "{}");
    json_object_put(result);
    run_until_status("monitors: 0");
    free(insert_root(b, "third"));
    expect_quiet(a);

    request_error(a, "unknown monitor", "monitor_cancel", "[\"m1\"]");
    request_error(a, "syntax error", "monitor_cancel", "[]");

    /* The id may be used again once canceled. */
    result = request(a, "monitor",
                     "[\"Test\",\"m1\",{\"Root\":{\"columns\":[\"name\"],"
                     "\"select\":{\"initial\":false}}}]");
    assert_json_equal(result, "{}");
    json_object_put(result);

    free(first);
    free(second);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* Ids may be any JSON value; a client's own commits reach its monitors
 * before the reply; several monitors of one client each get updates. */
static void
test_monitor_ids(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();

    json_object_put(request(a, "monitor", "[\"Test\",null,"
                            "{\"Root\":{\"columns\":[\"name\"]}}]"));
    json_object_put(request(a, "monitor", "[\"Test\",[\"x\",{\"y\":1}],"
                            "{\"Root\":{\"columns\":[\"count\"]}}]"));
    run_until_status("monitors: 2");

    struct json_object *id = send_request(
        a, "transact", "[\"Test\",{\"op\":\"insert\",\"table\":\"Root\","
        "\"row\":{\"name\":\"n\",\"count\":3}}]");
    struct json_object *seen[2];
    for (int i = 0; i < 2; i++) {
        seen[i] = expect_notify(a, "update");
    }
    struct json_object *results = expect_reply(a, id);
    struct json_object *uuid;
    assert_true(json_object_object_get_ex(
                    json_object_array_get_idx(results, 0), "uuid", &uuid));
    const char *u = json_object_get_string(json_object_array_get_idx(uuid,
                                                                     1));
    char *want_null = xasprintf("[null,{\"Root\":{\"%s\":{\"new\":"
                                "{\"name\":\"n\"}}}}]", u);
    char *want_array = xasprintf("[[\"x\",{\"y\":1}],{\"Root\":{\"%s\":"
                                 "{\"new\":{\"count\":3}}}}]", u);
    struct json_object *first = json_object_array_get_idx(seen[0], 0);
    bool null_first = json_object_is_type(first, json_type_null);
    assert_json_equal(seen[null_first ? 0 : 1], want_null);
    assert_json_equal(seen[null_first ? 1 : 0], want_array);

    request_error(a, "duplicate monitor ID", "monitor",
                  "[\"Test\",null,{\"Root\":{}}]");
    json_object_put(request(a, "monitor_cancel", "[null]"));
    json_object_put(request(a, "monitor_cancel", "[[\"x\",{\"y\":1}]]"));
    run_until_status("monitors: 0");

    json_object_put(seen[0]);
    json_object_put(seen[1]);
    json_object_put(results);
    free(want_null);
    free(want_array);
    jsonrpc_close(a);
}

static void
test_monitor_errors(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    request_error(a, "unknown database", "monitor",
                  "[\"Nope\",\"m\",{\"Root\":{}}]");
    request_error(a, "syntax error", "monitor",
                  "[\"Test\",\"m\",{\"Nope\":{}}]");
    request_error(a, "syntax error", "monitor",
                  "[\"Test\",\"m\",{\"Root\":{\"columns\":[\"bad\"]}}]");
    request_error(a, "syntax error", "monitor", "[\"Test\",\"m\"]");
    request_error(a, "syntax error", "monitor", "[\"Test\",\"m\",[]]");
    run_until_status("monitors: 0");

    /* None of them took the id. */
    json_object_put(request(a, "monitor", "[\"Test\",\"m\",{\"Root\":{}}]"));
    run_until_status("monitors: 1");
    jsonrpc_close(a);
    run_until_status("monitors: 0");
}

/* ---- Tests: locks. ---- */

static void
expect_locked(struct jsonrpc *rpc, const char *method, const char *name,
              bool locked)
{
    struct json_object *result = request(rpc, method, "[\"%s\"]", name);
    assert_json_equal(result, locked ? "{\"locked\":true}"
                                     : "{\"locked\":false}");
    json_object_put(result);
}

static void
expect_unlock(struct jsonrpc *rpc, const char *name)
{
    struct json_object *result = request(rpc, "unlock", "[\"%s\"]", name);
    assert_json_equal(result, "{}");
    json_object_put(result);
}

static void
expect_notified(struct jsonrpc *rpc, const char *method, const char *name)
{
    struct json_object *params = expect_notify(rpc, method);
    char *want = xasprintf("[\"%s\"]", name);
    assert_json_equal(params, want);
    free(want);
    json_object_put(params);
}

/* Whether an "assert" of lock NAME succeeds for RPC's session. */
static bool
assert_holds(struct jsonrpc *rpc, const char *name)
{
    struct json_object *results = request(
        rpc, "transact", "[\"Test\",{\"op\":\"assert\",\"lock\":\"%s\"}]",
        name);
    struct json_object *r = json_object_array_get_idx(results, 0);
    bool ok = !json_object_object_get_ex(r, "error", NULL);
    if (!ok) {
        assert_result_error(results, 0, "not owner");
    }
    json_object_put(results);
    return ok;
}

/* The first to ask gets the lock; the next gets it, with a "locked"
 * notification, when the first unlocks. */
static void
test_lock_unlock(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();

    expect_locked(a, "lock", "L", true);
    expect_locked(b, "lock", "L", false);
    run_until_status("locks: 1");
    assert_true(assert_holds(a, "L"));
    assert_false(assert_holds(b, "L"));
    assert_false(assert_holds(b, "other"));
    expect_quiet(b);

    request_error(a, "duplicate lock", "lock", "[\"L\"]");
    request_error(b, "duplicate lock", "lock", "[\"L\"]");

    expect_unlock(a, "L");
    expect_notified(b, "locked", "L");
    assert_true(assert_holds(b, "L"));
    assert_false(assert_holds(a, "L"));
    expect_quiet(a);

    /* A lock that A no longer has, or never asked for. */
    request_error(a, "not owner", "unlock", "[\"L\"]");
    request_error(a, "not owner", "unlock", "[\"never\"]");

    /* A waiter that gives up does not get the lock later. */
    expect_locked(a, "lock", "L", false);
    expect_unlock(a, "L");
    expect_unlock(b, "L");
    expect_quiet(a);
    run_until_status("locks: 0");

    /* Locks are independent. */
    expect_locked(a, "lock", "L1", true);
    expect_locked(b, "lock", "L2", true);
    run_until_status("locks: 2");
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* A client that disconnects gives its locks to the next waiters. */
static void
test_lock_disconnect(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();
    struct jsonrpc *c = client_open();

    expect_locked(a, "lock", "M", true);
    expect_locked(b, "lock", "M", false);
    expect_locked(c, "lock", "M", false);
    expect_locked(b, "lock", "N", true);

    jsonrpc_close(a);
    expect_notified(b, "locked", "M");
    assert_true(assert_holds(b, "M"));
    expect_quiet(c);

    jsonrpc_close(b);
    expect_notified(c, "locked", "M");
    assert_true(assert_holds(c, "M"));
    run_until_status("locks: 1");
    jsonrpc_close(c);
    run_until_status("locks: 0");
}

/* "steal" takes the lock at once; the owner is told "stolen" and keeps
 * its request, next in line, until it unlocks. */
static void
test_steal(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();

    expect_locked(a, "lock", "S", true);
    expect_locked(b, "steal", "S", true);
    expect_notified(a, "stolen", "S");
    assert_false(assert_holds(a, "S"));
    assert_true(assert_holds(b, "S"));

    /* Stealing a lock one owns already changes nothing. */
    expect_locked(b, "steal", "S", true);
    assert_true(assert_holds(b, "S"));
    expect_quiet(a);

    /* A still has its request: asking again is a duplicate, and it gets
     * the lock back when the thief unlocks. */
    request_error(a, "duplicate lock", "lock", "[\"S\"]");
    expect_unlock(b, "S");
    expect_notified(a, "locked", "S");
    assert_true(assert_holds(a, "S"));
    expect_unlock(a, "S");
    expect_quiet(b);

    /* Stealing a free lock just takes it. */
    expect_locked(a, "steal", "T", true);
    assert_true(assert_holds(a, "T"));
    expect_quiet(b);
    expect_unlock(a, "T");
    run_until_status("locks: 0");

    /* A victim that unlocks gives up its place. */
    expect_locked(a, "lock", "U", true);
    expect_locked(b, "steal", "U", true);
    expect_notified(a, "stolen", "U");
    expect_unlock(a, "U");
    expect_unlock(b, "U");
    expect_quiet(a);
    run_until_status("locks: 0");
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* A steal while others wait: only the thief holds the lock, no waiter is
 * told otherwise, and when the thief unlocks the old owner comes first,
 * then the others in order. */
static void
test_steal_with_waiters(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();
    struct jsonrpc *c = client_open();

    expect_locked(a, "lock", "W", true);
    expect_locked(b, "lock", "W", false);
    expect_locked(c, "steal", "W", true);
    expect_notified(a, "stolen", "W");
    expect_quiet(b);
    assert_false(assert_holds(a, "W"));
    assert_false(assert_holds(b, "W"));
    assert_true(assert_holds(c, "W"));

    expect_unlock(c, "W");
    expect_notified(a, "locked", "W");
    expect_quiet(b);
    expect_unlock(a, "W");
    expect_notified(b, "locked", "W");
    assert_true(assert_holds(b, "W"));
    expect_quiet(a);
    expect_quiet(c);

    /* A waiter that steals: no "locked" notification of its own. */
    expect_locked(c, "lock", "W", false);
    expect_locked(c, "steal", "W", true);
    expect_notified(b, "stolen", "W");
    expect_quiet(c);
    assert_true(assert_holds(c, "W"));
    assert_false(assert_holds(b, "W"));

    /* The thief leaving hands the lock back to the old owner. */
    jsonrpc_close(c);
    expect_notified(b, "locked", "W");
    assert_true(assert_holds(b, "W"));

    jsonrpc_close(a);
    jsonrpc_close(b);
}

static void
test_lock_errors(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    request_error(a, "syntax error", "lock", "[]");
    request_error(a, "syntax error", "lock", "[5]");
    request_error(a, "syntax error", "lock", "[\"\"]");
    request_error(a, "syntax error", "lock", "[\"a\",\"b\"]");
    request_error(a, "syntax error", "steal", "[null]");
    request_error(a, "syntax error", "unlock", "[]");
    run_until_status("locks: 0");
    jsonrpc_close(a);
}

/* ---- Tests: bad and slow clients. ---- */

/* Bytes that are not JSON end that client's connection; other clients
 * carry on. */
static void
test_bad_json(void **state)
{
    (void) state;
    struct jsonrpc *good = client_open();
    struct stream *bad;
    assert_int_equal(stream_open_block(remote, WAIT_MSEC, &bad), 0);
    run_until_status("clients: 2");

    static const char garbage[] = "{\"method\":\"echo\",\"params\":[],"
                                  "\"id\":1}{this is not JSON}";
    assert_int_equal(stream_send(bad, garbage, sizeof garbage - 1),
                     (ssize_t) sizeof garbage - 1);
    run_until_status("clients: 1");
    assert_logged("connection dropped");

    /* The bad client's connection is closed. */
    struct jsonrpc *rpc = jsonrpc_open(bad);
    recv_until_closed(rpc);
    jsonrpc_close(rpc);

    expect_quiet(good);
    free(insert_root(good, "still here"));
    jsonrpc_close(good);
}

/* JSON that is not a JSON-RPC message is answered with an error, and the
 * connection stays up. */
static void
test_bad_message(void **state)
{
    (void) state;
    struct stream *stream;
    assert_int_equal(stream_open_block(remote, WAIT_MSEC, &stream), 0);
    static const char text[] = "{\"method\":5,\"params\":[],\"id\":7}";
    assert_int_equal(stream_send(stream, text, sizeof text - 1),
                     (ssize_t) sizeof text - 1);
    struct jsonrpc *rpc = jsonrpc_open(stream);
    struct jsonrpc_msg *msg = recv_msg(rpc);
    assert_int_equal(msg->type, JSONRPC_ERROR);
    jsonrpc_msg_destroy(msg);
    expect_quiet(rpc);
    run_until_status("clients: 1");
    jsonrpc_close(rpc);
}

/* A client that does not read what it is sent never holds up the others,
 * and is disconnected once its backlog passes the server's bound (128
 * MiB). */
static void
test_slow_reader(void **state)
{
    (void) state;
    struct jsonrpc *slow = client_open();
    struct jsonrpc *fast = client_open();
    struct jsonrpc *watcher = client_open();

    /* Both monitor a row with an 8 MiB value; every change to the row
     * sends it whole. */
    json_object_put(request(slow, "monitor",
                            "[\"Test\",1,{\"Blob\":{}}]"));
    json_object_put(request(watcher, "monitor",
                            "[\"Test\",1,{\"Blob\":{\"columns\":"
                            "[\"count\"]}}]"));
    size_t len = 8 * 1024 * 1024;
    char *big = xmalloc(len + 1);
    memset(big, 'b', len);
    big[len] = '\0';
    char *ops = xasprintf("[{\"op\":\"insert\",\"table\":\"Blob\","
                          "\"row\":{\"data\":\"%s\"}}]", big);
    struct json_object *ops_json = parse(ops);
    long long int retry;
    json_object_put(db_execute(db, NULL, ops_json, 0, &retry));
    json_object_put(ops_json);
    free(ops);
    free(big);
    json_object_put(expect_notify(watcher, "update"));

    /* From now on SLOW reads nothing.  The others' transactions go on,
     * each with its reply and update, until the server drops SLOW. */
    int n;
    for (n = 1; n <= 40 && status_has("clients: 3"); n++) {
        struct json_object *results = transact(
            fast, "{\"op\":\"mutate\",\"table\":\"Blob\",\"where\":[],"
            "\"mutations\":[[\"count\",\"+=\",1]]}");
        json_object_put(results);
        struct json_object *params = expect_notify(watcher, "update");
        json_object_put(params);
    }
    run_until_status("clients: 2");
    /* Passing 128 MiB takes at least 16 changes of 8 MiB after the
     * insert, a few more for what the socket holds. */
    assert_true(n >= 17 && n <= 30);
    assert_logged("client does not read what it is sent");

    expect_quiet(fast);
    expect_quiet(watcher);
    run_until_status("monitors: 1");
    jsonrpc_close(slow);
    jsonrpc_close(fast);
    jsonrpc_close(watcher);
}

/* ---- Tests: status, remotes, lifetime. ---- */

static void
test_status(void **state)
{
    (void) state;
    char *status = get_status();
    char *want = xasprintf("clients: 0\nmonitors: 0\nlocks: 0\n"
                           "waiting transactions: 0\nlistening: p%s\n",
                           remote);
    assert_string_equal(status, want);
    free(want);
    free(status);

    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();
    run_until_status("clients: 2");
    json_object_put(request(a, "monitor", "[\"Test\",1,{\"Root\":{}}]"));
    json_object_put(request(a, "monitor", "[\"Test\",2,{\"Root\":{}}]"));
    json_object_put(request(b, "monitor", "[\"Test\",1,{\"Blob\":{}}]"));
    expect_locked(a, "lock", "x", true);
    expect_locked(b, "lock", "x", false);
    expect_locked(b, "lock", "y", true);
    char *wait = wait_for_name("go", "");
    struct json_object *id = send_request(b, "transact", "[\"Test\",%s]",
                                          wait);
    run_until_status("waiting transactions: 1");

    status = get_status();
    want = xasprintf("clients: 2\nmonitors: 3\nlocks: 2\n"
                     "waiting transactions: 1\nlistening: p%s\n", remote);
    assert_string_equal(status, want);
    free(want);
    free(status);

    /* B leaves with its monitor, locks and waiting transaction. */
    jsonrpc_close(b);
    run_until_status("clients: 1");
    status = get_status();
    want = xasprintf("clients: 1\nmonitors: 2\nlocks: 1\n"
                     "waiting transactions: 0\nlistening: p%s\n", remote);
    assert_string_equal(status, want);
    free(want);
    free(status);

    json_object_put(id);
    free(wait);
    jsonrpc_close(a);
    run_until_status("clients: 0");
}

/* ptcp:0 listens on a free port, which db_server_get_remote() names. */
static void
test_tcp_remote(void **state)
{
    (void) state;
    char *punix = xasprintf("p%s", remote);
    assert_string_equal(db_server_get_remote(server, 0), punix);
    free(punix);
    assert_null(db_server_get_remote(server, 1));

    assert_int_equal(db_server_add_remote(server, "ptcp:0:127.0.0.1"), 0);
    const char *name = db_server_get_remote(server, 1);
    assert_non_null(name);
    unsigned int port = 0;
    char tail[16] = "";
    assert_int_equal(sscanf(name, "ptcp:%u:%15s", &port, tail), 2);
    assert_true(port > 0 && port < 65536);
    assert_string_equal(tail, "127.0.0.1");
    assert_null(db_server_get_remote(server, 2));

    char *tcp = xasprintf("tcp:127.0.0.1:%u", port);
    struct jsonrpc *rpc = client_open_remote(tcp);
    struct json_object *result = request(rpc, "list_dbs", "[]");
    assert_json_equal(result, "[\"Test\"]");
    json_object_put(result);
    jsonrpc_close(rpc);
    free(tcp);

    /* Names that cannot be listened on. */
    assert_int_not_equal(db_server_add_remote(server, "bogus:1"), 0);
    assert_int_not_equal(db_server_add_remote(server, "ptcp:99999"), 0);
    char *taken = xasprintf("ptcp:%u:127.0.0.1", port);
    assert_int_not_equal(db_server_add_remote(server, taken), 0);
    free(taken);
    assert_null(db_server_get_remote(server, 2));
}

/* A server over a database file: commits reach the file. */
static void
test_with_file(void **state)
{
    (void) state;
    char *schema_path = xasprintf("%s/with-file.schema", tmp_dir);
    char *db_path = xasprintf("%s/with-file.db", tmp_dir);
    FILE *f = fopen(schema_path, "w");
    assert_non_null(f);
    fputs(SCHEMA, f);
    assert_int_equal(fclose(f), 0);

    /* Replace the fixture's server by one over a file. */
    db_server_destroy(server);
    db_destroy(db);
    struct db_file *file;
    assert_null(db_file_open(db_path, schema_path, &db, &file));
    server = db_server_create(db, file);
    free(remote);
    remote = xasprintf("unix:%s/file-%u.sock", tmp_dir, ++n_servers);
    char *punix = xasprintf("p%s", remote);
    assert_int_equal(db_server_add_remote(server, punix), 0);
    free(punix);
    off_t size = db_file_get_size(file);

    struct jsonrpc *a = client_open();
    free(insert_root(a, "durable"));
    assert_true(db_file_get_size(file) > size);
    jsonrpc_close(a);

    db_server_destroy(server);
    db_destroy(db);
    assert_null(db_file_open(db_path, NULL, &db, &file));
    assert_int_equal(count_rows("Root"), 1);
    server = db_server_create(db, file);

    free(schema_path);
    free(db_path);
}

/* Destroying the server with clients that hold monitors, locks and
 * waiting transactions frees everything (the leak checker would tell). */
static void
test_destroy_with_clients(void **state)
{
    (void) state;
    struct jsonrpc *a = client_open();
    struct jsonrpc *b = client_open();
    json_object_put(request(a, "monitor", "[\"Test\",1,{\"Root\":{}}]"));
    expect_locked(a, "lock", "x", true);
    expect_locked(b, "lock", "x", false);
    char *wait = wait_for_name("go", "");
    json_object_put(send_request(b, "transact", "[\"Test\",%s]", wait));
    run_until_status("waiting transactions: 1");
    free(wait);

    db_server_destroy(server);
    server = NULL;
    recv_until_closed(a);
    recv_until_closed(b);
    jsonrpc_close(a);
    jsonrpc_close(b);

    /* The database no longer knows the server or its monitors. */
    struct json_object *ops = parse("[{\"op\":\"insert\","
                                    "\"table\":\"Root\",\"row\":{}}]");
    long long int retry;
    struct json_object *results = db_execute(db, NULL, ops, 0, &retry);
    assert_int_equal(json_object_array_length(results), 1);
    json_object_put(results);
    json_object_put(ops);
    assert_int_equal(count_rows("Root"), 1);
}

/* ---- Fixtures. ---- */

static int
setup_server(void **state)
{
    (void) state;
    struct json_object *json = parse(SCHEMA);
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(json, &schema);
    json_object_put(json);
    assert_null(error);
    db = db_create(schema);
    server = db_server_create(db, NULL);
    char *path = xasprintf("%s/db-%u.sock", tmp_dir, ++n_servers);
    char *punix = xasprintf("punix:%s", path);
    assert_int_equal(db_server_add_remote(server, punix), 0);
    remote = xasprintf("unix:%s", path);
    free(punix);
    free(path);
    return 0;
}

static int
teardown_server(void **state)
{
    (void) state;
    db_server_destroy(server);
    db_destroy(db);
    free(remote);
    server = NULL;
    db = NULL;
    remote = NULL;
    return 0;
}

static int
setup(void **state)
{
    (void) state;
    tmp_dir = unit_mkdtemp();
    log_name = xasprintf("%s/test.log", tmp_dir);
    assert_int_equal(vlog_set_log_file(log_name), 0);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
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
    return 0;
}

#define TEST(NAME) \
    cmocka_unit_test_setup_teardown(NAME, setup_server, teardown_server)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_list_dbs),
        TEST(test_get_schema),
        TEST(test_echo_and_unknown_methods),
        TEST(test_pipelined_requests),
        TEST(test_transact),
        TEST(test_wait_until_commit),
        TEST(test_wait_chain),
        TEST(test_cancel),
        TEST(test_wait_timeout),
        TEST(test_per_client_limits),
        TEST(test_wait_huge_timeout),
        TEST(test_disconnect_while_waiting),
        TEST(test_monitor),
        TEST(test_monitor_ids),
        TEST(test_monitor_errors),
        TEST(test_lock_unlock),
        TEST(test_lock_disconnect),
        TEST(test_steal),
        TEST(test_steal_with_waiters),
        TEST(test_lock_errors),
        TEST(test_bad_json),
        TEST(test_bad_message),
        TEST(test_slow_reader),
        TEST(test_status),
        TEST(test_tcp_remote),
        TEST(test_with_file),
        TEST(test_destroy_with_clients),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
