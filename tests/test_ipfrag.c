/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The examples' IPv4 fragmenter and reassembler (examples/lib/ipfrag.c,
 * reasm.c), the code ip_frag ships: fragments are headers in front of
 * clones of the datagram (no payload copy), match DPDK's
 * rte_ipv4_fragment_packet() byte for byte, and reassemble into the very
 * datagram in any order; the reassembler's table, timeout, bounds and
 * RFC 791 / RFC 5722 rules each in a case. Every case ends with every
 * mbuf back in the pool (the fixture checks) and no slab held.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "common.h"
#include "fault.h"
#include "ipfrag.h"
#include "pkt.h"
#include "reasm.h"

#define L2      PKT_L2_LEN
#define MAXF    256
#define MAXV    (MAXF * 4)
#define TIMEOUT 1000u

static struct evpl_dpdk_pkt pkts[MAXF];
static struct evpl_iovec    iov[MAXV], out[MAXV];
static uint8_t              flat[2][L2 + PKT_IP_MAX];

/* ---- helpers ---------------------------------------------------------- */

/* A frame of ip_len bytes of IPv4 (options opt of optlen bytes, a
 * multiple of 4), payload the pattern of (ip_len, id), in one iovec: an
 * mbuf of its own or, past a segment, one slab iovec; 64-byte aligned, as
 * the Ethernet header's type wants at least 2. */
static void
build(
    struct evpl       *evpl,
    unsigned int       ip_len,
    uint16_t           id,
    uint8_t            proto,
    const uint8_t     *opt,
    unsigned int       optlen,
    uint16_t           fo,
    struct evpl_iovec *frame)
{
    struct rte_ether_hdr *eth;
    struct rte_ipv4_hdr  *ip;
    unsigned int          hlen = 20 + optlen;

    assert_int_equal(evpl_iovec_alloc(evpl, L2 + ip_len, 64, 1, 0, frame), 1);
    eth = evpl_iovec_data(frame);
    memset(eth, 0, L2);
    eth->dst_addr.addr_bytes[0] = 0x02;
    eth->src_addr.addr_bytes[0] = 0x02;
    eth->src_addr.addr_bytes[5] = 0x02;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    ip = (struct rte_ipv4_hdr *) (eth + 1);
    memset(ip, 0, sizeof(*ip));
    ip->version_ihl     = (uint8_t) (0x40 | hlen / 4);
    ip->total_length    = rte_cpu_to_be_16((uint16_t) ip_len);
    ip->packet_id       = rte_cpu_to_be_16(id);
    ip->fragment_offset = rte_cpu_to_be_16(fo);
    ip->time_to_live    = 64;
    ip->next_proto_id   = proto;
    ip->src_addr        = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
    ip->dst_addr        = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
    if (optlen > 0)
        memcpy(ip + 1, opt, optlen);
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    pkt_pattern_fill((char *) ip + hlen, ip_len - hlen, ip_len, id, 0);
}

static void
assert_no_slab(struct evpl *evpl)
{
    struct evpl_dpdk_outstanding o;

    evpl_dpdk_outstanding(evpl, &o);
    assert_int_equal(o.slabs, 0);
}

static struct reasm *
table(unsigned int datagrams, unsigned int frags, size_t bytes)
{
    struct reasm_config c = { datagrams, frags, bytes, TIMEOUT };
    struct reasm       *r = reasm_create(&c, SOCKET_ID_ANY);

    assert_non_null(r);
    return r;
}

/* Feed packet k of pkts[] to r (its iovecs move in); returns what
 * reasm_input() returned. */
static int
feed(
    struct reasm *r,
    struct evpl  *evpl,
    int           k,
    uint64_t      now)
{
    return reasm_input(r, evpl, pkts[k].iov, pkts[k].niov, L2, now, out,
                       MAXV);
}

/* Whether out[0..n) holds exactly the bytes of frame. */
static int
same_bytes(
    const struct evpl_iovec *v,
    int                      n,
    const struct evpl_iovec *frame)
{
    unsigned int len = evpl_iovec_length(frame);

    return pkt_iovecs_len(v, n) == len &&
           pkt_copy_out(flat[0], v, n, 0, len) == len &&
           memcmp(flat[0], evpl_iovec_data(frame), len) == 0;
}

/* ---- fragmentation ---------------------------------------------------- */

/* A datagram that fits the MTU: one packet of clones, same bytes. */
static void
frag_fits(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec frame;

    build(evpl, 1500, 1, IPPROTO_UDP, NULL, 0, 0, &frame);
    assert_int_equal(frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, MAXF, iov,
                               MAXV), 1);
    assert_true(same_bytes(pkts[0].iov, pkts[0].niov, &frame));
    assert_ptr_equal(evpl_iovec_data(&pkts[0].iov[0]),
                     evpl_iovec_data(&frame));
    evpl_iovecs_release(evpl, pkts[0].iov, pkts[0].niov);
    evpl_iovec_release(evpl, &frame);
}

/*
 * 65535 bytes from one slab iovec at MTU 1500: 45 fragments, each a header
 * iovec on an mbuf of its own and one clone of the slab pointing into the
 * datagram (no copy), 8-byte aligned offsets, MF on all but the last,
 * lengths and checksums right.
 */
