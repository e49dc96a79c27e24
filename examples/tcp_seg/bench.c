/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * tcp_seg --bench: a 65000-byte TCP payload (64 KiB, within an mbuf's
 * 16-bit length) cut into MSS 1448 segments (45 of them) behind a 66-byte
 * header (TCP with timestamps), done by this library (tseg_tcp4(), the
 * code the example ships; the payload one slab iovec), by DPDK's
 * rte_gso_segment() (the payload one mbuf of a 64 KiB pool behind a
 * header mbuf) and by hand with raw mbuf calls (a header mbuf and an
 * indirect mbuf per segment); through rte_eth_tx_burst() to a net_null
 * port, which frees them (lib/bench.h has the method).
 *
 * Two rows: checksums left to the NIC (the IP checksum 0, the TCP one
 * the pseudo-header's sum, the offload flags and lengths set on each
 * segment: rte_gso_segment()'s users write the pseudo-header sums
 * themselves), and checksums computed in software (after
 * rte_gso_segment(), with rte_ipv4_cksum() and
 * rte_ipv4_udptcp_cksum_mbuf()).
 */

/* rte_ipv4_udptcp_cksum_mbuf(), what rte_gso_segment()'s users call for a
 * chain's checksum, is experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "pkt.h"
#include "tcp_seg.h"
#include "tcpseg.h"

#define PAYLOAD 65000u
#define MSS     1448u
#define L3      20u
#define L4      32u
#define HDR     (PKT_L2_LEN + L3 + L4)
#define MAXS    64u
#define OFFLOAD_FLAGS (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | \
                       RTE_MBUF_F_TX_TCP_CKSUM)

struct env {
    const struct bench_opts *opts;
    struct bench_env    be;
    struct rte_gso_ctx  gso;
    uint8_t             hdr[HDR];
    struct evpl_iovec   buf;      /* ours: the payload, one slab iovec */
    struct rte_mbuf    *pkt;      /* DPDK's: header mbuf, payload mbuf */
};

struct seg_job {
    int offload;
};

static struct env env;

static void
set_offload(struct rte_mbuf *m)
{
    m->ol_flags |= OFFLOAD_FLAGS;
    m->l2_len    = PKT_L2_LEN;
    m->l3_len    = L3;
    m->l4_len    = L4;
}

static uint64_t
seg_ours(void *arg, unsigned int iters)
{
    const struct seg_job *j = arg;
    struct evpl_dpdk_pkt  pkts[MAXS];
    struct evpl_iovec     iov[MAXS * 2];
    struct rte_mbuf      *m[MAXS];
    uint64_t              t0 = bench_now();
    unsigned int          i;
    int                   n, k;

    for (i = 0; i < iters; i++) {
        n = tseg_tcp4(env.be.evpl, env.hdr, PKT_L2_LEN, HDR, &env.buf, 1, 0,
                      PAYLOAD, MSS, j->offload ? TSEG_CSUM_OFFLOAD : 0, pkts,
                      MAXS, iov, RTE_DIM(iov));
        if (unlikely(n < 0))
            bench_die("tseg_tcp4");
        /* Each an mbuf chain, then one burst: evpl_dpdk_tx_burst()
         * would copy each into one mbuf on net_null, which does not say it
         * takes chains (ip_frag/bench.c); and the offload flags are the
         * application's to set on the chains. */
        if (unlikely(bench_chains(env.opts, env.be.evpl, pkts, (unsigned int) n,
                                  m) < 0))
            bench_die("evpl_dpdk_iovecs_to_mbuf");
        if (j->offload)
            for (k = 0; k < n; k++)
                set_offload(m[k]);
        bench_tx(env.be.port, m, (unsigned int) n);
    }
    return bench_now() - t0;
}

