/* SPDX-License-Identifier: LGPL-2.1-only */

/* Shared set-up for the cmocka programs: EAL bring-up in either memory
 * mode, per-case contexts with leak accounting, and death tests. */

#ifndef EVPL_TEST_COMMON_H
#define EVPL_TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <evpl/evpl.h>

/* Exit status meson reads as "skipped". */
#define EVPL_TEST_SKIP 77

/*
 * Bring up the EAL once for the program. argv[1] names the memory mode,
 * "huge" (--in-memory on hugepages) or "nohuge" (--no-huge -m 512
 * --no-shconf); vdevs is a NULL-terminated list of --vdev arguments.
 * Returns 0, or the exit status the program should end with.
 */
int evpl_test_eal_init(int argc, char **argv, const char *const *vdevs);

/* The same with EAL's --lcores map (lcore_map NULL: as above), for
 * programs that need more lcores than the machine has CPUs. */
int evpl_test_eal_init_lcores(int argc, char **argv, const char *const *vdevs,
                              const char *lcore_map);

/* A context on the default pool and the pool's free count when the case
 * started; the teardown destroys the context and asserts the count. */
struct evpl_test_ctx {
    struct evpl        *evpl;
    struct rte_mempool *pool;
    unsigned int        free_at_start;
};

int evpl_test_setup(void **state);
int evpl_test_teardown(void **state);

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

/* Fill and check a byte pattern that depends on seed and position. */
void evpl_test_fill(void *p, size_t len, unsigned int seed);
int  evpl_test_check(const void *p, size_t len, unsigned int seed);

#endif /* EVPL_TEST_COMMON_H */
