/* test-jsonrpc-msg: building, checking and writing JSON-RPC messages. */
#include "unit.h"

#include <errno.h>
#include <pthread.h>

#include <json-c/json.h>

#include "jsonrpc-msg.h"

static struct json_object *
parse(const char *text)
{
    struct json_object *json = json_tokener_parse(text);

    if (!json) {
        fail_msg("test input does not parse: %s", text);
    }
    return json;
}

static void
assert_json_equal(struct json_object *a, struct json_object *b)
{
    if (!json_object_equal(a, b)) {
        fail_msg("%s != %s", json_object_to_json_string(a),
                 json_object_to_json_string(b));
    }
}

/* Converts TEXT to a message, which must be valid. */
static struct jsonrpc_msg *
msg_from_text(const char *text)
{
    struct json_object *json = parse(text);
    struct jsonrpc_msg *msg;
    char *error;

    if (jsonrpc_msg_from_json(json, &msg, &error)) {
        fail_msg("%s: %s", text, error);
    }
    assert_null(error);
    json_object_put(json);      /* The message holds its own references. */
    return msg;
}

/* Asserts that TEXT is refused with exactly EXPECTED. */
static void
check_invalid(const char *text, const char *expected)
{
    struct json_object *json = parse(text);
    struct jsonrpc_msg *msg = (struct jsonrpc_msg *) 1;
    char *error = NULL;

    int retval = jsonrpc_msg_from_json(json, &msg, &error);
    if (retval != EPROTO || !error || strcmp(error, expected)) {
        fail_msg("%s: got %d \"%s\", expected \"%s\"", text, retval,
                 error ? error : "(none)", expected);
    }
    assert_null(msg);
    free(error);
    json_object_put(json);
}

static void
test_type_names(void **state)
{
    (void) state;
    assert_string_equal(jsonrpc_msg_type_to_string(JSONRPC_REQUEST),
                        "request");
    assert_string_equal(jsonrpc_msg_type_to_string(JSONRPC_NOTIFY),
                        "notification");
    assert_string_equal(jsonrpc_msg_type_to_string(JSONRPC_REPLY),
                        "reply");
    assert_string_equal(jsonrpc_msg_type_to_string(JSONRPC_ERROR),
                        "error");
}

static void
test_create_request(void **state)
{
    (void) state;
    struct json_object *params = parse("[1,\"two\"]");
    struct jsonrpc_msg *a = jsonrpc_create_request("transact", params);
    struct jsonrpc_msg *b = jsonrpc_create_request("echo", NULL);

    assert_int_equal(a->type, JSONRPC_REQUEST);
    assert_string_equal(a->method, "transact");
    assert_ptr_equal(a->params, params);
    assert_null(a->result);
    assert_null(a->error);
    assert_true(json_object_is_type(a->id, json_type_int));

    /* No params means an empty array. */
    assert_true(json_object_is_type(b->params, json_type_array));
    assert_int_equal(json_object_array_length(b->params), 0);
    assert_false(jsonrpc_id_equals(a->id, b->id));

    jsonrpc_msg_destroy(a);
    jsonrpc_msg_destroy(b);
    jsonrpc_msg_destroy(NULL);
}

static void
test_create_notify(void **state)
{
    (void) state;
    struct jsonrpc_msg *msg = jsonrpc_create_notify("update", NULL);

    assert_int_equal(msg->type, JSONRPC_NOTIFY);
    assert_string_equal(msg->method, "update");
    assert_int_equal(json_object_array_length(msg->params), 0);
    assert_null(msg->id);
    jsonrpc_msg_destroy(msg);
}

static void
test_create_reply_and_error(void **state)
{
    (void) state;
    struct jsonrpc_msg *request = jsonrpc_create_request("echo", NULL);
    struct jsonrpc_msg *reply, *error;

    reply = jsonrpc_create_reply(json_object_new_string("ok"), request->id);
    error = jsonrpc_create_error(json_object_new_string("no such method"),
                                 request->id);
    /* The replies hold their own references to the id. */
    jsonrpc_msg_destroy(request);

    assert_int_equal(reply->type, JSONRPC_REPLY);
    assert_null(reply->method);
    assert_null(reply->params);
    assert_string_equal(json_object_get_string(reply->result), "ok");
    assert_null(reply->error);
    assert_int_equal(error->type, JSONRPC_ERROR);
    assert_null(error->result);
    assert_string_equal(json_object_get_string(error->error),
                        "no such method");
    assert_true(jsonrpc_id_equals(reply->id, error->id));

    jsonrpc_msg_destroy(reply);
    jsonrpc_msg_destroy(error);
}

