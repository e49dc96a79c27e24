/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit entry points and the fast paths for a packet of one non-empty
 * iovec: when nobody else holds its mbuf it becomes that mbuf with a few
 * stores; when others do, one fresh mbuf (taken in bulk per burst) gets
 * its bytes copied or is attached to them, in one pass. Every other packet
 * goes to the chain builder (tx_chain.c).
 */

#include <stddef.h>

#include <rte_ethdev.h>
#include <rte_memcpy.h>

#include "tx.h"

/* No port: a chain of at most EVPL_DPDK_MAX_SEGS built segments, or, past
 * that, a linearised packet of up to what nb_segs can count. */
static const struct evpl_tx_caps evpl_tx_caps_any = {
    .max_segs = UINT16_MAX,
};

/* Packets converted per rte_eth_tx_burst(): the chains of one chunk sit
 * on the stack. */
#define EVPL_TX_CHUNK 64u

/* Stores that cover several mbuf fields at once. */
typedef uint64_t __attribute__((may_alias)) evpl_u64_alias;
typedef uint32_t __attribute__((may_alias)) evpl_u32_alias;

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
    struct rte_mbuf *m   = evpl_iovec_mbuf(iov);
    uint32_t         len = iov->length;
    uint32_t         off;

    RTE_SET_USED(call);
    RTE_SET_USED(flags);
#ifdef EVPL_IOVEC_TRACE
    evpl_trace_check_(call, iov);
#endif
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, refcnt) !=
                     offsetof(struct rte_mbuf, data_off) + 2 ||
                     offsetof(struct rte_mbuf, pkt_len) !=
                     offsetof(struct rte_mbuf, packet_type) + 4 ||
                     offsetof(struct rte_mbuf, vlan_tci) !=
                     offsetof(struct rte_mbuf, data_len) + 2);

    /* refcnt 1: no other holder exists who could change it under us. A
     * slab iovec is no mbuf: the general builder attaches it. */
    if (unlikely(len == 0 || (iov->flags & EVPL_IOVEC_F_SLAB_) ||
                 rte_mbuf_refcnt_read(m) != 1))
        return NULL;
    off = (uint16_t) ((char *) iov->data - (char *) m->buf_addr);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u32_alias *) &m->data_off    = off | refs << 16;
    *(evpl_u64_alias *) &m->packet_type = (uint64_t) len << 32;
    *(evpl_u32_alias *) &m->data_len    = len;
#else
    m->data_off    = (uint16_t) off;
    m->refcnt      = (uint16_t) refs;
    m->packet_type = 0;
    m->pkt_len     = len;
    m->data_len    = (uint16_t) len;
    m->vlan_tci    = 0;
#endif
    m->nb_segs        = 1;
    m->vlan_tci_outer = 0;
    m->ol_flags      &= EVPL_HEAD_KEEP_FLAGS;
    m->next           = NULL;
    m->tx_offload     = 0;
#ifdef EVPL_IOVEC_TRACE
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_trace_taken(iov, 1);
#endif
    return m;
}

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
    return !(v->flags & EVPL_IOVEC_F_SLAB_) &&
           !evpl_mbuf_pinned(evpl_iovec_mbuf(v));
}

/* Whether it is a shared packet: a slab's, or an mbuf's others hold. */
static __rte_always_inline int
evpl_tx_is_shared(
    const struct evpl       *evpl,
    const struct evpl_iovec *v)
{
    return evpl_tx_shared_ok(evpl, v) &&
           ((v->flags & EVPL_IOVEC_F_SLAB_) ||
            rte_mbuf_refcnt_read(evpl_iovec_mbuf(v)) != 1);
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
    return (v->flags & EVPL_IOVEC_F_SLAB_) && v->length != 0 &&
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
        if (s.put && RTE_MBUF_DIRECT(evpl_iovec_mbuf(v)))
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
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u64_alias *) &mi->packet_type = (uint64_t) len << 32;
    *(evpl_u32_alias *) &mi->data_len    = len;
#else
    mi->packet_type = 0;
    mi->pkt_len     = len;
    mi->data_len    = (uint16_t) len;
    mi->vlan_tci    = 0;
#endif
    mi->vlan_tci_outer = 0;
    mi->tx_offload     = 0;
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

/* Convert pkts[0..n) while each is the common packet; returns how many.
 * The first packet of any other shape stops it, untouched. A function of
 * its own, so that the loop keeps its constants in registers. */
