/* SPDX-License-Identifier: LGPL-2.1-only */

/* evpl-testpmd's own command line, in dpdk-testpmd's spelling. */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "testpmd.h"

static const char *const tp_mode_names[TP_MODE_COUNT] = {
    [TP_MODE_IO]       = "io",
    [TP_MODE_IOVEC]    = "iovec",
    [TP_MODE_MAC]      = "mac",
    [TP_MODE_MACSWAP]  = "macswap",
    [TP_MODE_TXONLY]   = "txonly",
    [TP_MODE_RXONLY]   = "rxonly",
    [TP_MODE_CLONE]    = "clone",
    [TP_MODE_SPLIT]    = "split",
    [TP_MODE_PIPELINE] = "pipeline",
};

const char *
tp_mode_name(enum tp_mode mode)
{
    return mode < TP_MODE_COUNT ? tp_mode_names[mode] : "?";
}

static void
tp_usage(FILE *out, const char *prog)
{
    fprintf(out,
"usage: %s [EAL options] -- [options]\n"
"\n"
"Forwards packets between port pairs (0<->1, 2<->3, ...; a last odd port\n"
"to itself) on the EAL's lcores: the first is the main lcore, the others\n"
"forward, as in dpdk-testpmd. Options spelt as dpdk-testpmd's mean what\n"
"they mean there.\n"
"\n"
"  -i, --interactive     the testpmd> prompt (DPDK's cmdline) with\n"
"                        dpdk-testpmd's commands for forwarding (start,\n"
"                        start tx_first [N], stop, set fwd/burst/txpkts,\n"
"                        show fwd stats), ports (show port info|summary|\n"
"                        stats|xstats, clear port stats|xstats, port\n"
"                        stop|start, set promisc, show rxq|txq info) and\n"
"                        configuration (set nbcore/portlist/verbose, show\n"
"                        config fwd|txpkts|rxtx|cores); help lists them;\n"
"                        stdin may be a pipe\n"
"  -a, --auto-start      with -i: start forwarding at once (with\n"
"                        --tx-first, as start tx_first)\n"
"  --nb-cores=N          forwarding lcores, 1..the EAL's lcores less the\n"
"                        main one (default: all of them; dpdk-testpmd's\n"
"                        default is 1)\n"
"  --portmask=0xMASK     forward on these ports only (hexadecimal, bit N\n"
"                        for port N; default: every port the EAL probed);\n"
"                        the others are not set up\n"
"  --nb-ports=N          forward on the first N of those ports\n"
"  --eth-peer=N,XX:XX:XX:XX:XX:XX\n"
"                        destination address of what mac, txonly and\n"
"                        tx-first send out of port N (default\n"
"                        02:00:00:00:00:N)\n"
"  --forward-mode=MODE   iovec     rx -> iovecs -> mbuf chains -> tx: io's\n"
"                                  forwarding, through the library (default)\n"
"                        io        plain mbufs, rx burst -> tx burst: the\n"
"                                  baseline, dpdk-testpmd's default; it\n"
"                                  touches no iovec\n"
"                        mac       set the Ethernet addresses through iovecs\n"
"                        macswap   swap the Ethernet addresses through iovecs\n"
"                        txonly    allocate iovecs, write Eth/IPv4/UDP, send\n"
"                        rxonly    receive as iovecs and release them\n"
"                        clone     send every packet out of every port,\n"
"                                  by reference (clones, no payload copy)\n"
"                        split     a fresh header iovec in front of a\n"
"                                  clone_segment of the received payload\n"
"                        pipeline  SHARED iovecs from an RX lcore to a TX\n"
"                                  lcore through an rte_ring (lcores pair up)\n"
"                        (set fwd MODE at the prompt)\n"
"  --txpkts=N[,N...]     txonly/tx-first segment sizes; the first holds the\n"
"                        42 header bytes (default 64)\n"
"  --burst=N             packets per burst, 1..%u (default %u)\n"
"  --rxq=N               RX queues per port (default 1); every (port, queue)\n"
"                        is a stream, streams are dealt to the forwarding\n"
"                        lcores (clone: by queue)\n"
"  --txq=N               TX queues per port, at least --rxq; a stream of RX\n"
"                        queue q sends on TX queue q (default: --rxq)\n"
"  --stats-period=S      print port statistics every S seconds (not with\n"
"                        -i)\n"
"  --duration=S          stop after S seconds (default: at SIGINT/SIGTERM;\n"
"                        not with -i)\n"
"  --json                final summary as one JSON object on stdout (other\n"
"                        output, the prompt's too, goes to stderr): the\n"
"                        program's, the library's and DPDK's versions; per\n"
"                        port the packets the lcores received, sent and\n"
"                        dropped over every run, and the bytes\n"
"                        as the port counts them (net_null and net_ring\n"
"                        count none); totals, rates, evpl statistics, and\n"
"                        the pool's free count at start and end\n"
"  --tx-first            send one burst of txonly packets on every stream\n"
"                        before forwarding (seeds loopback ports)\n"
"  --rxd=N, --txd=N      descriptors per RX / TX queue (default 1024)\n"
"  --total-num-mbufs=N   mbufs in the pool (default 16384)\n"
"  --mbuf-size=N         data room of each mbuf, headroom included\n"
"                        (default %u); a port that takes each received\n"
"                        frame into one mbuf (net_af_packet: its framesz)\n"
"                        needs it larger than its frames\n"
"  --mbcache=N           per-lcore mempool cache (default 250)\n"
"  --tx-copy-max=N       evpl_config.tx_copy_max: shared pieces up to N\n"
"                        bytes are copied at TX (default: the library's;\n"
"                        in clone mode 1, so payloads go by reference)\n"
"  --help                this text\n",
            prog, TP_MAX_BURST, TP_DEFAULT_BURST,
            RTE_MBUF_DEFAULT_BUF_SIZE);
}

