/* vsctl-bridge: skiff-vsctl's switch, bridge, port and interface commands. */
#include <config.h>

#include "vsctl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db-error.h"

/* Rows gathered for printing or checking, each with the string it sorts
 * by (its name, or a manager's or controller's target). */
struct sorted_row {
    const char *key;
    const struct db_row *row;
};

struct row_list {
    struct sorted_row *items;
    size_t n;
    size_t allocated;
};

#define ROW_LIST_INITIALIZER { NULL, 0, 0 }

static void
row_list_add(struct row_list *list, const char *key,
             const struct db_row *row)
{
    if (list->n >= list->allocated) {
        list->allocated = list->allocated ? 2 * list->allocated : 8;
        list->items = xrealloc(list->items,
                               list->allocated * sizeof *list->items);
    }
    list->items[list->n].key = key;
    list->items[list->n].row = row;
    list->n++;
}

/* Adds to LIST the rows that ROW's reference COLUMN names, keyed by their
 * KEY_COLUMN.  References to rows that do not exist are skipped. */
static void
row_list_add_refs(struct vsctl_ctx *ctx, struct row_list *list,
                  const struct db_row *row, const char *column,
                  const char *key_column)
{
    const struct db_column *c = vsctl_column(row, column);
    struct db_table *table = vsctl_table(ctx,
                                         c->type.key.uuid.ref_table_name);
    const struct db_datum *refs = &row->fields[c->index];

    for (unsigned int i = 0; i < refs->n; i++) {
        const struct db_row *target = db_table_find_row(table,
                                                        &refs->keys[i].uuid);
        if (target) {
            row_list_add(list, vsctl_get_string(target, key_column), target);
        }
    }
}

static int
compare_sorted_rows(const void *a_, const void *b_)
{
    const struct sorted_row *a = a_, *b = b_;
    return strcmp(a->key, b->key);
}

static void
row_list_sort(struct row_list *list)
{
    if (list->n) {
        qsort(list->items, list->n, sizeof *list->items,
              compare_sorted_rows);
    }
}

static void
row_list_destroy(struct row_list *list)
{
    free(list->items);
}

/* The Open_vSwitch row, or NULL if there is none yet (unlike vsctl_root(),
 * which creates it). */
static const struct db_row *
find_root(struct vsctl_ctx *ctx)
{
    struct db_table *table = vsctl_table(ctx, "Open_vSwitch");
    const struct db_row *row;
    DB_TABLE_FOR_EACH_ROW (row, table) {
        return row;
    }
    return NULL;
}

static const struct db_row *
find_bridge(struct vsctl_ctx *ctx, const char *name)
{
    return vsctl_find_by_string(ctx, "Bridge", "name", name);
}

static const struct db_row *
find_port(struct vsctl_ctx *ctx, const char *name)
{
    return vsctl_find_by_string(ctx, "Port", "name", name);
}

static const struct db_row *
find_iface(struct vsctl_ctx *ctx, const char *name)
{
    return vsctl_find_by_string(ctx, "Interface", "name", name);
}

/* The first row of TABLE whose set-of-uuids COLUMN holds TARGET's uuid
 * (the bridge of a port, the port of an interface), or NULL. */
static const struct db_row *
find_referrer(struct vsctl_ctx *ctx, const char *table_name,
              const char *column, const struct db_row *target)
{
    struct db_table *table = vsctl_table(ctx, table_name);
    const struct db_column *c = db_table_schema_find_column(table->schema,
                                                            column);
    union db_atom atom = { .uuid = *db_row_get_uuid(target) };
    const struct db_row *row;

    DB_TABLE_FOR_EACH_ROW (row, table) {
        if (db_datum_find_key(&row->fields[c->index], &atom, DB_TYPE_UUID)
            != UINT_MAX) {
            return row;
        }
    }
    return NULL;
}

static const struct db_row *
bridge_of_port(struct vsctl_ctx *ctx, const struct db_row *port)
{
    return find_referrer(ctx, "Bridge", "ports", port);
}

