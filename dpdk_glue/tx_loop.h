/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The transmit engine's burst loop, glue-private: the shapes a burst's
 * packets come in, the loop's steps and the loop itself (tx.h has the
 * decision and the builders it uses). Included by tx_burst.c, which
 * instantiates the loop, and tx_one.c, its out-of-line step.
 */

#ifndef EVPL_GLUE_TX_LOOP_H
#define EVPL_GLUE_TX_LOOP_H

#include <rte_ethdev.h>

#include "tx.h"

/* How a burst's packets are given (a constant at each caller). */
enum evpl_tx_shape {
    EVPL_TX_PKTS, /* struct evpl_dpdk_pkt[]: evpl_dpdk_tx_burst() */
    EVPL_TX_FLAT, /* one iovec a packet: evpl_dpdk_tx_burst_flat() */
    EVPL_TX_ONE,  /* one packet for the caller, no driver:
                   * evpl_dpdk_iovecs_to_mbuf() */
};

struct evpl_tx_src {
    enum evpl_tx_shape          shape;
    const struct evpl_dpdk_pkt *pkts; /* PKTS */
    struct evpl_iovec          *iov;  /* FLAT, ONE */
    int                         niov; /* ONE */
};

/* The public call a shape serves, as aborts and trace mode name it. */
static __rte_always_inline const char *
evpl_tx_call(enum evpl_tx_shape shape)
{
    return shape == EVPL_TX_PKTS ? "evpl_dpdk_tx_burst" :
           shape == EVPL_TX_FLAT ? "evpl_dpdk_tx_burst_flat" :
           "evpl_dpdk_iovecs_to_mbuf";
}

/* Packet i's iovecs, and how many (PKTS: as given, NULL or < 1 included),
 * for src of the given shape: the loop passes its constant, the
 * out-of-line steps src->shape. */
static __rte_always_inline struct evpl_iovec *
evpl_tx_src_iov(
    const struct evpl_tx_src *src,
    enum evpl_tx_shape        shape,
    unsigned int              i)
{
    return shape == EVPL_TX_PKTS ? src->pkts[i].iov :
           shape == EVPL_TX_FLAT ? &src->iov[i] : src->iov;
}

static __rte_always_inline int
evpl_tx_src_niov(
    const struct evpl_tx_src *src,
    enum evpl_tx_shape        shape,
    unsigned int              i)
{
    return shape == EVPL_TX_PKTS ? src->pkts[i].niov :
           shape == EVPL_TX_FLAT ? 1 : src->niov;
}

/* Packet i's iovecs in *v, and how many; 0 for a packet of none (PKTS:
 * iov NULL or niov < 1), where conversion stops. */
static __rte_always_inline int
evpl_tx_src_pkt(
    const struct evpl_tx_src *src,
    enum evpl_tx_shape        shape,
    unsigned int              i,
    struct evpl_iovec       **v)
{
    int niov = evpl_tx_src_niov(src, shape, i);

    *v = evpl_tx_src_iov(src, shape, i);
    return *v == NULL || niov < 1 ? 0 : niov;
}

#if defined(EVPL_FLAT_VECTOR) && !defined(EVPL_IOVEC_TRACE)
#include "tx_vec.h"
#endif

/*
 * The loop's first step: the run of common packets from packet at on, at
 * most n of them, into out[]; returns how many. The first packet of any
 * other kind stops it, untouched. Trace builds check each iovec, one at a
 * time.
 */
static __rte_always_inline unsigned int
evpl_tx_own_run(
    const struct evpl_tx_src *src,
    enum evpl_tx_shape        shape,
    unsigned int              at,
    unsigned int              n,
    struct rte_mbuf         **out,
    unsigned int              flags)
{
    const uint16_t     refs = evpl_tx_own_refs(flags);
    struct evpl_iovec *v;
    unsigned int       i = 0;

#if defined(EVPL_FLAT_VECTOR) && !defined(EVPL_IOVEC_TRACE)
    if (shape == EVPL_TX_FLAT)
        for (; i + 4 <= n; i += 4)
            if (unlikely(!evpl_tx_own4(&src->iov[at + i], &out[i], refs,
                                       flags)))
                break;
#endif
    for (; i < n; i++) {
        v = evpl_tx_src_iov(src, shape, at + i);
        if (shape != EVPL_TX_FLAT &&
            unlikely(evpl_tx_src_niov(src, shape, at + i) != 1 || v == NULL))
            break;
#ifdef EVPL_IOVEC_TRACE
        evpl_trace_check_(evpl_tx_call(shape), v);
#endif
        out[i] = evpl_tx_own(v, refs);
        if (unlikely(out[i] == NULL))
            break;
#ifdef EVPL_IOVEC_TRACE
        if (flags & EVPL_DPDK_TAKE_REF)
            evpl_tx_trace_taken(v, 1);
#endif
    }
    return i;
}

