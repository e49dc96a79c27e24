/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * ip_frag --bench: fragmentation and reassembly, each done by this
 * library (frag_ipv4(), reasm_input(), the code the example ships), by
 * DPDK's librte_ip_frag, and by hand with raw mbuf calls; every job
 * complete frames with valid IP checksums, through rte_eth_tx_burst() to
 * a net_null port, which frees them (lib/bench.h has the method).
 *
 * Fragmentation: a datagram held as one buffer (ours: one slab iovec of
 * the whole frame; DPDK's and by hand: one mbuf of a 64 KiB pool) cut at
 * MTU 1500. DPDK's fragments get their Ethernet header prepended and
 * their IP checksum computed afterwards, as its users must; ours and the
 * by-hand ones are written whole.
 *
 * Reassembly: the fragments of one datagram "received": the same stand-in
 * for all three, mbufs from a receive pool with each fragment's headers
 * written and their lengths set (the payload is whatever the buffer
 * holds, as DMA would leave it); its cost, timed alone in its own row, is
 * in every reassembly row. Then reassembled, the IP checksum set, and the
 * datagram sent as one chain. By hand: the fragments chained in offset
 * order, with no table and no checks: a floor, not a reassembler.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "ip_frag.h"
#include "ipfrag.h"
#include "pkt.h"
#include "reasm.h"

#define MAXF   64   /* fragments of one job */
#define HDR    (PKT_L2_LEN + 20)

struct env {
    const struct bench_opts *opts;
    struct bench_env        be;
    struct rte_mempool     *rx;
    struct reasm           *reasm;
    struct rte_ip_frag_tbl *tbl;
    struct rte_ip_frag_death_row dr;
    uint8_t                 l2[PKT_L2_LEN];
};

static struct env env;

/*
 * Ours to the port: each packet an mbuf chain by evpl_dpdk_iovecs_to_mbuf()
 * (its references moving in), then one burst. evpl_dpdk_tx_burst() would
 * do the same on a port that takes chains, but net_null does not say it
 * does (no RTE_ETH_TX_OFFLOAD_MULTI_SEGS), so there it would copy every
 * packet into one mbuf, where DPDK's fragments go to net_null as chains.
 */
static void
ours_tx(struct evpl_dpdk_pkt *pkts, unsigned int n)
{
    struct rte_mbuf *m[MAXF];

    if (unlikely(bench_chains(env.opts, env.be.evpl, pkts, n, m) < 0))
        bench_die("evpl_dpdk_iovecs_to_mbuf");
    bench_tx(env.be.port, m, n);
}

/* ---- fragmentation ---------------------------------------------------- */

struct frag_job {
    unsigned int      ip_len, mtu;
    struct evpl_iovec frame;   /* ours: the whole frame, one slab iovec */
    struct rte_mbuf  *dgram;   /* DPDK's and by hand: the IP datagram */
    uint8_t           hdr[HDR];/* its Ethernet and IP headers */
};

static void
frag_job_init(struct frag_job *j, unsigned int ip_len, unsigned int mtu)
{
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *) (j->hdr + PKT_L2_LEN);

    j->ip_len = ip_len;
    j->mtu    = mtu;
    memcpy(j->hdr, env.l2, PKT_L2_LEN);
    memset(ip, 0, sizeof(*ip));
    ip->version_ihl   = RTE_IPV4_VHL_DEF;
    ip->time_to_live  = 64;
    ip->next_proto_id = IPPROTO_UDP;
    ip->total_length  = rte_cpu_to_be_16((uint16_t) ip_len);
    ip->src_addr      = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
    ip->dst_addr      = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
    ip->hdr_checksum  = rte_ipv4_cksum(ip);

    if (evpl_iovec_alloc(env.be.evpl, PKT_L2_LEN + ip_len, 64, 1, 0,
                         &j->frame) != 1)
        bench_die("evpl_iovec_alloc of the datagram");
    memcpy(evpl_iovec_data(&j->frame), j->hdr, HDR);
    pkt_pattern_fill((char *) evpl_iovec_data(&j->frame) + HDR, ip_len - 20,
                     ip_len, 0, 0);

    j->dgram = rte_pktmbuf_alloc(env.be.jumbo);
    if (j->dgram == NULL || rte_pktmbuf_append(j->dgram, ip_len) == NULL)
        bench_die("the datagram's mbuf");
    memcpy(rte_pktmbuf_mtod(j->dgram, void *), ip, 20);
    pkt_pattern_fill(rte_pktmbuf_mtod_offset(j->dgram, char *, 20),
                     ip_len - 20, ip_len, 0, 0);
}

