/* SPDX-License-Identifier: LGPL-2.1-only */

/* The slab pools of a slab set, found by the name the library publishes
 * (EVPL_DPDK_SLAB_POOL_FORMAT): their slabs and free slabs, summed. For
 * the tests and the fuzz harness; header-only, so each takes what it
 * uses. */

#ifndef EVPL_TEST_SLAB_SETS_H
#define EVPL_TEST_SLAB_SETS_H

#include <stdio.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include <evpl/evpl.h>

/* Pool k of the calling lcore's socket's set of size-byte slabs and limit
 * (0: none); NULL until the set grows that far. */
static inline struct rte_mempool *
evpl_test_slab_pool(unsigned int size, unsigned int limit, unsigned int k)
{
    char name[RTE_MEMPOOL_NAMESIZE];

    snprintf(name, sizeof(name), EVPL_DPDK_SLAB_POOL_FORMAT,
             (int) rte_socket_id(), rte_log2_u32(size), limit, k);
    return rte_mempool_lookup(name);
}

struct evpl_test_slab_count {
    unsigned int pools, slabs, free;
};

static inline struct evpl_test_slab_count
evpl_test_slab_count(unsigned int size, unsigned int limit)
{
    struct evpl_test_slab_count c = { 0, 0, 0 };
    struct rte_mempool         *mp;

    while ((mp = evpl_test_slab_pool(size, limit, c.pools)) != NULL) {
        c.pools++;
        c.slabs += mp->size;
        c.free  += rte_mempool_avail_count(mp);
    }
    return c;
}

/* Slabs of the set taken from its pools (in use by anyone). */
static inline unsigned int
evpl_test_slabs_in_use(unsigned int size, unsigned int limit)
{
    struct evpl_test_slab_count c = evpl_test_slab_count(size, limit);

    return c.slabs - c.free;
}

#endif /* EVPL_TEST_SLAB_SETS_H */
