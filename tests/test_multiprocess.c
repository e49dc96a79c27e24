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
 *
 * Slabs: every slab operation (GLOBAL alloc and release, SHARED carving,
 * LOCAL carving and reservation, a range attached for transmit and
 * freed), with the last reference dropped in the secondary and in the
 * primary; iovecs cross in a memzone. The processes run with address
 * randomisation, as they do by default, so each maps the library at an
 * address of its own: the secondary says so in its log (checked against
 * where it finds the library's code, so a chance equal mapping is no
 * failure), and releases the primary's attached mbufs through the
 * library's own release, which does not call the primary's code.
 */

#define _GNU_SOURCE /* dladdr() */
#include <dlfcn.h>
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
#include "slab_sets.h"

#define RING_NAME "evpl_mp_test"
#define XFER_NAME "evpl_mp_xfer"
#define PATTERN_LEN 3000u
#define SLAB_LEN    200000u

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

/* iovecs handed between the processes. */
struct xfer {
    struct evpl_iovec iov[4];
    int               n;
    /* Where the primary finds evpl_create(), and whether a secondary has
     * mapped the library elsewhere: a process's first context warns when
     * the library sits elsewhere than in a process before it. */
    uintptr_t         primary_code;
    int               elsewhere;
};

static struct rte_ring    *ring;
static struct xfer        *xfer;
static struct mp_flags    *flags;
static struct evpl        *evpl;
static struct rte_mempool *pool;

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

/* The default set's slabs taken from its pools. */
static unsigned int
slabs_in_use(void)
{
    return evpl_test_slabs_in_use(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                                  EVPL_DPDK_DEFAULT_NB_SLABS);
}

/* A SHARED slab iovec of SLAB_LEN bytes, filled. */
static int
slab_alloc(struct evpl *e, struct evpl_iovec *v, unsigned int seed)
{
    if (evpl_iovec_alloc(e, SLAB_LEN, 0, 1, EVPL_IOVEC_FLAG_SHARED, v) != 1 ||
        !evpl_dpdk_iovec_is_slab(v))
        return -1;
    evpl_test_fill(v->data, v->length, seed);
    return 0;
}

/* The secondary's side of each case: 0 when its checks hold. e is its
 * context; what it destroys it sets to NULL. */
static int
sec_receive(struct evpl **e)
{
    struct evpl_iovec iov[8];
    struct rte_mbuf  *m = NULL;
    int               n;

    /* A chain the primary built from its iovecs: into iovecs here, the
     * bytes checked, released here. */
    if (rte_ring_dequeue(ring, (void **) &m) != 0)
        return 14;
    n = evpl_dpdk_mbuf_to_iovecs(*e, m, iov, 8);
    if (n < 1 || !check(iov, n, 7))
        return 15;
    evpl_iovecs_release(*e, iov, n);
    return 0;
}

static int
sec_send(struct evpl **e)
{
    struct evpl_iovec iov[8];
    struct rte_mbuf  *m;
    int               n;

    /* Allocated here, sent to the primary as a chain. */
    n = evpl_iovec_alloc(*e, PATTERN_LEN, 0, 8, 0, iov);
    if (n < 1)
        return 16;
    fill(iov, n, 9);
    m = evpl_dpdk_iovecs_to_mbuf(*e, iov, n, EVPL_DPDK_TAKE_REF);
    if (m == NULL || rte_ring_enqueue(ring, m) != 0)
        return 17;
    return 0;
}

static int
sec_reserve(struct evpl **e)
{
    struct evpl_iovec iov[1];

    /* Reservation in a secondary: its carve segment is its own, and
     * evpl_destroy() gives it back. */
    if (evpl_iovec_reserve(*e, 200, 0, 1, iov) != 1)
        return 18;
    evpl_iovec_set_length(&iov[0], 100);
    evpl_iovec_commit(*e, 0, iov, 1);
    evpl_iovec_release(*e, &iov[0]);
    return 0;
}

static int
sec_pool(struct evpl **e)
{
    (void) e;
    return 0;
}

