/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * A primary and a secondary process on DPDK's default shared
 * configuration (hugepage files and a runtime directory under a
 * --file-prefix of this run, not --in-memory): what docs/api.md's
 * "Multi-process" section says works in a secondary process.
 *
 *   test_multiprocess huge               the primary, which runs each case
 *   test_multiprocess secondary PREFIX CASE POOL_ADDR
 *
 * Every case starts a secondary with a case name; the secondary exits 0
 * only if its checks hold, and the primary checks the pool afterwards.
 * The secondary runs on lcore 1, the primary on lcore 0: mempool caches
 * are per lcore id and shared by the processes. Hugepages only: DPDK
 * has no secondary processes under --no-huge, so the nohuge run skips.
 */

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "common.h"

#define RING_NAME "evpl_mp_test"
#define PATTERN_LEN 3000u

/* What the secondary of the "wait" case and the primary tell each other,
 * in a memzone. */
#define FLAGS_NAME "evpl_mp_flags"
struct mp_flags {
    int calling;  /* the secondary is about to call evpl_create() */
    int freed;    /* the primary freed the half-built pool */
    int returned; /* the secondary's evpl_create() returned */
};

/* The "wait" case's default pool: an mbuf count of its own, so that no
 * other case made it, and the name docs/api.md gives default pools. */
#define WAIT_NB_MBUFS 127u
#define WAIT_ROOM     (EVPL_DPDK_DEFAULT_SEGMENT_SIZE + RTE_PKTMBUF_HEADROOM)

static struct rte_ring    *ring;
static struct evpl        *evpl;
static struct rte_mempool *pool;
static struct mp_flags    *flags;

static void
fill(struct evpl_iovec *iov, int n, unsigned int seed)
{
    for (int i = 0; i < n; i++)
        evpl_test_fill(evpl_iovec_data(&iov[i]), evpl_iovec_length(&iov[i]),
                       seed + (unsigned int) i);
}

static int
check(const struct evpl_iovec *iov, int n, unsigned int seed)
{
    for (int i = 0; i < n; i++)
        if (!evpl_test_check(evpl_iovec_data(&iov[i]),
                             evpl_iovec_length(&iov[i]), seed + (unsigned int) i))
            return 0;
    return 1;
}

/* ---- the secondary ---------------------------------------------------- */

/* The "wait" case: the default pool of WAIT_NB_MBUFS mbufs is registered
 * (by the primary) but not given out yet. evpl_create() must wait, and
 * return only once that pool is gone and one of its own made; a pool it
 * returns while the other is there is a pool still being built. */
static int
secondary_wait(void)
{
    struct evpl_config cfg = { .nb_mbufs = WAIT_NB_MBUFS,
                               .pool_socket = EVPL_DPDK_SOCKET(0) };
    const struct rte_memzone *mz = rte_memzone_lookup(FLAGS_NAME);
    struct mp_flags          *f;
    struct evpl_iovec         v;
    struct evpl              *e;
    int                       freed;

    if (mz == NULL)
        return 20;
    f = mz->addr;
    __atomic_store_n(&f->calling, 1, __ATOMIC_RELEASE);
    e     = evpl_create(&cfg);
    freed = __atomic_load_n(&f->freed, __ATOMIC_ACQUIRE);
    __atomic_store_n(&f->returned, 1, __ATOMIC_RELEASE);
    if (e == NULL) {
        fprintf(stderr, "secondary: evpl_create: %s\n", strerror(errno));
        return 21;
    }
    if (!freed) {
        fprintf(stderr, "secondary: evpl_create returned the pool another "
                "process had not finished\n");
        return 22;
    }
    if (evpl_mempool(e)->size != WAIT_NB_MBUFS ||
        evpl_iovec_alloc(e, 100, 0, 1, 0, &v) != 1)
        return 23;
    evpl_iovec_release(e, &v);
    evpl_destroy(e);
    rte_eal_cleanup();
    return 0;
}

