/* SPDX-License-Identifier: LGPL-2.1-only */

/* The examples' benchmark harness: see bench.h. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <evpl/evpl.h>

#include "bench.h"

#define BENCH_MAX_REPS 101

static int    bench_clock_cpu;
static double bench_tsc_per_ns;

static const char *const way_name[BENCH_WAYS] = { "ours", "dpdk", "hand" };

uint64_t
bench_now(void)
{
    struct timespec ts;

    if (!bench_clock_cpu)
        return rte_rdtsc_precise();
    /* The thread's CPU time leaves out what other processes take. */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t) (((double) ts.tv_sec * 1e9 + (double) ts.tv_nsec) *
                       bench_tsc_per_ns);
}

int
bench_parse(
    int                argc,
    char             **argv,
    struct bench_opts *o)
{
    int i, w;

    *o = (struct bench_opts) { .iters = 2000, .reps = 11, .way = -1 };
    for (i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--list") == 0) {
            o->list = 1;
        } else if (strcmp(a, "--iters") == 0 && v != NULL) {
            o->iters = (unsigned int) strtoul(v, NULL, 0);
            i++;
        } else if (strcmp(a, "--reps") == 0 && v != NULL) {
            o->reps = (unsigned int) strtoul(v, NULL, 0);
            i++;
        } else if (strcmp(a, "--clock") == 0 && v != NULL &&
                   (strcmp(v, "tsc") == 0 || strcmp(v, "cpu") == 0)) {
            o->clock_cpu = strcmp(v, "cpu") == 0;
            i++;
        } else if (strcmp(a, "--convert") == 0 && v != NULL &&
                   (strcmp(v, "whole") == 0 || strcmp(v, "pieces") == 0)) {
            o->pieces = strcmp(v, "pieces") == 0;
            i++;
        } else if (strcmp(a, "--only") == 0 && v != NULL) {
            o->only = v;
            i++;
        } else if (strcmp(a, "--way") == 0 && v != NULL) {
            for (w = 0; w < BENCH_WAYS && strcmp(v, way_name[w]) != 0; w++)
                ;
            if (w == BENCH_WAYS)
                goto bad;
            o->way = w;
            i++;
        } else {
            goto bad;
        }
    }
    if (o->iters == 0 || o->reps == 0 || o->reps > BENCH_MAX_REPS) {
        fprintf(stderr, "--iters must be at least 1, --reps 1 to %d\n",
                BENCH_MAX_REPS);
        return -1;
    }
    return 0;
 bad:
    fprintf(stderr, "bench options: --iters N --reps N --json --list "
            "--clock tsc|cpu --only NAME --way ours|dpdk|hand "
            "--convert whole|pieces (not \"%s\")\n",
            argv[i]);
    return -1;
}

void
bench_die(const char *what)
{
    fprintf(stderr, "--bench: %s: %s\n", what,
            strerror(errno ? errno : rte_errno));
    exit(1);
}

/* The context's first slab allocation makes its slab pool, and its first
 * slab transmit the pool of shared infos attached mbufs use: millions of
 * instructions, once per context. Made before any way runs, so that each
 * way's figures are its steady state (the ways of DPDK's libraries and
 * by hand have their pools made here too). */
static void
bench_warm_first_use(struct evpl *evpl)
{
    struct evpl_iovec v;
    struct rte_mbuf  *m;

    if (evpl_iovec_alloc(evpl, 65536, 0, 1, 0, &v) != 1)
        bench_die("evpl_iovec_alloc (warm-up)");
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, EVPL_DPDK_TAKE_REF);
    if (m == NULL)
        bench_die("evpl_dpdk_iovecs_to_mbuf (warm-up)");
    rte_pktmbuf_free(m);
}

void
bench_env_init(struct bench_env *be, const char *vdev)
{
    struct evpl_dpdk_port_conf conf;
    int                        s = (int) rte_socket_id();

    be->evpl = evpl_create(NULL);
    if (be->evpl == NULL)
        bench_die("evpl_create");
    if (rte_eth_dev_count_avail() == 0 &&
        rte_eal_hotplug_add("vdev", vdev, "") != 0)
        bench_die("rte_eal_hotplug_add of a net_null");
    be->port = 0;
    memset(&conf, 0, sizeof(conf));
    conf.rx_pool = evpl_mempool(be->evpl);
    if (evpl_dpdk_port_setup(be->port, &conf) < 0)
        bench_die("evpl_dpdk_port_setup");
    be->direct   = rte_pktmbuf_pool_create("bench_direct", 8191, 256, 0,
                                           RTE_MBUF_DEFAULT_BUF_SIZE, s);
    be->indirect = rte_pktmbuf_pool_create("bench_indirect", 8191, 256, 0, 0,
                                           s);
    be->jumbo    = rte_pktmbuf_pool_create("bench_jumbo", 63, 0, 0,
                                           UINT16_MAX, s);
    if (be->direct == NULL || be->indirect == NULL || be->jumbo == NULL)
        bench_die("rte_pktmbuf_pool_create");
    bench_warm_first_use(be->evpl);
}

