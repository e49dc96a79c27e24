/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Bad input, function by function: every row of docs/bad-input.md is a
 * row of the table below, and each row is a test case proving what the
 * row says. "test_bad_input table" prints the table as docs/bad-input.md
 * has it (tests/check_bad_input_doc.sh keeps the two the same).
 *
 * Rows marked trace describe trace builds; elsewhere that input is
 * undefined behaviour and the case is skipped. Every case ends with the
 * pool as it found it.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "common.h"

/* What a row's test gets: a context on the default pool, the port. */
struct bad {
    struct evpl *evpl;
};

struct row {
    const char *fn;    /* the public function */
    const char *arg;   /* the bad argument */
    const char *does;  /* what the library does */
    int         trace; /* 1: trace builds only */
    void      (*test)(struct bad *b);
};

static uint16_t ring_port, null_port;
/* A port of its own for the case that reconfigures it. */
static uint16_t reconf_port;
/* The context a death test without one of its own uses. */
static struct evpl *evpl_test_ctx_any;
static int      pre_eal_create_errno = -1;

/* ---- helpers ------------------------------------------------------- */

#define assert_fails(call, err) \
    do { \
        errno = 0; \
        assert_int_equal((call), -1); \
        assert_int_equal(errno, err); \
    } while (0)

#define assert_null_errno(call, err) \
    do { \
        errno = 0; \
        assert_null(call); \
        assert_int_equal(errno, err); \
    } while (0)

static struct rte_mempool *
small_pool(const char *name, unsigned int n, unsigned int room)
{
    struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, 0, 0,
                                                     (uint16_t) room,
                                                     SOCKET_ID_ANY);

    assert_non_null(mp);
    return mp;
}

static struct evpl *
ctx_on(struct rte_mempool *mp)
{
    struct evpl_config cfg;
    struct evpl       *e;

    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = mp;
    e        = evpl_create(&cfg);
    assert_non_null(e);
    return e;
}

static void
done_with(struct evpl *e, struct rte_mempool *mp)
{
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* A one-segment packet waiting on the loopback's receive queue. */
static void
queue_packet(struct evpl *evpl, unsigned int len)
{
    struct evpl_iovec    v;
    struct evpl_dpdk_pkt p = { &v, 1 };

    assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &v), 1);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
}

static void
drain_port(struct evpl *evpl)
{
    struct evpl_iovec    iov[64];
    struct evpl_dpdk_pkt p[8];
    int                  n, k;

    while ((n = evpl_dpdk_rx_burst(evpl, ring_port, 0, p, 8, iov, 64)) > 0)
        for (k = 0; k < n; k++)
            evpl_iovecs_release(evpl, p[k].iov, p[k].niov);
}

/* The call dies with SIGABRT and a message naming it (and the iovec). */
struct death {
    struct bad        *b;
    struct evpl_iovec *iov;
    void             (*op)(struct death *d);
};

static void
run_death(void *arg)
{
    struct death *d = arg;

    d->op(d);
}

static void
assert_aborts(struct death *d, const char *call, const char *what)
{
    char expect[256];

    if (d->iov != NULL)
        snprintf(expect, sizeof(expect), "evpl: %s: %s (iovec %p", call,
                 what, (void *) d->iov);
    else
        snprintf(expect, sizeof(expect), "evpl: %s: %s", call, what);
    assert_true(evpl_test_dies(run_death, d, expect));
}

/* ---- contexts ------------------------------------------------------ */

static void
create_before_eal(struct bad *b)
{
    (void) b;
    /* Tried in main() before rte_eal_init(). */
    assert_int_equal(pre_eal_create_errno, EINVAL);
}

static void
create_not_pktmbuf_pool(struct bad *b)
{
    struct rte_mempool *plain;
    struct evpl_config  cfg;

    (void) b;
    plain = rte_mempool_create("bad_plain", 63, 64, 0, 0, NULL, NULL, NULL,
                               NULL, SOCKET_ID_ANY, 0);
    assert_non_null(plain);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = plain;
    assert_null_errno(evpl_create(&cfg), EINVAL);
    rte_mempool_free(plain);
}

static void
create_segment_too_large(struct bad *b)
{
    struct evpl_config cfg;

    (void) b;
    memset(&cfg, 0, sizeof(cfg));
    cfg.segment_size = UINT16_MAX - RTE_PKTMBUF_HEADROOM + 1;
    assert_null_errno(evpl_create(&cfg), EINVAL);
    cfg.segment_size = UINT_MAX;
    assert_null_errno(evpl_create(&cfg), EINVAL);
}

static void
create_nb_mbufs_too_large(struct bad *b)
{
    struct evpl_config cfg;

    (void) b;
    /* DPDK itself crashed on these (its ring size overflows). */
    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_mbufs = 1u << 30;
    assert_null_errno(evpl_create(&cfg), EINVAL);
    cfg.nb_mbufs = 1u << 31;
    assert_null_errno(evpl_create(&cfg), EINVAL);
    cfg.nb_mbufs = UINT_MAX;
    assert_null_errno(evpl_create(&cfg), EINVAL);
}

static void
create_bad_slab_config(struct bad *b)
{
    static const unsigned int sizes[] = { 1, 4095, 3u << 20, 1u << 31,
                                          UINT_MAX };
    struct evpl_config cfg;
    size_t             i;

    (void) b;
    memset(&cfg, 0, sizeof(cfg));
    for (i = 0; i < RTE_DIM(sizes); i++) {
        cfg.slab_size = sizes[i];
        assert_null_errno(evpl_create(&cfg), EINVAL);
    }
    cfg.slab_size = 0;
    cfg.nb_slabs  = 1u << 30;
    assert_null_errno(evpl_create(&cfg), EINVAL);
    cfg.nb_slabs  = UINT_MAX;
    assert_null_errno(evpl_create(&cfg), EINVAL);
}

static void
slab_limit_too_large(struct bad *b)
{
    unsigned int before = evpl_dpdk_slab_limit_get();

    (void) b;
    assert_fails(evpl_dpdk_slab_limit_set(1u << 30), EINVAL);
    assert_fails(evpl_dpdk_slab_limit_set(UINT_MAX), EINVAL);
    assert_int_equal(evpl_dpdk_slab_limit_get(), before);
}

static void
create_nb_mbufs_beyond_memory(struct bad *b)
{
    struct evpl_config cfg;

    (void) b;
    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_mbufs = (1u << 30) - 1;
    assert_null_errno(evpl_create(&cfg), ENOMEM);
}

static void
create_tiny_segments(struct bad *b)
{
    struct evpl_config cfg;
    struct evpl_iovec  v[8];
    struct evpl       *e;
    int                n;

    struct rte_mempool *mp;

    (void) b;
    /* One-byte segments in a pool of seven are odd, not wrong. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.segment_size = 1;
    cfg.nb_mbufs     = 7;
    e                = evpl_create(&cfg);
    assert_non_null(e);
    mp = evpl_mempool(e);
    n  = evpl_iovec_alloc(e, 200, 0, 8, 0, v);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].length + v[1].length, 200);
    evpl_iovecs_release(e, v, n);
    /* More than eight such segments: one slab iovec. */
    assert_int_equal(evpl_iovec_alloc(e, 10000, 0, 8, 0, v), 1);
    assert_int_equal(v[0].length, 10000);
    evpl_iovec_release(e, v);
    evpl_destroy(e);
    evpl_test_assert_pool_full(mp);
}

