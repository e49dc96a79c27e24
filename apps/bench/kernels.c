/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench's timed loops: each evpl-dpdk operation and the raw DPDK
 * equivalent it is measured against, on the same pool and lcore, and the
 * table (bench_ops) that pairs them. Every function runs e->iters
 * operations and returns the TSC cycles they took.
 *
 * The TX sweep times evpl_dpdk_iovecs_to_mbuf() + rte_pktmbuf_free() of
 * shared iovecs by size with tx_copy_max large (copy) and 1 (attach), the
 * measurement behind EVPL_DPDK_TX_COPY_MAX.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "bench.h"

/* A fresh mbuf holding len bytes (0: none) and refcnt references. */
static struct rte_mbuf *
bench_mbuf(struct env *e, unsigned int len, uint16_t refcnt)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(e->pool);

    if (m == NULL || (len > 0 && rte_pktmbuf_append(m, (uint16_t) len) ==
                      NULL))
        die("rte_pktmbuf_alloc");
    rte_mbuf_refcnt_set(m, refcnt);
    return m;
}

/* Give back an mbuf of bench_mbuf(), whatever references it was given. */
static void
bench_mbuf_free(struct rte_mbuf *m)
{
    rte_mbuf_refcnt_set(m, 1);
    rte_pktmbuf_free(m);
}

/* An iovec of len bytes, one exclusive mbuf. */
static void
bench_iovec(struct env *e, unsigned int len, unsigned int flags,
            struct evpl_iovec *v)
{
    if (evpl_iovec_alloc(e->evpl, len, 0, 1, flags, v) != 1)
        die("evpl_iovec_alloc");
}

/* ---- allocation ------------------------------------------------------ */

static uint64_t
evpl_alloc_release(struct env *e)
{
    struct evpl_iovec iov[BENCH_MAX_IOV];
    struct evpl      *evpl = e->evpl;
    unsigned int      size = e->size, align = e->align;
    int               n;

    TIMED_LOOP(e,
        n = evpl_iovec_alloc(evpl, size, align, BENCH_MAX_IOV, 0, iov);
        if (unlikely(n < 0))
            die("evpl_iovec_alloc");
        evpl_iovecs_release(evpl, iov, n));
}

static uint64_t
dpdk_alloc_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL))
            die("rte_pktmbuf_alloc");
        rte_pktmbuf_free(m));
}

static uint64_t
dpdk_alloc_free_bulk(struct env *e)
{
    struct rte_mbuf    *m[BENCH_MAX_IOV];
    struct rte_mempool *mp = e->pool;
    unsigned int        nsegs = e->nsegs;

    TIMED_LOOP(e,
        if (unlikely(rte_pktmbuf_alloc_bulk(mp, m, nsegs) != 0))
            die("rte_pktmbuf_alloc_bulk");
        rte_pktmbuf_free_bulk(m, nsegs));
}

static uint64_t
evpl_reserve_commit(struct env *e)
{
    struct evpl_iovec iov[BENCH_MAX_IOV];
    struct evpl      *evpl = e->evpl;
    unsigned int      size = e->size;
    int               n;

    TIMED_LOOP(e,
        n = evpl_iovec_reserve(evpl, size, 0, BENCH_MAX_IOV, iov);
        if (unlikely(n < 0))
            die("evpl_iovec_reserve");
        evpl_iovec_commit(evpl, 0, iov, n);
        evpl_iovecs_release(evpl, iov, n));
}

/* ---- reference counts ------------------------------------------------ */

static uint64_t
evpl_clone_release(struct env *e)
{
    struct evpl_iovec orig, c;
    struct evpl      *evpl = e->evpl;
    unsigned int      i;
    uint64_t          cycles;

    bench_iovec(e, 64, e->flags, &orig);
    TIME_LOOP(e, i, cycles,
        evpl_iovec_clone(&c, &orig);
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &c);
        BENCH_BARRIER());
    evpl_iovec_release(evpl, &orig);
    return cycles;
}

static uint64_t
evpl_clone_segment_release(struct env *e)
{
    struct evpl_iovec orig, c;
    struct evpl      *evpl = e->evpl;
    unsigned int      i;
    uint64_t          cycles;

    bench_iovec(e, 1500, 0, &orig);
    TIME_LOOP(e, i, cycles,
        evpl_iovec_clone_segment(&c, &orig, 42, 1000);
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &c);
        BENCH_BARRIER());
    evpl_iovec_release(evpl, &orig);
    return cycles;
}

