/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * A DPDK program started on reserved hugepages, for the tests that start
 * one themselves (tests/test_testpmd*.py, tests/test_traffic.py):
 *
 *   hugepages_run PAGES PROGRAM [ARGS...]
 *       waits for PAGES hugepages as a test program does (hugepages.h),
 *       then becomes PROGRAM with "-m MB --socket-limit=MB..." inserted
 *       before ARGS (which must be EAL options first, as for any DPDK
 *       program), so that its EAL takes exactly them. The lock passes to
 *       a watcher that releases it once PROGRAM has mapped its pages (or
 *       has ended). Exit 77 where the machine has too few hugepages in
 *       all, 1 when they did not come free in time.
 *   hugepages_run PAGES --check
 *       exit 0 where the machine has PAGES hugepages in all, else 77.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hugepages.h"

/* How long the watcher waits for the program's EAL: bring-up on a loaded
 * machine takes seconds, not this. */
#define WATCH_S 120

static void
watch(pid_t pid, int need, int fd)
{
    long want = (long) need * evpl_test_hugepage_kb();
    long kb;
    int  polls;

    for (polls = 0; polls < WATCH_S * 200; polls++) {
        kb = evpl_test_hugepages_of(pid);
        if (kb < 0 || kb >= want)
            break;
        usleep(5 * 1000);
    }
    (void) flock(fd, LOCK_UN);
}

int
main(int argc, char **argv)
{
    char  mb[32], limit[256];
    char **args;
    pid_t self = getpid(), w;
    int   need, rc, fd, i, n = 0;

    if (argc < 3 || (need = atoi(argv[1])) <= 0) {
        fprintf(stderr, "usage: %s PAGES PROGRAM [ARGS...] | PAGES --check\n",
                argv[0]);
        return 2;
    }
    if (strcmp(argv[2], "--check") == 0)
        return need > evpl_test_hugepages_total() ?
               EVPL_TEST_HUGEPAGES_SKIP : 0;
    args = calloc((size_t) argc + 4, sizeof(*args));
    if (args == NULL)
        return 1;
    rc = evpl_test_hugepages_acquire(need);
    if (rc != 0)
        return rc;
    evpl_test_hugepages_eal_args(need, mb, sizeof(mb), limit, sizeof(limit));
    args[n++] = argv[2];
    args[n++] = "-m";
    args[n++] = mb;
    args[n++] = limit;
    for (i = 3; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;

    /* The watcher, a grandchild (no zombie for PROGRAM to reap) without
     * PROGRAM's output pipes (whoever reads them sees their end when
     * PROGRAM ends), holds the lock on for PROGRAM. */
    fd = evpl_test_hugepages_lock_fd();
    fflush(NULL);
    w = fork();
    if (w == 0) {
        if (fork() == 0) {
            int null = open("/dev/null", O_RDWR);

            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            watch(self, need, fd);
        }
        _exit(0);
    }
    if (w < 0) {
        perror("fork");
        evpl_test_hugepages_abandon();
        return 1;
    }
    waitpid(w, NULL, 0);
    /* PROGRAM will be this process: listed as holding the pages, and
     * dropped from the list by the next reservation once it is gone. */
    evpl_test_hugepages_commit(self, 0);
    execvp(args[0], args);
    perror(args[0]);
    return 127;
}
