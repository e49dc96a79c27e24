/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Trace mode (meson -Diovec_trace=true): every misuse it exists to catch
 * dies with SIGABRT and a message that names the call and the iovec.
 * Built only in trace builds.
 *
 * Each case prepares a dead (released, moved-from) or foreign iovec in
 * the parent, and misuses it in a forked child. Under hugepages the
 * child's DPDK memory is the parent's: every misuse here is caught before
 * the call writes an mbuf or the pool, which is what lets the parent go
 * on and end every case with the pool as it found it.
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "common.h"

#ifndef EVPL_IOVEC_TRACE
#error "test_trace is built only with -Diovec_trace=true"
#endif

static uint16_t null_port;

/* What a case works on: a is the iovec misused, keep keeps its mbuf
 * referenced, b and c receive moves and clones. */
struct scene {
    struct evpl      *evpl;
    struct evpl_iovec a, b, c, keep;
    int               have_keep, have_b;
    /* For the cross-thread cases: the tag the misusing thread runs as. */
    uint32_t          tag;
    void            (*op)(struct scene *s);
};

static struct scene *
scene_of(void **state)
{
    static struct scene s;

    memset(&s, 0, sizeof(s));
    s.evpl = ((struct evpl_test_ctx *) *state)->evpl;
    return &s;
}

/* a allocated, then released while keep holds the mbuf. */
static void
make_released(struct scene *s, unsigned int flags)
{
    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, flags, &s->a), 1);
    evpl_iovec_clone(&s->keep, &s->a);
    s->have_keep = 1;
    evpl_iovec_release(s->evpl, &s->a);
}

/* a allocated, then moved to b. */
static void
make_moved(struct scene *s)
{
    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    evpl_iovec_move(&s->b, &s->a);
    s->have_b = 1;
}

static void
scene_end(struct scene *s)
{
    if (s->have_keep)
        evpl_iovec_release(s->evpl, &s->keep);
    if (s->have_b)
        evpl_iovec_release(s->evpl, &s->b);
}

static void
run_op(void *arg)
{
    struct scene *s = arg;

    s->op(s);
}

/* The child dies of SIGABRT saying "evpl: <call>: <what> (iovec <iov>". */
static void
assert_dies(struct scene *s, void (*op)(struct scene *), const char *call,
            const char *what, const struct evpl_iovec *iov)
{
    char expect[256];

    if (iov != NULL)
        snprintf(expect, sizeof(expect), "evpl: %s: %s (iovec %p, data %p",
                 call, what, (const void *) iov, iov->data);
    else
        snprintf(expect, sizeof(expect), "evpl: %s: %s", call, what);
    s->op = op;
    if (!evpl_test_dies(run_op, s, expect))
        fail_msg("%s did not die with \"%s\"", call, expect);
}

/* ---- the misuses, one call each ----------------------------------- */

static void op_release(struct scene *s) { evpl_iovec_release(s->evpl, &s->a); }
static void op_releases(struct scene *s) { evpl_iovecs_release(s->evpl, &s->a, 1); }
static void op_clone_self(struct scene *s) { evpl_iovec_clone(&s->a, &s->a); }
static void op_clone_segment_self(struct scene *s)
{
    evpl_iovec_clone_segment(&s->a, &s->a, 0, 1);
}
static void op_clone(struct scene *s) { evpl_iovec_clone(&s->c, &s->a); }
static void op_clone_seg(struct scene *s)
{
    evpl_iovec_clone_segment(&s->c, &s->a, 1, 2);
}
static void op_move(struct scene *s) { evpl_iovec_move(&s->c, &s->a); }
static void op_move_seg(struct scene *s)
{
    evpl_iovec_move_segment(&s->c, &s->a, 1, 2);
}
static void op_data(struct scene *s) { (void) evpl_iovec_data(&s->a); }
static void op_length(struct scene *s) { (void) evpl_iovec_length(&s->a); }
static void op_set_length(struct scene *s) { evpl_iovec_set_length(&s->a, 5); }
static void op_commit(struct scene *s)
{
    evpl_iovec_commit(s->evpl, 0, &s->a, 1);
}
static void op_to_mbuf(struct scene *s)
{
    (void) evpl_dpdk_iovecs_to_mbuf(s->evpl, &s->a, 1, 0);
}
static void op_tx_burst(struct scene *s)
{
    struct evpl_dpdk_pkt p = { &s->a, 1 };

    (void) evpl_dpdk_tx_burst(s->evpl, null_port, 0, &p, 1, 0);
}

