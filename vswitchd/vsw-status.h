/*
 * vsw-status: writes what runs back to the database.
 *
 * For every Interface row of a running bridge: ofport (-1 when the
 * interface has no port, 65534 for a bridge's local port, as OVSDB
 * clients expect), error, admin_state, link_state, mac_in_use, mtu,
 * status (driver_name) and, when asked, statistics (the datapath's
 * counters).  For the Open_vSwitch row:
 * cur_cfg, once the configuration numbered next_cfg has been applied, so
 * that "skiff-vsctl" (which waits for cur_cfg to catch up) returns when
 * the switch has done what it asked.
 *
 * Only values that differ from the replica's are sent, so an idle switch
 * writes nothing but its periodic statistics.
 */
#ifndef SKIFF_VSW_STATUS_H
#define SKIFF_VSW_STATUS_H 1

#include <stdbool.h>
#include <stdint.h>

struct db_idl;
struct dpif;

/* Writes the status of every interface (with statistics if WITH_STATS)
 * and, if CUR_CFG >= 0, Open_vSwitch.cur_cfg.  Returns 0, or EAGAIN if the
 * commit did not succeed (the caller tries again later). */
int vsw_status_write(struct db_idl *, struct dpif *, bool with_stats,
                     int64_t cur_cfg);

#endif /* vsw-status.h */
