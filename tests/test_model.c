/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Model-based random test. A shadow model drives random operations on one
 * context: alloc of random sizes and alignments (LOCAL and SHARED),
 * reserve/commit, clone, clone_segment, move, move_segment, set_length,
 * release, and packets sent through the net_ring loopback and received
 * back. After every operation it checks, against the model:
 *
 *  - the bytes of every live iovec (what was written, never overwritten:
 *    memory an iovec references is never handed out again);
 *  - the reference count of every mbuf a live iovec references (one per
 *    iovec, one per indirect mbuf attached, one for the carve segment);
 *  - the pool: exactly those mbufs, and the carve segment, are in use;
 *  - where the next reservation lands (right after the last commit when
 *    it fits), and what evpl_dpdk_outstanding() says.
 *
 * Seeded and reproducible: the seed is printed; EVPL_MODEL_SEED and
 * EVPL_MODEL_OPS (or argv[2] and argv[3]) set the seed and the number of
 * operations. The default is a short run, EVPL_TEST_SCALE times longer
 * when that is set; docs/testing.md has the long one.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>

#include "common.h"
#include "slab_sets.h"

#define MAX_SLOTS     64
#define MAX_PKT_IOV   6
/* About a second per memory mode: trace builds walk the pool after every
 * operation to check evpl_dpdk_outstanding(), which costs more. */
#ifdef EVPL_IOVEC_TRACE
#define DEFAULT_OPS   25000
#else
#define DEFAULT_OPS   150000
#endif
#define HISTORY       16
#define MAX_TRACKED   (8 * MAX_SLOTS + 64)

/* A live iovec and what its bytes must be. */
struct slot {
    struct evpl_iovec iov;
    unsigned char    *bytes;   /* the model's copy, length iov.length */
    int               live;
    int               checked; /* 0: an uncommitted reservation */
};

struct model {
    struct evpl        *evpl;
    struct rte_mempool *pool;
    uint16_t            port;
    uint64_t            rng;
    uint64_t            op;
    struct slot         slot[MAX_SLOTS];

    /* The segment the context carves reservations from, as the model
     * predicts it, and the first byte not yet consumed; NULL: none. */
    struct rte_mbuf    *carve;
    char               *carve_end;

    /* Trace builds: mbufs this context's alloc/reserve handed out that
     * have not gone back to the pool. */
    struct rte_mbuf    *mine[MAX_TRACKED];
    unsigned int        nmine;

    char                history[HISTORY][96];
    unsigned int        nhistory;
};

static struct model M;

/* ---- randomness and failure reports ---------------------------------- */

static uint64_t
rnd(void)
{
    /* xorshift64*: deterministic across builds, unlike rand(). */
    M.rng ^= M.rng >> 12;
    M.rng ^= M.rng << 25;
    M.rng ^= M.rng >> 27;
    return M.rng * UINT64_C(2685821657736338717);
}

static unsigned int
below(unsigned int n)
{
    return n ? (unsigned int) (rnd() % n) : 0;
}

static void __attribute__((format(printf, 1, 2)))
note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(M.history[M.nhistory++ % HISTORY], sizeof(M.history[0]), fmt,
              ap);
    va_end(ap);
}