/* GLOBAL, allocated and released here. */
static int
sec_global(struct evpl **e)
{
    struct evpl_iovec g;

    if (evpl_iovec_alloc_global(*e, &g) != 1)
        return 20;
    memset(g.data, 1, g.length);
    evpl_iovec_release(*e, &g);
    return 0;
}

/* The primary's iovecs, checked and released here: the last reference. */
static int
sec_release_xfer(struct evpl **e)
{
    int i;

    for (i = 0; i < xfer->n; i++)
        if (!evpl_test_check(xfer->iov[i].data, xfer->iov[i].length, 21))
            return 21;
    evpl_iovecs_release(*e, xfer->iov, xfer->n);
    xfer->n = 0;
    return 0;
}

/* GLOBAL, allocated here, released by the primary. */
static int
sec_global_out(struct evpl **e)
{
    if (evpl_iovec_alloc_global(*e, &xfer->iov[0]) != 1)
        return 22;
    evpl_test_fill(xfer->iov[0].data, xfer->iov[0].length, 21);
    xfer->n = 1;
    return 0;
}

/* SHARED carving: released here, the context destroyed (its carve
 * reference is the last). */
static int
sec_shared(struct evpl **e)
{
    struct evpl_iovec v[2];

    if (slab_alloc(*e, &v[0], 1) < 0 || slab_alloc(*e, &v[1], 2) < 0)
        return 23;
    evpl_iovecs_release(*e, v, 2);
    evpl_destroy(*e);
    *e = NULL;
    return 0;
}

/* SHARED carving: one iovec handed to the primary, the context destroyed
 * here; the primary's release is the last. */
static int
sec_shared_out(struct evpl **e)
{
    struct evpl_iovec v;

    if (slab_alloc(*e, &v, 3) < 0 || slab_alloc(*e, &xfer->iov[0], 21) < 0)
        return 24;
    xfer->n = 1;
    evpl_iovec_release(*e, &v);
    evpl_destroy(*e);
    *e = NULL;
    return 0;
}

/* LOCAL carving and a reservation on a slab, all here. */
static int
sec_local(struct evpl **e)
{
    struct evpl_iovec v[2], r;

    if (evpl_iovec_alloc(*e, SLAB_LEN, 0, 1, 0, &v[0]) != 1 ||
        evpl_iovec_alloc(*e, SLAB_LEN, 0, 1, 0, &v[1]) != 1 ||
        !evpl_dpdk_iovec_is_slab(&v[0]))
        return 25;
    if (evpl_iovec_reserve(*e, 128u << 10, 0, 1, &r) != 1 ||
        !evpl_dpdk_iovec_is_slab(&r))
        return 26;
    evpl_iovec_set_length(&r, 1000);
    evpl_iovec_commit(*e, 0, &r, 1);
    evpl_iovecs_release(*e, v, 2);
    evpl_iovec_release(*e, &r);
    evpl_destroy(*e);
    *e = NULL;
    return 0;
}

/* A slab range sent by reference: the chain freed here by DPDK, after
 * the context and the iovec (TAKE_REF) are gone, so the chain's free
 * drops the last reference. */
static int
sec_range(struct evpl **e)
{
    struct evpl_iovec v;
    struct rte_mbuf  *m;

    if (slab_alloc(*e, &v, 4) < 0)
        return 27;
    m = evpl_dpdk_iovecs_to_mbuf(*e, &v, 1, EVPL_DPDK_TAKE_REF);
    if (m == NULL || !RTE_MBUF_HAS_EXTBUF(m) || m->nb_segs != 4)
        return 28;
    evpl_destroy(*e);
    *e = NULL;
    rte_pktmbuf_free(m);
    return 0;
}

/* A slab range sent by reference and freed here; the iovec handed to the
 * primary, whose release is the last. */
static int
sec_range_out(struct evpl **e)
{
    struct rte_mbuf *m;

    if (slab_alloc(*e, &xfer->iov[0], 21) < 0)
        return 29;
    xfer->n = 1;
    m = evpl_dpdk_iovecs_to_mbuf(*e, &xfer->iov[0], 1, 0);
    if (m == NULL || !RTE_MBUF_HAS_EXTBUF(m))
        return 30;
    rte_pktmbuf_free(m);
    evpl_destroy(*e);
    *e = NULL;
    return 0;
}