static uint64_t
frag_ours(void *arg, unsigned int iters)
{
    struct frag_job     *j = arg;
    struct evpl_dpdk_pkt pkts[MAXF];
    struct evpl_iovec    iov[MAXF * 3];
    uint64_t             t0 = bench_now();
    unsigned int         i;
    int                  n;

    for (i = 0; i < iters; i++) {
        n = frag_ipv4(env.be.evpl, &j->frame, 1, PKT_L2_LEN, j->mtu, pkts, MAXF,
                      iov, RTE_DIM(iov));
        if (unlikely(n < 0))
            bench_die("frag_ipv4");
        ours_tx(pkts, (unsigned int) n);
    }
    return bench_now() - t0;
}

static uint64_t
frag_dpdk(void *arg, unsigned int iters)
{
    struct frag_job *j = arg;
    struct rte_mbuf *out[MAXF];
    uint64_t         t0 = bench_now();
    unsigned int     i;
    int              n, k;

    for (i = 0; i < iters; i++) {
        n = rte_ipv4_fragment_packet(j->dgram, out, MAXF, (uint16_t) j->mtu,
                                     env.be.direct, env.be.indirect);
        if (unlikely(n < 0))
            bench_die("rte_ipv4_fragment_packet");
        for (k = 0; k < n; k++) {
            char                *eth = rte_pktmbuf_prepend(out[k],
                                                           PKT_L2_LEN);
            struct rte_ipv4_hdr *ip  = (struct rte_ipv4_hdr *)
                                       (eth + PKT_L2_LEN);

            memcpy(eth, env.l2, PKT_L2_LEN);
            ip->hdr_checksum = rte_ipv4_cksum(ip);
        }
        bench_tx(env.be.port, out, (unsigned int) n);
    }
    return bench_now() - t0;
}

static uint64_t
frag_hand(void *arg, unsigned int iters)
{
    struct frag_job     *j = arg;
    struct rte_mbuf     *hd[MAXF], *in[MAXF];
    unsigned int         size = (j->mtu - 20) & ~7u, plen = j->ip_len - 20;
    unsigned int         n = (plen + size - 1) / size, i, k;
    uint64_t             t0 = bench_now();

    for (i = 0; i < iters; i++) {
        if (rte_pktmbuf_alloc_bulk(env.be.direct, hd, n) != 0 ||
            rte_pktmbuf_alloc_bulk(env.be.indirect, in, n) != 0)
            bench_die("rte_pktmbuf_alloc_bulk");
        for (k = 0; k < n; k++) {
            unsigned int         off = k * size, len = RTE_MIN(size,
                                                               plen - off);
            char                *d = rte_pktmbuf_mtod(hd[k], char *);
            struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
                                      (d + PKT_L2_LEN);

            rte_pktmbuf_attach(in[k], j->dgram);
            in[k]->data_off += (uint16_t) (20 + off);
            in[k]->data_len  = (uint16_t) len;
            in[k]->pkt_len   = len;
            memcpy(d, j->hdr, HDR);
            ip->total_length    = rte_cpu_to_be_16((uint16_t) (20 + len));
            ip->fragment_offset = rte_cpu_to_be_16((uint16_t) (
                off / 8 | (off + len < plen ? RTE_IPV4_HDR_MF_FLAG : 0)));
            ip->hdr_checksum = 0;
            ip->hdr_checksum = rte_ipv4_cksum(ip);
            hd[k]->data_len = HDR;
            hd[k]->pkt_len  = HDR + len;
            hd[k]->next     = in[k];
            hd[k]->nb_segs  = 2;
        }
        bench_tx(env.be.port, hd, n);
    }
    return bench_now() - t0;
}

/* ---- reassembly ------------------------------------------------------- */

