/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench: what each memory operation costs against the mbuf calls a
 * DPDK application would write itself.
 *
 *   evpl-bench [EAL options --] [--json] [--reps N] [--iters N]
 *              [--no-sweep | --sweep-only] [--only NAME]
 *   evpl-bench --list
 *
 * Without EAL options it runs on one lcore (CPU 1 where there are two or
 * more, else CPU 0) with --in-memory --no-pci: hugepages, no devices.
 *
 * Every operation is timed as a loop of --iters operations with rte_rdtsc
 * around it, beside a loop of its raw DPDK equivalent on the same pool and
 * lcore. A repetition runs both loops, in alternating order so neither is
 * always second; the ratio is taken within each repetition, which cancels
 * the slow drifts of a shared machine, and the report gives the median
 * over --reps repetitions and the spread ((max - min) / median). Everything
 * is warmed up once before the first repetition.
 *
 * The TX sweep times evpl_dpdk_iovecs_to_mbuf() + rte_pktmbuf_free() of
 * shared iovecs by size with tx_copy_max large (copy) and 1 (attach), the
 * measurement behind EVPL_DPDK_TX_COPY_MAX.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include <evpl/evpl.h>

#define BENCH_MAX_IOV  16
#define BENCH_MAX_REPS 101

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
    int                 shared;      /* the iovec gets a second holder */
    int                 cold;        /* sweep: rotate over many headers */
    struct evpl        *tx;          /* context of a sweep point */
};

typedef uint64_t (*bench_fn)(struct env *e);

static __rte_noreturn void
die(const char *what)
{
    fprintf(stderr, "evpl-bench: %s failed: %s\n", what,
            strerror(errno ? errno : rte_errno));
    exit(1);
}

/* Time e->iters runs of the statement list in the loop; the enclosing
 * function returns the TSC cycles the whole loop took. */
/* Time e->iters runs of the statement list, i counting them (the caller
 * declares it), and put the TSC cycles the whole loop took into cycles. */
#define TIME_LOOP(e, i, cycles, ...)                             \
    do {                                                         \
        unsigned int n_  = (e)->iters;                           \
        uint64_t     t0_ = rte_rdtsc_precise();                  \
        for ((i) = 0; (i) < n_; (i)++) {                         \
            __VA_ARGS__;                                         \
        }                                                        \
        (cycles) = rte_rdtsc_precise() - t0_;                    \
    } while (0)

/* The same, for a function with nothing to set up: it returns the cycles. */
#define TIMED_LOOP(e, ...)                                       \
    do {                                                         \
        unsigned int i_;                                         \
        uint64_t     c_;                                         \
        TIME_LOOP(e, i_, c_, __VA_ARGS__);                       \
        return c_;                                               \
    } while (0)

/* A fresh mbuf holding len bytes (0: none) and refcnt references. */
static struct rte_mbuf *
bench_mbuf(struct env *e, unsigned int len, uint16_t refcnt)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(e->pool);

    if (m == NULL || (len > 0 && rte_pktmbuf_append(m, (uint16_t) len) ==
                      NULL))
        die("rte_pktmbuf_alloc");
    rte_mbuf_refcnt_set(m, refcnt);
    return m;
}

/* Give back an mbuf of bench_mbuf(), whatever references it was given. */
static void
bench_mbuf_free(struct rte_mbuf *m)
{
    rte_mbuf_refcnt_set(m, 1);
    rte_pktmbuf_free(m);
}

/* An iovec of len bytes, one exclusive mbuf. */
static void
bench_iovec(struct env *e, unsigned int len, unsigned int flags,
            struct evpl_iovec *v)
{
    if (evpl_iovec_alloc(e->evpl, len, 0, 1, flags, v) != 1)
        die("evpl_iovec_alloc");
}

/* ---- allocation ------------------------------------------------------ */

static uint64_t
evpl_alloc_release(struct env *e)
{
    struct evpl_iovec iov[BENCH_MAX_IOV];
    struct evpl      *evpl = e->evpl;
    unsigned int      size = e->size, align = e->align;
    int               n;

    TIMED_LOOP(e,
        n = evpl_iovec_alloc(evpl, size, align, BENCH_MAX_IOV, 0, iov);
        if (unlikely(n < 0))
            die("evpl_iovec_alloc");
        evpl_iovecs_release(evpl, iov, n));
}

