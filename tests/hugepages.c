/* SPDX-License-Identifier: LGPL-2.1-only */

/* Hugepage reservations of the test programs: see hugepages.h. */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hugepages.h"

/* The lines of the list: a test's process and the pages it holds. */
#define HP_LIST_MAX  512
#define HP_LIST_SIZE (HP_LIST_MAX * 24)

struct hp_entry {
    long pid;
    long pages;
};

static int   hp_fd = -1;
static int   hp_need;
static int   hp_writable;  /* the list can be written, not only locked */
static pid_t hp_at_exit_pid;

static long
meminfo(const char *key)
{
    char   line[256];
    size_t klen = strlen(key);
    long   v = 0;
    FILE  *f = fopen("/proc/meminfo", "r");

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, key, klen) == 0) {
            v = strtol(line + klen, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

long
evpl_test_hugepage_kb(void)
{
    long kb = meminfo("Hugepagesize:");

    return kb > 0 ? kb : 2048;
}

long
evpl_test_hugepages_of(pid_t pid)
{
    char  path[64], line[256];
    long  kb = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/status", (long) pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "HugetlbPages: %ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static int
pid_alive(long pid)
{
    return pid > 0 && (kill((pid_t) pid, 0) == 0 || errno == EPERM);
}

static const char *
hp_path(void)
{
    const char *p = getenv("EVPL_TEST_HUGEPAGES_LOCK");

    return p != NULL && *p != '\0' ? p : EVPL_TEST_HUGEPAGES_LOCK_PATH;
}

/* A positive whole number from the environment; 0 when unset, -1 when it
 * is not one (said on stdout). */
static long
env_count(const char *name)
{
    const char *s = getenv(name);
    char       *end;
    long        v;

    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    v     = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0) {
        printf("%s=%s: expected a whole number above 0\n", name, s);
        return -1;
    }
    return v;
}

/* The list, without the processes that are gone; its count. */
static int
list_read(int fd, struct hp_entry *e)
{
    static char buf[HP_LIST_SIZE + 1];
    ssize_t     len = pread(fd, buf, HP_LIST_SIZE, 0);
    char       *p, *save = NULL;
    int         n = 0;

    if (len <= 0)
        return 0;
    buf[len] = '\0';
    for (p = strtok_r(buf, "\n", &save); p != NULL && n < HP_LIST_MAX;
         p = strtok_r(NULL, "\n", &save))
        if (sscanf(p, "%ld %ld", &e[n].pid, &e[n].pages) == 2 &&
            pid_alive(e[n].pid))
            n++;
    return n;
}

static void
list_write(int fd, const struct hp_entry *e, int n)
{
    char buf[HP_LIST_SIZE];
    int  len = 0, i;

    for (i = 0; i < n; i++)
        len += snprintf(buf + len, sizeof(buf) - (size_t) len, "%ld %ld\n",
                        e[i].pid, e[i].pages);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t) len, 0) != len)
        printf("cannot write %s: %s\n", hp_path(), strerror(errno));
}

static long
list_held(const struct hp_entry *e, int n)
{
    long held = 0;
    int  i;

    for (i = 0; i < n; i++)
        held += e[i].pages;
    return held;
}

/* What test programs that were killed left: a primary process on the
 * shared configuration (test_multiprocess) keeps its pages in hugepage
 * files until it removes them at exit, and those of a killed one would hold
 * their pages for good; every program's runtime directory keeps a
 * telemetry socket. */
static void
sweep_killed(void)
{
    glob_t g;
    size_t i;
    long   pid;
    char   sock[512];

    if (glob("/dev/hugepages/evpl-test-*map_*", 0, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; i++)
            if (sscanf(g.gl_pathv[i], "/dev/hugepages/evpl-test-%ldmap_",
                       &pid) == 1 && !pid_alive(pid))
                (void) unlink(g.gl_pathv[i]);
        globfree(&g);
    }
    if (glob("/var/run/dpdk/evpl-test-*", 0, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; i++)
            if (sscanf(g.gl_pathv[i], "/var/run/dpdk/evpl-test-%ld", &pid) ==
                1 && !pid_alive(pid)) {
                snprintf(sock, sizeof(sock), "%s/dpdk_telemetry.v2",
                         g.gl_pathv[i]);
                (void) unlink(sock);
                (void) rmdir(g.gl_pathv[i]);
            }
        globfree(&g);
    }
}

static void
lock_wait(int fd)
{
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
}

static double
now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

long
evpl_test_hugepages_total(void)
{
    long total = meminfo("HugePages_Total:");
    long emulated = env_count("EVPL_TEST_HUGEPAGES");

    return emulated > 0 && emulated < total ? emulated : total;
}

