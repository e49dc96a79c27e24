/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Leak accounting: evpl_dpdk_outstanding() and the report evpl_destroy()
 * writes through rte_log. Built in every build: trace builds count each
 * context's own mbufs exactly and name where they were allocated; other
 * builds count the pool. Each case checks the scope it is given and what
 * the counts must be in it.
 */

#define _GNU_SOURCE /* dladdr() */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "common.h"

#ifdef EVPL_IOVEC_TRACE
#define SCOPE EVPL_DPDK_OUTSTANDING_CONTEXT
#else
#define SCOPE EVPL_DPDK_OUTSTANDING_POOL
#endif

/* Assert the counts; refs is what a trace build must see (the pool scope
 * has one per mbuf). */
#define assert_outstanding(evpl, want_mbufs, want_refs) \
    do { \
        struct evpl_dpdk_outstanding o_; \
        assert_int_equal(evpl_dpdk_outstanding(evpl, &o_), SCOPE); \
        assert_int_equal(o_.mbufs, want_mbufs); \
        assert_int_equal(o_.refs, SCOPE == EVPL_DPDK_OUTSTANDING_CONTEXT ? \
                         (want_refs) : (want_mbufs)); \
    } while (0)

static void
bad_arguments(void **state)
{
    struct evpl_dpdk_outstanding o;

    errno = 0;
    assert_int_equal(evpl_dpdk_outstanding(NULL, &o), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(evpl_dpdk_outstanding(ctx_of(state), NULL), -1);
    assert_int_equal(errno, EINVAL);
}

static void
alloc_and_clone(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[8], c;
    int               n;

    assert_outstanding(evpl, 0, 0);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v[0]), 1);
    assert_outstanding(evpl, 1, 1);
    evpl_iovec_clone(&c, &v[0]);
    assert_outstanding(evpl, 1, 2);
    n = evpl_iovec_alloc(evpl, 20000, 0, 7, EVPL_IOVEC_FLAG_SHARED, &v[1]);
    assert_int_equal(n, 3);
    assert_outstanding(evpl, 4, 5);
    evpl_iovec_release(evpl, &v[0]);
    assert_outstanding(evpl, 4, 4);
    evpl_iovecs_release(evpl, &v[1], n);
    assert_outstanding(evpl, 1, 1);
    evpl_iovec_release(evpl, &c);
    assert_outstanding(evpl, 0, 0);
}

static void
reservations_not_the_carve_segment(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, b;

    /* Two reservations of the same place: one segment, two references;
     * the context's own reference on it is not counted. */
    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &a), 1);
    assert_int_equal(evpl_iovec_reserve(evpl, 100, 0, 1, &b), 1);
    assert_outstanding(evpl, 1, 2);
    evpl_iovec_commit(evpl, 0, &b, 1);
    evpl_iovec_release(evpl, &a);
    assert_outstanding(evpl, 1, 1);
    evpl_iovec_release(evpl, &b);
    /* The context still carves that segment; nothing is outstanding. */
    assert_int_equal(rte_mempool_in_use_count(evpl_mempool(evpl)), 1);
    assert_outstanding(evpl, 0, 0);
}

static void
chains_hold_references_until_freed(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v;
    struct rte_mbuf  *m;

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v), 1);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
    assert_non_null(m);
    assert_outstanding(evpl, 1, 2);     /* the iovec's and the chain's */
    evpl_iovec_release(evpl, &v);
    assert_outstanding(evpl, 1, 1);     /* e.g. waiting in a TX queue */
    rte_pktmbuf_free(m);
    assert_outstanding(evpl, 0, 0);

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v), 1);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_outstanding(evpl, 1, 1);
    rte_pktmbuf_free(m);
    assert_outstanding(evpl, 0, 0);
}

static void *
release_elsewhere(void *arg)
{
    struct evpl_iovec *v = arg;

    evpl_iovec_release(NULL, v);
    return NULL;
}