/* A range of a slab the primary took, sent and freed here: its mbufs
 * carry a callback of this process's mapping of the library, not the
 * primary's in the slab's own shared info, which DPDK's free here would
 * call at the primary's address (guards the choice of shared info in
 * evpl_slab_att_get(), src/slab_attach.c). */
static int
sec_range_of_primary_slab(struct evpl **e)
{
    struct rte_mbuf *m;
    Dl_info          cb, lib;

    m = evpl_dpdk_iovecs_to_mbuf(*e, &xfer->iov[0], 1, 0);
    if (m == NULL || !RTE_MBUF_HAS_EXTBUF(m))
        return 31;
    if (dladdr((void *) (uintptr_t) m->shinfo->free_cb, &cb) == 0 ||
        dladdr((void *) (uintptr_t) evpl_create, &lib) == 0 ||
        cb.dli_fbase != lib.dli_fbase)
        return 32;
    rte_pktmbuf_free(m);
    return 0;
}

/* Whether m, just put back in its pool, is as rte_pktmbuf_detach() leaves
 * a detached mbuf: its own buffer behind its header and private area, at
 * its IOVA, its pool's data room, the default headroom, no data, no
 * flags, one segment. */
static int
sec_detached(const struct rte_mbuf *m)
{
    struct rte_mempool *mp   = m->pool;
    uint16_t            priv = rte_pktmbuf_priv_size(mp);
    uint32_t            hdr  = (uint32_t) sizeof(*m) + priv;
    uint16_t            room = rte_pktmbuf_data_room_size(mp);

    return m->priv_size == priv && m->buf_addr == (const char *) m + hdr &&
           rte_mbuf_iova_get(m) == rte_mempool_virt2iova(m) + hdr &&
           m->buf_len == room &&
           m->data_off == RTE_MIN(RTE_PKTMBUF_HEADROOM, room) &&
           m->data_len == 0 && m->ol_flags == 0 && m->next == NULL &&
           m->nb_segs == 1;
}

/* Free slabs of the default set. */
static unsigned int
sec_free_slabs(void)
{
    return evpl_test_slab_count(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                                EVPL_DPDK_DEFAULT_NB_SLABS).free;
}

/* The primary's chain of mbufs attached to a slab, in a process that maps
 * the library elsewhere: turned into iovecs and released, through the
 * library's own release (DPDK's free would call the primary's code).
 * Each mbuf goes back to its pool detached as rte_pktmbuf_detach() would
 * detach it (guards the fields evpl_mbuf_free_ext_() restores, src/
 * slab_attach.c: an mbuf put back still pointing at the slab would hand
 * the next user the slab's bytes); the primary checks the counts. */
static int
sec_release_chain(struct evpl **e)
{
    struct evpl_iovec iov[8];
    struct rte_mbuf  *m = NULL, *seg[4];
    unsigned int      free0;
    int               n, i;

    if (rte_ring_dequeue(ring, (void **) &m) != 0 || !RTE_MBUF_HAS_EXTBUF(m))
        return 33;
    for (i = 0; i < 4; i++, m = m->next)
        if ((seg[i] = m) == NULL)
            return 34;
    m = seg[0];
    n = evpl_dpdk_mbuf_to_iovecs(*e, m, iov, 8);
    if (n != 4 || !evpl_test_check(iov[0].data, iov[0].length, 21))
        return 34;
    /* One at a time: the slab stays out until the last mbuf goes (guards
     * the count evpl_mbuf_free_ext_() drops, src/slab_attach.c). */
    free0 = sec_free_slabs();
    for (i = 0; i < n; i++) {
        evpl_iovec_release(*e, &iov[i]);
        if (sec_free_slabs() != free0 + (i == n - 1))
            return 40;
    }
    /* Back in this lcore's cache, untouched until taken again. */
    for (i = 0; i < 4; i++)
        if (!sec_detached(seg[i]))
            return 39;
    return 0;
}

