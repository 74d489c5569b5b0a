/* mac-learning: the (VLAN, MAC) -> port table with aging and a limit. */
#include <config.h>

#include "mac-learning.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dynamic-string.h"
#include "hash.h"
#include "hmap.h"
#include "list.h"
#include "util.h"

struct mac_entry {
    struct hmap_node node;      /* In 'table', by (vlan, mac). */
    struct list lru;            /* In 'lru', least recently seen first. */
    uint16_t vlan;
    struct eth_addr mac;
    uint32_t port;
    long long used;             /* Last seen, msec. */
};

struct mac_learning {
    pthread_mutex_t mutex;
    struct hmap table;
    struct list lru;
    unsigned int aging_secs;
    size_t max_entries;
};

static uint32_t
mac_hash(uint16_t vlan, struct eth_addr mac)
{
    uint32_t h = hash_add(0, vlan);
    h = hash_add(h, (uint32_t) mac.ea[0] << 8 | mac.ea[1]);
    h = hash_add(h, (uint32_t) mac.ea[2] << 24 | mac.ea[3] << 16
                    | mac.ea[4] << 8 | mac.ea[5]);
    return hash_finish(h, 8);
}

struct mac_learning *
mac_learning_create(unsigned int aging_secs, size_t max_entries)
{
    struct mac_learning *ml = xzalloc(sizeof *ml);
    pthread_mutex_init(&ml->mutex, NULL);
    hmap_init(&ml->table);
    list_init(&ml->lru);
    ml->aging_secs = MAX(aging_secs, 1);
    ml->max_entries = MAX(max_entries, 1);
    return ml;
}

static void
entry_remove(struct mac_learning *ml, struct mac_entry *e)
{
    hmap_remove(&ml->table, &e->node);
    list_remove(&e->lru);
    free(e);
}

void
mac_learning_destroy(struct mac_learning *ml)
{
    if (ml) {
        mac_learning_flush(ml, UINT32_MAX);
        hmap_destroy(&ml->table);
        pthread_mutex_destroy(&ml->mutex);
        free(ml);
    }
}

static void
trim_locked(struct mac_learning *ml)
{
    while (hmap_count(&ml->table) > ml->max_entries) {
        entry_remove(ml, CONTAINER_OF(ml->lru.next, struct mac_entry, lru));
    }
}

void
mac_learning_set_aging(struct mac_learning *ml, unsigned int secs)
{
    pthread_mutex_lock(&ml->mutex);
    ml->aging_secs = MAX(secs, 1);
    pthread_mutex_unlock(&ml->mutex);
}

void
mac_learning_set_max(struct mac_learning *ml, size_t max_entries)
{
    pthread_mutex_lock(&ml->mutex);
    ml->max_entries = MAX(max_entries, 1);
    trim_locked(ml);
    pthread_mutex_unlock(&ml->mutex);
}

unsigned int
mac_learning_get_aging(const struct mac_learning *ml)
{
    return ml->aging_secs;
}

size_t
mac_learning_get_max(const struct mac_learning *ml)
{
    return ml->max_entries;
}

static struct mac_entry *
find_locked(struct mac_learning *ml, uint16_t vlan, struct eth_addr mac)
{
    struct mac_entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, mac_hash(vlan, mac), &ml->table) {
        if (e->vlan == vlan && !memcmp(&e->mac, &mac, sizeof mac)) {
            return e;
        }
    }
    return NULL;
}

static bool
is_expired(const struct mac_learning *ml, const struct mac_entry *e,
           long long now)
{
    return now - e->used >= (long long) ml->aging_secs * 1000;
}

enum mac_learning_change
mac_learning_learn(struct mac_learning *ml, uint16_t vlan,
                   struct eth_addr mac, uint32_t port, long long now)
{
    enum mac_learning_change change = MAC_LEARNING_REFRESHED;

