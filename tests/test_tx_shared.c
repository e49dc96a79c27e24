/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit path for a packet of one shared iovec (dpdk_glue/tx_burst.c):
 * one fresh mbuf, its bytes copied (at most tx_copy_max) or attached, built
 * in one pass with no rte_pktmbuf_reset(); with TAKE_REF the iovec's
 * reference moves into the attached mbuf; a burst takes its fresh mbufs in
 * one get from the pool. Seen where the driver sees them: a TX callback on
 * net_null0 records each packet. Every case runs on LOCAL and SHARED
 * iovecs, with and without TAKE_REF where that matters, and ends with the
 * pools' free counts where they were. The pool that counts its gets also
 * fails one of them for the chain builder's copies (dpdk_glue/tx_chain.c).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "common.h"

static uint16_t null_port, ring_port;

#define SEEN_MAX 64

/* What the callback saw of each packet of the last burst. */
struct seen_pkt {
    struct rte_mbuf *m;
    struct rte_mbuf  head;      /* a copy of the head's fields */
    uint16_t         refcnt;
    uint16_t         under;     /* count of what an attached head holds */
    int              sane;      /* rte_mbuf_check() passed */
    unsigned char    bytes[2048];
    size_t           len;
};

static struct {
    unsigned int    pkts;
    struct seen_pkt p[SEEN_MAX];
} seen;

static uint16_t
capture(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t nb,
        void *arg)
{
    const char *why;
    uint16_t    i;

    RTE_SET_USED(port);
    RTE_SET_USED(queue);
    RTE_SET_USED(arg);
    for (i = 0; i < nb && seen.pkts < SEEN_MAX; i++) {
        struct seen_pkt *s = &seen.p[seen.pkts++];
        struct rte_mbuf *m = pkts[i];

        s->m      = m;
        s->head   = *m;
        s->refcnt = rte_mbuf_refcnt_read(m);
        if (RTE_MBUF_HAS_EXTBUF(m))
            s->under = rte_mbuf_ext_refcnt_read(m->shinfo);
        else if (RTE_MBUF_CLONED(m))
            s->under = rte_mbuf_refcnt_read(rte_mbuf_from_indirect(m));
        s->sane = rte_mbuf_check(m, 1, &why) == 0;
        s->len  = RTE_MIN((size_t) m->data_len, sizeof(s->bytes));
        memcpy(s->bytes, rte_pktmbuf_mtod(m, const void *), s->len);
    }
    return nb;
}

static int
send_burst(struct evpl *evpl, struct evpl_dpdk_pkt *p, uint16_t n,
     unsigned int flags)
{
    memset(&seen, 0, sizeof(seen));
    return evpl_dpdk_tx_burst(evpl, null_port, 0, p, n, flags);
}

static int
send_one(struct evpl *evpl, struct evpl_iovec *v, unsigned int flags)
{
    struct evpl_dpdk_pkt p = { v, 1 };

    return send_burst(evpl, &p, 1, flags);
}

static const unsigned int modes[] = { 0, EVPL_IOVEC_FLAG_SHARED };

/* A buffer of len bytes filled from seed, and a clone of it: the clone is
 * what gets sent, and the buffer's mbuf is then shared. */
static void
shared_pair(struct evpl *evpl, unsigned int len, unsigned int mode,
            unsigned int seed, struct evpl_iovec *base,
            struct evpl_iovec *clone)
{
    assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, mode, base), 1);
    evpl_test_fill(base->data, len, seed);
    evpl_iovec_clone(clone, base);
}

/* Release what shared_pair() made, n times over: the clones too unless
 * TAKE_REF handed them to a burst. */
static void
release_pairs(struct evpl *evpl, struct evpl_iovec *base,
              struct evpl_iovec *clone, unsigned int n, unsigned int take)
{
    unsigned int i;

    for (i = 0; i < n; i++) {
        if (!take)
            evpl_iovec_release(evpl, &clone[i]);
        evpl_iovec_release(evpl, &base[i]);
    }
}

