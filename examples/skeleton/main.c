/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * skeleton: the smallest complete forwarder on iovecs, after DPDK's
 * examples/skeleton.
 *
 *   skeleton [EAL options] -- [--packets N] [--seconds S]
 *
 * Ports are paired (0 with 1, 2 with 3, ...): whatever one receives, as
 * iovecs, goes out of the other. It stops at SIGINT or SIGTERM, after N
 * packets or after S seconds, then stops the ports, prints what it did
 * and exits 1 unless every mbuf is back in the pool.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <evpl/evpl.h>

#define BURST 32

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
    (void) sig;
    quit = 1;
}

int
main(int argc, char **argv)
{
    struct evpl_dpdk_port_conf conf;
    struct evpl_dpdk_pkt       pkts[BURST];
    /* Room for a burst of packets of several segments each. */
    static struct evpl_iovec   iov[BURST * 8];
    struct evpl               *evpl;
    struct rte_mempool        *pool;
    uint64_t                   limit = 0, rx = 0, tx = 0, deadline = 0;
    uint16_t                   port, nb_ports;
    int                        ret, i, n, sent;

    ret = rte_eal_init(argc, argv);
    if (ret < 0) {
        fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    for (i = ret + 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--packets") == 0)
            limit = strtoull(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--seconds") == 0)
            deadline = rte_get_timer_cycles() +
                       strtoull(argv[i + 1], NULL, 0) * rte_get_timer_hz();
    }
    nb_ports = rte_eth_dev_count_avail();
    if (nb_ports == 0 || nb_ports % 2 != 0) {
        fprintf(stderr, "skeleton: needs an even number of ports, not %u\n",
                nb_ports);
        return 1;
    }

    /* One context for this lcore; the ports receive into its pool. */
    evpl = evpl_create(NULL);
    if (evpl == NULL) {
        fprintf(stderr, "evpl_create: %s\n", strerror(errno));
        return 1;
    }
    pool = evpl_mempool(evpl);
    memset(&conf, 0, sizeof(conf));
    conf.rx_pool = pool;
    RTE_ETH_FOREACH_DEV(port) {
        if (evpl_dpdk_port_setup(port, &conf) < 0) {
            fprintf(stderr, "port %u: %s\n", port, strerror(errno));
            return 1;
        }
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("skeleton: forwarding between %u ports (Ctrl-C to stop)\n",
           nb_ports);

    while (!quit && (limit == 0 || rx < limit) &&
           (deadline == 0 || rte_get_timer_cycles() < deadline)) {
        RTE_ETH_FOREACH_DEV(port) {
            /* Received packets arrive as iovecs, one per segment... */
            n = evpl_dpdk_rx_burst(evpl, port, 0, pkts, BURST, iov,
                                   RTE_DIM(iov));
            if (n <= 0)
                continue;
            /* ...and leave as mbuf chains of the same buffers. With
             * TAKE_REF their references go with them, and the packets the
             * driver did not take are released. */
            sent = evpl_dpdk_tx_burst(evpl, port ^ 1, 0, pkts, (uint16_t) n,
                                      EVPL_DPDK_TAKE_REF);
            rx += (uint64_t) n;
            tx += (uint64_t) (sent > 0 ? sent : 0);
        }
    }

    /* Clean shutdown: the ports give back what their rings hold. */
    RTE_ETH_FOREACH_DEV(port) {
        rte_eth_dev_stop(port);
        rte_eth_dev_close(port);
    }
    evpl_destroy(evpl);
    printf("skeleton: received %" PRIu64 ", sent %" PRIu64 ", dropped %"
           PRIu64 "; pool %s: %u of %u mbufs free\n", rx, tx, rx - tx,
           pool->name, rte_mempool_avail_count(pool), pool->size);
    ret = rte_mempool_avail_count(pool) == pool->size ? 0 : 1;
    if (ret != 0)
        fprintf(stderr, "skeleton: mbufs missing from the pool\n");
    rte_eal_cleanup();
    return ret;
}
