/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Slab memory that grows: a set of slab pools per NUMA socket, slab size
 * and limit, grown on demand a pool at a time (src/slab_set.c).
 *
 * The program's DPDK memory is capped (--socket-limit on hugepages, -m
 * under --no-huge) so that growth meets the end of memory within a test.
 * The cases run in order, as each leaves its pools behind (pools are
 * never freed):
 *  - a limit between two growth steps cuts the last pool (first, before
 *    the other cases' sets hold the memory it needs);
 *  - a slab pool made on memory that holds old bytes counts none of its
 *    never-taken slabs as a context's, and a context whose id is
 *    0x01010101 counts no slab it never took (early, so that the ids
 *    before them are few);
 *  - contexts of one configuration share one set (no pool made);
 *  - a set that cannot be allocated (calloc() failing) leaves the sets'
 *    lock free, and while one thread makes a set, others asking for it
 *    wait; a growth that succeeds between two that fail lets the
 *    second failure warn again (fault injection, below: no memory used
 *    up, tiny pools); growth that fails says so once; a step memory
 *    refuses is halved, rounding up;
 *  - a slab pool whose mempool's name is taken fails at once, and is made
 *    once the name is free;
 *  - a slab given back to a set's first pool is found when the pool that
 *    gave last is empty;
 *  - a set's first pool fails to complete at every step (its zone, its
 *    mempool's memzones, the publication marker): nothing stays;
 *  - lcores and threads outside the EAL grow one set at once;
 *  - libevpl's RPC pattern with 4,000 messages of 64 KiB in flight, on
 *    evpl_create(NULL);
 *  - growth fails when memory runs out: ENOMEM with nothing taken, and
 *    slabs come again once some are released;
 *  - memory still used up, a set whose step is one slab fails at once.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "common.h"
#include "slab_sets.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif

/* DPDK memory the program may use, MiB: the default pool (about 70), the
 * libevpl case's slabs (288, in pools of 32 MiB), the concurrent case's
 * (64), the limit case's (34) and the small sets of the fault-injection
 * cases (a few, scattered), with room left for the exhaustion case to
 * grow into: under --no-huge a pool's zone is aligned to its slab size in
 * one heap, so free memory in pieces smaller than that does not count. */
#define MEMORY_MB 576

static void
count_zone(const struct rte_memzone *mz, void *arg)
{
    (void) mz;
    (*(unsigned int *) arg)++;
}

static unsigned int
memzones_used(void)
{
    unsigned int n = 0;

    rte_memzone_walk(count_zone, &n);
    return n;
}

static size_t
heap_allocated(void)
{
    struct rte_malloc_socket_stats st;

    assert_int_equal(rte_malloc_get_socket_stats((int) rte_socket_id(), &st),
                     0);
    return st.heap_allocsz_bytes;
}

/* ---- slabs never taken ------------------------------------------------- */

#define ONES_ID    0x01010101u
#define ONES_CHECK 4096u /* contexts checked around it */

/*
 * A slab never taken from its pool is nobody's: the leak accounting's
 * walk (evpl_dpdk_outstanding()) counts a slab taken by the context's id,
 * so a slab's record must start zeroed (src/slab_pool.c's
 * evpl_slab_obj_init(), memset(s, 0, ...)): filled with another byte, a
 * slab never taken looks taken, by id 0x01010101 when the byte is 1. Ids
 * are handed out one per context from 1 (this program's DPDK instance is
 * its own), so contexts are made until past that id, the last
 * ONES_CHECK of them each with a pool of never-taken slabs to walk. About
 * 17 million contexts (a microsecond each in a plain build); ids are the
 * same in either memory mode, so the hugepage run skips it, and so do
 * trace and AddressSanitizer builds, whose contexts cost many times more
 * (the memset is the same code there).
 */
static void
a_context_id_of_ones_counts_no_slab_it_never_took(void **state)
{
    struct evpl_config           cfg;
    struct evpl_dpdk_outstanding o;
    struct evpl_iovec            v;
    struct evpl                 *e, *holder;
    uint32_t                     i;

    (void) state;
#if defined(EVPL_IOVEC_TRACE) || defined(ASAN_BUILD)
    skip();
#endif
    if (rte_eal_has_hugepages())
        skip();
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 16384;
    cfg.nb_slabs  = 8; /* a pool of 8: one taken (longer
                                   * than a segment), 7 never */
    assert_non_null(holder = evpl_create(&cfg));
    assert_int_equal(evpl_iovec_alloc(holder, 16384, 0, 1, 0, &v), 1);
    for (i = 0; i < ONES_ID - ONES_CHECK / 2; i++) {
        e = evpl_create(NULL);
        if (e == NULL)
            fail_msg("context %u: %s", i, strerror(errno));
        evpl_destroy(e);
    }
    for (i = 0; i < ONES_CHECK; i++) {
        assert_non_null(e = evpl_create(&cfg));
        assert_true(evpl_dpdk_outstanding(e, &o) >= 0);
        if (o.slabs != 0)
            fail_msg("a context %u after the loop counts %" PRIu64
                     " slabs it never took", i, o.slabs);
        evpl_destroy(e);
    }
    evpl_iovec_release(holder, &v);
    evpl_destroy(holder);
    assert_int_equal(evpl_test_slabs_in_use(16384, 8), 0);
}

/* ---- one set per configuration ----------------------------------------- */

/*
 * Contexts of one socket, slab size and limit share one set: making and
 * destroying 256 contexts leaves no heap memory behind. Guards the lookup
 * of src/slab_set.c's evpl_slab_set_find(): with a set per context (the
 * lookup never matching), each context leaks a set of about 1 KiB, and
 * nothing else tells it, as sets meet on the same pools by name.
 */
static void
contexts_of_one_configuration_share_one_set(void **state)
{
    struct evpl *e;
    size_t       before;
    int          i;

    (void) state;
    e = evpl_create(NULL);
    assert_non_null(e);
    evpl_destroy(e);
    before = mallinfo2().uordblks;
    for (i = 0; i < 256; i++) {
        e = evpl_create(NULL);
        assert_non_null(e);
        evpl_destroy(e);
    }
    assert_true(mallinfo2().uordblks < before + 16384);
}

/* ---- fault injection --------------------------------------------------- */

/*
 * This program defines calloc() and rte_memzone_reserve_aligned() itself:
 * an executable's definitions interpose on the calls the shared library
 * makes through its PLT (and on DPDK's own, the mempool's memzones
 * included), so a failure armed here reaches the library's call. Armed
 * per thread (the EAL's threads never fail), each counts the calls it
 * failed, which the cases check, so that a case whose failure stopped
 * reaching the library would fail rather than pass without testing.
 * calloc() forwards to the C library's own, __libc_calloc(): not in an
 * AddressSanitizer build, whose free() would refuse that memory, and
 * which therefore skips its case.
 */
static __thread int          zone_fail;     /* calls to fail; -1: all */
static __thread unsigned int zone_failed;
/* Not 0: the zones a slab pool's mempool reserves (its header and its
 * objects, "MP_evpls..."), once reserved, are filled with this word, as
 * memory DPDK did not zero would be (hugepage files kept from an earlier
 * run, --huge-unlink=never); counted in zone_dirtied. */
static __thread uint32_t     zone_dirty;
static __thread unsigned int zone_dirtied;
/* Hold the next reservation that is not failed until zone_release is
 * posted, saying so on zone_entered. */
static __thread int          zone_hold;
static sem_t                 zone_entered, zone_release;

const struct rte_memzone *
rte_memzone_reserve_aligned(const char *name, size_t len, int socket_id,
                            unsigned int flags, unsigned int align)
{
    static const struct rte_memzone *(*real)(const char *, size_t, int,
                                             unsigned int, unsigned int);
    const struct rte_memzone *mz;

    if (zone_fail != 0) {
        if (zone_fail > 0)
            zone_fail--;
        zone_failed++;
        rte_errno = ENOMEM;
        return NULL;
    }
    if (zone_hold) {
        zone_hold = 0;
        sem_post(&zone_entered);
        while (sem_wait(&zone_release) != 0)
            ;
    }
    if (real == NULL)
        *(void **) &real = dlsym(RTLD_NEXT, "rte_memzone_reserve_aligned");
    mz = real(name, len, socket_id, flags, align);
    if (mz != NULL && zone_dirty != 0 &&
        strncmp(name, "MP_evpls", strlen("MP_evpls")) == 0) {
        uint32_t *w = mz->addr;
        size_t    i;

        for (i = 0; i < mz->len / sizeof(*w); i++)
            w[i] = zone_dirty;
        zone_dirtied++;
    }
    return mz;
}

/* ---- slab records on memory DPDK did not zero ----------------------------- */

#define DIRTY_ID 64u

/*
 * A slab pool's records made on memory that holds old bytes: a slab never
 * taken is still nobody's. The pool's mempool zones are filled with the
 * word DIRTY_ID (the zone stand-in, below), so that a record that kept
 * those bytes would read as taken ("out") by the context whose id is
 * DIRTY_ID, and the leak accounting's walk (evpl_dpdk_outstanding()) would
 * count the pool's never-taken slabs as that context's. Ids are handed out
 * one per context from 1 (this program's DPDK instance is its own) and this
 * case runs before any case that makes more than a few, so the
 * 2 * DIRTY_ID contexts it makes include the one with id DIRTY_ID. Guards
 * src/slab_pool.c's evpl_slab_obj_init(), memset(s, 0, ...), which the
 * zeroed memory of the other cases cannot tell from nothing.
 */
static void
a_slab_record_on_memory_not_zeroed_is_nobodys(void **state)
{
    struct evpl_config           cfg;
    struct evpl_dpdk_outstanding o;
    struct evpl_iovec            v;
    struct evpl                 *e, *holder;
    uint32_t                     i;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 16384;
    cfg.nb_slabs  = 6; /* a pool of 6: one taken, 5 never */
    assert_non_null(holder = evpl_create(&cfg));
    zone_dirtied = 0;
    zone_dirty   = DIRTY_ID;
    assert_int_equal(evpl_iovec_alloc(holder, 16384, 0, 1, 0, &v), 1);
    zone_dirty = 0;
    assert_true(zone_dirtied >= 1);
    assert_int_equal(evpl_test_slab_count(16384, 6).slabs, 6);
    for (i = 0; i < 2 * DIRTY_ID; i++) {
        assert_non_null(e = evpl_create(&cfg));
        assert_true(evpl_dpdk_outstanding(e, &o) >= 0);
        if (o.slabs != 0)
            fail_msg("context %u of the loop counts %" PRIu64 " slabs it "
                     "never took", i, o.slabs);
        evpl_destroy(e);
    }
    assert_true(evpl_dpdk_outstanding(holder, &o) >= 0);
    assert_int_equal(o.slabs, 1);
    evpl_iovec_release(holder, &v);
    evpl_destroy(holder);
    assert_int_equal(evpl_test_slabs_in_use(16384, 6), 0);
}

#ifndef ASAN_BUILD
void *__libc_calloc(size_t n, size_t size);

static __thread int          calloc_fail;   /* fail every call */
static __thread unsigned int calloc_failed;
/* Hold the next call until calloc_release is posted, saying so on
 * calloc_entered. */
static __thread int          calloc_hold;
static sem_t                 calloc_entered, calloc_release;

void *
calloc(size_t n, size_t size)
{
    if (calloc_fail) {
        calloc_failed++;
        errno = ENOMEM;
        return NULL;
    }
    if (calloc_hold) {
        calloc_hold = 0;
        sem_post(&calloc_entered);
        while (sem_wait(&calloc_release) != 0)
            ;
    }
    return __libc_calloc(n, size);
}

static void *
create_run(void *arg)
{
    return evpl_create(arg);
}

/*
 * Guards the unlock of src/slab_set.c's evpl_slab_set_find() when
 * calloc() of a new set fails: the context cannot be made (ENOMEM), and
 * the next context of that configuration, made on another thread so that
 * a lock left held shows as a wait rather than a hung program, is made.
 */
static void
a_set_that_cannot_be_allocated_leaves_the_sets_unlocked(void **state)
{
    struct evpl_config cfg;
    struct timespec    limit;
    struct evpl       *e;
    pthread_t          th;
    void              *got;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 64u << 10;
    cfg.nb_slabs  = 3; /* a set nobody has asked for */
    calloc_failed = 0;
    calloc_fail   = 1;
    errno         = 0;
    e             = evpl_create(&cfg);
    calloc_fail   = 0;
    assert_null(e);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(calloc_failed, 1);

    assert_int_equal(pthread_create(&th, NULL, create_run, &cfg), 0);
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &limit), 0);
    limit.tv_sec += 30;
    if (pthread_timedjoin_np(th, &got, &limit) != 0) {
        /* Every later context would wait for the lock as well. */
        fprintf(stderr, "evpl_create() still waits after 30 s: the slab "
                "sets' lock was left held\n");
        _exit(1);
    }
    assert_non_null(got);
    evpl_destroy(got);
}