void
tp_usage_hook(const char *prog)
{
    printf("\n");
    tp_usage(stdout, prog);
}

/* A whole decimal number within [lo, hi]. */
static int
tp_uint(const char *opt, const char *s, unsigned long lo, unsigned long hi,
        unsigned int *out)
{
    unsigned long v;
    char         *end;

    errno = 0;
    v     = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo ||
        v > hi) {
        fprintf(stderr, "evpl-testpmd: --%s=%s: expected an integer in "
                "%lu..%lu\n", opt, s, lo, hi);
        return -1;
    }
    *out = (unsigned int) v;
    return 0;
}

static int
tp_seconds(const char *opt, const char *s, double *out)
{
    double v;
    char  *end;

    errno = 0;
    v     = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 1e9) {
        fprintf(stderr, "evpl-testpmd: --%s=%s: expected a positive number "
                "of seconds\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int
tp_txpkts_parse(const char *what, const char *s, struct tp_args *a)
{
    char  buf[256], *tok, *save = NULL;
    unsigned int n = 0, total = 0, sizes[TP_MAX_TXSEGS], i;

    if (strlen(s) >= sizeof(buf)) {
        fprintf(stderr, "evpl-testpmd: %s: too long\n", what);
        return -1;
    }
    strcpy(buf, s);
    for (tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == TP_MAX_TXSEGS) {
            fprintf(stderr, "evpl-testpmd: %s: at most %u segments\n",
                    what, TP_MAX_TXSEGS);
            return -1;
        }
        if (tp_uint("txpkts", tok, 1, UINT16_MAX, &sizes[n]) < 0)
            return -1;
        total += sizes[n++];
    }
    if (n == 0) {
        fprintf(stderr, "evpl-testpmd: %s: no segment size given\n", what);
        return -1;
    }
    if (sizes[0] < TP_HDR_LEN) {
        fprintf(stderr, "evpl-testpmd: %s: the first segment must "
                "hold the %u header bytes\n", what, TP_HDR_LEN);
        return -1;
    }
    if (total > UINT16_MAX - 1) {
        fprintf(stderr, "evpl-testpmd: %s: %u bytes is more than an "
                "IPv4 packet holds\n", what, total);
        return -1;
    }
    /* Each txonly segment is one mbuf, behind its headroom. */
    for (i = 0; i < n; i++) {
        if (sizes[i] + RTE_PKTMBUF_HEADROOM > a->mbuf_size) {
            fprintf(stderr, "evpl-testpmd: %s: a %u-byte segment does "
                    "not fit a %u-byte mbuf after its headroom\n", what,
                    sizes[i], a->mbuf_size);
            return -1;
        }
    }
    memcpy(a->txpkts, sizes, n * sizeof(sizes[0]));
    a->nb_txpkts  = n;
    a->tx_pkt_len = total;
    return 0;
}

int
tp_mode_parse(const char *s, enum tp_mode *mode)
{
    unsigned int i;

    for (i = 0; i < TP_MODE_COUNT; i++) {
        if (strcmp(s, tp_mode_names[i]) == 0) {
            *mode = (enum tp_mode) i;
            return 0;
        }
    }
    return -1;
}

static int
tp_mode(const char *s, struct tp_args *a)
{
    if (tp_mode_parse(s, &a->mode) == 0)
        return 0;
    fprintf(stderr, "evpl-testpmd: --forward-mode=%s: unknown mode; one of "
            "io iovec mac macswap txonly rxonly clone split pipeline\n", s);
    return -1;
}

/* --portmask: testpmd reads it as hexadecimal, with or without 0x. */
static int
tp_portmask(const char *s, struct tp_args *a)
{
    unsigned long long v;
    char              *end;

    errno = 0;
    v     = strtoull(s, &end, 16);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0) {
        fprintf(stderr, "evpl-testpmd: --portmask=%s: expected a non-zero "
                "hexadecimal mask of ports (0x3: ports 0 and 1)\n", s);
        return -1;
    }
    a->portmask = (uint64_t) v;
    return 0;
}

