/* SPDX-License-Identifier: LGPL-2.1-only */

#include <stdio.h>

#include <rte_debug.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "internal.h"

/*
 * Default pools: one per process, NUMA socket, segment size and mbuf count,
 * named after all four so that concurrent first users, in threads or
 * processes, meet on the same pool (evpl_pool_get_or_create()).
 */
/* DPDK's ring-based pools hold fewer than 2^30 objects, and
 * rte_pktmbuf_pool_create() of 22.11 crashes, rather than fails, when asked
 * for 2^31 or more. */
#define EVPL_POOL_MAX_MBUFS ((1u << 30) - 1)

struct evpl_default_pool_args {
    int          socket;
    unsigned int room, n;
};

static struct rte_mempool *
evpl_default_pool_create(
    const char *name,
    void       *arg)
{
    const struct evpl_default_pool_args *a = arg;
    unsigned int                         cache;

    /* rte_mempool requires cache_size * 1.5 <= n. */
    cache = RTE_MIN(EVPL_DPDK_DEFAULT_CACHE_SIZE, a->n * 2 / 3);
    cache = RTE_MIN(cache, (unsigned int) RTE_MEMPOOL_CACHE_MAX_SIZE);

#ifdef EVPL_IOVEC_TRACE
    return evpl_trace_pool_create(name, a->n, cache, a->room, a->socket);
#else
    return rte_pktmbuf_pool_create(name, a->n, cache, 0, (uint16_t) a->room,
                                   a->socket);
#endif
}

struct rte_mempool *
evpl_default_pool(
    int          socket,
    unsigned int room,
    unsigned int n)
{
    struct evpl_default_pool_args args = {
        .socket = socket, .room = room, .n = n,
    };
    static const struct evpl_pool_maker maker = {
        .create = evpl_default_pool_create,
    };
    char                          name[RTE_MEMPOOL_NAMESIZE];
    int                           len;

    len = snprintf(name, sizeof(name), "evpl%d.%u.%u", socket, room, n);
    if (len < 0 || (size_t) len >= sizeof(name)) {
        evpl_fail(EINVAL);
        return NULL;
    }
    return evpl_pool_get_or_create(name, &maker, &args);
}

int evpl_seg_state_offset = -1;

/* Live contexts, so that telemetry can read their counters; taken only at
 * create, destroy and telemetry requests, never on a datapath. */
static TAILQ_HEAD(, evpl) evpl_contexts = TAILQ_HEAD_INITIALIZER(evpl_contexts);
static rte_spinlock_t     evpl_contexts_lock = RTE_SPINLOCK_INITIALIZER;

void
evpl_contexts_foreach(
    void (*fn)(const struct evpl *evpl, void *arg),
    void  *arg)
{
    const struct evpl *e;

    rte_spinlock_lock(&evpl_contexts_lock);
    TAILQ_FOREACH(e, &evpl_contexts, link)
        fn(e, arg);
    rte_spinlock_unlock(&evpl_contexts_lock);
}

/* Registered extensions, and the context size with their states. Written
 * only by constructors, before any thread of the application runs. */
static struct evpl_ext *evpl_exts[EVPL_EXT_MAX];
static unsigned int     evpl_nb_exts;
static size_t           evpl_ctx_size = EVPL_EXT_FIRST_OFFSET;
static int              evpl_ctx_created;

void
evpl_ext_register(struct evpl_ext *ext)
{
    if (evpl_nb_exts == EVPL_EXT_MAX || evpl_ctx_created)
        rte_panic("evpl: extension %s registered %s\n", ext->name,
                  evpl_ctx_created ? "after a context was created" :
                  "past EVPL_EXT_MAX");
    ext->offset                = evpl_ctx_size;
    evpl_ctx_size             += RTE_ALIGN_CEIL(ext->size, RTE_CACHE_LINE_SIZE);
    evpl_exts[evpl_nb_exts++]  = ext;
}

/* Run the fini of the first n extensions, last registered first. */
static void
evpl_exts_fini(
    struct evpl *evpl,
    unsigned int n)
{
    while (n-- > 0)
        if (evpl_exts[n]->fini != NULL)
            evpl_exts[n]->fini(evpl, evpl_ext_state(evpl, evpl_exts[n]));
}

static int
evpl_exts_init(
    struct evpl              *evpl,
    const struct evpl_config *config)
{
    unsigned int i;

    for (i = 0; i < evpl_nb_exts; i++)
        if (evpl_exts[i]->init != NULL &&
            evpl_exts[i]->init(evpl, config,
                               evpl_ext_state(evpl, evpl_exts[i])) < 0) {
            int err = errno;

            /* The log may write (syslog) and change errno. */
            EVPL_LOG(ERR, "evpl_create: the %s state cannot be set up: %s",
                     evpl_exts[i]->name, rte_strerror(err));
            evpl_fail(err);
            evpl_exts_fini(evpl, i);
            return -1;
        }
    return 0;
}

