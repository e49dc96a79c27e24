/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The DPDK glue: iovecs -> mbuf chains -> iovecs, as conversions and
 * through ports. net_ring0 is a loopback (what is sent is received, as the
 * same mbufs) that takes chains; net_null0 drops what it is sent and takes
 * no chains. Every case ends with the pools' free counts where they were.
 */

/* rte_pktmbuf_pool_create_extbuf(), the pinned external buffers' pool, is
 * experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "common.h"

static uint16_t ring_port, null_port;

/* Concatenate the bytes of iovecs into out; returns the total. */
static size_t
gather(const struct evpl_iovec *v, int n, unsigned char *out)
{
    size_t len = 0;
    int    i;

    for (i = 0; i < n; i++) {
        memcpy(out + len, v[i].data, v[i].length);
        len += v[i].length;
    }
    return len;
}

static size_t
gather_mbuf(const struct rte_mbuf *m, unsigned char *out)
{
    size_t len = 0;

    for (; m != NULL; m = m->next) {
        memcpy(out + len, rte_pktmbuf_mtod(m, const void *), m->data_len);
        len += m->data_len;
    }
    return len;
}

static unsigned int
free_count(void **state)
{
    return rte_mempool_avail_count(((struct evpl_test_ctx *) *state)->pool);
}

/* ---- conversions, no port ------------------------------------------ */

static void
exclusive_iovec_becomes_its_mbuf(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v, before;
    struct rte_mbuf       *m;
    struct evpl_dpdk_stats st;
    unsigned int           free0;
    int                    take;

    for (take = 0; take < 2; take++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, take ?
                                          EVPL_IOVEC_FLAG_SHARED : 0, &v), 1);
        evpl_test_fill(v.data, 1000, 7);
        evpl_iovec_set_length(&v, 900);
        before = v;
        free0  = free_count(state);
        evpl_dpdk_stats_reset(evpl);

        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, take ? EVPL_DPDK_TAKE_REF : 0);
        assert_ptr_equal(m, evpl_test_mbuf(&v));
        assert_int_equal(free_count(state), free0); /* no allocation */
        assert_ptr_equal(rte_pktmbuf_mtod(m, void *), v.data);
        assert_int_equal(m->data_len, 900);
        assert_int_equal(m->pkt_len, 900);
        assert_int_equal(m->nb_segs, 1);
        assert_null(m->next);
        assert_int_equal(rte_mbuf_refcnt_read(m), take ? 1 : 2);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
        assert_int_equal(st.tx_reused, 1);
        assert_int_equal(st.tx_pkts, 1);
        if (!take) {
            /* The caller's iovec is as it was and still its own. */
            assert_memory_equal(&v, &before, sizeof(v));
            rte_pktmbuf_free(m);
            assert_true(evpl_test_check(v.data, 900, 7));
            evpl_iovec_release(evpl, &v);
        } else {
            rte_pktmbuf_free(m);
        }
    }
}

static void
small_shared_header_goes_into_headroom(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  hdr_buf, pkt[2];
    struct rte_mbuf   *m;
    unsigned char      want[2000], got[2000];
    unsigned int       free0;

    /* A header cloned from a template is shared; the payload is not. */
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &hdr_buf), 1);
    evpl_test_fill(hdr_buf.data, 64, 1);
    evpl_iovec_clone_segment(&pkt[0], &hdr_buf, 0, 42);
    assert_int_equal(evpl_iovec_alloc(evpl, 1400, 0, 1, 0, &pkt[1]), 1);
    evpl_test_fill(pkt[1].data, 1400, 2);
    gather(pkt, 2, want);
    free0 = free_count(state);

    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 2, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_int_equal(m->nb_segs, 1);          /* one segment, no new mbuf */
    assert_ptr_equal(m, evpl_test_mbuf(&pkt[1]));
    assert_int_equal(free_count(state), free0);
    assert_int_equal(m->pkt_len, 1442);
    assert_int_equal(gather_mbuf(m, got), 1442);
    assert_memory_equal(got, want, 1442);
    /* The header's reference was released: only the template holds it. */
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&hdr_buf)), 1);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &hdr_buf);
}

static void
small_shared_trailer_goes_into_tailroom(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec base, pkt[3];
    struct rte_mbuf  *m;
    unsigned char     want[3000], got[3000];

    assert_int_equal(evpl_iovec_alloc(evpl, 200, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 200, 3);
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &pkt[0]), 1);
    evpl_test_fill(pkt[0].data, 1000, 4);
    evpl_iovec_clone_segment(&pkt[1], &base, 10, 20);
    evpl_iovec_clone_segment(&pkt[2], &base, 100, 100);
    gather(pkt, 3, want);

    /* Without TAKE_REF: the caller keeps every iovec. */
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3, 0);
    assert_non_null(m);
    assert_int_equal(m->nb_segs, 1);
    assert_int_equal(gather_mbuf(m, got), 1120);
    assert_memory_equal(got, want, 1120);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 3);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, 3);
    evpl_iovec_release(evpl, &base);
}

static void
large_shared_goes_by_reference(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec base, pkt[2], before[2];
    struct rte_mbuf  *m;
    unsigned char     want[9000], got[9000];
    int               take;

    assert_int_equal(evpl_iovec_alloc(evpl, 8000, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 8000, 5);
    for (take = 0; take < 2; take++) {
        evpl_iovec_clone_segment(&pkt[0], &base, 0, 3000);
        evpl_iovec_clone_segment(&pkt[1], &base, 5000, 3000);
        memcpy(before, pkt, sizeof(pkt));
        gather(pkt, 2, want);

        m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 2,
                                     take ? EVPL_DPDK_TAKE_REF : 0);
        assert_non_null(m);
        assert_int_equal(m->nb_segs, 2);
        assert_true(RTE_MBUF_CLONED(m));
        assert_true(RTE_MBUF_CLONED(m->next));
        assert_int_equal(gather_mbuf(m, got), 6000);
        assert_memory_equal(got, want, 6000);
        /* base + two indirect mbufs, + two iovecs unless taken */
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)),
                         take ? 3 : 5);
        rte_pktmbuf_free(m);
        if (!take) {
            assert_memory_equal(pkt, before, sizeof(pkt));
            evpl_iovecs_release(evpl, pkt, 2);
        }
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 1);
    }
    evpl_iovec_release(evpl, &base);
}

static void
empty_iovecs_are_skipped(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec pkt[3];
    struct rte_mbuf  *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &pkt[1]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[2]), 1);
    evpl_iovec_set_length(&pkt[0], 0);
    evpl_iovec_set_length(&pkt[2], 0);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_int_equal(m->nb_segs, 1);
    assert_int_equal(m->pkt_len, 100);
    rte_pktmbuf_free(m);
    /* All empty: nothing to send, nothing taken. */
    assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[0]), 1);
    evpl_iovec_set_length(&pkt[0], 0);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 1, EVPL_DPDK_TAKE_REF));
    assert_int_equal(errno, EINVAL);
    evpl_iovec_release(evpl, &pkt[0]);
}

/* A received packet of one segment becomes one iovec of its bytes on
 * that mbuf, counted as a packet of one segment. Guards dpdk_glue/rx.c's
 * single-segment path of evpl_dpdk_mbuf_to_iovecs() (its range and its
 * counts). */
static void
single_segment_mbuf_becomes_one_iovec(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats st;
    struct evpl_iovec      v[2];
    struct rte_mbuf       *m;
    unsigned int           free0 = free_count(state);

    assert_non_null(m = rte_pktmbuf_alloc(evpl_mempool(evpl)));
    assert_non_null(rte_pktmbuf_append(m, 300));
    assert_non_null(rte_pktmbuf_adj(m, 40));
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, m, v, 2), 1);
    assert_ptr_equal(evpl_test_mbuf(&v[0]), m);
    assert_ptr_equal(v[0].data, rte_pktmbuf_mtod(m, void *));
    assert_int_equal(v[0].length, 260);
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.rx_pkts, 1);
    assert_int_equal(st.rx_segs, 1);
    evpl_iovec_release(evpl, &v[0]);
    assert_int_equal(free_count(state), free0);
}

/*
 * A packet of more than two iovecs, each its own mbuf's only reference (a
 * reassembled datagram's fragments): every mbuf becomes a segment as it
 * is, in order, at its iovec's range, with no mbuf taken from the pool;
 * the head's transmit fields cleared, the last segment's stale link too;
 * refcnt 1 with TAKE_REF, 2 without. Guards dpdk_glue/tx_chain.c's
 * evpl_tx_chain_own() (its links, lengths, counts and head fields; the
 * general build it bypasses gives the same).
 */
static void
own_pieces_are_relinked_as_one_chain(void **state)
{
    enum { N = 5 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      pkt[N];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m, *seg;
    unsigned int           free0, k;
    uint32_t               len = 0;
    int                    take;

    for (take = 0; take < 2; take++) {
        for (k = 0; k < N; k++) {
            assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &pkt[k]),
                             1);
            /* Not at the buffer's data_off: a fragment's payload. */
            evpl_iovec_move_segment(&pkt[k], &pkt[k], 10 * k, 500 + k);
            seg                 = evpl_test_mbuf(&pkt[k]);
            seg->ol_flags      |= RTE_MBUF_F_TX_IP_CKSUM;
            seg->packet_type    = RTE_PTYPE_L3_IPV4;
            seg->vlan_tci       = 7;
            seg->vlan_tci_outer = 7;
            seg->l2_len         = 14;
            len                += 500 + k;
        }
        /* Links left by an earlier chain (received chains keep theirs). */
        for (k = 0; k < N; k++)
            evpl_test_mbuf(&pkt[k])->next = evpl_test_mbuf(&pkt[(k + 1) % N]);
        free0 = free_count(state);
        evpl_dpdk_stats_reset(evpl);
        m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N,
                                     take ? EVPL_DPDK_TAKE_REF : 0);
        assert_non_null(m);
        assert_int_equal(free_count(state), free0);
        assert_int_equal(m->nb_segs, N);
        assert_int_equal(m->pkt_len, len);
        assert_int_equal(m->ol_flags, 0);
        assert_int_equal(m->packet_type, 0);
        assert_int_equal(m->vlan_tci, 0);
        assert_int_equal(m->vlan_tci_outer, 0);
        assert_int_equal(m->tx_offload, 0);
        for (k = 0, seg = m; k < N; k++, seg = seg->next) {
            assert_ptr_equal(seg, evpl_test_mbuf(&pkt[k]));
            assert_ptr_equal(rte_pktmbuf_mtod(seg, void *), pkt[k].data);
            assert_int_equal(seg->data_len, 500 + k);
            assert_int_equal(rte_mbuf_refcnt_read(seg), take ? 1 : 2);
        }
        assert_null(seg);
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(st.tx_pkts, 1);
        assert_int_equal(st.tx_segs, N);
        assert_int_equal(st.tx_reused, N);
        assert_int_equal(st.tx_copied + st.tx_indirect + st.tx_linearized, 0);
        rte_pktmbuf_free(m);
        if (!take)
            evpl_iovecs_release(evpl, pkt, N);
        len = 0;
    }
}

