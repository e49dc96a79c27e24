/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit fast paths of dpdk_glue/tx_burst.c, seen where the driver sees
 * them: a TX callback on net_null0 records the packets handed to it.
 *  - a single exclusively owned iovec becomes its mbuf, every field a
 *    driver reads written (whatever the mbuf held before), port kept;
 *  - a burst that mixes such packets with others keeps its order;
 *  - a packet for a port without multi-segment support is linearised into
 *    its first piece's own mbuf when that is possible (no allocation),
 *    into fresh mbufs otherwise.
 * Every case ends with the pools' free counts where they were.
 */

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "common.h"

static uint16_t null_port, ring_port;

/* What the callback saw of the last packet of the last burst. */
static struct {
    unsigned int     pkts;
    struct rte_mbuf *m;
    struct rte_mbuf  head;     /* a copy of the head's fields */
    uint16_t         refcnt;
    unsigned char    bytes[9000];
    size_t           len;
} seen;

static uint16_t
capture(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb,
        void *arg)
{
    const struct rte_mbuf *s;
    uint16_t               i;

    RTE_SET_USED(port);
    RTE_SET_USED(queue);
    RTE_SET_USED(arg);
    for (i = 0; i < nb; i++) {
        seen.pkts++;
        seen.m      = pkts[i];
        seen.head   = *pkts[i];
        seen.refcnt = rte_mbuf_refcnt_read(pkts[i]);
        seen.len    = 0;
        for (s = pkts[i]; s != NULL && seen.len + s->data_len <=
             sizeof(seen.bytes); s = s->next) {
            memcpy(seen.bytes + seen.len, rte_pktmbuf_mtod(s, const void *),
                   s->data_len);
            seen.len += s->data_len;
        }
    }
    return nb;
}

static int
send_one(struct evpl *evpl, uint16_t port, struct evpl_iovec *iov, int niov,
         unsigned int flags)
{
    struct evpl_dpdk_pkt p = { iov, niov };

    memset(&seen, 0, sizeof(seen));
    return evpl_dpdk_tx_burst(evpl, port, 0, &p, 1, flags);
}

/* A stale header from an earlier life: offload requests, a packet type,
 * VLANs. */
static void
stale_offloads(struct rte_mbuf *m)
{
    m->ol_flags       = RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_VLAN;
    m->packet_type    = 0x1234;
    m->vlan_tci       = 7;
    m->vlan_tci_outer = 9;
    m->tx_offload     = 0xdead;
}

/* What the driver reads of those, as seen: all cleared. */
static void
assert_offloads_cleared(const struct rte_mbuf *h)
{
    assert_int_equal(h->ol_flags, 0);
    assert_int_equal(h->packet_type, 0);
    assert_int_equal(h->vlan_tci, 0);
    assert_int_equal(h->vlan_tci_outer, 0);
    assert_int_equal(h->tx_offload, 0);
}

static void
single_iovec_head_fields_are_all_written(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;
    struct rte_mbuf  *m;
    int               take;

    for (take = 0; take < 2; take++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 300, 0, 1, 0, &v), 1);
        evpl_test_fill(v.data, 300, 3);
        evpl_iovec_set_length(&v, 200);
        /* A stale header from an earlier life. */
        m = evpl_test_mbuf(&v);
        stale_offloads(m);
        m->nb_segs  = 3;
        m->port     = 5;
        m->data_off = 0;
        m->data_len = 1;
        m->pkt_len  = 99;

        assert_int_equal(send_one(evpl, null_port, &v, 1,
                                  take ? EVPL_DPDK_TAKE_REF : 0), 1);
        assert_int_equal(seen.pkts, 1);
        assert_ptr_equal(seen.m, m);
        assert_int_equal(seen.head.data_off,
                         (char *) v.data - (char *) m->buf_addr);
        assert_int_equal(seen.head.data_len, 200);
        assert_int_equal(seen.head.pkt_len, 200);
        assert_int_equal(seen.head.nb_segs, 1);
        assert_null(seen.head.next);
        assert_int_equal(seen.refcnt, take ? 1 : 2);
        assert_int_equal(seen.head.port, 5);
        assert_offloads_cleared(&seen.head);
        assert_int_equal(seen.len, 200);
        assert_true(evpl_test_check(seen.bytes, 200, 3));
        if (!take) {
            /* The driver dropped the chain's reference; ours is left. */
            assert_int_equal(rte_mbuf_refcnt_read(m), 1);
            evpl_iovec_release(evpl, &v);
        }
    }
}

