/* ofproto: bridges, ports and OpenFlow 1.3 flow tables. */
#include <config.h>

#include "ofproto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "hash.h"
#include "ofproto-private.h"
#include "poll-loop.h"
#include "rcu.h"
#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(ofproto);

pthread_rwlock_t ofproto_rwlock = PTHREAD_RWLOCK_INITIALIZER;

static struct hmap all_ofprotos = HMAP_INITIALIZER(&all_ofprotos);
static struct hmap all_dp_ports = HMAP_INITIALIZER(&all_dp_ports);
static atomic_ullong version = 1;
static long long int (*clock_fn)(void) = time_msec;

/* How often ofproto_run() looks for expired flows and MAC entries. */
#define EXPIRY_INTERVAL_MS 1000
static long long next_expiry;

uint64_t
ofproto_version(void)
{
    return atomic_load(&version);
}

void
ofproto_bump_version(void)
{
    atomic_fetch_add(&version, 1);
}

void
ofproto_set_clock(long long int (*now)(void))
{
    clock_fn = now ? now : time_msec;
    next_expiry = 0;
}

long long int
ofproto_time_msec(void)
{
    return clock_fn();
}

/* Rules. */

static struct rule_actions *
rule_actions_create(const void *ofpacts, size_t len)
{
    struct rule_actions *a = xzalloc(sizeof *a + ((len + 7) & ~(size_t) 7));
    a->len = len;
    if (len) {
        memcpy(a->data, ofpacts, len);
    }
    return a;
}

static struct rule *
rule_create(struct ofproto *p, uint8_t table_id,
            const struct ofp_flow_mod *fm, long long now)
{
    struct rule *rule = xzalloc(sizeof *rule);
    cls_rule_init(&rule->cr, &fm->match.flow, &fm->match.wc, fm->priority);
    rule->ofproto = p;
    rule->table_id = table_id;
    rule->cookie = fm->cookie;
    rule->idle_timeout = fm->idle_timeout;
    rule->hard_timeout = fm->hard_timeout;
    rule->created = now;
    atomic_init(&rule->used, now);
    atomic_init(&rule->n_packets, 0);
    atomic_init(&rule->n_bytes, 0);
    atomic_init(&rule->actions, rule_actions_create(fm->ofpacts,
                                                    fm->ofpacts_len));
    return rule;
}

static void
rule_free(struct rule *rule)
{
    if (rule) {
        free(atomic_load(&rule->actions));
        free(rule);
    }
}

struct rule *
ofproto_rule_lookup(const struct ofproto *p, uint8_t table_id,
                    const struct flow *flow, struct flow_wildcards *wc)
{
    if (table_id >= OFP_N_TABLES) {
        return NULL;
    }
    return rule_from_cls(classifier_lookup(&p->tables[table_id].cls, flow,
                                           wc));
}

void
ofproto_rule_credit(struct rule *rule, size_t size, long long now)
{
    atomic_fetch_add(&rule->n_packets, 1);
    atomic_fetch_add(&rule->n_bytes, size);
    atomic_store(&rule->used, now);
}

void
ofproto_rule_add_stats(struct rule *rule, uint64_t n_packets,
                       uint64_t n_bytes, long long used)
{
    atomic_fetch_add(&rule->n_packets, n_packets);
    atomic_fetch_add(&rule->n_bytes, n_bytes);
    long long old = atomic_load(&rule->used);
    while (old < used
           && !atomic_compare_exchange_weak(&rule->used, &old, used)) {
        continue;
    }
}

/* Garbage: what a batch of changes frees once readers cannot see it. */
struct garbage {
    struct rule **rules;
    size_t n_rules, alloc_rules;
    struct rule_actions **actions;
    size_t n_actions, alloc_actions;
    bool touched[OFP_N_TABLES];
};

