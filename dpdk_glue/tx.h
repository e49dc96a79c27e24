/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit engine, glue-private: one decision, one builder of a
 * packet of one iovec, one burst loop.
 *
 *  - evpl_tx_fate() decides what an iovec becomes (its own mbuf, a copy,
 *    an indirect mbuf, a slab range's attached mbufs), evpl_tx_pkt_fate()
 *    what a packet becomes (one of those, or the chain builder's);
 *  - evpl_tx_own() builds the common packet, an iovec whose mbuf nobody
 *    else holds, in a few stores; tx_one.c builds the other packets of one
 *    iovec (evpl_tx_one_build()), in the loop's out-of-line step;
 *  - evpl_tx_loop() (tx_loop.h) is the burst loop of
 *    evpl_dpdk_tx_burst(), evpl_dpdk_tx_burst_flat() and
 *    evpl_dpdk_iovecs_to_mbuf() (a burst of one), specialised by constant
 *    arguments as rte_ring specialises __rte_ring_do_enqueue_elems();
 *    where SSE2 is built in, its run of common packets takes four at a
 *    time (tx_vec.h);
 *  - evpl_tx_untaken() (tx_burst.c) settles the packets the driver did not
 *    take, for every burst;
 *  - tx_compose.c builds packets of several iovecs, a header in front of
 *    one range and own pieces itself, any other by tx_chain.c's general
 *    build; tx_linear.c, which only that calls, copies whole what a chain
 *    cannot carry; tx_ext.h attaches slab ranges.
 *
 * The mbuf words stored whole are mbuf_words.h's.
 */

#ifndef EVPL_GLUE_TX_H
#define EVPL_GLUE_TX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "glue.h"
#include "mbuf_words.h"
#include "tx_ext.h"

/* Bits of the masks that name a chunk's packets or a chain's segments. */
#define EVPL_TX_MASK_BITS 64u

/* Packets converted per rte_eth_tx_burst(): the chains of one chunk sit
 * on the stack, and a chunk's packets fit a mask. */
#define EVPL_TX_CHUNK EVPL_TX_MASK_BITS

/* The head's flags a transmit keeps: what says where the data lives. */
#define EVPL_TX_KEEP_FLAGS (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)

/* Limits of the port a chain is for. */
struct evpl_tx_caps {
    uint16_t max_segs; /* 1: the port cannot send chains */
};

/* No port: a chain of at most EVPL_DPDK_MAX_SEGS built segments, or, past
 * that, a linearised packet of up to what nb_segs can count. */
extern const struct evpl_tx_caps evpl_tx_caps_any;

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

/* A pinned external buffer, which cannot be attached to. Only an mbuf
 * flagged external can be one: asking its pool first would read the
 * pool's private area, far past its per-lcore caches, for every mbuf. */
static inline int
evpl_mbuf_pinned(const struct rte_mbuf *m)
{
    return RTE_MBUF_HAS_EXTBUF(m) && RTE_MBUF_HAS_PINNED_EXTBUF(m);
}

/* ---- the decision -------------------------------------------------------- */

/* What an iovec becomes on transmit. */
enum evpl_tx_fate {
    EVPL_TX_OWN,    /* its own mbuf, which nobody else references */
    EVPL_TX_COPY,   /* shared, at most tx_copy_max bytes: copied */
    EVPL_TX_ATTACH, /* on a shared mbuf: an indirect mbuf attached to it */
    EVPL_TX_EXT,    /* a slab range: mbufs attached to the slab (tx_ext.h) */
    EVPL_TX_PINNED, /* a pinned external buffer's: only a copy can send it */
    EVPL_TX_CHAIN,  /* a packet for the chain builder (evpl_tx_pkt_fate()) */
};

/*
 * The fate of a non-empty iovec, by these rules in this order:
 *  - its mbuf's only reference (refcnt 1: no other holder exists who
 *    could change that under us): the mbuf itself, a few fields written;
 *  - at most copy_max bytes: copied (a slab range's too);
 *  - a slab range: attached to the slab;
 *  - on a pinned external buffer: copied with the whole packet;
 *  - else attached, in an indirect mbuf.
 * evpl_tx_own() is the first rule fused with its build; tx_vec.h is that,
 * four at a time. rules, a constant: EVPL_TX_NOT_OWN where evpl_tx_own()
 * has just refused v, so the first rule is not asked again (should
 * another lcore have dropped the count to 1 since, the packet is still
 * right, copied or attached), EVPL_TX_ALL_RULES elsewhere.
 */
enum evpl_tx_rules {
    EVPL_TX_ALL_RULES,
    EVPL_TX_NOT_OWN,
};

static __rte_always_inline enum evpl_tx_fate
evpl_tx_fate(
    uint32_t                 copy_max,
    const struct evpl_iovec *v,
    enum evpl_tx_rules       rules)
{
    if (rules == EVPL_TX_ALL_RULES && !evpl_iovec_on_slab_(v) &&
        evpl_mbuf_exclusive(evpl_iovec_mbuf_(v)))
        return EVPL_TX_OWN;
    if (v->length <= copy_max)
        return EVPL_TX_COPY;
    if (evpl_iovec_on_slab_(v))
        return EVPL_TX_EXT;
    if (evpl_mbuf_pinned(evpl_iovec_mbuf_(v)))
        return EVPL_TX_PINNED;
    return EVPL_TX_ATTACH;
}

/*
 * The fate of a packet: evpl_tx_fate() for one non-empty iovec that one
 * mbuf, or one slab range within the port's segments, can carry; every
 * other packet is the chain builder's (which refuses an empty one and
 * linearises what no chain of the port can carry).
 */
static __rte_always_inline enum evpl_tx_fate
evpl_tx_pkt_fate(
    uint32_t                   copy_max,
    const struct evpl_tx_caps *caps,
    const struct evpl_iovec   *v,
    int                        niov,
    enum evpl_tx_rules         rules)
{
    enum evpl_tx_fate f;

    if (niov != 1 || v->length == 0)
        return EVPL_TX_CHAIN;
    f = evpl_tx_fate(copy_max, v, rules);
    if (f == EVPL_TX_PINNED ||
        (f == EVPL_TX_EXT &&
         evpl_tx_ext_segs(v->length) >
         RTE_MIN((unsigned int) caps->max_segs, EVPL_DPDK_MAX_SEGS)))
        return EVPL_TX_CHAIN;
    return f;
}

/* ---- the common packet --------------------------------------------------- */

/* The refcnt a packet of one own mbuf leaves with: with TAKE_REF the
 * iovec's reference is the packet's; without, the mbuf leaves with the
 * packet's and the caller's. */
static __rte_always_inline uint16_t
evpl_tx_own_refs(unsigned int flags)
{
    return (flags & EVPL_DPDK_TAKE_REF) ? 1 : 2;
}

/*
 * The common packet's build: the iovec v, len bytes (not 0), whose mbuf
 * nobody else holds (evpl_tx_fate() said EVPL_TX_OWN), becomes that mbuf,
 * leaving with refcnt refs (evpl_tx_own_refs()). data_off and refcnt are
 * one store, port untouched: reading the rearm word back whole to keep it
 * would be a load wider than the last store to refcnt (the previous free's
 * decrement), which the store buffer cannot forward. What else a driver
 * reads is stored unconditionally, the flags saying where the data lives
 * kept.
 */
static __rte_always_inline struct rte_mbuf *
evpl_tx_own_build(
    const struct evpl_iovec *v,
    uint32_t                 len,
    uint16_t                 refs)
{
    struct rte_mbuf *m = evpl_iovec_mbuf_(v);

    evpl_mbuf_off_ref_set_(m, (uint16_t) ((char *) v->data -
                                          (char *) m->buf_addr), refs);
    m->nb_segs   = 1;
    m->ol_flags &= EVPL_TX_KEEP_FLAGS;
    evpl_mbuf_one_seg_len_set_(m, len);
    evpl_mbuf_next_txoff_clear_(m);
    return m;
}

/* A non-empty iovec whose mbuf nobody else holds: evpl_tx_fate()'s first
 * rule, the same test, with the length's. */
static __rte_always_inline int
evpl_tx_is_own(const struct evpl_iovec *v)
{
    return v->length != 0 && !evpl_iovec_on_slab_(v) &&
           evpl_mbuf_exclusive(evpl_iovec_mbuf_(v));
}

/*
 * The common packet, tested and built: one iovec evpl_tx_is_own() takes
 * becomes that mbuf (evpl_tx_own_build()). Returns NULL, having written
 * nothing, for any other iovec (a slab's included).
 */
static __rte_always_inline struct rte_mbuf *
evpl_tx_own(
    const struct evpl_iovec *v,
    uint16_t                 refs)
{
    uint32_t len = v->length;

    if (unlikely(!evpl_tx_is_own(v)))
        return NULL;
    return evpl_tx_own_build(v, len, refs);
}

#ifdef EVPL_IOVEC_TRACE
/* Trace builds: with TAKE_REF an iovec is dead once converted (a GLOBAL
 * one excepted: its reference stays its owner's). */
static inline void
evpl_tx_trace_taken(struct evpl_iovec *iov, int niov)
{
    int j;

    for (j = 0; j < niov; j++)
        EVPL_TRACE_TAKEN_(&iov[j]);
}
#endif

/* ---- what the builders share --------------------------------------------- */

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

static inline void
evpl_tx_head_reset(struct rte_mbuf *head)
{
    head->ol_flags      &= EVPL_TX_KEEP_FLAGS;
    head->packet_type    = 0;
    head->vlan_tci       = 0;
    head->vlan_tci_outer = 0;
    head->tx_offload     = 0;
}

/*
 * The reference an indirect segment holds on what holds v's bytes: the
 * direct mbuf (v's own, or the one behind v's indirect mbuf), through the
 * library's checked add, evpl_mbuf_ref_add_(); or the shared info of an
 * external buffer (a driver's, not a slab: slabs go by tx_ext.h), through
 * evpl_refcnt_add_(), atomically. At 65535 either aborts, naming the call,
 * where rte_pktmbuf_attach() would wrap. Plain only on v's own LOCAL
 * count: any other count is anyone's. Returns the count taken.
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

/*
 * The reference an indirect segment attached to v will hold, settled
 * before any mbuf is taken, so that a count at 65535 aborts having taken
 * nothing: with TAKE_REF and v's mbuf direct, v's own reference becomes
 * the segment's (what an indirect mbuf holds on its direct one is just
 * such a reference), and NULL is returned; otherwise one is taken
 * (evpl_tx_ref_take()), and the count it is on returned: with TAKE_REF,
 * v's own is then given up once the packet is built.
 */
static inline uint16_t *
evpl_tx_attach_ref(
    const char              *call,
    const struct evpl_iovec *v,
    unsigned int             flags)
{
    if ((flags & EVPL_DPDK_TAKE_REF) && RTE_MBUF_DIRECT(evpl_iovec_mbuf_(v)))
        return NULL;
    return evpl_tx_ref_take(call, v);
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
 * rte_pktmbuf_attach() of a fresh mi (direct, refcnt 1, nb_segs 1, as
 * every free mbuf of a pool is) to v's bytes, with the reference already
 * taken by evpl_tx_ref_take(), narrowed to v's range. Lengths, next and
 * the head's offload fields are the caller's.
 */
static inline void
evpl_tx_attach(
    struct rte_mbuf         *mi,
    const struct evpl_iovec *v)
{
    struct rte_mbuf *m = evpl_iovec_mbuf_(v);

    if (RTE_MBUF_HAS_EXTBUF(m)) {
        mi->ol_flags = m->ol_flags & EVPL_TX_KEEP_FLAGS;
        mi->shinfo   = m->shinfo;
    } else {
        mi->priv_size = m->priv_size;
        mi->ol_flags  = RTE_MBUF_F_INDIRECT;
    }
    rte_mbuf_dynfield_copy(mi, m);
    rte_mbuf_iova_set(mi, rte_mbuf_iova_get(m));
    mi->buf_addr = m->buf_addr;
    mi->buf_len  = m->buf_len;
    mi->data_off = (uint16_t) ((char *) v->data - (char *) m->buf_addr);
    mi->port     = m->port;
}

/*
 * A TAKE_REF packet's references, once it is converted or dropped: every
 * reference that did not become a segment of the chain is given up
 * through the library's release (a GLOBAL iovec's stays with its owner),
 * the empty iovecs' included. Bit k of segs: the k-th non-empty iovec's
 * reference is now the chain's (0 for a packet dropped or copied whole).
 * Trace builds mark every iovec moved.
 */
static inline void
evpl_tx_give_up(
    struct evpl_iovec *iov,
    int                niov,
    uint64_t           segs)
{
    int j, k = 0;

    for (j = 0; j < niov; j++) {
        if (iov[j].length == 0 || k >= (int) EVPL_TX_MASK_BITS ||
            !(segs & (UINT64_C(1) << k)))
            evpl_iovec_put_taken_(&iov[j]);
        k += iov[j].length != 0;
    }
#ifdef EVPL_IOVEC_TRACE
    evpl_tx_trace_taken(iov, niov);
#endif
}

/* A copy's bytes: rte_memcpy() inline up to EVPL_DPDK_TX_COPY_MAX (the
 * compiler then drops its paths for longer copies, which would make each
 * inline copy several kilobytes), the C library's memcpy() above. */
static __rte_always_inline void
evpl_tx_copy_bytes(
    void       *dst,
    const void *src,
    uint32_t    len)
{
    if (likely(len <= EVPL_DPDK_TX_COPY_MAX))
        rte_memcpy(dst, src, len);
    else
        memcpy(dst, src, len);
}

/*
 * A COPY or ATTACH packet in mi, an mbuf straight from the context's pool:
 * a pool's free mbufs all hold refcnt 1, next NULL and nb_segs 1, so
 * only what else a transmit reads is written, each field once, with no
 * rte_pktmbuf_reset() first. The bytes are copied behind mi's headroom
 * (tx_copy_max fits there), or mi is attached to them with the reference
 * the caller settled. Returns 1 for a copy.
 */
static __rte_always_inline int
evpl_tx_fresh_build(
    const struct evpl       *evpl,
    const struct evpl_iovec *v,
    enum evpl_tx_fate        f,
    struct rte_mbuf         *mi)
{
    uint32_t len = v->length;

    if (f == EVPL_TX_COPY) {
        evpl_tx_copy_bytes((char *) mi->buf_addr + evpl->headroom, v->data,
                           len);
        /* data_off behind the headroom, port as a reset leaves it */
        evpl_mbuf_rearm_set_(mi, EVPL_REARM_(evpl->headroom, 1, 1,
                                             RTE_MBUF_PORT_INVALID));
        mi->ol_flags &= RTE_MBUF_F_EXTERNAL;
    } else {
        evpl_tx_attach(mi, v);
    }
    evpl_mbuf_one_seg_len_set_(mi, len);
    evpl_mbuf_next_txoff_clear_(mi);
    return f == EVPL_TX_COPY;
}

/* ---- the builders ---------------------------------------------------------- */

/*
 * The chain for one packet that is not the single-mbuf common case, shaped
 * for caps (tx_compose.c, tx_chain.c); counted. NULL with errno and rte_errno set, the
 * iovecs untouched: EINVAL (no byte), ENOMEM, EMSGSIZE. Aborts, naming
 * call, on reference-count overflow.
 */
struct rte_mbuf *evpl_tx_chain(const char *call, struct evpl *evpl,
                               struct evpl_iovec *iov, int niov,
                               unsigned int flags,
                               const struct evpl_tx_caps *caps);

/*
 * The chain of one packet of any shape, by the general build (tx_chain.c),
 * for evpl_tx_chain()'s shapes' other packets: as evpl_tx_chain(), without
 * its trace checks. On success with TAKE_REF, the references of iovecs
 * that did not become segments are given up.
 */
struct rte_mbuf *evpl_tx_chain_any(const char *call, struct evpl *evpl,
                                   struct evpl_iovec *iov, int niov,
                                   unsigned int flags,
                                   const struct evpl_tx_caps *caps);

/*
 * The packet copied whole, n non-empty iovecs of total bytes, into at most
 * max_segs mbufs: into its first piece's own mbuf where that can hold it,
 * else into fresh ones (tx_linear.c, the chain builder's only). With
 * TAKE_REF the references are given up. Counted; NULL with errno ENOMEM
 * or EMSGSIZE, the iovecs untouched.
 */
struct rte_mbuf *evpl_tx_linear(struct evpl *evpl, struct evpl_iovec *iov,
                                int niov, int n, uint64_t total,
                                unsigned int flags, unsigned int max_segs);

#endif /* EVPL_GLUE_TX_H */
