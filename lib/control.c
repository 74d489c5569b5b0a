/* control: the control socket server and its built-in commands. */
#include <config.h>

#include "control.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "dirs.h"
#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "jsonrpc.h"
#include "list.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(control);

/* Bounds on what one client can make a server hold. */
#define MAX_CONNS 64
#define MAX_BACKLOG (16u * 1024 * 1024)
#define MSGS_PER_RUN 16     /* Per connection per control_server_run(). */

struct command {
    struct hmap_node node;      /* In 'commands', by name. */
    char *name;
    char *usage;
    int min_args;
    int max_args;
    control_cb_func *cb;
    void *aux;
};

struct control_conn {
    struct list node;           /* In control_server's 'conns'. */
    struct jsonrpc *rpc;
    struct json_object *request_id;     /* While a command runs. */
};

struct control_server {
    char *path;                 /* Unix socket, or NULL. */
    struct pstream **listeners;
    size_t n_listeners;
    struct list conns;
    size_t n_conns;
};

static struct hmap commands = HMAP_INITIALIZER(&commands);

static struct command *
find_command(const char *name)
{
    struct command *c;
    HMAP_FOR_EACH_WITH_HASH (c, node, hash_string(name, 0), &commands) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

void
control_command_register(const char *name, const char *usage, int min_args,
                         int max_args, control_cb_func *cb, void *aux)
{
    struct command *c = find_command(name);
    if (!c) {
        c = xzalloc(sizeof *c);
        c->name = xstrdup(name);
        hmap_insert(&commands, &c->node, hash_string(name, 0));
    }
    free(c->usage);
    c->usage = xstrdup(usage ? usage : "");
    c->min_args = min_args;
    c->max_args = max_args;
    c->cb = cb;
    c->aux = aux;
}

static void
send_answer(struct control_conn *conn, const char *body, bool success)
{
    if (!conn->request_id) {
        VLOG_ERR("a command answered twice (ignored)");
        return;
    }
    struct json_object *text = json_object_new_string(body ? body : "");
    struct jsonrpc_msg *msg = (success
                               ? jsonrpc_create_reply(text, conn->request_id)
                               : jsonrpc_create_error(text,
                                                      conn->request_id));
    json_object_put(conn->request_id);
    conn->request_id = NULL;
    jsonrpc_send(conn->rpc, msg);
}

void
control_command_reply(struct control_conn *conn, const char *body)
{
    send_answer(conn, body, true);
}

void
control_command_reply_error(struct control_conn *conn, const char *body)
{
    send_answer(conn, body, false);
}

static int
compare_names(const void *a_, const void *b_)
{
    const struct command *const *a = a_;
    const struct command *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
cmd_list_commands(struct control_conn *conn, int argc, const char *argv[],
                  void *aux)
{
    size_t n = hmap_count(&commands), i = 0;
    const struct command **sorted = xmalloc(n * sizeof *sorted);
    const struct command *c;
    HMAP_FOR_EACH (c, node, &commands) {
        sorted[i++] = c;
    }
    qsort(sorted, n, sizeof *sorted, compare_names);

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&s, "The available commands are:\n");
    for (i = 0; i < n; i++) {
        ds_put_format(&s, "  %-24s %s\n", sorted[i]->name, sorted[i]->usage);
    }
    control_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
    free(sorted);
}

static void
cmd_version(struct control_conn *conn, int argc, const char *argv[],
            void *aux)
{
    char *version = xasprintf("%s (Skiff) %s", get_program_name(),
                              SKIFF_PACKAGE_VERSION);
    control_command_reply(conn, version);
    free(version);
}

static void
cmd_vlog_list(struct control_conn *conn, int argc, const char *argv[],
              void *aux)
{
    char *levels = vlog_get_levels();
    control_command_reply(conn, levels);
    free(levels);
}

static void
cmd_vlog_set(struct control_conn *conn, int argc, const char *argv[],
             void *aux)
{
    char *error = vlog_set_levels_from_strings(argc - 1, argv + 1);
    if (error) {
        control_command_reply_error(conn, error);
        free(error);
    } else {
        control_command_reply(conn, NULL);
    }
}

static void
cmd_vlog_reopen(struct control_conn *conn, int argc, const char *argv[],
                void *aux)
{
    const char *file = vlog_get_log_file();
    if (!file) {
        control_command_reply_error(conn, "no log file is set");
        return;
    }
    int error = vlog_reopen_log_file();
    if (error) {
        char *msg = xasprintf("cannot reopen log file %s: %s", file,
                              strerror(error));
        control_command_reply_error(conn, msg);
        free(msg);
    } else {
        control_command_reply(conn, NULL);
    }
}

static void
cmd_exit(struct control_conn *conn, int argc, const char *argv[], void *aux)
{
    VLOG_INFO("exiting on request of the control socket");
    daemon_request_exit();
    control_command_reply(conn, NULL);
}

static void
register_builtins(void)
{
    static bool done;
    if (!done) {
        done = true;
        control_command_register("list-commands", "", 0, 0,
                                 cmd_list_commands, NULL);
        control_command_register("version", "", 0, 0, cmd_version, NULL);
        control_command_register("vlog/list", "", 0, 0, cmd_vlog_list,
                                 NULL);
        control_command_register("vlog/set",
                                 "{MODULE|ANY}[:DEST[:LEVEL]]...", 1,
                                 INT_MAX, cmd_vlog_set, NULL);
        control_command_register("vlog/reopen", "", 0, 0, cmd_vlog_reopen,
                                 NULL);
        control_command_register("exit", "", 0, 0, cmd_exit, NULL);
    }
}

static int
add_listener(struct control_server *server, const char *name)
{
    struct pstream *pstream;
    int error = pstream_open(name, &pstream);
    if (error) {
        VLOG_ERR("%s: cannot listen for control connections (%s)", name,
                 strerror(error));
        return error;
    }
    server->listeners = xrealloc(server->listeners,
                                 (server->n_listeners + 1)
                                 * sizeof *server->listeners);
    server->listeners[server->n_listeners++] = pstream;
    return 0;
}

int
control_server_create(const char *path, struct control_server **serverp)
{
    struct control_server *server = xzalloc(sizeof *server);
    list_init(&server->conns);
    register_builtins();
    *serverp = NULL;

    if (!path || strcmp(path, "none")) {
        int error = skiff_rundir_create();
        if (error) {
            VLOG_ERR("%s: cannot create run directory (%s)", skiff_rundir(),
                     strerror(error));
            free(server);
            return error;
        }
        server->path = (path
                        ? skiff_rundir_file(path)
                        : xasprintf("%s/%s.%ld.ctl", skiff_rundir(),
                                    get_program_name(), (long) getpid()));
        char *name = xasprintf("punix:%s", server->path);
        error = add_listener(server, name);
        free(name);
        if (error) {
            free(server->path);
            free(server);
            return error;
        }
        daemon_remove_file_on_exit(server->path);
    }
    *serverp = server;
    return 0;
}

int
control_server_add_remote(struct control_server *server, const char *name)
{
    return add_listener(server, name);
}

const char *
control_server_get_path(const struct control_server *server)
{
    return server->path;
}

const char *
control_server_get_listener(const struct control_server *server, int i)
{
    return (i >= 0 && (size_t) i < server->n_listeners
            ? pstream_get_name(server->listeners[i]) : NULL);
}

static void
conn_destroy(struct control_server *server, struct control_conn *conn)
{
    list_remove(&conn->node);
    server->n_conns--;
    jsonrpc_close(conn->rpc);
    if (conn->request_id) {
        json_object_put(conn->request_id);
    }
    free(conn);
}

/* Checks REQUEST's method and arguments, then runs the command. */
static void
process_request(struct control_conn *conn, struct jsonrpc_msg *request)
{
    struct command *c = find_command(request->method);
    size_t n = json_object_array_length(request->params);
    const char **argv = xcalloc(n + 2, sizeof *argv);
    char *error = NULL;

    conn->request_id = json_object_get(request->id);
    argv[0] = request->method;
    for (size_t i = 0; i < n && !error; i++) {
        struct json_object *arg = json_object_array_get_idx(request->params,
                                                            i);
        if (!json_object_is_type(arg, json_type_string)) {
            error = xasprintf("argument %zu of \"%s\" is not a string",
                              i + 1, request->method);
        }
        argv[i + 1] = json_object_get_string(arg);
    }

    if (error) {
        /* Reported below. */
    } else if (!c) {
        error = xasprintf("\"%s\" is not a valid command (\"list-commands\" "
                          "lists them)", request->method);
    } else if (n < (size_t) c->min_args) {
        error = xasprintf("\"%s\" needs at least %d argument%s", c->name,
                          c->min_args, c->min_args == 1 ? "" : "s");
    } else if (n > (size_t) c->max_args) {
        error = xasprintf("\"%s\" takes at most %d argument%s", c->name,
                          c->max_args, c->max_args == 1 ? "" : "s");
    } else {
        c->cb(conn, (int) n + 1, argv, c->aux);
        if (conn->request_id) {
            VLOG_ERR("command \"%s\" did not answer", c->name);
            error = xasprintf("internal error: \"%s\" did not answer",
                              c->name);
        }
    }
    if (error) {
        control_command_reply_error(conn, error);
        free(error);
    }
    free(argv);
}

static void
run_conn(struct control_server *server, struct control_conn *conn)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);

    jsonrpc_run(conn->rpc);
    for (int i = 0; i < MSGS_PER_RUN; i++) {
        struct jsonrpc_msg *msg;
        if (jsonrpc_get_backlog(conn->rpc) > MAX_BACKLOG
            || jsonrpc_recv(conn->rpc, &msg)) {
            break;
        }
        if (msg->type == JSONRPC_REQUEST) {
            process_request(conn, msg);
        } else {
            VLOG_WARN_RL(&rl, "%s: unexpected %s message (ignored)",
                         jsonrpc_get_name(conn->rpc),
                         jsonrpc_msg_type_to_string(msg->type));
        }
        jsonrpc_msg_destroy(msg);
    }
    jsonrpc_run(conn->rpc);

    int status = jsonrpc_get_status(conn->rpc);
    if (status) {
        if (status != EOF) {
            VLOG_INFO_RL(&rl, "%s: connection dropped (%s)",
                         jsonrpc_get_name(conn->rpc), strerror(status));
        }
        conn_destroy(server, conn);
    } else if (jsonrpc_get_backlog(conn->rpc) > MAX_BACKLOG) {
        VLOG_WARN_RL(&rl, "%s: client does not read its replies; "
                     "disconnecting", jsonrpc_get_name(conn->rpc));
        conn_destroy(server, conn);
    }
}

