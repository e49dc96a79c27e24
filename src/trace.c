/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Leak accounting: evpl_dpdk_outstanding() and the report evpl_destroy()
 * writes through rte_log.
 *
 * Every build can say how many mbufs of a pool are out of it (the pool's
 * own count), but not whose they are: an mbuf carries no mark of who took
 * it, and DPDK frees (a driver's after transmit, rte_pktmbuf_free()) pass
 * nothing the library could see.
 *
 * Trace builds make the answer exact for the pools the library creates.
 * Such a pool runs on "evpl_trace" mempool ops, a thin wrapper of DPDK's
 * own (ring) ops that marks every object in an mbuf dynamic field as it
 * leaves the pool and as it comes back, so whoever frees it. The pool has
 * no per-lcore cache: objects in a cache would be free without having
 * passed the ops. evpl_iovec_alloc() and evpl_iovec_reserve() then write
 * the context's id and the address they were called from into
 * the same field, so a walk over the pool finds each context's mbufs that
 * are still out and where they came from.
 */

#define _GNU_SOURCE /* dladdr() */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf_pool_ops.h>
#include <rte_spinlock.h>

#include "internal.h"

#ifdef EVPL_IOVEC_TRACE

/* An mbuf's trace record, in an mbuf dynamic field. */
struct evpl_trace_info {
    const void *site;   /* caller of the alloc/reserve that last handed it
                         * out; NULL when something else took it */
    uint32_t    serial; /* that context's id, 0 for none */
    uint32_t    state;  /* EVPL_TRACE_OUT while out of its pool */
};

#define EVPL_TRACE_OUT 0x0b57u
#define EVPL_TRACE_OPS "evpl_trace"

/* Distinct allocation sites one report lists; the rest are summed. */
#define EVPL_TRACE_SITES 16

static int                    evpl_trace_offset = -1;
static int                    evpl_trace_ops_index = -1;
static const struct rte_mempool_ops *evpl_trace_inner;
static rte_spinlock_t         evpl_trace_lock = RTE_SPINLOCK_INITIALIZER;

static inline struct evpl_trace_info *
evpl_trace_info(void *obj)
{
    return RTE_MBUF_DYNFIELD((struct rte_mbuf *) obj, evpl_trace_offset,
                             struct evpl_trace_info *);
}

/* ---- the wrapping ops ------------------------------------------------ */

static int
evpl_trace_ops_alloc(struct rte_mempool *mp)
{
    return evpl_trace_inner->alloc(mp);
}

static void
evpl_trace_ops_free(struct rte_mempool *mp)
{
    evpl_trace_inner->free(mp);
}

static int
evpl_trace_ops_enqueue(
    struct rte_mempool *mp,
    void *const        *objs,
    unsigned int        n)
{
    unsigned int i;

    /* Marked before the ring publishes them: once in, another lcore may
     * take them at once. */
    for (i = 0; i < n; i++)
        __atomic_store_n(&evpl_trace_info(objs[i])->state, 0,
                         __ATOMIC_RELAXED);
    return evpl_trace_inner->enqueue(mp, objs, n);
}

static int
evpl_trace_ops_dequeue(
    struct rte_mempool *mp,
    void              **objs,
    unsigned int        n)
{
    struct evpl_trace_info *t;
    unsigned int            i;
    int                     ret;

    ret = evpl_trace_inner->dequeue(mp, objs, n);
    if (ret != 0)
        return ret;
    for (i = 0; i < n; i++) {
        t         = evpl_trace_info(objs[i]);
        t->site   = NULL;
        t->serial = 0;
        __atomic_store_n(&t->state, EVPL_TRACE_OUT, __ATOMIC_RELAXED);
    }
    return 0;
}

static unsigned int
evpl_trace_ops_get_count(const struct rte_mempool *mp)
{
    return evpl_trace_inner->get_count(mp);
}

static ssize_t
evpl_trace_ops_calc_mem_size(
    const struct rte_mempool *mp,
    uint32_t                  obj_num,
    uint32_t                  pg_shift,
    size_t                   *min_chunk_size,
    size_t                   *align)
{
    return evpl_trace_inner->calc_mem_size(mp, obj_num, pg_shift,
                                           min_chunk_size, align);
}

static int
evpl_trace_ops_populate(
    struct rte_mempool           *mp,
    unsigned int                  max_objs,
    void                         *vaddr,
    rte_iova_t                    iova,
    size_t                        len,
    rte_mempool_populate_obj_cb_t *obj_cb,
    void                         *obj_cb_arg)
{
    return evpl_trace_inner->populate(mp, max_objs, vaddr, iova, len, obj_cb,
                                      obj_cb_arg);
}

static int
evpl_trace_ops_get_info(
    const struct rte_mempool *mp,
    struct rte_mempool_info  *info)
{
    return evpl_trace_inner->get_info(mp, info);
}

/* Register the ops once, wrapping the ops DPDK would pick for mbufs. This
 * runs after rte_eal_init(), when the drivers' own ops have taken their
 * places in DPDK's 16-entry table; with no place left, pools are created
 * plainly and the counts fall back to the pool's. */
static void
evpl_trace_ops_register(void)
{
    const char            *inner_name = rte_mbuf_best_mempool_ops();
    struct rte_mempool_ops ops;
    unsigned int           i;
    int                    idx;

    if (inner_name == NULL)
        inner_name = "ring_mp_mc";
    for (i = 0; i < rte_mempool_ops_table.num_ops; i++) {
        if (strcmp(rte_mempool_ops_table.ops[i].name, EVPL_TRACE_OPS) == 0)
            evpl_trace_ops_index = (int) i;
        if (strcmp(rte_mempool_ops_table.ops[i].name, inner_name) == 0)
            evpl_trace_inner = &rte_mempool_ops_table.ops[i];
    }
    if (evpl_trace_ops_index >= 0 || evpl_trace_inner == NULL)
        return;

    memset(&ops, 0, sizeof(ops));
    snprintf(ops.name, sizeof(ops.name), "%s", EVPL_TRACE_OPS);
    ops.alloc     = evpl_trace_ops_alloc;
    ops.free      = evpl_trace_ops_free;
    ops.enqueue   = evpl_trace_ops_enqueue;
    ops.dequeue   = evpl_trace_ops_dequeue;
    ops.get_count = evpl_trace_ops_get_count;
    if (evpl_trace_inner->calc_mem_size != NULL)
        ops.calc_mem_size = evpl_trace_ops_calc_mem_size;
    if (evpl_trace_inner->populate != NULL)
        ops.populate = evpl_trace_ops_populate;
    if (evpl_trace_inner->get_info != NULL)
        ops.get_info = evpl_trace_ops_get_info;

    idx = rte_mempool_register_ops(&ops);
    if (idx < 0)
        EVPL_LOG(WARNING, "trace: cannot register mempool ops (%s); leak "
                 "counts will be pool-wide", rte_strerror(-idx));
    else
        evpl_trace_ops_index = idx;
}

int
evpl_trace_init(void)
{
    static const struct rte_mbuf_dynfield desc = {
        .name  = "evpl_dpdk_trace",
        .size  = sizeof(struct evpl_trace_info),
        .align = __alignof__(struct evpl_trace_info),
    };
    int off;

    if (__atomic_load_n(&evpl_trace_offset, __ATOMIC_ACQUIRE) >= 0)
        return 0;

    rte_spinlock_lock(&evpl_trace_lock);
    if (evpl_trace_offset < 0) {
        off = rte_mbuf_dynfield_register(&desc);
        if (off < 0) {
            rte_spinlock_unlock(&evpl_trace_lock);
            EVPL_LOG(ERR, "cannot register mbuf dynamic field: %s",
                     rte_strerror(rte_errno));
            return evpl_fail(ENOMEM);
        }
        evpl_trace_ops_register();
        __atomic_store_n(&evpl_trace_offset, off, __ATOMIC_RELEASE);
    }
    rte_spinlock_unlock(&evpl_trace_lock);
    return 0;
}

struct rte_mempool *
evpl_trace_pool_create(
    const char  *name,
    unsigned int n,
    unsigned int cache,
    unsigned int room,
    int          socket)
{
    if (evpl_trace_init() < 0)
        return NULL;
    if (evpl_trace_ops_index < 0)
        return rte_pktmbuf_pool_create(name, n, cache, 0, (uint16_t) room,
                                       socket);
    return rte_pktmbuf_pool_create_by_ops(name, n, 0, 0, (uint16_t) room,
                                          socket, EVPL_TRACE_OPS);
}

static int
evpl_trace_pool_marked(const struct rte_mempool *mp)
{
    return evpl_trace_ops_index >= 0 && mp->ops_index == evpl_trace_ops_index;
}

int
evpl_trace_handed_out(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                n,
    const void        *site)
{
    struct evpl_trace_info *t;
    int                     i;

    if (evpl_trace_offset < 0)
        return n;
    for (i = 0; i < n; i++) {
        /* A slab names its context itself (evpl_slab_pool_get()). */
        if (evpl_iovec_on_slab_(&iov[i]))
            continue;
        t         = evpl_trace_info(evpl_iovec_mbuf_(&iov[i]));
        t->site   = site;
        t->serial = evpl->id;
    }
    return n;
}

/* ---- walking a pool -------------------------------------------------- */

struct evpl_trace_site {
    const void  *site;
    unsigned int mbufs, refs;
};

struct evpl_trace_walk {
    uint32_t               serial;
    unsigned int           mbufs, refs;
    unsigned int           nsites, other_mbufs, other_refs;
    struct evpl_trace_site sites[EVPL_TRACE_SITES];
};

/* Whether m is one of the mbufs the context with id serial handed out
 * that are out of the pool. An indirect mbuf inherits its direct mbuf's
 * record (rte_pktmbuf_attach() copies dynamic fields) but is only a holder
 * of one reference on it, which the direct mbuf's count already shows. */
static inline int
evpl_trace_is_of(
    const struct rte_mbuf *m,
    uint32_t               serial)
{
    struct evpl_trace_info *t = evpl_trace_info((struct rte_mbuf *) m);

    return __atomic_load_n(&t->state, __ATOMIC_RELAXED) == EVPL_TRACE_OUT &&
           t->serial == serial && !RTE_MBUF_CLONED(m);
}

static void
evpl_trace_walk_one(
    struct rte_mempool *mp,
    void               *opaque,
    void               *obj,
    unsigned int        idx)
{
    struct evpl_trace_walk *w = opaque;
    struct evpl_trace_info *t = evpl_trace_info(obj);
    unsigned int            refs, k;

    RTE_SET_USED(mp);
    RTE_SET_USED(idx);
    /* Racy reads by design: a snapshot, exact while no other thread is
     * changing this context's mbufs. */
    if (!evpl_trace_is_of(obj, w->serial))
        return;
    refs = rte_mbuf_refcnt_read((struct rte_mbuf *) obj);
    w->mbufs++;
    w->refs += refs;
    for (k = 0; k < w->nsites; k++)
        if (w->sites[k].site == t->site)
            break;
    if (k == w->nsites) {
        if (k == EVPL_TRACE_SITES) {
            w->other_mbufs++;
            w->other_refs += refs;
            return;
        }
        w->sites[k].site  = t->site;
        w->sites[k].mbufs = 0;
        w->sites[k].refs  = 0;
        w->nsites++;
    }
    w->sites[k].mbufs++;
    w->sites[k].refs += refs;
}

static void
evpl_trace_walk(
    const struct evpl      *evpl,
    struct evpl_trace_walk *w)
{
    memset(w, 0, sizeof(*w));
    w->serial = evpl->id;
    rte_mempool_obj_iter(evpl->pool, evpl_trace_walk_one, w);
}

/* "function+0x1c (object)" where the dynamic symbol table knows it
 * (applications linked with -rdynamic), else "object+0x1234". */
static void
evpl_trace_site_name(
    const void *site,
    char       *buf,
    size_t      len)
{
    Dl_info dl;

    if (site == NULL) {
        snprintf(buf, len, "(not an evpl allocation)");
        return;
    }
    if (dladdr(site, &dl) == 0 || dl.dli_fname == NULL) {
        snprintf(buf, len, "%p", site);
        return;
    }
    if (dl.dli_sname != NULL)
        snprintf(buf, len, "%s+0x%tx (%s)", dl.dli_sname,
                 (const char *) site - (const char *) dl.dli_saddr,
                 dl.dli_fname);
    else
        snprintf(buf, len, "%s+0x%tx", dl.dli_fname,
                 (const char *) site - (const char *) dl.dli_fbase);
}

#endif /* EVPL_IOVEC_TRACE */

/* Counting what a context holds itself: all of it (match 0) or, in trace
 * builds, what the context of id match handed out. */
struct evpl_own {
    const struct evpl *evpl;
    uint32_t           match;
    unsigned int       mbufs, refs;
};

/* Count seg if the context's own reference on it is one of those asked
 * about; an mbuf counts when that reference is all it has. */
static void
evpl_own_seg(
    const struct rte_mbuf *seg,
    void                  *arg)
{
    struct evpl_own *o = arg;

    if (seg->pool != o->evpl->pool)
        return;
#ifdef EVPL_IOVEC_TRACE
    if (o->match != 0 && !evpl_trace_is_of(seg, o->match))
        return;
#endif
    o->refs++;
    o->mbufs += rte_mbuf_refcnt_read(seg) == 1;
}

/* What the context holds itself, so that callers see only their own: one
 * reference on its carve segment, and on whatever an extension's state
 * holds (the glue's received packets kept for a later call, say). */
static unsigned int
evpl_own_holdings(
    const struct evpl *evpl,
    uint32_t           match,
    unsigned int      *refs)
{
    struct evpl_own o = { .evpl = evpl, .match = match };

    if (evpl->carve.buf != NULL)
        evpl_own_seg(evpl->carve.buf, &o);
    evpl_exts_foreach_held(evpl, evpl_own_seg, &o);
    *refs = o.refs;
    return o.mbufs;
}

EVPL_EXPORT int
evpl_dpdk_outstanding(
    const struct evpl            *evpl,
    struct evpl_dpdk_outstanding *out)
{
    unsigned int own, own_refs;

    if (evpl == NULL || out == NULL)
        return evpl_fail(EINVAL);

    evpl_slab_outstanding(&evpl->slab, evpl->id, &out->slabs,
                          &out->slab_refs);

#ifdef EVPL_IOVEC_TRACE
    if (evpl_trace_pool_marked(evpl->pool)) {
        struct evpl_trace_walk w;

        evpl_trace_walk(evpl, &w);
        own        = evpl_own_holdings(evpl, evpl->id, &own_refs);
        out->mbufs = w.mbufs - own;
        out->refs  = w.refs - own_refs;
        return EVPL_DPDK_OUTSTANDING_CONTEXT;
    }
#endif
    own        = evpl_own_holdings(evpl, 0, &own_refs);
    out->mbufs = rte_mempool_in_use_count(evpl->pool) - own;
    out->refs  = out->mbufs;
    return EVPL_DPDK_OUTSTANDING_POOL;
}

void
evpl_leak_report(const struct evpl *evpl)
{
    unsigned int in_use;

    evpl_slab_leak_report(evpl, &evpl->slab, evpl->id);

#ifdef EVPL_IOVEC_TRACE
    if (evpl_trace_pool_marked(evpl->pool)) {
        struct evpl_trace_walk w;
        char                   where[256];
        unsigned int           k;

        evpl_trace_walk(evpl, &w);
        if (w.mbufs == 0)
            return;
        EVPL_LOG(WARNING, "context %p destroyed; %u mbufs (%u references) "
                 "it handed out are still referenced:", (const void *) evpl,
                 w.mbufs, w.refs);
        for (k = 0; k < w.nsites; k++) {
            evpl_trace_site_name(w.sites[k].site, where, sizeof(where));
            EVPL_LOG(WARNING, "  %u mbufs (%u references) allocated at %s",
                     w.sites[k].mbufs, w.sites[k].refs, where);
        }
        if (w.other_mbufs > 0)
            EVPL_LOG(WARNING, "  %u mbufs (%u references) allocated at other "
                     "sites", w.other_mbufs, w.other_refs);
        return;
    }
#endif
    in_use = rte_mempool_in_use_count(evpl->pool);
    if (in_use > 0)
        EVPL_LOG(WARNING, "context %p destroyed; pool %s has %u mbufs in use "
                 "(by any holder)", (const void *) evpl, evpl->pool->name,
                 in_use);
}