static void
attach_with_take_ref_moves_the_reference(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, c;
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *md;
    unsigned int           k;

    for (k = 0; k < RTE_DIM(modes); k++) {
        shared_pair(evpl, 1500, modes[k], 1, &base, &c);
        md = evpl_test_mbuf(&base);
        evpl_dpdk_stats_reset(evpl);
        assert_int_equal(send_one(evpl, &c, EVPL_DPDK_TAKE_REF), 1);
        assert_int_equal(seen.pkts, 1);
        assert_ptr_not_equal(seen.p[0].m, md);
        assert_int_equal(seen.p[0].head.ol_flags, RTE_MBUF_F_INDIRECT);
        assert_ptr_equal(rte_mbuf_from_indirect(&seen.p[0].head), md);
        /* The base's reference and the clone's, now the indirect mbuf's:
         * none taken, none released. */
        assert_int_equal(seen.p[0].under, 2);
        assert_int_equal(seen.p[0].refcnt, 1);
        assert_true(seen.p[0].sane);
        assert_int_equal(seen.p[0].head.pkt_len, 1500);
        assert_true(evpl_test_check(seen.p[0].bytes, 1500, 1));
        assert_int_equal(rte_mbuf_refcnt_read(md), 1);
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(st.tx_pkts, 1);
        assert_int_equal(st.tx_indirect, 1);
        assert_int_equal(st.tx_copied + st.tx_reused, 0);
        evpl_iovec_release(evpl, &base);
    }
}

static void
attach_without_take_ref_adds_one(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec base, c, before;
    struct rte_mbuf  *md;
    unsigned int      k;

    for (k = 0; k < RTE_DIM(modes); k++) {
        shared_pair(evpl, 1500, modes[k], 2, &base, &c);
        md     = evpl_test_mbuf(&base);
        before = c;
        assert_int_equal(send_one(evpl, &c, 0), 1);
        assert_int_equal(seen.p[0].under, 3);
        assert_true(seen.p[0].sane);
        assert_true(evpl_test_check(seen.p[0].bytes, 1500, 2));
        /* The driver's free gave back the indirect mbuf's one. */
        assert_int_equal(rte_mbuf_refcnt_read(md), 2);
        assert_memory_equal(&c, &before, sizeof(c));
        evpl_iovec_release(evpl, &c);
        evpl_iovec_release(evpl, &base);
    }
}

static void
copy_is_one_fresh_mbuf(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      base, c;
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *md;
    unsigned int           k, take;

    for (k = 0; k < RTE_DIM(modes); k++) {
        for (take = 0; take < 2; take++) {
            shared_pair(evpl, 64, modes[k], 3, &base, &c);
            md = evpl_test_mbuf(&base);
            evpl_dpdk_stats_reset(evpl);
            assert_int_equal(send_one(evpl, &c, take ? EVPL_DPDK_TAKE_REF :
                                      0), 1);
            assert_ptr_not_equal(seen.p[0].m, md);
            assert_true(RTE_MBUF_DIRECT(&seen.p[0].head));
            assert_int_equal(seen.p[0].head.data_off, RTE_PKTMBUF_HEADROOM);
            assert_int_equal(seen.p[0].head.port, RTE_MBUF_PORT_INVALID);
            assert_int_equal(seen.p[0].refcnt, 1);
            assert_true(seen.p[0].sane);
            assert_int_equal(seen.p[0].head.data_len, 64);
            assert_true(evpl_test_check(seen.p[0].bytes, 64, 3));
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_copied, 1);
            assert_int_equal(st.tx_indirect + st.tx_reused, 0);
            /* The copy holds nothing of the buffer: TAKE_REF released the
             * clone's reference, without it the clone still has it. */
            assert_int_equal(rte_mbuf_refcnt_read(md), take ? 1 : 2);
            if (!take)
                evpl_iovec_release(evpl, &c);
            evpl_iovec_release(evpl, &base);
        }
    }
}

/* Free mbufs keep what their last life wrote there: the fresh mbuf of a
 * shared packet is taken without rte_pktmbuf_reset(), so every field a
 * driver reads must be written. */
