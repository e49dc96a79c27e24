/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl_dpdk_rx_burst_flags(): received packets as SHARED iovecs. net_ring0
 * is a loopback: packets sent with TAKE_REF come back as the same mbufs,
 * held by nobody but the receiver, which is the case the flag is for.
 * Every case ends with the pool's free count where it was.
 */

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "common.h"

static uint16_t ring_port;

/* Loop n packets of the given segment sizes through the ring. */
static void
send_packets(struct evpl *evpl, int n, const unsigned int *segs, int nseg)
{
    struct evpl_iovec    v[16][4];
    struct evpl_dpdk_pkt p[16];
    int                  i, k;

    assert_true(n <= 16 && nseg <= 4);
    for (i = 0; i < n; i++) {
        for (k = 0; k < nseg; k++) {
            assert_int_equal(evpl_iovec_alloc(evpl, segs[k], 0, 1, 0,
                                              &v[i][k]), 1);
            evpl_test_fill(v[i][k].data, segs[k], (unsigned int) (i + k));
        }
        p[i].iov  = v[i];
        p[i].niov = nseg;
    }
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p, (uint16_t) n,
                                        EVPL_DPDK_TAKE_REF), n);
}

/* Receive exactly n packets with flags into pkts/iov. */
static void
receive(struct evpl *evpl, struct evpl_dpdk_pkt *pkts, int n,
        struct evpl_iovec *iov, unsigned int max_iov, unsigned int flags)
{
    struct evpl_iovec *end;
    int                got = 0, r, spins = 0;

    while (got < n) {
        r = evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, &pkts[got],
                                     (uint16_t) (n - got), iov, max_iov,
                                     flags);
        assert_true(r >= 0);
        assert_true(++spins < 1000000);
        if (r > 0) {
            /* The next call fills iov from its start: past these. */
            end      = pkts[got + r - 1].iov + pkts[got + r - 1].niov;
            max_iov -= (unsigned int) (end - iov);
            iov      = end;
        }
        got += r;
    }
}

static void
release_all(struct evpl *evpl, struct evpl_dpdk_pkt *pkts, int n)
{
    int i;

    for (i = 0; i < n; i++)
        evpl_iovecs_release(evpl, pkts[i].iov, pkts[i].niov);
}

