/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit engine's bursts against the one-packet conversion they
 * promise to match (dpdk_glue/tx.h), each case guarding one fix:
 *  - one buffer named by several packets of a burst, at every distance
 *    and place: each later packet takes a reference of its own;
 *  - a burst short of mbufs sends exactly the packets that fit, as
 *    converting them one at a time would;
 *  - a slab range is counted as attached to a slab, not as indirect;
 *  - what the driver did not take is given up through the library's own
 *    release, in the flat burst too;
 *  - the flat receive grows the kept-packet store on its own; the store
 *    grows as often as it fills and gives back each array it outgrows.
 * net_ring0 is a loopback (what is sent comes back as the same mbufs);
 * net_null0 frees what it is sent and, while refuse is set, takes
 * nothing (a TX callback); net_null1 is one more queue to receive from.
 * Every case ends with the pools' free counts where they were.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "common.h"

static uint16_t ring_port, null_port, null2_port;

static int refuse;

static uint16_t
refuse_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb,
          void *arg)
{
    RTE_SET_USED(port);
    RTE_SET_USED(queue);
    RTE_SET_USED(pkts);
    RTE_SET_USED(arg);
    return refuse ? 0 : nb;
}

static int
set_up(void)
{
    return rte_eth_add_tx_callback(null_port, 0, refuse_cb, NULL) != NULL ?
           0 : -1;
}

/* ---- one buffer, several packets ---------------------------------------- */

/* The bursts that take one iovec per packet. */
enum burst_kind { BURST_FLAT, BURST_PKTS };

static int
send_kind(struct evpl *evpl, enum burst_kind kind, struct evpl_iovec *v,
          int n, unsigned int flags)
{
    struct evpl_dpdk_pkt p[64];
    int                  i;

    if (kind == BURST_FLAT)
        return evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, (uint16_t) n,
                                       flags);
    for (i = 0; i < n; i++)
        p[i] = (struct evpl_dpdk_pkt) { &v[i], 1 };
    return evpl_dpdk_tx_burst(evpl, ring_port, 0, p, (uint16_t) n, flags);
}

#define SAME_N    12  /* three groups of four */
#define SAME_SEED 100 /* the repeated buffer's pattern */

/*
 * Packets at the places of mask (bit k: packet k) all name one buffer x;
 * the others are buffers of their own. Without TAKE_REF the caller keeps
 * x and every packet holds a reference of its own: x's mbuf is the first
 * such packet, and each later one is attached to it (len above
 * tx_copy_max: one more reference each) or a copy (none). With TAKE_REF
 * each packet hands over a clone's reference, and a held clone keeps the
 * buffer. After the burst x's count says each packet was counted once;
 * received and released, every mbuf is back once: a fresh allocation
 * does not hand x's mbuf out again, nor any mbuf twice, and x's bytes
 * stay.
 */
static void
same_buffer_burst(struct evpl *evpl, enum burst_kind kind, unsigned int len,
                  unsigned int flags, uint32_t mask)
{
    struct evpl_iovec v[SAME_N], back[SAME_N], x, hold, fresh[2 * SAME_N];
    struct rte_mbuf  *m;
    unsigned int      named = 0, k, j, seed;
    uint16_t          want;
    int               got, r, spins = 0;

    assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &x), 1);
    evpl_test_fill(x.data, len, SAME_SEED);
    m = evpl_test_mbuf(&x);
    for (k = 0; k < SAME_N; k++) {
        if (!(mask & (1u << k))) {
            assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &v[k]), 1);
            evpl_test_fill(v[k].data, len, k);
            continue;
        }
        if (flags & EVPL_DPDK_TAKE_REF)
            evpl_iovec_clone(&v[k], &x);
        else
            v[k] = x;
        named++;
    }
    if (flags & EVPL_DPDK_TAKE_REF) {
        /* The clones are the packets' references; x is one more. */
        hold = x;
        assert_int_equal(rte_mbuf_refcnt_read(m), named + 1);
    }

    assert_int_equal(send_kind(evpl, kind, v, SAME_N, flags), SAME_N);
    if (flags & EVPL_DPDK_TAKE_REF)
        /* Attached: each packet holds the reference it was handed;
         * copied: the copies hold none. */
        want = (uint16_t) (len > EVPL_DPDK_TX_COPY_MAX ? named + 1 : 1);
    else
        want = (uint16_t) (len > EVPL_DPDK_TX_COPY_MAX ? named + 1 : 2);
    assert_int_equal(rte_mbuf_refcnt_read(m), want);

    for (got = 0; got < SAME_N; got += r) {
        r = evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, &back[got],
                                    (uint16_t) (SAME_N - got), 0);
        assert_true(r >= 0 && ++spins < 1000000);
    }
    for (k = 0; k < SAME_N; k++) {
        seed = (mask & (1u << k)) ? SAME_SEED : k;
        assert_int_equal(evpl_iovec_length(&back[k]), len);
        assert_true(evpl_test_check(evpl_iovec_data(&back[k]), len, seed));
    }
    evpl_iovecs_release(evpl, back, SAME_N);
    if (!(flags & EVPL_DPDK_TAKE_REF))
        for (k = 0; k < SAME_N; k++)
            if (!(mask & (1u << k)))
                evpl_iovec_release(evpl, &v[k]);
    /* Only the caller's x (or the held clone) is left on it. */
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);

    for (k = 0; k < RTE_DIM(fresh); k++) {
        assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &fresh[k]), 1);
        assert_ptr_not_equal(fresh[k].private_data, m);
        for (j = 0; j < k; j++)
            assert_ptr_not_equal(fresh[k].private_data,
                                 fresh[j].private_data);
        memset(fresh[k].data, 0xee, len);
    }
    assert_true(evpl_test_check(x.data, len, SAME_SEED));
    evpl_iovecs_release(evpl, fresh, RTE_DIM(fresh));
    evpl_iovec_release(evpl, (flags & EVPL_DPDK_TAKE_REF) ? &hold : &x);
}

