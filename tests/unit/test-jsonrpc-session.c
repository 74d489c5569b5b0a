/* test-jsonrpc-session: reconnecting JSON-RPC clients against a real
 * skiff database server running in the same thread. */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "db-error.h"
#include "db-schema.h"
#include "db-server.h"
#include "db.h"
#include "dynamic-string.h"
#include "jsonrpc-msg.h"
#include "jsonrpc-session.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "vlog.h"

/* Generous: only a broken session takes this long. */
#define DEADLINE_MS 10000

static char *tmp_dir;
static char *log_name;
static char *sock_path;         /* Where the server listens. */
static char *remote;            /* "unix:" SOCK_PATH. */

static const char SCHEMA[] =
    "{\"name\": \"Test\", \"version\": \"1.0.0\", \"tables\": {"
    "  \"T\": {\"columns\": {\"name\": {\"type\": \"string\"}}}}}";

/* ---- Helpers. ---- */

/* A database server on SOCK_PATH, run by the test's loops. */
struct test_server {
    struct db *db;
    struct db_server *server;
};

static struct test_server *server;     /* NULL while there is none. */

static void
server_start(void)
{
    struct json_object *json = json_tokener_parse(SCHEMA);
    struct db_schema *schema;
    char *listen = xasprintf("punix:%s", sock_path);

    assert_null(server);
    assert_null(db_schema_from_json(json, &schema));
    json_object_put(json);
    server = xzalloc(sizeof *server);
    server->db = db_create(schema);
    server->server = db_server_create(server->db, NULL);
    assert_int_equal(db_server_add_remote(server->server, listen), 0);
    free(listen);
}

static void
server_stop(void)
{
    if (server) {
        db_server_destroy(server->server);
        db_destroy(server->db);
        free(server);
        server = NULL;
    }
}

/* One iteration of a main loop running the server (if any) and S, whose
 * received messages go to *MSGP if MSGP is nonnull (else are dropped). */
static void
run_once(struct jsonrpc_session *s, struct jsonrpc_msg **msgp)
{
    if (server) {
        db_server_run(server->server);
    }
    jsonrpc_session_run(s);
    struct jsonrpc_msg *msg = jsonrpc_session_recv(s);
    if (msg && msgp && !*msgp) {
        *msgp = msg;
    } else {
        jsonrpc_msg_destroy(msg);
    }
    if (server) {
        db_server_wait(server->server);
    }
    jsonrpc_session_wait(s);
    jsonrpc_session_recv_wait(s);
}

/* Runs the loop until S's connectedness is CONNECTED, or fails. */
static void
run_until_connected(struct jsonrpc_session *s, bool connected)
{
    long long int deadline = time_msec() + DEADLINE_MS;
    while (jsonrpc_session_is_connected(s) != connected) {
        if (time_msec() >= deadline) {
            fail_msg("session did not %s", connected ? "connect"
                     : "disconnect");
        }
        run_once(s, NULL);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Runs the loop for MSEC milliseconds. */
static void
run_for(struct jsonrpc_session *s, long long int msec)
{
    long long int end = time_msec() + msec;
    while (time_msec() < end) {
        run_once(s, NULL);
        poll_timer_wait_until(end);
        poll_block();
    }
}

/* Sends an "echo" on S and checks that its answer comes back. */
static void
assert_echo_works(struct jsonrpc_session *s)
{
    struct json_object *params = json_tokener_parse("[\"hello\", 42]");
    struct jsonrpc_msg *request = jsonrpc_create_request(
        "echo", json_object_get(params));
    struct json_object *id = json_object_get(request->id);
    long long int deadline = time_msec() + DEADLINE_MS;
    struct jsonrpc_msg *reply = NULL;

    assert_int_equal(jsonrpc_session_send(s, request), 0);
    for (;;) {
        run_once(s, &reply);
        if (reply) {
            break;
        } else if (time_msec() >= deadline) {
            fail_msg("no answer to echo");
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_true(jsonrpc_id_equals(reply->id, id));
    assert_true(json_object_equal(reply->result, params));
    jsonrpc_msg_destroy(reply);
    json_object_put(params);
    json_object_put(id);
}

static size_t
count_lines_with(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

static char *
read_log(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;
    FILE *file = fopen(log_name, "r");

    assert_non_null(file);
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        ds_put_buffer(&s, buf, n);
    }
    fclose(file);
    return ds_steal_cstr(&s);
}

/* ---- Tests. ---- */

static void
test_connects(void **state)
{
    (void) state;
    server_start();
    struct jsonrpc_session *s = jsonrpc_session_open(remote);
    assert_string_equal(jsonrpc_session_get_name(s), remote);
    assert_false(jsonrpc_session_is_connected(s));
    unsigned int seqno = jsonrpc_session_get_seqno(s);

    run_until_connected(s, true);
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 1);
    assert_echo_works(s);
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 1);

    jsonrpc_session_close(s);
    jsonrpc_session_close(NULL);
    server_stop();
}

/* The server goes away and comes back on the same socket: the session
 * notices both, and works again. */
static void
test_reconnects(void **state)
{
    (void) state;
    server_start();
    struct jsonrpc_session *s = jsonrpc_session_open(remote);
    run_until_connected(s, true);
    unsigned int seqno = jsonrpc_session_get_seqno(s);

    server_stop();
    run_until_connected(s, false);
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 1);

    /* While nobody listens, attempts fail without changing the seqno. */
    run_for(s, 300);
    assert_false(jsonrpc_session_is_connected(s));
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 1);

    server_start();
    run_until_connected(s, true);
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 2);
    assert_echo_works(s);

    jsonrpc_session_close(s);
    server_stop();
}

