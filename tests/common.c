/* SPDX-License-Identifier: LGPL-2.1-only */

#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "common.h"
#include "hugepages.h"

static char runtime_dir[PATH_MAX];
static char prefix_opt[64];

/* rte_eal_cleanup() and the telemetry library's exit handler empty the
 * runtime directory but leave it behind. Registered before rte_eal_init(),
 * this runs after them. */
static void
remove_runtime_dir(void)
{
    if (runtime_dir[0] != '\0')
        (void) rmdir(runtime_dir);
}

static void
unlink_matching(const char *pattern)
{
    glob_t g;
    size_t i;

    if (glob(pattern, 0, NULL, &g) != 0)
        return;
    for (i = 0; i < g.gl_pathc; i++)
        (void) unlink(g.gl_pathv[i]);
    globfree(&g);
}

/* A primary on the shared configuration leaves its hugepage files and the
 * files of its runtime directory behind. */
static void
remove_primary_files(void)
{
    char pattern[PATH_MAX + 16];

    snprintf(pattern, sizeof(pattern), "/dev/hugepages/%smap_*",
             prefix_opt + strlen("--file-prefix="));
    unlink_matching(pattern);
    if (runtime_dir[0] == '\0')
        return;
    snprintf(pattern, sizeof(pattern), "%s/*", runtime_dir);
    unlink_matching(pattern);
    remove_runtime_dir();
}

const char *
evpl_test_eal_prefix(void)
{
    return prefix_opt;
}

int
evpl_test_eal(int argc, char **argv, const struct evpl_test_eal *opt)
{
    char        lcores[64], mb[32], limit[256];
    const char *eal[48];
    int         n = 0, i, rc, need = 0;
    long        cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (argc < 2 || (strcmp(argv[1], "huge") != 0 &&
                     strcmp(argv[1], "nohuge") != 0)) {
        fprintf(stderr, "usage: %s huge|nohuge\n", argv[0]);
        return 2;
    }
    if (opt->primary && strcmp(argv[1], "nohuge") == 0) {
        printf("SKIP: DPDK has no secondary processes without hugepages\n");
        return EVPL_TEST_SKIP;
    }

    /* Two lcores where there are two CPUs: the cross-lcore cases need a
     * worker; on one CPU they skip. */
    eal[n++] = argv[0];
    if (opt->lcore_map != NULL) {
        snprintf(lcores, sizeof(lcores), "--lcores=%s", opt->lcore_map);
        eal[n++] = lcores;
    } else {
        eal[n++] = "-l";
        eal[n++] = opt->lcores != NULL ? opt->lcores :
                   cpus >= 2 ? "0-1" : "0";
    }
    eal[n++] = "--no-pci";
    for (i = 0; opt->args != NULL && opt->args[i] != NULL && n < 20; i++)
        eal[n++] = opt->args[i];
    /* Later options win: the EAL's own debug lines stay off whatever the
     * program asked for. */
    eal[n++] = "--log-level=lib.eal:warning";
    /* A runtime directory of its own: programs run side by side, and each
     * has its own telemetry socket there. */
    snprintf(prefix_opt, sizeof(prefix_opt), "--file-prefix=evpl-test-%ld",
             (long) getpid());
    eal[n++] = prefix_opt;
    if (strcmp(argv[1], "huge") == 0) {
        /* Its pages reserved, and taken by the EAL at start, before the
         * next test looks (hugepages.h); no more than them afterwards. */
        need = opt->hugepages > 0 ? opt->hugepages : 64;
        if (getenv("EVPL_TEST_HUGEPAGES_NEED") != NULL)
            need = atoi(getenv("EVPL_TEST_HUGEPAGES_NEED"));
        if (need <= 0) {
            fprintf(stderr, "EVPL_TEST_HUGEPAGES_NEED: expected a whole "
                    "number above 0\n");
            return 2;
        }
        rc   = evpl_test_hugepages_acquire(need);
        if (rc != 0)
            return rc;
        evpl_test_hugepages_eal_args(need, mb, sizeof(mb), limit,
                                     sizeof(limit));
        eal[n++] = "-m";
        eal[n++] = mb;
        eal[n++] = limit;
        if (opt->primary)
            eal[n++] = "--proc-type=primary";
        else
            eal[n++] = "--in-memory";
    } else {
        /* 22.11 refuses --in-memory with --no-huge. */
        eal[n++] = "--no-huge";
        eal[n++] = "-m";
        eal[n++] = opt->nohuge_mb != NULL ? opt->nohuge_mb : "512";
        eal[n++] = "--no-shconf";
    }
    for (i = 0; opt->vdevs != NULL && opt->vdevs[i] != NULL && n < 46; i++) {
        eal[n++] = "--vdev";
        eal[n++] = opt->vdevs[i];
    }

    atexit(opt->primary ? remove_primary_files : remove_runtime_dir);
    if (rte_eal_init(n, (char **) eal) < 0) {
        fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
        if (need > 0 && rte_errno == ENOMEM)
            fprintf(stderr, "%d hugepages were free when reserved: a process "
                    "that does not reserve them (no test of this suite) took "
                    "them since\n", need);
        evpl_test_hugepages_abandon();
        return 1;
    }
    if (need > 0)
        evpl_test_hugepages_commit(getpid(), 1);
    snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
    return 0;
}