/*
 * Guards the fix of the four-at-a-time flat transmit (dpdk_glue/tx_vec.h,
 * evpl_tx_vec4_same()): it tested four packets before writing any, so one
 * buffer at two places of a group of four left with refcnt 2 however many
 * packets named it, and went back to the pool while still in use. Every
 * flat and general burst, with one buffer at every pair of places (every
 * distance, every place in and across the groups of four) and at all
 * twelve, attached and copied, with and without TAKE_REF.
 */
static void
one_buffer_at_every_distance_and_place(void **state)
{
    static const unsigned int lens[] = { 300, 100 };
    static const unsigned int flag_sets[] = { 0, EVPL_DPDK_TAKE_REF };
    struct evpl              *evpl = ctx_of(state);
    unsigned int              kind, l, f, i, j;

    for (kind = BURST_FLAT; kind <= BURST_PKTS; kind++)
        for (l = 0; l < RTE_DIM(lens); l++)
            for (f = 0; f < RTE_DIM(flag_sets); f++) {
                for (i = 0; i < SAME_N; i++)
                    for (j = i + 1; j < SAME_N; j++)
                        same_buffer_burst(evpl, kind, lens[l], flag_sets[f],
                                          (1u << i) | (1u << j));
                same_buffer_burst(evpl, kind, lens[l], flag_sets[f],
                                  (1u << SAME_N) - 1);
            }
}

/* ---- bursts short of mbufs --------------------------------------------- */

/* A packet's pieces, by what each needs of the pool. */
enum piece {
    P_END,
    P_OWN,    /* exclusive: none */
    P_COPY,   /* shared, 100 bytes: one, copied into */
    P_ATTACH, /* shared, 1000 bytes: one, attached */
    P_SLAB,   /* a 100000-byte slab range: two, attached to the slab */
};

struct short_burst {
    const char *name;
    enum piece  pkt[5][3]; /* up to five packets of up to two pieces */
};

static const struct short_burst short_bursts[] = {
    { "[slab range 100000 B, shared 100 B]",
      { { P_SLAB }, { P_COPY } } },
    { "[2 shared 1000 B, 1 shared]",
      { { P_ATTACH, P_ATTACH }, { P_ATTACH } } },
    { "[shared 100 B, shared 1000 B, slab, own + shared, shared 100 B]",
      { { P_COPY }, { P_ATTACH }, { P_SLAB }, { P_OWN, P_ATTACH },
        { P_COPY } } },
    { "[own, shared 1000 B, own]",
      { { P_OWN }, { P_ATTACH }, { P_OWN } } },
};

static unsigned int
piece_needs(enum piece p)
{
    return p == P_SLAB ? 2 : p == P_OWN ? 0 : 1;
}

static unsigned int
piece_len(enum piece p)
{
    return p == P_SLAB ? 100000 : p == P_ATTACH ? 1000 : 100;
}