void
evpl_exts_foreach_held(
    const struct evpl *evpl,
    void             (*fn)(const struct rte_mbuf *seg, void *arg),
    void              *arg)
{
    unsigned int i;

    for (i = 0; i < evpl_nb_exts; i++)
        if (evpl_exts[i]->foreach_held != NULL)
            evpl_exts[i]->foreach_held(evpl,
                                       evpl_ext_state(evpl, evpl_exts[i]),
                                       fn, arg);
}

EVPL_EXPORT __thread uint32_t evpl_thread_tag_;

/* Tags name threads for trace mode's LOCAL check; 24 bits of them fit the
 * iovec's flags word. */
static uint32_t
evpl_thread_tag_get(void)
{
    static uint32_t next;

    while (evpl_thread_tag_ == 0)
        evpl_thread_tag_ = __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED) &
                           EVPL_IOVEC_OWNER_MASK_;
    return evpl_thread_tag_;
}

int
evpl_dynfield_init(void)
{
    static const struct rte_mbuf_dynfield desc = {
        .name  = "evpl_dpdk_seg_state",
        .size  = sizeof(uint32_t),
        .align = __alignof__(uint32_t),
    };
    int off;

    /* Registration is idempotent and serialised inside DPDK. */
    off = rte_mbuf_dynfield_register(&desc);
    if (off < 0) {
        EVPL_LOG(ERR, "cannot register mbuf dynamic field: %s",
                 rte_strerror(rte_errno));
        return evpl_fail(ENOMEM);
    }
    __atomic_store_n(&evpl_seg_state_offset, off, __ATOMIC_RELEASE);
#ifdef EVPL_IOVEC_TRACE
    return evpl_trace_init();
#else
    return 0;
#endif
}

static int
evpl_is_pktmbuf_pool(const struct rte_mempool *mp)
{
    return mp->private_data_size >= sizeof(struct rte_pktmbuf_pool_private) &&
           rte_pktmbuf_data_room_size((struct rte_mempool *) mp) > 0 &&
           mp->elt_size >= sizeof(struct rte_mbuf) +
           rte_pktmbuf_data_room_size((struct rte_mempool *) mp);
}

/* A socket the EAL found: one with lcores or memory. */
static int
evpl_socket_known(int socket)
{
    unsigned int i;

    for (i = 0; i < rte_socket_count(); i++)
        if (rte_socket_id_by_idx(i) == socket)
            return 1;
    return 0;
}