static void
frag_64k_one_slab(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec frame;
    const char       *base;
    unsigned int      pos = 0;
    int               n, k;

    build(evpl, PKT_IP_MAX, 7, IPPROTO_UDP, NULL, 0, 0, &frame);
    assert_true(evpl_dpdk_iovec_is_slab(&frame));
    base = (const char *) evpl_iovec_data(&frame) + L2 + 20;
    n = frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, MAXF, iov, MAXV);
    assert_int_equal(n, (int) frag_count(PKT_IP_MAX, 20, 1500));
    assert_int_equal(n, 45);
    for (k = 0; k < n; k++) {
        const struct rte_ipv4_hdr *ip = pkt_ip(&pkts[k].iov[0], L2);
        unsigned int               len = evpl_iovec_length(&pkts[k].iov[1]);
        uint16_t                   fo = rte_be_to_cpu_16(ip->fragment_offset);

        assert_int_equal(pkts[k].niov, 2);
        assert_int_equal(evpl_iovec_length(&pkts[k].iov[0]), L2 + 20);
        assert_false(evpl_dpdk_iovec_is_slab(&pkts[k].iov[0]));
        assert_true(evpl_dpdk_iovec_is_slab(&pkts[k].iov[1]));
        assert_ptr_equal(evpl_iovec_data(&pkts[k].iov[1]), base + pos);
        assert_int_equal(rte_ipv4_cksum(ip), 0);
        assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + len);
        assert_int_equal((fo & RTE_IPV4_HDR_OFFSET_MASK) * 8, pos);
        assert_int_equal(!!(fo & RTE_IPV4_HDR_MF_FLAG), k < n - 1);
        assert_true(20 + len <= 1500);
        assert_true(k == n - 1 || len % 8 == 0);
        pos += len;
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
    }
    assert_int_equal(pos, PKT_IP_MAX - 20);
    evpl_iovec_release(evpl, &frame);
    assert_no_slab(evpl);
}

/* The same datagram through rte_ipv4_fragment_packet(), its fragments
 * given the Ethernet header and IP checksum its users add: the same bytes,
 * fragment for fragment. */
static void
frag_same_as_dpdk(void **state)
{
    static const unsigned int sizes[] = { 1501, 2961, 9000, 30000, 65000 };
    static const unsigned int mtus[]  = { 576, 1500, 9000 };
    struct evpl              *evpl = ctx_of(state);
    struct rte_mempool       *direct, *indirect, *jumbo;
    struct rte_mbuf          *in, *dp[MAXF];
    struct evpl_iovec         frame;
    unsigned int              s, m;
    int                       n, k, nd;

    direct   = rte_pktmbuf_pool_create("t_ipfrag_d", 511, 0, 0,
                                       RTE_MBUF_DEFAULT_BUF_SIZE,
                                       SOCKET_ID_ANY);
    indirect = rte_pktmbuf_pool_create("t_ipfrag_i", 511, 0, 0, 0,
                                       SOCKET_ID_ANY);
    jumbo    = rte_pktmbuf_pool_create("t_ipfrag_j", 3, 0, 0, UINT16_MAX,
                                       SOCKET_ID_ANY);
    assert_non_null(direct);
    assert_non_null(indirect);
    assert_non_null(jumbo);
    for (s = 0; s < RTE_DIM(sizes); s++) {
        for (m = 0; m < RTE_DIM(mtus); m++) {
            /* DPDK's users send a datagram that fits as it is (its
             * function would still cut 9000 bytes at MTU 9000 in two: it
             * rounds the room down to 8 bytes first). */
            if (sizes[s] <= mtus[m])
                continue;
            build(evpl, sizes[s], (uint16_t) s, IPPROTO_UDP, NULL, 0, 0,
                  &frame);
            in = rte_pktmbuf_alloc(jumbo);
            assert_non_null(in);
            memcpy(rte_pktmbuf_append(in, (uint16_t) sizes[s]),
                   (char *) evpl_iovec_data(&frame) + L2, sizes[s]);
            nd = rte_ipv4_fragment_packet(in, dp, MAXF, (uint16_t) mtus[m],
                                          direct, indirect);
            n  = frag_ipv4(evpl, &frame, 1, L2, mtus[m], pkts, MAXF, iov,
                           MAXV);
            assert_int_equal(n, nd);
            for (k = 0; k < n; k++) {
                char                *eth = rte_pktmbuf_prepend(dp[k], L2);
                struct rte_ipv4_hdr *ip  = (struct rte_ipv4_hdr *) (eth + L2);
                unsigned int         len = rte_pktmbuf_pkt_len(dp[k]);

                memcpy(eth, evpl_iovec_data(&frame), L2);
                ip->hdr_checksum = rte_ipv4_cksum(ip);
                assert_int_equal(pkt_iovecs_len(pkts[k].iov, pkts[k].niov),
                                 len);
                pkt_copy_out(flat[0], pkts[k].iov, pkts[k].niov, 0, len);
                assert_memory_equal(flat[0],
                                    rte_pktmbuf_read(dp[k], 0, len, flat[1]),
                                    len);
                evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
                rte_pktmbuf_free(dp[k]);
            }
            rte_pktmbuf_free(in);
            evpl_iovec_release(evpl, &frame);
        }
    }
    rte_mempool_free(direct);
    rte_mempool_free(indirect);
    rte_mempool_free(jumbo);
    assert_no_slab(evpl);
}

