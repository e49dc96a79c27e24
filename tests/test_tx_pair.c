/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The composed packet, a header in front of one range: the chain
 * builder's first step (dpdk_glue/tx_compose.c, evpl_tx_pair()) builds it
 * from the builders of a packet of one iovec, and a slab range sent with
 * TAKE_REF hands its own reference to its mbufs instead of taking a new
 * one and releasing its own (evpl_slab_att_get(move)), in that step, in a
 * packet of one range and as the last piece of a general chain; which
 * packets of two iovecs that step takes, and which it leaves to the
 * general build. Each case sends through a loopback (net_ring0, or
 * net_ring1, a port of chains of two segments) or converts with
 * evpl_dpdk_iovecs_to_mbuf(), and checks the packet (its bytes, or its
 * segments), what the context counted, and the reference counts of every
 * buffer while the packet is out and after it is freed; every case ends
 * with the mbufs and the slabs back where they were.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "common.h"
#include "slab_sets.h"

static uint16_t ring_port, two_port;

#define HDR_LEN   42u    /* at most tx_copy_max: copied when shared */
#define SEG_LEN   1200u  /* one mbuf, above tx_copy_max */
#define SLAB_LEN  131072u
#define RX_IOV    8

/*
 * This program defines rte_eth_dev_info_get(): an executable's definition
 * interposes on the library's call through its PLT. For net_ring1 it
 * reports chains of at most two segments (tx_desc_lim's nb_seg_max and
 * nb_mtu_seg_max 2), as a NIC may, so that the library learns max_segs 2
 * for that port (dpdk_glue/port.c); any other port is answered as DPDK
 * answers.
 */
int
rte_eth_dev_info_get(uint16_t port_id, struct rte_eth_dev_info *info)
{
    static int (*real)(uint16_t, struct rte_eth_dev_info *);
    char       name[RTE_ETH_NAME_MAX_LEN];
    int        ret;

    if (real == NULL)
        *(void **) &real = dlsym(RTLD_NEXT, "rte_eth_dev_info_get");
    ret = real(port_id, info);
    if (ret == 0 && rte_eth_dev_get_name_by_port(port_id, name) == 0 &&
        strcmp(name, "net_ring1") == 0) {
        info->tx_desc_lim.nb_seg_max     = 2;
        info->tx_desc_lim.nb_mtu_seg_max = 2;
    }
    return ret;
}

/* What the header is. */
enum hdr_kind {
    HDR_OWN,  /* its own mbuf: reused */
    HDR_COPY, /* a clone of a kept buffer: copied */
};

/* What the range is. */
enum rng_kind {
    RNG_OWN,    /* its own mbuf: reused */
    RNG_ATTACH, /* a clone of a kept mbuf: an indirect mbuf */
    RNG_EXT,    /* 30000 bytes of a kept slab: one attached mbuf */
    RNG_EXT2,   /* 70000 bytes of a kept slab: two attached mbufs */
    RNG_GLOBAL, /* 70000 bytes borrowed from a GLOBAL slab: attached */
};

/* One piece of a packet: what is sent, and the buffer the case keeps
 * behind a clone (keep.private_data NULL when the piece is its own). */
struct piece {
    struct evpl_iovec send, keep;
    unsigned int      len, seed;
};

/* Slabs in use once the context carves a slab for ranges, as it keeps
 * one once it has carved (docs/architecture.md, "Slabs"). */
static unsigned int
slabs_in_use_warm(struct evpl *evpl)
{
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(evpl, SLAB_LEN, 0, 1, 0, &v), 1);
    evpl_iovec_release(evpl, &v);
    return evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE, 0);
}

/* The count that holds a piece's bytes: its slab's, or its mbuf's. */
static unsigned int
held(const struct evpl_iovec *v)
{
    if (evpl_dpdk_iovec_is_slab(v))
        return evpl_iovec_slab_(v)->shinfo.refcnt;
    return rte_mbuf_refcnt_read(evpl_test_mbuf(v));
}

static void
make_header(struct evpl *evpl, enum hdr_kind k, struct piece *p)
{
    memset(p, 0, sizeof(*p));
    p->len  = HDR_LEN;
    p->seed = 1;
    if (k == HDR_OWN) {
        assert_int_equal(evpl_iovec_alloc(evpl, HDR_LEN, 8, 1, 0, &p->send),
                         1);
        evpl_test_fill(p->send.data, HDR_LEN, p->seed);
        return;
    }
    assert_int_equal(evpl_iovec_alloc(evpl, HDR_LEN, 8, 1, 0, &p->keep), 1);
    evpl_test_fill(p->keep.data, HDR_LEN, p->seed);
    evpl_iovec_clone(&p->send, &p->keep);
}