/* Receive n packets from net_ring0 and release them. */
static void
drain_ring(struct evpl *evpl, unsigned int n)
{
    struct evpl_dpdk_pkt rx[8];
    struct evpl_iovec    riov[64];
    unsigned int         got;
    int                  r, k, spins = 0;

    for (got = 0; got < n; got += (unsigned int) r) {
        r = evpl_dpdk_rx_burst(evpl, ring_port, 0, rx, RTE_DIM(rx), riov,
                               RTE_DIM(riov));
        assert_true(r >= 0 && ++spins < 1000000);
        for (k = 0; k < r; k++)
            evpl_iovecs_release(evpl, rx[k].iov, rx[k].niov);
    }
}

/*
 * Guards the fix of the burst's one get of fresh mbufs (evpl_tx_rest(),
 * dpdk_glue/tx_burst.c): it took the mbufs of every later shared packet
 * before converting the earlier ones, so that a packet that fitted the
 * free mbufs failed (and with TAKE_REF both were dropped). Each burst, at
 * every count of free mbufs from 0 to what it needs (0, 1 and N-1
 * included), sends exactly the packets that converting them one at a time
 * would: those before the first whose mbufs are no longer there. On
 * net_ring0, which takes chains: what it sent comes back to be released.
 */
static void
short_bursts_send_what_fits(void **state)
{
    struct rte_mempool    *mp;
    struct evpl           *evpl;
    struct evpl_iovec      v[5][3], base[5][3], hog[96];
    struct evpl_dpdk_pkt   p[5];
    struct evpl_dpdk_stats st;
    unsigned int           t, need, free_n, hogs, fits, take, k, j, npkt;
    unsigned int           flags, sum, owns;

    RTE_SET_USED(state);
    evpl = evpl_test_ctx_on_own_pool("tx_engine_short", 96, NULL, &mp);
    for (t = 0; t < RTE_DIM(short_bursts); t++) {
        const struct short_burst *b = &short_bursts[t];

        print_message("  %s\n", b->name);
        for (need = 0, owns = 0, npkt = 0;
             npkt < 5 && b->pkt[npkt][0] != P_END; npkt++)
            for (j = 0; b->pkt[npkt][j] != P_END; j++) {
                need += piece_needs(b->pkt[npkt][j]);
                owns += b->pkt[npkt][j] == P_OWN;
            }
        for (take = 0; take < 2; take++) {
            flags = take ? EVPL_DPDK_TAKE_REF : 0;
            for (free_n = 0; free_n <= need; free_n++) {
                for (k = 0; k < npkt; k++) {
                    for (j = 0; b->pkt[k][j] != P_END; j++) {
                        enum piece pc = b->pkt[k][j];

                        assert_int_equal(evpl_iovec_alloc(
                                             evpl, piece_len(pc), 0, 1, 0,
                                             &base[k][j]), 1);
                        evpl_test_fill(base[k][j].data, piece_len(pc),
                                       10 * k + j);
                        if (pc == P_OWN)
                            v[k][j] = base[k][j];
                        else
                            evpl_iovec_clone(&v[k][j], &base[k][j]);
                    }
                    p[k] = (struct evpl_dpdk_pkt) { v[k], (int) j };
                }
                for (hogs = 0; rte_mempool_avail_count(mp) > free_n; hogs++)
                    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0,
                                                      &hog[hogs]), 1);
                assert_int_equal(rte_mempool_avail_count(mp), free_n);
                /* One at a time: the first packet whose mbufs are not
                 * there stops the burst. */
                for (fits = 0, sum = 0; fits < npkt; fits++) {
                    for (j = 0; b->pkt[fits][j] != P_END; j++)
                        sum += piece_needs(b->pkt[fits][j]);
                    if (sum > free_n)
                        break;
                }
                evpl_dpdk_stats_reset(evpl);
                assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p,
                                                    (uint16_t) npkt, flags),
                                 fits);
                evpl_dpdk_stats_get(evpl, &st);
                assert_int_equal(st.tx_pkts, fits);
                assert_int_equal(st.tx_nomem, fits < npkt);
                assert_int_equal(st.tx_dropped, take ? npkt - fits : 0);
                drain_ring(evpl, fits);
                /* With TAKE_REF the own pieces went back, sent or not. */
                assert_int_equal(rte_mempool_avail_count(mp),
                                 free_n + (take ? owns : 0));
                evpl_iovecs_release(evpl, hog, (int) hogs);
                for (k = 0; k < npkt; k++)
                    for (j = 0; b->pkt[k][j] != P_END; j++) {
                        if (b->pkt[k][j] != P_OWN && !take)
                            evpl_iovec_release(evpl, &v[k][j]);
                        if (b->pkt[k][j] != P_OWN || !take)
                            evpl_iovec_release(evpl, &base[k][j]);
                    }
                assert_int_equal(rte_mempool_avail_count(mp), 96);
            }
        }
    }
    evpl_destroy(evpl);
    rte_mempool_free(mp);
}