static const struct db_row *
port_of_iface(struct vsctl_ctx *ctx, const struct db_row *iface)
{
    return find_referrer(ctx, "Port", "interfaces", iface);
}

/* The bridge named NAME, or NULL after reporting "no bridge named". */
static const struct db_row *
need_bridge(struct vsctl_ctx *ctx, const char *name)
{
    const struct db_row *bridge = find_bridge(ctx, name);
    if (!bridge) {
        vsctl_error(ctx, "no bridge named %s", name);
    }
    return bridge;
}

/* Returns 0 if no port is named NAME, else an error naming its bridge. */
static int
check_port_name_free(struct vsctl_ctx *ctx, const char *name)
{
    const struct db_row *port = find_port(ctx, name);
    if (!port) {
        return 0;
    }
    const struct db_row *bridge = bridge_of_port(ctx, port);
    if (!bridge) {
        return vsctl_error(ctx, "a port named %s already exists", name);
    }
    return vsctl_error(ctx, "a port named %s already exists on bridge %s",
                       name, vsctl_get_string(bridge, "name"));
}

/* Returns 0 if no interface is named NAME, else an error naming where it
 * is. */
static int
check_iface_name_free(struct vsctl_ctx *ctx, const char *name)
{
    const struct db_row *iface = find_iface(ctx, name);
    if (!iface) {
        return 0;
    }
    const struct db_row *port = port_of_iface(ctx, iface);
    const struct db_row *bridge = port ? bridge_of_port(ctx, port) : NULL;
    if (!bridge) {
        return vsctl_error(ctx, "an interface named %s already exists",
                           name);
    }
    return vsctl_error(ctx, "an interface named %s already exists on "
                       "bridge %s", name, vsctl_get_string(bridge, "name"));
}

/* Inserts a port named NAME with new interfaces named IFACES[0..N), of
 * TYPE if it is nonnull. */
static struct db_row *
insert_port(struct vsctl_ctx *ctx, const char *name, char *const *ifaces,
            size_t n_ifaces, const char *type)
{
    struct db_row *port = vsctl_insert(ctx, "Port");
    const struct db_column *c = vsctl_column(port, "interfaces");
    struct db_datum refs;

    /* The column's default holds one all-zero uuid (it may not be empty),
     * so it is replaced as a whole. */
    db_datum_init_empty(&refs);
    for (size_t i = 0; i < n_ifaces; i++) {
        struct db_row *iface = vsctl_insert(ctx, "Interface");
        vsctl_set_string(iface, "name", ifaces[i]);
        if (type) {
            vsctl_set_string(iface, "type", type);
        }
        union db_atom atom = { .uuid = *db_row_get_uuid(iface) };
        db_datum_add_unsafe(&refs, &atom, NULL);
    }
    db_error_destroy(db_datum_sort_unique(&refs, &c->type));
    vsctl_set_string(port, "name", name);
    vsctl_set(port, "interfaces", &refs);
    return port;
}

/* Deletes PORT and its interfaces (the caller removes it from its
 * bridge). */
static void
delete_port(struct vsctl_ctx *ctx, const struct db_row *port)
{
    struct row_list ifaces = ROW_LIST_INITIALIZER;
    row_list_add_refs(ctx, &ifaces, port, "interfaces", "name");
    for (size_t i = 0; i < ifaces.n; i++) {
        vsctl_delete(ctx, ifaces.items[i].row);
    }
    row_list_destroy(&ifaces);
    vsctl_delete(ctx, port);
}

/* Adds a uuid to, or removes it from, ROW's set COLUMN. */
static void
add_ref(struct vsctl_ctx *ctx, const struct db_row *row, const char *column,
        const struct db_row *target)
{
    vsctl_add_uuid(vsctl_modify(ctx, row), column, db_row_get_uuid(target));
}

static void
remove_ref(struct vsctl_ctx *ctx, const struct db_row *row,
           const char *column, const struct db_row *target)
{
    vsctl_remove_uuid(vsctl_modify(ctx, row), column,
                      db_row_get_uuid(target));
}

