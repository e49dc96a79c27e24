/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The prompt's port commands, with dpdk-testpmd's spelling and its output
 * layout, so that what a testpmd user types and reads works the same:
 * show port info|summary|stats|xstats, clear port stats|xstats, port
 * stop|start, set promisc, show rxq|txq info. Each takes a port id or
 * "all"; "all" is every port the EAL probed (port start/stop and set
 * promisc: every port evpl-testpmd set up), as in testpmd. What the show
 * commands print is port_info.c's.
 */

#include <inttypes.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <rte_ethdev.h>

#include "testpmd.h"

int
tp_port_arg(unsigned int value, uint16_t *port)
{
    uint16_t p;

    if (value >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(
            (uint16_t) value)) {
        fprintf(stderr, "Invalid port %u\n", value);
        fprintf(tp.out, "The valid ports array is [");
        RTE_ETH_FOREACH_DEV(p)
            fprintf(tp.out, " %u", p);
        fprintf(tp.out, " ]\n");
        return -1;
    }
    *port = (uint16_t) value;
    return 0;
}

/* ---- show port WHAT PORT|all, clear port WHAT PORT|all -------------------- */

struct tp_cmd_port {
    cmdline_fixed_string_t w0;
    cmdline_fixed_string_t w1;
    cmdline_fixed_string_t w2;
    cmdline_fixed_string_t all;
    uint16_t               id;
};

#define TP_PWORD(name, field, text) \
    static cmdline_parse_token_string_t name = \
        TOKEN_STRING_INITIALIZER(struct tp_cmd_port, field, text)

TP_PWORD(tp_p_show, w0, "show");
TP_PWORD(tp_p_clear, w0, "clear");
TP_PWORD(tp_p_port0, w0, "port");
TP_PWORD(tp_p_set, w0, "set");
TP_PWORD(tp_p_port1, w1, "port");
TP_PWORD(tp_p_stopstart, w1, "stop#start");
TP_PWORD(tp_p_promisc, w1, "promisc");
TP_PWORD(tp_p_show_what, w2, "info#summary#stats#xstats");
TP_PWORD(tp_p_clear_what, w2, "stats#xstats");
TP_PWORD(tp_p_onoff, w2, "on#off");
TP_PWORD(tp_p_all3, all, "all");
static cmdline_parse_token_num_t tp_p_id2 =
    TOKEN_NUM_INITIALIZER(struct tp_cmd_port, id, RTE_UINT16);

/* The ports "all" or an id names: every probed port, or that one. */
static unsigned int
tp_ports_named(const struct tp_cmd_port *r, uint16_t *list)
{
    unsigned int n = 0;
    uint16_t     port;

    if (strcmp(r->all, "all") != 0) {
        if (tp_port_arg(r->id, &list[0]) < 0)
            return 0;
        return 1;
    }
    RTE_ETH_FOREACH_DEV(port)
        list[n++] = port;
    return n;
}

static void
tp_cmd_show_port(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_port *r = res;
    uint16_t                  list[RTE_MAX_ETHPORTS];
    unsigned int              n = tp_ports_named(r, list), k;

    (void) cl;
    (void) data;
    if (n == 0)
        return;
    if (strcmp(r->w2, "stats") == 0) {
        tp_stats_port(&tp, tp.out, 0, n == 1 && strcmp(r->all, "all") != 0 ?
                      list[0] : TP_ALL_PORTS);
        return;
    }
    if (strcmp(r->w2, "summary") == 0)
        fprintf(tp.out, "Number of available ports: %u\n%-4s %-17s %-12s "
                "%-14s %-8s %s\n", rte_eth_dev_count_avail(), "Port",
                "MAC Address", "Name", "Driver", "Status", "Link");
    for (k = 0; k < n; k++) {
        if (strcmp(r->w2, "info") == 0)
            tp_port_info(tp.out, list[k]);
        else if (strcmp(r->w2, "summary") == 0)
            tp_port_summary(tp.out, list[k]);
        else
            tp_port_xstats(tp.out, list[k]);
    }
}

