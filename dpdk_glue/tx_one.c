/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The burst loop's step for packets that are not the common one
 * (evpl_tx_rest()), and for a burst of one (evpl_tx_one()); both build a
 * packet of one iovec with evpl_tx_one_build(), for each fate
 * evpl_tx_pkt_fate() gives it but the chain builder's: its own mbuf
 * (evpl_tx_own()), one fresh mbuf that its bytes are copied into or that
 * is attached to them, or a slab range's attached mbufs (tx_ext.h).
 */

#include "tx_loop.h"

/*
 * A COPY or ATTACH packet, in mi, or, if mi is NULL, in a fresh mbuf taken
 * here, the attach's reference settled first (evpl_tx_attach_ref()); with
 * TAKE_REF a reference that does not become the packet's is given up
 * once the packet is built, last, since that may free v's mbuf.
 */
static __rte_always_inline struct rte_mbuf *
evpl_tx_fresh(
    const char             *call,
    struct evpl            *evpl,
    struct evpl_iovec      *v,
    enum evpl_tx_fate       f,
    struct rte_mbuf        *mi,
    unsigned int            flags,
    struct evpl_dpdk_stats *c)
{
    uint16_t *cnt = NULL;
    int       put = (flags & EVPL_DPDK_TAKE_REF) != 0;

    if (f == EVPL_TX_ATTACH) {
        cnt = evpl_tx_attach_ref(call, v, flags);
        put = put && cnt != NULL;
    }
    if (mi == NULL &&
        unlikely(rte_mempool_generic_get(evpl->pool, (void **) &mi, 1,
                                         evpl->cache) < 0)) {
        if (cnt != NULL)
            evpl_tx_ref_drop(v, cnt);
        evpl_fail(ENOMEM);
        return NULL;
    }
    c->tx_pkts += 1;
    c->tx_segs += 1;
    if (evpl_tx_fresh_build(evpl, v, f, mi))
        c->tx_copied++;
    else
        c->tx_indirect++;
    if (put)
        evpl_iovec_put_taken_(v);
#ifdef EVPL_IOVEC_TRACE
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(v, 1);
#endif
    return mi;
}

/* A slab range's packet: its mbufs attached (tx_ext.h), each one count on
 * the slab: with TAKE_REF one of them v's own, moved (a GLOBAL iovec's
 * stays its owner's: they take their own). */
static __rte_always_inline struct rte_mbuf *
evpl_tx_ext_pkt(
    const char        *call,
    struct evpl       *evpl,
    struct evpl_iovec *v,
    unsigned int       flags)
{
    struct rte_mbuf *head;
    int              move = evpl_tx_ref_moves(v, flags);
    unsigned int     n    = evpl_tx_ext_segs(v->length);

    head = evpl_tx_ext_attach(evpl, call, v, n, move);
    if (unlikely(head == NULL)) {
        evpl_fail(ENOMEM);
        return NULL;
    }
    head->nb_segs = (uint16_t) n;
    head->pkt_len = v->length;
    /* With TAKE_REF v's reference moved, or v is GLOBAL, whose reference
     * stays its owner's: nothing to give up. */
#ifdef EVPL_IOVEC_TRACE
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(v, 1);
#endif
    return head;
}

/* evpl_tx_ext_pkt() out of line, for the burst loop's step: inlined
 * there, its registers and stack would cost the step's other packets. */
static __rte_noinline struct rte_mbuf *
evpl_tx_ext_pkt_call(
    const char        *call,
    struct evpl       *evpl,
    struct evpl_iovec *v,
    unsigned int       flags)
{
    return evpl_tx_ext_pkt(call, evpl, v, flags);
}

/*
 * The packet of niov iovecs at iov, of fate f (evpl_tx_pkt_fate()): a
 * CHAIN by the chain builder (which counts it), any other by the builder
 * of a packet of one iovec, for COPY and ATTACH in mi (NULL: an mbuf taken
 * for it), added to c: the caller's tally, or the context's counters. NULL
 * with errno and rte_errno set, the iovecs untouched. ext_inline, a
 * constant: a slab range's packet built inline (a burst of one) or by a
 * call (the burst loop's step).
 */
