/* db-idl: a client's replica of a remote database, and its transactions. */
#include <config.h>

#include "db-idl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-data.h"
#include "db-error.h"
#include "db-schema.h"
#include "db.h"
#include "jsonrpc-msg.h"
#include "jsonrpc-session.h"
#include "list.h"
#include "poll-loop.h"
#include "timeval.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(db_idl);

/* Messages handled per db_idl_run(), so that one run stays short. */
#define MSGS_PER_RUN 50

/* The id of our one monitor on each connection. */
#define MONITOR_ID "db-idl"

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 30);

/* What the client asked to replicate: a table, or one of its columns. */
struct idl_choice {
    char *table;
    char *column;               /* NULL: every column. */
};

enum idl_state {
    IDL_DOWN,                   /* Waiting for a connection. */
    IDL_SCHEMA_REQUESTED,       /* "get_schema" sent. */
    IDL_MONITOR_REQUESTED,      /* "monitor" sent. */
    IDL_SYNCED,                 /* Replica current; following updates. */
    IDL_FAILED                  /* Refused; waiting for a new connection. */
};

struct db_idl {
    struct jsonrpc_session *session;
    char *db_name;
    unsigned int session_seqno;     /* Session seqno last seen. */
    enum idl_state state;
    struct json_object *request_id; /* Of "get_schema" or "monitor". */

    struct idl_choice *choices;
    size_t n_choices;

    struct db *db;                  /* The replica, or NULL. */
    bool **replicated;              /* Per table of 'db': per column, or
                                     * NULL if the table is not. */
    unsigned int seqno;
    struct list txns;               /* Of db_idl_txn awaiting answers. */
};

/* A row inserted by a transaction: the uuid handed to the client, the
 * name the operation gives it, the uuid the server chose. */
struct idl_insert {
    struct uuid placeholder;
    char name[4 + 32];              /* "row" and 32 hex digits. */
    size_t op_index;
    bool has_real;
    struct uuid real;
};

struct db_idl_txn {
    struct db_idl *idl;
    struct list node;               /* In idl's 'txns' while incomplete. */
    struct json_object *ops;        /* Array of operations. */
    struct json_object *comments;   /* Array of "comment" operations. */
    size_t *verifies;               /* Indexes in 'ops' of verify waits. */
    size_t n_verifies;
    struct idl_insert *inserts;
    size_t n_inserts;

    enum db_idl_txn_status status;
    struct json_object *request_id;
    struct json_object *result;
    char *error;
};

static void idl_check_seqno(struct db_idl *);
static void txn_handle_answer(struct db_idl_txn *,
                              const struct jsonrpc_msg *);
static void txn_fail_pending(struct db_idl *);

/* Small JSON helpers. */

static struct json_object *
member(const struct json_object *object, const char *name)
{
    struct json_object *value;
    return (json_object_is_type(object, json_type_object)
            && json_object_object_get_ex(object, name, &value)
            ? value : NULL);
}

static const char *
json_text(const struct json_object *json)
{
    return json_object_to_json_string_ext((struct json_object *) json,
                                          JSON_C_TO_STRING_PLAIN);
}

/* An RFC 7047 error object's text, "tag: details" (or just "tag"), or the
 * JSON text of anything else.  The caller frees it. */
static char *
error_text(const struct json_object *error)
{
    struct json_object *tag = member(error, "error");
    struct json_object *details = member(error, "details");
    if (json_object_is_type(error, json_type_string)) {
        return xstrdup(json_object_get_string((struct json_object *) error));
    } else if (!json_object_is_type(tag, json_type_string)) {
        return xstrdup(json_text(error));
    }
    if (json_object_is_type(details, json_type_string)) {
        return xasprintf("%s: %s", json_object_get_string(tag),
                         json_object_get_string(details));
    }
    return xstrdup(json_object_get_string(tag));
}

/* [["_uuid", "==", ["uuid", "<ROW's uuid>"]]] */
static struct json_object *
where_uuid(const struct db_row *row)
{
    char s[UUID_LEN + 1];
    uuid_to_string(db_row_get_uuid(row), s);

    struct json_object *atom = json_object_new_array();
    json_object_array_add(atom, json_object_new_string("uuid"));
    json_object_array_add(atom, json_object_new_string(s));
    struct json_object *clause = json_object_new_array();
    json_object_array_add(clause, json_object_new_string("_uuid"));
    json_object_array_add(clause, json_object_new_string("=="));
    json_object_array_add(clause, atom);
    struct json_object *where = json_object_new_array();
    json_object_array_add(where, clause);
    return where;
}