static void
make_range(struct evpl *evpl, enum rng_kind k, struct piece *p)
{
    unsigned int at = 0;

    memset(p, 0, sizeof(*p));
    p->seed = 2;
    switch (k) {
    case RNG_OWN:
        p->len = SEG_LEN;
        assert_int_equal(evpl_iovec_alloc(evpl, SEG_LEN, 0, 1, 0, &p->send),
                         1);
        evpl_test_fill(p->send.data, SEG_LEN, p->seed);
        return;
    case RNG_ATTACH:
        p->len = SEG_LEN;
        assert_int_equal(evpl_iovec_alloc(evpl, SEG_LEN, 0, 1, 0, &p->keep),
                         1);
        break;
    case RNG_EXT:
    case RNG_EXT2:
        p->len = k == RNG_EXT ? 30000 : 70000;
        at     = 5000;
        assert_int_equal(evpl_iovec_alloc(evpl, SLAB_LEN, 0, 1, 0, &p->keep),
                         1);
        assert_true(evpl_dpdk_iovec_is_slab(&p->keep));
        break;
    case RNG_GLOBAL:
        p->len = 70000;
        at     = 4096;
        assert_int_equal(evpl_iovec_alloc_global(evpl, &p->keep), 1);
        break;
    }
    evpl_test_fill((char *) p->keep.data + at, p->len, p->seed);
    evpl_iovec_clone_segment(&p->send, &p->keep, at, p->len);
}

/* The count behind a piece that the case watches: the kept buffer's, or
 * the piece's own. */
static const struct evpl_iovec *
watched(const struct piece *p)
{
    return p->keep.private_data != NULL ? &p->keep : &p->send;
}

/* Make a slab range's slab look taken by another process, whose mbufs
 * count on it through a shared info of their own (src/slab_attach.c), or
 * (on 0) this process's again; other ranges are left alone. */
static void
range_elsewhere(const struct piece *p, int on)
{
    if (p->keep.private_data != NULL && evpl_dpdk_iovec_is_slab(&p->keep))
        evpl_test_slab_taken_elsewhere(&p->keep, on);
}

/* What the count behind range piece rk gains while its packet of segs
 * range mbufs is out: an indirect mbuf's one; on a slab this process
 * took, one per mbuf (they count on the slab's own shared info); on one
 * another process took, one for all (a shared info of their own); less
 * the reference TAKE_REF moved in. */
static unsigned int
range_out(unsigned int rk, unsigned int segs, unsigned int moved,
          int elsewhere)
{
    if (rk == RNG_ATTACH || elsewhere)
        return !moved;
    return segs - moved;
}

/* Receive the one packet on the loopback port and check its bytes: the
 * header's, then the range's. The iovecs are released. */
static void
receive_and_check(struct evpl *evpl, uint16_t port, const struct piece *h,
                  const struct piece *r)
{
    static unsigned char got[HDR_LEN + 70000];
    struct evpl_iovec    rx[RX_IOV];
    struct evpl_dpdk_pkt pkt;
    size_t               at = 0;
    int                  n = 0, spins = 0, j;

    while (n == 0) {
        n = evpl_dpdk_rx_burst(evpl, port, 0, &pkt, 1, rx, RX_IOV);
        assert_true(++spins < 1000000);
    }
    assert_int_equal(n, 1);
    for (j = 0; j < pkt.niov; j++) {
        assert_true(at + pkt.iov[j].length <= sizeof(got));
        memcpy(got + at, pkt.iov[j].data, pkt.iov[j].length);
        at += pkt.iov[j].length;
    }
    assert_int_equal(at, h->len + r->len);
    assert_true(evpl_test_check(got, h->len, h->seed));
    assert_true(evpl_test_check(got + h->len, r->len, r->seed));
    evpl_iovecs_release(evpl, pkt.iov, pkt.niov);
}

/* The pieces' own iovecs, unless TAKE_REF handed them over; the kept
 * buffers. */
static void
release_pieces(struct evpl *evpl, struct piece *p, int n, int take)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!take)
            evpl_iovec_release(evpl, &p[i].send);
        if (p[i].keep.private_data != NULL)
            evpl_iovec_release(evpl, &p[i].keep);
    }
}

/*
 * Every header with every range, with TAKE_REF and without: the bytes
 * arrive, the counters say what each piece became, and while the packet
 * is out each buffer holds what it must: a reused mbuf 1 with TAKE_REF
 * and 2 without; a copied header's buffer nothing more; an attached range
 * one count more without TAKE_REF and none with (the clone's own became
 * the packet's), a GLOBAL slab's borrow one more either way (a borrow has
 * none to give: guards evpl_tx_ref_moves()). A slab range counts so where
 * another process took its slab (its mbufs share a shared info of their
 * own); where this process did, each of its mbufs is one count on the
 * slab (guards the slab's own shared info, src/slab_attach.c). Once the
 * packet is freed every count is where it was, less the clones TAKE_REF
 * handed over.
 */
