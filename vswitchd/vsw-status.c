/* vsw-status: writes what runs back to the database. */
#include <config.h>

#include "vsw-status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "datapath/dpif.h"
#include "db-idl.h"
#include "db.h"
#include "match.h"
#include "packets.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vsw_status);

/* The OpenFlow number OVSDB clients see for a bridge's local port. */
#define OFPORT_LOCAL_DB 65534

static struct json_object *
empty_set(void)
{
    struct json_object *set = json_object_new_array();

    json_object_array_add(set, json_object_new_string("set"));
    json_object_array_add(set, json_object_new_array());
    return set;
}

static struct json_object *
stats_to_json(const struct dp_port_counters *c)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
#define F(NAME) { #NAME, offsetof(struct dp_port_counters, NAME) }
        F(rx_bytes), F(rx_dropped), F(rx_errors), F(rx_packets),
        F(tx_bytes), F(tx_dropped), F(tx_errors), F(tx_packets),
#undef F
    };
    struct json_object *pairs = json_object_new_array();
    struct json_object *map = json_object_new_array();

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        struct json_object *pair = json_object_new_array();
        uint64_t value;

        memcpy(&value, (const char *) c + fields[i].offset, sizeof value);
        json_object_array_add(pair, json_object_new_string(fields[i].name));
        json_object_array_add(pair, json_object_new_int64(value));
        json_object_array_add(pairs, pair);
    }
    json_object_array_add(map, json_object_new_string("map"));
    json_object_array_add(map, pairs);
    return map;
}

/* Adds COLUMN=VALUE (taken) to COLUMNS if ROW's value differs. */
static void
put_if_changed(struct json_object *columns, const struct db_row *row,
               const char *column, struct json_object *value)
{
    const struct db_column *c
        = db_table_schema_find_column(row->table->schema, column);
    struct json_object *current, *old;
    bool same;

    if (!c) {
        json_object_put(value);
        return;
    }
    current = db_row_to_json(row, &c, 1);
    same = json_object_object_get_ex(current, column, &old)
           && json_object_equal(old, value);
    json_object_put(current);
    if (same) {
        json_object_put(value);
    } else {
        json_object_object_add(columns, column, value);
    }
}

static void
write_iface(struct db_idl_txn *txn, const struct db_row *row,
            struct dpif *dpif, bool with_stats)
{
    const char *name = db_row_get_string(row, "name");
    struct bridge_iface_status s;
    struct dpif_port_info info;
    struct json_object *columns;
    bool have_info;

    if (!name) {
        return;
    }
    bridge_iface_status(name, &s);
    if (!s.exists) {
        return;
    }
    have_info = dpif && s.dp_port && !dpif_port_query(dpif, s.dp_port,
                                                      &info);
    columns = json_object_new_object();
    put_if_changed(columns, row, "ofport",
                   !s.ofp_port ? json_object_new_int64(-1)
                   : s.ofp_port == OFPP_LOCAL
                   ? json_object_new_int64(OFPORT_LOCAL_DB)
                   : json_object_new_int64(s.ofp_port));
    put_if_changed(columns, row, "error",
                   s.error ? json_object_new_string(s.error) : empty_set());
    put_if_changed(columns, row, "admin_state",
                   have_info ? json_object_new_string("up") : empty_set());
    put_if_changed(columns, row, "link_state",
                   !have_info ? empty_set()
                   : json_object_new_string(info.link_up ? "up" : "down"));
    if (have_info) {
        char mac[18];
        struct json_object *status = json_object_new_array();
        struct json_object *pairs = json_object_new_array();
        struct json_object *pair = json_object_new_array();

        snprintf(mac, sizeof mac, ETH_ADDR_FMT, ETH_ADDR_ARGS(info.mac));
        put_if_changed(columns, row, "mac_in_use",
                       json_object_new_string(mac));
        put_if_changed(columns, row, "mtu",
                       info.mtu ? json_object_new_int64(info.mtu)
                                : empty_set());
        json_object_array_add(pair, json_object_new_string("driver_name"));
        json_object_array_add(pair, json_object_new_string(info.driver));
        json_object_array_add(pairs, pair);
        json_object_array_add(status, json_object_new_string("map"));
        json_object_array_add(status, pairs);
        put_if_changed(columns, row, "status", status);
    }
    if (with_stats && have_info) {
        put_if_changed(columns, row, "statistics",
                       stats_to_json(&info.counters));
    }
    if (json_object_object_length(columns)) {
        db_idl_txn_update(txn, row, columns);
    } else {
        json_object_put(columns);
    }
}

static void
write_cur_cfg(struct db_idl_txn *txn, const struct db *db, int64_t cur_cfg)
{
    const struct db_table *table = db_get_table(db, "Open_vSwitch");
    const struct db_row *row;

    if (!table) {
        return;
    }
    DB_TABLE_FOR_EACH_ROW (row, table) {
        const struct db_datum *d = db_row_get(row, "cur_cfg");

        if (!d->n || d->keys[0].integer != cur_cfg) {
            struct json_object *columns = json_object_new_object();

            json_object_object_add(columns, "cur_cfg",
                                   json_object_new_int64(cur_cfg));
            db_idl_txn_update(txn, row, columns);
        }
        break;
    }
}

int
vsw_status_write(struct db_idl *idl, struct dpif *dpif, bool with_stats,
                 int64_t cur_cfg)
{
    const struct db *db = db_idl_get_db(idl);
    const struct db_table *ifaces;
    enum db_idl_txn_status status;
    struct db_idl_txn *txn;
    const struct db_row *row;

    if (!db || !db_idl_is_synced(idl)) {
        return EAGAIN;
    }
    txn = db_idl_txn_create(idl);
    db_idl_txn_add_comment(txn, "skiff-vswitchd: status");
    ifaces = db_get_table(db, "Interface");
    if (ifaces) {
        DB_TABLE_FOR_EACH_ROW (row, ifaces) {
            write_iface(txn, row, dpif, with_stats);
        }
    }
    if (cur_cfg >= 0) {
        write_cur_cfg(txn, db, cur_cfg);
    }
    status = db_idl_txn_commit_block(txn, 2000);
    if (status != DB_IDL_TXN_SUCCESS && status != DB_IDL_TXN_UNCHANGED) {
        const char *error = db_idl_txn_get_error(txn);

        VLOG_WARN("status not written: %s%s%s",
                  db_idl_txn_status_to_string(status),
                  error ? ": " : "", error ? error : "");
        db_idl_txn_destroy(txn);
        return EAGAIN;
    }
    db_idl_txn_destroy(txn);
    return 0;
}
