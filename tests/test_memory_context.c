/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The memory API, contexts and pools: release through any context, destroy
 * with iovecs outstanding, a context on a thread outside the EAL, pool
 * exhaustion and recovery, bad configurations, the shared default pool,
 * SHARED iovecs released on a second lcore, a foreign pool's mbufs, and the
 * iovec's fixed layout. Every case runs on a fresh context and ends with the
 * pool's free count back where it started (evpl_test_teardown).
 */

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include "common.h"

static void
release_with_any_context(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl      *other;
    struct evpl_iovec a, b, c;

    other = evpl_create(NULL);
    assert_non_null(other);
    assert_ptr_equal(evpl_mempool(other), evpl_mempool(evpl));

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&b, &a);
    evpl_iovec_clone(&c, &a);
    evpl_iovec_release(NULL, &a);
    evpl_iovec_release(other, &b);
    /* The context may go first; its iovecs stay valid. */
    evpl_destroy(other);
    evpl_iovec_release(NULL, &c);
}

static void
destroy_with_outstanding_iovecs(void **state)
{
    struct evpl_test_ctx *t = *state;
    struct evpl          *e = evpl_create(NULL);
    struct evpl_iovec     a, r;

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 3000, 0, 1, 0, &a), 1);
    assert_int_equal(evpl_iovec_reserve(e, 100, 0, 1, &r), 1);
    evpl_iovec_commit(e, 0, &r, 1);
    evpl_destroy(e);
    evpl_test_fill(r.data, 100, 3);
    assert_true(evpl_test_check(r.data, 100, 3));
    evpl_iovec_release(NULL, &a);
    evpl_iovec_release(NULL, &r);
    (void) t;
}

struct non_eal_result {
    int                 ok;
    struct rte_mempool *pool;
};

static void *
non_eal_thread(void *arg)
{
    struct non_eal_result *res = arg;
    struct evpl_iovec      v[4];
    struct evpl           *e = evpl_create(NULL);
    int                    i, n;

    res->ok = 0;
    if (e == NULL)
        return NULL;
    res->pool = evpl_mempool(e);
    /* Enough traffic to cycle the context's own mempool cache. */
    for (i = 0; i < 5000; i++) {
        n = evpl_iovec_alloc(e, 1 + (unsigned int) i % 20000, 0, 4, 0, v);
        if (n < 1)
            return NULL;
        evpl_iovecs_release(e, v, n);
    }
    evpl_destroy(e);
    res->ok = 1;
    return NULL;
}