/* Creation and choices. */

struct db_idl *
db_idl_create(const char *remote, const char *db_name)
{
    struct db_idl *idl = xzalloc(sizeof *idl);
    idl->session = jsonrpc_session_open(remote);
    idl->session_seqno = jsonrpc_session_get_seqno(idl->session);
    idl->db_name = xstrdup(db_name);
    idl->state = IDL_DOWN;
    list_init(&idl->txns);
    return idl;
}

static void
free_replicated(struct db_idl *idl)
{
    if (idl->replicated) {
        for (size_t i = 0; i < idl->db->schema->n_tables; i++) {
            free(idl->replicated[i]);
        }
        free(idl->replicated);
        idl->replicated = NULL;
    }
}

void
db_idl_destroy(struct db_idl *idl)
{
    if (!idl) {
        return;
    }
    txn_fail_pending(idl);
    free_replicated(idl);
    db_destroy(idl->db);
    for (size_t i = 0; i < idl->n_choices; i++) {
        free(idl->choices[i].table);
        free(idl->choices[i].column);
    }
    free(idl->choices);
    json_object_put(idl->request_id);
    jsonrpc_session_close(idl->session);
    free(idl->db_name);
    free(idl);
}

static void
add_choice(struct db_idl *idl, const char *table, const char *column)
{
    idl->choices = xrealloc(idl->choices,
                            (idl->n_choices + 1) * sizeof *idl->choices);
    struct idl_choice *c = &idl->choices[idl->n_choices++];
    c->table = xstrdup(table);
    c->column = column ? xstrdup(column) : NULL;
}

void
db_idl_add_table(struct db_idl *idl, const char *table)
{
    add_choice(idl, table, NULL);
}

void
db_idl_add_column(struct db_idl *idl, const char *table, const char *column)
{
    add_choice(idl, table, column);
}

/* Which columns the replica holds. */

static bool *
replicate_table(struct db_idl *idl, const struct db_table_schema *ts)
{
    bool **cols = &idl->replicated[ts->index];
    if (!*cols) {
        *cols = xcalloc(ts->n_columns, sizeof **cols);
        /* Every replicated row carries its _version, so that clients can
         * verify that a row did not change since they read it. */
        (*cols)[DB_COL_VERSION] = true;
    }
    return *cols;
}

static void
replicate_all_columns(struct db_idl *idl, const struct db_table_schema *ts)
{
    bool *cols = replicate_table(idl, ts);
    for (size_t i = DB_N_BUILTIN_COLUMNS; i < ts->n_columns; i++) {
        cols[i] = true;
    }
}

/* Applies CHOICE to the replica's schema.  LOG says whether to report a
 * name the schema lacks. */
static void
apply_choice(struct db_idl *idl, const struct idl_choice *choice, bool log)
{
    const char *remote = jsonrpc_session_get_name(idl->session);
    const struct db_table_schema *ts
        = db_schema_find_table(idl->db->schema, choice->table);
    if (!ts) {
        if (log) {
            VLOG_WARN("%s: database %s has no table %s; not replicated",
                      remote, idl->db_name, choice->table);
        }
        return;
    }
    if (!choice->column) {
        replicate_all_columns(idl, ts);
        return;
    }
    const struct db_column *c = db_table_schema_find_column(ts,
                                                            choice->column);
    if (!c) {
        if (log) {
            VLOG_WARN("%s: table %s has no column %s; not replicated",
                      remote, ts->name, choice->column);
        }
        replicate_table(idl, ts);
    } else {
        /* "_uuid" is always there and "_version" always replicated:
         * either way, the table is replicated. */
        replicate_table(idl, ts)[c->index] = c->index >= DB_COL_VERSION;
    }
}

static void
compute_replicated(struct db_idl *idl, bool log)
{
    const struct db_schema *schema = idl->db->schema;

    free_replicated(idl);
    idl->replicated = xcalloc(schema->n_tables ? schema->n_tables : 1,
                              sizeof *idl->replicated);
    if (!idl->n_choices) {
        for (size_t i = 0; i < schema->n_tables; i++) {
            replicate_all_columns(idl, schema->tables[i]);
        }
    }
    for (size_t i = 0; i < idl->n_choices; i++) {
        apply_choice(idl, &idl->choices[i], log);
    }
}

static bool
is_replicated(const struct db_idl *idl, const struct db_table *table,
              const struct db_column *c)
{
    const bool *cols = (idl->replicated
                        ? idl->replicated[table->schema->index] : NULL);
    return cols && c && cols[c->index];
}

