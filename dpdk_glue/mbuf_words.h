/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The words the glue stores whole, several fields at once: one helper per
 * word, each beside the RTE_BUILD_BUG_ON of every offset it relies on, as
 * DPDK's vector drivers keep theirs, so that a DPDK whose struct rte_mbuf
 * moved a field fails to build instead of corrupting mbufs. Glue-private.
 *
 *   the rearm word    data_off, refcnt, nb_segs, port    (8 bytes at 16)
 *   ... its half      data_off and refcnt                (4 bytes at 16)
 *   ... and ol_flags  behind it, for a 16-byte store     (SSE2 only)
 *   packet_type       and pkt_len                        (8 bytes at 32)
 *   data_len          and vlan_tci                       (4 bytes at 40)
 *   next              and tx_offload                     (16 bytes at 64)
 *   an iovec's        length and flags                   (8 bytes at 8)
 *
 * Little-endian targets store each word at once; others field by field.
 */

#ifndef EVPL_GLUE_MBUF_WORDS_H
#define EVPL_GLUE_MBUF_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include <evpl/evpl.h>

#ifdef EVPL_FLAT_VECTOR
#include <emmintrin.h>
#endif

typedef uint64_t __attribute__((may_alias)) evpl_u64_alias;
typedef uint32_t __attribute__((may_alias)) evpl_u32_alias;

/* ---- the rearm word: data_off, refcnt, nb_segs, port ------------------ */

#define EVPL_REARM_LAYOUT_CHECK_()                                          \
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_off) !=                 \
                     offsetof(struct rte_mbuf, rearm_data) ||               \
                     offsetof(struct rte_mbuf, refcnt) !=                   \
                     offsetof(struct rte_mbuf, rearm_data) + 2 ||           \
                     offsetof(struct rte_mbuf, nb_segs) !=                  \
                     offsetof(struct rte_mbuf, rearm_data) + 4 ||           \
                     offsetof(struct rte_mbuf, port) !=                     \
                     offsetof(struct rte_mbuf, rearm_data) + 6)

/* The word's value for these fields. */
#define EVPL_REARM_(data_off, refcnt, nb_segs, port)                        \
    ((uint64_t) (data_off) | (uint64_t) (refcnt) << 16 |                    \
     (uint64_t) (nb_segs) << 32 | (uint64_t) (port) << 48)

/* The word's port, and its refcnt, in place. */
#define EVPL_REARM_PORT_MASK_   (UINT64_C(0xffff) << 48)
#define EVPL_REARM_REFCNT_MASK_ (UINT64_C(0xffff) << 16)

static __rte_always_inline uint64_t
evpl_mbuf_rearm_get_(const struct rte_mbuf *m)
{
    EVPL_REARM_LAYOUT_CHECK_();
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    return *(const evpl_u64_alias *) &m->rearm_data;
#else
    return EVPL_REARM_(m->data_off, m->refcnt, m->nb_segs, m->port);
#endif
}

static __rte_always_inline void
evpl_mbuf_rearm_set_(
    struct rte_mbuf *m,
    uint64_t         word)
{
    EVPL_REARM_LAYOUT_CHECK_();
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u64_alias *) &m->rearm_data = word;
#else
    m->data_off = (uint16_t) word;
    m->refcnt   = (uint16_t) (word >> 16);
    m->nb_segs  = (uint16_t) (word >> 32);
    m->port     = (uint16_t) (word >> 48);
#endif
}

/* data_off and refcnt, the rearm word's first half, as one 4-byte store;
 * nb_segs and port untouched. */
static __rte_always_inline void
evpl_mbuf_off_ref_set_(
    struct rte_mbuf *m,
    uint16_t         data_off,
    uint16_t         refcnt)
{
    EVPL_REARM_LAYOUT_CHECK_();
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u32_alias *) &m->rearm_data = data_off | (uint32_t) refcnt << 16;
#else
    m->data_off = data_off;
    m->refcnt   = refcnt;
#endif
}

#ifdef EVPL_FLAT_VECTOR
/* The rearm word and ol_flags, as the 16-byte lanes [rearm, ol_flags]:
 * a load, and a store. */
#define EVPL_REARM_OLF_LAYOUT_CHECK_()                                      \
    do {                                                                    \
        EVPL_REARM_LAYOUT_CHECK_();                                         \
        RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, ol_flags) !=             \
                         offsetof(struct rte_mbuf, rearm_data) + 8 ||       \
                         sizeof(((struct rte_mbuf *) 0)->ol_flags) != 8);   \
    } while (0)

typedef __m128i __attribute__((may_alias, aligned(1))) evpl_u128_alias;

static __rte_always_inline __m128i
evpl_mbuf_rearm_olf_get_(const struct rte_mbuf *m)
{
    EVPL_REARM_OLF_LAYOUT_CHECK_();
    return _mm_loadu_si128((const evpl_u128_alias *) &m->rearm_data);
}

static __rte_always_inline void
evpl_mbuf_rearm_olf_set_(
    struct rte_mbuf *m,
    __m128i          rearm_olf)
{
    EVPL_REARM_OLF_LAYOUT_CHECK_();
    _mm_storeu_si128((evpl_u128_alias *) &m->rearm_data, rearm_olf);
}
#endif

/* ---- packet_type and pkt_len ------------------------------------------ */

