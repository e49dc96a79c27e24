/* SPDX-License-Identifier: LGPL-2.1-only */

/* Received mbuf chains -> iovecs, and the store of received packets kept
 * for a later call (the flat receive is rx_flat.c). */

#include <rte_ethdev.h>

#include <string.h>

#include <rte_malloc.h>

#include "glue.h"

/*
 * The common packet, one non-empty segment (nb_segs, in the first cache
 * line, says so; a driver's receive path need not have touched the
 * second), wrapped into *iov with flags. Returns 1, or 0 having written
 * nothing for a packet of any other shape.
 */
static __rte_always_inline int
evpl_rx_single(
    struct rte_mbuf   *m,
    struct evpl_iovec *iov,
    unsigned int       flags)
{
    if (unlikely(m->nb_segs != 1 || m->data_len == 0))
        return 0;
    evpl_iovec_fill_(iov, m, rte_pktmbuf_mtod(m, void *), m->data_len,
                     flags);
    return 1;
}

/* evpl_dpdk_mbuf_to_iovecs() of a packet that is not one non-empty
 * segment, out of line: the common one takes no registers to save. */
static __rte_noinline int
evpl_rx_chain_to_iovecs(
    struct evpl       *evpl,
    struct rte_mbuf   *m,
    struct evpl_iovec *iov,
    int                max_iovecs)
{
    struct rte_mbuf *seg, *next;
    int              n = 0;

    /* Count first: on failure the chain must be exactly as it came. */
    for (seg = m; seg != NULL; seg = seg->next)
        n += seg->data_len != 0;
    if (unlikely(n > max_iovecs))
        return evpl_fail(ENOSPC);

    /* The links are left alone: a segment still referenced elsewhere may be
     * part of another holder's chain, and the last free resets them. */
    n = 0;
    for (seg = m; seg != NULL; seg = next) {
        next = seg->next;
        if (seg->data_len == 0) {
            rte_pktmbuf_free_seg(seg);
            continue;
        }
        evpl_iovec_fill_(&iov[n++], seg, rte_pktmbuf_mtod(seg, void *),
                         seg->data_len, evpl->owner_flags);
    }
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .rx_pkts = 1, .rx_segs = (uint64_t) n });
    return n;
}

EVPL_EXPORT int
evpl_dpdk_mbuf_to_iovecs(
    struct evpl       *evpl,
    struct rte_mbuf   *m,
    struct evpl_iovec *iov,
    int                max_iovecs)
{
    if (unlikely(evpl == NULL || m == NULL || iov == NULL))
        return evpl_fail(EINVAL);
    /* The common packet as a receive burst wraps it. */
    if (likely(max_iovecs > 0 && evpl_rx_single(m, iov, evpl->owner_flags))) {
        evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                            .rx_pkts = 1, .rx_segs = 1 });
        return 1;
    }
    return evpl_rx_chain_to_iovecs(evpl, m, iov, max_iovecs);
}

/* Wrap one received chain into iov[used..max_iov): the number of iovecs,
 * or -1 if it does not fit (the chain is then untouched). The packets
 * that come here are the ones evpl_rx_singles() does not take: kept ones,
 * chains, empty ones, and those short of room. */
static inline int
evpl_rx_wrap(
    struct evpl          *evpl,
    struct rte_mbuf      *m,
    struct evpl_dpdk_pkt *pkt,
    struct evpl_iovec    *iov,
    unsigned int          used,
    unsigned int          max_iov,
    unsigned int          shared)
{
    int n, k;

    n = evpl_dpdk_mbuf_to_iovecs(evpl, m, &iov[used], (int) (max_iov - used));
    if (n < 0)
        return -1;
    for (k = 0; k < n; k++)
        iov[used + k].flags |= shared;
    pkt->iov  = &iov[used];
    pkt->niov = n;
    return n;
}

/*
 * The common packets, in the fewest instructions: wrap rx[0..lim) while
 * each is one non-empty segment (evpl_rx_single()), with lim no more than
 * the iovecs left. Returns how many were wrapped; the first
 * packet of any other shape stops it.
 */
static __rte_always_inline unsigned int
evpl_rx_singles(
    struct evpl            *evpl,
    struct rte_mbuf *const *rx,
    unsigned int            lim,
    struct evpl_dpdk_pkt   *pkts,
    struct evpl_iovec      *iov,
    unsigned int            shared)
{
    const unsigned int flags = evpl->owner_flags | shared;
    unsigned int       i;

    for (i = 0; i < lim; i++) {
        if (unlikely(!evpl_rx_single(rx[i], &iov[i], flags)))
            break;
        pkts[i].iov         = &iov[i];
        pkts[i].niov        = 1;
    }
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .rx_pkts = i, .rx_segs = i });
    return i;
}

/* Slow path of evpl_rx_keep_room(): only while other queues hold kept
 * packets, so never in a steady state where every call drains its own.
 * Without memory the call takes what the store still holds (maybe nothing),
 * as before the store could grow. */