/* On an mbuf with two references, so that rte_mbuf_refcnt_update() takes
 * its atomic path (at refcnt 1 it is a plain store). */
static uint64_t
dpdk_refcnt_pair(struct env *e)
{
    struct rte_mbuf *m = bench_mbuf(e, 0, 2);
    unsigned int     i;
    uint64_t         cycles;

    TIME_LOOP(e, i, cycles,
        rte_mbuf_refcnt_update(m, 1);
        BENCH_BARRIER();
        rte_mbuf_refcnt_update(m, -1);
        BENCH_BARRIER());
    bench_mbuf_free(m);
    return cycles;
}

/* DPDK's reference to a sub-range of a packet: an indirect clone, trimmed. */
static uint64_t
dpdk_clone_range_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m = bench_mbuf(e, 1500, 1), *c;
    unsigned int        i;
    uint64_t            cycles;

    TIME_LOOP(e, i, cycles,
        c = rte_pktmbuf_clone(m, mp);
        if (unlikely(c == NULL))
            die("rte_pktmbuf_clone");
        rte_pktmbuf_adj(c, 42);
        rte_pktmbuf_trim(c, 1500 - 42 - 1000);
        BENCH_BARRIER();
        rte_pktmbuf_free(c));
    rte_pktmbuf_free(m);
    return cycles;
}

/* Moves between two arrays of iovecs, one per iteration, a whole array
 * one way and then back: independent copies, as when iovecs are queued. */
#define MOVE_SLOTS 64u

static uint64_t
evpl_move(struct env *e)
{
    static struct evpl_iovec a[MOVE_SLOTS], b[MOVE_SLOTS];
    struct evpl_iovec       *src, *dst;
    struct evpl             *evpl = e->evpl;
    unsigned int             i, k, n = e->iters;
    uint64_t                 cycles;

    bench_iovec(e, 64, 0, &a[0]);
    for (k = 1; k < MOVE_SLOTS; k++)
        evpl_iovec_clone(&a[k], &a[0]);
    TIME_LOOP(e, i, cycles,
        k   = i % MOVE_SLOTS;
        src = (i / MOVE_SLOTS) & 1 ? b : a;
        dst = (i / MOVE_SLOTS) & 1 ? a : b;
        evpl_iovec_move(&dst[k], &src[k]);
        BENCH_BARRIER());
    /* Where each reference ended up depends on where the loop stopped. */
    for (k = 0; k < MOVE_SLOTS; k++)
        evpl_iovec_release(evpl, k < n % MOVE_SLOTS ?
                           ((n / MOVE_SLOTS) & 1 ? &a[k] : &b[k]) :
                           ((n / MOVE_SLOTS) & 1 ? &b[k] : &a[k]));
    return cycles;
}

/* The DPDK way to hand a buffer on without a count: pass its pointer. */
static uint64_t
dpdk_pointer_handoff(struct env *e)
{
    static struct rte_mbuf *a[MOVE_SLOTS], *b[MOVE_SLOTS];
    struct rte_mbuf       **src, **dst;
    unsigned int            i, k;
    uint64_t                cycles;

    a[0] = bench_mbuf(e, 0, 1);
    for (k = 1; k < MOVE_SLOTS; k++)
        a[k] = a[0];
    TIME_LOOP(e, i, cycles,
        k      = i % MOVE_SLOTS;
        src    = (i / MOVE_SLOTS) & 1 ? b : a;
        dst    = (i / MOVE_SLOTS) & 1 ? a : b;
        dst[k] = src[k];
        BENCH_BARRIER());
    rte_pktmbuf_free(a[0]);
    return cycles;
}

/* ---- transmit and receive -------------------------------------------- */

/* The whole life of a transmit buffer: allocate, fill in the length, hand
 * to the driver (which frees it after sending). */
static uint64_t
evpl_alloc_to_mbuf_take(struct env *e)
{
    struct evpl_iovec v;
    struct evpl      *evpl = e->evpl;
    struct rte_mbuf  *m;
    unsigned int      size = e->size;

    TIMED_LOOP(e,
        if (unlikely(evpl_iovec_alloc(evpl, size, 0, 1, 0, &v) != 1))
            die("evpl_iovec_alloc");
        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, EVPL_DPDK_TAKE_REF);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        rte_pktmbuf_free(m));
}

