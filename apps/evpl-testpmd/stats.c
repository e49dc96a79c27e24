/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Reports. What dpdk-testpmd also prints is printed in its layout, from
 * the same counters, so that one parser reads both programs: the NIC
 * statistics page (show port stats, --stats-period), the forward
 * statistics (every stop, show fwd stats) and the forwarding
 * configuration. evpl's own final lines follow, from the lcores' counters
 * summed over the runs; or, under --json, one JSON object.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "testpmd.h"

static uint64_t tp_prev_tsc;
static uint64_t tp_prev_ipackets[RTE_MAX_ETHPORTS];
static uint64_t tp_prev_opackets[RTE_MAX_ETHPORTS];
static uint64_t tp_prev_ibytes[RTE_MAX_ETHPORTS];
static uint64_t tp_prev_obytes[RTE_MAX_ETHPORTS];

static uint64_t
tp_rate(uint64_t now, uint64_t prev, uint64_t cycles)
{
    if (cycles == 0 || now < prev)
        return 0;
    return (uint64_t) ((double) (now - prev) * (double) rte_get_timer_hz() /
                       (double) cycles);
}

/* The ports a port argument names: one, or TP_ALL_PORTS: every port the
 * EAL probed, or (periodic) the forwarding ports, as testpmd. */
static unsigned int
tp_ports_of(const struct tp_app *app, int which, int periodic,
            uint16_t *list)
{
    unsigned int n = 0, k;
    uint16_t     port;

    if (which != TP_ALL_PORTS) {
        list[0] = (uint16_t) which;
        return 1;
    }
    if (periodic) {
        for (k = 0; k < app->nb_ports; k++)
            list[n++] = app->ports[k];
        return n;
    }
    RTE_ETH_FOREACH_DEV(port)
        list[n++] = port;
    return n;
}

void
tp_stats_port(const struct tp_app *app, FILE *out, int periodic, int which)
{
    struct rte_eth_stats st;
    uint64_t             now = rte_get_timer_cycles(), cycles;
    unsigned int         k, n;
    uint16_t             port, list[RTE_MAX_ETHPORTS];

    cycles = now - (tp_prev_tsc ? tp_prev_tsc : app->start_tsc);
    /* testpmd's periodic page also clears the terminal first; a log has
     * no use for that. */
    if (periodic)
        fprintf(out, "\nPort statistics ====================================");
    n = tp_ports_of(app, which, periodic, list);
    for (k = 0; k < n; k++) {
        port = list[k];
        if (rte_eth_stats_get(port, &st) != 0)
            memset(&st, 0, sizeof(st));
        fprintf(out,
                "\n  ######################## NIC statistics for port %-2u "
                "########################\n"
                "  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64
                " RX-bytes:  %" PRIu64 "\n"
                "  RX-errors: %" PRIu64 "\n"
                "  RX-nombuf:  %-10" PRIu64 "\n"
                "  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64
                " TX-bytes:  %" PRIu64 "\n\n"
                "  Throughput (since last show)\n"
                "  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n"
                "  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n"
                "  ##############################################"
                "##############################\n",
                port, st.ipackets, st.imissed, st.ibytes, st.ierrors,
                st.rx_nombuf, st.opackets, st.oerrors, st.obytes,
                tp_rate(st.ipackets, tp_prev_ipackets[port], cycles),
                tp_rate(st.ibytes, tp_prev_ibytes[port], cycles) * 8,
                tp_rate(st.opackets, tp_prev_opackets[port], cycles),
                tp_rate(st.obytes, tp_prev_obytes[port], cycles) * 8);
        tp_prev_ipackets[port] = st.ipackets;
        tp_prev_opackets[port] = st.opackets;
        tp_prev_ibytes[port]   = st.ibytes;
        tp_prev_obytes[port]   = st.obytes;
    }
    tp_prev_tsc = now;
    fflush(out);
}

