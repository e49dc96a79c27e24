/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The glue's per-context state (struct evpl_glue, glue.h): registered with
 * the core as an extension, so that every context carries it and the core
 * never looks inside; set up from the caller's configuration, torn down at
 * evpl_destroy(), and read out as the context's counters.
 */

#include <string.h>

#include <rte_debug.h>

#include "glue.h"

/* The transmit settings the configuration asks for. */
static int
evpl_glue_init(
    struct evpl              *evpl,
    const struct evpl_config *config,
    void                     *state)
{
    struct evpl_glue *g = state;

    /* A copy must fit a fresh mbuf behind its headroom. */
    g->tx_copy_max = RTE_MIN(config->tx_copy_max ? config->tx_copy_max :
                             EVPL_DPDK_TX_COPY_MAX,
                             evpl->room - evpl->headroom);
    g->rx.keep = g->rx.own;
    g->rx.cap  = EVPL_RX_KEEP_MAX;
    return 0;
}

/* Received packets the caller never had room for: nobody else can reach
 * them once the context is gone. */
static void
evpl_glue_fini(
    struct evpl *evpl,
    void        *state)
{
    struct evpl_glue *g = state;

    RTE_SET_USED(evpl);
    evpl_rx_store_fini(&g->rx);
}

/* The context holds a reference on each segment of each kept packet. */
static void
evpl_glue_foreach_held(
    const struct evpl *evpl,
    const void        *state,
    void             (*fn)(const struct rte_mbuf *seg, void *arg),
    void              *arg)
{
    const struct evpl_glue *g = state;

    RTE_SET_USED(evpl);
    evpl_rx_store_foreach(&g->rx, fn, arg);
}

struct evpl_ext evpl_glue_ext = {
    .name         = "dpdk_glue",
    .size         = sizeof(struct evpl_glue),
    .init         = evpl_glue_init,
    .fini         = evpl_glue_fini,
    .foreach_held = evpl_glue_foreach_held,
};

RTE_INIT(evpl_glue_ext_register)
{
    evpl_ext_register(&evpl_glue_ext);
    /* evpl_glue() relies on it. */
    if (evpl_glue_ext.offset != EVPL_EXT_FIRST_OFFSET)
        rte_panic("evpl: the DPDK glue's state is not the first "
                  "extension's\n");
}

void
evpl_glue_stats_read(
    const struct evpl      *evpl,
    struct evpl_dpdk_stats *st)
{
    const struct evpl_glue *g = evpl_glue(evpl);

#define EVPL_GLUE_READ_(name) \
    st->name = __atomic_load_n(&g->stats.name, __ATOMIC_RELAXED);
    EVPL_DPDK_STATS_FOREACH(EVPL_GLUE_READ_)
#undef EVPL_GLUE_READ_
    st->alloc_nomem = __atomic_load_n(&evpl->stats.alloc_nomem,
                                      __ATOMIC_RELAXED);
}

EVPL_EXPORT int
evpl_dpdk_stats_get(
    const struct evpl      *evpl,
    struct evpl_dpdk_stats *stats)
{
    if (evpl == NULL || stats == NULL)
        return evpl_fail(EINVAL);
    evpl_glue_stats_read(evpl, stats);
    return 0;
}

EVPL_EXPORT void
evpl_dpdk_stats_reset(struct evpl *evpl)
{
    if (evpl == NULL)
        return;
    memset(&evpl_glue(evpl)->stats, 0, sizeof(evpl_glue(evpl)->stats));
    memset(&evpl->stats, 0, sizeof(evpl->stats));
}
