/* SPDX-License-Identifier: LGPL-2.1-only */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "common.h"

static int
hugepages_free(void)
{
    char  line[256];
    FILE *f = fopen("/proc/meminfo", "r");
    int   n = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "HugePages_Free: %d", &n) == 1)
            break;
    fclose(f);
    return n;
}

static char runtime_dir[PATH_MAX];

/* rte_eal_cleanup() and the telemetry library's exit handler empty the
 * runtime directory but leave it behind. Registered before rte_eal_init(),
 * this runs after them. */
static void
remove_runtime_dir(void)
{
    if (runtime_dir[0] != '\0')
        (void) rmdir(runtime_dir);
}

int
evpl_test_eal_init(int argc, char **argv, const char *const *vdevs)
{
    return evpl_test_eal_init_lcores(argc, argv, vdevs, NULL);
}

int
evpl_test_eal_init_lcores(int argc, char **argv, const char *const *vdevs,
                          const char *lcore_map)
{
    char        lcores[64], prefix[64];
    const char *eal[32];
    int         n = 0, i;
    long        cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (argc < 2 || (strcmp(argv[1], "huge") != 0 &&
                     strcmp(argv[1], "nohuge") != 0)) {
        fprintf(stderr, "usage: %s huge|nohuge\n", argv[0]);
        return 2;
    }

    /* Two lcores where there are two CPUs: the cross-lcore cases need a
     * worker; on one CPU they skip. */
    eal[n++] = argv[0];
    if (lcore_map != NULL) {
        snprintf(lcores, sizeof(lcores), "--lcores=%s", lcore_map);
        eal[n++] = lcores;
    } else {
        snprintf(lcores, sizeof(lcores), "0-%ld", cpus >= 2 ? 1L : 0L);
        eal[n++] = "-l";
        eal[n++] = lcores;
    }
    eal[n++] = "--no-pci";
    eal[n++] = "--log-level=lib.eal:warning";
    /* A runtime directory of its own: programs run side by side, and each
     * has its own telemetry socket there. */
    snprintf(prefix, sizeof(prefix), "--file-prefix=evpl-test-%ld",
             (long) getpid());
    eal[n++] = prefix;
    if (strcmp(argv[1], "huge") == 0) {
        if (hugepages_free() < 64) {
            printf("SKIP: fewer than 64 free hugepages; "
                   "the nohuge run covers this program\n");
            return EVPL_TEST_SKIP;
        }
        eal[n++] = "--in-memory";
    } else {
        /* 22.11 refuses --in-memory with --no-huge. */
        eal[n++] = "--no-huge";
        eal[n++] = "-m";
        eal[n++] = "512";
        eal[n++] = "--no-shconf";
    }
    for (i = 0; vdevs != NULL && vdevs[i] != NULL && n < 30; i++) {
        eal[n++] = "--vdev";
        eal[n++] = vdevs[i];
    }

    atexit(remove_runtime_dir);
    if (rte_eal_init(n, (char **) eal) < 0) {
        fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
    return 0;
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
        signal(SIGABRT, SIG_DFL);
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
