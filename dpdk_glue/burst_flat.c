/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Flat bursts: one iovec per packet, in a flat array, for the packets a
 * forwarder sees nearly always (one segment, held by nobody else). They do
 * what evpl_dpdk_rx_burst_flags() and evpl_dpdk_tx_burst() do for such
 * packets without struct evpl_dpdk_pkt: the per-packet descriptor those
 * write and read back is the one indirection of the round trip that the
 * iovec itself does not need. Anything else goes by the general paths.
 */

#include <rte_ethdev.h>

#include "glue.h"
#include "tx.h"

/* The head's flags a transmit keeps: what says where the data lives. */
#define EVPL_FLAT_KEEP_FLAGS (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)

typedef uint64_t __attribute__((may_alias)) evpl_flat_u64;
typedef uint32_t __attribute__((may_alias)) evpl_flat_u32;

/* iov->length and iov->flags are adjacent: one store for both. */
static __rte_always_inline void
evpl_flat_fill(struct evpl_iovec *iov, struct rte_mbuf *m, uint64_t flags_hi)
{
    RTE_BUILD_BUG_ON(offsetof(struct evpl_iovec, flags) !=
                     offsetof(struct evpl_iovec, length) + 4);
    iov->data = rte_pktmbuf_mtod(m, void *);
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_flat_u64 *) &iov->length = m->data_len | flags_hi;
#else
    iov->length = m->data_len;
    iov->flags  = (unsigned int) (flags_hi >> 32);
#endif
    iov->private_data = m;
}

/* Why a flat receive stops taking packets of its queue. */
#define EVPL_FLAT_FULL  1 /* iov is full: not an error */
#define EVPL_FLAT_CHAIN 2 /* the next packet is a chain: EMSGSIZE if alone */

/* Kept packets of this queue first, while they are single segments;
 * nonzero (EVPL_FLAT_FULL or _CHAIN) if a kept packet of this queue is still
 * waiting: it blocks the queue. */
static int
evpl_flat_rx_kept(
    struct evpl_rx_store *s,
    uint16_t              port_id,
    uint16_t              queue_id,
    struct evpl_iovec    *iov,
    uint16_t              nb_pkts,
    uint64_t              flags_hi,
    uint16_t             *n)
{
    unsigned int i, k;
    int          blocked = 0;

    for (i = 0, k = 0; i < s->kept; i++) {
        struct rte_mbuf *m = s->keep[i].m;

        if (s->keep[i].port == port_id &&
            s->keep[i].queue == queue_id && !blocked) {
            if (*n < nb_pkts && m->nb_segs == 1) {
                evpl_flat_fill(&iov[(*n)++], m, flags_hi);
                continue;
            }
            blocked = *n < nb_pkts ? EVPL_FLAT_CHAIN : EVPL_FLAT_FULL;
        }
        s->keep[k++] = s->keep[i];
    }
    s->kept = k;
    return blocked;
}

EVPL_EXPORT int
evpl_dpdk_rx_burst_flat(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    uint16_t           nb_pkts,
    unsigned int       flags)
{
    struct rte_mbuf      *rx[EVPL_RX_KEEP_MAX];
    struct evpl_rx_store *s;
    unsigned int          i, want, got;
    uint64_t              flags_hi;
    uint16_t              n = 0;
    int                   blocked = 0;

    if (unlikely(evpl == NULL || iov == NULL ||
                 (flags & ~EVPL_IOVEC_FLAG_SHARED) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 0)))
        return evpl_fail(EINVAL);
    flags_hi = (uint64_t) (evpl->owner_flags | flags) << 32;
    s        = evpl_rx_store(evpl);

    if (unlikely(s->kept > 0))
        blocked = evpl_flat_rx_kept(s, port_id, queue_id, iov, nb_pkts,
                                    flags_hi, &n);

    want = evpl_rx_keep_room(s, RTE_MIN((unsigned int) (nb_pkts - n),
                                           EVPL_DPDK_RX_BURST_MAX));
    if (!blocked && want > 0) {
        got = rte_eth_rx_burst(port_id, queue_id, rx, (uint16_t) want);
        /* The common burst: every packet one segment (nb_segs is in the
         * first cache line, which the driver wrote). */
        for (i = 0; i < got; i++) {
            if (unlikely(rx[i]->nb_segs != 1))
                break;
            evpl_flat_fill(&iov[n + i], rx[i], flags_hi);
        }
        n += (uint16_t) i;
        /* A chain and what came after it wait for the general call. */
        for (; i < got; i++) {
            evpl_rx_keep(s, rx[i], port_id, queue_id);
            blocked = EVPL_FLAT_CHAIN;
        }
    }
    evpl->stats.rx_pkts += n;
    evpl->stats.rx_segs += n;
    if (n == 0 && blocked == EVPL_FLAT_CHAIN)
        return evpl_fail(EMSGSIZE);
    return n;
}

/*
 * The common packet: one non-empty iovec whose mbuf nobody else holds
 * becomes that mbuf. data_off, refcnt, nb_segs and port share 8 bytes (the
 * word drivers "rearm" on receive): read once, checked for refcnt 1,
 * rewritten with port kept (rearm holds nb_segs and refcnt). The other
 * fields a driver reads are stored unconditionally: testing whether they
 * already hold their value costs a load and a branch each, more than the
 * store (measured: 39.6 instructions per packet with the tests, 38.6
 * without). Returns 0, having written nothing, for any other packet (a
 * slab iovec among them).
 */
