/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Linearisation, the chain builder's (tx_chain.c) only: a packet copied
 * whole, for a port that cannot take the chain as it would be built (no
 * MULTI_SEGS, too many segments), for more iovecs than one chain is built
 * from (EVPL_DPDK_MAX_SEGS), or for a piece no mbuf can be attached to.
 */

#include <string.h>

#include "tx.h"

/* Bytes max_segs fresh mbufs hold as evpl_tx_linearize() fills them: the
 * first behind its headroom (from its first byte where nothing fits behind
 * the headroom), the others from their first byte. */
static uint64_t
evpl_tx_linear_room(
    const struct evpl *evpl,
    unsigned int       max_segs)
{
    uint32_t first = evpl->room -
                     RTE_MIN((uint32_t) RTE_PKTMBUF_HEADROOM, evpl->room);

    return (first != 0 ? first : evpl->room) +
           (uint64_t) (max_segs - 1) * evpl->room;
}

/* Copy every byte into fresh mbufs: the packet for a port that cannot take
 * the chain as built. The first mbuf keeps its headroom; the others are
 * filled from their first byte. The caller saw that the mbufs the port
 * takes hold the packet (evpl_tx_linear_room()). */
static struct rte_mbuf *
evpl_tx_linearize(
    struct evpl             *evpl,
    const struct evpl_iovec *iov,
    int                      niov)
{
    struct rte_mbuf *head = NULL, *tail = NULL, *c;
    unsigned int     nseg = 0, room = 0, chunk, off = 0;
    uint32_t         total = 0;
    int              j = 0;

    for (;;) {
        while (j < niov && off == iov[j].length) {
            j++;
            off = 0;
        }
        if (j == niov)
            break;
        if (tail == NULL || tail->data_len == room) {
            c = evpl_tx_mbuf_alloc(evpl);
            if (c == NULL) {
                rte_pktmbuf_free(head);
                evpl_fail(ENOMEM);
                return NULL;
            }
            /* Only the head keeps its headroom, and only where bytes
             * still fit behind it. */
            if (head == NULL)
                head = c;
            else
                tail->next = c;
            if (tail != NULL || rte_pktmbuf_tailroom(c) == 0)
                c->data_off = 0;
            tail = c;
            room = rte_pktmbuf_tailroom(c);
            nseg++;
        }
        chunk = RTE_MIN(iov[j].length - off, room - tail->data_len);
        memcpy(rte_pktmbuf_mtod_offset(tail, char *, tail->data_len),
               (char *) iov[j].data + off, chunk);
        tail->data_len += (uint16_t) chunk;
        total          += chunk;
        off            += chunk;
    }
    head->nb_segs = (uint16_t) nseg;
    head->pkt_len = total;
    return head;
}

/*
 * Linearise without allocating: into the first non-empty iovec's own mbuf,
 * when that mbuf is direct and nobody else's (so the bytes behind the
 * iovec belong to no other reference) and the whole packet fits behind the
 * iovec's start. The other pieces are copied after it. Returns NULL, having
 * changed nothing, when that does not apply. Without TAKE_REF the chain
 * takes a reference of its own; the caller's iovecs keep their ranges.
 */
static struct rte_mbuf *
evpl_tx_gather_first(
    const struct evpl_iovec *iov,
    int                      niov,
    uint64_t                 total,
    unsigned int             flags)
{
    const struct evpl_iovec *first;
    struct rte_mbuf         *m;
    char                    *dst;
    int                      j = 0;

    while (iov[j].length == 0)
        j++;
    first = &iov[j];
    if (evpl_iovec_on_slab_(first))
        return NULL;
    m     = evpl_iovec_mbuf_(first);
    if (!evpl_mbuf_writable(m) || total > UINT16_MAX ||
        (char *) first->data + total > (char *) m->buf_addr + m->buf_len)
        return NULL;
    dst = (char *) first->data + first->length;
    for (j++; j < niov; j++) {
        memcpy(dst, iov[j].data, iov[j].length);
        dst += iov[j].length;
    }
    m->data_off = (uint16_t) ((char *) first->data - (char *) m->buf_addr);
    m->data_len = (uint16_t) total;
    m->pkt_len  = (uint32_t) total;
    m->nb_segs  = 1;
    m->next     = NULL;
    if (!(flags & EVPL_DPDK_TAKE_REF))
        rte_mbuf_refcnt_set(m, 2);
    return m;
}

struct rte_mbuf *
evpl_tx_linear(
    struct evpl            *evpl,
    struct evpl_iovec      *iov,
    int                     niov,
    int                     n,
    uint64_t                total,
    unsigned int            flags,
    unsigned int            max_segs)
{
    struct rte_mbuf *head;
    uint64_t         reused = 0;

    head = evpl_tx_gather_first(iov, niov, total, flags);
    if (head != NULL) {
        /* The first piece's mbuf is the packet; the others were copied. */
        reused = 1;
    } else {
        /* More than the port takes is refused before anything is copied,
         * whatever the pool holds. */
        if (total > evpl_tx_linear_room(evpl, max_segs)) {
            evpl_fail(EMSGSIZE);
            return NULL;
        }
        head = evpl_tx_linearize(evpl, iov, niov);
        if (head == NULL)
            return NULL;
    }
    if (flags & EVPL_DPDK_TAKE_REF)
        evpl_tx_give_up(iov, niov, reused);
    evpl_tx_head_reset(head);
    evpl_glue_count(evpl_glue(evpl), &(struct evpl_dpdk_stats) {
                        .tx_pkts = 1, .tx_segs = head->nb_segs,
                        .tx_reused = reused, .tx_copied = (uint64_t) n - reused,
                        .tx_linearized = 1 });
    return head;
}