/* Writes each name in LIST, one a line, except SKIP (may be NULL). */
static void
put_names(struct ds *out, const struct row_list *list, const char *skip)
{
    for (size_t i = 0; i < list->n; i++) {
        if (!skip || strcmp(list->items[i].key, skip)) {
            ds_put_format(out, "%s\n", list->items[i].key);
        }
    }
}

/* init. */

static int
cmd_init(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    vsctl_root(ctx);
    return 0;
}

/* show. */

static const char *const bridge_show_columns[] = {
    "fail_mode", "datapath_type", NULL
};
static const char *const port_show_columns[] = {
    "tag", "vlan_mode", "trunks", "bond_mode", "lacp", NULL
};
static const char *const iface_show_columns[] = {
    "type", "options", "error", NULL
};
static const char *const root_show_columns[] = {
    "ovs_version", NULL
};

/* Writes "COLUMN: VALUE" lines for ROW's COLUMNS that are not at their
 * defaults, indented by INDENT spaces. */
static void
show_columns(struct ds *out, const struct db_row *row,
             const char *const *columns, size_t indent)
{
    for (; *columns; columns++) {
        const struct db_column *c = vsctl_column(row, *columns);
        const struct db_datum *datum = &row->fields[c->index];
        if (!db_datum_is_default(datum, &c->type)) {
            ds_put_char_multiple(out, ' ', indent);
            ds_put_format(out, "%s: ", *columns);
            if (c->type.n_max == 1 && !db_type_is_map(&c->type)) {
                /* A scalar or an optional value that is set: bare. */
                db_atom_to_string(&datum->keys[0], c->type.key.type, out);
            } else {
                db_datum_to_string(datum, &c->type, out);
            }
            ds_put_char(out, '\n');
        }
    }
}

/* Writes an indented "LABEL NAME" line (NAME quoted if it needs to be). */
static void
show_label(struct ds *out, const char *label, const char *name,
           size_t indent)
{
    union db_atom atom = { .string = (char *) name };
    ds_put_char_multiple(out, ' ', indent);
    ds_put_format(out, "%s ", label);
    db_atom_to_string(&atom, DB_TYPE_STRING, out);
    ds_put_char(out, '\n');
}

/* Writes ROW's references COLUMN as "LABEL KEY" lines, sorted. */
static void
show_refs(struct vsctl_ctx *ctx, struct ds *out, const struct db_row *row,
          const char *column, const char *key_column, const char *label,
          size_t indent)
{
    struct row_list list = ROW_LIST_INITIALIZER;
    row_list_add_refs(ctx, &list, row, column, key_column);
    row_list_sort(&list);
    for (size_t i = 0; i < list.n; i++) {
        show_label(out, label, list.items[i].key, indent);
    }
    row_list_destroy(&list);
}

static void
show_port(struct vsctl_ctx *ctx, struct ds *out, const struct db_row *port)
{
    struct row_list ifaces = ROW_LIST_INITIALIZER;

    show_columns(out, port, port_show_columns, 12);
    row_list_add_refs(ctx, &ifaces, port, "interfaces", "name");
    row_list_sort(&ifaces);
    for (size_t i = 0; i < ifaces.n; i++) {
        show_label(out, "Interface", ifaces.items[i].key, 12);
        show_columns(out, ifaces.items[i].row, iface_show_columns, 16);
    }
    row_list_destroy(&ifaces);
}

static void
show_bridge(struct vsctl_ctx *ctx, struct ds *out,
            const struct db_row *bridge)
{
    struct row_list ports = ROW_LIST_INITIALIZER;

    show_refs(ctx, out, bridge, "controller", "target", "Controller", 8);
    show_columns(out, bridge, bridge_show_columns, 8);
    row_list_add_refs(ctx, &ports, bridge, "ports", "name");
    row_list_sort(&ports);
    for (size_t i = 0; i < ports.n; i++) {
        show_label(out, "Port", ports.items[i].key, 8);
        show_port(ctx, out, ports.items[i].row);
    }
    row_list_destroy(&ports);
}