/*
 * Own pieces beyond what a chain may carry are copied whole, not relinked:
 * one more than EVPL_DPDK_MAX_SEGS for no port, and three for a port that
 * takes no chains (net_null0). Guards the segment bound of
 * dpdk_glue/tx_chain.c's evpl_tx_chain_own() (without it, the first is
 * a chain of 65 segments and the second a chain the port cannot send).
 */
static void
own_pieces_past_the_segments_are_linearized(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      pkt[N];
    struct evpl_dpdk_pkt   tx = { pkt, 3 };
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;
    unsigned char          want[N * 10], got[N * 10];
    unsigned int           free0 = free_count(state), k;

    for (k = 0; k < N; k++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[k]), 1);
        evpl_test_fill(pkt[k].data, 10, k);
    }
    gather(pkt, N, want);
    evpl_dpdk_stats_reset(evpl);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_true(m->nb_segs <= EVPL_DPDK_MAX_SEGS);
    assert_int_equal(gather_mbuf(m, got), N * 10);
    assert_memory_equal(got, want, N * 10);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 1);
    rte_pktmbuf_free(m);
    assert_int_equal(free_count(state), free0);

    for (k = 0; k < 3; k++)
        assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[k]), 1);
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(st.tx_segs, 1);
    assert_int_equal(free_count(state), free0);
}

static void
many_iovecs_are_linearized(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 36 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[N];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;
    unsigned char          want[N * 100], got[N * 100];
    int                    i;

    assert_int_equal(evpl_iovec_alloc(evpl, 8000, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 8000, 6);
    for (i = 0; i < N; i++)
        evpl_iovec_clone_segment(&pkt[i], &base, (unsigned int) i * 37 % 7900,
                                 80);
    gather(pkt, N, want);
    evpl_dpdk_stats_reset(evpl);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_int_equal(m->pkt_len, N * 80);
    assert_int_equal(gather_mbuf(m, got), N * 80);
    assert_memory_equal(got, want, N * 80);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 1);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &base);
}

/* A TAKE_REF packet of 65 non-empty iovecs, one more than a packet's
 * segments, gathered into its first iovec's own mbuf: the first
 * reference becomes the packet and each of the other 64 is given up
 * exactly once, the 65th included. Guards the bound on the bit mask of
 * dpdk_glue/tx.h's evpl_tx_give_up() (past bit 63 the mask says nothing:
 * read there, the shift wraps to bit 0, the first iovec's, and the 65th
 * reference leaks); an ASan build also sees a write one past
 * dpdk_glue/tx_chain.c's nonempty[] for the 65th iovec. */
static void
take_ref_of_65_iovecs_gives_each_up_once(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[N];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m, *first;
    unsigned char          want[1 + (N - 1) * 10], got[sizeof(want)];
    int                    i;

    assert_int_equal(evpl_iovec_alloc(evpl, 1, 0, 1, 0, &pkt[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &base), 1);
    evpl_test_fill(pkt[0].data, 1, 4);
    evpl_test_fill(base.data, 1500, 5);
    for (i = 1; i < N; i++)
        evpl_iovec_clone_segment(&pkt[i], &base, (unsigned int) i * 20, 10);
    gather(pkt, N, want);
    first = evpl_test_mbuf(&pkt[0]);
    assert_int_equal(rte_mbuf_refcnt_read(first), 1);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), N);
    evpl_dpdk_stats_reset(evpl);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, EVPL_DPDK_TAKE_REF);
    assert_ptr_equal(m, first);
    assert_int_equal(gather_mbuf(m, got), sizeof(want));
    assert_memory_equal(got, want, sizeof(want));
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(st.tx_reused, 1);
    assert_int_equal(rte_mbuf_refcnt_read(first), 1);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 1);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &base);
}

/* A packet of more than 4 GiB (2,049 clones of one GLOBAL 2 MiB slab,
 * which take no memory of their own) is refused with EMSGSIZE, its
 * iovecs untouched: an mbuf chain's pkt_len is 32 bits. Guards the
 * EMSGSIZE of dpdk_glue/tx_chain.c's evpl_tx_chain_any() for a total over
 * UINT32_MAX (without it the call fails with errno unset). */
static void
packet_over_4_gib_is_emsgsize(void **state)
{
    enum { N = 2049 };
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec *pkt;
    int                i;

    assert_non_null(pkt = calloc(N, sizeof(*pkt)));
    assert_int_equal(evpl_iovec_alloc_global(evpl, &pkt[0]), 1);
    assert_int_equal(pkt[0].length, EVPL_DPDK_DEFAULT_SLAB_SIZE);
    for (i = 1; i < N; i++)
        evpl_iovec_clone(&pkt[i], &pkt[0]);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, 0));
    assert_int_equal(errno, EMSGSIZE);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, EVPL_DPDK_TAKE_REF));
    assert_int_equal(errno, EMSGSIZE);
    evpl_iovecs_release(evpl, pkt, N);
    free(pkt);
}

/*
 * A packet to be copied whole that 65535 fresh mbufs of the context's
 * pool cannot hold, under 4 GiB, is EMSGSIZE at once, as documented,
 * whatever the pool holds: the copy is not begun (a pool of fewer free
 * mbufs made it ENOMEM after filling them all). Clones of one GLOBAL slab
 * make the bytes without the memory. Guards dpdk_glue/tx_linear.c's
 * bound on what max_segs fresh mbufs hold.
 */
static void
packet_past_65535_mbufs_is_emsgsize(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec *pkt;
    uint64_t           room = rte_pktmbuf_data_room_size(evpl_mempool(evpl));
    uint64_t           holds = room - RTE_PKTMBUF_HEADROOM + 65534 * room;
    unsigned int       free0 = free_count(state);
    int                n, i, take;

    assert_non_null(pkt = calloc(2048, sizeof(*pkt)));
    assert_int_equal(evpl_iovec_alloc_global(evpl, &pkt[0]), 1);
    n = (int) (holds / pkt[0].length) + 1;
    assert_true((uint64_t) n * pkt[0].length <= UINT32_MAX);
    for (i = 1; i < n; i++)
        evpl_iovec_clone(&pkt[i], &pkt[0]);
    for (take = 0; take < 2; take++) {
        errno = 0;
        assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, n, take ?
                                             EVPL_DPDK_TAKE_REF : 0));
        assert_int_equal(errno, EMSGSIZE);
        assert_int_equal(free_count(state), free0);
    }
    evpl_iovecs_release(evpl, pkt, n);
    free(pkt);
}

/* A pool of nb mbufs on pinned external buffers of elt bytes
 * (rte_pktmbuf_pool_create_extbuf()), their memory in *mem: rte_free()
 * it after rte_mempool_free(). */
static struct rte_mempool *
pinned_pool(const char *name, unsigned int nb, unsigned int elt, void **mem)
{
    struct rte_pktmbuf_extmem ext;
    struct rte_mempool       *mp;

    assert_non_null(*mem = rte_malloc(NULL, (size_t) elt * nb,
                                      RTE_CACHE_LINE_SIZE));
    ext = (struct rte_pktmbuf_extmem) {
        .buf_ptr = *mem, .buf_iova = rte_malloc_virt2iova(*mem),
        .buf_len = (size_t) elt * nb, .elt_size = (uint16_t) elt,
    };
    assert_non_null(mp = rte_pktmbuf_pool_create_extbuf(
                        name, nb, 0, 0, (uint16_t) elt, SOCKET_ID_ANY, &ext,
                        1));
    return mp;
}

/* A shared iovec on an mbuf of a pinned external-buffer pool
 * (rte_pktmbuf_pool_create_extbuf()), too long to be copied as small: no
 * mbuf can be attached to a pinned buffer, so the packet is copied into
 * the context's own mbufs and the pinned mbuf keeps its references.
 * Guards dpdk_glue/tx.h's evpl_mbuf_pinned() (without its answer the
 * packet goes out as an indirect mbuf attached to the pinned buffer). */
static void
shared_iovec_on_a_pinned_buffer_is_copied(void **state)
{
    enum { ELT = 16384, NB = 4, LEN = 6000 };
    struct evpl              *evpl = ctx_of(state);
    struct rte_mempool       *mp;
    struct rte_mbuf          *pm, *m, *seg;
    struct evpl_iovec         v, c;
    unsigned char             got[LEN];
    void                     *mem;

    mp = pinned_pool("glue_pinned", NB, ELT, &mem);
    assert_non_null(pm = rte_pktmbuf_alloc(mp));
    assert_true(RTE_MBUF_HAS_PINNED_EXTBUF(pm));
    assert_non_null(rte_pktmbuf_append(pm, LEN));
    evpl_test_fill(rte_pktmbuf_mtod(pm, void *), LEN, 7);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, pm, &v, 1), 1);
    evpl_iovec_clone(&c, &v);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &c, 1, 0));
    for (seg = m; seg != NULL; seg = seg->next)
        assert_true(RTE_MBUF_DIRECT(seg) && seg->pool != mp);
    assert_int_equal(gather_mbuf(m, got), LEN);
    assert_true(evpl_test_check(got, LEN, 7));
    assert_int_equal(rte_mbuf_refcnt_read(pm), 2);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &c);
    evpl_iovec_release(evpl, &v);
    assert_int_equal(rte_mempool_avail_count(mp), NB);
    rte_mempool_free(mp);
    rte_free(mem);
}