EVPL_EXPORT struct evpl *
evpl_create(const struct evpl_config *config)
{
    static const struct evpl_config defaults;
    struct rte_mempool             *mp;
    struct evpl                    *evpl;
    unsigned int                    seg, n, lcore;
    int                             socket, pool_socket;

    /* rte_lcore_count() is 0 until rte_eal_init() has parsed the lcores. */
    if (rte_lcore_count() == 0) {
        EVPL_LOG(DEBUG, "evpl_create: the EAL is not initialised: call "
                 "rte_eal_init() first");
        evpl_fail(EINVAL);
        return NULL;
    }

    if (config == NULL)
        config = &defaults;

    if (evpl_dynfield_init() < 0 || evpl_shared_init() < 0)
        return NULL;

    /* A thread outside the EAL has no socket of its own: it shares the
     * main lcore's pool rather than getting a pool of its own. */
    socket = (int) rte_socket_id();
    if (socket == SOCKET_ID_ANY)
        socket = (int) rte_lcore_to_socket_id(rte_get_main_lcore());
    lcore = rte_lcore_id();

    if (config->pool != NULL) {
        mp = config->pool;
        if (!evpl_is_pktmbuf_pool(mp)) {
            EVPL_LOG(DEBUG, "evpl_create: config->pool %s is not a pktmbuf "
                     "pool (private data %u bytes, element %u bytes)",
                     mp->name, mp->private_data_size, mp->elt_size);
            evpl_fail(EINVAL);
            return NULL;
        }
    } else {
        seg = config->segment_size ? config->segment_size :
              EVPL_DPDK_DEFAULT_SEGMENT_SIZE;
        n = config->nb_mbufs ? config->nb_mbufs : EVPL_DPDK_DEFAULT_NB_MBUFS;
        if (seg > UINT16_MAX - RTE_PKTMBUF_HEADROOM ||
            n > EVPL_POOL_MAX_MBUFS) {
            if (seg > UINT16_MAX - RTE_PKTMBUF_HEADROOM)
                EVPL_LOG(DEBUG, "evpl_create: segment_size=%u > %u: the data "
                         "room, segment_size + RTE_PKTMBUF_HEADROOM, must "
                         "fit 16 bits", seg,
                         UINT16_MAX - RTE_PKTMBUF_HEADROOM);
            else
                EVPL_LOG(DEBUG, "evpl_create: nb_mbufs=%u > %u", n,
                         EVPL_POOL_MAX_MBUFS);
            evpl_fail(EINVAL);
            return NULL;
        }
        pool_socket = socket;
        if (config->pool_socket != 0 &&
            !evpl_socket_known((int) (config->pool_socket - 1))) {
            EVPL_LOG(DEBUG, "evpl_create: pool_socket=EVPL_DPDK_SOCKET(%d): "
                     "the EAL found no socket %d",
                     (int) (config->pool_socket - 1),
                     (int) (config->pool_socket - 1));
            evpl_fail(EINVAL);
            return NULL;
        }
        if (config->pool_socket != 0)
            pool_socket = (int) (config->pool_socket - 1);
        mp = evpl_default_pool(pool_socket, seg + RTE_PKTMBUF_HEADROOM, n);
        if (mp == NULL) {
            int err = errno;

            EVPL_LOG(ERR, "evpl_create: no default pool of %u mbufs of "
                     "segment_size=%u on socket %d: %s", n, seg, pool_socket,
                     rte_strerror(err));
            evpl_fail(err);
            return NULL;
        }
    }

    __atomic_store_n(&evpl_ctx_created, 1, __ATOMIC_RELAXED);
    evpl = rte_zmalloc_socket("evpl", evpl_ctx_size, RTE_CACHE_LINE_SIZE,
                              socket);
    if (evpl == NULL) {
        EVPL_LOG(ERR, "evpl_create: no memory for a context (%zu bytes on "
                 "socket %d)", evpl_ctx_size, socket);
        evpl_fail(ENOMEM);
        return NULL;
    }

    if (evpl_slab_ctx_init(&evpl->slab, config, socket) < 0) {
        int err = errno;

        EVPL_LOG(DEBUG, "evpl_create: slab_size=%u, nb_slabs=%u: %s (struct "
                 "evpl_config says what each takes)", config->slab_size,
                 config->nb_slabs, rte_strerror(err));
        evpl_fail(err);
        rte_free(evpl);
        return NULL;
    }
    evpl->pool     = mp;
    evpl->room     = rte_pktmbuf_data_room_size(mp);
    evpl->headroom = RTE_MIN((uint32_t) RTE_PKTMBUF_HEADROOM, evpl->room);
    evpl->lcore    = lcore;
    evpl->owner_flags = evpl_thread_tag_get() << EVPL_IOVEC_OWNER_SHIFT_;
    evpl->cache    = rte_mempool_default_cache(mp, lcore);

    if (evpl->cache == NULL && mp->cache_size > 0) {
        evpl->own_cache = rte_mempool_cache_create(mp->cache_size, socket);
        if (evpl->own_cache == NULL) {
            EVPL_LOG(ERR, "evpl_create: no memory for a mempool cache of %u "
                     "mbufs on socket %d", mp->cache_size, socket);
            rte_free(evpl);
            evpl_fail(ENOMEM);
            return NULL;
        }
        evpl->cache = evpl->own_cache;
    }

    if (evpl_exts_init(evpl, config) < 0) {
        if (evpl->own_cache != NULL)
            rte_mempool_cache_free(evpl->own_cache);
        rte_free(evpl);
        return NULL;
    }

    /* Unique among the processes of the DPDK instance: what a context
     * took carries its id, and a leak report counts its own. */
    evpl->id = evpl_shared_next_id();
    rte_spinlock_lock(&evpl_contexts_lock);
    TAILQ_INSERT_TAIL(&evpl_contexts, evpl, link);
    rte_spinlock_unlock(&evpl_contexts_lock);

    return evpl;
}

EVPL_EXPORT void
evpl_destroy(struct evpl *evpl)
{
    if (evpl == NULL)
        return;

    rte_spinlock_lock(&evpl_contexts_lock);
    TAILQ_REMOVE(&evpl_contexts, evpl, link);
    rte_spinlock_unlock(&evpl_contexts_lock);

    evpl_carve_retire(&evpl->carve, 0, 0);
    evpl_slab_ctx_fini(&evpl->slab);
    evpl_exts_fini(evpl, evpl_nb_exts);

    if (evpl->own_cache != NULL) {
        rte_mempool_cache_flush(evpl->own_cache, evpl->pool);
        rte_mempool_cache_free(evpl->own_cache);
    }

    evpl_leak_report(evpl);

    rte_free(evpl);
}

EVPL_EXPORT struct rte_mempool *
evpl_mempool(const struct evpl *evpl)
{
    return evpl ? evpl->pool : NULL;
}