#define N_THREADS 4
#define IDS_PER_THREAD 500

static void *
make_ids(void *ids_)
{
    long long int *ids = ids_;

    for (int i = 0; i < IDS_PER_THREAD; i++) {
        struct jsonrpc_msg *msg = jsonrpc_create_request("m", NULL);
        ids[i] = json_object_get_int64(msg->id);
        jsonrpc_msg_destroy(msg);
    }
    return NULL;
}

static int
compare_llong(const void *a_, const void *b_)
{
    const long long int *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* Request ids are unique within the process, even across threads. */
static void
test_request_ids_unique(void **state)
{
    (void) state;
    long long int *ids = xcalloc(N_THREADS * IDS_PER_THREAD, sizeof *ids);
    pthread_t threads[N_THREADS];

    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, make_ids,
                                        ids + i * IDS_PER_THREAD), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    }
    qsort(ids, N_THREADS * IDS_PER_THREAD, sizeof *ids, compare_llong);
    for (int i = 1; i < N_THREADS * IDS_PER_THREAD; i++) {
        assert_true(ids[i - 1] != ids[i]);
    }
    free(ids);
}

static void
check_members(struct json_object *json, const char *const names[3])
{
    assert_true(json_object_is_type(json, json_type_object));
    assert_int_equal(json_object_object_length(json), 3);
    for (int i = 0; i < 3; i++) {
        assert_true(json_object_object_get_ex(json, names[i], NULL));
    }
}

/* Each kind serializes to exactly its three members. */
static void
test_to_json_shapes(void **state)
{
    (void) state;
    static const char *const call[3] = { "method", "params", "id" };
    static const char *const answer[3] = { "result", "error", "id" };
    struct jsonrpc_msg *request = jsonrpc_create_request("a/b", NULL);
    struct jsonrpc_msg *msgs[] = {
        request,
        jsonrpc_create_notify("n", parse("[{\"x\":[]}]")),
        jsonrpc_create_reply(parse("{\"k\":1}"), request->id),
        jsonrpc_create_error(json_object_new_string("bad"), request->id),
    };

    for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
        struct json_object *json = jsonrpc_msg_to_json(msgs[i]);
        struct json_object *id, *value;
        bool is_call = msgs[i]->type == JSONRPC_REQUEST
                       || msgs[i]->type == JSONRPC_NOTIFY;

        check_members(json, is_call ? call : answer);
        json_object_object_get_ex(json, "id", &id);
        assert_true(jsonrpc_id_equals(id, msgs[i]->id));
        if (msgs[i]->type == JSONRPC_NOTIFY) {
            assert_null(id);
        }
        if (msgs[i]->type == JSONRPC_REPLY) {
            json_object_object_get_ex(json, "error", &value);
            assert_null(value);
        }
        if (msgs[i]->type == JSONRPC_ERROR) {
            json_object_object_get_ex(json, "result", &value);
            assert_null(value);
        }
        json_object_put(json);
    }
    for (size_t i = ARRAY_SIZE(msgs); i-- > 0;) {
        jsonrpc_msg_destroy(msgs[i]);
    }
}

/* Serialization is compact and does not escape '/'. */
static void
test_to_string_compact(void **state)
{
    (void) state;
    struct jsonrpc_msg *msg = jsonrpc_create_notify(
        "a/b", parse("[ 1 , { \"k\" : [ true ] } ]"));
    char *s = jsonrpc_msg_to_string(msg);

    assert_null(strchr(s, ' '));
    assert_null(strchr(s, '\n'));
    assert_non_null(strstr(s, "\"a/b\""));

    struct json_object *back = parse(s);
    struct json_object *json = jsonrpc_msg_to_json(msg);
    assert_json_equal(back, json);
    json_object_put(back);
    json_object_put(json);
    free(s);
    jsonrpc_msg_destroy(msg);
}

static const char *const valid_msgs[] = {
    "{\"method\":\"echo\",\"params\":[],\"id\":0}",
    "{\"id\":\"abc\",\"params\":[1,[2],{\"3\":null}],\"method\":\"m\"}",
    "{\"method\":\"\",\"params\":[],\"id\":{\"any\":[\"json\"]}}",
    "{\"method\":\"update\",\"params\":[null],\"id\":null}",
    "{\"result\":{\"rows\":[]},\"error\":null,\"id\":1}",
    "{\"result\":null,\"error\":null,\"id\":2}",
    "{\"result\":null,\"error\":{\"error\":\"x\",\"details\":\"y\"},"
    "\"id\":[3]}",
    "{\"result\":[1.5e300,-0.0,\"\\u00e9\\n\"],\"error\":null,\"id\":4}",
};