static void
create_huge_tx_copy_max(struct bad *b)
{
    struct evpl_config cfg;
    struct evpl       *e;

    (void) b;
    /* Clamped to what one fresh mbuf holds behind its headroom. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.tx_copy_max = UINT_MAX;
    e               = evpl_create(&cfg);
    assert_non_null(e);
    evpl_destroy(e);
}

static void
destroy_null(struct bad *b)
{
    (void) b;
    evpl_destroy(NULL);
    assert_null(evpl_mempool(NULL));
}

/* ---- alloc and reserve --------------------------------------------- */

static struct evpl_iovec out[1024];

static void
alloc_null_context(struct bad *b)
{
    (void) b;
    assert_fails(evpl_iovec_alloc(NULL, 64, 0, 1, 0, out), EINVAL);
    assert_fails(evpl_iovec_reserve(NULL, 64, 0, 1, out), EINVAL);
}

static void
alloc_null_output(struct bad *b)
{
    assert_fails(evpl_iovec_alloc(b->evpl, 64, 0, 1, 0, NULL), EINVAL);
    assert_fails(evpl_iovec_reserve(b->evpl, 64, 0, 1, NULL), EINVAL);
}

static void
alloc_zero_length(struct bad *b)
{
    /* libevpl's answer: no iovec, no error. */
    assert_int_equal(evpl_iovec_alloc(b->evpl, 0, 0, 1, 0, out), 0);
    assert_int_equal(evpl_iovec_reserve(b->evpl, 0, 0, 1, out), 0);
}

static void
alloc_zero_max(struct bad *b)
{
    assert_fails(evpl_iovec_alloc(b->evpl, 64, 0, 0, 0, out), EINVAL);
    assert_fails(evpl_iovec_reserve(b->evpl, 64, 0, 0, out), EINVAL);
}

static void
alloc_alignment_not_power_of_two(struct bad *b)
{
    static const unsigned int aligns[] = { 3, 12, 96, 4097, UINT_MAX };
    size_t                    i;

    for (i = 0; i < RTE_DIM(aligns); i++) {
        assert_fails(evpl_iovec_alloc(b->evpl, 64, aligns[i], 1, 0, out),
                     EINVAL);
        assert_fails(evpl_iovec_reserve(b->evpl, 64, aligns[i], 1, out),
                     EINVAL);
    }
}

static void
alloc_alignment_above_room(struct bad *b)
{
    assert_fails(evpl_iovec_alloc(b->evpl, 64, 1u << 22, 1, 0, out), EINVAL);
    assert_fails(evpl_iovec_alloc(b->evpl, 64, 1u << 31, 1, 0, out), EINVAL);
    assert_fails(evpl_iovec_reserve(b->evpl, 64, 1u << 22, 1, out), EINVAL);
}

static void
alloc_unknown_flags(struct bad *b)
{
    assert_fails(evpl_iovec_alloc(b->evpl, 64, 0, 1, 0x2, out), EINVAL);
    assert_fails(evpl_iovec_alloc(b->evpl, 64, 0, 1, ~0u, out), EINVAL);
}

static void
alloc_max_too_small(struct bad *b)
{
    assert_fails(evpl_iovec_alloc(b->evpl, 5u << 20, 0, 2, 0, out), ENOSPC);
    assert_fails(evpl_iovec_reserve(b->evpl, 5u << 20, 0, 2, out), ENOSPC);
    assert_fails(evpl_iovec_alloc(b->evpl, UINT_MAX, 0, 1, 0, out), ENOSPC);
}

static void
alloc_larger_than_pool(struct bad *b)
{
    struct evpl_iovec *v = calloc(600000, sizeof(*v));
    struct evpl_config cfg;
    struct evpl       *e;

    /* Room for every iovec it could need; slab memory, limited to 16
     * slabs, runs out first and everything taken goes back. */
    (void) b;
    assert_non_null(v);
    memset(&cfg, 0, sizeof(cfg));
    cfg.nb_slabs = 16;
    assert_non_null(e = evpl_create(&cfg));
    assert_fails(evpl_iovec_alloc(e, UINT_MAX, 0, 600000, 0, v), ENOMEM);
    assert_fails(evpl_iovec_reserve(e, UINT_MAX, 0, 600000, v), ENOMEM);
    evpl_destroy(e);
    free(v);
}

static void
alloc_pool_exhausted(struct bad *b)
{
    struct rte_mempool *mp = small_pool("bad_exhaust", 4, 2048 + 128);
    struct evpl        *e  = ctx_on(mp);
    struct evpl_iovec   held[4];
    int                 k;

    (void) b;
    for (k = 0; k < 4; k++)
        assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &held[k]), 1);
    assert_fails(evpl_iovec_alloc(e, 100, 0, 1, 0, out), ENOMEM);
    assert_int_equal(rte_errno, ENOMEM);
    assert_fails(evpl_iovec_reserve(e, 100, 0, 1, out), ENOMEM);
    evpl_iovecs_release(e, held, 4);
    done_with(e, mp);
}

/* ---- commit ---------------------------------------------------------- */

static void
commit_null_or_none(struct bad *b)
{
    struct evpl_iovec r, next;

    assert_int_equal(evpl_iovec_reserve(b->evpl, 100, 0, 1, &r), 1);
    evpl_iovec_commit(NULL, 0, &r, 1);
    evpl_iovec_commit(b->evpl, 0, NULL, 1);
    evpl_iovec_commit(b->evpl, 0, &r, 0);
    evpl_iovec_commit(b->evpl, 0, &r, -1);
    /* None of those consumed anything. */
    assert_int_equal(evpl_iovec_reserve(b->evpl, 100, 0, 1, &next), 1);
    assert_ptr_equal(next.data, r.data);
    evpl_iovec_release(b->evpl, &next);
    evpl_iovec_release(b->evpl, &r);
}

static void
commit_not_reserved(struct bad *b)
{
    struct evpl_iovec a, r, next;

    assert_int_equal(evpl_iovec_reserve(b->evpl, 100, 0, 1, &r), 1);
    evpl_iovec_commit(b->evpl, 0, &r, 1);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_commit(b->evpl, 0, &a, 1);
    assert_int_equal(evpl_iovec_reserve(b->evpl, 10, 0, 1, &next), 1);
    assert_ptr_equal(next.data, (char *) r.data + 100);
    evpl_iovec_release(b->evpl, &next);
    evpl_iovec_release(b->evpl, &a);
    evpl_iovec_release(b->evpl, &r);
}

static void
commit_other_contexts_reservation(struct bad *b)
{
    struct evpl      *other = evpl_create(NULL);
    struct evpl_iovec mine, theirs, next;

    assert_non_null(other);
    assert_int_equal(evpl_iovec_reserve(b->evpl, 100, 0, 1, &mine), 1);
    evpl_iovec_commit(b->evpl, 0, &mine, 1);
    assert_int_equal(evpl_iovec_reserve(other, 300, 0, 1, &theirs), 1);
    /* Committed through the wrong context: neither carving point moves. */
    evpl_iovec_commit(b->evpl, 0, &theirs, 1);
    assert_int_equal(evpl_iovec_reserve(b->evpl, 10, 0, 1, &next), 1);
    assert_ptr_equal(next.data, (char *) mine.data + 100);
    evpl_iovec_release(b->evpl, &next);
    assert_int_equal(evpl_iovec_reserve(other, 10, 0, 1, &next), 1);
    assert_ptr_equal(next.data, theirs.data);
    evpl_iovec_release(other, &next);
    evpl_iovec_release(other, &theirs);
    evpl_iovec_release(b->evpl, &mine);
    evpl_destroy(other);
}

/* Issue 9 row 4: a spanning reservation marks its tail for the context
 * that made it; another context's commit must not adopt that tail (taking
 * a reference and carving inside it), and the owner's commit must still. */
static void
commit_other_contexts_span(struct bad *b)
{
    struct evpl      *other = evpl_create(NULL);
    struct evpl_iovec v[3], next;
    struct rte_mbuf  *tail;
    uint16_t          cnt;
    int               n;

    assert_non_null(other);
    /* Three segments surely hold 9000 bytes: no slab. */
    n = evpl_iovec_reserve(other, 9000, 0, 3, v);
    assert_in_range(n, 2, 3);
    tail = evpl_test_mbuf(&v[n - 1]);
    cnt  = rte_mbuf_refcnt_read(tail);
    evpl_iovec_commit(b->evpl, 0, v, n);
    assert_int_equal(rte_mbuf_refcnt_read(tail), cnt);
    assert_int_equal(evpl_iovec_reserve(b->evpl, 10, 0, 1, &next), 1);
    assert_ptr_not_equal(evpl_test_mbuf(&next), tail);
    evpl_iovec_release(b->evpl, &next);
    evpl_iovec_commit(other, 0, v, n);
    assert_int_equal(evpl_iovec_reserve(other, 10, 0, 1, &next), 1);
    assert_ptr_equal(next.data, (char *) v[n - 1].data + v[n - 1].length);
    evpl_iovec_release(other, &next);
    evpl_iovecs_release(other, v, n);
    evpl_destroy(other);
}

static void
op_commit(struct death *d)
{
    evpl_iovec_commit(d->b->evpl, 0, d->iov, 1);
}

/* d->iov is a spanning reservation's tail, the iovec the abort names. */
static void
op_commit_span(struct death *d)
{
    evpl_iovec_commit(d->b->evpl, 0, d->iov - 1, 2);
}

/* Committing a spanning reservation adopts its tail segment, taking the
 * context's reference on it: that must not wrap a count at the limit. */
static void
commit_tail_at_limit(struct bad *b)
{
    struct evpl_iovec *v = calloc(UINT16_MAX + 3, sizeof(*v));
    struct death       d = { b, NULL, op_commit_span };
    struct rte_mbuf   *tail;
    int                i, n;

    assert_non_null(v);
    /* Three segments surely hold 9000 bytes (the first may be the rest
     * of the carve segment); with fewer they would come from a slab. */
    n = evpl_iovec_reserve(b->evpl, 9000, 0, 3, v);
    assert_in_range(n, 2, 3);
    tail = evpl_test_mbuf(&v[n - 1]);
    for (i = n; rte_mbuf_refcnt_read(tail) < UINT16_MAX; i++)
        evpl_iovec_clone(&v[i], &v[n - 1]);
    d.iov = &v[n - 1];
    assert_aborts(&d, "evpl_iovec_commit",
                  "mbuf reference count would pass 65535");
    assert_int_equal(rte_mbuf_refcnt_read(tail), UINT16_MAX);
    evpl_iovecs_release(b->evpl, v, i);
    free(v);
}

static void
commit_past_segment(struct bad *b)
{
    struct evpl_iovec r;
    struct death      d = { b, &r, op_commit };
    char              what[64];

    assert_int_equal(evpl_iovec_reserve(b->evpl, 100, 0, 1, &r), 1);
    r.length = 1u << 20; /* set directly: set_length refuses in trace */
    snprintf(what, sizeof(what), "range outside its %u-byte segment",
             evpl_test_mbuf(&r)->buf_len);
    assert_aborts(&d, "evpl_iovec_commit", what);
    r.length = 100;
    evpl_iovec_release(b->evpl, &r);
}

