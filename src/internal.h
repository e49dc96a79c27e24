/* SPDX-License-Identifier: LGPL-2.1-only */

/* Library-private definitions shared by src/ and dpdk_glue/. */

#ifndef EVPL_INTERNAL_H
#define EVPL_INTERNAL_H

#include <errno.h>
#include <sys/queue.h>
#include <stdint.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <evpl/evpl.h>

/* p rounded up to a multiple of mask + 1, a power of two. */
static inline char *
evpl_align_ptr(
    const char  *p,
    unsigned int mask)
{
    return (char *) (((uintptr_t) p + mask) & ~(uintptr_t) mask);
}

/* A context's carving point in one buffer, an mbuf segment or a slab
 * (carve.c): the context holds one reference on it, and used bytes from
 * its start are consumed. */
struct evpl_carve {
    void    *buf; /* the rte_mbuf or struct evpl_slab; NULL: none */
    uint32_t used;
};

#include "slab.h"

extern int evpl_logtype;

/* The log type a message of this level goes out on: lib.evpl, or the old
 * name evpl where its level lets the message through (src/log.c). */
int evpl_log_type(uint32_t level);

#define EVPL_LOG(level, fmt, ...) \
    rte_log(RTE_LOG_ ## level, evpl_log_type(RTE_LOG_ ## level), \
            "EVPL: " fmt "\n", ## __VA_ARGS__)

/* A reservation segment is retired once less than this is left: smaller
 * reservations would fragment it for little gain. */
#define EVPL_CARVE_MIN        64u

/* Reservations stop taking references on a segment at this count, so that
 * of the 16 bits only explicit clones can exhaust the rest. */
#define EVPL_CARVE_REF_CAP    16384u

/* What the core counts of struct evpl_dpdk_stats. */
struct evpl_core_stats {
    uint64_t alloc_nomem;
};

struct evpl {
    struct rte_mempool       *pool;
    /* The calling lcore's default cache, or own_cache on a thread that is
     * not an EAL lcore (which has no default cache). */
    struct rte_mempool_cache *cache;
    struct rte_mempool_cache *own_cache;
    uint32_t                  room;     /* data room of every mbuf in pool */
    uint32_t                  headroom; /* left in front of allocations */
    unsigned int              lcore;
    /* The creating thread's tag, in place in iovec->flags: every iovec
     * this context makes carries it. */
    uint32_t                  owner_flags;

    /* Reservation carving of segments (an mbuf). */
    struct evpl_carve         carve;

    /* The core's own counters; the glue keeps the others in its state
     * (dpdk_glue/glue.h), and evpl_dpdk_stats_get() joins them. */
    struct evpl_core_stats    stats;

    /* Slab carving (slab_carve.c). */
    struct evpl_slab_ctx      slab;

    /* The process's list of live contexts, for telemetry. */
    TAILQ_ENTRY(evpl)         link;
    /* Names the context in what it takes (slabs, span tails, and in trace
     * builds mbufs' trace records); never reused, as buffers outlive
     * contexts, and unique across the processes of the DPDK instance. */
    uint32_t                  id;
};

/*
 * Extensions: how the core calls the glue. How a part of the library
 * outside src/ (the DPDK glue's per-context state: its transmit settings,
 * counters and store of kept received packets, dpdk_glue/glue.c) keeps
 * per-context state and learns of a context's start and end without the
 * core knowing what that state is. An extension registers
 * once, from an RTE_INIT constructor (before any context exists); every
 * context then carries size zeroed bytes for it behind struct evpl, at the
 * offset registration writes into the descriptor.
 */
struct evpl_ext {
    const char *name;
    size_t      size;
    /* Optional: at evpl_create(), on the zeroed state, with the caller's
     * configuration (the defaults for NULL); -1 with errno fails the
     * create (earlier extensions' fini then run). */
    int  (*init)(struct evpl *evpl, const struct evpl_config *config,
                 void *state);
    /* Optional: at evpl_destroy(), before the leak report: drop every
     * reference the state holds. */
    void (*fini)(struct evpl *evpl, void *state);
    /* Optional: call fn on every mbuf segment on which the state holds a
     * reference of the context's own, so that evpl_dpdk_outstanding()
     * leaves them out of the caller's counts. */
    void (*foreach_held)(const struct evpl *evpl, const void *state,
                         void (*fn)(const struct rte_mbuf *seg, void *arg),
                         void *arg);
    /* Written by evpl_ext_register(): the state's offset in a context. */
    size_t      offset;
};

/* Most extensions one process registers. */
#define EVPL_EXT_MAX 4

/* Where the first extension registered keeps its state in a context: an
 * extension that registers first (the glue, dpdk_glue/glue.c, the only
 * one) can reach its state at this constant offset rather than load
 * ext->offset, and checks at registration that it got it. */
#define EVPL_EXT_FIRST_OFFSET \
    RTE_ALIGN_CEIL(sizeof(struct evpl), RTE_CACHE_LINE_SIZE)

/* Register ext; called from RTE_INIT. Too many extensions, or a context
 * already created, is a build defect: it logs and aborts. */
void evpl_ext_register(struct evpl_ext *ext);

/* Call fn on every segment the extensions' states hold (trace.c). */
void evpl_exts_foreach_held(const struct evpl *evpl,
                            void (*fn)(const struct rte_mbuf *seg, void *arg),
                            void *arg);

/* ext's state in evpl. */
static inline void *
evpl_ext_state(
    const struct evpl     *evpl,
    const struct evpl_ext *ext)
{
    return (char *) (uintptr_t) evpl + ext->offset;
}

/* Hand failure to the caller under the library's error rule. */
static inline int
evpl_fail(int err)
{
    errno     = err;
    rte_errno = err;
    return -1;
}

/* ---- carving, over both kinds of memory (carve.c) ---- */

/* Drop the context's reference on c's buffer, a slab when slab says so
 * (its count updated atomically when shared), and empty c. */
void evpl_carve_retire(struct evpl_carve *c, int slab, unsigned int shared);
/* Make buf, on which the caller took the context's reference, c's buffer
 * from used on, retiring the one before. */
void evpl_carve_take(struct evpl_carve *c, void *buf, uint32_t used, int slab,
                     unsigned int shared);

/* Run fn on every live context, under the registry's lock: fn must not
 * create or destroy contexts. */
void evpl_contexts_foreach(void (*fn)(const struct evpl *evpl, void *arg),
                           void *arg);

/*
 * The span-tail mark, one way for both kinds of memory: a 32-bit word per
 * buffer (an mbuf dynamic field, evpl_seg_state(); a slab's span_owner),
 * written on every buffer evpl_iovec_reserve() takes fresh. The last
 * buffer of a reservation that spans buffers carries the reserving
 * context's mark: that context's commit into it makes it the context's
 * carve buffer, once (evpl_span_tail_take()); another context's commit
 * consumes nothing there. Every other buffer carries EVPL_SPAN_NONE, so a
 * stale reservation can never restart carving where later commits
 * already consumed.
 */
#define EVPL_SPAN_NONE          0u
#define EVPL_SPAN_TAIL_BIT_     0x80000000u

/* The span-tail mark of evpl's reservations. Context ids start at 1 and are
 * not reused, so a mark never equals EVPL_SPAN_NONE nor another live
 * context's. */
static inline uint32_t
evpl_span_tail(const struct evpl *evpl)
{
    return EVPL_SPAN_TAIL_BIT_ | (evpl->id & ~EVPL_SPAN_TAIL_BIT_);
}

/* Whether the buffer whose mark this is ends one of evpl's spanning
 * reservations; if so, the mark goes: a tail is adopted once. */
static inline int
evpl_span_tail_take(
    uint32_t          *mark,
    const struct evpl *evpl)
{
    if (*mark != evpl_span_tail(evpl))
        return 0;
    *mark = EVPL_SPAN_NONE;
    return 1;
}

extern int evpl_seg_state_offset;

int evpl_dynfield_init(void);

struct rte_mempool *evpl_default_pool(int socket, unsigned int room,
                                      unsigned int n);

/* How evpl_pool_get_or_create() makes a pool it cannot find. */
struct evpl_pool_maker {
    /* Make the pool called name; NULL with rte_errno set (EEXIST: another
     * process is making it, wait for it). */
    struct rte_mempool *(*create)(const char *name, void *arg);
    /* Undo create() for a pool that cannot be published: everything it
     * took goes. NULL: rte_mempool_free(). */
    void (*discard)(struct rte_mempool *mp, void *arg);
    /* Leave the report of a failure to the caller (a slab set that cannot
     * grow says so itself, once). */
    int quiet;
};

/*
 * The pool registered as name, created with mk->create(name, arg) by the
 * first caller of any thread or process; published to others only once
 * create() has returned it complete (pool.c says how). Nothing stays
 * allocated when it fails: NULL with errno EINVAL (name too long), ENOMEM
 * (create() failed), EAGAIN (another process left the pool half-built past
 * a bound).
 */
struct rte_mempool *evpl_pool_get_or_create(const char *name,
                                            const struct evpl_pool_maker *mk,
                                            void *arg);

/* The group-wide record of the processes of this DPDK instance (shared.c):
 * evpl_shared_init() once before anything else of a context, then context
 * ids unique across the processes, and whether a code address is another
 * process's slab-attachment free callback. */
int      evpl_shared_init(void);
uint32_t evpl_shared_next_id(void);
int      evpl_shared_foreign_code(uintptr_t addr);

/* Leak accounting (trace.c): evpl_destroy()'s report through rte_log. */
void evpl_leak_report(const struct evpl *evpl);

#ifdef EVPL_IOVEC_TRACE
/* Trace builds: register the trace record's mbuf dynamic field and the
 * pool ops that keep it; 0, or -1 with errno. */
int  evpl_trace_init(void);
/* A default pool whose mbufs are marked as they leave and re-enter it. */
struct rte_mempool *evpl_trace_pool_create(const char *name, unsigned int n,
                                           unsigned int cache,
                                           unsigned int room, int socket);
/* Record who handed out the mbufs of n iovecs (n < 1: none); returns n. */
int  evpl_trace_handed_out(struct evpl *evpl, struct evpl_iovec *iov, int n,
                           const void *site);
/* In an exported alloc/reserve function: returns n, having recorded the
 * context and that function's caller for the n iovecs' mbufs. */
#define EVPL_TRACE_HANDED_OUT(evpl, iov, n) \
    evpl_trace_handed_out(evpl, iov, n, __builtin_return_address(0))
#else
#define EVPL_TRACE_HANDED_OUT(evpl, iov, n) (n)
#endif

static inline uint32_t *
evpl_seg_state(struct rte_mbuf *m)
{
    return RTE_MBUF_DYNFIELD(m, evpl_seg_state_offset, uint32_t *);
}

#endif /* EVPL_INTERNAL_H */
