/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench: what each memory operation costs against the mbuf calls a
 * DPDK application would write itself.
 *
 *   evpl-bench [EAL options --] [--json] [--reps N] [--iters N]
 *              [--no-sweep | --sweep-only] [--only NAME] [--clock tsc|cpu]
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

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "bench.h"

static void
usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [EAL options --] [--json] [--reps N] [--iters N]\n"
            "          [--no-sweep | --sweep-only] [--only NAME]\n"
            "          [--clock tsc|cpu]\n"
            "       %s --list\n"
            "Without EAL options: -l <one CPU> --in-memory --no-pci.\n"
            "--clock cpu times the loops with the thread's CPU time instead\n"
            "of the TSC (in TSC cycles all the same): on a machine shared\n"
            "with other work, time slices taken by others do not count.\n"
            "--only runs the operations whose name contains NAME (for a\n"
            "profiler; the others are not run). --list prints each\n"
            "operation's name and the functions that time it.\n",
            prog, prog);
}

/* A context's first slab allocation makes its slab pool and its first
 * slab transmit the pool of shared infos its attached mbufs use: millions
 * of instructions, once. Done here, before any row, so that every row
 * measures the steady state whatever rows ran before it (--only). */
static void
warm_first_use(struct evpl *evpl)
{
    struct evpl_iovec v;
    struct rte_mbuf  *m;

    if (evpl_iovec_alloc(evpl, 65536, 0, 1, 0, &v) != 1)
        die("evpl_iovec_alloc (warm-up)");
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
    if (m == NULL)
        die("evpl_dpdk_iovecs_to_mbuf (warm-up)");
    rte_pktmbuf_free(m);
    evpl_iovec_release(evpl, &v);
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
        { "clock", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static struct result sweep[2][2][BENCH_MAX_SWEEP];
    struct result       *res;
    struct evpl_config   cfg;
    struct env           e;
    struct report        rp;
    char                 lcore_arg[16], cmdline[1024];
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
            for (o = 0; o < bench_nops; o++)
                printf("%s\t%s\t%s\n", bench_ops[o].name,
                       bench_ops[o].evpl_sym, bench_ops[o].dpdk_sym);
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
        case 'c':
            if (strcmp(optarg, "cpu") == 0) {
                bench_clock_cpu = 1;
            } else if (strcmp(optarg, "tsc") != 0) {
                usage(prog);
                return 2;
            }
            break;
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
    warm_first_use(e.evpl);
    warm_first_use(e.evpl_copy);
    warm_first_use(e.evpl_attach);
    e.pool           = evpl_mempool(e.evpl);
    bench_tsc_per_ns = (double) rte_get_tsc_hz() / 1e9;
    res    = calloc(bench_nops, sizeof(*res));
    if (res == NULL)
        die("calloc");

    for (o = 0; do_ops && o < bench_nops; o++) {
        const struct op *op = &bench_ops[o];

        if (only != NULL && strstr(op->name, only) == NULL)
            continue;
        if (op->fwd && fwd_setup(&e) < 0)
            continue;
        e.size   = op->size;
        e.align  = op->align;
        e.flags  = op->flags;
        e.shared = op->shared;
        e.nsegs  = op->size ? segments_for(&e, op->size) : 1;
        run_pair(&e, op->evpl_fn, op->dpdk_fn, reps, &res[o]);
        res[o].ran = 1;
    }

    /* sweep[shape][cold][size]: evpl[] is copy, dpdk[] is attach. */
    for (shape = 0; do_sweep && shape < 2; shape++) {
        for (cold = 0; cold < 2; cold++) {
            for (s = 0; s < sweep_nsizes; s++) {
                e.size  = sweep_sizes[s];
                e.nsegs = shape == 0 ? 2 : 1;
                e.cold  = cold;
                run_sweep_point(&e, reps, &sweep[shape][cold][s]);
            }
        }
    }

    rp.cmdline  = cmdline;
    rp.e        = &e;
    rp.iters    = iters;
    rp.reps     = reps;
    rp.do_ops   = do_ops;
    rp.do_sweep = do_sweep;
    rp.res      = res;
    rp.sweep    = (const struct result (*)[2][BENCH_MAX_SWEEP]) sweep;
    if (json)
        report_json(&rp);
    else
        report_text(&rp);

    free(res);
    fwd_teardown(&e);
    /* e.evpl first: it holds the reserve row's carving segment, which the
     * others' leak report would otherwise count as in use. */
    evpl_destroy(e.evpl);
    evpl_destroy(e.evpl_attach);
    evpl_destroy(e.evpl_copy);
    rte_eal_cleanup();
    return 0;
}
