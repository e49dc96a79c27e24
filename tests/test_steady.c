/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The steady state allocates nothing from the heap and makes no system
 * call: after a warm-up, a million mixed memory operations (alloc,
 * release, clone, clone_segment, move, reserve, commit, iovecs -> mbuf
 * chain, mbuf chain -> iovecs) are counted.
 *
 * Heap: this program defines the malloc family itself and forwards to the
 * C library's (dlsym(RTLD_NEXT)). An executable's definitions interpose on
 * the calls of every shared object it loads, DPDK's, evpl-dpdk's and the C
 * library's own internal ones included, so a counter armed on the working
 * thread around the workload sees every call that thread makes, free(NULL)
 * included. Other threads (the EAL's interrupt and telemetry threads) are
 * not counted: they do no work per operation.
 *
 * System calls: the workload runs in a forked child that the test traces
 * with ptrace(PTRACE_SYSCALL), which stops the child at the entry of every
 * system call it makes, whatever made it (libc wrapper, inline assembly,
 * vDSO fallback); entries between two marker calls are counted. A forked
 * child has one thread, so that is every system call of the workload.
 * Nothing here uses seccomp. Where ptrace is not permitted (a locked-down
 * container), that case is skipped and says so.
 *
 * Each case ends with the pool's free count back where it started.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "common.h"

/* ---- the malloc family, interposed -------------------------------------- */

struct real_heap {
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void  (*free)(void *);
    int   (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
};

static struct real_heap real;
static int              resolving;

/* Counting is per thread: only the thread running the workload arms it. */
static __thread int      heap_armed;
static __thread unsigned heap_calls;
static __thread const char *heap_first;

/* dlsym() may allocate while it resolves the real functions: those few
 * requests come from here, zeroed, and are never given back. */
static char   boot_heap[16384] __attribute__((aligned(64)));
static size_t boot_used;

static void *
boot_alloc(size_t size, size_t align)
{
    size_t at = (boot_used + align - 1) & ~(align - 1);

    if (align == 0 || at + size > sizeof(boot_heap))
        abort();
    boot_used = at + size;
    return boot_heap + at;
}

static int
is_boot(const void *p)
{
    return (const char *) p >= boot_heap &&
           (const char *) p < boot_heap + sizeof(boot_heap);
}

static void
resolve(void)
{
    resolving           = 1;
    real.malloc         = dlsym(RTLD_NEXT, "malloc");
    real.calloc         = dlsym(RTLD_NEXT, "calloc");
    real.realloc        = dlsym(RTLD_NEXT, "realloc");
    real.free           = dlsym(RTLD_NEXT, "free");
    real.posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real.aligned_alloc  = dlsym(RTLD_NEXT, "aligned_alloc");
    real.memalign       = dlsym(RTLD_NEXT, "memalign");
    real.valloc         = dlsym(RTLD_NEXT, "valloc");
    real.pvalloc        = dlsym(RTLD_NEXT, "pvalloc");
    resolving           = 0;
    if (real.malloc == NULL || real.calloc == NULL || real.realloc == NULL ||
        real.free == NULL)
        abort();
}

static inline int
heap_enter(const char *fn)
{
    if (heap_armed) {
        if (heap_calls++ == 0)
            heap_first = fn;
    }
    if (real.free == NULL) {
        if (resolving)
            return 1;
        resolve();
    }
    return 0;
}

void *
malloc(size_t size)
{
    if (heap_enter("malloc"))
        return boot_alloc(size, 16);
    return real.malloc(size);
}

void *
calloc(size_t n, size_t size)
{
    if (heap_enter("calloc"))
        return boot_alloc(n * size, 16);
    return real.calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
    void *q;

    if (heap_enter("realloc"))
        return boot_alloc(size, 16);
    if (!is_boot(p))
        return real.realloc(p, size);
    /* A resolver's block grows: move it to the real heap. */
    q = real.malloc(size);
    if (q != NULL)
        memcpy(q, p, RTE_MIN(size, (size_t) (boot_heap + sizeof(boot_heap) -
                                             (char *) p)));
    return q;
}

void
free(void *p)
{
    if (heap_enter("free") || is_boot(p))
        return;
    real.free(p);
}

int
posix_memalign(void **r, size_t align, size_t size)
{
    if (heap_enter("posix_memalign")) {
        *r = boot_alloc(size, align);
        return 0;
    }
    return real.posix_memalign(r, align, size);
}

void *
aligned_alloc(size_t align, size_t size)
{
    if (heap_enter("aligned_alloc"))
        return boot_alloc(size, align);
    return real.aligned_alloc(align, size);
}

void *
memalign(size_t align, size_t size)
{
    if (heap_enter("memalign"))
        return boot_alloc(size, align);
    return real.memalign(align, size);
}

void *
valloc(size_t size)
{
    if (heap_enter("valloc"))
        return boot_alloc(size, 4096);
    return real.valloc(size);
}

void *
pvalloc(size_t size)
{
    if (heap_enter("pvalloc"))
        return boot_alloc(size, 4096);
    return real.pvalloc(size);
}

/* ---- the workload ------------------------------------------------------- */

#define STEADY_OPS   1000000u
#define WARMUP_OPS   50000u
#define STEADY_IOV   8

/*
 * One step of the mix: the memory operations it makes, counted one per API
 * call (an alloc, each release, a conversion...), or -1 when the library
 * answered something else than it must. Steps use only the library and
 * the mbuf calls a driver would make (rte_pktmbuf_alloc standing in for
 * receive, rte_pktmbuf_free for the free after transmit).
 */
typedef int (*step_fn)(struct evpl *evpl, unsigned int i);

static const unsigned int step_sizes[] = { 64, 200, 1500, 4000 };

static int
step_alloc_release(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec v;
    unsigned int      flags = i & 1 ? EVPL_IOVEC_FLAG_SHARED : 0;

    if (evpl_iovec_alloc(evpl, step_sizes[i % RTE_DIM(step_sizes)],
                         i & 2 ? 64 : 0, 1, flags, &v) != 1)
        return -1;
    evpl_iovec_release(evpl, &v);
    return 2;
}

static int
step_alloc_multi(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec v[STEADY_IOV];
    int               n;

    n = evpl_iovec_alloc(evpl, i & 1 ? 9000 : 20000, 0, STEADY_IOV, 0, v);
    if (n < 2)
        return -1;
    evpl_iovecs_release(evpl, v, n);
    return 1 + n;
}

static int
step_clone_move(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec v, c, s, m;

    if (evpl_iovec_alloc(evpl, 1500, 0, 1,
                         i & 1 ? EVPL_IOVEC_FLAG_SHARED : 0, &v) != 1)
        return -1;
    evpl_iovec_clone(&c, &v);
    evpl_iovec_clone_segment(&s, &v, 14, 1000);
    evpl_iovec_move(&m, &c);
    evpl_iovec_move_segment(&c, &m, 20, 100);
    evpl_iovec_release(evpl, &v);
    evpl_iovec_release(evpl, &s);
    evpl_iovec_release(evpl, &c);
    return 8;
}

static int
step_reserve_commit(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec v[STEADY_IOV];
    int               n;

    /* Now and then larger than a segment, so carving moves on. */
    n = evpl_iovec_reserve(evpl, i % 16 == 0 ? 10000 : 100 + (i % 7) * 50,
                           i & 1 ? 64 : 0, STEADY_IOV, v);
    if (n < 1)
        return -1;
    evpl_iovec_set_length(&v[n - 1], evpl_iovec_length(&v[n - 1]) / 2 + 1);
    evpl_iovec_commit(evpl, 0, v, n);
    evpl_iovecs_release(evpl, v, n);
    return 2 + n;
}

static int
step_tx_exclusive(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec v;
    struct rte_mbuf  *m;

    if (evpl_iovec_alloc(evpl, step_sizes[i % RTE_DIM(step_sizes)], 0, 1, 0,
                         &v) != 1)
        return -1;
    m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, EVPL_DPDK_TAKE_REF);
    if (m == NULL)
        return -1;
    rte_pktmbuf_free(m);
    return 2;
}

/* [shared header][exclusive payload]: copied or attached by size. */
static int
step_tx_shared(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec hdr, keep, pkt[2];
    struct rte_mbuf  *m;

    if (evpl_iovec_alloc(evpl, i & 1 ? 54 : 600, 0, 1, 0, &hdr) != 1)
        return -1;
    if (evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &pkt[1]) != 1) {
        evpl_iovec_release(evpl, &hdr);
        return -1;
    }
    evpl_iovec_clone(&keep, &hdr);
    evpl_iovec_move(&pkt[0], &hdr);
    m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, 2, i & 2 ? EVPL_DPDK_TAKE_REF : 0);
    if (m == NULL)
        return -1;
    rte_pktmbuf_free(m);
    if (!(i & 2))
        evpl_iovecs_release(evpl, pkt, 2);
    evpl_iovec_release(evpl, &keep);
    return i & 2 ? 6 : 8;
}

