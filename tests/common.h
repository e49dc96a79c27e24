/* SPDX-License-Identifier: LGPL-2.1-only */

/* Shared set-up for the cmocka programs: their main, EAL bring-up in
 * either memory mode, per-case contexts with leak accounting, and death
 * tests. */

#ifndef EVPL_TEST_COMMON_H
#define EVPL_TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <evpl/evpl.h>

/* Exit status meson reads as "skipped". */
#define EVPL_TEST_SKIP 77

/* A NULL-terminated list of strings, for the fields below. */
#define EVPL_TEST_LIST(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* What a program asks of the EAL beyond the defaults; every field at zero
 * is the default. */
struct evpl_test_eal {
    const char *const *vdevs;      /* --vdev arguments */
    const char        *lcores;     /* -l list; default 0-1 (0 on one CPU) */
    const char        *lcore_map;  /* --lcores map instead, for programs
                                    * that need more lcores than CPUs */
    const char *const *args;       /* more options, before the EAL's own
                                    * log level is set back to warning */
    const char        *nohuge_mb;  /* -m under --no-huge; default 512 */
    int                hugepages;  /* hugepages the huge run takes, all
                                    * at start and no more (hugepages.h);
                                    * default 64. Where the machine has
                                    * fewer in all, it skips */
    /* A primary process on the shared configuration (hugepage files and a
     * runtime directory, not --in-memory), for secondaries to join; its
     * files are removed at exit. The nohuge run skips. */
    int                primary;
};

/*
 * Bring up the EAL once for the program. argv[1] names the memory mode,
 * "huge" (--in-memory on hugepages) or "nohuge" (--no-huge -m 512
 * --no-shconf). Returns 0, or the exit status the program should end with.
 */
int evpl_test_eal(int argc, char **argv, const struct evpl_test_eal *opt);

/* The --file-prefix option the EAL was brought up with, whole, for a
 * secondary process to pass on. */
const char *evpl_test_eal_prefix(void);

/* Port id variables, for evpl_test_prog.ports. */
#define EVPL_TEST_PORTS(...) ((uint16_t *const[]) { __VA_ARGS__, NULL })

/* What a program runs, for evpl_test_main(). */
struct evpl_test_prog {
    const char                        *name;
    const struct CMUnitTest           *cases;
    size_t                             nb_cases;
    struct evpl_test_eal               eal;
    /* Optional: the first of eal.vdevs set up as ports with port_conf
     * (NULL: the defaults), their ids written here, in order. */
    uint16_t *const                   *ports;
    const struct evpl_dpdk_port_conf *port_conf;
    /* Optional, once around the cases (a TX callback, say): set_up
     * returns 0, or -1 with errno, which fails the program. */
    int                              (*set_up)(void);
    void                             (*tear_down)(void);
};

/* A program's main: the EAL, the ports, set_up, the cases as one cmocka
 * group, tear_down, the EAL cleaned up. Returns main's exit status. */
int evpl_test_main(int argc, char **argv, const struct evpl_test_prog *prog);

/* main() of a program that needs nothing else: its cases table and the
 * struct evpl_test_prog fields it sets, as designated initialisers. */
#define EVPL_TEST_MAIN(group, table, ...)                                  \
    int                                                                    \
    main(int argc, char **argv)                                            \
    {                                                                      \
        const struct evpl_test_prog prog_ = {                              \
            .name = (group), .cases = (table),                             \
            .nb_cases = sizeof(table) / sizeof((table)[0]), __VA_ARGS__    \
        };                                                                 \
        return evpl_test_main(argc, argv, &prog_);                         \
    }

/* A context on the default pool and the pool's free count when the case
 * started; the teardown destroys the context and asserts the count. */
struct evpl_test_ctx {
    struct evpl        *evpl;
    struct rte_mempool *pool;
    unsigned int        free_at_start;
};

int evpl_test_setup(void **state);
int evpl_test_teardown(void **state);

/* The context evpl_test_setup() made for the case. */
static inline struct evpl *
ctx_of(void **state)
{
    return ((struct evpl_test_ctx *) *state)->evpl;
}

