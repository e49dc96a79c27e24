/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Packets of one shared iovec, in one pass (the rest of a packet of one
 * iovec is tx_burst.c's): one fresh mbuf, taken straight from the mempool
 * (in one get per burst chunk), gets the bytes copied (at most
 * tx_copy_max) or is attached to them; a packet of one slab range goes
 * straight to tx_ext.c. Anything odder goes to the chain builder.
 */

#include <stddef.h>

#include <rte_memcpy.h>

#include "tx.h"

/*
 * Whether a packet of the one iovec v, which evpl_tx_single() turned down,
 * takes the shared path: bytes few enough to copy (a slab range's too), or
 * in an mbuf that is not a pinned external buffer, which cannot be
 * attached to (the chain builder linearises it). A longer slab range goes
 * by evpl_tx_slab_one().
 */
static __rte_always_inline int
evpl_tx_shared_ok(
    const struct evpl       *evpl,
    const struct evpl_iovec *v)
{
    if (v->length <= evpl->tx_copy_max)
        return v->length != 0;
    return !evpl_iovec_on_slab_(v) &&
           !evpl_mbuf_pinned(evpl_iovec_mbuf_(v));
}

/* Whether it is a shared packet: a slab's, or an mbuf's others hold. */
static __rte_always_inline int
evpl_tx_is_shared(
    const struct evpl       *evpl,
    const struct evpl_iovec *v)
{
    return evpl_tx_shared_ok(evpl, v) &&
           (evpl_iovec_on_slab_(v) ||
            rte_mbuf_refcnt_read(evpl_iovec_mbuf_(v)) != 1);
}

/*
 * A packet of one slab range longer than tx_copy_max: its mbufs attached by
 * tx_ext.c, each holding a count on the slab, with none of the chain
 * builder's set-up. Whether it fits the port: one mbuf per 64 KiB.
 */
static __rte_always_inline int
evpl_tx_slab_ok(
    const struct evpl_iovec   *v,
    const struct evpl_tx_caps *caps)
{
    return evpl_iovec_on_slab_(v) && v->length != 0 &&
           evpl_tx_ext_segs(v->length) <=
           RTE_MIN((unsigned int) caps->max_segs, EVPL_DPDK_MAX_SEGS);
}

/* The packet, or NULL with errno ENOMEM, counted, having changed nothing.
 * With TAKE_REF v's reference goes once its mbufs hold their own. */
static __rte_always_inline struct rte_mbuf *
evpl_tx_slab_one(
    const char        *call,
    struct evpl       *evpl,
    struct evpl_iovec *v,
    unsigned int       flags)
{
    struct rte_mbuf *head, *tail;

    if (unlikely(evpl_tx_ext_attach(evpl, call, v, &head, &tail) < 0)) {
        evpl->stats.tx_nomem++;
        evpl_fail(ENOMEM);
        return NULL;
    }
    head->nb_segs = (uint16_t) evpl_tx_ext_segs(v->length);
    head->pkt_len = v->length;
    if (flags & EVPL_DPDK_TAKE_REF) {
        evpl_iovec_put_taken_(v);
#ifdef EVPL_IOVEC_TRACE
        evpl_tx_trace_taken(v, 1);
#endif
    }
    return head;
}

/*
 * A shared packet of the one iovec v goes, in one pass, into a fresh mbuf:
 * its bytes copied when they are at most tx_copy_max (which fits behind a
 * fresh mbuf's headroom), else the mbuf attached to them. The attach's
 * reference is settled first, before any mbuf is taken, so that a count
 * at 65535 aborts having changed nothing: with TAKE_REF and v's mbuf
 * direct, v's own reference simply becomes the attached mbuf's (what an
 * indirect mbuf holds on its direct one is just such a reference);
 * otherwise one is taken, and with TAKE_REF v's released at the end.
 */
struct evpl_tx_shared {
    uint16_t *cnt; /* the count taken here; NULL when none was */
    int       put; /* v's own reference is released once mi is built */
};

static __rte_always_inline struct evpl_tx_shared
evpl_tx_shared_begin(
    const char              *call,
    const struct evpl       *evpl,
    const struct evpl_iovec *v,
    unsigned int             flags)
{
    struct evpl_tx_shared s = {
        .cnt = NULL, .put = (flags & EVPL_DPDK_TAKE_REF) != 0,
    };

    if (v->length > evpl->tx_copy_max) {
        if (s.put && RTE_MBUF_DIRECT(evpl_iovec_mbuf_(v)))
            s.put = 0;
        else
            s.cnt = evpl_tx_ref_take(call, v);
    }
    return s;
}

/* No mbuf came: give back what evpl_tx_shared_begin() took. */
static __rte_always_inline void
evpl_tx_shared_abandon(
    const struct evpl_iovec    *v,
    const struct evpl_tx_shared s)
{
    if (s.cnt != NULL)
        evpl_tx_ref_drop(v, s.cnt);
}

/*
 * Build the packet in mi, an mbuf straight from the context's pool: a
 * pool's free mbufs all hold refcnt 1, next NULL and nb_segs 1, so only
 * what else a transmit reads is written, each field once, with no
 * rte_pktmbuf_reset() first. Returns 1 for a copy, 0 for an attach.
 */
static __rte_always_inline int
evpl_tx_shared_end(
    const struct evpl          *evpl,
    struct evpl_iovec          *v,
    struct rte_mbuf            *mi,
    const struct evpl_tx_shared s,
    unsigned int                flags)
{
    uint32_t len  = v->length;
    int      copy = len <= evpl->tx_copy_max;

    RTE_SET_USED(flags);
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, nb_segs) !=
                     offsetof(struct rte_mbuf, data_off) + 4 ||
                     offsetof(struct rte_mbuf, port) !=
                     offsetof(struct rte_mbuf, data_off) + 6);
    if (copy) {
        rte_memcpy((char *) mi->buf_addr + evpl->headroom, v->data, len);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
        /* data_off, refcnt 1, nb_segs 1 and port as a reset leaves them. */
        *(evpl_u64_alias *) &mi->data_off =
            evpl->headroom | UINT64_C(1) << 16 | UINT64_C(1) << 32 |
            (uint64_t) RTE_MBUF_PORT_INVALID << 48;
#else
        mi->data_off = (uint16_t) evpl->headroom;
        mi->port     = RTE_MBUF_PORT_INVALID;
#endif
        mi->ol_flags &= RTE_MBUF_F_EXTERNAL;
    } else {
        evpl_tx_attach(mi, v);
    }
    evpl_tx_set_len(mi, len);
    /* Last: the release may be the one that frees v's mbuf. */
    if (s.put)
        evpl_iovec_put_taken_(v);