static void
context_on_non_eal_thread(void **state)
{
    struct non_eal_result res = { 0, NULL };
    pthread_t             th;

    assert_int_equal(pthread_create(&th, NULL, non_eal_thread, &res), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(res.ok);
    /* No socket of its own: it shares the main lcore's default pool. */
    assert_ptr_equal(res.pool, ((struct evpl_test_ctx *) *state)->pool);
}

static void
exhaustion_and_recovery(void **state)
{
    enum { POOL_N = 63 };
    struct rte_mempool *mp;
    struct evpl        *e;
    struct evpl_iovec   held[POOL_N], v[4];
    int                 got = 0;

    (void) state;
    /* No cache: free counts are exact and nothing hides in an lcore. */
    e = evpl_test_ctx_on_own_pool("exhaust", POOL_N, NULL, &mp);
    assert_ptr_equal(evpl_mempool(e), mp);

    while (got < POOL_N) {
        assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, &held[got]), 1);
        got++;
    }
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 1000, 0, 1, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_errno, ENOMEM);
    errno = 0;
    assert_int_equal(evpl_iovec_reserve(e, 1000, 0, 1, v), -1);
    assert_int_equal(errno, ENOMEM);

    /* Two free, three needed: nothing half-allocated. */
    evpl_iovec_release(e, &held[--got]);
    evpl_iovec_release(e, &held[--got]);
    errno = 0;
    assert_int_equal(evpl_iovec_alloc(e, 3 * 2048, 0, 4, 0, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);
    assert_int_equal(evpl_iovec_reserve(e, 3 * 2048, 0, 4, v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(rte_mempool_avail_count(mp), 2);

    /* Works again once memory is back. */
    evpl_iovecs_release(e, held, got);
    got = evpl_iovec_alloc(e, 3 * 2048, 0, 4, 0, v);
    assert_int_equal(got, 3);
    evpl_iovecs_release(e, v, got);

    /* A caller pool holds alignments up to its data room; larger ones
     * come from a slab. */
    assert_int_equal(evpl_iovec_alloc(e, 10, 2048, 1, 0, v), 1);
    assert_int_equal((uintptr_t) v[0].data % 2048, 0);
    evpl_iovec_release(e, v);
    assert_int_equal(evpl_iovec_alloc(e, 10, 4096, 1, 0, v), 1);
    assert_int_equal((uintptr_t) v[0].data % 4096, 0);
    assert_true(evpl_dpdk_iovec_is_slab(&v[0]));
    evpl_iovec_release(e, v);

    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

static void
create_rejects_bad_config(void **state)
{
    struct evpl_config  cfg;
    struct rte_mempool *plain;
    struct evpl        *e;

    (void) state;
    plain = rte_mempool_create("plain", 63, 64, 0, 0, NULL, NULL, NULL, NULL,
                               SOCKET_ID_ANY, 0);
    assert_non_null(plain);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = plain;
    errno    = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);
    rte_mempool_free(plain);

    memset(&cfg, 0, sizeof(cfg));
    cfg.segment_size = 65536;
    errno            = 0;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);

    /* A different segment size is a different default pool. */
    cfg.segment_size = 2048;
    cfg.nb_mbufs     = 511;
    e                = evpl_create(&cfg);
    assert_non_null(e);
    assert_int_equal(rte_pktmbuf_data_room_size(evpl_mempool(e)),
                     2048 + RTE_PKTMBUF_HEADROOM);
    assert_int_equal(evpl_mempool(e)->size, 511);
    evpl_destroy(e);
}

static void
default_pool_is_shared(void **state)
{
    struct evpl *a = ctx_of(state), *b = evpl_create(NULL);

    assert_non_null(b);
    assert_ptr_equal(evpl_mempool(a), evpl_mempool(b));
    assert_int_equal(rte_pktmbuf_data_room_size(evpl_mempool(a)),
                     EVPL_DPDK_DEFAULT_SEGMENT_SIZE + RTE_PKTMBUF_HEADROOM);
    assert_int_equal(evpl_mempool(a)->size, EVPL_DPDK_DEFAULT_NB_MBUFS);
    evpl_destroy(b);
}

/* --- SHARED iovecs released concurrently on a second lcore --- */

#define SHARED_ROUNDS 20000
#define SHARED_CLONES 16

static struct rte_ring *to_worker;

static int
shared_worker(void *arg)
{
    struct evpl_iovec *v, extra;
    unsigned int       got = 0;

    (void) arg;
    for (;;) {
        if (rte_ring_dequeue(to_worker, (void **) &v) != 0)
            continue;
        if (v == NULL)
            break;
        /* Clone and release here while the main lcore does the same. */
        evpl_iovec_clone(&extra, v);
        evpl_iovec_release(NULL, v);
        evpl_iovec_release(NULL, &extra);
        got++;
    }
    return (int) got;
}

static void
shared_release_on_second_lcore(void **state)
{
    static struct evpl_iovec slots[SHARED_ROUNDS][SHARED_CLONES];
    struct evpl             *evpl = ctx_of(state);
    unsigned int             worker, r, c;
    struct evpl_iovec        extra;

    worker = rte_get_next_lcore(-1, 1, 0);
    if (worker >= RTE_MAX_LCORE)
        skip();
    to_worker = rte_ring_create("to_worker", 1 << 14, SOCKET_ID_ANY,
                                RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert_non_null(to_worker);
    assert_int_equal(rte_eal_remote_launch(shared_worker, NULL, worker), 0);

    for (r = 0; r < SHARED_ROUNDS; r++) {
        struct evpl_iovec *s = slots[r];

        assert_int_equal(evpl_iovec_alloc(evpl, 200, 0, 1,
                                          EVPL_IOVEC_FLAG_SHARED, &s[0]), 1);
        for (c = 1; c < SHARED_CLONES; c++)
            evpl_iovec_clone(&s[c], &s[0]);
        /* Half go to the worker, half are cloned and released here. */
        for (c = 0; c < SHARED_CLONES; c += 2)
            while (rte_ring_enqueue(to_worker, &s[c]) != 0)
                ;
        for (c = 1; c < SHARED_CLONES; c += 2) {
            evpl_iovec_clone(&extra, &s[c]);
            evpl_iovec_release(evpl, &s[c]);
            evpl_iovec_release(evpl, &extra);
        }
    }
    while (rte_ring_enqueue(to_worker, NULL) != 0)
        ;
    assert_int_equal(rte_eal_wait_lcore(worker),
                     SHARED_ROUNDS * SHARED_CLONES / 2);
    rte_ring_free(to_worker);
}

/* --- mbufs of a foreign pktmbuf pool --- */

static struct rte_mbuf *
foreign_chain(struct rte_mempool *mp, const unsigned int *lens, int nseg)
{
    struct rte_mbuf *head = NULL, *m;
    int              i;

    for (i = 0; i < nseg; i++) {
        m = rte_pktmbuf_alloc(mp);
        assert_non_null(m);
        if (lens[i] > 0)
            evpl_test_fill(rte_pktmbuf_append(m, (uint16_t) lens[i]), lens[i],
                           (unsigned int) i + 40);
        if (head == NULL)
            head = m;
        else
            assert_int_equal(rte_pktmbuf_chain(head, m), 0);
    }
    return head;
}

static void
wrap_foreign_pool_mbufs(void **state)
{
    static const unsigned int lens[] = { 60, 0, 1400, 700 };
    struct evpl              *evpl   = ctx_of(state);
    struct rte_mempool       *mp;
    struct rte_mbuf          *m;
    struct evpl_iovec         v[4], keep;
    int                       n, i, seed[4], k = 0;

    mp = rte_pktmbuf_pool_create("foreign", 127, 0, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert_non_null(mp);

    m = foreign_chain(mp, lens, 4);
    /* Too small an array: -1 and the chain untouched. */
    errno = 0;
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, m, v, 2), -1);
    assert_int_equal(errno, ENOSPC);
    assert_int_equal(rte_errno, ENOSPC);
    assert_int_equal(m->nb_segs, 4);
    assert_int_equal(rte_pktmbuf_pkt_len(m), 2160);
    assert_int_equal(rte_mempool_avail_count(mp), 127 - 4);

    n = evpl_dpdk_mbuf_to_iovecs(evpl, m, v, 4);
    assert_int_equal(n, 3);            /* the empty segment is dropped */
    assert_int_equal(rte_mempool_avail_count(mp), 127 - 3);
    for (i = 0; i < 4; i++)
        if (lens[i])
            seed[k++] = i + 40;
    for (i = 0; i < n; i++)
        assert_true(evpl_test_check(v[i].data, v[i].length,
                                    (unsigned int) seed[i]));
    assert_int_equal(v[0].length, 60);
    assert_int_equal(v[1].length, 1400);
    assert_int_equal(v[2].length, 700);

    /* The wrapped segments behave as any iovec; release returns each mbuf
     * to its own pool, in any order. */
    evpl_iovec_clone_segment(&keep, &v[1], 100, 100);
    evpl_iovec_release(evpl, &v[0]);
    evpl_iovec_release(evpl, &v[2]);
    evpl_iovec_release(evpl, &v[1]);
    assert_true(evpl_test_check((char *) keep.data - 100, 200, 42));
    evpl_iovec_release(evpl, &keep);
    evpl_test_assert_pool_full(mp);

    errno = 0;
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(NULL, m, v, 4), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, NULL, v, 4), -1);
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(evpl, m, NULL, 4), -1);
    rte_mempool_free(mp);
}

