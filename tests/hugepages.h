/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Hugepages for the tests that run side by side (docs/testing.md,
 * "Shared resources"). The free hugepages of the machine are the one
 * resource every hugepage run shares, so a run reserves what it declares
 * before its EAL starts, and the EAL takes exactly that:
 *
 *  - under a lock shared by every test on the machine (flock() of one
 *    file), a run checks that its pages are free, brings its EAL up with
 *    them taken at start and no more allowed (-m and --socket-limit), and
 *    only then lets the next run look;
 *  - pages another test holds are waited for, within a bound; a run skips
 *    (exit 77) only where the machine has too few hugepages in all;
 *  - the lock file also lists, one line "pid pages" each, what the running
 *    tests hold: EVPL_TEST_HUGEPAGES=N makes the runs behave as on a
 *    machine with N hugepages in all (what the suite's tests together may
 *    hold), so that a machine with more shows what a smaller one would.
 */

#ifndef EVPL_TEST_HUGEPAGES_H
#define EVPL_TEST_HUGEPAGES_H

#include <stddef.h>
#include <sys/types.h>

/* Exit status meson reads as "skipped" (common.h's EVPL_TEST_SKIP). */
#define EVPL_TEST_HUGEPAGES_SKIP 77

/* The lock (and list) every test on the machine shares;
 * EVPL_TEST_HUGEPAGES_LOCK names another one. */
#define EVPL_TEST_HUGEPAGES_LOCK_PATH "/tmp/evpl-dpdk-test-hugepages.lock"

/* How long a run waits for its pages (EVPL_TEST_HUGEPAGES_WAIT seconds). */
#define EVPL_TEST_HUGEPAGES_WAIT_S 120

/*
 * Wait until need hugepages are free (and, with EVPL_TEST_HUGEPAGES, within
 * what the running tests may hold together), then hold the lock. Returns 0
 * with the lock held; EVPL_TEST_HUGEPAGES_SKIP where the machine has fewer
 * than need hugepages in all; 1 when they did not come free in time. Says why
 * on stdout when it does not return 0.
 */
int evpl_test_hugepages_acquire(int need);

/* The hugepages of the machine, or EVPL_TEST_HUGEPAGES where that is fewer:
 * what the tests together may hold. */
long evpl_test_hugepages_total(void);

/* The EAL options that take need hugepages at start and allow no more:
 * "-m" and its value in MB, and --socket-limit for every NUMA node. */
void evpl_test_hugepages_eal_args(int need, char *mb, size_t mb_len,
                                  char *limit, size_t limit_len);

/* The EAL has its pages (or, for a program about to exec, will have them
 * under process pid): list pid as holding them and release the lock. With
 * at_exit, this process drops its line when it exits. */
void evpl_test_hugepages_commit(pid_t pid, int at_exit);

/* Release the lock without holding anything (the EAL did not start). */
void evpl_test_hugepages_abandon(void);

/* The descriptor the lock is held on, for a launcher that hands the lock
 * to another process (tests/hugepages_run.c); -1 when not held. */
int evpl_test_hugepages_lock_fd(void);

/* The kB of hugetlb memory process pid has mapped; -1 when it is gone. */
long evpl_test_hugepages_of(pid_t pid);

/* The size of one hugepage, in kB. */
long evpl_test_hugepage_kb(void);

#endif /* EVPL_TEST_HUGEPAGES_H */