static uint64_t
seg_dpdk(void *arg, unsigned int iters)
{
    const struct seg_job *j = arg;
    struct rte_mbuf      *out[MAXS];
    struct rte_ipv4_hdr  *ip;
    struct rte_tcp_hdr   *th;
    uint64_t              t0 = bench_now();
    unsigned int          i;
    int                   n, k;

    for (i = 0; i < iters; i++) {
        env.pkt->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 |
                            (j->offload ? OFFLOAD_FLAGS : 0);
        n = rte_gso_segment(env.pkt, &env.gso, out, MAXS);
        if (unlikely(n <= 0))
            bench_die("rte_gso_segment");
        for (k = 0; k < n; k++) {
            ip = rte_pktmbuf_mtod_offset(out[k], struct rte_ipv4_hdr *,
                                         PKT_L2_LEN);
            th = (struct rte_tcp_hdr *) (ip + 1);
            ip->hdr_checksum = 0;
            if (j->offload) {
                th->cksum = rte_ipv4_phdr_cksum(ip, out[k]->ol_flags);
            } else {
                ip->hdr_checksum = rte_ipv4_cksum(ip);
                th->cksum        = 0;
                th->cksum        = rte_ipv4_udptcp_cksum_mbuf(out[k], ip,
                                                              PKT_L2_LEN + L3);
            }
        }
        bench_tx(env.be.port, out, (unsigned int) n);
    }
    return bench_now() - t0;
}

static uint64_t
seg_hand(void *arg, unsigned int iters)
{
    const struct seg_job *j = arg;
    struct rte_mbuf      *hd[MAXS], *in[MAXS];
    struct rte_mbuf      *pay = env.pkt->next;
    const uint8_t        *data = rte_pktmbuf_mtod(pay, const uint8_t *);
    unsigned int          n = (PAYLOAD + MSS - 1) / MSS, i, k;
    uint64_t              t0 = bench_now();
    uint32_t              seq0 = rte_be_to_cpu_32(
        ((const struct rte_tcp_hdr *) (env.hdr + PKT_L2_LEN + L3))->sent_seq);

    for (i = 0; i < iters; i++) {
        if (rte_pktmbuf_alloc_bulk(env.be.direct, hd, n) != 0 ||
            rte_pktmbuf_alloc_bulk(env.be.indirect, in, n) != 0)
            bench_die("rte_pktmbuf_alloc_bulk");
        for (k = 0; k < n; k++) {
            unsigned int         off = k * MSS, len = RTE_MIN(MSS,
                                                              PAYLOAD - off);
            char                *d = rte_pktmbuf_mtod(hd[k], char *);
            struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
                                      (d + PKT_L2_LEN);
            struct rte_tcp_hdr  *th = (struct rte_tcp_hdr *) (ip + 1);

            rte_pktmbuf_attach(in[k], pay);
            in[k]->data_off += (uint16_t) off;
            in[k]->data_len  = (uint16_t) len;
            in[k]->pkt_len   = len;
            memcpy(d, env.hdr, HDR);
            ip->total_length = rte_cpu_to_be_16((uint16_t) (L3 + L4 + len));
            ip->packet_id    = rte_cpu_to_be_16((uint16_t) k);
            th->sent_seq     = rte_cpu_to_be_32(seq0 + off);
            if (off + len < PAYLOAD)
                th->tcp_flags &= (uint8_t) ~(RTE_TCP_PSH_FLAG |
                                             RTE_TCP_FIN_FLAG);
            ip->hdr_checksum = 0;
            th->cksum        = 0;
            hd[k]->data_len  = HDR;
            hd[k]->pkt_len   = HDR + len;
            hd[k]->next      = in[k];
            hd[k]->nb_segs   = 2;
            if (j->offload) {
                set_offload(hd[k]);
                th->cksum = rte_ipv4_phdr_cksum(ip, hd[k]->ol_flags);
            } else {
                ip->hdr_checksum = rte_ipv4_cksum(ip);
                th->cksum        = (uint16_t) ~pkt_fold(pkt_sum(
                    data + off, len, pkt_sum(th, L4,
                                             pkt_pseudo_sum(ip, L4 + len))));
            }
        }
        bench_tx(env.be.port, hd, n);
    }
    return bench_now() - t0;
}