static void
fresh_mbufs_keep_nothing_of_their_last_life(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec base[2], c[2];
    struct rte_mbuf  *stale[8];
    unsigned int      k, i, take;

    for (k = 0; k < RTE_DIM(modes); k++) {
        for (take = 0; take < 2; take++) {
            shared_pair(evpl, 64, modes[k], 4, &base[0], &c[0]);
            shared_pair(evpl, 1500, modes[k], 5, &base[1], &c[1]);
            /* Dirty the mbufs the next gets return (the cache is LIFO). */
            assert_int_equal(rte_pktmbuf_alloc_bulk(evpl_mempool(evpl),
                                                    stale, RTE_DIM(stale)),
                             0);
            for (i = 0; i < RTE_DIM(stale); i++) {
                stale[i]->ol_flags       = RTE_MBUF_F_TX_IP_CKSUM |
                                           RTE_MBUF_F_TX_VLAN;
                stale[i]->packet_type    = 0x1234;
                stale[i]->vlan_tci       = 7;
                stale[i]->vlan_tci_outer = 9;
                stale[i]->tx_offload     = 0xdead;
                stale[i]->port           = 5;
                stale[i]->data_off       = 3;
                stale[i]->data_len       = 1;
                stale[i]->pkt_len        = 99;
            }
            rte_pktmbuf_free_bulk(stale, RTE_DIM(stale));

            for (i = 0; i < 2; i++) {
                assert_int_equal(send_one(evpl, &c[i], take ?
                                          EVPL_DPDK_TAKE_REF : 0), 1);
                assert_true(seen.p[0].sane);
                assert_int_equal(seen.p[0].head.ol_flags,
                                 i ? RTE_MBUF_F_INDIRECT : 0);
                assert_int_equal(seen.p[0].head.packet_type, 0);
                assert_int_equal(seen.p[0].head.vlan_tci, 0);
                assert_int_equal(seen.p[0].head.vlan_tci_outer, 0);
                assert_int_equal(seen.p[0].head.tx_offload, 0);
                assert_int_equal(seen.p[0].head.nb_segs, 1);
                assert_null(seen.p[0].head.next);
                assert_int_equal(seen.p[0].head.pkt_len, i ? 1500 : 64);
                assert_int_equal(seen.p[0].head.data_len, i ? 1500 : 64);
                assert_true(evpl_test_check(seen.p[0].bytes, i ? 1500 : 64,
                                            4 + i));
                if (!take)
                    evpl_iovec_release(evpl, &c[i]);
                evpl_iovec_release(evpl, &base[i]);
            }
        }
    }
}

/* An iovec on an indirect mbuf (a driver's clone, received): the attached
 * mbuf refers to the direct one, and TAKE_REF gives back the iovec's
 * reference on the indirect one. */
static void
attach_of_an_indirect_mbuf_refers_to_its_direct_one(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct rte_mempool *mp = evpl_mempool(evpl);
    struct evpl_iovec v, c;
    struct rte_mbuf  *md, *mc;
    unsigned int      take;

    for (take = 0; take < 2; take++) {
        md = rte_pktmbuf_alloc(mp);
        assert_non_null(md);
        assert_non_null(rte_pktmbuf_append(md, 1500));
        evpl_test_fill(rte_pktmbuf_mtod(md, void *), 1500, 6);
        mc = rte_pktmbuf_clone(md, mp);
        assert_non_null(mc);
        rte_pktmbuf_free(md); /* the clone's reference keeps it */
        assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, mc, &v, 1), 1);
        evpl_iovec_clone(&c, &v);
        assert_int_equal(rte_mbuf_refcnt_read(mc), 2);

        assert_int_equal(send_one(evpl, &c, take ? EVPL_DPDK_TAKE_REF : 0),
                         1);
        assert_ptr_not_equal(seen.p[0].m, mc);
        assert_ptr_equal(rte_mbuf_from_indirect(&seen.p[0].head), md);
        assert_int_equal(seen.p[0].under, 2); /* mc's and the packet's */
        assert_true(seen.p[0].sane);
        assert_true(evpl_test_check(seen.p[0].bytes, 1500, 6));
        assert_int_equal(rte_mbuf_refcnt_read(md), 1);
        assert_int_equal(rte_mbuf_refcnt_read(mc), take ? 1 : 2);
        if (!take)
            evpl_iovec_release(evpl, &c);
        evpl_iovec_release(evpl, &v);
    }
}

static unsigned int ext_freed;

static void
ext_free(void *addr, void *opaque)
{
    RTE_SET_USED(opaque);
    rte_free(addr);
    ext_freed++;
}

/* An iovec on a driver's external buffer: the attached mbuf shares the
 * buffer's shared info and holds a count there. */
