/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit, glue-private: what the transmit files share.
 *
 *  - tx_burst.c:  evpl_dpdk_iovecs_to_mbuf() and evpl_dpdk_tx_burst(),
 *                 and the common packet (evpl_tx_single(), below);
 *  - tx_shared.c: packets of one shared iovec or one slab range, in one
 *                 pass, their fresh mbufs in one get per burst chunk;
 *  - tx_chain.c:  the chain builder, for every other packet;
 *  - tx_linear.c: linearisation, for packets a chain cannot carry;
 *  - tx_ext.c:    slab ranges, attached by reference.
 */

#ifndef EVPL_GLUE_TX_H
#define EVPL_GLUE_TX_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "glue.h"
#include "tx_ext.h"

/* The head's flags a transmit keeps: what says where the data lives. */
#define EVPL_HEAD_KEEP_FLAGS (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)

/* Limits of the port a chain is for. */
struct evpl_tx_caps {
    uint16_t max_segs; /* 1: the port cannot send chains */
};

/* A fresh mbuf for a copy or an indirect segment: through the context's
 * cache (a thread outside the EAL has no default one), then reset as
 * rte_pktmbuf_alloc() would. */
static inline struct rte_mbuf *
evpl_tx_mbuf_alloc(struct evpl *evpl)
{
    struct rte_mbuf *m;

    if (unlikely(rte_mempool_generic_get(evpl->pool, (void **) &m, 1,
                                         evpl->cache) < 0))
        return NULL;
    rte_pktmbuf_reset(m);
    return m;
}

static inline int
evpl_mbuf_exclusive(const struct rte_mbuf *m)
{
    return rte_mbuf_refcnt_read(m) == 1;
}

/* The chain may write outside the iovec's range only in a direct mbuf that
 * nobody else references. */
static inline int
evpl_mbuf_writable(const struct rte_mbuf *m)
{
    return evpl_mbuf_exclusive(m) && RTE_MBUF_DIRECT(m);
}

static inline void
evpl_tx_head_reset(struct rte_mbuf *head)
{
    head->ol_flags      &= EVPL_HEAD_KEEP_FLAGS;
    head->packet_type    = 0;
    head->vlan_tci       = 0;
    head->vlan_tci_outer = 0;
    head->tx_offload     = 0;
}

/*
 * The reference an indirect segment holds on what holds v's bytes: the
 * direct mbuf (v's own, or the one behind v's indirect mbuf), through the
 * library's one checked add, evpl_mbuf_ref_add_(); or the shared info of
 * an external buffer (a driver's, not a slab: slabs go by tx_ext.c),
 * through evpl_refcnt_add_(), atomically. At 65535
 * either aborts, naming the call, where rte_pktmbuf_attach() would wrap.
 * Plain only on v's own LOCAL count: any other count is anyone's. Returns
 * the count taken.
 */
static inline uint16_t *
evpl_tx_ref_take(
    const char              *call,
    const struct evpl_iovec *v)
{
    struct rte_mbuf *m = evpl_iovec_mbuf_(v);
    struct rte_mbuf *md;
    uint16_t        *cnt;

    if (likely(!RTE_MBUF_HAS_EXTBUF(m))) {
        md = rte_mbuf_from_indirect(m);
        evpl_mbuf_ref_add_(call, v, md, 1,
                           md == m ? v->flags : EVPL_IOVEC_FLAG_SHARED);
        return &md->refcnt;
    }
    cnt = &m->shinfo->refcnt;
    evpl_refcnt_add_(call, v, cnt, 1, 1);
    return cnt;
}

/* Give back what evpl_tx_ref_take() took when no segment came of it: v
 * still holds its own, so this is never the last. */
static inline void
evpl_tx_ref_drop(
    const struct evpl_iovec *v,
    uint16_t                *cnt)
{
    if ((v->flags & EVPL_IOVEC_FLAG_SHARED) ||
        cnt != &evpl_iovec_mbuf_(v)->refcnt)
        __atomic_sub_fetch(cnt, 1, __ATOMIC_RELEASE);
    else
        (*cnt)--;
}

/*
 * rte_pktmbuf_attach() of a fresh mi (direct, count 1) to v's bytes, with
 * the reference already taken by evpl_tx_ref_take(), narrowed to v's
 * range. The head's offload fields are left cleared.
 */