struct set_maker {
    struct evpl_config *cfg;
    struct evpl        *e;
    int                 hold;
};

static void *
set_maker_run(void *arg)
{
    struct set_maker *m = arg;

    calloc_hold = m->hold;
    m->e        = evpl_create(m->cfg);
    calloc_hold = 0;
    return NULL;
}

/*
 * Guards the sets' lock of src/slab_set.c's evpl_slab_set_find(): while
 * one thread makes a configuration's set (held inside the set's calloc(),
 * the one evpl_create() makes), a second thread's evpl_create() of the
 * same configuration waits for it, rather than making a second set beside
 * it (or inserting into the list at the same time). It goes on once the
 * first is done.
 */
static void
a_set_being_made_makes_other_threads_wait(void **state)
{
    struct evpl_config cfg;
    struct set_maker   a, b;
    struct timespec    limit;
    pthread_t          ta, tb;
    int                waited;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 16u << 10;
    cfg.nb_slabs  = 2; /* a set nobody has asked for */
    a = (struct set_maker) { .cfg = &cfg, .hold = 1 };
    b = (struct set_maker) { .cfg = &cfg, .hold = 0 };
    assert_int_equal(sem_init(&calloc_entered, 0, 0), 0);
    assert_int_equal(sem_init(&calloc_release, 0, 0), 0);
    assert_int_equal(pthread_create(&ta, NULL, set_maker_run, &a), 0);
    while (sem_wait(&calloc_entered) != 0)
        ;
    assert_int_equal(pthread_create(&tb, NULL, set_maker_run, &b), 0);
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &limit), 0);
    limit.tv_sec += 1;
    waited = pthread_timedjoin_np(tb, NULL, &limit) == ETIMEDOUT;
    sem_post(&calloc_release);
    assert_int_equal(pthread_join(ta, NULL), 0);
    if (waited)
        assert_int_equal(pthread_join(tb, NULL), 0);
    assert_true(waited);
    assert_non_null(a.e);
    assert_non_null(b.e);
    evpl_destroy(a.e);
    evpl_destroy(b.e);
}
#else
static void
a_set_that_cannot_be_allocated_leaves_the_sets_unlocked(void **state)
{
    (void) state;
    skip();
}