static void
attach_of_an_external_buffer_counts_on_its_shared_info(void **state)
{
    struct evpl                     *evpl = ctx_of(state);
    struct rte_mbuf_ext_shared_info *shinfo;
    struct evpl_iovec                v, c;
    struct rte_mbuf                 *m;
    uint16_t                         len = 4096;
    void                            *buf;
    unsigned int                     take;

    for (take = 0; take < 2; take++) {
        len = 4096;
        buf = rte_malloc(NULL, len, RTE_CACHE_LINE_SIZE);
        assert_non_null(buf);
        shinfo = rte_pktmbuf_ext_shinfo_init_helper(buf, &len, ext_free,
                                                    NULL);
        assert_non_null(shinfo);
        m = rte_pktmbuf_alloc(evpl_mempool(evpl));
        assert_non_null(m);
        rte_pktmbuf_attach_extbuf(m, buf, rte_malloc_virt2iova(buf), len,
                                  shinfo);
        rte_pktmbuf_reset_headroom(m);
        assert_non_null(rte_pktmbuf_append(m, 1500));
        evpl_test_fill(rte_pktmbuf_mtod(m, void *), 1500, 7);
        assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, m, &v, 1), 1);
        evpl_iovec_clone(&c, &v);
        ext_freed = 0;

        assert_int_equal(send_one(evpl, &c, take ? EVPL_DPDK_TAKE_REF : 0),
                         1);
        assert_ptr_not_equal(seen.p[0].m, m);
        assert_ptr_equal(seen.p[0].head.shinfo, shinfo);
        assert_true(RTE_MBUF_HAS_EXTBUF(&seen.p[0].head));
        assert_int_equal(seen.p[0].under, 2); /* m's and the packet's */
        assert_true(seen.p[0].sane);
        assert_true(evpl_test_check(seen.p[0].bytes, 1500, 7));
        assert_int_equal(rte_mbuf_ext_refcnt_read(shinfo), 1);
        assert_int_equal(rte_mbuf_refcnt_read(m), take ? 1 : 2);
        if (!take)
            evpl_iovec_release(evpl, &c);
        assert_int_equal(ext_freed, 0);
        evpl_iovec_release(evpl, &v);
        assert_int_equal(ext_freed, 1);
    }
}

/* A packet of one slab range: a short one is copied like any shared
 * iovec, a longer one attached to the slab (one mbuf per 64 KiB, each
 * holding a count on the slab while the driver has it). */
static void
slab_ranges_copied_or_attached(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_iovec      slab, r, rxiov[4];
    struct evpl_dpdk_pkt   p, rx;
    struct evpl_dpdk_stats st;
    unsigned char         *got;
    struct rte_mbuf       *m;
    const char            *why;
    unsigned int           k, take, len;
    int                    n, spins, j;
    size_t                 at;

    got = malloc(70000);
    assert_non_null(got);
    for (k = 0; k < RTE_DIM(modes); k++) {
        for (take = 0; take < 2; take++) {
            assert_int_equal(evpl_iovec_alloc(evpl, 131072, 0, 1, modes[k],
                                              &slab), 1);
            evpl_test_fill(slab.data, 131072, 11);

            /* Copied: the packet holds nothing of the slab. */
            evpl_iovec_clone_segment(&r, &slab, 1000, 100);
            evpl_dpdk_stats_reset(evpl);
            assert_int_equal(send_one(evpl, &r, take ? EVPL_DPDK_TAKE_REF :
                                      0), 1);
            assert_true(RTE_MBUF_DIRECT(&seen.p[0].head));
            assert_true(seen.p[0].sane);
            assert_memory_equal(seen.p[0].bytes, (char *) slab.data + 1000,
                                100);
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_copied, 1);
            if (!take)
                evpl_iovec_release(evpl, &r);

            /* Attached, one mbuf. */
            evpl_iovec_clone_segment(&r, &slab, 5000, 30000);
            evpl_dpdk_stats_reset(evpl);
            assert_int_equal(send_one(evpl, &r, take ? EVPL_DPDK_TAKE_REF :
                                      0), 1);
            assert_true(RTE_MBUF_HAS_EXTBUF(&seen.p[0].head));
            assert_true(seen.p[0].sane);
            assert_int_equal(seen.p[0].head.pkt_len, 30000);
            assert_memory_equal(seen.p[0].bytes, (char *) slab.data + 5000,
                                RTE_MIN(30000u, sizeof(seen.p[0].bytes)));
            /* The driver's free dropped the packet's count. */
            assert_int_equal(seen.p[0].under,
                             rte_mbuf_ext_refcnt_read(seen.p[0].head.shinfo)
                             + 1);
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_ext, 1);
            assert_int_equal(st.tx_segs, 1);
            if (!take)
                evpl_iovec_release(evpl, &r);

            /* Attached, two mbufs: the head says so, and they go through
             * the loopback port whole. */
            len = 70000;
            evpl_iovec_clone_segment(&r, &slab, 7, len);
            m = evpl_dpdk_iovecs_to_mbuf(evpl, &r, 1, 0);
            assert_non_null(m);
            assert_int_equal(m->nb_segs, 2);
            assert_int_equal(m->pkt_len, len);
            assert_int_equal(rte_mbuf_check(m, 1, &why), 0);
            rte_pktmbuf_free(m);
            p = (struct evpl_dpdk_pkt) { &r, 1 };
            evpl_dpdk_stats_reset(evpl);
            assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &p, 1,
                                                take ? EVPL_DPDK_TAKE_REF :
                                                0), 1);
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_ext, 1);
            assert_int_equal(st.tx_segs, 2);
            for (n = 0, spins = 0; n == 0; assert_true(++spins < 1000000))
                n = evpl_dpdk_rx_burst(evpl, ring_port, 0, &rx, 1, rxiov,
                                       RTE_DIM(rxiov));
            assert_int_equal(n, 1);
            for (at = 0, j = 0; j < rx.niov; j++) {
                assert_true(at + rx.iov[j].length <= len);
                memcpy(got + at, rx.iov[j].data, rx.iov[j].length);
                at += rx.iov[j].length;
            }
            assert_int_equal(at, len);
            assert_memory_equal(got, (char *) slab.data + 7, len);
            evpl_iovecs_release(evpl, rx.iov, rx.niov);
            if (!take)
                evpl_iovec_release(evpl, &r);
            evpl_iovec_release(evpl, &slab);
        }
    }
    free(got);
}

