/* jsonrpc-msg: JSON-RPC 1.0 messages (RFC 7047): build, check, write. */
#include <config.h>

#include "jsonrpc-msg.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "util.h"

/* Member names quoted in error messages are cut to this many bytes. */
#define MAX_QUOTED_NAME 32

const char *
jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST:
        return "request";
    case JSONRPC_NOTIFY:
        return "notification";
    case JSONRPC_REPLY:
        return "reply";
    case JSONRPC_ERROR:
        return "error";
    }
    return "unknown";
}

static struct jsonrpc_msg *
msg_create(enum jsonrpc_msg_type type, const char *method,
           struct json_object *params, struct json_object *result,
           struct json_object *error, struct json_object *id)
{
    struct jsonrpc_msg *msg = xzalloc(sizeof *msg);

    msg->type = type;
    msg->method = method ? xstrdup(method) : NULL;
    msg->params = params;
    msg->result = result;
    msg->error = error;
    msg->id = id;
    return msg;
}

static struct json_object *
params_or_empty(struct json_object *params)
{
    if (!params) {
        return json_object_new_array();
    }
    assert(json_object_is_type(params, json_type_array));
    return params;
}

static struct json_object *
next_request_id(void)
{
    static atomic_llong next_id = 1;

    return json_object_new_int64(atomic_fetch_add(&next_id, 1));
}

struct jsonrpc_msg *
jsonrpc_create_request(const char *method, struct json_object *params)
{
    return msg_create(JSONRPC_REQUEST, method, params_or_empty(params),
                      NULL, NULL, next_request_id());
}

struct jsonrpc_msg *
jsonrpc_create_notify(const char *method, struct json_object *params)
{
    return msg_create(JSONRPC_NOTIFY, method, params_or_empty(params),
                      NULL, NULL, NULL);
}

/* json-c's reference counting takes non-const pointers, although taking a
 * reference does not change the value. */
static struct json_object *
ref_const(const struct json_object *json)
{
    return json_object_get((struct json_object *) json);
}

struct jsonrpc_msg *
jsonrpc_create_reply(struct json_object *result,
                     const struct json_object *id)
{
    return msg_create(JSONRPC_REPLY, NULL, NULL, result, NULL,
                      ref_const(id));
}

struct jsonrpc_msg *
jsonrpc_create_error(struct json_object *error,
                     const struct json_object *id)
{
    return msg_create(JSONRPC_ERROR, NULL, NULL, NULL, error,
                      ref_const(id));
}

void
jsonrpc_msg_destroy(struct jsonrpc_msg *msg)
{
    if (msg) {
        free(msg->method);
        json_object_put(msg->params);
        json_object_put(msg->result);
        json_object_put(msg->error);
        json_object_put(msg->id);
        free(msg);
    }
}

/* Appends member name NAME to S in quotes, shortened and with anything but
 * printable ASCII escaped, so that a hostile name can neither flood nor
 * forge a log line. */
static void
put_member_name(struct ds *s, const char *name)
{
    size_t i;

    ds_put_char(s, '"');
    for (i = 0; name[i] && i < MAX_QUOTED_NAME; i++) {
        unsigned char c = name[i];

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            ds_put_char(s, c);
        } else {
            ds_put_format(s, "\\x%02x", c);
        }
    }
    ds_put_cstr(s, name[i] ? "\"..." : "\"");
}

/* Returns an error for the first member of JSON not in ALLOWED (N of
 * them), or NULL. */
static char *
check_members(struct json_object *json, const char *const allowed[],
              size_t n)
{
    json_object_object_foreach (json, key, value) {
        size_t i;

        (void) value;
        for (i = 0; i < n && strcmp(key, allowed[i]); i++) {
            continue;
        }
        if (i == n) {
            struct ds s = DS_EMPTY_INITIALIZER;

            ds_put_cstr(&s, "message has unexpected member ");
            put_member_name(&s, key);
            return ds_steal_cstr(&s);
        }
    }
    return NULL;
}

static bool
has_member(struct json_object *json, const char *name,
           struct json_object **valuep)
{
    return json_object_object_get_ex(json, name, valuep);
}