static void
garbage_rule(struct garbage *g, struct rule *rule)
{
    if (g->n_rules >= g->alloc_rules) {
        g->alloc_rules = g->alloc_rules * 2 + 8;
        g->rules = xrealloc(g->rules, g->alloc_rules * sizeof *g->rules);
    }
    g->rules[g->n_rules++] = rule;
    g->touched[rule->table_id] = true;
}

static void
garbage_actions(struct garbage *g, struct rule_actions *a)
{
    if (g->n_actions >= g->alloc_actions) {
        g->alloc_actions = g->alloc_actions * 2 + 8;
        g->actions = xrealloc(g->actions,
                              g->alloc_actions * sizeof *g->actions);
    }
    g->actions[g->n_actions++] = a;
}

/* Publishes the touched tables (each publish waits for a grace period) and
 * then frees the garbage. */
static void
garbage_collect(struct ofproto *p, struct garbage *g)
{
    bool any = false;
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        if (g->touched[t]) {
            classifier_publish(&p->tables[t].cls);
            any = true;
        }
    }
    if (g->n_actions && !any) {
        rcu_synchronize();
    }
    if (any || g->n_actions) {
        ofproto_bump_version();
    }
    for (size_t i = 0; i < g->n_rules; i++) {
        rule_free(g->rules[i]);
    }
    for (size_t i = 0; i < g->n_actions; i++) {
        free(g->actions[i]);
    }
    free(g->rules);
    free(g->actions);
}

/* Bridges. */

static void
add_default_flow(struct ofproto *p)
{
    struct ofp_flow_mod fm;
    struct ofpacts acts = { NULL, 0, 0 };

    ofp_flow_mod_init(&fm, OFP_FLOW_ADD);
    fm.table_id = 0;
    fm.priority = 0;
    ofpact_put_output(&acts, OFPP_NORMAL, 0);
    fm.ofpacts = ofpacts_steal(&acts, &fm.ofpacts_len);
    char *error = NULL;
    if (ofproto_flow_mod(p, &fm, &error)) {
        VLOG_ERR("%s: cannot add the default flow: %s", p->name, error);
        free(error);
    }
    ofp_flow_mod_uninit(&fm);
}

int
ofproto_create(const char *name, struct ofproto **ofprotop)
{
    if (ofproto_lookup(name)) {
        return EEXIST;
    }
    struct ofproto *p = xzalloc(sizeof *p);
    p->name = xstrdup(name);
    p->datapath_id = (uint64_t) hash_string(name, 0x5ca1ab1e) << 16
                     | (hash_string(name, 7) & 0xffff);
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        classifier_init(&p->tables[t].cls);
    }
    hmap_init(&p->ports);
    p->ml = mac_learning_create(MAC_LEARNING_DEFAULT_AGING,
                                MAC_LEARNING_DEFAULT_SIZE);
    p->created = ofproto_time_msec();
    atomic_init(&p->n_controller, 0);
    atomic_init(&p->n_resubmit_loops, 0);

    pthread_rwlock_wrlock(&ofproto_rwlock);
    hmap_insert(&all_ofprotos, &p->node, hash_string(name, 0));
    pthread_rwlock_unlock(&ofproto_rwlock);

    add_default_flow(p);
    ofproto_bump_version();
    VLOG_INFO("%s: created", name);
    *ofprotop = p;
    return 0;
}

static void
ofport_free(struct ofport *port)
{
    free(port->name);
    free(port);
}

void
ofproto_destroy(struct ofproto *p)
{
    if (!p) {
        return;
    }
    pthread_rwlock_wrlock(&ofproto_rwlock);
    hmap_remove(&all_ofprotos, &p->node);
    struct ofport *port;
    HMAP_FOR_EACH_SAFE (port, ofp_node, &p->ports) {
        hmap_remove(&p->ports, &port->ofp_node);
        hmap_remove(&all_dp_ports, &port->dp_node);
        ofport_free(port);
    }
    pthread_rwlock_unlock(&ofproto_rwlock);

    /* No reader can reach the bridge any more (upcalls find it through
     * its ports, under the lock): free its tables. */
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        struct classifier *cls = &p->tables[t].cls;
        struct cls_rule *cr;
        while ((cr = classifier_first(cls))) {
            classifier_remove(cls, cr);
            rule_free(rule_from_cls(cr));
        }
        classifier_destroy(cls);
    }
    hmap_destroy(&p->ports);
    mac_learning_destroy(p->ml);
    ofproto_bump_version();
    free(p->name);
    free(p);
}

