/* db-server: OVSDB JSON-RPC sessions, transactions that wait, monitors,
 * locks. */
#include <config.h>

#include "db-server.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"
#include "db-execute.h"
#include "db-file.h"
#include "db-monitor.h"
#include "db-schema.h"
#include "db.h"
#include "dynamic-string.h"
#include "hash.h"
#include "jsonrpc.h"
#include "list.h"
#include "poll-loop.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_server);

/* A client whose unsent output passes this is disconnected. */
#define MAX_BACKLOG (128u * 1024 * 1024)
/* Requests handled per client per db_server_run(), for fairness. */
#define MSGS_PER_RUN 50
/* Connections served at once; more wait in the listeners' backlogs. */
#define MAX_SESSIONS 1000
/* What one client may hold at once: waiting transactions, monitors, lock
 * requests.  Past that it is told "resources exhausted". */
#define MAX_PER_SESSION 256

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 30);

struct db_server {
    struct db *db;
    struct db_file *file;
    struct db_replica watcher;      /* Notes that a commit happened. */
    bool committed;
    struct pstream **listeners;
    size_t n_listeners;
    struct list sessions;           /* Of struct session. */
    size_t n_sessions;
    struct hmap locks;              /* Of struct lock, by name. */
};

struct session {
    struct list node;               /* In struct db_server's 'sessions'. */
    struct db_server *server;
    struct jsonrpc *rpc;
    struct list monitors;           /* Of struct session_monitor. */
    struct list waiters;            /* Of struct lock_waiter. */
    struct list blocked;            /* Of struct blocked_txn. */
};

struct session_monitor {
    struct list node;               /* In struct session's 'monitors'. */
    struct session *session;
    struct json_object *id;
    struct db_monitor *monitor;
};

/* A named lock; its first waiter owns it. */
struct lock {
    struct hmap_node node;
    char *name;
    struct list waiters;            /* Of struct lock_waiter. */
};

struct lock_waiter {
    struct list lock_node;          /* In struct lock's 'waiters'. */
    struct list session_node;       /* In struct session's 'waiters'. */
    struct lock *lock;
    struct session *session;
};

/* A transact request whose "wait" does not hold yet. */
struct blocked_txn {
    struct list node;               /* In struct session's 'blocked'. */
    struct json_object *id;
    struct json_object *ops;
    long long int start;            /* time_msec() when received. */
    long long int retry_at;         /* When a "wait" times out. */
};

/* Replies and notifications. */

static void
send_msg(struct session *s, struct jsonrpc_msg *msg)
{
    jsonrpc_send(s->rpc, msg);
}

static void
reply_error(struct session *s, const struct json_object *id,
            struct db_error *error)
{
    send_msg(s, jsonrpc_create_error(db_error_to_json(error), id));
    db_error_destroy(error);
}

static void
notify(struct session *s, const char *method, struct json_object *arg1,
       struct json_object *arg2)
{
    struct json_object *params = json_object_new_array();
    json_object_array_add(params, arg1);
    if (arg2) {
        json_object_array_add(params, arg2);
    }
    send_msg(s, jsonrpc_create_notify(method, params));
}

/* Checks that PARAMS is an array of N elements (N < 0: at least -N). */
static struct db_error *
check_params(const struct json_object *params, int n, const char *method)
{
    int have = (int) json_object_array_length(params);
    if (n >= 0 ? have != n : have < -n) {
        return db_error_create("syntax error", "\"%s\" takes %s%d "
                               "parameter(s), not %d", method,
                               n < 0 ? "at least " : "", n < 0 ? -n : n,
                               have);
    }
    return NULL;
}

static struct db_error *
check_db_name(const struct db_server *server, const struct json_object *json)
{
    const char *name = json_object_get_string((struct json_object *) json);
    if (!json_object_is_type(json, json_type_string)
        || strcmp(name, server->db->schema->name)) {
        return db_error_create("unknown database", "no database named %s",
                               json_object_to_json_string(
                                   (struct json_object *) json));
    }
    return NULL;
}