static void
setup(void)
{
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *) (env.hdr + PKT_L2_LEN);
    struct rte_tcp_hdr  *th = (struct rte_tcp_hdr *) (ip + 1);
    struct rte_mbuf     *h, *p;

    bench_env_init(&env.be, "net_null_tcp_seg_bench");
    env.gso = (struct rte_gso_ctx) {
        .direct_pool = env.be.direct, .indirect_pool = env.be.indirect,
        .gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
        .gso_size = (uint16_t) (HDR + MSS),
    };

    /* The template: Ethernet, IPv4, TCP with NOP NOP timestamps. */
    memset(env.hdr, 0, sizeof(env.hdr));
    env.hdr[0]  = 0x02;
    env.hdr[5]  = 1;
    env.hdr[6]  = 0x02;
    env.hdr[12] = 0x08;
    ip->version_ihl   = RTE_IPV4_VHL_DEF;
    ip->time_to_live  = 64;
    ip->next_proto_id = IPPROTO_TCP;
    ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
    ip->src_addr      = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
    ip->dst_addr      = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
    ip->total_length  = rte_cpu_to_be_16((uint16_t) (L3 + L4 + PAYLOAD));
    th->src_port  = rte_cpu_to_be_16(40000);
    th->dst_port  = rte_cpu_to_be_16(9);
    th->sent_seq  = rte_cpu_to_be_32(12345);
    th->data_off  = (L4 / 4) << 4;
    th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
    th->rx_win    = rte_cpu_to_be_16(1024);
    ((uint8_t *) (th + 1))[0] = 1;
    ((uint8_t *) (th + 1))[1] = 1;
    ((uint8_t *) (th + 1))[2] = 8;
    ((uint8_t *) (th + 1))[3] = 10;

    if (evpl_iovec_alloc(env.be.evpl, PAYLOAD, 0, 1, 0, &env.buf) != 1)
        bench_die("evpl_iovec_alloc of the payload");
    pkt_pattern_fill(evpl_iovec_data(&env.buf), PAYLOAD, PAYLOAD, 0, 0);

    h = rte_pktmbuf_alloc(env.be.direct);
    p = rte_pktmbuf_alloc(env.be.jumbo);
    if (h == NULL || p == NULL || rte_pktmbuf_append(h, HDR) == NULL ||
        rte_pktmbuf_append(p, PAYLOAD) == NULL)
        bench_die("the input packet");
    memcpy(rte_pktmbuf_mtod(h, void *), env.hdr, HDR);
    pkt_pattern_fill(rte_pktmbuf_mtod(p, void *), PAYLOAD, PAYLOAD, 0, 0);
    if (rte_pktmbuf_chain(h, p) != 0)
        bench_die("rte_pktmbuf_chain");
    h->l2_len = PKT_L2_LEN;
    h->l3_len = L3;
    h->l4_len = L4;
    env.pkt   = h;
}

int
tcp_seg_bench(int argc, char **argv)
{
    static struct seg_job offload = { 1 }, software = { 0 };
    struct bench_opts     o;
    unsigned int          n = (PAYLOAD + MSS - 1) / MSS;
    struct bench_row      rows[] = {
        { "segment 65000 B, MSS 1448, csum offload", n, &offload,
          { seg_ours, seg_dpdk, seg_hand },
          { "seg_ours", "seg_dpdk", "seg_hand" }, NULL },
        { "segment 65000 B, MSS 1448, csum software", n, &software,
          { seg_ours, seg_dpdk, seg_hand },
          { "seg_ours", "seg_dpdk", "seg_hand" }, NULL },
    };

    if (bench_parse(argc, argv, &o) < 0)
        return 2;
    env.opts = &o;
    setup();
    bench_run(&o, rows, RTE_DIM(rows), "tcp_seg --bench");
    return 0;
}