static void
a_set_being_made_makes_other_threads_wait(void **state)
{
    (void) state;
    skip();
}
#endif

/*
 * Guards the reset of the growth warning after a growth that succeeds
 * (set->failing = 0 in src/slab_set.c's evpl_slab_set_add()): memory that
 * ran out, came back and ran out again is said twice, once each time,
 * with the slabs the set had then. Growth fails by the slab zones'
 * reservations failing (ENOMEM): first every one (halving down to one
 * slab, then the warning), then only the first of a fresh pool's (4
 * slabs), so that the halved pool of 2 is made, then every one again.
 */
struct grow_try {
    struct evpl       *e;
    struct evpl_iovec *v;
    int                r;
};

static void
grow_try(void *arg)
{
    struct grow_try *t = arg;

    t->r = evpl_iovec_alloc(t->e, 128u << 10, 0, 1, 0, t->v);
}

/* One slab into *v with the zone reservations failing as zone_fail says
 * (-1: all, n: the first n); the log it wrote, to free. */
static char *
grow_failing(struct grow_try *t, struct evpl_iovec *v, int fail)
{
    char *log;

    t->v        = v;
    zone_failed = 0;
    zone_fail   = fail;
    log         = evpl_test_captured_log(grow_try, t);
    zone_fail   = 0;
    return log;
}