/* --eth-peer=N,XX:XX:XX:XX:XX:XX */
static int
tp_eth_peer(const char *s, struct tp_args *a)
{
    unsigned long port;
    char         *end;

    errno = 0;
    port  = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != ',' || s[0] == '-' ||
        port >= RTE_MAX_ETHPORTS ||
        rte_ether_unformat_addr(end + 1, &a->eth_peer[port]) != 0) {
        fprintf(stderr, "evpl-testpmd: --eth-peer=%s: expected PORT,MAC "
                "(0,02:00:00:00:00:01), a port below %u\n", s,
                RTE_MAX_ETHPORTS);
        return -1;
    }
    a->eth_peer_set[port] = 1;
    return 0;
}

enum {
    OPT_MODE = 256, OPT_TXPKTS, OPT_BURST, OPT_RXQ, OPT_TXQ, OPT_RXD,
    OPT_TXD, OPT_STATS, OPT_DURATION, OPT_JSON, OPT_TXFIRST, OPT_MBUFS,
    OPT_MBUFSIZE, OPT_MBCACHE, OPT_COPYMAX, OPT_HELP, OPT_INTERACTIVE,
    OPT_AUTOSTART, OPT_NBCORES, OPT_PORTMASK, OPT_NBPORTS, OPT_ETHPEER,
};

static const struct option tp_options[] = {
    { "forward-mode",    required_argument, NULL, OPT_MODE },
    { "txpkts",          required_argument, NULL, OPT_TXPKTS },
    { "burst",           required_argument, NULL, OPT_BURST },
    { "rxq",             required_argument, NULL, OPT_RXQ },
    { "txq",             required_argument, NULL, OPT_TXQ },
    { "rxd",             required_argument, NULL, OPT_RXD },
    { "txd",             required_argument, NULL, OPT_TXD },
    { "stats-period",    required_argument, NULL, OPT_STATS },
    { "duration",        required_argument, NULL, OPT_DURATION },
    { "json",            no_argument,       NULL, OPT_JSON },
    { "tx-first",        no_argument,       NULL, OPT_TXFIRST },
    { "total-num-mbufs", required_argument, NULL, OPT_MBUFS },
    { "mbuf-size",       required_argument, NULL, OPT_MBUFSIZE },
    { "mbcache",         required_argument, NULL, OPT_MBCACHE },
    { "tx-copy-max",     required_argument, NULL, OPT_COPYMAX },
    { "help",            no_argument,       NULL, OPT_HELP },
    { "interactive",     no_argument,       NULL, OPT_INTERACTIVE },
    { "auto-start",      no_argument,       NULL, OPT_AUTOSTART },
    { "nb-cores",        required_argument, NULL, OPT_NBCORES },
    { "portmask",        required_argument, NULL, OPT_PORTMASK },
    { "nb-ports",        required_argument, NULL, OPT_NBPORTS },
    { "eth-peer",        required_argument, NULL, OPT_ETHPEER },
    { NULL, 0, NULL, 0 },
};

