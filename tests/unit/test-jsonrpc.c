/* test-jsonrpc: JSON-RPC connections over real socket pairs. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dynamic-string.h"
#include "json-reader.h"
#include "jsonrpc.h"
#include "poll-loop.h"
#include "stream-fd.h"
#include "stream.h"
#include "timeval.h"
#include "vlog.h"

/* The log file every test writes to, in a scratch directory. */
static char *tmp_dir;
static char *log_name;

/* The peer names used in logs. */
#define RPC_NAME "unix:test-rpc"
#define PEER_NAME "unix:test-peer"

/* Returns the log's current size, to read only what follows later. */
static size_t
log_mark(void)
{
    struct stat st;

    assert_int_equal(stat(log_name, &st), 0);
    return st.st_size;
}

/* Returns the log written since MARK (the caller frees it). */
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

static size_t
count_lines_with(const char *text, const char *needle)
{
    size_t n = 0;

    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

/* Asserts that the log since MARK has a line with the warning WORDS about
 * PEER. */
static void
assert_logged(size_t mark, const char *peer, const char *words)
{
    char *log = log_since(mark);
    char *expected = xasprintf("|jsonrpc|WARN|%s: %s", peer, words);

    if (!strstr(log, expected)) {
        fail_msg("log lacks \"%s\":\n%s", expected, log);
    }
    free(expected);
    free(log);
}

static void
make_socketpair(int fds[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    assert_int_equal(set_nonblocking(fds[0]), 0);
    assert_int_equal(set_nonblocking(fds[1]), 0);
}

/* Two connections talking to each other. */
static void
open_rpc_pair(struct jsonrpc **ap, struct jsonrpc **bp)
{
    int fds[2];

    make_socketpair(fds);
    *ap = jsonrpc_open(new_fd_stream(RPC_NAME, fds[0], 0));
    *bp = jsonrpc_open(new_fd_stream(PEER_NAME, fds[1], 0));
}

/* A connection whose peer is the bare socket *FDP, for sending bytes that
 * a connection would not send. */
static struct jsonrpc *
open_raw_pair(int *fdp)
{
    int fds[2];

    make_socketpair(fds);
    *fdp = fds[1];
    return jsonrpc_open(new_fd_stream(PEER_NAME, fds[0], 0));
}

static void
raw_write(int fd, const char *s)
{
    assert_int_equal(write_fully(fd, s, strlen(s)), 0);
}

/* Reads what FD has now, up to end of stream or EAGAIN. */
static char *
raw_read(int fd)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) > 0) {
        ds_put_buffer(&s, buf, n);
    }
    assert_true(n == 0 || errno == EAGAIN);
    return ds_steal_cstr(&s);
}

static struct json_object *
parse(const char *text)
{
    struct json_object *json = json_tokener_parse(text);

    if (!json) {
        fail_msg("does not parse: %s", text);
    }
    return json;
}

/* Like parse(), but also for a bare "null". */
static struct json_object *
parse_id(const char *text)
{
    return strcmp(text, "null") ? parse(text) : NULL;
}

static void
assert_msg_equals_text(const struct jsonrpc_msg *msg, const char *text)
{
    struct json_object *a = jsonrpc_msg_to_json(msg), *b = parse(text);

    if (!json_object_equal(a, b)) {
        fail_msg("%s != %s", json_object_to_json_string(a), text);
    }
    json_object_put(a);
    json_object_put(b);
}

/* Receives on RPC, which must have a complete message now. */
static struct jsonrpc_msg *
recv_now(struct jsonrpc *rpc)
{
    struct jsonrpc_msg *msg;
    int error = jsonrpc_recv(rpc, &msg);

    if (error) {
        fail_msg("jsonrpc_recv: %s", error == EOF ? "EOF" : strerror(error));
    }
    assert_non_null(msg);
    return msg;
}

static void
assert_nothing_to_recv(struct jsonrpc *rpc)
{
    struct jsonrpc_msg *msg = (struct jsonrpc_msg *) 1;

    assert_int_equal(jsonrpc_recv(rpc, &msg), EAGAIN);
    assert_null(msg);
    assert_int_equal(jsonrpc_get_status(rpc), 0);
}