/* The same for a packet of several iovecs: three of 1500 bytes, the
 * first an mbuf of its own with a stale header, leave in that mbuf (the
 * null port takes one segment: the packet is linearised into it) with
 * every offload field of the head written. Guards dpdk_glue/tx.h's
 * evpl_tx_head_reset(), each field it clears (the single-iovec case
 * above never calls it). */
static void
chain_head_fields_are_all_written(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[3];
    struct rte_mbuf  *m;
    int               i;

    for (i = 0; i < 3; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, 1500, (unsigned int) i);
    }
    m = evpl_test_mbuf(&v[0]);
    stale_offloads(m);

    assert_int_equal(send_one(evpl, null_port, v, 3, EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(seen.pkts, 1);
    assert_ptr_equal(seen.m, m);
    assert_int_equal(seen.head.pkt_len, 4500);
    assert_offloads_cleared(&seen.head);
    assert_int_equal(seen.len, 4500);
}

/* A packet attached to a shared mbuf (a clone, longer than tx_copy_max)
 * leaves with that mbuf's port, as rte_pktmbuf_attach() would set it,
 * counted as one packet of one segment. Guards the port copied by
 * dpdk_glue/tx.h's evpl_tx_attach() (without it the fresh mbuf keeps
 * whatever port it last had) and the counts of dpdk_glue/tx_one.c's
 * evpl_tx_fresh(). */
static void
attached_packet_keeps_its_buffers_port(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v, c;
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &v), 1);
    evpl_test_fill(v.data, 1500, 4);
    m       = evpl_test_mbuf(&v);
    m->port = 23;
    evpl_iovec_clone(&c, &v);
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(send_one(evpl, null_port, &c, 1, 0), 1);
    assert_int_equal(seen.pkts, 1);
    assert_ptr_not_equal(seen.m, m);
    assert_int_equal(seen.head.port, 23);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_segs, 1);
    assert_int_equal(st.tx_indirect, 1);
    assert_int_equal(seen.len, 1500);
    assert_true(evpl_test_check(seen.bytes, 1500, 4));
    evpl_iovec_release(evpl, &c);
    evpl_iovec_release(evpl, &v);
}

/* evpl_dpdk_iovecs_to_mbuf() of one iovec whose mbuf is its own counts
 * one packet, one segment, one mbuf reused. Guards the counts of the
 * single-packet shortcut of dpdk_glue/tx_loop.h's evpl_tx_loop(). */
static void
one_own_iovec_to_mbuf_counts_one_segment(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v;
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &v), 1);
    evpl_dpdk_stats_reset(evpl);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, EVPL_DPDK_TAKE_REF);
    assert_ptr_equal(m, evpl_test_mbuf(&v));
    assert_int_equal(evpl_dpdk_stats_get(evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_segs, 1);
    assert_int_equal(st.tx_reused, 1);
    rte_pktmbuf_free(m);
}

/* A slab range longer than one attached segment (64 KiB) on a port that
 * takes one segment a packet (the null port: no multi-segment offload)
 * is not sent: it cannot be linearised into one mbuf either (EMSGSIZE).
 * Guards the segment limit in dpdk_glue/tx.h's evpl_tx_pkt_fate()
 * (without it the range leaves as two mbufs attached to the slab, more
 * segments than the port takes). */
static void
long_slab_range_is_not_sent_to_a_one_segment_port(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;
    int               r;

    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &v), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&v));
    evpl_test_fill(v.data, 100000, 6);
    errno = 0;
    r     = send_one(evpl, null_port, &v, 1, 0);
    assert_int_equal(r, 0);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(seen.pkts, 0);
    assert_true(evpl_test_check(v.data, 100000, 6));
    evpl_iovec_release(evpl, &v);
}

/* A packet linearised into its first iovec's mbuf when that iovec is
 * one byte long: the byte leads the packet. Guards the skip of empty
 * iovecs in dpdk_glue/tx_linear.c's evpl_tx_gather_first() (one that
 * skipped one-byte iovecs would gather behind the second). */