static void
growth_warns_again_once_it_has_succeeded(void **state)
{
    struct evpl_config cfg;
    struct evpl_iovec  v[3];
    struct grow_try    t;
    char              *log;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 128u << 10;
    cfg.nb_slabs  = 4;
    assert_non_null(t.e = evpl_create(&cfg));

    /* Out of memory: the warning, no slab had yet. */
    log = grow_failing(&t, &v[0], -1);
    assert_int_equal(t.r, -1);
    assert_true(zone_failed >= 3); /* 4 slabs, 2, 1 */
    assert_non_null(strstr(log, "cannot grow past 0 slabs"));
    free(log);

    /* Memory for 2 slabs: the pool is made, and its slabs are taken. */
    log = grow_failing(&t, &v[0], 1);
    assert_int_equal(t.r, 1);
    assert_int_equal(zone_failed, 1);
    assert_null(strstr(log, "cannot grow"));
    free(log);
    assert_int_equal(evpl_test_slab_count(128u << 10, 4).slabs, 2);
    assert_int_equal(evpl_iovec_alloc(t.e, 128u << 10, 0, 1, 0, &v[1]), 1);

    /* Out of memory again: said again, with the 2 slabs the set has. */
    log = grow_failing(&t, &v[2], -1);
    assert_int_equal(t.r, -1);
    assert_true(zone_failed >= 2); /* 2 slabs, 1 */
    assert_non_null(strstr(log, "cannot grow past 2 slabs"));
    free(log);

    evpl_iovecs_release(t.e, v, 2);
    evpl_destroy(t.e);
    assert_int_equal(evpl_test_slabs_in_use(128u << 10, 4), 0);
}

/*
 * Guards the quiet pool maker of src/slab_pool.c's evpl_slab_pool_make():
 * growth that fails says so once, in the set's warning, not in an error
 * per pool size tried (the slab zones' reservations failing, ENOMEM).
 */
static void
failing_growth_says_so_once(void **state)
{
    struct evpl_config cfg;
    struct evpl_iovec  v;
    struct grow_try    t;
    char              *log;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 128u << 10;
    cfg.nb_slabs  = 5; /* a set nobody has asked for */
    assert_non_null(t.e = evpl_create(&cfg));
    log = grow_failing(&t, &v, -1);
    assert_int_equal(t.r, -1);
    assert_true(zone_failed >= 3); /* 5 slabs, 3, 2, 1 */
    assert_non_null(strstr(log, "cannot grow past 0 slabs"));
    assert_null(strstr(log, "cannot create pool"));
    free(log);
    evpl_destroy(t.e);
}

/*
 * Guards the rounding up of src/slab_set.c's halving ((n + 1) / 2 in
 * evpl_slab_set_add()): a step of 7 slabs that memory refuses is tried
 * again at 4, then 2, then 1, so that the pool is the largest of those
 * memory gives. With the first two reservations refused (7 and 4), the
 * pool has 2 slabs; halving that rounds down tries 7, 3 and 1, and its
 * pool would have one.
 */
static void
a_refused_step_is_halved_rounding_up(void **state)
{
    struct evpl_config cfg;
    struct evpl_iovec  v;
    struct grow_try    t;
    char              *log;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 128u << 10;
    cfg.nb_slabs  = 7; /* a set nobody has asked for: its step is 7 */
    assert_non_null(t.e = evpl_create(&cfg));
    log = grow_failing(&t, &v, 2);
    assert_int_equal(t.r, 1);
    assert_int_equal(zone_failed, 2);
    assert_null(strstr(log, "cannot grow"));
    free(log);
    assert_int_equal(evpl_test_slab_count(128u << 10, 7).pools, 1);
    assert_int_equal(evpl_test_slab_count(128u << 10, 7).slabs, 2);
    evpl_iovecs_release(t.e, &v, 1);
    evpl_destroy(t.e);
    assert_int_equal(evpl_test_slabs_in_use(128u << 10, 7), 0);
}

/*
 * Guards the set's growth lock (src/slab_set.c's evpl_slab_set_grow(),
 * pthread_mutex_lock(&set->lock)): a thread that finds the set empty
 * while another is making its next pool waits for that pool rather than
 * adding the same pool again. A (the first reservation failing, so that
 * its pool is 5 of the limit's 10 slabs) is held inside its slab zone's
 * reservation while B, on a context of the same configuration, asks for a
 * slab. Without the lock, B adds pool 0 again once A has made it (found
 * by its name): the set counts 10 slabs for the pool's 5 and is at its
 * limit, so that 5 slabs can be had where the limit gives 10.
 */
struct hold_try {
    struct grow_try t;
    int             fail, hold;
};

static void *
hold_try_run(void *arg)
{
    struct hold_try *h = arg;

    zone_fail = h->fail;
    zone_hold = h->hold;
    grow_try(&h->t);
    zone_fail = 0;
    zone_hold = 0;
    return NULL;
}