static void
test_round_trip(void **state)
{
    (void) state;
    struct jsonrpc *a, *b;
    struct jsonrpc_msg *msg;

    open_rpc_pair(&a, &b);
    assert_string_equal(jsonrpc_get_name(a), RPC_NAME);
    assert_string_equal(jsonrpc_get_name(b), PEER_NAME);
    assert_nothing_to_recv(a);
    assert_nothing_to_recv(b);

    struct jsonrpc_msg *request = jsonrpc_create_request(
        "transact", parse("[\"db\",{\"op\":\"select\"}]"));
    char *request_text = jsonrpc_msg_to_string(request);
    assert_int_equal(jsonrpc_send(a, request), 0);
    assert_int_equal(jsonrpc_get_backlog(a), 0);

    msg = recv_now(b);
    assert_int_equal(msg->type, JSONRPC_REQUEST);
    assert_msg_equals_text(msg, request_text);

    assert_int_equal(jsonrpc_send(b, jsonrpc_create_reply(
                                         parse("[{\"rows\":[]}]"), msg->id)),
                     0);
    assert_int_equal(jsonrpc_send(b, jsonrpc_create_error(
                                         json_object_new_string("no"),
                                         msg->id)), 0);
    assert_int_equal(jsonrpc_send(b, jsonrpc_create_notify("update", NULL)),
                     0);

    struct jsonrpc_msg *reply = recv_now(a);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_true(jsonrpc_id_equals(reply->id, msg->id));
    struct jsonrpc_msg *error = recv_now(a);
    assert_int_equal(error->type, JSONRPC_ERROR);
    assert_string_equal(json_object_get_string(error->error), "no");
    struct jsonrpc_msg *notify = recv_now(a);
    assert_int_equal(notify->type, JSONRPC_NOTIFY);
    assert_string_equal(notify->method, "update");
    assert_nothing_to_recv(a);

    jsonrpc_msg_destroy(msg);
    jsonrpc_msg_destroy(reply);
    jsonrpc_msg_destroy(error);
    jsonrpc_msg_destroy(notify);
    free(request_text);
    jsonrpc_close(a);
    jsonrpc_close(b);
    jsonrpc_close(NULL);
}

/* A stream still connecting when opened works once connected. */
static void
test_connecting_stream(void **state)
{
    (void) state;
    int fds[2];

    make_socketpair(fds);
    struct jsonrpc *a = jsonrpc_open(new_fd_stream(RPC_NAME, fds[0],
                                                   EAGAIN));
    struct jsonrpc *b = jsonrpc_open(new_fd_stream(PEER_NAME, fds[1],
                                                   EAGAIN));
    struct jsonrpc_msg *msg;

    assert_int_equal(jsonrpc_send_block(a, jsonrpc_create_notify("hi", NULL),
                                        5000), 0);
    assert_int_equal(jsonrpc_recv_block(b, &msg, 5000), 0);
    assert_string_equal(msg->method, "hi");
    jsonrpc_msg_destroy(msg);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* A message arriving a byte at a time is only returned once complete. */
static void
test_byte_by_byte(void **state)
{
    (void) state;
    const char *text = " {\"method\":\"caf\xc3\xa9\",\"params\":[1.5,"
                       "\"\\u00e9\"],\"id\":\"x\"}\n";
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);

    for (size_t i = 0; text[i]; i++) {
        char byte[2] = { text[i], '\0' };
        struct jsonrpc_msg *msg;

        raw_write(fd, byte);
        if (text[i] == '}') {
            msg = recv_now(rpc);
            assert_msg_equals_text(msg, text);
            jsonrpc_msg_destroy(msg);
        } else {
            assert_nothing_to_recv(rpc);
        }
    }
    close(fd);
    jsonrpc_close(rpc);
}