/* No mbuf to copy into or attach: the call fails with ENOMEM having
 * changed nothing; a burst stops there and, with TAKE_REF, releases the
 * packets it did not send. */
static void
out_of_mbufs_changes_nothing(void **state)
{
    struct rte_mempool    *mp;
    struct evpl           *evpl;
    struct evpl_iovec      base, c, before, hog[64];
    struct evpl_dpdk_stats st;
    struct rte_mbuf       *md;
    unsigned int           k, len, hogs, take;
    int                    n;

    RTE_SET_USED(state);
    evpl = evpl_test_ctx_on_own_pool("tx_shared_dry", 63, NULL, &mp);
    for (k = 0; k < RTE_DIM(modes); k++) {
        for (len = 64; len <= 1500; len += 1500 - 64) {
            for (take = 0; take < 2; take++) {
                shared_pair(evpl, len, modes[k], 8, &base, &c);
                md = evpl_test_mbuf(&base);
                for (hogs = 0; rte_mempool_avail_count(mp) > 0; hogs++)
                    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0,
                                                      &hog[hogs]), 1);
                evpl_dpdk_stats_reset(evpl);
                before = c;
                errno  = 0;
                assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, &c, 1, take ?
                                                     EVPL_DPDK_TAKE_REF : 0));
                assert_int_equal(errno, ENOMEM);
                assert_memory_equal(&c, &before, sizeof(c));
                assert_int_equal(rte_mbuf_refcnt_read(md), 2);

                n = send_one(evpl, &c, take ? EVPL_DPDK_TAKE_REF : 0);
                assert_int_equal(n, 0);
                assert_int_equal(seen.pkts, 0);
                assert_int_equal(rte_mbuf_refcnt_read(md), take ? 1 : 2);
                evpl_dpdk_stats_get(evpl, &st);
                assert_int_equal(st.tx_nomem, 2);
                assert_int_equal(st.tx_pkts, 0);

                evpl_iovecs_release(evpl, hog, (int) hogs);
                if (!take)
                    evpl_iovec_release(evpl, &c);
                evpl_iovec_release(evpl, &base);
                assert_int_equal(rte_mempool_avail_count(mp), 63);
            }
        }
    }
    evpl_destroy(evpl);
    rte_mempool_free(mp);
}

/* ---- a pool that counts its dequeues ----------------------------------
 * The ring's own operations, each dequeue counted: on a pool without a
 * cache every get is one. */

static unsigned int dequeues;

/* Not 0: the dequeue of that number (counting as dequeues does) fails, as
 * a pool empty for a moment would. */
static unsigned int fail_dequeue;

/* Found once: every operation of the counting pool goes through it. */
static const struct rte_mempool_ops *
ring_ops(void)
{
    static const struct rte_mempool_ops *ring;
    unsigned int                          i;

    for (i = 0; ring == NULL && i < rte_mempool_ops_table.num_ops; i++)
        if (strcmp(rte_mempool_ops_table.ops[i].name, "ring_mp_mc") == 0)
            ring = &rte_mempool_ops_table.ops[i];
    return ring;
}

static int
counting_alloc(struct rte_mempool *mp)
{
    return ring_ops()->alloc(mp);
}

static void
counting_free(struct rte_mempool *mp)
{
    ring_ops()->free(mp);
}