static void
growth_by_two_threads_adds_one_pool(void **state)
{
    struct evpl_config cfg;
    struct evpl_iovec  v[12];
    struct hold_try    a, b;
    struct timespec    limit;
    pthread_t          ta, tb;
    int                n, r;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 128u << 10;
    cfg.nb_slabs  = 10; /* a set nobody has asked for */
    a = (struct hold_try) { .t = { .v = &v[0] }, .fail = 1, .hold = 1 };
    b = (struct hold_try) { .t = { .v = &v[1] } };
    assert_non_null(a.t.e = evpl_create(&cfg));
    assert_non_null(b.t.e = evpl_create(&cfg));
    assert_int_equal(sem_init(&zone_entered, 0, 0), 0);
    assert_int_equal(sem_init(&zone_release, 0, 0), 0);
    assert_int_equal(pthread_create(&ta, NULL, hold_try_run, &a), 0);
    /* A growth that never reserves its zone fails here, not hangs. */
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &limit), 0);
    limit.tv_sec += 30;
    while ((r = sem_timedwait(&zone_entered, &limit)) != 0 && errno == EINTR)
        ;
    if (r != 0)
        fail_msg("A made no slab zone reservation within 30 s");
    assert_int_equal(pthread_create(&tb, NULL, hold_try_run, &b), 0);
    /* Time for B to reach the set, where it waits in either case. */
    rte_delay_us_sleep(200 * 1000);
    sem_post(&zone_release);
    assert_int_equal(pthread_join(ta, NULL), 0);
    assert_int_equal(pthread_join(tb, NULL), 0);
    assert_int_equal(a.t.r, 1);
    assert_int_equal(b.t.r, 1);
    assert_int_equal(evpl_test_slab_count(128u << 10, 10).pools, 1);
    assert_int_equal(evpl_test_slab_count(128u << 10, 10).slabs, 5);

    for (n = 2; n < 12 && evpl_iovec_alloc(a.t.e, 128u << 10, 0, 1, 0,
                                            &v[n]) == 1; n++)
        ;
    assert_int_equal(n, 10);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(evpl_test_slab_count(128u << 10, 10).pools, 2);
    evpl_iovecs_release(a.t.e, v, n);
    evpl_destroy(a.t.e);
    evpl_destroy(b.t.e);
    assert_int_equal(evpl_test_slabs_in_use(128u << 10, 10), 0);
}

/*
 * A context's slabs in every pool of its set count in its outstanding
 * slabs: 8 slabs taken from two pools of 4 (the first reservation failing,
 * so that the first pool is half the step), all 8 counted while held, none
 * once released. Guards the walk over a set's pools (src/slab_set.c's
 * evpl_slab_set_foreach_pool()): stopping after the first pool counts 4.
 */
static void
outstanding_counts_the_slabs_of_every_pool(void **state)
{
    struct evpl_config           cfg;
    struct evpl_dpdk_outstanding o;
    struct evpl_iovec            v[8];
    struct grow_try              t;
    char                        *log;
    int                          n;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 128u << 10;
    cfg.nb_slabs  = 8; /* a set nobody has asked for */
    assert_non_null(t.e = evpl_create(&cfg));
    log = grow_failing(&t, &v[0], 1);
    free(log);
    assert_int_equal(t.r, 1);
    for (n = 1; n < 8; n++)
        assert_int_equal(evpl_iovec_alloc(t.e, 128u << 10, 0, 1, 0, &v[n]),
                         1);
    assert_int_equal(evpl_test_slab_count(128u << 10, 8).pools, 2);
    assert_int_equal(evpl_test_slab_count(128u << 10, 8).slabs, 8);
    assert_true(evpl_dpdk_outstanding(t.e, &o) >= 0);
    assert_int_equal(o.slabs, 8);
    assert_int_equal(o.slab_refs, 8);
    evpl_iovecs_release(t.e, v, 8);
    assert_true(evpl_dpdk_outstanding(t.e, &o) >= 0);
    assert_int_equal(o.slabs, 0);
    evpl_destroy(t.e);
    assert_int_equal(evpl_test_slabs_in_use(128u << 10, 8), 0);
}

/*
 * A slab pool whose mempool cannot be made because its name is taken
 * (here by a memzone of the name DPDK gives the mempool's own) while its
 * slab zone could be reserved fails at once with ENOMEM: not EEXIST,
 * which would make evpl_pool_get_or_create() wait 10 s for a pool that
 * nobody is making (EAGAIN). Once the name is free, the pool is made:
 * the failed tries left nothing behind. Guards the EEXIST-to-ENOMEM
 * mapping of src/slab_pool.c's evpl_slab_pool_create() and its restore
 * of rte_errno after freeing the zone.
 */
static void
a_slab_pool_whose_name_is_taken_fails_at_once(void **state)
{
    const struct rte_memzone *block;
    struct evpl_config        cfg;
    struct evpl_iovec         v;
    struct evpl              *e;
    char                      pool[RTE_MEMPOOL_NAMESIZE];
    char                      mz[RTE_MEMZONE_NAMESIZE];

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 64u << 10;
    cfg.nb_slabs  = 2; /* a set nobody has asked for */
    snprintf(pool, sizeof(pool), EVPL_DPDK_SLAB_POOL_FORMAT,
             (int) rte_socket_id(), rte_log2_u32(cfg.slab_size),
             cfg.nb_slabs, 0u);
    snprintf(mz, sizeof(mz), RTE_MEMPOOL_MZ_FORMAT, pool);
    assert_non_null(block = rte_memzone_reserve(mz, 64, SOCKET_ID_ANY, 0));
    assert_non_null(e = evpl_create(&cfg));
    errno = 0;
    assert_int_equal(evpl_iovec_alloc_global(e, &v), -1);
    assert_int_equal(errno, ENOMEM);
    assert_null(evpl_test_slab_pool(cfg.slab_size, cfg.nb_slabs, 0));
    assert_int_equal(rte_memzone_free(block), 0);
    assert_int_equal(evpl_iovec_alloc_global(e, &v), 1);
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
}