/* Every operation that takes an existing iovec, and what it is called. */
static const struct {
    void      (*op)(struct scene *s);
    const char *call;
} uses[] = {
    { op_clone,      "evpl_iovec_clone" },
    { op_clone_seg,  "evpl_iovec_clone_segment" },
    { op_move,       "evpl_iovec_move" },
    { op_move_seg,   "evpl_iovec_move_segment" },
    { op_data,       "evpl_iovec_data" },
    { op_length,     "evpl_iovec_length" },
    { op_set_length, "evpl_iovec_set_length" },
    { op_commit,     "evpl_iovec_commit" },
    { op_to_mbuf,    "evpl_dpdk_iovecs_to_mbuf" },
};

/* ---- cases ------------------------------------------------------------ */

static void
double_release(void **state)
{
    struct scene *s = scene_of(state);
    size_t        f;

    for (f = 0; f < 2; f++) {
        make_released(s, f ? EVPL_IOVEC_FLAG_SHARED : 0);
        assert_dies(s, op_release, "evpl_iovec_release", "double release",
                    &s->a);
        /* Named by the call that made it, not the one it wraps. */
        assert_dies(s, op_releases, "evpl_iovecs_release", "double release",
                    &s->a);
        scene_end(s);
        /* Nothing of the parent's was touched: one reference left. */
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&s->keep)), 1);
    }
}

/* clone(&a, &a) would take a reference that no iovec holds: caught before
 * the count moves. */
static void
clone_onto_itself(void **state)
{
    struct scene *s = scene_of(state);
    size_t        f;

    for (f = 0; f < 2; f++) {
        assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1,
                                          f ? EVPL_IOVEC_FLAG_SHARED : 0,
                                          &s->a), 1);
        assert_dies(s, op_clone_self, "evpl_iovec_clone",
                    "destination is the source", &s->a);
        assert_dies(s, op_clone_segment_self, "evpl_iovec_clone_segment",
                    "destination is the source", &s->a);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&s->a)), 1);
        evpl_iovec_release(s->evpl, &s->a);
    }
}

static void
use_after_release(void **state)
{
    struct scene *s = scene_of(state);
    size_t        i;

    make_released(s, 0);
    for (i = 0; i < RTE_DIM(uses); i++)
        assert_dies(s, uses[i].op, uses[i].call, "use after release", &s->a);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&s->keep)), 1);
    scene_end(s);
}

static void
use_after_move(void **state)
{
    struct scene *s = scene_of(state);
    size_t        i;

    make_moved(s);
    for (i = 0; i < RTE_DIM(uses); i++)
        assert_dies(s, uses[i].op, uses[i].call, "use after move", &s->a);
    assert_dies(s, op_release, "evpl_iovec_release", "use after move", &s->a);
    /* The destination is live: using it is fine. */
    assert_int_equal(evpl_iovec_length(&s->b), 100);
    scene_end(s);
}

static void
use_after_move_segment(void **state)
{
    struct scene *s = scene_of(state);
    size_t        i;

    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    evpl_iovec_move_segment(&s->b, &s->a, 10, 20);
    s->have_b = 1;
    for (i = 0; i < RTE_DIM(uses); i++)
        assert_dies(s, uses[i].op, uses[i].call, "use after move", &s->a);
    assert_dies(s, op_release, "evpl_iovec_release", "use after move", &s->a);
    scene_end(s);
}