void
tp_stats_port_clear(struct tp_app *app, FILE *out, int which)
{
    unsigned int k, n;
    uint16_t     port, list[RTE_MAX_ETHPORTS];

    n = tp_ports_of(app, which, 0, list);
    for (k = 0; k < n; k++) {
        port = list[k];
        if (rte_eth_stats_reset(port) != 0) {
            fprintf(stderr, "evpl-testpmd: port %u: its counters cannot be "
                    "cleared\n", port);
            continue;
        }
        /* As testpmd: the forward statistics count from here too. */
        if (rte_eth_stats_get(port, &app->base[port]) != 0)
            memset(&app->base[port], 0, sizeof(app->base[port]));
        fprintf(out, "\n  NIC statistics for port %d cleared\n", port);
    }
    fflush(out);
}

/* dpdk-testpmd's fwd_stats_display: per port the ethdev counters since the
 * run started (or they were cleared), TX-dropped what the lcores could
 * not send plus the port's oerrors; then the sums. */
void
tp_stats_fwd(const struct tp_app *app, FILE *out)
{
    static const char *fwd_border = "----------------------";
    static const char *acc_border = "+++++++++++++++";
    struct rte_eth_stats st;
    const struct rte_eth_stats *b;
    uint64_t             rx = 0, tx = 0, rx_dropped = 0, tx_dropped = 0;
    uint64_t             nombuf = 0, dropped;
    unsigned int         i, k;
    uint16_t             port;

    for (k = 0; k < app->nb_ports; k++) {
        port = app->ports[k];
        b    = &app->base[port];
        if (rte_eth_stats_get(port, &st) != 0)
            memset(&st, 0, sizeof(st));
        st.ipackets  -= b->ipackets;
        st.opackets  -= b->opackets;
        st.imissed   -= b->imissed;
        st.oerrors   -= b->oerrors;
        st.rx_nombuf -= b->rx_nombuf;
        dropped = st.oerrors;
        for (i = 0; i < app->nb_lcores; i++)
            dropped += __atomic_load_n(&app->lcores[i].cnt[port].dropped,
                                       __ATOMIC_RELAXED);
        rx         += st.ipackets;
        tx         += st.opackets;
        rx_dropped += st.imissed;
        tx_dropped += dropped;
        nombuf     += st.rx_nombuf;

        fprintf(out, "\n  %s Forward statistics for port %-2d %s\n",
                fwd_border, port, fwd_border);
        fprintf(out, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64
                "RX-total: %-" PRIu64 "\n", st.ipackets, st.imissed,
                st.ipackets + st.imissed);
        if (st.ierrors - b->ierrors + st.rx_nombuf > 0) {
            fprintf(out, "  RX-error: %-" PRIu64 "\n", st.ierrors - b->ierrors);
            fprintf(out, "  RX-nombufs: %-14" PRIu64 "\n", st.rx_nombuf);
        }
        fprintf(out, "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
                "TX-total: %-" PRIu64 "\n", st.opackets, dropped,
                st.opackets + dropped);
        fprintf(out, "  %s--------------------------------%s\n", fwd_border,
                fwd_border);
    }
    fprintf(out, "\n  %s Accumulated forward statistics for all ports%s\n",
            acc_border, acc_border);
    fprintf(out, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64
            "RX-total: %-" PRIu64 "\n"
            "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
            "TX-total: %-" PRIu64 "\n", rx, rx_dropped, rx + rx_dropped, tx,
            tx_dropped, tx + tx_dropped);
    if (nombuf > 0)
        fprintf(out, "  RX-nombufs: %-14" PRIu64 "\n", nombuf);
    fprintf(out, "  %s++++++++++++++++++++++++++++++++++++++++++++++%s\n",
            acc_border, acc_border);
    fflush(out);
}

/* dpdk-testpmd's pkt_fwd_config_display, and the first lines of its
 * rxtx_config_display. */