static void
test_several_in_one_write(void **state)
{
    (void) state;
    const char *msgs[] = {
        "{\"method\":\"a\",\"params\":[],\"id\":null}",
        "{\"method\":\"b\",\"params\":[[]],\"id\":1}",
        "{\"result\":{},\"error\":null,\"id\":2}",
    };
    char *text = xasprintf("%s%s\r\n\t%s  ", msgs[0], msgs[1], msgs[2]);
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);

    raw_write(fd, text);
    for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
        struct jsonrpc_msg *msg = recv_now(rpc);
        assert_msg_equals_text(msg, msgs[i]);
        jsonrpc_msg_destroy(msg);
    }
    assert_nothing_to_recv(rpc);
    free(text);
    close(fd);
    jsonrpc_close(rpc);
}

/* Bytes that are not JSON end the connection with EPROTO and a log line
 * naming the peer; nothing is answered. */
static void
test_garbage(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *msg;
    size_t mark = log_mark();

    const char *good = "{\"method\":\"ok\",\"params\":[],\"id\":null}";
    char *text = xasprintf("%s hello", good);

    raw_write(fd, text);
    msg = recv_now(rpc);
    assert_string_equal(msg->method, "ok");
    jsonrpc_msg_destroy(msg);

    assert_int_equal(jsonrpc_recv(rpc, &msg), EPROTO);
    assert_null(msg);
    assert_int_equal(jsonrpc_get_status(rpc), EPROTO);
    /* The bad byte starts "hello", counted from the start of the stream. */
    char *words = xasprintf("received bad JSON (JSON syntax error at byte "
                            "%zu: top-level value is not an object or "
                            "array)", (size_t) (strstr(text, "hello") - text));
    assert_logged(mark, PEER_NAME, words);
    free(words);
    free(text);

    /* The status is final. */
    raw_write(fd, "{\"method\":\"ok\",\"params\":[],\"id\":null}");
    assert_int_equal(jsonrpc_recv(rpc, &msg), EPROTO);
    assert_int_equal(jsonrpc_send(rpc, jsonrpc_create_notify("x", NULL)),
                     EPROTO);
    assert_int_equal(jsonrpc_get_backlog(rpc), 0);

    char *answer = raw_read(fd);
    assert_string_equal(answer, "");
    free(answer);
    close(fd);
    jsonrpc_close(rpc);
}

/* A message over the size limit (64 MB) ends the connection. */
static void
test_too_large(void **state)
{
    (void) state;
    size_t chunk_size = 256 * 1024, written = 0;
    char *chunk = xmalloc(chunk_size);
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *msg;
    size_t mark = log_mark();
    int error = 0;

    memset(chunk, 'x', chunk_size);
    raw_write(fd, "{\"method\":\"big\",\"params\":[\"");
    while (error != EPROTO) {
        ssize_t n = write(fd, chunk, chunk_size);

        if (n > 0) {
            written += n;
        } else {
            assert_int_equal(errno, EAGAIN);
        }
        while ((error = jsonrpc_recv(rpc, &msg)) == 0) {
            fail_msg("received a message");
        }
        assert_true(error == EAGAIN || error == EPROTO);
        assert_true(written <= JSON_READER_DEFAULT_MAX_SIZE + chunk_size);
    }
    assert_true(written >= JSON_READER_DEFAULT_MAX_SIZE - 64);

    char *expected = xasprintf("received bad JSON (message exceeds %u "
                               "bytes)", JSON_READER_DEFAULT_MAX_SIZE);
    assert_logged(mark, PEER_NAME, expected);
    free(expected);
    free(chunk);
    close(fd);
    jsonrpc_close(rpc);
}

/* Reads the one error reply waiting on FD; returns its "error" text and
 * sets *IDP to its id (the caller puts it). */
static char *
read_error_reply(int fd, struct json_object **idp)
{
    char *text = raw_read(fd);
    struct json_object *json = parse(text), *member;
    char *error;

    assert_int_equal(json_object_object_length(json), 3);
    assert_true(json_object_object_get_ex(json, "result", &member));
    assert_null(member);
    assert_true(json_object_object_get_ex(json, "error", &member));
    assert_true(json_object_is_type(member, json_type_string));
    error = xstrdup(json_object_get_string(member));
    assert_true(json_object_object_get_ex(json, "id", &member));
    *idp = json_object_get(member);
    json_object_put(json);
    free(text);
    return error;
}

/* Valid JSON that is not a valid message is logged, answered with an
 * error reply and skipped; the connection stays up. */
