/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slabs: large buffers (2 MiB by default) from a pool per NUMA socket,
 * slab size and count, carved into iovecs. Library-private.
 *
 * slab_pool.c keeps the pools, slab_carve.c carves slabs into iovecs.
 * A slab pool is an rte_mempool whose elements are the slabs' heads
 * (struct evpl_slab, with the reference count DPDK's external-buffer
 * machinery uses), and one memzone reserved with it holding the slabs'
 * data back to back, each slab aligned to its size. Keeping the head out
 * of the data makes a slab a whole power of two, which on hugepages of at
 * least that size lies in one physically contiguous page: IOVA-contiguous
 * in IOVA-as-PA and IOVA-as-VA modes alike, with no search for contiguous
 * runs of pages, and any alignment up to the slab size costs nothing in a
 * fresh slab.
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

struct evpl_slab {
    struct evpl_slab_   h;  /* first: an iovec's private_data points here */
    struct rte_mempool *mp;
    /* The id of the context whose spanning reservation ends in this slab
     * (0: none): its commit makes the slab that context's carve slab,
     * once. An id, not the context's address: ids are never reused, and a
     * context created where a destroyed one was must not adopt its
     * tails. */
    uint32_t            span_owner;
    /* Serial of the context that took the slab from its pool (trace
     * builds name it in leak reports; 0 in others). */
    uint32_t            serial;
    uint32_t            out;    /* 1 while out of the pool */
    /* 1 while a context carves it, holding one reference of its own:
     * written by that context only, before it drops that reference. */
    uint32_t            carved;
    const void         *site;   /* trace builds: who took it */
};

/* A context's carving point in one slab; it holds one reference on it. */
struct evpl_slab_carve {
    struct evpl_slab *slab;
    uint32_t          used; /* bytes consumed from data */
};

/* The references on s that iovecs and in-flight mbufs hold: its count
 * less a carving context's own. Trace builds compare it with the iovecs
 * of one packet. The acquiring load pairs with the carving context's
 * release of its reference, which clears carved first. */
static inline unsigned int
evpl_slab_refs_held(const struct evpl_slab *s)
{
    unsigned int cnt = __atomic_load_n(&s->h.shinfo.refcnt,
                                       __ATOMIC_ACQUIRE);

    return cnt - __atomic_load_n(&s->carved, __ATOMIC_RELAXED);
}

/* A context's slab state. */
struct evpl_slab_ctx {
    struct rte_mempool    *pool;   /* NULL until the first slab is needed */
    uint32_t               size;   /* data bytes per slab */
    uint32_t               nb;     /* slabs in the pool */
    int                    socket;
    struct evpl_slab_carve local;  /* LOCAL allocations and reservations */
    struct evpl_slab_carve shared; /* SHARED allocations */
};

/* ---- the pool side (slab_pool.c) ---- */

/* evpl_create(): check and record the configuration; 0 or -1 (EINVAL). */
int  evpl_slab_ctx_init(struct evpl_slab_ctx *sc,
                        const struct evpl_config *config, int socket);
/* A fresh slab from sc's pool (created on first use) with one reference,
 * the taker's, recorded as taken by the context serial; NULL with errno
 * ENOMEM when the pool is empty or cannot be created. */
struct evpl_slab *evpl_slab_pool_get(struct evpl_slab_ctx *sc,
                                     uint32_t serial);
/* Give back a slab of evpl_slab_pool_get() that nothing has seen. */
void evpl_slab_pool_unget(struct evpl_slab *s);

/* Leak accounting: the slabs and references a context's slab carving
 * handed out that are still referenced (trace builds: exactly this
 * context's; others: the whole pool's), its own carve references left
 * out. */
void evpl_slab_outstanding(const struct evpl_slab_ctx *sc, uint32_t serial,
                           uint64_t *slabs, uint64_t *refs);
void evpl_slab_leak_report(const struct evpl *evpl,
                           const struct evpl_slab_ctx *sc, uint32_t serial);

/* Trace builds: record where a slab iovec's slab was first handed out. */
void evpl_slab_trace_site(struct evpl_iovec *iov, const void *site);

/* ---- the carving side (slab_carve.c) ---- */

/* evpl_destroy(): drop the context's references on its carve slabs. */
void evpl_slab_ctx_fini(struct evpl_slab_ctx *sc);

/* The slab parts of alloc, reserve and commit (arguments checked). */
int  evpl_slab_alloc(struct evpl *evpl, unsigned int length,
                     unsigned int mask, unsigned int max_iovecs,
                     unsigned int flags, struct evpl_iovec *r_iovec);
int  evpl_slab_reserve(struct evpl *evpl, unsigned int length,
                       unsigned int mask, unsigned int max_vec,
                       unsigned int flags, struct evpl_iovec *r_iovec);
void evpl_slab_commit_one(struct evpl *evpl, unsigned int alignment,
                          struct evpl_iovec *iov);

#endif /* EVPL_SLAB_H */