/*
 * Options: the first fragment carries them all, the others only those
 * with the copied bit (a security option, 0x82, kept; a timestamp option,
 * 0x44, not), padded to a word; the reassembled datagram has the first
 * fragment's header, so it is the original again.
 */
static void
frag_options(void **state)
{
    static const uint8_t opt[16] = {
        0x82, 0x06, 1, 2, 3, 4,            /* copied: security, 6 bytes */
        0x44, 0x08, 0x05, 0x00, 0, 0, 0, 0, /* not copied: timestamp */
        0x01, 0x00,                        /* NOP, end of list */
    };
    struct evpl      *evpl = ctx_of(state);
    struct reasm     *r = table(0, 0, 0);
    struct evpl_iovec frame;
    int               n, k, got = 0;

    build(evpl, 4000, 3, IPPROTO_UDP, opt, sizeof(opt), 0, &frame);
    n = frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, MAXF, iov, MAXV);
    assert_true(n > 2);
    for (k = 0; k < n; k++) {
        const struct rte_ipv4_hdr *ip = pkt_ip(&pkts[k].iov[0], L2);
        const uint8_t             *o  = (const uint8_t *) (ip + 1);

        assert_int_equal(rte_ipv4_cksum(ip), 0);
        if (k == 0) {
            assert_int_equal(rte_ipv4_hdr_len(ip), 36);
            assert_memory_equal(o, opt, sizeof(opt));
        } else {
            assert_int_equal(rte_ipv4_hdr_len(ip), 28);
            assert_memory_equal(o, opt, 6);
            assert_int_equal(o[6], 0);
            assert_int_equal(o[7], 0);
        }
    }
    for (k = 0; k < n; k++) {
        int got_k = feed(r, evpl, k, 0);

        assert_int_equal(got_k > 0, k == n - 1);
        if (got_k > 0)
            got = got_k;
    }
    assert_true(same_bytes(out, got, &frame));
    evpl_iovecs_release(evpl, out, got);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* A fragment cut again: offsets from its own, its MF bit on the last
 * piece; reassembling the pieces with the rest gives the datagram. */
