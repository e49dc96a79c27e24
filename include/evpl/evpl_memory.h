/* SPDX-License-Identifier: LGPL-2.1-only */

/**
 * @file
 * The libevpl memory API: reference-counted iovecs.
 *
 * Source-compatible with libevpl's evpl_memory.h: the same names, signatures
 * and semantics. Nothing declared here names a DPDK type; an iovec's
 * reference is an rte_mbuf or a slab, and the inline hot paths below rest
 * on the library-private <evpl/evpl_memory_pvt.h>. Contexts
 * (evpl_create()) and the mbuf conversions are in <evpl/evpl_dpdk.h>;
 * <evpl/evpl.h> brings both.
 *
 * Error rule (the whole library keeps it): functions returning int return a
 * value >= 0 on success, or -1 with errno set (and rte_errno, where DPDK
 * reported the failure); constructors return NULL with errno set; void
 * functions cannot fail for valid input. Misuse that the seed API itself
 * aborts on (a range outside an iovec) and 16-bit reference-count overflow
 * abort with a message naming the call; nothing else ends the process.
 */

#ifndef EVPL_MEMORY_H
#define EVPL_MEMORY_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EVPL_EXPORT
#define EVPL_EXPORT __attribute__((visibility("default")))
#endif

/** A context: one per thread (EAL lcore), created by evpl_create(). */
struct evpl;

/**
 * Flag for evpl_iovec_alloc(): the iovec's reference count is updated with
 * atomic operations, so it may be cloned and released on any lcore.
 * Without it (0, LOCAL) counts are plain loads and stores and every
 * reference must be taken and dropped on the allocating thread.
 */
#define EVPL_IOVEC_FLAG_SHARED 0x1u

/**
 * Mark of an iovec from evpl_iovec_alloc_global(): a whole slab whose
 * lifetime the application manages. Its clones borrow the slab and hold
 * no reference; only the owner's one evpl_iovec_release() gives it back.
 * Not a flag evpl_iovec_alloc() accepts. (libevpl spells it 2; here
 * iovec flags hold other library-private bits, so the value differs.)
 */
#define EVPL_IOVEC_FLAG_GLOBAL 0x20u

/**
 * A reference to a byte range inside one buffer: a packet segment (an
 * rte_mbuf) or a slab (a large buffer, see evpl_iovec_alloc()).
 *
 * The layout is fixed whatever the build options (trace mode included), so
 * an application and the library may be built with different settings.
 */
struct evpl_iovec {
    void        *data;         /**< First byte of the range. */
    unsigned int length;       /**< Bytes in the range. */
    unsigned int flags;        /**< Library-private: sharing mode, trace state. */
    void        *private_data; /**< Library-private: the rte_mbuf or slab
                                    referenced. */
};

/**
 * Allocate buffer space of @p length bytes as 1 to @p max_iovecs iovecs.
 *
 * Where the memory comes from (docs/api.md, "Slabs"):
 *  - a request that fits one packet segment gets an mbuf of its own, owned
 *    exclusively, so it goes to transmit with no copy and no allocation;
 *  - one that needs several segments gets them when it needs at most
 *    @p max_iovecs of them and no more than 32;
 *  - any other is carved from slabs (evpl_config.slab_size, 2 MiB by
 *    default, from slab memory that grows on demand up to
 *    evpl_config.nb_slabs): up to a slab as one iovec, longer requests
 *    spanning slabs.
 * The lengths add up to @p length; every iovec's data is aligned to
 * @p alignment. Nothing is allocated when the call fails.
 *
 * @param evpl       The calling thread's context.
 * @param length     Bytes wanted; 0 allocates nothing and returns 0.
 * @param alignment  0 (none) or a power of two up to the slab size (slabs
 *                   are aligned to their size, so a slab can hold a whole
 *                   slab-size request at any such alignment).
 * @param max_iovecs Capacity of @p r_iovec, at least 1.
 * @param flags      0 (LOCAL) or EVPL_IOVEC_FLAG_SHARED.
 * @param r_iovec    [out] Receives the iovecs.
 * @return The number of iovecs written (0 for @p length 0), or -1 with
 *   errno set:
 *   - EINVAL: @p evpl or @p r_iovec NULL, @p max_iovecs 0, @p alignment
 *     not 0 or a power of two or larger than the slab size, unknown bits
 *     in @p flags;
 *   - ENOSPC: the request needs more than @p max_iovecs slabs;
 *   - ENOMEM: the pool has too few free mbufs, or slab memory is at its
 *     limit (evpl_config.nb_slabs) or DPDK cannot give it more (rte_errno
 *     is ENOMEM too).
 */
EVPL_EXPORT int evpl_iovec_alloc(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       alignment,
    unsigned int       max_iovecs,
    unsigned int       flags,
    struct evpl_iovec *r_iovec);