static void
iovec_layout_is_fixed(void **state)
{
    (void) state;
    assert_int_equal(sizeof(struct evpl_iovec), 24);
    assert_int_equal(offsetof(struct evpl_iovec, data), 0);
    assert_int_equal(offsetof(struct evpl_iovec, length), 8);
    assert_int_equal(offsetof(struct evpl_iovec, private_data), 16);
}

/*
 * A publication marker with no pool behind it (left by an application
 * that freed the pool) does not keep the pool from being made: the
 * creator's reservation of the marker fails with EEXIST, and the marker
 * there marks the new pool. Guards the EEXIST accepted in src/pool.c's
 * evpl_pool_get_or_create() (refused, the new pool is freed again, made
 * again, and evpl_create() fails after the 10 s wait).
 */
static void
a_stale_pool_marker_does_not_stop_the_pool(void **state)
{
    struct evpl_config cfg = { .segment_size = 1000, .nb_mbufs = 300 };
    char               mark[RTE_MEMZONE_NAMESIZE];
    struct evpl       *e;

    (void) state;
    snprintf(mark, sizeof(mark), "EV_evpl%u.%u.%u", rte_socket_id(),
             1000 + RTE_PKTMBUF_HEADROOM, 300);
    assert_null(rte_mempool_lookup(mark + 3));
    assert_non_null(rte_memzone_reserve(mark, RTE_CACHE_LINE_SIZE,
                                        SOCKET_ID_ANY, 0));
    e = evpl_create(&cfg);
    assert_non_null(e);
    assert_string_equal(evpl_mempool(e)->name, mark + 3);
    evpl_destroy(e);
}