static void
linearised_packet_keeps_a_one_byte_first_iovec(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[3];
    unsigned char     want[3001];
    int               i;

    for (i = 0; i < 3; i++)
        assert_int_equal(evpl_iovec_alloc(evpl, i ? 1500 : 1, 0, 1, 0,
                                          &v[i]), 1);
    evpl_test_fill(v[0].data, 1, 7);
    evpl_test_fill(v[1].data, 1500, 8);
    evpl_test_fill(v[2].data, 1500, 9);
    memcpy(want, v[0].data, 1);
    memcpy(want + 1, v[1].data, 1500);
    memcpy(want + 1501, v[2].data, 1500);
    assert_int_equal(send_one(evpl, null_port, v, 3, EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(seen.pkts, 1);
    assert_int_equal(seen.head.pkt_len, 3001);
    assert_int_equal(seen.len, 3001);
    assert_memory_equal(seen.bytes, want, 3001);
}

/* A packet that must be linearised into fresh mbufs (its first iovec is
 * shared), one that fits the port's one segment, fails with ENOMEM when
 * the pool has none. Guards the errno of dpdk_glue/tx_linear.c's
 * evpl_tx_linearize() when an mbuf cannot be had. */
static void
linearising_without_mbufs_fails_with_enomem(void **state)
{
    struct rte_mempool *mp;
    struct evpl        *e;
    struct rte_mbuf    *held[64];
    struct evpl_iovec   v[2], c;
    unsigned int        n;

    (void) state;
    e = evpl_test_ctx_on_own_pool("tx_linear_nomem", 64, NULL, &mp);
    assert_int_equal(evpl_iovec_alloc(e, 1500, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(e, 300, 0, 1, 0, &v[1]), 1);
    evpl_iovec_clone(&c, &v[0]);
    n = evpl_test_pool_drain(mp, held, 64);
    errno = 0;
    assert_int_equal(send_one(e, null_port, (struct evpl_iovec[]) { c, v[1] },
                              2, 0), 0);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(seen.pkts, 0);
    rte_mempool_put_bulk(mp, (void **) held, n);
    evpl_iovec_release(e, &c);
    evpl_iovecs_release(e, v, 2);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* A chain of three iovecs that runs out of mbufs at its third (a clone,
 * to be attached) is undone: the first iovec's own mbuf, already a
 * segment, is given back as it was (one segment, no next, one
 * reference). Guards the segment count restored by
 * dpdk_glue/tx_chain.c's evpl_tx_rollback() (a packet of two goes the
 * composed packet's way, evpl_tx_pair()). */
static void
chain_out_of_mbufs_gives_its_first_mbuf_back_whole(void **state)
{
    struct rte_mempool *mp;
    struct evpl        *e;
    struct rte_mbuf    *held[64], *m;
    struct evpl_iovec   v[3], c[3];
    unsigned int        n;
    int                 i;

    (void) state;
    e = evpl_test_ctx_on_own_pool("tx_chain_undo", 64, NULL, &mp);
    for (i = 0; i < 3; i++)
        assert_int_equal(evpl_iovec_alloc(e, 1500, 0, 1, 0, &v[i]), 1);
    c[0] = v[0];
    c[1] = v[1];
    evpl_iovec_clone(&c[2], &v[2]);
    n = evpl_test_pool_drain(mp, held, 64);
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(e, c, 3, 0));
    assert_int_equal(errno, ENOMEM);
    for (i = 0; i < 2; i++) {
        m = evpl_test_mbuf(&v[i]);
        assert_int_equal(m->nb_segs, 1);
        assert_null(m->next);
        assert_int_equal(rte_mbuf_refcnt_read(m), 1);
    }
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[2])), 2);
    rte_mempool_put_bulk(mp, (void **) held, n);
    evpl_iovec_release(e, &c[2]);
    evpl_iovecs_release(e, v, 3);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

static void
mixed_burst_keeps_its_order(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v[6], base, rxiov[16];
    struct evpl_dpdk_pkt   p[5], rx[5];
    struct evpl_dpdk_stats st;
    int                    got = 0, r, i, spins = 0;
    unsigned char          want[5][2000], one[2000];
    size_t                 wlen[5] = { 0 }, len;

    assert_int_equal(evpl_iovec_alloc(evpl, 2000, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 2000, 9);
    /* single, two pieces, single, shared single, single */
    for (i = 0; i < 6; i++) {
        if (i == 4) {
            /* Too large to copy: it goes by reference. */
            evpl_iovec_clone_segment(&v[i], &base, 10,
                                     EVPL_DPDK_TX_COPY_MAX + 1);
            continue;
        }
        assert_int_equal(evpl_iovec_alloc(evpl, 100 + i, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, v[i].length, (unsigned int) i);
    }
    p[0] = (struct evpl_dpdk_pkt) { &v[0], 1 };
    p[1] = (struct evpl_dpdk_pkt) { &v[1], 2 };
    p[2] = (struct evpl_dpdk_pkt) { &v[3], 1 };
    p[3] = (struct evpl_dpdk_pkt) { &v[4], 1 };
    p[4] = (struct evpl_dpdk_pkt) { &v[5], 1 };
    for (i = 0; i < 5; i++) {
        int j;

        for (j = 0; j < p[i].niov; j++) {
            memcpy(want[i] + wlen[i], p[i].iov[j].data, p[i].iov[j].length);
            wlen[i] += p[i].iov[j].length;
        }
    }
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p, 5,
                                        EVPL_DPDK_TAKE_REF), 5);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_pkts, 5);
    assert_int_equal(st.tx_reused, 5);    /* all but the shared piece */
    assert_int_equal(st.tx_indirect, 1);

    while (got < 5) {
        r = evpl_dpdk_rx_burst(evpl, ring_port, 0, &rx[got],
                               (uint16_t) (5 - got), rxiov, RTE_DIM(rxiov));
        assert_true(r >= 0 && ++spins < 1000000);
        for (i = got; i < got + r; i++) {
            int j;

            for (len = 0, j = 0; j < rx[i].niov; j++) {
                memcpy(one + len, rx[i].iov[j].data, rx[i].iov[j].length);
                len += rx[i].iov[j].length;
            }
            assert_int_equal(len, wlen[i]);
            assert_memory_equal(one, want[i], len);
            evpl_iovecs_release(evpl, rx[i].iov, rx[i].niov);
        }
        got += r;
    }
    evpl_iovec_release(evpl, &base);
}