static uint64_t
dpdk_alloc_append_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m;
    uint16_t            size = (uint16_t) e->size;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL || rte_pktmbuf_append(m, size) == NULL))
            die("rte_pktmbuf_alloc");
        rte_pktmbuf_free(m));
}

/* Transmit a buffer and keep it (a retransmission queue): the chain takes
 * a reference of its own, the driver's free drops it. */
static uint64_t
evpl_to_mbuf_keep(struct env *e)
{
    struct evpl_iovec v, hold = { .data = NULL };
    struct evpl      *evpl = e->evpl;
    struct rte_mbuf  *m;
    unsigned int      i;
    uint64_t          cycles;

    bench_iovec(e, e->size, 0, &v);
    if (e->shared)
        evpl_iovec_clone(&hold, &v);
    TIME_LOOP(e, i, cycles,
        m = evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
    if (e->shared)
        evpl_iovec_release(evpl, &hold);
    evpl_iovec_release(evpl, &v);
    return cycles;
}

static uint64_t
dpdk_refcnt_free(struct env *e)
{
    struct rte_mbuf *m = bench_mbuf(e, e->size, 1);
    unsigned int     i;
    uint64_t         cycles;

    TIME_LOOP(e, i, cycles,
        rte_mbuf_refcnt_update(m, 1);
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
    rte_pktmbuf_free(m);
    return cycles;
}

/* DPDK's way to transmit a buffer that others still hold: an indirect mbuf
 * attached to it. */
static uint64_t
dpdk_attach_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *md = bench_mbuf(e, e->size, 2), *mi;
    unsigned int        i;
    uint64_t            cycles;

    TIME_LOOP(e, i, cycles,
        mi = rte_pktmbuf_alloc(mp);
        if (unlikely(mi == NULL))
            die("rte_pktmbuf_alloc");
        rte_pktmbuf_attach(mi, md);
        BENCH_BARRIER();
        rte_pktmbuf_free(mi));
    bench_mbuf_free(md);
    return cycles;
}

/* A received packet (the alloc stands in for the driver's) wrapped as an
 * iovec and released. */
static uint64_t
evpl_rx_wrap_release(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct evpl_iovec   v;
    struct evpl        *evpl = e->evpl;
    struct rte_mbuf    *m;
    uint16_t            size = (uint16_t) e->size;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL))
            die("rte_pktmbuf_alloc");
        m->data_len = size;
        m->pkt_len  = size;
        if (unlikely(evpl_dpdk_mbuf_to_iovecs(evpl, m, &v, 1) != 1))
            die("evpl_dpdk_mbuf_to_iovecs");
        BENCH_BARRIER();
        evpl_iovec_release(evpl, &v));
}

static uint64_t
dpdk_rx_free(struct env *e)
{
    struct rte_mempool *mp = e->pool;
    struct rte_mbuf    *m;
    uint16_t            size = (uint16_t) e->size;

    TIMED_LOOP(e,
        m = rte_pktmbuf_alloc(mp);
        if (unlikely(m == NULL))
            die("rte_pktmbuf_alloc");
        m->data_len = size;
        m->pkt_len  = size;
        BENCH_BARRIER();
        rte_pktmbuf_free(m));
}

/* ---- TX sweep: copy or attach a shared iovec ----------------------------
 *
 * Shared headers of e->size bytes (each with a second reference, so the
 * conversion cannot reuse its mbuf), converted with e->tx. With e->nsegs 2
 * each packet is [header][1024-byte exclusive payload]; with 1 the header
 * alone. With e->cold, each packet takes the next of SWEEP_COLD headers and
 * payloads, a working set far larger than L1, as on a server whose headers
 * are not the ones it touched last. */

#define SWEEP_PAYLOAD 1024u
#define SWEEP_COLD    1024u

static struct evpl_iovec sweep_hdr[SWEEP_COLD], sweep_hold[SWEEP_COLD];
static struct evpl_iovec sweep_pay[SWEEP_COLD];