/* ---- counters ------------------------------------------------------------ */

/*
 * Guards tx_ext, the counter of slab ranges sent attached to their slab
 * (dpdk_glue/tx_one.c, tx_chain.c): they were counted in tx_indirect,
 * which counts iovecs sent in an indirect mbuf. A slab range, alone or in
 * a chain, by every call; and an indirect mbuf, which is not one.
 */
static void
slab_range_counts_as_ext_not_indirect(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      slab, r, hdr, piece[2], base, c;
    struct evpl_dpdk_pkt   p;
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;
    unsigned int           call;

    assert_int_equal(evpl_iovec_alloc(evpl, 100000, 0, 1, 0, &slab), 1);
    for (call = 0; call < 4; call++) {
        evpl_iovec_clone_segment(&r, &slab, 10, 20000);
        evpl_dpdk_stats_reset(evpl);
        switch (call) {
        case 0:
            m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, EVPL_DPDK_TAKE_REF);
            assert_non_null(m);
            rte_pktmbuf_free(m);
            break;
        case 1:
            p = (struct evpl_dpdk_pkt) { &r, 1 };
            assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &p, 1,
                                                EVPL_DPDK_TAKE_REF), 1);
            break;
        case 2:
            assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, null_port, 0, &r,
                                                     1, EVPL_DPDK_TAKE_REF),
                             1);
            break;
        default:
            /* In a chain, behind a header of its own mbuf. */
            assert_int_equal(evpl_iovec_alloc(evpl, 14, 0, 1, 0, &hdr), 1);
            piece[0] = hdr;
            piece[1] = r;
            m = evpl_dpdk_iovecs_to_mbuf(evpl, piece, 2, EVPL_DPDK_TAKE_REF);
            assert_non_null(m);
            assert_int_equal(m->nb_segs, 2);
            rte_pktmbuf_free(m);
            break;
        }
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(st.tx_ext, 1);
        assert_int_equal(st.tx_indirect, 0);
        assert_int_equal(st.tx_pkts, 1);
    }
    evpl_iovec_release(evpl, &slab);

    /* An indirect mbuf is tx_indirect's. */
    assert_int_equal(evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &base), 1);
    evpl_iovec_clone(&c, &base);
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, null_port, 0, &c, 1,
                                             EVPL_DPDK_TAKE_REF), 1);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_indirect, 1);
    assert_int_equal(st.tx_ext, 0);
    evpl_iovec_release(evpl, &base);
}

/*
 * A burst whose first packet is not its own mbuf's only holder, and whose
 * others are: the burst loop's step takes the whole rest, and counts each
 * packet and segment once, the own ones as reused (guards the counts of
 * evpl_tx_one_build()'s OWN case, dpdk_glue/tx_one.c).
 */
static void
own_packets_behind_a_shared_one_are_counted(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v[3], keep;
    struct evpl_dpdk_pkt   p[3];
    struct evpl_dpdk_stats st;
    int                    i;

    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &keep), 1);
    evpl_iovec_clone(&v[0], &keep);
    for (i = 1; i < 3; i++)
        assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &v[i]), 1);
    for (i = 0; i < 3; i++)
        p[i] = (struct evpl_dpdk_pkt) { &v[i], 1 };
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, p, 3,
                                        EVPL_DPDK_TAKE_REF), 3);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_pkts, 3);
    assert_int_equal(st.tx_segs, 3);
    assert_int_equal(st.tx_reused, 2);
    assert_int_equal(st.tx_indirect, 1);
    evpl_iovec_release(evpl, &keep);
}

/*
 * A packet converted while rte_errno still reads ENOMEM from an earlier
 * failure is not counted as one that found no mbuf (guards the test of
 * evpl_tx_one(), dpdk_glue/tx_one.c: only a failed conversion counts
 * tx_nomem).
 */
static void
stale_enomem_counts_no_failure(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      keep, c;
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &keep), 1);
    evpl_iovec_clone(&c, &keep);
    evpl_dpdk_stats_reset(evpl);
    rte_errno = ENOMEM;
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, &c, 1, 0));
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_nomem, 0);
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &c);
    evpl_iovec_release(evpl, &keep);
}