static int
cmd_show(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const struct db_row *root = find_root(ctx);
    struct row_list bridges = ROW_LIST_INITIALIZER;

    if (!root) {
        return 0;
    }
    vsctl_put_uuid(&cmd->output, db_row_get_uuid(root));
    ds_put_char(&cmd->output, '\n');
    show_refs(ctx, &cmd->output, root, "manager_options", "target",
              "Manager", 4);
    row_list_add_refs(ctx, &bridges, root, "bridges", "name");
    row_list_sort(&bridges);
    for (size_t i = 0; i < bridges.n; i++) {
        show_label(&cmd->output, "Bridge", bridges.items[i].key, 4);
        show_bridge(ctx, &cmd->output, bridges.items[i].row);
    }
    row_list_destroy(&bridges);
    show_columns(&cmd->output, root, root_show_columns, 4);
    return 0;
}

/* emer-reset: puts the configuration back into a plain state while
 * keeping the bridges, ports and interfaces themselves and every
 * external_ids column.  It clears:
 *
 *   Open_vSwitch: manager_options, ssl;
 *   Bridge: controller, fail_mode, mirrors, netflow, and other_config
 *           except its "hwaddr" key (the bridge's Ethernet address);
 *   Port: qos, other_config;
 *   Interface: ingress_policing_rate and ingress_policing_burst (to 0);
 *
 * and deletes every row of Controller, Manager, Mirror, NetFlow, QoS,
 * Queue and SSL (QoS and Queue are root tables, so clearing Port.qos
 * alone would not remove them). */

static const char *const root_reset_columns[] = {
    "manager_options", "ssl", NULL
};
static const char *const bridge_reset_columns[] = {
    "controller", "fail_mode", "mirrors", "netflow", NULL
};
static const char *const port_reset_columns[] = {
    "qos", "other_config", NULL
};
static const char *const iface_reset_columns[] = {
    "ingress_policing_rate", "ingress_policing_burst", NULL
};
static const char *const emer_reset_tables[] = {
    "Controller", "Manager", "Mirror", "NetFlow", "QoS", "Queue", "SSL",
    NULL
};

/* Sets ROW's COLUMNS to their defaults, changing ROW only if one of them
 * is not at its default yet.  Returns ROW as the tables now show it. */
static const struct db_row *
reset_columns(struct vsctl_ctx *ctx, const struct db_row *row,
              const char *const *columns)
{
    struct db_row *w = NULL;
    for (; *columns; columns++) {
        const struct db_column *c = vsctl_column(row, *columns);
        if (!db_datum_is_default(&row->fields[c->index], &c->type)) {
            struct db_datum datum;
            w = w ? w : vsctl_modify(ctx, row);
            row = w;
            db_datum_init_default(&datum, &c->type);
            vsctl_set(w, *columns, &datum);
        }
    }
    return row;
}

/* Removes every key but KEEP from ROW's string map COLUMN. */
static void
keep_only_key(struct vsctl_ctx *ctx, const struct db_row *row,
              const char *column, const char *keep)
{
    const struct db_column *c = vsctl_column(row, column);
    const struct db_datum *old = &row->fields[c->index];
    union db_atom key = { .string = (char *) keep };
    unsigned int i = db_datum_find_key(old, &key, DB_TYPE_STRING);
    struct db_datum datum;

    if (old->n == 0 || (old->n == 1 && i != UINT_MAX)) {
        return;
    }
    if (i == UINT_MAX) {
        db_datum_init_empty(&datum);
    } else {
        db_datum_init_single(&datum, &c->type, &old->keys[i],
                             &old->values[i]);
    }
    vsctl_set(vsctl_modify(ctx, row), column, &datum);
}