static int
counting_enqueue(struct rte_mempool *mp, void *const *objs, unsigned int n)
{
    return ring_ops()->enqueue(mp, objs, n);
}

static int
counting_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
    if (++dequeues == fail_dequeue)
        return -ENOBUFS;
    return ring_ops()->dequeue(mp, objs, n);
}

static unsigned int
counting_get_count(const struct rte_mempool *mp)
{
    return ring_ops()->get_count(mp);
}

static const struct rte_mempool_ops counting_ops = {
    .name      = "evpl_test_counting",
    .alloc     = counting_alloc,
    .free      = counting_free,
    .enqueue   = counting_enqueue,
    .dequeue   = counting_dequeue,
    .get_count = counting_get_count,
};

RTE_MEMPOOL_REGISTER_OPS(counting_ops);

/* A context on a pool of n mbufs without a cache, whose gets are counted. */
static struct evpl *
counted_ctx(const char *name, unsigned int n, struct rte_mempool **mp)
{
    struct evpl_config cfg;
    struct evpl       *evpl;

    assert_non_null(ring_ops());
    *mp = rte_pktmbuf_pool_create_by_ops(name, n, 0, 0,
                                         RTE_MBUF_DEFAULT_BUF_SIZE,
                                         SOCKET_ID_ANY,
                                         "evpl_test_counting");
    assert_non_null(*mp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = *mp;
    evpl     = evpl_create(&cfg);
    assert_non_null(evpl);
    return evpl;
}

#define BURST 32

static void
burst_takes_its_fresh_mbufs_in_one_get(void **state)
{
    struct rte_mempool  *mp;
    struct evpl         *evpl;
    struct evpl_iovec    base[BURST], c[BURST];
    struct evpl_dpdk_pkt p[BURST];
    unsigned int         k, i, take;

    RTE_SET_USED(state);
    evpl = counted_ctx("tx_shared_count", 255, &mp);
    for (k = 0; k < RTE_DIM(modes); k++) {
        for (take = 0; take < 2; take++) {
            for (i = 0; i < BURST; i++) {
                /* Copied and attached ones, in turn. */
                shared_pair(evpl, i % 2 ? 1500 : 64, modes[k], i, &base[i],
                            &c[i]);
                p[i] = (struct evpl_dpdk_pkt) { &c[i], 1 };
            }
            dequeues = 0;
            assert_int_equal(send_burst(evpl, p, BURST, take ?
                                  EVPL_DPDK_TAKE_REF : 0), BURST);
            assert_int_equal(dequeues, 1);
            assert_int_equal(seen.pkts, BURST);
            for (i = 0; i < BURST; i++) {
                assert_true(seen.p[i].sane);
                assert_true(evpl_test_check(seen.p[i].bytes,
                                            i % 2 ? 1500 : 64, i));
            }
            release_pairs(evpl, base, c, BURST, take);
            assert_int_equal(rte_mempool_avail_count(mp), 255);
        }
    }
    evpl_destroy(evpl);
    rte_mempool_free(mp);
}

/* A burst that stops at a bad packet gives back the fresh mbufs it took
 * for the shared packets after it. */
static void
burst_stopped_early_gives_back_its_spare_mbufs(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct rte_mempool  *mp   = evpl_mempool(evpl);
    struct evpl_iovec    base[4], c[4];
    struct evpl_dpdk_pkt p[5];
    unsigned int         k, i, take, avail;

    for (k = 0; k < RTE_DIM(modes); k++) {
        for (take = 0; take < 2; take++) {
            for (i = 0; i < 4; i++)
                shared_pair(evpl, i % 2 ? 1500 : 64, modes[k], i, &base[i],
                            &c[i]);
            p[0] = (struct evpl_dpdk_pkt) { &c[0], 1 };
            p[1] = (struct evpl_dpdk_pkt) { &c[1], 1 };
            p[2] = (struct evpl_dpdk_pkt) { NULL, 0 };
            p[3] = (struct evpl_dpdk_pkt) { &c[2], 1 };
            p[4] = (struct evpl_dpdk_pkt) { &c[3], 1 };
            avail = rte_mempool_avail_count(mp);
            assert_int_equal(send_burst(evpl, p, 5, take ?
                                        EVPL_DPDK_TAKE_REF : 0), 2);
            assert_int_equal(seen.pkts, 2);
            /* The two sent were freed by the driver; the two taken for the
             * packets after the bad one went back. */
            assert_int_equal(rte_mempool_avail_count(mp), avail);
            /* TAKE_REF: the clones' references went, sent or not. */
            for (i = 0; i < 4; i++)
                assert_int_equal(rte_mbuf_refcnt_read(
                                     evpl_test_mbuf(&base[i])),
                                 take ? 1 : 2);
            release_pairs(evpl, base, c, 4, take);
        }
    }
}

/* A burst short of mbufs for a single get of them all asks per packet,
 * sends what it could build and stops at the first it could not. */
static void
burst_short_of_mbufs_sends_what_it_can(void **state)
{
    struct rte_mempool    *mp;
    struct evpl           *evpl;
    struct evpl_iovec      base[8], c[8], hog[64];
    struct evpl_dpdk_pkt   p[8];
    struct evpl_dpdk_stats st;
    unsigned int           k, i, hogs, take;

    RTE_SET_USED(state);
    evpl = counted_ctx("tx_shared_short", 63, &mp);
    for (k = 0; k < RTE_DIM(modes); k++) {
        for (take = 0; take < 2; take++) {
            for (i = 0; i < 8; i++) {
                shared_pair(evpl, i % 2 ? 1500 : 64, modes[k], i, &base[i],
                            &c[i]);
                p[i] = (struct evpl_dpdk_pkt) { &c[i], 1 };
            }
            /* Leave 3 mbufs free. */
            for (hogs = 0; rte_mempool_avail_count(mp) > 3; hogs++)
                assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0,
                                                  &hog[hogs]), 1);
            evpl_dpdk_stats_reset(evpl);
            assert_int_equal(send_burst(evpl, p, 8, take ?
                                        EVPL_DPDK_TAKE_REF : 0), 3);
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_nomem, 1);
            assert_int_equal(st.tx_pkts, 3);
            for (i = 0; i < 3; i++)
                assert_true(evpl_test_check(seen.p[i].bytes,
                                            i % 2 ? 1500 : 64, i));
            for (i = 0; i < 8; i++)
                assert_int_equal(rte_mbuf_refcnt_read(
                                     evpl_test_mbuf(&base[i])),
                                 take ? 1 : 2);
            release_pairs(evpl, base, c, 8, take);
            evpl_iovecs_release(evpl, hog, (int) hogs);
            assert_int_equal(rte_mempool_avail_count(mp), 63);
        }
    }
    evpl_destroy(evpl);
    rte_mempool_free(mp);
}

