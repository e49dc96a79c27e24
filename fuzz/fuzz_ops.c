/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * libFuzzer harness: the input bytes are a program of iovec operations on
 * a fresh context: alloc and reserve with lengths, alignments, flags and
 * array sizes taken from the input (invalid ones included), commit,
 * clone, clone_segment, move, move_segment, set_length, release, and
 * packets round-tripped through the net_ring loopback. The harness keeps
 * every iovec's bytes and checks them before it lets go; at the end of
 * every input the context is destroyed and the pool must be whole.
 *
 * Anything the library should never do (return a wrong error, hand out
 * memory still in use, lose or double-free an mbuf) ends in abort(), which
 * libFuzzer reports as a crash. Ranges are kept inside the iovecs and
 * clones below 65535: those aborts are the documented API.
 *
 * Built with clang -fsanitize=fuzzer,address (meson -Dfuzzing=true), and
 * with -DEVPL_FUZZ_MAIN as a plain program that replays files: the
 * regression corpus in fuzz/regressions/ runs in the normal test suite.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <evpl/evpl.h>

#include "slab_sets.h"

#define SLOTS   24
#define MAX_LEN 20000

struct fz_slot {
    struct evpl_iovec iov;
    unsigned char    *want; /* the bytes it must have; NULL: not checked */
    int               live;
};

struct fz {
    const uint8_t     *p, *end;
    struct evpl       *evpl;
    struct evpl       *small; /* a context on fz_small, to run it dry */
    struct fz_slot     s[SLOTS];
    uint8_t            fill;
};

#define SMALL_N 31

static uint16_t            fz_port, fz_null;
static struct rte_mempool *fz_pool, *fz_small;

#define fz_check(cond, what) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz_ops: %s (%s:%d)\n", what, __FILE__, \
                    __LINE__); \
            abort(); \
        } \
    } while (0)

/* ---- reading the program ------------------------------------------- */

static unsigned int
fz_u8(struct fz *f)
{
    return f->p < f->end ? *f->p++ : 0;
}

static unsigned int
fz_u16(struct fz *f)
{
    return fz_u8(f) | fz_u8(f) << 8;
}

static unsigned int
fz_u32(struct fz *f)
{
    return fz_u16(f) | (unsigned int) fz_u16(f) << 16;
}

/* A slot index: live ones when want_live, free ones otherwise; -1 when
 * there is none. */
static int
fz_slot(struct fz *f, int want_live)
{
    unsigned int start = fz_u8(f), k;

    for (k = 0; k < SLOTS; k++) {
        int i = (int) ((start + k) % SLOTS);

        if (f->s[i].live == want_live)
            return i;
    }
    return -1;
}

static unsigned int
fz_free_slots(const struct fz *f)
{
    unsigned int n = 0;
    int          i;

    for (i = 0; i < SLOTS; i++)
        n += !f->s[i].live;
    return n;
}

/* ---- slots --------------------------------------------------------- */

static void
fz_keep(struct fz *f, int i, const struct evpl_iovec *v, int checked)
{
    f->s[i].iov  = *v;
    f->s[i].live = 1;
    f->s[i].want = NULL;
    if (checked) {
        f->s[i].want = malloc(v->length + 1);
        fz_check(f->s[i].want != NULL, "out of memory");
        memcpy(f->s[i].want, v->data, v->length);
    }
}

static void
fz_verify(const struct fz_slot *s)
{
    if (s->want != NULL)
        fz_check(memcmp(s->iov.data, s->want, s->iov.length) == 0,
                 "bytes of a live iovec changed");
}

static void
fz_forget(struct fz *f, int i)
{
    free(f->s[i].want);
    f->s[i].want = NULL;
    f->s[i].live = 0;
}

static void
fz_drop(struct fz *f, int i)
{
    fz_verify(&f->s[i]);
    evpl_iovec_release(f->evpl, &f->s[i].iov);
    fz_forget(f, i);
}

static void
fz_scribble(struct fz *f, struct evpl_iovec *v)
{
    unsigned char *b = v->data;
    unsigned int   k;

    for (k = 0; k < v->length; k++)
        b[k] = (unsigned char) (f->fill + k * 13);
    f->fill += 97;
}

/* Up to max distinct live slots whose bytes are known (what a packet may
 * be made of), into idx and pkt; returns how many. */
