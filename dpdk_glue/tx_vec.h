/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The burst loop's run of common packets, four at a time with SSE2 (the
 * x86-64 baseline), as DPDK's vector drivers work: the shape of four
 * consecutive iovecs is tested from the same loads the conversion needs,
 * and nothing is written unless all four are what evpl_tx_own() takes;
 * otherwise the loop's scalar step takes over at the first of them.
 * Chosen at build time (meson_options.txt, flat_bursts); included by tx.h
 * only. Glue-private.
 */

#ifndef EVPL_GLUE_TX_VEC_H
#define EVPL_GLUE_TX_VEC_H

#include <emmintrin.h>

#include <rte_mbuf.h>

#include <evpl/evpl.h>

#include "glue.h"
#include "mbuf_words.h"

/*
 * The vector loads read buf_addr and [rearm word, ol_flags] through every
 * iovec's private_data before the slab flag has ruled a slab out: a
 * slab's mempool element (struct evpl_slab, src/slab.h, whose head
 * private_data points at) is large enough for those reads to stay inside
 * it. Their results for a slab are discarded with the rest of the group.
 */
#define EVPL_TX_VEC_READS_CHECK_()                                          \
    RTE_BUILD_BUG_ON(offsetof(struct evpl_slab, h) != 0 ||                  \
                     offsetof(struct rte_mbuf, buf_addr) + sizeof(void *) > \
                     sizeof(struct evpl_slab) ||                            \
                     offsetof(struct rte_mbuf, ol_flags) + 8 >              \
                     sizeof(struct evpl_slab))

/* What evpl_tx_own() reads and decides, for two iovecs. */
struct evpl_tx_vec2 {
    struct rte_mbuf *m0, *m1;
    __m128i          lf;    /* [length | flags] x 2 */
    __m128i          buf;   /* [buf_addr] x 2 */
    __m128i          rearm; /* the new rearm words */
    __m128i          olf;   /* ol_flags & EVPL_TX_KEEP_FLAGS */
    __m128i          ok;    /* all ones where evpl_tx_own() would take it */
};

static __rte_always_inline void
evpl_tx_vec2_load(
    const struct evpl_iovec *iov,
    __m128i                  rearm,
    struct evpl_tx_vec2     *t)
{
    const __m128i len_slab = _mm_set1_epi64x(
        (int64_t) ((uint64_t) EVPL_IOVEC_F_SLAB_ << 32 | UINT32_MAX));
    const __m128i len_flip = _mm_set1_epi64x(UINT32_MAX);
    const __m128i ref_mask = _mm_set1_epi64x(
        (int64_t) EVPL_REARM_REFCNT_MASK_);
    const __m128i ref_one  = _mm_set1_epi64x(
        (int64_t) EVPL_REARM_(0, 1, 0, 0));
    const __m128i off_mask = _mm_set1_epi64x(UINT16_MAX);
    const __m128i port     = _mm_set1_epi64x(
        (int64_t) EVPL_REARM_PORT_MASK_);
    const __m128i keep     = _mm_set1_epi64x((int64_t) EVPL_TX_KEEP_FLAGS);
    __m128i       a0, a1, d, o0, o1, r, lenok, refok;

    EVPL_IOVEC_LAYOUT_CHECK_();
    EVPL_TX_VEC_READS_CHECK_();
    /* [data, length | flags] of each */
    a0    = _mm_loadu_si128((const evpl_u128_alias *) &iov[0]);
    a1    = _mm_loadu_si128((const evpl_u128_alias *) &iov[1]);
    t->m0 = evpl_iovec_mbuf_(&iov[0]);
    t->m1 = evpl_iovec_mbuf_(&iov[1]);
    d     = _mm_unpacklo_epi64(a0, a1);
    t->lf = _mm_unpackhi_epi64(a0, a1);
    t->buf = _mm_unpacklo_epi64(
        _mm_loadl_epi64((const evpl_u128_alias *) &t->m0->buf_addr),
        _mm_loadl_epi64((const evpl_u128_alias *) &t->m1->buf_addr));
    o0 = evpl_mbuf_rearm_olf_get_(t->m0);
    o1 = evpl_mbuf_rearm_olf_get_(t->m1);
    r  = _mm_unpacklo_epi64(o0, o1);
    /* length != 0 and no slab flag: [length, flags & SLAB] compared with
     * zero is [0, ~0] for a good iovec, flipped to all ones. */
    lenok = _mm_xor_si128(_mm_cmpeq_epi32(_mm_and_si128(t->lf, len_slab),
                                          _mm_setzero_si128()), len_flip);
    /* refcnt 1; the high dword compares 0 with 0. */
    refok    = _mm_cmpeq_epi32(_mm_and_si128(r, ref_mask), ref_one);
    t->ok    = _mm_and_si128(lenok, refok);
    t->rearm = _mm_or_si128(_mm_or_si128(_mm_and_si128(r, port), rearm),
                            _mm_and_si128(_mm_sub_epi64(d, t->buf),
                                          off_mask));
    t->olf   = _mm_and_si128(_mm_unpackhi_epi64(o0, o1), keep);
}

