/* SPDX-License-Identifier: LGPL-2.1-only */

/**
 * @file
 * Library-private: the inline machinery behind <evpl/evpl_memory.h>.
 *
 * Not an API. <evpl/evpl_memory.h> includes it because its inline hot
 * paths are built on it (as DPDK's rte_ring.h is on rte_ring_elem_pvt.h);
 * applications use none of it, and every name here that ends in an
 * underscore may change in any release. It holds the iovec's flag bits,
 * trace mode's checks, and the reference get and put every path of the
 * library (core and glue) goes through; the slab side of them is in
 * <evpl/evpl_slab_pvt.h>, which this header includes.
 *
 * A reference is one count on m->refcnt, the field every DPDK component
 * uses, so an mbuf from any pktmbuf pool (an RX pool included) can be
 * wrapped, and a driver's free after transmit interleaves correctly. LOCAL
 * references use plain loads and stores; SHARED ones atomics.
 */

#ifndef EVPL_MEMORY_PVT_H
#define EVPL_MEMORY_PVT_H

#ifndef EVPL_MEMORY_H
#error "include <evpl/evpl.h> or <evpl/evpl_memory.h>, not this header"
#endif

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * iovec->flags, the same in every build:
 *   bit 0      EVPL_IOVEC_FLAG_SHARED (public)
 *   bit 1      made by evpl_iovec_reserve()
 *   bit 2, 3   trace state: moved away, released
 *   bit 4      EVPL_IOVEC_F_SLAB_: the reference is on a slab
 *   bit 5      EVPL_IOVEC_FLAG_GLOBAL (public)
 *   bit 6      EVPL_IOVEC_F_BORROW_: a GLOBAL iovec's clone
 *   bits 8-31  owner: tag of the thread whose context made the reference
 */
#define EVPL_IOVEC_F_RESERVED_   0x2u
#define EVPL_IOVEC_F_MOVED_      0x4u
#define EVPL_IOVEC_F_RELEASED_   0x8u
/* private_data is a slab (struct evpl_slab_), not an rte_mbuf. */
#define EVPL_IOVEC_F_SLAB_       0x10u
#define EVPL_IOVEC_OWNER_SHIFT_  8
/** Owner tags fit the flag bits above the shift. */
#define EVPL_IOVEC_OWNER_MASK_ \
    ((UINT32_C(1) << (32 - EVPL_IOVEC_OWNER_SHIFT_)) - 1)

/** The 16-bit reference count's limit, as the overflow aborts name it. */
#define EVPL_REFCNT_MAX_ UINT16_MAX

/**
 * Report a misuse of an iovec and abort the process (SIGABRT).
 *
 * Called by the inline paths for what the seed API itself treats as fatal
 * (ranges outside an iovec) and for reference-count overflow; applications
 * have no reason to call it.
 *
 * @param call The public function that detected the misuse.
 * @param iov  The iovec involved, or NULL.
 * @param fmt  printf-style detail.
 */
EVPL_EXPORT __rte_noreturn __rte_cold void evpl_iovec_abort(
    const char              *call,
    const struct evpl_iovec *iov,
    const char              *fmt,
    ...) __rte_format_printf(3, 4);

/**
 * The calling thread's owner tag (0 until it creates a context): what
 * trace mode compares a LOCAL iovec's owner with. Not for applications.
 */
EVPL_EXPORT extern __thread uint32_t evpl_thread_tag_;

/* private_data is a tagged union: a slab's head (struct evpl_slab_) when
 * EVPL_IOVEC_F_SLAB_ is set, else an rte_mbuf. Code asks which through
 * this test, never the bit itself. */
static inline int
evpl_iovec_on_slab_(const struct evpl_iovec *iov)
{
    return (iov->flags & EVPL_IOVEC_F_SLAB_) != 0;
}

/* The mbuf of an iovec known to be on one (not on a slab). */
static inline struct rte_mbuf *
evpl_iovec_mbuf_(const struct evpl_iovec *iov)
{
    return (struct rte_mbuf *) iov->private_data;
}

/* The abort of a reference count that would pass 65535, naming what
 * holds the count: a slab, or an mbuf. */
static inline __rte_noreturn __rte_cold void
evpl_refcnt_overflow_(
    const char              *call,
    const struct evpl_iovec *iov)
{
    evpl_iovec_abort(call, iov, "%s reference count would pass 65535",
                     iov != NULL && evpl_iovec_on_slab_(iov) ?
                     "slab" : "mbuf");
}

/*
 * Add n to a 16-bit reference count, never wrapping it: aborts naming call
 * when the count would pass 65535; iov is the iovec the message names, or
 * NULL. atomic: with a compare-and-swap (the count may be shared with
 * other lcores), else with plain loads and stores. Every reference the
 * library adds to a count that other holders may share goes through here,
 * whatever the path (clone, segment and slab carving, commit, attach,
 * copy) and whatever holds the count (an mbuf's refcnt, an external
 * buffer's shared info, a slab's head). What it does not cover are stores
 * of a whole count on a buffer nobody else can hold: one fresh from its
 * pool, or an mbuf whose count reads 1 (transmit makes it 2).
 */
