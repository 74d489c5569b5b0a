/*
 * db-monitor: RFC 7047 "monitor" (section 4.1.5): a client's view of
 * chosen tables and columns, kept current by "update" notifications.
 *
 * A monitor request names, per table, the columns to watch (default: all)
 * and which changes to report ("select": initial, insert, delete, modify;
 * all true by default).  Creating a monitor returns the initial contents;
 * from then on the monitor, attached to the database as a replica, turns
 * each commit into table-updates:
 *
 *     {"TABLE": {"UUID": {"old": ROW, "new": ROW}}}
 *
 * "new" alone for an inserted (or initial) row, "old" alone for a deleted
 * one; for a modified row "new" has every watched column and "old" only
 * those that changed.  A commit that changes no watched column sends
 * nothing.
 */
#ifndef SKIFF_DB_MONITOR_H
#define SKIFF_DB_MONITOR_H 1

#include <json-c/json.h>

#include "util.h"

struct db;
struct db_error;
struct db_monitor;

/* Called with each table-updates object (taking it). */
typedef void db_monitor_send_func(struct json_object *updates, void *aux);

/* Parses REQUESTS (the third "monitor" parameter) for DB and, on success,
 * attaches a monitor that calls SEND(updates, AUX) after each commit that
 * concerns it.  *INITIALP gets the initial table-updates. */
struct db_error *db_monitor_create(struct db *db,
                                   const struct json_object *requests,
                                   db_monitor_send_func *send, void *aux,
                                   struct db_monitor **monitorp,
                                   struct json_object **initialp)
    WARN_UNUSED_RESULT;

/* Detaches and frees MONITOR.  Accepts NULL. */
void db_monitor_destroy(struct db_monitor *);

#endif /* db-monitor.h */