/*
 * A packet that cannot be converted among shared ones stops the burst:
 * one of no iovec, or one of two empty iovecs, which the chain builder
 * refuses. The packets before it go, errno EINVAL, the packets behind it
 * untouched, the fresh mbufs taken for them at once back in the pool, and
 * the counters say exactly what went (guards evpl_tx_rest_()'s stop, its
 * EINVAL, its counters and its give-back of unused spares,
 * dpdk_glue/tx_one.c).
 */
static void
burst_stops_at_a_packet_it_cannot_convert(void **state)
{
    struct rte_mempool    *pool = ((struct evpl_test_ctx *) *state)->pool;
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      keep, v[2], empty[2];
    struct evpl_dpdk_pkt   p[3];
    struct evpl_dpdk_stats st, want = { .tx_pkts = 1, .tx_segs = 1,
                                        .tx_indirect = 1 };
    unsigned int           avail, bad;

    assert_int_equal(evpl_iovec_alloc(evpl, 1500, 0, 1, 0, &keep), 1);
    for (bad = 0; bad < 2; bad++) {
        evpl_iovec_clone(&v[0], &keep);
        evpl_iovec_clone(&v[1], &keep);
        evpl_iovec_clone_segment(&empty[0], &keep, 0, 0);
        evpl_iovec_clone_segment(&empty[1], &keep, 0, 0);
        p[0]  = (struct evpl_dpdk_pkt) { &v[0], 1 };
        p[1]  = bad ? (struct evpl_dpdk_pkt) { empty, 2 } :
                (struct evpl_dpdk_pkt) { NULL, 0 };
        p[2]  = (struct evpl_dpdk_pkt) { &v[1], 1 };
        avail = rte_mempool_avail_count(pool);
        evpl_dpdk_stats_reset(evpl);
        errno = 0;
        assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, p, 3, 0), 1);
        assert_int_equal(errno, EINVAL);
        evpl_dpdk_stats_get(evpl, &st);
        assert_memory_equal(&st, &want, sizeof(st));
        /* net_null freed what it took: every spare is back too. */
        assert_int_equal(rte_mempool_avail_count(pool), avail);
        /* keep's, v[]'s and the empty clones'. */
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&keep)), 5);
        evpl_iovecs_release(evpl, v, 2);
        evpl_iovecs_release(evpl, empty, 2);
    }
    evpl_iovec_release(evpl, &keep);
}

/*
 * In a burst, a shared iovec of exactly tx_copy_max bytes is copied and
 * one byte more is attached, as evpl_tx_fate() decides (guards the fate
 * the burst loop's step builds a fresh packet with, dpdk_glue/tx_one.c).
 */
static void
burst_copies_up_to_copy_max_bytes(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      keep, c;
    struct evpl_dpdk_pkt   p;
    struct evpl_dpdk_stats st;
    unsigned int           extra;

    for (extra = 0; extra < 2; extra++) {
        assert_int_equal(evpl_iovec_alloc(evpl, EVPL_DPDK_TX_COPY_MAX + extra,
                                          0, 1, 0, &keep), 1);
        evpl_iovec_clone(&c, &keep);
        p = (struct evpl_dpdk_pkt) { &c, 1 };
        evpl_dpdk_stats_reset(evpl);
        assert_int_equal(evpl_dpdk_tx_burst(evpl, null_port, 0, &p, 1,
                                            EVPL_DPDK_TAKE_REF), 1);
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(st.tx_copied, !extra);
        assert_int_equal(st.tx_indirect, extra);
        evpl_iovec_release(evpl, &keep);
    }
}

/* ---- what the driver did not take ----------------------------------------- */

static uint64_t
slab_refs_out(struct evpl *evpl)
{
    struct evpl_dpdk_outstanding o;

    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    return o.slab_refs;
}

/*
 * Guards the flat burst's release of what it did not send: through the
 * library's own give-up (evpl_tx_untaken(), dpdk_glue/tx_burst.c, which
 * every burst uses), which leaves a GLOBAL iovec's one reference with its
 * owner. A public release there (evpl_iovecs_release()) would free the
 * GLOBAL slab under its owner. The flat burst stops at an empty iovec,
 * and, on a port that takes nothing, leaves the packets past its first 64
 * unconverted; a GLOBAL iovec among the dropped ones keeps its slab.
 */