/* Calls FN for each row of TABLE. */
static void
for_each_row(struct vsctl_ctx *ctx, const char *table_name,
             void (*fn)(struct vsctl_ctx *, const struct db_row *))
{
    struct db_table *table = vsctl_table(ctx, table_name);
    struct row_list list = ROW_LIST_INITIALIZER;
    const struct db_row *row;

    DB_TABLE_FOR_EACH_ROW (row, table) {
        row_list_add(&list, "", row);
    }
    for (size_t i = 0; i < list.n; i++) {
        fn(ctx, list.items[i].row);
    }
    row_list_destroy(&list);
}

static void
reset_root(struct vsctl_ctx *ctx, const struct db_row *row)
{
    reset_columns(ctx, row, root_reset_columns);
}

static void
reset_bridge(struct vsctl_ctx *ctx, const struct db_row *row)
{
    row = reset_columns(ctx, row, bridge_reset_columns);
    keep_only_key(ctx, row, "other_config", "hwaddr");
}

static void
reset_port(struct vsctl_ctx *ctx, const struct db_row *row)
{
    reset_columns(ctx, row, port_reset_columns);
}

static void
reset_iface(struct vsctl_ctx *ctx, const struct db_row *row)
{
    reset_columns(ctx, row, iface_reset_columns);
}

static void
delete_row(struct vsctl_ctx *ctx, const struct db_row *row)
{
    vsctl_delete(ctx, row);
}

static int
cmd_emer_reset(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    for_each_row(ctx, "Open_vSwitch", reset_root);
    for_each_row(ctx, "Bridge", reset_bridge);
    for_each_row(ctx, "Port", reset_port);
    for_each_row(ctx, "Interface", reset_iface);
    for (const char *const *t = emer_reset_tables; *t; t++) {
        for_each_row(ctx, *t, delete_row);
    }
    return 0;
}

/* Bridges. */

static int
cmd_add_br(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[1];

    if (find_bridge(ctx, name)) {
        return (cmd->may_exist ? 0
                : vsctl_error(ctx, "a bridge named %s already exists",
                              name));
    }
    int error = check_port_name_free(ctx, name);
    if (!error) {
        error = check_iface_name_free(ctx, name);
    }
    if (error) {
        return error;
    }

    char *iface_name = (char *) name;
    struct db_row *port = insert_port(ctx, name, &iface_name, 1,
                                      "internal");

    struct db_row *bridge = vsctl_insert(ctx, "Bridge");
    vsctl_set_string(bridge, "name", name);
    vsctl_add_uuid(bridge, "ports", db_row_get_uuid(port));
    add_ref(ctx, vsctl_root(ctx), "bridges", bridge);
    return 0;
}

static int
cmd_del_br(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[1];
    const struct db_row *bridge = find_bridge(ctx, name);
    if (!bridge) {
        return (cmd->if_exists ? 0
                : vsctl_error(ctx, "no bridge named %s", name));
    }

    struct row_list ports = ROW_LIST_INITIALIZER;
    row_list_add_refs(ctx, &ports, bridge, "ports", "name");
    for (size_t i = 0; i < ports.n; i++) {
        delete_port(ctx, ports.items[i].row);
    }
    row_list_destroy(&ports);

    const struct db_row *root = find_root(ctx);
    if (root) {
        remove_ref(ctx, root, "bridges", bridge);
    }
    vsctl_delete(ctx, bridge);
    return 0;
}

static int
cmd_list_br(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const struct db_row *root = find_root(ctx);
    struct row_list bridges = ROW_LIST_INITIALIZER;

    if (root) {
        row_list_add_refs(ctx, &bridges, root, "bridges", "name");
    }
    row_list_sort(&bridges);
    put_names(&cmd->output, &bridges, NULL);
    row_list_destroy(&bridges);
    return 0;
}

/* Exits with status 2, silently, when the bridge does not exist. */
static int
cmd_br_exists(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    return find_bridge(ctx, cmd->argv[1]) ? 0 : 2;
}

/* Sets KEY to VALUE in writable ROW's string map COLUMN, or removes KEY
 * if VALUE is NULL. */