static void
conversion_failure_leaves_iovecs_untouched(void **state)
{
    enum { POOL_N = 8 };
    struct rte_mempool    *mp;
    struct evpl_config     cfg;
    struct evpl           *e;
    struct evpl_iovec      base, own, pkt[4], before[4], hog[POOL_N];
    struct evpl_dpdk_stats st;
    uint16_t               base_ref;
    int                    take, n, k;

    (void) state;
    /* The 500-byte ranges below must travel by reference, whatever the
     * default threshold. */
    cfg = (struct evpl_config) { .tx_copy_max = 128 };
    e   = evpl_test_ctx_on_own_pool("tx_fail", POOL_N, &cfg, &mp);

    assert_int_equal(evpl_iovec_alloc(e, 2000, 0, 1, 0, &base), 1);
    assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &own), 1);
    for (take = 0; take < 2; take++) {
        /* exclusive, small shared (pending), large shared x2: the second
         * indirect mbuf is one too many. */
        evpl_iovec_clone(&pkt[0], &own);
        evpl_iovec_release(e, &own);
        evpl_iovec_clone_segment(&pkt[1], &base, 0, 50);
        evpl_iovec_clone_segment(&pkt[2], &base, 100, 500);
        evpl_iovec_clone_segment(&pkt[3], &base, 700, 500);
        for (n = 0; evpl_iovec_alloc(e, 10, 0, 1, 0, &hog[n]) == 1; n++)
            ;
        /* Leave one mbuf: the first indirect takes it. */
        evpl_iovec_release(e, &hog[--n]);
        memcpy(before, pkt, sizeof(pkt));
        base_ref = rte_mbuf_refcnt_read(evpl_test_mbuf(&base));

        errno = 0;
        assert_null(evpl_dpdk_iovecs_to_mbuf(e, pkt, 4,
                                             take ? EVPL_DPDK_TAKE_REF : 0));
        assert_int_equal(errno, ENOMEM);
        assert_int_equal(rte_errno, ENOMEM);
        assert_memory_equal(pkt, before, sizeof(pkt));
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)),
                         base_ref);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&pkt[0])), 1);
        assert_int_equal(rte_mempool_avail_count(mp), 1);
        evpl_dpdk_stats_get(e, &st);
        assert_int_equal(st.tx_nomem, (uint64_t) take + 1);

        for (k = 0; k < n; k++)
            evpl_iovec_release(e, &hog[k]);
        evpl_iovec_move(&own, &pkt[0]);
        evpl_iovecs_release(e, pkt + 1, 3);
    }
    evpl_iovec_release(e, &own);
    evpl_iovec_release(e, &base);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* ---- the general build's small copies and undo (tx_chain.c) ---------- */

/*
 * Small shared iovecs wait for the segment after them and go into its
 * headroom when that holds them: two copies of 64 bytes in front of an
 * own payload, exactly its 128 bytes of headroom and exactly the most
 * that may wait (evpl_tx_pend_max()), make one segment starting at the
 * buffer, no mbuf taken, counted as two copies and one reuse. Guards
 * dpdk_glue/tx_chain.c's evpl_tx_build() bounds (headroom that holds the
 * pending bytes exactly is taken; bytes that reach the most that may wait
 * exactly are not flushed first) and the count of the copies in
 * evpl_tx_copy_pending().
 */
static void
pending_copies_fill_the_headroom_exactly(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[3];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;
    unsigned char          want[1200], got[1200];
    unsigned int           free0;

    assert_int_equal(evpl_iovec_alloc(evpl, 200, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 200, 11);
    evpl_iovec_clone_segment(&pkt[0], &base, 0, 64);
    evpl_iovec_clone_segment(&pkt[1], &base, 100, 64);
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &pkt[2]), 1);
    evpl_test_fill(pkt[2].data, 1000, 12);
    m = evpl_test_mbuf(&pkt[2]);
    assert_int_equal((char *) pkt[2].data - (char *) m->buf_addr, 128);
    gather(pkt, 3, want);
    free0 = free_count(state);
    evpl_dpdk_stats_reset(evpl);

    assert_ptr_equal(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3,
                                              EVPL_DPDK_TAKE_REF), m);
    assert_int_equal(m->nb_segs, 1);
    assert_null(m->next);
    assert_int_equal(m->data_off, 0);
    assert_int_equal(m->data_len, 1128);
    assert_int_equal(m->pkt_len, 1128);
    assert_int_equal(free_count(state), free0);
    assert_int_equal(gather_mbuf(m, got), 1128);
    assert_memory_equal(got, want, 1128);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_segs, 1);
    assert_int_equal(st.tx_copied, 2);
    assert_int_equal(st.tx_reused, 1);
    /* The copies' references were given up: only the base's is left. */
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 1);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &base);
}

/*
 * A small shared iovec behind an own segment whose tailroom it fills
 * exactly goes there: one segment, no mbuf taken, counted as a copy.
 * Guards evpl_tx_build()'s tailroom bound (dpdk_glue/tx_chain.c).
 */
static void
small_copy_fills_the_tailroom_exactly(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[2];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;
    unsigned char         *want, *got;
    unsigned int           free0, len, room;

    /* A payload that leaves 100 bytes of its mbuf behind it. */
    assert_int_equal(evpl_iovec_alloc(evpl, 1, 0, 1, 0, &pkt[0]), 1);
    m   = evpl_test_mbuf(&pkt[0]);
    len = (unsigned int) ((char *) m->buf_addr + m->buf_len -
                          (char *) pkt[0].data) - 100;
    evpl_iovec_release(evpl, &pkt[0]);
    assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &pkt[0]), 1);
    evpl_test_fill(pkt[0].data, len, 14);
    m    = evpl_test_mbuf(&pkt[0]);
    room = (unsigned int) ((char *) m->buf_addr + m->buf_len -
                           (char *) pkt[0].data) - len;
    assert_int_equal(room, 100);
    assert_int_equal(evpl_iovec_alloc(evpl, 300, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 300, 13);
    evpl_iovec_clone_segment(&pkt[1], &base, 7, room);
    assert_non_null(want = malloc(len + room));
    assert_non_null(got = malloc(len + room));
    gather(pkt, 2, want);
    free0 = free_count(state);
    evpl_dpdk_stats_reset(evpl);

    assert_ptr_equal(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 2, 0), m);
    assert_int_equal(m->nb_segs, 1);
    assert_null(m->next);
    assert_int_equal(m->data_len, len + room);
    assert_int_equal(rte_pktmbuf_tailroom(m), 0);
    assert_int_equal(free_count(state), free0);
    assert_int_equal(gather_mbuf(m, got), len + room);
    assert_memory_equal(got, want, len + room);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_segs, 1);
    assert_int_equal(st.tx_copied, 1);
    free(want);
    free(got);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, 2);
    evpl_iovec_release(evpl, &base);
}

/*
 * A piece on a pinned external buffer behind pieces the general build has
 * already made segments of (an own mbuf, an indirect mbuf attached to a
 * shared one) sends the packet copied whole, the build undone first: the
 * own mbuf is its only reference's again, so the packet is copied into it,
 * one segment, no mbuf taken; the indirect mbuf is back in the pool and
 * the shared mbuf's count as it was. Guards evpl_tx_build()'s undo before
 * it asks for the linearised packet (dpdk_glue/tx_chain.c).
 */
static void
pinned_piece_undoes_the_build_before_the_copy(void **state)
{
    enum { ELT = 4096, NB = 2 };
    struct evpl           *evpl = ctx_of(state);
    struct rte_mempool    *mp;
    struct rte_mbuf       *pm, *m;
    struct evpl_iovec      base, pinned, pkt[3], before[3];
    struct evpl_dpdk_stats st;
    unsigned char          want[2000], got[2000];
    unsigned int           free0;
    uint16_t               base_ref;
    void                  *mem;

    mp = pinned_pool("glue_pinned_undo", NB, ELT, &mem);
    assert_non_null(pm = rte_pktmbuf_alloc(mp));
    assert_non_null(rte_pktmbuf_append(pm, 400));
    evpl_test_fill(rte_pktmbuf_mtod(pm, void *), 400, 21);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, pm, &pinned, 1), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 1000, 22);
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &pkt[0]), 1);
    evpl_test_fill(pkt[0].data, 1000, 23);
    /* Both past tx_copy_max: attached, and pinned. */
    evpl_iovec_clone_segment(&pkt[1], &base, 0, EVPL_DPDK_TX_COPY_MAX + 1);
    evpl_iovec_clone_segment(&pkt[2], &pinned, 0, EVPL_DPDK_TX_COPY_MAX + 1);
    memcpy(before, pkt, sizeof(pkt));
    gather(pkt, 3, want);
    base_ref = rte_mbuf_refcnt_read(evpl_test_mbuf(&base));
    free0    = free_count(state);
    evpl_dpdk_stats_reset(evpl);

    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3, 0);
    assert_ptr_equal(m, evpl_test_mbuf(&pkt[0]));
    assert_int_equal(m->nb_segs, 1);
    assert_int_equal(m->pkt_len, 1000 + 2 * (EVPL_DPDK_TX_COPY_MAX + 1));
    assert_int_equal(gather_mbuf(m, got), m->pkt_len);
    assert_memory_equal(got, want, m->pkt_len);
    assert_int_equal(rte_mbuf_refcnt_read(m), 2);
    assert_int_equal(free_count(state), free0);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), base_ref);
    assert_int_equal(rte_mbuf_refcnt_read(pm), 2);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(st.tx_reused, 1);
    assert_int_equal(st.tx_indirect, 0);
    assert_memory_equal(pkt, before, sizeof(pkt));
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, 3);
    evpl_iovec_release(evpl, &base);
    evpl_iovec_release(evpl, &pinned);
    assert_int_equal(rte_mempool_avail_count(mp), NB);
    rte_mempool_free(mp);
    rte_free(mem);
}

/*
 * Each kind of segment the general build makes is counted as such: an own
 * mbuf reused, a small copy into its tailroom, a large shared range in an
 * indirect mbuf. Guards evpl_tx_build()'s count of indirect segments
 * (dpdk_glue/tx_chain.c).
 */
static void
general_build_counts_each_kind_of_segment(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[3];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 500, 0, 1, 0, &pkt[0]), 1);
    evpl_iovec_clone_segment(&pkt[1], &base, 0, 20);
    evpl_iovec_clone_segment(&pkt[2], &base, 100, 600);
    evpl_dpdk_stats_reset(evpl);

    assert_ptr_equal(m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3, 0),
                     evpl_test_mbuf(&pkt[0]));
    assert_int_equal(m->nb_segs, 2);
    assert_int_equal(m->data_len, 520);
    assert_true(RTE_MBUF_CLONED(m->next));
    assert_int_equal(m->next->data_len, 600);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_segs, 2);
    assert_int_equal(st.tx_reused, 1);
    assert_int_equal(st.tx_copied, 1);
    assert_int_equal(st.tx_indirect, 1);
    assert_int_equal(st.tx_linearized, 0);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, 3);
    evpl_iovec_release(evpl, &base);
}

/*
 * An own mbuf at the head of a packet the general build makes leaves with
 * the transmit fields of its last life cleared (offload flags, packet
 * type, VLAN tags, offload lengths). Guards evpl_tx_chain_any()'s reset
 * of the head (dpdk_glue/tx_chain.c).
 */