/**
 * Reserve up to @p length bytes for a two-phase allocation.
 *
 * Reservations are carved from the context's current segment, or, when
 * they do not fit one segment (as for evpl_iovec_alloc()), from its current
 * LOCAL slab. They do not consume space: reserving again before
 * evpl_iovec_commit() returns the same place. Each reserved iovec holds a
 * LOCAL reference which the caller releases, after the commit or instead
 * of it.
 *
 * @param evpl      The calling thread's context.
 * @param length    Bytes to reserve; 0 reserves nothing and returns 0.
 * @param alignment As for evpl_iovec_alloc().
 * @param max_vec   Capacity of @p r_iovec, at least 1.
 * @param r_iovec   [out] Receives the reserved iovecs.
 * @return The number of iovecs written (0 for @p length 0), or -1 with
 *   errno set:
 *   - EINVAL: as for evpl_iovec_alloc();
 *   - ENOSPC: the reservation needs more than @p max_vec slabs;
 *   - ENOMEM: as for evpl_iovec_alloc().
 */
EVPL_EXPORT int evpl_iovec_reserve(
    struct evpl       *evpl,
    unsigned int       length,
    unsigned int       alignment,
    unsigned int       max_vec,
    struct evpl_iovec *r_iovec);

/**
 * Consume the space that reserved iovecs cover.
 *
 * Exactly the bytes up to the end of each iovec (its length possibly
 * shortened with evpl_iovec_set_length()) are consumed, so the next
 * reservation that fits starts right after them. Committing does not
 * release the iovecs. Only the context's current reservation advances the
 * carving point; committing anything else consumes nothing.
 *
 * @param evpl      The context that made the reservation; NULL is ignored.
 * @param alignment 0, or a power of two: as in libevpl, the carving point
 *                  is padded to it after the committed bytes (other
 *                  values are ignored).
 * @param iovecs    The reserved iovecs, in the order reserve returned them.
 * @param niovs     How many; 0 or less does nothing.
 */
EVPL_EXPORT void evpl_iovec_commit(
    struct evpl       *evpl,
    unsigned int       alignment,
    struct evpl_iovec *iovecs,
    int                niovs);

/**
 * Allocate one whole slab (evpl_config.slab_size bytes, aligned to 4096)
 * as a single EVPL_IOVEC_FLAG_GLOBAL iovec whose lifetime the application
 * manages: clones of it are borrows that take no reference (releasing
 * one does nothing), the library's own transmit paths never drop its
 * reference, and the owner's one evpl_iovec_release() gives the slab back
 * once nothing in flight still uses it. Its count is atomic: any lcore may
 * use it.
 *
 * @param evpl    The calling thread's context.
 * @param r_iovec [out] Receives the iovec.
 * @return 1, or -1 with errno set: EINVAL (@p evpl or @p r_iovec NULL),
 *   ENOMEM (no free slab, and slab memory at its limit or unable to grow).
 */
EVPL_EXPORT int evpl_iovec_alloc_global(
    struct evpl       *evpl,
    struct evpl_iovec *r_iovec);

#ifdef __cplusplus
}
#endif

/* The inline paths below are built on this library-private header. */
#include <evpl/evpl_memory_pvt.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Drop one reference; the mbuf or slab returns to its own pool when the
 * last goes. Releasing a borrow (a clone of a GLOBAL iovec) does nothing.
 *
 * @param evpl  The releasing thread's context, or NULL at any time.
 * @param iovec The reference to drop; it must not be used afterwards.
 */
static inline void
evpl_iovec_release(
    struct evpl       *evpl,
    struct evpl_iovec *iovec)
{
    RTE_SET_USED(evpl);
    evpl_iovec_release_("evpl_iovec_release", iovec);
}

/**
 * Drop one reference from each of @p niov iovecs.
 *
 * @param evpl The releasing thread's context, or NULL.
 * @param iov  The iovecs.
 * @param niov How many; 0 or less does nothing.
 */
static inline void
evpl_iovecs_release(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov)
{
    int i;

    RTE_SET_USED(evpl);
    for (i = 0; i < niov; i++)
        evpl_iovec_release_("evpl_iovecs_release", &iov[i]);
}

/**
 * Make @p dst a new reference to the bytes of @p src.
 *
 * @p dst must not be @p src: trace builds abort ("destination is the
 * source"); elsewhere the reference taken would never be dropped. Aborts,
 * naming the call, if the reference count would pass 65535.
 *
 * @param dst [out] Receives the new reference.
 * @param src A live iovec.
 */
static inline void
evpl_iovec_clone(
    struct evpl_iovec *dst,
    struct evpl_iovec *src)
{
    EVPL_TRACE_CHECK_("evpl_iovec_clone", src);
    EVPL_TRACE_DST_("evpl_iovec_clone", dst);
    EVPL_TRACE_NOT_SELF_("evpl_iovec_clone", dst, src);
    if (unlikely(evpl_iovec_on_slab_(src))) {
        evpl_slab_ref_get_("evpl_iovec_clone", src);
        *dst       = *src;
        dst->flags = evpl_slab_clone_flags_(src->flags);
        return;
    }
    evpl_mbuf_ref_add_("evpl_iovec_clone", src, evpl_iovec_mbuf_(src), 1,
                       src->flags);
    *dst = *src;
}