static void
commit_released(struct bad *b)
{
    struct evpl_iovec r, keep;
    struct death      d = { b, &r, op_commit };

    assert_int_equal(evpl_iovec_reserve(b->evpl, 100, 0, 1, &r), 1);
    evpl_iovec_clone(&keep, &r);
    evpl_iovec_release(b->evpl, &r);
    assert_aborts(&d, "evpl_iovec_commit", "use after release");
    evpl_iovec_release(b->evpl, &keep);
}

/* ---- release, clone, move, accessors -------------------------------- */

static void op_release(struct death *d) { evpl_iovec_release(d->b->evpl, d->iov); }
static void op_clone(struct death *d)
{
    struct evpl_iovec c;

    evpl_iovec_clone(&c, d->iov);
}
static void op_clone_to_null(struct death *d) { evpl_iovec_clone(NULL, d->iov); }
static void *volatile sink;
static void op_data(struct death *d) { sink = evpl_iovec_data(d->iov); }
static void op_set_length_far(struct death *d)
{
    evpl_iovec_set_length(d->iov, 1u << 20);
}
static void op_releases_null(struct death *d)
{
    evpl_iovecs_release(d->b->evpl, NULL, 1);
}

static void
release_any_context(struct bad *b)
{
    struct evpl      *other = evpl_create(NULL);
    struct evpl_iovec a, c1, c2;

    assert_non_null(other);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&c1, &a);
    evpl_iovec_clone(&c2, &a);
    evpl_iovec_release(NULL, &c1);
    evpl_iovec_release(other, &c2);
    evpl_destroy(other);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 1);
    evpl_iovec_release(b->evpl, &a);
}

static void
release_foreign_pool(struct bad *b)
{
    struct rte_mempool *mp = small_pool("bad_foreign", 7, 2048 + 128);
    struct rte_mbuf    *m  = rte_pktmbuf_alloc(mp);
    struct evpl_iovec   v;

    assert_non_null(m);
    assert_non_null(rte_pktmbuf_append(m, 100));
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(b->evpl, m, &v, 1), 1);
    /* Through a context on another pool: back to its own pool. */
    evpl_iovec_release(b->evpl, &v);
    evpl_test_assert_pool_full(mp);
    rte_mempool_free(mp);
}

/* "Nothing" checked, not only survived: live iovecs, one on an mbuf and
 * one on a slab, passed with niov 0 or -1 keep every byte of the iovecs,
 * the mbuf its reference count, the pool its free count and the context
 * its outstanding counts. Guards the loop bound of evpl_iovecs_release()
 * (i < niov): with i <= niov the first iovec goes. */
static void
release_none(struct bad *b)
{
    struct evpl_iovec            v[2], copy[2];
    struct evpl_dpdk_outstanding before, after;
    struct rte_mempool          *mp = evpl_mempool(b->evpl);
    unsigned int                 avail;
    uint16_t                     refcnt;
    int                          kind;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 100000, 0, 1, 0, &v[1]), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&v[1]));
    memcpy(copy, v, sizeof(v));
    refcnt = rte_mbuf_refcnt_read(evpl_test_mbuf(&v[0]));
    avail  = rte_mempool_avail_count(mp);
    kind   = evpl_dpdk_outstanding(b->evpl, &before);
    assert_true(kind >= 0);
    assert_true(before.mbufs >= 1 && before.slabs == 1);

    evpl_iovecs_release(b->evpl, v, 0);
    evpl_iovecs_release(b->evpl, v, -1);
    evpl_iovecs_release(b->evpl, v, INT_MIN);
    assert_memory_equal(v, copy, sizeof(v));
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[0])), refcnt);
    assert_int_equal(rte_mempool_avail_count(mp), avail);
    assert_int_equal(evpl_dpdk_outstanding(b->evpl, &after), kind);
    assert_memory_equal(&after, &before, sizeof(before));
    /* Nothing is read either. */
    evpl_iovecs_release(b->evpl, NULL, 0);
    evpl_iovecs_release(b->evpl, NULL, -1);
    evpl_iovecs_release(b->evpl, v, 2);
}

static void
release_twice(struct bad *b)
{
    struct evpl_iovec a, keep;
    struct death      d = { b, &a, op_release };

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&keep, &a);
    evpl_iovec_release(b->evpl, &a);
    assert_aborts(&d, "evpl_iovec_release", "double release");
    evpl_iovec_release(b->evpl, &keep);
}

static void
use_moved(struct bad *b)
{
    struct evpl_iovec a, to;
    struct death      d = { b, &a, op_release };

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_move(&to, &a);
    assert_aborts(&d, "evpl_iovec_release", "use after move");
    d.op = op_clone;
    assert_aborts(&d, "evpl_iovec_clone", "use after move");
    evpl_iovec_release(b->evpl, &to);
}

static void
use_released(struct bad *b)
{
    struct evpl_iovec a, keep;
    struct death      d = { b, &a, op_clone };

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&keep, &a);
    evpl_iovec_release(b->evpl, &a);
    assert_aborts(&d, "evpl_iovec_clone", "use after release");
    d.op = op_data;
    assert_aborts(&d, "evpl_iovec_data", "use after release");
    evpl_iovec_release(b->evpl, &keep);
}

static void
use_null(struct bad *b)
{
    struct evpl_iovec a;
    struct death      d = { b, NULL, op_release };

    assert_aborts(&d, "evpl_iovec_release", "NULL iovec");
    d.op = op_releases_null;
    assert_aborts(&d, "evpl_iovecs_release", "NULL iovec");
    d.op = op_clone;
    assert_aborts(&d, "evpl_iovec_clone", "NULL iovec");
    d.op = op_data;
    assert_aborts(&d, "evpl_iovec_data", "NULL iovec");
    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    d.iov = &a;
    d.op  = op_clone_to_null;
    d.iov = &a;
    assert_true(evpl_test_dies(run_death, &d,
                               "evpl: evpl_iovec_clone: NULL destination"));
    evpl_iovec_release(b->evpl, &a);
}

static void
use_zeroed(struct bad *b)
{
    struct evpl_iovec z;
    struct death      d = { b, &z, op_release };

    memset(&z, 0, sizeof(z));
    assert_aborts(&d, "evpl_iovec_release", "iovec references no buffer");
    d.op = op_clone;
    assert_aborts(&d, "evpl_iovec_clone", "iovec references no buffer");
}

static void *
on_other_thread(void *arg)
{
    struct death *d = arg;

    d->op(d);
    return NULL;
}

static void
run_on_other_thread(void *arg)
{
    pthread_t th;

    if (pthread_create(&th, NULL, on_other_thread, arg) == 0)
        pthread_join(th, NULL);
}

static void
use_local_on_other_thread(struct bad *b)
{
    struct evpl_iovec a;
    struct death      d = { b, &a, op_clone };
    char              expect[160];

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    snprintf(expect, sizeof(expect), "evpl: evpl_iovec_clone: LOCAL iovec "
             "of thread tag %u used on thread tag 0 (iovec %p",
             a.flags >> EVPL_IOVEC_OWNER_SHIFT_, (void *) &a);
    assert_true(evpl_test_dies(run_on_other_thread, &d, expect));
    evpl_iovec_release(b->evpl, &a);
}

static void
clone_overflow(struct bad *b)
{
    struct evpl_iovec *v = calloc(UINT16_MAX, sizeof(*v));
    struct death       d = { b, NULL, op_clone };
    int                i;

    assert_non_null(v);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 64, 0, 1, 0, v), 1);
    for (i = 1; i < UINT16_MAX; i++)
        evpl_iovec_clone(&v[i], &v[0]);
    d.iov = &v[0];
    assert_aborts(&d, "evpl_iovec_clone",
                  "mbuf reference count would pass 65535");
    evpl_iovecs_release(b->evpl, v, UINT16_MAX);
    free(v);
}

struct range_death {
    struct death d;
    unsigned int off, len;
    int          move;
};

static void
op_segment(struct death *d)
{
    struct range_death *r = (struct range_death *) d;
    struct evpl_iovec   c;

    if (r->move)
        evpl_iovec_move_segment(&c, d->iov, r->off, r->len);
    else
        evpl_iovec_clone_segment(&c, d->iov, r->off, r->len);
}

static void
segment_out_of_range(struct bad *b)
{
    static const unsigned int ranges[][2] = {
        { 0, 101 }, { 101, 0 }, { 50, 51 }, { 1, UINT_MAX },
        { UINT_MAX, 2 },
    };
    struct evpl_iovec  a, c;
    struct range_death r = { { b, &a, op_segment }, 0, 0, 0 };
    size_t             i;
    char               what[96];

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    for (r.move = 0; r.move < 2; r.move++)
        for (i = 0; i < RTE_DIM(ranges); i++) {
            r.off = ranges[i][0];
            r.len = ranges[i][1];
            snprintf(what, sizeof(what), "range [%u, %u + %u) outside an "
                     "iovec of length 100", r.off, r.off, r.len);
            assert_aborts(&r.d, r.move ? "evpl_iovec_move_segment" :
                          "evpl_iovec_clone_segment", what);
        }
    /* The edges are inside: empty at the end, the whole. */
    evpl_iovec_clone_segment(&c, &a, 100, 0);
    evpl_iovec_release(b->evpl, &c);
    evpl_iovec_clone_segment(&c, &a, 0, 100);
    evpl_iovec_release(b->evpl, &c);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 1);
    evpl_iovec_release(b->evpl, &a);
}