static void
general_build_clears_the_heads_transmit_fields(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  base, pkt[3];
    struct rte_mbuf   *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 500, 0, 1, 0, &pkt[0]), 1);
    evpl_iovec_clone_segment(&pkt[1], &base, 0, 20);
    evpl_iovec_clone_segment(&pkt[2], &base, 100, 600);
    m                 = evpl_test_mbuf(&pkt[0]);
    m->ol_flags      |= RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_VLAN;
    m->packet_type    = RTE_PTYPE_L3_IPV4;
    m->vlan_tci       = 7;
    m->vlan_tci_outer = 8;
    m->l2_len         = 14;

    assert_ptr_equal(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3, 0), m);
    assert_int_equal(m->nb_segs, 2);
    assert_int_equal(m->ol_flags, 0); /* direct: no flag to keep */
    assert_int_equal(m->packet_type, 0);
    assert_int_equal(m->vlan_tci, 0);
    assert_int_equal(m->vlan_tci_outer, 0);
    assert_int_equal(m->tx_offload, 0);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, 3);
    evpl_iovec_release(evpl, &base);
}

/* An own iovec of len bytes at data_off off of a fresh mbuf of mp. */
static void
own_at(struct evpl *e, struct rte_mempool *mp, uint16_t off,
       unsigned int len, struct evpl_iovec *v)
{
    struct rte_mbuf *m;

    assert_non_null(m = rte_pktmbuf_alloc(mp));
    m->data_off = off;
    assert_non_null(rte_pktmbuf_append(m, (uint16_t) len));
    evpl_test_fill(rte_pktmbuf_mtod(m, void *), len, off);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(e, m, v, 1), 1);
}

/*
 * Small copies waiting for a segment that need a fresh mbuf when the pool
 * has none fail the packet with ENOMEM, the iovecs as they came, even
 * where a later segment's headroom could take them: behind an own segment
 * with no headroom for them (placed after it, the bytes would be out of
 * order), and once they reach the most that may wait (more than that would
 * overrun a fresh mbuf where no headroom takes them). Guards the two
 * "goto nomem" of evpl_tx_build() after evpl_tx_flush_pending()
 * (dpdk_glue/tx_chain.c).
 */
static void
pending_copies_without_an_mbuf_fail_the_packet(void **state)
{
    enum { POOL_N = 8 };
    struct rte_mempool *mp;
    struct rte_mbuf    *held[64];
    struct evpl        *e;
    struct evpl_iovec   base, pkt[2][3], before[3];
    unsigned int        n;
    int                 s;

    (void) state;
    e = evpl_test_ctx_on_own_pool("tx_pend_nomem", POOL_N, NULL, &mp);
    assert_int_equal(evpl_iovec_alloc(e, 400, 0, 1, 0, &base), 1);
    /* A copy, an own segment with no headroom, one with plenty. */
    evpl_iovec_clone_segment(&pkt[0][0], &base, 0, 10);
    own_at(e, mp, 0, 100, &pkt[0][1]);
    own_at(e, mp, 128, 100, &pkt[0][2]);
    /* Two copies past the most that may wait, then an own segment whose
     * headroom would hold them both. */
    evpl_iovec_clone_segment(&pkt[1][0], &base, 0, 100);
    evpl_iovec_clone_segment(&pkt[1][1], &base, 200, 100);
    own_at(e, mp, 400, 100, &pkt[1][2]);
    n = evpl_test_pool_drain(mp, held, 64);

    for (s = 0; s < 2; s++) {
        memcpy(before, pkt[s], sizeof(before));
        errno = 0;
        assert_null(evpl_dpdk_iovecs_to_mbuf(e, pkt[s], 3, 0));
        assert_int_equal(errno, ENOMEM);
        assert_memory_equal(pkt[s], before, sizeof(before));
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&pkt[s][2])), 1);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 4);
        assert_int_equal(rte_mempool_avail_count(mp), 0);
    }
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&pkt[0][1])), 1);

    rte_mempool_put_bulk(mp, (void **) held, n);
    evpl_iovecs_release(e, pkt[0], 3);
    evpl_iovecs_release(e, pkt[1], 3);
    evpl_iovec_release(e, &base);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/*
 * A received chain's segments, each an iovec released in turn, go back to
 * their pool as DPDK keeps free mbufs: next NULL, nb_segs 1, count 1 (an
 * allocation that does not reset them, rte_mbuf_raw_alloc(), relies on
 * it). The middle segment is released first, still linked to the last.
 * Guards the shortcut of evpl_mbuf_free_last_()
 * (include/evpl/evpl_memory_pvt.h): only a segment whose next is NULL may
 * go straight back with rte_mbuf_raw_free(); a linked one goes through
 * rte_pktmbuf_free_seg(), which unlinks it.
 */
static void
released_segments_go_back_unlinked(void **state)
{
    enum { POOL_N = 16 };
    static const int order[3] = { 1, 0, 2 };
    struct rte_mempool  *mp;
    struct rte_mbuf     *m[POOL_N];
    struct evpl         *e;
    struct evpl_iovec    pkt[3], rx[3];
    struct evpl_dpdk_pkt p = { pkt, 3 };
    unsigned int         n, k, tries;
    int                  i;

    (void) state;
    e = evpl_test_ctx_on_own_pool("rx_unlinked", POOL_N, NULL, &mp);
    for (i = 0; i < 3; i++) {
        assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &pkt[i]), 1);
        evpl_test_fill(pkt[i].data, 1000, (unsigned int) i);
    }
    assert_int_equal(evpl_dpdk_tx_burst(e, ring_port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    for (tries = 0; evpl_dpdk_rx_burst(e, ring_port, 0, &p, 1, rx, 3) == 0;
         tries++)
        assert_true(tries < 1000000);
    assert_int_equal(p.niov, 3);
    assert_ptr_equal(evpl_test_mbuf(&rx[1])->next, evpl_test_mbuf(&rx[2]));
    assert_int_equal(evpl_test_mbuf(&rx[1])->nb_segs, 1);
    for (i = 0; i < 3; i++) {
        assert_true(evpl_test_check(rx[order[i]].data, 1000,
                                    (unsigned int) order[i]));
        evpl_iovec_release(e, &rx[order[i]]);
    }
    n = evpl_test_pool_drain(mp, m, POOL_N);
    assert_int_equal(n, POOL_N);
    for (k = 0; k < n; k++) {
        assert_null(m[k]->next);
        assert_int_equal(m[k]->nb_segs, 1);
        assert_int_equal(rte_mbuf_refcnt_read(m[k]), 1);
    }
    rte_mempool_put_bulk(mp, (void **) m, n);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* ---- linearisation (tx_linear.c) ------------------------------------ */

/* pkt[0..k): k ranges of len bytes of base, at offsets spread over it. */
static void
ranges_of(struct evpl_iovec *base, struct evpl_iovec *pkt, int k,
          unsigned int len)
{
    int i;

    for (i = 0; i < k; i++)
        evpl_iovec_clone_segment(&pkt[i], base, (unsigned int) i * 37 %
                                 (base->length - len + 1), len);
}

/*
 * A packet of more pieces than a chain is built from, none of them an own
 * mbuf to gather into, is copied into fresh mbufs of the context's pool:
 * the first behind its headroom, full, the others full from their first
 * byte, the last holding the rest; counted as one packet of those
 * segments, linearised. Guards dpdk_glue/tx_linear.c's layout (only the
 * head keeps its headroom) and its count of packets.
 */
static void
linearised_packet_fills_fresh_mbufs(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1, LEN = 300 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[N];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m, *seg;
    unsigned char          want[N * LEN], got[N * LEN];
    unsigned int           left = N * LEN, nseg = 0;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 1000, 31);
    ranges_of(&base, pkt, N, LEN);
    gather(pkt, N, want);
    evpl_dpdk_stats_reset(evpl);

    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, 0));
    for (seg = m; seg != NULL; seg = seg->next, nseg++) {
        uint16_t off = seg == m ? RTE_PKTMBUF_HEADROOM : 0;

        assert_ptr_equal(seg->pool, evpl_mempool(evpl));
        assert_true(RTE_MBUF_DIRECT(seg));
        assert_int_equal(rte_mbuf_refcnt_read(seg), 1);
        assert_int_equal(seg->data_off, off);
        assert_int_equal(seg->data_len, RTE_MIN(left,
                                                (unsigned int) seg->buf_len -
                                                off));
        left -= seg->data_len;
    }
    assert_int_equal(left, 0);
    assert_true(nseg > 1);
    assert_int_equal(m->nb_segs, nseg);
    assert_int_equal(m->pkt_len, N * LEN);
    assert_int_equal(gather_mbuf(m, got), N * LEN);
    assert_memory_equal(got, want, N * LEN);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_segs, nseg);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(st.tx_reused, 0);
    assert_int_equal(st.tx_copied, N);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, N);
    evpl_iovec_release(evpl, &base);
}

/*
 * A linearisation that runs out of mbufs half way fails with ENOMEM and
 * gives back the mbufs it had filled. Guards dpdk_glue/tx_linear.c's free
 * of the partial copy.
 */
static void
linearising_out_of_mbufs_gives_back_what_it_took(void **state)
{
    enum { POOL_N = 8, HOLD = 5, N = EVPL_DPDK_MAX_SEGS + 1, LEN = 100 };
    struct rte_mempool *mp;
    struct rte_mbuf    *hold[HOLD];
    struct evpl        *e;
    struct evpl_iovec   base, pkt[N], before[N];
    unsigned int        k;

    (void) state;
    e = evpl_test_ctx_on_own_pool("tx_lin_nomem", POOL_N, NULL, &mp);
    assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &base), 1);
    ranges_of(&base, pkt, N, LEN);
    memcpy(before, pkt, sizeof(pkt));
    /* Two mbufs left: the copy needs four. */
    for (k = 0; k < HOLD; k++)
        assert_non_null(hold[k] = rte_pktmbuf_alloc(mp));
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(e, pkt, N, 0));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    assert_memory_equal(pkt, before, sizeof(pkt));
    for (k = 0; k < HOLD; k++)
        rte_pktmbuf_free(hold[k]);
    evpl_iovecs_release(e, pkt, N);
    evpl_iovec_release(e, &base);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/*
 * Linearised into the first non-empty piece's own mbuf, skipping the empty
 * pieces in front of it: one segment, that mbuf, at its range, the other
 * pieces copied behind it. Guards dpdk_glue/tx_linear.c's skip of empty
 * iovecs in evpl_tx_gather_first().
 */
