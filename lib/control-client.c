/* control-client: connect to a daemon's control socket and run commands. */
#include <config.h>

#include "control-client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "dirs.h"
#include "jsonrpc.h"
#include "stream.h"
#include "util.h"

/* Turns TARGET into a stream name in *namep (the caller frees it).
 * Returns 0, or a positive errno value with *errorp set. */
static int
target_to_stream_name(const char *target, char **namep, char **errorp)
{
    if (stream_verify_name(target)) {
        *namep = xstrdup(target);
        return 0;
    }
    if (strchr(target, '/')) {
        *namep = xasprintf("unix:%s", target);
        return 0;
    }
    if (!*target || strchr(target, ':')) {
        *errorp = xasprintf("\"%s\" is not a daemon name, socket path or "
                            "unix:, tcp: or ssl: target", target);
        return EINVAL;
    }

    char *pidfile = xasprintf("%s/%s.pid", skiff_rundir(), target);
    pid_t pid;
    int error = daemon_read_pidfile(pidfile, &pid);
    if (error) {
        *errorp = xasprintf("cannot read pidfile %s (%s): is %s running?",
                            pidfile,
                            error == ESRCH ? "stale: no process holds it"
                                           : strerror(error),
                            target);
    } else {
        *namep = xasprintf("unix:%s/%s.%ld.ctl", skiff_rundir(), target,
                           (long) pid);
    }
    free(pidfile);
    return error;
}

int
control_client_open(const char *target, int timeout_ms,
                    struct jsonrpc **rpcp, char **errorp)
{
    *rpcp = NULL;
    *errorp = NULL;

    char *name;
    int error = target_to_stream_name(target, &name, errorp);
    if (error) {
        return error;
    }
    struct stream *stream;
    error = stream_open_block(name, timeout_ms, &stream);
    if (error) {
        *errorp = xasprintf("cannot connect to %s (%s)", name,
                            strerror(error));
    } else {
        *rpcp = jsonrpc_open(stream);
    }
    free(name);
    return error;
}

/* A command's text: a JSON string as it is, anything else serialized. */
static char *
json_to_text(struct json_object *json)
{
    if (json_object_is_type(json, json_type_string)) {
        return xstrdup(json_object_get_string(json));
    }
    return xstrdup(json_object_to_json_string_ext(json,
                                                  JSON_C_TO_STRING_PLAIN));
}

int
control_client_transact(struct jsonrpc *rpc, const char *command, int argc,
                        char *argv[], int timeout_ms, char **resultp,
                        char **errorp)
{
    *resultp = NULL;
    *errorp = NULL;

    struct json_object *params = json_object_new_array();
    for (int i = 0; i < argc; i++) {
        json_object_array_add(params, json_object_new_string(argv[i]));
    }
    struct jsonrpc_msg *reply;
    int error = jsonrpc_transact_block(rpc, jsonrpc_create_request(command,
                                                                   params),
                                       &reply, timeout_ms);
    if (error) {
        /* A daemon that hangs up without answering reset the exchange. */
        return error == EOF ? ECONNRESET : error;
    }
    if (reply->type == JSONRPC_REPLY) {
        *resultp = json_to_text(reply->result);
    } else {
        *errorp = json_to_text(reply->error);
    }
    jsonrpc_msg_destroy(reply);
    return 0;
}