static void
tp_cmd_clear_port(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_port *r = res;
    uint16_t                  list[RTE_MAX_ETHPORTS];
    unsigned int              n = tp_ports_named(r, list), k;
    int                       ret;

    (void) cl;
    (void) data;
    if (n == 0)
        return;
    if (strcmp(r->w2, "stats") == 0) {
        tp_stats_port_clear(&tp, tp.out, strcmp(r->all, "all") != 0 ?
                            list[0] : TP_ALL_PORTS);
        return;
    }
    for (k = 0; k < n; k++) {
        ret = rte_eth_xstats_reset(list[k]);
        if (ret != 0)
            fprintf(stderr, "Error: failed to reset xstats (port %u): %s\n",
                    list[k], strerror(-ret));
    }
}

/* ---- port stop|start PORT|all, set promisc PORT|all on|off --------------- */

static void
tp_cmd_port_stopstart(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_port *r = res;
    int                       start = strcmp(r->w1, "start") == 0, ret;
    struct rte_ether_addr     mac;
    unsigned int              k, changed = 0;
    uint16_t                  port, one;

    (void) cl;
    (void) data;
    if (strcmp(r->all, "all") != 0 && tp_port_arg(r->id, &one) < 0)
        return;
    if (!start)
        fprintf(tp.out, "Stopping ports...\n");
    for (k = 0; k < tp.nb_cfg_ports; k++) {
        port = tp.cfg_ports[k];
        if (strcmp(r->all, "all") != 0 && port != r->id)
            continue;
        if (tp.running) {
            fprintf(stderr, "Please remove port %u from forwarding "
                    "configuration.\n", port);
            continue;
        }
        if (start != tp.port_stopped[port]) {
            if (start)
                fprintf(stderr, "Port %u is now not stopped\n", port);
            continue;
        }
        ret = start ? rte_eth_dev_start(port) : rte_eth_dev_stop(port);
        if (ret != 0) {
            fprintf(stderr, "Port %u can not be set into %s: %s\n", port,
                    start ? "started" : "stopped", strerror(-ret));
            continue;
        }
        tp.port_stopped[port] = (uint8_t) !start;
        changed++;
        if (start && rte_eth_macaddr_get(port, &mac) == 0) {
            fprintf(tp.out, "Port %u: ", port);
            tp_mac(tp.out, &mac);
            fprintf(tp.out, "\n");
        }
    }
    if (strcmp(r->all, "all") != 0 && !tp_port_configured(r->id))
        fprintf(stderr, "Port %u is not one evpl-testpmd set up (see "
                "--portmask, --nb-ports)\n", r->id);
    if (changed)
        fprintf(tp.out, "Checking link statuses...\n");
    fprintf(tp.out, "Done\n");
}

static void
tp_cmd_set_promisc(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_port *r = res;
    int                       on = strcmp(r->w2, "on") == 0, ret;
    uint16_t                  port, one;

    (void) cl;
    (void) data;
    if (strcmp(r->all, "all") != 0 && tp_port_arg(r->id, &one) < 0)
        return;
    RTE_ETH_FOREACH_DEV(port) {
        if (strcmp(r->all, "all") != 0 && port != r->id)
            continue;
        ret = on ? rte_eth_promiscuous_enable(port) :
                   rte_eth_promiscuous_disable(port);
        if (ret != 0)
            fprintf(stderr, "Error during %s promiscuous mode for port %u: "
                    "%s\n", on ? "enabling" : "disabling", port,
                    rte_strerror(-ret));
    }
}

/* ---- show rxq|txq info PORT QUEUE --------------------------------------- */

struct tp_cmd_queue {
    cmdline_fixed_string_t show;
    cmdline_fixed_string_t which;
    cmdline_fixed_string_t info;
    uint16_t               port;
    uint16_t               queue;
};

static cmdline_parse_token_string_t tp_q_show =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_queue, show, "show");
static cmdline_parse_token_string_t tp_q_which =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_queue, which, "rxq#txq");
static cmdline_parse_token_string_t tp_q_info =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_queue, info, "info");
static cmdline_parse_token_num_t tp_q_port =
    TOKEN_NUM_INITIALIZER(struct tp_cmd_queue, port, RTE_UINT16);
static cmdline_parse_token_num_t tp_q_queue =
    TOKEN_NUM_INITIALIZER(struct tp_cmd_queue, queue, RTE_UINT16);