/* Look up the ethdev called name (a --vdev) and set it up with conf
 * (NULL: the defaults); 0, or -1 with errno. */
static int
evpl_test_port(const char *name, const struct evpl_dpdk_port_conf *conf,
               uint16_t *port)
{
    if (rte_eth_dev_get_port_by_name(name, port) != 0) {
        errno = ENODEV;
        return -1;
    }
    return evpl_dpdk_port_setup(*port, conf);
}

int
evpl_test_main(int argc, char **argv, const struct evpl_test_prog *prog)
{
    size_t i;
    int    rc;

    rc = evpl_test_eal(argc, argv, &prog->eal);
    if (rc != 0)
        return rc;
    for (i = 0; prog->ports != NULL && prog->ports[i] != NULL; i++)
        if (evpl_test_port(prog->eal.vdevs[i], prog->port_conf,
                           prog->ports[i]) != 0) {
            fprintf(stderr, "%s: port %s: %s\n", prog->name,
                    prog->eal.vdevs[i], strerror(errno));
            rte_eal_cleanup();
            return 1;
        }
    if (prog->set_up != NULL && prog->set_up() != 0) {
        fprintf(stderr, "%s: set-up failed: %s\n", prog->name,
                strerror(errno));
        rte_eal_cleanup();
        return 1;
    }
    rc = _cmocka_run_group_tests(prog->name, prog->cases, prog->nb_cases,
                                 NULL, NULL);
    if (prog->tear_down != NULL)
        prog->tear_down();
    rte_eal_cleanup();
    return rc == 0 ? 0 : 1;
}


void
evpl_test_assert_pool_full(struct rte_mempool *pool)
{
    assert_int_equal(rte_mempool_avail_count(pool), pool->size);
}

int
evpl_test_setup(void **state)
{
    struct evpl_test_ctx *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return -1;
    t->evpl = evpl_create(NULL);
    if (t->evpl == NULL) {
        free(t);
        return -1;
    }
    t->pool          = evpl_mempool(t->evpl);
    t->free_at_start = rte_mempool_avail_count(t->pool);
    *state           = t;
    return 0;
}

int
evpl_test_teardown(void **state)
{
    struct evpl_test_ctx *t = *state;
    unsigned int          now, then = t->free_at_start;

    evpl_destroy(t->evpl);
    now = rte_mempool_avail_count(t->pool);
    free(t);
    if (now != then) {
        fprintf(stderr, "leak: pool has %u free mbufs, had %u at start\n",
                now, then);
        return -1;
    }
    return 0;
}

#ifdef EVPL_TEST_COVERAGE
/* libgcov's: write the counts so far, which only exit() would otherwise
 * write, and an abort never reaches it. */
void __gcov_dump(void);

static void
evpl_test_abort_dumping(int sig)
{
    __gcov_dump();
    signal(sig, SIG_DFL);
    raise(sig);
}
#endif

int
evpl_test_dies(void (*fn)(void *), void *arg, const char *expect)
{
    char    out[4096];
    ssize_t r;
    size_t  len = 0;
    int     pfd[2], status;
    pid_t   pid;

    if (pipe(pfd) != 0)
        return 0;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], STDERR_FILENO);
        /* No core files from expected aborts. */
#ifdef EVPL_TEST_COVERAGE
        signal(SIGABRT, evpl_test_abort_dumping);
#else
        signal(SIGABRT, SIG_DFL);
#endif
        fn(arg);
        _exit(0);
    }
    close(pfd[1]);
    while (len < sizeof(out) - 1 &&
           (r = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
        len += (size_t) r;
    out[len] = '\0';
    close(pfd[0]);
    waitpid(pid, &status, 0);

    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
        printf("child did not abort (status 0x%x); stderr: %s\n", status, out);
        return 0;
    }
    if (strstr(out, expect) == NULL) {
        printf("abort message lacks \"%s\": %s\n", expect, out);
        return 0;
    }
    return 1;
}

