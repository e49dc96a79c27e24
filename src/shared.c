/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * What the processes of one DPDK instance (a primary and its secondaries)
 * share about the library: one record in a memzone, found by name.
 *
 *  - Context ids. Slabs, mbufs (trace builds) and spanning reservations'
 *    tails carry the id of the context that took them, and leak reports
 *    count what carries their own id; a per-process counter would give a
 *    secondary's contexts the ids of the primary's.
 *  - Where each process maps the library's code. An mbuf attached to a
 *    slab carries the attaching process's free callback in its
 *    rte_mbuf_ext_shared_info (slab_attach.c), and DPDK calls it wherever
 *    the mbuf is freed: valid only in a process that maps the library at
 *    the same address. Every process registers its callback's address, so
 *    that one can tell an attachment made at another address from one made
 *    by an application, and warn when the processes differ.
 *
 * Memzone memory comes with no promise of content, so the process that
 * reserves the record fills it in and then writes the magic; the others
 * wait (bounded) for the magic before they use it. Under --in-memory or
 * --no-shconf the record is the process's own.
 */

#include <pthread.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_memzone.h>
#include <rte_spinlock.h>

#include "internal.h"

#define EVPL_SHARED_NAME    "evpl_shared"
#define EVPL_SHARED_MAGIC   UINT64_C(0x6576706c53686172)
/* Distinct code addresses one record keeps: processes mapping the library
 * at the same address share an entry. */
#define EVPL_SHARED_CODES   64u
#define EVPL_SHARED_WAIT_MS 10000u

struct evpl_shared_rec {
    uint64_t       magic;
    rte_spinlock_t lock;
    uint32_t       next_id;
    uint32_t       nb_codes;
    uintptr_t      codes[EVPL_SHARED_CODES];
};

static struct evpl_shared_rec *evpl_shared;
static pthread_mutex_t         evpl_shared_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct rte_memzone *
evpl_shared_zone(void)
{
    const struct rte_memzone *mz = rte_memzone_lookup(EVPL_SHARED_NAME);
    struct evpl_shared_rec   *r;

    if (mz != NULL)
        return mz;
    mz = rte_memzone_reserve(EVPL_SHARED_NAME, sizeof(*r), SOCKET_ID_ANY, 0);
    if (mz == NULL)
        return rte_errno == EEXIST ? rte_memzone_lookup(EVPL_SHARED_NAME) :
               NULL;
    r = mz->addr;
    memset(r, 0, sizeof(*r));
    rte_spinlock_init(&r->lock);
    __atomic_store_n(&r->magic, EVPL_SHARED_MAGIC, __ATOMIC_RELEASE);
    return mz;
}

/* Register addr, this process's slab-attach free callback; whether
 * another process registered a different one. */
static int
evpl_shared_register(
    struct evpl_shared_rec *r,
    uintptr_t               addr)
{
    uint32_t i;
    int      known = 0, full;

    rte_spinlock_lock(&r->lock);
    for (i = 0; i < r->nb_codes; i++)
        known |= r->codes[i] == addr;
    full = !known && r->nb_codes == EVPL_SHARED_CODES;
    if (!known && !full) {
        /* Readers look without the lock: the entry before the count. */
        r->codes[r->nb_codes] = addr;
        __atomic_store_n(&r->nb_codes, r->nb_codes + 1, __ATOMIC_RELEASE);
    }
    i = r->nb_codes;
    rte_spinlock_unlock(&r->lock);
    if (full)
        EVPL_LOG(WARNING, "more than %u mappings of the library in this "
                 "DPDK instance: attachments made by this process are not "
                 "recognised by the others", EVPL_SHARED_CODES);
    return i > 1;
}

int
evpl_shared_init(void)
{
    const struct rte_memzone *mz;
    struct evpl_shared_rec   *r;
    uint64_t                  deadline;

    if (__atomic_load_n(&evpl_shared, __ATOMIC_ACQUIRE) != NULL)
        return 0;
    pthread_mutex_lock(&evpl_shared_lock);
    if (evpl_shared != NULL) {
        pthread_mutex_unlock(&evpl_shared_lock);
        return 0;
    }
    mz = evpl_shared_zone();
    if (mz == NULL) {
        pthread_mutex_unlock(&evpl_shared_lock);
        EVPL_LOG(ERR, "cannot reserve memzone %s: %s", EVPL_SHARED_NAME,
                 rte_strerror(rte_errno));
        return evpl_fail(ENOMEM);
    }
    r        = mz->addr;
    deadline = rte_get_timer_cycles() +
               rte_get_timer_hz() * EVPL_SHARED_WAIT_MS / 1000;
    while (__atomic_load_n(&r->magic, __ATOMIC_ACQUIRE) != EVPL_SHARED_MAGIC) {
        if (rte_get_timer_cycles() > deadline) {
            pthread_mutex_unlock(&evpl_shared_lock);
            EVPL_LOG(ERR, "memzone %s: another process reserved it and has "
                     "not filled it in", EVPL_SHARED_NAME);
            return evpl_fail(EAGAIN);
        }
        rte_delay_us_sleep(1000);
    }
    if (evpl_shared_register(r, evpl_slab_att_code()))
        EVPL_LOG(WARNING, "processes of this DPDK instance map the library "
                 "at different addresses: an mbuf attached to a slab must "
                 "be freed in a process that maps it where the attaching "
                 "process does (docs/api.md, \"Multi-process\")");
    __atomic_store_n(&evpl_shared, r, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&evpl_shared_lock);
    return 0;
}

uint32_t
evpl_shared_next_id(void)
{
    uint32_t id;

    /* 0 means "no context" wherever an id is kept. */
    do
        id = __atomic_add_fetch(&evpl_shared->next_id, 1, __ATOMIC_RELAXED);
    while (unlikely(id == 0));
    return id;
}

int
evpl_shared_foreign_code(uintptr_t addr)
{
    const struct evpl_shared_rec *r = evpl_shared;
    uint32_t                      i, n;

    if (r == NULL || addr == evpl_slab_att_code())
        return 0;
    n = __atomic_load_n(&r->nb_codes, __ATOMIC_ACQUIRE);
    for (i = 0; i < n && i < EVPL_SHARED_CODES; i++)
        if (r->codes[i] == addr)
            return 1;
    return 0;
}