static void
flat_untaken_global_stays_with_its_owner(void **state)
{
    enum { N = 70 };
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      v[N], g, back;
    struct evpl_dpdk_stats st;
    uint64_t               refs;
    int                    i;

    /* Stopped at an empty iovec: [own, empty, GLOBAL]. */
    assert_int_equal(evpl_iovec_alloc_global(evpl, &g), 1);
    evpl_test_fill(g.data, 4096, 5);
    refs = slab_refs_out(evpl);
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[1]), 1);
    evpl_iovec_set_length(&v[1], 0);
    v[2] = g;
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, 3,
                                             EVPL_DPDK_TAKE_REF), 1);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_dropped, 2);
    assert_int_equal(slab_refs_out(evpl), refs);
    assert_true(evpl_test_check(g.data, 4096, 5));
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, &back, 1, 0),
                     1);
    evpl_iovec_release(evpl, &back);

    /* Not taken by the driver: the GLOBAL iovec past the first chunk is
     * never converted. */
    for (i = 0; i < N; i++)
        assert_int_equal(evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[i]), 1);
    evpl_iovec_release(evpl, &v[N - 2]);
    v[N - 2] = g;
    refuse   = 1;
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, null_port, 0, v, N,
                                             EVPL_DPDK_TAKE_REF), 0);
    refuse = 0;
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_dropped, N);
    assert_int_equal(slab_refs_out(evpl), refs);
    assert_true(evpl_test_check(g.data, 4096, 5));
    evpl_iovec_release(evpl, &g);
    assert_int_equal(slab_refs_out(evpl), refs - 1);
}

/* ---- the flat receive's store -------------------------------------------- */

/*
 * Guards the flat receive's growth of the kept-packet store
 * (evpl_rx_keep_room() in evpl_dpdk_rx_burst_flat(), dpdk_glue/rx_flat.c):
 * with the store full of packets kept for one queue, a flat receive on
 * another takes its packets, the store growing, rather than none. Only
 * flat receives here: the store fills and grows by them alone.
 */
static void
flat_receive_grows_the_store(void **state)
{
    enum { N = EVPL_DPDK_RX_BURST_MAX };
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    v[N + 1], back[N], civ[2];
    struct evpl_dpdk_pkt p[N], cp;
    int                  i, r, got;

    /* A chain first, then N - 1 packets: the flat receive keeps them all. */
    for (i = 0; i < N + 1; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 80, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, 80, (unsigned int) i);
    }
    p[0] = (struct evpl_dpdk_pkt) { &v[0], 2 };
    for (i = 1; i < N; i++)
        p[i] = (struct evpl_dpdk_pkt) { &v[i + 1], 1 };
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p, N,
                                        EVPL_DPDK_TAKE_REF), N);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, N, 0),
                     -1);
    assert_int_equal(errno, EMSGSIZE);

    /* The store is full: the other port's flat receive grows it. */
    r = evpl_dpdk_rx_burst_flat(evpl, null_port, 0, back, 8, 0);
    assert_int_equal(r, 8);
    evpl_iovecs_release(evpl, back, r);

    /* The kept ones, whole and in order. */
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, &cp, 1, civ, 2),
                     1);
    assert_int_equal(cp.niov, 2);
    assert_true(evpl_test_check(civ[0].data, 80, 0));
    assert_true(evpl_test_check(civ[1].data, 80, 1));
    evpl_iovecs_release(evpl, civ, 2);
    for (got = 0; got < N - 1; got += r) {
        r = evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, &back[got],
                                    (uint16_t) (N - 1 - got), 0);
        assert_true(r > 0);
    }
    for (i = 0; i < N - 1; i++)
        assert_true(evpl_test_check(back[i].data, 80, (unsigned int) i + 2));
    evpl_iovecs_release(evpl, back, N - 1);
}

/*
 * This program defines rte_malloc_socket() and rte_free(): an
 * executable's definition interposes on the library's call through its
 * PLT. While armed (on this thread) the first refuses the kept-packet
 * store's memory ("evpl_rx_keep", dpdk_glue/rx.c) and counts the
 * refusals; always, the arrays it gives the store are counted, and their
 * frees.
 */
static __thread int          store_nomem;
static __thread unsigned int store_refused;
static void                 *store_live[8];
static unsigned int          store_allocs, store_frees;

void *
rte_malloc_socket(const char *type, size_t size, unsigned int align,
                  int socket)
{
    static void *(*real)(const char *, size_t, unsigned int, int);
    int          store = type != NULL && strcmp(type, "evpl_rx_keep") == 0;
    void        *p;
    unsigned int k;

    if (store && store_nomem) {
        store_refused++;
        rte_errno = ENOMEM;
        return NULL;
    }
    if (real == NULL)
        *(void **) &real = dlsym(RTLD_NEXT, "rte_malloc_socket");
    p = real(type, size, align, socket);
    if (store && p != NULL) {
        store_allocs++;
        for (k = 0; k < RTE_DIM(store_live) && store_live[k] != NULL; k++)
            ;
        assert_true(k < RTE_DIM(store_live));
        store_live[k] = p;
    }
    return p;
}

