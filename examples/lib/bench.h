/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The examples' side-by-side benchmarks (ip_frag --bench, tcp_seg
 * --bench): each row is one job done three ways, by this library
 * (through the very functions the example ships), by DPDK's own library
 * for the job, and by hand with raw mbuf calls, timed in the same run
 * and reported per fragment or segment, with ratios.
 *
 * A repetition times every way once, in an order that rotates from one
 * repetition to the next, so that none is always first; the ratios are
 * taken within each repetition, which cancels the slow drifts of a shared
 * machine; the figures are the median over the repetitions and the
 * spread ((max - min) / median). Everything is warmed up first.
 */

#ifndef EXAMPLES_BENCH_H
#define EXAMPLES_BENCH_H

#include <stdint.h>

#include <rte_common.h>

/* The ways a job is done, in the order of a row's fn[]. */
enum { BENCH_OURS, BENCH_DPDK, BENCH_HAND, BENCH_WAYS };

/* Runs iters jobs; returns the time they took, from bench_now(). */
typedef uint64_t (*bench_fn)(void *arg, unsigned int iters);

struct bench_row {
    const char  *name;            /* "fragment 9000 B, MTU 1500" */
    unsigned int per_job;         /* fragments or segments per job */
    void        *arg;
    bench_fn     fn[BENCH_WAYS];  /* NULL where that way cannot do it */
    const char  *sym[BENCH_WAYS]; /* their names, for a profiler */
    const char  *note;            /* printed under the table, or NULL */
};

struct bench_opts {
    unsigned int iters, reps;
    int          json, list, clock_cpu;
    const char  *only;  /* run the rows whose name contains it */
    int          way;   /* -1, or only this way (callgrind) */
    /* Ours: each packet's iovecs turned into one chain by
     * evpl_dpdk_iovecs_to_mbuf() (0, the library's way), or each iovec
     * on its own and the pieces chained with rte_pktmbuf_chain() (1: a
     * measure of the chain builder's share). */
    int          pieces;
};

/*
 * Parse the benchmark's own options (argv after "--bench"): --iters N,
 * --reps N (at most 101), --json, --list, --clock tsc|cpu, --only NAME,
 * --way ours|dpdk|hand, --convert whole|pieces. Returns 0, or -1 with a message on stderr.
 */
int bench_parse(int argc, char **argv, struct bench_opts *o);

/* The clock the loops are timed with, in TSC cycles. */
uint64_t bench_now(void);

/* What the benchmarks' jobs share: a context on the default pool, a
 * net_null port to send to, and the pools DPDK's ways take mbufs from
 * (headers, indirect mbufs, and 64 KiB buffers for a whole datagram or
 * payload). */
struct bench_env {
    struct evpl        *evpl;
    uint16_t            port;
    struct rte_mempool *direct, *indirect, *jumbo;
};

/* Set it up: the port is the EAL's first, or a net_null called vdev made
 * when the EAL was given none. Exits with a message on failure. */
void bench_env_init(struct bench_env *be, const char *vdev);

/* Print what failed (errno's or rte_errno's reason) and exit 1. */
__rte_noreturn void bench_die(const char *what);

/* Send m[0..n) on port; what the driver does not take is freed. */
void bench_tx(uint16_t port, struct rte_mbuf **m, unsigned int n);

/* Turn packets of iovecs into mbuf chains, their references moving in,
 * as o->pieces says; one per packet into m[]. Returns 0, or -1 with
 * errno (the packets from the failed one on untouched). */
struct evpl_dpdk_pkt;
struct rte_mbuf;
struct evpl;
int bench_chains(const struct bench_opts *o, struct evpl *evpl,
                 struct evpl_dpdk_pkt *pkts, unsigned int n,
                 struct rte_mbuf **m);

/* Run the rows and print the table (or JSON) to stdout. */
void bench_run(const struct bench_opts *o, const struct bench_row *rows,
               unsigned int nrows, const char *title);

#endif /* EXAMPLES_BENCH_H */