/* The replica's rows. */

static void
remove_row(struct db_table *table, struct db_row *row)
{
    hmap_remove(&table->rows, &row->node);
    db_row_destroy(row);
}

static void
clear_rows(struct db *db)
{
    for (size_t i = 0; i < db->schema->n_tables; i++) {
        struct db_table *table = db->tables[i];
        struct db_row *row;
        DB_TABLE_FOR_EACH_ROW_SAFE (row, table) {
            remove_row(table, row);
        }
    }
}

static struct db_row *
add_row(struct db_table *table, const struct uuid *uuid)
{
    const struct db_column *c = table->schema->columns[DB_COL_UUID];
    struct db_row *row = db_row_create(table);
    union db_atom atom = { .uuid = *uuid };

    db_datum_destroy(&row->fields[DB_COL_UUID], &c->type);
    db_datum_init_single(&row->fields[DB_COL_UUID], &c->type, &atom, NULL);
    hmap_insert(&table->rows, &row->node, uuid_hash(uuid));
    return row;
}

/* Sets ROW's replicated columns from JSON, a row object; skips (and
 * logs) values that do not fit. */
static void
fill_row(struct db_idl *idl, struct db_row *row,
         const struct json_object *json)
{
    const char *remote = jsonrpc_session_get_name(idl->session);
    const struct db_table_schema *ts = row->table->schema;

    json_object_object_foreach((struct json_object *) json, name, value) {
        const struct db_column *c = db_table_schema_find_column(ts, name);
        if (!is_replicated(idl, row->table, c)) {
            VLOG_DBG("%s: ignoring column %s of table %s", remote, name,
                     ts->name);
            continue;
        }
        struct db_datum datum;
        struct db_error *error = db_datum_from_json(&datum, &c->type, value,
                                                    NULL);
        if (error) {
            char *s = db_error_to_string(error);
            VLOG_WARN_RL(&rl, "%s: bad value for column %s of table %s "
                         "(%s)", remote, name, ts->name, s);
            free(s);
            db_error_destroy(error);
            continue;
        }
        db_datum_swap(&row->fields[c->index], &datum);
        db_datum_destroy(&datum, &c->type);
    }
}

/* Applies one row-update {"old": ..., "new": ...} to TABLE. */
static void
apply_row_update(struct db_idl *idl, struct db_table *table,
                 const char *uuid_s, const struct json_object *update)
{
    const char *remote = jsonrpc_session_get_name(idl->session);
    struct json_object *old = member(update, "old");
    struct json_object *new = member(update, "new");
    struct uuid uuid;

    if (!uuid_from_string(&uuid, uuid_s)
        || (old && !json_object_is_type(old, json_type_object))
        || (new && !json_object_is_type(new, json_type_object))
        || (!old && !new)) {
        VLOG_WARN_RL(&rl, "%s: bad update for row %s of table %s: %s",
                     remote, uuid_s, table->schema->name,
                     json_text(update));
        return;
    }
    struct db_row *row = db_table_find_row(table, &uuid);
    if (row && (!old || !new)) {
        /* Deleted, or inserted anew: the old contents go. */
        remove_row(table, row);
        row = NULL;
    }
    if (new) {
        fill_row(idl, row ? row : add_row(table, &uuid), new);
    }
}

/* Applies a table-updates object.  Returns true if it was one. */
static bool
apply_updates(struct db_idl *idl, const struct json_object *updates)
{
    const char *remote = jsonrpc_session_get_name(idl->session);

    if (!json_object_is_type(updates, json_type_object)) {
        VLOG_WARN_RL(&rl, "%s: table updates are not an object: %s",
                     remote, json_text(updates));
        return false;
    }
    json_object_object_foreach((struct json_object *) updates, name,
                               rows) {
        struct db_table *table = db_get_table(idl->db, name);
        if (!table || !idl->replicated[table->schema->index]
            || !json_object_is_type(rows, json_type_object)) {
            VLOG_WARN_RL(&rl, "%s: ignoring updates for table %s", remote,
                         name);
            continue;
        }
        json_object_object_foreach(rows, uuid_s, update) {
            apply_row_update(idl, table, uuid_s, update);
        }
    }
    return true;
}

/* The protocol: schema, monitor, updates. */

static void
set_request(struct db_idl *idl, struct jsonrpc_msg *request,
            enum idl_state state)
{
    json_object_put(idl->request_id);
    idl->request_id = json_object_get(request->id);
    idl->state = state;
    if (jsonrpc_session_send(idl->session, request)) {
        /* The next run notices the new seqno and starts over. */
        idl->state = IDL_DOWN;
    }
}