static int
step_rx(struct evpl *evpl, unsigned int i)
{
    struct evpl_iovec v[2];
    struct rte_mbuf  *m, *m2 = NULL;
    int               n;

    m = rte_pktmbuf_alloc(evpl_mempool(evpl));
    if (m == NULL)
        return -1;
    rte_pktmbuf_append(m, (uint16_t) step_sizes[i % RTE_DIM(step_sizes)]);
    if (i & 1) {
        m2 = rte_pktmbuf_alloc(evpl_mempool(evpl));
        if (m2 == NULL || rte_pktmbuf_append(m2, 100) == NULL ||
            rte_pktmbuf_chain(m, m2) != 0) {
            rte_pktmbuf_free(m);
            rte_pktmbuf_free(m2);
            return -1;
        }
    }
    n = evpl_dpdk_mbuf_to_iovecs(evpl, m, v, 2);
    if (n != (i & 1 ? 2 : 1))
        return -1;
    evpl_iovecs_release(evpl, v, n);
    return 1 + n;
}

static const struct {
    const char *name;
    step_fn     fn;
} steps[] = {
    { "alloc+release", step_alloc_release },
    { "alloc+release, several segments", step_alloc_multi },
    { "clone, clone_segment, move, move_segment", step_clone_move },
    { "reserve+commit+release", step_reserve_commit },
    { "alloc+iovecs_to_mbuf(TAKE_REF)", step_tx_exclusive },
    { "shared header+payload to mbuf", step_tx_shared },
    { "mbuf_to_iovecs+release", step_rx },
};

