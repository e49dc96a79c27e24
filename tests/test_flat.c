/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl_dpdk_rx_burst_flat() and evpl_dpdk_tx_burst_flat(): one iovec per
 * packet. net_ring0 is a loopback (what is sent comes back as the same
 * mbufs) and advertises multi-segment TX, so a chain can be sent to stop a
 * flat receive. Every case ends with the pool's free count where it was.
 */

#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "common.h"

static uint16_t ring_port;

#define MAXP 32

/* n fresh iovecs of len bytes each, patterned by index. */
static void
make(struct evpl *evpl, struct evpl_iovec *v, int n, unsigned int len)
{
    int i;

    for (i = 0; i < n; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, len, (unsigned int) i);
    }
}

/* Receive exactly n packets flat, with flags; asserts the pattern. */
static void
receive_flat(struct evpl *evpl, struct evpl_iovec *v, int n,
             unsigned int len, unsigned int flags)
{
    int got = 0, r, spins = 0;

    while (got < n) {
        r = evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, &v[got],
                                    (uint16_t) (n - got), flags);
        assert_true(r >= 0);
        assert_true(++spins < 1000000);
        got += r;
    }
    for (got = 0; got < n; got++) {
        assert_int_equal(evpl_iovec_length(&v[got]), len);
        assert_true(evpl_test_check(evpl_iovec_data(&v[got]), len,
                                    (unsigned int) got));
    }
}

/* ---- round trips, by size, sharing flag and TAKE_REF ------------------ */

struct trip {
    const char  *name;
    unsigned int len;
    unsigned int rx_flags;  /* 0 or EVPL_IOVEC_FLAG_SHARED */
    unsigned int tx_flags;  /* 0 or EVPL_DPDK_TAKE_REF */
    int          n;
};

static const struct trip trips[] = {
    { "one 64-byte packet, TAKE_REF", 64, 0, EVPL_DPDK_TAKE_REF, 1 },
    { "a burst of 1500-byte packets, TAKE_REF", 1500, 0,
      EVPL_DPDK_TAKE_REF, MAXP },
    { "a burst, received SHARED", 200, EVPL_IOVEC_FLAG_SHARED,
      EVPL_DPDK_TAKE_REF, 8 },
    { "a burst sent without TAKE_REF: the sender keeps its iovecs", 300, 0,
      0, 8 },
};

static void
round_trips(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats before, after;
    struct evpl_iovec      v[MAXP], back[MAXP];
    unsigned int           t;
    int                    i;

    for (t = 0; t < RTE_DIM(trips); t++) {
        const struct trip *c = &trips[t];

        print_message("  %s\n", c->name);
        make(evpl, v, c->n, c->len);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
        assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v,
                                                 (uint16_t) c->n,
                                                 c->tx_flags), c->n);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
        /* Every packet went as its own mbuf: no copy, no indirect. */
        assert_int_equal(after.tx_reused - before.tx_reused, c->n);
        assert_int_equal(after.tx_pkts - before.tx_pkts, c->n);
        receive_flat(evpl, back, c->n, c->len, c->rx_flags);
        for (i = 0; i < c->n; i++) {
            assert_int_equal(!!(back[i].flags & EVPL_IOVEC_FLAG_SHARED),
                             !!c->rx_flags);
            /* The same buffer came back. */
            assert_ptr_equal(back[i].private_data, v[i].private_data);
            evpl_iovec_release(evpl, &back[i]);
            if (!(c->tx_flags & EVPL_DPDK_TAKE_REF)) {
                assert_true(evpl_test_check(evpl_iovec_data(&v[i]), c->len,
                                            (unsigned int) i));
                evpl_iovec_release(evpl, &v[i]);
            }
        }
    }
}

/* ---- what is not the common packet goes the general way --------------- */

/* A shared iovec (a clone is held) cannot become its own mbuf: copied
 * (64 bytes, within tx_copy_max) or attached (1500), and the packets after
 * it still go. */