void
tp_config_fwd(const struct tp_app *app, FILE *out)
{
    const struct tp_lcore  *lc;
    const struct tp_stream *s;
    const struct rte_ether_addr *m;
    unsigned int            i, j, nstreams = 0;

    for (i = 0; i < app->nb_lcores; i++)
        nstreams += app->lcores[i].nb_streams;
    fprintf(out, "%s packet forwarding - ports=%u - cores=%u - streams=%u - "
            "NUMA support disabled, MP allocation mode: native\n",
            tp_mode_name(app->args.mode), app->nb_ports, app->nb_lcores,
            nstreams);
    for (i = 0; i < app->nb_lcores; i++) {
        lc = &app->lcores[i];
        fprintf(out, "Logical Core %u (socket %u) forwards packets on %u "
                "streams:", lc->lcore_id, rte_lcore_to_socket_id(lc->lcore_id),
                lc->role == TP_ROLE_PIPE_TX ? lc->peer->nb_streams :
                lc->nb_streams);
        /* A pipeline TX stage sends what its RX stage's streams bring. */
        for (j = 0; j < (lc->role == TP_ROLE_PIPE_TX ? lc->peer->nb_streams :
                         lc->nb_streams); j++) {
            s = lc->role == TP_ROLE_PIPE_TX ? &lc->peer->streams[j] :
                &lc->streams[j];
            m = &app->peer_mac[s->tx_port];
            fprintf(out, "\n  RX P=%u/Q=%u (socket %d) -> TX P=%u/Q=%u "
                    "(socket %d) peer=%02X:%02X:%02X:%02X:%02X:%02X",
                    s->rx_port, s->queue, rte_eth_dev_socket_id(s->rx_port),
                    s->tx_port, s->queue, rte_eth_dev_socket_id(s->tx_port),
                    m->addr_bytes[0], m->addr_bytes[1], m->addr_bytes[2],
                    m->addr_bytes[3], m->addr_bytes[4], m->addr_bytes[5]);
        }
        fprintf(out, "\n");
    }
    fprintf(out, "\n  %s packet forwarding packets/burst=%u\n"
            "  nb forwarding cores=%u - nb forwarding ports=%u\n",
            tp_mode_name(app->args.mode), app->args.burst, app->nb_lcores,
            app->nb_ports);
    fflush(out);
}

/* ---- final ------------------------------------------------------------ */

struct tp_sum {
    struct tp_port_counters port[RTE_MAX_ETHPORTS];
    struct tp_port_counters all;
    uint64_t                owed;
};

static void
tp_evpl_add(struct evpl_dpdk_stats *t, const struct evpl_dpdk_stats *s)
{
#define X(f) t->f += s->f;
    EVPL_DPDK_STATS_FOREACH(X)
#undef X
}

/* How many times each received packet is meant to be sent. */
static unsigned int
tp_fanout(const struct tp_app *app)
{
    switch (app->args.mode) {
    case TP_MODE_TXONLY:
    case TP_MODE_RXONLY:
        return 0;
    case TP_MODE_CLONE:
        return app->nb_ports;
    default:
        return 1;
    }
}

static void
tp_counters_add(struct tp_port_counters *t, const struct tp_port_counters *c)
{
    t->rx          += c->rx;
    t->tx          += c->tx;
    t->dropped     += c->dropped;
    t->generated   += c->generated;
    t->rx_ipv4_udp += c->rx_ipv4_udp;
}

void
tp_stats_accumulate(struct tp_app *app)
{
    struct tp_port_counters run;
    unsigned int            i, k;
    uint16_t                port;

    memset(&run, 0, sizeof(run));
    for (i = 0; i < app->nb_lcores; i++) {
        const struct tp_lcore *lc = &app->lcores[i];

        tp_evpl_add(&app->acc_evpl, &lc->evpl_stats);
        app->acc_errors += lc->failed != 0;
        for (k = 0; k < app->nb_ports; k++) {
            port = app->ports[k];
            tp_counters_add(&app->acc[port], &lc->cnt[port]);
            tp_counters_add(&run, &lc->cnt[port]);
        }
    }
    /* The mode may change between runs: each run's own fan-out. */
    app->acc_owed    += run.rx * tp_fanout(app) + run.generated;
    app->acc_seconds += (double) (app->stop_tsc - app->start_tsc) /
                        (double) rte_get_timer_hz();
    app->runs++;
}

