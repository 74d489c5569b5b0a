/*
 * dp-meter: the datapath's meter table, for DP_ACTION_POLICE.
 *
 * A meter table has a fixed number of ids, 0 to max - 1, set at creation.
 * Each id is unused or holds a meter: a single-rate (srTCM, RFC 2697) or
 * two-rate (trTCM, RFC 2698) three-color marker from DPDK's rte_meter, in
 * color-blind mode.  Policing passes green and yellow packets and drops red
 * ones.  Rates are bytes per second, bursts bytes (the whole frame is
 * counted).
 *
 * Threads: several PMDs may police with the same meter, and the control
 * thread configures meters at any time.  Each meter has a spinlock, taken
 * once per burst by dp_meter_police() and by dp_meter_set() / _del() /
 * _get_stats(); the table itself never changes size, so ids need no other
 * protection.
 *
 * Time: dp_meter_police() takes the TSC time (rte_rdtsc()) from the caller,
 * so tests can use a fake clock; rates are converted with rte_get_tsc_hz(),
 * which needs EAL to be initialized.
 *
 * Errors: control functions return 0 or a positive errno value: EINVAL for
 * an id out of range or a bad config (zero rate, zero burst, pir < cir),
 * ENOENT for an unused id.
 */
#ifndef SKIFF_DP_METER_H
#define SKIFF_DP_METER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;

enum dp_meter_type {
    DP_METER_SRTCM,             /* cir, cbs, ebs. */
    DP_METER_TRTCM,             /* cir, pir, cbs, pbs. */
};

struct dp_meter_config {
    enum dp_meter_type type;
    uint64_t cir;               /* Committed rate, bytes/s. */
    uint64_t cbs;               /* Committed burst, bytes. */
    uint64_t ebs;               /* srTCM: excess burst, bytes (may be 0). */
    uint64_t pir;               /* trTCM: peak rate, bytes/s (>= cir). */
    uint64_t pbs;               /* trTCM: peak burst, bytes. */
};

enum dp_meter_color {
    DP_METER_GREEN,
    DP_METER_YELLOW,
    DP_METER_RED,
    DP_METER_N_COLORS
};

struct dp_meter_stats {
    uint64_t packets[DP_METER_N_COLORS];
    uint64_t bytes[DP_METER_N_COLORS];
};

struct dp_meter_table;

/* A table with MAX_METERS ids (1 to 1 << 20), all unused. */
struct dp_meter_table *dp_meter_table_create(uint32_t max_meters);
void dp_meter_table_destroy(struct dp_meter_table *);
uint32_t dp_meter_table_max(const struct dp_meter_table *);

/* Creates meter ID, or reconfigures it (its buckets restart full and its
 * stats are kept). */
int dp_meter_set(struct dp_meter_table *, uint32_t id,
                 const struct dp_meter_config *);
int dp_meter_del(struct dp_meter_table *, uint32_t id);
int dp_meter_get(struct dp_meter_table *, uint32_t id,
                 struct dp_meter_config *, struct dp_meter_stats *);
int dp_meter_clear_stats(struct dp_meter_table *, uint32_t id);

/* Meters the N packets of PKTS with meter ID at TSC time NOW: PASS[i] is
 * true for green and yellow packets, false for red.  An unused or out of
 * range id passes every packet (a meter removed while flows still use it
 * must not black-hole traffic).  Returns the number of packets passed. */
size_t dp_meter_police(struct dp_meter_table *, uint32_t id,
                       struct rte_mbuf *const pkts[], size_t n,
                       uint64_t now, bool pass[]);

#endif /* dp-meter.h */