/**
 * Make @p dst a new reference to @p length bytes of @p src from @p offset.
 *
 * @p dst must not be @p src, as for evpl_iovec_clone(). Aborts, naming the
 * call, if the range leaves @p src or the reference count would pass 65535.
 *
 * @param dst    [out] Receives the new reference.
 * @param src    A live iovec.
 * @param offset First byte of the range, from the start of @p src.
 * @param length Bytes in the range.
 */
static inline void
evpl_iovec_clone_segment(
    struct evpl_iovec       *dst,
    const struct evpl_iovec *src,
    unsigned int             offset,
    unsigned int             length)
{
    unsigned int flags;

    EVPL_TRACE_CHECK_("evpl_iovec_clone_segment", src);
    EVPL_TRACE_DST_("evpl_iovec_clone_segment", dst);
    EVPL_TRACE_NOT_SELF_("evpl_iovec_clone_segment", dst, src);
    evpl_iovec_check_range_("evpl_iovec_clone_segment", src, offset, length);
    flags = src->flags;
    if (unlikely(flags & EVPL_IOVEC_F_SLAB_)) {
        evpl_slab_ref_get_("evpl_iovec_clone_segment", src);
        flags = evpl_slab_clone_flags_(flags);
    } else {
        evpl_mbuf_ref_add_("evpl_iovec_clone_segment", src,
                           evpl_iovec_mbuf_(src), 1, flags);
    }
    evpl_iovec_fill_(dst, src->private_data, (char *) src->data + offset,
                     length, flags);
}

/**
 * Transfer @p src's reference to @p dst; @p src must not be used again
 * (unless it is @p dst). No reference-count traffic.
 *
 * @param dst [out] Receives the reference.
 * @param src A live iovec, given up.
 */
static inline void
evpl_iovec_move(
    struct evpl_iovec *dst,
    struct evpl_iovec *src)
{
    EVPL_TRACE_CHECK_("evpl_iovec_move", src);
    EVPL_TRACE_DST_("evpl_iovec_move", dst);
    *dst = *src;
    if (dst != src)
        EVPL_TRACE_MARK_(src, EVPL_IOVEC_F_MOVED_);
}

/**
 * Transfer @p src's reference to @p dst, narrowed to @p length bytes from
 * @p offset; @p src must not be used again (unless it is @p dst, which is
 * then narrowed). Aborts, naming the call, if the range leaves @p src.
 *
 * @param dst    [out] Receives the reference.
 * @param src    A live iovec, given up.
 * @param offset First byte of the range, from the start of @p src.
 * @param length Bytes in the range.
 */
static inline void
evpl_iovec_move_segment(
    struct evpl_iovec *dst,
    struct evpl_iovec *src,
    unsigned int       offset,
    unsigned int       length)
{
    EVPL_TRACE_CHECK_("evpl_iovec_move_segment", src);
    EVPL_TRACE_DST_("evpl_iovec_move_segment", dst);
    evpl_iovec_check_range_("evpl_iovec_move_segment", src, offset, length);
    evpl_iovec_fill_(dst, src->private_data, (char *) src->data + offset,
                     length, src->flags);
    if (dst != src)
        EVPL_TRACE_MARK_(src, EVPL_IOVEC_F_MOVED_);
}

/**
 * The first byte of an iovec's range.
 *
 * @param iovec A live iovec.
 * @return The first byte of the iovec's range.
 */
static inline void *
evpl_iovec_data(const struct evpl_iovec *iovec)
{
    EVPL_TRACE_CHECK_("evpl_iovec_data", iovec);
    return iovec->data;
}

/**
 * The length of an iovec's range.
 *
 * @param iovec A live iovec.
 * @return The number of bytes in the iovec's range.
 */
static inline unsigned int
evpl_iovec_length(const struct evpl_iovec *iovec)
{
    EVPL_TRACE_CHECK_("evpl_iovec_length", iovec);
    return iovec->length;
}

/**
 * Set the number of valid bytes, typically to shorten a reservation before
 * evpl_iovec_commit(). The caller keeps it within the space it was given
 * (trace builds abort past the iovec's segment or slab).
 *
 * @param iovec  A live iovec.
 * @param length Its new length in bytes.
 */
static inline void
evpl_iovec_set_length(
    struct evpl_iovec *iovec,
    unsigned int       length)
{
    EVPL_TRACE_CHECK_("evpl_iovec_set_length", iovec);
    EVPL_TRACE_LENGTH_(iovec, length);
    iovec->length = length;
}

#ifdef __cplusplus
}
#endif

#endif /* EVPL_MEMORY_H */