static void
shared_released_on_another_thread(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec a, c;
    pthread_t         th;

    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &a), 1);
    evpl_iovec_clone(&c, &a);
    assert_outstanding(evpl, 1, 2);
    assert_int_equal(pthread_create(&th, NULL, release_elsewhere, &c), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_outstanding(evpl, 1, 1);
    assert_int_equal(pthread_create(&th, NULL, release_elsewhere, &a), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_outstanding(evpl, 0, 0);
}

static void
other_contexts_mbufs(void **state)
{
    struct evpl                 *evpl  = ctx_of(state);
    struct evpl                 *other = evpl_create(NULL);
    struct evpl_dpdk_outstanding o;
    struct evpl_iovec            v[2];

    assert_non_null(other);
    assert_int_equal(evpl_iovec_alloc(other, 100, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(other, 100, 0, 1, 0, &v[1]), 1);
    assert_int_equal(evpl_dpdk_outstanding(evpl, &o), SCOPE);
    /* Exact: not this context's. Pool-wide: every holder's. */
    assert_int_equal(o.mbufs, SCOPE == EVPL_DPDK_OUTSTANDING_CONTEXT ? 0 : 2);
    assert_outstanding(other, 2, 2);
    /* Released through this context, still the other's mbufs. */
    evpl_iovecs_release(evpl, v, 2);
    assert_outstanding(other, 0, 0);
    evpl_destroy(other);
}

static void
application_pool_is_counted_whole(void **state)
{
    struct evpl_dpdk_outstanding o;
    struct rte_mempool          *mp;
    struct evpl                 *e;
    struct evpl_iovec            v;
    struct rte_mbuf             *m;

    (void) state;
    e = evpl_test_ctx_on_own_pool("leak_app", 63, NULL, &mp);

    /* The library cannot see inside a pool it did not create: the counts
     * are the pool's, an mbuf the application took itself included. */
    m = rte_pktmbuf_alloc(mp);
    assert_non_null(m);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &v), 1);
    assert_int_equal(evpl_dpdk_outstanding(e, &o),
                     EVPL_DPDK_OUTSTANDING_POOL);
    assert_int_equal(o.mbufs, 2);
    assert_int_equal(o.refs, 2);
    rte_pktmbuf_free(m);
    evpl_iovec_release(e, &v);
    assert_int_equal(evpl_dpdk_outstanding(e, &o),
                     EVPL_DPDK_OUTSTANDING_POOL);
    assert_int_equal(o.mbufs, 0);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* ---- the report at destroy -------------------------------------------- */

/* Where the report must say the leaked mbuf came from. */
static __attribute__((noinline)) int
leaky_alloc(struct evpl *e, struct evpl_iovec *v)
{
    int n = evpl_iovec_alloc(e, 100, 0, 1, 0, v);

    __asm__ volatile ("" ::: "memory"); /* not a tail call */
    return n;
}

/* What the library logs while fn runs, its INFO lines included: a report
 * must stand out even then, and a clean destroy say nothing of leaks. */
static char *
captured_log(void (*fn)(void *), void *arg)
{
    char *out;

    assert_int_equal(rte_log_set_level_pattern("evpl", RTE_LOG_INFO), 0);
    out = evpl_test_captured_log(fn, arg);
    rte_log_set_level_pattern("evpl", RTE_LOG_NOTICE);
    return out;
}

struct leak_run {
    struct evpl_iovec v, c;
    int               leak;
};

static void
create_leak_destroy(void *arg)
{
    struct leak_run *r = arg;
    struct evpl     *e = evpl_create(NULL);

    assert_non_null(e);
    assert_int_equal(leaky_alloc(e, &r->v), 1);
    evpl_iovec_clone(&r->c, &r->v);
    if (!r->leak) {
        evpl_iovec_release(e, &r->v);
        evpl_iovec_release(e, &r->c);
    }
    evpl_destroy(e);
}

#ifdef EVPL_IOVEC_TRACE
/* The report's site lies inside leaky_alloc(): either its name (an
 * executable linked with -rdynamic) or an offset into this executable. */
static void
assert_site_is_leaky_alloc(const char *log)
{
    const char *at = strstr(log, "allocated at ");
    Dl_info     dl;
    uintptr_t   off, lo;

    assert_non_null(at);
    at += strlen("allocated at ");
    if (strncmp(at, "leaky_alloc+0x", 14) == 0)
        return;
    assert_true(dladdr((void *) leaky_alloc, &dl) != 0);
    assert_non_null(strstr(at, dl.dli_fname));
    at = strstr(at, "+0x");
    assert_non_null(at);
    off = (uintptr_t) strtoull(at + 3, NULL, 16);
    lo  = (uintptr_t) leaky_alloc - (uintptr_t) dl.dli_fbase;
    if (off <= lo || off >= lo + 256)
        fail_msg("site offset 0x%lx is not inside leaky_alloc (0x%lx)",
                 (unsigned long) off, (unsigned long) lo);
}
#endif

static void
destroy_reports_what_is_referenced(void **state)
{
    struct leak_run r = { .leak = 1 };
    char           *log;

    (void) state;
    log = captured_log(create_leak_destroy, &r);
#ifdef EVPL_IOVEC_TRACE
    assert_non_null(strstr(log, "1 mbufs (2 references) it handed out are "
                                "still referenced"));
    assert_non_null(strstr(log, "1 mbufs (2 references) allocated at "));
    assert_site_is_leaky_alloc(log);
#else
    assert_non_null(strstr(log, "has 1 mbufs in use"));
#endif
    free(log);
    /* Reported, not taken: the iovecs are still good. */
    assert_int_equal(evpl_iovec_length(&r.v), 100);
    evpl_iovec_release(NULL, &r.v);
    evpl_iovec_release(NULL, &r.c);
}

static void
destroy_is_quiet_when_clean(void **state)
{
    struct leak_run r = { .leak = 0 };
    char           *log;

    (void) state;
    log = captured_log(create_leak_destroy, &r);
    assert_null(strstr(log, "referenced"));
    assert_null(strstr(log, "in use"));
    free(log);
}

static const struct CMUnitTest cases[] = {
    CASE(bad_arguments),
    CASE(alloc_and_clone),
    CASE(reservations_not_the_carve_segment),
    CASE(chains_hold_references_until_freed),
    CASE(shared_released_on_another_thread),
    CASE(other_contexts_mbufs),
    CASE(application_pool_is_counted_whole),
    CASE(destroy_reports_what_is_referenced),
    CASE(destroy_is_quiet_when_clean),
};

EVPL_TEST_MAIN("leak", cases)