static void
test_from_json_valid(void **state)
{
    (void) state;
    static const enum jsonrpc_msg_type types[] = {
        JSONRPC_REQUEST, JSONRPC_REQUEST, JSONRPC_REQUEST, JSONRPC_NOTIFY,
        JSONRPC_REPLY, JSONRPC_REPLY, JSONRPC_ERROR, JSONRPC_REPLY,
    };

    for (size_t i = 0; i < ARRAY_SIZE(valid_msgs); i++) {
        struct json_object *json = parse(valid_msgs[i]);
        struct jsonrpc_msg *msg = msg_from_text(valid_msgs[i]);
        struct json_object *member;

        assert_int_equal(msg->type, types[i]);
        if (json_object_object_get_ex(json, "method", &member)) {
            assert_string_equal(msg->method, json_object_get_string(member));
            json_object_object_get_ex(json, "params", &member);
            assert_json_equal(msg->params, member);
            assert_null(msg->result);
            assert_null(msg->error);
        } else {
            assert_null(msg->method);
            assert_null(msg->params);
            json_object_object_get_ex(json, "result", &member);
            assert_json_equal(msg->result, member);
            json_object_object_get_ex(json, "error", &member);
            assert_json_equal(msg->error, member);
        }
        json_object_object_get_ex(json, "id", &member);
        assert_true(jsonrpc_id_equals(msg->id, member));

        /* Converting back gives the same JSON. */
        struct json_object *back = jsonrpc_msg_to_json(msg);
        assert_json_equal(back, json);
        json_object_put(back);
        json_object_put(json);
        jsonrpc_msg_destroy(msg);
    }
}

/* Message -> string -> JSON -> message gives the same message. */
static void
test_round_trip(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(valid_msgs); i++) {
        struct jsonrpc_msg *msg = msg_from_text(valid_msgs[i]);
        char *s = jsonrpc_msg_to_string(msg);
        struct jsonrpc_msg *again = msg_from_text(s);
        char *s2 = jsonrpc_msg_to_string(again);

        assert_int_equal(again->type, msg->type);
        struct json_object *a = jsonrpc_msg_to_json(msg);
        struct json_object *b = jsonrpc_msg_to_json(again);
        assert_json_equal(a, b);
        assert_string_equal(s, s2);

        json_object_put(a);
        json_object_put(b);
        free(s);
        free(s2);
        jsonrpc_msg_destroy(msg);
        jsonrpc_msg_destroy(again);
    }
}

static void
test_not_an_object(void **state)
{
    (void) state;
    check_invalid("[]", "message is not a JSON object");
    check_invalid("[{\"method\":\"m\",\"params\":[],\"id\":1}]",
                  "message is not a JSON object");
    check_invalid("\"method\"", "message is not a JSON object");
    check_invalid("7", "message is not a JSON object");
}

static void
test_no_kind(void **state)
{
    (void) state;
    const char *expected = "message has no \"method\", \"result\" or "
                           "\"error\"";
    check_invalid("{}", expected);
    check_invalid("{\"id\":1}", expected);
    check_invalid("{\"params\":[],\"id\":1}", expected);
}

static void
test_unexpected_members(void **state)
{
    (void) state;
    check_invalid("{\"method\":\"m\",\"params\":[],\"id\":1,\"extra\":2}",
                  "message has unexpected member \"extra\"");
    check_invalid("{\"method\":\"m\",\"params\":[],\"id\":1,\"result\":2}",
                  "message has unexpected member \"result\"");
    check_invalid("{\"method\":\"m\",\"params\":[],\"id\":1,\"error\":null}",
                  "message has unexpected member \"error\"");
    check_invalid("{\"result\":1,\"error\":null,\"id\":1,\"params\":[]}",
                  "message has unexpected member \"params\"");
    check_invalid("{\"result\":1,\"error\":null,\"id\":1,\"jsonrpc\":\"2.0\"}",
                  "message has unexpected member \"jsonrpc\"");
    /* The name is quoted safely: no quotes, control bytes or floods. */
    check_invalid("{\"method\":\"m\",\"params\":[],\"id\":1,"
                  "\"a\\\"b\\n\\u00e9\":0}",
                  "message has unexpected member \"a\\x22b\\x0a\\xc3\\xa9\"");
    check_invalid("{\"method\":\"m\",\"params\":[],\"id\":1,"
                  "\"0123456789012345678901234567890123456789\":0}",
                  "message has unexpected member "
                  "\"01234567890123456789012345678901\"...");
}