#define model_assert(cond, ...) \
    do { \
        if (!(cond)) \
            model_fail(__LINE__, #cond, __VA_ARGS__); \
    } while (0)

static void __attribute__((noreturn, format(printf, 3, 4)))
model_fail(int line, const char *cond, const char *fmt, ...)
{
    unsigned int k, first;
    char         what[256];
    va_list      ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    first = M.nhistory > HISTORY ? M.nhistory - HISTORY : 0;
    printf("model: operation %" PRIu64 ": %s (%s, line %d); last "
           "operations:\n", M.op, what, cond, line);
    for (k = first; k < M.nhistory; k++)
        printf("  %s\n", M.history[k % HISTORY]);
    fail_msg("model diverged at operation %" PRIu64 "; rerun with the seed "
             "printed above", M.op);
    abort(); /* not reached: fail_msg() longjmps */
}

/* ---- slots ------------------------------------------------------------ */

static int
free_slot(void)
{
    int i;

    for (i = 0; i < MAX_SLOTS; i++)
        if (!M.slot[i].live)
            return i;
    return -1;
}

static unsigned int
nfree(void)
{
    unsigned int n = 0;
    int          i;

    for (i = 0; i < MAX_SLOTS; i++)
        n += !M.slot[i].live;
    return n;
}

/* A random live slot, or -1. */
static int
pick_live(void)
{
    int idx[MAX_SLOTS], n = 0, i;

    for (i = 0; i < MAX_SLOTS; i++)
        if (M.slot[i].live)
            idx[n++] = i;
    return n ? idx[below((unsigned int) n)] : -1;
}

/* Take the iovec into slot i, its bytes as they are now. */
static void
slot_fill(int i, const struct evpl_iovec *v, int checked)
{
    struct slot *s = &M.slot[i];

    s->iov     = *v;
    s->bytes   = malloc(v->length ? v->length : 1);
    model_assert(s->bytes != NULL, "out of memory");
    memcpy(s->bytes, v->data, v->length);
    s->live    = 1;
    s->checked = checked;
}

static void
slot_drop(int i)
{
    free(M.slot[i].bytes);
    M.slot[i].bytes = NULL;
    M.slot[i].live  = 0;
}

static void
random_bytes(void *p, size_t len)
{
    unsigned char *b = p;
    uint64_t       r = 0;
    size_t         k;

    for (k = 0; k < len; k++) {
        if ((k & 7) == 0)
            r = rnd();
        b[k] = (unsigned char) (r >> ((k & 7) * 8));
    }
}

/* ---- mbufs the model accounts for ----------------------------------- */

static void
mine_add(struct rte_mbuf *m)
{
    unsigned int k;

    for (k = 0; k < M.nmine; k++)
        if (M.mine[k] == m)
            return;
    model_assert(M.nmine < MAX_TRACKED, "too many mbufs tracked");
    M.mine[M.nmine++] = m;
}

struct use {
    struct rte_mbuf *m;
    unsigned int     refs; /* references the model knows of */
};

/* Count one reference on m; returns its index in u (*n grows). */
static unsigned int
use_add(struct use *u, unsigned int *n, struct rte_mbuf *m)
{
    unsigned int k;

    for (k = 0; k < *n; k++)
        if (u[k].m == m) {
            u[k].refs++;
            return k;
        }
    u[k].m    = m;
    u[k].refs = 1;
    (*n)++;
    return k;
}

/* Slabs referenced by slots, directly or through a received mbuf that
 * is attached to one. */
struct slab_use {
    const struct evpl_slab_ *s;
    unsigned int             refs;
};

static void
slab_use_add(struct slab_use *u, unsigned int *n, const struct evpl_slab_ *s)
{
    unsigned int k;

    for (k = 0; k < *n; k++)
        if (u[k].s == s) {
            u[k].refs++;
            return;
        }
    u[k].s    = s;
    u[k].refs = 1;
    (*n)++;
}

/* An mbuf attached to a slab (a received slab range) holds one
 * reference on its shared info. The slab's own is the slab's count: one
 * reference on the slab per mbuf. A range's own holds one on the slab:
 * count the slab once per such shared info, which clones of the mbuf
 * share. */
static void
att_use_add(const void **att, unsigned int *na, struct slab_use *su,
            unsigned int *ns, const struct rte_mbuf_ext_shared_info *sh)
{
    struct evpl_slab_ *s;
    unsigned int       k;
    int                own;

    s = evpl_slab_of_shinfo_(sh, &own);
    if (!own) {
        for (k = 0; k < *na; k++)
            if (att[k] == sh)
                return;
        att[(*na)++] = sh;
    }
    slab_use_add(su, ns, s);
}

/* A request that went to slabs may find no slab: slabs stay taken while
 * any carved piece lives, and the model keeps many; slab memory grows,
 * so only once every pool of the default set is empty. */
static int
slab_pool_empty(void)
{
    struct evpl_test_slab_count c =
        evpl_test_slab_count(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                             EVPL_DPDK_DEFAULT_NB_SLABS);

    return c.pools > 0 && c.free == 0;
}

/* The iovec lies inside its buffer (an mbuf's or a slab's). */
static int
inside_buffer(const struct evpl_iovec *v)
{
    const char *lo, *hi;

    if (evpl_dpdk_iovec_is_slab(v)) {
        lo = evpl_iovec_slab_(v)->data;
        hi = lo + evpl_iovec_slab_(v)->size;
    } else {
        lo = evpl_test_mbuf(v)->buf_addr;
        hi = lo + evpl_test_mbuf(v)->buf_len;
    }
    return (const char *) v->data >= lo &&
           (const char *) v->data + v->length <= hi;
}

/* Which slots reference m, for a failure report. */
static const char *
slots_of(const struct rte_mbuf *m)
{
    static char  buf[256];
    size_t       len = 0;
    int          i;

    buf[0] = '\0';
    for (i = 0; i < MAX_SLOTS && len < sizeof(buf) - 8; i++)
        if (M.slot[i].live && !evpl_dpdk_iovec_is_slab(&M.slot[i].iov) &&
            evpl_test_mbuf(&M.slot[i].iov) == m)
            len += (size_t) snprintf(buf + len, sizeof(buf) - len, " %d", i);
    return buf;
}

/*
 * Everything the model can check after an operation: bytes, reference
 * counts, the pool's in-use count, and (trace builds) the context's
 * outstanding counts.
 */
static void
check_all(void)
{
    struct use                   u[2 * MAX_SLOTS + 2];
    struct slab_use              su[MAX_SLOTS];
    const void                  *att[MAX_SLOTS];
    struct evpl_dpdk_outstanding o;
    unsigned int                 n = 0, k, j, carve_in = 0, ns = 0, na = 0;
    uint64_t                     slab_refs = 0;
    uint64_t                     my_mbufs = 0, my_refs = 0;
    int                          i, scope;

    for (i = 0; i < MAX_SLOTS; i++) {
        struct slot     *s = &M.slot[i];
        struct rte_mbuf *m;

        if (!s->live)
            continue;
        if (s->checked)
            model_assert(memcmp(s->iov.data, s->bytes, s->iov.length) == 0,
                         "slot %d: bytes changed", i);
        if (evpl_dpdk_iovec_is_slab(&s->iov)) {
            slab_use_add(su, &ns, evpl_iovec_slab_(&s->iov));
            continue;
        }
        m = evpl_test_mbuf(&s->iov);
        k = use_add(u, &n, m);
        /* An indirect mbuf holds one reference on its direct mbuf, an
         * mbuf attached to a slab (a received slab range) one on the
         * slab. */
        if (RTE_MBUF_CLONED(m) && u[k].refs == 1)
            use_add(u, &n, rte_mbuf_from_indirect(m));
        if (RTE_MBUF_HAS_EXTBUF(m) && u[k].refs == 1)
            att_use_add(att, &na, su, &ns, m->shinfo);
    }
    /* A slab's count is the model's, plus the context's own reference
     * when the slab is one it carves from. */
    for (k = 0; k < ns; k++) {
        unsigned int c = su[k].s->shinfo.refcnt;

        model_assert(c == su[k].refs || c == su[k].refs + 1,
                     "slab %p: count %u, model %u", (const void *) su[k].s,
                     c, su[k].refs);
        slab_refs += su[k].refs;
    }
    for (k = 0; k < n; k++)
        carve_in |= u[k].m == M.carve;
    if (M.carve != NULL)
        use_add(u, &n, M.carve);

    for (k = 0; k < n; k++)
        model_assert(rte_mbuf_refcnt_read(u[k].m) == u[k].refs,
                     "mbuf %p (%s%s, slots%s): refcnt %u, model %u",
                     (void *) u[k].m,
                     RTE_MBUF_CLONED(u[k].m) ? "indirect" : "direct",
                     u[k].m == M.carve ? ", carve" : "", slots_of(u[k].m),
                     rte_mbuf_refcnt_read(u[k].m), u[k].refs);
    model_assert(rte_mempool_in_use_count(M.pool) == n,
                 "pool has %u mbufs in use, model %u",
                 rte_mempool_in_use_count(M.pool), n);

    /* mbufs of the context's that went back to the pool are no longer
     * its; the rest are what the trace build must count. */
    for (j = 0; j < M.nmine;) {
        for (k = 0; k < n && u[k].m != M.mine[j]; k++)
            ;
        if (k == n) {
            M.mine[j] = M.mine[--M.nmine];
            continue;
        }
        if (u[k].refs > (u[k].m == M.carve)) {
            my_mbufs++;
            my_refs += u[k].refs - (u[k].m == M.carve);
        }
        j++;
    }
    scope = evpl_dpdk_outstanding(M.evpl, &o);
    model_assert(o.slabs == ns && o.slab_refs == slab_refs,
                 "outstanding slabs %" PRIu64 "/%" PRIu64 ", model %u/%"
                 PRIu64, o.slabs, o.slab_refs, ns, slab_refs);
    if (scope == EVPL_DPDK_OUTSTANDING_CONTEXT) {
        model_assert(o.mbufs == my_mbufs && o.refs == my_refs,
                     "outstanding %" PRIu64 "/%" PRIu64 ", model %" PRIu64
                     "/%" PRIu64, o.mbufs, o.refs, my_mbufs, my_refs);
    } else {
        model_assert(scope == EVPL_DPDK_OUTSTANDING_POOL, "scope %d", scope);
        model_assert(o.mbufs == n - (M.carve != NULL && !carve_in),
                     "outstanding %" PRIu64 ", model %u", o.mbufs,
                     n - (M.carve != NULL && !carve_in));
    }
}

/* ---- operations -------------------------------------------------------- */

static unsigned int
random_length(void)
{
    unsigned int r = below(100);

    if (r < 70)
        return 1 + below(2048);
    if (r < 95)
        return 2049 + below(7000);
    return 9049 + below(30000);
}

static unsigned int
random_alignment(void)
{
    return below(3) == 0 ? 0 : 1u << below(13);
}

static void
op_alloc(void)
{
    struct evpl_iovec v[MAX_SLOTS];
    unsigned int      len = random_length(), align = random_alignment();
    unsigned int      flags = below(2) ? EVPL_IOVEC_FLAG_SHARED : 0;
    unsigned int      max = 1 + below(RTE_MIN(nfree(), 8u));
    unsigned int      room = rte_pktmbuf_data_room_size(M.pool);
    unsigned int      mask = align ? align - 1 : 0;
    unsigned int      sum = 0;
    int               n, k;

    if (nfree() == 0)
        return;
    note("alloc %u align %u max %u %s", len, align, max,
         flags ? "SHARED" : "LOCAL");
    errno = 0;
    n     = evpl_iovec_alloc(M.evpl, len, align, max, flags, v);
    if (n < 0) {
        if (errno == ENOMEM && slab_pool_empty())
            return;
        /* Each segment holds at least room - mask bytes: fewer than
         * max segments can never be what failed. */
        model_assert(errno == ENOSPC, "alloc failed with errno %d", errno);
        model_assert((uint64_t) len > (uint64_t) max * (room - mask),
                     "alloc of %u in %u segments refused", len, max);
        return;
    }
    model_assert(n >= 1 && (unsigned int) n <= max, "alloc returned %d", n);
    for (k = 0; k < n; k++) {
        model_assert(v[k].length > 0, "empty iovec");
        model_assert(align == 0 || (uintptr_t) v[k].data % align == 0,
                     "misaligned");
        model_assert(inside_buffer(&v[k]), "outside its buffer");
        if (!evpl_dpdk_iovec_is_slab(&v[k])) {
            model_assert(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[k])) == 1,
                         "not exclusive");
            mine_add(evpl_test_mbuf(&v[k]));
        }
        sum += v[k].length;
        random_bytes(v[k].data, v[k].length);
        slot_fill(free_slot(), &v[k], 1);
    }
    model_assert(sum == len, "lengths add up to %u, not %u", sum, len);
}