static void
header_and_range_round_trip(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    unsigned int           slabs = slabs_in_use_warm(evpl);
    struct evpl_dpdk_stats st;
    struct evpl_dpdk_pkt   pkt;
    struct evpl_iovec      iov[2];
    struct piece           p[2];
    unsigned int           hk, rk, take, bh, br, segs, moved;
    int                    ew;

    for (ew = 0; ew < 2; ew++)
    for (hk = HDR_OWN; hk <= HDR_COPY; hk++) {
        for (rk = RNG_OWN; rk <= RNG_GLOBAL; rk++) {
            /* A copied header in front of its own mbuf is copied into
             * that mbuf's headroom: one segment, not this shape. */
            if (hk == HDR_COPY && rk == RNG_OWN)
                continue;
            if (ew && rk < RNG_EXT)
                continue;
            for (take = 0; take < 2; take++) {
                make_header(evpl, hk, &p[0]);
                make_range(evpl, rk, &p[1]);
                range_elsewhere(&p[1], ew);
                bh     = held(watched(&p[0]));
                br     = held(watched(&p[1]));
                iov[0] = p[0].send;
                iov[1] = p[1].send;
                pkt    = (struct evpl_dpdk_pkt) { iov, 2 };
                evpl_dpdk_stats_reset(evpl);
                assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &pkt,
                                                    1,
                                                    take ? EVPL_DPDK_TAKE_REF :
                                                    0), 1);

                segs = rk == RNG_EXT2 || rk == RNG_GLOBAL ? 2 : 1;
                evpl_dpdk_stats_get(evpl, &st);
                assert_int_equal(st.tx_pkts, 1);
                assert_int_equal(st.tx_segs, 1 + segs);
                assert_int_equal(st.tx_reused,
                                 (hk == HDR_OWN) + (rk == RNG_OWN));
                assert_int_equal(st.tx_copied, hk == HDR_COPY);
                assert_int_equal(st.tx_indirect, rk == RNG_ATTACH);
                assert_int_equal(st.tx_ext,
                                 rk == RNG_EXT || rk == RNG_EXT2 ||
                                 rk == RNG_GLOBAL);

                /* Out, in the ring. */
                if (hk == HDR_OWN)
                    assert_int_equal(held(watched(&p[0])), take ? 1 : 2);
                else
                    assert_int_equal(held(watched(&p[0])), bh - take);
                moved = take && rk != RNG_GLOBAL;
                if (rk == RNG_OWN)
                    assert_int_equal(held(watched(&p[1])), take ? 1 : 2);
                else
                    assert_int_equal(held(watched(&p[1])),
                                     br + range_out(rk, segs, moved, ew));

                receive_and_check(evpl, ring_port, &p[0], &p[1]);
                if (hk == HDR_COPY)
                    assert_int_equal(held(watched(&p[0])), bh - take);
                if (rk != RNG_OWN)
                    assert_int_equal(held(watched(&p[1])), br - moved);
                range_elsewhere(&p[1], 0);
                release_pieces(evpl, p, 2, take);
                assert_int_equal(evpl_test_slabs_in_use(
                                     EVPL_DPDK_DEFAULT_SLAB_SIZE, 0), slabs);
            }
        }
    }
}

/* The packet iov, n iovecs, of pieces p is not sent: NULL with ENOMEM,
 * and the counts behind its first two pieces still bh and br. */
static void
assert_not_sent(
    struct evpl        *evpl,
    struct evpl_iovec  *iov,
    int                 n,
    unsigned int        take,
    const struct piece *p,
    unsigned int        bh,
    unsigned int        br)
{
    errno = 0;
    assert_null(evpl_dpdk_iovecs_to_mbuf(evpl, iov, n, take ?
                                         EVPL_DPDK_TAKE_REF : 0));
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(held(watched(&p[0])), bh);
    assert_int_equal(held(watched(&p[1])), br);
}

/*
 * A composed packet whose mbufs are not all to be had: NULL with ENOMEM,
 * every count as it was (the range's count taken, or its reference moved,
 * back where it came from: guards the order of evpl_tx_pair(), the
 * references first, then every mbuf in one get, and evpl_slab_att_unget()),
 * the mbufs it did take back in the pool; the same packet goes once
 * mbufs are back.
 */
