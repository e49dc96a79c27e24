/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Concurrent first use of the default pool (docs/bad-input.md, "first use
 * from many threads"): in a fresh process, two EAL worker lcores and four
 * registered pthreads call evpl_create(NULL) at the same moment, and each
 * checks that its first allocation is an initialised mbuf of a complete
 * pool. A race only shows in a process whose default pool does not exist
 * yet, so each case runs the program again as a child, many times
 * (EVPL_TEST_RACE_RUNS, default 12), and asserts every child passed.
 * Each child reserves its hugepages as any test program does (tests/
 * hugepages.h): one that finds the pages held by other tests waits for
 * them, so a child's lack of memory is a failure, never a skip.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "common.h"

#define RACE_WORKER_LCORES 2
#define RACE_PTHREADS      4
#define RACE_USERS         (RACE_WORKER_LCORES + RACE_PTHREADS)
#define RACE_RUNS_DEFAULT  12

static const char *mode;
static const char *self;

/* ---- the child: one race ------------------------------------------- */

static unsigned int race_ready;
static unsigned int race_go;

struct race_user {
    int  ok;
    char why[160];
};

static struct race_user users[RACE_USERS];

static void
race_once(struct race_user *u)
{
    struct evpl       *evpl;
    struct evpl_iovec  v;
    struct rte_mbuf   *m;
    const char        *reason = NULL;

    __atomic_add_fetch(&race_ready, 1, __ATOMIC_ACQ_REL);
    while (!__atomic_load_n(&race_go, __ATOMIC_ACQUIRE))
        sched_yield();

    evpl = evpl_create(NULL);
    if (evpl == NULL) {
        snprintf(u->why, sizeof(u->why), "evpl_create: %s", strerror(errno));
        return;
    }
    if (evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v) != 1) {
        snprintf(u->why, sizeof(u->why), "first alloc: %s", strerror(errno));
        evpl_destroy(evpl);
        return;
    }
    m = v.private_data;
    if (m->buf_addr == NULL)
        snprintf(u->why, sizeof(u->why), "first mbuf has buf_addr NULL");
    else if (rte_mbuf_check(m, 1, &reason) != 0)
        snprintf(u->why, sizeof(u->why), "first mbuf: %s", reason);
    else if (m->pool != evpl_mempool(evpl))
        snprintf(u->why, sizeof(u->why), "first mbuf from another pool");
    else if ((char *) v.data < (char *) m->buf_addr ||
             (char *) v.data + v.length >
             (char *) m->buf_addr + m->buf_len)
        snprintf(u->why, sizeof(u->why), "iovec outside its mbuf");
    else
        u->ok = 1;
    /* Only an initialised mbuf can be given back safely. */
    if (u->ok)
        evpl_iovec_release(evpl, &v);
    evpl_destroy(evpl);
}

static int
race_lcore(void *arg)
{
    race_once(arg);
    return 0;
}

static void *
race_pthread(void *arg)
{
    if (rte_thread_register() != 0) {
        snprintf(((struct race_user *) arg)->why, 160,
                 "rte_thread_register: %s", rte_strerror(rte_errno));
        __atomic_add_fetch(&race_ready, 1, __ATOMIC_ACQ_REL);
        return NULL;
    }
    race_once(arg);
    rte_thread_unregister();
    return NULL;
}

static int
race_child(int argc, char **argv)
{
    pthread_t    th[RACE_PTHREADS];
    unsigned int lcore, i, u = 0;
    int          rc, failed = 0;
    char         map[32];
    long         cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct evpl_test_eal opt = { .lcore_map = map };

    /* Three lcores whatever the machine: the race needs threads, not CPUs. */
    snprintf(map, sizeof(map), "0@0,1@%d,2@0", cpus >= 2 ? 1 : 0);
    rc = evpl_test_eal(argc, argv, &opt);
    if (rc != 0)
        return rc;

    RTE_LCORE_FOREACH_WORKER(lcore) {
        if (u == RACE_WORKER_LCORES)
            break;
        rte_eal_remote_launch(race_lcore, &users[u++], lcore);
    }
    for (i = 0; i < RACE_PTHREADS; i++, u++)
        if (pthread_create(&th[i], NULL, race_pthread, &users[u]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    while (__atomic_load_n(&race_ready, __ATOMIC_ACQUIRE) < u)
        sched_yield();
    __atomic_store_n(&race_go, 1, __ATOMIC_RELEASE);

    rte_eal_mp_wait_lcore();
    for (i = 0; i < RACE_PTHREADS; i++)
        pthread_join(th[i], NULL);

    for (i = 0; i < u; i++)
        if (!users[i].ok) {
            fprintf(stderr, "user %u (%s): %s\n", i,
                    i < RACE_WORKER_LCORES ? "EAL lcore" : "pthread",
                    users[i].why[0] ? users[i].why : "did not run");
            failed = 1;
        }
    if (u != RACE_USERS) {
        fprintf(stderr, "only %u users ran\n", u);
        failed = 1;
    }
    rte_eal_cleanup();
    return failed ? 1 : 0;
}

/* ---- the parent: many fresh processes ------------------------------ */

static int skipped;

/* Run one child; its exit status, or -1 if it died of a signal. */
static int
run_child(void)
{
    char *const argv[] = { (char *) self, (char *) mode, "child", NULL };
    int         status;
    pid_t       pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (WIFSIGNALED(status)) {
        printf("child died of signal %d\n", WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status);
}

static void
first_use_from_six_threads_in_fresh_processes(void **state)
{
    const char *env = getenv("EVPL_TEST_RACE_RUNS");
    int         runs = env != NULL ? atoi(env) : RACE_RUNS_DEFAULT;
    int         i, rc, passed = 0;

    (void) state;
    for (i = 0; i < runs; i++) {
        rc = run_child();
        /* Too few hugepages on the machine, in all: the first child says
         * so, and so would every other. */
        if (rc == EVPL_TEST_SKIP && i == 0) {
            skipped = 1;
            skip();
        }
        if (rc != 0)
            printf("run %d of %d failed (status %d)\n", i + 1, runs, rc);
        else
            passed++;
    }
    assert_true(runs > 0);
    assert_int_equal(passed, runs);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest cases[] = {
        cmocka_unit_test(first_use_from_six_threads_in_fresh_processes),
    };
    int rc;

    if (argc >= 3 && strcmp(argv[2], "child") == 0)
        return race_child(2, argv);
    if (argc < 2 || (strcmp(argv[1], "huge") != 0 &&
                     strcmp(argv[1], "nohuge") != 0)) {
        fprintf(stderr, "usage: %s huge|nohuge\n", argv[0]);
        return 2;
    }
    self = argv[0];
    mode = argv[1];
    rc = cmocka_run_group_tests_name("pool_race", cases, NULL, NULL);
    if (skipped)
        return EVPL_TEST_SKIP;
    return rc == 0 ? 0 : 1;
}
