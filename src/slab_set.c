/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slab sets: slab memory that grows. A mempool cannot grow, so the slabs
 * of one NUMA socket, slab size and limit are a set of pools, pool k
 * named EVPL_DPDK_SLAB_POOL_FORMAT with those three and k. A slab is
 * taken from any pool of the set (the one that gave the last first);
 * when every pool is empty, the set grows by one pool (slab_pool.c makes
 * it) until the limit, or until DPDK has no memory for another.
 *
 * Growth is the slow path: taken under a lock of the set, it first looks
 * again (slabs may have come back, another thread may have grown the
 * set), then finds or makes pool k by name through
 * evpl_pool_get_or_create(), so that threads and processes meet on the
 * same pools: a process learns of the pools another made when its own
 * run dry. The pools in use are published to readers with a release
 * store of their count, so taking a slab takes no lock.
 *
 * Pools stay once made, emptied or not, until the process group ends:
 * other processes find them by name and keep their addresses, mbufs in
 * flight point into their memory, and DPDK cannot free a mempool another
 * process may be using. As with libevpl's buffers, slab memory grows and
 * is not given back; the limit bounds it.
 */

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "internal.h"

struct evpl_slab_set {
    LIST_ENTRY(evpl_slab_set) link;
    int                 socket;
    uint32_t            size;
    uint32_t            limit;     /* most slabs, 0: none */
    pthread_mutex_t     lock;      /* growth */
    uint32_t            nb_pools;  /* pools[0, nb_pools) are published */
    uint64_t            nb_slabs;  /* in those pools (under lock) */
    int                 failing;   /* a failure to grow was reported */
    struct rte_mempool *pools[EVPL_SLAB_POOLS_MAX];
};

/* The longest name a pool can have, sockets below 100 (RTE_MAX_NUMA_NODES
 * is far lower), limits below 2^30 and EVPL_SLAB_POOLS_MAX pools: every
 * configuration evpl_create() accepts has a pool name that fits, and so
 * does its zone's ("evplz...", slab_pool.c). */
#define EVPL_SLAB_NAME_LONGEST "evpls99.30.3fffffff.ff"

static LIST_HEAD(, evpl_slab_set) evpl_slab_sets =
    LIST_HEAD_INITIALIZER(evpl_slab_sets);
static pthread_mutex_t evpl_slab_sets_lock = PTHREAD_MUTEX_INITIALIZER;

struct evpl_slab_set *
evpl_slab_set_find(
    int      socket,
    uint32_t size,
    uint32_t limit)
{
    struct evpl_slab_set *set;

    RTE_BUILD_BUG_ON(sizeof(EVPL_SLAB_NAME_LONGEST) > RTE_MEMPOOL_NAMESIZE);
    RTE_BUILD_BUG_ON(RTE_MAX_NUMA_NODES > 100);
    RTE_BUILD_BUG_ON(EVPL_SLAB_POOLS_MAX > 0x100);
    RTE_BUILD_BUG_ON(EVPL_SLAB_LIMIT_MAX > 0x40000000);

    pthread_mutex_lock(&evpl_slab_sets_lock);
    LIST_FOREACH(set, &evpl_slab_sets, link)
        if (set->socket == socket && set->size == size &&
            set->limit == limit)
            break;
    if (set == NULL) {
        /* Never freed: contexts and iovecs of any thread use it until
         * the process ends. */
        set = calloc(1, sizeof(*set));
        if (set == NULL) {
            pthread_mutex_unlock(&evpl_slab_sets_lock);
            evpl_fail(ENOMEM);
            return NULL;
        }
        set->socket = socket;
        set->size   = size;
        set->limit  = limit;
        pthread_mutex_init(&set->lock, NULL);
        LIST_INSERT_HEAD(&evpl_slab_sets, set, link);
    }
    pthread_mutex_unlock(&evpl_slab_sets_lock);
    return set;
}

/* A slab from the published pools, the hinted one first; NULL when all
 * are empty. */