static void
header_and_range_out_of_mbufs_changes_nothing(void **state)
{
    enum { POOL_N = 24 };
    static const struct {
        enum hdr_kind h;
        enum rng_kind r;
        unsigned int  need; /* fresh mbufs */
    } shapes[] = {
        { HDR_COPY, RNG_ATTACH, 2 },
        { HDR_COPY, RNG_EXT2, 3 },
        { HDR_OWN, RNG_EXT2, 2 },
        { HDR_OWN, RNG_ATTACH, 1 },
    };
    struct rte_mempool *mp;
    struct rte_mbuf    *hold[POOL_N], *m;
    struct evpl        *e;
    struct evpl_iovec   iov[2];
    struct piece        p[2];
    const char         *why;
    unsigned int        s, take, bh, br, nhold, k, slabs;

    (void) state;
    slabs = evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE, 0);
    e     = evpl_test_ctx_on_own_pool("pair_nomem", POOL_N, NULL, &mp);
    for (s = 0; s < RTE_DIM(shapes); s++) {
        for (take = 0; take < 2; take++) {
            make_header(e, shapes[s].h, &p[0]);
            make_range(e, shapes[s].r, &p[1]);
            bh    = held(watched(&p[0]));
            br    = held(watched(&p[1]));
            nhold = rte_mempool_avail_count(mp) - (shapes[s].need - 1);
            for (k = 0; k < nhold; k++)
                assert_non_null(hold[k] = rte_pktmbuf_alloc(mp));
            iov[0] = p[0].send;
            iov[1] = p[1].send;
            assert_not_sent(e, iov, 2, take, p, bh, br);
            assert_int_equal(rte_mempool_avail_count(mp),
                             shapes[s].need - 1);
            for (k = 0; k < nhold; k++)
                rte_pktmbuf_free(hold[k]);

            assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(
                                e, iov, 2, take ? EVPL_DPDK_TAKE_REF : 0));
            assert_int_equal(m->pkt_len, p[0].len + p[1].len);
            assert_int_equal(m->nb_segs,
                             shapes[s].r == RNG_EXT2 ? 3 : 2);
            assert_int_equal(rte_mbuf_check(m, 1, &why), 0);
            rte_pktmbuf_free(m);
            release_pieces(e, p, 2, take);
        }
    }
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
    assert_int_equal(evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE, 0),
                     slabs);
}

/*
 * A composed packet whose range finds no shared info (taken here by hand:
 * sends alone never empty their pool, src/slab_attach.c): NULL with
 * ENOMEM, with TAKE_REF and without, every count as it was and no mbuf
 * taken. Guards the error evpl_slab_att_get_slow() sets, which
 * evpl_tx_pair() hands on as it is, and its undo of the range's count.
 */
static void
header_and_range_without_shared_infos_changes_nothing(void **state)
{
    struct evpl        *evpl = ctx_of(state);
    struct rte_mempool *pool = ((struct evpl_test_ctx *) *state)->pool;
    struct rte_mempool *att;
    struct rte_mbuf    *m;
    struct evpl_iovec   iov[2];
    struct piece        p[2];
    void              **taken;
    unsigned int        take, bh, br, n, avail;

    for (take = 0; take < 2; take++) {
        make_header(evpl, HDR_OWN, &p[0]);
        make_range(evpl, RNG_EXT, &p[1]);
        range_elsewhere(&p[1], 1);
        iov[0] = p[0].send;
        iov[1] = p[1].send;
        /* A first send makes the shared infos' pool. */
        assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(evpl, iov, 2, 0));
        rte_pktmbuf_free(m);
        att   = evpl_test_att_pool(pool);
        taken = evpl_test_mempool_take_all(att, &n);
        bh    = held(watched(&p[0]));
        br    = held(watched(&p[1]));
        avail = rte_mempool_avail_count(pool);
        assert_not_sent(evpl, iov, 2, take, p, bh, br);
        assert_int_equal(rte_mempool_avail_count(pool), avail);
        rte_mempool_put_bulk(att, taken, n);
        free(taken);
        range_elsewhere(&p[1], 0);
        release_pieces(evpl, p, 2, 0);
    }
}

/*
 * A slab range as the last piece of a general chain (three pieces: a
 * header, a small copy that goes into the header's tailroom, the range):
 * with TAKE_REF its reference moves into its mbufs (nothing after it can
 * fail), a GLOBAL slab's borrow excepted; without, it takes one. Bytes,
 * counts out and back, as above.
 */