static void
test_invalid_message_answered(void **state)
{
    (void) state;
    static const struct {
        const char *text;
        const char *id;         /* The answer's id, as JSON. */
        const char *error;
    } cases[] = {
        { "{\"method\":\"m\",\"params\":{},\"id\":5}", "5",
          "\"params\" must be an array" },
        { "{\"method\":7,\"params\":[],\"id\":[\"x\"]}", "[\"x\"]",
          "\"method\" must be a string" },
        { "[1,2]", "null", "message is not a JSON object" },
        { "{\"params\":[],\"id\":\"q\"}", "\"q\"",
          "message has no \"method\", \"result\" or \"error\"" },
    };
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t mark = log_mark();
        struct json_object *id, *expected_id = parse_id(cases[i].id);

        raw_write(fd, cases[i].text);
        assert_nothing_to_recv(rpc);

        char *error = read_error_reply(fd, &id);
        assert_string_equal(error, cases[i].error);
        assert_true(jsonrpc_id_equals(id, expected_id));
        char *words = xasprintf("received invalid JSON-RPC message: %s",
                                cases[i].error);
        assert_logged(mark, PEER_NAME, words);

        free(words);
        free(error);
        json_object_put(id);
        json_object_put(expected_id);
    }

    /* Still up: a good message after the bad ones gets through. */
    raw_write(fd, "{\"method\":\"fine\",\"params\":[],\"id\":null}");
    struct jsonrpc_msg *msg = recv_now(rpc);
    assert_string_equal(msg->method, "fine");
    jsonrpc_msg_destroy(msg);
    close(fd);
    jsonrpc_close(rpc);
}

/* An invalid answer is skipped without answering it, so that two peers
 * cannot trade error replies forever. */
static void
test_invalid_answer_not_answered(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    size_t mark = log_mark();

    raw_write(fd, "{\"result\":null,\"error\":\"x\",\"id\":null}"
              "{\"result\":1,\"error\":2,\"id\":3}");
    assert_nothing_to_recv(rpc);
    assert_logged(mark, PEER_NAME, "received invalid JSON-RPC message: "
                  "\"id\" must not be null in a reply");
    assert_logged(mark, PEER_NAME, "received invalid JSON-RPC message: "
                  "\"result\" must be null when \"error\" is not");

    char *answer = raw_read(fd);
    assert_string_equal(answer, "");
    free(answer);
    close(fd);
    jsonrpc_close(rpc);
}

/* Two connections that both reject each other's error replies settle:
 * the exchange stops after one round. */