static void
set_map_key(struct db_row *row, const char *column, const char *key,
            const char *value)
{
    const struct db_column *c = vsctl_column(row, column);
    const struct db_datum *old = &row->fields[c->index];
    struct db_datum datum;

    db_datum_init_empty(&datum);
    for (unsigned int i = 0; i < old->n; i++) {
        if (strcmp(old->keys[i].string, key)) {
            union db_atom k = { .string = xstrdup(old->keys[i].string) };
            union db_atom v = { .string = xstrdup(old->values[i].string) };
            db_datum_add_unsafe(&datum, &k, &v);
        }
    }
    if (value) {
        union db_atom k = { .string = xstrdup(key) };
        union db_atom v = { .string = xstrdup(value) };
        db_datum_add_unsafe(&datum, &k, &v);
    }
    /* The keys are unique by construction. */
    db_error_destroy(db_datum_sort_unique(&datum, &c->type));
    vsctl_set(row, column, &datum);
}

static int
cmd_br_set_external_id(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const struct db_row *bridge = need_bridge(ctx, cmd->argv[1]);
    if (!bridge) {
        return 1;
    }
    const char *key = cmd->argv[2];
    const char *value = cmd->argc > 3 ? cmd->argv[3] : NULL;
    const struct db_datum *ids = vsctl_get(bridge, "external_ids");
    union db_atom atom = { .string = (char *) key };
    unsigned int i = db_datum_find_key(ids, &atom, DB_TYPE_STRING);

    bool has_key = i != UINT_MAX;
    if (value ? has_key && !strcmp(ids->values[i].string, value)
        : !has_key) {
        return 0;               /* Already so: no need to write. */
    }
    set_map_key(vsctl_modify(ctx, bridge), "external_ids", key, value);
    return 0;
}

static int
cmd_br_get_external_id(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const struct db_row *bridge = need_bridge(ctx, cmd->argv[1]);
    if (!bridge) {
        return 1;
    }
    const struct db_datum *ids = vsctl_get(bridge, "external_ids");
    for (unsigned int i = 0; i < ids->n; i++) {
        const char *key = ids->keys[i].string;
        const char *value = ids->values[i].string;
        if (cmd->argc < 3) {
            ds_put_format(&cmd->output, "%s=%s\n", key, value);
        } else if (!strcmp(key, cmd->argv[2])) {
            ds_put_format(&cmd->output, "%s\n", value);
        }
    }
    return 0;
}

/* Ports. */

/* True if PORT's interfaces are named exactly IFACES[0..N). */
static bool
port_has_ifaces(struct vsctl_ctx *ctx, const struct db_row *port,
                char *const *ifaces, size_t n_ifaces)
{
    struct row_list list = ROW_LIST_INITIALIZER;
    bool same;

    row_list_add_refs(ctx, &list, port, "interfaces", "name");
    same = list.n == n_ifaces;
    for (size_t i = 0; same && i < n_ifaces; i++) {
        same = false;
        for (size_t j = 0; j < list.n; j++) {
            if (!strcmp(list.items[j].key, ifaces[i])) {
                same = true;
                break;
            }
        }
    }
    row_list_destroy(&list);
    return same;
}

/* add-port or add-bond found a port with the new port's name already: fine
 * for --may-exist if it is the same port on the same bridge. */
static int
port_exists(struct vsctl_ctx *ctx, struct vsctl_command *cmd,
            const struct db_row *bridge, const struct db_row *port,
            char *const *ifaces, size_t n_ifaces)
{
    const char *name = vsctl_get_string(port, "name");
    const struct db_row *owner = bridge_of_port(ctx, port);

    if (!cmd->may_exist || !owner) {
        return check_port_name_free(ctx, name);
    }
    if (owner != bridge) {
        return vsctl_error(ctx, "a port named %s already exists on bridge "
                           "%s, not on bridge %s", name,
                           vsctl_get_string(owner, "name"),
                           vsctl_get_string(bridge, "name"));
    }
    if (!port_has_ifaces(ctx, port, ifaces, n_ifaces)) {
        return vsctl_error(ctx, "port %s already exists on bridge %s with "
                           "other interfaces", name,
                           vsctl_get_string(bridge, "name"));
    }
    return 0;
}