static void
frag_again(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct reasm     *r = table(0, 0, 0);
    struct evpl_iovec frame, first[2], copy;
    int               n, k, got = 0, nfirst, rest;

    build(evpl, 6000, 9, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = frag_ipv4(evpl, &frame, 1, L2, 4000, pkts, MAXF, iov, MAXV);
    assert_int_equal(n, 2);
    /* The first fragment (MF, offset 0) to MTU 1500, flat in one iovec. */
    nfirst = pkts[0].niov;
    for (k = 0; k < nfirst; k++)
        evpl_iovec_move(&first[k], &pkts[0].iov[k]);
    rest = pkts[1].niov;
    for (k = 0; k < rest; k++)
        evpl_iovec_move(&iov[MAXV - 4 + k], &pkts[1].iov[k]);
    assert_int_equal(evpl_iovec_alloc(evpl, pkt_iovecs_len(first, nfirst), 0,
                                      1, 0, &copy), 1);
    pkt_copy_out(evpl_iovec_data(&copy), first, nfirst, 0,
                 pkt_iovecs_len(first, nfirst));
    evpl_iovecs_release(evpl, first, nfirst);
    n = frag_ipv4(evpl, &copy, 1, L2, 1500, pkts, MAXF, iov, MAXV - 4);
    assert_int_equal(n, 3);
    for (k = 0; k < n; k++) {
        uint16_t fo = rte_be_to_cpu_16(pkt_ip(&pkts[k].iov[0],
                                              L2)->fragment_offset);

        assert_true(fo & RTE_IPV4_HDR_MF_FLAG);
    }
    evpl_iovec_release(evpl, &copy);
    for (k = 0; k < n; k++)
        assert_int_equal(feed(r, evpl, k, 0), 0);
    got = reasm_input(r, evpl, &iov[MAXV - 4], rest, L2, 0, out, MAXV);
    assert_true(got > 0);
    assert_true(same_bytes(out, got, &frame));
    evpl_iovecs_release(evpl, out, got);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* The datagram across several iovecs, cut at odd places: fragments clone
 * across their boundaries, and the bytes survive. */
static void
frag_across_iovecs(void **state)
{
    static const unsigned int cut[] = { 40, 1, 3000, 7, 2000 };
    struct evpl      *evpl = ctx_of(state);
    struct reasm     *r = table(0, 0, 0);
    struct evpl_iovec frame, parts[8];
    unsigned int      pos = 0, c;
    int               n, k, np = 0, got = 0;

    build(evpl, 8000, 11, IPPROTO_UDP, NULL, 0, 0, &frame);
    for (c = 0; c < RTE_DIM(cut); c++) {
        evpl_iovec_clone_segment(&parts[np++], &frame, pos, cut[c]);
        pos += cut[c];
    }
    evpl_iovec_clone_segment(&parts[np++], &frame, pos,
                             evpl_iovec_length(&frame) - pos);
    n = frag_ipv4(evpl, parts, np, L2, 1500, pkts, MAXF, iov, MAXV);
    assert_int_equal(n, (int) frag_count(8000, 20, 1500));
    evpl_iovecs_release(evpl, parts, np);
    for (k = 0; k < n; k++) {
        int g = feed(r, evpl, k, 0);

        if (g > 0)
            got = g;
    }
    assert_true(same_bytes(out, got, &frame));
    evpl_iovecs_release(evpl, out, got);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* What it refuses, leaving nothing held: don't-fragment, too little room,
 * a frame shorter than its header says, an MTU below 68. */
static void
frag_refuses(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct rte_mempool *pool = evpl_mempool(evpl);
    struct evpl_iovec frame;
    unsigned int      avail;

    build(evpl, 3000, 1, IPPROTO_UDP, NULL, 0, RTE_IPV4_HDR_DF_FLAG, &frame);
    avail = rte_mempool_avail_count(pool);
    assert_int_equal(frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, MAXF, iov,
                               MAXV), -1);
    assert_int_equal(errno, EMSGSIZE);
    evpl_iovec_release(evpl, &frame);

    build(evpl, 3000, 1, IPPROTO_UDP, NULL, 0, 0, &frame);
    avail = rte_mempool_avail_count(pool);
    assert_int_equal(frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, 2, iov,
                               MAXV), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, MAXF, iov,
                               4), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(rte_mempool_avail_count(pool), avail);
    assert_int_equal(frag_ipv4(evpl, &frame, 1, L2, 60, pkts, MAXF, iov,
                               MAXV), -1);
    assert_int_equal(errno, EINVAL);
    evpl_iovec_set_length(&frame, 2000);
    assert_int_equal(frag_ipv4(evpl, &frame, 1, L2, 1500, pkts, MAXF, iov,
                               MAXV), -1);
    assert_int_equal(errno, EINVAL);
    evpl_iovec_release(evpl, &frame);
}

/* ---- reassembly ------------------------------------------------------- */

/* Cut frame at mtu into pkts[]; returns how many. */
static int
cut(
    struct evpl       *evpl,
    struct evpl_iovec *frame,
    unsigned int       mtu)
{
    int n = frag_ipv4(evpl, frame, 1, L2, mtu, pkts, MAXF, iov, MAXV);

    assert_true(n > 1);
    return n;
}

/* Fragments in order, in reverse and shuffled, at 1500 and 9000, up to
 * 44 fragments: the datagram comes out exactly once, with the last one
 * that completes it, byte for byte the original; nothing is held after. */
static void
reasm_any_order(void **state)
{
    static const unsigned int sizes[] = { 1501, 9000, 65000, PKT_IP_MAX };
    static const unsigned int mtus[]  = { 1500, 9000 };
    struct evpl              *evpl = ctx_of(state);
    struct reasm             *r = table(0, 0, 0);
    struct reasm_stats        st;
    struct evpl_iovec         frame;
    unsigned int              s, m, order, seed = 1;
    int                       n, k, i, got = 0, perm[MAXF], t;

    for (s = 0; s < RTE_DIM(sizes); s++) {
        for (m = 0; m < RTE_DIM(mtus); m++) {
            for (order = 0; order < 3; order++) {
                build(evpl, sizes[s], (uint16_t) (s * 10 + m), IPPROTO_UDP,
                      NULL, 0, 0, &frame);
                if (sizes[s] <= mtus[m]) {
                    evpl_iovec_release(evpl, &frame);
                    continue;
                }
                n = cut(evpl, &frame, mtus[m]);
                for (k = 0; k < n; k++)
                    perm[k] = order == 1 ? n - 1 - k : k;
                for (k = n - 1; order == 2 && k > 0; k--) {
                    seed = seed * 1103515245u + 12345u;
                    i = (int) ((seed >> 8) % (unsigned int) (k + 1));
                    t = perm[k];
                    perm[k] = perm[i];
                    perm[i] = t;
                }
                for (k = 0; k < n; k++) {
                    got = feed(r, evpl, perm[k], 0);
                    assert_int_equal(got > 0, k == n - 1);
                }
                assert_true(same_bytes(out, got, &frame));
                evpl_iovecs_release(evpl, out, got);
                evpl_iovec_release(evpl, &frame);
            }
        }
    }
    reasm_stats_get(r, &st);
    assert_int_equal(st.held_datagrams, 0);
    assert_int_equal(st.held_frags, 0);
    assert_int_equal(st.held_bytes, 0);
    reasm_destroy(r, evpl);
    assert_no_slab(evpl);
}

/* Fragments received flat (one iovec each, as a NIC delivers them), the
 * first one's buffer ours alone: its header is rewritten in place, no
 * extra iovec. */
static void
reasm_flat_in_place(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct reasm     *r = table(0, 0, 0);
    struct evpl_iovec frame, f;
    unsigned int      len;
    int               n, k, got = 0;
    void             *first_data = NULL;

    build(evpl, 9000, 5, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    for (k = 0; k < n; k++) {
        len = pkt_iovecs_len(pkts[k].iov, pkts[k].niov);
        assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &f), 1);
        pkt_copy_out(evpl_iovec_data(&f), pkts[k].iov, pkts[k].niov, 0, len);
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
        if (k == 0)
            first_data = evpl_iovec_data(&f);
        got = reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV);
    }
    assert_int_equal(got, n);
    assert_ptr_equal(evpl_iovec_data(&out[0]), first_data);
    assert_true(same_bytes(out, got, &frame));
    evpl_iovecs_release(evpl, out, got);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* The first fragment's buffer is also someone else's (a clone held): the
 * header goes into a fresh iovec and the other holder's bytes do not
 * change. Guards pkt_head_writable() in reasm_complete(). */