static inline void
evpl_refcnt_add_(
    const char              *call,
    const struct evpl_iovec *iov,
    uint16_t                *cnt,
    uint16_t                 n,
    int                      atomic)
{
    uint16_t v;

    if (atomic) {
        /* A compare-and-swap, not an add: the count must never be seen
         * wrapped, even for a moment, by another lcore. */
        v = __atomic_load_n(cnt, __ATOMIC_RELAXED);
        do {
            if (unlikely(v > EVPL_REFCNT_MAX_ - n))
                evpl_refcnt_overflow_(call, iov);
        } while (!__atomic_compare_exchange_n(cnt, &v, (uint16_t) (v + n), 1,
                                              __ATOMIC_RELAXED,
                                              __ATOMIC_RELAXED));
    } else {
        v = *cnt;
        if (unlikely(v > EVPL_REFCNT_MAX_ - n))
            evpl_refcnt_overflow_(call, iov);
        *cnt = (uint16_t) (v + n);
    }
}

#ifdef __cplusplus
}
#endif

#include <evpl/evpl_slab_pvt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write an iovec's four fields. */
static inline void
evpl_iovec_fill_(
    struct evpl_iovec *iov,
    void              *m,
    void              *data,
    unsigned int       length,
    unsigned int       flags)
{
    iov->data         = data;
    iov->length       = length;
    iov->flags        = flags;
    iov->private_data = m;
}

#ifdef EVPL_IOVEC_TRACE
static inline void
evpl_trace_check_(
    const char              *call,
    const struct evpl_iovec *iov)
{
    uint32_t owner;

    if (unlikely(iov == NULL))
        evpl_iovec_abort(call, NULL, "NULL iovec");
    /* A zeroed iovec: never filled by the library. */
    if (unlikely(iov->private_data == NULL))
        evpl_iovec_abort(call, iov, "iovec references no buffer");
    owner = iov->flags >> EVPL_IOVEC_OWNER_SHIFT_;
    if (unlikely(iov->flags & EVPL_IOVEC_F_RELEASED_))
        evpl_iovec_abort(call, iov, "use after release");
    if (unlikely(iov->flags & EVPL_IOVEC_F_MOVED_))
        evpl_iovec_abort(call, iov, "use after move");
    if (unlikely(!(iov->flags & EVPL_IOVEC_FLAG_SHARED) &&
                 owner != evpl_thread_tag_))
        evpl_iovec_abort(call, iov,
                         "LOCAL iovec of thread tag %u used on thread tag %u",
                         owner, evpl_thread_tag_);
}

static inline void
evpl_trace_check_dst_(
    const char              *call,
    const struct evpl_iovec *dst)
{
    if (unlikely(dst == NULL))
        evpl_iovec_abort(call, NULL, "NULL destination iovec");
}

/* A clone onto its own source would take a reference that no iovec then
 * holds: the one iovec left can drop only one of the two. */
static inline void
evpl_trace_check_not_self_(
    const char              *call,
    const struct evpl_iovec *dst,
    const struct evpl_iovec *src)
{
    if (unlikely(dst == src))
        evpl_iovec_abort(call, src, "destination is the source");
}

/* Release: a second release is named by the call that made it. */
static inline void
evpl_trace_check_release_(
    const char              *call,
    const struct evpl_iovec *iov)
{
    if (unlikely(iov == NULL))
        evpl_iovec_abort(call, NULL, "NULL iovec");
    if (unlikely(iov->flags & EVPL_IOVEC_F_RELEASED_))
        evpl_iovec_abort(call, iov, "double release");
    evpl_trace_check_(call, iov);
}

/* A length may be set anywhere within the iovec's segment, no further:
 * past it, a commit or a transmit would reach into another mbuf. */
static inline void
evpl_trace_check_length_(
    const struct evpl_iovec *iov,
    unsigned int             length)
{
    const struct rte_mbuf *m = evpl_iovec_mbuf_(iov);

    if (evpl_iovec_on_slab_(iov)) {
        const struct evpl_slab_ *s = evpl_iovec_slab_(iov);

        if (unlikely((const char *) iov->data < s->data ||
                     (size_t) ((const char *) iov->data - s->data) + length >
                     s->size))
            evpl_iovec_abort("evpl_iovec_set_length", iov,
                             "length %u runs past its %u-byte slab", length,
                             s->size);
        return;
    }
    if (unlikely((const char *) iov->data < (const char *) m->buf_addr ||
                 (size_t) ((const char *) iov->data -
                           (const char *) m->buf_addr) + length > m->buf_len))
        evpl_iovec_abort("evpl_iovec_set_length", iov,
                         "length %u runs past its %u-byte segment", length,
                         m->buf_len);
}
#define EVPL_TRACE_CHECK_(call, iov)         evpl_trace_check_(call, iov)
#define EVPL_TRACE_DST_(call, dst)           evpl_trace_check_dst_(call, dst)
#define EVPL_TRACE_NOT_SELF_(call, dst, src) \
    evpl_trace_check_not_self_(call, dst, src)