/* Locks. */

static struct lock *
lock_find(const struct db_server *server, const char *name)
{
    struct lock *lock;
    HMAP_FOR_EACH_WITH_HASH (lock, node, hash_string(name, 0),
                             &server->locks) {
        if (!strcmp(lock->name, name)) {
            return lock;
        }
    }
    return NULL;
}

static struct lock_waiter *
lock_owner(const struct lock *lock)
{
    return (list_is_empty(&lock->waiters) ? NULL
            : CONTAINER_OF(lock->waiters.next, struct lock_waiter,
                           lock_node));
}

static struct lock_waiter *
session_waiter(const struct session *s, const char *name)
{
    struct lock_waiter *w;
    LIST_FOR_EACH (w, session_node, &s->waiters) {
        if (!strcmp(w->lock->name, name)) {
            return w;
        }
    }
    return NULL;
}

static bool
session_has_lock(const char *name, void *s_)
{
    struct session *s = s_;
    struct lock *lock = lock_find(s->server, name);
    struct lock_waiter *owner = lock ? lock_owner(lock) : NULL;
    return owner && owner->session == s;
}

/* Removes W; if it owned its lock, the next waiter gets it and is told. */
static void
waiter_remove(struct db_server *server, struct lock_waiter *w)
{
    struct lock *lock = w->lock;
    bool was_owner = lock_owner(lock) == w;

    list_remove(&w->lock_node);
    list_remove(&w->session_node);
    free(w);
    if (list_is_empty(&lock->waiters)) {
        hmap_remove(&server->locks, &lock->node);
        free(lock->name);
        free(lock);
    } else if (was_owner) {
        struct lock_waiter *next = lock_owner(lock);
        notify(next->session, "locked", json_object_new_string(lock->name),
               NULL);
    }
}

static struct lock_waiter *
waiter_add(struct session *s, const char *name, bool front)
{
    struct db_server *server = s->server;
    struct lock *lock = lock_find(server, name);
    if (!lock) {
        lock = xzalloc(sizeof *lock);
        lock->name = xstrdup(name);
        list_init(&lock->waiters);
        hmap_insert(&server->locks, &lock->node, hash_string(name, 0));
    }
    struct lock_waiter *w = xzalloc(sizeof *w);
    w->lock = lock;
    w->session = s;
    if (front) {
        list_push_front(&lock->waiters, &w->lock_node);
    } else {
        list_push_back(&lock->waiters, &w->lock_node);
    }
    list_push_back(&s->waiters, &w->session_node);
    return w;
}

static struct db_error *
lock_name_param(const struct json_object *params, const char *method,
                const char **namep)
{
    struct db_error *error = check_params(params, 1, method);
    if (error) {
        return error;
    }
    struct json_object *name = json_object_array_get_idx(params, 0);
    if (!json_object_is_type(name, json_type_string)
        || !*json_object_get_string(name)) {
        return db_syntax_error(name, "a lock name must be a nonempty "
                               "string");
    }
    *namep = json_object_get_string(name);
    return NULL;
}

static struct json_object *
locked_result(bool locked)
{
    struct json_object *result = json_object_new_object();
    json_object_object_add(result, "locked",
                           json_object_new_boolean(locked));
    return result;
}

static struct db_error *
handle_lock(struct session *s, const struct jsonrpc_msg *req,
            struct json_object **resultp)
{
    const char *name;
    struct db_error *error = lock_name_param(req->params, req->method,
                                             &name);
    if (error) {
        return error;
    }
    bool steal = !strcmp(req->method, "steal");
    struct lock_waiter *mine = session_waiter(s, name);
    if (!mine && list_size(&s->waiters) >= MAX_PER_SESSION) {
        return db_error_create("resources exhausted", "this client already "
                               "asked for %d locks", MAX_PER_SESSION);
    }
    if (mine && !steal) {
        return db_error_create("duplicate lock", "this client already "
                               "asked for lock \"%s\"", name);
    }
    if (steal) {
        struct lock *lock = lock_find(s->server, name);
        struct lock_waiter *owner = lock ? lock_owner(lock) : NULL;
        if (!owner || owner->session != s) {
            /* The thief goes first.  The old owner keeps its request, next
             * in line (it still owes an "unlock", RFC 7047 4.1.8), and no
             * other waiter is told anything. */
            if (mine) {
                waiter_remove(s->server, mine);
            }
            waiter_add(s, name, true);
            if (owner) {
                notify(owner->session, "stolen",
                       json_object_new_string(name), NULL);
            }
        }
        *resultp = locked_result(true);
        return NULL;
    }
    struct lock_waiter *w = waiter_add(s, name, false);
    *resultp = locked_result(lock_owner(w->lock) == w);
    return NULL;
}

