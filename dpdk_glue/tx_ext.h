/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit of slab iovecs by reference. Glue-private.
 *
 * A range of a slab becomes mbufs attached to it as
 * rte_pktmbuf_attach_extbuf() attaches, each holding a count on the slab
 * through a shared info (evpl_slab_att_get(), src/slab_attach.c), so the
 * slab goes back to its pool only when the last iovec and the last sent
 * mbuf have dropped it.
 *
 * An mbuf describes at most 65535 bytes (buf_len and data_len are 16
 * bits), so a longer range is split. A slab is IOVA-contiguous
 * (slab_pool.c), so no range needs splitting for its IOVA.
 */

#ifndef EVPL_TX_EXT_H
#define EVPL_TX_EXT_H

#include <rte_mbuf.h>

#include <evpl/evpl.h>

#include "glue.h"
#include "mbuf_words.h"

/* Most bytes one attached mbuf describes: its lengths are 16 bits. */
#define EVPL_TX_EXT_SEG_MAX 65535u

/* Segments a slab range of length bytes becomes. */
static inline unsigned int
evpl_tx_ext_segs(unsigned int length)
{
    return (length + EVPL_TX_EXT_SEG_MAX - 1) / EVPL_TX_EXT_SEG_MAX;
}

/*
 * m, fresh from a pool (refcnt 1, as every free mbuf of a pool holds),
 * attached to the len bytes at p (IOVA iova) of a slab through sh: each
 * field that rte_pktmbuf_reset() and then rte_pktmbuf_attach_extbuf()
 * would leave written once, data_len and pkt_len len, next NULL.
 */
static __rte_always_inline void
evpl_tx_ext_seg(
    struct rte_mbuf                 *m,
    char                            *p,
    rte_iova_t                       iova,
    uint32_t                         len,
    struct rte_mbuf_ext_shared_info *sh)
{
    m->buf_addr = p;
    rte_mbuf_iova_set(m, iova);
    m->buf_len  = (uint16_t) len;
    evpl_mbuf_rearm_set_(m, EVPL_REARM_(0, 1, 1, RTE_MBUF_PORT_INVALID));
    m->ol_flags = RTE_MBUF_F_EXTERNAL;
    m->shinfo   = sh;
    evpl_mbuf_one_seg_len_set_(m, len);
    evpl_mbuf_next_txoff_clear_(m);
}

/* v's range in m[0..evpl_tx_ext_segs(v->length)), fresh mbufs, attached
 * through sh (evpl_slab_att_get(), its count one per mbuf) and linked in
 * order, the last one's next NULL. */
static __rte_always_inline void
evpl_tx_ext_build(
    const struct evpl_iovec         *v,
    struct rte_mbuf_ext_shared_info *sh,
    struct rte_mbuf *const          *m)
{
    const struct evpl_slab_ *s    = evpl_iovec_slab_(v);
    char                    *p    = v->data;
    rte_iova_t               iova = s->iova + (rte_iova_t) (p - s->data);
    uint32_t                 left = v->length, chunk;
    unsigned int             k;

    for (k = 0; left > 0; k++) {
        chunk = RTE_MIN(left, EVPL_TX_EXT_SEG_MAX);
        evpl_tx_ext_seg(m[k], p, iova, chunk, sh);
        if (k > 0)
            m[k - 1]->next = m[k];
        p    += chunk;
        iova += chunk;
        left -= chunk;
    }
}

/*
 * Attach v's bytes, n = evpl_tx_ext_segs(v->length) segments, at most
 * EVPL_DPDK_MAX_SEGS (the callers' fates see to it), to fresh mbufs from
 * the context's pool, linked in order, the last one's next NULL, each
 * holding one count on the slab (evpl_slab_att_get()): with move, one of
 * them is v's own (EVPL_DPDK_TAKE_REF, v not GLOBAL), else each is new, v
 * keeping its own. Returns the first mbuf, or NULL when the pool runs dry
 * (or, for a slab another process took, its shared infos), with nothing
 * taken or moved. Aborts, naming call, if the slab's count would pass
 * 65535. Inline: the whole of a slab range's transmit, in the packet of
 * one iovec's step and the chain builder's.
 */
static __rte_always_inline struct rte_mbuf *
evpl_tx_ext_attach(
    struct evpl             *evpl,
    const char              *call,
    const struct evpl_iovec *v,
    unsigned int             n,
    int                      move)
{
    struct rte_mbuf                 *m[EVPL_DPDK_MAX_SEGS];
    struct rte_mbuf_ext_shared_info *sh;

    RTE_ASSERT(n >= 1 && n <= EVPL_DPDK_MAX_SEGS);
    /* The counts first (one at its limit aborts having taken no mbuf),
     * then every mbuf in one get, all or none. */
    sh = evpl_slab_att_get(evpl, call, v, (uint16_t) n, move);
    if (unlikely(sh == NULL))
        return NULL;
    if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) m, n,
                                         evpl->cache) < 0)) {
        evpl_slab_att_unget(sh, (uint16_t) n, move);
        return NULL;
    }
    evpl_tx_ext_build(v, sh, m);
    return m[0];
}

/* Whether a transmit moves v's reference into what it builds, rather
 * than taking one of its own and then giving v's up: with TAKE_REF,
 * unless v is GLOBAL, whose one reference stays with its owner. */
static inline int
evpl_tx_ref_moves(
    const struct evpl_iovec *v,
    unsigned int             flags)
{
    return (flags & EVPL_DPDK_TAKE_REF) &&
           !(v->flags & EVPL_IOVEC_FLAG_GLOBAL);
}

/* The library's release of a reference handed to transmit (TAKE_REF):
 * on a slab, a no-op for GLOBAL iovecs (the application's). */
static inline void
evpl_iovec_put_taken_(const struct evpl_iovec *v)
{
    if (unlikely(evpl_iovec_on_slab_(v)))
        evpl_slab_release_internal_(v->private_data, v->flags);
    else
        evpl_iovec_ref_put_(evpl_iovec_mbuf_(v), v->flags);
}

#endif /* EVPL_TX_EXT_H */