struct reasm_job {
    unsigned int ip_len, mtu, n, reverse;
    uint8_t      hdr[MAXF][HDR];   /* each fragment's headers */
    uint16_t     len[MAXF];        /* its frame length */
    unsigned int done;             /* datagrams completed in a run */
};

static void
reasm_job_init(struct reasm_job *j, unsigned int ip_len, unsigned int mtu,
               int reverse)
{
    struct frag_job      f;
    struct evpl_dpdk_pkt pkts[MAXF];
    struct evpl_iovec    iov[MAXF * 3];
    int                  n, k;

    /* The fragments ours would send: their headers and lengths. */
    frag_job_init(&f, ip_len, mtu);
    n = frag_ipv4(env.be.evpl, &f.frame, 1, PKT_L2_LEN, mtu, pkts, MAXF, iov,
                  RTE_DIM(iov));
    if (n < 0)
        bench_die("frag_ipv4");
    j->ip_len  = ip_len;
    j->mtu     = mtu;
    j->n       = (unsigned int) n;
    j->reverse = (unsigned int) reverse;
    for (k = 0; k < n; k++) {
        memcpy(j->hdr[k], evpl_iovec_data(&pkts[k].iov[0]), HDR);
        j->len[k] = (uint16_t) pkt_iovecs_len(pkts[k].iov, pkts[k].niov);
        evpl_iovecs_release(env.be.evpl, pkts[k].iov, pkts[k].niov);
    }
    evpl_iovec_release(env.be.evpl, &f.frame);
    rte_pktmbuf_free(f.dgram);
}

/* The receive stand-in: the job's fragments in mbufs, in arrival order,
 * each with IP id `id`. */
static void
receive(struct reasm_job *j, struct rte_mbuf **m, uint16_t id)
{
    unsigned int k, f;

    if (rte_pktmbuf_alloc_bulk(env.rx, m, j->n) != 0)
        bench_die("rte_pktmbuf_alloc_bulk");
    for (k = 0; k < j->n; k++) {
        char *d = rte_pktmbuf_mtod(m[k], char *);

        f = j->reverse ? j->n - 1 - k : k;
        memcpy(d, j->hdr[f], HDR);
        ((struct rte_ipv4_hdr *) (d + PKT_L2_LEN))->packet_id = id;
        m[k]->data_len = j->len[f];
        m[k]->pkt_len  = j->len[f];
    }
}

static uint64_t
reasm_rx_only(void *arg, unsigned int iters)
{
    struct reasm_job *j = arg;
    struct rte_mbuf  *m[MAXF];
    uint64_t          t0 = bench_now();
    unsigned int      i;

    for (i = 0; i < iters; i++) {
        receive(j, m, (uint16_t) i);
        rte_pktmbuf_free_bulk(m, j->n);
    }
    return bench_now() - t0;
}

static uint64_t
reasm_ours(void *arg, unsigned int iters)
{
    struct reasm_job    *j = arg;
    struct rte_mbuf     *m[MAXF];
    struct evpl_iovec    v[REASM_FRAG_IOV], out[MAXF * 2];
    struct evpl_dpdk_pkt pkt = { out, 0 };
    uint64_t             t0 = bench_now(), now;
    unsigned int         i, k;
    int                  nv;

    for (i = 0; i < iters; i++) {
        receive(j, m, (uint16_t) i);
        now = rte_rdtsc();
        for (k = 0; k < j->n; k++) {
            nv = evpl_dpdk_mbuf_to_iovecs(env.be.evpl, m[k], v, RTE_DIM(v));
            pkt.niov = reasm_input(env.reasm, env.be.evpl, v, nv, PKT_L2_LEN,
                                   now, out, RTE_DIM(out));
            if (pkt.niov > 0) {
                ours_tx(&pkt, 1);
                j->done++;
            }
        }
    }
    return bench_now() - t0;
}