static void
send_get_schema(struct db_idl *idl)
{
    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string(idl->db_name));
    set_request(idl, jsonrpc_create_request("get_schema", params),
                IDL_SCHEMA_REQUESTED);
}

static struct json_object *
monitor_requests(const struct db_idl *idl)
{
    const struct db_schema *schema = idl->db->schema;
    struct json_object *requests = json_object_new_object();

    for (size_t t = 0; t < schema->n_tables; t++) {
        const struct db_table_schema *ts = schema->tables[t];
        const bool *cols = idl->replicated[t];
        if (!cols) {
            continue;
        }
        struct json_object *columns = json_object_new_array();
        for (size_t i = DB_COL_VERSION; i < ts->n_columns; i++) {
            if (cols[i]) {
                json_object_array_add(columns, json_object_new_string(
                                          ts->columns[i]->name));
            }
        }
        struct json_object *request = json_object_new_object();
        json_object_object_add(request, "columns", columns);
        json_object_object_add(requests, ts->name, request);
    }
    return requests;
}

static void
send_monitor(struct db_idl *idl)
{
    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string(idl->db_name));
    json_object_array_add(params, json_object_new_string(MONITOR_ID));
    json_object_array_add(params, monitor_requests(idl));
    set_request(idl, jsonrpc_create_request("monitor", params),
                IDL_MONITOR_REQUESTED);
}

/* Logs a refused request; the replica waits for the next connection. */
static void
request_failed(struct db_idl *idl, const char *method,
               const struct json_object *error)
{
    char *s = error_text(error);
    VLOG_WARN("%s: \"%s\" for database %s failed (%s)",
              jsonrpc_session_get_name(idl->session), method, idl->db_name,
              s);
    free(s);
    idl->state = IDL_FAILED;
}

/* Makes SCHEMA (taken) the replica's, rebuilding it if it changed. */
static void
use_schema(struct db_idl *idl, struct db_schema *schema)
{
    bool rebuild = !idl->db || !db_schema_equals(idl->db->schema, schema);
    if (rebuild) {
        if (idl->db) {
            VLOG_INFO("%s: schema of database %s changed",
                      jsonrpc_session_get_name(idl->session), idl->db_name);
        }
        free_replicated(idl);
        db_destroy(idl->db);
        idl->db = db_create(schema);
        idl->seqno++;
    } else {
        db_schema_destroy(schema);
    }
    compute_replicated(idl, rebuild);
}

static void
handle_schema_reply(struct db_idl *idl, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_ERROR) {
        request_failed(idl, "get_schema", msg->error);
        return;
    }
    struct db_schema *schema;
    struct db_error *error = db_schema_from_json(msg->result, &schema);
    if (error) {
        char *s = db_error_to_string(error);
        VLOG_WARN("%s: bad schema for database %s (%s)",
                  jsonrpc_session_get_name(idl->session), idl->db_name, s);
        free(s);
        db_error_destroy(error);
        idl->state = IDL_FAILED;
        return;
    }
    use_schema(idl, schema);
    send_monitor(idl);
}

static void
handle_monitor_reply(struct db_idl *idl, const struct jsonrpc_msg *msg)
{
    if (msg->type == JSONRPC_ERROR) {
        request_failed(idl, "monitor", msg->error);
        return;
    }
    clear_rows(idl->db);
    apply_updates(idl, msg->result);
    idl->seqno++;
    idl->state = IDL_SYNCED;
    VLOG_DBG("%s: database %s synced",
             jsonrpc_session_get_name(idl->session), idl->db_name);
}

static void
handle_answer(struct db_idl *idl, const struct jsonrpc_msg *msg)
{
    if (idl->request_id && jsonrpc_id_equals(idl->request_id, msg->id)) {
        json_object_put(idl->request_id);
        idl->request_id = NULL;
        if (idl->state == IDL_SCHEMA_REQUESTED) {
            handle_schema_reply(idl, msg);
        } else if (idl->state == IDL_MONITOR_REQUESTED) {
            handle_monitor_reply(idl, msg);
        }
        return;
    }
    struct db_idl_txn *txn;
    LIST_FOR_EACH (txn, node, &idl->txns) {
        if (jsonrpc_id_equals(txn->request_id, msg->id)) {
            txn_handle_answer(txn, msg);
            return;
        }
    }
    VLOG_DBG("%s: ignoring answer to no request of ours",
             jsonrpc_session_get_name(idl->session));
}