/* Leak accounting: the primary's first context holds a slab; this
 * process's contexts, the first included, count none of it (ids are
 * unique across the processes), once they know its pool. The first
 * context hands a slab of its own to the primary. */
static int
sec_count_own(struct evpl **e)
{
    struct evpl_dpdk_outstanding o;
    struct evpl                 *more[4];
    struct evpl_iovec            v;
    int                          i, bad = 0;

    for (i = 0; i < 4; i++) {
        more[i] = evpl_create(NULL);
        if (more[i] == NULL)
            return 35;
    }
    /* Taking a slab finds the set's pools. */
    if (evpl_iovec_alloc_global(more[0], &v) != 1)
        return 36;
    evpl_iovec_release(more[0], &v);
    bad |= evpl_dpdk_outstanding(*e, &o) < 0 || o.slabs != 0;
    for (i = 0; i < 4; i++) {
        bad |= evpl_dpdk_outstanding(more[i], &o) < 0 || o.slabs != 0;
        evpl_destroy(more[i]);
    }
    if (evpl_iovec_alloc_global(*e, &xfer->iov[0]) != 1)
        return 37;
    xfer->n = 1;
    return bad ? 38 : 0;
}

/* Slabs beyond the pools the set has: the set grows here, by a pool the
 * primary then finds by name. All given back before the end. */
static int
sec_grow(struct evpl **e)
{
    struct evpl_test_slab_count c = evpl_test_slab_count(
        EVPL_DPDK_DEFAULT_SLAB_SIZE, EVPL_DPDK_DEFAULT_NB_SLABS);
    struct evpl_iovec *g = calloc(c.free + 1, sizeof(*g));
    unsigned int       i;

    if (g == NULL)
        return 41;
    for (i = 0; i <= c.free; i++)
        if (evpl_iovec_alloc_global(*e, &g[i]) != 1)
            return 42;
    if (evpl_test_slab_count(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                             EVPL_DPDK_DEFAULT_NB_SLABS).pools != c.pools + 1)
        return 43;
    evpl_iovecs_release(*e, g, (int) c.free + 1);
    free(g);
    return 0;
}

/* The "wait" case: the default pool of WAIT_NB_MBUFS mbufs is registered
 * (by the primary) but not given out yet. evpl_create() must wait, and
 * return only once that pool is gone and one of its own made; a pool it
 * returns while the other is there is a pool still being built. */
static int
sec_wait(struct evpl **e0)
{
    struct evpl_config cfg = { .nb_mbufs = WAIT_NB_MBUFS,
                               .pool_socket = EVPL_DPDK_SOCKET(0) };
    const struct rte_memzone *mz = rte_memzone_lookup(FLAGS_NAME);
    struct mp_flags          *f;
    struct evpl_iovec         v;
    struct evpl              *e;
    int                       freed;

    /* This process's first context found the default pool; the case's
     * pool is another. */
    evpl_destroy(*e0);
    *e0 = NULL;
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
    return 0;
}

static const struct {
    const char *name;
    int       (*fn)(struct evpl **e);
} sec_cases[] = {
    { "pool", sec_pool },
    { "receive", sec_receive },
    { "send", sec_send },
    { "reserve", sec_reserve },
    { "global", sec_global },
    { "global_out", sec_global_out },
    { "release_xfer", sec_release_xfer },
    { "shared", sec_shared },
    { "shared_out", sec_shared_out },
    { "local", sec_local },
    { "range", sec_range },
    { "range_out", sec_range_out },
    { "range_of_primary_slab", sec_range_of_primary_slab },
    { "release_chain", sec_release_chain },
    { "count_own", sec_count_own },
    { "grow", sec_grow },
    { "wait", sec_wait },
};

/* Whether evpl_create() logged that the processes map the library at
 * different addresses; the context in *e. */
static int
sec_create(struct evpl **e)
{
    FILE *f = tmpfile();
    char  line[512];
    int   warned = 0;

    if (f == NULL || rte_openlog_stream(f) != 0)
        return -1;
    *e = evpl_create(NULL);
    rte_openlog_stream(NULL);
    rewind(f);
    while (fgets(line, sizeof(line), f) != NULL)
        warned |= strstr(line, "map the library at different addresses") !=
                  NULL;
    fclose(f);
    return warned;
}

