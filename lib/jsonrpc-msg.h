/*
 * jsonrpc-msg: JSON-RPC 1.0 messages, as RFC 7047 (OVSDB) uses them.
 *
 *   request       {"method": M, "params": [...], "id": ID}    ID not null
 *   notification  {"method": M, "params": [...], "id": null}
 *   reply         {"result": R, "error": null, "id": ID}
 *   error         {"result": null, "error": E, "id": ID}     E not null
 *
 * Values are json-c objects.  A message owns its members: the create
 * functions take ownership of the json_object arguments (one reference
 * each) and jsonrpc_msg_destroy() releases them.
 */
#ifndef SKIFF_JSONRPC_MSG_H
#define SKIFF_JSONRPC_MSG_H 1

#include <json-c/json.h>

enum jsonrpc_msg_type {
    JSONRPC_REQUEST,
    JSONRPC_NOTIFY,
    JSONRPC_REPLY,
    JSONRPC_ERROR
};

struct jsonrpc_msg {
    enum jsonrpc_msg_type type;
    char *method;                   /* Request, notify; else NULL. */
    struct json_object *params;     /* Request, notify: an array. */
    struct json_object *result;     /* Reply; else NULL. */
    struct json_object *error;      /* Error; else NULL. */
    struct json_object *id;         /* Request, reply, error; notify NULL. */
};

const char *jsonrpc_msg_type_to_string(enum jsonrpc_msg_type);

/* PARAMS must be an array (NULL: an empty array).  A request gets a fresh
 * integer id, unique within the process. */
struct jsonrpc_msg *jsonrpc_create_request(const char *method,
                                           struct json_object *params);
struct jsonrpc_msg *jsonrpc_create_notify(const char *method,
                                          struct json_object *params);

/* ID is copied from the request (a new reference is taken). */
struct jsonrpc_msg *jsonrpc_create_reply(struct json_object *result,
                                         const struct json_object *id);
struct jsonrpc_msg *jsonrpc_create_error(struct json_object *error,
                                         const struct json_object *id);

void jsonrpc_msg_destroy(struct jsonrpc_msg *);

/* Converts JSON into a message.  Returns 0 and *msgp, or EPROTO with
 * *errorp (the caller frees it) saying what is wrong, e.g. "\"params\"
 * must be an array".  Does not take ownership of JSON. */
int jsonrpc_msg_from_json(struct json_object *json,
                          struct jsonrpc_msg **msgp, char **errorp);

/* Returns a new json_object for MSG (the caller puts it). */
struct json_object *jsonrpc_msg_to_json(const struct jsonrpc_msg *msg);

/* Serializes MSG compactly; the caller frees the string. */
char *jsonrpc_msg_to_string(const struct jsonrpc_msg *msg);

/* True if A and B are equal ids (both JSON, compared by value). */
int jsonrpc_id_equals(const struct json_object *a,
                      const struct json_object *b);

#endif /* jsonrpc-msg.h */