static void
shared_iovecs_take_the_general_path(void **state)
{
    static const unsigned int lens[] = { 64, 1500 };
    struct evpl              *evpl = ctx_of(state);
    struct evpl_dpdk_stats    before, after;
    struct evpl_iovec         v[4], hold, back[4];
    unsigned int              t;
    int                       i;

    for (t = 0; t < RTE_DIM(lens); t++) {
        make(evpl, v, 4, lens[t]);
        evpl_iovec_clone(&hold, &v[1]);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
        assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, 4,
                                                 EVPL_DPDK_TAKE_REF), 4);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
        assert_int_equal(after.tx_pkts - before.tx_pkts, 4);
        assert_int_equal(after.tx_reused - before.tx_reused, 3);
        assert_int_equal((after.tx_copied - before.tx_copied) +
                         (after.tx_indirect - before.tx_indirect), 1);
        receive_flat(evpl, back, 4, lens[t], 0);
        for (i = 0; i < 4; i++)
            evpl_iovec_release(evpl, &back[i]);
        assert_true(evpl_test_check(evpl_iovec_data(&hold), lens[t], 1));
        evpl_iovec_release(evpl, &hold);
    }
}

/* A slab iovec (larger than a segment) is no mbuf: the general burst
 * attaches it as an external buffer, and it arrives as one segment. */
static void
slab_iovec_takes_the_general_path(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats before, after;
    struct evpl_iovec      v[2], back[2];
    int                    i;

    assert_int_equal(evpl_iovec_alloc(evpl, 20000, 0, 1, 0, &v[0]), 1);
    evpl_test_fill(v[0].data, 20000, 0);
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v[1]), 1);
    evpl_test_fill(v[1].data, 100, 1);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, 2,
                                             EVPL_DPDK_TAKE_REF), 2);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
    assert_int_equal(after.tx_pkts - before.tx_pkts, 2);
    assert_int_equal(after.tx_indirect - before.tx_indirect, 1);
    assert_int_equal(after.tx_reused - before.tx_reused, 1);
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, 2, 0),
                     2);
    assert_int_equal(evpl_iovec_length(&back[0]), 20000);
    assert_true(evpl_test_check(evpl_iovec_data(&back[0]), 20000, 0));
    assert_int_equal(evpl_iovec_length(&back[1]), 100);
    assert_true(evpl_test_check(evpl_iovec_data(&back[1]), 100, 1));
    for (i = 0; i < 2; i++)
        evpl_iovec_release(evpl, &back[i]);
}

/* An empty iovec is not a packet: as in evpl_dpdk_tx_burst(), conversion
 * stops there, and with TAKE_REF it and those after it are released. */
static void
empty_iovec_stops_the_burst_and_is_released(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats before, after;
    struct evpl_iovec      v[4], back[2];
    int                    i;

    make(evpl, v, 4, 100);
    evpl_iovec_set_length(&v[2], 0);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, 4,
                                             EVPL_DPDK_TAKE_REF), 2);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
    assert_int_equal(after.tx_dropped - before.tx_dropped, 2);
    receive_flat(evpl, back, 2, 100, 0);
    for (i = 0; i < 2; i++)
        evpl_iovec_release(evpl, &back[i]);
}

/* A chain stops a flat receive: the packets before it come, then
 * EMSGSIZE while it is next; evpl_dpdk_rx_burst() takes it, and flat
 * receives go on with the packets after it, in order. */