static void
shared_flag_marks_every_iovec(void **state)
{
    static const unsigned int segs[] = { 100, 1500, 60 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkts[8];
    struct evpl_iovec         iov[64];
    int                       i, j;

    send_packets(evpl, 8, segs, 3);
    receive(evpl, pkts, 8, iov, RTE_DIM(iov), EVPL_IOVEC_FLAG_SHARED);
    for (i = 0; i < 8; i++) {
        assert_int_equal(pkts[i].niov, 3);
        for (j = 0; j < 3; j++) {
            assert_true(pkts[i].iov[j].flags & EVPL_IOVEC_FLAG_SHARED);
            assert_int_equal(evpl_iovec_length(&pkts[i].iov[j]), segs[j]);
            assert_true(evpl_test_check(evpl_iovec_data(&pkts[i].iov[j]),
                                        segs[j], (unsigned int) (i + j)));
            /* No count changed: the receiver holds the only reference. */
            assert_int_equal(rte_mbuf_refcnt_read(
                                 evpl_test_mbuf(&pkts[i].iov[j])), 1);
        }
    }
    release_all(evpl, pkts, 8);
}

/*
 * A packet of several segments received as SHARED into exactly the iovecs
 * left marks its own iovecs and writes nothing past them: the caller's
 * array ends where max_iov says. Guards the bound of the flag loop in
 * dpdk_glue/rx.c's evpl_rx_wrap().
 */
static void
shared_flag_marks_nothing_past_the_packet(void **state)
{
    static const unsigned int segs[] = { 100, 200, 300 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkt;
    struct {
        struct evpl_iovec iov[3];
        struct evpl_iovec after;
    }                         a;
    int                       k;

    memset(&a, 0, sizeof(a));
    send_packets(evpl, 1, segs, 3);
    receive(evpl, &pkt, 1, a.iov, 3, EVPL_IOVEC_FLAG_SHARED);
    assert_ptr_equal(pkt.iov, a.iov);
    assert_int_equal(pkt.niov, 3);
    for (k = 0; k < 3; k++)
        assert_true(a.iov[k].flags & EVPL_IOVEC_FLAG_SHARED);
    assert_int_equal(a.after.flags, 0);
    release_all(evpl, &pkt, 1);
}

static void
zero_flags_deliver_local_iovecs(void **state)
{
    static const unsigned int segs[] = { 64 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkts[4];
    struct evpl_iovec         iov[4];
    int                       i;

    send_packets(evpl, 4, segs, 1);
    receive(evpl, pkts, 4, iov, RTE_DIM(iov), 0);
    for (i = 0; i < 4; i++)
        assert_false(pkts[i].iov[0].flags & EVPL_IOVEC_FLAG_SHARED);
    release_all(evpl, pkts, 4);
}

/*
 * evpl_dpdk_rx_burst() is evpl_dpdk_rx_burst_flags() with no flag: LOCAL
 * iovecs, a single packet's and a chain's. Guards the flags it passes
 * (dpdk_glue/rx.c).
 */
static void
plain_receive_delivers_local_iovecs(void **state)
{
    static const unsigned int one[] = { 64 }, three[] = { 64, 64, 64 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkts[2];
    struct evpl_iovec         iov[4];
    int                       got = 0, r, k, spins = 0;

    send_packets(evpl, 1, one, 1);
    send_packets(evpl, 1, three, 3);
    while (got < 2) {
        r = evpl_dpdk_rx_burst(evpl, ring_port, 0, &pkts[got],
                               (uint16_t) (2 - got),
                               got ? &iov[1] : iov, got ? 3 : 4);
        assert_true(r >= 0);
        assert_true(++spins < 1000000);
        got += r;
    }
    assert_int_equal(pkts[0].niov + pkts[1].niov, 4);
    for (k = 0; k < 4; k++)
        assert_false(iov[k].flags & EVPL_IOVEC_FLAG_SHARED);
    release_all(evpl, pkts, 2);
}

static void
unknown_flags_are_einval_and_receive_nothing(void **state)
{
    static const unsigned int segs[] = { 64 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkts[2];
    struct evpl_iovec         iov[2];

    send_packets(evpl, 2, segs, 1);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, pkts, 2,
                                              iov, 2, 0x2), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, pkts, 2,
                                              iov, 2,
                                              EVPL_IOVEC_FLAG_SHARED | 0x100),
                     -1);
    assert_int_equal(errno, EINVAL);
    /* Both packets are still there for a valid call. */
    receive(evpl, pkts, 2, iov, RTE_DIM(iov), EVPL_IOVEC_FLAG_SHARED);
    release_all(evpl, pkts, 2);
}

static void
kept_packet_takes_the_delivering_calls_flags(void **state)
{
    static const unsigned int segs[] = { 200, 200 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkts[2];
    struct evpl_iovec         iov[4];
    int                       r, spins = 0;

    send_packets(evpl, 2, segs, 2);
    /* Room for one packet's two iovecs: the second packet is kept. */
    do {
        r = evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, pkts, 2, iov, 2, 0);
        assert_true(++spins < 1000000);
    } while (r == 0);
    assert_int_equal(r, 1);
    assert_false(pkts[0].iov[0].flags & EVPL_IOVEC_FLAG_SHARED);
    evpl_iovecs_release(evpl, pkts[0].iov, pkts[0].niov);

    r = evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, pkts, 2, iov, 4,
                                 EVPL_IOVEC_FLAG_SHARED);
    assert_int_equal(r, 1);
    assert_int_equal(pkts[0].niov, 2);
    assert_true(pkts[0].iov[0].flags & EVPL_IOVEC_FLAG_SHARED);
    assert_true(pkts[0].iov[1].flags & EVPL_IOVEC_FLAG_SHARED);
    evpl_iovecs_release(evpl, pkts[0].iov, pkts[0].niov);
}

/* The worker's half: clone each iovec (atomically, SHARED), release the
 * clone and the original, on an lcore that did not receive them. */
struct handoff {
    struct evpl_dpdk_pkt *pkts;
    int                   n;
};

static int
release_elsewhere(void *arg)
{
    struct handoff   *h = arg;
    struct evpl_iovec c;
    int               i, j;

    for (i = 0; i < h->n; i++) {
        for (j = 0; j < h->pkts[i].niov; j++) {
            evpl_iovec_clone(&c, &h->pkts[i].iov[j]);
            evpl_iovec_release(NULL, &c);
            evpl_iovec_release(NULL, &h->pkts[i].iov[j]);
        }
    }
    return 0;
}

static void
shared_iovecs_are_released_on_another_lcore(void **state)
{
    static const unsigned int segs[] = { 300, 64 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_pkt      pkts[16];
    struct evpl_iovec         iov[32];
    struct handoff            h = { pkts, 16 };
    unsigned int              worker = rte_get_next_lcore(-1, 1, 0);

    if (worker >= RTE_MAX_LCORE)
        skip(); /* one CPU: no second lcore */
    send_packets(evpl, 16, segs, 2);
    receive(evpl, pkts, 16, iov, RTE_DIM(iov), EVPL_IOVEC_FLAG_SHARED);
    assert_int_equal(rte_eal_remote_launch(release_elsewhere, &h, worker), 0);
    assert_int_equal(rte_eal_wait_lcore(worker), 0);
    /* The teardown's count includes the worker's mempool cache. */
}

/* A received packet with no bytes is delivered, as a packet of no
 * iovec (its mbuf freed), in the call that receives it. Guards the
 * "r < 0" of dpdk_glue/rx.c's evpl_dpdk_rx_burst_flags() (a wrap of no
 * iovec is a packet, not a failure to fit: at "<=" the call reports
 * ENOSPC for an empty queue's worth of room). */
static void
empty_packet_is_delivered_with_no_iovec(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct rte_mbuf     *m;
    struct evpl_dpdk_pkt pkt;
    struct evpl_iovec    iov[4];
    unsigned int         before = rte_mempool_avail_count(evpl_mempool(evpl));
    int                  r, spins = 0;

    assert_non_null(m = rte_pktmbuf_alloc(evpl_mempool(evpl)));
    assert_int_equal(rte_eth_tx_burst(ring_port, 0, &m, 1), 1);
    do {
        r = evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, &pkt, 1, iov,
                                     RTE_DIM(iov), 0);
        assert_true(r >= 0 && ++spins < 1000000);
    } while (r == 0);
    assert_int_equal(r, 1);
    assert_int_equal(pkt.niov, 0);
    assert_int_equal(rte_mempool_avail_count(evpl_mempool(evpl)), before);
}

/* The same for an empty packet the context kept (behind a chain that
 * stopped a flat receive): the next call delivers it, with no iovec.
 * Guards the ">= 0" of the kept packets' wrap in dpdk_glue/rx.c's
 * evpl_dpdk_rx_burst_flags() (at ">= 1" the empty packet stays kept,
 * its mbuf already freed, and blocks the queue). */
static void
kept_empty_packet_is_delivered_with_no_iovec(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct rte_mempool  *mp   = evpl_mempool(evpl);
    struct rte_mbuf     *m[2], *tail;
    struct evpl_dpdk_pkt pkt[2];
    struct evpl_iovec    flat[2], iov[4];

    assert_non_null(m[0] = rte_pktmbuf_alloc(mp));
    assert_non_null(tail = rte_pktmbuf_alloc(mp));
    assert_non_null(rte_pktmbuf_append(m[0], 100));
    assert_non_null(rte_pktmbuf_append(tail, 100));
    assert_int_equal(rte_pktmbuf_chain(m[0], tail), 0);
    assert_non_null(m[1] = rte_pktmbuf_alloc(mp));
    assert_int_equal(rte_eth_tx_burst(ring_port, 0, m, 2), 2);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, flat, 2, 0),
                     -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(evpl_dpdk_rx_burst_flags(evpl, ring_port, 0, pkt, 2, iov,
                                              RTE_DIM(iov), 0), 2);
    assert_int_equal(pkt[0].niov, 2);
    assert_int_equal(pkt[1].niov, 0);
    evpl_iovecs_release(evpl, pkt[0].iov, pkt[0].niov);
}

static const struct CMUnitTest cases[] = {
    CASE(shared_flag_marks_every_iovec),
    CASE(shared_flag_marks_nothing_past_the_packet),
    CASE(zero_flags_deliver_local_iovecs),
    CASE(plain_receive_delivers_local_iovecs),
    CASE(unknown_flags_are_einval_and_receive_nothing),
    CASE(kept_packet_takes_the_delivering_calls_flags),
    CASE(shared_iovecs_are_released_on_another_lcore),
    CASE(empty_packet_is_delivered_with_no_iovec),
    CASE(kept_empty_packet_is_delivered_with_no_iovec),
};

EVPL_TEST_MAIN("rx_flags", cases, .eal.vdevs = EVPL_TEST_LIST("net_ring0"),
               .ports = EVPL_TEST_PORTS(&ring_port))
