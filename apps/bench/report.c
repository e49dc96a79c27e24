/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench's output: a plain table, or JSON (every repetition's sample
 * kept) for scripts/plot-bench.sh. Cycles are TSC cycles; ns converts them
 * at the TSC's rate.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "bench.h"

static double tsc_ns; /* ns per TSC cycle */

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

static int
bar_met(const struct op *op, const struct result *r)
{
    return op->bar_strict ? r->r.median < op->bar : r->r.median <= op->bar;
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

void
report_json(const struct report *rp)
{
    const struct rte_mempool *pool = rp->e->pool;
    char                      cpu[128];
    unsigned int              o, s, shape, cold;
    int                       k;

    tsc_ns = 1e9 / (double) rte_get_tsc_hz();
    cpu_model(cpu, sizeof(cpu));
    printf("{\n\"command\": \"%s\",\n", rp->cmdline);
    printf("\"machine\": {\"cpu\": \"%s\", \"tsc_hz\": %" PRIu64
           ", \"dpdk\": \"%s\", \"lcore\": %u, \"hugepages\": %s},\n",
           cpu, rte_get_tsc_hz(), rte_version(), rte_lcore_id(),
           rte_eal_has_hugepages() ? "true" : "false");
    printf("\"pool\": {\"name\": \"%s\", \"mbufs\": %u, \"data_room\": %u,"
           " \"cache\": %u},\n", pool->name, pool->size,
           rte_pktmbuf_data_room_size((struct rte_mempool *) pool),
           pool->cache_size);
    printf("\"clock\": \"%s\",\n", bench_clock_cpu ? "cpu" : "tsc");
    printf("\"iters\": %u, \"reps\": %u,\n\"ops\": [", rp->iters, rp->reps);
    for (o = 0, k = 0; o < bench_nops; o++) {
        const struct op     *op = &bench_ops[o];
        const struct result *r = &rp->res[o];

        if (!r->ran)
            continue;
        printf("%s\n {\"name\": \"%s\", \"size\": %u, \"series\": %s%s%s, "
               "\"dpdk_name\": \"%s\",\n  ", k++ ? "," : "", op->name,
               op->size, op->series ? "\"" : "",
               op->series ? op->series : "null",
               op->series ? "\"" : "", op->dpdk_name);
        json_stats("evpl", &r->e, ",\n  ");
        json_stats("dpdk", &r->d, ",\n  ");
        printf("\"ratio\": {\"median\": %.3f, \"min\": %.3f, "
               "\"max\": %.3f},\n  ", r->r.median, r->r.min, r->r.max);
        if (op->bar > 0)
            printf("\"bar\": {\"max_ratio\": %.2f, \"strict\": %s, "
                   "\"met\": %s},\n  ", op->bar,
                   op->bar_strict ? "true" : "false",
                   bar_met(op, r) ? "true" : "false");
        json_samples("evpl_cycles", r->evpl, rp->reps, ", ");
        json_samples("dpdk_cycles", r->dpdk, rp->reps, "");
        if (op->note)
            printf(",\n  \"note\": \"%s\"", op->note);
        printf("}");
    }
    printf("\n],\n\"tx_sweep\": [");
    for (shape = 0, k = 0; rp->do_sweep && shape < 2; shape++) {
        for (cold = 0; cold < 2; cold++) {
            for (s = 0; s < sweep_nsizes; s++, k++) {
                const struct result *r = &rp->sweep[shape][cold][s];

                printf("%s\n {\"shape\": \"%s\", \"cache\": \"%s\", "
                       "\"size\": %u,\n  ", k ? "," : "",
                       shape == 0 ? "header+payload" : "header",
                       cold ? "cold" : "hot", sweep_sizes[s]);
                json_stats("copy", &r->e, ",\n  ");
                json_stats("attach", &r->d, ",\n  ");
                printf("\"ratio\": {\"median\": %.3f, \"min\": %.3f, "
                       "\"max\": %.3f}}", r->r.median, r->r.min, r->r.max);
            }
        }
    }
    printf("\n]\n}\n");
}

void
report_text(const struct report *rp)
{
    const struct rte_mempool *pool = rp->e->pool;
    char                      cpu[128];
    unsigned int              o, s, shape;

    tsc_ns = 1e9 / (double) rte_get_tsc_hz();
    cpu_model(cpu, sizeof(cpu));
    printf("evpl-bench: %s, %s, TSC %.0f MHz, lcore %u, %s\n", cpu,
           rte_version(), (double) rte_get_tsc_hz() / 1e6, rte_lcore_id(),
           rte_eal_has_hugepages() ? "hugepages" : "NO HUGEPAGES");
    printf("pool %s: %u mbufs, data room %u, cache %u; %u ops x %u reps, "
           "median (spread = (max-min)/median)%s\n\n", pool->name,
           pool->size, rte_pktmbuf_data_room_size((struct rte_mempool *) pool),
           pool->cache_size, rp->iters, rp->reps,
           bench_clock_cpu ? "; timed by thread CPU time" : "");
    if (rp->do_ops) {
        printf("%-36s %7s %6s %6s | %-38s %7s %6s %6s | %5s %11s\n",
               "evpl-dpdk operation", "ns", "cycles", "spread",
               "raw DPDK equivalent", "ns", "cycles", "spread", "ratio",
               "(min-max)");
        for (o = 0; o < bench_nops; o++) {
            const struct op     *op = &bench_ops[o];
            const struct result *r = &rp->res[o];

            if (!r->ran)
                continue;
            printf("%-36s %7.2f %6.1f %5.1f%% | %-38s %7.2f %6.1f %5.1f%% | "
                   "%5.2f (%.2f-%.2f)", op->name, r->e.median * tsc_ns,
                   r->e.median, r->e.spread * 100, op->dpdk_name,
                   r->d.median * tsc_ns, r->d.median, r->d.spread * 100,
                   r->r.median, r->r.min, r->r.max);
            if (op->bar > 0)
                printf("  bar %s%.2f: %s", op->bar_strict ? "<" : "<=",
                       op->bar, bar_met(op, r) ? "met" : "MISSED");
            printf("\n");
        }
    }
    for (shape = 0; rp->do_sweep && shape < 2; shape++) {
        printf("\nTX of a shared %s: evpl_dpdk_iovecs_to_mbuf+rte_pktmbuf_free,"
               " ns\n", shape == 0 ?
               "header before a 1024-byte exclusive payload" :
               "iovec alone");
        printf("%6s | %8s %8s %6s | %8s %8s %6s\n", "bytes", "copy", "attach",
               "ratio", "copy", "attach", "ratio");
        printf("%6s | %-24s | %-24s\n", "", "     hot (one header)",
               "     cold (1024 headers)");
        for (s = 0; s < sweep_nsizes; s++) {
            const struct result *h = &rp->sweep[shape][0][s];
            const struct result *cl = &rp->sweep[shape][1][s];

            printf("%6u | %8.2f %8.2f %6.2f | %8.2f %8.2f %6.2f\n",
                   sweep_sizes[s], h->e.median * tsc_ns, h->d.median * tsc_ns,
                   h->r.median, cl->e.median * tsc_ns, cl->d.median * tsc_ns,
                   cl->r.median);
        }
    }
}
