/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Multi-lcore stress: SHARED iovecs cloned, handed to the other lcore
 * through an rte_ring and released there, while the lcore that allocated
 * them releases its own clones of the same mbufs: millions of reference
 * count changes racing on two lcores (-l 0-1).
 *
 * Afterwards nothing may be lost or freed twice: every reference made was
 * dropped exactly once, every mbuf carried the stamp of its allocation
 * until its last holder let go, and the pool, drained whole, holds every
 * mbuf exactly once, each with a reference count of 1.
 *
 * A third case races slab references the same way: SHARED pieces
 * carved from one slab on one lcore, released on the other.
 *
 * Runs in every build (trace builds check every clone and release, and
 * their default pool is the cache-less "evpl_trace" one).
 * EVPL_STRESS_ROUNDS sets the allocations per lcore; EVPL_TEST_SCALE
 * multiplies the default.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_pause.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "common.h"

#define DEFAULT_ROUNDS 150000
#define MAX_CLONES     8
#define RING_SIZE      1024

struct side {
    struct rte_mempool *pool;  /* NULL: the default pool */
    struct rte_ring    *in, *out;
    unsigned int        id;
    uint64_t            rounds;
    /* Results, read by the main lcore once the worker is done. */
    uint64_t            made, dropped, sent, received, ops;
    uint64_t            bad_stamps, failures;
    int                 done;
};

static struct side sides[2];

/* Every allocation writes its stamp over its first bytes; every holder
 * checks it before letting go. */
static inline uint64_t
stamp_of(const struct side *s, uint64_t round)
{
    return (uint64_t) s->id << 56 | round;
}

static inline void
drop(struct side *s, struct evpl *evpl, struct evpl_iovec *v,
     uint64_t stamp)
{
    if (memcmp(v->data, &stamp, sizeof(stamp)) != 0)
        s->bad_stamps++;
    evpl_iovec_release(evpl, v);
    s->dropped++;
    s->ops++;
}

/* Take what the other side sent: clone it here too, and let both go,
 * racing the sender's own releases of the same mbuf. */
static unsigned int
receive(struct side *s, struct evpl *evpl)
{
    struct evpl_iovec got[32], extra;
    unsigned int      n, k;
    uint64_t          stamp;

    n = rte_ring_dequeue_burst_elem(s->in, got, sizeof(got[0]), 32, NULL);
    for (k = 0; k < n; k++) {
        memcpy(&stamp, got[k].data, sizeof(stamp));
        evpl_iovec_clone(&extra, &got[k]);
        s->made++;
        s->ops++;
        drop(s, evpl, &extra, stamp);
        drop(s, evpl, &got[k], stamp);
    }
    s->received += n;
    return n;
}

static void
send_one(struct side *s, struct evpl *evpl, struct evpl_iovec *v)
{
    struct evpl_iovec moved;

    /* The ring copies the iovec by value: move out of ours first, so the
     * one left here is dead (and trace builds would say so). */
    evpl_iovec_move(&moved, v);
    while (rte_ring_enqueue_elem(s->out, &moved, sizeof(moved)) != 0)
        receive(s, evpl); /* the other side may be waiting on us */
    s->sent++;
    s->ops++;
}