static void
tp_sum(const struct tp_app *app, struct tp_sum *s)
{
    unsigned int k;
    uint16_t     port;

    /* Over every port set up: set portlist may have left one out of the
     * last run, not out of the books. */
    memset(s, 0, sizeof(*s));
    for (k = 0; k < app->nb_cfg_ports; k++) {
        port         = app->cfg_ports[k];
        s->port[port] = app->acc[port];
        tp_counters_add(&s->all, &app->acc[port]);
    }
    s->owed = app->acc_owed;
}

int
tp_stats_balanced(const struct tp_app *app)
{
    struct tp_sum s;

    tp_sum(app, &s);
    return s.owed == s.all.tx + s.all.dropped;
}

static double
tp_pps(uint64_t n, const struct tp_app *app)
{
    return app->acc_seconds > 0 ? (double) n / app->acc_seconds : 0;
}

static void
tp_final_json(const struct tp_app *app, const struct tp_sum *s, FILE *out,
              unsigned int drained, unsigned int free_at_end)
{
    struct rte_eth_stats st;
    char                 name[RTE_ETH_NAME_MAX_LEN];
    const struct rte_ether_addr *m;
    const char          *sep = "";
    unsigned int         i, k;
    uint16_t             port;

    /* The program as built (the headers' version), the library it runs
     * with, and DPDK's. */
    fprintf(out, "{\"version\": {\"program\": \"%s\", \"library\": \"%s\", "
            "\"dpdk\": \"%s\"}, ", EVPL_DPDK_VERSION_STRING,
            evpl_dpdk_version(), rte_version());
    fprintf(out, "\"mode\": \"%s\", \"burst\": %u, \"txpkts\": [",
            tp_mode_name(app->args.mode), app->args.burst);
    for (i = 0; i < app->args.nb_txpkts; i++)
        fprintf(out, "%s%u", i ? ", " : "", app->args.txpkts[i]);
    fprintf(out, "], \"interactive\": %s, \"runs\": %u, "
            "\"lcores\": {\"main\": %u, \"forwarding\": [",
            app->args.interactive ? "true" : "false", app->runs,
            app->main_lcore);
    for (i = 0; i < app->nb_lcores; i++)
        fprintf(out, "%s%u", i ? ", " : "", app->lcores[i].lcore_id);
    fprintf(out, "]}, \"seconds\": %.6f, \"ports\": [", app->acc_seconds);

    for (k = 0; k < app->nb_cfg_ports; k++) {
        const struct tp_port_counters *c;

        port = app->cfg_ports[k];
        c    = &s->port[port];
        if (rte_eth_stats_get(port, &st) != 0)
            memset(&st, 0, sizeof(st));
        if (rte_eth_dev_get_name_by_port(port, name) != 0)
            strcpy(name, "?");
        m = &app->peer_mac[port];
        fprintf(out, "%s{\"port\": %u, \"name\": \"%s\", \"peer\": %u, "
                "\"peer_mac\": \"%02X:%02X:%02X:%02X:%02X:%02X\", "
                "\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
                ", \"dropped\": %" PRIu64 ", \"generated\": %" PRIu64
                ", \"rx_ipv4_udp\": %" PRIu64
                ", \"rx_pps\": %.0f, \"tx_pps\": %.0f, "
                "\"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
                ", \"ethdev\": {\"ipackets\": %" PRIu64 ", \"opackets\": %"
                PRIu64 ", \"imissed\": %" PRIu64 ", \"ierrors\": %" PRIu64
                ", \"oerrors\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64 "}}",
                sep, port, name, app->peer[port], m->addr_bytes[0],
                m->addr_bytes[1], m->addr_bytes[2], m->addr_bytes[3],
                m->addr_bytes[4], m->addr_bytes[5], c->rx, c->tx, c->dropped,
                c->generated, c->rx_ipv4_udp, tp_pps(c->rx, app),
                tp_pps(c->tx, app), st.ibytes,
                st.obytes, st.ipackets, st.opackets, st.imissed, st.ierrors,
                st.oerrors, st.rx_nombuf);
        sep = ", ";
    }

    fprintf(out, "], \"totals\": {\"rx_packets\": %" PRIu64
            ", \"tx_packets\": %" PRIu64 ", \"dropped\": %" PRIu64
            ", \"generated\": %" PRIu64 ", \"fanout\": %u, \"owed\": %"
            PRIu64 ", \"rx_pps\": %.0f, \"tx_pps\": %.0f, \"balanced\": %s}"
            ", \"evpl\": {",
            s->all.rx, s->all.tx, s->all.dropped, s->all.generated,
            tp_fanout(app), s->owed, tp_pps(s->all.rx, app),
            tp_pps(s->all.tx, app),
            s->owed == s->all.tx + s->all.dropped ? "true" : "false");
    sep = "";
