/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench's three parts and what they share:
 *   kernels.c   the timed loops, each an evpl-dpdk operation or its raw
 *               DPDK equivalent, and the table that pairs them (ops);
 *   fwd.c       the forwarding round trip's loops, on a net_null port;
 *   slab.c      the slab rows' loops and their DPDK and libc equivalents;
 *   harness.c   warm-up, repetitions in alternating order, statistics;
 *   report.c    the plain table and the JSON that scripts/plot-bench.sh
 *               reads;
 *   evpl-bench.c options, EAL and contexts, and the order of the run.
 */

#ifndef EVPL_BENCH_H
#define EVPL_BENCH_H

#include <stdint.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include <evpl/evpl.h>

#define BENCH_MAX_IOV   16
#define BENCH_MAX_REPS  101
#define BENCH_MAX_SWEEP 16 /* sizes of the TX sweep */

/* Keeps the compiler from merging an operation with the next one across
 * the loop body (a clone's increment with the release's decrement, say):
 * in real code something opaque always sits between them. Costs nothing
 * at run time. */
#define BENCH_BARRIER() __asm__ __volatile__("" : : : "memory")

struct env {
    struct evpl        *evpl;        /* default configuration */
    struct evpl        *evpl_copy;   /* tx_copy_max as large as it goes */
    struct evpl        *evpl_attach; /* tx_copy_max 1: attach, not copy */
    struct rte_mempool *pool;
    unsigned int        iters;

    /* Parameters of the operation being timed. */
    unsigned int        size, align, flags, nsegs;
    int                 shared;      /* the iovec has a second holder */
    int                 cold;        /* sweep: rotate over many headers */
    struct evpl        *tx;          /* context of a sweep point */

    /* The fwd rows' net_null port (fwd.c). */
    uint16_t            fwd_port;
    int                 fwd_ready;
};

typedef uint64_t (*bench_fn)(struct env *e);

/* What the loops are timed with (--clock): the TSC, or the calling
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID) counted in TSC cycles, which
 * leaves out the time slices other processes take on a shared machine. */
extern int    bench_clock_cpu;
extern double bench_tsc_per_ns;

static inline uint64_t
bench_now(void)
{
    struct timespec ts;

    if (!bench_clock_cpu)
        return rte_rdtsc_precise();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t) (((double) ts.tv_sec * 1e9 + (double) ts.tv_nsec) *
                       bench_tsc_per_ns);
}

/* Time e->iters runs of the statement list, i counting them (the caller
 * declares it), and put the TSC cycles the whole loop took into cycles. */
#define TIME_LOOP(e, i, cycles, ...)                             \
    do {                                                         \
        unsigned int n_  = (e)->iters;                           \
        uint64_t     t0_ = bench_now();                          \
        for ((i) = 0; (i) < n_; (i)++) {                         \
            __VA_ARGS__;                                         \
        }                                                        \
        (cycles) = bench_now() - t0_;                            \
    } while (0)

/* The same, for a function with nothing to set up: it returns the cycles. */
#define TIMED_LOOP(e, ...)                                       \
    do {                                                         \
        unsigned int i_;                                         \
        uint64_t     c_;                                         \
        TIME_LOOP(e, i_, c_, __VA_ARGS__);                       \
        return c_;                                               \
    } while (0)

/* One row of the table: an evpl-dpdk operation and its DPDK equivalent. */
struct op {
    const char  *name;      /* the evpl-dpdk operation */
    const char  *dpdk_name; /* its raw DPDK equivalent */
    bench_fn     evpl_fn, dpdk_fn;
    const char  *evpl_sym, *dpdk_sym; /* their names, for a profiler */
    unsigned int size, align, flags;
    int          shared;    /* the iovec has a second holder */
    const char  *series;    /* "alloc": a point of the by-size chart */
    double       bar;       /* 0, or the largest ratio allowed */
    int          bar_strict;/* the ratio must be below bar, not at most */
    int          fwd;       /* needs the net_null port of fwd.c */
    const char  *note;
};

struct stats {
    double median, min, max, spread; /* spread: (max - min) / median */
};

struct result {
    double      evpl[BENCH_MAX_REPS], dpdk[BENCH_MAX_REPS]; /* cycles/op */
    double      ratio[BENCH_MAX_REPS];
    struct stats e, d, r;
    int          ran;
};

/* kernels.c */
extern const struct op    bench_ops[];
extern const unsigned int bench_nops;
extern const unsigned int sweep_sizes[];
extern const unsigned int sweep_nsizes;
uint64_t evpl_tx_sweep(struct env *e);

/* fwd.c: the forwarding round trip on a net_null port */
int fwd_setup(struct env *e);
void fwd_teardown(struct env *e);
uint64_t fwd_raw(struct env *e);
uint64_t fwd_floor(struct env *e);
uint64_t fwd_evpl(struct env *e);
uint64_t fwd_flat(struct env *e);
uint64_t send_shared_evpl(struct env *e);
uint64_t send_clones_evpl(struct env *e);
uint64_t send_shared_raw(struct env *e);
uint64_t send_cold_flat(struct env *e);
uint64_t send_cold_raw(struct env *e);

/* slab.c: slab iovecs against rte_mempool, rte_malloc and malloc of the
 * same size; a slab range sent against rte_pktmbuf_attach_extbuf() by
 * hand; segments against a slab for the same request */
uint64_t slab_alloc_release(struct env *e);
uint64_t slab_reserve_commit(struct env *e);
uint64_t slab_cmp_mempool(struct env *e);
uint64_t slab_cmp_rte_malloc(struct env *e);
uint64_t slab_cmp_malloc(struct env *e);
uint64_t slab_send_range(struct env *e);
uint64_t slab_send_by_hand(struct env *e);
uint64_t slab_seg_alloc_release(struct env *e);
uint64_t slab_seg_alloc_send(struct env *e);
uint64_t slab_alloc_send(struct env *e);

/* harness.c */
__rte_noreturn __rte_cold void die(const char *what);
unsigned int segments_for(struct env *e, unsigned int size);
void run_pair(struct env *e, bench_fn a, bench_fn b, unsigned int reps,
              struct result *res);
void run_sweep_point(struct env *e, unsigned int reps, struct result *r);

/* report.c: sweep[shape][cold][size], evpl[] copy and dpdk[] attach. */
struct report {
    const char          *cmdline;
    const struct env    *e;
    unsigned int         iters, reps;
    int                  do_ops, do_sweep;
    const struct result *res; /* one per bench_ops row */
    const struct result (*sweep)[2][BENCH_MAX_SWEEP];
};

void report_json(const struct report *rp);
void report_text(const struct report *rp);

#endif /* EVPL_BENCH_H */