static uint64_t
dpdk_alloc_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL))
            die("rte_pktmbuf_alloc");
        rte_pktmbuf_free(m));
}

static uint64_t
dpdk_alloc_free_bulk(struct env *e)
{
    struct rte_mbuf    *m[BENCH_MAX_IOV];
    struct rte_mempool *mp = e->pool;
    unsigned int        nsegs = e->nsegs;

    TIMED_LOOP(e,
        if (unlikely(rte_pktmbuf_alloc_bulk(mp, m, nsegs) != 0))
            die("rte_pktmbuf_alloc_bulk");
        rte_pktmbuf_free_bulk(m, nsegs));
}

static uint64_t
evpl_reserve_commit(struct env *e)
{
    struct evpl_iovec iov[BENCH_MAX_IOV];
    struct evpl      *evpl = e->evpl;
    unsigned int      size = e->size;
    int               n;

    TIMED_LOOP(e,
        n = evpl_iovec_reserve(evpl, size, 0, BENCH_MAX_IOV, iov);
        if (unlikely(n < 0))
            die("evpl_iovec_reserve");
        evpl_iovec_commit(evpl, 0, iov, n);
        evpl_iovecs_release(evpl, iov, n));
}

/* ---- reference counts ------------------------------------------------ */

static uint64_t
evpl_clone_release(struct env *e)
{
    struct evpl_iovec orig, c;
    struct evpl      *evpl = e->evpl;
    unsigned int      i;
    uint64_t          cycles;

    bench_iovec(e, 64, e->flags, &orig);
    TIME_LOOP(e, i, cycles,
        evpl_iovec_clone(&c, &orig);
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &c);
        BENCH_BARRIER());
    evpl_iovec_release(evpl, &orig);
    return cycles;
}

static uint64_t
evpl_clone_segment_release(struct env *e)
{
    struct evpl_iovec orig, c;
    struct evpl      *evpl = e->evpl;
    unsigned int      i;
    uint64_t          cycles;

    bench_iovec(e, 1500, 0, &orig);
    TIME_LOOP(e, i, cycles,
        evpl_iovec_clone_segment(&c, &orig, 42, 1000);
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &c);
        BENCH_BARRIER());
    evpl_iovec_release(evpl, &orig);
    return cycles;
}

/* On an mbuf with two references, so that rte_mbuf_refcnt_update() takes
 * its atomic path (at refcnt 1 it is a plain store). */
static uint64_t
dpdk_refcnt_pair(struct env *e)
{
    struct rte_mbuf *m = bench_mbuf(e, 0, 2);
    unsigned int     i;
    uint64_t         cycles;

    TIME_LOOP(e, i, cycles,
        rte_mbuf_refcnt_update(m, 1);
        BENCH_BARRIER();
        rte_mbuf_refcnt_update(m, -1);
        BENCH_BARRIER());
    bench_mbuf_free(m);
    return cycles;
}

/* DPDK's reference to a sub-range of a packet: an indirect clone, trimmed. */
static uint64_t
dpdk_clone_range_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m = bench_mbuf(e, 1500, 1), *c;
    unsigned int        i;
    uint64_t            cycles;

    TIME_LOOP(e, i, cycles,
        c = rte_pktmbuf_clone(m, mp);
        if (unlikely(c == NULL))
            die("rte_pktmbuf_clone");
        rte_pktmbuf_adj(c, 42);
        rte_pktmbuf_trim(c, 1500 - 42 - 1000);
        BENCH_BARRIER();
        rte_pktmbuf_free(c));
    rte_pktmbuf_free(m);
    return cycles;
}

/* Moves between two arrays of iovecs, one per iteration, a whole array
 * one way and then back: independent copies, as when iovecs are queued. */
#define MOVE_SLOTS 64u

static uint64_t
evpl_move(struct env *e)
{
    static struct evpl_iovec a[MOVE_SLOTS], b[MOVE_SLOTS];
    struct evpl_iovec       *src, *dst;
    struct evpl             *evpl = e->evpl;
    unsigned int             i, k, n = e->iters;
    uint64_t                 cycles;

    bench_iovec(e, 64, 0, &a[0]);
    for (k = 1; k < MOVE_SLOTS; k++)
        evpl_iovec_clone(&a[k], &a[0]);
    TIME_LOOP(e, i, cycles,
        k   = i % MOVE_SLOTS;
        src = (i / MOVE_SLOTS) & 1 ? b : a;
        dst = (i / MOVE_SLOTS) & 1 ? a : b;
        evpl_iovec_move(&dst[k], &src[k]);
        BENCH_BARRIER());
    /* Where each reference ended up depends on where the loop stopped. */
    for (k = 0; k < MOVE_SLOTS; k++)
        evpl_iovec_release(evpl, k < n % MOVE_SLOTS ?
                           ((n / MOVE_SLOTS) & 1 ? &a[k] : &b[k]) :
                           ((n / MOVE_SLOTS) & 1 ? &b[k] : &a[k]));
    return cycles;
}

