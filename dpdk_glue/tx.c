/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * iovecs -> mbuf chains for transmit.
 *
 * Every non-empty iovec becomes, in order of preference:
 *  - reused: its own mbuf, when the iovec holds the only reference. Only
 *    header fields are written; with TAKE_REF the reference simply moves.
 *  - copied: when shared and small, its bytes go into the tailroom of the
 *    previous segment or the headroom of the next one, when the chain owns
 *    that segment outright; failing both, into a fresh mbuf.
 *  - indirect: when shared and larger, an indirect mbuf attached to it.
 *
 * The chain is built so that it can be undone exactly: until the end,
 * reused segments carry no new reference with TAKE_REF (one extra without
 * it), and every segment allocated here is remembered, so a failure part-way
 * unlinks the one kind and frees the other, leaving the iovecs as they came.
 */

#include <stddef.h>
#include <string.h>

#include <rte_ethdev.h>

#include "internal.h"
#include "tx_ext.h"

#define EVPL_HEAD_KEEP_FLAGS (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)

/* Limits of the port a chain is for. */
struct evpl_tx_caps {
    uint16_t max_segs; /* 1: the port cannot send chains */
};

/* No port: a chain of at most EVPL_DPDK_MAX_SEGS built segments, or, past
 * that, a linearised packet of up to what nb_segs can count. */
static const struct evpl_tx_caps evpl_tx_caps_any = {
    .max_segs = UINT16_MAX,
};

/* State of one conversion. Bit k of new_segs: segment k was allocated
 * here. Bit j of consumed: non-empty iovec j did not become a segment of
 * its own (copied or attached), so TAKE_REF releases its reference. */