static __rte_always_inline struct rte_mbuf *
evpl_tx_one_build(
    const char                *call,
    struct evpl               *evpl,
    struct evpl_iovec         *iov,
    int                        niov,
    enum evpl_tx_fate          f,
    struct rte_mbuf           *mi,
    unsigned int               flags,
    const struct evpl_tx_caps *caps,
    struct evpl_dpdk_stats    *c,
    const int                  ext_inline)
{
    struct rte_mbuf *m;

    switch (f) {
    case EVPL_TX_CHAIN:
        return evpl_tx_chain(call, evpl, iov, niov, flags, caps);
    case EVPL_TX_OWN:
        /* Nobody else holds the mbuf: nobody can make it shared since
         * evpl_tx_pkt_fate() looked. */
        m = evpl_tx_own_build(iov, iov->length, evpl_tx_own_refs(flags));
        c->tx_pkts   += 1;
        c->tx_segs   += 1;
        c->tx_reused += 1;
#ifdef EVPL_IOVEC_TRACE
        if (flags & EVPL_DPDK_TAKE_REF)
            evpl_tx_trace_taken(iov, 1);
#endif
        return m;
    case EVPL_TX_EXT:
        m = ext_inline ? evpl_tx_ext_pkt(call, evpl, iov, flags) :
            evpl_tx_ext_pkt_call(call, evpl, iov, flags);
        if (likely(m != NULL)) {
            c->tx_pkts += 1;
            c->tx_segs += m->nb_segs;
            c->tx_ext  += 1;
        }
        return m;
    default:
        return evpl_tx_fresh(call, evpl, iov, f, mi, flags, c);
    }
}

__rte_noinline struct rte_mbuf *
evpl_tx_one(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    unsigned int       flags)
{
    /* One packet: counted straight into the context's counters. */
    struct evpl_glue *g = evpl_glue(evpl);
    struct rte_mbuf  *m;

    m = evpl_tx_one_build("evpl_dpdk_iovecs_to_mbuf", evpl, iov, 1,
                          evpl_tx_pkt_fate(g->tx_copy_max, &evpl_tx_caps_any,
                                           iov, 1, EVPL_TX_NOT_OWN),
                          NULL, flags, &evpl_tx_caps_any, &g->stats, 1);
    if (unlikely(m == NULL) && rte_errno == ENOMEM)
        evpl_glue_count(g, &(struct evpl_dpdk_stats) { .tx_nomem = 1 });
    return m;
}

/*
 * The packets among [from, n) of the chunk at that become one fresh mbuf
 * each (COPY, ATTACH), bit i for packet at + i, and their mbufs in one get
 * from the context's cache: how many are in spare, 0 when the pool cannot
 * give them all (each packet then asks for its own). A packet whose mbuf
 * becomes exclusive meanwhile (another lcore released its reference) is
 * still sent correctly, only not as cheaply.
 */
static __rte_always_inline unsigned int
evpl_tx_spares(
    struct evpl              *evpl,
    const struct evpl_tx_src *src,
    enum evpl_tx_shape        shape,
    unsigned int              at,
    unsigned int              from,
    unsigned int              n,
    struct rte_mbuf         **spare,
    uint64_t                 *fresh)
{
    const uint32_t     copy_max = evpl_glue(evpl)->tx_copy_max;
    struct evpl_iovec *v;
    enum evpl_tx_fate  f;
    unsigned int       i, want = 0;
    uint64_t           mask = 0;
    int                niov, j;

    RTE_BUILD_BUG_ON(EVPL_TX_CHUNK > EVPL_TX_MASK_BITS);
    for (i = from; i < n; i++) {
        /* Conversion stops at a packet of no iovec. */
        niov = evpl_tx_src_pkt(src, shape, at + i, &v);
        if (niov == 0)
            break;
        /* Trace builds: each iovec live, before any mbuf is taken. */
        for (j = 0; j < niov; j++)
            EVPL_TRACE_CHECK_(evpl_tx_call(shape), &v[j]);
        if (niov != 1)
            continue;
        f = evpl_tx_pkt_fate(copy_max, &evpl_tx_caps_any, v, 1,
                             EVPL_TX_ALL_RULES);
        if (f == EVPL_TX_COPY || f == EVPL_TX_ATTACH) {
            mask |= UINT64_C(1) << i;
            want++;
        }
    }
    *fresh = mask;
    if (want == 0 || rte_mempool_generic_get(evpl->pool, (void **) spare,
                                             want, evpl->cache) < 0)
        return 0;
    return want;
}