void
ofproto_destroy_all(void)
{
    struct ofproto *p;
    while ((p = ofproto_first())) {
        ofproto_destroy(p);
    }
}

struct ofproto *
ofproto_lookup(const char *name)
{
    struct ofproto *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, hash_string(name, 0), &all_ofprotos) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

const char *
ofproto_name(const struct ofproto *p)
{
    return p->name;
}

struct ofproto *
ofproto_first(void)
{
    struct ofproto *p, *best = NULL;
    HMAP_FOR_EACH (p, node, &all_ofprotos) {
        if (!best || strcmp(p->name, best->name) < 0) {
            best = p;
        }
    }
    return best;
}

struct ofproto *
ofproto_next(const struct ofproto *prev)
{
    struct ofproto *p, *best = NULL;
    HMAP_FOR_EACH (p, node, &all_ofprotos) {
        if (strcmp(p->name, prev->name) > 0
            && (!best || strcmp(p->name, best->name) < 0)) {
            best = p;
        }
    }
    return best;
}

void
ofproto_set_mac_aging(struct ofproto *p, unsigned int secs)
{
    mac_learning_set_aging(p->ml, secs);
    ofproto_bump_version();
}

void
ofproto_set_mac_table_size(struct ofproto *p, size_t n)
{
    mac_learning_set_max(p->ml, n);
    ofproto_bump_version();
}

/* Ports. */

struct ofport *
ofproto_get_port(const struct ofproto *p, uint32_t ofp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_WITH_HASH (port, ofp_node, hash_int(ofp_port, 0),
                             &p->ports) {
        if (port->ofp_port == ofp_port) {
            return port;
        }
    }
    return NULL;
}

struct ofport *
ofport_from_dp_port(uint32_t dp_port)
{
    struct ofport *port;
    HMAP_FOR_EACH_WITH_HASH (port, dp_node, hash_int(dp_port, 0),
                             &all_dp_ports) {
        if (port->dp_port == dp_port) {
            return port;
        }
    }
    return NULL;
}