static void
move_onto_itself(struct bad *b)
{
    struct evpl_iovec a;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_move(&a, &a);
    evpl_iovec_move_segment(&a, &a, 0, 100);
    assert_int_equal(evpl_iovec_length(&a), 100);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&a)), 1);
    evpl_iovec_release(b->evpl, &a);
}

static void
set_length_past_segment(struct bad *b)
{
    struct evpl_iovec a;
    struct death      d = { b, &a, op_set_length_far };
    char              what[64];

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    snprintf(what, sizeof(what), "length %u runs past its %u-byte segment",
             1u << 20, evpl_test_mbuf(&a)->buf_len);
    assert_aborts(&d, "evpl_iovec_set_length", what);
    evpl_iovec_set_length(&a, 0);
    assert_int_equal(evpl_iovec_length(&a), 0);
    evpl_iovec_release(b->evpl, &a);
}

/* ---- conversions ----------------------------------------------------- */

static void
to_mbuf_bad_arguments(struct bad *b)
{
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    assert_null_errno(evpl_dpdk_iovecs_to_mbuf(NULL, &v, 1, 0), EINVAL);
    assert_null_errno(evpl_dpdk_iovecs_to_mbuf(b->evpl, NULL, 1, 0), EINVAL);
    assert_null_errno(evpl_dpdk_iovecs_to_mbuf(b->evpl, &v, 0, 0), EINVAL);
    assert_null_errno(evpl_dpdk_iovecs_to_mbuf(b->evpl, &v, -1, 0), EINVAL);
    assert_null_errno(evpl_dpdk_iovecs_to_mbuf(b->evpl, &v, 1, 0x2), EINVAL);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 1);
    evpl_iovec_release(b->evpl, &v);
}

static void
to_mbuf_all_empty(struct bad *b)
{
    struct evpl_iovec v, e[2];

    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    evpl_iovec_clone_segment(&e[0], &v, 0, 0);
    evpl_iovec_clone_segment(&e[1], &v, 10, 0);
    assert_null_errno(evpl_dpdk_iovecs_to_mbuf(b->evpl, e, 2,
                                               EVPL_DPDK_TAKE_REF), EINVAL);
    /* Untouched: the references are still the caller's. */
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 3);
    evpl_iovecs_release(b->evpl, e, 2);
    evpl_iovec_release(b->evpl, &v);
}

static void op_to_mbuf(struct death *d)
{
    (void) evpl_dpdk_iovecs_to_mbuf(d->b->evpl, d->iov, 1, 0);
}

static void
to_mbuf_dead_iovec(struct bad *b)
{
    struct evpl_iovec a, keep;
    struct death      d = { b, &a, op_to_mbuf };

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    evpl_iovec_clone(&keep, &a);
    evpl_iovec_release(b->evpl, &a);
    assert_aborts(&d, "evpl_dpdk_iovecs_to_mbuf", "use after release");
    evpl_iovec_release(b->evpl, &keep);
}

static void
mbuf_to_iovecs_bad_arguments(struct bad *b)
{
    struct rte_mbuf  *m = rte_pktmbuf_alloc(evpl_mempool(b->evpl));
    struct evpl_iovec v;

    assert_non_null(m);
    assert_non_null(rte_pktmbuf_append(m, 10));
    assert_fails(evpl_dpdk_mbuf_to_iovecs(NULL, m, &v, 1), EINVAL);
    assert_fails(evpl_dpdk_mbuf_to_iovecs(b->evpl, NULL, &v, 1), EINVAL);
    assert_fails(evpl_dpdk_mbuf_to_iovecs(b->evpl, m, NULL, 1), EINVAL);
    assert_fails(evpl_dpdk_mbuf_to_iovecs(b->evpl, m, &v, 0), ENOSPC);
    assert_fails(evpl_dpdk_mbuf_to_iovecs(b->evpl, m, &v, -1), ENOSPC);
    /* Untouched all along. */
    assert_int_equal(rte_mbuf_refcnt_read(m), 1);
    assert_int_equal(m->data_len, 10);
    rte_pktmbuf_free(m);
}

static void
mbuf_to_iovecs_empty_chain(struct bad *b)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(evpl_mempool(b->evpl));

    assert_non_null(m);
    /* No bytes: no iovec, and the chain is freed. */
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(b->evpl, m, out, 0), 0);
    /* With room too: the path of a packet of one segment (dpdk_glue/rx.c,
     * evpl_rx_single()) takes no empty one (without its data_len test,
     * this is one empty iovec). */
    assert_non_null(m = rte_pktmbuf_alloc(evpl_mempool(b->evpl)));
    assert_int_equal(evpl_dpdk_mbuf_to_iovecs(b->evpl, m, out, 1), 0);
}

/* Every check rte_mbuf_check() makes, on every segment of the chain. */
static void
assert_chain_sane(const struct rte_mbuf *m)
{
    const char *reason = NULL;

    if (rte_mbuf_check(m, 1, &reason) != 0)
        fail_msg("rte_mbuf_check: %s", reason);
}

/* The chain's bytes, in order, are want's. */
static void
assert_chain_bytes(const struct rte_mbuf *m, const unsigned char *want,
                   size_t len)
{
    size_t off = 0;

    assert_int_equal(m->pkt_len, len);
    for (; m != NULL; m = m->next) {
        assert_true(off + m->data_len <= len);
        assert_memory_equal(rte_pktmbuf_mtod(m, const void *), want + off,
                            m->data_len);
        off += m->data_len;
    }
    assert_int_equal(off, len);
}

/*
 * total bytes as shared iovecs of at most len bytes each (clones of
 * fresh allocations, so that none is its mbuf's only reference), sent
 * with and without TAKE_REF: every chain is sane and carries the bytes.
 */
static void
send_small_shared(struct evpl *e, unsigned int total, unsigned int len)
{
    struct evpl_iovec    base[256], piece[256];
    static unsigned char want[256];
    int                  nb, np, i, take;
    unsigned int         off, cut, at;
    struct rte_mbuf     *m;

    assert_true(total <= sizeof(want));
    for (take = 0; take < 2; take++) {
        nb = evpl_iovec_alloc(e, total, 0, 256, 0, base);
        assert_true(nb > 0);
        for (i = 0, np = 0, at = 0; i < nb; i++) {
            evpl_test_fill(base[i].data, base[i].length, (unsigned int) i);
            for (off = 0; off < base[i].length; off += cut) {
                cut = RTE_MIN(len, base[i].length - off);
                assert_true(np < 256);
                evpl_iovec_clone_segment(&piece[np++], &base[i], off, cut);
                memcpy(want + at, (char *) base[i].data + off, cut);
                at += cut;
            }
        }
        m = evpl_dpdk_iovecs_to_mbuf(e, piece, np,
                                     take ? EVPL_DPDK_TAKE_REF : 0);
        assert_non_null(m);
        assert_chain_sane(m);
        assert_chain_bytes(m, want, total);
        rte_pktmbuf_free(m);
        if (!take)
            evpl_iovecs_release(e, piece, np);
        evpl_iovecs_release(e, base, nb);
    }
}

/*
 * The linearisation (65 iovecs: more than one chain is built from) into
 * fresh mbufs of a pool whose data room is at most the headroom: such an
 * mbuf has no byte behind its headroom, so the head gives the headroom up
 * as the later segments do, and every segment is full from its first
 * byte. Guards the tailroom condition of the linearisation
 * (dpdk_glue/tx_linear.c, "tail != NULL || tailroom == 0"): without it the
 * head keeps its headroom, carries nothing, and costs a segment.
 */
static void
linearise_into_room(struct evpl *src, uint16_t room)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1, LEN = 200 };
    struct evpl_iovec    v[N];
    static unsigned char want[N * LEN];
    struct rte_mempool  *mp = small_pool("bad_lin_room", 256, room);
    struct evpl         *e  = ctx_on(mp);
    struct rte_mbuf     *m, *s;
    int                  i, take;

    for (take = 0; take < 2; take++) {
        /* From a context on the default pool: more bytes than their first
         * mbuf holds, so they cannot be gathered into it. */
        for (i = 0; i < N; i++) {
            assert_int_equal(evpl_iovec_alloc(src, LEN, 0, 1, 0, &v[i]), 1);
            evpl_test_fill(v[i].data, LEN, (unsigned int) i);
            memcpy(want + (size_t) i * LEN, v[i].data, LEN);
        }
        m = evpl_dpdk_iovecs_to_mbuf(e, v, N, take ? EVPL_DPDK_TAKE_REF : 0);
        assert_non_null(m);
        assert_chain_sane(m);
        assert_chain_bytes(m, want, sizeof(want));
        assert_int_equal(m->nb_segs, (sizeof(want) + room - 1) / room);
        for (s = m; s != NULL; s = s->next) {
            assert_ptr_equal(s->pool, mp);
            assert_int_equal(s->data_off, 0);
            assert_true(s->data_len == room || s->next == NULL);
        }
        rte_pktmbuf_free(m);
        if (!take)
            evpl_iovecs_release(src, v, N);
    }
    done_with(e, mp);
}