static void
reasm_shared_first(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct reasm     *r = table(0, 0, 0);
    struct evpl_iovec frame, f[8], other;
    uint8_t           before[L2 + 20];
    unsigned int      len;
    int               n, k, got = 0;

    build(evpl, 3000, 5, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    assert_true(n <= 8);
    for (k = 0; k < n; k++) {
        len = pkt_iovecs_len(pkts[k].iov, pkts[k].niov);
        assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &f[k]), 1);
        pkt_copy_out(evpl_iovec_data(&f[k]), pkts[k].iov, pkts[k].niov, 0,
                     len);
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
    }
    evpl_iovec_clone(&other, &f[0]);
    memcpy(before, evpl_iovec_data(&other), sizeof(before));
    for (k = 0; k < n; k++)
        got = reasm_input(r, evpl, &f[k], 1, L2, 0, out, MAXV);
    assert_int_equal(got, n + 1);
    assert_memory_equal(evpl_iovec_data(&other), before, sizeof(before));
    assert_true(same_bytes(out, got, &frame));
    evpl_iovec_release(evpl, &other);
    evpl_iovecs_release(evpl, out, got);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* An exact duplicate is dropped alone (RFC 5722 allows it, as Linux
 * does); the datagram still completes, once. */
static void
reasm_duplicate(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  frame, dup[2];
    int                n, k, got = 0;

    build(evpl, 5000, 2, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    for (k = 0; k < pkts[1].niov; k++)
        evpl_iovec_clone(&dup[k], &pkts[1].iov[k]);
    assert_int_equal(feed(r, evpl, 0, 0), 0);
    assert_int_equal(feed(r, evpl, 1, 0), 0);
    assert_int_equal(reasm_input(r, evpl, dup, pkts[1].niov, L2, 0, out,
                                 MAXV), 0);
    for (k = 2; k < n; k++)
        got = feed(r, evpl, k, 0);
    assert_true(got > 0);
    assert_true(same_bytes(out, got, &frame));
    reasm_stats_get(r, &st);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.completed, 1);
    evpl_iovecs_release(evpl, out, got);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/*
 * A fragment of a datagram just completed (a late duplicate) starts a new
 * datagram in progress, held and counted like any, then timed out with
 * its iovecs released. Guards reasm.c's forgetting of the last entry used
 * when it is freed (reasm_free_dgram()): without that the fragment goes to
 * the freed entry, on no list, counted in no datagram, and is never
 * released.
 */
static void
reasm_after_completion(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  frame, late[4];
    int                n, k, got = 0;

    build(evpl, 5000, 3, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    for (k = 0; k < pkts[n - 1].niov; k++)
        evpl_iovec_clone(&late[k], &pkts[n - 1].iov[k]);
    for (k = 0; k < n; k++)
        got = feed(r, evpl, k, 0);
    assert_true(got > 0);
    assert_true(same_bytes(out, got, &frame));
    evpl_iovecs_release(evpl, out, got);
    assert_int_equal(reasm_input(r, evpl, late, pkts[n - 1].niov, L2, 1,
                                 out, MAXV), 0);
    reasm_stats_get(r, &st);
    assert_int_equal(st.completed, 1);
    assert_int_equal(st.held_datagrams, 1);
    assert_int_equal(st.held_frags, 1);
    assert_int_equal(reasm_expire(r, evpl, 1 + TIMEOUT), 1);
    reasm_stats_get(r, &st);
    assert_int_equal(st.held_frags, 0);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/*
 * A fragment that overlaps another without being its duplicate drops the
 * whole datagram, and every later fragment of it, until its timeout
 * (RFC 5722); every iovec is released. The overlapping fragment here
 * claims the second fragment's offset with a different length.
 */
static void
reasm_overlap(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  frame;
    int                n, k;

    build(evpl, 5000, 2, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    assert_int_equal(feed(r, evpl, 0, 0), 0);
    assert_int_equal(feed(r, evpl, 1, 0), 0);
    /* Fragment 1 again, 8 bytes shorter: an overlap, not a duplicate. */
    {
        struct evpl_iovec h, p;
        struct rte_ipv4_hdr *ip;

        assert_int_equal(evpl_iovec_alloc(evpl, L2 + 20, 0, 1, 0, &h), 1);
        memcpy(evpl_iovec_data(&h), evpl_iovec_data(&frame), L2 + 20);
        ip = pkt_ip(&h, L2);
        ip->total_length    = rte_cpu_to_be_16(20 + 1472);
        ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | 1480 / 8);
        ip->hdr_checksum    = 0;
        ip->hdr_checksum    = rte_ipv4_cksum(ip);
        evpl_iovec_clone_segment(&p, &frame, L2 + 20 + 1480, 1472);
        pkts[MAXF - 1].iov  = &iov[MAXV - 2];
        pkts[MAXF - 1].niov = 2;
        evpl_iovec_move(&iov[MAXV - 2], &h);
        evpl_iovec_move(&iov[MAXV - 1], &p);
    }
    assert_int_equal(feed(r, evpl, MAXF - 1, 0), 0);
    for (k = 2; k < n; k++)
        assert_int_equal(feed(r, evpl, k, 0), 0);
    reasm_stats_get(r, &st);
    assert_int_equal(st.overlaps, 1);
    assert_int_equal(st.late, (uint64_t) (n - 2));
    assert_int_equal(st.completed, 0);
    assert_int_equal(st.held_frags, 0);
    assert_int_equal(st.held_bytes, 0);
    /* The tombstone goes at the timeout; then the key is new again. */
    assert_int_equal(reasm_expire(r, evpl, TIMEOUT), 0);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* Two last fragments that disagree, or a fragment past the end the last
 * one set: the datagram is dropped. */
static void
reasm_inconsistent(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  a, b;
    int                na, k;

    /* The same id: a datagram of 5000 and one of 3000 bytes. */
    build(evpl, 5000, 4, IPPROTO_UDP, NULL, 0, 0, &a);
    build(evpl, 3000, 4, IPPROTO_UDP, NULL, 0, 0, &b);
    na = cut(evpl, &a, 1500);
    assert_int_equal(feed(r, evpl, na - 1, 0), 0);  /* last of a */
    for (k = 0; k < na - 1; k++)
        evpl_iovecs_release(evpl, pkts[k].iov, pkts[k].niov);
    k = cut(evpl, &b, 1500);
    assert_int_equal(feed(r, evpl, k - 1, 0), 0);   /* last of b */
    for (k--; k > 0; k--)
        evpl_iovecs_release(evpl, pkts[k - 1].iov, pkts[k - 1].niov);
    reasm_stats_get(r, &st);
    assert_int_equal(st.inconsistent, 1);
    assert_int_equal(st.held_frags, 0);
    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &b);
    reasm_destroy(r, evpl);
}

/* A datagram that lost a fragment is given up at its timeout, counted,
 * and everything it held is released; before it, nothing goes. */
static void
reasm_timeout(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  frame;
    int                n, k;

    build(evpl, 9000, 6, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    for (k = 0; k < n - 1; k++)
        assert_int_equal(feed(r, evpl, k, 100), 0);
    evpl_iovecs_release(evpl, pkts[n - 1].iov, pkts[n - 1].niov);
    assert_int_equal(reasm_expire(r, evpl, 100 + TIMEOUT - 1), 0);
    reasm_stats_get(r, &st);
    assert_int_equal(st.held_frags, (unsigned int) n - 1);
    assert_true(st.held_bytes > 0);
    assert_int_equal(reasm_expire(r, evpl, 100 + TIMEOUT), 1);
    reasm_stats_get(r, &st);
    assert_int_equal(st.timed_out, 1);
    assert_int_equal(st.held_datagrams, 0);
    assert_int_equal(st.held_frags, 0);
    assert_int_equal(st.held_bytes, 0);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
    assert_no_slab(evpl);
}

/*
 * A fragment that comes at or past its datagram's timeout, with no
 * reasm_expire() before it, finds the datagram given up (counted, its
 * iovecs released) and starts a new one. Guards the timeout test of
 * reasm.c's look at the last entry used (in reasm_input()): without it the
 * fragment joins the stale datagram.
 */
static void
reasm_timeout_on_arrival(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  frame;
    int                n;

    build(evpl, 9000, 6, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    assert_int_equal(feed(r, evpl, 0, 100), 0);
    assert_int_equal(feed(r, evpl, 1, 100 + TIMEOUT), 0);
    reasm_stats_get(r, &st);
    assert_int_equal(st.timed_out, 1);
    assert_int_equal(st.held_datagrams, 1);
    assert_int_equal(st.held_frags, 1);
    reasm_flush(r, evpl);
    evpl_iovecs_release(evpl, pkts[2].iov, pkts[2].niov);
    while (--n > 2)
        evpl_iovecs_release(evpl, pkts[n].iov, pkts[n].niov);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
    assert_no_slab(evpl);
}

/*
 * The bounds: with room for 10 fragments, a second datagram's fragments
 * push out the first (the oldest) whole; with a byte bound, the bytes
 * held never pass it; with 2 datagrams, a third evicts the oldest.
 */
static void
reasm_bounds(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r;
    struct reasm_stats st;
    struct evpl_iovec  a, b, c;
    int                n, k;

    r = table(0, 10, 0);
    build(evpl, 9000, 1, IPPROTO_UDP, NULL, 0, 0, &a);
    build(evpl, 9000, 2, IPPROTO_UDP, NULL, 0, 0, &b);
    n = cut(evpl, &a, 1500);
    for (k = 0; k < n - 1; k++)
        assert_int_equal(feed(r, evpl, k, 0), 0);
    evpl_iovecs_release(evpl, pkts[n - 1].iov, pkts[n - 1].niov);
    n = cut(evpl, &b, 1500);
    for (k = 0; k < n - 1; k++) {
        assert_int_equal(feed(r, evpl, k, 1), 0);
        reasm_stats_get(r, &st);
        assert_true(st.held_frags <= 10);
    }
    reasm_stats_get(r, &st);
    assert_int_equal(st.evicted, 1);
    assert_int_equal(st.held_datagrams, 1);
    k = feed(r, evpl, n - 1, 1);
    assert_true(same_bytes(out, k, &b));
    evpl_iovecs_release(evpl, out, k);
    reasm_destroy(r, evpl);

    /* The first fragment keeps its header's mbuf alive (8320 bytes of
     * buffer) and a 1480-byte slab range, the others their ranges alone:
     * two fit in 12000 bytes, the third does not, and its datagram is the
     * only one, so it goes; the rest start another that cannot
     * complete. */
    r = table(0, 0, 12000);
    n = cut(evpl, &a, 1500);
    for (k = 0; k < n; k++) {
        assert_int_equal(feed(r, evpl, k, 0), 0);
        reasm_stats_get(r, &st);
        assert_true(st.held_bytes <= 12000);
    }
    reasm_stats_get(r, &st);
    assert_int_equal(st.evicted, 1);
    assert_int_equal(st.held_frags, (unsigned int) n - 3);
    reasm_destroy(r, evpl);

    r = table(2, 0, 0);
    build(evpl, 3000, 3, IPPROTO_UDP, NULL, 0, 0, &c);
    for (k = 0; k < 3; k++) {
        struct evpl_iovec *f = k == 0 ? &a : k == 1 ? &b : &c;

        n = cut(evpl, f, 1500);
        assert_int_equal(feed(r, evpl, 0, (uint64_t) k), 0);
        for (; n > 1; n--)
            evpl_iovecs_release(evpl, pkts[n - 1].iov, pkts[n - 1].niov);
    }
    reasm_stats_get(r, &st);
    assert_int_equal(st.evicted, 1);
    assert_int_equal(st.held_datagrams, 2);
    reasm_destroy(r, evpl);
    evpl_iovec_release(evpl, &a);
    evpl_iovec_release(evpl, &b);
    evpl_iovec_release(evpl, &c);
}

/* The key has the protocol: two datagrams with the same addresses and id
 * but different protocols, interleaved, come out separately and whole. */
static void
reasm_key_has_protocol(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct evpl_iovec  u, t;
    struct evpl_dpdk_pkt pu[MAXF];
    int                nu, nt, k, got, done = 0;

    build(evpl, 4000, 8, IPPROTO_UDP, NULL, 0, 0, &u);
    build(evpl, 4000, 8, IPPROTO_TCP, NULL, 0, 0, &t);
    nu = frag_ipv4(evpl, &u, 1, L2, 1500, pu, MAXF, &iov[MAXV / 2],
                   MAXV / 2);
    nt = frag_ipv4(evpl, &t, 1, L2, 1500, pkts, MAXF, iov, MAXV / 2);
    assert_int_equal(nu, nt);
    for (k = 0; k < nu; k++) {
        got = reasm_input(r, evpl, pu[k].iov, pu[k].niov, L2, 0, out, MAXV);
        if (got > 0) {
            assert_true(same_bytes(out, got, &u));
            evpl_iovecs_release(evpl, out, got);
            done++;
        }
        got = feed(r, evpl, k, 0);
        if (got > 0) {
            assert_true(same_bytes(out, got, &t));
            evpl_iovecs_release(evpl, out, got);
            done++;
        }
    }
    assert_int_equal(done, 2);
    evpl_iovec_release(evpl, &u);
    evpl_iovec_release(evpl, &t);
    reasm_destroy(r, evpl);
}

/* A frame of another IP version, or whose header length is under 20
 * bytes, is dropped as malformed; the longest header, 60 bytes, is taken.
 * Guards reasm.c's one-compare test of version_ihl (0x45 to 0x4f). */
static void
reasm_version_and_header_length(void **state)
{
    static const uint8_t bad[] = { 0x44, 0x40, 0x55, 0x35, 0x65 };
    static const uint8_t opt[40];
    struct evpl         *evpl = ctx_of(state);
    struct reasm        *r = table(0, 0, 0);
    struct reasm_stats   st;
    struct evpl_iovec    f;
    unsigned int         k;

    /* Last fragments at offset 8: any payload length would do. */
    for (k = 0; k < RTE_DIM(bad); k++) {
        build(evpl, 1004, 9, IPPROTO_UDP, NULL, 0, 1, &f);
        pkt_ip(&f, L2)->version_ihl = bad[k];
        assert_int_equal(reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV), 0);
    }
    build(evpl, 1004, 9, IPPROTO_UDP, opt, sizeof(opt), RTE_IPV4_HDR_MF_FLAG,
          &f);
    assert_int_equal(pkt_ip(&f, L2)->version_ihl, 0x4f);
    assert_int_equal(reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV), 0);
    reasm_stats_get(r, &st);
    assert_int_equal(st.malformed, RTE_DIM(bad));
    assert_int_equal(st.held_frags, 1);
    reasm_destroy(r, evpl);
}

/* Malformed fragments are dropped alone: a payload not a multiple of 8
 * before the last, an empty one, one ending past 65535 bytes, a frame
 * shorter than its total length. Link padding is cut off a whole one. */
static void
reasm_malformed_and_padding(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  f;
    struct rte_ipv4_hdr *ip;
    int                got;

    /* 100 bytes of payload, MF set: not a multiple of 8. */
    build(evpl, 120, 1, IPPROTO_UDP, NULL, 0, RTE_IPV4_HDR_MF_FLAG, &f);
    assert_int_equal(reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV), 0);
    /* Empty. */
    build(evpl, 20, 1, IPPROTO_UDP, NULL, 0, RTE_IPV4_HDR_MF_FLAG | 8, &f);
    assert_int_equal(reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV), 0);
    /* Past 65535: offset 65528 with 16 bytes. */
    build(evpl, 36, 1, IPPROTO_UDP, NULL, 0, 65528 / 8, &f);
    assert_int_equal(reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV), 0);
    /* Shorter than its total length. */
    build(evpl, 200, 1, IPPROTO_UDP, NULL, 0, 0, &f);
    evpl_iovec_set_length(&f, L2 + 100);
    assert_int_equal(reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV), 0);
    reasm_stats_get(r, &st);
    assert_int_equal(st.malformed, 4);
    assert_int_equal(st.held_frags, 0);

    /* A whole 30-byte datagram in a 60-byte frame: handed back, cut to
     * its own length. */
    build(evpl, 46, 1, IPPROTO_UDP, NULL, 0, 0, &f);
    ip = pkt_ip(&f, L2);
    ip->total_length = rte_cpu_to_be_16(30);
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    got = reasm_input(r, evpl, &f, 1, L2, 0, out, MAXV);
    assert_int_equal(got, 1);
    assert_int_equal(evpl_iovec_length(&out[0]), L2 + 30);
    evpl_iovecs_release(evpl, out, got);
    reasm_destroy(r, evpl);
}