#ifdef EVPL_IOVEC_TRACE
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(v, 1);
#endif
    return copy;
}

/*
 * The shared packets of one iovec among pkts[from..n), bit i for pkts[i],
 * and their fresh mbufs in one get from the context's cache: how many are
 * in spare, 0 when the pool cannot give them all (each packet then asks
 * for its own). A packet whose mbuf becomes exclusive meanwhile (another
 * lcore released its reference) is still sent correctly by the shared
 * path, only not as cheaply.
 */
static unsigned int
evpl_tx_spares(
    struct evpl                *evpl,
    const struct evpl_dpdk_pkt *pkts,
    unsigned int                from,
    unsigned int                n,
    struct rte_mbuf           **spare,
    uint64_t                   *shared)
{
    const struct evpl_iovec *v;
    unsigned int             i, want = 0;
    uint64_t                 mask = 0;

    RTE_BUILD_BUG_ON(EVPL_TX_CHUNK > 64);
    for (i = from; i < n; i++) {
        v = pkts[i].iov;
        if (pkts[i].niov == 1 && v != NULL && evpl_tx_is_shared(evpl, v)) {
            mask |= UINT64_C(1) << i;
            want++;
        }
    }
    *shared = mask;
    if (want == 0 || rte_mempool_generic_get(evpl->pool, (void **) spare,
                                             want, evpl->cache) < 0)
        return 0;
    return want;
}

/*
 * evpl_dpdk_iovecs_to_mbuf() of a packet of one iovec that
 * evpl_tx_single() turned down: shared, a slab range, or odd (the chain
 * builder's). Out of line, so that the common packet's path keeps no
 * stack frame and saves no register.
 */
