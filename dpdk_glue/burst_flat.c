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

#ifdef EVPL_FLAT_VECTOR
/*
 * Transmit four packets at a time with SSE2 (the x86-64 baseline), the way
 * DPDK's vector drivers do it: the shape of the four is checked first, from
 * the same loads the conversion needs, and nothing is written unless all
 * four are the common packet; otherwise the scalar loop takes over at the
 * first of them and stops where it must. Chosen at build time
 * (meson_options.txt: flat_bursts=scalar builds the scalar loop alone).
 * Receive stays scalar: a four-at-a-time SSE2 wrap (three 16-byte stores
 * per two iovecs) ran 17.7 instructions per packet against the scalar
 * loop's 17.3, the gathers from four mbufs costing what the stores saved
 * (docs/performance-log.md).
 */
#include <emmintrin.h>

typedef __m128i __attribute__((may_alias, aligned(1))) evpl_flat_u128;

#define EVPL_FLAT_LD64(p)  _mm_loadl_epi64((const evpl_flat_u128 *) (p))
#define EVPL_FLAT_LD128(p) _mm_loadu_si128((const evpl_flat_u128 *) (p))
#define EVPL_FLAT_ST128(p, v) _mm_storeu_si128((evpl_flat_u128 *) (p), (v))
/* [a.lo, b.hi] and [a.hi, b.lo] of two 64-bit lane pairs */
#define EVPL_FLAT_LO_HI(a, b) _mm_castpd_si128(_mm_shuffle_pd( \
        _mm_castsi128_pd(a), _mm_castsi128_pd(b), 2))
#define EVPL_FLAT_HI_LO(a, b) _mm_castpd_si128(_mm_shuffle_pd( \
        _mm_castsi128_pd(a), _mm_castsi128_pd(b), 1))

/* What evpl_flat_tx_one() reads and checks, for two iovecs. */
struct evpl_flat_tx2 {
    struct rte_mbuf *m0, *m1;
    __m128i          lf;     /* [length|flags] x 2 */
    __m128i          rearm;  /* the new rearm words */
    __m128i          olf;    /* ol_flags & EVPL_FLAT_KEEP_FLAGS */
    __m128i          ok;     /* all ones if both are the common packet */
};

static __rte_always_inline void
evpl_flat_tx2_load(const struct evpl_iovec *iov, __m128i rearm,
                   struct evpl_flat_tx2 *t)
{
    const __m128i len_slab = _mm_set1_epi64x(
        (int64_t) ((uint64_t) EVPL_IOVEC_F_SLAB_ << 32 | UINT32_MAX));
    const __m128i len_flip = _mm_set1_epi64x(UINT32_MAX);
    const __m128i ref_mask = _mm_set1_epi64x(0xffff0000);
    const __m128i ref_one  = _mm_set1_epi64x(0x10000);
    const __m128i off_mask = _mm_set1_epi64x(0xffff);
    const __m128i port     = _mm_set1_epi64x((int64_t) (UINT64_C(0xffff) << 48));
    const __m128i keep     = _mm_set1_epi64x((int64_t) EVPL_FLAT_KEEP_FLAGS);
    __m128i       v0, v1, v2, d, b, o0, o1, r, lenok, refok;

    v0 = EVPL_FLAT_LD128((const char *) iov);        /* d0, lf0 */
    v1 = EVPL_FLAT_LD128((const char *) iov + 16);   /* m0, d1 */
    v2 = EVPL_FLAT_LD128((const char *) iov + 32);   /* lf1, m1 */
    t->m0 = iov[0].private_data;
    t->m1 = iov[1].private_data;
    d     = EVPL_FLAT_LO_HI(v0, v1);
    t->lf = EVPL_FLAT_HI_LO(v0, v2);
    b  = _mm_unpacklo_epi64(EVPL_FLAT_LD64(&t->m0->buf_addr),
                            EVPL_FLAT_LD64(&t->m1->buf_addr));
    o0 = EVPL_FLAT_LD128(&t->m0->data_off);          /* rearm, ol_flags */
    o1 = EVPL_FLAT_LD128(&t->m1->data_off);
    r  = _mm_unpacklo_epi64(o0, o1);
    /* length != 0 and no slab flag: [length, flags & SLAB] compared with
     * zero is [0, ~0] for a good iovec, flipped to all ones. */
    lenok = _mm_xor_si128(_mm_cmpeq_epi32(_mm_and_si128(t->lf, len_slab),
                                          _mm_setzero_si128()), len_flip);
    /* refcnt 1; the high dword compares 0 with 0. */
    refok = _mm_cmpeq_epi32(_mm_and_si128(r, ref_mask), ref_one);
    t->ok = _mm_and_si128(lenok, refok);
    t->rearm = _mm_or_si128(_mm_or_si128(_mm_and_si128(r, port), rearm),
                            _mm_and_si128(_mm_sub_epi64(d, b), off_mask));
    t->olf = _mm_and_si128(_mm_unpackhi_epi64(o0, o1), keep);
}

/* evpl_flat_tx_one()'s stores, for the two mbufs of t. */
static __rte_always_inline void
evpl_flat_tx1_store(struct rte_mbuf *m, __m128i rearm_olf, __m128i lf)
{
    const uint32_t len = (uint32_t) _mm_cvtsi128_si32(lf);

    EVPL_FLAT_ST128(&m->data_off, rearm_olf);
    *(evpl_flat_u64 *) &m->packet_type = (uint64_t) len << 32;
    *(evpl_flat_u32 *) &m->data_len    = len;
    m->vlan_tci_outer = 0;
    /* next and tx_offload are adjacent: one store */
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, tx_offload) !=
                     offsetof(struct rte_mbuf, next) + 8);
    EVPL_FLAT_ST128(&m->next, _mm_setzero_si128());
}

/* out[0..3] from iov[0..3] if all four are the common packet: 1; else 0,
 * with nothing written. */
static __rte_always_inline int
evpl_flat_tx4(const struct evpl_iovec *iov, struct rte_mbuf **out,
              __m128i rearm)
{
    struct evpl_flat_tx2 a, b;

    evpl_flat_tx2_load(iov, rearm, &a);
    evpl_flat_tx2_load(iov + 2, rearm, &b);
    if (unlikely(_mm_movemask_epi8(_mm_and_si128(a.ok, b.ok)) != 0xffff))
        return 0;
    evpl_flat_tx1_store(a.m0, _mm_unpacklo_epi64(a.rearm, a.olf), a.lf);
    evpl_flat_tx1_store(a.m1, _mm_unpackhi_epi64(a.rearm, a.olf),
                        _mm_srli_si128(a.lf, 8));
    evpl_flat_tx1_store(b.m0, _mm_unpacklo_epi64(b.rearm, b.olf), b.lf);
    evpl_flat_tx1_store(b.m1, _mm_unpackhi_epi64(b.rearm, b.olf),
                        _mm_srli_si128(b.lf, 8));
    out[0] = a.m0;
    out[1] = a.m1;
    out[2] = b.m0;
    out[3] = b.m1;
    return 1;
}
#endif /* EVPL_FLAT_VECTOR */

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
    if (unlikely(evpl_iovec_on_slab_(v)))
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
        conv = 0;
#ifdef EVPL_FLAT_VECTOR
        for (; conv + 4 <= want; conv += 4)
            if (unlikely(!evpl_flat_tx4(&iov[done + conv], &out[conv],
                                        _mm_set1_epi64x((int64_t) rearm))))
                break;
#endif
        for (; conv < want; conv++) {
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