/*
 * The loop's second step, out of line (tx_one.c): packets [conv, want)
 * of the chunk starting at packet at, past its common ones, each
 * converted as evpl_tx_pkt_fate() decides, the fresh mbufs of those that
 * need one taken in one get; returns the index of the first that could
 * not be (want when all were), errno set.
 */
unsigned int evpl_tx_rest(struct evpl *evpl, const struct evpl_tx_src *src,
                          unsigned int at, unsigned int conv,
                          unsigned int want, struct rte_mbuf **out,
                          unsigned int flags,
                          const struct evpl_tx_caps *caps);

/*
 * The same step for a burst of one (EVPL_TX_ONE: no port, the shape of
 * evpl_tx_caps_any) that evpl_tx_own_run() did not take, whose mbufs are
 * taken after its references are settled: a packet of one iovec by
 * evpl_tx_one(), of several by evpl_tx_chain_one() (tx_chain.c), the
 * chain builder counting a failure for want of mbufs as the bursts' step
 * does. The packet, or NULL with errno set, the iovecs untouched.
 */
struct rte_mbuf *evpl_tx_one(struct evpl *evpl, struct evpl_iovec *iov,
                             unsigned int flags);
struct rte_mbuf *evpl_tx_chain_one(struct evpl *evpl, struct evpl_iovec *iov,
                                   int niov, unsigned int flags);

/*
 * The packets of a burst the driver did not take (tx_burst.c), whatever
 * the burst: out[sent, conv) converted, and packets [first, nb_pkts)
 * never converted.
 */
void evpl_tx_untaken(struct evpl *evpl, const struct evpl_tx_src *src,
                     struct rte_mbuf **out, unsigned int sent,
                     unsigned int conv, unsigned int first,
                     unsigned int nb_pkts, unsigned int flags);

/*
 * The burst loop: the packets of src, EVPL_TX_CHUNK at a time, converted
 * into out[] (the common ones by evpl_tx_own_run(), the others by
 * evpl_tx_rest()) and handed to rte_eth_tx_burst(); what the driver did
 * not take goes to evpl_tx_untaken(). Returns how many packets the driver
 * took. For EVPL_TX_ONE there is no driver: returns 1 with the packet in
 * out[0] (room for one), or 0 with errno set and the iovecs untouched.
 * shape (src's) and flags are constants at each caller: the loop is
 * specialised for each.
 */
static __rte_always_inline unsigned int
evpl_tx_loop(
    struct evpl               *evpl,
    uint16_t                   port_id,
    uint16_t                   queue_id,
    const struct evpl_tx_src  *src,
    enum evpl_tx_shape         shape,
    unsigned int               nb_pkts,
    unsigned int               flags,
    const struct evpl_tx_caps *caps,
    struct rte_mbuf          **out)
{
    unsigned int done = 0, want, conv, sent, own = 0;

    if (shape == EVPL_TX_ONE) {
        if (evpl_tx_own_run(src, shape, 0, 1, out, flags)) {
            evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                                .tx_pkts = 1, .tx_segs = 1, .tx_reused = 1 });
            return 1;
        }
        out[0] = src->niov != 1 ?
                 evpl_tx_chain_one(evpl, src->iov, src->niov, flags) :
                 evpl_tx_one(evpl, src->iov, flags);
        return out[0] != NULL;
    }
    while (done < nb_pkts) {
        want = RTE_MIN(nb_pkts - done, EVPL_TX_CHUNK);
        conv = evpl_tx_own_run(src, shape, done, want, out, flags);
        own += conv;
        if (unlikely(conv < want))
            conv = evpl_tx_rest(evpl, src, done, conv, want, out, flags,
                                caps);
        sent  = conv ? rte_eth_tx_burst(port_id, queue_id, out,
                                        (uint16_t) conv) : 0;
        done += sent;
        if (unlikely(sent < want)) {
            evpl_tx_untaken(evpl, src, out, sent, conv, done - sent + conv,
                            nb_pkts, flags);
            break;
        }
    }
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_pkts = own, .tx_segs = own, .tx_reused = own });
    return done;
}

#endif /* EVPL_GLUE_TX_LOOP_H */