/* Accepts new connections while there is room.  When the server is full,
 * new clients wait in the listener's backlog until a connection closes. */
static void
accept_conns(struct control_server *server, struct pstream *pstream)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 20);

    while (server->n_conns < MAX_CONNS) {
        struct stream *stream;
        int error = pstream_accept(pstream, &stream);
        if (error) {
            if (error != EAGAIN) {
                VLOG_WARN_RL(&rl, "%s: accept failed (%s)",
                             pstream_get_name(pstream), strerror(error));
            }
            return;
        }
        struct control_conn *conn = xzalloc(sizeof *conn);
        conn->rpc = jsonrpc_open(stream);
        list_push_back(&server->conns, &conn->node);
        server->n_conns++;
        if (server->n_conns == MAX_CONNS) {
            VLOG_WARN_RL(&rl, "%d control connections open: new clients "
                         "wait until one closes", MAX_CONNS);
        }
    }
}

void
control_server_run(struct control_server *server)
{
    /* Existing connections first, so that those that closed make room
     * for new ones. */
    struct control_conn *conn;
    LIST_FOR_EACH_SAFE (conn, node, &server->conns) {
        run_conn(server, conn);
    }
    for (size_t i = 0; i < server->n_listeners; i++) {
        accept_conns(server, server->listeners[i]);
    }
}

