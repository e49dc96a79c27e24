/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-bench's forwarding loops: the round trip of evpl-testpmd's iovec
 * mode (receive a burst, transmit it back) on a net_null port, whose
 * driver allocates each received mbuf from the pool and frees each sent
 * one, so that the mbufs are real received ones and the loop is steady.
 * Every loop runs bursts of FWD_BURST until e->iters packets went round
 * and returns the TSC cycles they took: cycles per packet, like the other
 * rows.
 *
 *   raw    rte_eth_rx_burst + rte_eth_tx_burst, nothing in between: what
 *          DPDK's io forwarding does, the reference of every fwd row.
 *   floor  the least an iovec round trip can do: fill a 24-byte iovec per
 *          received mbuf, read it back, write the TX fields an iovec can
 *          have changed (data_off, data_len, pkt_len), transmit the mbufs
 *          it names. No check, no count, no reference: what is left when
 *          everything the library does beyond that is taken away.
 *   evpl   evpl_dpdk_rx_burst + evpl_dpdk_tx_burst(TAKE_REF): the library.
 *   flat   evpl_dpdk_rx_burst_flat + evpl_dpdk_tx_burst_flat(TAKE_REF):
 *          the library's flat bursts, one iovec per packet.
 */

#include <stdio.h>
#include <stdlib.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench.h"

#define FWD_BURST 32u
#define FWD_VDEV  "net_null_evpl_bench"

/* Opaque to the compiler: the iovecs must be written and read back, as
 * they would be by code between receive and transmit. */
#define FWD_ESCAPE(p) __asm__ __volatile__("" : : "r"(p) : "memory")

int
fwd_setup(struct env *e)
{
    uint16_t port;

    if (e->fwd_ready)
        return 0;
    if (rte_eal_hotplug_add("vdev", FWD_VDEV, "") < 0 ||
        rte_eth_dev_get_port_by_name(FWD_VDEV, &port) != 0) {
        fprintf(stderr, "evpl-bench: cannot create a %s port: the fwd rows "
                "are skipped\n", FWD_VDEV);
        return -1;
    }
    if (evpl_dpdk_port_setup(port, NULL) < 0)
        die("evpl_dpdk_port_setup");
    e->fwd_port  = port;
    e->fwd_ready = 1;
    return 0;
}

void
fwd_teardown(struct env *e)
{
    if (!e->fwd_ready)
        return;
    rte_eth_dev_stop(e->fwd_port);
    rte_eth_dev_close(e->fwd_port);
    rte_eal_hotplug_remove("vdev", FWD_VDEV);
    e->fwd_ready = 0;
}

uint64_t
fwd_raw(struct env *e)
{
    struct rte_mbuf *mb[FWD_BURST];
    uint16_t         port = e->fwd_port, n, sent;
    unsigned int     done = 0, want = e->iters;
    uint64_t         t0 = bench_now();

    while (done < want) {
        n    = rte_eth_rx_burst(port, 0, mb, FWD_BURST);
        sent = rte_eth_tx_burst(port, 0, mb, n);
        if (unlikely(sent < n))
            rte_pktmbuf_free_bulk(&mb[sent], n - sent);
        done += n;
    }
    return bench_now() - t0;
}

uint64_t
fwd_floor(struct env *e)
{
    struct rte_mbuf  *mb[FWD_BURST], *out[FWD_BURST];
    struct evpl_iovec v[FWD_BURST];
    uint16_t          port = e->fwd_port, n, sent, i;
    unsigned int      done = 0, want = e->iters;
    const unsigned int flags = evpl_thread_tag_ << EVPL_IOVEC_OWNER_SHIFT_;
    uint64_t          t0 = bench_now();

    while (done < want) {
        n = rte_eth_rx_burst(port, 0, mb, FWD_BURST);
        for (i = 0; i < n; i++) {
            struct rte_mbuf *m = mb[i];

            v[i].data         = rte_pktmbuf_mtod(m, void *);
            v[i].length       = m->data_len;
            v[i].flags        = flags;
            v[i].private_data = m;
        }
        FWD_ESCAPE(v);
        for (i = 0; i < n; i++) {
            struct rte_mbuf *m = v[i].private_data;

            m->data_off = (uint16_t) ((char *) v[i].data -
                                      (char *) m->buf_addr);
            m->data_len = (uint16_t) v[i].length;
            m->pkt_len  = v[i].length;
            out[i]      = m;
        }
        sent = rte_eth_tx_burst(port, 0, out, n);
        if (unlikely(sent < n))
            rte_pktmbuf_free_bulk(&out[sent], n - sent);
        done += n;
    }
    return bench_now() - t0;
}