void
rte_free(void *p)
{
    static void (*real)(void *);
    unsigned int k;

    for (k = 0; p != NULL && k < RTE_DIM(store_live); k++)
        if (store_live[k] == p) {
            store_live[k] = NULL;
            store_frees++;
        }
    if (real == NULL)
        *(void **) &real = dlsym(RTLD_NEXT, "rte_free");
    real(p);
}

/*
 * Guards the room a full store that cannot grow gives (dpdk_glue/rx.c's
 * evpl_rx_keep_grow() when rte_malloc_socket() fails: what it still
 * holds, none here): with the store full of packets kept for the ring's
 * queue, a receive on net_null0 without memory for the store takes no
 * packet from the driver and fails nothing (0), in both receives; with
 * memory again it receives, and the kept packets are still whole.
 */
static void
receive_without_memory_for_the_store_takes_nothing(void **state)
{
    enum { N = EVPL_DPDK_RX_BURST_MAX };
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    v[N], back[N];
    struct evpl_dpdk_pkt p[N];
    int                  i, r;

    for (i = 0; i < N; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, 80, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, 80, (unsigned int) i);
        p[i] = (struct evpl_dpdk_pkt) { &v[i], 1 };
    }
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p, N,
                                        EVPL_DPDK_TAKE_REF), N);
    /* No iovec to deliver into: all N kept, the store full. */
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, p, N, back, 0),
                     -1);
    assert_int_equal(errno, ENOSPC);

    store_refused = 0;
    store_nomem   = 1;
    errno         = 0;
    r = evpl_dpdk_rx_burst(evpl, null_port, 0, p, 8, back, N);
    assert_int_equal(r, 0);
    r = evpl_dpdk_rx_burst_flat(evpl, null_port, 0, back, 8, 0);
    assert_int_equal(r, 0);
    store_nomem = 0;
    assert_int_equal(errno, 0);
    assert_int_equal(store_refused, 2);

    r = evpl_dpdk_rx_burst(evpl, null_port, 0, p, 8, back, N);
    assert_int_equal(r, 8);
    for (i = 0; i < r; i++)
        evpl_iovecs_release(evpl, p[i].iov, p[i].niov);
    r = evpl_dpdk_rx_burst(evpl, ring_port, 0, p, N, back, N);
    assert_int_equal(r, N);
    for (i = 0; i < N; i++) {
        assert_int_equal(p[i].niov, 1);
        assert_true(evpl_test_check(p[i].iov[0].data, 80, (unsigned int) i));
    }
    evpl_iovecs_release(evpl, back, N);
}

/*
 * The kept-packet store grows each time it is full and another queue's
 * receive needs room, and gives back each array it outgrows, the last
 * when the context is destroyed: packets kept for three queues (the
 * ring's, net_null0's, net_null1's) make it grow twice, two arrays, both
 * freed, and the first queue's packets come back whole and in order.
 * Guards dpdk_glue/rx.c's evpl_rx_keep_grow() (the new array and its
 * capacity taken; the old one freed unless it is the context's own) and
 * evpl_rx_store_fini()'s free of the last.
 */