#define EVPL_TRACE_RELEASE_(call, iov)       evpl_trace_check_release_(call, iov)
#define EVPL_TRACE_LENGTH_(iov, len)         evpl_trace_check_length_(iov, len)
#define EVPL_TRACE_MARK_(iov, bit)           ((iov)->flags |= (bit))
#else
#define EVPL_TRACE_CHECK_(call, iov)         do { } while (0)
#define EVPL_TRACE_DST_(call, dst)           do { } while (0)
#define EVPL_TRACE_NOT_SELF_(call, dst, src) do { } while (0)
#define EVPL_TRACE_RELEASE_(call, iov)       do { } while (0)
#define EVPL_TRACE_LENGTH_(iov, len)         do { } while (0)
#define EVPL_TRACE_MARK_(iov, bit)           do { } while (0)
#endif

/* Trace builds: an iovec whose reference the library took (transmit with
 * EVPL_DPDK_TAKE_REF) is moved away, but for a GLOBAL one: the library
 * never takes its reference, which stays its owner's to release. */
#define EVPL_TRACE_TAKEN_(iov) \
    EVPL_TRACE_MARK_(iov, ((iov)->flags & EVPL_IOVEC_FLAG_GLOBAL) ? 0u : \
                     EVPL_IOVEC_F_MOVED_)

/**
 * Free an mbuf with an external buffer whose last reference was just
 * dropped. Library-private (the inline release path calls it): an mbuf
 * that another process of a multi-process application attached to a slab
 * is detached with this process's code, anything else freed by DPDK.
 *
 * @param m The mbuf, its count at 1.
 */
EVPL_EXPORT __rte_cold void evpl_mbuf_free_ext_(struct rte_mbuf *m);

/* Return an mbuf whose last reference was just dropped (refcnt reads 1).
 * The common case is a direct, unchained mbuf: straight back to its pool.
 * One with an external buffer (a received slab range, say) goes through
 * evpl_mbuf_free_ext_(); anything else (an indirect mbuf, a segment still
 * linked into a chain) through DPDK's own per-segment free. */
static inline void
evpl_mbuf_free_last_(struct rte_mbuf *m)
{
    if (likely(RTE_MBUF_DIRECT(m) && m->next == NULL && m->nb_segs == 1))
        rte_mbuf_raw_free(m);
    else if (RTE_MBUF_HAS_EXTBUF(m))
        evpl_mbuf_free_ext_(m);
    else
        rte_pktmbuf_free_seg(m);
}

/* n more references on m, atomically when flags say SHARED. */
static inline void
evpl_mbuf_ref_add_(
    const char              *call,
    const struct evpl_iovec *iov,
    struct rte_mbuf         *m,
    uint16_t                 n,
    unsigned int             flags)
{
    evpl_refcnt_add_(call, iov, &m->refcnt, n,
                     (flags & EVPL_IOVEC_FLAG_SHARED) != 0);
}

/* Drop one reference on m; the last returns it to its pool. */
static inline void
evpl_iovec_ref_put_(struct rte_mbuf *m, unsigned int flags)
{
    if (flags & EVPL_IOVEC_FLAG_SHARED) {
        /* Reading 1 means no other holder exists who could race us. */
        if (likely(rte_mbuf_refcnt_read(m) == 1)) {
            evpl_mbuf_free_last_(m);
        } else if (__atomic_sub_fetch(&m->refcnt, 1, __ATOMIC_ACQ_REL) == 0) {
            rte_mbuf_refcnt_set(m, 1);
            evpl_mbuf_free_last_(m);
        }
    } else {
        uint16_t cnt = m->refcnt;

        if (likely(cnt == 1))
            evpl_mbuf_free_last_(m);
        else
            m->refcnt = cnt - 1;
    }
}

static inline void
evpl_iovec_check_range_(
    const char              *call,
    const struct evpl_iovec *src,
    unsigned int             offset,
    unsigned int             length)
{
    if (unlikely(offset > src->length || length > src->length - offset))
        evpl_iovec_abort(call, src,
                         "range [%u, %u + %u) outside an iovec of length %u",
                         offset, offset, length, src->length);
}

/* evpl_iovec_release() under the name of the public call that does it. */
static inline void
evpl_iovec_release_(
    const char        *call,
    struct evpl_iovec *iovec)
{
    RTE_SET_USED(call);
    EVPL_TRACE_RELEASE_(call, iovec);
    if (unlikely(evpl_iovec_on_slab_(iovec)))
        evpl_slab_release_(iovec->private_data, iovec->flags);
    else
        evpl_iovec_ref_put_(evpl_iovec_mbuf_(iovec), iovec->flags);
    EVPL_TRACE_MARK_(iovec, EVPL_IOVEC_F_RELEASED_);
}

#ifdef __cplusplus
}
#endif

#endif /* EVPL_MEMORY_PVT_H */