    if (eth_addr_is_multicast(mac)) {
        return change;
    }
    pthread_mutex_lock(&ml->mutex);
    struct mac_entry *e = find_locked(ml, vlan, mac);
    if (e && is_expired(ml, e, now)) {
        entry_remove(ml, e);
        e = NULL;
    }
    if (!e) {
        e = xzalloc(sizeof *e);
        e->vlan = vlan;
        e->mac = mac;
        e->port = port;
        hmap_insert(&ml->table, &e->node, mac_hash(vlan, mac));
        list_push_back(&ml->lru, &e->lru);
        change = MAC_LEARNING_NEW;
        trim_locked(ml);
    } else if (now < e->used) {
        /* Older than the last sighting (a megaflow's stats pushed late):
         * that one stands. */
        pthread_mutex_unlock(&ml->mutex);
        return change;
    } else {
        if (e->port != port) {
            e->port = port;
            change = MAC_LEARNING_MOVED;
        }
        list_remove(&e->lru);
        list_push_back(&ml->lru, &e->lru);
    }
    e->used = now;
    pthread_mutex_unlock(&ml->mutex);
    return change;
}

bool
mac_learning_lookup(struct mac_learning *ml, uint16_t vlan,
                    struct eth_addr mac, long long now, uint32_t *port)
{
    bool found = false;

    pthread_mutex_lock(&ml->mutex);
    struct mac_entry *e = find_locked(ml, vlan, mac);
    if (e && !is_expired(ml, e, now)) {
        *port = e->port;
        found = true;
    }
    pthread_mutex_unlock(&ml->mutex);
    return found;
}

size_t
mac_learning_expire(struct mac_learning *ml, long long now)
{
    size_t n = 0;
    struct mac_entry *e;

    pthread_mutex_lock(&ml->mutex);
    /* The whole list: sightings may arrive a little out of order (see
     * mac_learning_learn()), so it is only nearly sorted. */
    LIST_FOR_EACH_SAFE (e, lru, &ml->lru) {
        if (is_expired(ml, e, now)) {
            entry_remove(ml, e);
            n++;
        }
    }
    pthread_mutex_unlock(&ml->mutex);
    return n;
}

size_t
mac_learning_flush(struct mac_learning *ml, uint32_t port)
{
    size_t n = 0;
    struct mac_entry *e;

    pthread_mutex_lock(&ml->mutex);
    LIST_FOR_EACH_SAFE (e, lru, &ml->lru) {
        if (port == UINT32_MAX || e->port == port) {
            entry_remove(ml, e);
            n++;
        }
    }
    pthread_mutex_unlock(&ml->mutex);
    return n;
}

size_t
mac_learning_count(struct mac_learning *ml)
{
    pthread_mutex_lock(&ml->mutex);
    size_t n = hmap_count(&ml->table);
    pthread_mutex_unlock(&ml->mutex);
    return n;
}

void
mac_learning_format(struct mac_learning *ml, struct ds *s, long long now,
                    const char *(*port_name)(uint32_t port, void *aux),
                    void *aux)
{
    struct mac_entry *e;

    ds_put_cstr(s, " port  VLAN  MAC                Age\n");
    pthread_mutex_lock(&ml->mutex);
    LIST_FOR_EACH (e, lru, &ml->lru) {
        if (is_expired(ml, e, now)) {
            continue;
        }
        const char *name = port_name ? port_name(e->port, aux) : NULL;
        if (name) {
            ds_put_format(s, "%5s", name);
        } else {
            ds_put_format(s, "%5"PRIu32, e->port);
        }
        const uint8_t *a = e->mac.ea;
        ds_put_format(s, "  %4u  %02x:%02x:%02x:%02x:%02x:%02x  %4lld\n",
                      e->vlan, a[0], a[1], a[2], a[3], a[4], a[5],
                      (now - e->used) / 1000);
    }
    pthread_mutex_unlock(&ml->mutex);
}
