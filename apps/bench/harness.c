/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench's harness. Every operation is timed as a loop of e->iters
 * operations beside a loop of its raw DPDK equivalent on the same pool and
 * lcore. A repetition runs both loops, in alternating order so neither is
 * always second; the ratio is taken within each repetition, which cancels
 * the slow drifts of a shared machine, and the statistics are the median
 * over the repetitions and the spread ((max - min) / median). Everything
 * is warmed up once, at a quarter of the iterations, before the first.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "bench.h"

int    bench_clock_cpu;
double bench_tsc_per_ns;

void
die(const char *what)
{
    fprintf(stderr, "evpl-bench: %s failed: %s\n", what,
            strerror(errno ? errno : rte_errno));
    exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

static struct stats
stats_of(const double *v, unsigned int n)
{
    double       s[BENCH_MAX_REPS];
    struct stats st;

    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_double);
    st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    st.min    = s[0];
    st.max    = s[n - 1];
    st.spread = st.median > 0 ? (st.max - st.min) / st.median : 0;
    return st;
}

/* Segments evpl uses for a request: the DPDK bulk side takes as many. */
unsigned int
segments_for(struct env *e, unsigned int size)
{
    struct evpl_iovec iov[BENCH_MAX_IOV];
    int               n = evpl_iovec_alloc(e->evpl, size, 0, BENCH_MAX_IOV, 0,
                                           iov);

    if (n < 0)
        die("evpl_iovec_alloc");
    evpl_iovecs_release(e->evpl, iov, n);
    return (unsigned int) n;
}

/* Run a pair: warm-up, then reps repetitions in alternating order. */
void
run_pair(struct env *e, bench_fn a, bench_fn b, unsigned int reps,
         struct result *res)
{
    unsigned int r, iters = e->iters;
    double       ca, cb;

    e->iters = iters / 4 ? iters / 4 : 1;
    a(e);
    b(e);
    e->iters = iters;
    for (r = 0; r < reps; r++) {
        if (r & 1) {
            cb = (double) b(e);
            ca = (double) a(e);
        } else {
            ca = (double) a(e);
            cb = (double) b(e);
        }
        res->evpl[r]  = ca / iters;
        res->dpdk[r]  = cb / iters;
        res->ratio[r] = ca / cb;
    }
    res->e = stats_of(res->evpl, reps);
    res->d = stats_of(res->dpdk, reps);
    res->r = stats_of(res->ratio, reps);
}

/* One point of the TX sweep (e->size, e->nsegs and e->cold set): the copy
 * context against the attach one, the same way; evpl[] is copy, dpdk[]
 * attach. */
void
run_sweep_point(struct env *e, unsigned int reps, struct result *r)
{
    unsigned int rr, iters = e->iters;
    double       ca, cb;

    e->tx    = e->evpl_copy;
    e->iters = iters / 4 ? iters / 4 : 1;
    evpl_tx_sweep(e);
    e->tx    = e->evpl_attach;
    evpl_tx_sweep(e);
    e->iters = iters;
    for (rr = 0; rr < reps; rr++) {
        e->tx = (rr & 1) ? e->evpl_attach : e->evpl_copy;
        ca    = (double) evpl_tx_sweep(e);
        e->tx = (rr & 1) ? e->evpl_copy : e->evpl_attach;
        cb    = (double) evpl_tx_sweep(e);
        if (rr & 1) {
            double t = ca;

            ca = cb;
            cb = t;
        }
        r->evpl[rr]  = ca / iters;
        r->dpdk[rr]  = cb / iters;
        r->ratio[rr] = ca / cb;
    }
    r->e = stats_of(r->evpl, reps);
    r->d = stats_of(r->dpdk, reps);
    r->r = stats_of(r->ratio, reps);
}