static void
test_force_reconnect(void **state)
{
    (void) state;
    server_start();
    struct jsonrpc_session *s = jsonrpc_session_open(remote);
    run_until_connected(s, true);
    unsigned int seqno = jsonrpc_session_get_seqno(s);

    jsonrpc_session_force_reconnect(s);
    assert_false(jsonrpc_session_is_connected(s));
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 1);
    run_until_connected(s, true);
    assert_int_equal(jsonrpc_session_get_seqno(s), seqno + 2);
    assert_echo_works(s);

    jsonrpc_session_close(s);
    server_stop();
}

/* Sending while disconnected fails and frees the message (the leak
 * checker would see it otherwise). */
static void
test_send_while_disconnected(void **state)
{
    (void) state;
    struct jsonrpc_session *s = jsonrpc_session_open(remote);
    run_for(s, 50);
    assert_false(jsonrpc_session_is_connected(s));
    assert_int_equal(jsonrpc_session_get_seqno(s), 0);
    assert_int_equal(jsonrpc_session_send(s, jsonrpc_create_request(
                                              "echo", NULL)),
                     ENOTCONN);
    assert_int_equal(jsonrpc_session_send(s, jsonrpc_create_notify(
                                              "update", NULL)),
                     ENOTCONN);
    assert_null(jsonrpc_session_recv(s));

    /* Closing a session that never connected frees everything. */
    jsonrpc_session_close(s);
}

/* A bad name never connects, and fails without crashing. */
static void
test_bad_name(void **state)
{
    (void) state;
    struct jsonrpc_session *s = jsonrpc_session_open("nonsense:x");
    run_for(s, 150);
    assert_false(jsonrpc_session_is_connected(s));
    assert_int_equal(jsonrpc_session_send(s, jsonrpc_create_request(
                                              "echo", NULL)),
                     ENOTCONN);
    jsonrpc_session_close(s);
}

/* Attempts slow down: with waits of 100, 200, 400, 800 ms, at most five
 * attempts fit in 1.5 s, where a fixed 100 ms wait would make sixteen.
 * Only an upper bound is asserted (a slow machine makes fewer); the
 * lower bound of two holds as the loop runs past the first wait. */
static void
test_backoff(void **state)
{
    (void) state;
    char *name = xasprintf("unix:%s/nobody.sock", tmp_dir);
    char *needle = xasprintf("|jsonrpc_session|DBG|%s: connecting", name);
    struct jsonrpc_session *s = jsonrpc_session_open(name);

    run_for(s, 1500);
    char *log = read_log();
    size_t attempts = count_lines_with(log, needle);
    assert_true(attempts >= 2);
    assert_true(attempts <= 8);
    assert_false(jsonrpc_session_is_connected(s));

    /* A short maximum keeps the session trying; it never exceeds one
     * attempt per 100 ms. */
    jsonrpc_session_set_max_backoff(s, 10);
    run_for(s, 500);
    free(log);
    log = read_log();
    size_t more = count_lines_with(log, needle) - attempts;
    assert_true(more >= 1);
    assert_true(more <= 7);

    free(log);
    free(needle);
    free(name);
    jsonrpc_session_close(s);
}

/* A peer that accepts each connection and drops it at once: as the
 * connections never hold, the wait between them keeps growing (100, 200,
 * 400, 800 ms...), so about five fit in 1.5 s, where a reset on every
 * connection would make about fifteen. */
static void
test_flapping_peer(void **state)
{
    (void) state;
    char *path = xasprintf("%s/flap.sock", tmp_dir);
    char *listen_name = xasprintf("punix:%s", path);
    char *name = xasprintf("unix:%s", path);
    struct pstream *ps;
    assert_int_equal(pstream_open(listen_name, &ps), 0);

    struct jsonrpc_session *s = jsonrpc_session_open(name);
    long long int end = time_msec() + 1500;
    int accepted = 0;
    while (time_msec() < end) {
        struct stream *stream;
        jsonrpc_session_run(s);
        jsonrpc_msg_destroy(jsonrpc_session_recv(s));
        while (!pstream_accept(ps, &stream)) {
            accepted++;
            stream_close(stream);
        }
        jsonrpc_session_wait(s);
        jsonrpc_session_recv_wait(s);
        pstream_wait(ps);
        poll_timer_wait_until(end);
        poll_block();
    }
    assert_true(accepted >= 2);
    assert_true(accepted <= 8);

    jsonrpc_session_close(s);
    pstream_close(ps);
    free(name);
    free(listen_name);
    free(path);
}

/* ---- Setup. ---- */

static int
setup(void **state)
{
    (void) state;
    tmp_dir = unit_mkdtemp();
    log_name = xasprintf("%s/test.log", tmp_dir);
    sock_path = xasprintf("%s/db.sock", tmp_dir);
    remote = xasprintf("unix:%s", sock_path);
    assert_int_equal(vlog_set_log_file(log_name), 0);
    /* Everything to the log file, debug lines of the session included;
     * nothing to the console. */
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    vlog_set_levels(vlog_module_from_name("jsonrpc_session"), VLF_FILE,
                    VLL_DBG);
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
    free(sock_path);
    free(remote);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connects),
        cmocka_unit_test(test_reconnects),
        cmocka_unit_test(test_force_reconnect),
        cmocka_unit_test(test_send_while_disconnected),
        cmocka_unit_test(test_bad_name),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_flapping_peer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
