/* SPDX-License-Identifier: LGPL-2.1-only */

/**
 * @file
 * Library-private inline machinery for iovecs on slabs. NOT for
 * applications: included by the library's own inline paths, the way DPDK
 * keeps rte_ring_elem_pvt.h. Nothing here is part of the API.
 *
 * A slab is one element of a mempool of large buffers (src/slab_pool.c),
 * one of a set of such pools that grows on demand. Its references are
 * counted in its head, in an rte_mbuf_ext_shared_info, so that mbufs
 * attached to the slab for transmit (rte_pktmbuf_attach_extbuf()) count
 * on it as iovecs do (src/slab_attach.c). The last reference an iovec
 * drops returns the slab to its mempool through evpl_slab_free_(), this
 * process's code: the library never calls the free_cb stored in the
 * slab's shared memory, so any process of a multi-process application
 * may drop it.
 *
 * An iovec on a slab has EVPL_IOVEC_F_SLAB_ in its flags and points
 * private_data at the slab's head. LOCAL slab iovecs update the count with
 * plain loads and stores, SHARED ones atomically; a context carves LOCAL
 * and SHARED allocations from different slabs, so one slab's count never
 * sees both kinds of update from different threads.
 */

#ifndef EVPL_SLAB_PVT_H
#define EVPL_SLAB_PVT_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

/* iovec->flags: a clone of an EVPL_IOVEC_FLAG_GLOBAL iovec, which borrows
 * the slab and holds no reference of its own. */
#define EVPL_IOVEC_F_BORROW_ 0x40u

/* The head of every slab; src/slab.h keeps the rest behind it. */
struct evpl_slab_ {
    char      *data;   /* size bytes, aligned to size */
    rte_iova_t iova;   /* of data; IOVA-contiguous */
    uint32_t   size;
    /* refcnt: the slab's references (16 bits, as an mbuf's). free_cb and
     * fcb_opaque: written by the process that took the slab from its
     * pool, whose own attached mbufs then count on refcnt directly
     * (src/slab_attach.c); nothing else calls free_cb. */
    struct rte_mbuf_ext_shared_info shinfo;
};

/* The rte_mbuf_ext_shared_info of the mbufs a process attaches to a slab
 * whose own free_cb is another process's (src/slab_attach.c): it holds
 * one of the slab's references. */
struct evpl_slab_att_ {
    struct rte_mbuf_ext_shared_info shinfo; /* first: m->shinfo is this */
    struct evpl_slab_              *slab;
};

/* fcb_opaque of a slab's own shared info: its head, tagged, told from a
 * struct evpl_slab_att_ (pointer-aligned) by the tag. */
#define EVPL_SLAB_OWN_TAG_ ((uintptr_t) 1)

/* The slab an attached mbuf's shared info (one of the library's) counts
 * on; *own: whether it is the slab's own, each mbuf one count on the
 * slab, or a range's, holding one count for all its mbufs. */
static inline struct evpl_slab_ *
evpl_slab_of_shinfo_(
    const struct rte_mbuf_ext_shared_info *sh,
    int                                   *own)
{
    uintptr_t o = (uintptr_t) sh->fcb_opaque;

    *own = (o & EVPL_SLAB_OWN_TAG_) != 0;
    return *own ? (struct evpl_slab_ *) (o & ~EVPL_SLAB_OWN_TAG_) :
           ((const struct evpl_slab_att_ *) o)->slab;
}

/**
 * Return a slab whose last reference was just dropped to its mempool.
 * Library-private (the inline release paths call it); not for
 * applications.
 *
 * @param s The slab, its count at zero.
 */
EVPL_EXPORT __rte_cold void evpl_slab_free_(struct evpl_slab_ *s);

static inline struct evpl_slab_ *
evpl_iovec_slab_(const struct evpl_iovec *iov)
{
    return (struct evpl_slab_ *) iov->private_data;
}

/* Drop one reference; the last returns the slab to its mempool. */
static inline void
evpl_slab_count_put_(
    struct evpl_slab_ *s,
    unsigned int       shared)
{
    uint16_t cnt;

    if (shared) {
        /* Reading 1 means no other holder exists who could race us. */
        if (likely(__atomic_load_n(&s->shinfo.refcnt, __ATOMIC_RELAXED) ==
                   1) ||
            __atomic_sub_fetch(&s->shinfo.refcnt, 1, __ATOMIC_ACQ_REL) == 0) {
            s->shinfo.refcnt = 0;
            evpl_slab_free_(s);
        }
    } else {
        cnt = s->shinfo.refcnt;
        if (likely(cnt == 1)) {
            s->shinfo.refcnt = 0;
            evpl_slab_free_(s);
        } else {
            s->shinfo.refcnt = cnt - 1;
        }
    }
}

/* clone / clone_segment of a slab iovec, through the one checked
 * reference add. A GLOBAL iovec's clones borrow: its lifetime is its
 * owner's, so they take nothing (libevpl's rule). */
static inline void
evpl_slab_ref_get_(
    const char              *call,
    const struct evpl_iovec *iov)
{
    if (unlikely(iov->flags & EVPL_IOVEC_FLAG_GLOBAL))
        return;
    evpl_refcnt_add_(call, iov, &evpl_iovec_slab_(iov)->shinfo.refcnt, 1,
                     (iov->flags & EVPL_IOVEC_FLAG_SHARED) != 0);
}

/* The flags a clone of iov carries. */
static inline unsigned int
evpl_slab_clone_flags_(unsigned int flags)
{
    return (flags & EVPL_IOVEC_FLAG_GLOBAL) ? flags | EVPL_IOVEC_F_BORROW_ :
           flags;
}

/* evpl_iovec_release of a slab iovec: a borrow drops nothing; everything
 * else, the GLOBAL owner included, drops its one reference. */
static inline void
evpl_slab_release_(
    void        *private_data,
    unsigned int flags)
{
    if (unlikely(flags & EVPL_IOVEC_F_BORROW_))
        return;
    evpl_slab_count_put_((struct evpl_slab_ *) private_data,
                         flags & EVPL_IOVEC_FLAG_SHARED);
}

/* The library's own release of a reference it was handed (transmit with
 * EVPL_DPDK_TAKE_REF): a no-op for GLOBAL iovecs, whose one reference
 * stays with the application (libevpl's evpl_iovec_release_internal). */
static inline void
evpl_slab_release_internal_(
    void        *private_data,
    unsigned int flags)
{
    if (flags & EVPL_IOVEC_FLAG_GLOBAL)
        return;
    evpl_slab_count_put_((struct evpl_slab_ *) private_data,
                         flags & EVPL_IOVEC_FLAG_SHARED);
}

#endif /* EVPL_SLAB_PVT_H */
