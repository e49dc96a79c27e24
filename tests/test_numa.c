/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * struct evpl_config's pool_socket: zero means the caller's socket, and
 * EVPL_DPDK_SOCKET(id) puts the default pool on socket id, which must be
 * one the EAL found. On a one-socket machine every case still runs; the
 * explicit socket is then the caller's own. Slabs come from the memory of
 * their context's socket: that case needs lcores on two sockets and
 * hugepages, and skips elsewhere.
 */

#include <errno.h>
#include <stdio.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "common.h"

static void
zero_means_the_callers_socket(void **state)
{
    struct evpl_config cfg = { .nb_mbufs = 211 };
    struct evpl       *e;

    (void) state;
    e = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(evpl_mempool(e)->socket_id, (int) rte_socket_id());
    evpl_test_assert_pool_full(evpl_mempool(e));
    evpl_destroy(e);
}

/* Every socket the EAL found, and the pool of the caller's socket asked
 * for by number is the very pool zero gives. */
static void
each_socket_by_number(void **state)
{
    unsigned int i;

    (void) state;
    for (i = 0; i < rte_socket_count(); i++) {
        int                socket = rte_socket_id_by_idx(i);
        struct evpl_config cfg = { .nb_mbufs = 211,
                                   .pool_socket = EVPL_DPDK_SOCKET(socket) };
        struct evpl_config dflt = { .nb_mbufs = 211 };
        struct evpl       *e, *d;
        struct evpl_iovec  v;

        e = evpl_create(&cfg);
        if (e == NULL && errno == ENOMEM) {
            /* A socket with lcores but no memory given to the EAL. */
            printf("socket %d: no memory for a pool, skipped\n", socket);
            continue;
        }
        assert_non_null(e);
        assert_int_equal(evpl_mempool(e)->socket_id, socket);
        assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &v), 1);
        evpl_iovec_release(e, &v);
        d = evpl_create(&dflt);
        assert_non_null(d);
        if (socket == (int) rte_socket_id())
            assert_ptr_equal(evpl_mempool(d), evpl_mempool(e));
        else
            assert_ptr_not_equal(evpl_mempool(d), evpl_mempool(e));
        evpl_destroy(d);
        evpl_test_assert_pool_full(evpl_mempool(e));
        evpl_destroy(e);
    }
}

static void
socket_the_eal_did_not_find_is_einval(void **state)
{
    int          bad[2] = { RTE_MAX_NUMA_NODES, -1 };
    unsigned int i, k;

    (void) state;
    /* The lowest id the EAL did not find. */
    for (bad[1] = 0; bad[1] < RTE_MAX_NUMA_NODES; bad[1]++) {
        for (i = 0; i < rte_socket_count(); i++)
            if (rte_socket_id_by_idx(i) == bad[1])
                break;
        if (i == rte_socket_count())
            break;
    }
    for (k = 0; k < 2; k++) {
        struct evpl_config cfg = { .pool_socket = EVPL_DPDK_SOCKET(bad[k]) };

        errno = 0;
        assert_null(evpl_create(&cfg));
        assert_int_equal(errno, EINVAL);
    }
}

/* Like segment_size and nb_mbufs, pool_socket is for the default pool:
 * with the caller's own pool it is not looked at. */
static void
ignored_with_the_callers_pool(void **state)
{
    struct evpl_test_ctx *t = *state;
    struct evpl_config    cfg = { .pool = t->pool,
                                   .pool_socket = EVPL_DPDK_SOCKET(RTE_MAX_NUMA_NODES) };
    struct evpl          *e = evpl_create(&cfg);

    assert_non_null(e);
    assert_ptr_equal(evpl_mempool(e), t->pool);
    evpl_destroy(e);
}

/* On an lcore: a slab of a fresh context there, and the socket of the
 * memory it lies in (-1: no slab could be had). */
static int
slab_socket_on_lcore(void *arg)
{
    int                           *socket = arg;
    const struct rte_memseg_list  *msl;
    struct evpl_iovec              v;
    struct evpl                   *e = evpl_create(NULL);

    *socket = -1;
    if (e == NULL)
        return -1;
    if (evpl_iovec_alloc_global(e, &v) == 1) {
        msl     = rte_mem_virt2memseg_list(v.data);
        *socket = msl != NULL ? msl->socket_id : -1;
        evpl_iovec_release(e, &v);
    }
    evpl_destroy(e);
    return 0;
}

/*
 * A context's slabs lie in its own socket's memory. Guards the socket a
 * new slab set records (src/slab_set.c's evpl_slab_set_find(),
 * set->socket = socket): without it every set says socket 0, so a
 * context on another socket takes its slabs from socket 0's memory (and
 * makes a set of its own each time, as the lookup never matches it). Only
 * a machine whose EAL lcores span two sockets, with hugepages there, can
 * tell: elsewhere (one socket, or no hugepages, whose memory is socket
 * 0's) it skips.
 */
static void
slabs_lie_in_the_memory_of_their_contexts_socket(void **state)
{
    unsigned int lcore, tried = 0;
    int          socket;

    (void) state;
    if (!rte_eal_has_hugepages())
        skip();
    RTE_LCORE_FOREACH_WORKER(lcore) {
        if (rte_lcore_to_socket_id(lcore) == rte_socket_id())
            continue;
        assert_int_equal(rte_eal_remote_launch(slab_socket_on_lcore, &socket,
                                               lcore), 0);
        assert_int_equal(rte_eal_wait_lcore(lcore), 0);
        if (socket < 0) {
            print_message("lcore %u: no slab on socket %u\n", lcore,
                          rte_lcore_to_socket_id(lcore));
            continue;
        }
        assert_int_equal(socket, (int) rte_lcore_to_socket_id(lcore));
        tried++;
    }
    if (tried == 0)
        skip(); /* no lcore on another socket with memory */
}

static const struct CMUnitTest cases[] = {
    CASE(zero_means_the_callers_socket),
    CASE(each_socket_by_number),
    CASE(socket_the_eal_did_not_find_is_einval),
    CASE(ignored_with_the_callers_pool),
    CASE(slabs_lie_in_the_memory_of_their_contexts_socket),
};

EVPL_TEST_MAIN("numa", cases)