static int
secondary(int argc, char **argv)
{
    const char *eal[] = { argv[0], "-l", "1", "--no-pci",
                          "--proc-type=secondary", argv[2],
                          "--log-level=lib.eal:warning" };
    const char *what = argv[3];
    void       *pool_addr = (void *) strtoull(argv[4], NULL, 16);
    const struct rte_memzone *mz;
    struct evpl *e = NULL;
    uintptr_t    here;
    size_t       i;
    int          warned, expect, rc;

    (void) argc;
    if (rte_eal_init(RTE_DIM(eal), (char **) eal) < 0) {
        fprintf(stderr, "secondary: rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 10;
    }
    /* The default pool is found by name: the primary's, at its address.
     * A process that maps the library elsewhere than the primary says so
     * once, at its first context. */
    warned = sec_create(&e);
    if (e == NULL) {
        fprintf(stderr, "secondary: evpl_create: %s\n", strerror(errno));
        return 11;
    }
    ring = rte_ring_lookup(RING_NAME);
    mz   = rte_memzone_lookup(XFER_NAME);
    if (ring == NULL || mz == NULL)
        return 13;
    xfer = mz->addr;
    here = (uintptr_t) dlsym(RTLD_DEFAULT, "evpl_create");
    if (here == 0)
        return 13;
    expect = here != xfer->primary_code || xfer->elsewhere;
    xfer->elsewhere |= here != xfer->primary_code;
    if (warned != expect) {
        fprintf(stderr, "secondary: %s the warning of another mapping\n",
                warned ? "unexpected" : "no");
        return 40;
    }
    if ((void *) evpl_mempool(e) != pool_addr) {
        fprintf(stderr, "secondary: pool %p, the primary's is %p\n",
                (void *) evpl_mempool(e), pool_addr);
        return 12;
    }
    for (i = 0; i < RTE_DIM(sec_cases); i++)
        if (strcmp(what, sec_cases[i].name) == 0)
            break;
    if (i == RTE_DIM(sec_cases))
        return 19;
    rc = sec_cases[i].fn(&e);
    if (rc != 0) {
        fprintf(stderr, "secondary: %s: check %d failed\n", what, rc);
        return rc;
    }
    evpl_destroy(e);
    rte_eal_cleanup();
    return 0;
}

/* ---- the primary ------------------------------------------------------ */

/* The secondary's exit status (128 + the signal that killed it). */
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

/* ---- slabs ------------------------------------------------------------ */

/* Each slab case ends with every slab back in the default set's pools
 * and the primary's pool full. The primary allocates on contexts of its
 * own, destroyed before the count, so that their carve slabs are back. */
static unsigned int slabs_before;

static int
slab_setup(void **state)
{
    (void) state;
    slabs_before = slabs_in_use();
    return 0;
}

static int
slab_teardown(void **state)
{
    (void) state;
    if (slabs_in_use() != slabs_before) {
        fprintf(stderr, "slabs in use: %u, %u before\n", slabs_in_use(),
                slabs_before);
        return -1;
    }
    return rte_mempool_avail_count(pool) == pool->size ? 0 : -1;
}

/* Fixes of the multi-process slab defects these cases guard:
 *  - the release paths call this process's code, not a callback stored
 *    in the slab (a secondary's last release jumped to the primary's
 *    address): global, shared, local, *_last_in_secondary;
 *  - each attached mbuf's shared info carries the attaching process's
 *    callback: range_freed_in_secondary,
 *    range_of_primary_slab_sent_in_secondary;
 *  - another process's attachment is detached with this process's code
 *    by the library's release: attached_chain_released_elsewhere;
 *  - context ids unique across the processes: leak_counts_are_per_process.
 */
static void
global_in_secondary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("global"), 0);
}

static void
global_last_in_secondary(void **state)
{
    struct evpl *e = evpl_create(NULL);

    (void) state;
    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc_global(e, &xfer->iov[0]), 1);
    evpl_test_fill(xfer->iov[0].data, xfer->iov[0].length, 21);
    xfer->n = 1;
    evpl_destroy(e);
    assert_int_equal(run_secondary("release_xfer"), 0);
    assert_int_equal(xfer->n, 0);
}

