/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Transmit entry points and the fast path: a packet of one non-empty iovec
 * whose mbuf nobody else holds becomes that mbuf with a few stores; every
 * other packet goes to the chain builder (tx_chain.c).
 */

#include <stddef.h>

#include <rte_ethdev.h>

#include "tx.h"

/* No port: a chain of at most EVPL_DPDK_MAX_SEGS built segments, or, past
 * that, a linearised packet of up to what nb_segs can count. */
static const struct evpl_tx_caps evpl_tx_caps_any = {
    .max_segs = UINT16_MAX,
};

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
    /* The common packet, before the general builder's stack frame. */
    if (niov == 1) {
        struct rte_mbuf *m = evpl_tx_single("evpl_dpdk_iovecs_to_mbuf", iov,
                                            evpl_tx_refs(flags), flags);

        if (m != NULL) {
            evpl_tx_count(evpl, 1, 1, 1, 0, 0, 0);
            return m;
        }
    }
    return evpl_tx_convert("evpl_dpdk_iovecs_to_mbuf", evpl, iov, niov, flags,
                           &evpl_tx_caps_any);
}

/* Packets converted per rte_eth_tx_burst(): the chains of one chunk sit
 * on the stack. */
#define EVPL_TX_CHUNK 64u

EVPL_EXPORT int
evpl_dpdk_tx_burst(
    struct evpl                *evpl,
    uint16_t                    port_id,
    uint16_t                    queue_id,
    const struct evpl_dpdk_pkt *pkts,
    uint16_t                    nb_pkts,
    unsigned int                flags)
{
    struct rte_mbuf    *chains[EVPL_TX_CHUNK];
    struct evpl_tx_caps caps;
    uint16_t            done = 0, want, conv, sent, k;
    unsigned int        single = 0;
    const struct evpl_port_caps *port;
    int                 i;

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
        single += conv;
        for (; conv < want; conv++) {
            const struct evpl_dpdk_pkt *p = &pkts[done + conv];

            if (unlikely(p->iov == NULL || p->niov < 1))
                break;
            if (p->niov == 1 &&
                (chains[conv] = evpl_tx_single("evpl_dpdk_tx_burst", p->iov,
                                               evpl_tx_refs(flags),
                                               flags)) != NULL) {
                single++;
                continue;
            }
            chains[conv] = evpl_tx_convert("evpl_dpdk_tx_burst", evpl,
                                           p->iov, p->niov, flags,
                                           &caps);
            if (unlikely(chains[conv] == NULL))
                break;
        }

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
    /* The single-mbuf packets' counts, once per burst. */
    evpl_tx_count(evpl, single, single, single, 0, 0, 0);
    return done;
}