static void
moves_in_place_stay_live(void **state)
{
    struct scene *s = scene_of(state);

    /* Cursor code moves an iovec onto itself: it stays usable. */
    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    evpl_iovec_move(&s->a, &s->a);
    evpl_iovec_move_segment(&s->a, &s->a, 10, 90);
    assert_int_equal(evpl_iovec_length(&s->a), 90);
    evpl_iovec_release(s->evpl, &s->a);
}

static void
commit_of_dead_reservation(void **state)
{
    struct scene *s = scene_of(state);

    assert_int_equal(evpl_iovec_reserve(s->evpl, 100, 0, 1, &s->a), 1);
    evpl_iovec_clone(&s->keep, &s->a);
    s->have_keep = 1;
    evpl_iovec_release(s->evpl, &s->a);
    assert_dies(s, op_commit, "evpl_iovec_commit", "use after release", &s->a);
    scene_end(s);

    memset(s, 0, sizeof(*s));
    s->evpl = ((struct evpl_test_ctx *) *state)->evpl;
    assert_int_equal(evpl_iovec_reserve(s->evpl, 100, 0, 1, &s->a), 1);
    evpl_iovec_move(&s->b, &s->a);
    s->have_b = 1;
    assert_dies(s, op_commit, "evpl_iovec_commit", "use after move", &s->a);
    scene_end(s);
}

static void
transmit_of_dead_iovec(void **state)
{
    struct scene    *s = scene_of(state);
    struct rte_mbuf *m;

    make_released(s, 0);
    assert_dies(s, op_to_mbuf, "evpl_dpdk_iovecs_to_mbuf",
                "use after release", &s->a);
    scene_end(s);

    /* TAKE_REF moves the reference into the chain: the iovec is dead. */
    memset(s, 0, sizeof(*s));
    s->evpl = ((struct evpl_test_ctx *) *state)->evpl;
    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    m = evpl_dpdk_iovecs_to_mbuf(s->evpl, &s->a, 1, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_dies(s, op_to_mbuf, "evpl_dpdk_iovecs_to_mbuf", "use after move",
                &s->a);
    assert_dies(s, op_release, "evpl_iovec_release", "use after move", &s->a);
    rte_pktmbuf_free(m);
}

static void
transmit_burst_of_dead_iovec(void **state)
{
    struct scene *s = scene_of(state);

    /* evpl_dpdk_tx_burst() checks each packet as it converts it, and the
     * message names the burst. */
    make_released(s, 0);
    assert_dies(s, op_tx_burst, "evpl_dpdk_tx_burst",
                "use after release", &s->a);
    scene_end(s);
}

/* ---- LOCAL iovecs on the wrong thread --------------------------------- */

static void *
as_other_thread(void *arg)
{
    struct scene *s = arg;

    evpl_thread_tag_ = s->tag;
    s->op(s);
    return NULL;
}

struct thread_op {
    struct scene *s;
    void        (*op)(struct scene *s);
};

static void
run_op_on_thread(void *arg)
{
    struct thread_op *t = arg;
    pthread_t         th;

    t->s->op = t->op;
    if (pthread_create(&th, NULL, as_other_thread, t->s) == 0)
        pthread_join(th, NULL);
}

static void
local_used_on_other_thread(void **state)
{
    static const uint32_t tags[] = { 0, 0xabcde };
    struct scene         *s = scene_of(state);
    uint32_t              owner;
    char                  what[128], expect[256];
    size_t                i, t;

    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    owner = s->a.flags >> EVPL_IOVEC_OWNER_SHIFT_;
    assert_int_equal(owner, evpl_thread_tag_);

    /* A thread without a context (tag 0), and one with another's tag. */
    for (t = 0; t < RTE_DIM(tags); t++) {
        s->tag = tags[t];
        snprintf(what, sizeof(what),
                 "LOCAL iovec of thread tag %u used on thread tag %u", owner,
                 tags[t]);
        for (i = 0; i <= RTE_DIM(uses); i++) {
            struct thread_op top = {
                s, i < RTE_DIM(uses) ? uses[i].op : op_release
            };
            const char      *call = i < RTE_DIM(uses) ? uses[i].call :
                                    "evpl_iovec_release";

            snprintf(expect, sizeof(expect), "evpl: %s: %s (iovec %p", call,
                     what, (void *) &s->a);
            if (!evpl_test_dies(run_op_on_thread, &top, expect))
                fail_msg("%s on thread tag %u did not die", call, tags[t]);
        }
    }
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&s->a)), 1);
    evpl_iovec_release(s->evpl, &s->a);
}