static char *
align_up(void *p, unsigned int align)
{
    uintptr_t mask = align ? align - 1 : 0;

    return (char *) (((uintptr_t) p + mask) & ~mask);
}

/* Where a reservation landed, against the model's carve segment: right
 * after the last commit when it fits there (a reservation larger than a
 * segment starts with what is left there), else on fresh segments from
 * their first aligned byte. */
static void
check_placement(const struct evpl_iovec *v, int n, unsigned int len,
                unsigned int align)
{
    struct rte_mbuf *m0 = evpl_test_mbuf(&v[0]);
    char            *at, *end;
    int              k, fresh = 0;

    if (M.carve != NULL) {
        at  = align_up(M.carve_end, align);
        end = (char *) M.carve->buf_addr + M.carve->buf_len;
        if (m0 == M.carve) {
            model_assert(v[0].data == at, "reservation at %p, not right "
                         "after the last commit (%p)", v[0].data, at);
            fresh = 1;
        } else if (n == 1 && (uint64_t) len + (align ? align - 1 : 0) <=
                   M.carve->buf_len) {
            model_assert(at > end || (size_t) (end - at) < len,
                         "reservation of %u moved on though it fitted", len);
        } else {
            /* Too large for a fresh segment whatever its address: it
             * starts behind the carving point unless nothing is left. */
            model_assert(at >= end, "spanning reservation skipped the "
                         "rest of the carve segment");
        }
    }
    for (k = fresh; k < n; k++)
        model_assert(v[k].data ==
                     align_up(evpl_test_mbuf(&v[k])->buf_addr, align),
                     "fresh segment not carved from its first aligned byte");
}