/* Checks that the interfaces' names are new and distinct. */
static int
check_new_ifaces(struct vsctl_ctx *ctx, char *const *ifaces,
                 size_t n_ifaces)
{
    for (size_t i = 0; i < n_ifaces; i++) {
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(ifaces[i], ifaces[j])) {
                return vsctl_error(ctx, "interface %s is named twice",
                                   ifaces[i]);
            }
        }
        int error = check_iface_name_free(ctx, ifaces[i]);
        if (error) {
            return error;
        }
    }
    return 0;
}

/* Adds port PORT_NAME with interfaces IFACES to bridge BR_NAME and applies
 * the "COLUMN[:KEY]=VALUE" SETTINGS to the port. */
static int
add_port(struct vsctl_ctx *ctx, struct vsctl_command *cmd,
         const char *br_name, const char *port_name,
         char *const *ifaces, size_t n_ifaces,
         char *const *settings, size_t n_settings)
{
    const struct db_row *bridge = need_bridge(ctx, br_name);
    if (!bridge) {
        return 1;
    }
    const struct db_row *old = find_port(ctx, port_name);
    if (old) {
        return port_exists(ctx, cmd, bridge, old, ifaces, n_ifaces);
    }
    int error = check_new_ifaces(ctx, ifaces, n_ifaces);
    if (error) {
        return error;
    }

    struct db_row *port = insert_port(ctx, port_name, ifaces, n_ifaces,
                                      NULL);
    for (size_t i = 0; i < n_settings; i++) {
        error = vsctl_set_column(ctx, port, settings[i]);
        if (error) {
            return error;
        }
    }
    add_ref(ctx, bridge, "ports", port);
    return 0;
}

static int
cmd_add_port(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    return add_port(ctx, cmd, cmd->argv[1], cmd->argv[2], &cmd->argv[2], 1,
                    &cmd->argv[3], (size_t) (cmd->argc - 3));
}

/* add-bond BR PORT IFACE... [COLUMN[:KEY]=VALUE]...: the arguments with
 * an '=' are the port's settings. */
static int
cmd_add_bond(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    size_t n_args = (size_t) (cmd->argc - 3);
    char **ifaces = xmalloc(n_args * sizeof *ifaces);
    char **settings = xmalloc(n_args * sizeof *settings);
    size_t n_ifaces = 0, n_settings = 0;
    int error;

    for (size_t i = 0; i < n_args; i++) {
        char *arg = cmd->argv[3 + i];
        if (strchr(arg, '=')) {
            settings[n_settings++] = arg;
        } else {
            ifaces[n_ifaces++] = arg;
        }
    }
    if (n_ifaces < 2) {
        error = vsctl_error(ctx, "bond %s needs at least two interfaces",
                            cmd->argv[2]);
    } else {
        error = add_port(ctx, cmd, cmd->argv[1], cmd->argv[2],
                         ifaces, n_ifaces, settings, n_settings);
    }
    free(ifaces);
    free(settings);
    return error;
}

static int
cmd_del_port(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[cmd->argc - 1];
    const struct db_row *bridge = NULL;

    if (cmd->argc > 2) {
        bridge = need_bridge(ctx, cmd->argv[1]);
        if (!bridge) {
            return 1;
        }
    }
    const struct db_row *port = find_port(ctx, name);
    if (!port) {
        return (cmd->if_exists ? 0
                : vsctl_error(ctx, "no port named %s", name));
    }
    const struct db_row *owner = bridge_of_port(ctx, port);
    if (bridge && owner != bridge) {
        return vsctl_error(ctx, "bridge %s does not have a port %s",
                           cmd->argv[1], name);
    }
    if (owner) {
        remove_ref(ctx, owner, "ports", port);
    }
    delete_port(ctx, port);
    return 0;
}