void
bench_tx(uint16_t port, struct rte_mbuf **m, unsigned int n)
{
    unsigned int sent = rte_eth_tx_burst(port, 0, m, (uint16_t) n);

    if (unlikely(sent < n))
        rte_pktmbuf_free_bulk(&m[sent], n - sent);
}

int
bench_chains(
    const struct bench_opts *o,
    struct evpl             *evpl,
    struct evpl_dpdk_pkt    *pkts,
    unsigned int             n,
    struct rte_mbuf        **m)
{
    struct rte_mbuf *p;
    unsigned int     k;
    int              j;

    for (k = 0; k < n; k++) {
        if (!o->pieces) {
            m[k] = evpl_dpdk_iovecs_to_mbuf(evpl, pkts[k].iov, pkts[k].niov,
                                            EVPL_DPDK_TAKE_REF);
            if (unlikely(m[k] == NULL))
                goto fail;
            continue;
        }
        m[k] = evpl_dpdk_iovecs_to_mbuf(evpl, &pkts[k].iov[0], 1,
                                        EVPL_DPDK_TAKE_REF);
        if (unlikely(m[k] == NULL))
            goto fail;
        for (j = 1; j < pkts[k].niov; j++) {
            p = evpl_dpdk_iovecs_to_mbuf(evpl, &pkts[k].iov[j], 1,
                                         EVPL_DPDK_TAKE_REF);
            if (unlikely(p == NULL || rte_pktmbuf_chain(m[k], p) != 0)) {
                rte_pktmbuf_free(p);
                rte_pktmbuf_free(m[k]);
                evpl_iovecs_release(evpl, &pkts[k].iov[j + 1],
                                    pkts[k].niov - j - 1);
                goto fail;
            }
        }
    }
    return 0;
 fail:
    rte_pktmbuf_free_bulk(m, k);
    return -1;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

struct bench_stat {
    double median, min, max;
};

static struct bench_stat
stat_of(const double *v, unsigned int n)
{
    double            s[BENCH_MAX_REPS];
    struct bench_stat st;

    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_double);
    st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    st.min    = s[0];
    st.max    = s[n - 1];
    return st;
}

static double
spread(struct bench_stat s)
{
    return s.median > 0 ? (s.max - s.min) / s.median : 0;
}

/* One row: ns per unit of each way in each repetition, and the ratios. */
struct bench_result {
    double            ns[BENCH_WAYS][BENCH_MAX_REPS];
    double            ratio[BENCH_WAYS][BENCH_MAX_REPS]; /* ours / way */
    struct bench_stat t[BENCH_WAYS], r[BENCH_WAYS];
};

static int
way_runs(const struct bench_opts *o, const struct bench_row *row, int w)
{
    return row->fn[w] != NULL && (o->way < 0 || o->way == w);
}

static void
run_row(
    const struct bench_opts *o,
    const struct bench_row  *row,
    struct bench_result     *res)
{
    double       unit = bench_tsc_per_ns * row->per_job;
    unsigned int rep;
    int          k, w;

    for (w = 0; w < BENCH_WAYS; w++)
        if (way_runs(o, row, w))
            row->fn[w](row->arg, o->iters / 4 + 1);
    for (rep = 0; rep < o->reps; rep++) {
        for (k = 0; k < BENCH_WAYS; k++) {
            w = (int) ((rep + (unsigned int) k) % BENCH_WAYS);
            if (way_runs(o, row, w))
                res->ns[w][rep] =
                    (double) row->fn[w](row->arg, o->iters) / o->iters / unit;
        }
        for (w = 1; w < BENCH_WAYS; w++)
            if (way_runs(o, row, w) && way_runs(o, row, BENCH_OURS))
                res->ratio[w][rep] = res->ns[BENCH_OURS][rep] /
                                     res->ns[w][rep];
    }
    for (w = 0; w < BENCH_WAYS; w++) {
        if (!way_runs(o, row, w))
            continue;
        res->t[w] = stat_of(res->ns[w], o->reps);
        if (w > 0 && way_runs(o, row, BENCH_OURS))
            res->r[w] = stat_of(res->ratio[w], o->reps);
    }
}