static struct ofport *
port_by_name(const struct ofproto *p, const char *name)
{
    struct ofport *port;
    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

bool
ofproto_port_by_name(const struct ofproto *p, const char *name,
                     uint32_t *ofp_port)
{
    struct ofport *port = port_by_name(p, name);
    if (port) {
        *ofp_port = port->ofp_port;
    }
    return port != NULL;
}

int
ofproto_port_set(struct ofproto *p, const struct ofproto_port_settings *s,
                 char **errorp)
{
    *errorp = NULL;
    if (!s->ofp_port
        || (s->ofp_port > OFPP_MAX && s->ofp_port != OFPP_LOCAL)) {
        *errorp = xasprintf("%s: port number %"PRIu32" is out of range",
                            s->name, s->ofp_port);
        return EINVAL;
    }
    char *error = vlan_port_config_check(&s->vlan);
    if (error) {
        *errorp = xasprintf("%s: %s", s->name, error);
        free(error);
        return EINVAL;
    }
    struct ofport *port = ofproto_get_port(p, s->ofp_port);
    struct ofport *named = port_by_name(p, s->name);
    struct ofport *dp = ofport_from_dp_port(s->dp_port);
    if (named && named != port) {
        *errorp = xasprintf("%s: name already used by port %"PRIu32,
                            s->name, named->ofp_port);
        return EINVAL;
    }
    if (dp && dp != port) {
        *errorp = xasprintf("%s: datapath port %"PRIu32" already used by %s",
                            s->name, s->dp_port, dp->name);
        return EINVAL;
    }

    pthread_rwlock_wrlock(&ofproto_rwlock);
    if (!port) {
        port = xzalloc(sizeof *port);
        port->ofproto = p;
        port->ofp_port = s->ofp_port;
        port->created = ofproto_time_msec();
        hmap_insert(&p->ports, &port->ofp_node, hash_int(s->ofp_port, 0));
    } else {
        hmap_remove(&all_dp_ports, &port->dp_node);
        free(port->name);
    }
    port->name = xstrdup(s->name);
    port->dp_port = s->dp_port;
    port->hw_addr = s->hw_addr;
    port->vlan = s->vlan;
    hmap_insert(&all_dp_ports, &port->dp_node, hash_int(s->dp_port, 0));
    pthread_rwlock_unlock(&ofproto_rwlock);

    /* What was learned on the port may not hold under new VLAN rules. */
    mac_learning_flush(p->ml, s->ofp_port);
    ofproto_bump_version();
    return 0;
}

int
ofproto_port_del(struct ofproto *p, uint32_t ofp_port)
{
    pthread_rwlock_wrlock(&ofproto_rwlock);
    struct ofport *port = ofproto_get_port(p, ofp_port);
    if (port) {
        hmap_remove(&p->ports, &port->ofp_node);
        hmap_remove(&all_dp_ports, &port->dp_node);
    }
    pthread_rwlock_unlock(&ofproto_rwlock);
    if (!port) {
        return ENOENT;
    }
    ofport_free(port);
    mac_learning_flush(p->ml, ofp_port);
    ofproto_bump_version();
    return 0;
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct ofport *const *a = a_, *const *b = b_;
    return (*a)->ofp_port < (*b)->ofp_port ? -1
           : (*a)->ofp_port > (*b)->ofp_port;
}

/* The bridge's ports sorted by number (LOCAL is the largest).  Free the
 * array. */
static struct ofport **
sorted_ports(const struct ofproto *p, size_t *n)
{
    struct ofport **ports = xcalloc(hmap_count(&p->ports) + 1,
                                    sizeof *ports);
    struct ofport *port;
    *n = 0;
    HMAP_FOR_EACH (port, ofp_node, &p->ports) {
        ports[(*n)++] = port;
    }
    qsort(ports, *n, sizeof *ports, compare_ports);
    return ports;
}

void
ofproto_describe(const struct ofproto *p, struct ofp_bridge_desc *desc)
{
    size_t n;
    struct ofport **ports = sorted_ports(p, &n);

    memset(desc, 0, sizeof *desc);
    desc->name = p->name;
    desc->datapath_id = p->datapath_id;
    desc->n_tables = OFP_N_TABLES;
    desc->ports = xcalloc(n + 1, sizeof *desc->ports);
    for (size_t i = 0; i < n; i++) {
        struct ofp_port_desc *d = &desc->ports[i];
        d->port_no = ports[i]->ofp_port;
        d->name = ports[i]->name;
        d->hw_addr = ports[i]->hw_addr;
        d->link_up = true;
    }
    desc->n_ports = n;
    free(ports);
}

int
ofproto_port_stats(const struct ofproto *p, uint32_t which,
                   struct ofp_port_stats **statsp, size_t *n_statsp)
{
    size_t n;
    struct ofport **ports = sorted_ports(p, &n);
    struct ofp_port_stats *stats = xcalloc(n + 1, sizeof *stats);
    size_t n_stats = 0;
    long long now = ofproto_time_msec();

    for (size_t i = 0; i < n; i++) {
        struct ofport *port = ports[i];
        if (which != OFPP_ANY && port->ofp_port != which) {
            continue;
        }
        struct ofp_port_stats *s = &stats[n_stats++];
        s->port_no = port->ofp_port;
        s->name = port->name;
        s->rx_packets = atomic_load(&port->rx_packets);
        s->rx_bytes = atomic_load(&port->rx_bytes);
        s->tx_packets = atomic_load(&port->tx_packets);
        s->tx_bytes = atomic_load(&port->tx_bytes);
        s->duration_sec = (now - port->created) / 1000;
    }
    free(ports);
    if (which != OFPP_ANY && !n_stats) {
        free(stats);
        return ENOENT;
    }
    *statsp = stats;
    *n_statsp = n_stats;
    return 0;
}

/* Flow mods. */

/* True if RULE's match is the same as or more specific than MATCH. */
static bool
rule_covered_by(const struct rule *rule, const struct match *match)
{
    const uint8_t *rf = (const uint8_t *) &rule->cr.flow;
    const uint8_t *rm = (const uint8_t *) &rule->cr.wc.masks;
    const uint8_t *mf = (const uint8_t *) &match->flow;
    const uint8_t *mm = (const uint8_t *) &match->wc.masks;
    for (size_t i = 0; i < sizeof(struct flow); i++) {
        if ((mm[i] & ~rm[i]) || ((rf[i] ^ mf[i]) & mm[i])) {
            return false;
        }
    }
    return true;
}

static bool
rule_selected(const struct rule *rule, const struct ofp_flow_mod *fm,
              bool strict)
{
    if (fm->cookie_mask
        && ((rule->cookie ^ fm->cookie) & fm->cookie_mask)) {
        return false;
    }
    if (strict) {
        if (rule->cr.priority != fm->priority) {
            return false;
        }
        struct cls_rule tmp;
        cls_rule_init(&tmp, &fm->match.flow, &fm->match.wc, fm->priority);
        if (!cls_rule_equal_match(&rule->cr, &tmp)) {
            return false;
        }
    } else if (!rule_covered_by(rule, &fm->match)) {
        return false;
    }
    if ((fm->command == OFP_FLOW_DELETE
         || fm->command == OFP_FLOW_DELETE_STRICT
         || fm->command == OFP_FLOW_QUERY)
        && fm->out_port != OFPP_ANY) {
        struct rule_actions *a = atomic_load(&rule->actions);
        return ofpacts_output_to_port(a->data, a->len, fm->out_port);
    }
    return true;
}

static bool
is_strict(enum ofp_flow_mod_command c)
{
    return c == OFP_FLOW_MODIFY_STRICT || c == OFP_FLOW_DELETE_STRICT;
}

/* Iterates RULE (a struct cls_rule *) over every rule of the tables FM
 * names, T being the table; callers filter with rule_selected(). */
#define FOR_EACH_SELECTED(RULE, P, FM, T)                               \
    for (size_t T = (FM)->table_id == OFP_TABLE_ALL ? 0 : (FM)->table_id; \
         T < ((FM)->table_id == OFP_TABLE_ALL ? OFP_N_TABLES            \
              : (size_t) (FM)->table_id + 1); T++)                      \
        CLASSIFIER_FOR_EACH (RULE, &(P)->tables[T].cls)

static char *
flow_mod_check(struct ofproto *p, const struct ofp_flow_mod *fm)
{
    char *error = NULL;

    if (fm->command == OFP_FLOW_ADD) {
        if (fm->table_id >= OFP_N_TABLES) {
            return xstrdup("add-flow needs a table from 0 to 254");
        }
        if (ofpacts_check(fm->ofpacts, fm->ofpacts_len, fm->table_id,
                          &error)) {
            return error;
        }
    } else if (fm->command == OFP_FLOW_MODIFY
               || fm->command == OFP_FLOW_MODIFY_STRICT) {
        struct cls_rule *cr;
        FOR_EACH_SELECTED (cr, p, fm, t) {
            struct rule *rule = rule_from_cls(cr);
            if (rule_selected(rule, fm, is_strict(fm->command))
                && ofpacts_check(fm->ofpacts, fm->ofpacts_len, t, &error)) {
                return error;
            }
        }
    } else if (fm->command == OFP_FLOW_QUERY) {
        return xstrdup("a query is not a flow mod");
    }
    return NULL;
}

static void
flow_mod_add(struct ofproto *p, const struct ofp_flow_mod *fm,
             struct garbage *g, long long now)
{
    struct classifier *cls = &p->tables[fm->table_id].cls;
    struct rule *rule = rule_create(p, fm->table_id, fm, now);
    struct rule *old = rule_from_cls(classifier_find_exactly(cls, &rule->cr));
    if (old) {
        atomic_store(&rule->n_packets, atomic_load(&old->n_packets));
        atomic_store(&rule->n_bytes, atomic_load(&old->n_bytes));
        classifier_remove(cls, &old->cr);
        garbage_rule(g, old);
    }
    classifier_insert(cls, &rule->cr);
    g->touched[fm->table_id] = true;
}

static void
flow_mod_modify(struct ofproto *p, const struct ofp_flow_mod *fm,
                struct garbage *g, long long now)
{
    struct cls_rule *cr;
    FOR_EACH_SELECTED (cr, p, fm, t) {
        struct rule *rule = rule_from_cls(cr);
        if (!rule_selected(rule, fm, is_strict(fm->command))) {
            continue;
        }
        struct rule_actions *a = rule_actions_create(fm->ofpacts,
                                                     fm->ofpacts_len);
        garbage_actions(g, atomic_exchange(&rule->actions, a));
        atomic_store(&rule->used, now);
    }
}

static void
flow_mod_delete(struct ofproto *p, const struct ofp_flow_mod *fm,
                struct garbage *g)
{
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        if (fm->table_id != OFP_TABLE_ALL && fm->table_id != t) {
            continue;
        }
        struct classifier *cls = &p->tables[t].cls;
        struct cls_rule *cr, *next;
        for (cr = classifier_first(cls); cr; cr = next) {
            next = classifier_next(cls, cr);
            struct rule *rule = rule_from_cls(cr);
            if (rule_selected(rule, fm, is_strict(fm->command))) {
                garbage_rule(g, rule);
            }
        }
    }
}

