/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Reports. The periodic one copies dpdk-testpmd's port statistics page
 * (rates from the ports' own counters), so that one parser reads both
 * programs; the final one sums the lcores' counters, as text or as one
 * JSON object.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>

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

void
tp_stats_periodic(const struct tp_app *app, FILE *out)
{
    struct rte_eth_stats st;
    uint64_t             now = rte_get_timer_cycles(), cycles;
    unsigned int         k;
    uint16_t             port;

    cycles = now - (tp_prev_tsc ? tp_prev_tsc : app->start_tsc);
    for (k = 0; k < app->nb_ports; k++) {
        port = app->ports[k];
        if (rte_eth_stats_get(port, &st) != 0)
            memset(&st, 0, sizeof(st));
        fprintf(out,
                "\n  ######################## NIC statistics for port %-2u "
                "#######################\n"
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

/* ---- final ------------------------------------------------------------ */

struct tp_sum {
    struct tp_port_counters port[RTE_MAX_ETHPORTS];
    struct tp_port_counters all;
    struct evpl_dpdk_stats  evpl;
    double                  seconds;
    unsigned int            fanout, errors;
};

static void
tp_evpl_add(struct evpl_dpdk_stats *t, const struct evpl_dpdk_stats *s)
{
    t->alloc_nomem   += s->alloc_nomem;
    t->tx_pkts       += s->tx_pkts;
    t->tx_segs       += s->tx_segs;
    t->tx_reused     += s->tx_reused;
    t->tx_indirect   += s->tx_indirect;
    t->tx_copied     += s->tx_copied;
    t->tx_linearized += s->tx_linearized;
    t->tx_nomem      += s->tx_nomem;
    t->tx_dropped    += s->tx_dropped;
    t->rx_pkts       += s->rx_pkts;
    t->rx_segs       += s->rx_segs;
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
tp_sum(const struct tp_app *app, struct tp_sum *s)
{
    const struct tp_port_counters *c;
    unsigned int                   i, k;
    uint16_t                       port;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < app->nb_lcores; i++) {
        const struct tp_lcore *lc = &app->lcores[i];

        tp_evpl_add(&s->evpl, &lc->evpl_stats);
        s->errors += lc->failed != 0;
        for (k = 0; k < app->nb_ports; k++) {
            port = app->ports[k];
            c    = &lc->cnt[port];
            s->port[port].rx        += c->rx;
            s->port[port].tx        += c->tx;
            s->port[port].dropped   += c->dropped;
            s->port[port].generated += c->generated;
            s->port[port].rx_ipv4_udp += c->rx_ipv4_udp;
            s->all.rx               += c->rx;
            s->all.tx               += c->tx;
            s->all.dropped          += c->dropped;
            s->all.generated        += c->generated;
        }
    }
    s->seconds = (double) (app->stop_tsc - app->start_tsc) /
                 (double) rte_get_timer_hz();
    s->fanout  = tp_fanout(app);
}

static int
tp_balanced(const struct tp_sum *s)
{
    return s->all.rx * s->fanout + s->all.generated ==
           s->all.tx + s->all.dropped;
}

static double
tp_pps(uint64_t n, const struct tp_sum *s)
{
    return s->seconds > 0 ? (double) n / s->seconds : 0;
}

#define TP_EVPL_FIELDS(X) \
    X(alloc_nomem) X(tx_pkts) X(tx_segs) X(tx_reused) X(tx_indirect) \
    X(tx_copied) X(tx_linearized) X(tx_nomem) X(tx_dropped) X(rx_pkts) \
    X(rx_segs)

static void
tp_final_json(const struct tp_app *app, const struct tp_sum *s, FILE *out,
              unsigned int drained, unsigned int free_at_end)
{
    struct rte_eth_stats st;
    char                 name[RTE_ETH_NAME_MAX_LEN];
    const char          *sep = "";
    unsigned int         i, k;
    uint16_t             port;

    fprintf(out, "{\"mode\": \"%s\", \"burst\": %u, \"txpkts\": [",
            tp_mode_name(app->args.mode), app->args.burst);
    for (i = 0; i < app->args.nb_txpkts; i++)
        fprintf(out, "%s%u", i ? ", " : "", app->args.txpkts[i]);
    fprintf(out, "], \"lcores\": {\"main\": %u, \"forwarding\": [",
            app->main_lcore);
    for (i = 0; i < app->nb_lcores; i++)
        fprintf(out, "%s%u", i ? ", " : "", app->lcores[i].lcore_id);
    fprintf(out, "]}, \"seconds\": %.6f, \"ports\": [", s->seconds);

    for (k = 0; k < app->nb_ports; k++) {
        const struct tp_port_counters *c;

        port = app->ports[k];
        c    = &s->port[port];
        if (rte_eth_stats_get(port, &st) != 0)
            memset(&st, 0, sizeof(st));
        if (rte_eth_dev_get_name_by_port(port, name) != 0)
            strcpy(name, "?");
        fprintf(out, "%s{\"port\": %u, \"name\": \"%s\", \"peer\": %u, "
                "\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
                ", \"dropped\": %" PRIu64 ", \"generated\": %" PRIu64
                ", \"rx_ipv4_udp\": %" PRIu64
                ", \"rx_pps\": %.0f, \"tx_pps\": %.0f, "
                "\"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
                ", \"ethdev\": {\"ipackets\": %" PRIu64 ", \"opackets\": %"
                PRIu64 ", \"imissed\": %" PRIu64 ", \"ierrors\": %" PRIu64
                ", \"oerrors\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64 "}}",
                sep, port, name, app->peer[port], c->rx, c->tx, c->dropped,
                c->generated, c->rx_ipv4_udp, tp_pps(c->rx, s),
                tp_pps(c->tx, s), st.ibytes,
                st.obytes, st.ipackets, st.opackets, st.imissed, st.ierrors,
                st.oerrors, st.rx_nombuf);
        sep = ", ";
    }

    fprintf(out, "], \"totals\": {\"rx_packets\": %" PRIu64
            ", \"tx_packets\": %" PRIu64 ", \"dropped\": %" PRIu64
            ", \"generated\": %" PRIu64 ", \"fanout\": %u, \"rx_pps\": %.0f"
            ", \"tx_pps\": %.0f, \"balanced\": %s}, \"evpl\": {",
            s->all.rx, s->all.tx, s->all.dropped, s->all.generated,
            s->fanout, tp_pps(s->all.rx, s), tp_pps(s->all.tx, s),
            tp_balanced(s) ? "true" : "false");
    sep = "";
#define X(f) \
    fprintf(out, "%s\"" #f "\": %" PRIu64, sep, s->evpl.f); sep = ", ";
    TP_EVPL_FIELDS(X)
#undef X
    fprintf(out, "}, \"pool\": {\"name\": \"%s\", \"size\": %u, "
            "\"free_at_start\": %u, \"free_at_end\": %u, \"outstanding\": %d}"
            ", \"drained\": %u, \"lcore_errors\": %u}\n",
            app->pool->name, app->pool->size, app->free_at_start,
            free_at_end, (int) app->free_at_start - (int) free_at_end,
            drained, s->errors);
}

static void
tp_final_text(const struct tp_app *app, const struct tp_sum *s, FILE *out,
              unsigned int drained, unsigned int free_at_end)
{
    unsigned int k;
    uint16_t     port;

    for (k = 0; k < app->nb_ports; k++) {
        const struct tp_port_counters *c;

        port = app->ports[k];
        c    = &s->port[port];
        fprintf(out, "\n  ---------------------- Forward statistics for port "
                "%-2u ----------------------\n"
                "  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64
                " TX-dropped: %" PRIu64 "\n"
                "  RX-Mpps:    %-14.3f TX-Mpps:    %-14.3f generated:  %"
                PRIu64 "\n", port, c->rx, c->tx, c->dropped,
                tp_pps(c->rx, s) / 1e6, tp_pps(c->tx, s) / 1e6, c->generated);
    }
    fprintf(out, "\n  +++++++++++++++ Accumulated forward statistics for all "
            "ports +++++++++++++++\n"
            "  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64
            " TX-dropped: %" PRIu64 "\n"
            "  RX-Mpps:    %-14.3f TX-Mpps:    %-14.3f in %.3f s\n"
            "  rx x %u + generated %" PRIu64 " = tx + dropped: %s\n",
            s->all.rx, s->all.tx, s->all.dropped, tp_pps(s->all.rx, s) / 1e6,
            tp_pps(s->all.tx, s) / 1e6, s->seconds, s->fanout,
            s->all.generated, tp_balanced(s) ? "balanced" : "UNBALANCED");
    fprintf(out, "\n  evpl:");
#define X(f) fprintf(out, " " #f " %" PRIu64, s->evpl.f);
    TP_EVPL_FIELDS(X)
#undef X
    fprintf(out, "\n  pool %s: %u mbufs, %u free at start, %u at end "
            "(%u drained from the ports): %s\n",
            app->pool->name, app->pool->size, app->free_at_start, free_at_end,
            drained, free_at_end == app->free_at_start ?
            "zero outstanding" : "LEAK");
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