static void
print_text_row(
    const struct bench_opts   *o,
    const struct bench_row    *row,
    const struct bench_result *res)
{
    int w;

    printf("%-44s", row->name);
    for (w = 0; w < BENCH_WAYS; w++) {
        if (way_runs(o, row, w))
            printf(" %8.2f", res->t[w].median);
        else
            printf(" %8s", "-");
    }
    for (w = 1; w < BENCH_WAYS; w++) {
        if (way_runs(o, row, w) && way_runs(o, row, BENCH_OURS))
            printf("  %5.2f (%4.2f-%4.2f)", res->r[w].median, res->r[w].min,
                   res->r[w].max);
        else
            printf("  %17s", "-");
    }
    printf("\n");
}

static void
print_json_row(
    const struct bench_opts   *o,
    const struct bench_row    *row,
    const struct bench_result *res,
    int                        last)
{
    int w;

    printf("    {\"name\": \"%s\", \"per_job\": %u", row->name, row->per_job);
    if (row->note != NULL)
        printf(", \"note\": \"%s\"", row->note);
    for (w = 0; w < BENCH_WAYS; w++) {
        if (!way_runs(o, row, w))
            continue;
        printf(", \"%s_ns\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f, "
               "\"spread\": %.3f}", way_name[w], res->t[w].median,
               res->t[w].min, res->t[w].max, spread(res->t[w]));
        if (w > 0 && way_runs(o, row, BENCH_OURS))
            printf(", \"ours_per_%s\": {\"median\": %.3f, \"min\": %.3f, "
                   "\"max\": %.3f}", way_name[w], res->r[w].median,
                   res->r[w].min, res->r[w].max);
    }
    printf("}%s\n", last ? "" : ",");
}

void
bench_run(
    const struct bench_opts *o,
    const struct bench_row  *rows,
    unsigned int             nrows,
    const char              *title)
{
    static struct bench_result res;
    unsigned int               i, n = 0;
    uint64_t                   c0, t0;
    struct timespec            ts;

    if (o->list) {
        for (i = 0; i < nrows; i++)
            printf("%s\t%u\t%s\t%s\t%s\n", rows[i].name, rows[i].per_job,
                   rows[i].sym[BENCH_OURS],
                   rows[i].fn[BENCH_DPDK] ? rows[i].sym[BENCH_DPDK] : "-",
                   rows[i].fn[BENCH_HAND] ? rows[i].sym[BENCH_HAND] : "-");
        return;
    }
    /* TSC cycles per ns, measured against the monotonic clock. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t0 = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
    c0 = rte_rdtsc_precise();
    rte_delay_us_sleep(50000);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    bench_tsc_per_ns = (double) (rte_rdtsc_precise() - c0) /
                       (double) ((uint64_t) ts.tv_sec * 1000000000u +
                                 (uint64_t) ts.tv_nsec - t0);
    bench_clock_cpu = o->clock_cpu;

    for (i = 0; i < nrows; i++)
        n += o->only == NULL || strstr(rows[i].name, o->only) != NULL;
    if (o->json)
        printf("{\"title\": \"%s\", \"iters\": %u, \"reps\": %u, "
               "\"clock\": \"%s\", \"convert\": \"%s\", \"rows\": [\n",
               title, o->iters, o->reps, o->clock_cpu ? "cpu" : "tsc",
               o->pieces ? "pieces" : "whole");
    else
        printf("%s: ns per fragment or segment, median of %u repetitions "
               "of %u jobs (clock %s)\n%-44s %8s %8s %8s  %17s  %17s\n",
               title, o->reps, o->iters, o->clock_cpu ? "cpu" : "tsc",
               "job", "ours", "dpdk", "hand", "ours/dpdk (range)",
               "ours/hand (range)");
    for (i = 0; i < nrows; i++) {
        if (o->only != NULL && strstr(rows[i].name, o->only) == NULL)
            continue;
        memset(&res, 0, sizeof(res));
        run_row(o, &rows[i], &res);
        if (o->json)
            print_json_row(o, &rows[i], &res, --n == 0);
        else
            print_text_row(o, &rows[i], &res);
    }
    if (o->json) {
        printf("]}\n");
        return;
    }
    for (i = 0; i < nrows; i++)
        if (rows[i].note != NULL &&
            (o->only == NULL || strstr(rows[i].name, o->only) != NULL))
            printf("  %s: %s\n", rows[i].name, rows[i].note);
}