static void
slab_range_last_in_a_chain(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    unsigned int           slabs = slabs_in_use_warm(evpl);
    struct evpl_dpdk_stats st;
    struct evpl_dpdk_pkt   pkt;
    struct evpl_iovec      iov[3], small, small_keep;
    struct piece           p[2];
    unsigned int           rk, take, br, moved;
    int                    ew;

    for (ew = 0; ew < 2; ew++)
    for (rk = RNG_EXT; rk <= RNG_GLOBAL; rk++) {
        for (take = 0; take < 2; take++) {
            make_header(evpl, HDR_OWN, &p[0]);
            make_range(evpl, (enum rng_kind) rk, &p[1]);
            range_elsewhere(&p[1], ew);
            /* The header's last 10 bytes, sent as a piece of their own:
             * the bytes come back as the header's. */
            p[0].send.length = HDR_LEN - 10;
            assert_int_equal(evpl_iovec_alloc(evpl, 10, 0, 1, 0,
                                              &small_keep), 1);
            memcpy(small_keep.data, (char *) p[0].send.data + HDR_LEN - 10,
                   10);
            evpl_iovec_clone(&small, &small_keep);
            br     = held(watched(&p[1]));
            iov[0] = p[0].send;
            iov[1] = small;
            iov[2] = p[1].send;
            pkt    = (struct evpl_dpdk_pkt) { iov, 3 };
            evpl_dpdk_stats_reset(evpl);
            assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &pkt, 1,
                                                take ? EVPL_DPDK_TAKE_REF :
                                                0), 1);
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_reused, 1);
            assert_int_equal(st.tx_copied, 1);
            assert_int_equal(st.tx_ext, 1);
            moved = take && rk != RNG_GLOBAL;
            assert_int_equal(held(watched(&p[1])),
                             br + range_out(rk, rk == RNG_EXT ? 1 : 2, moved,
                                            ew));
            receive_and_check(evpl, ring_port, &p[0], &p[1]);
            assert_int_equal(held(watched(&p[1])), br - moved);
            range_elsewhere(&p[1], 0);
            if (!take)
                evpl_iovec_release(evpl, &small);
            evpl_iovec_release(evpl, &small_keep);
            release_pieces(evpl, p, 2, take);
            assert_int_equal(evpl_test_slabs_in_use(
                                 EVPL_DPDK_DEFAULT_SLAB_SIZE, 0), slabs);
        }
    }
}

/*
 * A slab range that is not the last piece of a chain, before a copy that
 * needs a fresh mbuf when none is left: the chain is undone, and the
 * range's reference was never moved, since what came after it could
 * still fail (guards the last-piece rule of the chain builder's slab
 * attach): every count as it was, with TAKE_REF too.
 */
static void
slab_range_before_a_failing_piece_keeps_its_reference(void **state)
{
    enum { POOL_N = 24 };
    struct rte_mempool *mp;
    struct rte_mbuf    *hold[POOL_N];
    struct evpl        *e;
    struct evpl_iovec   iov[3], small, small_keep;
    struct piece        p[2];
    unsigned int        take, bh, br, nhold, k, slabs;

    (void) state;
    slabs = evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE, 0);
    e     = evpl_test_ctx_on_own_pool("pair_undo", POOL_N, NULL, &mp);
    for (take = 0; take < 2; take++) {
        make_header(e, HDR_OWN, &p[0]);
        make_range(e, RNG_EXT, &p[1]);
        assert_int_equal(evpl_iovec_alloc(e, 10, 0, 1, 0, &small_keep), 1);
        evpl_iovec_clone(&small, &small_keep);
        bh = held(watched(&p[0]));
        br = held(watched(&p[1]));
        /* One mbuf left: the range's; the copy behind it finds none. */
        nhold = rte_mempool_avail_count(mp) - 1;
        for (k = 0; k < nhold; k++)
            assert_non_null(hold[k] = rte_pktmbuf_alloc(mp));
        iov[0] = p[0].send;
        iov[1] = p[1].send;
        iov[2] = small;
        assert_not_sent(e, iov, 3, take, p, bh, br);
        assert_int_equal(held(&small_keep), 2);
        assert_int_equal(rte_mempool_avail_count(mp), 1);
        for (k = 0; k < nhold; k++)
            rte_pktmbuf_free(hold[k]);
        evpl_iovec_release(e, &small);
        evpl_iovec_release(e, &small_keep);
        release_pieces(e, p, 2, 0);
    }
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
    assert_int_equal(evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE, 0),
                     slabs);
}

/* The mbufs free in the pool of the case's context. */
static unsigned int
free_count(void **state)
{
    return rte_mempool_avail_count(((struct evpl_test_ctx *) *state)->pool);
}

/*
 * A packet of two iovecs one of which is empty, each its own mbuf: the
 * empty one is no segment. The packet is the other's mbuf alone, one
 * segment of its bytes; the empty one's mbuf is untouched without
 * TAKE_REF, and given up with it (back in the pool once the packet is).
 * Guards evpl_tx_pair()'s refusal of an empty piece
 * (dpdk_glue/tx_compose.c), which leaves the packet to the general build,
 * which skips empty iovecs: built as a pair, the empty piece would be an
 * empty segment, the header's mbuf the head of two.
 */