static void
linearised_into_the_first_own_piece_behind_an_empty_one(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 2, LEN = 10 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[N];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;
    unsigned char          want[100 + N * LEN], got[100 + N * LEN];

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 1000, 32);
    assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[0]), 1);
    evpl_iovec_set_length(&pkt[0], 0);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &pkt[1]), 1);
    evpl_test_fill(pkt[1].data, 100, 33);
    ranges_of(&base, pkt + 2, N - 2, LEN);
    gather(pkt, N, want);
    evpl_dpdk_stats_reset(evpl);

    assert_ptr_equal(m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, 0),
                     evpl_test_mbuf(&pkt[1]));
    assert_int_equal(m->nb_segs, 1);
    assert_ptr_equal(rte_pktmbuf_mtod(m, void *), pkt[1].data);
    assert_int_equal(m->data_len, 100 + (N - 2) * LEN);
    assert_int_equal(gather_mbuf(m, got), 100 + (N - 2) * LEN);
    assert_memory_equal(got, want, 100 + (N - 2) * LEN);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(st.tx_reused, 1);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, N);
    evpl_iovec_release(evpl, &base);
}

/*
 * Linearised into the first piece's own mbuf when the packet ends exactly
 * at that buffer's last byte. Guards dpdk_glue/tx_linear.c's bound on the
 * buffer's end in evpl_tx_gather_first().
 */
static void
linearised_into_the_first_piece_up_to_its_last_byte(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1, LEN = 10 };
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  base, pkt[N];
    struct rte_mbuf   *m;
    unsigned int       len;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    /* A first piece that leaves room for the others exactly. */
    assert_int_equal(evpl_iovec_alloc(evpl, 1, 0, 1, 0, &pkt[0]), 1);
    m   = evpl_test_mbuf(&pkt[0]);
    len = (unsigned int) ((char *) m->buf_addr + m->buf_len -
                          (char *) pkt[0].data) - (N - 1) * LEN;
    evpl_iovec_release(evpl, &pkt[0]);
    assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &pkt[0]), 1);
    m = evpl_test_mbuf(&pkt[0]);
    ranges_of(&base, pkt + 1, N - 1, LEN);

    assert_ptr_equal(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, 0), m);
    assert_int_equal(m->nb_segs, 1);
    assert_int_equal(m->data_len, len + (N - 1) * LEN);
    assert_int_equal(rte_pktmbuf_tailroom(m), 0);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, pkt, N);
    evpl_iovec_release(evpl, &base);
}

/*
 * Linearised into the head of a received chain (refcnt 1, so its own):
 * the packet is that mbuf alone, unlinked from the segments it was
 * received with, nb_segs 1. Guards dpdk_glue/tx_linear.c's nb_segs and
 * next in evpl_tx_gather_first().
 */
static void
linearised_into_a_received_head_unlinks_it(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1, LEN = 10 };
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  base, rx[3], pkt[N];
    struct rte_mbuf   *seg[3], *m;
    unsigned int       k;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    for (k = 0; k < 3; k++) {
        assert_non_null(seg[k] = rte_pktmbuf_alloc(evpl_mempool(evpl)));
        assert_non_null(rte_pktmbuf_append(seg[k], 300));
        if (k > 0)
            assert_int_equal(rte_pktmbuf_chain(seg[0], seg[k]), 0);
    }
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, seg[0], rx, 3), 3);
    pkt[0] = rx[0];
    ranges_of(&base, pkt + 1, N - 1, LEN);

    assert_ptr_equal(m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, N, 0), seg[0]);
    assert_int_equal(m->nb_segs, 1);
    assert_null(m->next);
    assert_int_equal(m->data_len, 300 + (N - 1) * LEN);
    assert_int_equal(m->pkt_len, 300 + (N - 1) * LEN);
    assert_int_equal(rte_mbuf_refcnt_read(m), 2);
    assert_int_equal(rte_mbuf_refcnt_read(seg[1]), 1);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(evpl, rx, 3);
    evpl_iovecs_release(evpl, pkt + 1, N - 1);
    evpl_iovec_release(evpl, &base);
}

/*
 * A packet of 65535 bytes, the most one mbuf holds, is gathered into its
 * first piece's own mbuf where that buffer holds it all: one segment.
 * Guards dpdk_glue/tx_linear.c's length bound in evpl_tx_gather_first().
 */
static void
linearised_into_the_first_piece_at_65535_bytes(void **state)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1, LEN = 10 };
    struct rte_mempool *mp;
    struct evpl        *e;
    struct evpl_iovec   base, pkt[N];
    struct rte_mbuf    *m;

    (void) state;
    assert_non_null(mp = rte_pktmbuf_pool_create("glue_64k", 4, 0, 0,
                                                 UINT16_MAX, SOCKET_ID_ANY));
    assert_non_null(e = evpl_create(&(struct evpl_config) { .pool = mp }));
    assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &base), 1);
    /* The first piece from its buffer's first byte, the others' bytes
     * left behind it. */
    assert_non_null(m = rte_pktmbuf_alloc(mp));
    assert_int_equal(m->buf_len, UINT16_MAX);
    m->data_off = 0;
    assert_non_null(rte_pktmbuf_append(m, UINT16_MAX - (N - 1) * LEN));
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(e, m, pkt, 1), 1);
    ranges_of(&base, pkt + 1, N - 1, LEN);

    assert_ptr_equal(evpl_dpdk_iovecs_to_mbuf(e, pkt, N, 0), m);
    assert_int_equal(m->nb_segs, 1);
    assert_int_equal(m->data_len, UINT16_MAX);
    assert_int_equal(m->pkt_len, UINT16_MAX);
    rte_pktmbuf_free(m);
    evpl_iovecs_release(e, pkt, N);
    evpl_iovec_release(e, &base);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

static void
conversion_bad_arguments(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &v), 1);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(NULL, &v, 1, 0));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, NULL, 1, 0));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, &v, 0, 0));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0x10));
    assert_int_equal(errno, EINVAL);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 1);
    evpl_iovec_release(evpl, &v);

    errno = 0;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, RTE_MAX_ETHPORTS, 0, NULL, 0, 0),
                     -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, NULL, 1, &v, 1),
                     -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(evpl_dpdk_stats_get(evpl, NULL), -1);
    assert_int_equal(errno, EINVAL);
}

/* ---- packets through net_ring --------------------------------------- */

#define MAX_PIECES 12
#define MAX_PKT    9000

struct test_pkt {
    struct evpl_iovec iov[MAX_PIECES];
    int               niov;
    unsigned char     bytes[MAX_PKT];
    size_t            len;
};

/*
 * Compose a packet of up to MAX_PKT bytes from pieces of several kinds:
 * fresh allocations (LOCAL or SHARED), clone_segment ranges of a shared
 * base buffer, small cloned headers, and empty iovecs.
 */
static void
compose(struct evpl *evpl, struct evpl_iovec *base, unsigned int *rng,
        struct test_pkt *p)
{
    size_t target = 1 + rand_r(rng) % MAX_PKT;
    int    pieces = 1 + rand_r(rng) % (MAX_PIECES - 1);

    p->niov = 0;
    p->len  = 0;
    while (p->niov < pieces && p->len < target) {
        struct evpl_iovec *v    = &p->iov[p->niov];
        unsigned int       kind = (unsigned int) rand_r(rng) % 6;
        size_t             left = MAX_PKT - p->len;
        unsigned int       len;

        if (p->niov == pieces - 1)
            len = (unsigned int) RTE_MIN(target - p->len, (size_t) 8000);
        else
            len = 1 + (unsigned int) rand_r(rng) % 3000;
        len = (unsigned int) RTE_MIN((size_t) len, left);
        if (kind == 5 && p->niov > 0) {
            /* an empty piece */
            evpl_iovec_clone_segment(v, base, 0, 0);
            p->niov++;
            continue;
        }
        if (kind >= 3) {
            unsigned int off;

            len = RTE_MIN(len, base->length);
            if (kind == 4)
                len = RTE_MIN(len, 1 + (unsigned int) rand_r(rng) % 100);
            off = (unsigned int) rand_r(rng) % (base->length - len + 1);
            evpl_iovec_clone_segment(v, base, off, len);
        } else {
            assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1,
                                              kind == 1 ?
                                              EVPL_IOVEC_FLAG_SHARED : 0, v),
                             1);
            evpl_test_fill(v->data, len, (unsigned int) rand_r(rng));
        }
        memcpy(p->bytes + p->len, v->data, len);
        p->len += len;
        p->niov++;
    }
}

/* Receive n packets from the loopback and compare with what was sent. */
static void
receive_and_check(struct evpl *evpl, struct test_pkt *sent, int n)
{
    static struct evpl_iovec rxiov[32 * EVPL_DPDK_MAX_SEGS];
    static unsigned char     got[MAX_PKT];
    struct evpl_dpdk_pkt     rx[32];
    int                      have = 0, r, i, spins = 0;

    while (have < n) {
        r = evpl_dpdk_rx_burst(evpl, ring_port, 0, rx,
                               (uint16_t) RTE_MIN(n - have, 32), rxiov,
                               RTE_DIM(rxiov));
        assert_true(r >= 0);
        if (r == 0) {
            assert_true(++spins < 1000000);
            continue;
        }
        for (i = 0; i < r; i++) {
            size_t len = gather(rx[i].iov, rx[i].niov, got);

            assert_int_equal(len, sent[have + i].len);
            assert_memory_equal(got, sent[have + i].bytes, len);
            evpl_iovecs_release(evpl, rx[i].iov, rx[i].niov);
        }
        have += r;
    }
}

static void
loopback_round_trips(void **state, int take, int rounds, int burst,
                     unsigned int seed)
{
    static struct test_pkt pkts[32];
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_pkt   tx[32];
    struct evpl_iovec      base;
    struct evpl_dpdk_stats st;
    unsigned int           rng = seed;
    int                    r, i, sent;

    assert_int_equal(evpl_iovec_alloc(evpl, 8000, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &base), 1);
    evpl_test_fill(base.data, 8000, 9);
    evpl_dpdk_stats_reset(evpl);

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < burst; i++) {
            compose(evpl, &base, &rng, &pkts[i]);
            tx[i].iov  = pkts[i].iov;
            tx[i].niov = pkts[i].niov;
        }
        sent = evpl_dpdk_tx_burst(evpl, ring_port, 0, tx, (uint16_t) burst,
                                  take ? EVPL_DPDK_TAKE_REF : 0);
        assert_int_equal(sent, burst);
        if (!take) {
            /* The caller's iovecs still hold the packet's bytes. */
            for (i = 0; i < burst; i++) {
                static unsigned char again[MAX_PKT];

                assert_int_equal(gather(pkts[i].iov, pkts[i].niov, again),
                                 pkts[i].len);
                assert_memory_equal(again, pkts[i].bytes, pkts[i].len);
            }
        }
        receive_and_check(evpl, pkts, burst);
        if (!take)
            for (i = 0; i < burst; i++)
                evpl_iovecs_release(evpl, pkts[i].iov, pkts[i].niov);
    }
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_pkts, (uint64_t) rounds * burst);
    assert_int_equal(st.rx_pkts, (uint64_t) rounds * burst);
    assert_true(st.tx_reused > 0);
    assert_true(st.tx_indirect > 0);
    assert_true(st.tx_copied > 0);
    assert_int_equal(st.tx_linearized, 0);
    assert_int_equal(st.tx_dropped, 0);
    evpl_iovec_release(evpl, &base);
}