static inline void
evpl_tx_attach(
    struct rte_mbuf         *mi,
    const struct evpl_iovec *v)
{
    struct rte_mbuf *m = evpl_iovec_mbuf_(v);

    if (RTE_MBUF_HAS_EXTBUF(m)) {
        mi->ol_flags = m->ol_flags & EVPL_HEAD_KEEP_FLAGS;
        mi->shinfo   = m->shinfo;
    } else {
        mi->priv_size = m->priv_size;
        mi->ol_flags  = RTE_MBUF_F_INDIRECT;
    }
    mi->port = m->port;
    rte_mbuf_dynfield_copy(mi, m);
    rte_mbuf_iova_set(mi, rte_mbuf_iova_get(m));
    mi->buf_addr = m->buf_addr;
    mi->buf_len  = m->buf_len;
    mi->data_off = (uint16_t) ((char *) v->data - (char *) m->buf_addr);
    mi->data_len = (uint16_t) v->length;
    mi->pkt_len  = v->length;
    mi->nb_segs  = 1;
    mi->next     = NULL;
}

/* A pinned external buffer, which cannot be attached to. Only an mbuf
 * flagged external can be one: asking its pool first would read the
 * pool's private area, far past its per-lcore caches, for every mbuf. */
static inline int
evpl_mbuf_pinned(const struct rte_mbuf *m)
{
    return RTE_MBUF_HAS_EXTBUF(m) && RTE_MBUF_HAS_PINNED_EXTBUF(m);
}

/* Without TAKE_REF the chain holds a reference of its own. */
static inline uint32_t
evpl_tx_refs(unsigned int flags)
{
    return (flags & EVPL_DPDK_TAKE_REF) ? 1 : 2;
}

/*
 * The one place converted packets are counted: pkts packets of segs
 * segments, of whose iovecs reused became their own mbuf, indirect went by
 * reference and copied were copied; linearized of the packets were copied
 * whole. Constant arguments fold away at each caller.
 */
static __rte_always_inline void
evpl_tx_count(
    struct evpl *evpl,
    uint64_t     pkts,
    uint64_t     segs,
    uint64_t     reused,
    uint64_t     indirect,
    uint64_t     copied,
    uint64_t     linearized)
{
    evpl->stats.tx_pkts       += pkts;
    evpl->stats.tx_segs       += segs;
    evpl->stats.tx_reused     += reused;
    evpl->stats.tx_indirect   += indirect;
    evpl->stats.tx_copied     += copied;
    evpl->stats.tx_linearized += linearized;
}

#ifdef EVPL_IOVEC_TRACE
/* Trace builds: with TAKE_REF an iovec is dead once converted. */
static inline void
evpl_tx_trace_taken(struct evpl_iovec *iov, int niov)
{
    int j;

    for (j = 0; j < niov; j++)
        EVPL_TRACE_TAKEN_(&iov[j]);
}
#endif

/*
 * A TAKE_REF packet's references, once it is converted or dropped: every
 * reference that did not become a segment of the chain is released, the
 * empty iovecs' included. Bit k of segs: the k-th non-empty iovec's
 * reference is now the chain's (0 for a packet dropped or copied whole).
 * Trace builds mark every iovec moved.
 */
void evpl_tx_give_up(struct evpl_iovec *iov, int niov, uint64_t segs);

/*
 * The chain for one packet that is not the single-mbuf common case, shaped
 * for caps (tx_chain.c). NULL with errno and rte_errno set, the iovecs
 * untouched: EINVAL (no byte), ENOMEM, EMSGSIZE. Aborts, naming call, on
 * reference-count overflow.
 */
struct rte_mbuf *evpl_tx_convert(const char *call, struct evpl *evpl,
                                 struct evpl_iovec *iov, int niov,
                                 unsigned int flags,
                                 const struct evpl_tx_caps *caps);

/*
 * The packet copied whole, n non-empty iovecs of total bytes, into at most
 * max_segs mbufs: into its first piece's own mbuf where that can hold it,
 * else into fresh ones (tx_linear.c). With TAKE_REF the references are
 * given up. Counted; NULL with errno ENOMEM or EMSGSIZE, the iovecs
 * untouched.
 */
struct rte_mbuf *evpl_tx_linear(struct evpl *evpl, struct evpl_iovec *iov,
                                int niov, int n, uint64_t total,
                                unsigned int flags, unsigned int max_segs);

/* No port: a chain of at most EVPL_DPDK_MAX_SEGS built segments, or, past
 * that, a linearised packet of up to what nb_segs can count. */
extern const struct evpl_tx_caps evpl_tx_caps_any;