static int
fz_pick_packet(struct fz *f, int *idx, struct evpl_iovec *pkt, int max)
{
    int n = 0, k, i, r;

    for (k = 0; k < SLOTS && n < max; k++) {
        i = fz_slot(f, 1);
        if (i < 0 || f->s[i].want == NULL)
            continue;
        for (r = 0; r < n && idx[r] != i; r++)
            ;
        if (r < n)
            continue;
        idx[n]   = i;
        pkt[n++] = f->s[i].iov;
    }
    return n;
}

/* ---- operations ---------------------------------------------------- */

/* References on an iovec's buffer (an mbuf's or a slab's count). */
static unsigned int
fz_refs(const struct evpl_iovec *v)
{
    if (evpl_dpdk_iovec_is_slab(v))
        return evpl_iovec_slab_(v)->shinfo.refcnt;
    return rte_mbuf_refcnt_read(evpl_iovec_mbuf(v));
}

/* Slabs run out when carved pieces pin them and slab memory can grow no
 * more: ENOMEM is then an answer. */
static int
fz_slabs_empty(void)
{
    struct evpl_test_slab_count c =
        evpl_test_slab_count(EVPL_DPDK_DEFAULT_SLAB_SIZE,
                             EVPL_DPDK_DEFAULT_NB_SLABS);

    return c.pools > 0 && c.free == 0;
}

/* Alloc with arguments as the input gives them, valid or not. */
static void
op_alloc(struct fz *f)
{
    struct evpl_iovec v[SLOTS];
    unsigned int      len = fz_u16(f) % (MAX_LEN + 1);
    unsigned int      a = fz_u8(f), flags = fz_u8(f) & 0x3;
    unsigned int      max = fz_u8(f) % (SLOTS + 1), align;
    int               n, k;

    /* Mostly a power of two, sometimes anything. */
    align = a < 200 ? (a % 14 ? 1u << (a % 14) : 0) : fz_u32(f);
    max   = RTE_MIN(max, fz_free_slots(f));
    errno = 0;
    n     = evpl_iovec_alloc(f->evpl, len, align, max, flags, v);
    if (max == 0 || flags > 1 || (align & (align - 1)) != 0 ||
        align > EVPL_DPDK_DEFAULT_SLAB_SIZE) {
        fz_check(n == -1 && errno == EINVAL, "bad alloc not refused");
        return;
    }
    if (len == 0) {
        fz_check(n == 0, "length 0 not answered with 0 iovecs");
        return;
    }
    if (n < 0) {
        fz_check(errno == ENOSPC || (errno == ENOMEM && fz_slabs_empty()),
                 "alloc failed other than ENOSPC");
        return;
    }
    fz_check(n >= 1 && (unsigned int) n <= max, "alloc count");
    for (k = 0; k < n; k++) {
        fz_check(align == 0 || (uintptr_t) v[k].data % align == 0,
                 "misaligned allocation");
        fz_check(evpl_dpdk_iovec_is_slab(&v[k]) || fz_refs(&v[k]) == 1,
                 "allocation not exclusive");
        len -= v[k].length;
        fz_scribble(f, &v[k]);
        fz_keep(f, fz_slot(f, 0), &v[k], 1);
    }
    fz_check(len == 0, "allocation lengths do not add up");
}

static void
op_reserve(struct fz *f)
{
    struct evpl_iovec v[SLOTS];
    unsigned int      len = fz_u16(f) % (MAX_LEN + 1), a = fz_u8(f);
    unsigned int      max = RTE_MIN(1 + fz_u8(f) % 4, fz_free_slots(f));
    unsigned int      what = fz_u8(f), keep_len, align;
    int               n, k;

    align = a % 14 ? 1u << (a % 14) : 0;
    if (max == 0)
        return;
    errno = 0;
    n     = evpl_iovec_reserve(f->evpl, len, align, max, v);
    if (len == 0) {
        fz_check(n == 0, "reserve of length 0 not answered with 0 iovecs");
        return;
    }
    if (n < 0) {
        fz_check(errno == ENOSPC || (errno == ENOMEM && fz_slabs_empty()),
                 "reserve failed other than ENOSPC");
        return;
    }
    switch (what % 3) {
    case 0: /* fill what is used, commit exactly that */
        keep_len = fz_u16(f) % (v[n - 1].length + 1);
        evpl_iovec_set_length(&v[n - 1], keep_len);
        for (k = 0; k < n; k++)
            fz_scribble(f, &v[k]);
        evpl_iovec_commit(f->evpl, align, v, n);
        for (k = 0; k < n; k++)
            fz_keep(f, fz_slot(f, 0), &v[k], 1);
        break;
    case 1: /* changed its mind */
        evpl_iovecs_release(f->evpl, v, n);
        break;
    default: /* held uncommitted: the next reservation may reuse it */
        for (k = 0; k < n; k++)
            fz_keep(f, fz_slot(f, 0), &v[k], 0);
    }
}