static char *
check_request(struct json_object *json)
{
    static const char *const members[] = { "method", "params", "id" };
    struct json_object *method, *params;
    char *error = check_members(json, members, ARRAY_SIZE(members));

    if (error) {
        return error;
    }
    has_member(json, "method", &method);
    if (!json_object_is_type(method, json_type_string)) {
        return xstrdup("\"method\" must be a string");
    }
    if (strlen(json_object_get_string(method))
        != (size_t) json_object_get_string_len(method)) {
        return xstrdup("\"method\" must not contain a null character");
    }
    if (!has_member(json, "params", &params)) {
        return xstrdup("\"params\" is missing");
    }
    if (!json_object_is_type(params, json_type_array)) {
        return xstrdup("\"params\" must be an array");
    }
    if (!has_member(json, "id", NULL)) {
        return xstrdup("\"id\" is missing");
    }
    return NULL;
}

static char *
check_reply(struct json_object *json)
{
    static const char *const members[] = { "result", "error", "id" };
    struct json_object *result, *error, *id;
    char *problem = check_members(json, members, ARRAY_SIZE(members));

    if (problem) {
        return problem;
    }
    if (!has_member(json, "result", &result)) {
        return xstrdup("\"result\" is missing");
    }
    if (!has_member(json, "error", &error)) {
        return xstrdup("\"error\" is missing");
    }
    if (!has_member(json, "id", &id)) {
        return xstrdup("\"id\" is missing");
    }
    if (!id) {
        return xstrdup("\"id\" must not be null in a reply");
    }
    if (result && error) {
        return xstrdup("\"result\" must be null when \"error\" is not");
    }
    return NULL;
}

/* Returns NULL if JSON is a valid message, else what is wrong with it. */
static char *
check_message(struct json_object *json)
{
    if (!json_object_is_type(json, json_type_object)) {
        return xstrdup("message is not a JSON object");
    } else if (has_member(json, "method", NULL)) {
        return check_request(json);
    } else if (has_member(json, "result", NULL)
               || has_member(json, "error", NULL)) {
        return check_reply(json);
    }
    return xstrdup("message has no \"method\", \"result\" or \"error\"");
}

static struct json_object *
member(struct json_object *json, const char *name)
{
    struct json_object *value = NULL;

    json_object_object_get_ex(json, name, &value);
    return json_object_get(value);
}

/* Builds a message from JSON, which check_message() accepted. */
static struct jsonrpc_msg *
build_message(struct json_object *json)
{
    struct json_object *method, *id = member(json, "id");

    if (json_object_object_get_ex(json, "method", &method)) {
        return msg_create(id ? JSONRPC_REQUEST : JSONRPC_NOTIFY,
                          json_object_get_string(method),
                          member(json, "params"), NULL, NULL, id);
    } else {
        struct json_object *error = member(json, "error");

        return msg_create(error ? JSONRPC_ERROR : JSONRPC_REPLY, NULL,
                          NULL, member(json, "result"), error, id);
    }
}

int
jsonrpc_msg_from_json(struct json_object *json, struct jsonrpc_msg **msgp,
                      char **errorp)
{
    char *error = check_message(json);

    *msgp = NULL;
    *errorp = error;
    if (error) {
        return EPROTO;
    }
    *msgp = build_message(json);
    return 0;
}

struct json_object *
jsonrpc_msg_to_json(const struct jsonrpc_msg *msg)
{
    struct json_object *json = json_object_new_object();

    if (msg->type == JSONRPC_REQUEST || msg->type == JSONRPC_NOTIFY) {
        json_object_object_add(json, "method",
                               json_object_new_string(msg->method));
        json_object_object_add(json, "params",
                               msg->params ? json_object_get(msg->params)
                                           : json_object_new_array());
    } else {
        json_object_object_add(json, "result",
                               json_object_get(msg->result));
        json_object_object_add(json, "error", json_object_get(msg->error));
    }
    json_object_object_add(json, "id", json_object_get(msg->id));
    return json;
}

char *
jsonrpc_msg_to_string(const struct jsonrpc_msg *msg)
{
    int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
    struct json_object *json = jsonrpc_msg_to_json(msg);
    const char *s = json_object_to_json_string_ext(json, flags);
    char *copy;

    if (!s) {
        skiff_fatal(0, "out of memory serializing a JSON-RPC message");
    }
    copy = xstrdup(s);
    json_object_put(json);
    return copy;
}

int
jsonrpc_id_equals(const struct json_object *a, const struct json_object *b)
{
    return json_object_equal((struct json_object *) a,
                             (struct json_object *) b);
}