static void
store_grows_twice_and_gives_each_array_back(void **state)
{
    enum { N = EVPL_DPDK_RX_BURST_MAX };
    struct evpl         *e = evpl_create(NULL);
    struct evpl_iovec    v[N], back[N];
    struct evpl_dpdk_pkt p[N];
    int                  i;

    (void) state;
    assert_non_null(e);
    for (i = 0; i < N; i++) {
        assert_int_equal(evpl_iovec_alloc(e, 80, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, 80, (unsigned int) i);
        p[i] = (struct evpl_dpdk_pkt) { &v[i], 1 };
    }
    assert_int_equal(evpl_dpdk_tx_burst(e, ring_port, 0, p, N,
                                        EVPL_DPDK_TAKE_REF), N);
    store_allocs = 0;
    store_frees  = 0;
    /* No iovec to deliver into: all N kept, the context's own array full. */
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(e, ring_port, 0, p, N, back, 0), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(store_allocs, 0);
    /* Another queue: room for 8 more, then, past what that gave, for N. */
    assert_int_equal(evpl_dpdk_rx_burst(e, null_port, 0, p, 8, back, 0), -1);
    assert_int_equal(store_allocs, 1);
    assert_int_equal(evpl_dpdk_rx_burst(e, null2_port, 0, p, N, back, 0),
                     -1);
    assert_int_equal(store_allocs, 2);
    assert_int_equal(store_frees, 1);

    assert_int_equal(evpl_dpdk_rx_burst(e, ring_port, 0, p, N, back, N), N);
    for (i = 0; i < N; i++) {
        assert_int_equal(p[i].niov, 1);
        assert_true(evpl_test_check(p[i].iov[0].data, 80, (unsigned int) i));
    }
    evpl_iovecs_release(e, back, N);
    /* The null ports' packets are still kept: destroy frees them. */
    evpl_destroy(e);
    assert_int_equal(store_frees, 2);
}

/*
 * A receive on a queue that its own kept packets hold back asks the
 * driver for nothing, so it must not grow the store either (it did,
 * every such call: an rte_malloc() and an rte_free() per call while the
 * caller's array stayed too small). Held back two ways, with the store
 * full: net_null0's kept packet too big for no iovecs (the general
 * receive), the ring's kept chain (the flat receive, EMSGSIZE).
 * Guards dpdk_glue/rx.c's and rx_flat.c's order: the kept packets'
 * verdict first, the store's room only for a queue that will receive.
 */
static void
held_back_queue_grows_no_store(void **state)
{
    enum { N = EVPL_DPDK_RX_BURST_MAX };
    struct evpl         *e = evpl_create(NULL);
    struct evpl_iovec    v[2 * N];
    struct evpl_dpdk_pkt p[N];
    int                  i, n;

    (void) state;
    assert_non_null(e);
    /* Chains of two indirect segments, which the flat receive leaves. */
    for (i = 0; i < N; i++) {
        struct evpl_iovec base;

        assert_int_equal(evpl_iovec_alloc(e, 2000, 0, 1, 0, &base), 1);
        evpl_iovec_clone_segment(&v[2 * i], &base, 0, 1000);
        evpl_iovec_clone_segment(&v[2 * i + 1], &base, 1000, 1000);
        evpl_iovec_release(e, &base);
        p[i] = (struct evpl_dpdk_pkt) { &v[2 * i], 2 };
    }
    assert_int_equal(evpl_dpdk_tx_burst(e, ring_port, 0, p, N,
                                        EVPL_DPDK_TAKE_REF), N);
    store_allocs = 0;
    store_frees  = 0;
    assert_int_equal(evpl_dpdk_rx_burst(e, ring_port, 0, p, N, v, 0), -1);
    assert_int_equal(evpl_dpdk_rx_burst(e, null_port, 0, p, N, v, 0), -1);
    assert_int_equal(store_allocs, 1); /* full again: 2 * N kept */

    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(e, null_port, 0, p, 8, v, 0), -1);
    assert_int_equal(errno, ENOSPC);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flat(e, ring_port, 0, v, 8, 0), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(store_allocs, 1);
    assert_int_equal(store_frees, 0);

    n = evpl_dpdk_rx_burst(e, ring_port, 0, p, N, v, 2 * N);
    assert_int_equal(n, N);
    for (i = 0; i < n; i++)
        evpl_iovecs_release(e, p[i].iov, p[i].niov);
    evpl_destroy(e);
    assert_int_equal(store_frees, 1);
}

static const struct CMUnitTest cases[] = {
    CASE(one_buffer_at_every_distance_and_place),
    CASE(short_bursts_send_what_fits),
    CASE(slab_range_counts_as_ext_not_indirect),
    CASE(own_packets_behind_a_shared_one_are_counted),
    CASE(stale_enomem_counts_no_failure),
    CASE(burst_stops_at_a_packet_it_cannot_convert),
    CASE(burst_copies_up_to_copy_max_bytes),
    CASE(flat_untaken_global_stays_with_its_owner),
    CASE(flat_receive_grows_the_store),
    CASE(receive_without_memory_for_the_store_takes_nothing),
    CASE(store_grows_twice_and_gives_each_array_back),
    CASE(held_back_queue_grows_no_store),
};

EVPL_TEST_MAIN("tx_engine", cases,
               .eal.vdevs = EVPL_TEST_LIST("net_ring0", "net_null0",
                                           "net_null1"),
               .ports = EVPL_TEST_PORTS(&ring_port, &null_port,
                                        &null2_port),
               .set_up = set_up)