static void
handle_update(struct db_idl *idl, const struct jsonrpc_msg *msg)
{
    struct json_object *id = json_object_array_get_idx(msg->params, 0);
    if (json_object_array_length(msg->params) != 2
        || !json_object_is_type(id, json_type_string)
        || strcmp(json_object_get_string(id), MONITOR_ID)) {
        VLOG_WARN_RL(&rl, "%s: bad \"update\": %s",
                     jsonrpc_session_get_name(idl->session),
                     json_text(msg->params));
        return;
    }
    if (idl->state == IDL_SYNCED
        && apply_updates(idl, json_object_array_get_idx(msg->params, 1))) {
        idl->seqno++;
    }
}

/* Answers a request from the server: "echo" (a liveness probe) and
 * nothing else. */
static void
handle_request(struct db_idl *idl, const struct jsonrpc_msg *msg)
{
    struct jsonrpc_msg *reply;
    if (!strcmp(msg->method, "echo")) {
        reply = jsonrpc_create_reply(json_object_get(msg->params), msg->id);
    } else {
        reply = jsonrpc_create_error(
            json_object_new_string("unknown method"), msg->id);
    }
    jsonrpc_session_send(idl->session, reply);
}

static void
handle_msg(struct db_idl *idl, const struct jsonrpc_msg *msg)
{
    switch (msg->type) {
    case JSONRPC_REPLY:
    case JSONRPC_ERROR:
        handle_answer(idl, msg);
        break;
    case JSONRPC_NOTIFY:
        if (!strcmp(msg->method, "update")) {
            handle_update(idl, msg);
        }
        break;
    case JSONRPC_REQUEST:
        handle_request(idl, msg);
        break;
    }
}

/* Starts over when the session connected or lost its connection. */
static void
idl_check_seqno(struct db_idl *idl)
{
    unsigned int seqno = jsonrpc_session_get_seqno(idl->session);
    if (seqno == idl->session_seqno) {
        return;
    }
    idl->session_seqno = seqno;
    txn_fail_pending(idl);
    json_object_put(idl->request_id);
    idl->request_id = NULL;
    idl->state = IDL_DOWN;
    if (jsonrpc_session_is_connected(idl->session)) {
        send_get_schema(idl);
    }
}

void
db_idl_run(struct db_idl *idl)
{
    jsonrpc_session_run(idl->session);
    for (int i = 0; i < MSGS_PER_RUN; i++) {
        idl_check_seqno(idl);
        struct jsonrpc_msg *msg = jsonrpc_session_recv(idl->session);
        if (!msg) {
            break;
        }
        handle_msg(idl, msg);
        jsonrpc_msg_destroy(msg);
    }
    idl_check_seqno(idl);
}

void
db_idl_wait(struct db_idl *idl)
{
    jsonrpc_session_wait(idl->session);
    jsonrpc_session_recv_wait(idl->session);
}

const struct db *
db_idl_get_db(const struct db_idl *idl)
{
    return idl->db;
}

unsigned int
db_idl_get_seqno(const struct db_idl *idl)
{
    return idl->seqno;
}

bool
db_idl_is_connected(const struct db_idl *idl)
{
    return jsonrpc_session_is_connected(idl->session);
}

bool
db_idl_is_synced(const struct db_idl *idl)
{
    return idl->state == IDL_SYNCED;
}

static long long int
deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? LLONG_MAX : time_msec() + timeout_ms;
}

