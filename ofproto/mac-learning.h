/*
 * mac-learning: the table NORMAL forwards by, MAC address and VLAN to
 * port.
 *
 * Each entry maps (VLAN, MAC) to the OpenFlow port the address was last
 * seen on, and when.  An entry not refreshed for the aging time is gone;
 * when the table is full, learning a new address evicts the entry that
 * was refreshed least recently (nearly: refreshes may arrive a little out
 * of order); an address seen on another port moves there.  Times are
 * milliseconds from the caller's clock, so tests drive aging without
 * waiting.
 *
 * Thread-safe: PMD threads learn and look up at once through an internal
 * mutex held for a few hash probes.
 */
#ifndef SKIFF_MAC_LEARNING_H
#define SKIFF_MAC_LEARNING_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packets.h"

struct ds;

#define MAC_LEARNING_DEFAULT_AGING 300      /* Seconds. */
#define MAC_LEARNING_DEFAULT_SIZE 8192      /* Entries. */

struct mac_learning;

struct mac_learning *mac_learning_create(unsigned int aging_secs,
                                         size_t max_entries);
void mac_learning_destroy(struct mac_learning *);

/* Aging from 1 second up; a smaller table drops its oldest entries. */
void mac_learning_set_aging(struct mac_learning *, unsigned int secs);
void mac_learning_set_max(struct mac_learning *, size_t max_entries);
unsigned int mac_learning_get_aging(const struct mac_learning *);
size_t mac_learning_get_max(const struct mac_learning *);

enum mac_learning_change {
    MAC_LEARNING_REFRESHED,     /* Known, same port: only its age reset. */
    MAC_LEARNING_NEW,           /* Learned now. */
    MAC_LEARNING_MOVED,         /* Known on another port: moved. */
};

/* Learns that MAC on VLAN is behind PORT at time NOW (msec).  Multicast
 * source addresses are never learned (REFRESHED is returned).  NOW may be
 * a little in the past (stats pushed from the datapath): a sighting older
 * than the entry's last one changes nothing (REFRESHED), so it cannot move
 * the address back to a port it has left. */
enum mac_learning_change mac_learning_learn(struct mac_learning *,
                                            uint16_t vlan,
                                            struct eth_addr mac,
                                            uint32_t port, long long now);

/* Returns true and *PORT if MAC on VLAN is known and not aged out. */
bool mac_learning_lookup(struct mac_learning *, uint16_t vlan,
                         struct eth_addr mac, long long now,
                         uint32_t *port);

/* Removes entries older than the aging time; returns how many. */
size_t mac_learning_expire(struct mac_learning *, long long now);
/* Removes every entry (PORT: only those on PORT; UINT32_MAX: all); returns
 * how many. */
size_t mac_learning_flush(struct mac_learning *, uint32_t port);
size_t mac_learning_count(struct mac_learning *);

/* Appends the table as "fdb/show" prints it:
 *    port  VLAN  MAC                Age
 *       1    10  02:00:00:00:00:01    3
 * PORT_NAME(port, aux) may give a name for the port column (or NULL). */
void mac_learning_format(struct mac_learning *, struct ds *, long long now,
                         const char *(*port_name)(uint32_t port, void *aux),
                         void *aux);

#endif /* mac-learning.h */