/* A case with a context of its own, whose teardown checks the pool. */
#define CASE(fn) cmocka_unit_test_setup_teardown(fn, evpl_test_setup, \
                                                 evpl_test_teardown)

/* Assert that every mbuf of pool is back (in its ring or an lcore cache). */
void evpl_test_assert_pool_full(struct rte_mempool *pool);

/*
 * Run fn(arg) in a forked child with stderr captured. Returns 1 when the
 * child died of SIGABRT and its stderr contains expect, else 0 (with what
 * happened printed). The child must not write shared pool state: with
 * hugepages its memory is the parent's.
 */
int evpl_test_dies(void (*fn)(void *), void *arg, const char *expect);

/* How many times their CI length the long-running programs (test_model,
 * test_stress) run: EVPL_TEST_SCALE, a whole number from 1 (the default).
 * A value that is not one ends the program with a message, so that a
 * misspelt long run does not pass as a short one. */
uint64_t evpl_test_scale(void);

/* A context on a pool of its own called name: n mbufs of DPDK's default
 * buffer size and no lcore cache, so that free counts are exact; cfg (NULL:
 * the defaults) gives the rest of the configuration. The pool in *mp, for
 * the caller to free after evpl_destroy(). */
struct evpl *evpl_test_ctx_on_own_pool(const char *name, unsigned int n,
                                       const struct evpl_config *cfg,
                                       struct rte_mempool **mp);

/* Take every free mbuf of a pool without a cache (as
 * evpl_test_ctx_on_own_pool() makes), at most max, into m[]; returns how
 * many. Put back with rte_mempool_put_bulk(): the pool hands them out
 * again in the order they went back, so a case decides which mbufs, and
 * how many, the library gets next. */
unsigned int evpl_test_pool_drain(struct rte_mempool *mp,
                                  struct rte_mbuf **m, unsigned int max);

/* The pool of shared infos the library keeps beside the mbuf pool pool
 * for slab ranges sent by reference from slabs another process took, as
 * src/slab_attach.c names it: made by the first such range a context on
 * pool sends. */
struct rte_mempool *evpl_test_att_pool(const struct rte_mempool *pool);

/* Make v's slab look taken by a process that maps the library at another
 * address (its own shared info's free callback not this process's), so
 * that its ranges go out with shared infos of their own, or (elsewhere
 * 0) this process's again. Only while no mbuf is attached to the slab
 * through its own shared info. */
void evpl_test_slab_taken_elsewhere(const struct evpl_iovec *v,
                                    int elsewhere);

/* Every object of mp this lcore can get (the pool's own and this lcore's
 * cache), taken: a malloc'd array, *n long. Give them back with
 * rte_mempool_put_bulk(), then free() the array. */
void **evpl_test_mempool_take_all(struct rte_mempool *mp, unsigned int *n);

/* What DPDK's log received while fn(arg) ran, as the levels in force let
 * it through: a malloc'd string. */
char *evpl_test_captured_log(void (*fn)(void *), void *arg);

/* The bytes n iovecs cover. */
unsigned int evpl_test_sum_lengths(const struct evpl_iovec *v, int n);

/* The mbuf of an iovec the case knows is on one: a slab iovec, for which
 * evpl_iovec_mbuf() is NULL, fails the case. */
static inline struct rte_mbuf *
evpl_test_mbuf(const struct evpl_iovec *v)
{
    struct rte_mbuf *m = evpl_iovec_mbuf(v);

    if (m == NULL) {
        fail_msg("iovec %p is on a slab, not an mbuf", (const void *) v);
        abort();
    }
    return m;
}

/* An RX callback for rte_eth_add_rx_callback(): counts each burst of the
 * queue, however many packets it asked for (0 included), in the unsigned
 * int that arg points to, and changes nothing. */
struct rte_mbuf;
uint16_t evpl_test_count_rx(uint16_t port, uint16_t queue,
                            struct rte_mbuf **pkts, uint16_t nb,
                            uint16_t max, void *arg);

/* Fill and check a byte pattern that depends on seed and position. */
void evpl_test_fill(void *p, size_t len, unsigned int seed);
int  evpl_test_check(const void *p, size_t len, unsigned int seed);

#endif /* EVPL_TEST_COMMON_H */