/*
 * A small copy waiting in front of an attached range fails the packet with
 * ENOMEM, the iovecs as they came, when the pool has no mbuf for it at
 * that moment, even though it has one again for the range's indirect mbuf
 * right after: the copy's bytes belong in front of the range, nowhere
 * else. Guards evpl_tx_build()'s "goto nomem" after the flush before an
 * indirect segment (dpdk_glue/tx_chain.c): without it the build goes on
 * and puts the copy behind the range, in the next own mbuf's headroom.
 */
static void
pending_copy_without_an_mbuf_fails_before_an_attached_range(void **state)
{
    struct rte_mempool *mp;
    struct evpl        *evpl;
    struct evpl_iovec   base, pkt[3], before[3];
    uint16_t            base_ref;

    RTE_SET_USED(state);
    evpl = counted_ctx("tx_shared_flush", 63, &mp);
    assert_int_equal(evpl_iovec_alloc(evpl, 2000, 0, 1, 0, &base), 1);
    evpl_iovec_clone_segment(&pkt[0], &base, 0, 10);
    evpl_iovec_clone_segment(&pkt[1], &base, 100, 1500);
    assert_int_equal(evpl_iovec_alloc(evpl, 500, 0, 1, 0, &pkt[2]), 1);
    memcpy(before, pkt, sizeof(pkt));
    base_ref = rte_mbuf_refcnt_read(evpl_test_mbuf(&base));

    dequeues     = 0;
    fail_dequeue = 1;
    errno        = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 3, 0));
    fail_dequeue = 0;
    assert_int_equal(errno, ENOMEM);
    /* Nothing asked for after the copy's mbuf. */
    assert_int_equal(dequeues, 1);
    assert_memory_equal(pkt, before, sizeof(pkt));
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&base)), base_ref);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&pkt[2])), 1);
    assert_int_equal(rte_mempool_avail_count(mp), 61);

    evpl_iovecs_release(evpl, pkt, 3);
    evpl_iovec_release(evpl, &base);
    assert_int_equal(rte_mempool_avail_count(mp), 63);
    evpl_destroy(evpl);
    rte_mempool_free(mp);
}

/* Shared packets, copied and attached, among exclusive ones and chains,
 * through net_ring0 and back: each arrives whole and in order. */