static void
to_mbuf_small_room(struct bad *b)
{
    static const unsigned int segs[] = { 1, 8, 64, 72 };
    struct evpl_config        cfg;
    struct rte_mempool       *mp;
    struct evpl              *e;
    size_t                    i;

    (void) b;
    for (i = 0; i < RTE_DIM(segs); i++) {
        memset(&cfg, 0, sizeof(cfg));
        cfg.segment_size = segs[i];
        cfg.nb_mbufs     = 1023;
        e                = evpl_create(&cfg);
        assert_non_null(e);
        mp = evpl_mempool(e);
        send_small_shared(e, 64, 1);   /* 64 pieces: a chain */
        send_small_shared(e, 128, 2);  /* up to 64 pieces: a chain */
        send_small_shared(e, 128, 1);  /* more than 64: linearised */
        evpl_destroy(e);
        evpl_test_assert_pool_full(mp);
    }
    /* A caller's pool with a private area: a write past a data room
     * lands on the next mempool object. */
    mp = rte_pktmbuf_pool_create("bad_priv", 1023, 0, 64,
                                 RTE_PKTMBUF_HEADROOM + 16, SOCKET_ID_ANY);
    assert_non_null(mp);
    e = ctx_on(mp);
    send_small_shared(e, 128, 2);
    send_small_shared(e, 128, 1);
    done_with(e, mp);
    /* No byte past the headroom, or less room than the headroom. */
    linearise_into_room(b->evpl, RTE_PKTMBUF_HEADROOM);
    linearise_into_room(b->evpl, RTE_PKTMBUF_HEADROOM - 28);
}

static void
op_to_mbuf_attach(struct death *d)
{
    (void) evpl_dpdk_iovecs_to_mbuf(d->b->evpl, d->iov, 1, 0);
}

static void
to_mbuf_attach_overflow(struct bad *b)
{
    struct evpl_iovec *v = calloc(UINT16_MAX, sizeof(*v));
    struct death       d = { b, NULL, op_to_mbuf_attach };
    int                i, shared;

    assert_non_null(v);
    for (shared = 0; shared < 2; shared++) {
        /* Larger than tx_copy_max: sent by reference, in an indirect
         * mbuf, which takes one more. */
        assert_int_equal(evpl_iovec_alloc(b->evpl, 1000, 0, 1, shared ?
                                          EVPL_IOVEC_FLAG_SHARED : 0, v), 1);
        for (i = 1; i < UINT16_MAX; i++)
            evpl_iovec_clone(&v[i], &v[0]);
        d.iov = &v[0];
        assert_aborts(&d, "evpl_dpdk_iovecs_to_mbuf",
                      "mbuf reference count would pass 65535");
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(v)),
                         UINT16_MAX);
        evpl_iovecs_release(b->evpl, v, UINT16_MAX);
    }
    free(v);
}

static void
to_mbuf_more_than_max_segs(struct bad *b)
{
    enum { N = EVPL_DPDK_MAX_SEGS + 1, LEN = 8192 };
    struct evpl_iovec v[N];
    unsigned char    *want = malloc((size_t) N * LEN);
    struct rte_mbuf  *m;
    int               i, take;

    assert_non_null(want);
    for (take = 0; take < 2; take++) {
        for (i = 0; i < N; i++) {
            assert_int_equal(evpl_iovec_alloc(b->evpl, LEN, 0, 1, 0, &v[i]),
                             1);
            evpl_test_fill(v[i].data, LEN, (unsigned int) i);
            memcpy(want + (size_t) i * LEN, v[i].data, LEN);
        }
        m = evpl_dpdk_iovecs_to_mbuf(b->evpl, v, N,
                                     take ? EVPL_DPDK_TAKE_REF : 0);
        assert_non_null(m);
        assert_chain_sane(m);
        assert_true(m->nb_segs >= N);
        assert_chain_bytes(m, want, (size_t) N * LEN);
        rte_pktmbuf_free(m);
        if (!take) {
            for (i = 0; i < N; i++)
                assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[i])),
                                 1);
            evpl_iovecs_release(b->evpl, v, N);
        }
    }
    free(want);
}

static void
op_to_mbuf_twice(struct death *d)
{
    struct evpl_iovec    two[2] = { *d->iov, *d->iov };
    struct evpl_dpdk_pkt p      = { two, 2 };

    if (d->b->evpl == NULL)
        (void) evpl_dpdk_tx_burst(evpl_test_ctx_any, ring_port, 0, &p, 1,
                                  EVPL_DPDK_TAKE_REF);
    else
        (void) evpl_dpdk_iovecs_to_mbuf(d->b->evpl, two, 2,
                                        EVPL_DPDK_TAKE_REF);
}

static void
to_mbuf_same_iovec_twice(struct bad *b)
{
    struct evpl_iovec a, c[2];
    struct bad        via_burst = { NULL };
    struct death      d = { b, &a, op_to_mbuf_twice };
    char              expect[160];
    struct rte_mbuf  *m;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &a), 1);
    /* The abort names the iovec in the packet: its first copy. */
    d.iov = &a;
    snprintf(expect, sizeof(expect), "evpl: evpl_dpdk_iovecs_to_mbuf: 2 "
             "iovecs of one packet hold 1 references: one passed twice");
    assert_true(evpl_test_dies(run_death, &d, expect));
    evpl_test_ctx_any = b->evpl;
    d.b               = &via_burst;
    snprintf(expect, sizeof(expect), "evpl: evpl_dpdk_tx_burst: 2 "
             "iovecs of one packet hold 1 references: one passed twice");
    assert_true(evpl_test_dies(run_death, &d, expect));
    /* A clone is a reference of its own: that packet is good. */
    c[0] = a;
    evpl_iovec_clone(&c[1], &a);
    m = evpl_dpdk_iovecs_to_mbuf(b->evpl, c, 2, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_chain_sane(m);
    rte_pktmbuf_free(m);
}

/* ---- ports ------------------------------------------------------------ */

static void
tx_burst_bad_arguments(struct bad *b)
{
    struct evpl_iovec    v;
    struct evpl_dpdk_pkt p = { &v, 1 };

    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    assert_fails(evpl_dpdk_tx_burst(NULL, ring_port, 0, &p, 1, 0), EINVAL);
    assert_fails(evpl_dpdk_tx_burst(b->evpl, ring_port, 0, NULL, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_tx_burst(b->evpl, RTE_MAX_ETHPORTS, 0, &p, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_tx_burst(b->evpl, ring_port, 0, &p, 1, 0x2),
                 EINVAL);
    /* A queue the port was not configured with never reaches the driver. */
    assert_fails(evpl_dpdk_tx_burst(b->evpl, ring_port, 1, &p, 1, 0), EINVAL);
    assert_fails(evpl_dpdk_tx_burst(b->evpl, ring_port, UINT16_MAX, &p, 1,
                                    EVPL_DPDK_TAKE_REF), EINVAL);
    /* Nothing to send is not an error. */
    assert_int_equal(evpl_dpdk_tx_burst(b->evpl, ring_port, 0, NULL, 0, 0),
                     0);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 1);
    evpl_iovec_release(b->evpl, &v);
}

static void
tx_burst_empty_packet(struct bad *b)
{
    struct evpl_iovec    v[2];
    struct evpl_dpdk_pkt p[3] = { { &v[0], 1 }, { NULL, 1 }, { &v[1], 1 } };

    /* Sending stops at the malformed packet; with TAKE_REF the rest are
     * released all the same, without it they stay the caller's. */
    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v[1]), 1);
    assert_int_equal(evpl_dpdk_tx_burst(b->evpl, ring_port, 0, p, 3, 0), 1);
    drain_port(b->evpl);
    p[1].iov  = &v[0];
    p[1].niov = 0;
    assert_int_equal(evpl_dpdk_tx_burst(b->evpl, ring_port, 0, &p[1], 2,
                                        EVPL_DPDK_TAKE_REF), 0);
    evpl_iovec_release(b->evpl, &v[0]);
}

static void
rx_burst_bad_arguments(struct bad *b)
{
    struct evpl_dpdk_pkt p;

    assert_fails(evpl_dpdk_rx_burst(NULL, ring_port, 0, &p, 1, out, 1),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, NULL, 1, out, 1),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 1, NULL, 1),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, RTE_MAX_ETHPORTS, 0, &p, 1, out,
                                    1), EINVAL);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, 1, &p, 1, out, 1),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, UINT16_MAX, &p, 1,
                                    out, 1), EINVAL);
    assert_int_equal(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 0, out,
                                        1), 0);
}

static void
rx_burst_no_room(struct bad *b)
{
    struct evpl_dpdk_pkt p;

    queue_packet(b->evpl, 100);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 1, out, 0),
                 ENOSPC);
    /* Kept, not lost: delivered once there is room. */
    assert_int_equal(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 1, out,
                                        1), 1);
    evpl_iovecs_release(b->evpl, p.iov, p.niov);
}

/* A packet of two exclusive iovecs, alen + blen bytes, sent on port's
 * loopback and received back: how many segments it arrived in. */