static inline struct evpl_slab *
evpl_slab_set_scan(
    struct evpl_slab_set *set,
    uint32_t             *hint)
{
    uint32_t n = __atomic_load_n(&set->nb_pools, __ATOMIC_ACQUIRE), k;
    void    *obj;

    if (likely(*hint < n) && rte_mempool_get(set->pools[*hint], &obj) == 0)
        return obj;
    for (k = 0; k < n; k++)
        if (k != *hint && rte_mempool_get(set->pools[k], &obj) == 0) {
            *hint = k;
            return obj;
        }
    return NULL;
}

/* Slabs of pool k: EVPL_SLAB_GROW_BYTES of them, doubling every
 * EVPL_SLAB_GROW_DOUBLING pools, at least one, within the limit. */
static uint32_t
evpl_slab_set_step(
    const struct evpl_slab_set *set,
    uint32_t                    k)
{
    uint64_t n = (EVPL_SLAB_GROW_BYTES << (k / EVPL_SLAB_GROW_DOUBLING)) /
                 set->size;

    n = RTE_MAX(n, UINT64_C(1));
    if (set->limit != 0)
        n = RTE_MIN(n, set->limit - set->nb_slabs);
    return (uint32_t) n;
}

/* Under the lock: the set's next pool, made by another process already or
 * by this one, as large as memory allows (halving down to one slab), and
 * published; NULL with errno ENOMEM when the set is at its limit or memory
 * is short, or what evpl_pool_get_or_create() says. */
static struct rte_mempool *
evpl_slab_set_add(struct evpl_slab_set *set)
{
    char                name[RTE_MEMPOOL_NAMESIZE];
    uint32_t            k = set->nb_pools, n;
    struct rte_mempool *mp;
    int                 len;

    if (k == EVPL_SLAB_POOLS_MAX ||
        (set->limit != 0 && set->nb_slabs >= set->limit)) {
        evpl_fail(ENOMEM);
        return NULL;
    }
    len = snprintf(name, sizeof(name), EVPL_DPDK_SLAB_POOL_FORMAT,
                   set->socket, (unsigned int) rte_log2_u32(set->size),
                   set->limit, k);
    if (len < 0 || (size_t) len >= sizeof(name)) {
        /* EVPL_SLAB_NAME_LONGEST says it cannot happen; if the format
         * changes and it does, say why. */
        EVPL_LOG(ERR, "slab pool name too long: %s...", name);
        evpl_fail(EINVAL);
        return NULL;
    }
    for (n = evpl_slab_set_step(set, k);; n = (n + 1) / 2) {
        mp = evpl_slab_pool_make(name, set->socket, set->size, n);
        if (mp != NULL || errno != ENOMEM || n == 1)
            break;
    }
    if (mp == NULL) {
        if (!set->failing)
            EVPL_LOG(WARNING, "slab memory of socket %d (%u-byte slabs) "
                     "cannot grow past %" PRIu64 " slabs: %s", set->socket,
                     set->size, set->nb_slabs, strerror(errno));
        set->failing = 1;
        return NULL;
    }
    set->failing   = 0;
    set->pools[k]  = mp;
    set->nb_slabs += mp->size;
    __atomic_store_n(&set->nb_pools, k + 1, __ATOMIC_RELEASE);
    return mp;
}

static __rte_noinline __rte_cold struct evpl_slab *
evpl_slab_set_grow(
    struct evpl_slab_set *set,
    uint32_t             *hint)
{
    struct evpl_slab *s;
    int               err = 0;

    pthread_mutex_lock(&set->lock);
    while ((s = evpl_slab_set_scan(set, hint)) == NULL) {
        if (evpl_slab_set_add(set) == NULL) {
            err = errno;
            break;
        }
    }
    pthread_mutex_unlock(&set->lock);
    if (s == NULL)
        evpl_fail(err);
    return s;
}

struct evpl_slab *
evpl_slab_set_take(
    struct evpl_slab_set *set,
    uint32_t             *hint)
{
    struct evpl_slab *s = evpl_slab_set_scan(set, hint);

    return likely(s != NULL) ? s : evpl_slab_set_grow(set, hint);
}

void
evpl_slab_set_foreach_pool(
    const struct evpl_slab_set *set,
    void                      (*fn)(struct rte_mempool *mp, void *arg),
    void                       *arg)
{
    uint32_t n = __atomic_load_n(&set->nb_pools, __ATOMIC_ACQUIRE), k;

    for (k = 0; k < n; k++)
        fn(set->pools[k], arg);
}