static int
run_side(void *arg)
{
    struct side              *s = arg;
    struct evpl_config        cfg;
    struct evpl              *evpl;
    struct rte_mempool       *mp;
    struct rte_mempool_cache *cache;
    struct evpl_iovec         held[MAX_CLONES + 1];
    uint64_t                  r, stamp;
    uint64_t                  seed = 0x9e3779b97f4a7c15ull * (s->id + 1);
    unsigned int              n, k, len, spins;

    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = s->pool;
    evpl     = evpl_create(&cfg);
    if (evpl == NULL) {
        s->failures++;
        __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
        return -1;
    }

    for (r = 0; r < s->rounds; r++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        len   = 64 + (unsigned int) (seed % 1500);
        n     = 1 + (unsigned int) ((seed >> 20) % MAX_CLONES);

        for (spins = 0; evpl_iovec_alloc(evpl, len, 0, 1,
                                         EVPL_IOVEC_FLAG_SHARED,
                                         &held[0]) != 1; spins++) {
            /* Near exhaustion: what the other side sent holds mbufs. */
            if (errno != ENOMEM || spins > 100000000) {
                s->failures++;
                goto out;
            }
            receive(s, evpl);
        }
        stamp = stamp_of(s, r);
        memcpy(held[0].data, &stamp, sizeof(stamp));
        s->made++;
        s->ops++;
        for (k = 1; k <= n; k++) {
            if (k & 1)
                evpl_iovec_clone(&held[k], &held[0]);
            else
                evpl_iovec_clone_segment(&held[k], &held[0], 0,
                                         (unsigned int) sizeof(stamp));
            s->made++;
            s->ops++;
        }
        /* The odd ones go over; the rest are let go here, concurrently
         * with the other side's releases of the same mbuf. */
        for (k = 1; k <= n; k += 2)
            send_one(s, evpl, &held[k]);
        for (k = 2; k <= n; k += 2)
            drop(s, evpl, &held[k], stamp);
        drop(s, evpl, &held[0], stamp);
        if ((r & 7) == 0)
            receive(s, evpl);
    }

 out:
    /* Stay until the other side is done and nothing is left in flight. */
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&sides[!s->id].done, __ATOMIC_ACQUIRE) ||
           rte_ring_count(s->in) > 0)
        receive(s, evpl);
    mp = evpl_mempool(evpl);
    evpl_destroy(evpl);
    /* Whatever this lcore's cache holds goes back, for the count. */
    cache = rte_mempool_default_cache(mp, rte_lcore_id());
    if (cache != NULL)
        rte_mempool_cache_flush(cache, mp);
    return 0;
}

static int
ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) *(void *const *) a;
    uintptr_t y = (uintptr_t) *(void *const *) b;

    return x < y ? -1 : x > y;
}

/* Drain the pool whole: every mbuf exactly once, each with one reference
 * (the count a free mbuf must have); then put them back. */
static void
assert_pool_exact(struct rte_mempool *mp)
{
    void       **objs = calloc(mp->size, sizeof(*objs));
    unsigned int k;

    assert_non_null(objs);
    assert_int_equal(rte_mempool_generic_get(mp, objs, mp->size, NULL), 0);
    /* Nothing more: a second free of an mbuf would have put it in twice. */
    assert_int_equal(rte_mempool_avail_count(mp), 0);
    qsort(objs, mp->size, sizeof(*objs), ptr_cmp);
    for (k = 0; k < mp->size; k++) {
        if (k > 0 && objs[k] == objs[k - 1])
            fail_msg("mbuf %p is in the pool twice: freed twice", objs[k]);
        assert_int_equal(rte_mbuf_refcnt_read(objs[k]), 1);
    }
    rte_mempool_generic_put(mp, objs, mp->size, NULL);
    free(objs);
}

/* Run both sides on the pool given to their contexts (NULL: the default
 * one), then check mp, the pool they used. */
static void
stress(struct rte_mempool *pool, struct rte_mempool *mp)
{
    unsigned int worker = rte_get_next_lcore(-1, 1, 0);
    const char  *env    = getenv("EVPL_STRESS_ROUNDS");
    uint64_t     rounds = env ? strtoull(env, NULL, 0) :
                                    DEFAULT_ROUNDS * evpl_test_scale();
    struct rte_ring *ring[2];
    int              i;

    if (worker >= RTE_MAX_LCORE)
        skip(); /* one CPU: no second lcore */
    for (i = 0; i < 2; i++) {
        char name[32];

        snprintf(name, sizeof(name), "stress%d", i);
        ring[i] = rte_ring_create_elem(name, sizeof(struct evpl_iovec),
                                       RING_SIZE, SOCKET_ID_ANY,
                                       RING_F_SP_ENQ | RING_F_SC_DEQ);
        assert_non_null(ring[i]);
    }
    memset(sides, 0, sizeof(sides));
    for (i = 0; i < 2; i++) {
        sides[i].pool   = pool;
        sides[i].id     = (unsigned int) i;
        sides[i].rounds = rounds;
        sides[i].in     = ring[i];
        sides[i].out    = ring[!i];
    }

    assert_int_equal(rte_eal_remote_launch(run_side, &sides[1], worker), 0);
    run_side(&sides[0]);
    assert_int_equal(rte_eal_wait_lcore(worker), 0);
    for (i = 0; i < 2; i++)
        rte_ring_free(ring[i]);

    printf("stress: %" PRIu64 " + %" PRIu64 " operations, %" PRIu64
           " iovecs passed between lcores\n", sides[0].ops, sides[1].ops,
           sides[0].sent + sides[1].sent);
    for (i = 0; i < 2; i++) {
        assert_int_equal(sides[i].failures, 0);
        assert_int_equal(sides[i].bad_stamps, 0);
        /* Nothing lost in flight; what was made here and stayed, and what
         * came over, was dropped here, each exactly once. */
        assert_int_equal(sides[i].sent, sides[!i].received);
        assert_int_equal(sides[i].made - sides[i].sent + sides[i].received,
                         sides[i].dropped);
    }
    assert_int_equal(sides[0].made + sides[1].made,
                     sides[0].dropped + sides[1].dropped);
    assert_true(sides[0].ops + sides[1].ops >= rounds * 2);
    assert_pool_exact(mp);
}

