/* SPDX-License-Identifier: LGPL-2.1-only */

/* Port and queue set-up with offloads chosen for reference-counted mbufs. */

/* rte_eth_dev_conf_get(): experimental in 22.11, and the only way to read
 * a port's port-wide TX offloads back. */
#define ALLOW_EXPERIMENTAL_API

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "glue.h"

/* evpl_dpdk_port_conf's defaults (its zero fields): one queue each way,
 * and descriptor rings as deep as testpmd's, which absorb a burst of 32
 * many times over while the lcore is away. */
#define EVPL_PORT_DEFAULT_NB_QUEUES 1
#define EVPL_PORT_DEFAULT_NB_DESC   1024

/*
 * What the bursts need to know of a port, learnt once: from
 * evpl_dpdk_port_setup(), or, for a port the application set up itself,
 * from ethdev on first use. ethdev's bursts do not check queue ids, so the
 * queue counts are what keeps a bad one from reaching a driver.
 */
struct evpl_port_caps evpl_port_caps_[RTE_MAX_ETHPORTS];

static uint16_t
evpl_port_max_segs(
    const struct rte_eth_dev_info *info,
    uint64_t                       tx_offloads)
{
    uint16_t n;

    if (!(tx_offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
        return 1;
    n = RTE_MIN(info->tx_desc_lim.nb_seg_max, info->tx_desc_lim.nb_mtu_seg_max);
    return n ? n : 1;
}

static void
evpl_port_caps_fill(
    struct evpl_port_caps         *c,
    const struct rte_eth_dev_info *info,
    uint64_t                       tx_offloads)
{
    c->max_segs = evpl_port_max_segs(info, tx_offloads);
    c->nb_rxq   = info->nb_rx_queues;
    c->nb_txq   = info->nb_tx_queues;
}

static void
evpl_port_caps_publish(
    uint16_t                     port_id,
    const struct evpl_port_caps *fresh)
{
    struct evpl_port_caps *c = &evpl_port_caps_[port_id];

    c->max_segs = fresh->max_segs;
    c->nb_rxq   = fresh->nb_rxq;
    c->nb_txq   = fresh->nb_txq;
    /* A port not configured yet is asked again next time. */
    __atomic_store_n(&c->known, c->nb_rxq > 0 || c->nb_txq > 0,
                     __ATOMIC_RELEASE);
}

/*
 * A port the application set up itself, or one asked again because a
 * queue id missed: chains only if MULTI_SEGS is on, for the whole port
 * (ethdev keeps port-wide offloads out of each queue's own) or for TX
 * queue 0, as far as the driver reports it.
 *
 * A record already known changes only when the port's queue counts have:
 * a bad queue id asks again, and must leave nothing changed when the port
 * is as it was (a driver that cannot report its queue offloads would
 * otherwise take MULTI_SEGS away from a port evpl_dpdk_port_setup() gave
 * it to).
 */
const struct evpl_port_caps *
evpl_port_caps_learn(uint16_t port_id)
{
    struct evpl_port_caps  *c = &evpl_port_caps_[port_id];
    struct evpl_port_caps   fresh;
    struct rte_eth_dev_info info;
    struct rte_eth_txq_info qinfo;
    struct rte_eth_conf     conf;
    uint64_t                offloads = 0;

    if (!rte_eth_dev_is_valid_port(port_id))
        return NULL;
    if (rte_eth_dev_info_get(port_id, &info) != 0)
        memset(&info, 0, sizeof(info));
    if (rte_eth_dev_conf_get(port_id, &conf) == 0)
        offloads |= conf.txmode.offloads;
    if (rte_eth_tx_queue_info_get(port_id, 0, &qinfo) == 0)
        offloads |= qinfo.conf.offloads;
    evpl_port_caps_fill(&fresh, &info, offloads);
    if (__atomic_load_n(&c->known, __ATOMIC_ACQUIRE) &&
        fresh.nb_rxq == c->nb_rxq && fresh.nb_txq == c->nb_txq)
        return c;
    evpl_port_caps_publish(port_id, &fresh);
    return c;
}

/* ethdev returns -errno; the library's rule is -1 with errno. The line
 * names the port and the ethdev call that failed (which logs its own
 * reason): ERR when it ran out of memory, else DEBUG, as for the
 * configuration's own causes below. */
static int __rte_format_printf(3, 4)
evpl_eth_fail(
    uint16_t    port_id,
    int         ret,
    const char *fmt,
    ...)
{
    int     err = ret < 0 ? -ret : EIO;
    char    call[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(call, sizeof(call), fmt, ap);
    va_end(ap);
    if (err == ENOMEM)
        EVPL_LOG(ERR, "evpl_dpdk_port_setup: port %u: %s: %s", port_id, call,
                 rte_strerror(err));
    else
        EVPL_LOG(DEBUG, "evpl_dpdk_port_setup: port %u: %s: %s", port_id,
                 call, rte_strerror(err));
    return evpl_fail(err);
}

EVPL_EXPORT int
evpl_dpdk_port_setup(
    uint16_t                          port_id,
    const struct evpl_dpdk_port_conf *conf)
{
    static const struct evpl_dpdk_port_conf defaults;
    struct rte_eth_dev_info                 info;
    struct rte_eth_conf                     eth;
    struct rte_eth_txconf                   txq;
    struct rte_mempool                     *pool;
    uint16_t                                nb_rxq, nb_txq, nb_rxd, nb_txd, q;
    int                                     socket, ret;

    if (!rte_eth_dev_is_valid_port(port_id)) {
        EVPL_LOG(DEBUG, "evpl_dpdk_port_setup: port_id=%u is not a valid "
                 "port", port_id);
        return evpl_fail(EINVAL);
    }
    if (conf == NULL)
        conf = &defaults;

    ret = rte_eth_dev_info_get(port_id, &info);
    if (ret != 0)
        return evpl_eth_fail(port_id, ret, "rte_eth_dev_info_get");

    nb_rxq = conf->nb_rxq ? conf->nb_rxq : EVPL_PORT_DEFAULT_NB_QUEUES;
    nb_txq = conf->nb_txq ? conf->nb_txq : EVPL_PORT_DEFAULT_NB_QUEUES;
    nb_rxd = conf->nb_rxd ? conf->nb_rxd : EVPL_PORT_DEFAULT_NB_DESC;
    nb_txd = conf->nb_txd ? conf->nb_txd : EVPL_PORT_DEFAULT_NB_DESC;
    if (nb_rxq > info.max_rx_queues || nb_txq > info.max_tx_queues) {
        if (nb_rxq > info.max_rx_queues)
            EVPL_LOG(DEBUG, "evpl_dpdk_port_setup: port %u: nb_rxq=%u > %u, "
                     "the port's max_rx_queues", port_id, nb_rxq,
                     info.max_rx_queues);
        else
            EVPL_LOG(DEBUG, "evpl_dpdk_port_setup: port %u: nb_txq=%u > %u, "
                     "the port's max_tx_queues", port_id, nb_txq,
                     info.max_tx_queues);
        return evpl_fail(EINVAL);
    }

    socket = rte_eth_dev_socket_id(port_id);
    if (socket < 0)
        socket = (int) rte_socket_id();

    pool = conf->rx_pool;
    if (pool == NULL) {
        pool = evpl_default_pool(socket,
                                 EVPL_DPDK_DEFAULT_SEGMENT_SIZE +
                                 RTE_PKTMBUF_HEADROOM,
                                 EVPL_DPDK_DEFAULT_NB_MBUFS);
        if (pool == NULL) {
            int err = errno;

            /* The log may write (syslog) and change errno. */
            EVPL_LOG(ERR, "evpl_dpdk_port_setup: port %u: no rx_pool given "
                     "and no default pool on socket %d: %s", port_id, socket,
                     rte_strerror(err));
            return evpl_fail(err);
        }
    }

    /* Chains from evpl_dpdk_iovecs_to_mbuf() need MULTI_SEGS where the port
     * has it. MBUF_FAST_FREE stays off: it frees without looking at
     * reference counts, and evpl sends shared and indirect mbufs. */
    memset(&eth, 0, sizeof(eth));
    eth.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;

    ret = rte_eth_dev_configure(port_id, nb_rxq, nb_txq, &eth);
    if (ret != 0)
        return evpl_eth_fail(port_id, ret, "rte_eth_dev_configure(nb_rxq=%u, "
                             "nb_txq=%u, tx offloads 0x%" PRIx64 ")", nb_rxq,
                             nb_txq, eth.txmode.offloads);
    ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
    if (ret != 0)
        return evpl_eth_fail(port_id, ret, "rte_eth_dev_adjust_nb_rx_tx_desc("
                             "nb_rxd=%u, nb_txd=%u)", nb_rxd, nb_txd);

    for (q = 0; q < nb_rxq; q++) {
        ret = rte_eth_rx_queue_setup(port_id, q, nb_rxd, (unsigned int) socket,
                                     NULL, pool);
        if (ret != 0)
            return evpl_eth_fail(port_id, ret, "rte_eth_rx_queue_setup("
                                 "queue %u, nb_rxd=%u, rx_pool %s)", q,
                                 nb_rxd, pool->name);
    }
    txq          = info.default_txconf;
    txq.offloads = eth.txmode.offloads;
    for (q = 0; q < nb_txq; q++) {
        ret = rte_eth_tx_queue_setup(port_id, q, nb_txd, (unsigned int) socket,
                                     &txq);
        if (ret != 0)
            return evpl_eth_fail(port_id, ret, "rte_eth_tx_queue_setup("
                                 "queue %u, nb_txd=%u)", q, nb_txd);
    }

    ret = rte_eth_dev_info_get(port_id, &info); /* now with queue counts */
    if (ret != 0)
        return evpl_eth_fail(port_id, ret, "rte_eth_dev_info_get");
    {
        struct evpl_port_caps fresh;

        evpl_port_caps_fill(&fresh, &info, eth.txmode.offloads);
        evpl_port_caps_publish(port_id, &fresh);
    }

    ret = rte_eth_dev_start(port_id);
    if (ret != 0)
        return evpl_eth_fail(port_id, ret, "rte_eth_dev_start");
    if (!conf->no_promisc) {
        /* Not every port has a promiscuous mode; that is no failure. */
        (void) rte_eth_promiscuous_enable(port_id);
    }
    return 0;
}