static void
linearising_into_the_first_piece_needs_no_mbuf(void **state)
{
    struct rte_mempool    *mp;
    struct evpl_config     cfg;
    struct evpl           *evpl;
    struct evpl_iovec      v[2];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *first;

    RTE_SET_USED(state);
    /* Two mbufs, no cache: the packet's own; nothing to copy into. */
    mp = rte_pktmbuf_pool_create("tx_fast_two", 2, 0, 0, 2048 +
                                 RTE_PKTMBUF_HEADROOM, (int) rte_socket_id());
    assert_non_null(mp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = mp;
    evpl     = evpl_create(&cfg);
    assert_non_null(evpl);

    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 1436, 0, 1, 0, &v[1]), 1);
    assert_int_equal(rte_mempool_avail_count(mp), 0);
    evpl_test_fill(v[0].data, 64, 1);
    evpl_test_fill(v[1].data, 1436, 2);
    first = evpl_test_mbuf(&v[0]);

    assert_int_equal(send_one(evpl, null_port, v, 2, EVPL_DPDK_TAKE_REF), 1);
    assert_ptr_equal(seen.m, first);
    assert_int_equal(seen.head.nb_segs, 1);
    assert_int_equal(seen.len, 1500);
    assert_true(evpl_test_check(seen.bytes, 64, 1));
    assert_true(evpl_test_check(seen.bytes + 64, 1436, 2));
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 1);
    assert_int_equal(st.tx_reused, 1);
    assert_int_equal(st.tx_copied, 1);
    assert_int_equal(st.tx_nomem, 0);

    evpl_destroy(evpl);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    rte_mempool_free(mp);
}