static void
tp_cmd_show_queue(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_queue *r = res;
    uint16_t                   port = 0;

    (void) cl;
    (void) data;
    if (tp_port_arg(r->port, &port) == 0)
        tp_queue_info(tp.out, port, r->queue, strcmp(r->which, "rxq") == 0);
}

/* ---- the instructions ------------------------------------------------------ */

#define TP_SHOW_PORT_HELP "show port info|summary|stats|xstats PORT|all: " \
    "the port's information, a line per port, its NIC statistics page " \
    "(rates since the last show), its extended statistics"
#define TP_CLEAR_PORT_HELP "clear port stats|xstats PORT|all: zero the " \
    "port's counters (forward statistics count from here) or extended " \
    "statistics"
#define TP_PORT_HELP "port stop|start PORT|all: stop or start a port " \
    "evpl-testpmd set up (forwarding stopped; start refuses while one is " \
    "stopped)"
#define TP_PROMISC_HELP "set promisc PORT|all on|off: promiscuous mode"

static cmdline_parse_inst_t tp_show_port_all = {
    .f = tp_cmd_show_port, .help_str = TP_SHOW_PORT_HELP,
    .tokens = { (void *) &tp_p_show, (void *) &tp_p_port1,
                (void *) &tp_p_show_what, (void *) &tp_p_all3, NULL },
};

static cmdline_parse_inst_t tp_show_port_id = {
    .f = tp_cmd_show_port, .help_str = TP_SHOW_PORT_HELP,
    .tokens = { (void *) &tp_p_show, (void *) &tp_p_port1,
                (void *) &tp_p_show_what, (void *) &tp_p_id2, NULL },
};

static cmdline_parse_inst_t tp_clear_port_all = {
    .f = tp_cmd_clear_port, .help_str = TP_CLEAR_PORT_HELP,
    .tokens = { (void *) &tp_p_clear, (void *) &tp_p_port1,
                (void *) &tp_p_clear_what, (void *) &tp_p_all3, NULL },
};

static cmdline_parse_inst_t tp_clear_port_id = {
    .f = tp_cmd_clear_port, .help_str = TP_CLEAR_PORT_HELP,
    .tokens = { (void *) &tp_p_clear, (void *) &tp_p_port1,
                (void *) &tp_p_clear_what, (void *) &tp_p_id2, NULL },
};

static cmdline_parse_inst_t tp_port_all = {
    .f = tp_cmd_port_stopstart, .help_str = TP_PORT_HELP,
    .tokens = { (void *) &tp_p_port0, (void *) &tp_p_stopstart,
                (void *) &tp_p_all3, NULL },
};

static cmdline_parse_inst_t tp_port_id = {
    .f = tp_cmd_port_stopstart, .help_str = TP_PORT_HELP,
    .tokens = { (void *) &tp_p_port0, (void *) &tp_p_stopstart,
                (void *) &tp_p_id2, NULL },
};

static cmdline_parse_inst_t tp_promisc_all = {
    .f = tp_cmd_set_promisc, .help_str = TP_PROMISC_HELP,
    .tokens = { (void *) &tp_p_set, (void *) &tp_p_promisc,
                (void *) &tp_p_all3, (void *) &tp_p_onoff, NULL },
};

static cmdline_parse_inst_t tp_promisc_id = {
    .f = tp_cmd_set_promisc, .help_str = TP_PROMISC_HELP,
    .tokens = { (void *) &tp_p_set, (void *) &tp_p_promisc,
                (void *) &tp_p_id2, (void *) &tp_p_onoff, NULL },
};

static cmdline_parse_inst_t tp_show_queue = {
    .f = tp_cmd_show_queue,
    .help_str = "show rxq|txq info PORT QUEUE: a queue's configuration, as "
                "the driver reports it",
    .tokens = { (void *) &tp_q_show, (void *) &tp_q_which,
                (void *) &tp_q_info, (void *) &tp_q_port,
                (void *) &tp_q_queue, NULL },
};

cmdline_parse_inst_t *tp_cmds_port[] = {
    &tp_show_port_all, &tp_show_port_id,
    &tp_clear_port_all, &tp_clear_port_id,
    &tp_port_all, &tp_port_id,
    &tp_promisc_all, &tp_promisc_id,
    &tp_show_queue,
    NULL,
};