uint64_t
evpl_test_scale(void)
{
    const char        *env = getenv("EVPL_TEST_SCALE");
    char              *end;
    unsigned long long v;

    if (env == NULL || *env == '\0')
        return 1;
    errno = 0;
    v     = strtoull(env, &end, 10);
    if (errno != 0 || *end != '\0' || env[0] == '-' || v == 0 ||
        v > 1000000) {
        fprintf(stderr, "EVPL_TEST_SCALE=%s: expected a whole number from 1 "
                "to 1000000\n", env);
        exit(2);
    }
    return v;
}

struct evpl *
evpl_test_ctx_on_own_pool(const char *name, unsigned int n,
                          const struct evpl_config *cfg,
                          struct rte_mempool **mp)
{
    struct evpl_config c = cfg != NULL ? *cfg : (struct evpl_config) { 0 };
    struct evpl       *e;

    *mp = rte_pktmbuf_pool_create(name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                  SOCKET_ID_ANY);
    assert_non_null(*mp);
    c.pool = *mp;
    e      = evpl_create(&c);
    assert_non_null(e);
    return e;
}

unsigned int
evpl_test_pool_drain(struct rte_mempool *mp, struct rte_mbuf **m,
                     unsigned int max)
{
    unsigned int n = 0;

    assert_int_equal(mp->cache_size, 0);
    while (n < max && rte_mempool_get(mp, (void **) &m[n]) == 0)
        n++;
    return n;
}

struct rte_mempool *
evpl_test_att_pool(const struct rte_mempool *pool)
{
    char                name[RTE_MEMPOOL_NAMESIZE];
    struct rte_mempool *mp;

    snprintf(name, sizeof(name), "evplx%" PRIxPTR, (uintptr_t) pool);
    assert_non_null(mp = rte_mempool_lookup(name));
    return mp;
}

/* Another process's callback, which this process must never call. */
static void
evpl_test_elsewhere_free_cb(void *addr, void *opaque)
{
    (void) addr;
    (void) opaque;
    fail_msg("a slab's shared info of another process was called here");
}

void
evpl_test_slab_taken_elsewhere(const struct evpl_iovec *v, int elsewhere)
{
    static rte_mbuf_extbuf_free_callback_t own;
    struct evpl_slab_                     *s = evpl_iovec_slab_(v);

    assert_true(evpl_dpdk_iovec_is_slab(v));
    if (s->shinfo.free_cb != evpl_test_elsewhere_free_cb)
        own = s->shinfo.free_cb;
    assert_non_null(own);
    s->shinfo.free_cb = elsewhere ? evpl_test_elsewhere_free_cb : own;
}

void **
evpl_test_mempool_take_all(struct rte_mempool *mp, unsigned int *n)
{
    unsigned int cap = rte_mempool_avail_count(mp);
    void       **held;

    assert_non_null(held = calloc(cap + 1, sizeof(*held)));
    *n = 0;
    while (*n <= cap && rte_mempool_get(mp, &held[*n]) == 0)
        (*n)++;
    assert_true(*n <= cap);
    return held;
}

char *
evpl_test_captured_log(void (*fn)(void *), void *arg)
{
    FILE  *f = tmpfile();
    char  *out;
    long   len;

    assert_non_null(f);
    assert_int_equal(rte_openlog_stream(f), 0);
    fn(arg);
    rte_openlog_stream(NULL);
    fflush(f);
    len = ftell(f);
    assert_true(len >= 0);
    out = calloc(1, (size_t) len + 1);
    assert_non_null(out);
    rewind(f);
    assert_int_equal(fread(out, 1, (size_t) len, f), (size_t) len);
    fclose(f);
    return out;
}

unsigned int
evpl_test_sum_lengths(const struct evpl_iovec *v, int n)
{
    unsigned int s = 0;
    int          i;

    for (i = 0; i < n; i++)
        s += evpl_iovec_length(&v[i]);
    return s;
}

uint16_t
evpl_test_count_rx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
                   uint16_t nb, uint16_t max, void *arg)
{
    RTE_SET_USED(port);
    RTE_SET_USED(queue);
    RTE_SET_USED(pkts);
    RTE_SET_USED(max);
    (*(unsigned int *) arg)++;
    return nb;
}

void
evpl_test_fill(void *p, size_t len, unsigned int seed)
{
    unsigned char *b = p;
    size_t         i;

    for (i = 0; i < len; i++)
        b[i] = (unsigned char) (seed * 131u + i * 7u + (i >> 8));
}

int
evpl_test_check(const void *p, size_t len, unsigned int seed)
{
    const unsigned char *b = p;
    size_t               i;

    for (i = 0; i < len; i++)
        if (b[i] != (unsigned char) (seed * 131u + i * 7u + (i >> 8)))
            return 0;
    return 1;
}