uint64_t
evpl_tx_sweep(struct env *e)
{
    struct evpl_iovec pkt[2];
    struct evpl      *evpl = e->tx;
    struct rte_mbuf  *m;
    unsigned int      k = 0, nb = e->cold ? SWEEP_COLD : 1, i;
    int               niov = (int) e->nsegs;
    uint64_t          cycles;

    for (k = 0; k < nb; k++) {
        bench_iovec(e, e->size, 0, &sweep_hdr[k]);
        bench_iovec(e, SWEEP_PAYLOAD, 0, &sweep_pay[k]);
        memset(sweep_hdr[k].data, 0x45, e->size);
        evpl_iovec_clone(&sweep_hold[k], &sweep_hdr[k]);
    }
    k = 0;
    TIME_LOOP(e, i, cycles,
        pkt[0] = sweep_hdr[k];
        pkt[1] = sweep_pay[k];
        m = evpl_dpdk_iovecs_to_mbuf(evpl, pkt, niov, 0);
        if (unlikely(m == NULL))
            die("evpl_dpdk_iovecs_to_mbuf");
        BENCH_BARRIER();
        rte_pktmbuf_free(m);
        if (++k == nb)
            k = 0);
    for (k = 0; k < nb; k++) {
        evpl_iovec_release(e->evpl, &sweep_hold[k]);
        evpl_iovec_release(e->evpl, &sweep_hdr[k]);
        evpl_iovec_release(e->evpl, &sweep_pay[k]);
    }
    return cycles;
}

/* ---- the plan ----------------------------------------------------------- */

#define ALLOC_FREE "rte_pktmbuf_alloc+rte_pktmbuf_free"
#define REFCNT_PAIR "rte_mbuf_refcnt_update +1/-1 (atomic)"
#define BULK_NOTE "DPDK side: a bulk of as many mbufs as evpl's iovecs"

#define SLAB_MP_NOTE "DPDK side from a per-lcore cache: its fastest path"
#define SLAB_4K_NOTE \
    "a context with 2 KiB segments: 4 KiB fits a default one (an mbuf)"

#define FNS(e, d) .evpl_fn = e, .dpdk_fn = d, .evpl_sym = #e, .dpdk_sym = #d