static __rte_noinline unsigned int
evpl_tx_singles(
    const struct evpl_dpdk_pkt *pkts,
    unsigned int                n,
    struct rte_mbuf           **out,
    unsigned int                flags)
{
    const uint32_t refs = evpl_tx_refs(flags);
    unsigned int   i;

    for (i = 0; i < n; i++) {
        if (unlikely(pkts[i].niov != 1 || pkts[i].iov == NULL))
            break;
        out[i] = evpl_tx_single("evpl_dpdk_tx_burst", pkts[i].iov, refs,
                                flags);
        if (unlikely(out[i] == NULL))
            break;
    }
    return i;
}

/*
 * evpl_dpdk_iovecs_to_mbuf() of a packet of one iovec that
 * evpl_tx_single() turned down: shared, a slab range, or odd (the chain
 * builder's). Out of line, so that the common packet's path keeps no
 * stack frame and saves no register.
 */
static __rte_noinline struct rte_mbuf *
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

EVPL_EXPORT struct rte_mbuf *
evpl_dpdk_iovecs_to_mbuf(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       flags)
{
    if (unlikely(evpl == NULL || iov == NULL || niov < 1 ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0)) {
        evpl_fail(EINVAL);
        return NULL;
    }
    /* The common packet, before any other path's stack frame. */
    if (niov == 1) {
        struct rte_mbuf *m = evpl_tx_single("evpl_dpdk_iovecs_to_mbuf", iov,
                                            evpl_tx_refs(flags), flags);

        if (m != NULL) {
            evpl_tx_count(evpl, 1, 1, 1, 0, 0, 0);
            return m;
        }
        return evpl_tx_one_other(evpl, iov, flags);
    }
    return evpl_tx_convert("evpl_dpdk_iovecs_to_mbuf", evpl, iov, niov, flags,
                           &evpl_tx_caps_any);
}

/* Counts of the one-mbuf packets of a burst, taken once at its end. */
struct evpl_tx_tally {
    unsigned int single, indirect, copied, extsegs;
};

/*
 * The packets of a chunk past its common ones, pkts[conv..want): shared
 * packets of one iovec in one pass, their fresh mbufs from one get; the
 * others as evpl_dpdk_iovecs_to_mbuf() would convert them. Chains go to
 * chains[]; returns the index of the first packet that could not be
 * converted (want when all were). Out of line, so that the spares' frame
 * is not the common burst's.
 */
static __rte_noinline uint16_t
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

EVPL_EXPORT int
evpl_dpdk_tx_burst(
    struct evpl                *evpl,
    uint16_t                    port_id,
    uint16_t                    queue_id,
    const struct evpl_dpdk_pkt *pkts,
    uint16_t                    nb_pkts,
    unsigned int                flags)
{
    struct rte_mbuf     *chains[EVPL_TX_CHUNK];
    struct evpl_tx_caps  caps;
    struct evpl_tx_tally t = { 0, 0, 0, 0 };
    uint16_t             done = 0, want, conv, sent, k;
    const struct evpl_port_caps *port;
    int                  i;

    if (unlikely(evpl == NULL || (pkts == NULL && nb_pkts > 0) ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 1)))
        return evpl_fail(EINVAL);
    port = evpl_port_caps_get(port_id);

    caps.max_segs = port->max_segs;

    while (done < nb_pkts) {
        want = (uint16_t) RTE_MIN((unsigned int) (nb_pkts - done),
                                  EVPL_TX_CHUNK);
        /* Constant flags: the loop specialised for each. */
        if (flags & EVPL_DPDK_TAKE_REF)
            conv = (uint16_t) evpl_tx_singles(&pkts[done], want, chains,
                                              EVPL_DPDK_TAKE_REF);
        else
            conv = (uint16_t) evpl_tx_singles(&pkts[done], want, chains, 0);
        t.single += conv;
        if (unlikely(conv < want))
            conv = evpl_tx_rest(evpl, &pkts[done], conv, want, chains, flags,
                                &caps, &t);

        sent = conv ? rte_eth_tx_burst(port_id, queue_id, chains, conv) : 0;

        /* Not taken: the chains' references go (with TAKE_REF those were
         * the caller's; without, the caller still holds its own). */
        for (k = sent; k < conv; k++)
            rte_pktmbuf_free(chains[k]);
        done += sent;
        if (sent < want) {
            if (flags & EVPL_DPDK_TAKE_REF) {
                evpl->stats.tx_dropped += (uint64_t) (nb_pkts - done);
                /* Packets never converted still hold their iovecs. */
                for (i = done + conv - sent; i < nb_pkts; i++)
                    if (pkts[i].iov != NULL)
                        evpl_tx_give_up(pkts[i].iov, pkts[i].niov, 0);
            }
            break;
        }
    }
    /* The one-mbuf packets' counts, once per burst. */
    evpl_tx_count(evpl, t.single + t.indirect + t.copied,
                  t.single + t.indirect + t.copied + t.extsegs, t.single,
                  t.indirect, t.copied, 0);
    return done;
}