static int
secondary(int argc, char **argv)
{
    const char *eal[] = { argv[0], "-l", "1", "--no-pci",
                          "--proc-type=secondary", argv[2],
                          "--log-level=lib.eal:warning" };
    const char *what = argv[3];
    void       *pool_addr = (void *) strtoull(argv[4], NULL, 16);
    struct evpl_iovec iov[8];
    struct rte_mbuf  *m = NULL;
    struct evpl      *e;
    int               n;

    (void) argc;
    if (rte_eal_init(RTE_DIM(eal), (char **) eal) < 0) {
        fprintf(stderr, "secondary: rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 10;
    }
    /* The default pool is found by name: the primary's, at its address. */
    e = evpl_create(NULL);
    if (e == NULL) {
        fprintf(stderr, "secondary: evpl_create: %s\n", strerror(errno));
        return 11;
    }
    if ((void *) evpl_mempool(e) != pool_addr) {
        fprintf(stderr, "secondary: pool %p, the primary's is %p\n",
                (void *) evpl_mempool(e), pool_addr);
        return 12;
    }
    ring = rte_ring_lookup(RING_NAME);
    if (ring == NULL)
        return 13;
    if (strcmp(what, "wait") == 0) {
        evpl_destroy(e);
        return secondary_wait();
    }

    if (strcmp(what, "receive") == 0) {
        /* A chain the primary built from its iovecs: into iovecs here,
         * the bytes checked, released here. */
        if (rte_ring_dequeue(ring, (void **) &m) != 0)
            return 14;
        n = evpl_dpdk_mbuf_to_iovecs(e, m, iov, 8);
        if (n < 1 || !check(iov, n, 7))
            return 15;
        evpl_iovecs_release(e, iov, n);
    } else if (strcmp(what, "send") == 0) {
        /* Allocated here, sent to the primary as a chain. */
        n = evpl_iovec_alloc(e, PATTERN_LEN, 0, 8, 0, iov);
        if (n < 1)
            return 16;
        fill(iov, n, 9);
        m = evpl_dpdk_iovecs_to_mbuf(e, iov, n, EVPL_DPDK_TAKE_REF);
        if (m == NULL || rte_ring_enqueue(ring, m) != 0)
            return 17;
    } else if (strcmp(what, "reserve") == 0) {
        /* Reservation in a secondary: its carve segment is its own, and
         * evpl_destroy() gives it back. */
        n = evpl_iovec_reserve(e, 200, 0, 1, iov);
        if (n != 1)
            return 18;
        evpl_iovec_set_length(&iov[0], 100);
        evpl_iovec_commit(e, 0, iov, 1);
        evpl_iovec_release(e, &iov[0]);
    } else if (strcmp(what, "pool") != 0) {
        return 19;
    }
    evpl_destroy(e);
    rte_eal_cleanup();
    return 0;
}

/* ---- the primary ------------------------------------------------------ */

static pid_t
start_secondary(const char *what)
{
    char    self[4096], addr[32];
    pid_t   pid;
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (len < 0)
        return -1;
    self[len] = '\0';
    snprintf(addr, sizeof(addr), "%llx", (unsigned long long) (uintptr_t) pool);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        execl(self, self, "secondary", evpl_test_eal_prefix(), what, addr,
              (char *) NULL);
        _exit(127);
    }
    return pid;
}

static int
wait_secondary(pid_t pid)
{
    int status;

    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
run_secondary(const char *what)
{
    return wait_secondary(start_secondary(what));
}

/* Whether process pid's main thread is asleep in nanosleep() (what
 * rte_delay_us_sleep() calls): 1, 0, or -1 when that cannot be read. */
static int
asleep(pid_t pid)
{
    char  path[64], line[64];
    long  nr;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/syscall", (long) pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof(line), f) == NULL)
        line[0] = '\0';
    fclose(f);
    if (sscanf(line, "%ld", &nr) != 1)
        return strncmp(line, "running", 7) == 0 ? 0 : -1;
#ifdef SYS_nanosleep
    if (nr == SYS_nanosleep)
        return 1;
#endif
    return nr == SYS_clock_nanosleep;
}

static void
secondary_finds_the_default_pool_by_name(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("pool"), 0);
    evpl_test_assert_pool_full(pool);
}

static void
secondary_receives_and_releases_a_primarys_chain(void **state)
{
    struct evpl_iovec iov[8];
    struct rte_mbuf  *m = NULL;
    int               n;

    (void) state;
    n = evpl_iovec_alloc(evpl, PATTERN_LEN, 0, 8, 0, iov);
    assert_true(n >= 1);
    fill(iov, n, 7);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, iov, n, EVPL_DPDK_TAKE_REF);
    assert_non_null(m);
    assert_int_equal(rte_ring_enqueue(ring, m), 0);
    assert_int_equal(run_secondary("receive"), 0);
    evpl_test_assert_pool_full(pool);
}