uint64_t
fwd_evpl(struct env *e)
{
    struct evpl_dpdk_pkt pkts[FWD_BURST];
    struct evpl_iovec    iov[FWD_BURST];
    struct evpl         *evpl = e->evpl;
    uint16_t             port = e->fwd_port;
    unsigned int         done = 0, want = e->iters;
    int                  n;
    uint64_t             t0 = bench_now();

    while (done < want) {
        n = evpl_dpdk_rx_burst(evpl, port, 0, pkts, FWD_BURST, iov,
                               FWD_BURST);
        if (unlikely(n < 0))
            die("evpl_dpdk_rx_burst");
        if (unlikely(evpl_dpdk_tx_burst(evpl, port, 0, pkts, (uint16_t) n,
                                        EVPL_DPDK_TAKE_REF) < 0))
            die("evpl_dpdk_tx_burst");
        done += (unsigned int) n;
    }
    return bench_now() - t0;
}

uint64_t
fwd_flat(struct env *e)
{
    struct evpl_iovec iov[FWD_BURST];
    struct evpl      *evpl = e->evpl;
    uint16_t          port = e->fwd_port;
    unsigned int      done = 0, want = e->iters;
    int               n;
    uint64_t          t0 = bench_now();

    while (done < want) {
        n = evpl_dpdk_rx_burst_flat(evpl, port, 0, iov, FWD_BURST, 0);
        if (unlikely(n < 0))
            die("evpl_dpdk_rx_burst_flat");
        if (unlikely(evpl_dpdk_tx_burst_flat(evpl, port, 0, iov, (uint16_t) n,
                                             EVPL_DPDK_TAKE_REF) < 0))
            die("evpl_dpdk_tx_burst_flat");
        done += (unsigned int) n;
    }
    return bench_now() - t0;
}

/* ---- sending shared buffers ---------------------------------------------
 * A retransmission queue: FWD_BURST buffers of e->size bytes that the
 * application keeps, each with a second holder, sent whole again and again
 * on the net_null port, whose driver frees what it is given. Each packet
 * needs a fresh mbuf: a copy up to tx_copy_max, an indirect one above. */

/* The buffers, each held twice (hold[i] is the second holder). */
static void
send_bufs(struct env *e, struct evpl_iovec *v, struct evpl_iovec *hold)
{
    unsigned int i;

    for (i = 0; i < FWD_BURST; i++) {
        if (evpl_iovec_alloc(e->evpl, e->size, 0, 1, e->flags, &v[i]) != 1)
            die("evpl_iovec_alloc");
        evpl_iovec_clone(&hold[i], &v[i]);
    }
}

/* The kept buffers sent whole, again and again: as they are (flags 0),
 * or, for fan-out, as fresh clones handed over with TAKE_REF. */
static uint64_t
send_kept(struct env *e, int fan_out)
{
    struct evpl_iovec    v[FWD_BURST], hold[FWD_BURST], c[FWD_BURST];
    struct evpl_dpdk_pkt pkts[FWD_BURST];
    struct evpl         *evpl = e->evpl;
    uint16_t             port = e->fwd_port;
    unsigned int         done = 0, want = e->iters, i;
    unsigned int         flags = fan_out ? EVPL_DPDK_TAKE_REF : 0;
    uint64_t             t0;
    int                  n;

    send_bufs(e, v, hold);
    for (i = 0; i < FWD_BURST; i++)
        pkts[i] = (struct evpl_dpdk_pkt) { fan_out ? &c[i] : &v[i], 1 };
    t0 = bench_now();
    while (done < want) {
        if (fan_out)
            for (i = 0; i < FWD_BURST; i++)
                evpl_iovec_clone(&c[i], &v[i]);
        n = evpl_dpdk_tx_burst(evpl, port, 0, pkts, FWD_BURST, flags);
        if (unlikely(n < 0))
            die("evpl_dpdk_tx_burst");
        done += (unsigned int) n;
    }
    t0 = bench_now() - t0;
    evpl_iovecs_release(evpl, hold, FWD_BURST);
    evpl_iovecs_release(evpl, v, FWD_BURST);
    return t0;
}

uint64_t
send_shared_evpl(struct env *e)
{
    return send_kept(e, 0);
}