static void
test_no_error_ping_pong(void **state)
{
    (void) state;
    struct jsonrpc *a, *b;
    struct jsonrpc_msg *msg;

    open_rpc_pair(&a, &b);
    size_t mark = log_mark();

    /* A sends a notification whose params are not an array. */
    msg = jsonrpc_create_notify("m", NULL);
    json_object_put(msg->params);
    msg->params = json_object_new_object();
    assert_int_equal(jsonrpc_send(a, msg), 0);

    /* B answers with an error whose id is null, which A finds invalid but
     * does not answer, so B has nothing more to complain about. */
    for (int i = 0; i < 5; i++) {
        assert_nothing_to_recv(b);
        assert_nothing_to_recv(a);
    }

    char *log = log_since(mark);
    assert_int_equal(count_lines_with(log, PEER_NAME ": received invalid"),
                     1);
    assert_int_equal(count_lines_with(log, RPC_NAME ": received invalid"),
                     1);
    assert_non_null(strstr(log, RPC_NAME ": received invalid JSON-RPC "
                           "message: \"id\" must not be null in a reply"));
    free(log);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* Sends messages of SIZE bytes of params until the socket is full.
 * Returns how many were sent. */
static int
fill_socket(struct jsonrpc *rpc, size_t size)
{
    char *payload = xmalloc(size + 1);
    int n;

    memset(payload, 'p', size);
    payload[size] = '\0';
    for (n = 0; !jsonrpc_get_backlog(rpc); n++) {
        struct json_object *params = json_object_new_array();

        json_object_array_add(params, json_object_new_int(n));
        json_object_array_add(params, json_object_new_string(payload));
        assert_int_equal(jsonrpc_send(rpc, jsonrpc_create_notify("fill",
                                                                 params)),
                         0);
        assert_true(n < 10000);
    }
    free(payload);
    return n;
}

/* A peer that does not read leaves a backlog, which drains in order once
 * it reads. */
static void
test_send_backlog(void **state)
{
    (void) state;
    struct jsonrpc *a, *b;
    size_t size = 100 * 1000;

    open_rpc_pair(&a, &b);
    int n = fill_socket(a, size);
    /* Queue more behind the backlog. */
    for (int i = 0; i < 3; i++) {
        struct json_object *params = json_object_new_array();
        json_object_array_add(params, json_object_new_int(n + i));
        assert_int_equal(jsonrpc_send(a, jsonrpc_create_notify("more",
                                                               params)), 0);
    }
    n += 3;

    size_t backlog = jsonrpc_get_backlog(a);
    assert_true(backlog > 0);
    jsonrpc_run(a);
    assert_int_equal(jsonrpc_get_backlog(a), backlog);

    long long int start = time_msec();
    for (int i = 0; i < n;) {
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(b, &msg);

        if (!error) {
            struct json_object *first = json_object_array_get_idx(
                msg->params, 0);
            assert_int_equal(json_object_get_int(first), i);
            if (i < n - 3) {
                assert_int_equal(json_object_get_string_len(
                    json_object_array_get_idx(msg->params, 1)), size);
            }
            jsonrpc_msg_destroy(msg);
            i++;
            continue;
        }
        assert_int_equal(error, EAGAIN);
        jsonrpc_run(a);
        jsonrpc_wait(a);
        jsonrpc_recv_wait(b);
        poll_block();
        assert_true(time_msec() - start < 10000);
    }
    assert_int_equal(jsonrpc_get_backlog(a), 0);
    assert_nothing_to_recv(b);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* jsonrpc_send_block() gives up on a peer that does not read. */
static void
test_send_block_timeout(void **state)
{
    (void) state;
    struct jsonrpc *a, *b;

    open_rpc_pair(&a, &b);
    fill_socket(a, 100 * 1000);

    long long int start = time_msec();
    assert_int_equal(jsonrpc_send_block(a, jsonrpc_create_notify("x", NULL),
                                        100), ETIMEDOUT);
    long long int elapsed = time_msec() - start;
    assert_true(elapsed >= 100);
    assert_true(elapsed < 5000);
    assert_true(jsonrpc_get_backlog(a) > 0);
    assert_int_equal(jsonrpc_get_status(a), 0);

    /* A small message to a reading peer goes out at once. */
    assert_int_equal(jsonrpc_send_block(b, jsonrpc_create_notify("y", NULL),
                                        0), 0);
    assert_int_equal(jsonrpc_get_backlog(b), 0);
    jsonrpc_close(a);
    jsonrpc_close(b);
}

/* Messages sent before the peer closed are received, then EOF. */
static void
test_peer_close(void **state)
{
    (void) state;
    struct jsonrpc *a, *b;
    struct jsonrpc_msg *msg;

    open_rpc_pair(&a, &b);
    assert_int_equal(jsonrpc_send(b, jsonrpc_create_notify("1", NULL)), 0);
    assert_int_equal(jsonrpc_send(b, jsonrpc_create_notify("2", NULL)), 0);
    jsonrpc_close(b);

    msg = recv_now(a);
    assert_string_equal(msg->method, "1");
    jsonrpc_msg_destroy(msg);
    msg = recv_now(a);
    assert_string_equal(msg->method, "2");
    jsonrpc_msg_destroy(msg);

    assert_int_equal(jsonrpc_recv(a, &msg), EOF);
    assert_null(msg);
    assert_int_equal(jsonrpc_get_status(a), EOF);
    assert_int_equal(jsonrpc_recv(a, &msg), EOF);
    assert_int_equal(jsonrpc_recv_block(a, &msg, -1), EOF);
    assert_int_equal(jsonrpc_send(a, jsonrpc_create_notify("3", NULL)), EOF);
    assert_int_equal(jsonrpc_send_block(a, jsonrpc_create_notify("4", NULL),
                                        -1), EOF);
    jsonrpc_close(a);
}

/* A peer closing in the middle of a message: EOF, and it is logged. */
static void
test_eof_mid_message(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *msg;
    size_t mark = log_mark();

    raw_write(fd, "{\"method\":\"cut\",\"par");
    assert_nothing_to_recv(rpc);
    close(fd);
    assert_int_equal(jsonrpc_recv(rpc, &msg), EOF);
    assert_logged(mark, PEER_NAME,
                  "connection closed in the middle of a message");
    jsonrpc_close(rpc);
}

/* Sending to a peer that is gone fails with its error, dropping the
 * backlog. */
static void
test_send_to_closed_peer(void **state)
{
    (void) state;
    struct jsonrpc *a, *b;
    size_t mark = log_mark();

    open_rpc_pair(&a, &b);
    fill_socket(a, 100 * 1000);
    jsonrpc_close(b);

    jsonrpc_run(a);
    assert_int_equal(jsonrpc_get_status(a), EPIPE);
    assert_int_equal(jsonrpc_get_backlog(a), 0);
    assert_logged(mark, RPC_NAME, "send failed: ");
    assert_int_equal(jsonrpc_send(a, jsonrpc_create_notify("x", NULL)),
                     EPIPE);
    jsonrpc_close(a);
}

/* Writes the peer's side of a transaction whose request id is ID. */
static void
write_answers(int fd, long long int id, bool as_error)
{
    char *text = xasprintf(
        "{\"method\":\"update\",\"params\":[1],\"id\":null}"
        "{\"method\":\"ping\",\"params\":[],\"id\":\"p\"}"
        "{\"result\":\"other\",\"error\":null,\"id\":%lld}"
        "{\"result\":\"stringly\",\"error\":null,\"id\":\"%lld\"}"
        "{\"result\":%s,\"error\":%s,\"id\":%lld}"
        "{\"method\":\"after\",\"params\":[],\"id\":null}",
        id + 1000, id, as_error ? "null" : "\"mine\"",
        as_error ? "\"failed\"" : "null", id);

    raw_write(fd, text);
    free(text);
}

static void
check_transact(bool as_error)
{
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *request = jsonrpc_create_request("echo", NULL);
    long long int id = json_object_get_int64(request->id);
    struct jsonrpc_msg *reply, *msg;

    write_answers(fd, id, as_error);
    assert_int_equal(jsonrpc_transact_block(rpc, request, &reply, 5000), 0);
    assert_non_null(reply);
    assert_int_equal(json_object_get_int64(reply->id), id);
    if (as_error) {
        assert_int_equal(reply->type, JSONRPC_ERROR);
        assert_string_equal(json_object_get_string(reply->error), "failed");
    } else {
        assert_int_equal(reply->type, JSONRPC_REPLY);
        assert_string_equal(json_object_get_string(reply->result), "mine");
    }
    jsonrpc_msg_destroy(reply);

    /* What followed the reply is still there. */
    msg = recv_now(rpc);
    assert_string_equal(msg->method, "after");
    jsonrpc_msg_destroy(msg);
    assert_nothing_to_recv(rpc);

    /* The request went out. */
    char *sent = raw_read(fd);
    char *expected = xasprintf("{\"method\":\"echo\",\"params\":[],"
                               "\"id\":%lld}", id);
    struct json_object *a = parse(sent), *b = parse(expected);
    assert_true(json_object_equal(a, b));
    json_object_put(a);
    json_object_put(b);
    free(expected);
    free(sent);
    close(fd);
    jsonrpc_close(rpc);
}

/* jsonrpc_transact_block() skips notifications, requests and answers to
 * other ids, and leaves what follows its reply for jsonrpc_recv(). */
static void
test_transact_reply(void **state)
{
    (void) state;
    check_transact(false);
}

static void
test_transact_error(void **state)
{
    (void) state;
    check_transact(true);
}

static void
test_transact_not_request(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *reply = (struct jsonrpc_msg *) 1;

    assert_int_equal(jsonrpc_transact_block(
                         rpc, jsonrpc_create_notify("n", NULL), &reply, 0),
                     EINVAL);
    assert_null(reply);
    char *sent = raw_read(fd);
    assert_string_equal(sent, "");
    free(sent);
    close(fd);
    jsonrpc_close(rpc);
}

/* The peer stops sending (but still reads) before answering. */
static void
test_transact_eof(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *reply;

    raw_write(fd, "{\"method\":\"update\",\"params\":[],\"id\":null}");
    assert_int_equal(shutdown(fd, SHUT_WR), 0);
    assert_int_equal(jsonrpc_transact_block(
                         rpc, jsonrpc_create_request("echo", NULL), &reply,
                         -1), EOF);
    assert_null(reply);
    close(fd);
    jsonrpc_close(rpc);
}

static void
assert_elapsed(long long int start, int timeout_ms)
{
    long long int elapsed = time_msec() - start;

    assert_true(elapsed >= timeout_ms);
    assert_true(elapsed < timeout_ms + 5000);
}

static void
test_timeouts(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *msg = (struct jsonrpc_msg *) 1;
    long long int start;

    start = time_msec();
    assert_int_equal(jsonrpc_recv_block(rpc, &msg, 0), ETIMEDOUT);
    assert_null(msg);
    assert_elapsed(start, 0);

    start = time_msec();
    assert_int_equal(jsonrpc_recv_block(rpc, &msg, 100), ETIMEDOUT);
    assert_elapsed(start, 100);

    /* Messages that are not the reply do not extend the wait. */
    raw_write(fd, "{\"method\":\"update\",\"params\":[],\"id\":null}");
    start = time_msec();
    assert_int_equal(jsonrpc_transact_block(
                         rpc, jsonrpc_create_request("echo", NULL), &msg,
                         100), ETIMEDOUT);
    assert_null(msg);
    assert_elapsed(start, 100);
    assert_int_equal(jsonrpc_get_status(rpc), 0);

    /* A message already there is returned without waiting. */
    raw_write(fd, "{\"method\":\"now\",\"params\":[],\"id\":null}");
    assert_int_equal(jsonrpc_recv_block(rpc, &msg, -1), 0);
    assert_string_equal(msg->method, "now");
    jsonrpc_msg_destroy(msg);
    close(fd);
    jsonrpc_close(rpc);
}

/* A peer in another thread: waits DELAY_MS, then reads one request if
 * ANSWER (answering it with a notification and then the reply) or else
 * just writes a notification. */
struct live_peer {
    int fd;
    int delay_ms;
    bool answer;
    pthread_t thread;
};

static struct json_object *
read_one_value(int fd)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct json_object *json = NULL;

    while (!json) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char buf[512];
        ssize_t n;

        if (poll(&pfd, 1, 10000) != 1) {
            break;
        }
        n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        ds_put_buffer(&s, buf, n);
        json = json_tokener_parse(ds_cstr(&s));
    }
    ds_destroy(&s);
    return json;
}