/* Where a commit of v leaves the carving point: its end, padded to the
 * commit's alignment, within the segment. */
static char *
commit_end(const struct evpl_iovec *v, unsigned int align)
{
    struct rte_mbuf *m   = evpl_test_mbuf(v);
    char            *end = align_up((char *) v->data + v->length, align);
    char            *lim = (char *) m->buf_addr + m->buf_len;

    return end < lim ? end : lim;
}

static void
op_reserve(void)
{
    struct evpl_iovec v[MAX_SLOTS], again[MAX_SLOTS];
    unsigned int      len = below(4) ? 1 + below(3000) : random_length();
    unsigned int      align = random_alignment();
    unsigned int      max = 1 + below(RTE_MIN(nfree(), 8u));
    unsigned int      room = rte_pktmbuf_data_room_size(M.pool);
    unsigned int      mask = align ? align - 1 : 0, what = below(10);
    int               n, k, slab;

    if (nfree() == 0)
        return;
    note("reserve %u align %u max %u (%s)", len, align, max,
         what < 7 ? "commit" : what < 9 ? "release" : "keep");
    errno = 0;
    n     = evpl_iovec_reserve(M.evpl, len, align, max, v);
    if (n < 0) {
        if (errno == ENOMEM && slab_pool_empty())
            return;
        model_assert(errno == ENOSPC, "reserve failed with errno %d", errno);
        /* The first segment may be the little left of the carve one. */
        model_assert((uint64_t) len >
                     (uint64_t) (max > 1 ? max - 1 : 1) * (room - mask),
                     "reserve of %u in %u segments refused", len, max);
        return;
    }
    model_assert(n >= 1 && (unsigned int) n <= max, "reserve returned %d", n);
    slab = evpl_dpdk_iovec_is_slab(&v[0]);
    for (k = 0; k < n; k++)
        model_assert(inside_buffer(&v[k]) &&
                     (align == 0 || (uintptr_t) v[k].data % align == 0),
                     "reserved iovec %d outside its buffer or misaligned", k);
    /* A slab reservation leaves the segment carving alone. */
    if (!slab)
        check_placement(v, n, len, align);
    for (k = 0; k < n && !slab; k++)
        mine_add(evpl_test_mbuf(&v[k]));
    /* The first iovec is always carved: a reservation that starts on a
     * fresh segment moves the context there. */
    if (!slab && evpl_test_mbuf(&v[0]) != M.carve) {
        M.carve     = evpl_test_mbuf(&v[0]);
        M.carve_end = M.carve->buf_addr;
    }

    if (below(4) == 0) {
        /* Not consumed: the same place again, however many segments the
         * rest of it takes this time. */
        int m = evpl_iovec_reserve(M.evpl, len, align, max, again);

        model_assert(m >= 1 || errno == ENOSPC, "second reservation failed");
        if (m >= 1) {
            model_assert(again[0].data == v[0].data,
                         "second reservation moved");
            evpl_iovecs_release(M.evpl, again, m);
        }
    }

    if (what < 7) {
        /* Fill, perhaps use less of the last, commit exactly that. */
        if (below(2))
            evpl_iovec_set_length(&v[n - 1], below(v[n - 1].length + 1));
        for (k = 0; k < n; k++)
            random_bytes(v[k].data, v[k].length);
        evpl_iovec_commit(M.evpl, align, v, n);
        /* The carving point is padded to the commit's alignment. */
        if (slab) {
            /* Slab carving is not the model's. */
        } else if (n > 1) {
            M.carve     = evpl_test_mbuf(&v[n - 1]);
            M.carve_end = commit_end(&v[n - 1], align);
        } else if (evpl_test_mbuf(&v[0]) == M.carve &&
                   commit_end(&v[0], align) > M.carve_end) {
            M.carve_end = commit_end(&v[0], align);
        }
        if (M.carve != NULL &&
            (char *) M.carve->buf_addr + M.carve->buf_len - M.carve_end <
            64) {
            M.carve     = NULL;
            M.carve_end = NULL;
        }
        for (k = 0; k < n; k++)
            slot_fill(free_slot(), &v[k], 1);
    } else if (what < 9) {
        evpl_iovecs_release(M.evpl, v, n);
    } else {
        /* Kept uncommitted: the next reservation may hand the same bytes
         * out again, so the model does not check them. */
        for (k = 0; k < n; k++)
            slot_fill(free_slot(), &v[k], 0);
    }
}