static void
mixed_burst_round_trips(void **state)
{
    enum { N = 40 };
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    base[N], v[2 * N], rxiov[4 * N];
    struct evpl_dpdk_pkt p[N], rx[N];
    unsigned char        want[N][2048], one[4096];
    size_t               wlen[N], len;
    unsigned int         k, i, take, niv, kind, mode;
    int                  got, r, spins, j;

    for (k = 0; k < RTE_DIM(modes); k++) {
        mode = modes[k];
        for (take = 0; take < 2; take++) {
            for (i = 0, niv = 0; i < N; i++) {
                kind         = i % 4;
                p[i].iov     = &v[niv];
                p[i].niov    = 1;
                base[i].data = NULL;
                switch (kind) {
                case 0: /* shared, copied */
                    shared_pair(evpl, 1 + 5 * i, mode, i, &base[i], &v[niv]);
                    break;
                case 1: /* shared, attached */
                    shared_pair(evpl, 600 + 37 * i, mode, i, &base[i],
                                &v[niv]);
                    break;
                case 2: /* an exclusive header before a shared payload */
                    assert_int_equal(evpl_iovec_alloc(evpl, 14, 0, 1, mode,
                                                      &v[niv]), 1);
                    evpl_test_fill(v[niv].data, 14, 100 + i);
                    shared_pair(evpl, 700, mode, i, &base[i], &v[niv + 1]);
                    p[i].niov = 2;
                    break;
                default: /* exclusive */
                    assert_int_equal(evpl_iovec_alloc(evpl, 50 + i, 0, 1,
                                                      mode, &v[niv]), 1);
                    evpl_test_fill(v[niv].data, 50 + i, i);
                    break;
                }
                for (wlen[i] = 0, j = 0; j < p[i].niov; j++) {
                    memcpy(want[i] + wlen[i], p[i].iov[j].data,
                           p[i].iov[j].length);
                    wlen[i] += p[i].iov[j].length;
                }
                niv += (unsigned int) p[i].niov;
            }
            assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p, N,
                                                take ? EVPL_DPDK_TAKE_REF :
                                                0), N);
            for (got = 0, spins = 0; got < N; got += r) {
                r = evpl_dpdk_rx_burst(evpl, ring_port, 0, &rx[got],
                                       (uint16_t) (N - got), rxiov,
                                       RTE_DIM(rxiov));
                assert_true(r >= 0 && ++spins < 1000000);
                for (i = (unsigned int) got; i < (unsigned int) (got + r);
                     i++) {
                    for (len = 0, j = 0; j < rx[i].niov; j++) {
                        memcpy(one + len, rx[i].iov[j].data,
                               rx[i].iov[j].length);
                        len += rx[i].iov[j].length;
                    }
                    assert_int_equal(len, wlen[i]);
                    assert_memory_equal(one, want[i], len);
                    evpl_iovecs_release(evpl, rx[i].iov, rx[i].niov);
                }
            }
            for (i = 0; i < N; i++) {
                if (!take)
                    evpl_iovecs_release(evpl, p[i].iov, p[i].niov);
                if (base[i].data != NULL)
                    evpl_iovec_release(evpl, &base[i]);
            }
        }
    }
}

static const struct CMUnitTest cases[] = {
    CASE(attach_with_take_ref_moves_the_reference),
    CASE(attach_without_take_ref_adds_one),
    CASE(copy_is_one_fresh_mbuf),
    CASE(fresh_mbufs_keep_nothing_of_their_last_life),
    CASE(attach_of_an_indirect_mbuf_refers_to_its_direct_one),
    CASE(attach_of_an_external_buffer_counts_on_its_shared_info),
    CASE(slab_ranges_copied_or_attached),
    CASE(out_of_mbufs_changes_nothing),
    CASE(burst_takes_its_fresh_mbufs_in_one_get),
    CASE(burst_stopped_early_gives_back_its_spare_mbufs),
    CASE(burst_short_of_mbufs_sends_what_it_can),
    CASE(pending_copy_without_an_mbuf_fails_before_an_attached_range),
    CASE(mixed_burst_round_trips),
};

static int
set_up(void)
{
    return rte_eth_add_tx_callback(null_port, 0, capture, NULL) != NULL ?
           0 : -1;
}

EVPL_TEST_MAIN("tx_shared", cases,
               .eal.vdevs = EVPL_TEST_LIST("net_null0", "net_ring0"),
               .ports = EVPL_TEST_PORTS(&null_port, &ring_port),
               .set_up = set_up)