int
evpl_test_hugepages_acquire(int need)
{
    struct hp_entry e[HP_LIST_MAX];
    long            total = evpl_test_hugepages_total();
    long            emulated = env_count("EVPL_TEST_HUGEPAGES");
    long            wait_s = env_count("EVPL_TEST_HUGEPAGES_WAIT");
    long            avail = 0, held = 0;
    double          deadline;
    int             fd, n, said = 0;

    if (emulated < 0 || wait_s < 0)
        return 1;
    if (need > total) {
        printf("SKIP: %ld hugepages in all%s, this program needs %d; "
               "the nohuge run covers it\n", total,
               emulated > 0 ? " (EVPL_TEST_HUGEPAGES)" : "", need);
        return EVPL_TEST_HUGEPAGES_SKIP;
    }
    fd = open(hp_path(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    hp_writable = fd >= 0;
    if (fd >= 0)
        (void) fchmod(fd, 0666); /* every user's tests share it */
    else
        fd = open(hp_path(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("cannot open %s: %s\n", hp_path(), strerror(errno));
        return 1;
    }
    if (emulated > 0 && !hp_writable) {
        printf("EVPL_TEST_HUGEPAGES needs %s writable\n", hp_path());
        close(fd);
        return 1;
    }

    deadline = now_s() + (double) (wait_s > 0 ? wait_s :
                                   EVPL_TEST_HUGEPAGES_WAIT_S);
    for (;;) {
        lock_wait(fd);
        sweep_killed();
        n     = list_read(fd, e);
        held  = list_held(e, n);
        avail = meminfo("HugePages_Free:") - meminfo("HugePages_Rsvd:");
        if (avail >= need && (emulated == 0 || held + need <= emulated)) {
            hp_fd   = fd;
            hp_need = need;
            if (said)
                printf("got %d hugepages\n", need);
            return 0;
        }
        (void) flock(fd, LOCK_UN);
        if (now_s() >= deadline)
            break;
        if (!said) {
            printf("waiting for %d hugepages: %ld free, the tests in %s "
                   "hold %ld\n", need, avail, hp_path(), held);
            fflush(stdout);
            said = 1;
        }
        usleep(100 * 1000);
    }
    printf("FAIL: %d hugepages did not come free in %ld s: %ld free, the "
           "tests in %s hold %ld%s\n", need,
           wait_s > 0 ? wait_s : (long) EVPL_TEST_HUGEPAGES_WAIT_S, avail,
           hp_path(), held,
           emulated > 0 ? " of EVPL_TEST_HUGEPAGES" : "");
    close(fd);
    return 1;
}

void
evpl_test_hugepages_eal_args(int need, char *mb, size_t mb_len, char *limit,
                             size_t limit_len)
{
    long   size = (long) need * evpl_test_hugepage_kb() / 1024;
    glob_t g;
    size_t i, len;
    long   node, nodes = 1;

    /* --socket-limit is per node: one value for each, up to the highest. */
    if (glob("/sys/devices/system/node/node[0-9]*", 0, NULL, &g) == 0) {
        for (i = 0; i < g.gl_pathc; i++)
            if (sscanf(g.gl_pathv[i], "/sys/devices/system/node/node%ld",
                       &node) == 1 && node + 1 > nodes)
                nodes = node + 1;
        globfree(&g);
    }
    snprintf(mb, mb_len, "%ld", size);
    len = (size_t) snprintf(limit, limit_len, "--socket-limit=%ld", size);
    for (node = 1; node < nodes && len < limit_len; node++)
        len += (size_t) snprintf(limit + len, limit_len - len, ",%ld", size);
}

static void
hp_forget(void)
{
    struct hp_entry e[HP_LIST_MAX];
    int             fd, n, i, k = 0;

    if (getpid() != hp_at_exit_pid)
        return;
    fd = open(hp_path(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    lock_wait(fd);
    n = list_read(fd, e);
    for (i = 0; i < n; i++)
        if (e[i].pid != (long) hp_at_exit_pid)
            e[k++] = e[i];
    list_write(fd, e, k);
    close(fd);
}

void
evpl_test_hugepages_commit(pid_t pid, int at_exit)
{
    struct hp_entry e[HP_LIST_MAX];
    int             n, i, k = 0;

    if (hp_fd < 0)
        return;
    if (hp_writable) {
        n = list_read(hp_fd, e);
        for (i = 0; i < n; i++)
            if (e[i].pid != (long) pid)
                e[k++] = e[i];
        if (k < HP_LIST_MAX)
            e[k++] = (struct hp_entry) { pid, hp_need };
        list_write(hp_fd, e, k);
    }
    if (at_exit && hp_at_exit_pid == 0) {
        hp_at_exit_pid = pid;
        atexit(hp_forget);
    }
    evpl_test_hugepages_abandon();
}

void
evpl_test_hugepages_abandon(void)
{
    if (hp_fd < 0)
        return;
    close(hp_fd); /* the last descriptor of the lock: released */
    hp_fd = -1;
}

int
evpl_test_hugepages_lock_fd(void)
{
    return hp_fd;
}