static void
shared_clones_race_on_an_application_pool(void **state)
{
    struct rte_mempool *mp;

    (void) state;
    /* With per-lcore caches, as a packet pool has them. */
    mp = rte_pktmbuf_pool_create("stress_pool", 4095, 256, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert_non_null(mp);
    stress(mp, mp);
    rte_mempool_free(mp);
}

static void
shared_clones_race_on_the_default_pool(void **state)
{
    struct evpl_test_ctx *t = *state;

    /* The main lcore's own cache first, so that the drain sees it all. */
    if (rte_mempool_default_cache(t->pool, rte_lcore_id()) != NULL)
        rte_mempool_cache_flush(rte_mempool_default_cache(t->pool,
                                                          rte_lcore_id()),
                                t->pool);
    stress(NULL, t->pool);
}

/* ---- a SHARED slab's references ---------------------------------------- */

#define SLAB_PIECE  (EVPL_DPDK_DEFAULT_SEGMENT_SIZE + 808) /* never an mbuf */
#define SLAB_ROUNDS 200000
/* Few in flight, so that the pieces released are of the slab being carved
 * (a 2 MiB slab holds 230 pieces). */
#define SLAB_RING   16
#define SLAB_CLONES 8

struct slab_race {
    struct rte_ring *ring;
    int              done;     /* the carving side has sent everything */
    uint64_t         released;
};

/* The other lcore: each piece that comes is cloned and the clone released
 * SLAB_CLONES times, as fast as it can, while the carving goes on in the
 * same slab; then it is released. */
static int
release_pieces(void *arg)
{
    struct slab_race *r = arg;
    struct evpl_iovec v, c;
    unsigned int      k;

    for (;;) {
        if (rte_ring_dequeue_elem(r->ring, &v, sizeof(v)) != 0) {
            if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) &&
                rte_ring_empty(r->ring))
                return 0;
            rte_pause();
            continue;
        }
        for (k = 0; k < SLAB_CLONES; k++) {
            evpl_iovec_clone(&c, &v);
            evpl_iovec_release(NULL, &c);
        }
        evpl_iovec_release(NULL, &v);
        r->released++;
    }
}

/*
 * Guards the atomic reference add of a SHARED slab piece (src/slab_carve.c's
 * evpl_slab_fill_ref(), atomic when the flags say SHARED): this lcore
 * carves SHARED pieces of its slab, each adding a reference, while the
 * other clones and releases the pieces just carved, of the same slab.
 * A plain add racing those atomic changes overwrites some: the count
 * drifts, and either a slab is freed while referenced (a count wrapped
 * past 0 makes the library abort) or slabs stay referenced for ever
 * (memory runs out, or the context's leak count shows them). Correct
 * code passes every time; the plain add failed every one of 20 runs on
 * two busy CPUs (docs/testing.md).
 */