static uint64_t
reasm_dpdk(void *arg, unsigned int iters)
{
    struct reasm_job    *j = arg;
    struct rte_mbuf     *m[MAXF], *d;
    struct rte_ipv4_hdr *ip;
    uint64_t             t0 = bench_now(), now;
    unsigned int         i, k;

    for (i = 0; i < iters; i++) {
        receive(j, m, (uint16_t) i);
        now = rte_rdtsc();
        for (k = 0; k < j->n; k++) {
            m[k]->l2_len = PKT_L2_LEN;
            m[k]->l3_len = 20;
            ip = rte_pktmbuf_mtod_offset(m[k], struct rte_ipv4_hdr *,
                                         PKT_L2_LEN);
            d = rte_ipv4_frag_reassemble_packet(env.tbl, &env.dr, m[k], now,
                                                ip);
            if (d != NULL) {
                /* DPDK leaves the checksum to its caller. */
                ip = rte_pktmbuf_mtod_offset(d, struct rte_ipv4_hdr *,
                                             PKT_L2_LEN);
                ip->hdr_checksum = rte_ipv4_cksum(ip);
                bench_tx(env.be.port, &d, 1);
                j->done++;
            }
        }
        rte_ip_frag_free_death_row(&env.dr, 3);
    }
    return bench_now() - t0;
}

static uint64_t
reasm_hand(void *arg, unsigned int iters)
{
    struct reasm_job    *j = arg;
    struct rte_mbuf     *m[MAXF], *slot[MAXF];
    struct rte_ipv4_hdr *ip;
    unsigned int         size = (j->mtu - 20) & ~7u, i, k;
    uint64_t             t0 = bench_now();

    for (i = 0; i < iters; i++) {
        receive(j, m, (uint16_t) i);
        for (k = 0; k < j->n; k++) {
            ip = rte_pktmbuf_mtod_offset(m[k], struct rte_ipv4_hdr *,
                                         PKT_L2_LEN);
            slot[(rte_be_to_cpu_16(ip->fragment_offset) &
                  RTE_IPV4_HDR_OFFSET_MASK) * 8 / size] = m[k];
        }
        for (k = 1; k < j->n; k++) {
            rte_pktmbuf_adj(slot[k], HDR);
            rte_pktmbuf_chain(slot[0], slot[k]);
        }
        ip = rte_pktmbuf_mtod_offset(slot[0], struct rte_ipv4_hdr *,
                                     PKT_L2_LEN);
        ip->total_length    = rte_cpu_to_be_16((uint16_t) j->ip_len);
        ip->fragment_offset = 0;
        ip->hdr_checksum    = 0;
        ip->hdr_checksum    = rte_ipv4_cksum(ip);
        bench_tx(env.be.port, slot, 1);
        j->done++;
    }
    return bench_now() - t0;
}

/* ---- the run ---------------------------------------------------------- */

static void
setup(void)
{
    struct reasm_config rc;

    memset(env.l2, 0, sizeof(env.l2));
    env.l2[0]  = 0x02;
    env.l2[6]  = 0x02;
    env.l2[5]  = 1;
    env.l2[12] = 0x08;
    bench_env_init(&env.be, "net_null_ip_frag_bench");
    /* Receive buffers that hold a fragment of MTU 9000 whole. */
    env.rx = rte_pktmbuf_pool_create("bench_rx", 4095, 256, 0,
                                     10240 + RTE_PKTMBUF_HEADROOM,
                                     (int) rte_socket_id());
    if (env.rx == NULL)
        bench_die("rte_pktmbuf_pool_create");
    memset(&rc, 0, sizeof(rc));
    env.reasm = reasm_create(&rc, (int) rte_socket_id());
    env.tbl   = rte_ip_frag_table_create(1024, 16, 1024 * 16,
                                         30 * rte_get_tsc_hz(),
                                         (int) rte_socket_id());
    if (env.reasm == NULL || env.tbl == NULL)
        bench_die("the reassembly tables");
}

/* Each way reassembles one job's datagram, once: what the rows time is
 * real work. Returns how many datagrams fn handed on. */
static unsigned int
reasm_once(bench_fn fn, struct reasm_job *j)
{
    unsigned int done;

    j->done = 0;
    fn(j, 1);
    done    = j->done;
    j->done = 0;
    return done;
}

static void
check_reasm(struct reasm_job *j, int dpdk_can)
{
    if (reasm_once(reasm_ours, j) != 1 || reasm_once(reasm_hand, j) != 1 ||
        reasm_once(reasm_dpdk, j) != (unsigned int) dpdk_can)
        bench_die("a reassembly row's check (one datagram from one job)");
    rte_ip_frag_free_death_row(&env.dr, 0);
}