int
ofproto_flow_mods(struct ofproto *p, const struct ofp_flow_mod *fms,
                  size_t n, char **errorp)
{
    *errorp = NULL;
    for (size_t i = 0; i < n; i++) {
        char *error = flow_mod_check(p, &fms[i]);
        if (error) {
            *errorp = n > 1 ? xasprintf("flow %zu: %s", i + 1, error) : error;
            if (n > 1) {
                free(error);
            }
            return EINVAL;
        }
    }

    struct garbage g;
    memset(&g, 0, sizeof g);
    long long now = ofproto_time_msec();
    for (size_t i = 0; i < n; i++) {
        const struct ofp_flow_mod *fm = &fms[i];
        size_t first_garbage = g.n_rules;
        switch (fm->command) {
        case OFP_FLOW_ADD:
            flow_mod_add(p, fm, &g, now);
            break;
        case OFP_FLOW_MODIFY:
        case OFP_FLOW_MODIFY_STRICT:
            flow_mod_modify(p, fm, &g, now);
            break;
        case OFP_FLOW_DELETE:
        case OFP_FLOW_DELETE_STRICT:
            flow_mod_delete(p, fm, &g);
            for (size_t j = first_garbage; j < g.n_rules; j++) {
                struct rule *rule = g.rules[j];
                classifier_remove(&p->tables[rule->table_id].cls, &rule->cr);
            }
            break;
        case OFP_FLOW_QUERY:
        default:
            break;
        }
    }
    garbage_collect(p, &g);
    return 0;
}