/* The DPDK way to hand a buffer on without a count: pass its pointer. */
static uint64_t
dpdk_pointer_handoff(struct env *e)
{
    static struct rte_mbuf *a[MOVE_SLOTS], *b[MOVE_SLOTS];
    struct rte_mbuf       **src, **dst;
    unsigned int            i, k;
    uint64_t                cycles;

    a[0] = bench_mbuf(e, 0, 1);
    for (k = 1; k < MOVE_SLOTS; k++)
        a[k] = a[0];
    TIME_LOOP(e, i, cycles,
        k      = i % MOVE_SLOTS;
        src    = (i / MOVE_SLOTS) & 1 ? b : a;
        dst    = (i / MOVE_SLOTS) & 1 ? a : b;
        dst[k] = src[k];
        BENCH_BARRIER());
    rte_pktmbuf_free(a[0]);
    return cycles;
}

/* ---- transmit and receive -------------------------------------------- */

/* The whole life of a transmit buffer: allocate, fill in the length, hand
 * to the driver (which frees it after sending). */
static uint64_t
evpl_alloc_to_mbuf_take(struct env *e)
{
    struct evpl_iovec v;
    struct evpl      *evpl = e->evpl;
    struct rte_mbuf  *m;
    unsigned int      size = e->size;

    TIMED_LOOP(e,
        if (unlikely(evpl_iovec_alloc(evpl, size, 0, 1, 0, &v) != 1))
            die("evpl_iovec_alloc");
        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, EVPL_DPDK_TAKE_REF);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        rte_pktmbuf_free(m));
}

static uint64_t
dpdk_alloc_append_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m;
    uint16_t            size = (uint16_t) e->size;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL || rte_pktmbuf_append(m, size) == NULL))
            die("rte_pktmbuf_alloc");
        rte_pktmbuf_free(m));
}

/* Transmit a buffer and keep it (a retransmission queue): the chain takes
 * a reference of its own, the driver's free drops it. */
static uint64_t
evpl_to_mbuf_keep(struct env *e)
{
    struct evpl_iovec v, hold = { .data = NULL };
    struct evpl      *evpl = e->evpl;
    struct rte_mbuf  *m;
    unsigned int      i;
    uint64_t          cycles;

    bench_iovec(e, e->size, 0, &v);
    if (e->shared)
        evpl_iovec_clone(&hold, &v);
    TIME_LOOP(e, i, cycles,
        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
    if (e->shared)
        evpl_iovec_release(evpl, &hold);
    evpl_iovec_release(evpl, &v);
    return cycles;
}

static uint64_t
dpdk_refcnt_free(struct env *e)
{
    struct rte_mbuf *m = bench_mbuf(e, e->size, 1);
    unsigned int     i;
    uint64_t         cycles;

    TIME_LOOP(e, i, cycles,
        rte_mbuf_refcnt_update(m, 1);
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
    rte_pktmbuf_free(m);
    return cycles;
}

/* DPDK's way to transmit a buffer that others still hold: an indirect mbuf
 * attached to it. */
static uint64_t
dpdk_attach_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *md = bench_mbuf(e, e->size, 2), *mi;
    unsigned int        i;
    uint64_t            cycles;

    TIME_LOOP(e, i, cycles,
        mi = rte_pktmbuf_alloc(mp);
        if (unlikely(mi == NULL))
            die("rte_pktmbuf_alloc");
        rte_pktmbuf_attach(mi, md);
        BENCH_BARRIER();
        rte_pktmbuf_free(mi));
    bench_mbuf_free(md);
    return cycles;
}

/* A received packet (the alloc stands in for the driver's) wrapped as an
 * iovec and released. */
static uint64_t
evpl_rx_wrap_release(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct evpl_iovec   v;
    struct evpl        *evpl = e->evpl;
    struct rte_mbuf    *m;
    uint16_t            size = (uint16_t) e->size;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL))
            die("rte_pktmbuf_alloc");
        m->data_len = size;
        m->pkt_len  = size;
        if (unlikely(evpl_dpdk_mbuf_to_iovecs(evpl, m, &v, 1) != 1))
            die("evpl_dpdk_mbuf_to_iovecs");
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &v));
}