static struct db_error *
handle_unlock(struct session *s, const struct jsonrpc_msg *req,
              struct json_object **resultp)
{
    const char *name;
    struct db_error *error = lock_name_param(req->params, req->method,
                                             &name);
    if (error) {
        return error;
    }
    struct lock_waiter *w = session_waiter(s, name);
    if (!w) {
        return db_error_create("not owner", "this client has not asked "
                               "for lock \"%s\"", name);
    }
    waiter_remove(s->server, w);
    *resultp = json_object_new_object();
    return NULL;
}

/* Transactions. */

static void
blocked_destroy(struct blocked_txn *b)
{
    list_remove(&b->node);
    json_object_put(b->id);
    json_object_put(b->ops);
    free(b);
}

/* Runs OPS for S; replies, or queues the request while a wait blocks
 * it.  Returns true if it was answered. */
static bool
run_transact(struct session *s, struct json_object *id,
             struct json_object *ops, long long int start,
             long long int *retry_at)
{
    struct db_session_info info = {
        .has_lock = session_has_lock,
        .aux = s,
    };
    long long int now = time_msec();
    long long int retry_msec;
    struct json_object *result = db_execute(s->server->db, &info, ops,
                                            now - start, &retry_msec);
    if (!result) {
        /* A client's huge timeout must not overflow. */
        *retry_at = (retry_msec >= LLONG_MAX - now ? LLONG_MAX
                     : now + retry_msec);
        return false;
    }
    send_msg(s, jsonrpc_create_reply(result, id));
    return true;
}

static void
handle_transact(struct session *s, const struct jsonrpc_msg *req)
{
    struct db_error *error = check_params(req->params, -1, "transact");
    if (!error) {
        error = check_db_name(s->server,
                              json_object_array_get_idx(req->params, 0));
    }
    if (error) {
        reply_error(s, req->id, error);
        return;
    }
    struct json_object *ops = json_object_new_array();
    size_t n = json_object_array_length(req->params);
    for (size_t i = 1; i < n; i++) {
        json_object_array_add(ops, json_object_get(
                                  json_object_array_get_idx(req->params, i)));
    }
    long long int start = time_msec(), retry_at;
    if (run_transact(s, req->id, ops, start, &retry_at)) {
        json_object_put(ops);
        return;
    }
    if (list_size(&s->blocked) >= MAX_PER_SESSION) {
        json_object_put(ops);
        reply_error(s, req->id,
                    db_error_create("resources exhausted", "this client "
                                    "already has %d waiting transactions",
                                    MAX_PER_SESSION));
        return;
    }
    struct blocked_txn *b = xzalloc(sizeof *b);
    b->id = json_object_get(req->id);
    b->ops = ops;
    b->start = start;
    b->retry_at = retry_at;
    list_push_back(&s->blocked, &b->node);
}

static void
handle_cancel(struct session *s, const struct jsonrpc_msg *msg)
{
    if (json_object_array_length(msg->params) != 1) {
        return;
    }
    struct json_object *id = json_object_array_get_idx(msg->params, 0);
    struct blocked_txn *b;
    LIST_FOR_EACH_SAFE (b, node, &s->blocked) {
        if (jsonrpc_id_equals(b->id, id)) {
            reply_error(s, b->id, db_error_create("canceled", "canceled "
                                                  "by request"));
            blocked_destroy(b);
        }
    }
}