static void
op_clone(struct fz *f)
{
    int          i = fz_slot(f, 1), j = fz_slot(f, 0);
    unsigned int off, len, whole = fz_u8(f) & 1;
    struct fz_slot *src, *dst;

    if (i < 0 || j < 0)
        return;
    src = &f->s[i];
    dst = &f->s[j];
    /* Clones stay well below the 65535 the API aborts at. */
    if (fz_refs(&src->iov) > 1000)
        return;
    off = whole ? 0 : fz_u16(f) % (src->iov.length + 1);
    len = whole ? src->iov.length :
          fz_u16(f) % (src->iov.length - off + 1);
    if (whole)
        evpl_iovec_clone(&dst->iov, &src->iov);
    else
        evpl_iovec_clone_segment(&dst->iov, &src->iov, off, len);
    dst->live = 1;
    dst->want = NULL;
    if (src->want != NULL) {
        dst->want = malloc(len + 1);
        fz_check(dst->want != NULL, "out of memory");
        memcpy(dst->want, src->want + off, len);
    }
    fz_verify(dst);
}

static void
op_move(struct fz *f)
{
    int          i = fz_slot(f, 1), j = fz_u8(f) & 1 ? i : fz_slot(f, 0);
    unsigned int off, len;

    if (i < 0 || j < 0)
        return;
    off = fz_u16(f) % (f->s[i].iov.length + 1);
    len = fz_u16(f) % (f->s[i].iov.length - off + 1);
    evpl_iovec_move_segment(&f->s[j].iov, &f->s[i].iov, off, len);
    if (j != i) {
        f->s[j].want = f->s[i].want;
        f->s[j].live = 1;
        f->s[i].want = NULL;
        f->s[i].live = 0;
    }
    if (f->s[j].want != NULL)
        memmove(f->s[j].want, f->s[j].want + off, len);
    fz_verify(&f->s[j]);
}

static void
op_release(struct fz *f)
{
    int i = fz_slot(f, 1);

    if (i >= 0)
        fz_drop(f, i);
}

/* Send some live iovecs as one packet and take it back. */
static void
op_loopback(struct fz *f)
{
    static unsigned char sent[8 * (MAX_LEN + 128)], got[sizeof(sent)];
    struct evpl_iovec    pkt[8], rx[64];
    struct evpl_dpdk_pkt tp, rp;
    struct rte_mbuf     *m;
    unsigned int         take = fz_u8(f) & 1 ? EVPL_DPDK_TAKE_REF : 0;
    unsigned int         burst = fz_u8(f) & 1, want = 1 + fz_u8(f) % 8;
    int                  idx[8], n, k, i, r, tries;
    size_t               len = 0, rlen = 0;

    n = fz_pick_packet(f, idx, pkt, (int) want);
    for (k = 0; k < n; k++) {
        memcpy(sent + len, pkt[k].data, pkt[k].length);
        len += pkt[k].length;
    }
    if (len == 0)
        return;
    if (burst) {
        tp.iov  = pkt;
        tp.niov = n;
        fz_check(evpl_dpdk_tx_burst(f->evpl, fz_port, 0, &tp, 1, take) == 1,
                 "loopback refused a packet");
    } else {
        m = evpl_dpdk_iovecs_to_mbuf(f->evpl, pkt, n, take);
        fz_check(m != NULL && m->pkt_len == len, "conversion failed");
        fz_check(rte_eth_tx_burst(fz_port, 0, &m, 1) == 1, "not sent");
    }
    if (take)
        for (k = 0; k < n; k++)
            fz_forget(f, idx[k]);

    for (tries = 0;; tries++) {
        fz_check(tries < 1000, "sent packet never arrived");
        if (burst) {
            r = evpl_dpdk_rx_burst(f->evpl, fz_port, 0, &rp, 1, rx,
                                   RTE_DIM(rx));
        } else if ((r = rte_eth_rx_burst(fz_port, 0, &m, 1)) == 1) {
            rp.iov  = rx;
            rp.niov = evpl_dpdk_mbuf_to_iovecs(f->evpl, m, rx, RTE_DIM(rx));
        }
        if (r == 1)
            break;
    }
    for (k = 0; k < rp.niov; k++) {
        memcpy(got + rlen, rp.iov[k].data, rp.iov[k].length);
        rlen += rp.iov[k].length;
    }
    fz_check(rlen == len && memcmp(got, sent, len) == 0,
             "packet changed in the loopback");
    for (k = 0; k < rp.niov; k++) {
        i = fz_slot(f, 0);
        if (i >= 0)
            fz_keep(f, i, &rp.iov[k], 1);
        else
            evpl_iovec_release(f->evpl, &rp.iov[k]);
    }
}