/*
 * Guards the scan of every pool from pool 0 in src/slab_set.c's
 * evpl_slab_set_scan(): a set of two pools at its limit whose hinted pool
 * (the last that gave a slab) is empty finds the slab given back to pool
 * 0, rather than failing (ENOMEM) as if the set were used up. The first
 * pool is made of half the limit by failing its first zone reservation.
 */
static void
a_slab_back_in_the_first_pool_is_found(void **state)
{
    struct evpl_config cfg;
    struct evpl_iovec  g[6];
    struct evpl       *e;
    int                i;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 128u << 10;
    cfg.nb_slabs  = 6; /* a set nobody has asked for */
    assert_non_null(e = evpl_create(&cfg));
    zone_failed = 0;
    zone_fail   = 1;
    i           = evpl_iovec_alloc_global(e, &g[0]);
    zone_fail   = 0;
    assert_int_equal(i, 1);
    assert_int_equal(zone_failed, 1);
    for (i = 1; i < 6; i++)
        assert_int_equal(evpl_iovec_alloc_global(e, &g[i]), 1);
    assert_int_equal(evpl_test_slab_pool(128u << 10, 6, 0)->size, 3);
    assert_int_equal(evpl_test_slab_pool(128u << 10, 6, 1)->size, 3);
    evpl_iovec_release(e, &g[0]);
    assert_int_equal(evpl_iovec_alloc_global(e, &g[0]), 1);
    evpl_iovecs_release(e, g, 6);
    evpl_destroy(e);
}

/* ---- a first pool that cannot be completed ---------------------------- */

/*
 * Guards: every failure of a slab pool's making frees what it took (the
 * slab zone stayed when the mempool could not be made, about 205 MB in
 * the report). The memzone table is filled so that only k entries are
 * left, k = 0, 1, 2...: the first slab request of a fresh set fails at
 * the k-th memzone its pool needs (the zone, the mempool's own, the
 * marker that publishes it), until k is enough. Each failure is ENOMEM,
 * with the memzones and the heap exactly as before the call.
 */
static void
first_pool_failing_at_every_step_leaves_nothing(void **state)
{
    struct evpl_config cfg;
    const struct rte_memzone **fill;
    struct evpl_iovec  v;
    struct evpl       *e;
    unsigned int       k, nfill, i, before;
    size_t             heap;
    char               name[RTE_MEMZONE_NAMESIZE];
    int                r = -1;

    (void) state;
    assert_non_null(fill = calloc(RTE_MAX_MEMZONE, sizeof(*fill)));
    for (k = 0; k < 16 && r != 1; k++) {
        /* A set of its own each time, of 4 slabs of 64 KiB. */
        memset(&cfg, 0, sizeof(cfg));
        cfg.slab_size = 64u << 10;
        cfg.nb_slabs  = 4 + k;
        assert_non_null(e = evpl_create(&cfg));
        for (nfill = 0; memzones_used() < RTE_MAX_MEMZONE - k; nfill++) {
            snprintf(name, sizeof(name), "grow_fill%u", nfill);
            assert_non_null(fill[nfill] = rte_memzone_reserve(
                                name, 64, SOCKET_ID_ANY, 0));
        }
        before = memzones_used();
        heap   = heap_allocated();
        errno  = 0;
        r      = evpl_iovec_alloc(e, 64u << 10, 0, 1, 0, &v);
        if (r == 1) {
            evpl_iovec_release(e, &v);
        } else {
            assert_int_equal(r, -1);
            assert_int_equal(errno, ENOMEM);
            assert_int_equal(memzones_used(), before);
            assert_int_equal(heap_allocated(), heap);
            assert_null(evpl_test_slab_pool(64u << 10, 4 + k, 0));
        }
        for (i = 0; i < nfill; i++)
            rte_memzone_free(fill[i]);
        evpl_destroy(e);
    }
    /* The zone, the mempool's memzones and the marker: several steps
     * failed before one was enough. */
    assert_int_equal(r, 1);
    assert_true(k >= 4);
    free(fill);
}

/* ---- concurrent growth ------------------------------------------------ */

#define GROW_SLAB    (1u << 20) /* 32 slabs a pool */
#define GROW_LIMIT   1000u      /* a set of its own */
#define GROW_THREADS 4          /* the main lcore, a worker, two pthreads */
#define GROW_EACH    12         /* 48 slabs: 2 pools */

struct grower {
    pthread_barrier_t *go;
    struct evpl_iovec  v[GROW_EACH];
    int                got;
};

/* Whole slabs, as fast as it can, once every thread is ready. */
static int
grow_run(void *arg)
{
    struct grower     *g = arg;
    struct evpl_config cfg;
    struct evpl       *e;

    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = GROW_SLAB;
    cfg.nb_slabs  = GROW_LIMIT;
    e = evpl_create(&cfg);
    pthread_barrier_wait(g->go);
    if (e == NULL)
        return -1;
    for (g->got = 0; g->got < GROW_EACH; g->got++)
        if (evpl_iovec_alloc(e, GROW_SLAB, 0, 1, EVPL_IOVEC_FLAG_SHARED,
                             &g->v[g->got]) != 1)
            break;
    evpl_destroy(e);
    return 0;
}

