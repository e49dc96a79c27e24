/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The prompt's configuration commands, with dpdk-testpmd's spelling and
 * output layout: set nbcore, set portlist, set verbose (and the packet
 * lines it prints), show config rxtx, show config cores.
 */

/* rte_eth_dev_conf_get(): experimental in 22.11, as testpmd uses it. */
#define ALLOW_EXPERIMENTAL_API

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "testpmd.h"

struct tp_cmd_cfg {
    cmdline_fixed_string_t w0;
    cmdline_fixed_string_t w1;
    cmdline_fixed_string_t w2;
    uint16_t               value;
};

#define TP_CWORD(name, field, text) \
    static cmdline_parse_token_string_t name = \
        TOKEN_STRING_INITIALIZER(struct tp_cmd_cfg, field, text)

TP_CWORD(tp_c_set, w0, "set");
TP_CWORD(tp_c_show, w0, "show");
TP_CWORD(tp_c_nbcore, w1, "nbcore");
TP_CWORD(tp_c_verbose, w1, "verbose");
TP_CWORD(tp_c_portlist, w1, "portlist");
TP_CWORD(tp_c_config, w1, "config");
TP_CWORD(tp_c_rxtx_cores, w2, "rxtx#cores");
static cmdline_parse_token_string_t tp_c_list =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_cfg, w2, NULL);
static cmdline_parse_token_num_t tp_c_value =
    TOKEN_NUM_INITIALIZER(struct tp_cmd_cfg, value, RTE_UINT16);

/* Deal the streams again after a change of lcores or ports; on failure
 * the old plan comes back and the change is undone by the caller. */
static int
tp_replan(void)
{
    tp_unplan();
    return tp_plan();
}

/* ---- set nbcore N ---------------------------------------------------------- */

static void
tp_cmd_set_nbcore(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_cfg *r = res;
    unsigned int             lcore, avail = 0, old = tp.nb_workers;

    (void) cl;
    (void) data;
    if (!tp_stopped())
        return;
    RTE_LCORE_FOREACH_WORKER(lcore)
        avail++;
    if (r->value == 0 || r->value > avail) {
        fprintf(stderr, "nb fwd cores %u %s %u (max. number of configured "
                "lcores) - ignored\n", r->value, r->value ? ">" : "not in 1..",
                avail);
        return;
    }
    tp.nb_workers = r->value;
    if (tp_replan() != 0) {
        tp.nb_workers = old;
        if (tp_replan() != 0)
            fprintf(stderr, "evpl-testpmd: the plan cannot be made again\n");
        return;
    }
    tp.args.nb_cores = r->value;
    fprintf(tp.out, "Number of forwarding cores set to %u\n", r->value);
}

/* ---- set portlist 0,1 | 0-3 | ... ----------------------------------------- */

/* "1,3,5", "1-3", "1-2,5": the ports in order, each once. Returns their
 * number, or 0 after a message. */