static void
linearising_into_the_first_piece_leaves_the_callers_iovecs(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[3], before[3];

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 1, 0, 1, 0, &v[1]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 900, 0, 1, 0, &v[2]), 1);
    evpl_iovec_set_length(&v[1], 0); /* empty pieces are skipped */
    evpl_test_fill(v[0].data, 100, 4);
    evpl_test_fill(v[2].data, 900, 5);
    memcpy(before, v, sizeof(v));

    assert_int_equal(send_one(evpl, null_port, v, 3, 0), 1);
    assert_ptr_equal(seen.m, evpl_test_mbuf(&v[0]));
    assert_int_equal(seen.refcnt, 2); /* the chain's and the caller's */
    assert_int_equal(seen.len, 1000);
    assert_true(evpl_test_check(seen.bytes + 100, 900, 5));
    /* The caller's iovecs: as they were, still holding their bytes. */
    assert_memory_equal(v, before, sizeof(v));
    assert_true(evpl_test_check(v[0].data, 100, 4));
    assert_true(evpl_test_check(v[2].data, 900, 5));
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[0])), 1);
    evpl_iovecs_release(evpl, v, 3);
}

static void
linearising_copies_when_the_first_piece_is_shared(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec base, v[2];

    assert_int_equal(evpl_iovec_alloc(evpl, 300, 0, 1, 0, &base), 1);
    evpl_test_fill(base.data, 300, 6);
    evpl_iovec_clone_segment(&v[0], &base, 0, 200);
    assert_int_equal(evpl_iovec_alloc(evpl, 400, 0, 1, 0, &v[1]), 1);
    evpl_test_fill(v[1].data, 400, 7);

    assert_int_equal(send_one(evpl, null_port, v, 2, EVPL_DPDK_TAKE_REF), 1);
    /* The template's bytes behind the clone are someone else's. */
    assert_ptr_not_equal(seen.m, evpl_test_mbuf(&base));
    assert_int_equal(seen.len, 600);
    assert_memory_equal(seen.bytes, base.data, 200);
    assert_true(evpl_test_check(base.data, 300, 6));
    assert_true(evpl_test_check(seen.bytes + 200, 400, 7));
    evpl_iovec_release(evpl, &base);
}

static void
linearising_copies_when_the_packet_outgrows_the_first_piece(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[2];
    size_t            room;

    /* The first piece ends its mbuf: too little room behind it. */
    assert_int_equal(evpl_iovec_alloc(evpl, 8000, 0, 1, 0, &v[0]), 1);
    evpl_iovec_move_segment(&v[0], &v[0], 7900, 100);
    room = (size_t) ((char *) evpl_test_mbuf(&v[0])->buf_addr +
                     evpl_test_mbuf(&v[0])->buf_len - (char *) v[0].data);
    assert_true(room < 600);
    evpl_test_fill(v[0].data, 100, 8);
    assert_int_equal(evpl_iovec_alloc(evpl, 500, 0, 1, 0, &v[1]), 1);
    evpl_test_fill(v[1].data, 500, 9);

    assert_int_equal(send_one(evpl, null_port, v, 2, EVPL_DPDK_TAKE_REF), 1);
    assert_ptr_not_equal(seen.m, evpl_test_mbuf(&v[0]));
    assert_int_equal(seen.len, 600);
    assert_true(evpl_test_check(seen.bytes, 100, 8));
    assert_true(evpl_test_check(seen.bytes + 100, 500, 9));
}

static const struct CMUnitTest cases[] = {
    CASE(single_iovec_head_fields_are_all_written),
    CASE(chain_head_fields_are_all_written),
    CASE(attached_packet_keeps_its_buffers_port),
    CASE(one_own_iovec_to_mbuf_counts_one_segment),
    CASE(long_slab_range_is_not_sent_to_a_one_segment_port),
    CASE(linearised_packet_keeps_a_one_byte_first_iovec),
    CASE(linearising_without_mbufs_fails_with_enomem),
    CASE(chain_out_of_mbufs_gives_its_first_mbuf_back_whole),
    CASE(mixed_burst_keeps_its_order),
    CASE(linearising_into_the_first_piece_needs_no_mbuf),
    CASE(linearising_into_the_first_piece_leaves_the_callers_iovecs),
    CASE(linearising_copies_when_the_first_piece_is_shared),
    CASE(linearising_copies_when_the_packet_outgrows_the_first_piece),
};

static int
set_up(void)
{
    return rte_eth_add_tx_callback(null_port, 0, capture, NULL) != NULL ?
           0 : -1;
}

EVPL_TEST_MAIN("tx_fast", cases,
               .eal.vdevs = EVPL_TEST_LIST("net_null0", "net_ring0"),
               .ports = EVPL_TEST_PORTS(&null_port, &ring_port),
               .set_up = set_up)