static uint64_t
dpdk_rx_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m;
    uint16_t            size = (uint16_t) e->size;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL))
            die("rte_pktmbuf_alloc");
        m->data_len = size;
        m->pkt_len  = size;
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
}

/* ---- TX sweep: copy or attach a shared iovec ----------------------------
 *
 * Shared headers of e->size bytes (each with a second reference, so the
 * conversion cannot reuse its mbuf), converted with e->tx. With e->nsegs 2
 * each packet is [header][1024-byte exclusive payload]; with 1 the header
 * alone. With e->cold, each packet takes the next of SWEEP_COLD headers and
 * payloads, a working set far larger than L1, as on a server whose headers
 * are not the ones it touched last. */

#define SWEEP_PAYLOAD 1024u
#define SWEEP_COLD    1024u

static struct evpl_iovec sweep_hdr[SWEEP_COLD], sweep_hold[SWEEP_COLD];
static struct evpl_iovec sweep_pay[SWEEP_COLD];

static uint64_t
evpl_tx_sweep(struct env *e)
{
    struct evpl_iovec pkt[2];
    struct evpl      *evpl = e->tx;
    struct rte_mbuf  *m;
    unsigned int      k = 0, nb = e->cold ? SWEEP_COLD : 1, i;
    int               niov = (int) e->nsegs;
    uint64_t          cycles;

    for (k = 0; k < nb; k++) {
        bench_iovec(e, e->size, 0, &sweep_hdr[k]);
        bench_iovec(e, SWEEP_PAYLOAD, 0, &sweep_pay[k]);
        memset(sweep_hdr[k].data, 0x45, e->size);
        evpl_iovec_clone(&sweep_hold[k], &sweep_hdr[k]);
    }
    k = 0;
    TIME_LOOP(e, i, cycles,
        pkt[0] = sweep_hdr[k];
        pkt[1] = sweep_pay[k];
        m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, niov, 0);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        BENCH_BARRIER();
        rte_pktmbuf_free(m);
        if (++k == nb)
            k = 0);
    for (k = 0; k < nb; k++) {
        evpl_iovec_release(e->evpl, &sweep_hold[k]);
        evpl_iovec_release(e->evpl, &sweep_hdr[k]);
        evpl_iovec_release(e->evpl, &sweep_pay[k]);
    }
    return cycles;
}

/* ---- the plan ----------------------------------------------------------- */

struct op {
    const char  *name;      /* the evpl-dpdk operation */
    const char  *dpdk_name; /* its raw DPDK equivalent */
    bench_fn     evpl_fn, dpdk_fn;
    const char  *evpl_sym, *dpdk_sym; /* their names, for a profiler */
    unsigned int size, align, flags;
    int          shared;    /* the iovec has a second holder */
    const char  *series;    /* "alloc": a point of the by-size chart */
    double       bar;       /* 0, or the largest ratio design.md allows */
    int          bar_strict;/* the ratio must be below bar, not at most */
    const char  *note;
};

#define ALLOC_FREE "rte_pktmbuf_alloc+rte_pktmbuf_free"
#define REFCNT_PAIR "rte_mbuf_refcnt_update +1/-1 (atomic)"
#define BULK_NOTE "DPDK side: a bulk of as many mbufs as evpl's iovecs"

#define FNS(e, d) .evpl_fn = e, .dpdk_fn = d, .evpl_sym = #e, .dpdk_sym = #d

