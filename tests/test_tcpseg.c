/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The examples' TCP segmenter (examples/lib/tcpseg.c), the code tcp_seg
 * ships: for the same input its segments are, byte for byte, what DPDK's
 * rte_gso_segment() produces with the checksums its users then fill in
 * (in software, or the pseudo-header sums for a NIC's offload); its
 * payload is clones of the send buffer (no copy). Every case ends with
 * every mbuf back in the pool (the fixture checks) and no slab held.
 */

/* rte_ipv4_udptcp_cksum_mbuf(), the reference checksum of a chain, is
 * experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_mbuf.h>

#include "common.h"
#include "pkt.h"
#include "tcpseg.h"

#define L2   PKT_L2_LEN
#define MAXS 256

static struct evpl_dpdk_pkt pkts[MAXS];
static struct evpl_iovec    iov[MAXS * 4];
static uint8_t              a[L2 + PKT_IP_MAX], b[L2 + PKT_IP_MAX];
static struct rte_mempool  *direct, *indirect, *jumbo;

static int
set_up(void)
{
    direct   = rte_pktmbuf_pool_create("t_tseg_d", 1023, 0, 0,
                                       RTE_MBUF_DEFAULT_BUF_SIZE,
                                       SOCKET_ID_ANY);
    indirect = rte_pktmbuf_pool_create("t_tseg_i", 1023, 0, 0, 0,
                                       SOCKET_ID_ANY);
    jumbo    = rte_pktmbuf_pool_create("t_tseg_j", 3, 0, 0, UINT16_MAX,
                                       SOCKET_ID_ANY);
    return direct && indirect && jumbo ? 0 : -1;
}

static void
tear_down(void)
{
    rte_mempool_free(direct);
    rte_mempool_free(indirect);
    rte_mempool_free(jumbo);
}

/* A template: Ethernet, IPv4 (id 0x1234), TCP with flags, and, for an
 * l4 of 32, NOP NOP timestamps. Returns its length. */
static unsigned int
header(uint8_t *h, unsigned int l4, uint8_t flags, unsigned int len)
{
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *) (h + L2);
    struct rte_tcp_hdr  *th = (struct rte_tcp_hdr *) (ip + 1);
    uint8_t             *o  = (uint8_t *) (th + 1);

    memset(h, 0, L2 + 20 + l4);
    h[0]  = 0x02;
    h[6]  = 0x02;
    h[11] = 0x02;
    h[12] = 0x08;
    ip->version_ihl     = RTE_IPV4_VHL_DEF;
    ip->total_length    = rte_cpu_to_be_16((uint16_t) (20 + l4 + len));
    ip->packet_id       = rte_cpu_to_be_16(0x1234);
    ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
    ip->time_to_live    = 64;
    ip->next_proto_id   = IPPROTO_TCP;
    ip->src_addr        = rte_cpu_to_be_32(RTE_IPV4(10, 1, 1, 1));
    ip->dst_addr        = rte_cpu_to_be_32(RTE_IPV4(10, 1, 1, 2));
    th->src_port  = rte_cpu_to_be_16(40000);
    th->dst_port  = rte_cpu_to_be_16(80);
    th->sent_seq  = rte_cpu_to_be_32(0xfffff000u); /* wraps in the stream */
    th->recv_ack  = rte_cpu_to_be_32(77);
    th->data_off  = (uint8_t) ((l4 / 4) << 4);
    th->tcp_flags = flags;
    th->rx_win    = rte_cpu_to_be_16(512);
    if (l4 == 32) {
        o[0] = 1;
        o[1] = 1;
        o[2] = 8;
        o[3] = 10;
        memset(o + 4, 0x33, 8);
    }
    return L2 + 20 + l4;
}

/* The send buffer: len bytes of pattern, one iovec (a slab past a
 * segment). */
static void
buffer(struct evpl *evpl, unsigned int len, struct evpl_iovec *buf)
{
    assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, buf), 1);
    pkt_pattern_fill(evpl_iovec_data(buf), len, len, 3, 0);
}

static void
assert_no_slab(struct evpl *evpl)
{
    struct evpl_dpdk_outstanding o;

    evpl_dpdk_outstanding(evpl, &o);
    assert_int_equal(o.slabs, 0);
}

/*
 * What rte_gso_segment() makes of the same header and payload (a header
 * mbuf chained to a payload mbuf), with the checksums its users write:
 * the same number of segments, and each the same bytes as ours.
 */