/* Run steps round-robin until at least ops operations were made. Returns
 * the number made, or -1 with *failed naming the step that went wrong. */
static long
workload(struct evpl *evpl, unsigned long ops, const char **failed)
{
    unsigned long done = 0;
    unsigned int  i;
    size_t        k;
    int           r;

    for (i = 0; done < ops; i++) {
        for (k = 0; k < RTE_DIM(steps); k++) {
            r = steps[k].fn(evpl, i);
            if (r < 0) {
                *failed = steps[k].name;
                return -1;
            }
            done += (unsigned long) r;
        }
    }
    return (long) done;
}

/* ---- the cases ---------------------------------------------------------- */

/* The counter sees what it must: direct calls, and the calls the C library
 * makes inside itself (fopen allocates its FILE, fclose frees it; unlike
 * strdup, sanitizers do not replace that allocation). Called through
 * volatile pointers, so the compiler cannot pair and drop them. */
static void
heap_counter_sees_calls(void **state)
{
    void *(*volatile do_malloc)(size_t) = malloc;
    int   (*volatile do_memalign)(void **, size_t, size_t) = posix_memalign;
    void  (*volatile do_free)(void *) = free;
    void *p, *q = NULL;
    FILE *f;

    RTE_SET_USED(state);
    heap_calls = 0;
    heap_armed = 1;
    p          = do_malloc(100);
    (void) do_memalign(&q, 64, 100);
    f          = fopen("/dev/null", "r");
    if (f != NULL)
        fclose(f);
    do_free(p);
    do_free(q);
    heap_armed = 0;
    assert_non_null(p);
    assert_non_null(q);
    assert_non_null(f);
    /* malloc, posix_memalign, fopen's malloc and fclose's free, two frees. */
    assert_int_equal(heap_calls, 6);
}

static void
steady_state_no_heap_call(void **state)
{
    struct evpl *evpl = ctx_of(state);
    const char  *failed = NULL;
    long         done;

    assert_true(workload(evpl, WARMUP_OPS, &failed) > 0);

    heap_calls = 0;
    heap_first = NULL;
    heap_armed = 1;
    done       = workload(evpl, STEADY_OPS, &failed);
    heap_armed = 0;

    if (done < 0)
        fail_msg("step \"%s\" failed", failed);
    printf("%ld operations, %u malloc-family calls%s%s\n", done, heap_calls,
           heap_first ? ", the first: " : "", heap_first ? heap_first : "");
    assert_true(done >= (long) STEADY_OPS);
    assert_int_equal(heap_calls, 0);
}

