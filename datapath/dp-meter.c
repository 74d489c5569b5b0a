/* dp-meter: a fixed table of rte_meter srTCM / trTCM meters. */
#include <config.h>

#include "dp-meter.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_meter.h>
#include <rte_spinlock.h>

#include "util.h"

#define DP_METER_MAX_IDS (UINT32_C(1) << 20)

struct dp_meter {
    rte_spinlock_t lock;
    bool in_use;
    struct dp_meter_config cfg;
    union {
        struct {
            struct rte_meter_srtcm_profile profile;
            struct rte_meter_srtcm m;
        } sr;
        struct {
            struct rte_meter_trtcm_profile profile;
            struct rte_meter_trtcm m;
        } tr;
    };
    struct dp_meter_stats stats;
} __attribute__((aligned(64)));

struct dp_meter_table {
    uint32_t max;
    struct dp_meter *meters;
};

struct dp_meter_table *
dp_meter_table_create(uint32_t max_meters)
{
    if (!max_meters || max_meters > DP_METER_MAX_IDS) {
        return NULL;
    }
    struct dp_meter_table *t = xzalloc(sizeof *t);
    t->max = max_meters;
    if (posix_memalign((void **) &t->meters, 64,
                       max_meters * sizeof *t->meters)) {
        skiff_fatal(0, "out of memory allocating %"PRIu32" meters",
                    max_meters);
    }
    memset(t->meters, 0, max_meters * sizeof *t->meters);
    for (uint32_t i = 0; i < max_meters; i++) {
        rte_spinlock_init(&t->meters[i].lock);
    }
    return t;
}

void
dp_meter_table_destroy(struct dp_meter_table *t)
{
    if (t) {
        free(t->meters);
        free(t);
    }
}

uint32_t
dp_meter_table_max(const struct dp_meter_table *t)
{
    return t->max;
}

/* Configures M (not yet locked or in use) from CFG. */
static int
meter_config(struct dp_meter *m, const struct dp_meter_config *cfg)
{
    if (cfg->type == DP_METER_SRTCM) {
        struct rte_meter_srtcm_params p = {
            .cir = cfg->cir, .cbs = cfg->cbs, .ebs = cfg->ebs,
        };
        if (!cfg->cir || !cfg->cbs
            || rte_meter_srtcm_profile_config(&m->sr.profile, &p)
            || rte_meter_srtcm_config(&m->sr.m, &m->sr.profile)) {
            return EINVAL;
        }
    } else if (cfg->type == DP_METER_TRTCM) {
        struct rte_meter_trtcm_params p = {
            .cir = cfg->cir, .pir = cfg->pir,
            .cbs = cfg->cbs, .pbs = cfg->pbs,
        };
        if (!cfg->cir || !cfg->cbs || !cfg->pbs || cfg->pir < cfg->cir
            || rte_meter_trtcm_profile_config(&m->tr.profile, &p)
            || rte_meter_trtcm_config(&m->tr.m, &m->tr.profile)) {
            return EINVAL;
        }
    } else {
        return EINVAL;
    }
    m->cfg = *cfg;
    return 0;
}

int
dp_meter_set(struct dp_meter_table *t, uint32_t id,
             const struct dp_meter_config *cfg)
{
    if (id >= t->max) {
        return EINVAL;
    }

    /* Validate on a scratch copy so that a bad config changes nothing. */
    struct dp_meter scratch;
    memset(&scratch, 0, sizeof scratch);
    int error = meter_config(&scratch, cfg);
    if (error) {
        return error;
    }

    struct dp_meter *m = &t->meters[id];
    rte_spinlock_lock(&m->lock);
    m->cfg = scratch.cfg;
    if (cfg->type == DP_METER_SRTCM) {
        m->sr = scratch.sr;
    } else {
        m->tr = scratch.tr;
    }
    if (!m->in_use) {
        memset(&m->stats, 0, sizeof m->stats);
    }
    m->in_use = true;
    rte_spinlock_unlock(&m->lock);
    return 0;
}

int
dp_meter_del(struct dp_meter_table *t, uint32_t id)
{
    if (id >= t->max) {
        return EINVAL;
    }
    struct dp_meter *m = &t->meters[id];
    rte_spinlock_lock(&m->lock);
    int error = m->in_use ? 0 : ENOENT;
    m->in_use = false;
    rte_spinlock_unlock(&m->lock);
    return error;
}

int
dp_meter_get(struct dp_meter_table *t, uint32_t id,
             struct dp_meter_config *cfg, struct dp_meter_stats *stats)
{
    if (id >= t->max) {
        return EINVAL;
    }
    struct dp_meter *m = &t->meters[id];
    rte_spinlock_lock(&m->lock);
    int error = m->in_use ? 0 : ENOENT;
    if (!error) {
        if (cfg) {
            *cfg = m->cfg;
        }
        if (stats) {
            *stats = m->stats;
        }
    }
    rte_spinlock_unlock(&m->lock);
    return error;
}

int
dp_meter_clear_stats(struct dp_meter_table *t, uint32_t id)
{
    if (id >= t->max) {
        return EINVAL;
    }
    struct dp_meter *m = &t->meters[id];
    rte_spinlock_lock(&m->lock);
    int error = m->in_use ? 0 : ENOENT;
    if (!error) {
        memset(&m->stats, 0, sizeof m->stats);
    }
    rte_spinlock_unlock(&m->lock);
    return error;
}

size_t
dp_meter_police(struct dp_meter_table *t, uint32_t id,
                struct rte_mbuf *const pkts[], size_t n, uint64_t now,
                bool pass[])
{
    size_t n_pass = 0;

    if (!t || id >= t->max) {
        goto pass_all;
    }

    struct dp_meter *m = &t->meters[id];
    rte_spinlock_lock(&m->lock);
    if (!m->in_use) {
        rte_spinlock_unlock(&m->lock);
        goto pass_all;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
        enum rte_color c;
        if (m->cfg.type == DP_METER_SRTCM) {
            c = rte_meter_srtcm_color_blind_check(&m->sr.m, &m->sr.profile,
                                                  now, len);
        } else {
            c = rte_meter_trtcm_color_blind_check(&m->tr.m, &m->tr.profile,
                                                  now, len);
        }
        enum dp_meter_color color = (c == RTE_COLOR_GREEN ? DP_METER_GREEN
                                     : c == RTE_COLOR_YELLOW
                                     ? DP_METER_YELLOW : DP_METER_RED);
        m->stats.packets[color]++;
        m->stats.bytes[color] += len;
        pass[i] = color != DP_METER_RED;
        n_pass += pass[i];
    }
    rte_spinlock_unlock(&m->lock);
    return n_pass;

pass_all:
    for (size_t i = 0; i < n; i++) {
        pass[i] = true;
    }
    return n;
}