#define X(f) \
    fprintf(out, "%s\"" #f "\": %" PRIu64, sep, app->acc_evpl.f); sep = ", ";
    EVPL_DPDK_STATS_FOREACH(X)
#undef X
    fprintf(out, "}, \"pool\": {\"name\": \"%s\", \"size\": %u, "
            "\"data_room\": %u, "
            "\"free_at_start\": %u, \"free_at_end\": %u, \"outstanding\": %d}"
            ", \"drained\": %u, \"lcore_errors\": %u}\n",
            app->pool->name, app->pool->size,
            (unsigned int) rte_pktmbuf_data_room_size(app->pool),
            app->free_at_start,
            free_at_end, (int) app->free_at_start - (int) free_at_end,
            drained, app->acc_errors);
}

/* After testpmd's lines: the lcores' own counts over every run, the
 * books, the library's counters and the pool. */
static void
tp_final_text(const struct tp_app *app, const struct tp_sum *s, FILE *out,
              unsigned int drained, unsigned int free_at_end)
{
    unsigned int k;
    uint16_t     port;

    fprintf(out, "\n  evpl-testpmd: %u run%s, %.3f s forwarding, last mode "
            "%s: RX-Mpps %.3f TX-Mpps %.3f\n", app->runs,
            app->runs == 1 ? "" : "s", app->acc_seconds,
            tp_mode_name(app->args.mode), tp_pps(s->all.rx, app) / 1e6,
            tp_pps(s->all.tx, app) / 1e6);
    for (k = 0; k < app->nb_cfg_ports; k++) {
        const struct tp_port_counters *c;

        port = app->cfg_ports[k];
        c    = &s->port[port];
        fprintf(out, "  port %u: received %" PRIu64 " sent %" PRIu64
                " dropped %" PRIu64 " generated %" PRIu64 "\n", port, c->rx,
                c->tx, c->dropped, c->generated);
    }
    fprintf(out, "  books: received x fan-out + generated = sent + dropped: "
            "%" PRIu64 " = %" PRIu64 ": %s\n", s->owed,
            s->all.tx + s->all.dropped,
            s->owed == s->all.tx + s->all.dropped ? "balanced" :
            "UNBALANCED");
    fprintf(out, "  evpl:");
#define X(f) fprintf(out, " " #f " %" PRIu64, app->acc_evpl.f);
    EVPL_DPDK_STATS_FOREACH(X)
#undef X
    fprintf(out, "\n  pool %s: %u mbufs, %u free at start, %u at end "
            "(%u drained from the ports): %s\n",
            app->pool->name, app->pool->size, app->free_at_start, free_at_end,
            drained, free_at_end == app->free_at_start ?
            "zero outstanding" : "LEAK");
    if (app->acc_errors != 0)
        fprintf(out, "  lcore errors: %u\n", app->acc_errors);
}

void
tp_stats_final(const struct tp_app *app, FILE *out, unsigned int drained,
               unsigned int free_at_end)
{
    struct tp_sum s;

    tp_sum(app, &s);
    if (app->args.json)
        tp_final_json(app, &s, out, drained, free_at_end);
    else
        tp_final_text(app, &s, out, drained, free_at_end);
    fflush(out);
}