/* Half the time all of slot i (returns 1), else a random range of it,
 * empty ones included (returns 0). */
static int
pick_range(int i, unsigned int *off, unsigned int *len)
{
    if (below(2)) {
        *off = 0;
        *len = M.slot[i].iov.length;
        return 1;
    }
    *off = below(M.slot[i].iov.length + 1);
    *len = below(M.slot[i].iov.length - *off + 1);
    return 0;
}

static void
op_clone(void)
{
    int          i = pick_live(), j = free_slot();
    unsigned int off, len;

    if (i < 0 || j < 0)
        return;
    if (pick_range(i, &off, &len)) {
        note("clone %d -> %d", i, j);
        evpl_iovec_clone(&M.slot[j].iov, &M.slot[i].iov);
    } else {
        note("clone_segment %d [%u, +%u) -> %d", i, off, len, j);
        evpl_iovec_clone_segment(&M.slot[j].iov, &M.slot[i].iov, off, len);
    }
    model_assert(M.slot[j].iov.data == (char *) M.slot[i].iov.data + off &&
                 M.slot[j].iov.length == len, "clone has the wrong range");
    M.slot[j].bytes = malloc(len ? len : 1);
    model_assert(M.slot[j].bytes != NULL, "out of memory");
    memcpy(M.slot[j].bytes, M.slot[i].bytes + off, len);
    M.slot[j].live    = 1;
    M.slot[j].checked = M.slot[i].checked;
}