static void
loopback_single_packets_take_ref(void **state)
{
    loopback_round_trips(state, 1, 500, 1, 11);
}

static void
loopback_single_packets_keep_ref(void **state)
{
    loopback_round_trips(state, 0, 500, 1, 12);
}

static void
loopback_bursts_take_ref(void **state)
{
    loopback_round_trips(state, 1, 2000, 32, 13);
}

static void
loopback_bursts_keep_ref(void **state)
{
    loopback_round_trips(state, 0, 1000, 32, 14);
}

static void
rx_keeps_what_does_not_fit(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    a[3], rxiov[8];
    struct evpl_dpdk_pkt tx[1], rx[4];
    int                  i, r;

    /* Three 3-segment packets (indirect segments keep them chained). */
    for (i = 0; i < 3; i++) {
        struct evpl_iovec base, pkt[3];

        assert_int_equal(evpl_iovec_alloc(evpl, 3000, 0, 1, 0, &base), 1);
        memset(base.data, 'a' + i, 3000);
        evpl_iovec_clone_segment(&pkt[0], &base, 0, 1000);
        evpl_iovec_clone_segment(&pkt[1], &base, 1000, 1000);
        evpl_iovec_clone_segment(&pkt[2], &base, 2000, 1000);
        evpl_iovec_release(evpl, &base);
        tx[0].iov  = pkt;
        tx[0].niov = 3;
        assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, tx, 1,
                                            EVPL_DPDK_TAKE_REF), 1);
    }
    (void) a;

    /* Room for two iovecs: the first packet does not fit; it is kept. */
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 2),
                     -1);
    assert_int_equal(errno, ENOSPC);
    /* Room for two packets: they come in order, the third stays kept. */
    r = evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 8);
    assert_int_equal(r, 2);
    for (i = 0; i < r; i++) {
        assert_int_equal(rx[i].niov, 3);
        assert_int_equal(*(char *) rx[i].iov[0].data, 'a' + i);
        evpl_iovecs_release(evpl, rx[i].iov, rx[i].niov);
    }
    r = evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 8);
    assert_int_equal(r, 1);
    assert_int_equal(*(char *) rx[0].iov[2].data, 'c');
    evpl_iovecs_release(evpl, rx[0].iov, rx[0].niov);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 8),
                     0);
}

/*
 * Packets the receive keeps for a later call (chains that did not fit)
 * are the context's, not the application's: evpl_dpdk_outstanding() does
 * not count them, every segment of every kept packet. Guards the walk of
 * dpdk_glue/rx.c's evpl_rx_store_foreach() (each kept packet, each of its
 * segments), through which the context counts what it holds itself.
 */
static void
kept_packets_are_not_outstanding(void **state)
{
    struct evpl                 *evpl = ctx_of(state);
    struct evpl_dpdk_outstanding o0, o;
    struct evpl_iovec            pkt[3], rxiov[8];
    struct evpl_dpdk_pkt         tx = { pkt, 3 }, rx[2];
    int                          i, k;

    assert_true(evpl_dpdk_outstanding(evpl, &o0) >= 0);
    /* Two packets of three own mbufs: chains of those mbufs. */
    for (i = 0; i < 2; i++) {
        for (k = 0; k < 3; k++)
            assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &pkt[k]),
                             1);
        assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &tx, 1,
                                            EVPL_DPDK_TAKE_REF), 1);
    }
    /* Room for one iovec: neither fits; both are kept. */
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 2, rxiov, 1),
                     -1);
    assert_int_equal(errno, ENOSPC);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.mbufs, o0.mbufs);
    assert_int_equal(o.refs, o0.refs);

    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 2, rxiov, 8),
                     2);
    assert_int_equal(rx[0].niov + rx[1].niov, 6);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.mbufs, o0.mbufs + 6);
    evpl_iovecs_release(evpl, rxiov, 6);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.mbufs, o0.mbufs);
}

/* ---- the order and bounds of a receive that delivers kept packets ---- */

/* One packet of nseg own segments of 100 bytes through the ring, and n
 * packets of one own segment each after it. */
static void
ring_send(struct evpl *evpl, int nseg, int n)
{
    struct evpl_iovec    v[8];
    struct evpl_dpdk_pkt p = { v, nseg };
    int                  i, k;

    for (k = 0; k < nseg; k++)
        assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v[k]), 1);
    if (nseg > 0)
        assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &p, 1,
                                            EVPL_DPDK_TAKE_REF), 1);
    for (i = 0; i < n; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 50 + i, 0, 1, 0, &v[0]), 1);
        p.niov = 1;
        assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &p, 1,
                                            EVPL_DPDK_TAKE_REF), 1);
    }
}

/* Receive and release the n packets left in the ring, and no more. */
static void
receive_rest(struct evpl *evpl, int n)
{
    struct evpl_iovec    rxiov[8];
    struct evpl_dpdk_pkt rx[8];
    int                  got = 0, r, i, spins = 0;

    while (got < n) {
        r = evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 8, rxiov, 8);
        assert_true(r >= 0);
        assert_true(++spins < 1000000);
        for (i = 0; i < r; i++)
            evpl_iovecs_release(evpl, rx[i].iov, rx[i].niov);
        got += r;
    }
    assert_int_equal(got, n);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 8, rxiov, 8),
                     0);
}

/*
 * A kept chain that does not fit the iovecs holds back the packets kept
 * behind it for its queue, and the driver's: nothing is delivered ahead of
 * it (ENOSPC), and with room it comes first. Guards dpdk_glue/rx.c's
 * evpl_dpdk_rx_burst_flags(): the waiting (and blocked) a kept packet that
 * does not fit sets, and the driver asked only when nothing is waiting.
 */
static void
kept_chain_that_does_not_fit_holds_back_its_queue(void **state)
{
    struct evpl          *evpl = ctx_of(state);
    struct evpl_iovec     rxiov[8];
    struct evpl_dpdk_pkt  rx[4];

    ring_send(evpl, 3, 1);
    /* No iovec: both kept. */
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 0),
                     -1);
    assert_int_equal(errno, ENOSPC);
    /* One more behind them in the ring, which would fit as well. */
    ring_send(evpl, 0, 1);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 2),
                     -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, rxiov, 8),
                     3);
    assert_int_equal(rx[0].niov, 3);
    assert_int_equal(rx[1].niov, 1);
    assert_int_equal(rx[1].iov[0].length, 50);
    assert_int_equal(rx[2].iov[0].length, 50);
    evpl_iovecs_release(evpl, rxiov, 5);
}

/*
 * A receive that delivers a kept packet asks the driver only for what pkts
 * can still hold, and not at all once the kept packets filled it (a
 * driver's burst of 0 would still run the port's callbacks): nb_pkts
 * packets at most. Guards evpl_dpdk_rx_burst_flags()'s request to the
 * driver (nb_pkts - n, and only when more than 0) (dpdk_glue/rx.c).
 */
static void
receive_after_kept_asks_only_for_what_pkts_holds(void **state)
{
    struct evpl                        *evpl = ctx_of(state);
    struct evpl_iovec                   rxiov[16];
    struct {
        struct evpl_dpdk_pkt p[2];
        struct evpl_dpdk_pkt after[4];
    }                                   rx;
    const struct rte_eth_rxtx_callback *cb;
    unsigned int                        rx_calls = 0;

    memset(&rx, 0, sizeof(rx));
    assert_non_null(cb = rte_eth_add_rx_callback(ring_port, 0,
                                                 evpl_test_count_rx,
                                                 &rx_calls));
    /* A chain, kept. */
    ring_send(evpl, 3, 0);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx.p, 1, rxiov,
                                        0), -1);
    /* It fills pkts: the driver is not called. */
    rx_calls = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx.p, 1, rxiov,
                                        16), 1);
    assert_int_equal(rx.p[0].niov, 3);
    assert_int_equal(rx_calls, 0);
    evpl_iovecs_release(evpl, rxiov, 3);
    assert_int_equal(rte_eth_remove_rx_callback(ring_port, 0, cb), 0);
    rte_free((void *) cb);

    /* A chain, kept, three more behind it; room for two packets: the
     * kept one and the first behind it. */
    ring_send(evpl, 3, 3);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx.p, 1, rxiov,
                                        0), -1);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx.p, 2, rxiov,
                                        16), 2);
    assert_int_equal(rx.p[0].niov, 3);
    assert_int_equal(rx.p[1].iov[0].length, 50);
    assert_null(rx.after[0].iov);
    evpl_iovecs_release(evpl, rxiov, 4);
    receive_rest(evpl, 2);
}

/*
 * A receive that delivers a kept packet fills no iovec past max_iov with
 * the driver's packets: those that no longer fit are kept. Guards the room
 * evpl_dpdk_rx_burst_flags() gives evpl_rx_singles() (max_iov - used)
 * (dpdk_glue/rx.c).
 */
static void
receive_after_kept_fills_no_iovec_past_max_iov(void **state)
{
    struct evpl          *evpl = ctx_of(state);
    struct evpl_dpdk_pkt  rx[4];
    struct {
        struct evpl_iovec iov[4];
        struct evpl_iovec after[4];
    }                     a;

    memset(&a, 0, sizeof(a));
    ring_send(evpl, 3, 0);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 1, a.iov, 0),
                     -1);
    ring_send(evpl, 0, 2);
    /* The kept chain's 3 iovecs and one single fill the 4. */
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 4, a.iov, 4),
                     2);
    assert_int_equal(rx[0].niov, 3);
    assert_ptr_equal(rx[1].iov, &a.iov[3]);
    assert_null(a.after[0].data);
    evpl_iovecs_release(evpl, a.iov, 4);
    receive_rest(evpl, 1);
}