static void
chain_is_kept_for_the_general_receive(void **state)
{
    struct evpl         *evpl = ctx_of(state);
    struct evpl_iovec    a[2], c[2], b[2], back[4], civ[4];
    struct evpl_dpdk_pkt p[3], cp;
    int                  r, i;

    make(evpl, a, 2, 80);
    make(evpl, c, 2, 500);
    make(evpl, b, 2, 80);
    p[0].iov = &a[0]; p[0].niov = 1;
    p[1].iov = c;     p[1].niov = 2;
    p[2].iov = &b[0]; p[2].niov = 1;
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p, 3,
                                        EVPL_DPDK_TAKE_REF), 3);
    r = evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, 4, 0);
    assert_int_equal(r, 1);
    assert_true(evpl_test_check(evpl_iovec_data(&back[0]), 80, 0));
    evpl_iovec_release(evpl, &back[0]);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, 4, 0),
                     -1);
    assert_int_equal(errno, EMSGSIZE);
    r = evpl_dpdk_rx_burst(evpl, ring_port, 0, &cp, 1, civ, RTE_DIM(civ));
    assert_int_equal(r, 1);
    assert_int_equal(cp.niov, 2);
    assert_true(evpl_test_check(evpl_iovec_data(&civ[0]), 500, 0));
    assert_true(evpl_test_check(evpl_iovec_data(&civ[1]), 500, 1));
    evpl_iovecs_release(evpl, civ, 2);
    receive_flat(evpl, back, 1, 80, 0);
    evpl_iovec_release(evpl, &back[0]);
    /* The unused second iovecs of a and b. */
    for (i = 1; i < 2; i++) {
        evpl_iovec_release(evpl, &a[i]);
        evpl_iovec_release(evpl, &b[i]);
    }
}

/* ---- bad arguments ---------------------------------------------------- */

enum bad { BAD_NULL_CTX, BAD_NULL_IOV, BAD_FLAGS, BAD_QUEUE, BAD_PORT };

struct bad_case {
    const char *name;
    enum bad    what;
};

static const struct bad_case bad_cases[] = {
    { "NULL context", BAD_NULL_CTX },
    { "NULL iovec array", BAD_NULL_IOV },
    { "unknown flags", BAD_FLAGS },
    { "a queue the port lacks", BAD_QUEUE },
    { "an invalid port", BAD_PORT },
};

static void
bad_arguments_are_einval_and_move_nothing(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec v[1];
    unsigned int      t;

    make(evpl, v, 1, 64);
    for (t = 0; t < RTE_DIM(bad_cases); t++) {
        const struct bad_case *c = &bad_cases[t];
        struct evpl           *ctx = c->what == BAD_NULL_CTX ? NULL : evpl;
        struct evpl_iovec     *iov = c->what == BAD_NULL_IOV ? NULL : v;
        uint16_t               port = c->what == BAD_PORT ? RTE_MAX_ETHPORTS :
                                      ring_port;
        uint16_t               queue = c->what == BAD_QUEUE ? 7 : 0;

        print_message("  %s\n", c->name);
        errno = 0;
        assert_int_equal(evpl_dpdk_rx_burst_flat(ctx, port, queue, iov, 1,
                                                 c->what == BAD_FLAGS ? 0x80 :
                                                 0), -1);
        assert_int_equal(errno, EINVAL);
        errno = 0;
        assert_int_equal(evpl_dpdk_tx_burst_flat(ctx, port, queue, iov, 1,
                                                 c->what == BAD_FLAGS ? 0x80 :
                                                 EVPL_DPDK_TAKE_REF), -1);
        assert_int_equal(errno, EINVAL);
    }
    /* Nothing was taken: the iovec is still the caller's. */
    assert_true(evpl_test_check(evpl_iovec_data(&v[0]), 64, 0));
    evpl_iovec_release(evpl, &v[0]);
}

static const struct CMUnitTest cases[] = {
    CASE(round_trips),
    CASE(shared_iovecs_take_the_general_path),
    CASE(slab_iovec_takes_the_general_path),
    CASE(empty_iovec_stops_the_burst_and_is_released),
    CASE(chain_is_kept_for_the_general_receive),
    CASE(bad_arguments_are_einval_and_move_nothing),
};

EVPL_TEST_MAIN("flat", cases, .eal.vdevs = EVPL_TEST_LIST("net_ring0"),
               .ports = EVPL_TEST_PORTS(&ring_port))