static const struct op ops[] = {
    { .name = "alloc+release 64 B", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 64, .series = "alloc", .bar = 1.0 },
    { .name = "alloc+release 512 B", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 512, .series = "alloc" },
    { .name = "alloc+release 1500 B", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 1500, .series = "alloc", .bar = 1.1 },
    { .name = "alloc+release 9000 B", .dpdk_name = "rte_pktmbuf_alloc_bulk+free_bulk",
      FNS(evpl_alloc_release, dpdk_alloc_free_bulk),
      .size = 9000, .series = "alloc", .note = BULK_NOTE },
    { .name = "alloc+release 65536 B", .dpdk_name = "rte_pktmbuf_alloc_bulk+free_bulk",
      FNS(evpl_alloc_release, dpdk_alloc_free_bulk),
      .size = 65536, .series = "alloc", .note = BULK_NOTE },
    { .name = "alloc 1500 B align 64+release", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 1500, .align = 64 },
    { .name = "alloc 4096 B align 4096+release", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 4096, .align = 4096 },
    { .name = "reserve 64 B+commit+release", .dpdk_name = ALLOC_FREE,
      FNS(evpl_reserve_commit, dpdk_alloc_free),
      .size = 64, .note = "DPDK has no carving: its small buffer is a whole mbuf" },
    { .name = "clone+release LOCAL", .dpdk_name = REFCNT_PAIR,
      FNS(evpl_clone_release, dpdk_refcnt_pair),
      .bar = 1.0, .bar_strict = 1,
      .note = "DPDK side on an mbuf at refcnt 2, so both updates are atomic" },
    { .name = "clone+release SHARED", .dpdk_name = REFCNT_PAIR,
      FNS(evpl_clone_release, dpdk_refcnt_pair),
      .flags = EVPL_IOVEC_FLAG_SHARED,
      .note = "DPDK side on an mbuf at refcnt 2, so both updates are atomic" },
    { .name = "clone_segment+release LOCAL",
      .dpdk_name = "rte_pktmbuf_clone+adj+trim+free",
      FNS(evpl_clone_segment_release, dpdk_clone_range_free),
      .note = "1000 bytes of a 1500-byte buffer; DPDK's is an indirect mbuf" },
    { .name = "move", .dpdk_name = "mbuf pointer hand-off",
      FNS(evpl_move, dpdk_pointer_handoff),
      .note = "a 24-byte struct copy against an 8-byte pointer copy" },
    { .name = "alloc+to_mbuf(TAKE_REF)+free 1500 B",
      .dpdk_name = "rte_pktmbuf_alloc+append+free",
      FNS(evpl_alloc_to_mbuf_take, dpdk_alloc_append_free),
      .size = 1500,
      .note = "a transmit buffer's life; rte_pktmbuf_free stands in for the driver's" },
    { .name = "to_mbuf+free, exclusive 1500 B",
      .dpdk_name = "rte_mbuf_refcnt_update+free",
      FNS(evpl_to_mbuf_keep, dpdk_refcnt_free),
      .size = 1500,
      .note = "sent and kept: the chain holds a reference of its own" },
    { .name = "to_mbuf+free, shared 1500 B",
      .dpdk_name = "rte_pktmbuf_alloc+attach+free",
      FNS(evpl_to_mbuf_keep, dpdk_attach_free),
      .size = 1500, .shared = 1,
      .note = "above tx_copy_max: an indirect mbuf" },
    { .name = "to_mbuf+free, shared 64 B",
      .dpdk_name = "rte_pktmbuf_alloc+attach+free",
      FNS(evpl_to_mbuf_keep, dpdk_attach_free),
      .size = 64, .shared = 1,
      .note = "within tx_copy_max: copied into a fresh mbuf" },
    { .name = "mbuf_to_iovecs+release 64 B", .dpdk_name = "rte_pktmbuf_free",
      FNS(evpl_rx_wrap_release, dpdk_rx_free),
      .size = 64,
      .note = "both sides include the rte_pktmbuf_alloc that stands in for RX" },
};

static const unsigned int sweep_sizes[] = {
    16, 32, 64, 96, 128, 192, 256, 384, 512, 640, 768, 1024,
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

static double tsc_ns; /* ns per TSC cycle */

/* Segments evpl uses for a request: the DPDK bulk side takes as many. */
static unsigned int
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
static void
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

static void
cpu_model(char *buf, size_t len)
{
    char  line[256], *p;
    FILE *f = fopen("/proc/cpuinfo", "r");

    snprintf(buf, len, "unknown");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "model name", 10) == 0 &&
            (p = strchr(line, ':')) != NULL) {
            p += 1 + (p[1] == ' ');
            p[strcspn(p, "\n")] = '\0';
            snprintf(buf, len, "%s", p);
            break;
        }
    }
    fclose(f);
}