/* A distinctive system call that marks the window: write() to fd -1 of a
 * length nothing else uses; it fails with EBADF. */
#define MARK_LEN 0x5eedu

static void
mark(void)
{
    syscall(SYS_write, -1, NULL, (size_t) MARK_LEN);
}

enum {
    CHILD_OK        = 0,
    CHILD_FAILED    = 1,
    CHILD_NO_PTRACE = 2,
};

/* What a traced child runs between the marks: 0 on success. */
typedef int (*child_work)(struct evpl *evpl);

static int
work_mixed(struct evpl *evpl)
{
    const char *failed;

    return workload(evpl, STEADY_OPS, &failed) >= (long) STEADY_OPS ? 0 : -1;
}

#define KNOWN_SYSCALLS 100

static int
work_known_syscalls(struct evpl *evpl)
{
    int i;

    RTE_SET_USED(evpl);
    for (i = 0; i < KNOWN_SYSCALLS; i++)
        syscall(SYS_getppid);
    return 0;
}

static __rte_noreturn void
traced_child(struct evpl *evpl, child_work work)
{
    const char *failed = NULL;
    int         r;

    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
        _exit(CHILD_NO_PTRACE);
    raise(SIGSTOP);
    if (workload(evpl, WARMUP_OPS, &failed) < 0)
        _exit(CHILD_FAILED);
    mark();
    r = work(evpl);
    mark();
    _exit(r == 0 ? CHILD_OK : CHILD_FAILED);
}

/* Follow the child's system calls to its exit. Returns the entries seen
 * between the two marks (-1 if tracing failed); *first is the number of
 * the first of them, *marks how many marks were seen. */
static long
count_syscalls(pid_t pid, int *status, long *first, int *marks)
{
    struct __ptrace_syscall_info info;
    long                         count = 0;
    int                          st, sig = 0;

    *first = -1;
    *marks = 0;
    if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
               (void *) (long) (PTRACE_O_TRACESYSGOOD |
                                PTRACE_O_EXITKILL)) != 0)
        return -1;
    for (;;) {
        if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *) (long) sig) != 0)
            return -1;
        sig = 0;
        if (waitpid(pid, &st, 0) != pid)
            return -1;
        if (WIFEXITED(st) || WIFSIGNALED(st)) {
            *status = st;
            return count;
        }
        if (!WIFSTOPPED(st))
            continue;
        if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
            sig = WSTOPSIG(st); /* a signal for the child: deliver it */
            continue;
        }
        if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *) sizeof(info),
                   &info) <= 0)
            return -1;
        if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
            continue;
        if (info.entry.nr == SYS_write && (int) info.entry.args[0] == -1 &&
            info.entry.args[2] == MARK_LEN) {
            (*marks)++;
            continue;
        }
        if (*marks == 1) {
            if (count++ == 0)
                *first = (long) info.entry.nr;
        }
    }
}

/* Run work in a traced child: the system calls it made between the marks.
 * Skips the case where ptrace is not permitted. */
static long
traced_syscalls(struct evpl *evpl, child_work work)
{
    long  calls, first;
    int   st, status = -1, marks;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        traced_child(evpl, work);

    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_NO_PTRACE) {
        printf("SKIP: ptrace is not permitted here; system calls not "
               "counted\n");
        skip();
    }
    assert_true(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);

    calls = count_syscalls(pid, &status, &first, &marks);
    if (calls < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("tracing the child failed: %s", strerror(errno));
    }
    printf("%ld system calls between the marks", calls);
    if (first >= 0)
        printf(", the first: nr %ld", first);
    printf("\n");
    assert_int_equal(marks, 2);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), CHILD_OK);
    return calls;
}

/* The tracer sees what it must: exactly the calls made in the window. */
static void
syscall_counter_sees_calls(void **state)
{
    assert_int_equal(traced_syscalls(ctx_of(state), work_known_syscalls),
                     KNOWN_SYSCALLS);
}

static void
steady_state_no_syscall(void **state)
{
    printf("%u mixed operations, traced: ", STEADY_OPS);
    assert_int_equal(traced_syscalls(ctx_of(state), work_mixed), 0);
}

static const struct CMUnitTest cases[] = {
    CASE(heap_counter_sees_calls),
    CASE(steady_state_no_heap_call),
    CASE(syscall_counter_sees_calls),
    CASE(steady_state_no_syscall),
};

EVPL_TEST_MAIN("steady", cases)