__rte_noinline struct rte_mbuf *
evpl_tx_one_other(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    unsigned int       flags)
{
    static const char     call[] = "evpl_dpdk_iovecs_to_mbuf";
    struct evpl_tx_shared s;
    struct rte_mbuf      *m;
    int                   copied;

    if (evpl_tx_shared_ok(evpl, iov)) {
        s = evpl_tx_shared_begin(call, evpl, iov, flags);
        if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) &m, 1,
                                             evpl->cache) < 0)) {
            evpl_tx_shared_abandon(iov, s);
            evpl->stats.tx_nomem++;
            evpl_fail(ENOMEM);
            return NULL;
        }
        copied = evpl_tx_shared_end(evpl, iov, m, s, flags);
        evpl_tx_count(evpl, 1, 1, 0, !copied, copied, 0);
        return m;
    }
    if (evpl_tx_slab_ok(iov, &evpl_tx_caps_any)) {
        m = evpl_tx_slab_one(call, evpl, iov, flags);
        if (m != NULL)
            evpl_tx_count(evpl, 1, m->nb_segs, 0, 1, 0, 0);
        return m;
    }
    return evpl_tx_convert(call, evpl, iov, 1, flags, &evpl_tx_caps_any);
}

/*
 * The packets of a chunk past its common ones, pkts[conv..want): shared
 * packets of one iovec in one pass, their fresh mbufs from one get; the
 * others as evpl_dpdk_iovecs_to_mbuf() would convert them. Chains go to
 * chains[]; returns the index of the first packet that could not be
 * converted (want when all were). Out of line, so that the spares' frame
 * is not the common burst's.
 */
__rte_noinline uint16_t
evpl_tx_rest(
    struct evpl                *evpl,
    const struct evpl_dpdk_pkt *pkts,
    uint16_t                    conv,
    uint16_t                    want,
    struct rte_mbuf           **chains,
    unsigned int                flags,
    const struct evpl_tx_caps  *caps,
    struct evpl_tx_tally       *t)
{
    static const char call[] = "evpl_dpdk_tx_burst";
    struct rte_mbuf  *spare[EVPL_TX_CHUNK];
    unsigned int      nspare, used = 0;
    uint64_t          shared;
    int               c;

    nspare = evpl_tx_spares(evpl, pkts, conv, want, spare, &shared);
    for (; conv < want; conv++) {
        const struct evpl_dpdk_pkt *p = &pkts[conv];

        if (shared & (UINT64_C(1) << conv)) {
            struct evpl_tx_shared s;

#ifdef EVPL_IOVEC_TRACE
            evpl_trace_check_(call, p->iov);
#endif
            s = evpl_tx_shared_begin(call, evpl, p->iov, flags);
            if (used < nspare) {
                chains[conv] = spare[used++];
            } else if (unlikely(rte_mempool_generic_get(
                           evpl->pool, (void **) &chains[conv], 1,
                           evpl->cache) < 0)) {
                evpl_tx_shared_abandon(p->iov, s);
                evpl->stats.tx_nomem++;
                evpl_fail(ENOMEM);
                break;
            }
            c            = evpl_tx_shared_end(evpl, p->iov, chains[conv], s,
                                              flags);
            t->copied   += (unsigned int) c;
            t->indirect += (unsigned int) !c;
            continue;
        }
        if (unlikely(p->iov == NULL || p->niov < 1))
            break;
        if (p->niov == 1) {
            chains[conv] = evpl_tx_single(call, p->iov, evpl_tx_refs(flags),
                                          flags);
            if (chains[conv] != NULL) {
                t->single++;
                continue;
            }
            if (evpl_tx_slab_ok(p->iov, caps)) {
                chains[conv] = evpl_tx_slab_one(call, evpl, p->iov, flags);
                if (unlikely(chains[conv] == NULL))
                    break;
                t->indirect++;
                t->extsegs += chains[conv]->nb_segs - 1u;
                continue;
            }
        }
        chains[conv] = evpl_tx_convert(call, evpl, p->iov, p->niov, flags,
                                       caps);
        if (unlikely(chains[conv] == NULL))
            break;
    }
    /* A packet that could not be converted leaves the spares of the
     * shared ones after it: untouched, they go straight back. */
    if (unlikely(used < nspare))
        rte_mempool_generic_put(evpl->pool, (void **) &spare[used],
                                nspare - used, evpl->cache);
    return conv;
}