static int
round_trip_segments(struct evpl *evpl, uint16_t port, unsigned int alen,
                    unsigned int blen)
{
    struct evpl_iovec    v[2], rxiov[8];
    struct evpl_dpdk_pkt p = { v, 2 }, rx;
    int                  niov;

    assert_int_equal(evpl_iovec_alloc(evpl, alen, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(evpl, blen, 0, 1, 0, &v[1]), 1);
    assert_int_equal(evpl_dpdk_tx_burst(evpl, port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    assert_int_equal(evpl_dpdk_rx_burst(evpl, port, 0, &rx, 1, rxiov, 8), 1);
    niov = rx.niov;
    evpl_iovecs_release(evpl, rx.iov, rx.niov);
    return niov;
}

/* The application sets port up again itself, with the queue counts
 * evpl_dpdk_port_setup() gave it (one each way) and no offload. */
static void
reconfigure_without_offloads(uint16_t port, struct rte_mempool *mp)
{
    struct rte_eth_conf     conf;
    struct rte_eth_dev_info info;
    struct rte_eth_txconf   txq;

    memset(&conf, 0, sizeof(conf));
    assert_int_equal(rte_eth_dev_stop(port), 0);
    assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
    assert_int_equal(rte_eth_dev_info_get(port, &info), 0);
    txq          = info.default_txconf;
    txq.offloads = 0;
    assert_int_equal(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY,
                                            NULL, mp), 0);
    assert_int_equal(rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY,
                                            &txq), 0);
    assert_int_equal(rte_eth_dev_start(port), 0);
}

/*
 * Two ports. net_ring0, as evpl_dpdk_port_setup() left it. And one that
 * the application set up again afterwards with the same queue counts and
 * without MULTI_SEGS: the library's record of it (chains, from the
 * set-up) stands, the queue counts being unchanged, and a bad queue id,
 * which asks ethdev again, changes it no more. That second port guards
 * the re-read's "counts unchanged: return" (dpdk_glue/port.c): without
 * it, ethdev's answer (no MULTI_SEGS) replaces the record at the bad id,
 * and the port's chains are linearised from then on. On the first port
 * ethdev reads MULTI_SEGS back, which would hide a missing return.
 */
static void
burst_bad_queue_changes_nothing(struct bad *b)
{
    const uint16_t       ports[] = { ring_port, reconf_port };
    struct evpl_iovec    v;
    struct evpl_dpdk_pkt p = { &v, 1 }, rx;
    size_t               i;
    int                  k;

    reconfigure_without_offloads(reconf_port, evpl_mempool(b->evpl));
    assert_int_equal(round_trip_segments(b->evpl, reconf_port, 600, 100), 2);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    for (i = 0; i < RTE_DIM(ports); i++)
        for (k = 0; k < 2; k++) {
            assert_fails(evpl_dpdk_tx_burst(b->evpl, ports[i], 1, &p, 1, 0),
                         EINVAL);
            assert_fails(evpl_dpdk_rx_burst(b->evpl, ports[i], 1, &rx, 1,
                                            out, 1), EINVAL);
            /* The port still takes chains. */
            assert_int_equal(round_trip_segments(b->evpl, ports[i], 600,
                                                 100), 2);
            assert_int_equal(round_trip_segments(b->evpl, ports[i], 8000,
                                                 7000), 2);
        }
    evpl_iovec_release(b->evpl, &v);
}

static void
rx_burst_zero_while_kept(struct bad *b)
{
    struct evpl_dpdk_pkt p;

    queue_packet(b->evpl, 100);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 1, out, 0),
                 ENOSPC);
    /* Asked for nothing: nothing, and no error; the packet stays kept. */
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 0, out,
                                        0), 0);
    assert_int_equal(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 0, out,
                                        1), 0);
    assert_int_equal(evpl_dpdk_rx_burst_flat(b->evpl, ring_port, 0, out, 0,
                                             0), 0);
    assert_int_equal(errno, 0);
    assert_int_equal(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &p, 1, out,
                                        1), 1);
    evpl_iovecs_release(b->evpl, p.iov, p.niov);
}

/* Issue 9 row 8: a full burst kept for net_ring0's queue must not stop
 * another port or queue (net_null0 here) from receiving. */
static void
rx_burst_kept_other_queue(struct bad *b)
{
    struct evpl_dpdk_pkt p[EVPL_DPDK_RX_BURST_MAX];
    struct evpl_iovec    v[EVPL_DPDK_RX_BURST_MAX];
    unsigned int         i;
    int                  n, k;

    for (i = 0; i < EVPL_DPDK_RX_BURST_MAX; i++)
        queue_packet(b->evpl, 100);
    assert_fails(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, p,
                                    EVPL_DPDK_RX_BURST_MAX, v, 0), ENOSPC);
    n = evpl_dpdk_rx_burst(b->evpl, null_port, 0, p, 8, v, RTE_DIM(v));
    assert_int_equal(n, 8);
    for (k = 0; k < n; k++)
        evpl_iovecs_release(b->evpl, p[k].iov, p[k].niov);
    n = evpl_dpdk_rx_burst_flat(b->evpl, null_port, 0, v, 8, 0);
    assert_int_equal(n, 8);
    evpl_iovecs_release(b->evpl, v, n);
    /* The kept burst is still whole and in order for its own queue. */
    n = evpl_dpdk_rx_burst(b->evpl, ring_port, 0, p, EVPL_DPDK_RX_BURST_MAX,
                           v, RTE_DIM(v));
    assert_int_equal(n, EVPL_DPDK_RX_BURST_MAX);
    for (k = 0; k < n; k++) {
        assert_int_equal(p[k].niov, 1);
        assert_int_equal(p[k].iov[0].length, 100);
        evpl_iovecs_release(b->evpl, p[k].iov, p[k].niov);
    }
}

static void
rx_burst_flags_unknown_flags(struct bad *b)
{
    struct evpl_dpdk_pkt p;

    assert_fails(evpl_dpdk_rx_burst_flags(b->evpl, ring_port, 0, &p, 1, out,
                                          1, 0x2), EINVAL);
    assert_fails(evpl_dpdk_rx_burst_flags(b->evpl, ring_port, 0, &p, 1, out,
                                          1, EVPL_IOVEC_FLAG_GLOBAL), EINVAL);
}

