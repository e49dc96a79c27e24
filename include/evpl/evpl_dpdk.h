/* SPDX-License-Identifier: LGPL-2.1-only */

/**
 * @file
 * The DPDK glue: contexts and their pools, iovec <-> mbuf conversion, and
 * the inline reference-count paths of <evpl/evpl_memory.h>.
 *
 * This is the only public header that names DPDK types. Call everything
 * here after rte_eal_init(). The error rule of <evpl/evpl_memory.h> holds.
 */

#ifndef EVPL_DPDK_H
#define EVPL_DPDK_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <evpl/evpl_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default pool: usable bytes per mbuf, after RTE_PKTMBUF_HEADROOM. */
#define EVPL_DPDK_DEFAULT_SEGMENT_SIZE 8192u
/** Default pool: number of mbufs. */
#define EVPL_DPDK_DEFAULT_NB_MBUFS     8191u
/** Default pool: per-lcore mempool cache. */
#define EVPL_DPDK_DEFAULT_CACHE_SIZE   256u

/**
 * Context configuration. Zero-initialise it: every field at zero means the
 * default.
 */
struct evpl_config {
    /**
     * The application's own pktmbuf pool (for example the one its RX
     * queues use). The context allocates from it and never frees it.
     * NULL: the process's default pool for the caller's NUMA socket, created
     * by the library on first use and kept until the process ends.
     */
    struct rte_mempool *pool;
    /**
     * Default pool only: usable bytes per mbuf after the headroom
     * (0: EVPL_DPDK_DEFAULT_SEGMENT_SIZE). The data room is this plus
     * RTE_PKTMBUF_HEADROOM and must fit 16 bits.
     */
    unsigned int segment_size;
    /** Default pool only: mbufs in the pool (0: EVPL_DPDK_DEFAULT_NB_MBUFS). */
    unsigned int nb_mbufs;
};

/**
 * Create a context for the calling thread.
 *
 * Default pools are shared by every context of the process on the same
 * NUMA socket with the same segment size and mbuf count.
 *
 * @param config NULL or a zero-initialised configuration.
 * @return The context, or NULL with errno (and rte_errno) set:
 *   - EINVAL: the EAL is not initialised; config->pool is not a pktmbuf
 *     pool; segment_size too large for a 16-bit data room;
 *   - ENOMEM: no memory for the context or the default pool.
 */
EVPL_EXPORT struct evpl *evpl_create(const struct evpl_config *config);

/**
 * Destroy a context: drops the context's own references (the partly carved
 * segment) and logs, through rte_log, the pool's mbufs still in use.
 * iovecs allocated from it stay valid and may be released later, with a
 * NULL context or another thread's. NULL does nothing.
 */
EVPL_EXPORT void evpl_destroy(struct evpl *evpl);

/** @return The pool that backs @p evpl's allocations (NULL for NULL). */
EVPL_EXPORT struct rte_mempool *evpl_mempool(const struct evpl *evpl);

/**
 * Turn a received mbuf chain into iovecs, one per non-empty segment, with
 * no copy. Each segment's chain reference moves to its iovec (empty
 * segments are freed); the iovecs are LOCAL to the calling thread.
 *
 * @param evpl       The calling thread's context.
 * @param m          The chain's first segment.
 * @param iov        [out] Receives the iovecs.
 * @param max_iovecs Capacity of @p iov.
 * @return The number of iovecs (0 for a chain of empty segments, which is
 *   then freed), or -1 with errno and rte_errno set and the chain untouched:
 *   - EINVAL: @p evpl, @p m or @p iov NULL;
 *   - ENOSPC: more non-empty segments than @p max_iovecs.
 */
EVPL_EXPORT int evpl_dpdk_mbuf_to_iovecs(
    struct evpl       *evpl,
    struct rte_mbuf   *m,
    struct evpl_iovec *iov,
    int                max_iovecs);

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

/** @return The mbuf whose reference @p iovec holds. */
static inline struct rte_mbuf *
evpl_iovec_mbuf(const struct evpl_iovec *iovec)
{
    return (struct rte_mbuf *) iovec->private_data;
}