/* Retries the blocked transactions that a commit (ALL) or a timeout may
 * have released. */
static void
retry_blocked(struct db_server *server, bool all)
{
    long long int now = time_msec();
    struct session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        struct blocked_txn *b;
        LIST_FOR_EACH_SAFE (b, node, &s->blocked) {
            if ((all || now >= b->retry_at)
                && run_transact(s, b->id, b->ops, b->start, &b->retry_at)) {
                blocked_destroy(b);
            }
        }
    }
}

/* Monitors. */

static void
send_update(struct json_object *updates, void *sm_)
{
    struct session_monitor *sm = sm_;
    notify(sm->session, "update", json_object_get(sm->id), updates);
}

static struct session_monitor *
find_monitor(const struct session *s, const struct json_object *id)
{
    struct session_monitor *sm;
    LIST_FOR_EACH (sm, node, &s->monitors) {
        if (jsonrpc_id_equals(sm->id, id)) {
            return sm;
        }
    }
    return NULL;
}

static void
monitor_free(struct session_monitor *sm)
{
    list_remove(&sm->node);
    db_monitor_destroy(sm->monitor);
    json_object_put(sm->id);
    free(sm);
}

static struct db_error *
handle_monitor(struct session *s, const struct jsonrpc_msg *req,
               struct json_object **resultp)
{
    struct db_error *error = check_params(req->params, 3, "monitor");
    if (error || (error = check_db_name(
                      s->server, json_object_array_get_idx(req->params,
                                                           0)))) {
        return error;
    }
    struct json_object *id = json_object_array_get_idx(req->params, 1);
    if (list_size(&s->monitors) >= MAX_PER_SESSION) {
        return db_error_create("resources exhausted", "this client already "
                               "has %d monitors", MAX_PER_SESSION);
    }
    if (find_monitor(s, id)) {
        return db_error_create("duplicate monitor ID", "this client already "
                               "has monitor %s",
                               json_object_to_json_string(id));
    }
    struct session_monitor *sm = xzalloc(sizeof *sm);
    sm->session = s;
    sm->id = json_object_get(id);
    error = db_monitor_create(s->server->db,
                              json_object_array_get_idx(req->params, 2),
                              send_update, sm, &sm->monitor, resultp);
    if (error) {
        json_object_put(sm->id);
        free(sm);
        return error;
    }
    list_push_back(&s->monitors, &sm->node);
    return NULL;
}

static struct db_error *
handle_monitor_cancel(struct session *s, const struct jsonrpc_msg *req,
                      struct json_object **resultp)
{
    struct db_error *error = check_params(req->params, 1, "monitor_cancel");
    if (error) {
        return error;
    }
    struct session_monitor *sm = find_monitor(
        s, json_object_array_get_idx(req->params, 0));
    if (!sm) {
        return db_error_create("unknown monitor", "no monitor %s",
                               json_object_to_json_string(
                                   json_object_array_get_idx(req->params,
                                                             0)));
    }
    monitor_free(sm);
    *resultp = json_object_new_object();
    return NULL;
}

/* Requests. */

static struct db_error *
handle_simple(struct session *s, const struct jsonrpc_msg *req,
              struct json_object **resultp)
{
    const struct db_server *server = s->server;
    struct db_error *error;

    if (!strcmp(req->method, "list_dbs")) {
        *resultp = json_object_new_array();
        json_object_array_add(*resultp, json_object_new_string(
                                  server->db->schema->name));
    } else if (!strcmp(req->method, "get_schema")) {
        if ((error = check_params(req->params, 1, "get_schema"))
            || (error = check_db_name(
                    server, json_object_array_get_idx(req->params, 0)))) {
            return error;
        }
        *resultp = db_schema_to_json(server->db->schema);
    } else if (!strcmp(req->method, "echo")) {
        *resultp = json_object_get(req->params);
    } else if (!strcmp(req->method, "set_db_change_aware")) {
        /* A client extension announcing that it copes with databases
         * coming and going; one fixed database never does. */
        *resultp = json_object_new_object();
    } else if (!strcmp(req->method, "monitor")) {
        return handle_monitor(s, req, resultp);
    } else if (!strcmp(req->method, "monitor_cancel")) {
        return handle_monitor_cancel(s, req, resultp);
    } else if (!strcmp(req->method, "lock")
               || !strcmp(req->method, "steal")) {
        return handle_lock(s, req, resultp);
    } else if (!strcmp(req->method, "unlock")) {
        return handle_unlock(s, req, resultp);
    } else {
        return db_error_create("unknown method", "\"%s\" is not an OVSDB "
                               "method", req->method);
    }
    return NULL;
}

