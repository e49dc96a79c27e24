/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-testpmd: dpdk-testpmd's forwarding modes, and some of its own, on
 * evpl iovecs.
 *
 *   evpl-testpmd [EAL options] -- [--forward-mode=MODE] [options]
 *
 * The main lcore sets up one pool and the ports, hands streams (port, RX
 * queue) to the other lcores, prints statistics while they forward, and
 * at the stop (SIGINT, SIGTERM or --duration) collects them, drains what
 * the ports still hold and checks that every mbuf is back in the pool.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "testpmd.h"

struct tp_app tp;

static volatile sig_atomic_t tp_signal;

static void
tp_on_signal(int sig)
{
    tp_signal = sig;
}

static int
tp_fail(const char *what, int err)
{
    fprintf(stderr, "evpl-testpmd: %s: %s\n", what, rte_strerror(err));
    return -1;
}

/* The application's words: those after the first "--", behind argv[0]. */
static int
tp_app_argv(int argc, char **argv, char ***out)
{
    char **v;
    int    i, n = 1;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        ;
    v = calloc((size_t) argc + 1, sizeof(*v));
    if (v == NULL)
        return -1;
    v[0] = argv[0];
    for (i++; i < argc; i++)
        v[n++] = argv[i];
    *out = v;
    return n;
}

/* Streams and roles: every (port, RX queue) a stream, dealt round-robin
 * to the receiving lcores as in testpmd; in clone mode by queue, as each
 * of its streams sends on the same queue of every port. */
static int
tp_plan(void)
{
    const struct tp_args *a = &tp.args;
    unsigned int          lcore, nfwd = 0, nrx, nstreams, units, used, i, k;
    unsigned int          per_lcore;
    struct tp_lcore      *lc;

    RTE_LCORE_FOREACH_WORKER(lcore)
        nfwd++;
    if (nfwd == 0) {
        fprintf(stderr, "evpl-testpmd: no forwarding lcore: give the EAL "
                "two lcores or more (-l 0-1); the first is the main one\n");
        return -1;
    }
    if (a->mode == TP_MODE_PIPELINE && nfwd < 2) {
        fprintf(stderr, "evpl-testpmd: pipeline needs two forwarding lcores "
                "(an RX and a TX stage): give the EAL three lcores\n");
        return -1;
    }
    tp.nb_txq = a->nb_txq ? a->nb_txq : a->nb_rxq;

    nstreams  = tp.nb_ports * a->nb_rxq;
    units     = a->mode == TP_MODE_CLONE ? a->nb_rxq : nstreams;
    nrx       = a->mode == TP_MODE_PIPELINE ? nfwd / 2 : nfwd;
    used      = RTE_MIN(nrx, units);
    per_lcore = (units + used - 1) / used * (nstreams / units);
    if (per_lcore > TP_MAX_STREAMS) {
        fprintf(stderr, "evpl-testpmd: %u streams on %u lcores: at most %u "
                "per lcore\n", nstreams, used, TP_MAX_STREAMS);
        return -1;
    }
    tp.nb_lcores = a->mode == TP_MODE_PIPELINE ? 2 * used : used;
    if (tp.nb_lcores < nfwd)
        fprintf(stderr, "evpl-testpmd: %u streams: %u of %u forwarding "
                "lcores stay idle\n", nstreams, nfwd - tp.nb_lcores, nfwd);

    tp.lcores = rte_zmalloc("tp_lcores", sizeof(*tp.lcores) * tp.nb_lcores,
                            RTE_CACHE_LINE_SIZE);
    if (tp.lcores == NULL)
        return tp_fail("lcore state", ENOMEM);
    i = 0;
    RTE_LCORE_FOREACH_WORKER(lcore) {
        if (i == tp.nb_lcores)
            break;
        lc           = &tp.lcores[i];
        lc->lcore_id = lcore;
        lc->index    = i;
        lc->role     = TP_ROLE_FWD;
        if (a->mode == TP_MODE_PIPELINE) {
            lc->role = i % 2 ? TP_ROLE_PIPE_TX : TP_ROLE_PIPE_RX;
            lc->peer = &tp.lcores[i ^ 1];
        }
        i++;
    }
    for (k = 0; k < nstreams; k++) {
        struct tp_stream *s;
        uint16_t          port  = tp.ports[k / a->nb_rxq];
        unsigned int      queue = k % a->nb_rxq;
        unsigned int      to    = (a->mode == TP_MODE_CLONE ? queue : k) % used;

        lc = &tp.lcores[a->mode == TP_MODE_PIPELINE ? 2 * to : to];
        s           = &lc->streams[lc->nb_streams++];
        s->rx_port  = port;
        s->queue    = (uint16_t) queue;
        s->tx_port  = tp.peer[port];
    }
    return 0;
}