static void
destroy_frees_kept_packets(void **state)
{
    struct evpl_test_ctx *t = *state;
    struct evpl          *e = evpl_create(NULL);
    struct evpl_iovec     base, pkt[2], rxiov[1];
    struct evpl_dpdk_pkt  tx, rx;

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 3000, 0, 1, 0, &base), 1);
    evpl_iovec_clone_segment(&pkt[0], &base, 0, 1000);
    evpl_iovec_clone_segment(&pkt[1], &base, 1000, 1000);
    evpl_iovec_release(e, &base);
    tx.iov  = pkt;
    tx.niov = 2;
    assert_int_equal(evpl_dpdk_tx_burst(e, ring_port, 0, &tx, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(evpl_dpdk_rx_burst(e, ring_port, 0, &rx, 1, rxiov, 1),
                     -1);
    evpl_destroy(e);
    (void) t;
}

/* ---- net_null: no chains, packets freed on send ---------------------- */

static void
null_port_linearizes_chains(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, pkt[3], before[3];
    struct evpl_dpdk_pkt   tx;
    struct evpl_dpdk_stats st;
    int                    take;

    assert_int_equal(evpl_iovec_alloc(evpl, 4000, 0, 1, 0, &base), 1);
    for (take = 0; take < 2; take++) {
        evpl_dpdk_stats_reset(evpl);
        assert_int_equal(evpl_iovec_alloc(evpl, 500, 0, 1, 0, &pkt[0]), 1);
        evpl_iovec_clone_segment(&pkt[1], &base, 0, 1000);
        evpl_iovec_clone_segment(&pkt[2], &base, 2000, 1000);
        memcpy(before, pkt, sizeof(pkt));
        tx.iov  = pkt;
        tx.niov = 3;
        assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1,
                                            take ? EVPL_DPDK_TAKE_REF : 0), 1);
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(st.tx_linearized, 1);
        assert_int_equal(st.tx_segs, 1);
        if (!take) {
            assert_memory_equal(pkt, before, sizeof(pkt));
            evpl_iovecs_release(evpl, pkt, 3);
        }
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), 1);
    }

    /* Single exclusive buffers need no linearisation. */
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &pkt[0]), 1);
    tx.iov  = pkt;
    tx.niov = 1;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 0);
    assert_int_equal(st.tx_reused, 1);
    evpl_iovec_release(evpl, &base);
}

/*
 * On a port that takes no chains (one segment), a packet of one non-empty
 * iovec behind an empty one, which goes to the general build, is sent as
 * that iovec's own mbuf: a chain of exactly the port's one segment, not
 * linearised. Guards evpl_tx_chain_any()'s count of the segments slab
 * ranges add, which starts from 0 (dpdk_glue/tx_chain.c).
 */
static void
null_port_takes_one_piece_behind_an_empty_one_as_is(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      pkt[2];
    struct evpl_dpdk_pkt   tx = { pkt, 2 };
    struct evpl_dpdk_stats st;
    unsigned int           free0;

    assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0, &pkt[0]), 1);
    evpl_iovec_set_length(&pkt[0], 0);
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &pkt[1]), 1);
    free0 = free_count(state);
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_segs, 1);
    assert_int_equal(st.tx_reused, 1);
    assert_int_equal(st.tx_linearized, 0);
    /* Both mbufs back: the sent one, and the empty iovec's given up. */
    assert_int_equal(free_count(state), free0 + 2);
}

static void
null_port_too_large_for_one_mbuf(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      pkt[2], before[2];
    struct evpl_dpdk_pkt   tx;
    struct evpl_dpdk_stats st;
    int                    n;

    /* 8000 + 8000 bytes cannot be one mbuf of the default pool. */
    n = evpl_iovec_alloc(evpl, 8000, 0, 1, 0, &pkt[0]);
    assert_int_equal(n, 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 8000, 0, 1, 0, &pkt[1]), 1);
    memcpy(before, pkt, sizeof(pkt));
    tx.iov  = pkt;
    tx.niov = 2;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1, 0), 0);
    assert_memory_equal(pkt, before, sizeof(pkt));
    /* With TAKE_REF the packet the driver did not take is released. */
    assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1,
                                        EVPL_DPDK_TAKE_REF), 0);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_dropped, 1);
}

/*
 * On a port that takes one segment, a packet to be copied whole is sent
 * when it fills one fresh mbuf behind its headroom exactly, and refused,
 * nothing copied, at one byte more. Guards dpdk_glue/tx_linear.c's bound
 * on what the port's fresh mbufs hold (evpl_tx_linear_room()).
 */
static void
null_port_linearises_up_to_one_full_mbuf(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    uint32_t               room = rte_pktmbuf_data_room_size(
                                      evpl_mempool(evpl)) -
                                  RTE_PKTMBUF_HEADROOM;
    struct evpl_iovec      base, pkt[2];
    struct evpl_dpdk_pkt   tx = { pkt, 2 };
    struct evpl_dpdk_stats st;
    unsigned int           more, free0;

    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    for (more = 0; more < 2; more++) {
        /* A shared first piece: nothing to gather into. */
        evpl_iovec_clone_segment(&pkt[0], &base, 0, 300);
        assert_int_equal(evpl_iovec_alloc(evpl, room - 300 + more, 0, 1, 0,
                                          &pkt[1]), 1);
        free0 = rte_mempool_avail_count(evpl_mempool(evpl));
        evpl_dpdk_stats_reset(evpl);
        assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &tx, 1, 0),
                         more ? 0 : 1);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
        assert_int_equal(st.tx_linearized, more ? 0 : 1);
        assert_int_equal(st.tx_segs, more ? 0 : 1);
        assert_int_equal(rte_mempool_avail_count(evpl_mempool(evpl)), free0);
        evpl_iovecs_release(evpl, pkt, 2);
    }
    evpl_iovec_release(evpl, &base);
}

static void
unsent_packets_follow_flags(void **state)
{
    enum { N = 2048 };
    struct evpl          *evpl = ctx_of(state);
    struct evpl_iovec    *v    = calloc(N, sizeof(*v));
    struct evpl_dpdk_pkt *tx   = calloc(N, sizeof(*tx));
    struct evpl_iovec     rxiov[32];
    struct evpl_dpdk_pkt  rx[32];
    struct evpl_dpdk_stats st;
    int                   i, sent, got = 0, r, take;

    assert_non_null(v);
    assert_non_null(tx);
    for (take = 0; take < 2; take++) {
        evpl_dpdk_stats_reset(evpl);
        for (i = 0; i < N; i++) {
            assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[i]), 1);
            tx[i].iov  = &v[i];
            tx[i].niov = 1;
        }
        /* Nobody drains the loopback ring: it fills, and the rest of the
         * burst is not taken. */
        sent = evpl_dpdk_tx_burst(evpl, ring_port, 0, tx, N,
                                  take ? EVPL_DPDK_TAKE_REF : 0);
        assert_true(sent > 0 && sent < N);
        evpl_dpdk_stats_get(evpl, &st);
        if (take) {
            assert_int_equal(st.tx_dropped, (uint64_t) (N - sent));
        } else {
            /* Every iovec is still the caller's, sent or not. */
            for (i = 0; i < N; i++)
                assert_int_equal(evpl_iovec_length(&v[i]), 64);
            evpl_iovecs_release(evpl, v, N);
        }
        for (got = 0; got < sent; got += r) {
            r = evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, 32, rxiov, 32);
            assert_true(r > 0);
            for (i = 0; i < r; i++)
                evpl_iovecs_release(evpl, rx[i].iov, rx[i].niov);
        }
    }
    free(v);
    free(tx);
}

/* Stop port, give it nb_rx and nb_tx queues (plain ethdev), start it. */
static void
reconfigure_queues(
    uint16_t            port,
    struct rte_mempool *pool,
    uint16_t            nb_rx,
    uint16_t            nb_tx)
{
    struct rte_eth_conf conf;
    uint16_t            q;

    assert_int_equal(rte_eth_dev_stop(port), 0);
    memset(&conf, 0, sizeof(conf));
    assert_int_equal(rte_eth_dev_configure(port, nb_rx, nb_tx, &conf), 0);
    for (q = 0; q < nb_rx; q++)
        assert_int_equal(rte_eth_rx_queue_setup(port, q, 128, SOCKET_ID_ANY,
                                                NULL, pool), 0);
    for (q = 0; q < nb_tx; q++)
        assert_int_equal(rte_eth_tx_queue_setup(port, q, 128, SOCKET_ID_ANY,
                                                NULL), 0);
    assert_int_equal(rte_eth_dev_start(port), 0);
}

/* An application that reconfigures a port itself, with more queues, after
 * evpl has learnt it: the new queues are accepted, unconfigured ones not. */
static void
port_reconfigured_by_the_application(void **state)
{
    struct evpl          *evpl = ctx_of(state);
    struct evpl_dpdk_pkt  p;
    struct evpl_iovec     v;
    struct rte_mempool   *pool = evpl_mempool(evpl);
    uint16_t              port;

    assert_int_equal(rte_eth_dev_get_port_by_name("net_null1", &port), 0);
    assert_int_equal(evpl_dpdk_port_setup(port, NULL), 0);

    p.iov  = &v;
    p.niov = 1;
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v), 1);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    errno = 0;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 1, &p, 1, 0), -1);
    assert_int_equal(errno, EINVAL);

    /* Plain ethdev: two queues each way. */
    reconfigure_queues(port, pool, 2, 2);

    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v), 1);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 1, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    errno = 0;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 2, &p, 1, 0), -1);
    assert_int_equal(errno, EINVAL);

    /* Unequal counts: each burst checks its own way's (a transmit queue
     * judged by the receive count, or the reverse, passes here). */
    reconfigure_queues(port, pool, 3, 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v), 1);
    errno = 0;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 1, &p, 1, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, port, 2, &v, 1, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, port, 2, &p, 1, &v, 1), 1);
    evpl_iovecs_release(evpl, p.iov, p.niov);
    reconfigure_queues(port, pool, 1, 3);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, port, 1, &p, 1, &v, 1), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, port, 2, &v, 1, 0), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v), 1);
    p.iov  = &v;
    p.niov = 1;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 2, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(rte_eth_dev_stop(port), 0);
}

/*
 * Each transmit call, converting a one-iovec packet whose mbuf has 65535
 * references already (sent by reference: an indirect mbuf takes one
 * more), aborts naming itself: the burst, the flat burst, the conversion.
 * Guards the shape's name of the transmit loop (dpdk_glue/tx_loop.h,
 * evpl_tx_call()), which the one-iovec step's aborts carry: a name
 * picked for the wrong shape sends a reader to the wrong call.
 */
struct overflow_call {
    struct evpl       *evpl;
    struct evpl_iovec *v;
    int                shape; /* 0 burst, 1 flat, 2 conversion */
};