static void
json_stats(const char *key, const struct stats *s, const char *end)
{
    printf("\"%s\": {\"median_ns\": %.3f, \"median_cycles\": %.2f, "
           "\"min_ns\": %.3f, \"max_ns\": %.3f, \"spread_pct\": %.2f}%s",
           key, s->median * tsc_ns, s->median, s->min * tsc_ns,
           s->max * tsc_ns, s->spread * 100, end);
}

static void
json_samples(const char *key, const double *v, unsigned int reps,
             const char *end)
{
    unsigned int r;

    printf("\"%s\": [", key);
    for (r = 0; r < reps; r++)
        printf("%s%.2f", r ? ", " : "", v[r]);
    printf("]%s", end);
}

static void
usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [EAL options --] [--json] [--reps N] [--iters N]\n"
            "          [--no-sweep | --sweep-only] [--only NAME]\n"
            "       %s --list\n"
            "Without EAL options: -l <one CPU> --in-memory --no-pci.\n"
            "--only runs the operations whose name contains NAME (for a\n"
            "profiler; the others are not run). --list prints each\n"
            "operation's name and the functions that time it.\n",
            prog, prog);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "reps", required_argument, NULL, 'r' },
        { "iters", required_argument, NULL, 'i' },
        { "no-sweep", no_argument, NULL, 'n' },
        { "sweep-only", no_argument, NULL, 's' },
        { "only", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static struct result res[RTE_DIM(ops)];
    static struct result sweep[2][2][RTE_DIM(sweep_sizes)];
    struct evpl_config   cfg;
    struct env           e;
    char                 lcore_arg[16], cpu[128], cmdline[1024];
    const char          *def_eal[8];
    char               **eal_argv;
    unsigned int         reps = 11, iters = 200000, o, s, shape, cold;
    int                  eal_argc, dashdash = -1, json = 0, do_sweep = 1;
    int                  do_ops = 1, c, k, ret;
    const char          *only = NULL, *prog = argv[0];
    size_t               used = 0;
    long                 cpus = sysconf(_SC_NPROCESSORS_ONLN);

    for (k = 0; k < argc && used < sizeof(cmdline) - 1; k++)
        used += (size_t) snprintf(cmdline + used, sizeof(cmdline) - used,
                                  "%s%s", k ? " " : "", argv[k]);
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--list") == 0) {
            /* For apps/bench/callgrind.sh: no EAL needed. */
            for (o = 0; o < RTE_DIM(ops); o++)
                printf("%s\t%s\t%s\n", ops[o].name, ops[o].evpl_sym,
                       ops[o].dpdk_sym);
            return 0;
        }
    }
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--") == 0) {
            dashdash = k;
            break;
        }
    }

    /* EAL options are those before "--"; none given: one lcore on
     * hugepages, no devices. */
    if (dashdash > 1) {
        eal_argc = dashdash;
        eal_argv = argv;
    } else {
        snprintf(lcore_arg, sizeof(lcore_arg), "%ld", cpus >= 2 ? 1L : 0L);
        eal_argc     = 0;
        def_eal[eal_argc++] = argv[0];
        def_eal[eal_argc++] = "-l";
        def_eal[eal_argc++] = lcore_arg;
        def_eal[eal_argc++] = "--in-memory";
        def_eal[eal_argc++] = "--no-pci";
        def_eal[eal_argc++] = "--log-level=lib.eal:warning";
        def_eal[eal_argc]   = NULL;
        eal_argv            = (char **) def_eal;
    }
    ret = rte_eal_init(eal_argc, eal_argv);
    if (ret < 0) {
        fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    if (dashdash > 0) {
        argc -= dashdash;
        argv += dashdash;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'r': reps = (unsigned int) strtoul(optarg, NULL, 0); break;
        case 'i': iters = (unsigned int) strtoul(optarg, NULL, 0); break;
        case 'n': do_sweep = 0; break;
        case 's': do_ops = 0; break;
        case 'o': only = optarg; break;
        default:
            usage(prog);
            return c == 'h' ? 0 : 2;
        }
    }
    if (reps < 1 || reps > BENCH_MAX_REPS || iters < 1) {
        fprintf(stderr, "--reps is 1..%u, --iters at least 1\n",
                BENCH_MAX_REPS);
        return 2;
    }
    if (!rte_eal_has_hugepages())
        fprintf(stderr, "evpl-bench: WARNING: no hugepages: every mbuf on its "
                "own 4 KiB page; figures are not representative\n");

    memset(&e, 0, sizeof(e));
    e.iters = iters;
    e.evpl  = evpl_create(NULL);
    memset(&cfg, 0, sizeof(cfg));
    cfg.tx_copy_max = UINT16_MAX; /* clamped to what one segment holds */
    e.evpl_copy     = evpl_create(&cfg);
    cfg.tx_copy_max = 1;
    e.evpl_attach   = evpl_create(&cfg);
    if (e.evpl == NULL || e.evpl_copy == NULL || e.evpl_attach == NULL)
        die("evpl_create");
    e.pool  = evpl_mempool(e.evpl);
    tsc_ns  = 1e9 / (double) rte_get_tsc_hz();
    cpu_model(cpu, sizeof(cpu));

    for (o = 0; do_ops && o < RTE_DIM(ops); o++) {
        if (only != NULL && strstr(ops[o].name, only) == NULL)
            continue;
        e.size  = ops[o].size;
        e.align = ops[o].align;
        e.flags  = ops[o].flags;
        e.shared = ops[o].shared;
        e.nsegs = ops[o].size ? segments_for(&e, ops[o].size) : 1;
        run_pair(&e, ops[o].evpl_fn, ops[o].dpdk_fn, reps, &res[o]);
        res[o].ran = 1;
    }

    /* sweep[shape][cold][size]: evpl[] is copy, dpdk[] is attach. */
    for (shape = 0; do_sweep && shape < 2; shape++) {
        for (cold = 0; cold < 2; cold++) {
            for (s = 0; s < RTE_DIM(sweep_sizes); s++) {
                struct result *r = &sweep[shape][cold][s];
                unsigned int   rr;
                double         ca, cb;

                e.size  = sweep_sizes[s];
                e.nsegs = shape == 0 ? 2 : 1;
                e.cold  = cold;
                e.tx    = e.evpl_copy;
                e.iters = iters / 4 ? iters / 4 : 1;
                evpl_tx_sweep(&e);
                e.tx    = e.evpl_attach;
                evpl_tx_sweep(&e);
                e.iters = iters;
                for (rr = 0; rr < reps; rr++) {
                    e.tx = (rr & 1) ? e.evpl_attach : e.evpl_copy;
                    ca   = (double) evpl_tx_sweep(&e);
                    e.tx = (rr & 1) ? e.evpl_copy : e.evpl_attach;
                    cb   = (double) evpl_tx_sweep(&e);
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
        }
    }

    if (json) {
        printf("{\n\"command\": \"%s\",\n", cmdline);
        printf("\"machine\": {\"cpu\": \"%s\", \"tsc_hz\": %" PRIu64
               ", \"dpdk\": \"%s\", \"lcore\": %u, \"hugepages\": %s},\n",
               cpu, rte_get_tsc_hz(), rte_version(), rte_lcore_id(),
               rte_eal_has_hugepages() ? "true" : "false");
        printf("\"pool\": {\"name\": \"%s\", \"mbufs\": %u, \"data_room\": %u,"
               " \"cache\": %u},\n", e.pool->name, e.pool->size,
               rte_pktmbuf_data_room_size(e.pool), e.pool->cache_size);
        printf("\"iters\": %u, \"reps\": %u,\n\"ops\": [", iters, reps);
        for (o = 0, k = 0; o < RTE_DIM(ops); o++) {
            const struct result *r = &res[o];

            if (!r->ran)
                continue;
            printf("%s\n {\"name\": \"%s\", \"size\": %u, \"series\": %s%s%s, "
                   "\"dpdk_name\": \"%s\",\n  ", k++ ? "," : "", ops[o].name,
                   ops[o].size, ops[o].series ? "\"" : "",
                   ops[o].series ? ops[o].series : "null",
                   ops[o].series ? "\"" : "", ops[o].dpdk_name);
            json_stats("evpl", &r->e, ",\n  ");
            json_stats("dpdk", &r->d, ",\n  ");
            printf("\"ratio\": {\"median\": %.3f, \"min\": %.3f, "
                   "\"max\": %.3f},\n  ", r->r.median, r->r.min, r->r.max);
            if (ops[o].bar > 0)
                printf("\"bar\": {\"max_ratio\": %.2f, \"strict\": %s, "
                       "\"met\": %s},\n  ", ops[o].bar,
                       ops[o].bar_strict ? "true" : "false",
                       (ops[o].bar_strict ? r->r.median < ops[o].bar :
                        r->r.median <= ops[o].bar) ? "true" : "false");
            json_samples("evpl_cycles", r->evpl, reps, ", ");
            json_samples("dpdk_cycles", r->dpdk, reps, "");
            if (ops[o].note)
                printf(",\n  \"note\": \"%s\"", ops[o].note);
            printf("}");
        }
        printf("\n],\n\"tx_sweep\": [");
        for (shape = 0, k = 0; do_sweep && shape < 2; shape++) {
            for (cold = 0; cold < 2; cold++) {
                for (s = 0; s < RTE_DIM(sweep_sizes); s++, k++) {
                    const struct result *r = &sweep[shape][cold][s];

                    printf("%s\n {\"shape\": \"%s\", \"cache\": \"%s\", "
                           "\"size\": %u,\n  ", k ? "," : "",
                           shape == 0 ? "header+payload" : "header",
                           cold ? "cold" : "hot", sweep_sizes[s]);
                    json_stats("copy", &r->e, ",\n  ");
                    json_stats("attach", &r->d, ",\n  ");
                    printf("\"ratio\": {\"median\": %.3f, \"min\": %.3f, "
                           "\"max\": %.3f}}", r->r.median, r->r.min,
                           r->r.max);
                }
            }
        }
        printf("\n]\n}\n");
        goto out;
    }

    printf("evpl-bench: %s, %s, TSC %.0f MHz, lcore %u, %s\n", cpu,
           rte_version(), (double) rte_get_tsc_hz() / 1e6, rte_lcore_id(),
           rte_eal_has_hugepages() ? "hugepages" : "NO HUGEPAGES");
    printf("pool %s: %u mbufs, data room %u, cache %u; %u ops x %u reps, "
           "median (spread = (max-min)/median)\n\n", e.pool->name,
           e.pool->size, rte_pktmbuf_data_room_size(e.pool),
           e.pool->cache_size, iters, reps);
    if (do_ops) {
        printf("%-36s %7s %6s %6s | %-38s %7s %6s %6s | %5s %11s\n",
               "evpl-dpdk operation", "ns", "cycles", "spread",
               "raw DPDK equivalent", "ns", "cycles", "spread", "ratio",
               "(min-max)");
        for (o = 0; o < RTE_DIM(ops); o++) {
            const struct result *r = &res[o];

            if (!r->ran)
                continue;
            printf("%-36s %7.2f %6.1f %5.1f%% | %-38s %7.2f %6.1f %5.1f%% | "
                   "%5.2f (%.2f-%.2f)", ops[o].name, r->e.median * tsc_ns,
                   r->e.median, r->e.spread * 100, ops[o].dpdk_name,
                   r->d.median * tsc_ns, r->d.median, r->d.spread * 100,
                   r->r.median, r->r.min, r->r.max);
            if (ops[o].bar > 0)
                printf("  bar %s%.2f: %s", ops[o].bar_strict ? "<" : "<=",
                       ops[o].bar,
                       (ops[o].bar_strict ? r->r.median < ops[o].bar :
                        r->r.median <= ops[o].bar) ? "met" : "MISSED");
            printf("\n");
        }
    }
    for (shape = 0; do_sweep && shape < 2; shape++) {
        printf("\nTX of a shared %s: evpl_dpdk_iovecs_to_mbuf+rte_pktmbuf_free,"
               " ns\n", shape == 0 ?
               "header before a 1024-byte exclusive payload" :
               "iovec alone");
        printf("%6s | %8s %8s %6s | %8s %8s %6s\n", "bytes", "copy", "attach",
               "ratio", "copy", "attach", "ratio");
        printf("%6s | %-24s | %-24s\n", "", "     hot (one header)",
               "     cold (1024 headers)");
        for (s = 0; s < RTE_DIM(sweep_sizes); s++) {
            const struct result *h = &sweep[shape][0][s];
            const struct result *cl = &sweep[shape][1][s];

            printf("%6u | %8.2f %8.2f %6.2f | %8.2f %8.2f %6.2f\n",
                   sweep_sizes[s], h->e.median * tsc_ns, h->d.median * tsc_ns,
                   h->r.median, cl->e.median * tsc_ns, cl->d.median * tsc_ns,
                   cl->r.median);
        }
    }

 out:
    evpl_destroy(e.evpl_attach);
    evpl_destroy(e.evpl_copy);
    evpl_destroy(e.evpl);
    rte_eal_cleanup();
    return 0;
}
