/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs: large buffers (2 MiB by default) carved into iovecs.
 * Library-private.
 *
 * slab_set.c keeps the sets of slab pools and grows them, slab_pool.c
 * makes the pools and hands slabs out and back, slab_carve.c carves slabs
 * into iovecs, slab_attach.c attaches transmit mbufs to them. A slab pool
 * is an rte_mempool whose elements are the slabs' heads (struct
 * evpl_slab, with the slab's reference count), and one memzone reserved
 * with it holding the slabs' data back to back, each slab aligned to its
 * size. Keeping the head out of the data makes a slab a whole power of
 * two, which on hugepages of at least that size lies in one physically
 * contiguous page: IOVA-contiguous in IOVA-as-PA and IOVA-as-VA modes
 * alike, with no search for contiguous runs of pages, and any alignment up
 * to the slab size costs nothing in a fresh slab.
 *
 * A mempool cannot grow; a set of them can. The contexts of one NUMA
 * socket, slab size and limit share a set of pools, named after those
 * three and the pool's place in the set (EVPL_DPDK_SLAB_POOL_FORMAT), so
 * threads and processes meet on the same pools.
 */

#ifndef EVPL_SLAB_H
#define EVPL_SLAB_H

#include <stdint.h>

#include <rte_mempool.h>

#include <evpl/evpl.h>

struct evpl;

/* Slab sizes: powers of two in this range. */
#define EVPL_SLAB_MIN_SIZE 4096u
#define EVPL_SLAB_MAX_SIZE (1u << 30)

/* Carving stops taking references on a slab at this count (as
 * EVPL_CARVE_REF_CAP does on mbufs), so that of the 16 bits only explicit
 * clones can exhaust the rest. */
#define EVPL_SLAB_CARVE_REF_CAP 16384u

/* A request goes to slabs when it would take more mbuf segments than
 * this, whatever max_iovecs allows: beyond one allocation batch of
 * segments a slab's carve costs less than the mempool round trips. */
#define EVPL_SLAB_SEGS_MAX 32u

/* Growth: each pool a set adds holds this much slab data (at least one
 * slab), doubled every EVPL_SLAB_GROW_DOUBLING pools, so that a set
 * overshoots what it needs by a sixteenth at most and reaches any
 * hugepage memory in few pools (and memzones). */
#define EVPL_SLAB_GROW_BYTES    (UINT64_C(32) << 20)
#define EVPL_SLAB_GROW_DOUBLING 16u
/* Pools in one set: with the doubling, far more memory than a machine has. */
#define EVPL_SLAB_POOLS_MAX     128u
/* Limits (evpl_config.nb_slabs) are below this, as pool sizes are. */
#define EVPL_SLAB_LIMIT_MAX     (UINT32_C(1) << 30)

struct evpl_slab {
    struct evpl_slab_   h;  /* first: an iovec's private_data points here */
    struct rte_mempool *mp;
    /* The span-tail mark (internal.h) of the context whose spanning
     * reservation ends in this slab, EVPL_SPAN_NONE for none. Made of
     * the context's id, not its address: ids are never reused, and a
     * context created where a destroyed one was must not adopt its
     * tails. */
    uint32_t            span_owner;
    /* The id of the context that took the slab from its pool: leak
     * accounting counts a context's own. */
    uint32_t            serial;
    uint32_t            out;    /* 1 while out of the pool */
    /* 1 while a context carves it, holding one reference of its own:
     * written by that context only, before it drops that reference. */
    uint32_t            carved;
};

/* The references on s that iovecs and in-flight mbufs hold: its count
 * less a carving context's own. Trace builds compare it with the iovecs
 * of one packet. The acquiring load pairs with the carving context's
 * release of its reference, which clears carved first. */
static inline unsigned int
evpl_slab_refs_held(const struct evpl_slab *s)
{
    unsigned int cnt = __atomic_load_n(&s->h.shinfo.refcnt, __ATOMIC_ACQUIRE);

    return cnt - __atomic_load_n(&s->carved, __ATOMIC_RELAXED);
}

struct evpl_slab_set;

/* A context's slab state. */
struct evpl_slab_ctx {
    struct evpl_slab_set  *set;    /* its socket's, size's and limit's */
    uint32_t               size;   /* data bytes per slab */
    uint32_t               hint;   /* the set's pool that gave the last slab */
    /* The shared infos of the transmit mbufs the context attaches to
     * slabs another process took: a pool beside the context's mbuf pool,
     * found on first use (slab_attach.c). */
    struct rte_mempool    *att;
    struct rte_mempool_cache *att_cache;
    struct evpl_carve      local;  /* LOCAL allocations and reservations */
    struct evpl_carve      shared; /* SHARED allocations */
};

/* ---- the sets (slab_set.c) ---- */

/* The process's set for a socket, slab size and limit (0: none), made on
 * first use; no memory of DPDK's is taken until a slab is needed. NULL
 * with errno ENOMEM. */
struct evpl_slab_set *evpl_slab_set_find(int socket, uint32_t size,
                                         uint32_t limit);
/* A free slab's head from any pool of the set, growing the set by a pool
 * when all are empty; *hint is the caller's guess of the pool to try
 * first, updated. NULL with errno ENOMEM when the set is at its limit or
 * cannot grow. */