static void
overflow_call_run(void *arg)
{
    struct overflow_call *o = arg;
    struct evpl_dpdk_pkt  p = { o->v, 1 };

    if (o->shape == 0)
        (void) evpl_dpdk_tx_burst(o->evpl, null_port, 0, &p, 1, 0);
    else if (o->shape == 1)
        (void) evpl_dpdk_tx_burst_flat(o->evpl, null_port, 0, o->v, 1, 0);
    else
        (void) evpl_dpdk_iovecs_to_mbuf(o->evpl, o->v, 1, 0);
}

static void
attach_overflow_names_each_call(void **state)
{
    static const char *const calls[] = {
        "evpl_dpdk_tx_burst", "evpl_dpdk_tx_burst_flat",
        "evpl_dpdk_iovecs_to_mbuf",
    };
    struct evpl_iovec    *v = calloc(UINT16_MAX, sizeof(*v));
    struct overflow_call  o = { NULL, NULL, 0 };
    struct rte_mempool   *mp;
    struct evpl          *evpl;
    char                  expect[128];
    int                   i;

    (void) state;
    assert_non_null(v);
    /* A pool of its own: the dying children share the pool's memory, and
     * the mbufs a burst takes before it aborts stay taken there. */
    evpl   = evpl_test_ctx_on_own_pool("ovf_call", 256, NULL, &mp);
    o.evpl = evpl;
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &v[0]), 1);
    for (i = 1; i < UINT16_MAX; i++)
        evpl_iovec_clone(&v[i], &v[0]);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[0])), UINT16_MAX);
    o.v = &v[0];
    for (o.shape = 0; o.shape < 3; o.shape++) {
        snprintf(expect, sizeof(expect), "evpl: %s: mbuf reference count "
                 "would pass 65535", calls[o.shape]);
        assert_true(evpl_test_dies(overflow_call_run, &o, expect));
    }
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[0])), UINT16_MAX);
    evpl_iovecs_release(evpl, v, UINT16_MAX);
    free(v);
    evpl_destroy(evpl);
    rte_mempool_free(mp);
}

/*
 * A shared one-iovec packet of exactly tx_copy_max bytes is copied into a
 * fresh mbuf, one byte more goes by reference (an indirect mbuf): the
 * bound is inclusive. Guards evpl_tx_fate()'s "v->length <= copy_max"
 * (dpdk_glue/tx.h): "<" sends the packet of exactly tx_copy_max bytes by
 * reference.
 */
static void
one_iovec_copy_bound_is_inclusive(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats st;
    struct evpl_iovec      v, keep;
    struct rte_mbuf       *m;
    unsigned int           len;

    for (len = EVPL_DPDK_TX_COPY_MAX; len <= EVPL_DPDK_TX_COPY_MAX + 1;
         len++) {
        assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &v), 1);
        evpl_test_fill(v.data, len, len);
        evpl_iovec_clone(&keep, &v);
        evpl_dpdk_stats_reset(evpl);
        assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0));
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(m->pkt_len, len);
        assert_true(evpl_test_check(rte_pktmbuf_mtod(m, void *), len, len));
        if (len == EVPL_DPDK_TX_COPY_MAX) {
            assert_true(RTE_MBUF_DIRECT(m));
            assert_ptr_not_equal(m, evpl_test_mbuf(&v));
            assert_int_equal(st.tx_copied, 1);
            assert_int_equal(st.tx_indirect, 0);
        } else {
            assert_false(RTE_MBUF_DIRECT(m));
            assert_int_equal(st.tx_copied, 0);
            assert_int_equal(st.tx_indirect, 1);
        }
        rte_pktmbuf_free(m);
        evpl_iovec_release(evpl, &keep);
        evpl_iovec_release(evpl, &v);
    }
}

/*
 * A shared iovec of another context's pool, whose mbufs carry a private
 * area, sent by reference through this context: the indirect mbuf (of
 * this context's pool, no private area) finds its direct one, holds one
 * reference on it while out, and gives it back when freed. Guards
 * evpl_tx_attach()'s "mi->priv_size = m->priv_size" (dpdk_glue/tx.h), which
 * rte_mbuf_from_indirect() needs: without it the indirect mbuf points at
 * the wrong place for its direct one, and the free drops a count there;
 * and the copy of the direct mbuf's buffer, its IOVA and length (the
 * other pool's buffers are larger).
 */
static void
attach_to_a_pool_with_a_private_area(void **state)
{
    struct evpl        *evpl = ctx_of(state);
    struct evpl_config  cfg;
    struct rte_mempool *mp;
    struct evpl        *other;
    struct evpl_iovec   v, keep;
    struct rte_mbuf    *m;

    /* Its buffers also larger than this context's, and elsewhere. */
    mp = rte_pktmbuf_pool_create("glue_priv", 63, 0, 64,
                                 RTE_MBUF_DEFAULT_BUF_SIZE + 1024,
                                 SOCKET_ID_ANY);
    assert_non_null(mp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = mp;
    assert_non_null(other = evpl_create(&cfg));
    assert_int_equal(evpl_iovec_alloc(other, 1000, 0, 1, 0, &v), 1);
    evpl_iovec_clone(&keep, &v);
    assert_int_equal(evpl_test_mbuf(&v)->priv_size, 64);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0));
    assert_false(RTE_MBUF_DIRECT(m));
    assert_ptr_equal(m->pool, evpl_mempool(evpl));
    assert_ptr_equal(rte_mbuf_from_indirect(m), evpl_test_mbuf(&v));
    /* The bytes, as the NIC and DPDK see them: the direct mbuf's. */
    assert_ptr_equal(m->buf_addr, evpl_test_mbuf(&v)->buf_addr);
    assert_int_equal(m->buf_len, evpl_test_mbuf(&v)->buf_len);
    assert_int_equal(rte_mbuf_iova_get(m),
                     rte_mbuf_iova_get(evpl_test_mbuf(&v)));
    assert_ptr_equal(rte_pktmbuf_mtod(m, void *), v.data);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 3);
    rte_pktmbuf_free(m);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 2);
    evpl_iovec_release(other, &keep);
    evpl_iovec_release(other, &v);
    evpl_destroy(other);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/*
 * An mbuf's dynamic fields go with its bytes: a field registered by the
 * application, set on the iovec's mbuf, reads the same on the indirect
 * mbuf that sends those bytes by reference, as rte_pktmbuf_attach() would
 * leave it. Guards evpl_tx_attach()'s rte_mbuf_dynfield_copy()
 * (dpdk_glue/tx.h).
 */
static void
attach_copies_dynamic_fields(void **state)
{
    static const struct rte_mbuf_dynfield desc = {
        .name = "evpl_test_glue_dyn", .size = sizeof(uint32_t),
        .align = __alignof__(uint32_t),
    };
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  v, keep;
    struct rte_mbuf   *m;
    int                off;

    off = rte_mbuf_dynfield_register(&desc);
    assert_true(off >= 0);
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &v), 1);
    evpl_iovec_clone(&keep, &v);
    *RTE_MBUF_DYNFIELD(evpl_test_mbuf(&v), off, uint32_t *) = 0x5eed1234;
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0));
    assert_false(RTE_MBUF_DIRECT(m));
    assert_int_equal(*RTE_MBUF_DYNFIELD(m, off, uint32_t *), 0x5eed1234);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &keep);
    evpl_iovec_release(evpl, &v);
}

static const struct CMUnitTest cases[] = {
    CASE(exclusive_iovec_becomes_its_mbuf),
    CASE(released_segments_go_back_unlinked),
    CASE(attach_overflow_names_each_call),
    CASE(one_iovec_copy_bound_is_inclusive),
    CASE(attach_to_a_pool_with_a_private_area),
    CASE(attach_copies_dynamic_fields),
    CASE(small_shared_header_goes_into_headroom),
    CASE(small_shared_trailer_goes_into_tailroom),
    CASE(large_shared_goes_by_reference),
    CASE(empty_iovecs_are_skipped),
    CASE(single_segment_mbuf_becomes_one_iovec),
    CASE(own_pieces_are_relinked_as_one_chain),
    CASE(own_pieces_past_the_segments_are_linearized),
    CASE(many_iovecs_are_linearized),
    CASE(take_ref_of_65_iovecs_gives_each_up_once),
    CASE(packet_over_4_gib_is_emsgsize),
    CASE(packet_past_65535_mbufs_is_emsgsize),
    CASE(shared_iovec_on_a_pinned_buffer_is_copied),
    CASE(conversion_failure_leaves_iovecs_untouched),
    CASE(pending_copies_fill_the_headroom_exactly),
    CASE(small_copy_fills_the_tailroom_exactly),
    CASE(pinned_piece_undoes_the_build_before_the_copy),
    CASE(general_build_counts_each_kind_of_segment),
    CASE(general_build_clears_the_heads_transmit_fields),
    CASE(pending_copies_without_an_mbuf_fail_the_packet),
    CASE(linearised_packet_fills_fresh_mbufs),
    CASE(linearising_out_of_mbufs_gives_back_what_it_took),
    CASE(linearised_into_the_first_own_piece_behind_an_empty_one),
    CASE(linearised_into_the_first_piece_up_to_its_last_byte),
    CASE(linearised_into_a_received_head_unlinks_it),
    CASE(linearised_into_the_first_piece_at_65535_bytes),
    CASE(conversion_bad_arguments),
    CASE(loopback_single_packets_take_ref),
    CASE(loopback_single_packets_keep_ref),
    CASE(loopback_bursts_take_ref),
    CASE(loopback_bursts_keep_ref),
    CASE(rx_keeps_what_does_not_fit),
    CASE(kept_packets_are_not_outstanding),
    CASE(kept_chain_that_does_not_fit_holds_back_its_queue),
    CASE(receive_after_kept_asks_only_for_what_pkts_holds),
    CASE(receive_after_kept_fills_no_iovec_past_max_iov),
    CASE(destroy_frees_kept_packets),
    CASE(null_port_linearizes_chains),
    CASE(null_port_takes_one_piece_behind_an_empty_one_as_is),
    CASE(null_port_too_large_for_one_mbuf),
    CASE(null_port_linearises_up_to_one_full_mbuf),
    CASE(unsent_packets_follow_flags),
    CASE(port_reconfigured_by_the_application),
};

/* net_null1 stays for the application to set up (the last case). */
EVPL_TEST_MAIN("glue", cases,
               .eal.vdevs = EVPL_TEST_LIST("net_ring0", "net_null0",
                                           "net_null1"),
               .ports = EVPL_TEST_PORTS(&ring_port, &null_port),
               .port_conf = &(const struct evpl_dpdk_port_conf) {
                   .nb_rxd = 512, .nb_txd = 512 })