static void
global_last_in_primary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("global_out"), 0);
    assert_int_equal(xfer->n, 1);
    assert_true(evpl_test_check(xfer->iov[0].data, xfer->iov[0].length, 21));
    evpl_iovec_release(evpl, &xfer->iov[0]);
}

static void
shared_in_secondary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("shared"), 0);
}

static void
shared_last_in_secondary(void **state)
{
    struct evpl *e = evpl_create(NULL);

    (void) state;
    assert_non_null(e);
    assert_int_equal(slab_alloc(e, &xfer->iov[0], 21), 0);
    xfer->n = 1;
    evpl_destroy(e);
    assert_int_equal(run_secondary("release_xfer"), 0);
}

static void
shared_last_in_primary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("shared_out"), 0);
    assert_int_equal(xfer->n, 1);
    assert_true(evpl_test_check(xfer->iov[0].data, xfer->iov[0].length, 21));
    evpl_iovec_release(evpl, &xfer->iov[0]);
}

static void
local_in_secondary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("local"), 0);
}

static void
range_freed_in_secondary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("range"), 0);
}

static void
range_last_in_primary(void **state)
{
    (void) state;
    assert_int_equal(run_secondary("range_out"), 0);
    assert_int_equal(xfer->n, 1);
    evpl_iovec_release(evpl, &xfer->iov[0]);
}

static void
range_last_in_secondary(void **state)
{
    struct evpl     *e = evpl_create(NULL);
    struct rte_mbuf *m;

    (void) state;
    assert_non_null(e);
    assert_int_equal(slab_alloc(e, &xfer->iov[0], 21), 0);
    xfer->n = 1;
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(e, &xfer->iov[0], 1, 0));
    rte_pktmbuf_free(m);
    evpl_destroy(e);
    assert_int_equal(run_secondary("release_xfer"), 0);
}

static void
range_of_primary_slab_sent_in_secondary(void **state)
{
    struct evpl *e = evpl_create(NULL);

    (void) state;
    assert_non_null(e);
    assert_int_equal(slab_alloc(e, &xfer->iov[0], 21), 0);
    xfer->n = 1;
    assert_int_equal(run_secondary("range_of_primary_slab"), 0);
    evpl_iovec_release(e, &xfer->iov[0]);
    evpl_destroy(e);
}

static struct rte_mempool *priv_pool;

/* A chain of mbufs the primary attached to a slab, the primary's context
 * and iovec gone: the chain holds the slab alone. */
static void
enqueue_attached_chain(void)
{
    struct evpl     *e;
    struct rte_mbuf *m;

    /* Its mbufs from a pool with a private area, which a detached mbuf's
     * buffer lies behind (sec_detached()). */
    priv_pool = rte_pktmbuf_pool_create("mp_priv", 63, 0, 64,
                                        RTE_MBUF_DEFAULT_BUF_SIZE,
                                        SOCKET_ID_ANY);
    assert_non_null(priv_pool);
    e = evpl_create(&(struct evpl_config) { .pool = priv_pool });
    assert_non_null(e);
    assert_int_equal(slab_alloc(e, &xfer->iov[0], 21), 0);
    assert_non_null(m = evpl_dpdk_iovecs_to_mbuf(e, &xfer->iov[0], 1,
                                                 EVPL_DPDK_TAKE_REF));
    assert_true(RTE_MBUF_HAS_EXTBUF(m));
    evpl_destroy(e);
    assert_int_equal(rte_ring_enqueue(ring, m), 0);
}

/* A secondary that maps the library elsewhere releases the primary's
 * attachments through the library's own release without calling the
 * primary's code. */
static void
attached_chain_released_elsewhere(void **state)
{
    (void) state;
    enqueue_attached_chain();
    assert_int_equal(run_secondary("release_chain"), 0);
    evpl_test_assert_pool_full(priv_pool);
    rte_mempool_free(priv_pool);
}