/* Conversions with the flags and counts the input says. */
static void
op_convert_args(struct fz *f)
{
    unsigned int     flags = fz_u32(f);
    int              i = fz_slot(f, 1);
    struct rte_mbuf *m;

    if (i < 0 || (flags & ~EVPL_DPDK_TAKE_REF) == 0)
        return;
    errno = 0;
    m     = evpl_dpdk_iovecs_to_mbuf(f->evpl, &f->s[i].iov, 1, flags);
    fz_check(m == NULL && errno == EINVAL, "unknown flags accepted");
}

/* Live iovecs sent to net_null, which takes no chains (so packets of
 * several are copied whole) and frees what it is sent. */
static void
op_null_tx(struct fz *f)
{
    struct evpl_iovec    pkt[4];
    struct evpl_dpdk_pkt tp;
    unsigned int         take = fz_u8(f) & 1 ? EVPL_DPDK_TAKE_REF : 0;
    int                  idx[4], n, k, r;
    size_t               len = 0;

    n = fz_pick_packet(f, idx, pkt, 1 + (int) (fz_u8(f) % 4));
    for (k = 0; k < n; k++)
        len += pkt[k].length;
    if (len == 0)
        return;
    tp.iov  = pkt;
    tp.niov = n;
    /* What one mbuf holds behind its headroom always goes; a larger
     * packet only if it needs no copying (one iovec). With TAKE_REF the
     * references are given up either way. */
    r = evpl_dpdk_tx_burst(f->evpl, fz_null, 0, &tp, 1, take);
    fz_check(r == 1 || (r == 0 && len > EVPL_DPDK_DEFAULT_SEGMENT_SIZE),
             "net_null refused a packet one mbuf holds");
    for (k = 0; k < n; k++) {
        if (take)
            fz_forget(f, idx[k]);
        else
            fz_verify(&f->s[idx[k]]);
    }
}

/* Packets of several segments received into too little room: refused
 * with ENOSPC and kept, then delivered whole and in order. */
static void
op_rx_room(struct fz *f)
{
    struct evpl_iovec    base, pkt[3], rx[16];
    struct evpl_dpdk_pkt tp[2], rp[2];
    unsigned int         room = fz_u8(f) % 8, len = 300 + fz_u16(f) % 6000;
    unsigned char        first[2];
    int                  p, k, r, got = 0, tries;

    if (evpl_iovec_alloc(f->evpl, len, 0, 1, 0, &base) != 1)
        return;
    fz_scribble(f, &base);
    for (p = 0; p < 2; p++) {
        /* Three pieces of one mbuf: not exclusive, so a chain. */
        for (k = 0; k < 3; k++)
            evpl_iovec_clone_segment(&pkt[k], &base,
                                     (unsigned int) k * (len / 3), len / 3);
        first[p]  = *(unsigned char *) pkt[0].data;
        tp[p].iov = pkt;
        tp[p].niov = 3;
        fz_check(evpl_dpdk_tx_burst(f->evpl, fz_port, 0, &tp[p], 1,
                                    EVPL_DPDK_TAKE_REF) == 1, "not sent");
    }
    evpl_iovec_release(f->evpl, &base);
    for (tries = 0; got < 2; tries++) {
        fz_check(tries < 1000, "kept packets never delivered");
        errno = 0;
        r     = evpl_dpdk_rx_burst(f->evpl, fz_port, 0, rp, 2, rx, room);
        if (r < 0) {
            fz_check(errno == ENOSPC, "rx_burst failed other than ENOSPC");
            room = 16;
            continue;
        }
        for (p = 0; p < r; p++, got++) {
            fz_check(rp[p].niov >= 1 &&
                     *(unsigned char *) rp[p].iov[0].data == first[got],
                     "received out of order");
            evpl_iovecs_release(f->evpl, rp[p].iov, rp[p].niov);
        }
    }
}