const struct op bench_ops[] = {
    { .name = "alloc+release 64 B", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 64, .series = "alloc", .bar = 1.0 },
    { .name = "alloc+release 512 B", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 512, .series = "alloc" },
    { .name = "alloc+release 1500 B", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 1500, .series = "alloc", .bar = 1.1 },
    { .name = "alloc+release 9000 B", .dpdk_name = "rte_pktmbuf_alloc_bulk+free_bulk",
      FNS(evpl_alloc_release, dpdk_alloc_free_bulk),
      .size = 9000, .series = "alloc", .note = BULK_NOTE },
    { .name = "alloc+release 65536 B", .dpdk_name = "rte_pktmbuf_alloc_bulk+free_bulk",
      FNS(evpl_alloc_release, dpdk_alloc_free_bulk),
      .size = 65536, .series = "alloc", .note = BULK_NOTE },
    { .name = "alloc 1500 B align 64+release", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 1500, .align = 64 },
    { .name = "alloc 4096 B align 4096+release", .dpdk_name = ALLOC_FREE,
      FNS(evpl_alloc_release, dpdk_alloc_free),
      .size = 4096, .align = 4096 },
    { .name = "reserve 64 B+commit+release", .dpdk_name = ALLOC_FREE,
      FNS(evpl_reserve_commit, dpdk_alloc_free),
      .size = 64, .note = "DPDK has no carving: its small buffer is a whole mbuf" },
    { .name = "clone+release LOCAL", .dpdk_name = REFCNT_PAIR,
      FNS(evpl_clone_release, dpdk_refcnt_pair),
      .bar = 1.0, .bar_strict = 1,
      .note = "DPDK side on an mbuf at refcnt 2, so both updates are atomic" },
    { .name = "clone+release SHARED", .dpdk_name = REFCNT_PAIR,
      FNS(evpl_clone_release, dpdk_refcnt_pair),
      .flags = EVPL_IOVEC_FLAG_SHARED,
      .note = "DPDK side on an mbuf at refcnt 2, so both updates are atomic" },
    { .name = "clone_segment+release LOCAL",
      .dpdk_name = "rte_pktmbuf_clone+adj+trim+free",
      FNS(evpl_clone_segment_release, dpdk_clone_range_free),
      .note = "1000 bytes of a 1500-byte buffer; DPDK's is an indirect mbuf" },
    { .name = "move", .dpdk_name = "mbuf pointer hand-off",
      FNS(evpl_move, dpdk_pointer_handoff),
      .note = "a 24-byte struct copy against an 8-byte pointer copy" },
    { .name = "alloc+to_mbuf(TAKE_REF)+free 1500 B",
      .dpdk_name = "rte_pktmbuf_alloc+append+free",
      FNS(evpl_alloc_to_mbuf_take, dpdk_alloc_append_free),
      .size = 1500,
      .note = "a transmit buffer's life; rte_pktmbuf_free stands in for the driver's" },
    { .name = "to_mbuf+free, exclusive 1500 B",
      .dpdk_name = "rte_mbuf_refcnt_update+free",
      FNS(evpl_to_mbuf_keep, dpdk_refcnt_free),
      .size = 1500,
      .note = "sent and kept: the chain holds a reference of its own" },
    { .name = "to_mbuf+free, shared 1500 B",
      .dpdk_name = "rte_pktmbuf_alloc+attach+free",
      FNS(evpl_to_mbuf_keep, dpdk_attach_free),
      .size = 1500, .shared = 1,
      .note = "above tx_copy_max: an indirect mbuf" },
    { .name = "to_mbuf+free, shared 64 B",
      .dpdk_name = "rte_pktmbuf_alloc+attach+free",
      FNS(evpl_to_mbuf_keep, dpdk_attach_free),
      .size = 64, .shared = 1,
      .note = "within tx_copy_max: copied into a fresh mbuf" },
    { .name = "mbuf_to_iovecs+release 64 B", .dpdk_name = "rte_pktmbuf_free",
      FNS(evpl_rx_wrap_release, dpdk_rx_free),
      .size = 64,
      .note = "both sides include the rte_pktmbuf_alloc that stands in for RX" },
    { .name = "fwd floor: iovec fill+read, TX fields",
      .dpdk_name = "rte_eth_rx_burst+tx_burst",
      FNS(fwd_floor, fwd_raw), .fwd = 1,
      .note = "per packet, net_null, bursts of 32: the least an iovec round trip does" },
    { .name = "fwd evpl_dpdk_rx_burst+tx_burst",
      .dpdk_name = "rte_eth_rx_burst+tx_burst",
      FNS(fwd_evpl, fwd_raw), .fwd = 1, .bar = 1 / 0.85,
      .note = "per packet, net_null, bursts of 32: evpl-testpmd's iovec mode" },
    { .name = "fwd evpl_dpdk_rx/tx_burst_flat",
      .dpdk_name = "rte_eth_rx_burst+tx_burst",
      FNS(fwd_flat, fwd_raw), .fwd = 1, .bar = 1 / 0.85,
      .note = "per packet, net_null, bursts of 32: one iovec per packet, no evpl_dpdk_pkt" },
    { .name = "tx_burst_flat from a deep queue, kept",
      .dpdk_name = "refcnt_update+tx_burst, same rotation",
      FNS(send_cold_flat, send_cold_raw), .fwd = 1,
      .note = "per packet, net_null, 32 at a time out of 6144 waiting mbufs" },
    { .name = "tx_burst shared 1500 B, kept",
      .dpdk_name = "alloc_bulk+attach+tx_burst",
      FNS(send_shared_evpl, send_shared_raw), .fwd = 1, .size = 1500,
      .note = "per packet, net_null, bursts of 32 kept buffers: indirect mbufs" },
    { .name = "tx_burst shared 64 B, kept",
      .dpdk_name = "alloc_bulk+attach+tx_burst",
      FNS(send_shared_evpl, send_shared_raw), .fwd = 1, .size = 64,
      .note = "per packet, net_null, bursts of 32 kept buffers: copied" },
    { .name = "clone+tx_burst(TAKE_REF) shared 1500 B",
      .dpdk_name = "alloc_bulk+attach+tx_burst",
      FNS(send_clones_evpl, send_shared_raw), .fwd = 1, .size = 1500,
      .note = "per packet, net_null, bursts of 32 clones of kept buffers" },
    { .name = "slab alloc+release 4 KiB",
      .dpdk_name = "rte_mempool_get+put, 4 KiB element",
      FNS(slab_alloc_release, slab_cmp_mempool),
      .size = 4096, .bar = 1.0,
      .note = SLAB_4K_NOTE },
    { .name = "slab alloc+release 4 KiB",
      .dpdk_name = "rte_malloc+rte_free, 4 KiB",
      FNS(slab_alloc_release, slab_cmp_rte_malloc),
      .size = 4096,
      .note = SLAB_4K_NOTE },
    { .name = "slab alloc+release 4 KiB",
      .dpdk_name = "malloc+free, 4 KiB",
      FNS(slab_alloc_release, slab_cmp_malloc),
      .size = 4096,
      .note = SLAB_4K_NOTE },
    { .name = "slab alloc+release 64 KiB",
      .dpdk_name = "rte_mempool_get+put, 64 KiB element",
      FNS(slab_alloc_release, slab_cmp_mempool),
      .size = 65536, .bar = 1.0,
      .note = SLAB_MP_NOTE },
    { .name = "slab alloc+release 64 KiB",
      .dpdk_name = "rte_malloc+rte_free, 64 KiB",
      FNS(slab_alloc_release, slab_cmp_rte_malloc),
      .size = 65536 },
    { .name = "slab alloc+release 64 KiB",
      .dpdk_name = "malloc+free, 64 KiB",
      FNS(slab_alloc_release, slab_cmp_malloc),
      .size = 65536 },
    { .name = "slab alloc+release 1 MiB",
      .dpdk_name = "rte_mempool_get+put, 1 MiB element",
      FNS(slab_alloc_release, slab_cmp_mempool),
      .size = 1048576, .bar = 1.0,
      .note = SLAB_MP_NOTE },
    { .name = "slab alloc+release 1 MiB",
      .dpdk_name = "rte_malloc+rte_free, 1 MiB",
      FNS(slab_alloc_release, slab_cmp_rte_malloc),
      .size = 1048576 },
    { .name = "slab alloc+release 1 MiB",
      .dpdk_name = "malloc+free, 1 MiB",
      FNS(slab_alloc_release, slab_cmp_malloc),
      .size = 1048576 },
    { .name = "slab reserve 128 KiB+commit 300 B+release",
      .dpdk_name = "rte_mempool_get+put, 128 KiB element",
      FNS(slab_reserve_commit, slab_cmp_mempool),
      .size = 131072,
      .note = "libevpl's XDR pattern: one slab carved for many messages" },
    { .name = "slab send 64 KiB range, to_mbuf+free",
      .dpdk_name = "alloc+attach_extbuf per 64 KiB+free",
      FNS(slab_send_range, slab_send_by_hand),
      .size = 65536,
      .note = "two attached mbufs (65535 + 1 bytes) each side" },
    { .name = "segs vs slab: alloc+release 16 KiB",
      .dpdk_name = "the same as one slab iovec",
      FNS(slab_seg_alloc_release, slab_alloc_release),
      .size = 16384,
      .note = "2 segments (max_iovecs 32) / one slab iovec (max_iovecs 1)" },
    { .name = "segs vs slab: alloc+send+free 16 KiB",
      .dpdk_name = "the same as one slab iovec",
      FNS(slab_seg_alloc_send, slab_alloc_send),
      .size = 16384,
      .note = "to_mbuf(TAKE_REF)+free; 2 segments / one slab iovec" },
    { .name = "segs vs slab: alloc+release 64 KiB",
      .dpdk_name = "the same as one slab iovec",
      FNS(slab_seg_alloc_release, slab_alloc_release),
      .size = 65536,
      .note = "8 segments (max_iovecs 32) / one slab iovec (max_iovecs 1)" },
    { .name = "segs vs slab: alloc+send+free 64 KiB",
      .dpdk_name = "the same as one slab iovec",
      FNS(slab_seg_alloc_send, slab_alloc_send),
      .size = 65536,
      .note = "to_mbuf(TAKE_REF)+free; 8 segments / one slab iovec" },
    { .name = "segs vs slab: alloc+release 256 KiB",
      .dpdk_name = "the same as one slab iovec",
      FNS(slab_seg_alloc_release, slab_alloc_release),
      .size = 262144,
      .note = "32 segments (max_iovecs 32) / one slab iovec (max_iovecs 1)" },
    { .name = "segs vs slab: alloc+send+free 256 KiB",
      .dpdk_name = "the same as one slab iovec",
      FNS(slab_seg_alloc_send, slab_alloc_send),
      .size = 262144,
      .note = "to_mbuf(TAKE_REF)+free; 32 segments / one slab iovec" },
};

const unsigned int sweep_sizes[] = {
    16, 32, 64, 96, 128, 192, 256, 384, 512, 640, 768, 1024,
};

const unsigned int bench_nops   = RTE_DIM(bench_ops);
const unsigned int sweep_nsizes = RTE_DIM(sweep_sizes);
_Static_assert(RTE_DIM(sweep_sizes) <= BENCH_MAX_SWEEP,
               "BENCH_MAX_SWEEP holds every sweep size");