static void *
grow_thread(void *arg)
{
    (void) grow_run(arg);
    return NULL;
}

static int
ptr_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *) a, *y = *(const char *const *) b;

    return x < y ? -1 : x > y;
}

/* Guards: growth under the set's lock, pools published once complete.
 * Threads that find the set empty at once grow it by one pool, not one
 * each, and no slab is handed out twice. */
static void
lcores_and_threads_grow_one_set_at_once(void **state)
{
    static struct grower     g[GROW_THREADS];
    static const char       *seen[GROW_THREADS * GROW_EACH];
    struct evpl_test_slab_count c;
    pthread_barrier_t        go;
    pthread_t                th[2];
    unsigned int             worker = rte_get_next_lcore(-1, 1, 0), n = 0;
    int                      i, j;

    (void) state;
    if (worker >= RTE_MAX_LCORE)
        skip();
    assert_int_equal(pthread_barrier_init(&go, NULL, GROW_THREADS), 0);
    for (i = 0; i < GROW_THREADS; i++)
        g[i].go = &go;
    assert_int_equal(rte_eal_remote_launch(grow_run, &g[1], worker), 0);
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, grow_thread,
                                        &g[2 + i]), 0);
    assert_int_equal(grow_run(&g[0]), 0);
    assert_int_equal(rte_eal_wait_lcore(worker), 0);
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&go);

    for (i = 0; i < GROW_THREADS; i++) {
        assert_int_equal(g[i].got, GROW_EACH);
        for (j = 0; j < GROW_EACH; j++)
            seen[n++] = g[i].v[j].data;
    }
    qsort(seen, n, sizeof(seen[0]), ptr_cmp);
    for (j = 1; j < (int) n; j++)
        assert_true(seen[j - 1] + GROW_SLAB <= seen[j]);
    c = evpl_test_slab_count(GROW_SLAB, GROW_LIMIT);
    assert_int_equal(c.pools, 2);
    assert_int_equal(c.slabs - c.free, n);
    for (i = 0; i < GROW_THREADS; i++)
        evpl_iovecs_release(NULL, g[i].v, GROW_EACH);
    assert_int_equal(evpl_test_slabs_in_use(GROW_SLAB, GROW_LIMIT), 0);
}

/* ---- libevpl's RPC messages ------------------------------------------- */

#define MSGS    4000
#define MSG_LEN (64u << 10)

/*
 * Guards: slab memory grows. libevpl's RPC code reserves 128 KiB for every
 * message it encodes, writes it, shortens it and commits; with 16 slabs
 * of 2 MiB reservation failed at about 480 messages of 64 KiB in flight,
 * and generated code that does not check the reservation crashed. 4,000
 * such messages (250 MiB) on evpl_create(NULL), each checked, all
 * released, every slab back in its pool.
 */
static void
libevpl_rpc_messages_in_flight(void **state)
{
    static struct evpl_iovec msg[MSGS];
    struct evpl             *e = evpl_create(NULL);
    unsigned int             i, before;

    (void) state;
    assert_non_null(e);
    before = evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                                    EVPL_DPDK_DEFAULT_NB_SLABS);
    for (i = 0; i < MSGS; i++) {
        if (evpl_iovec_reserve(e, 128u << 10, 8, 1, &msg[i]) != 1)
            fail_msg("message %u: reserve failed: %s", i, strerror(errno));
        evpl_test_fill(msg[i].data, MSG_LEN, i);
        evpl_iovec_set_length(&msg[i], MSG_LEN);
        evpl_iovec_commit(e, 8, &msg[i], 1);
    }
    for (i = 0; i < MSGS; i++)
        assert_true(evpl_test_check(msg[i].data, msg[i].length, i));
    evpl_iovecs_release(e, msg, MSGS);
    evpl_destroy(e);
    assert_int_equal(evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                                            EVPL_DPDK_DEFAULT_NB_SLABS),
                     before);
}

/* ---- memory runs out -------------------------------------------------- */

#define OUT_SLAB  EVPL_DPDK_DEFAULT_SLAB_SIZE
#define OUT_LIMIT EVPL_DPDK_DEFAULT_NB_SLABS

/*
 * Guards: exhaustion only once growth fails, and then cleanly. Whole slabs
 * of the default set (its pools hold the libevpl case's slabs, free
 * again) until the capped memory has none to give: past the slabs the set
 * had, so it grew; the failing call is ENOMEM, takes nothing (the set's
 * slabs in use, the memzones and the heap are as before it), says so in
 * the log once, and a released slab is taken again.
 */
struct drain {
    struct evpl       *e;
    struct evpl_iovec  v[MEMORY_MB / 2];
    unsigned int       n;
    int                err;
};

static void
drain(void *arg)
{
    struct drain *d = arg;

    for (d->n = 0; d->n < RTE_DIM(d->v); d->n++)
        if (evpl_iovec_alloc_global(d->e, &d->v[d->n]) != 1)
            break;
    d->err = errno;
}