#define EVPL_PTYPE_LEN_LAYOUT_CHECK_()                                      \
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, pkt_len) !=                  \
                     offsetof(struct rte_mbuf, packet_type) + 4 ||          \
                     sizeof(((struct rte_mbuf *) 0)->packet_type) != 4 ||   \
                     sizeof(((struct rte_mbuf *) 0)->pkt_len) != 4)

/* packet_type 0 (a transmit declares no type it did not check), pkt_len
 * len. */
static __rte_always_inline void
evpl_mbuf_ptype_len_set_(
    struct rte_mbuf *m,
    uint32_t         len)
{
    EVPL_PTYPE_LEN_LAYOUT_CHECK_();
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u64_alias *) &m->packet_type = (uint64_t) len << 32;
#else
    m->packet_type = 0;
    m->pkt_len     = len;
#endif
}

/* ---- data_len and vlan_tci -------------------------------------------- */

#define EVPL_DLEN_VLAN_LAYOUT_CHECK_()                                      \
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, vlan_tci) !=                 \
                     offsetof(struct rte_mbuf, data_len) + 2 ||             \
                     sizeof(((struct rte_mbuf *) 0)->data_len) != 2 ||      \
                     sizeof(((struct rte_mbuf *) 0)->vlan_tci) != 2)

/* data_len len (at most 65535), vlan_tci 0. */
static __rte_always_inline void
evpl_mbuf_dlen_vlan_set_(
    struct rte_mbuf *m,
    uint32_t         len)
{
    EVPL_DLEN_VLAN_LAYOUT_CHECK_();
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u32_alias *) &m->data_len = len;
#else
    m->data_len = (uint16_t) len;
    m->vlan_tci = 0;
#endif
}

/* ---- next and tx_offload ---------------------------------------------- */

/* next NULL, tx_offload 0: one 16-byte store where SSE2 is used. */
static __rte_always_inline void
evpl_mbuf_next_txoff_clear_(struct rte_mbuf *m)
{
    RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, tx_offload) !=
                     offsetof(struct rte_mbuf, next) + 8 ||
                     sizeof(m->tx_offload) != 8 || sizeof(m->next) != 8);
#ifdef EVPL_FLAT_VECTOR
    _mm_storeu_si128((evpl_u128_alias *) &m->next, _mm_setzero_si128());
#else
    m->next       = NULL;
    m->tx_offload = 0;
#endif
}

/* ---- a one-segment packet's lengths ------------------------------------ */

/* len bytes (at most 65535) in one segment, with what a driver reads
 * beside the lengths cleared: packet_type, vlan_tci and vlan_tci_outer. */
static __rte_always_inline void
evpl_mbuf_one_seg_len_set_(
    struct rte_mbuf *m,
    uint32_t         len)
{
    evpl_mbuf_ptype_len_set_(m, len);
    evpl_mbuf_dlen_vlan_set_(m, len);
    m->vlan_tci_outer = 0;
}

#ifdef EVPL_FLAT_VECTOR
/* evpl_mbuf_one_seg_len_set_() of two mbufs at once, from the lanes
 * [length | flags, length | flags] of two iovecs, each length at most
 * 65535: the 8-byte words of both from one shift. */
static __rte_always_inline void
evpl_mbuf_one_seg_len_set2_(
    struct rte_mbuf *m0,
    struct rte_mbuf *m1,
    __m128i          lf)
{
    const __m128i ptype_len = _mm_slli_epi64(lf, 32);

    EVPL_PTYPE_LEN_LAYOUT_CHECK_();
    EVPL_DLEN_VLAN_LAYOUT_CHECK_();
    _mm_storel_epi64((evpl_u128_alias *) &m0->packet_type, ptype_len);
    _mm_storeh_pd((double *) (void *) &m1->packet_type,
                  _mm_castsi128_pd(ptype_len));
    _mm_storeu_si32(&m0->data_len, lf);
    _mm_storeu_si32(&m1->data_len, _mm_srli_si128(lf, 8));
    m0->vlan_tci_outer = 0;
    m1->vlan_tci_outer = 0;
}
#endif

/* ---- an iovec's length and flags --------------------------------------- */

#define EVPL_IOVEC_LAYOUT_CHECK_()                                          \
    RTE_BUILD_BUG_ON(sizeof(struct evpl_iovec) != 24 ||                     \
                     offsetof(struct evpl_iovec, data) != 0 ||              \
                     offsetof(struct evpl_iovec, length) != 8 ||            \
                     offsetof(struct evpl_iovec, flags) != 12 ||            \
                     offsetof(struct evpl_iovec, private_data) != 16)

/* iov wraps len bytes of m from data, its flags the high half of
 * flags_hi (flags << 32, computed once per burst). */
static __rte_always_inline void
evpl_iovec_wrap_(
    struct evpl_iovec *iov,
    struct rte_mbuf   *m,
    void              *data,
    uint32_t           len,
    uint64_t           flags_hi)
{
    EVPL_IOVEC_LAYOUT_CHECK_();
    iov->data = data;
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
    *(evpl_u64_alias *) &iov->length = len | flags_hi;
#else
    iov->length = len;
    iov->flags  = (unsigned int) (flags_hi >> 32);
#endif
    iov->private_data = m;
}

#endif /* EVPL_GLUE_MBUF_WORDS_H */