static void
rx_burst_flat_bad_arguments(struct bad *b)
{
    assert_fails(evpl_dpdk_rx_burst_flat(NULL, ring_port, 0, out, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst_flat(b->evpl, ring_port, 0, NULL, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst_flat(b->evpl, RTE_MAX_ETHPORTS, 0, out,
                                         1, 0), EINVAL);
    assert_fails(evpl_dpdk_rx_burst_flat(b->evpl, ring_port, 1, out, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_rx_burst_flat(b->evpl, ring_port, 0, out, 1, 0x2),
                 EINVAL);
}

/* A packet of two segments on the loopback: the flat burst refuses it and
 * keeps it; the general burst then delivers it, whole. */
static void
rx_burst_flat_multi_segment(struct bad *b)
{
    struct evpl_iovec    v[2];
    struct evpl_dpdk_pkt p = { v, 2 }, rx;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 600, 0, 1, 0, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc(b->evpl, 100, 0, 1, 0, &v[1]), 1);
    assert_int_equal(evpl_dpdk_tx_burst(b->evpl, ring_port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
    assert_fails(evpl_dpdk_rx_burst_flat(b->evpl, ring_port, 0, out, 1, 0),
                 EMSGSIZE);
    assert_fails(evpl_dpdk_rx_burst_flat(b->evpl, ring_port, 0, out, 1, 0),
                 EMSGSIZE);
    assert_int_equal(evpl_dpdk_rx_burst(b->evpl, ring_port, 0, &rx, 1, out,
                                        2), 1);
    assert_int_equal(rx.niov, 2);
    assert_int_equal(evpl_test_sum_lengths(rx.iov, rx.niov), 700);
    evpl_iovecs_release(b->evpl, rx.iov, rx.niov);
}

static void
tx_burst_flat_bad_arguments(struct bad *b)
{
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    assert_fails(evpl_dpdk_tx_burst_flat(NULL, ring_port, 0, &v, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_tx_burst_flat(b->evpl, ring_port, 0, NULL, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_tx_burst_flat(b->evpl, RTE_MAX_ETHPORTS, 0, &v, 1,
                                         0), EINVAL);
    assert_fails(evpl_dpdk_tx_burst_flat(b->evpl, ring_port, 1, &v, 1, 0),
                 EINVAL);
    assert_fails(evpl_dpdk_tx_burst_flat(b->evpl, ring_port, 0, &v, 1, 0x2),
                 EINVAL);
    /* Nothing to send is not an error, iov NULL included. */
    errno = 0;
    assert_int_equal(evpl_dpdk_tx_burst_flat(b->evpl, ring_port, 0, NULL, 0,
                                             0), 0);
    assert_int_equal(errno, 0);
    /* The refusals took no reference. */
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v)), 1);
    evpl_iovec_release(b->evpl, &v);
}

static void
alloc_global_null(struct bad *b)
{
    struct evpl_iovec v;

    assert_fails(evpl_iovec_alloc_global(NULL, &v), EINVAL);
    assert_fails(evpl_iovec_alloc_global(b->evpl, NULL), EINVAL);
}

/* A slab pool of two 4 KiB slabs of its own (its own size and count): the
 * third whole slab is ENOMEM, and a released one can be had again. */
static void
alloc_global_exhausted(struct bad *b)
{
    const struct evpl_config cfg = { .slab_size = 4096, .nb_slabs = 2 };
    struct evpl             *e = evpl_create(&cfg);
    struct evpl_iovec        v[3];

    (void) b;
    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc_global(e, &v[0]), 1);
    assert_int_equal(evpl_iovec_alloc_global(e, &v[1]), 1);
    assert_int_equal(evpl_iovec_length(&v[0]), 4096);
    assert_fails(evpl_iovec_alloc_global(e, &v[2]), ENOMEM);
    evpl_iovec_release(e, &v[0]);
    assert_int_equal(evpl_iovec_alloc_global(e, &v[2]), 1);
    evpl_iovec_release(e, &v[1]);
    evpl_iovec_release(e, &v[2]);
    evpl_destroy(e);
}

static void
iovec_iova_null_or_zeroed(struct bad *b)
{
    struct evpl_iovec zeroed, v;

    memset(&zeroed, 0, sizeof(zeroed));
    assert_true(evpl_dpdk_iovec_iova(NULL) == RTE_BAD_IOVA);
    assert_true(evpl_dpdk_iovec_iova(&zeroed) == RTE_BAD_IOVA);
    /* A live one has an address. */
    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    assert_true(evpl_dpdk_iovec_iova(&v) != RTE_BAD_IOVA);
    evpl_iovec_release(b->evpl, &v);
}

static void
stats_reset_null(struct bad *b)
{
    struct evpl_dpdk_stats st;
    struct evpl_iovec      v;

    assert_int_equal(evpl_iovec_alloc(b->evpl, 10, 0, 1, 0, &v), 1);
    queue_packet(b->evpl, 10);
    drain_port(b->evpl);
    evpl_dpdk_stats_reset(NULL);
    /* Nothing else was reset either. */
    assert_int_equal(evpl_dpdk_stats_get(b->evpl, &st), 0);
    assert_true(st.tx_pkts > 0 && st.rx_pkts > 0);
    evpl_dpdk_stats_reset(b->evpl);
    assert_int_equal(evpl_dpdk_stats_get(b->evpl, &st), 0);
    assert_int_equal(st.tx_pkts, 0);
    evpl_iovec_release(b->evpl, &v);
}

static void
port_setup_bad_arguments(struct bad *b)
{
    struct evpl_dpdk_port_conf conf;

    (void) b;
    memset(&conf, 0, sizeof(conf));
    assert_fails(evpl_dpdk_port_setup(RTE_MAX_ETHPORTS, NULL), EINVAL);
    conf.nb_rxq = UINT16_MAX;
    assert_fails(evpl_dpdk_port_setup(ring_port, &conf), EINVAL);
    /* Started already: ethdev's own answer. */
    assert_fails(evpl_dpdk_port_setup(ring_port, NULL), EBUSY);
}

static void
stats_and_outstanding_null(struct bad *b)
{
    struct evpl_dpdk_stats       st;
    struct evpl_dpdk_outstanding o;

    assert_fails(evpl_dpdk_stats_get(NULL, &st), EINVAL);
    assert_fails(evpl_dpdk_stats_get(b->evpl, NULL), EINVAL);
    evpl_dpdk_stats_reset(NULL);
    assert_fails(evpl_dpdk_outstanding(NULL, &o), EINVAL);
    assert_fails(evpl_dpdk_outstanding(b->evpl, NULL), EINVAL);
}

/* ---- the table --------------------------------------------------------- */

static const struct row rows[] = {
    { "evpl_create", "before rte_eal_init()", "NULL, errno EINVAL", 0,
      create_before_eal },
    { "evpl_create", "config->pool not a pktmbuf pool", "NULL, errno EINVAL",
      0, create_not_pktmbuf_pool },
    { "evpl_create", "segment_size > 65407 (up to UINT_MAX)",
      "NULL, errno EINVAL", 0, create_segment_too_large },
    { "evpl_create", "nb_mbufs 2^30 or more (up to UINT_MAX)",
      "NULL, errno EINVAL", 0, create_nb_mbufs_too_large },
    { "evpl_create", "slab_size not a power of two from 4096 to 1 GiB; "
      "nb_slabs 2^30 or more", "NULL, errno EINVAL", 0,
      create_bad_slab_config },
    { "evpl_dpdk_slab_limit_set", "2^30 or more (up to UINT_MAX)",
      "-1, errno EINVAL; the default unchanged", 0, slab_limit_too_large },
    { "evpl_create", "nb_mbufs more than memory holds",
      "NULL, errno ENOMEM; logged", 0, create_nb_mbufs_beyond_memory },
    { "evpl_create", "segment_size 1, nb_mbufs 7",
      "works: requests span the small segments; longer ones take a slab", 0,
      create_tiny_segments },
    { "evpl_create", "tx_copy_max UINT_MAX",
      "works: clamped to a fresh mbuf's room", 0, create_huge_tx_copy_max },
    { "evpl_destroy, evpl_mempool", "NULL", "nothing; evpl_mempool() "
      "returns NULL", 0, destroy_null },
    { "evpl_iovec_alloc, _reserve", "NULL context", "-1, errno EINVAL", 0,
      alloc_null_context },
    { "evpl_iovec_alloc, _reserve", "NULL output array", "-1, errno EINVAL",
      0, alloc_null_output },
    { "evpl_iovec_alloc, _reserve", "length 0", "0: no iovec (as libevpl)",
      0, alloc_zero_length },
    { "evpl_iovec_alloc, _reserve", "max_iovecs 0", "-1, errno EINVAL", 0,
      alloc_zero_max },
    { "evpl_iovec_alloc, _reserve", "alignment not 0 or a power of two",
      "-1, errno EINVAL", 0, alloc_alignment_not_power_of_two },
    { "evpl_iovec_alloc, _reserve", "alignment above the slab size",
      "-1, errno EINVAL", 0, alloc_alignment_above_room },
    { "evpl_iovec_alloc", "unknown flags", "-1, errno EINVAL", 0,
      alloc_unknown_flags },
    { "evpl_iovec_alloc, _reserve", "length needs more than max_iovecs "
      "slabs (up to UINT_MAX)", "-1, errno ENOSPC; nothing taken", 0,
      alloc_max_too_small },
    { "evpl_iovec_alloc, _reserve", "length UINT_MAX with room for every "
      "iovec, nb_slabs 16", "-1, errno ENOMEM; every slab taken goes back",
      0,
      alloc_larger_than_pool },
    { "evpl_iovec_alloc, _reserve", "pool exhausted",
      "-1, errno and rte_errno ENOMEM", 0, alloc_pool_exhausted },
    { "evpl_iovec_commit", "NULL context, NULL iovecs, niovs <= 0",
      "nothing", 0, commit_null_or_none },
    { "evpl_iovec_commit", "an iovec that was not reserved",
      "consumes nothing", 0, commit_not_reserved },
    { "evpl_iovec_commit", "another context's reservation",
      "consumes nothing, in either context", 0,
      commit_other_contexts_reservation },
    { "evpl_iovec_commit", "another context's spanning reservation",
      "adopts nothing: the owner's commit still carves on from its tail", 0,
      commit_other_contexts_span },
    { "evpl_iovec_commit", "iovec reaching past its segment",
      "abort: \"evpl_iovec_commit: range outside its N-byte segment\"", 0,
      commit_past_segment },
    { "evpl_iovec_commit", "spanning reservation whose tail has 65535 "
      "references", "abort: \"evpl_iovec_commit: mbuf reference count would "
      "pass 65535\"", 0, commit_tail_at_limit },
    { "evpl_iovec_commit", "released or moved-from iovec",
      "abort: \"evpl_iovec_commit: use after release\" (or move)", 1,
      commit_released },
    { "evpl_iovec_release", "NULL or any thread's context",
      "works: the context argument is not needed", 0, release_any_context },
    { "evpl_iovec_release", "iovec of another pool (received)",
      "works: the mbuf goes back to its own pool", 0, release_foreign_pool },
    { "evpl_iovecs_release", "niov <= 0 (iov may be NULL)", "nothing", 0,
      release_none },
    { "evpl_iovec_release", "released iovec",
      "abort: \"evpl_iovec_release: double release\"", 1, release_twice },
    { "iovec functions", "moved-from iovec",
      "abort: \"FUNCTION: use after move\"", 1, use_moved },
    { "iovec functions", "released iovec (clone, data, ...)",
      "abort: \"FUNCTION: use after release\"", 1, use_released },
    { "iovec functions", "NULL iovec or destination",
      "abort: \"FUNCTION: NULL iovec\" / \"NULL destination iovec\"", 1,
      use_null },
    { "iovec functions", "zeroed iovec (never filled)",
      "abort: \"FUNCTION: iovec references no buffer\"", 1, use_zeroed },
    { "iovec functions", "LOCAL iovec on another thread",
      "abort: \"FUNCTION: LOCAL iovec of thread tag A used on thread tag "
      "B\"", 1, use_local_on_other_thread },
    { "evpl_iovec_clone, _clone_segment", "65535 references already",
      "abort: \"FUNCTION: mbuf reference count would pass 65535\"", 0,
      clone_overflow },
    { "evpl_iovec_clone_segment, _move_segment",
      "offset or offset + length past the iovec (overflow included)",
      "abort: \"FUNCTION: range [o, o + l) outside an iovec of length n\"",
      0, segment_out_of_range },
    { "evpl_iovec_move, _move_segment", "dst == src",
      "works: the iovec stays live (narrowed)", 0, move_onto_itself },
    { "evpl_iovec_set_length", "length past the segment's end",
      "abort: \"evpl_iovec_set_length: length N runs past its M-byte "
      "segment\"", 1, set_length_past_segment },
    { "evpl_dpdk_iovecs_to_mbuf", "NULL context or iov, niov < 1, unknown "
      "flags", "NULL, errno EINVAL; iovecs untouched", 0,
      to_mbuf_bad_arguments },
    { "evpl_dpdk_iovecs_to_mbuf", "only empty iovecs",
      "NULL, errno EINVAL; iovecs untouched", 0, to_mbuf_all_empty },
    { "evpl_dpdk_iovecs_to_mbuf, evpl_dpdk_tx_burst", "released iovec",
      "abort: \"FUNCTION: use after release\"", 1, to_mbuf_dead_iovec },
    { "evpl_dpdk_iovecs_to_mbuf, evpl_dpdk_tx_burst", "one reference twice "
      "in a TAKE_REF packet (a raw copy, b = a)", "abort: \"FUNCTION: N "
      "iovecs of one packet hold M references: one passed twice\"", 1,
      to_mbuf_same_iovec_twice },
    { "evpl_dpdk_iovecs_to_mbuf", "small shared iovecs, a data room "
      "less than 128 B past the headroom (segment_size 1, 8, 64, 72; a "
      "caller's pool with a private area)", "works: each copy goes where it "
      "fits, in a fresh segment when none has room; no byte past buf_len, "
      "rte_mbuf_check() passes", 0, to_mbuf_small_room },
    { "evpl_dpdk_iovecs_to_mbuf", "an iovec sent by reference whose mbuf "
      "has 65535 references", "abort: \"evpl_dpdk_iovecs_to_mbuf: mbuf "
      "reference count would pass 65535\"", 0, to_mbuf_attach_overflow },
    { "evpl_dpdk_iovecs_to_mbuf", "more than 64 non-empty iovecs (65 of "
      "8 KiB)", "works: copied into fresh segments (linearised); EMSGSIZE "
      "only past 65535 of them", 0, to_mbuf_more_than_max_segs },
    { "evpl_dpdk_mbuf_to_iovecs", "NULL context, mbuf or iov",
      "-1, errno EINVAL; chain untouched", 0, mbuf_to_iovecs_bad_arguments },
    { "evpl_dpdk_mbuf_to_iovecs", "max_iovecs too small (0, negative)",
      "-1, errno ENOSPC; chain untouched", 0, mbuf_to_iovecs_bad_arguments },
    { "evpl_dpdk_mbuf_to_iovecs", "chain with no bytes",
      "0; the chain is freed", 0, mbuf_to_iovecs_empty_chain },
    { "evpl_dpdk_tx_burst", "NULL context, NULL pkts (nb_pkts > 0), invalid "
      "port or queue, unknown flags", "-1, errno EINVAL", 0,
      tx_burst_bad_arguments },
    { "evpl_dpdk_tx_burst", "packet with NULL iov or niov < 1",
      "stops there: returns the packets sent before it; with TAKE_REF the "
      "rest are released", 0, tx_burst_empty_packet },
    { "evpl_dpdk_rx_burst", "NULL context, pkts or iov, invalid port or "
      "queue", "-1, errno EINVAL", 0, rx_burst_bad_arguments },
    { "evpl_dpdk_tx_burst, evpl_dpdk_rx_burst", "a queue id the port lacks, "
      "on a port evpl_dpdk_port_setup() set up", "-1, errno EINVAL; nothing "
      "else changes (the port still takes chains)", 0,
      burst_bad_queue_changes_nothing },
    { "evpl_dpdk_rx_burst, _flat", "nb_pkts 0 while a packet is kept", "0; the "
      "packet stays kept", 0, rx_burst_zero_while_kept },
    { "evpl_dpdk_rx_burst, _flat", "a full burst kept for another queue",
      "receives: the keep store grows rather than starve a queue", 0,
      rx_burst_kept_other_queue },
    { "evpl_dpdk_rx_burst", "max_iov too small for the next packet",
      "-1, errno ENOSPC; the packet is kept for the next call", 0,
      rx_burst_no_room },
    { "evpl_dpdk_rx_burst_flags", "unknown flags (GLOBAL included)",
      "-1, errno EINVAL", 0, rx_burst_flags_unknown_flags },
    { "evpl_dpdk_rx_burst_flat", "NULL context or iov, invalid port or "
      "queue, unknown flags", "-1, errno EINVAL", 0,
      rx_burst_flat_bad_arguments },
    { "evpl_dpdk_rx_burst_flat", "the next packet has several segments",
      "-1, errno EMSGSIZE, again and again; the packet stays kept, and "
      "evpl_dpdk_rx_burst() delivers it", 0, rx_burst_flat_multi_segment },
    { "evpl_dpdk_tx_burst_flat", "NULL context, NULL iov (nb_pkts > 0), "
      "invalid port or queue, unknown flags", "-1, errno EINVAL; no "
      "reference taken (NULL iov with nb_pkts 0: 0)", 0,
      tx_burst_flat_bad_arguments },
    { "evpl_iovec_alloc_global", "NULL context or output", "-1, errno "
      "EINVAL", 0, alloc_global_null },
    { "evpl_iovec_alloc_global", "every slab taken (a pool of 2)",
      "-1, errno ENOMEM; a released slab can be had again", 0,
      alloc_global_exhausted },
    { "evpl_dpdk_iovec_iova", "NULL or zeroed iovec", "RTE_BAD_IOVA", 0,
      iovec_iova_null_or_zeroed },
    { "evpl_dpdk_port_setup", "invalid port, too many queues, port started",
      "-1, errno EINVAL (EBUSY when started)", 0, port_setup_bad_arguments },
    { "evpl_dpdk_stats_get, evpl_dpdk_outstanding", "NULL argument",
      "-1, errno EINVAL", 0, stats_and_outstanding_null },
    { "evpl_dpdk_stats_reset", "NULL", "nothing; no other context's "
      "counters change", 0, stats_reset_null },
};

static void
print_table(void)
{
    size_t i;

    printf("| function | bad argument | what it does | build |\n");
    printf("|---|---|---|---|\n");
    for (i = 0; i < RTE_DIM(rows); i++)
        printf("| `%s` | %s | %s | %s |\n", rows[i].fn, rows[i].arg,
               rows[i].does, rows[i].trace ? "trace" : "every");
}

/* ---- running a row ----------------------------------------------------- */

struct row_state {
    const struct row *row;
    void             *t; /* evpl_test_setup()'s state */
};

static int
row_setup(void **state)
{
    struct row_state *rs = calloc(1, sizeof(*rs));

    if (rs == NULL)
        return -1;
    rs->row = *state;
    if (evpl_test_setup(&rs->t) != 0) {
        free(rs);
        return -1;
    }
    *state = rs;
    return 0;
}

static int
row_teardown(void **state)
{
    struct row_state *rs = *state;
    int               rc = evpl_test_teardown(&rs->t);

    free(rs);
    return rc;
}

static void
row_run(void **state)
{
    struct row_state *rs = *state;
    struct bad        b  = { ((struct evpl_test_ctx *) rs->t)->evpl };

#ifndef EVPL_IOVEC_TRACE
    /* Undefined behaviour without trace mode's checks. */
    if (rs->row->trace)
        skip();
#endif
    rs->row->test(&b);
}

int
main(int argc, char **argv)
{
    static struct CMUnitTest         cases[RTE_DIM(rows)];
    const struct evpl_dpdk_port_conf conf = { .nb_rxd = 256, .nb_txd = 256 };
    static char                 names[RTE_DIM(rows)][160];
    const struct evpl_test_prog prog = {
        .name      = "bad_input",
        .cases     = cases,
        .nb_cases  = RTE_DIM(cases),
        .eal.vdevs = EVPL_TEST_LIST("net_ring0", "net_null0", "net_ring1"),
        .ports     = EVPL_TEST_PORTS(&ring_port, &null_port, &reconf_port),
        .port_conf = &conf,
        /* Measured with EVPL_TEST_HUGEPAGES_NEED: 72 pass (slab rows grow
         * slab memory 32 MiB at a time); a margin above. */
        .eal.hugepages = 96,
    };
    size_t                      i;

    if (argc > 1 && strcmp(argv[1], "table") == 0) {
        print_table();
        return 0;
    }

    /* The one row that needs the EAL not to be there yet. */
    errno = 0;
    if (evpl_create(NULL) == NULL)
        pre_eal_create_errno = errno;

    for (i = 0; i < RTE_DIM(rows); i++) {
        snprintf(names[i], sizeof(names[i]), "%s: %s", rows[i].fn,
                 rows[i].arg);
        cases[i] = (struct CMUnitTest) {
            .name          = names[i],
            .test_func     = row_run,
            .setup_func    = row_setup,
            .teardown_func = row_teardown,
            .initial_state = (void *) &rows[i],
        };
    }
    return evpl_test_main(argc, argv, &prog);
}
