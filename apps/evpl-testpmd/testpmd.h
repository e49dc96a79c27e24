/* SPDX-License-Identifier: LGPL-2.1-only */

/* evpl-testpmd: what the command line, the lcores and the reports share. */

#ifndef EVPL_TESTPMD_H
#define EVPL_TESTPMD_H

#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include <cmdline_parse.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include <evpl/evpl.h>

#define TP_MAX_BURST      512u
#define TP_DEFAULT_BURST  32u
#define TP_MAX_TXSEGS     8u
/* start tx_first N: at most this many bursts on every stream. */
#define TP_MAX_TX_FIRST   64u
#define TP_MAX_STREAMS    64u
/* Headers txonly writes into the first segment: Ethernet, IPv4, UDP. */
#define TP_HDR_LEN        42u
/* Room for received segments per packet of a burst: a chain longer than
 * this on average waits in the context for the next call. */
#define TP_RX_IOV_PER_PKT 4u
/* Pipeline ring entries per RX/TX lcore pair. */
#define TP_RING_SIZE      4096u

enum tp_mode {
    TP_MODE_IO,
    TP_MODE_IOVEC,
    TP_MODE_MAC,
    TP_MODE_MACSWAP,
    TP_MODE_TXONLY,
    TP_MODE_RXONLY,
    TP_MODE_CLONE,
    TP_MODE_SPLIT,
    TP_MODE_PIPELINE,
    TP_MODE_COUNT
};

/* The application's command line (after EAL's "--"). */
struct tp_args {
    enum tp_mode mode;
    unsigned int txpkts[TP_MAX_TXSEGS];
    unsigned int nb_txpkts;
    unsigned int tx_pkt_len;   /* sum of txpkts */
    unsigned int burst;
    unsigned int nb_rxq;
    unsigned int nb_txq;       /* 0: as many as RX queues */
    unsigned int nb_rxd, nb_txd;
    unsigned int stats_period; /* seconds; 0: none */
    double       duration;     /* seconds; 0: until a signal */
    int          json;
    int          tx_first;
    unsigned int nb_mbufs;
    unsigned int mbuf_size;    /* data room, headroom included */
    unsigned int mbcache;
    unsigned int tx_copy_max;  /* 0: the library's default, or 1 in clone */
    int          interactive;  /* -i: the testpmd> prompt */
    int          auto_start;   /* -a: start forwarding at the prompt's start */
    unsigned int nb_cores;     /* forwarding lcores; 0: every worker */
    uint64_t     portmask;     /* forwarding ports; 0: every probed one */
    unsigned int nb_ports;     /* the first N of those; 0: all */
    /* --eth-peer: the destination address of what goes out of a port */
    struct rte_ether_addr eth_peer[RTE_MAX_ETHPORTS];
    uint8_t      eth_peer_set[RTE_MAX_ETHPORTS];
};

/* Parse argv (the words after "--"). Returns 0 to run, 1 when --help was
 * printed, -1 after a message on stderr. */
int tp_args_parse(int argc, char **argv, struct tp_args *a);

/* The EAL's usage hook: with "evpl-testpmd --help", the EAL's options are
 * followed by the program's own. */
void tp_usage_hook(const char *prog);

/* A --txpkts list ("64,1436") into a; what (an option or a command) names
 * it in messages. Returns 0, or -1 after a message on stderr. */
int tp_txpkts_parse(const char *what, const char *s, struct tp_args *a);

/* A forwarding mode by name. Returns 0, or -1 (nothing printed). */
int tp_mode_parse(const char *s, enum tp_mode *mode);

const char *tp_mode_name(enum tp_mode mode);

/* Counters of one lcore for one port; only that lcore writes them. */
struct tp_port_counters {
    uint64_t rx;        /* packets received by the forwarding streams */
    uint64_t tx;        /* packets the driver took */
    uint64_t dropped;   /* packets not taken, or freed unsent at stop */
    uint64_t generated; /* packets made for this port (txonly, tx-first) */
    /* rxonly: received packets that are well-formed Ethernet/IPv4/UDP */
    uint64_t rx_ipv4_udp;
};

/* A stream: an RX queue, and where its packets go. As in testpmd the TX
 * queue has the RX queue's number, so each (port, TX queue) is fed by one
 * stream (clone: by the streams of one lcore), and a loopback port
 * (net_ring) brings back on RX queue q what was sent on TX queue q. */
struct tp_stream {
    uint16_t rx_port, queue;
    uint16_t tx_port; /* the paired port, as testpmd pairs them */
};

enum tp_role {
    TP_ROLE_FWD,     /* receives and transmits its streams */
    TP_ROLE_PIPE_RX, /* pipeline: receives, hands SHARED iovecs on */
    TP_ROLE_PIPE_TX, /* pipeline: transmits what its ring brings */
};

/* One forwarding lcore. */
struct tp_lcore {
    unsigned int            lcore_id;
    unsigned int            index;    /* among forwarding lcores */
    enum tp_role            role;
    unsigned int            nb_streams;
    struct tp_stream        streams[TP_MAX_STREAMS];
    struct rte_ring        *ring;     /* pipeline: RX -> TX */
    struct tp_lcore        *peer;     /* pipeline: the other stage */
    int                     rx_done;  /* pipeline RX stage has stopped */
    int                     failed;   /* set-up on the lcore failed */

    struct evpl_dpdk_stats  evpl_stats; /* copied before the context goes */
    struct tp_port_counters cnt[RTE_MAX_ETHPORTS];
} __rte_cache_aligned;