static void
handle_request(struct session *s, const struct jsonrpc_msg *req)
{
    if (!strcmp(req->method, "transact")) {
        handle_transact(s, req);
        return;
    }
    struct json_object *result = NULL;
    struct db_error *error = handle_simple(s, req, &result);
    if (error) {
        reply_error(s, req->id, error);
    } else {
        send_msg(s, jsonrpc_create_reply(result, req->id));
    }
}

static void
handle_msg(struct session *s, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_REQUEST) {
        handle_request(s, msg);
    } else if (msg->type == JSONRPC_NOTIFY
               && !strcmp(msg->method, "cancel")) {
        handle_cancel(s, msg);
    }
    /* Replies (to nothing we asked) and other notifications: ignored. */
}

/* Sessions. */

static void
session_destroy(struct session *s)
{
    struct db_server *server = s->server;
    struct session_monitor *sm;
    LIST_FOR_EACH_SAFE (sm, node, &s->monitors) {
        monitor_free(sm);
    }
    while (!list_is_empty(&s->waiters)) {
        waiter_remove(server, CONTAINER_OF(s->waiters.next,
                                           struct lock_waiter,
                                           session_node));
    }
    struct blocked_txn *b;
    LIST_FOR_EACH_SAFE (b, node, &s->blocked) {
        blocked_destroy(b);
    }
    list_remove(&s->node);
    server->n_sessions--;
    jsonrpc_close(s->rpc);
    free(s);
}

static void
session_run(struct session *s)
{
    jsonrpc_run(s->rpc);
    for (int i = 0; i < MSGS_PER_RUN; i++) {
        struct jsonrpc_msg *msg;
        if (jsonrpc_get_backlog(s->rpc) > MAX_BACKLOG
            || jsonrpc_recv(s->rpc, &msg)) {
            break;
        }
        handle_msg(s, msg);
        jsonrpc_msg_destroy(msg);
    }
    jsonrpc_run(s->rpc);
}

/* Returns false if S had to be closed. */
static bool
session_check(struct session *s)
{
    int status = jsonrpc_get_status(s->rpc);
    if (status) {
        if (status != EOF) {
            VLOG_INFO_RL(&rl, "%s: connection dropped (%s)",
                         jsonrpc_get_name(s->rpc), strerror(status));
        }
        session_destroy(s);
        return false;
    }
    if (jsonrpc_get_backlog(s->rpc) > MAX_BACKLOG) {
        VLOG_WARN_RL(&rl, "%s: client does not read what it is sent "
                     "(%zu bytes waiting); disconnecting",
                     jsonrpc_get_name(s->rpc),
                     jsonrpc_get_backlog(s->rpc));
        session_destroy(s);
        return false;
    }
    return true;
}

static void
accept_sessions(struct db_server *server, struct pstream *pstream)
{
    while (server->n_sessions < MAX_SESSIONS) {
        struct stream *stream;
        int error = pstream_accept(pstream, &stream);
        if (error) {
            if (error != EAGAIN) {
                VLOG_WARN_RL(&rl, "%s: accept failed (%s)",
                             pstream_get_name(pstream), strerror(error));
            }
            return;
        }
        struct session *s = xzalloc(sizeof *s);
        s->server = server;
        s->rpc = jsonrpc_open(stream);
        list_init(&s->monitors);
        list_init(&s->waiters);
        list_init(&s->blocked);
        list_push_back(&server->sessions, &s->node);
        server->n_sessions++;
    }
}