static void
leak_counts_are_per_process(void **state)
{
    struct evpl_dpdk_outstanding o;
    struct evpl_iovec            v;

    (void) state;
    /* evpl, the primary's first context, takes a slab (GLOBAL: not
     * carved, so none stays with the context). */
    assert_int_equal(evpl_iovec_alloc_global(evpl, &v), 1);
    assert_int_equal(run_secondary("count_own"), 0);
    /* The secondary's first context's slab is not evpl's. */
    assert_int_equal(xfer->n, 1);
    assert_true(evpl_dpdk_outstanding(evpl, &o) >= 0);
    assert_int_equal(o.slabs, 1);
    evpl_iovec_release(evpl, &v);
    evpl_iovec_release(evpl, &xfer->iov[0]);
}

static void
set_grown_in_secondary_found_by_primary(void **state)
{
    struct evpl_test_slab_count c;
    struct evpl_iovec          *g;
    struct evpl                *e = evpl_create(NULL);
    unsigned int                i;

    (void) state;
    assert_non_null(e);
    assert_int_equal(run_secondary("grow"), 0);
    c = evpl_test_slab_count(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                             EVPL_DPDK_DEFAULT_NB_SLABS);
    /* Every free slab, the secondary's pool's included, taken here
     * without another pool. */
    assert_non_null(g = calloc(c.free, sizeof(*g)));
    for (i = 0; i < c.free; i++)
        assert_int_equal(evpl_iovec_alloc_global(e, &g[i]), 1);
    assert_int_equal(evpl_test_slab_count(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                                          EVPL_DPDK_DEFAULT_NB_SLABS).pools,
                     c.pools);
    evpl_iovecs_release(e, g, (int) c.free);
    free(g);
    evpl_destroy(e);
}

#define SLAB_CASE(fn) cmocka_unit_test_setup_teardown(fn, slab_setup, \
                                                      slab_teardown)

static const struct CMUnitTest cases[] = {
    cmocka_unit_test(secondary_finds_the_default_pool_by_name),
    cmocka_unit_test(secondary_waits_for_a_pool_another_process_is_making),
    cmocka_unit_test(secondary_receives_and_releases_a_primarys_chain),
    cmocka_unit_test(secondary_allocates_and_sends_to_the_primary),
    cmocka_unit_test(secondary_reserves_and_gives_its_segment_back),
    SLAB_CASE(global_in_secondary),
    SLAB_CASE(global_last_in_secondary),
    SLAB_CASE(global_last_in_primary),
    SLAB_CASE(shared_in_secondary),
    SLAB_CASE(shared_last_in_secondary),
    SLAB_CASE(shared_last_in_primary),
    SLAB_CASE(local_in_secondary),
    SLAB_CASE(range_freed_in_secondary),
    SLAB_CASE(range_last_in_secondary),
    SLAB_CASE(range_last_in_primary),
    SLAB_CASE(range_of_primary_slab_sent_in_secondary),
    SLAB_CASE(attached_chain_released_elsewhere),
    SLAB_CASE(leak_counts_are_per_process),
    SLAB_CASE(set_grown_in_secondary_found_by_primary),
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
    mz   = rte_memzone_reserve(XFER_NAME, sizeof(*xfer), SOCKET_ID_ANY, 0);
    if (mz == NULL)
        return -1;
    xfer = mz->addr;
    memset(xfer, 0, sizeof(*xfer));
    xfer->primary_code = (uintptr_t) dlsym(RTLD_DEFAULT, "evpl_create");
    mz = rte_memzone_reserve(FLAGS_NAME, sizeof(*flags), SOCKET_ID_ANY, 0);
    if (mz == NULL)
        return -1;
    flags = mz->addr;
    return ring != NULL ? 0 : -1;
}

static void
tear_down(void)
{
    rte_ring_free(ring);
    rte_memzone_free(rte_memzone_lookup(FLAGS_NAME));
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
        /* Hugepage memory far above where the loader and ASan map things,
         * so that a secondary, which must map it where the primary did,
         * finds the addresses free whatever its randomised layout. */
        .eal.args      = EVPL_TEST_LIST("--base-virtaddr=0x200000000000"),
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