static void
empty_piece_of_a_pair_is_no_segment(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats st;
    struct evpl_iovec      iov[2];
    struct rte_mbuf       *m, *want, *empty;
    unsigned int           free0, e, take;

    for (e = 0; e < 2; e++) {
        for (take = 0; take < 2; take++) {
            free0 = free_count(state);
            assert_int_equal(evpl_iovec_alloc(evpl, HDR_LEN, 8, 1, 0, &iov[0]),
                             1);
            assert_int_equal(evpl_iovec_alloc(evpl, SEG_LEN, 0, 1, 0, &iov[1]),
                             1);
            iov[e].length = 0;
            want          = evpl_test_mbuf(&iov[!e]);
            empty         = evpl_test_mbuf(&iov[e]);
            evpl_dpdk_stats_reset(evpl);
            m = evpl_dpdk_iovecs_to_mbuf(evpl, iov, 2,
                                         take ? EVPL_DPDK_TAKE_REF : 0);
            assert_ptr_equal(m, want);
            assert_int_equal(m->nb_segs, 1);
            assert_null(m->next);
            assert_ptr_equal(rte_pktmbuf_mtod(m, void *), iov[!e].data);
            assert_int_equal(m->data_len, iov[!e].length);
            assert_int_equal(m->pkt_len, iov[!e].length);
            assert_int_equal(rte_mbuf_refcnt_read(m), take ? 1 : 2);
            evpl_dpdk_stats_get(evpl, &st);
            assert_int_equal(st.tx_segs, 1);
            assert_int_equal(st.tx_reused, 1);
            if (take) {
                assert_int_equal(free_count(state), free0 - 1);
            } else {
                assert_int_equal(rte_mbuf_refcnt_read(empty), 1);
                assert_int_equal(free_count(state), free0 - 2);
            }
            rte_pktmbuf_free(m);
            if (!take)
                evpl_iovecs_release(evpl, iov, 2);
            assert_int_equal(free_count(state), free0);
        }
    }
}

/*
 * A pair of own pieces on a context whose pool has no lcore cache: two
 * segments, the pieces' own mbufs, none taken from the pool. Guards the
 * "nfresh > 0" of evpl_tx_pair() (dpdk_glue/tx_compose.c): a get of no
 * mbuf at all goes past the absent cache to the pool's ring, whose bulk
 * dequeue of none reports failure, and the packet would fail with ENOMEM.
 */