static void
shared_slab_pieces_race_with_releases_on_the_other_lcore(void **state)
{
    struct evpl                 *evpl = ctx_of(state);
    unsigned int                 worker = rte_get_next_lcore(-1, 1, 0);
    uint64_t                     rounds = SLAB_ROUNDS * evpl_test_scale(), i;
    struct evpl_dpdk_outstanding o;
    struct slab_race             r;
    struct evpl_iovec            v;

    if (worker >= RTE_MAX_LCORE)
        skip(); /* one CPU: no second lcore */
    memset(&r, 0, sizeof(r));
    r.ring = rte_ring_create_elem("stress_slab", sizeof(struct evpl_iovec),
                                  SLAB_RING, SOCKET_ID_ANY,
                                  RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert_non_null(r.ring);
    assert_int_equal(rte_eal_remote_launch(release_pieces, &r, worker), 0);
    for (i = 0; i < rounds; i++) {
        if (evpl_iovec_alloc(evpl, SLAB_PIECE, 0, 1, EVPL_IOVEC_FLAG_SHARED,
                             &v) != 1)
            break;
        while (rte_ring_enqueue_elem(r.ring, &v, sizeof(v)) != 0)
            rte_pause();
    }
    __atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
    assert_int_equal(rte_eal_wait_lcore(worker), 0);
    rte_ring_free(r.ring);
    assert_int_equal(i, rounds);
    assert_int_equal(r.released, rounds);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    if (o.slabs != 0)
        fail_msg("%" PRIu64 " slabs still referenced (%" PRIu64 " references)"
                 " after every piece was released", o.slabs, o.slab_refs);
}

/* ---- a range of another process's slab, sent while the count races ----- */

#define ATT_ROUNDS 200000

struct att_race {
    struct rte_ring   *ring; /* sent mbufs, freed on the other lcore */
    struct evpl_iovec *v;    /* SHARED, cloned and released meanwhile */
    int                done;
    uint64_t           freed;
};

/* The other lcore: frees each mbuf sent (its shared info goes to this
 * lcore's cache, so the sending lcore's empties and it takes the slow
 * path too), and between them clones and releases the slab's iovec. */
static int
free_sent_and_clone(void *arg)
{
    struct att_race  *r = arg;
    struct rte_mbuf  *m;
    struct evpl_iovec c;
    unsigned int      k;

    for (;;) {
        for (k = 0; k < SLAB_CLONES; k++) {
            evpl_iovec_clone(&c, r->v);
            evpl_iovec_release(NULL, &c);
        }
        if (rte_ring_dequeue(r->ring, (void **) &m) != 0) {
            if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) &&
                rte_ring_empty(r->ring))
                return 0;
            continue;
        }
        rte_pktmbuf_free(m);
        r->freed++;
    }
}

/*
 * Guards the atomic reference add of a range sent from a slab another
 * process took (src/slab_attach.c's evpl_slab_att_get_range() and its
 * slow path: the add is on the slab's count, which other lcores change
 * atomically): this lcore sends ranges of a SHARED slab iovec, each
 * taking a count, while the other frees the sent mbufs (dropping those
 * counts) and clones and releases the iovec. A plain add racing those
 * atomic changes overwrites some: the slab's count ends away from where
 * it started.
 */
static void
ranges_of_another_process_slab_race_with_its_clones(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    unsigned int      worker = rte_get_next_lcore(-1, 1, 0);
    uint64_t          rounds = ATT_ROUNDS * evpl_test_scale(), i;
    struct att_race   r;
    struct evpl_iovec v;
    struct rte_mbuf  *m;
    unsigned int      base;

    if (worker >= RTE_MAX_LCORE)
        skip(); /* one CPU: no second lcore */
    assert_int_equal(evpl_iovec_alloc(evpl, 1u << 20, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &v), 1);
    evpl_test_slab_taken_elsewhere(&v, 1);
    base = evpl_iovec_slab_(&v)->shinfo.refcnt;
    memset(&r, 0, sizeof(r));
    r.v    = &v;
    r.ring = rte_ring_create("stress_att", SLAB_RING, SOCKET_ID_ANY,
                             RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert_non_null(r.ring);
    assert_int_equal(rte_eal_remote_launch(free_sent_and_clone, &r, worker),
                     0);
    for (i = 0; i < rounds; i++) {
        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
        if (m == NULL)
            break;
        while (rte_ring_enqueue(r.ring, m) != 0)
            rte_pause();
    }
    __atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
    assert_int_equal(rte_eal_wait_lcore(worker), 0);
    rte_ring_free(r.ring);
    assert_int_equal(i, rounds);
    assert_int_equal(r.freed, rounds);
    assert_int_equal(evpl_iovec_slab_(&v)->shinfo.refcnt, base);
    evpl_test_slab_taken_elsewhere(&v, 0);
    evpl_iovec_release(evpl, &v);
}

static const struct CMUnitTest cases[] = {
    CASE(shared_clones_race_on_an_application_pool),
    CASE(shared_clones_race_on_the_default_pool),
    CASE(shared_slab_pieces_race_with_releases_on_the_other_lcore),
    CASE(ranges_of_another_process_slab_race_with_its_clones),
};

EVPL_TEST_MAIN("stress", cases)