/* Run the small pool dry but for a few mbufs, then convert a packet that
 * needs more of them than are left: it fails with ENOMEM, leaving the
 * iovecs exactly as they were, or it fits; either way nothing leaks. */
static void
op_small(struct fz *f)
{
    struct evpl_iovec hog[SMALL_N], base, pkt[4], before[4];
    unsigned int      leave = fz_u8(f) % 5, take = fz_u8(f) & 1;
    unsigned int      pieces = 1 + fz_u8(f) % 4, piece;
    uint16_t          base_refs;
    struct rte_mbuf  *m;
    int               n = 0, k;

    if (evpl_iovec_alloc(f->small, 1800, 0, 1, 0, &base) != 1)
        return;
    fz_scribble(f, &base);
    piece = 1 + fz_u16(f) % (1800 / pieces);
    for (k = 0; k < (int) pieces; k++)
        evpl_iovec_clone_segment(&pkt[k], &base, (unsigned int) k * piece,
                                 piece);
    while (n < SMALL_N &&
           evpl_iovec_alloc(f->small, 100, 0, 1, 0, &hog[n]) == 1)
        n++;
    fz_check(n < SMALL_N && errno == ENOMEM && rte_errno == ENOMEM,
             "a dry pool did not say ENOMEM");
    for (k = 0; k < (int) leave && n > 0; k++)
        evpl_iovec_release(f->small, &hog[--n]);

    memcpy(before, pkt, sizeof(pkt));
    base_refs = rte_mbuf_refcnt_read(evpl_iovec_mbuf(&base));
    errno     = 0;
    m = evpl_dpdk_iovecs_to_mbuf(f->small, pkt, (int) pieces,
                                 take ? EVPL_DPDK_TAKE_REF : 0);
    if (m == NULL) {
        fz_check(errno == ENOMEM, "conversion failed other than ENOMEM");
        fz_check(memcmp(pkt, before, sizeof(pkt)) == 0 &&
                 rte_mbuf_refcnt_read(evpl_iovec_mbuf(&base)) == base_refs,
                 "failed conversion changed the iovecs");
    } else {
        fz_check(m->pkt_len == pieces * piece, "chain length");
        rte_pktmbuf_free(m);
    }
    if (m == NULL || !take)
        evpl_iovecs_release(f->small, pkt, (int) pieces);
    evpl_iovec_release(f->small, &base);
    evpl_iovecs_release(f->small, hog, n);
    fz_check(rte_mempool_avail_count(fz_small) == SMALL_N,
             "small pool not whole");
}

typedef void (*fz_op)(struct fz *f);

static const fz_op fz_ops[] = {
    op_alloc, op_alloc, op_reserve, op_clone, op_clone, op_move,
    op_release, op_release, op_loopback, op_convert_args, op_null_tx,
    op_rx_room, op_small,
};

/* ---- libFuzzer entry points ------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fz_runtime_dir[4096];

/* rte_eal_cleanup() and the telemetry library's exit handler empty the
 * runtime directory but leave it behind. Registered before rte_eal_init(),
 * this runs after them. */