/* The server. */

static struct db_error *
watch_commit(struct db_replica *replica, const struct db_txn *txn,
             bool durable)
{
    struct db_server *server = CONTAINER_OF(replica, struct db_server,
                                            watcher);
    server->committed = true;
    return NULL;
}

static const struct db_replica_class watcher_class = {
    .commit = watch_commit,
};

struct db_server *
db_server_create(struct db *db, struct db_file *file)
{
    struct db_server *server = xzalloc(sizeof *server);
    server->db = db;
    server->file = file;
    server->watcher.class = &watcher_class;
    db_add_replica(db, &server->watcher);
    list_init(&server->sessions);
    hmap_init(&server->locks);
    return server;
}

void
db_server_destroy(struct db_server *server)
{
    if (!server) {
        return;
    }
    struct session *s;
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        session_destroy(s);
    }
    for (size_t i = 0; i < server->n_listeners; i++) {
        pstream_close(server->listeners[i]);
    }
    free(server->listeners);
    hmap_destroy(&server->locks);
    db_remove_replica(server->db, &server->watcher);
    free(server);
}

int
db_server_add_remote(struct db_server *server, const char *name)
{
    struct pstream *pstream;
    int error = pstream_open(name, &pstream);
    if (error) {
        VLOG_ERR("%s: cannot listen (%s)", name, strerror(error));
        return error;
    }
    server->listeners = xrealloc(server->listeners,
                                 (server->n_listeners + 1)
                                 * sizeof *server->listeners);
    server->listeners[server->n_listeners++] = pstream;
    VLOG_INFO("listening on %s", pstream_get_name(pstream));
    return 0;
}

const char *
db_server_get_remote(const struct db_server *server, size_t i)
{
    return (i < server->n_listeners
            ? pstream_get_name(server->listeners[i]) : NULL);
}

void
db_server_run(struct db_server *server)
{
    struct session *s;
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        session_run(s);
    }
    /* Transactions waiting on a condition: after any commit, retry all
     * (and again while retrying commits); else only those timed out. */
    retry_blocked(server, false);
    while (server->committed) {
        server->committed = false;
        retry_blocked(server, true);
        if (server->file) {
            db_file_compact_if_needed(server->file);
        }
    }
    LIST_FOR_EACH_SAFE (s, node, &server->sessions) {
        jsonrpc_run(s->rpc);
        session_check(s);
    }
    for (size_t i = 0; i < server->n_listeners; i++) {
        accept_sessions(server, server->listeners[i]);
    }
}

void
db_server_wait(struct db_server *server)
{
    for (size_t i = 0; i < server->n_listeners; i++) {
        if (server->n_sessions < MAX_SESSIONS) {
            pstream_wait(server->listeners[i]);
        }
    }
    struct session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        jsonrpc_wait(s->rpc);
        if (jsonrpc_get_backlog(s->rpc) <= MAX_BACKLOG) {
            jsonrpc_recv_wait(s->rpc);
        }
        struct blocked_txn *b;
        LIST_FOR_EACH (b, node, &s->blocked) {
            poll_timer_wait_until(b->retry_at);
        }
    }
    if (server->committed) {
        poll_immediate_wake();
    }
}

void
db_server_put_status(const struct db_server *server, struct ds *out)
{
    size_t n_monitors = 0, n_blocked = 0;
    const struct session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        n_monitors += list_size(&s->monitors);
        n_blocked += list_size(&s->blocked);
    }
    ds_put_format(out, "clients: %zu\n", server->n_sessions);
    ds_put_format(out, "monitors: %zu\n", n_monitors);
    ds_put_format(out, "locks: %zu\n", hmap_count(&server->locks));
    ds_put_format(out, "waiting transactions: %zu\n", n_blocked);
    for (size_t i = 0; i < server->n_listeners; i++) {
        ds_put_format(out, "listening: %s\n",
                      pstream_get_name(server->listeners[i]));
    }
}