static void
op_shared_roundtrip(struct scene *s)
{
    evpl_iovec_clone(&s->c, &s->a);
    evpl_iovec_release(NULL, &s->c);
    evpl_iovec_release(NULL, &s->a);
}

static void
shared_used_on_other_thread(void **state)
{
    struct scene *s = scene_of(state);
    pthread_t     th;

    /* SHARED is what crosses threads: no abort, the reference goes. */
    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1,
                                      EVPL_IOVEC_FLAG_SHARED, &s->a), 1);
    s->tag = 0xabcde;
    s->op  = op_shared_roundtrip;
    assert_int_equal(pthread_create(&th, NULL, as_other_thread, s), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(s->a.flags & EVPL_IOVEC_F_RELEASED_);
}

/* ---- ranges and malformed arguments ----------------------------------- */

static void op_clone_seg_far(struct scene *s)
{
    evpl_iovec_clone_segment(&s->c, &s->a, 50, 51);
}
static void op_move_seg_far(struct scene *s)
{
    evpl_iovec_move_segment(&s->c, &s->a, 101, 0);
}
static void op_set_length_far(struct scene *s)
{
    evpl_iovec_set_length(&s->a, 1u << 20);
}
static void op_release_null(struct scene *s) { evpl_iovec_release(s->evpl, NULL); }
static void op_releases_null(struct scene *s)
{
    evpl_iovecs_release(s->evpl, NULL, 1);
}
static void op_clone_null_src(struct scene *s) { evpl_iovec_clone(&s->c, NULL); }
static void op_clone_null_dst(struct scene *s) { evpl_iovec_clone(NULL, &s->a); }
static void op_move_null_dst(struct scene *s) { evpl_iovec_move(NULL, &s->a); }
static void op_data_null(struct scene *s)
{
    s->c.data = evpl_iovec_data(NULL);
}
static void op_clone_zeroed(struct scene *s)
{
    memset(&s->b, 0, sizeof(s->b));
    evpl_iovec_clone(&s->c, &s->b);
}
static void op_release_zeroed(struct scene *s)
{
    memset(&s->b, 0, sizeof(s->b));
    evpl_iovec_release(s->evpl, &s->b);
}

static void
out_of_range_segments(void **state)
{
    struct scene *s = scene_of(state);

    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    assert_dies(s, op_clone_seg_far, "evpl_iovec_clone_segment",
                "range [50, 50 + 51) outside an iovec of length 100", &s->a);
    assert_dies(s, op_move_seg_far, "evpl_iovec_move_segment",
                "range [101, 101 + 0) outside an iovec of length 100", &s->a);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&s->a)), 1);
    evpl_iovec_release(s->evpl, &s->a);
}

static void
set_length_past_segment(void **state)
{
    struct scene *s = scene_of(state);
    char          what[96];

    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    snprintf(what, sizeof(what), "length %u runs past its %u-byte segment",
             1u << 20, evpl_test_mbuf(&s->a)->buf_len);
    assert_dies(s, op_set_length_far, "evpl_iovec_set_length", what, &s->a);
    /* Anywhere inside the segment is the caller's business. */
    evpl_iovec_set_length(&s->a, 4000);
    assert_int_equal(evpl_iovec_length(&s->a), 4000);
    evpl_iovec_release(s->evpl, &s->a);
}