size_t
ofproto_n_flows(const struct ofproto *p)
{
    size_t n = 0;
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        n += classifier_count(&p->tables[t].cls);
    }
    return n;
}

static int
compare_stats(const void *a_, const void *b_)
{
    const struct ofp_flow_stats *a = a_, *b = b_;
    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    /* Any stable order will do among equal priorities. */
    return memcmp(&a->match, &b->match, sizeof a->match);
}

void
ofproto_dump_flows(struct ofproto *p, const struct ofp_flow_mod *filter,
                   struct ofp_flow_stats **statsp, size_t *n_statsp)
{
    struct ofp_flow_mod all;
    size_t n = 0, alloc = ofproto_n_flows(p) + 1;
    struct ofp_flow_stats *stats = xcalloc(alloc, sizeof *stats);
    long long now = ofproto_time_msec();

    if (!filter) {
        ofp_flow_mod_init(&all, OFP_FLOW_QUERY);
        filter = &all;
    }
    struct cls_rule *cr;
    FOR_EACH_SELECTED (cr, p, filter, t) {
        struct rule *rule = rule_from_cls(cr);
        if (!rule_selected(rule, filter, false)) {
            continue;
        }
        struct ofp_flow_stats *s = &stats[n++];
        struct rule_actions *a = atomic_load(&rule->actions);
        long long age = now - rule->created;
        s->table_id = rule->table_id;
        s->priority = rule->cr.priority;
        s->cookie = rule->cookie;
        s->duration_sec = age / 1000;
        s->duration_nsec = (age % 1000) * 1000000;
        s->idle_timeout = rule->idle_timeout;
        s->hard_timeout = rule->hard_timeout;
        s->idle_age = (now - atomic_load(&rule->used)) / 1000;
        s->n_packets = atomic_load(&rule->n_packets);
        s->n_bytes = atomic_load(&rule->n_bytes);
        s->match.flow = rule->cr.flow;
        s->match.wc = rule->cr.wc;
        s->ofpacts = a->data;
        s->ofpacts_len = a->len;
    }
    qsort(stats, n, sizeof *stats, compare_stats);
    if (filter == &all) {
        ofp_flow_mod_uninit(&all);
    }
    *statsp = stats;
    *n_statsp = n;
}