static void
secondary_allocates_and_sends_to_the_primary(void **state)
{
    struct evpl_iovec iov[8];
    struct rte_mbuf  *m = NULL;
    int               n;

    (void) state;
    assert_int_equal(run_secondary("send"), 0);
    assert_int_equal(rte_ring_dequeue(ring, (void **) &m), 0);
    n = evpl_dpdk_mbuf_to_iovecs(evpl, m, iov, 8);
    assert_true(n >= 1);
    assert_true(check(iov, n, 9));
    evpl_iovecs_release(evpl, iov, n);
    evpl_test_assert_pool_full(pool);
}

static void
secondary_reserves_and_gives_its_segment_back(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("reserve"), 0);
    evpl_test_assert_pool_full(pool);
}

/*
 * The first evpl_create() across processes: a secondary that finds the
 * default pool registered but not yet given out (another process is
 * between creating and publishing it) waits rather than take it. Here the
 * primary plays that other process: it registers the pool under the
 * default pool's name and frees it only once the secondary is asleep in
 * its wait; evpl_create() must not return before. Guards the publication
 * marker of src/pool.c (the pool given out only once marked): the
 * in-process mutex cannot serve two processes, and without the marker
 * the secondary takes the half-built pool at once.
 */
static void
secondary_waits_for_a_pool_another_process_is_making(void **state)
{
    char                name[RTE_MEMPOOL_NAMESIZE];
    struct rte_mempool *half;
    pid_t               pid;
    int                 polls, a = 0;

    (void) state;
    snprintf(name, sizeof(name), "evpl%d.%u.%u", 0, WAIT_ROOM,
             WAIT_NB_MBUFS);
    half = rte_pktmbuf_pool_create(name, WAIT_NB_MBUFS, 0, 0, WAIT_ROOM, 0);
    assert_non_null(half);
    memset(flags, 0, sizeof(*flags));
    pid = start_secondary("wait");
    assert_true(pid > 0);
    for (polls = 0; polls < 200000; polls++) {
        if (__atomic_load_n(&flags->returned, __ATOMIC_ACQUIRE))
            break;
        if (__atomic_load_n(&flags->calling, __ATOMIC_ACQUIRE) &&
            (a = asleep(pid)) != 0)
            break;
        usleep(100);
    }
    if (a < 0) {
        kill(pid, SIGKILL);
        wait_secondary(pid);
        rte_mempool_free(half);
        skip(); /* /proc/PID/syscall cannot be read here */
    }
    if (a == 1) {
        rte_mempool_free(half);
        __atomic_store_n(&flags->freed, 1, __ATOMIC_RELEASE);
    }
    assert_int_equal(wait_secondary(pid), 0);
    assert_int_equal(a, 1);
}

static const struct CMUnitTest cases[] = {
    cmocka_unit_test(secondary_finds_the_default_pool_by_name),
    cmocka_unit_test(secondary_receives_and_releases_a_primarys_chain),
    cmocka_unit_test(secondary_allocates_and_sends_to_the_primary),
    cmocka_unit_test(secondary_reserves_and_gives_its_segment_back),
    cmocka_unit_test(secondary_waits_for_a_pool_another_process_is_making),
};

static int
set_up(void)
{
    const struct rte_memzone *mz;

    evpl = evpl_create(NULL);
    if (evpl == NULL)
        return -1;
    pool = evpl_mempool(evpl);
    ring = rte_ring_create(RING_NAME, 16, SOCKET_ID_ANY, 0);
    mz   = rte_memzone_reserve(FLAGS_NAME, sizeof(*flags), SOCKET_ID_ANY, 0);
    if (ring == NULL || mz == NULL)
        return -1;
    flags = mz->addr;
    return 0;
}

static void
tear_down(void)
{
    rte_memzone_free(rte_memzone_lookup(FLAGS_NAME));
    rte_ring_free(ring);
    evpl_destroy(evpl);
}

int
main(int argc, char **argv)
{
    /* The secondary takes lcore 1. Twice the 64 hugepages (128 MiB) the
     * default pool and the EAL need. */
    const struct evpl_test_prog prog = {
        .name          = "multiprocess",
        .cases         = cases,
        .nb_cases      = RTE_DIM(cases),
        .eal.lcores    = "0",
        .eal.primary   = 1,
        .eal.hugepages = 128,
        .set_up        = set_up,
        .tear_down     = tear_down,
    };

    if (argc == 5 && strcmp(argv[1], "secondary") == 0)
        return secondary(argc, argv);
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        printf("SKIP: the secondary needs an lcore of its own\n");
        return EVPL_TEST_SKIP;
    }
    return evpl_test_main(argc, argv, &prog);
}