static unsigned int
tp_port_list(const char *s, uint16_t *out)
{
    unsigned int n = 0, k;
    unsigned long lo, hi, v;
    char         *end;

    while (*s != '\0') {
        lo = strtoul(s, &end, 10);
        if (end == s)
            goto bad;
        hi = lo;
        if (*end == '-') {
            s  = end + 1;
            hi = strtoul(s, &end, 10);
            if (end == s || hi < lo)
                goto bad;
        }
        for (v = lo; v <= hi; v++) {
            if (v >= RTE_MAX_ETHPORTS || !tp_port_configured((uint16_t) v)) {
                fprintf(stderr, "Invalid port %lu: not one evpl-testpmd set "
                        "up (see --portmask, --nb-ports)\n", v);
                return 0;
            }
            for (k = 0; k < n && out[k] != v; k++)
                ;
            if (k == n)
                out[n++] = (uint16_t) v;
        }
        if (*end != ',' && *end != '\0')
            goto bad;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
 bad:
    fprintf(stderr, "set portlist: a list of ports such as 0,1 or 0-3\n");
    return 0;
}

static void
tp_cmd_set_portlist(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_cfg *r = res;
    uint16_t                 list[RTE_MAX_ETHPORTS], old[RTE_MAX_ETHPORTS];
    unsigned int             n, nb_old = tp.nb_ports;

    (void) cl;
    (void) data;
    if (!tp_stopped())
        return;
    n = tp_port_list(r->w2, list);
    if (n == 0)
        return;
    memcpy(old, tp.ports, sizeof(old[0]) * nb_old);
    memcpy(tp.ports, list, sizeof(list[0]) * n);
    tp.nb_ports = n;
    tp_pair_ports();
    if (tp_replan() != 0) {
        memcpy(tp.ports, old, sizeof(old[0]) * nb_old);
        tp.nb_ports = nb_old;
        tp_pair_ports();
        if (tp_replan() != 0)
            fprintf(stderr, "evpl-testpmd: the plan cannot be made again\n");
        return;
    }
    tp_txonly_headers(&tp);
    if (n != nb_old)
        fprintf(tp.out, "previous number of forwarding ports %u - changed "
                "to number of configured ports %u\n", nb_old, n);
    if (n % 2)
        fprintf(tp.out, "\nWarning! port-topology=paired and odd forward "
                "ports number, the last port will pair with itself.\n\n");
}

/* ---- set verbose N --------------------------------------------------------- */

/* testpmd's levels: 1 received packets, 2 sent ones, more both. A line per
 * burst and one per packet, from the forwarding lcores, through ethdev's
 * RX and TX callbacks (so every mode shows what the ports saw). */
static const struct rte_eth_rxtx_callback **tp_rx_cbs, **tp_tx_cbs;

static void
tp_dump(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n,
        const char *what)
{
    const struct rte_ether_hdr *eth;
    uint16_t                    i;

    if (n == 0)
        return;
    /* A burst's lines together, and never inside what the prompt writes
     * (tp_prompt holds the same lock). */
    flockfile(tp.out);
    fprintf(tp.out, "port %u/queue %u: %s %u packets\n", port, queue, what,
            n);
    for (i = 0; i < n; i++) {
        eth = rte_pktmbuf_mtod(m[i], const struct rte_ether_hdr *);
        fprintf(tp.out, "  src=%02X:%02X:%02X:%02X:%02X:%02X - "
                "dst=%02X:%02X:%02X:%02X:%02X:%02X - pool=%s - type=0x%04x - "
                "length=%u - nb_segs=%u\n",
                eth->src_addr.addr_bytes[0], eth->src_addr.addr_bytes[1],
                eth->src_addr.addr_bytes[2], eth->src_addr.addr_bytes[3],
                eth->src_addr.addr_bytes[4], eth->src_addr.addr_bytes[5],
                eth->dst_addr.addr_bytes[0], eth->dst_addr.addr_bytes[1],
                eth->dst_addr.addr_bytes[2], eth->dst_addr.addr_bytes[3],
                eth->dst_addr.addr_bytes[4], eth->dst_addr.addr_bytes[5],
                m[i]->pool->name, rte_be_to_cpu_16(eth->ether_type),
                m[i]->pkt_len, m[i]->nb_segs);
    }
    funlockfile(tp.out);
}

static uint16_t
tp_rx_cb(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n,
         uint16_t max, void *arg)
{
    (void) max;
    (void) arg;
    tp_dump(port, queue, m, n, "received");
    return n;
}

static uint16_t
tp_tx_cb(uint16_t port, uint16_t queue, struct rte_mbuf **m, uint16_t n,
         void *arg)
{
    (void) arg;
    tp_dump(port, queue, m, n, "sent");
    return n;
}

/* Add or remove the callbacks of every queue of the ports set up. ethdev
 * never frees a removed callback, so a burst still running one is safe. */
static void
tp_callbacks(unsigned int level)
{
    unsigned int k, q, i = 0, nrx = tp.args.nb_rxq, ntx = tp.nb_txq;
    uint16_t     port;

    if (tp_rx_cbs == NULL) {
        tp_rx_cbs = calloc(tp.nb_cfg_ports * nrx, sizeof(*tp_rx_cbs));
        tp_tx_cbs = calloc(tp.nb_cfg_ports * ntx, sizeof(*tp_tx_cbs));
        if (tp_rx_cbs == NULL || tp_tx_cbs == NULL) {
            fprintf(stderr, "evpl-testpmd: no memory for verbose\n");
            return;
        }
    }
    for (k = 0; k < tp.nb_cfg_ports; k++) {
        port = tp.cfg_ports[k];
        for (q = 0; q < nrx; q++, i++) {
            if ((level & 1) && tp_rx_cbs[i] == NULL)
                tp_rx_cbs[i] = rte_eth_add_rx_callback(port, (uint16_t) q,
                                                       tp_rx_cb, NULL);
            else if (!(level & 1) && tp_rx_cbs[i] != NULL &&
                     rte_eth_remove_rx_callback(port, (uint16_t) q,
                                                tp_rx_cbs[i]) == 0)
                tp_rx_cbs[i] = NULL;
        }
    }
    for (i = 0, k = 0; k < tp.nb_cfg_ports; k++) {
        port = tp.cfg_ports[k];
        for (q = 0; q < ntx; q++, i++) {
            if ((level & 2) && tp_tx_cbs[i] == NULL)
                tp_tx_cbs[i] = rte_eth_add_tx_callback(port, (uint16_t) q,
                                                       tp_tx_cb, NULL);
            else if (!(level & 2) && tp_tx_cbs[i] != NULL &&
                     rte_eth_remove_tx_callback(port, (uint16_t) q,
                                                tp_tx_cbs[i]) == 0)
                tp_tx_cbs[i] = NULL;
        }
    }
}

static void
tp_cmd_set_verbose(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_cfg *r = res;

    (void) cl;
    (void) data;
    fprintf(tp.out, "Change verbose level from %u to %u\n", tp.verbose,
            r->value);
    tp.verbose = r->value;
    tp_callbacks(r->value > 2 ? 3 : r->value);
}

/* ---- show config rxtx|cores ------------------------------------------------ */

static void
tp_config_rxtx(FILE *out)
{
    struct rte_eth_conf     conf;
    struct rte_eth_rxq_info rq;
    struct rte_eth_txq_info tq;
    unsigned int            k;
    uint16_t                port;

    fprintf(out, "  %s packet forwarding packets/burst=%u\n",
            tp_mode_name(tp.args.mode), tp.args.burst);
    if (tp.args.mode == TP_MODE_TXONLY)
        fprintf(out, "  packet len=%u - nb packet segments=%u\n",
                tp.args.tx_pkt_len, tp.args.nb_txpkts);
    fprintf(out, "  nb forwarding cores=%u - nb forwarding ports=%u\n",
            tp.nb_lcores, tp.nb_ports);
    for (k = 0; k < tp.nb_cfg_ports; k++) {
        port = tp.cfg_ports[k];
        if (rte_eth_dev_conf_get(port, &conf) != 0)
            memset(&conf, 0, sizeof(conf));
        /* What the driver reports, else what evpl-testpmd asked for. */
        if (rte_eth_rx_queue_info_get(port, 0, &rq) != 0) {
            memset(&rq, 0, sizeof(rq));
            rq.nb_desc = (uint16_t) tp.args.nb_rxd;
        }
        if (rte_eth_tx_queue_info_get(port, 0, &tq) != 0) {
            memset(&tq, 0, sizeof(tq));
            tq.nb_desc      = (uint16_t) tp.args.nb_txd;
            tq.conf.offloads = conf.txmode.offloads;
        }
        fprintf(out, "  port %u: RX queue number: %u Tx queue number: %u\n"
                "    Rx offloads=0x%" PRIx64 " Tx offloads=0x%" PRIx64 "\n"
                "    RX queue: 0\n"
                "      RX desc=%u - RX free threshold=%u\n"
                "      RX threshold registers: pthresh=%u hthresh=%u  "
                "wthresh=%u\n"
                "      RX Offloads=0x%" PRIx64 "\n"
                "    TX queue: 0\n"
                "      TX desc=%u - TX free threshold=%u\n"
                "      TX threshold registers: pthresh=%u hthresh=%u  "
                "wthresh=%u\n"
                "      TX offloads=0x%" PRIx64 " - TX RS bit threshold=%u\n",
                port, tp.args.nb_rxq, tp.nb_txq, conf.rxmode.offloads,
                conf.txmode.offloads, rq.nb_desc, rq.conf.rx_free_thresh,
                rq.conf.rx_thresh.pthresh, rq.conf.rx_thresh.hthresh,
                rq.conf.rx_thresh.wthresh, rq.conf.offloads, tq.nb_desc,
                tq.conf.tx_free_thresh, tq.conf.tx_thresh.pthresh,
                tq.conf.tx_thresh.hthresh, tq.conf.tx_thresh.wthresh,
                tq.conf.offloads, tq.conf.tx_rs_thresh);
    }
}

static void
tp_cmd_show_config(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_cfg *r = res;
    unsigned int             i;

    (void) cl;
    (void) data;
    if (strcmp(r->w2, "rxtx") == 0) {
        tp_config_rxtx(tp.out);
        return;
    }
    fprintf(tp.out, "List of forwarding lcores:");
    for (i = 0; i < tp.nb_lcores; i++)
        fprintf(tp.out, " %2u", tp.lcores[i].lcore_id);
    fprintf(tp.out, "\n");
}

/* ---- the instructions ------------------------------------------------------ */

static cmdline_parse_inst_t tp_nbcore = {
    .f = tp_cmd_set_nbcore,
    .help_str = "set nbcore N: forwarding lcores of the next start, 1..the "
                "EAL's lcores less the main one",
    .tokens = { (void *) &tp_c_set, (void *) &tp_c_nbcore,
                (void *) &tp_c_value, NULL },
};

static cmdline_parse_inst_t tp_portlist = {
    .f = tp_cmd_set_portlist,
    .help_str = "set portlist LIST: the forwarding ports, among those set up "
                "(0,1 or 0-3), paired in order",
    .tokens = { (void *) &tp_c_set, (void *) &tp_c_portlist,
                (void *) &tp_c_list, NULL },
};

static cmdline_parse_inst_t tp_verbose = {
    .f = tp_cmd_set_verbose,
    .help_str = "set verbose N: 0 quiet, 1 a line per received packet, 2 per "
                "sent packet, 3 both",
    .tokens = { (void *) &tp_c_set, (void *) &tp_c_verbose,
                (void *) &tp_c_value, NULL },
};

static cmdline_parse_inst_t tp_show_config = {
    .f = tp_cmd_show_config,
    .help_str = "show config rxtx|cores: the ports' queue configuration, the "
                "forwarding lcores",
    .tokens = { (void *) &tp_c_show, (void *) &tp_c_config,
                (void *) &tp_c_rxtx_cores, NULL },
};

cmdline_parse_inst_t *tp_cmds_config[] = {
    &tp_nbcore, &tp_portlist, &tp_verbose, &tp_show_config, NULL,
};