/* A datagram of more iovecs than the caller has room for is dropped,
 * counted, released: ENOSPC. */
static void
reasm_too_long(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct reasm      *r = table(0, 0, 0);
    struct reasm_stats st;
    struct evpl_iovec  frame;
    int                n, k, ret = 0;

    build(evpl, 9000, 6, IPPROTO_UDP, NULL, 0, 0, &frame);
    n = cut(evpl, &frame, 1500);
    for (k = 0; k < n; k++)
        ret = reasm_input(r, evpl, pkts[k].iov, pkts[k].niov, L2, 0, out, 4);
    assert_int_equal(ret, -1);
    assert_int_equal(errno, ENOSPC);
    reasm_stats_get(r, &st);
    assert_int_equal(st.too_long, 1);
    assert_int_equal(st.held_frags, 0);
    evpl_iovec_release(evpl, &frame);
    reasm_destroy(r, evpl);
}

/* The lossy network: the same seed makes the same faults; a duplicate is
 * a clone (the same bytes, one more reference), a held packet comes out
 * after the next one. */
static void
fault_network(void **state)
{
    struct evpl        *evpl = ctx_of(state);
    struct fault_config c = { 0, 1000000, 0, 42 };
    struct fault        f;
    struct fault_pkt    o[FAULT_OUT_MAX];
    struct evpl_iovec   a, b;
    unsigned int        what;

    fault_init(&f, &c);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &a), 1);
    assert_int_equal(fault_pass(&f, evpl, &a, 1, o, &what), 2);
    assert_int_equal(what, FAULT_DUPLICATED);
    assert_ptr_equal(evpl_iovec_data(&o[0].iov[0]),
                     evpl_iovec_data(&o[1].iov[0]));
    assert_int_equal(rte_mbuf_refcnt_read(evpl_iovec_mbuf(&o[0].iov[0])), 2);
    evpl_iovec_release(evpl, &o[0].iov[0]);
    evpl_iovec_release(evpl, &o[1].iov[0]);

    c = (struct fault_config) { 0, 0, 1000000, 42 };
    fault_init(&f, &c);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &a), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &b), 1);
    assert_int_equal(fault_pass(&f, evpl, &a, 1, o, &what), 0);
    assert_int_equal(what, FAULT_HELD);
    /* One packet is held at a time: b goes, then a after it. */
    assert_int_equal(fault_pass(&f, evpl, &b, 1, o, &what), 2);
    assert_int_equal(what, 0);
    assert_ptr_equal(o[0].iov[0].data, b.data);
    assert_ptr_equal(o[1].iov[0].data, a.data);
    assert_int_equal(fault_flush(&f, &o[2]), 0);
    evpl_iovec_release(evpl, &o[0].iov[0]);
    evpl_iovec_release(evpl, &o[1].iov[0]);

    c = (struct fault_config) { 1000000, 0, 0, 42 };
    fault_init(&f, &c);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &a), 1);
    assert_int_equal(fault_pass(&f, evpl, &a, 1, o, &what), 0);
    assert_int_equal(what, FAULT_DROPPED);
    assert_int_equal(f.dropped, 1);
}

static const struct CMUnitTest cases[] = {
    CASE(frag_fits),
    CASE(frag_64k_one_slab),
    CASE(frag_same_as_dpdk),
    CASE(frag_options),
    CASE(frag_again),
    CASE(frag_across_iovecs),
    CASE(frag_refuses),
    CASE(reasm_any_order),
    CASE(reasm_flat_in_place),
    CASE(reasm_shared_first),
    CASE(reasm_duplicate),
    CASE(reasm_after_completion),
    CASE(reasm_overlap),
    CASE(reasm_inconsistent),
    CASE(reasm_timeout),
    CASE(reasm_timeout_on_arrival),
    CASE(reasm_bounds),
    CASE(reasm_key_has_protocol),
    CASE(reasm_malformed_and_padding),
    CASE(reasm_version_and_header_length),
    CASE(reasm_too_long),
    CASE(fault_network),
};

EVPL_TEST_MAIN("ipfrag", cases)