uint64_t
send_clones_evpl(struct env *e)
{
    return send_kept(e, 1);
}

/* DPDK's way: indirect mbufs in one rte_pktmbuf_alloc_bulk(), each
 * rte_pktmbuf_attach()ed to its kept buffer. */
uint64_t
send_shared_raw(struct env *e)
{
    struct rte_mbuf *md[FWD_BURST], *mi[FWD_BURST];
    uint16_t         port = e->fwd_port, sent, size = (uint16_t) e->size;
    unsigned int     done = 0, want = e->iters, i;
    uint64_t         t0;

    if (rte_pktmbuf_alloc_bulk(e->pool, md, FWD_BURST) != 0)
        die("rte_pktmbuf_alloc_bulk");
    for (i = 0; i < FWD_BURST; i++)
        if (rte_pktmbuf_append(md[i], size) == NULL)
            die("rte_pktmbuf_append");
    t0 = bench_now();
    while (done < want) {
        if (unlikely(rte_pktmbuf_alloc_bulk(e->pool, mi, FWD_BURST) != 0))
            die("rte_pktmbuf_alloc_bulk");
        for (i = 0; i < FWD_BURST; i++)
            rte_pktmbuf_attach(mi[i], md[i]);
        sent = rte_eth_tx_burst(port, 0, mi, FWD_BURST);
        if (unlikely(sent < FWD_BURST))
            rte_pktmbuf_free_bulk(&mi[sent], FWD_BURST - sent);
        done += FWD_BURST;
    }
    t0 = bench_now() - t0;
    rte_pktmbuf_free_bulk(md, FWD_BURST);
    return t0;
}

/* ---- sending from a deep queue ------------------------------------------
 * Packets that have waited: COLD_N exclusive 64-byte iovecs, sent kept
 * (flags 0) FWD_BURST at a time in rotation, so that each mbuf's header
 * was last touched COLD_N / FWD_BURST bursts ago, its cache lines long
 * gone from L1 and, at 2 lines of COLD_N mbufs, mostly from L2. */
#define COLD_N 6144u

uint64_t
send_cold_flat(struct env *e)
{
    struct evpl_iovec *v = calloc(COLD_N, sizeof(*v));
    struct evpl       *evpl = e->evpl;
    uint16_t           port = e->fwd_port;
    unsigned int       done = 0, want = e->iters, at = 0, i;
    uint64_t           t0;
    int                n;

    if (v == NULL)
        die("calloc");
    for (i = 0; i < COLD_N; i++)
        if (evpl_iovec_alloc(evpl, 64, 0, 1, 0, &v[i]) != 1)
            die("evpl_iovec_alloc");
    t0 = bench_now();
    while (done < want) {
        n = evpl_dpdk_tx_burst_flat(evpl, port, 0, &v[at], FWD_BURST, 0);
        if (unlikely(n < 0))
            die("evpl_dpdk_tx_burst_flat");
        done += (unsigned int) n;
        at    = (at + FWD_BURST) % COLD_N;
    }
    t0 = bench_now() - t0;
    evpl_iovecs_release(evpl, v, COLD_N);
    free(v);
    return t0;
}

/* The same rotation in raw DPDK: a reference more on each mbuf, then the
 * burst (the driver's free drops it). */
uint64_t
send_cold_raw(struct env *e)
{
    struct rte_mbuf **m = calloc(COLD_N, sizeof(*m));
    uint16_t          port = e->fwd_port, sent;
    unsigned int      done = 0, want = e->iters, at = 0, i;
    uint64_t          t0;

    if (m == NULL || rte_pktmbuf_alloc_bulk(e->pool, m, COLD_N) != 0)
        die("rte_pktmbuf_alloc_bulk");
    for (i = 0; i < COLD_N; i++)
        if (rte_pktmbuf_append(m[i], 64) == NULL)
            die("rte_pktmbuf_append");
    t0 = bench_now();
    while (done < want) {
        for (i = 0; i < FWD_BURST; i++)
            rte_mbuf_refcnt_update(m[at + i], 1);
        sent = rte_eth_tx_burst(port, 0, &m[at], FWD_BURST);
        for (i = sent; i < FWD_BURST; i++)
            rte_mbuf_refcnt_update(m[at + i], -1);
        done += FWD_BURST;
        at    = (at + FWD_BURST) % COLD_N;
    }
    t0 = bench_now() - t0;
    rte_pktmbuf_free_bulk(m, COLD_N);
    free(m);
    return t0;
}