struct evpl_tx_build {
    struct rte_mbuf *head, *tail;
    uint64_t         new_segs, consumed;
    uint32_t         pkt_len;
    unsigned int     nseg;
    int              tail_writable;
    /* Small shared iovecs waiting for a segment to be copied into:
     * non-empty indices [pend_first, pend_first + pend_n), pend_len bytes. */
    int              pend_first, pend_n;
    unsigned int     pend_len;
    unsigned int     reused, indirect, copied;
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

static inline void
evpl_tx_append(
    struct evpl_tx_build *b,
    struct rte_mbuf      *seg,
    int                   is_new,
    int                   writable)
{
    /* new_segs and consumed have a bit per segment and per iovec. */
    RTE_BUILD_BUG_ON(EVPL_DPDK_MAX_SEGS > 8 * sizeof(b->new_segs) ||
                     EVPL_DPDK_MAX_SEGS > 8 * sizeof(b->consumed));
    seg->next = NULL;
    if (b->head == NULL)
        b->head = seg;
    else
        b->tail->next = seg;
    b->tail = seg;
    if (is_new)
        b->new_segs |= UINT64_C(1) << b->nseg;
    b->nseg++;
    b->pkt_len      += seg->data_len;
    b->tail_writable = writable;
}

/*
 * The reference an indirect segment holds on what holds v's bytes: the
 * shared info of an external buffer, else the direct mbuf. Taken as v's
 * own clone would take it (LOCAL plainly, SHARED with a compare-and-swap,
 * so the count is never seen wrapped); at 65535 it aborts, naming the
 * call, where rte_pktmbuf_attach() would wrap. Returns the count.
 */
static inline uint16_t *
evpl_tx_ref_take(
    const char              *call,
    const struct evpl_iovec *v)
{
    struct rte_mbuf *m   = evpl_iovec_mbuf(v);
    uint16_t        *cnt = RTE_MBUF_HAS_EXTBUF(m) ? &m->shinfo->refcnt :
                           &rte_mbuf_from_indirect(m)->refcnt;

    /* Plain only on the iovec's own LOCAL count: the count of a direct
     * mbuf behind an indirect one, or of an external buffer, is anyone's. */
    evpl_refcnt_add_(call, v, cnt, 1,
                     (v->flags & EVPL_IOVEC_FLAG_SHARED) || cnt != &m->refcnt);
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
        cnt != &evpl_iovec_mbuf(v)->refcnt)
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
    struct rte_mbuf *m = evpl_iovec_mbuf(v);

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

/* Copy the pending small iovecs to the end of seg's data. */
static inline void
evpl_tx_copy_pending(
    struct evpl_tx_build    *b,
    const struct evpl_iovec *const *nonempty,
    struct rte_mbuf         *seg,
    int                      at_front)
{
    char *dst;
    int   k;

    if (at_front) {
        seg->data_off -= (uint16_t) b->pend_len;
        dst            = rte_pktmbuf_mtod(seg, char *);
    } else {
        dst = rte_pktmbuf_mtod_offset(seg, char *, seg->data_len);
    }
    for (k = 0; k < b->pend_n; k++) {
        const struct evpl_iovec *v = nonempty[b->pend_first + k];

        memcpy(dst, v->data, v->length);
        dst += v->length;
    }
    seg->data_len += (uint16_t) b->pend_len;
    b->copied     += (unsigned int) b->pend_n;
    b->pend_n      = 0;
    b->pend_len    = 0;
}

/* Most bytes that may wait for a segment to be copied into: what the next
 * segment's headroom usually holds, and never more than a fresh mbuf holds
 * behind its own headroom, as a fresh mbuf is where they go when the next
 * segment has no room in front (a small data room: segment_size 1, say). */
static inline unsigned int
evpl_tx_pend_max(const struct evpl *evpl)
{
    return RTE_MIN((uint32_t) RTE_PKTMBUF_HEADROOM,
                   evpl->room - evpl->headroom);
}

/* Pending bytes into a fresh mbuf, appended as a writable segment. */
static inline int
evpl_tx_flush_pending(
    struct evpl                     *evpl,
    struct evpl_tx_build            *b,
    const struct evpl_iovec *const *nonempty)
{
    struct rte_mbuf *c;

    if (b->pend_n == 0)
        return 0;
    c = evpl_tx_mbuf_alloc(evpl);
    if (c == NULL)
        return -1;
    c->data_len = 0;
    evpl_tx_copy_pending(b, nonempty, c, 0);
    evpl_tx_append(b, c, 1, 1);
    return 0;
}

/* Undo a partly built chain: the iovecs get back exactly what they had. */
static void
evpl_tx_rollback(
    struct evpl_tx_build *b,
    unsigned int          flags)
{
    struct rte_mbuf *seg = b->head, *next;
    unsigned int     k;

    for (k = 0; seg != NULL; k++, seg = next) {
        next = seg->next;
        if (b->new_segs & (UINT64_C(1) << k)) {
            rte_pktmbuf_free_seg(seg);
        } else {
            seg->next    = NULL;
            seg->nb_segs = 1;
            if (!(flags & EVPL_DPDK_TAKE_REF))
                rte_mbuf_refcnt_set(seg, 1);
        }
    }
}

/* Copy every byte into fresh mbufs: the packet for a port that cannot take
 * the chain as built. The first mbuf keeps its headroom; the others are
 * filled from their first byte. */
static struct rte_mbuf *
evpl_tx_linearize(
    struct evpl             *evpl,
    const struct evpl_iovec *iov,
    int                      niov,
    unsigned int             max_segs)
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
            if (nseg == max_segs) {
                rte_pktmbuf_free(head);
                evpl_fail(EMSGSIZE);
                return NULL;
            }
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
    if (first->flags & EVPL_IOVEC_F_SLAB_)
        return NULL;
    m     = evpl_iovec_mbuf(first);
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

#ifdef EVPL_IOVEC_TRACE
/* Trace builds: every iovec handed in must be live, and with TAKE_REF it
 * is dead once converted. */
static void
evpl_tx_trace_in(
    const char              *call,
    const struct evpl_iovec *iov,
    int                      niov,
    unsigned int             flags)
{
    int j, k, on_m;

    for (j = 0; j < niov; j++)
        evpl_trace_check_(call, &iov[j]);
    if (!(flags & EVPL_DPDK_TAKE_REF))
        return;
    /* Moving references into the chain: an mbuf cannot give more than it
     * has. More iovecs on it than references means one reference passed
     * twice (a raw copy, b = a), which would put the mbuf in the chain
     * twice with one count. A clone is a reference of its own and passes. */
    for (j = 0; j < niov; j++) {
        /* A slab's count is not an mbuf's, and GLOBAL borrows hold none:
         * transmit takes counts of its own on slabs. */
        if (iov[j].flags & EVPL_IOVEC_F_SLAB_)
            continue;
        for (k = 0, on_m = 0; k < niov; k++)
            on_m += iov[k].private_data == iov[j].private_data;
        if (unlikely(on_m > (int) rte_mbuf_refcnt_read(
                         evpl_iovec_mbuf(&iov[j]))))
            evpl_iovec_abort(call, &iov[j], "%d iovecs of one packet hold "
                             "%u references: one passed twice", on_m,
                             rte_mbuf_refcnt_read(evpl_iovec_mbuf(&iov[j])));
    }
}

static void
evpl_tx_trace_taken(struct evpl_iovec *iov, int niov)
{
    int j;

    for (j = 0; j < niov; j++)
        iov[j].flags |= EVPL_IOVEC_F_MOVED_;
}
#endif

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

/* Without TAKE_REF the chain holds a reference of its own. */
static inline uint32_t
evpl_tx_refs(unsigned int flags)
{
    return (flags & EVPL_DPDK_TAKE_REF) ? 1 : 2;
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
 * Build the chain for one packet. On success with TAKE_REF, the references
 * of iovecs that did not become segments are released.
 */
static __rte_noinline struct rte_mbuf *
evpl_tx_convert(
    const char                *call,
    struct evpl               *evpl,
    struct evpl_iovec         *iov,
    int                        niov,
    unsigned int               flags,
    const struct evpl_tx_caps *caps)
{
    const struct evpl_iovec *nonempty[EVPL_DPDK_MAX_SEGS];
    struct evpl_tx_build     b;
    struct rte_mbuf         *m, *head;
    uint64_t                 total = 0;
    int                      n = 0, j, err;
    unsigned int             ext = 0;

    RTE_SET_USED(call);
#ifdef EVPL_IOVEC_TRACE
    evpl_tx_trace_in(call, iov, niov, flags);
#endif
    for (j = 0; j < niov; j++) {
        if (iov[j].length == 0)
            continue;
        total += iov[j].length;
        /* A long slab range takes one segment per 64 KiB. */
        if (unlikely(iov[j].flags & EVPL_IOVEC_F_SLAB_))
            ext += evpl_tx_ext_segs(iov[j].length) - 1;
        if (n < (int) EVPL_DPDK_MAX_SEGS)
            nonempty[n] = &iov[j];
        n++;
    }
    if (n == 0) {
        evpl_fail(EINVAL);
        return NULL;
    }
    if (total > UINT32_MAX) {
        evpl_fail(EMSGSIZE);
        return NULL;
    }
    if (n + ext > RTE_MIN(caps->max_segs, EVPL_DPDK_MAX_SEGS))
        goto linearize;

    memset(&b, 0, sizeof(b));
    for (j = 0; j < n; j++) {
        const struct evpl_iovec *v = nonempty[j];

        m = evpl_iovec_mbuf(v);
        if (!(v->flags & EVPL_IOVEC_F_SLAB_) && evpl_mbuf_exclusive(m)) {
            int writable = RTE_MBUF_DIRECT(m);

            m->data_off = (uint16_t) ((char *) v->data - (char *) m->buf_addr);
            m->data_len = (uint16_t) v->length;
            if (b.pend_n > 0) {
                if (writable && m->data_off >= b.pend_len) {
                    evpl_tx_copy_pending(&b, nonempty, m, 1);
                } else if (evpl_tx_flush_pending(evpl, &b, nonempty) < 0) {
                    err = ENOMEM;
                    goto fail;
                }
            }
            if (!(flags & EVPL_DPDK_TAKE_REF))
                rte_mbuf_refcnt_set(m, 2);
            evpl_tx_append(&b, m, 0, writable);
            b.reused++;
            continue;
        }

        b.consumed |= UINT64_C(1) << j;

        if (v->length <= evpl->tx_copy_max) {
            if (b.pend_n == 0 && b.tail_writable &&
                rte_pktmbuf_tailroom(b.tail) >= v->length) {
                memcpy(rte_pktmbuf_mtod_offset(b.tail, char *,
                                               b.tail->data_len),
                       v->data, v->length);
                b.tail->data_len += (uint16_t) v->length;
                b.pkt_len        += v->length;
                b.copied++;
                continue;
            }
            /* Wait for the next segment: it may have headroom for it. */
            if (b.pend_len + v->length > evpl_tx_pend_max(evpl) &&
                evpl_tx_flush_pending(evpl, &b, nonempty) < 0) {
                err = ENOMEM;
                goto fail;
            }
            if (b.pend_n == 0)
                b.pend_first = j;
            b.pend_n++;
            b.pend_len += v->length;
            continue;
        }

        if (v->flags & EVPL_IOVEC_F_SLAB_) {
            struct rte_mbuf *eh, *et, *next;

            if (evpl_tx_flush_pending(evpl, &b, nonempty) < 0 ||
                evpl_tx_ext_attach(evpl, call, v, &eh, &et) < 0) {
                err = ENOMEM;
                goto fail;
            }
            for (; eh != NULL; eh = next) {
                next = eh->next;
                evpl_tx_append(&b, eh, 1, 0);
            }
            b.indirect++;
            continue;
        }

        if (RTE_MBUF_HAS_PINNED_EXTBUF(m)) {
            /* A pinned external buffer cannot be attached to. */
            evpl_tx_rollback(&b, flags);
            goto linearize;
        }
        if (evpl_tx_flush_pending(evpl, &b, nonempty) < 0) {
            err = ENOMEM;
            goto fail;
        }
        {
            /* The reference first: a count at its limit aborts before
             * anything else is written. */
            uint16_t        *cnt = evpl_tx_ref_take(call, v);
            struct rte_mbuf *mi  = evpl_tx_mbuf_alloc(evpl);

            if (mi == NULL) {
                evpl_tx_ref_drop(v, cnt);
                err = ENOMEM;
                goto fail;
            }
            evpl_tx_attach(mi, v);
            evpl_tx_append(&b, mi, 1, 0);
            b.indirect++;
        }
    }
    if (evpl_tx_flush_pending(evpl, &b, nonempty) < 0) {
        err = ENOMEM;
        goto fail;
    }

    if (b.nseg > caps->max_segs) {
        evpl_tx_rollback(&b, flags);
        goto linearize;
    }

    head          = b.head;
    head->nb_segs = (uint16_t) b.nseg;
    head->pkt_len = b.pkt_len;
    evpl_tx_head_reset(head);

    if (flags & EVPL_DPDK_TAKE_REF)
        for (j = 0; j < n; j++)
            if (b.consumed & (UINT64_C(1) << j))
                evpl_iovec_put_taken_(nonempty[j]);

    evpl->stats.tx_pkts++;
    evpl->stats.tx_segs     += b.nseg;
    evpl->stats.tx_reused   += b.reused;
    evpl->stats.tx_indirect += b.indirect;
    evpl->stats.tx_copied   += b.copied;
    goto release_empty;

 fail:
    evpl_tx_rollback(&b, flags);
    if (err == ENOMEM)
        evpl->stats.tx_nomem++;
    evpl_fail(err);
    return NULL;

 linearize:
    head = evpl_tx_gather_first(iov, niov, total, flags);
    if (head != NULL) {
        /* The first piece's mbuf is the packet; the others were copied
         * and, with TAKE_REF, their references go. */
        if (flags & EVPL_DPDK_TAKE_REF) {
            int pieces = 0;

            for (j = 0; j < niov; j++)
                if (iov[j].length > 0 && pieces++ > 0)
                    evpl_iovec_put_taken_(&iov[j]);
        }
        evpl->stats.tx_reused++;
        n--;
    } else {
        head = evpl_tx_linearize(evpl, iov, niov, caps->max_segs);
        if (head == NULL) {
            if (rte_errno == ENOMEM)
                evpl->stats.tx_nomem++;
            return NULL;
        }
        if (flags & EVPL_DPDK_TAKE_REF)
            for (j = 0; j < niov; j++)
                if (iov[j].length > 0)
                    evpl_iovec_put_taken_(&iov[j]);
    }
    evpl_tx_head_reset(head);
    evpl->stats.tx_pkts++;
    evpl->stats.tx_segs += head->nb_segs;
    evpl->stats.tx_linearized++;
    evpl->stats.tx_copied += (uint64_t) n;

 release_empty:
    /* Empty iovecs carried references too; with TAKE_REF they move here. */
    if (flags & EVPL_DPDK_TAKE_REF) {
        for (j = 0; j < niov; j++)
            if (iov[j].length == 0)
                evpl_iovec_put_taken_(&iov[j]);
#ifdef EVPL_IOVEC_TRACE
        evpl_tx_trace_taken(iov, niov);
#endif
    }
    return head;
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
            evpl->stats.tx_pkts++;
            evpl->stats.tx_segs++;
            evpl->stats.tx_reused++;
            return m;
        }
    }
    return evpl_tx_convert("evpl_dpdk_iovecs_to_mbuf", evpl, iov, niov, flags,
                           &evpl_tx_caps_any);
}


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
    int                 i, q;


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
                    for (q = 0; pkts[i].iov != NULL && q < pkts[i].niov;
                         q++)
                        evpl_iovec_put_taken_(&pkts[i].iov[q]);
            }
            break;
        }
    }
    /* The single-mbuf packets' counts, once per burst. */
    evpl->stats.tx_pkts   += single;
    evpl->stats.tx_segs   += single;
    evpl->stats.tx_reused += single;
    return done;
}
