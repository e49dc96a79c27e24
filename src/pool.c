/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The one place that creates the pools the library shares: the default
 * pktmbuf pools (context.c) and any other pool that contexts meet on by
 * name.
 *
 * DPDK registers a mempool's name when rte_mempool_create_empty() returns,
 * before its memory is populated and before rte_pktmbuf_pool_create() has
 * initialised a single mbuf. Meeting concurrent first users through
 * rte_mempool_lookup() alone therefore hands the loser a pool that is still
 * being built: its first allocation finds an empty ring or an mbuf whose
 * buf_addr is NULL. So a pool is published separately, once complete:
 *
 *  - threads of one process are serialised by a process-local mutex, so
 *    within a process exactly one thread creates and the others find the
 *    finished pool afterwards;
 *  - processes sharing the EAL's memory (primary and secondaries) cannot
 *    share that mutex, so the creator reserves a small memzone named after
 *    the pool ("EV_" + name) once creation has returned. A process that
 *    finds the pool without its marker waits, bounded, for the marker; the
 *    memzone registry's lock orders the pool's writes before the marker's
 *    appearance. A creation that fails frees the pool, and a waiter then
 *    tries to create it itself.
 *
 * Pools made here are never freed: iovecs and queued packets may outlive
 * every context.
 */

#include <pthread.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_memzone.h>

#include "internal.h"

/* How long a process waits for another process to finish a pool it found
 * half-built: population of even a large pool takes well under this, so
 * reaching it means the creator died midway. */
#define EVPL_POOL_PUBLISH_WAIT_MS 10000u
#define EVPL_POOL_PUBLISH_POLL_MS 1u

/* Prefix of a pool's publication marker; as long as DPDK's own "MP_", so
 * any mempool name fits a memzone name behind it. */
#define EVPL_POOL_MARK_PREFIX "EV_"

static pthread_mutex_t evpl_pool_lock = PTHREAD_MUTEX_INITIALIZER;

static int
evpl_pool_mark_name(
    char       *buf,
    size_t      len,
    const char *name)
{
    int r = snprintf(buf, len, EVPL_POOL_MARK_PREFIX "%s", name);

    return r < 0 || (size_t) r >= len ? -1 : 0;
}

static int
evpl_pool_published(const char *mark)
{
    return rte_memzone_lookup(mark) != NULL;
}

/* Look the pool up; NULL with *busy set when it exists unpublished. */
static struct rte_mempool *
evpl_pool_find(
    const char *name,
    const char *mark,
    int        *busy)
{
    struct rte_mempool *mp = rte_mempool_lookup(name);

    *busy = mp != NULL && !evpl_pool_published(mark);
    return *busy ? NULL : mp;
}

struct rte_mempool *
evpl_pool_get_or_create(
    const char                   *name,
    const struct evpl_pool_maker *mk,
    void                         *arg)
{
    char                mark[RTE_MEMZONE_NAMESIZE];
    struct rte_mempool *mp;
    uint64_t            deadline;
    int                 busy, err;

    if (name == NULL || mk == NULL || mk->create == NULL ||
        evpl_pool_mark_name(mark, sizeof(mark), name) < 0) {
        evpl_fail(EINVAL);
        return NULL;
    }

    pthread_mutex_lock(&evpl_pool_lock);
    deadline = rte_get_timer_cycles() +
               rte_get_timer_hz() * EVPL_POOL_PUBLISH_WAIT_MS / 1000;
    for (;;) {
        mp = evpl_pool_find(name, mark, &busy);
        if (mp != NULL)
            break;
        if (!busy) {
            mp = mk->create(name, arg);
            if (mp != NULL) {
                /* EEXIST: a marker left by an application that freed
                 * the pool; it marks this one as well. */
                if (rte_memzone_reserve(mark, RTE_CACHE_LINE_SIZE,
                                        SOCKET_ID_ANY, 0) != NULL ||
                    rte_errno == EEXIST) {
                    EVPL_LOG(INFO, "created pool %s", name);
                    break;
                }
                /* Unpublished, it would look half-built to every later
                 * caller, this process's included: nobody has it yet, so
                 * it goes, and the failure is the caller's. */
                err = rte_errno;
                if (mk->discard != NULL)
                    mk->discard(mp, arg);
                else
                    rte_mempool_free(mp);
                mp = NULL;
                rte_errno = err;
            }
            if (rte_errno != EEXIST) {
                err = rte_errno;
                pthread_mutex_unlock(&evpl_pool_lock);
                if (!mk->quiet)
                    EVPL_LOG(ERR, "cannot create pool %s: %s", name,
                             rte_strerror(err));
                evpl_fail(ENOMEM);
                return NULL;
            }
            /* Another process registered the name first. */
        }
        if (rte_get_timer_cycles() > deadline) {
            pthread_mutex_unlock(&evpl_pool_lock);
            EVPL_LOG(ERR, "pool %s: another process began creating it and "
                     "has not finished in %u ms", name,
                     EVPL_POOL_PUBLISH_WAIT_MS);
            evpl_fail(EAGAIN);
            return NULL;
        }
        rte_delay_us_sleep(EVPL_POOL_PUBLISH_POLL_MS * 1000);
    }
    pthread_mutex_unlock(&evpl_pool_lock);
    return mp;
}