int
db_idl_wait_synced(struct db_idl *idl, int timeout_ms)
{
    long long int deadline = deadline_after(timeout_ms);
    for (;;) {
        db_idl_run(idl);
        if (db_idl_is_synced(idl)) {
            return 0;
        }
        if (time_msec() >= deadline) {
            return ETIMEDOUT;
        }
        db_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Transactions. */

const char *
db_idl_txn_status_to_string(enum db_idl_txn_status status)
{
    switch (status) {
    case DB_IDL_TXN_UNCOMMITTED:
        return "uncommitted";
    case DB_IDL_TXN_INCOMPLETE:
        return "incomplete";
    case DB_IDL_TXN_SUCCESS:
        return "success";
    case DB_IDL_TXN_UNCHANGED:
        return "unchanged";
    case DB_IDL_TXN_TRY_AGAIN:
        return "try again";
    case DB_IDL_TXN_NOT_CONNECTED:
        return "not connected";
    case DB_IDL_TXN_ERROR:
        return "error";
    }
    return "<unknown>";
}

struct db_idl_txn *
db_idl_txn_create(struct db_idl *idl)
{
    struct db_idl_txn *txn = xzalloc(sizeof *txn);
    txn->idl = idl;
    txn->ops = json_object_new_array();
    txn->comments = json_object_new_array();
    txn->status = DB_IDL_TXN_UNCOMMITTED;
    return txn;
}

void
db_idl_txn_destroy(struct db_idl_txn *txn)
{
    if (!txn) {
        return;
    }
    if (txn->status == DB_IDL_TXN_INCOMPLETE) {
        list_remove(&txn->node);
    }
    json_object_put(txn->ops);
    json_object_put(txn->comments);
    free(txn->verifies);
    free(txn->inserts);
    json_object_put(txn->request_id);
    json_object_put(txn->result);
    free(txn->error);
    free(txn);
}

/* Whether operations may still be added; logs if not. */
static bool
txn_is_open(const struct db_idl_txn *txn)
{
    if (txn->status != DB_IDL_TXN_UNCOMMITTED) {
        VLOG_WARN("%s: operation added to a committed transaction; "
                  "ignored", jsonrpc_session_get_name(txn->idl->session));
        return false;
    }
    return true;
}

static struct json_object *
new_op(const char *name, const char *table)
{
    struct json_object *op = json_object_new_object();
    json_object_object_add(op, "op", json_object_new_string(name));
    if (table) {
        json_object_object_add(op, "table", json_object_new_string(table));
    }
    return op;
}

/* The verify wait for ROW's column C: it still has the replica's value. */
static struct json_object *
verify_op(const struct db_row *row, const struct db_column *c)
{
    struct json_object *op = new_op("wait", row->table->schema->name);
    json_object_object_add(op, "where", where_uuid(row));

    struct json_object *columns = json_object_new_array();
    json_object_array_add(columns, json_object_new_string(c->name));
    json_object_object_add(op, "columns", columns);
    json_object_object_add(op, "until", json_object_new_string("=="));

    struct json_object *value = json_object_new_object();
    json_object_object_add(value, c->name,
                           db_datum_to_json(&row->fields[c->index],
                                            &c->type));
    struct json_object *rows = json_object_new_array();
    json_object_array_add(rows, value);
    json_object_object_add(op, "rows", rows);
    json_object_object_add(op, "timeout", json_object_new_int(0));
    return op;
}

void
db_idl_txn_verify(struct db_idl_txn *txn, const struct db_row *row,
                  const char *column)
{
    if (!txn_is_open(txn)) {
        return;
    }
    const struct db_column *c
        = db_table_schema_find_column(row->table->schema, column);
    if (!is_replicated(txn->idl, row->table, c)) {
        VLOG_WARN("%s: cannot verify column %s of table %s: not "
                  "replicated", jsonrpc_session_get_name(txn->idl->session),
                  column, row->table->schema->name);
        return;
    }
    txn->verifies = xrealloc(txn->verifies, (txn->n_verifies + 1)
                             * sizeof *txn->verifies);
    txn->verifies[txn->n_verifies++] = json_object_array_length(txn->ops);
    json_object_array_add(txn->ops, verify_op(row, c));
}

struct uuid
db_idl_txn_insert(struct db_idl_txn *txn, const char *table,
                  struct json_object *columns)
{
    struct uuid placeholder;
    uuid_generate(&placeholder);
    if (!txn_is_open(txn)) {
        json_object_put(columns);
        return placeholder;
    }

    txn->inserts = xrealloc(txn->inserts, (txn->n_inserts + 1)
                            * sizeof *txn->inserts);
    struct idl_insert *ins = &txn->inserts[txn->n_inserts++];
    memset(ins, 0, sizeof *ins);
    ins->placeholder = placeholder;
    snprintf(ins->name, sizeof ins->name, "row%08x%08x%08x%08x",
             (unsigned int) placeholder.parts[0],
             (unsigned int) placeholder.parts[1],
             (unsigned int) placeholder.parts[2],
             (unsigned int) placeholder.parts[3]);
    ins->op_index = json_object_array_length(txn->ops);

    struct json_object *op = new_op("insert", table);
    json_object_object_add(op, "row",
                           columns ? columns : json_object_new_object());
    json_object_object_add(op, "uuid-name",
                           json_object_new_string(ins->name));
    json_object_array_add(txn->ops, op);
    return placeholder;
}

void
db_idl_txn_update(struct db_idl_txn *txn, const struct db_row *row,
                  struct json_object *columns)
{
    if (!txn_is_open(txn)) {
        json_object_put(columns);
        return;
    }
    struct json_object *op = new_op("update", row->table->schema->name);
    json_object_object_add(op, "where", where_uuid(row));
    json_object_object_add(op, "row",
                           columns ? columns : json_object_new_object());
    json_object_array_add(txn->ops, op);
}

void
db_idl_txn_delete(struct db_idl_txn *txn, const struct db_row *row)
{
    if (txn_is_open(txn)) {
        struct json_object *op = new_op("delete", row->table->schema->name);
        json_object_object_add(op, "where", where_uuid(row));
        json_object_array_add(txn->ops, op);
    }
}

void
db_idl_txn_add_op(struct db_idl_txn *txn, struct json_object *op)
{
    if (txn_is_open(txn)) {
        json_object_array_add(txn->ops, op);
    } else {
        json_object_put(op);
    }
}

void
db_idl_txn_add_comment(struct db_idl_txn *txn, const char *comment)
{
    if (txn_is_open(txn)) {
        struct json_object *op = new_op("comment", NULL);
        json_object_object_add(op, "comment",
                               json_object_new_string(comment));
        json_object_array_add(txn->comments, op);
    }
}

static const struct idl_insert *
find_insert(const struct db_idl_txn *txn, const struct uuid *placeholder)
{
    for (size_t i = 0; i < txn->n_inserts; i++) {
        if (uuid_equals(&txn->inserts[i].placeholder, placeholder)) {
            return &txn->inserts[i];
        }
    }
    return NULL;
}

/* If JSON is ["uuid", S] with S a placeholder of TXN, makes it
 * ["named-uuid", NAME] and returns true. */
static bool
name_placeholder(const struct db_idl_txn *txn, struct json_object *json)
{
    struct json_object *tag = json_object_array_get_idx(json, 0);
    struct json_object *s = json_object_array_get_idx(json, 1);
    struct uuid uuid;

    if (json_object_array_length(json) != 2
        || !json_object_is_type(tag, json_type_string)
        || strcmp(json_object_get_string(tag), "uuid")
        || !json_object_is_type(s, json_type_string)
        || !uuid_from_string(&uuid, json_object_get_string(s))) {
        return false;
    }
    const struct idl_insert *ins = find_insert(txn, &uuid);
    if (!ins) {
        return false;
    }
    json_object_array_put_idx(json, 0, json_object_new_string("named-uuid"));
    json_object_array_put_idx(json, 1, json_object_new_string(ins->name));
    return true;
}

/* Replaces, anywhere in JSON, the placeholder uuids of rows that TXN
 * inserts by their named uuids, so that operations can refer to them. */
static void
name_placeholders(const struct db_idl_txn *txn, struct json_object *json)
{
    if (json_object_is_type(json, json_type_object)) {
        json_object_object_foreach(json, key, value) {
            (void) key;
            name_placeholders(txn, value);
        }
    } else if (json_object_is_type(json, json_type_array)
               && !name_placeholder(txn, json)) {
        size_t n = json_object_array_length(json);
        for (size_t i = 0; i < n; i++) {
            name_placeholders(txn, json_object_array_get_idx(json, i));
        }
    }
}

static struct json_object *
transact_params(struct db_idl_txn *txn)
{
    struct json_object *params = json_object_new_array();
    json_object_array_add(params, json_object_new_string(txn->idl->db_name));

    size_t n = json_object_array_length(txn->ops);
    for (size_t i = 0; i < n; i++) {
        struct json_object *op = json_object_array_get_idx(txn->ops, i);
        if (txn->n_inserts) {
            name_placeholders(txn, op);
        }
        json_object_array_add(params, json_object_get(op));
    }
    n = json_object_array_length(txn->comments);
    for (size_t i = 0; i < n; i++) {
        json_object_array_add(params, json_object_get(
                                  json_object_array_get_idx(txn->comments,
                                                            i)));
    }
    return params;
}

/* Sends TXN, or settles it at once. */
static void
txn_send(struct db_idl_txn *txn)
{
    struct db_idl *idl = txn->idl;

    if (!json_object_array_length(txn->ops)) {
        txn->status = DB_IDL_TXN_UNCHANGED;
        return;
    }
    /* A connection made or lost since the last run would otherwise fail
     * the transaction just sent. */
    jsonrpc_session_run(idl->session);
    idl_check_seqno(idl);

    struct jsonrpc_msg *request = jsonrpc_create_request(
        "transact", transact_params(txn));
    txn->request_id = json_object_get(request->id);
    if (jsonrpc_session_send(idl->session, request)) {
        txn->status = DB_IDL_TXN_NOT_CONNECTED;
        return;
    }
    txn->status = DB_IDL_TXN_INCOMPLETE;
    list_push_back(&idl->txns, &txn->node);
}

enum db_idl_txn_status
db_idl_txn_commit_block(struct db_idl_txn *txn, int timeout_ms)
{
    long long int deadline = deadline_after(timeout_ms);

    if (txn->status == DB_IDL_TXN_UNCOMMITTED) {
        txn_send(txn);
    }
    while (txn->status == DB_IDL_TXN_INCOMPLETE) {
        db_idl_run(txn->idl);
        if (txn->status != DB_IDL_TXN_INCOMPLETE
            || time_msec() >= deadline) {
            break;
        }
        db_idl_wait(txn->idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    return txn->status;
}

static bool
is_verify(const struct db_idl_txn *txn, size_t op_index)
{
    for (size_t i = 0; i < txn->n_verifies; i++) {
        if (txn->verifies[i] == op_index) {
            return true;
        }
    }
    return false;
}

/* Settles TXN as ERROR because of ERROR's text (the caller's). */
static void
txn_set_error(struct db_idl_txn *txn, char *error)
{
    txn->status = DB_IDL_TXN_ERROR;
    free(txn->error);
    txn->error = error;
}

/* Records the uuids the server gave the inserted rows. */
static void
txn_read_inserts(struct db_idl_txn *txn)
{
    for (size_t i = 0; i < txn->n_inserts; i++) {
        struct idl_insert *ins = &txn->inserts[i];
        struct json_object *r = json_object_array_get_idx(txn->result,
                                                          ins->op_index);
        struct json_object *uuid = member(r, "uuid");
        struct json_object *s = json_object_array_get_idx(uuid, 1);
        ins->has_real = (json_object_is_type(uuid, json_type_array)
                         && json_object_is_type(s, json_type_string)
                         && uuid_from_string(&ins->real,
                                             json_object_get_string(s)));
    }
}

/* Settles TXN from its result array. */
static void
txn_read_result(struct db_idl_txn *txn)
{
    if (!json_object_is_type(txn->result, json_type_array)) {
        txn_set_error(txn, xasprintf("bad transact result: %s",
                                     json_text(txn->result)));
        return;
    }
    size_t n = json_object_array_length(txn->result);
    for (size_t i = 0; i < n; i++) {
        struct json_object *r = json_object_array_get_idx(txn->result, i);
        struct json_object *tag = member(r, "error");
        if (!tag) {
            continue;
        }
        if (is_verify(txn, i)
            && json_object_is_type(tag, json_type_string)
            && !strcmp(json_object_get_string(tag), "timed out")) {
            txn->status = DB_IDL_TXN_TRY_AGAIN;
        } else {
            txn_set_error(txn, error_text(r));
        }
        return;
    }
    size_t n_ops = json_object_array_length(txn->ops);
    if (n < n_ops) {
        txn_set_error(txn, xasprintf("transact result has %zu elements "
                                     "for %zu operations", n, n_ops));
        return;
    }
    txn->status = DB_IDL_TXN_SUCCESS;
    txn_read_inserts(txn);
}

static void
txn_handle_answer(struct db_idl_txn *txn, const struct jsonrpc_msg *msg)
{
    list_remove(&txn->node);
    if (msg->type == JSONRPC_ERROR) {
        txn_set_error(txn, error_text(msg->error));
    } else {
        txn->result = json_object_get(msg->result);
        txn_read_result(txn);
    }
    if (txn->status == DB_IDL_TXN_ERROR) {
        VLOG_INFO("%s: transaction failed (%s)",
                  jsonrpc_session_get_name(txn->idl->session), txn->error);
    }
}

/* The connection went away: no answer will come. */
static void
txn_fail_pending(struct db_idl *idl)
{
    struct db_idl_txn *txn;
    LIST_FOR_EACH_SAFE (txn, node, &idl->txns) {
        list_remove(&txn->node);
        txn->status = DB_IDL_TXN_NOT_CONNECTED;
    }
}

const struct uuid *
db_idl_txn_get_insert_uuid(const struct db_idl_txn *txn,
                           const struct uuid *placeholder)
{
    const struct idl_insert *ins = find_insert(txn, placeholder);
    return (txn->status == DB_IDL_TXN_SUCCESS && ins && ins->has_real
            ? &ins->real : NULL);
}

const char *
db_idl_txn_get_error(const struct db_idl_txn *txn)
{
    return txn->error;
}

const struct json_object *
db_idl_txn_get_result(const struct db_idl_txn *txn)
{
    return txn->result;
}