static void
compare_with_gso(
    struct evpl  *evpl,
    unsigned int  len,
    unsigned int  mss,
    unsigned int  l4,
    uint8_t       flags,
    unsigned int  tflags)
{
    struct rte_gso_ctx ctx = {
        .direct_pool = direct, .indirect_pool = indirect,
        .flag = tflags & TSEG_IPID_FIXED ? RTE_GSO_FLAG_IPID_FIXED : 0,
        .gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
    };
    struct rte_mbuf   *h, *p, *out[MAXS];
    struct evpl_iovec  buf;
    uint8_t            hdr[L2 + 20 + 32];
    unsigned int       hl = header(hdr, l4, flags, len), k, sl;
    int                n, ng;

    buffer(evpl, len, &buf);
    h = rte_pktmbuf_alloc(direct);
    p = rte_pktmbuf_alloc(jumbo);
    assert_non_null(h);
    assert_non_null(p);
    memcpy(rte_pktmbuf_append(h, (uint16_t) hl), hdr, hl);
    memcpy(rte_pktmbuf_append(p, (uint16_t) len), evpl_iovec_data(&buf), len);
    assert_int_equal(rte_pktmbuf_chain(h, p), 0);
    h->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4;
    h->l2_len   = L2;
    h->l3_len   = 20;
    h->l4_len   = l4;
    ctx.gso_size = (uint16_t) (hl + mss);
    ng = rte_gso_segment(h, &ctx, out, MAXS);
    n  = tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 0, len, mss, tflags, pkts,
                   MAXS, iov, RTE_DIM(iov));
    assert_int_equal(n, ng);
    assert_int_equal(n, (len + mss - 1) / mss);
    for (k = 0; k < (unsigned int) n; k++) {
        struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
            out[k], struct rte_ipv4_hdr *, L2);
        struct rte_tcp_hdr  *th = (struct rte_tcp_hdr *) (ip + 1);

        ip->hdr_checksum = 0;
        th->cksum        = 0;
        if (tflags & TSEG_CSUM_OFFLOAD) {
            th->cksum = rte_ipv4_phdr_cksum(ip, 0);
        } else {
            ip->hdr_checksum = rte_ipv4_cksum(ip);
            th->cksum = rte_ipv4_udptcp_cksum_mbuf(out[k], ip, L2 + 20);
        }
        sl = rte_pktmbuf_pkt_len(out[k]);
        assert_int_equal(pkt_iovecs_len(pkts[k].iov, pkts[k].niov), sl);
        pkt_copy_out(a, pkts[k].iov, pkts[k].niov, 0, sl);
        assert_memory_equal(a, rte_pktmbuf_read(out[k], 0, sl, b), sl);
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
        rte_pktmbuf_free(out[k]);
    }
    rte_pktmbuf_free(h);
    evpl_iovec_release(evpl, &buf);
}

/* Byte for byte rte_gso_segment()'s, over lengths (one byte past the MSS,
 * exact multiples, 64 KiB), MSSes, headers with and without options, flags
 * with and without PSH and FIN, IP ids counting or fixed, checksums in
 * software and for the offload. */
static void
seg_same_as_gso(void **state)
{
    static const unsigned int lens[] = { 1449, 2896, 2897, 10000, 65000 };
    static const unsigned int msss[] = { 536, 1448, 1460 };
    static const uint8_t      flags[] = {
        RTE_TCP_ACK_FLAG,
        RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG,
    };
    struct evpl              *evpl = ctx_of(state);
    unsigned int              l, m, f, l4, t;

    for (l = 0; l < RTE_DIM(lens); l++)
        for (m = 0; m < RTE_DIM(msss); m++)
            for (f = 0; f < RTE_DIM(flags); f++)
                for (l4 = 20; l4 <= 32; l4 += 12)
                    for (t = 0; t < 4; t++)
                        if (lens[l] > msss[m])
                            compare_with_gso(evpl, lens[l], msss[m], l4,
                                             flags[f], t);
    assert_no_slab(evpl);
}

/* 64 KiB of payload from one slab iovec: each segment a header iovec on
 * an mbuf and one clone of the slab at its offset, the checksums valid. */
static void
seg_zero_copy(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec buf;
    uint8_t           hdr[L2 + 20 + 32];
    unsigned int      hl = header(hdr, 32, RTE_TCP_ACK_FLAG, 65000), pos = 0;
    int               n, k;

    buffer(evpl, 65000, &buf);
    assert_true(evpl_dpdk_iovec_is_slab(&buf));
    n = tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 0, 65000, 1448, 0, pkts, MAXS,
                  iov, RTE_DIM(iov));
    assert_int_equal(n, 45);
    for (k = 0; k < n; k++) {
        const struct rte_ipv4_hdr *ip = pkt_ip(&pkts[k].iov[0], L2);
        unsigned int tot = rte_be_to_cpu_16(ip->total_length);

        assert_int_equal(pkts[k].niov, 2);
        assert_false(evpl_dpdk_iovec_is_slab(&pkts[k].iov[0]));
        assert_true(evpl_dpdk_iovec_is_slab(&pkts[k].iov[1]));
        assert_ptr_equal(evpl_iovec_data(&pkts[k].iov[1]),
                         (char *) evpl_iovec_data(&buf) + pos);
        assert_int_equal(rte_ipv4_cksum(ip), 0);
        assert_int_equal(pkt_sum_iovecs(pkts[k].iov, 2, L2 + 20, tot - 20,
                                        pkt_fold(pkt_pseudo_sum(ip,
                                                                tot - 20))),
                         0xffff);
        pos += evpl_iovec_length(&pkts[k].iov[1]);
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
    }
    assert_int_equal(pos, 65000);
    evpl_iovec_release(evpl, &buf);
    assert_no_slab(evpl);
}