static int
tp_ports(void)
{
    uint16_t     port;
    unsigned int k;

    RTE_ETH_FOREACH_DEV(port)
        tp.ports[tp.nb_ports++] = port;
    if (tp.nb_ports == 0) {
        fprintf(stderr, "evpl-testpmd: no ports: give the EAL some, for "
                "example --vdev=net_null0 --vdev=net_null1\n");
        return -1;
    }
    /* Pairs 0<->1, 2<->3, ...; an odd last port answers itself. */
    for (k = 0; k < tp.nb_ports; k++) {
        unsigned int j = k ^ 1;

        tp.peer[tp.ports[k]] = tp.ports[j < tp.nb_ports ? j : k];
    }
    return 0;
}

static int
tp_ports_start(void)
{
    struct evpl_dpdk_port_conf conf;
    unsigned int               k;
    uint16_t                   port;
    char                       what[64];

    memset(&conf, 0, sizeof(conf));
    conf.nb_rxq  = (uint16_t) tp.args.nb_rxq;
    conf.nb_txq  = (uint16_t) tp.nb_txq;
    conf.nb_rxd  = (uint16_t) tp.args.nb_rxd;
    conf.nb_txd  = (uint16_t) tp.args.nb_txd;
    conf.rx_pool = tp.pool;
    for (k = 0; k < tp.nb_ports; k++) {
        port = tp.ports[k];
        if (evpl_dpdk_port_setup(port, &conf) != 0) {
            snprintf(what, sizeof(what), "port %u set-up (%u RX, %u TX "
                     "queues)", port, conf.nb_rxq, conf.nb_txq);
            return tp_fail(what, errno);
        }
        if (rte_eth_macaddr_get(port, &tp.mac[port]) != 0)
            memset(&tp.mac[port], 0, sizeof(tp.mac[port]));
        /* What is sent out of a port goes to testpmd's default peer
         * address for it, 02:00:00:00:00:<port>. */
        memset(&tp.peer_mac[port], 0, sizeof(tp.peer_mac[port]));
        tp.peer_mac[port].addr_bytes[0] = 0x02;
        tp.peer_mac[port].addr_bytes[5] = (uint8_t) port;
    }
    return 0;
}

/* What the ports still hold after the lcores stopped: received packets
 * nobody polled (a loopback port's, say) and sent ones the driver has not
 * freed yet. A queue is read until it comes back short, but no further
 * than a full ring could hold: some ports (net_null) never run dry, and
 * what such a source gives is not counted. Returns the number of received
 * packets freed. */
static unsigned int
tp_drain(void)
{
    struct rte_mbuf *m[64];
    unsigned int     k, q, got, limit, total = 0;
    uint16_t         n, port;

    limit = 2 * RTE_MAX(tp.args.nb_rxd, 1024u);
    for (k = 0; k < tp.nb_ports; k++) {
        port = tp.ports[k];
        for (q = 0; q < tp.args.nb_rxq; q++) {
            got = 0;
            do {
                n = rte_eth_rx_burst(port, (uint16_t) q, m, RTE_DIM(m));
                rte_pktmbuf_free_bulk(m, n);
                got += n;
            } while (n == RTE_DIM(m) && got < limit);
            if (got < limit)
                total += got;
        }
        for (q = 0; q < tp.nb_txq; q++)
            (void) rte_eth_tx_done_cleanup(port, (uint16_t) q, 0);
    }
    return total;
}

/* Sleep in short steps until a signal or the duration, printing the
 * periodic statistics on the way. */
static void
tp_wait(FILE *out)
{
    const uint64_t hz   = rte_get_timer_hz();
    const uint64_t stop = tp.args.duration > 0 ?
        tp.start_tsc + (uint64_t) (tp.args.duration * (double) hz) : UINT64_MAX;
    uint64_t       next = tp.start_tsc + tp.args.stats_period * hz;
    uint64_t       now;

    for (;;) {
        now = rte_get_timer_cycles();
        if (tp_signal != 0 || now >= stop)
            break;
        if (tp.args.stats_period > 0 && now >= next) {
            tp_stats_periodic(&tp, out);
            next += tp.args.stats_period * hz;
        }
        rte_delay_us_sleep((unsigned int) RTE_MIN(10000.0, (double) (stop - now)
                                                  * 1e6 / (double) hz + 1));
    }
}