static void
pair_of_own_pieces_takes_no_mbuf(void **state)
{
    enum { POOL_N = 8 };
    struct rte_mempool *mp;
    struct rte_mbuf    *m;
    struct evpl        *e;
    struct evpl_iovec   iov[2];
    unsigned int        take, avail;

    (void) state;
    e = evpl_test_ctx_on_own_pool("pair_own", POOL_N, NULL, &mp);
    for (take = 0; take < 2; take++) {
        assert_int_equal(evpl_iovec_alloc(e, HDR_LEN, 8, 1, 0, &iov[0]), 1);
        assert_int_equal(evpl_iovec_alloc(e, SEG_LEN, 0, 1, 0, &iov[1]), 1);
        avail = rte_mempool_avail_count(mp);
        m     = evpl_dpdk_iovecs_to_mbuf(e, iov, 2,
                                         take ? EVPL_DPDK_TAKE_REF : 0);
        assert_ptr_equal(m, evpl_test_mbuf(&iov[0]));
        assert_ptr_equal(m->next, evpl_test_mbuf(&iov[1]));
        assert_int_equal(m->nb_segs, 2);
        assert_int_equal(m->pkt_len, HDR_LEN + SEG_LEN);
        assert_int_equal(rte_mempool_avail_count(mp), avail);
        rte_pktmbuf_free(m);
        if (!take)
            evpl_iovecs_release(e, iov, 2);
    }
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* Clones of keep until the count behind it (held()) is at its limit,
 * 65535; how many in *n, for evpl_iovecs_release(). */
static struct evpl_iovec *
clones_to_the_limit(struct evpl_iovec *keep, int *n)
{
    struct evpl_iovec *c = calloc(UINT16_MAX, sizeof(*c));

    assert_non_null(c);
    for (*n = 0; held(keep) < UINT16_MAX; (*n)++)
        evpl_iovec_clone(&c[*n], keep);
    return c;
}

/*
 * A composed packet whose range's count is at its limit, 65535, sent with
 * TAKE_REF behind either header, the range an indirect mbuf's or a slab's:
 * it goes, the range's reference moved into its segment, so the count
 * stays 65535 while the packet is out and is one less once it is freed.
 * Guards two things of evpl_tx_pair() (dpdk_glue/tx_compose.c): that it,
 * not the general build, takes these shapes (the general build takes a
 * reference for an indirect segment before giving the clone's up, and
 * aborts here); and the move of a slab range's reference
 * (evpl_tx_ref_moves()), without which it takes one more and aborts.
 */
static void
range_at_the_count_limit_goes_with_take_ref(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    unsigned int       slabs = slabs_in_use_warm(evpl);
    struct evpl_iovec  iov[2], *c;
    struct piece       p[2];
    struct rte_mbuf   *m;
    unsigned int       hk, bh;
    int                r, n;
    static const enum rng_kind rks[] = { RNG_ATTACH, RNG_EXT };

    for (hk = HDR_OWN; hk <= HDR_COPY; hk++) {
        for (r = 0; r < (int) RTE_DIM(rks); r++) {
            make_header(evpl, (enum hdr_kind) hk, &p[0]);
            make_range(evpl, rks[r], &p[1]);
            c      = clones_to_the_limit(&p[1].keep, &n);
            bh     = held(watched(&p[0]));
            iov[0] = p[0].send;
            iov[1] = p[1].send;
            m      = evpl_dpdk_iovecs_to_mbuf(evpl, iov, 2, EVPL_DPDK_TAKE_REF);
            assert_non_null(m);
            assert_int_equal(m->nb_segs, 2);
            assert_int_equal(m->pkt_len, p[0].len + p[1].len);
            assert_int_equal(held(&p[1].keep), UINT16_MAX);
            assert_int_equal(held(watched(&p[0])),
                             hk == HDR_OWN ? 1 : bh - 1);
            rte_pktmbuf_free(m);
            assert_int_equal(held(&p[1].keep), UINT16_MAX - 1);
            evpl_iovecs_release(evpl, c, n);
            free(c);
            release_pieces(evpl, p, 2, 1);
            assert_int_equal(evpl_test_slabs_in_use(
                                 EVPL_DPDK_DEFAULT_SLAB_SIZE, 0), slabs);
        }
    }
}

/*
 * On a port whose chains have at most two segments (net_ring1, as this
 * program's rte_eth_dev_info_get() reports it: a packet of three own
 * pieces is linearised there), a header and an indirect range, two
 * segments, are still built as a pair: sent with TAKE_REF behind either
 * header, a range at its count limit, 65535, goes, its reference moved,
 * and the packet arrives. Guards the segment bound of evpl_tx_pair()
 * (dpdk_glue/tx_compose.c), segs + 1 against the port's max_segs: a pair
 * that fits exactly is the pair build's, not the general build's, which
 * takes a reference for the indirect segment first and would abort here.
 */
static void
pair_that_fits_the_port_exactly_is_a_pair(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats st;
    struct evpl_dpdk_pkt   pkt;
    struct evpl_iovec      iov[3], *c;
    struct piece           p[2];
    unsigned int           hk, bh, k;
    int                    n;

    for (k = 0; k < 3; k++)
        assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &iov[k]), 1);
    pkt = (struct evpl_dpdk_pkt) { iov, 3 };
    evpl_dpdk_stats_reset(evpl);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, two_port, 0, &pkt, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_linearized, 1);
    for (k = 0; evpl_dpdk_rx_burst(evpl, two_port, 0, &pkt, 1, iov, 3) == 0;
         k++)
        assert_true(k < 1000000);
    evpl_iovecs_release(evpl, pkt.iov, pkt.niov);

    for (hk = HDR_OWN; hk <= HDR_COPY; hk++) {
        make_header(evpl, (enum hdr_kind) hk, &p[0]);
        make_range(evpl, RNG_ATTACH, &p[1]);
        c      = clones_to_the_limit(&p[1].keep, &n);
        bh     = held(watched(&p[0]));
        iov[0] = p[0].send;
        iov[1] = p[1].send;
        pkt    = (struct evpl_dpdk_pkt) { iov, 2 };
        evpl_dpdk_stats_reset(evpl);
        assert_int_equal(evpl_dpdk_tx_burst(evpl, two_port, 0, &pkt, 1,
                                            EVPL_DPDK_TAKE_REF), 1);
        evpl_dpdk_stats_get(evpl, &st);
        assert_int_equal(st.tx_segs, 2);
        assert_int_equal(st.tx_indirect, 1);
        assert_int_equal(held(&p[1].keep), UINT16_MAX);
        receive_and_check(evpl, two_port, &p[0], &p[1]);
        assert_int_equal(held(&p[1].keep), UINT16_MAX - 1);
        if (hk == HDR_COPY)
            assert_int_equal(held(watched(&p[0])), bh - 1);
        evpl_iovecs_release(evpl, c, n);
        free(c);
        release_pieces(evpl, p, 2, 1);
    }
}

/*
 * Linearised for net_ring1 (chains of at most two segments) into a pool
 * whose data room is one byte past the headroom: the head keeps its
 * headroom and carries one byte, the second segment a whole data room, so
 * that 1 + room bytes go, in two segments, and one byte more is refused
 * (EMSGSIZE, nothing sent) before anything is copied. Guards the head's
 * share of evpl_tx_linear_room() (dpdk_glue/tx_linear.c, "first != 0"):
 * counting the head as a whole data room lets 2 * room bytes through,
 * and the packet leaves in three segments on a port of two. The packet's
 * three pieces (more than the port's two segments: linearised) come from
 * the program's context, the first held twice so that it cannot be
 * gathered into.
 */