static void *
live_peer_main(void *peer_)
{
    struct live_peer *peer = peer_;
    struct json_object *request = NULL, *id = NULL;

    time_sleep_msec(peer->delay_ms);
    if (peer->answer) {
        request = read_one_value(peer->fd);
        json_object_object_get_ex(request, "id", &id);
    }
    char *text = xasprintf(
        "{\"method\":\"update\",\"params\":[],\"id\":null}"
        "{\"result\":\"live\",\"error\":null,\"id\":%s}",
        id ? json_object_to_json_string(id) : "0");
    if (write_fully(peer->fd, text, peer->answer ? strlen(text)
                                                 : strcspn(text, "}") + 1)) {
        abort();
    }
    free(text);
    json_object_put(request);
    return NULL;
}

static void
live_peer_start(struct live_peer *peer, int fd, int delay_ms, bool answer)
{
    *peer = (struct live_peer) { .fd = fd, .delay_ms = delay_ms,
                                 .answer = answer };
    assert_int_equal(pthread_create(&peer->thread, NULL, live_peer_main,
                                    peer), 0);
}

/* jsonrpc_recv_block() sleeps until a message arrives. */
static void
test_recv_block_wakes(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct live_peer peer;
    struct jsonrpc_msg *msg;

    long long int start = time_msec();
    live_peer_start(&peer, fd, 100, false);
    assert_int_equal(jsonrpc_recv_block(rpc, &msg, -1), 0);
    assert_elapsed(start, 100);
    assert_string_equal(msg->method, "update");
    jsonrpc_msg_destroy(msg);
    assert_int_equal(pthread_join(peer.thread, NULL), 0);
    close(fd);
    jsonrpc_close(rpc);
}