int
main(int argc, char **argv)
{
    struct sigaction sa;
    char           **app_argv = NULL;
    unsigned int     i, drained, free_at_end;
    FILE            *out;
    int              app_argc, ret, status = 0;

    /* The application's command line first: a mistake there is reported
     * without bringing up the EAL. */
    app_argc = tp_app_argv(argc, argv, &app_argv);
    if (app_argc < 0)
        return 1;
    ret = tp_args_parse(app_argc, app_argv, &tp.args);
    free(app_argv);
    if (ret != 0)
        return ret > 0 ? 0 : 2;
    if (tp.args.mode == TP_MODE_CLONE && tp.args.tx_copy_max == 0)
        tp.args.tx_copy_max = 1; /* fan-out by reference, not by copy */
    out = tp.args.json ? stderr : stdout;

    ret = rte_eal_init(argc, argv);
    if (ret < 0) {
        fprintf(stderr, "evpl-testpmd: EAL initialisation failed: %s\n",
                rte_strerror(rte_errno));
        return 1;
    }
    tp.main_lcore = rte_get_main_lcore();

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = tp_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (tp_ports() < 0 || tp_plan() < 0) {
        status = 2;
        goto cleanup;
    }

    tp.pool = rte_pktmbuf_pool_create("evpl_testpmd", tp.args.nb_mbufs,
                                      tp.args.mbcache, 0,
                                      (uint16_t) tp.args.mbuf_size,
                                      (int) rte_socket_id());
    if (tp.pool == NULL) {
        tp_fail("mbuf pool", rte_errno);
        status = 1;
        goto cleanup;
    }
    if (tp_ports_start() < 0 ||
        (tp.args.mode == TP_MODE_PIPELINE && tp_pipeline_rings(&tp) < 0)) {
        if (tp.args.mode == TP_MODE_PIPELINE && rte_errno != 0)
            tp_fail("pipeline ring", rte_errno);
        status = 1;
        goto cleanup;
    }
    tp_txonly_headers(&tp);
    tp.free_at_start = rte_mempool_avail_count(tp.pool);

    fprintf(out, "evpl-testpmd: %s mode, %u ports, %u forwarding lcores, "
            "burst %u\n", tp_mode_name(tp.args.mode), tp.nb_ports,
            tp.nb_lcores, tp.args.burst);

    tp_running   = 1;
    tp.start_tsc = rte_get_timer_cycles();
    for (i = 0; i < tp.nb_lcores; i++) {
        ret = rte_eal_remote_launch(tp_lcore_main, &tp.lcores[i],
                                    tp.lcores[i].lcore_id);
        if (ret != 0) {
            tp_fail("lcore launch", -ret);
            tp_signal = SIGTERM;
            status    = 1;
            break;
        }
    }
    tp_wait(out);
    __atomic_store_n(&tp_running, 0, __ATOMIC_RELAXED);
    tp.stop_tsc = rte_get_timer_cycles();
    rte_eal_mp_wait_lcore();
    if (tp_signal != 0 && tp.args.duration == 0)
        fprintf(out, "\nevpl-testpmd: signal %d: stopping\n", (int) tp_signal);

    for (i = 0; i < tp.nb_lcores; i++)
        if (tp.lcores[i].failed)
            status = 1;

    /* The contexts are gone; what the ports hold goes back too. */
    drained     = tp_drain();
    free_at_end = rte_mempool_avail_count(tp.pool);
    if (free_at_end != tp.free_at_start)
        status = 1;
    tp_stats_final(&tp, tp.args.json ? stdout : out, drained, free_at_end);

 cleanup:
    for (i = 0; i < tp.nb_ports; i++) {
        (void) rte_eth_dev_stop(tp.ports[i]);
        (void) rte_eth_dev_close(tp.ports[i]);
    }
    for (i = 0; tp.lcores != NULL && i < tp.nb_lcores; i++)
        rte_ring_free(tp.lcores[i].ring);
    rte_free(tp.lcores);
    rte_mempool_free(tp.pool);
    rte_eal_cleanup();
    return status;
}