/* Expiry. */

static bool
rule_expired(const struct rule *rule, long long now)
{
    if (rule->hard_timeout
        && now - rule->created >= rule->hard_timeout * 1000LL) {
        return true;
    }
    return rule->idle_timeout
           && now - atomic_load(&rule->used) >= rule->idle_timeout * 1000LL;
}

static void
ofproto_expire(struct ofproto *p, long long now)
{
    struct garbage g;
    memset(&g, 0, sizeof g);
    for (size_t t = 0; t < OFP_N_TABLES; t++) {
        struct classifier *cls = &p->tables[t].cls;
        struct cls_rule *cr, *next;
        for (cr = classifier_first(cls); cr; cr = next) {
            next = classifier_next(cls, cr);
            struct rule *rule = rule_from_cls(cr);
            if (rule_expired(rule, now)) {
                classifier_remove(cls, cr);
                garbage_rule(&g, rule);
            }
        }
    }
    if (g.n_rules) {
        VLOG_DBG("%s: %zu flows expired", p->name, g.n_rules);
    }
    garbage_collect(p, &g);
    if (mac_learning_expire(p->ml, now)) {
        ofproto_bump_version();
    }
}

void
ofproto_run(void)
{
    long long now = ofproto_time_msec();
    if (now >= next_expiry) {
        struct ofproto *p;
        HMAP_FOR_EACH (p, node, &all_ofprotos) {
            ofproto_expire(p, now);
        }
        next_expiry = now + EXPIRY_INTERVAL_MS;
    }
    rcu_run();
}

void
ofproto_wait(void)
{
    /* next_expiry is on the slow path's clock, which a test may warp. */
    poll_timer_wait(MAX(next_expiry - ofproto_time_msec(), 0));
}