/*
 * A length that ends exactly at the end of the iovec's buffer is inside
 * it: the last byte of an mbuf's segment, the last byte of a slab. Guards
 * the bounds of the trace check of evpl_iovec_set_length()
 * (include/evpl/evpl_memory_pvt.h, evpl_trace_check_length_(), "> m->buf_len"
 * and "> s->size"): one byte short of either end is refused as past it
 * by ">=".
 */
static void
set_length_to_the_buffer_end(void **state)
{
    struct scene             *s = scene_of(state);
    const struct rte_mbuf    *m;
    const struct evpl_slab_  *h;
    unsigned int              end;

    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    m   = evpl_test_mbuf(&s->a);
    end = (unsigned int) (m->buf_len -
                          ((char *) s->a.data - (char *) m->buf_addr));
    evpl_iovec_set_length(&s->a, end);
    assert_int_equal(evpl_iovec_length(&s->a), end);
    evpl_iovec_release(s->evpl, &s->a);

    assert_int_equal(evpl_iovec_alloc_global(s->evpl, &s->a), 1);
    assert_true(evpl_dpdk_iovec_is_slab(&s->a));
    h   = evpl_iovec_slab_(&s->a);
    end = (unsigned int) (h->size - ((char *) s->a.data - h->data));
    evpl_iovec_set_length(&s->a, end);
    assert_int_equal(evpl_iovec_length(&s->a), end);
    evpl_iovec_release(s->evpl, &s->a);
}

static void
null_and_zeroed_iovecs(void **state)
{
    struct scene *s = scene_of(state);

    assert_int_equal(evpl_iovec_alloc(s->evpl, 100, 0, 1, 0, &s->a), 1);
    assert_dies(s, op_release_null, "evpl_iovec_release", "NULL iovec", NULL);
    assert_dies(s, op_releases_null, "evpl_iovecs_release", "NULL iovec",
                NULL);
    assert_dies(s, op_clone_null_src, "evpl_iovec_clone", "NULL iovec", NULL);
    assert_dies(s, op_clone_null_dst, "evpl_iovec_clone",
                "NULL destination iovec", NULL);
    assert_dies(s, op_move_null_dst, "evpl_iovec_move",
                "NULL destination iovec", NULL);
    assert_dies(s, op_data_null, "evpl_iovec_data", "NULL iovec", NULL);
    assert_dies(s, op_clone_zeroed, "evpl_iovec_clone",
                "iovec references no buffer", &s->b);
    assert_dies(s, op_release_zeroed, "evpl_iovec_release",
                "iovec references no buffer", &s->b);
    assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&s->a)), 1);
    evpl_iovec_release(s->evpl, &s->a);
}

static void
destroy_reports_and_does_not_abort(void **state)
{
    struct evpl      *e = evpl_create(NULL);
    struct evpl_iovec v;

    (void) state;
    /* Outstanding iovecs at destroy are reported, not fatal. */
    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, &v), 1);
    evpl_destroy(e);
    evpl_iovec_release(NULL, &v);
}

static const struct CMUnitTest cases[] = {
    CASE(double_release),
    CASE(clone_onto_itself),
    CASE(use_after_release),
    CASE(use_after_move),
    CASE(use_after_move_segment),
    CASE(moves_in_place_stay_live),
    CASE(commit_of_dead_reservation),
    CASE(transmit_of_dead_iovec),
    CASE(transmit_burst_of_dead_iovec),
    CASE(local_used_on_other_thread),
    CASE(shared_used_on_other_thread),
    CASE(out_of_range_segments),
    CASE(set_length_past_segment),
    CASE(set_length_to_the_buffer_end),
    CASE(null_and_zeroed_iovecs),
    CASE(destroy_reports_and_does_not_abort),
};

EVPL_TEST_MAIN("trace", cases, .eal.vdevs = EVPL_TEST_LIST("net_null0"),
               .ports = EVPL_TEST_PORTS(&null_port))
