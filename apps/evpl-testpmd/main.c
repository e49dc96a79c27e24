/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-testpmd: dpdk-testpmd's forwarding modes, and some of its own, on
 * evpl iovecs.
 *
 *   evpl-testpmd [EAL options] -- [-i] [--forward-mode=MODE] [options]
 *
 * The main lcore sets up one pool and the ports, hands streams (port, RX
 * queue) to the other lcores and, while they forward, prints statistics
 * or (-i) runs the testpmd> prompt, whose start and stop begin and end
 * runs. Every stop prints testpmd's forward statistics; at the end
 * (SIGINT, SIGTERM, --duration or quit) the program drains what the ports
 * still hold, checks that every mbuf is back in the pool and that the
 * books of all runs balance, and says so after testpmd's lines.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include <rte_cycles.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_version.h>

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
int
tp_plan(void)
{
    const struct tp_args *a = &tp.args;
    unsigned int          lcore, nfwd = tp.nb_workers, nrx, nstreams, units;
    unsigned int          used, i, k, per_lcore;
    struct tp_lcore      *lc;

    if (a->mode == TP_MODE_PIPELINE && nfwd < 2) {
        fprintf(stderr, "evpl-testpmd: pipeline needs two forwarding lcores "
                "(an RX and a TX stage): give the EAL three lcores%s\n",
                a->nb_cores ? " and --nb-cores=2" : "");
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
    if (tp.nb_lcores < nfwd && !a->interactive)
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
    if (a->mode == TP_MODE_PIPELINE && tp_pipeline_rings(&tp) < 0) {
        tp_fail("pipeline ring", rte_errno);
        tp_unplan();
        return -1;
    }
    return 0;
}

void
tp_unplan(void)
{
    unsigned int i;

    for (i = 0; tp.lcores != NULL && i < tp.nb_lcores; i++)
        rte_ring_free(tp.lcores[i].ring);
    rte_free(tp.lcores);
    tp.lcores    = NULL;
    tp.nb_lcores = 0;
}

/* The forwarding lcores: every worker, or the first --nb-cores. */
static int
tp_workers(void)
{
    unsigned int lcore, n = 0;

    RTE_LCORE_FOREACH_WORKER(lcore)
        n++;
    if (n == 0) {
        fprintf(stderr, "evpl-testpmd: no forwarding lcore: give the EAL "
                "two lcores or more (-l 0-1); the first is the main one\n");
        return -1;
    }
    if (tp.args.nb_cores > n) {
        fprintf(stderr, "evpl-testpmd: --nb-cores=%u: the EAL gave %u "
                "forwarding lcores (its lcores less the main one)\n",
                tp.args.nb_cores, n);
        return -1;
    }
    tp.nb_workers = tp.args.nb_cores ? tp.args.nb_cores : n;
    return 0;
}

/* The forwarding ports: those of --portmask (default all), the first
 * --nb-ports of them. */
static int
tp_ports(void)
{
    const struct tp_args *a = &tp.args;
    uint16_t              port;
    unsigned int          k, probed = 0;

    RTE_ETH_FOREACH_DEV(port) {
        probed++;
        if (a->portmask != 0 &&
            (port >= 64 || !(a->portmask & (UINT64_C(1) << port))))
            continue;
        tp.ports[tp.nb_ports++] = port;
    }
    if (probed == 0) {
        fprintf(stderr, "evpl-testpmd: no ports: give the EAL some, for "
                "example --vdev=net_null0 --vdev=net_null1\n");
        return -1;
    }
    if (tp.nb_ports == 0) {
        fprintf(stderr, "evpl-testpmd: --portmask=0x%" PRIx64 ": none of "
                "the %u ports the EAL probed\n", a->portmask, probed);
        return -1;
    }
    if (a->nb_ports > tp.nb_ports) {
        fprintf(stderr, "evpl-testpmd: --nb-ports=%u: only %u ports to "
                "forward on\n", a->nb_ports, tp.nb_ports);
        return -1;
    }
    if (a->nb_ports != 0)
        tp.nb_ports = a->nb_ports;
    /* Those are set up; set portlist forwards on some of them later. */
    tp.nb_cfg_ports = tp.nb_ports;
    for (k = 0; k < tp.nb_ports; k++)
        tp.cfg_ports[k] = tp.ports[k];
    tp_pair_ports();
    return 0;
}

void
tp_pair_ports(void)
{
    unsigned int k, j;

    /* Pairs 0<->1, 2<->3, ... among them; an odd last one answers itself. */
    for (k = 0; k < tp.nb_ports; k++) {
        j = k ^ 1;
        tp.peer[tp.ports[k]] = tp.ports[j < tp.nb_ports ? j : k];
    }
}

int
tp_port_configured(uint16_t port)
{
    unsigned int k;

    for (k = 0; k < tp.nb_cfg_ports; k++)
        if (tp.cfg_ports[k] == port)
            return 1;
    return 0;
}

/* After a port's set-up failed: a driver that takes each received frame
 * into one mbuf (net_af_packet copies whole ring frames) refuses a pool
 * whose mbufs are smaller; say which --mbuf-size it needs. */
static void
tp_setup_hint(uint16_t port, int err)
{
    struct rte_eth_dev_info info;
    const struct rte_devargs *da;
    struct rte_kvargs      *kv;
    const char             *v;
    unsigned int            room = tp.args.mbuf_size - RTE_PKTMBUF_HEADROOM;
    unsigned int            frame = 0;
    uint16_t                mtu;

    if (rte_eth_dev_info_get(port, &info) != 0)
        return;
    if (info.driver_name != NULL &&
        strcmp(info.driver_name, "net_af_packet") == 0) {
        /* Its ring frames are framesz bytes (default 2048), less the
         * TPACKET2 header, and it copies each into one mbuf. */
        frame = 2048;
        da    = info.device ? rte_dev_devargs(info.device) : NULL;
        kv    = da && da->args ? rte_kvargs_parse(da->args, NULL) : NULL;
        v     = kv ? rte_kvargs_get(kv, "framesz") : NULL;
        if (v != NULL && atoi(v) > 0)
            frame = (unsigned int) atoi(v);
        rte_kvargs_free(kv);
        frame -= RTE_MIN(frame, (unsigned int) TPACKET_ALIGN(
                         sizeof(struct tpacket2_hdr)));
    } else if (rte_eth_dev_get_mtu(port, &mtu) == 0 &&
               !(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
        frame = mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
    }
    if (frame > room) {
        fprintf(stderr, "evpl-testpmd: port %u (%s) receives each frame, up "
                "to %u bytes, into one mbuf, and a %u-byte mbuf holds %u "
                "after its %u-byte headroom: pass --mbuf-size=%u or more\n",
                port, info.driver_name, frame, tp.args.mbuf_size, room,
                RTE_PKTMBUF_HEADROOM, frame + RTE_PKTMBUF_HEADROOM);
    } else if (err == ENOMEM || err == EINVAL) {
        fprintf(stderr, "evpl-testpmd: if port %u (%s) wants larger receive "
                "buffers, pass a larger --mbuf-size (now %u)\n", port,
                info.driver_name, tp.args.mbuf_size);
    }
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
    for (k = 0; k < tp.nb_cfg_ports; k++) {
        port = tp.cfg_ports[k];
        if (evpl_dpdk_port_setup(port, &conf) != 0) {
            int err = errno;

            snprintf(what, sizeof(what), "port %u set-up (%u RX, %u TX "
                     "queues)", port, conf.nb_rxq, conf.nb_txq);
            tp_fail(what, err);
            tp_setup_hint(port, err);
            return -1;
        }
        if (rte_eth_macaddr_get(port, &tp.mac[port]) != 0)
            memset(&tp.mac[port], 0, sizeof(tp.mac[port]));
        /* What is sent out of a port goes to its --eth-peer, or to
         * testpmd's default peer address for it, 02:00:00:00:00:<port>. */
        memset(&tp.peer_mac[port], 0, sizeof(tp.peer_mac[port]));
        tp.peer_mac[port].addr_bytes[0] = 0x02;
        tp.peer_mac[port].addr_bytes[5] = (uint8_t) port;
        if (tp.args.eth_peer_set[port])
            tp.peer_mac[port] = tp.args.eth_peer[port];
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
    for (k = 0; k < tp.nb_cfg_ports; k++) {
        port = tp.cfg_ports[k];
        /* A port left stopped (port stop) is not polled. */
        if (tp.port_stopped[port])
            continue;
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
            tp_stats_port(&tp, out, 1, TP_ALL_PORTS);
            next += tp.args.stats_period * hz;
        }
        rte_delay_us_sleep((unsigned int) RTE_MIN(10000.0, (double) (stop - now)
                                                  * 1e6 / (double) hz + 1));
    }
}

/* Launch the lcores on the current plan, as testpmd's start: the
 * forwarding configuration first, the port counters taken as the run's
 * zero. Returns 0, or -1 with the lcores stopped again. */
int
tp_fwd_start(int tx_first)
{
    unsigned int i, k;
    int          ret;

    if (tp.running) {
        fprintf(stderr, "Packet forwarding already started\n");
        return -1;
    }
    for (k = 0; k < tp.nb_cfg_ports; k++)
        if (tp.port_stopped[tp.cfg_ports[k]]) {
            fprintf(stderr, "Not all ports were started\n");
            return -1;
        }
    tp_config_fwd(&tp, tp.out);
    for (i = 0; i < tp.nb_lcores; i++) {
        memset(tp.lcores[i].cnt, 0, sizeof(tp.lcores[i].cnt));
        memset(&tp.lcores[i].evpl_stats, 0, sizeof(tp.lcores[i].evpl_stats));
        tp.lcores[i].failed  = 0;
        tp.lcores[i].rx_done = 0;
    }
    for (k = 0; k < tp.nb_ports; k++)
        if (rte_eth_stats_get(tp.ports[k], &tp.base[tp.ports[k]]) != 0)
            memset(&tp.base[tp.ports[k]], 0, sizeof(tp.base[0]));
    tp.run_tx_first = tx_first;
    tp_running      = 1;
    tp.running      = 1;
    tp.start_tsc    = rte_get_timer_cycles();
    for (i = 0; i < tp.nb_lcores; i++) {
        ret = rte_eal_remote_launch(tp_lcore_main, &tp.lcores[i],
                                    tp.lcores[i].lcore_id);
        if (ret != 0) {
            tp_fail("lcore launch", -ret);
            tp.lcores[i].failed = 1;
            tp_fwd_stop();
            return -1;
        }
    }
    return 0;
}

/* Stop the lcores and report the run, as testpmd's stop. */
void
tp_fwd_stop(void)
{
    if (!tp.running) {
        fprintf(stderr, "Packet forwarding not started\n");
        return;
    }
    fprintf(tp.out, "Telling cores to stop...");
    __atomic_store_n(&tp_running, 0, __ATOMIC_RELAXED);
    tp.stop_tsc = rte_get_timer_cycles();
    fprintf(tp.out, "\nWaiting for lcores to finish...\n");
    /* Under the prompt this runs holding tp.out (tp_prompt): an lcore's
     * last packets may be waiting on it to be printed. */
    if (tp.out_held)
        funlockfile(tp.out);
    rte_eal_mp_wait_lcore();
    if (tp.out_held)
        flockfile(tp.out);
    tp.running = 0;
    tp_stats_fwd(&tp, tp.out);
    fprintf(tp.out, "\nDone.\n");
    tp_stats_accumulate(&tp);
    fflush(tp.out);
}

int
main(int argc, char **argv)
{
    struct sigaction sa;
    char           **app_argv = NULL;
    unsigned int     i, drained, free_at_end;
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
    tp.out = tp.args.json ? stderr : stdout;
    if (tp.args.interactive) /* answers in order with the prompt's echo */
        setvbuf(tp.out, NULL, _IOLBF, 0);

    /* "evpl-testpmd --help", without "--", is the EAL's to answer: its
     * usage then goes on with the program's. */
    rte_set_application_usage_hook(tp_usage_hook);
    ret = rte_eal_init(argc, argv);
    if (ret < 0) {
        fprintf(stderr, "evpl-testpmd: EAL initialisation failed: %s\n",
                rte_strerror(rte_errno));
        return 1;
    }
    tp.main_lcore = rte_get_main_lcore();

    /* No SA_RESTART: a signal ends the prompt's read. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = tp_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (tp_ports() < 0 || tp_workers() < 0 || tp_plan() < 0) {
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
    if (tp_ports_start() < 0) {
        status = 1;
        goto cleanup;
    }
    tp_txonly_headers(&tp);
    tp.free_at_start = rte_mempool_avail_count(tp.pool);

    fprintf(tp.out, "evpl-testpmd %s (libevpl-dpdk %s, %s): %s mode, %u "
            "ports, %u forwarding lcores, burst %u\n", EVPL_DPDK_VERSION_STRING,
            evpl_dpdk_version(), rte_version(), tp_mode_name(tp.args.mode),
            tp.nb_ports, tp.nb_lcores, tp.args.burst);

    if (tp.args.interactive) {
        fprintf(tp.out, "Interactive-mode selected\n");
        /* Said once: dpdk-testpmd users expect io, which touches no
         * iovec, and would see evpl's counters stay at zero. */
        fprintf(tp.out, "Forwarding mode %s%s; 'set fwd io' is dpdk-testpmd's "
                "plain-mbuf baseline, 'help' lists the commands and the "
                "other modes\n", tp_mode_name(tp.args.mode),
                tp.args.mode == TP_MODE_IOVEC ?
                " (received packets as iovecs, sent as mbuf chains)" : "");
        if (tp.args.auto_start) {
            fprintf(tp.out, "Start automatic packet forwarding\n");
            if (tp_fwd_start(tp.args.tx_first) < 0)
                status = 1;
        }
        if (tp_prompt(&tp_signal) < 0)
            status = 1;
        if (tp.running)
            tp_fwd_stop();
    } else {
        if (tp_fwd_start(tp.args.tx_first) < 0)
            status = 1;
        tp_wait(tp.out);
        if (tp_signal != 0 && tp.args.duration == 0)
            fprintf(tp.out, "\nevpl-testpmd: signal %d: stopping\n",
                    (int) tp_signal);
        if (tp.running)
            tp_fwd_stop();
    }
    if (tp_signal != 0 && tp.args.interactive)
        fprintf(tp.out, "\nevpl-testpmd: signal %d: stopping\n",
                (int) tp_signal);
    if (tp.acc_errors != 0 || !tp_stats_balanced(&tp))
        status = 1;

    /* The contexts are gone; what the ports hold goes back too. */
    drained     = tp_drain();
    free_at_end = rte_mempool_avail_count(tp.pool);
    if (free_at_end != tp.free_at_start)
        status = 1;
    tp_stats_final(&tp, tp.args.json ? stdout : tp.out, drained, free_at_end);

 cleanup:
    for (i = 0; i < tp.nb_cfg_ports; i++) {
        (void) rte_eth_dev_stop(tp.cfg_ports[i]);
        (void) rte_eth_dev_close(tp.cfg_ports[i]);
    }
    tp_unplan();
    rte_mempool_free(tp.pool);
    rte_eal_cleanup();
    return status;
}