struct tp_app {
    struct tp_args       args;
    FILE                *out;      /* reports and answers: stdout, or
                                    * stderr under --json */
    int                  out_held; /* the prompt holds out's lock (see
                                    * tp_prompt) */
    unsigned int         nb_ports; /* forwarding ports */
    uint16_t             ports[RTE_MAX_ETHPORTS];
    /* The ports set up (--portmask, --nb-ports): set portlist chooses the
     * forwarding ports among them, and the books are kept over them. */
    unsigned int         nb_cfg_ports;
    uint16_t             cfg_ports[RTE_MAX_ETHPORTS];
    uint8_t              port_stopped[RTE_MAX_ETHPORTS]; /* port stop */
    unsigned int         verbose;  /* set verbose: 1 RX, 2 TX, 3 both */
    uint16_t             peer[RTE_MAX_ETHPORTS];   /* by port id */
    struct rte_mempool  *pool;
    unsigned int         free_at_start;
    unsigned int         main_lcore;
    unsigned int         nb_workers; /* forwarding lcores the plan may use */
    unsigned int         nb_lcores;  /* those it uses */
    unsigned int         nb_txq;   /* per port */
    struct tp_lcore     *lcores;
    int                  running;  /* the lcores are forwarding */
    int                  run_tx_first; /* bursts each stream sends first */
    unsigned int         runs;     /* forwarding runs stopped so far */
    /* Port counters when the run started (or were last cleared): the
     * forward statistics are the difference, as in testpmd. */
    struct rte_eth_stats base[RTE_MAX_ETHPORTS];
    /* The stopped runs' counters, summed: what the books are kept on. */
    struct tp_port_counters acc[RTE_MAX_ETHPORTS];
    struct evpl_dpdk_stats acc_evpl;
    uint64_t             acc_owed;   /* rx x fanout + generated, per run */
    double               acc_seconds;
    unsigned int         acc_errors;
    /* txonly: the headers each port's packets start with. */
    uint8_t              hdr[RTE_MAX_ETHPORTS][TP_HDR_LEN];
    struct rte_ether_addr mac[RTE_MAX_ETHPORTS];
    struct rte_ether_addr peer_mac[RTE_MAX_ETHPORTS];
    uint64_t             start_tsc, stop_tsc;
};

extern struct tp_app tp;

/* Forwarding lcores poll this; the main lcore clears it to stop them. */
extern volatile int tp_running;

/* Forwarding runs (main.c). tp_plan deals the streams to the lcores for
 * the current mode (and makes the pipeline rings); tp_unplan undoes it.
 * Return 0, or -1 after a message on stderr. */
int  tp_plan(void);
void tp_unplan(void);
/* Pair the forwarding ports (peer[]) as testpmd's paired topology does. */
void tp_pair_ports(void);
/* Whether evpl-testpmd set the port up. */
int  tp_port_configured(uint16_t port);
int  tp_fwd_start(int tx_first);
void tp_fwd_stop(void);

/* The testpmd> prompt on stdin (cmdline.c). Returns when "quit" is given,
 * stdin ends or a signal came (*signalled set). */
int tp_prompt(volatile sig_atomic_t *signalled);

/* The prompt's commands, NULL-terminated, by file: cmd_port.c (show port,
 * clear port, port start/stop, set promisc, show rxq/txq info) and
 * cmd_config.c (set nbcore/portlist/verbose, show config). */
extern cmdline_parse_inst_t *tp_cmds_port[];
extern cmdline_parse_inst_t *tp_cmds_config[];

/* Commands that change the plan or the ports wait for the lcores to stop,
 * as dpdk-testpmd's do: 1 when stopped, else 0 after its message. */
int tp_stopped(void);

/* A port argument: 0 and the port when it is one the EAL probed, else -1
 * after testpmd's "Invalid port N". */
int tp_port_arg(unsigned int value, uint16_t *port);

/* The lcore main loop (rte_eal_remote_launch). */
int tp_lcore_main(void *arg);

/* Pipeline: a ring for every RX lcore. Returns 0, or -1 with rte_errno. */
int tp_pipeline_rings(struct tp_app *app);

/* Build the txonly headers of every port. */
void tp_txonly_headers(struct tp_app *app);

/* Reports, in dpdk-testpmd's layouts: its NIC statistics page (also the
 * periodic one), its forward statistics (at every stop), its forwarding
 * configuration; then evpl's own final lines, or one JSON object. */
/* What the port commands print, in testpmd's layouts (port_info.c). */
void tp_mac(FILE *out, const struct rte_ether_addr *m);
void tp_port_info(FILE *out, uint16_t port);
void tp_port_summary(FILE *out, uint16_t port);
void tp_port_xstats(FILE *out, uint16_t port);
void tp_queue_info(FILE *out, uint16_t port, uint16_t queue, int rx);

/* port: one port, or TP_ALL_PORTS: every port the EAL probed (show port
 * stats all), the forwarding ports under periodic, as testpmd. */
#define TP_ALL_PORTS (-1)
void tp_stats_port(const struct tp_app *app, FILE *out, int periodic,
                   int port);
void tp_stats_port_clear(struct tp_app *app, FILE *out, int port);
void tp_stats_fwd(const struct tp_app *app, FILE *out);
void tp_config_fwd(const struct tp_app *app, FILE *out);
/* Fold the lcores' counters of the run just stopped into the totals. */
void tp_stats_accumulate(struct tp_app *app);
void tp_stats_final(const struct tp_app *app, FILE *out, unsigned int drained,
                    unsigned int free_at_end);
/* Whether the stopped runs' books balance. */
int  tp_stats_balanced(const struct tp_app *app);

#endif /* EVPL_TESTPMD_H */