static int
cmd_list_ports(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[1];
    const struct db_row *bridge = need_bridge(ctx, name);
    struct row_list ports = ROW_LIST_INITIALIZER;

    if (!bridge) {
        return 1;
    }
    row_list_add_refs(ctx, &ports, bridge, "ports", "name");
    row_list_sort(&ports);
    put_names(&cmd->output, &ports, name);
    row_list_destroy(&ports);
    return 0;
}

static int
cmd_port_to_br(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[1];
    const struct db_row *port = find_port(ctx, name);
    const struct db_row *bridge = port ? bridge_of_port(ctx, port) : NULL;

    if (!bridge) {
        return vsctl_error(ctx, "no port named %s", name);
    }
    ds_put_format(&cmd->output, "%s\n", vsctl_get_string(bridge, "name"));
    return 0;
}

/* Interfaces. */

static int
cmd_list_ifaces(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[1];
    const struct db_row *bridge = need_bridge(ctx, name);
    struct row_list ports = ROW_LIST_INITIALIZER;
    struct row_list ifaces = ROW_LIST_INITIALIZER;

    if (!bridge) {
        return 1;
    }
    row_list_add_refs(ctx, &ports, bridge, "ports", "name");
    for (size_t i = 0; i < ports.n; i++) {
        row_list_add_refs(ctx, &ifaces, ports.items[i].row, "interfaces",
                          "name");
    }
    row_list_sort(&ifaces);
    put_names(&cmd->output, &ifaces, name);
    row_list_destroy(&ifaces);
    row_list_destroy(&ports);
    return 0;
}

static int
cmd_iface_to_br(struct vsctl_ctx *ctx, struct vsctl_command *cmd)
{
    const char *name = cmd->argv[1];
    const struct db_row *iface = find_iface(ctx, name);
    const struct db_row *port = iface ? port_of_iface(ctx, iface) : NULL;
    const struct db_row *bridge = port ? bridge_of_port(ctx, port) : NULL;

    if (!bridge) {
        return vsctl_error(ctx, "no interface named %s", name);
    }
    ds_put_format(&cmd->output, "%s\n", vsctl_get_string(bridge, "name"));
    return 0;
}

static const struct vsctl_command_syntax bridge_commands[] = {
    {"init", 0, 0, "", "", cmd_init, false},
    {"show", 0, 0, "", "", cmd_show, true},
    {"emer-reset", 0, 0, "", "", cmd_emer_reset, false},
    {"add-br", 1, 1, "BRIDGE", "--may-exist", cmd_add_br, false},
    {"del-br", 1, 1, "BRIDGE", "--if-exists", cmd_del_br, false},
    {"list-br", 0, 0, "", "", cmd_list_br, true},
    {"br-exists", 1, 1, "BRIDGE", "", cmd_br_exists, true},
    {"br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]", "",
     cmd_br_set_external_id, false},
    {"br-get-external-id", 1, 2, "BRIDGE [KEY]", "",
     cmd_br_get_external_id, true},
    {"list-ports", 1, 1, "BRIDGE", "", cmd_list_ports, true},
    {"add-port", 2, INT_MAX, "BRIDGE PORT [COLUMN[:KEY]=VALUE]...",
     "--may-exist", cmd_add_port, false},
    {"add-bond", 4, INT_MAX,
     "BRIDGE PORT IFACE IFACE... [COLUMN[:KEY]=VALUE]...", "--may-exist",
     cmd_add_bond, false},
    {"del-port", 1, 2, "[BRIDGE] PORT", "--if-exists", cmd_del_port, false},
    {"port-to-br", 1, 1, "PORT", "", cmd_port_to_br, true},
    {"list-ifaces", 1, 1, "BRIDGE", "", cmd_list_ifaces, true},
    {"iface-to-br", 1, 1, "IFACE", "", cmd_iface_to_br, true},
    {NULL, 0, 0, NULL, NULL, NULL, false},
};

void
vsctl_bridge_init(void)
{
    vsctl_register_commands(bridge_commands);
}