/* evpl_tx_rest() for src of the constant shape. */
static __rte_always_inline unsigned int
evpl_tx_rest_(
    struct evpl               *evpl,
    const struct evpl_tx_src  *src,
    enum evpl_tx_shape         shape,
    unsigned int               at,
    unsigned int               conv,
    unsigned int               want,
    struct rte_mbuf          **out,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    const char            *call     = evpl_tx_call(shape);
    const uint32_t         copy_max = evpl_glue(evpl)->tx_copy_max;
    struct evpl_dpdk_stats c        = { 0 };
    struct rte_mbuf       *spare[EVPL_TX_CHUNK], *m, *mi;
    struct evpl_iovec     *v;
    unsigned int           nspare, used = 0;
    uint64_t               fresh, bit;
    int                    niov;

    nspare = evpl_tx_spares(evpl, src, shape, at, conv, want, spare, &fresh);
    for (; conv < want; conv++) {
        niov = evpl_tx_src_pkt(src, shape, at + conv, &v);
        if (unlikely(niov == 0)) {
            evpl_fail(EINVAL);
            break;
        }
        bit = UINT64_C(1) << conv;
        if (fresh & bit) {
            /* Its fate as the spares' pass found it: only another lcore
             * can have changed its count since, and only down. Each fate
             * a constant, so that each build is inlined without the
             * other's tests. */
            mi = used < nspare ? spare[used++] : NULL;
            if (v->length <= copy_max)
                m = evpl_tx_fresh(call, evpl, v, EVPL_TX_COPY, mi, flags,
                                  &c);
            else
                m = evpl_tx_fresh(call, evpl, v, EVPL_TX_ATTACH, mi, flags,
                                  &c);
        } else
            m = evpl_tx_one_build(call, evpl, v, niov,
                                  evpl_tx_pkt_fate(copy_max, caps, v, niov,
                                                   EVPL_TX_ALL_RULES),
                                  NULL, flags, caps, &c, 0);
        if (unlikely(m == NULL)) {
            /* The spares of the packets after this one must not starve
             * it: back they go, and it is tried again, as converted
             * alone. */
            if (rte_errno == ENOMEM && used < nspare) {
                rte_mempool_generic_put(evpl->pool, (void **) &spare[used],
                                        nspare - used, evpl->cache);
                nspare = used;
                conv--;
                continue;
            }
            c.tx_nomem = rte_errno == ENOMEM;
            break;
        }
        out[conv] = m;
    }
    /* Stopped early: the spares of the packets never converted go back. */
    if (unlikely(used < nspare))
        rte_mempool_generic_put(evpl->pool, (void **) &spare[used],
                                nspare - used, evpl->cache);
    evpl_glue_count(evpl_glue(evpl), &c);
    return conv;
}

__rte_noinline unsigned int
evpl_tx_rest(
    struct evpl               *evpl,
    const struct evpl_tx_src  *src,
    unsigned int               at,
    unsigned int               conv,
    unsigned int               want,
    struct rte_mbuf          **out,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    /* A copy nothing else can write: its fields stay in registers across
     * the calls of the loop. */
    const struct evpl_tx_src s = *src;

    if (s.shape == EVPL_TX_FLAT)
        return evpl_tx_rest_(evpl, &s, EVPL_TX_FLAT, at, conv, want, out,
                             flags, caps);
    return evpl_tx_rest_(evpl, &s, EVPL_TX_PKTS, at, conv, want, out, flags,
                         caps);
}