/* A transaction with a peer that answers only after reading the request. */
static void
test_transact_live_peer(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct live_peer peer;
    struct jsonrpc_msg *reply;

    live_peer_start(&peer, fd, 50, true);
    assert_int_equal(jsonrpc_transact_block(
                         rpc, jsonrpc_create_request("echo", NULL), &reply,
                         10000), 0);
    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_string_equal(json_object_get_string(reply->result), "live");
    jsonrpc_msg_destroy(reply);
    assert_int_equal(pthread_join(peer.thread, NULL), 0);
    close(fd);
    jsonrpc_close(rpc);
}

/* With a second message already read, jsonrpc_recv_wait() wakes at once. */
static void
test_recv_wait_buffered(void **state)
{
    (void) state;
    int fd;
    struct jsonrpc *rpc = open_raw_pair(&fd);
    struct jsonrpc_msg *msg;

    raw_write(fd, "{\"method\":\"1\",\"params\":[],\"id\":null}"
              "{\"method\":\"2\",\"params\":[],\"id\":null}");
    msg = recv_now(rpc);
    jsonrpc_msg_destroy(msg);

    /* Nothing more on the socket, but a message in the buffer. */
    char *rest = raw_read(fd);
    free(rest);
    long long int start = time_msec();
    jsonrpc_recv_wait(rpc);
    poll_timer_wait(10000);
    poll_block();
    assert_true(time_msec() - start < 5000);

    msg = recv_now(rpc);
    assert_string_equal(msg->method, "2");
    jsonrpc_msg_destroy(msg);
    close(fd);
    jsonrpc_close(rpc);
}