/*
 * A pool of the default pool's name that its creator never publishes (an
 * application's pool of that name, or a process that died half-way):
 * evpl_create() waits for its marker, gives up after the 10 s the wait
 * allows, and says EAGAIN (try again), not a stale errno. Guards the
 * EAGAIN of src/pool.c's evpl_pool_get_or_create() on its deadline.
 */
static void
an_unpublished_pool_gives_up_with_eagain(void **state)
{
    struct evpl_config  cfg = { .segment_size = 1000, .nb_mbufs = 301 };
    char                name[RTE_MEMPOOL_NAMESIZE];
    struct rte_mempool *mp;

    (void) state;
    snprintf(name, sizeof(name), "evpl%u.%u.%u", rte_socket_id(),
             1000 + RTE_PKTMBUF_HEADROOM, 301);
    mp = rte_pktmbuf_pool_create(name, 301, 0, 0,
                                 1000 + RTE_PKTMBUF_HEADROOM,
                                 (int) rte_socket_id());
    assert_non_null(mp);
    errno = EINVAL;
    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EAGAIN);
    rte_mempool_free(mp);
}

static const struct CMUnitTest cases[] = {
    CASE(a_stale_pool_marker_does_not_stop_the_pool),
    CASE(an_unpublished_pool_gives_up_with_eagain),
    CASE(release_with_any_context),
    CASE(destroy_with_outstanding_iovecs),
    CASE(context_on_non_eal_thread),
    CASE(exhaustion_and_recovery),
    CASE(create_rejects_bad_config),
    CASE(default_pool_is_shared),
    CASE(shared_release_on_second_lcore),
    CASE(wrap_foreign_pool_mbufs),
    CASE(iovec_layout_is_fixed),
};

EVPL_TEST_MAIN("memory_context", cases)