static void
linearised_head_of_one_byte_counts_one(void **state)
{
    const uint16_t         room = RTE_PKTMBUF_HEADROOM + 1;
    struct evpl           *evpl = ctx_of(state);
    struct evpl_config     cfg;
    struct evpl_dpdk_stats st;
    struct evpl_dpdk_pkt   pkt;
    struct evpl_iovec      iov[3], keep, back[3];
    struct rte_mempool    *mp;
    struct evpl           *e;
    unsigned char          want[2 * (RTE_PKTMBUF_HEADROOM + 1)];
    unsigned int           len, k, at;
    int                    i;

    mp = rte_pktmbuf_pool_create("pair_room1", 63, 0, 0, room,
                                 SOCKET_ID_ANY);
    assert_non_null(mp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = mp;
    assert_non_null(e = evpl_create(&cfg));
    for (len = 1u + room; len <= 2u + room; len++) {
        for (k = 0, at = 0; k < 3; k++) {
            unsigned int l = k < 2 ? 50 : len - 100;

            assert_int_equal(evpl_iovec_alloc(evpl, l, 0, 1, 0, &iov[k]), 1);
            evpl_test_fill(iov[k].data, l, len + k);
            memcpy(want + at, iov[k].data, l);
            at += l;
        }
        evpl_iovec_clone(&keep, &iov[0]);
        pkt = (struct evpl_dpdk_pkt) { iov, 3 };
        evpl_dpdk_stats_reset(e);
        errno = 0;
        if (len == 1u + room) {
            assert_int_equal(evpl_dpdk_tx_burst(e, two_port, 0, &pkt, 1, 0),
                             1);
            evpl_dpdk_stats_get(e, &st);
            assert_int_equal(st.tx_linearized, 1);
            assert_int_equal(st.tx_segs, 2);
            for (k = 0; (i = evpl_dpdk_rx_burst(e, two_port, 0, &pkt, 1,
                                                back, 3)) == 0; k++)
                assert_true(k < 1000000);
            assert_int_equal(i, 1);
            assert_int_equal(pkt.niov, 2);
            assert_int_equal(pkt.iov[0].length, 1);
            assert_int_equal(pkt.iov[1].length, room);
            assert_memory_equal(pkt.iov[0].data, want, 1);
            assert_memory_equal(pkt.iov[1].data, want + 1, room);
            assert_int_equal((char *) pkt.iov[0].data -
                             (char *) evpl_test_mbuf(&pkt.iov[0])->buf_addr,
                             RTE_PKTMBUF_HEADROOM);
            evpl_iovecs_release(e, pkt.iov, pkt.niov);
        } else {
            assert_int_equal(evpl_dpdk_tx_burst(e, two_port, 0, &pkt, 1, 0),
                             0);
            evpl_dpdk_stats_get(e, &st);
            assert_int_equal(st.tx_linearized, 0);
            assert_int_equal(st.tx_segs, 0);
            assert_int_equal(evpl_dpdk_rx_burst(e, two_port, 0, &pkt, 1,
                                                back, 3), 0);
        }
        evpl_iovec_release(evpl, &keep);
        evpl_iovecs_release(evpl, iov, 3);
    }
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/*
 * A packet of several iovecs converted when rte_errno still holds an
 * earlier ENOMEM: the conversion succeeds and counts no failure for want
 * of mbufs. Guards the "m == NULL &&" of evpl_tx_chain_one()
 * (dpdk_glue/tx_compose.c): rte_errno is only an error's when the call
 * failed.
 */
static void
stale_enomem_counts_no_failure(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats st;
    struct evpl_iovec      iov[2];
    struct rte_mbuf       *m;

    assert_int_equal(evpl_iovec_alloc(evpl, HDR_LEN, 8, 1, 0, &iov[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, SEG_LEN, 0, 1, 0, &iov[1]), 1);
    evpl_dpdk_stats_reset(evpl);
    rte_errno = ENOMEM;
    m         = evpl_dpdk_iovecs_to_mbuf(evpl, iov, 2, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    evpl_dpdk_stats_get(evpl, &st);
    assert_int_equal(st.tx_pkts, 1);
    assert_int_equal(st.tx_nomem, 0);
    rte_pktmbuf_free(m);
}

static const struct CMUnitTest cases[] = {
    CASE(header_and_range_round_trip),
    CASE(header_and_range_out_of_mbufs_changes_nothing),
    CASE(header_and_range_without_shared_infos_changes_nothing),
    CASE(slab_range_last_in_a_chain),
    CASE(slab_range_before_a_failing_piece_keeps_its_reference),
    CASE(empty_piece_of_a_pair_is_no_segment),
    CASE(pair_of_own_pieces_takes_no_mbuf),
    CASE(range_at_the_count_limit_goes_with_take_ref),
    CASE(pair_that_fits_the_port_exactly_is_a_pair),
    CASE(stale_enomem_counts_no_failure),
    CASE(linearised_head_of_one_byte_counts_one),
};

EVPL_TEST_MAIN("tx_pair", cases,
               .eal.vdevs = EVPL_TEST_LIST("net_ring0", "net_ring1"),
               .ports = EVPL_TEST_PORTS(&ring_port, &two_port))