/* A flood of bad peers is logged at a limited rate. */
static void
test_log_rate_limit(void **state)
{
    (void) state;
    size_t mark = log_mark();
    int n = 50;

    for (int i = 0; i < n; i++) {
        int fd;
        struct jsonrpc *rpc = open_raw_pair(&fd);
        struct jsonrpc_msg *msg;

        raw_write(fd, "garbage");
        assert_int_equal(jsonrpc_recv(rpc, &msg), EPROTO);
        close(fd);
        jsonrpc_close(rpc);
    }
    char *log = log_since(mark);
    size_t logged = count_lines_with(log, "received bad JSON");
    assert_true(logged < (size_t) n / 2);
    free(log);
}

static int
setup(void **state)
{
    (void) state;
    struct vlog_module *module = vlog_module_from_name("jsonrpc");

    tmp_dir = unit_mkdtemp();
    log_name = xasprintf("%s/test.log", tmp_dir);
    assert_int_equal(vlog_set_log_file(log_name), 0);
    /* Everything goes to the log file, debug lines included (which also
     * runs the code that writes them); nothing to the console. */
    assert_non_null(module);
    vlog_set_levels(module, VLF_FILE, VLL_DBG);
    vlog_set_levels(module, VLF_CONSOLE, VLL_OFF);
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_connecting_stream),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_several_in_one_write),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_invalid_message_answered),
        cmocka_unit_test(test_invalid_answer_not_answered),
        cmocka_unit_test(test_no_error_ping_pong),
        cmocka_unit_test(test_send_backlog),
        cmocka_unit_test(test_send_block_timeout),
        cmocka_unit_test(test_peer_close),
        cmocka_unit_test(test_eof_mid_message),
        cmocka_unit_test(test_send_to_closed_peer),
        cmocka_unit_test(test_transact_reply),
        cmocka_unit_test(test_transact_error),
        cmocka_unit_test(test_transact_not_request),
        cmocka_unit_test(test_transact_eof),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_recv_block_wakes),
        cmocka_unit_test(test_transact_live_peer),
        cmocka_unit_test(test_recv_wait_buffered),
        /* Last: it uses up the log rate limit the others rely on. */
        cmocka_unit_test(test_log_rate_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