unsigned int
evpl_rx_keep_grow(
    struct evpl_rx_store *s,
    unsigned int          want)
{
    unsigned int         cap = s->kept + EVPL_RX_KEEP_MAX;
    struct evpl_rx_kept *keep;

    keep = rte_malloc_socket("evpl_rx_keep", cap * sizeof(*keep), 0,
                             rte_socket_id());
    if (keep == NULL)
        return s->cap - s->kept;
    memcpy(keep, s->keep, s->kept * sizeof(*keep));
    if (s->keep != s->own)
        rte_free(s->keep);
    s->keep = keep;
    s->cap  = cap;
    return want;
}

void
evpl_rx_store_fini(struct evpl_rx_store *s)
{
    while (s->kept > 0)
        rte_pktmbuf_free(s->keep[--s->kept].m);
    if (s->keep != s->own)
        rte_free(s->keep);
    s->keep = s->own;
}

void
evpl_rx_store_foreach(
    const struct evpl_rx_store *s,
    void                      (*fn)(const struct rte_mbuf *seg, void *arg),
    void                       *arg)
{
    const struct rte_mbuf *seg;
    unsigned int           k;

    for (k = 0; k < s->kept; k++)
        for (seg = s->keep[k].m; seg != NULL; seg = seg->next)
            fn(seg, arg);
}

EVPL_EXPORT int
evpl_dpdk_rx_burst_flags(
    struct evpl          *evpl,
    uint16_t              port_id,
    uint16_t              queue_id,
    struct evpl_dpdk_pkt *pkts,
    uint16_t              nb_pkts,
    struct evpl_iovec    *iov,
    unsigned int          max_iov,
    unsigned int          flags)
{
    struct rte_mbuf      *rx[EVPL_RX_KEEP_MAX];
    struct evpl_rx_store *s;
    unsigned int          used = 0, i, k, want, got;
    uint16_t              n = 0;
    int                   r, blocked = 0, waiting = 0;

    if (unlikely(evpl == NULL || pkts == NULL || iov == NULL ||
                 (flags & ~EVPL_IOVEC_FLAG_SHARED) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 0)))
        return evpl_fail(EINVAL);
    s = evpl_rx_store(evpl);

    /* Packets kept from earlier calls come first, in arrival order; once
     * one does not fit, or pkts is full, the rest of this queue's wait
     * behind it. Only the first is an error, and only when nothing came. */
    if (unlikely(s->kept > 0)) {
        for (i = 0, k = 0; i < s->kept; i++) {
            if (s->keep[i].port == port_id &&
                s->keep[i].queue == queue_id && !waiting) {
                if (n == nb_pkts) {
                    waiting = 1;
                } else if ((r = evpl_rx_wrap(evpl, s->keep[i].m,
                                             &pkts[n], iov, used, max_iov,
                                             flags)) >= 0) {
                    used += (unsigned int) r;
                    n++;
                    continue;
                } else {
                    waiting = blocked = 1;
                }
            }
            s->keep[k++] = s->keep[i];
        }
        s->kept = k;
    }

    /* Ask the driver for no more than could be kept if they do not fit;
     * a queue held back by its kept packets asks for nothing, nor grows
     * the store for it. */
    if (!waiting &&
        (want = evpl_rx_keep_room(s, RTE_MIN((unsigned int) (nb_pkts - n),
                                             EVPL_DPDK_RX_BURST_MAX))) > 0) {
        got = rte_eth_rx_burst(port_id, queue_id, rx, (uint16_t) want);
        i   = evpl_rx_singles(evpl, rx, RTE_MIN(got, max_iov - used),
                              &pkts[n], &iov[used], flags);
        used += i;
        n    += (uint16_t) i;
        for (; i < got; i++) {
            r = evpl_rx_wrap(evpl, rx[i], &pkts[n], iov, used, max_iov,
                             flags);
            if (unlikely(r < 0))
                break;
            used += (unsigned int) r;
            n++;
        }
        blocked = i < got;
        for (; i < got; i++)
            evpl_rx_keep(s, rx[i], port_id, queue_id);
    }

    /* Nothing delivered because the next packet alone is too big for the
     * array: say so, or the caller would spin on an empty queue. */
    if (n == 0 && blocked)
        return evpl_fail(ENOSPC);
    return n;
}

EVPL_EXPORT int
evpl_dpdk_rx_burst(
    struct evpl          *evpl,
    uint16_t              port_id,
    uint16_t              queue_id,
    struct evpl_dpdk_pkt *pkts,
    uint16_t              nb_pkts,
    struct evpl_iovec    *iov,
    unsigned int          max_iov)
{
    return evpl_dpdk_rx_burst_flags(evpl, port_id, queue_id, pkts, nb_pkts,
                                    iov, max_iov, 0);
}