static void
op_move(void)
{
    int          i = pick_live(), j;
    unsigned int off, len;

    if (i < 0)
        return;
    /* In place (as cursor code does) or to a free slot. */
    j = below(3) == 0 ? i : free_slot();
    if (j < 0)
        return;
    if (pick_range(i, &off, &len)) {
        note("move %d -> %d", i, j);
        evpl_iovec_move(&M.slot[j].iov, &M.slot[i].iov);
    } else {
        note("move_segment %d [%u, +%u) -> %d", i, off, len, j);
        evpl_iovec_move_segment(&M.slot[j].iov, &M.slot[i].iov, off, len);
    }
    if (j != i) {
        M.slot[j].bytes   = M.slot[i].bytes;
        M.slot[j].live    = 1;
        M.slot[j].checked = M.slot[i].checked;
        M.slot[i].bytes   = NULL;
        M.slot[i].live    = 0;
    }
    memmove(M.slot[j].bytes, M.slot[j].bytes + off, len);
}

static void
op_set_length(void)
{
    int i = pick_live();

    if (i < 0)
        return;
    note("set_length %d", i);
    evpl_iovec_set_length(&M.slot[i].iov,
                          below(M.slot[i].iov.length + 1));
}

static void
op_release(void)
{
    int i = pick_live(), k, n;

    if (i < 0)
        return;
    if (below(4)) {
        note("release %d", i);
        evpl_iovec_release(below(2) ? M.evpl : NULL, &M.slot[i].iov);
        slot_drop(i);
        return;
    }
    /* A run of neighbours at once. */
    for (n = 0; i + n < MAX_SLOTS && M.slot[i + n].live && n < 4; n++)
        ;
    note("iovecs_release %d..%d", i, i + n - 1);
    {
        struct evpl_iovec run[4];

        for (k = 0; k < n; k++)
            evpl_iovec_move(&run[k], &M.slot[i + k].iov);
        evpl_iovecs_release(M.evpl, run, n);
    }
    for (k = 0; k < n; k++)
        slot_drop(i + k);
}