static void
test_bad_method(void **state)
{
    (void) state;
    const char *expected = "\"method\" must be a string";

    check_invalid("{\"method\":1,\"params\":[],\"id\":1}", expected);
    check_invalid("{\"method\":null,\"params\":[],\"id\":1}", expected);
    check_invalid("{\"method\":[\"m\"],\"params\":[],\"id\":1}", expected);
    check_invalid("{\"method\":{},\"params\":[],\"id\":null}", expected);
    check_invalid("{\"method\":true,\"params\":[],\"id\":null}", expected);
    check_invalid("{\"method\":\"a\\u0000b\",\"params\":[],\"id\":1}",
                  "\"method\" must not contain a null character");
}

static void
test_bad_params(void **state)
{
    (void) state;
    const char *expected = "\"params\" must be an array";

    check_invalid("{\"method\":\"m\",\"id\":1}", "\"params\" is missing");
    check_invalid("{\"method\":\"m\",\"id\":null}", "\"params\" is missing");
    check_invalid("{\"method\":\"m\",\"params\":{},\"id\":1}", expected);
    check_invalid("{\"method\":\"m\",\"params\":null,\"id\":1}", expected);
    check_invalid("{\"method\":\"m\",\"params\":\"[]\",\"id\":1}", expected);
    check_invalid("{\"method\":\"m\",\"params\":0,\"id\":null}", expected);
}

static void
test_missing_id(void **state)
{
    (void) state;
    check_invalid("{\"method\":\"m\",\"params\":[]}", "\"id\" is missing");
    check_invalid("{\"result\":1,\"error\":null}", "\"id\" is missing");
    check_invalid("{\"result\":null,\"error\":\"e\"}", "\"id\" is missing");
}

static void
test_bad_reply(void **state)
{
    (void) state;
    check_invalid("{\"error\":null,\"id\":1}", "\"result\" is missing");
    check_invalid("{\"error\":\"e\",\"id\":1}", "\"result\" is missing");
    check_invalid("{\"result\":1,\"id\":1}", "\"error\" is missing");
    check_invalid("{\"result\":null,\"id\":1}", "\"error\" is missing");
    check_invalid("{\"result\":1,\"error\":null,\"id\":null}",
                  "\"id\" must not be null in a reply");
    check_invalid("{\"result\":null,\"error\":\"e\",\"id\":null}",
                  "\"id\" must not be null in a reply");
    check_invalid("{\"result\":1,\"error\":\"e\",\"id\":1}",
                  "\"result\" must be null when \"error\" is not");
    check_invalid("{\"result\":false,\"error\":{},\"id\":1}",
                  "\"result\" must be null when \"error\" is not");
}

static void
test_id_equals(void **state)
{
    (void) state;
    struct {
        const char *a, *b;
        bool equal;
    } cases[] = {
        { "[1]", "[1]", true },
        { "[1]", "[2]", false },
        { "[1]", "[\"1\"]", false },
        { "[\"x\"]", "[\"x\"]", true },
        { "[null]", "[null]", true },
        { "[null]", "[0]", false },
        { "[{\"a\":[1,2],\"b\":2}]", "[{\"b\":2,\"a\":[1,2]}]", true },
        { "[[1,2]]", "[[2,1]]", false },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct json_object *a = parse(cases[i].a), *b = parse(cases[i].b);
        struct json_object *ida = json_object_array_get_idx(a, 0);
        struct json_object *idb = json_object_array_get_idx(b, 0);

        if (!jsonrpc_id_equals(ida, idb) != !cases[i].equal) {
            fail_msg("%s vs %s", cases[i].a, cases[i].b);
        }
        assert_int_equal(!jsonrpc_id_equals(idb, ida), !cases[i].equal);
        json_object_put(a);
        json_object_put(b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_create_request),
        cmocka_unit_test(test_create_notify),
        cmocka_unit_test(test_create_reply_and_error),
        cmocka_unit_test(test_request_ids_unique),
        cmocka_unit_test(test_to_json_shapes),
        cmocka_unit_test(test_to_string_compact),
        cmocka_unit_test(test_from_json_valid),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_no_kind),
        cmocka_unit_test(test_unexpected_members),
        cmocka_unit_test(test_bad_method),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_missing_id),
        cmocka_unit_test(test_bad_reply),
        cmocka_unit_test(test_id_equals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