int
tp_args_parse(int argc, char **argv, struct tp_args *a)
{
    const char *prog = argc > 0 ? argv[0] : "evpl-testpmd";
    const char  *name, *txpkts = NULL;
    int          c, rc = 0, idx;

    memset(a, 0, sizeof(*a));
    /* Not dpdk-testpmd's io, which never reaches the library: iovec
     * forwards what io does, port pair for port pair, through it. */
    a->mode       = TP_MODE_IOVEC;
    a->txpkts[0]  = 64;
    a->nb_txpkts  = 1;
    a->tx_pkt_len = 64;
    a->burst      = TP_DEFAULT_BURST;
    a->nb_rxq     = 1;
    a->nb_rxd     = 1024;
    a->nb_txd     = 1024;
    a->nb_mbufs   = 16384;
    a->mbuf_size  = RTE_MBUF_DEFAULT_BUF_SIZE;
    a->mbcache    = 250;

    /* The EAL has parsed its part with getopt too. */
    optind = 1;
    opterr = 0;
    while (rc == 0 &&
           (c = getopt_long(argc, argv, "hia", tp_options, &idx)) != -1) {
        name = c >= OPT_MODE ? tp_options[c - OPT_MODE].name : "";
        switch (c) {
        case OPT_MODE:     rc = tp_mode(optarg, a); break;
        case OPT_TXPKTS:   txpkts = optarg; break; /* after --mbuf-size */
        case OPT_BURST:
            rc = tp_uint(name, optarg, 1, TP_MAX_BURST, &a->burst);
            break;
        case OPT_RXQ:      rc = tp_uint(name, optarg, 1, 1024, &a->nb_rxq); break;
        case OPT_TXQ:      rc = tp_uint(name, optarg, 1, 1024, &a->nb_txq); break;
        case OPT_RXD:
            rc = tp_uint(name, optarg, 1, UINT16_MAX, &a->nb_rxd);
            break;
        case OPT_TXD:
            rc = tp_uint(name, optarg, 1, UINT16_MAX, &a->nb_txd);
            break;
        case OPT_STATS:
            rc = tp_uint(name, optarg, 1, 86400, &a->stats_period);
            break;
        case OPT_DURATION: rc = tp_seconds(name, optarg, &a->duration); break;
        case OPT_JSON:     a->json = 1; break;
        case OPT_TXFIRST:  a->tx_first = 1; break;
        case OPT_MBUFS:
            rc = tp_uint(name, optarg, 64, UINT32_MAX >> 1, &a->nb_mbufs);
            break;
        case OPT_MBUFSIZE:
            rc = tp_uint(name, optarg, RTE_PKTMBUF_HEADROOM + TP_HDR_LEN,
                         UINT16_MAX, &a->mbuf_size);
            break;
        case OPT_MBCACHE:
            rc = tp_uint(name, optarg, 0, RTE_MEMPOOL_CACHE_MAX_SIZE,
                         &a->mbcache);
            break;
        case OPT_COPYMAX:
            rc = tp_uint(name, optarg, 1, UINT16_MAX, &a->tx_copy_max);
            break;
        case 'i':
        case OPT_INTERACTIVE: a->interactive = 1; break;
        case 'a':
        case OPT_AUTOSTART: a->auto_start = 1; break;
        case OPT_NBCORES:
            rc = tp_uint(name, optarg, 1, RTE_MAX_LCORE - 1, &a->nb_cores);
            break;
        case OPT_PORTMASK: rc = tp_portmask(optarg, a); break;
        case OPT_NBPORTS:
            rc = tp_uint(name, optarg, 1, RTE_MAX_ETHPORTS, &a->nb_ports);
            break;
        case OPT_ETHPEER:  rc = tp_eth_peer(optarg, a); break;
        case 'h':
        case OPT_HELP:
            tp_usage(stdout, prog);
            return 1;
        default:
            if (optopt != 0 && optopt < OPT_MODE)
                fprintf(stderr, "evpl-testpmd: unknown option '-%c'\n",
                        optopt);
            else if (optopt != 0)
                fprintf(stderr, "evpl-testpmd: option '--%s' needs a "
                        "value\n", tp_options[optopt - OPT_MODE].name);
            else
                fprintf(stderr, "evpl-testpmd: unknown option '%s'\n",
                        argv[optind - 1]);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && optind < argc) {
        fprintf(stderr, "evpl-testpmd: unexpected argument '%s'\n",
                argv[optind]);
        rc = -1;
    }
    if (rc == 0)
        rc = tp_txpkts_parse("--txpkts", txpkts ? txpkts : "64", a);
    if (rc == 0 && a->interactive && (a->duration > 0 || a->stats_period)) {
        fprintf(stderr, "evpl-testpmd: --%s: not with --interactive, where "
                "quit stops\n", a->duration > 0 ? "duration" :
                "stats-period");
        rc = -1;
    }
    if (rc == 0 && a->nb_txq != 0 && a->nb_txq < a->nb_rxq) {
        fprintf(stderr, "evpl-testpmd: --txq=%u: the streams of RX queue q "
                "send on TX queue q; need at least --rxq=%u\n", a->nb_txq,
                a->nb_rxq);
        rc = -1;
    }
    if (rc < 0)
        fprintf(stderr, "evpl-testpmd: see %s -- --help\n", prog);
    return rc;
}