struct evpl_slab *evpl_slab_set_take(struct evpl_slab_set *set,
                                     uint32_t *hint);
/* Call fn on every pool of the set that this process knows. */
void evpl_slab_set_foreach_pool(const struct evpl_slab_set *set,
                                void (*fn)(struct rte_mempool *mp, void *arg),
                                void *arg);

/* ---- the pool side (slab_pool.c) ---- */

/* Pool name of a set (socket, slab size, limit) with n slabs of size
 * bytes, made or found by name; NULL with errno (EINVAL, ENOMEM, EAGAIN
 * as evpl_pool_get_or_create()). */
struct rte_mempool *evpl_slab_pool_make(const char *name, int socket,
                                        uint32_t size, uint32_t n);

/* evpl_create(): check and record the configuration; 0 or -1 (EINVAL,
 * ENOMEM). */
int  evpl_slab_ctx_init(struct evpl_slab_ctx *sc,
                        const struct evpl_config *config, int socket);
/* A fresh slab from sc's set with one reference, the taker's, recorded as
 * taken by the context id; NULL with errno ENOMEM when none can be had. */
struct evpl_slab *evpl_slab_pool_get(struct evpl_slab_ctx *sc, uint32_t id);
/* Give back a slab of evpl_slab_pool_get() that nothing has seen. */
void evpl_slab_pool_unget(struct evpl_slab *s);

/* Leak accounting: the slabs and references that context id's slab
 * carving handed out that are still referenced, its own carve references
 * left out. */
void evpl_slab_outstanding(const struct evpl_slab_ctx *sc, uint32_t id,
                           uint64_t *slabs, uint64_t *refs);
void evpl_slab_leak_report(const struct evpl *evpl,
                           const struct evpl_slab_ctx *sc, uint32_t id);


/* ---- transmit by reference (slab_attach.c) ---- */

/* The free callback of every shared info this process attaches slab
 * ranges through. */
void evpl_slab_ext_free(void *addr, void *opaque);

/* evpl_slab_att_get() for a slab another process took: a shared info of
 * the range's own. */
struct rte_mbuf_ext_shared_info *evpl_slab_att_get_range(
    struct evpl *evpl, const char *call, const struct evpl_iovec *v,
    uint16_t n, int move);

/* The rte_mbuf_ext_shared_info for n mbufs to be attached to v's slab
 * with rte_pktmbuf_attach_extbuf(), holding their counts on the slab:
 * the slab's own when this process took the slab (its count taken up by
 * n), else one of the range's own, its count n, holding one count on the
 * slab. Its free callback is this process's. With move, one of those
 * counts is v's own, which it takes over (transmit with
 * EVPL_DPDK_TAKE_REF, v not GLOBAL); the others are taken here through
 * the checked add (an abort names call, before anything changed). Clones
 * of the mbufs share it, as DPDK's attach does. NULL with errno ENOMEM
 * (no shared info of a range's own to be had), nothing taken or moved.
 * Inline: a slab sent by the process that took it, the common case,
 * costs one compare and the add. */
static inline struct rte_mbuf_ext_shared_info *
evpl_slab_att_get(
    struct evpl             *evpl,
    const char              *call,
    const struct evpl_iovec *v,
    uint16_t                 n,
    int                      move)
{
    struct evpl_slab_ *s = evpl_iovec_slab_(v);

    if (unlikely(s->shinfo.free_cb != evpl_slab_ext_free))
        return evpl_slab_att_get_range(evpl, call, v, n, move);
    if (n > move)
        evpl_refcnt_add_(call, v, &s->shinfo.refcnt, (uint16_t) (n - move),
                         1);
    return &s->shinfo;
}
/* Give back a shared info of evpl_slab_att_get() for n mbufs that no mbuf
 * came to hold, with its counts on the slab: dropped, or, where one was
 * moved from the iovec, left to the iovec again. */
void evpl_slab_att_unget(struct rte_mbuf_ext_shared_info *sh, uint16_t n,
                         int moved);
/* Make s's own shared info this process's: s was just taken from its
 * pool, so no mbuf is attached to it. */
void evpl_slab_att_own(struct evpl_slab_ *s);
/* The address of this process's attachment free callback, as the
 * processes of the DPDK instance compare them (shared.c). */
uintptr_t evpl_slab_att_code(void);

/* ---- the carving side (slab_carve.c) ---- */

/* evpl_destroy(): drop the context's references on its carve slabs. */
void evpl_slab_ctx_fini(struct evpl_slab_ctx *sc);

/* The slab parts of alloc and reserve (arguments checked); commit is
 * carve.c's, for both kinds. */
int  evpl_slab_alloc(struct evpl *evpl, unsigned int length,
                     unsigned int mask, unsigned int max_iovecs,
                     unsigned int flags, struct evpl_iovec *r_iovec);
int  evpl_slab_reserve(struct evpl *evpl, unsigned int length,
                       unsigned int mask, unsigned int max_vec,
                       unsigned int flags, struct evpl_iovec *r_iovec);

#endif /* EVPL_SLAB_H */