static __rte_always_inline int
evpl_flat_tx_one(const struct evpl_iovec *v, uint64_t rearm)
{
    struct rte_mbuf *m   = v->private_data;
    uint32_t         len = v->length;
    uint64_t         word, want;

    /* A slab iovec is no mbuf: the general burst attaches it. */
    if (unlikely(v->flags & EVPL_IOVEC_F_SLAB_))
        return 0;
    word = *(evpl_flat_u64 *) &m->data_off;

    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, refcnt) !=
                     offsetof(struct rte_mbuf, data_off) + 2 ||
                     offsetof(struct rte_mbuf, nb_segs) !=
                     offsetof(struct rte_mbuf, data_off) + 4 ||
                     offsetof(struct rte_mbuf, port) !=
                     offsetof(struct rte_mbuf, data_off) + 6 ||
                     offsetof(struct rte_mbuf, pkt_len) !=
                     offsetof(struct rte_mbuf, packet_type) + 4 ||
                     offsetof(struct rte_mbuf, vlan_tci) !=
                     offsetof(struct rte_mbuf, data_len) + 2);
    if (unlikely(len == 0 || (word & 0xffff0000u) != 0x10000u))
        return 0;
    want = (word & UINT64_C(0xffff000000000000)) | rearm |
           (uint16_t) ((char *) v->data - (char *) m->buf_addr);
    *(evpl_flat_u64 *) &m->data_off    = want;
    *(evpl_flat_u64 *) &m->packet_type = (uint64_t) len << 32;
    *(evpl_flat_u32 *) &m->data_len    = len;
    m->vlan_tci_outer = 0;
    m->ol_flags      &= EVPL_FLAT_KEEP_FLAGS;
    m->next           = NULL;
    m->tx_offload     = 0;
    return 1;
}

/* Packets [0, n) through the general burst, 64 at a time; returns how many
 * the driver took. With TAKE_REF everything not taken is released, as
 * evpl_dpdk_tx_burst() does for its own packets. */
static int
evpl_flat_tx_general(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    unsigned int       n,
    unsigned int       flags)
{
    struct evpl_dpdk_pkt pkts[64];
    unsigned int         done = 0, k, j;
    int                  r;

    while (done < n) {
        k = RTE_MIN(n - done, RTE_DIM(pkts));
        for (j = 0; j < k; j++) {
            pkts[j].iov  = &iov[done + j];
            pkts[j].niov = 1;
        }
        r = evpl_dpdk_tx_burst(evpl, port_id, queue_id, pkts, (uint16_t) k,
                               flags);
        if (unlikely(r < 0)) {
            /* Nothing of this chunk was taken or released. */
            r = 0;
            k = 0;
        }
        done += (unsigned int) r;
        if ((unsigned int) r < k || k == 0) {
            /* The general burst dealt with its own chunk; the rest of the
             * array was never handed to it. */
            if (flags & EVPL_DPDK_TAKE_REF) {
                /* The library's release: a GLOBAL iovec's reference
                 * stays with its owner. */
                j = done + (k - (unsigned int) r);
                evpl_tx_give_up(&iov[j], (int) (n - j), 0);
                evpl->stats.tx_dropped += n - j;
            }
            break;
        }
    }
    return (int) done;
}

EVPL_EXPORT int
evpl_dpdk_tx_burst_flat(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    uint16_t           nb_pkts,
    unsigned int       flags)
{
    struct rte_mbuf *out[EVPL_DPDK_RX_BURST_MAX];
    unsigned int     done = 0, want, conv, i;
    uint64_t         rearm;
    uint16_t         sent;

    if (unlikely(evpl == NULL || (iov == NULL && nb_pkts > 0) ||
                 (flags & ~EVPL_DPDK_TAKE_REF) != 0 ||
                 !evpl_port_queue_ok(port_id, queue_id, 1)))
        return evpl_fail(EINVAL);
#ifdef EVPL_IOVEC_TRACE
    /* Trace builds check every iovec: the general path does. */
    return evpl_flat_tx_general(evpl, port_id, queue_id, iov, nb_pkts, flags);
#endif
    /* nb_segs 1 and refcnt: without TAKE_REF the mbuf leaves with the
     * chain's reference and the caller's. */
    rearm = UINT64_C(1) << 32 |
            (uint64_t) ((flags & EVPL_DPDK_TAKE_REF) ? 1 : 2) << 16;

    while (done < nb_pkts) {
        want = RTE_MIN((unsigned int) nb_pkts - done, RTE_DIM(out));
        for (conv = 0; conv < want; conv++) {
            const struct evpl_iovec *v = &iov[done + conv];

            if (unlikely(!evpl_flat_tx_one(v, rearm)))
                break;
            out[conv] = v->private_data;
        }
        evpl->stats.tx_pkts   += conv;
        evpl->stats.tx_segs   += conv;
        evpl->stats.tx_reused += conv;
        sent = conv ? rte_eth_tx_burst(port_id, queue_id, out,
                                       (uint16_t) conv) : 0;
        if (unlikely(sent < conv)) {
            /* Not taken: the chains' references go (with TAKE_REF those
             * were the caller's); the packets after them too. */
            for (i = sent; i < conv; i++)
                rte_pktmbuf_free(out[i]);
            done += sent;
            if (flags & EVPL_DPDK_TAKE_REF) {
                i = done + conv - sent;
                evpl_tx_give_up(&iov[i], (int) (nb_pkts - i), 0);
                evpl->stats.tx_dropped += nb_pkts - done;
            }
            return (int) done;
        }
        done += sent;
        if (unlikely(conv < want))
            return (int) done + evpl_flat_tx_general(evpl, port_id, queue_id,
                                                     &iov[done],
                                                     nb_pkts - done, flags);
    }
    return (int) done;
}