static void
fz_remove_runtime_dir(void)
{
    if (fz_runtime_dir[0] != '\0')
        (void) rmdir(fz_runtime_dir);
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* A runtime directory of its own: the replay runs beside other tests. */
    static char  prefix[64];
    /* rte_eal_init() reorders the array (getopt): it must be writable. */
    static char *eal[] = {
        "fuzz_ops", "-l", "0", "--no-pci", "--no-huge", "-m", "512",
        "--no-shconf", "--vdev", "net_ring0", "--vdev", "net_null0",
        "--log-level=lib.eal:error",
        "--log-level=evpl:error", "--log-level=pmd.net.ring:error", prefix,
    };
    struct evpl_dpdk_port_conf conf;
    struct evpl               *e;

    (void) argc;
    (void) argv;
    snprintf(prefix, sizeof(prefix), "--file-prefix=evpl-fuzz-%ld",
             (long) getpid());
    atexit(fz_remove_runtime_dir);
    if (rte_eal_init((int) RTE_DIM(eal), eal) < 0 ||
        rte_eth_dev_get_port_by_name("net_ring0", &fz_port) != 0 ||
        rte_eth_dev_get_port_by_name("net_null0", &fz_null) != 0) {
        fprintf(stderr, "fuzz_ops: EAL set-up failed\n");
        exit(1);
    }
    snprintf(fz_runtime_dir, sizeof(fz_runtime_dir), "%s",
             rte_eal_get_runtime_dir());
    memset(&conf, 0, sizeof(conf));
    conf.nb_rxd = 256;
    conf.nb_txd = 256;
    /* No cache on the small pool: its free count is exact. */
    fz_small = rte_pktmbuf_pool_create("fuzz_small", SMALL_N, 0, 0,
                                       2048 + RTE_PKTMBUF_HEADROOM,
                                       SOCKET_ID_ANY);
    if (fz_small == NULL || evpl_dpdk_port_setup(fz_port, &conf) != 0 ||
        evpl_dpdk_port_setup(fz_null, &conf) != 0 ||
        (e = evpl_create(NULL)) == NULL) {
        fprintf(stderr, "fuzz_ops: port or context set-up failed\n");
        exit(1);
    }
    fz_pool = evpl_mempool(e);
    evpl_destroy(e);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz                    f;
    struct evpl_dpdk_outstanding o;
    struct evpl_config           cfg;
    int                          i;

    memset(&f, 0, sizeof(f));
    f.p    = data;
    f.end  = data + size;
    f.evpl = evpl_create(NULL);
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool = fz_small;
    /* Small copies, so that attaching and copying both happen. */
    cfg.tx_copy_max = 1 + (size ? data[size - 1] : 0) * 4;
    f.small         = evpl_create(&cfg);
    fz_check(f.evpl != NULL && f.small != NULL, "no context");

    while (f.p < f.end) {
        fz_ops[fz_u8(&f) % RTE_DIM(fz_ops)](&f);
        for (i = 0; i < SLOTS; i++)
            if (f.s[i].live)
                fz_verify(&f.s[i]);
    }
    for (i = 0; i < SLOTS; i++)
        if (f.s[i].live)
            fz_drop(&f, i);

    /* Everything released: nothing of this context is outstanding, and
     * once it is gone the pool is whole. */
    fz_check(evpl_dpdk_outstanding(f.evpl, &o) >= 0 && o.mbufs == 0 &&
             o.refs == 0, "references outstanding after every release");
    evpl_destroy(f.evpl);
    evpl_destroy(f.small);
    fz_check(rte_mempool_in_use_count(fz_pool) == 0, "mbufs lost");
    fz_check(rte_mempool_avail_count(fz_small) == SMALL_N,
             "small pool's mbufs lost");
    return 0;
}

#ifdef EVPL_FUZZ_MAIN
/* Replay: each argument is an input file, or a directory of them. */
#include <dirent.h>

static int
replay_file(const char *path)
{
    static uint8_t buf[1 << 20];
    FILE          *fp = fopen(path, "rb");
    size_t         n;

    if (fp == NULL) {
        perror(path);
        return -1;
    }
    n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, n);
    return 0;
}

int
main(int argc, char **argv)
{
    char           path[4096];
    struct dirent *de;
    DIR           *d;
    int            i, files = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++) {
        d = opendir(argv[i]);
        if (d == NULL) {
            if (replay_file(argv[i]) < 0)
                return 1;
            files++;
            continue;
        }
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (replay_file(path) < 0)
                return 1;
            files++;
        }
        closedir(d);
    }
    printf("replayed %d inputs\n", files);
    rte_eal_cleanup();
    return files > 0 ? 0 : 1;
}
#endif