/* ------------------------------------------------------------------------
 * Inline hot paths of <evpl/evpl_memory.h>.
 *
 * A reference is one count on m->refcnt, the field every DPDK component
 * uses, so an mbuf from any pktmbuf pool (an RX pool included) can be
 * wrapped, and a driver's free after transmit interleaves correctly. LOCAL
 * references use plain loads and stores; SHARED ones atomics.
 * ------------------------------------------------------------------------ */

/* Return an mbuf whose last reference was just dropped (refcnt reads 1).
 * The common case is a direct, unchained mbuf: straight back to its pool.
 * Anything else (an indirect or external-buffer mbuf, a segment still
 * linked into a chain) goes through DPDK's own per-segment free. */
static inline void
evpl_mbuf_free_last_(struct rte_mbuf *m)
{
    if (likely(RTE_MBUF_DIRECT(m) && m->next == NULL && m->nb_segs == 1))
        rte_mbuf_raw_free(m);
    else
        rte_pktmbuf_free_seg(m);
}

static inline void
evpl_iovec_ref_get_(const char *call, const struct evpl_iovec *iov)
{
    struct rte_mbuf *m = evpl_iovec_mbuf(iov);
    uint16_t         cnt;

    if (iov->flags & EVPL_IOVEC_FLAG_SHARED) {
        /* A compare-and-swap, not an add: the count must never be seen
         * wrapped, even for a moment, by another lcore. */
        cnt = __atomic_load_n(&m->refcnt, __ATOMIC_RELAXED);
        do {
            if (unlikely(cnt == UINT16_MAX))
                evpl_iovec_abort(call, iov,
                                 "mbuf reference count would pass 65535");
        } while (!__atomic_compare_exchange_n(&m->refcnt, &cnt, cnt + 1, 1,
                                              __ATOMIC_RELAXED,
                                              __ATOMIC_RELAXED));
    } else {
        cnt = m->refcnt;
        if (unlikely(cnt == UINT16_MAX))
            evpl_iovec_abort(call, iov,
                             "mbuf reference count would pass 65535");
        m->refcnt = cnt + 1;
    }
}

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

static inline void
evpl_iovec_release(
    struct evpl       *evpl,
    struct evpl_iovec *iovec)
{
    RTE_SET_USED(evpl);
    evpl_iovec_ref_put_(evpl_iovec_mbuf(iovec), iovec->flags);
}

static inline void
evpl_iovecs_release(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov)
{
    int i;

    for (i = 0; i < niov; i++)
        evpl_iovec_release(evpl, &iov[i]);
}

static inline void
evpl_iovec_clone(
    struct evpl_iovec *dst,
    struct evpl_iovec *src)
{
    evpl_iovec_ref_get_("evpl_iovec_clone", src);
    *dst = *src;
}

static inline void
evpl_iovec_clone_segment(
    struct evpl_iovec       *dst,
    const struct evpl_iovec *src,
    unsigned int             offset,
    unsigned int             length)
{
    evpl_iovec_check_range_("evpl_iovec_clone_segment", src, offset, length);
    evpl_iovec_ref_get_("evpl_iovec_clone_segment", src);
    dst->data         = (char *) src->data + offset;
    dst->length       = length;
    dst->flags        = src->flags;
    dst->private_data = src->private_data;
}

static inline void
evpl_iovec_move(
    struct evpl_iovec *dst,
    struct evpl_iovec *src)
{
    *dst = *src;
}

static inline void
evpl_iovec_move_segment(
    struct evpl_iovec *dst,
    struct evpl_iovec *src,
    unsigned int       offset,
    unsigned int       length)
{
    evpl_iovec_check_range_("evpl_iovec_move_segment", src, offset, length);
    dst->data         = (char *) src->data + offset;
    dst->length       = length;
    dst->flags        = src->flags;
    dst->private_data = src->private_data;
}

static inline void *
evpl_iovec_data(const struct evpl_iovec *iovec)
{
    return iovec->data;
}

static inline unsigned int
evpl_iovec_length(const struct evpl_iovec *iovec)
{
    return iovec->length;
}

static inline void
evpl_iovec_set_length(
    struct evpl_iovec *iovec,
    unsigned int       length)
{
    iovec->length = length;
}

#ifdef __cplusplus
}
#endif

#endif /* EVPL_DPDK_H */