/* evpl_tx_own()'s stores, for the two mbufs of t. */
static __rte_always_inline void
evpl_tx_vec2_store(const struct evpl_tx_vec2 *t)
{
    evpl_mbuf_rearm_olf_set_(t->m0, _mm_unpacklo_epi64(t->rearm, t->olf));
    evpl_mbuf_rearm_olf_set_(t->m1, _mm_unpackhi_epi64(t->rearm, t->olf));
    evpl_mbuf_one_seg_len_set2_(t->m0, t->m1, t->lf);
    evpl_mbuf_next_txoff_clear_(t->m0);
    evpl_mbuf_next_txoff_clear_(t->m1);
}

/*
 * Lanes all ones where two of the four mbufs of a and b may be the same:
 * where the low 32 bits of their buffers' addresses are equal, which two
 * that are the same mbuf always have. Two different mbufs may share them
 * (indirect ones on one buffer, say): the group then falls back to the
 * scalar step, which is right for any burst.
 */
static __rte_always_inline __m128i
evpl_tx_vec4_same(
    const struct evpl_tx_vec2 *a,
    const struct evpl_tx_vec2 *b)
{
    __m128i lo;

    /* [b0, b1, b2, b3], low halves, against itself turned by one and by
     * two: every pair of the four meets once. */
    lo = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(a->buf),
                                         _mm_castsi128_ps(b->buf),
                                         _MM_SHUFFLE(2, 0, 2, 0)));
    return _mm_or_si128(
        _mm_cmpeq_epi32(lo, _mm_shuffle_epi32(lo, _MM_SHUFFLE(0, 3, 2, 1))),
        _mm_cmpeq_epi32(lo, _mm_shuffle_epi32(lo, _MM_SHUFFLE(1, 0, 3, 2))));
}

/*
 * evpl_tx_own() of iov[0..3] into out[0..3] if it would take all four: 1;
 * else 0, with nothing written.
 *
 * The four are tested before any is written, where evpl_tx_own() one at a
 * time sees each earlier packet's stores. The stores change what a later
 * test reads only when two of the four are the same mbuf and the new
 * refcnt is not 1 (without TAKE_REF: the mbuf then leaves with the
 * caller's reference too, and a second packet of it must take a reference
 * of its own, as an indirect mbuf). So without TAKE_REF four that may not
 * be four different mbufs go to the scalar step. With TAKE_REF two packets of
 * one exclusive mbuf would hand its one reference over twice: a misuse of
 * the flag, as in any conversion.
 */
static __rte_always_inline int
evpl_tx_own4(
    const struct evpl_iovec *iov,
    struct rte_mbuf        **out,
    uint16_t                 refs,
    unsigned int             flags)
{
    const __m128i       rw = _mm_set1_epi64x(
        (int64_t) EVPL_REARM_(0, refs, 1, 0));
    struct evpl_tx_vec2 a, b;
    __m128i             ok;

    evpl_tx_vec2_load(iov, rw, &a);
    evpl_tx_vec2_load(iov + 2, rw, &b);
    ok = _mm_and_si128(a.ok, b.ok);
    if (!(flags & EVPL_DPDK_TAKE_REF))
        ok = _mm_andnot_si128(evpl_tx_vec4_same(&a, &b), ok);
    if (unlikely(_mm_movemask_epi8(ok) != 0xffff))
        return 0;
    evpl_tx_vec2_store(&a);
    evpl_tx_vec2_store(&b);
    out[0] = a.m0;
    out[1] = a.m1;
    out[2] = b.m0;
    out[3] = b.m1;
    return 1;
}

#endif /* EVPL_GLUE_TX_VEC_H */