/* Send live iovecs as one packet through the loopback, receive it, and
 * check it byte for byte; the received iovecs join the model. */
static void
op_loopback(void)
{
    static unsigned char sent[MAX_PKT_IOV * 48 * 1024], got[sizeof(sent)];
    struct evpl_iovec    pkt[MAX_PKT_IOV], rxiov[64];
    struct evpl_dpdk_pkt tx, rx;
    int                  which[MAX_PKT_IOV], n = 0, k, i, r, spins = 0;
    unsigned int         take = below(2) ? EVPL_DPDK_TAKE_REF : 0;
    int                  via_burst = below(2);
    size_t               len = 0, rlen = 0;
    struct rte_mbuf     *m;

    /* Distinct live slots, in random order; not uncommitted reservations,
     * whose bytes the next reservation may overwrite under a received
     * iovec that references them. */
    for (k = 0; k < MAX_PKT_IOV * 2 && n < 1 + (int) below(MAX_PKT_IOV);
         k++) {
        i = pick_live();
        if (i < 0)
            break;
        if (!M.slot[i].checked)
            continue;
        for (r = 0; r < n && which[r] != i; r++)
            ;
        if (r == n)
            which[n++] = i;
    }
    if (n == 0)
        return;
    for (k = 0; k < n; k++) {
        pkt[k] = M.slot[which[k]].iov;
        memcpy(sent + len, pkt[k].data, pkt[k].length);
        len += pkt[k].length;
    }
    if (len == 0)
        return; /* nothing to send: conversion refuses empty packets */
    note("loopback %d iovecs, %zu bytes, %s, %s", n, len,
         take ? "TAKE_REF" : "keep", via_burst ? "tx_burst" : "to_mbuf");

    if (via_burst) {
        tx.iov  = pkt;
        tx.niov = n;
        r       = evpl_dpdk_tx_burst(M.evpl, M.port, 0, &tx, 1, take);
        model_assert(r == 1, "tx_burst sent %d", r);
    } else {
        m = evpl_dpdk_iovecs_to_mbuf(M.evpl, pkt, n, take);
        model_assert(m != NULL, "iovecs_to_mbuf failed: %d", rte_errno);
        model_assert(m->pkt_len == len, "chain of %u bytes, not %zu",
                     m->pkt_len, len);
        model_assert(rte_eth_tx_burst(M.port, 0, &m, 1) == 1, "not sent");
    }
    /* The iovecs handed over with TAKE_REF are gone. */
    if (take)
        for (k = 0; k < n; k++)
            slot_drop(which[k]);

    do {
        if (via_burst) {
            r = evpl_dpdk_rx_burst(M.evpl, M.port, 0, &rx, 1, rxiov,
                                   RTE_DIM(rxiov));
        } else {
            r = rte_eth_rx_burst(M.port, 0, &m, 1);
            if (r == 1) {
                rx.iov  = rxiov;
                rx.niov = evpl_dpdk_mbuf_to_iovecs(M.evpl, m, rxiov,
                                                   RTE_DIM(rxiov));
                model_assert(rx.niov >= 1, "mbuf_to_iovecs: %d", rx.niov);
            }
        }
        model_assert(r >= 0 && ++spins < 1000000, "nothing received");
    } while (r == 0);

    for (k = 0; k < rx.niov; k++) {
        memcpy(got + rlen, rx.iov[k].data, rx.iov[k].length);
        rlen += rx.iov[k].length;
    }
    model_assert(rlen == len && memcmp(got, sent, len) == 0,
                 "received %zu bytes, sent %zu, or not the same", rlen, len);

    /* Keep what fits, release the rest. */
    for (k = 0; k < rx.niov; k++) {
        i = free_slot();
        if (i >= 0 && below(4))
            slot_fill(i, &rx.iov[k], 1);
        else
            evpl_iovec_release(M.evpl, &rx.iov[k]);
    }
}