#define FRAG_ROW(name, job, n)                                              \
    { name, n, job, { frag_ours, frag_dpdk, frag_hand },                   \
      { "frag_ours", "frag_dpdk", "frag_hand" }, NULL }
#define REASM_ROW(name, job, n, note)                                       \
    { name, n, job, { reasm_ours, reasm_dpdk, reasm_hand },                \
      { "reasm_ours", "reasm_dpdk", "reasm_hand" }, note }

int
ip_frag_bench(int argc, char **argv)
{
    static struct frag_job  f9k, f64k;
    static struct reasm_job r9k, r9kr, r64k9, r64k9r, r64k, r64kr;
    struct bench_opts       o;
    struct bench_row        rows[10];
    unsigned int            nrows = 0;

    if (bench_parse(argc, argv, &o) < 0)
        return 2;
    env.opts = &o;
    setup();
    frag_job_init(&f9k, 9000, 1500);
    frag_job_init(&f64k, 65000, 1500);
    reasm_job_init(&r9k, 9000, 1500, 0);
    reasm_job_init(&r9kr, 9000, 1500, 1);
    reasm_job_init(&r64k9, 65000, 9000, 0);
    reasm_job_init(&r64k9r, 65000, 9000, 1);
    reasm_job_init(&r64k, 65000, 1500, 0);
    reasm_job_init(&r64kr, 65000, 1500, 1);
    /* Not under a profiler (--way), which would count these jobs too. */
    if (o.way < 0) {
        check_reasm(&r9k, 1);
        check_reasm(&r9kr, 1);
        check_reasm(&r64k9, 1);
        check_reasm(&r64k9r, 1);
        /* 44 fragments: DPDK's table gives the datagram up, as its build
         * says (checked here, so the row's note stays true). */
        check_reasm(&r64k, 0);
        check_reasm(&r64kr, 0);
    }

    rows[nrows++] = (struct bench_row) FRAG_ROW(
        "fragment 9000 B, MTU 1500", &f9k, frag_count(9000, 20, 1500));
    rows[nrows++] = (struct bench_row) FRAG_ROW(
        "fragment 65000 B, MTU 1500", &f64k, frag_count(65000, 20, 1500));
    rows[nrows++] = (struct bench_row) {
        "receive stand-in alone, 7 fragments", r9k.n, &r9k,
        { reasm_rx_only, NULL, NULL }, { "reasm_rx_only", NULL, NULL },
        "in every reassembly row, all three ways" };
    rows[nrows++] = (struct bench_row) REASM_ROW(
        "reassemble 9000 B, MTU 1500, in order", &r9k, r9k.n, NULL);
    rows[nrows++] = (struct bench_row) REASM_ROW(
        "reassemble 9000 B, MTU 1500, reversed", &r9kr, r9kr.n, NULL);
    rows[nrows++] = (struct bench_row) REASM_ROW(
        "reassemble 65000 B, MTU 9000, in order", &r64k9, r64k9.n, NULL);
    rows[nrows++] = (struct bench_row) REASM_ROW(
        "reassemble 65000 B, MTU 9000, reversed", &r64k9r, r64k9r.n, NULL);
    rows[nrows]   = (struct bench_row) REASM_ROW(
        "reassemble 65000 B, MTU 1500, in order", &r64k, r64k.n,
        "44 fragments: DPDK's build reassembles at most "
        RTE_STR(RTE_LIBRTE_IP_FRAG_MAX_FRAG) " (RTE_LIBRTE_IP_FRAG_MAX_FRAG); "
        "checked: rte_ipv4_frag_reassemble_packet() returns no datagram");
    rows[nrows++].fn[BENCH_DPDK] = NULL;
    rows[nrows]   = (struct bench_row) REASM_ROW(
        "reassemble 65000 B, MTU 1500, reversed", &r64kr, r64kr.n, NULL);
    rows[nrows++].fn[BENCH_DPDK] = NULL;

    bench_run(&o, rows, nrows, "ip_frag --bench");
    return 0;
}