/* A send buffer of several iovecs, cut at odd places (so segments and
 * their checksums straddle odd boundaries), and a byte range of it: the
 * same segments as from one buffer holding the same bytes. */
static void
seg_buffer_of_pieces(void **state)
{
    static const unsigned int cuts[] = { 1, 999, 1448, 3, 2000 };
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec buf, parts[8];
    struct evpl_dpdk_pkt one[MAXS];
    uint8_t           hdr[L2 + 20 + 32];
    unsigned int      hl = header(hdr, 20, RTE_TCP_ACK_FLAG, 0), pos = 0, c;
    int               n, m, k, np = 0;

    buffer(evpl, 9001, &buf);
    for (c = 0; c < RTE_DIM(cuts); c++) {
        evpl_iovec_clone_segment(&parts[np++], &buf, pos, cuts[c]);
        pos += cuts[c];
    }
    evpl_iovec_clone_segment(&parts[np++], &buf, pos, 9001 - pos);
    n = tseg_tcp4(evpl, hdr, L2, hl, parts, np, 7, 8000, 1460, 0, pkts, MAXS,
                  iov, MAXS * 2);
    m = tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 7, 8000, 1460, 0, one, MAXS,
                  &iov[MAXS * 2], MAXS * 2);
    assert_int_equal(n, m);
    for (k = 0; k < n; k++) {
        unsigned int la = pkt_iovecs_len(pkts[k].iov, pkts[k].niov);

        assert_int_equal(la, pkt_iovecs_len(one[k].iov, one[k].niov));
        pkt_copy_out(a, pkts[k].iov, pkts[k].niov, 0, la);
        pkt_copy_out(b, one[k].iov, one[k].niov, 0, la);
        assert_memory_equal(a, b, la);
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
        evpl_iovecs_release(evpl, one[k].iov, one[k].niov);
    }
    evpl_iovecs_release(evpl, parts, np);
    evpl_iovec_release(evpl, &buf);
}

/* No payload: one segment, the header alone, its flags and sequence
 * number as the template has them (a SYN, an ACK, a FIN). */
static void
seg_header_only(void **state)
{
    struct evpl *evpl = ctx_of(state);
    uint8_t      hdr[L2 + 20 + 32];
    unsigned int hl = header(hdr, 20, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 0);
    const struct rte_ipv4_hdr *ip;
    const struct rte_tcp_hdr  *th;

    assert_int_equal(tseg_tcp4(evpl, hdr, L2, hl, NULL, 0, 0, 0, 1460, 0,
                               pkts, MAXS, iov, MAXS), 1);
    assert_int_equal(pkts[0].niov, 1);
    ip = pkt_ip(&pkts[0].iov[0], L2);
    th = (const struct rte_tcp_hdr *) (ip + 1);
    assert_int_equal(rte_be_to_cpu_16(ip->total_length), 40);
    assert_int_equal(th->tcp_flags, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG);
    assert_int_equal(rte_ipv4_cksum(ip), 0);
    assert_int_equal(pkt_sum_iovecs(pkts[0].iov, 1, L2 + 20, 20,
                                    pkt_fold(pkt_pseudo_sum(ip, 20))),
                     0xffff);
    evpl_iovecs_release(evpl, pkts[0].iov, 1);
}

/* What it refuses, holding nothing: a range past the buffer, a header
 * that is not IPv4 and TCP, an MSS of 0, too little room. */
static void
seg_refuses(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec buf;
    uint8_t           hdr[L2 + 20 + 32];
    unsigned int      hl = header(hdr, 20, RTE_TCP_ACK_FLAG, 0);
    unsigned int      avail;

    buffer(evpl, 5000, &buf);
    avail = rte_mempool_avail_count(evpl_mempool(evpl));
    assert_int_equal(tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 10, 4991, 1460, 0,
                               pkts, MAXS, iov, MAXS), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(tseg_tcp4(evpl, hdr, L2, hl - 4, &buf, 1, 0, 100, 1460,
                               0, pkts, MAXS, iov, MAXS), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 0, 100, 0, 0,
                               pkts, MAXS, iov, MAXS), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 0, 5000, 1000, 0,
                               pkts, 4, iov, MAXS), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(tseg_tcp4(evpl, hdr, L2, hl, &buf, 1, 0, 5000, 1000, 0,
                               pkts, MAXS, iov, 9), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(rte_mempool_avail_count(evpl_mempool(evpl)), avail);
    evpl_iovec_release(evpl, &buf);
}

static const struct CMUnitTest cases[] = {
    CASE(seg_same_as_gso),
    CASE(seg_zero_copy),
    CASE(seg_buffer_of_pieces),
    CASE(seg_header_only),
    CASE(seg_refuses),
};

EVPL_TEST_MAIN("tcpseg", cases, .set_up = set_up, .tear_down = tear_down)