static const struct {
    void       (*fn)(void);
    unsigned int weight;
} ops[] = {
    { op_alloc,      14 },
    { op_reserve,    10 },
    { op_clone,      12 },
    { op_move,       8 },
    { op_set_length, 2 },
    { op_release,    20 },
    { op_loopback,   6 },
};

static void
model_run(void **state)
{
    struct evpl_test_ctx  *t = *state;
    struct evpl_dpdk_stats st;
    const char            *env;
    uint64_t              seed, nops, total = 0;
    unsigned int          k, w;
    int                   i;

    memset(&M, 0, sizeof(M));
    M.evpl = t->evpl;
    M.pool = t->pool;
    assert_int_equal(rte_eth_dev_get_port_by_name("net_ring0", &M.port), 0);

    env  = getenv("EVPL_MODEL_SEED");
    seed = env ? strtoull(env, NULL, 0) : (uint64_t) time(NULL);
    env  = getenv("EVPL_MODEL_OPS");
    nops = env ? strtoull(env, NULL, 0) : DEFAULT_OPS * evpl_test_scale();
    printf("model: seed %" PRIu64 ", %" PRIu64 " operations "
           "(EVPL_MODEL_SEED=%" PRIu64 " EVPL_MODEL_OPS=%" PRIu64
           " to repeat)\n", seed, nops, seed, nops);
    fflush(stdout);
    M.rng = seed * UINT64_C(0x9e3779b97f4a7c15) + 1;

    for (k = 0; k < RTE_DIM(ops); k++)
        total += ops[k].weight;
    check_all();
    for (M.op = 1; M.op <= nops; M.op++) {
        w = below((unsigned int) total);
        for (k = 0; w >= ops[k].weight; k++)
            w -= ops[k].weight;
        ops[k].fn();
        check_all();
    }

    /* Everything back: the teardown asserts the pool. */
    for (i = 0; i < MAX_SLOTS; i++)
        if (M.slot[i].live) {
            evpl_iovec_release(M.evpl, &M.slot[i].iov);
            slot_drop(i);
        }
    check_all();

    /* A run long enough to mean anything went down every transmit path. */
    assert_int_equal(evpl_dpdk_stats_get(M.evpl, &st), 0);
    printf("model: sent %" PRIu64 " packets: %" PRIu64 " segments reused, %"
           PRIu64 " attached, %" PRIu64 " copied\n", st.tx_pkts, st.tx_reused,
           st.tx_indirect, st.tx_copied);
    if (nops >= 10000) {
        assert_true(st.tx_reused > 0);
        assert_true(st.tx_indirect > 0);
        assert_true(st.tx_copied > 0);
        assert_int_equal(st.rx_pkts, st.tx_pkts);
    }
}

static const struct CMUnitTest cases[] = {
    CASE(model_run),
};

/* Set up once, before the cases; model_run() finds it by name. */
static uint16_t ring_port;

int
main(int argc, char **argv)
{
    const struct evpl_dpdk_port_conf conf = { .nb_rxd = 512, .nb_txd = 512 };
    const struct evpl_test_prog      prog = {
        .name      = "model",
        .cases     = cases,
        .nb_cases  = RTE_DIM(cases),
        .eal.vdevs = EVPL_TEST_LIST("net_ring0"),
        .ports     = EVPL_TEST_PORTS(&ring_port),
        .port_conf = &conf,
    };

    if (argc > 2)
        setenv("EVPL_MODEL_SEED", argv[2], 1);
    if (argc > 3)
        setenv("EVPL_MODEL_OPS", argv[3], 1);
    return evpl_test_main(argc, argv, &prog);
}