/* Packets converted per rte_eth_tx_burst(): the chains of one chunk sit
 * on the stack. */
#define EVPL_TX_CHUNK 64u

/* Stores that cover several mbuf fields at once. */
typedef uint64_t __attribute__((may_alias)) evpl_u64_alias;
typedef uint32_t __attribute__((may_alias)) evpl_u32_alias;

/* A one-segment packet's lengths, len bytes, with what a driver reads
 * beside them cleared: packet_type and pkt_len share 8 bytes, data_len
 * and vlan_tci 4, each pair one store; then vlan_tci_outer and
 * tx_offload. */
static __rte_always_inline void
evpl_tx_set_len(struct rte_mbuf *m, uint32_t len)
{
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, pkt_len) !=
                     offsetof(struct rte_mbuf, packet_type) + 4 ||
                     offsetof(struct rte_mbuf, vlan_tci) !=
                     offsetof(struct rte_mbuf, data_len) + 2);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u64_alias *) &m->packet_type = (uint64_t) len << 32;
    *(evpl_u32_alias *) &m->data_len    = len;
#else
    m->packet_type = 0;
    m->pkt_len     = len;
    m->data_len    = (uint16_t) len;
    m->vlan_tci    = 0;
#endif
    m->vlan_tci_outer = 0;
    m->tx_offload     = 0;
}

/*
 * The common packet, in the fewest instructions: one non-empty iovec whose
 * mbuf nobody else references becomes that mbuf. data_off and refcnt
 * share 4 bytes, packet_type and pkt_len 8, data_len and vlan_tci 4: each
 * pair is one store; port is kept, and the rest of the head's offload
 * fields are cleared. refs is the count the mbuf leaves with: 1 with
 * TAKE_REF, 2 without (the chain's and the caller's). Returns NULL, having
 * touched nothing, for any other packet.
 */
static __rte_always_inline struct rte_mbuf *
evpl_tx_single(
    const char        *call,
    struct evpl_iovec *iov,
    uint32_t           refs,
    unsigned int       flags)
{
    struct rte_mbuf *m   = evpl_iovec_mbuf_(iov);
    uint32_t         len = iov->length;
    uint32_t         off;

    RTE_SET_USED(call);
    RTE_SET_USED(flags);
#ifdef EVPL_IOVEC_TRACE
    evpl_trace_check_(call, iov);
#endif
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, refcnt) !=
                     offsetof(struct rte_mbuf, data_off) + 2);

    /* refcnt 1: no other holder exists who could change it under us. A
     * slab iovec is no mbuf: the general builder attaches it. */
    if (unlikely(len == 0 || evpl_iovec_on_slab_(iov) ||
                 rte_mbuf_refcnt_read(m) != 1))
        return NULL;
    off = (uint16_t) ((char *) iov->data - (char *) m->buf_addr);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u32_alias *) &m->data_off = off | refs << 16;
#else
    m->data_off = (uint16_t) off;
    m->refcnt   = (uint16_t) refs;
#endif
    evpl_tx_set_len(m, len);
    m->nb_segs   = 1;
    m->ol_flags &= EVPL_HEAD_KEEP_FLAGS;
    m->next      = NULL;
#ifdef EVPL_IOVEC_TRACE
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(iov, 1);
#endif
    return m;
}

/* tx_shared.c: evpl_dpdk_iovecs_to_mbuf() of a packet of one iovec that
 * evpl_tx_single() turned down (shared, a slab range, or odd: then the
 * chain builder's). Out of line, so that the common packet's path keeps
 * no stack frame. NULL with errno and rte_errno set, as
 * evpl_dpdk_iovecs_to_mbuf() returns it. */
struct rte_mbuf *evpl_tx_one_other(struct evpl *evpl, struct evpl_iovec *iov,
                                   unsigned int flags);

/* Counts of the one-mbuf packets of a burst, taken once at its end. */
struct evpl_tx_tally {
    unsigned int single, indirect, copied, extsegs;
};

/* tx_shared.c: the packets of a chunk past its common ones, pkts[conv,
 * want); returns the index of the first that could not be converted. */
uint16_t evpl_tx_rest(struct evpl *evpl, const struct evpl_dpdk_pkt *pkts,
                      uint16_t conv, uint16_t want, struct rte_mbuf **chains,
                      unsigned int flags, const struct evpl_tx_caps *caps,
                      struct evpl_tx_tally *t);

#endif /* EVPL_GLUE_TX_H */