void
control_server_wait(struct control_server *server)
{
    for (size_t i = 0; i < server->n_listeners && server->n_conns < MAX_CONNS;
         i++) {
        pstream_wait(server->listeners[i]);
    }
    struct control_conn *conn;
    LIST_FOR_EACH (conn, node, &server->conns) {
        jsonrpc_wait(conn->rpc);
        if (jsonrpc_get_backlog(conn->rpc) <= MAX_BACKLOG) {
            jsonrpc_recv_wait(conn->rpc);
        }
    }
}

/* Gives queued replies (such as the answer to "exit") up to a second to
 * leave. */
static void
flush_conns(struct control_server *server)
{
    long long int deadline = time_msec() + 1000;
    for (;;) {
        bool pending = false;
        struct control_conn *conn;
        LIST_FOR_EACH (conn, node, &server->conns) {
            jsonrpc_run(conn->rpc);
            if (jsonrpc_get_backlog(conn->rpc)
                && !jsonrpc_get_status(conn->rpc)) {
                pending = true;
                jsonrpc_wait(conn->rpc);
            }
        }
        if (!pending || time_msec() >= deadline) {
            return;
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

void
control_server_destroy(struct control_server *server)
{
    if (!server) {
        return;
    }
    flush_conns(server);
    struct control_conn *conn;
    LIST_FOR_EACH_SAFE (conn, node, &server->conns) {
        conn_destroy(server, conn);
    }
    for (size_t i = 0; i < server->n_listeners; i++) {
        pstream_close(server->listeners[i]);
    }
    free(server->listeners);
    if (server->path) {
        daemon_forget_file_on_exit(server->path);
        free(server->path);
    }
    free(server);
}