static void
growth_fails_cleanly_when_memory_runs_out(void **state)
{
    static struct drain         d;
    struct evpl_iovec          *v = d.v;
    struct evpl_test_slab_count had;
    struct evpl                *e;
    unsigned int                n, zones;
    size_t                      heap;
    char                       *log;
    int                         r;

    (void) state;
    assert_non_null(e = d.e = evpl_create(NULL));
    had = evpl_test_slab_count(OUT_SLAB, OUT_LIMIT);
    log = evpl_test_captured_log(drain, &d);
    n   = d.n;
    assert_int_equal(d.err, ENOMEM);
    assert_non_null(strstr(log, "cannot grow past"));
    free(log);
    assert_true(n > had.free && n < RTE_DIM(d.v));
    assert_true(evpl_test_slab_count(OUT_SLAB, OUT_LIMIT).pools > had.pools);
    zones = memzones_used();
    heap  = heap_allocated();
    errno = 0;
    log = evpl_test_captured_log(drain, &(struct drain) { .e = e });
    assert_null(strstr(log, "cannot grow past"));
    free(log);
    r = evpl_iovec_alloc(e, OUT_SLAB, 0, 1, 0, &v[n]);
    assert_int_equal(r, -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(evpl_test_slabs_in_use(OUT_SLAB, OUT_LIMIT),
                     had.slabs - had.free + n);
    assert_int_equal(memzones_used(), zones);
    assert_int_equal(heap_allocated(), heap);

    evpl_iovec_release(e, &v[n - 1]);
    assert_int_equal(evpl_iovec_alloc_global(e, &v[n - 1]), 1);
    evpl_iovecs_release(e, v, (int) n);
    evpl_destroy(e);
    assert_int_equal(evpl_test_slabs_in_use(OUT_SLAB, OUT_LIMIT),
                     had.slabs - had.free);
}

/*
 * With memory used up (by the case before: its pools stay), a set whose
 * step of growth is already one slab (a limit of 1) fails at once with
 * ENOMEM. Guards the "n == 1" that ends the halving in src/slab_set.c's
 * evpl_slab_set_add(): halving 1 gives 1 again, so without the stop the
 * pool is tried forever.
 */
static void
a_one_slab_step_fails_at_once_when_memory_is_out(void **state)
{
    struct evpl_config cfg;
    struct evpl       *e;
    struct evpl_iovec  v;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_slabs = 1;
    assert_non_null(e = evpl_create(&cfg));
    errno = 0;
    assert_int_equal(evpl_iovec_alloc_global(e, &v), -1);
    assert_int_equal(errno, ENOMEM);
    evpl_destroy(e);
}

/*
 * A limit between two growth steps: with 2 MiB slabs a step is 16 slabs
 * (32 MiB), so a limit of 17 makes a pool of 16, then one of the 1 slab
 * the limit leaves: exactly 17 slabs can be taken, the next is ENOMEM.
 * Guards evpl_slab_set_step()'s cap at what the limit leaves
 * (src/slab_set.c; without it the second pool is 16 slabs, 32 in all).
 */
static void
a_limit_between_two_steps_cuts_the_last_pool(void **state)
{
    struct evpl_config cfg;
    struct evpl_iovec  v[33];
    struct evpl       *e;
    int                n;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 2u << 20;
    cfg.nb_slabs  = 17;
    assert_non_null(e = evpl_create(&cfg));
    for (n = 0; n < 33 && evpl_iovec_alloc_global(e, &v[n]) == 1; n++)
        ;
    assert_int_equal(n, 17);
    assert_int_equal(errno, ENOMEM);
    evpl_iovecs_release(e, v, n);
    evpl_destroy(e);
}

static const struct CMUnitTest cases[] = {
    /* First: before the other cases' sets hold the memory it needs. */
    cmocka_unit_test(a_limit_between_two_steps_cuts_the_last_pool),
    /* Early: its window of context ids starts from the first. */
    cmocka_unit_test(a_slab_record_on_memory_not_zeroed_is_nobodys),
    cmocka_unit_test(a_context_id_of_ones_counts_no_slab_it_never_took),
    cmocka_unit_test(contexts_of_one_configuration_share_one_set),
    cmocka_unit_test(a_set_that_cannot_be_allocated_leaves_the_sets_unlocked),
    cmocka_unit_test(a_set_being_made_makes_other_threads_wait),
    cmocka_unit_test(growth_warns_again_once_it_has_succeeded),
    cmocka_unit_test(failing_growth_says_so_once),
    cmocka_unit_test(a_refused_step_is_halved_rounding_up),
    cmocka_unit_test(growth_by_two_threads_adds_one_pool),
    cmocka_unit_test(outstanding_counts_the_slabs_of_every_pool),
    cmocka_unit_test(a_slab_pool_whose_name_is_taken_fails_at_once),
    cmocka_unit_test(a_slab_back_in_the_first_pool_is_found),
    cmocka_unit_test(first_pool_failing_at_every_step_leaves_nothing),
    cmocka_unit_test(lcores_and_threads_grow_one_set_at_once),
    cmocka_unit_test(libevpl_rpc_messages_in_flight),
    cmocka_unit_test(growth_fails_cleanly_when_memory_runs_out),
    cmocka_unit_test(a_one_slab_step_fails_at_once_when_memory_is_out),
};

/* MEMORY_MB of DPDK memory in either mode; on hugepages, that many are
 * the program's need. */
EVPL_TEST_MAIN("slab_grow", cases,
               .eal.args = EVPL_TEST_LIST("--socket-limit="
                                          RTE_STR(MEMORY_MB)),
               .eal.nohuge_mb = RTE_STR(MEMORY_MB),
               .eal.hugepages = MEMORY_MB / 2)
