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
#include <rte_malloc.h>

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

/* Receive exactly n packets flat, with flags; asserts the pattern, the
 * first packet's seed being first. */
static void
receive_flat_from(struct evpl *evpl, struct evpl_iovec *v, int n,
                  unsigned int len, unsigned int flags, unsigned int first)
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
                                    first + (unsigned int) got));
    }
}

static void
receive_flat(struct evpl *evpl, struct evpl_iovec *v, int n,
             unsigned int len, unsigned int flags)
{
    receive_flat_from(evpl, v, n, len, flags, 0);
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

/* ---- every burst size, and an odd packet at every place ---------------- */

/* The flat transmit takes four packets at a time where the build has the
 * SSE2 loop (flat_bursts=auto on x86-64) and one at a time after them and
 * elsewhere: every size from 0 to a full burst crosses every split of the
 * two and comes back whole and in order. */
static void
every_burst_size_round_trips(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats before, after;
    struct evpl_iovec      v[MAXP], back[MAXP];
    int                    n, i;

    for (n = 0; n <= MAXP; n++) {
        make(evpl, v, n, 60 + (unsigned int) n);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
        assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v,
                                                 (uint16_t) n,
                                                 EVPL_DPDK_TAKE_REF), n);
        assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
        assert_int_equal(after.tx_reused - before.tx_reused, n);
        receive_flat(evpl, back, n, 60 + (unsigned int) n,
                     n % 2 ? EVPL_IOVEC_FLAG_SHARED : 0);
        for (i = 0; i < n; i++) {
            assert_ptr_equal(back[i].private_data, v[i].private_data);
            assert_int_equal(!!(back[i].flags & EVPL_IOVEC_FLAG_SHARED),
                             n % 2);
            evpl_iovec_release(evpl, &back[i]);
        }
    }
}

/* Whatever a transmitted mbuf held from an earlier life (offload requests,
 * a packet type, an outer VLAN, a next pointer), what the driver reads is
 * reset and the flags that say where the data lives are kept, for every
 * place in a burst, whichever loop converted it; the port is kept (an
 * even one: the vector loop's rearm word, dpdk_glue/tx_vec.h's
 * evpl_tx_own4(), once set its low bit and an odd port hid it). */
static void
transmit_resets_what_the_driver_reads(void **state)
{
    struct evpl       *evpl = ctx_of(state);
    struct evpl_iovec  v[13], back[13];
    struct rte_mbuf   *m;
    int                i;

    make(evpl, v, 13, 100);
    for (i = 0; i < 13; i++) {
        m = v[i].private_data;
        m->ol_flags       = RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_IPV4;
        m->packet_type    = RTE_PTYPE_L3_IPV4;
        m->tx_offload     = 0x1234;
        m->vlan_tci       = 7;
        m->vlan_tci_outer = 9;
        /* even: a lost or stray low bit shows */
        m->port           = 2;
        /* an offset the iovec does not start at */
        evpl_iovec_set_length(&v[i], 99);
        v[i].data = (char *) v[i].data + 1;
    }
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, 13,
                                             EVPL_DPDK_TAKE_REF), 13);
    for (i = 0; i < 13; i++) {
        m = v[i].private_data;
        assert_int_equal(m->ol_flags & ~(uint64_t) RTE_MBUF_F_EXTERNAL, 0);
        assert_int_equal(m->packet_type, 0);
        assert_int_equal(m->tx_offload, 0);
        assert_int_equal(m->vlan_tci, 0);
        assert_int_equal(m->vlan_tci_outer, 0);
        assert_null(m->next);
        assert_int_equal(m->nb_segs, 1);
        assert_int_equal(m->port, 2);
        assert_int_equal(m->pkt_len, 99);
        assert_int_equal(m->data_len, 99);
        assert_ptr_equal(rte_pktmbuf_mtod(m, char *), v[i].data);
    }
    for (i = 0; i < 13; i++) {
        assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0,
                                                 &back[i], 1, 0), 1);
        assert_int_equal(evpl_iovec_length(&back[i]), 99);
        assert_ptr_equal(back[i].data, v[i].data);
        evpl_iovec_release(evpl, &back[i]);
    }
}

/* One packet that is not the common one, at each place of a 9-packet
 * burst: shared (a clone is held), empty, or (received) a chain. The group
 * of four around it must fall back, and the packets before it must not be
 * written twice or lost. */
enum odd { ODD_SHARED, ODD_EMPTY, ODD_CHAIN };

static const struct {
    const char *name;
    enum odd    what;
} odds[] = {
    { "a shared iovec", ODD_SHARED },
    { "an empty iovec", ODD_EMPTY },
    { "a received chain", ODD_CHAIN },
};

#define ODD_N 9

static void
an_odd_packet_at_every_place(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats before, after;
    struct evpl_iovec      v[ODD_N + 1], back[ODD_N + 1], hold, civ[2];
    struct evpl_dpdk_pkt   p[ODD_N], cp;
    unsigned int           t;
    int                    at, i, k, sent, r;

    for (t = 0; t < RTE_DIM(odds); t++) {
        print_message("  %s\n", odds[t].name);
        for (at = 0; at < ODD_N; at++) {
            make(evpl, v, ODD_N + 1, 70);
            assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
            switch (odds[t].what) {
            case ODD_SHARED:
                evpl_iovec_clone(&hold, &v[at]);
                sent = evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, ODD_N,
                                               EVPL_DPDK_TAKE_REF);
                assert_int_equal(sent, ODD_N);
                assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
                assert_int_equal(after.tx_reused - before.tx_reused,
                                 ODD_N - 1);
                receive_flat(evpl, back, ODD_N, 70, 0);
                evpl_iovecs_release(evpl, back, ODD_N);
                assert_true(evpl_test_check(evpl_iovec_data(&hold), 70,
                                            (unsigned int) at));
                evpl_iovec_release(evpl, &hold);
                evpl_iovec_release(evpl, &v[ODD_N]);
                break;
            case ODD_EMPTY:
                evpl_iovec_set_length(&v[at], 0);
                sent = evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, ODD_N,
                                               EVPL_DPDK_TAKE_REF);
                assert_int_equal(sent, at);
                assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
                assert_int_equal(after.tx_reused - before.tx_reused, at);
                assert_int_equal(after.tx_dropped - before.tx_dropped,
                                 ODD_N - at);
                receive_flat(evpl, back, at, 70, 0);
                evpl_iovecs_release(evpl, back, at);
                evpl_iovec_release(evpl, &v[ODD_N]);
                break;
            case ODD_CHAIN:
                /* packet at is v[at] and v[ODD_N], two segments */
                for (i = 0; i < ODD_N; i++) {
                    p[i].iov  = &v[i];
                    p[i].niov = 1;
                }
                civ[0] = v[at];
                civ[1] = v[ODD_N];
                p[at].iov  = civ;
                p[at].niov = 2;
                assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, p,
                                                    ODD_N,
                                                    EVPL_DPDK_TAKE_REF),
                                 ODD_N);
                r = evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back,
                                            ODD_N, 0);
                if (at == 0) {
                    assert_int_equal(r, -1);
                    assert_int_equal(errno, EMSGSIZE);
                } else {
                    assert_int_equal(r, at);
                }
                for (i = 0; i < at; i++) {
                    assert_true(evpl_test_check(evpl_iovec_data(&back[i]),
                                                70, (unsigned int) i));
                    evpl_iovec_release(evpl, &back[i]);
                }
                assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, &cp,
                                                    1, civ, 2), 1);
                assert_int_equal(cp.niov, 2);
                assert_true(evpl_test_check(evpl_iovec_data(&civ[0]), 70,
                                            (unsigned int) at));
                assert_true(evpl_test_check(evpl_iovec_data(&civ[1]), 70,
                                            ODD_N));
                evpl_iovecs_release(evpl, civ, 2);
                k = ODD_N - 1 - at;
                receive_flat_from(evpl, back, k, 70, 0,
                                  (unsigned int) at + 1);
                evpl_iovecs_release(evpl, back, k);
                break;
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

/* Four shared iovecs in a row, a whole group of the four-at-a-time loop:
 * none becomes its own mbuf, each is attached. Guards the "refcnt 1" the
 * vector loop compares with (dpdk_glue/tx_vec.h's evpl_tx_vec2_load()):
 * at 2 it would take four held mbufs for free ones (the case above mixes
 * one shared iovec with free ones, which fails either way). */
static void
four_shared_iovecs_are_none_reused(void **state)
{
    struct evpl           *evpl = ctx_of(state);
    struct evpl_dpdk_stats before, after;
    struct evpl_iovec      v[4], hold[4], back[4];
    int                    i;

    make(evpl, v, 4, 1500);
    for (i = 0; i < 4; i++)
        evpl_iovec_clone(&hold[i], &v[i]);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &before), 0);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v, 4,
                                             EVPL_DPDK_TAKE_REF), 4);
    assert_int_equal(evpl_dpdk_stats_get(evpl, &after), 0);
    assert_int_equal(after.tx_reused - before.tx_reused, 0);
    assert_int_equal(after.tx_indirect - before.tx_indirect, 4);
    receive_flat(evpl, back, 4, 1500, 0);
    for (i = 0; i < 4; i++) {
        evpl_iovec_release(evpl, &back[i]);
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&hold[i])), 1);
        evpl_iovec_release(evpl, &hold[i]);
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
    assert_int_equal(after.tx_ext - before.tx_ext, 1);
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

/* One packet through the ring: n iovecs of len bytes, patterned from seed;
 * n 2 makes a chain. */
static void
send_one(struct evpl *evpl, int n, unsigned int len, unsigned int seed)
{
    struct evpl_iovec    v[2];
    struct evpl_dpdk_pkt p = { v, n };
    int                  i;

    for (i = 0; i < n; i++) {
        assert_int_equal(evpl_iovec_alloc(evpl, len, 0, 1, 0, &v[i]), 1);
        evpl_test_fill(v[i].data, len, seed + (unsigned int) i);
    }
    assert_int_equal(evpl_dpdk_tx_burst(evpl, ring_port, 0, &p, 1,
                                        EVPL_DPDK_TAKE_REF), 1);
}

/* The chain kept first for the ring's queue, taken by the general
 * receive. */
static void
take_kept_chain(struct evpl *evpl)
{
    struct evpl_iovec    civ[2];
    struct evpl_dpdk_pkt cp;

    assert_int_equal(evpl_dpdk_rx_burst(evpl, ring_port, 0, &cp, 1, civ, 2),
                     1);
    assert_int_equal(cp.niov, 2);
    evpl_iovecs_release(evpl, civ, 2);
}

/*
 * A kept chain holds back the flat receive of its queue: packets that
 * arrived after it are not taken ahead of it (EMSGSIZE while it is next),
 * then come in order. Guards the driver asked only when nothing of the
 * queue is kept and waiting (dpdk_glue/rx_flat.c).
 */
static void
kept_chain_holds_back_the_flat_receive(void **state)
{
    struct evpl      *evpl = ctx_of(state);
    struct evpl_iovec back[4];

    send_one(evpl, 2, 500, 0);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, 4, 0),
                     -1);
    assert_int_equal(errno, EMSGSIZE);
    send_one(evpl, 1, 80, 7);
    errno = 0;
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, back, 4, 0),
                     -1);
    assert_int_equal(errno, EMSGSIZE);
    take_kept_chain(evpl);
    receive_flat_from(evpl, back, 1, 80, 0, 7);
    evpl_iovec_release(evpl, &back[0]);
}

/*
 * A flat receive that delivers kept packets asks the driver only for what
 * iov can still hold, and not at all once they filled it: nb_pkts iovecs
 * at most. Guards the flat receive's request to the driver (nb_pkts - n,
 * and only when more than 0) (dpdk_glue/rx_flat.c).
 */
static void
flat_receive_after_kept_asks_only_for_what_iov_holds(void **state)
{
    struct evpl                        *evpl = ctx_of(state);
    const struct rte_eth_rxtx_callback *cb;
    unsigned int                        rx_calls = 0;
    struct {
        struct evpl_iovec v[2];
        struct evpl_iovec after[4];
    }                                   a;

    memset(&a, 0, sizeof(a));
    /* A chain and a packet behind it, both kept; the chain taken. */
    send_one(evpl, 2, 500, 0);
    send_one(evpl, 1, 80, 1);
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, a.v, 2, 0),
                     -1);
    take_kept_chain(evpl);
    /* The kept packet fills iov: the driver is not called. */
    assert_non_null(cb = rte_eth_add_rx_callback(ring_port, 0,
                                                 evpl_test_count_rx,
                                                 &rx_calls));
    rx_calls = 0;
    receive_flat_from(evpl, a.v, 1, 80, 0, 1);
    assert_int_equal(rx_calls, 0);
    evpl_iovec_release(evpl, &a.v[0]);
    assert_int_equal(rte_eth_remove_rx_callback(ring_port, 0, cb), 0);
    rte_free((void *) cb);

    /* Again, three more behind; room for two: the kept one and one. */
    send_one(evpl, 2, 500, 0);
    send_one(evpl, 1, 80, 1);
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, a.v, 2, 0),
                     -1);
    take_kept_chain(evpl);
    send_one(evpl, 1, 80, 2);
    send_one(evpl, 1, 80, 3);
    send_one(evpl, 1, 80, 4);
    assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0, a.v, 2, 0),
                     2);
    assert_true(evpl_test_check(evpl_iovec_data(&a.v[0]), 80, 1));
    assert_true(evpl_test_check(evpl_iovec_data(&a.v[1]), 80, 2));
    assert_null(a.after[0].data);
    evpl_iovecs_release(evpl, a.v, 2);
    receive_flat_from(evpl, a.v, 2, 80, 0, 3);
    evpl_iovecs_release(evpl, a.v, 2);
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

/*
 * Four slab ranges in one flat burst, from slabs of 64 KiB: sent by
 * reference (attached), as the scalar step sends a slab range, and back
 * whole. Guards the slab test of the four-at-a-time step
 * (dpdk_glue/tx_vec.h, evpl_tx_vec2_load(), EVPL_IOVEC_F_SLAB_ << 32 in
 * len_slab): the vector loads read a slab's head where an mbuf's reference
 * count would be, and a 64 KiB slab's size reads there as a count of 1,
 * so that without the flag's test the group would be taken as four
 * exclusive mbufs.
 */
static void
slab_ranges_of_64k_slabs_go_attached(void **state)
{
    enum { N = 4 };
    struct evpl_config     cfg;
    unsigned int           len;
    struct evpl_dpdk_stats st;
    struct evpl_iovec      v[N], back[N];
    struct evpl           *e;
    int                    i;

    (void) state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.slab_size = 64u << 10;
    assert_non_null(e = evpl_create(&cfg));
    /* Longer than a segment, and than half a slab: each range is carved
     * from a slab of its own, so that the group's four buffers differ. */
    len = 40000;
    assert_true(len > rte_pktmbuf_data_room_size(evpl_mempool(e)));
    for (i = 0; i < N; i++) {
        assert_int_equal(evpl_iovec_alloc(e, len, 0, 1, 0, &v[i]), 1);
        assert_true(evpl_dpdk_iovec_is_slab(&v[i]));
        assert_true(i == 0 || evpl_iovec_slab_(&v[i]) !=
                    evpl_iovec_slab_(&v[i - 1]));
        evpl_test_fill(v[i].data, len, (unsigned int) i);
    }
    evpl_dpdk_stats_reset(e);
    assert_int_equal(evpl_dpdk_tx_burst_flat(e, ring_port, 0, v, N, 0), N);
    evpl_dpdk_stats_get(e, &st);
    assert_int_equal(st.tx_pkts, N);
    assert_int_equal(st.tx_reused, 0);
    receive_flat(e, back, N, len, 0);
    evpl_iovecs_release(e, back, N);
    for (i = 0; i < N; i++)
        assert_true(evpl_test_check(v[i].data, len, (unsigned int) i));
    evpl_iovecs_release(e, v, N);
    evpl_destroy(e);
}

/*
 * A flat burst of the first send of n exclusive iovecs (n at most 128):
 * send sent, send arriving and no more, and all n iovecs as they were,
 * their mbufs' counts back at 1.
 */
static void
burst_part_of_an_array(struct evpl *evpl, int n, int send, unsigned int len)
{
    static struct evpl_iovec v[128], back[128];
    int                      i, spins;

    assert_true(n <= (int) RTE_DIM(v) && send < n);
    make(evpl, v, n, len);
    assert_int_equal(evpl_dpdk_tx_burst_flat(evpl, ring_port, 0, v,
                                             (uint16_t) send, 0), send);
    receive_flat(evpl, back, send, len, 0);
    for (spins = 0; spins < 1000; spins++)
        assert_int_equal(evpl_dpdk_rx_burst_flat(evpl, ring_port, 0,
                                                 back + send, 1, 0), 0);
    evpl_iovecs_release(evpl, back, send);
    for (i = 0; i < n; i++) {
        assert_int_equal(rte_mbuf_refcnt_read(evpl_test_mbuf(&v[i])), 1);
        assert_int_equal(evpl_iovec_length(&v[i]), len);
        assert_true(evpl_test_check(v[i].data, len, (unsigned int) i));
    }
    evpl_iovecs_release(evpl, v, n);
}

/*
 * A flat burst of 5 from an array of 8: the group of four takes the first
 * four, the fifth goes alone, and the three past the count are not read.
 * Guards the bound of the four-at-a-time step (dpdk_glue/tx_loop.h,
 * evpl_tx_own_run(), "i + 4 <= n"): a bound that lets a group start past
 * n - 4 ("i + 3 <= n") takes the iovecs after the burst's last.
 */
static void
group_of_four_stops_at_the_count(void **state)
{
    burst_part_of_an_array(ctx_of(state), 8, 5, 200);
}

/*
 * A flat burst longer than the transmit loop's chunk (EVPL_TX_CHUNK, 64
 * packets: converted and handed to the driver a chunk at a time): 70 of an
 * array of 128. Guards the loop's chunks (dpdk_glue/tx_loop.h,
 * evpl_tx_loop()): the last chunk is what is left ("nb_pkts - done"), and
 * a chunk the driver took whole goes on to the next ("sent < want").
 */
static void
burst_longer_than_a_chunk_goes_whole(void **state)
{
    burst_part_of_an_array(ctx_of(state), 128, 70, 64);
}

static const struct CMUnitTest cases[] = {
    CASE(round_trips),
    CASE(every_burst_size_round_trips),
    CASE(transmit_resets_what_the_driver_reads),
    CASE(an_odd_packet_at_every_place),
    CASE(shared_iovecs_take_the_general_path),
    CASE(four_shared_iovecs_are_none_reused),
    CASE(slab_iovec_takes_the_general_path),
    CASE(empty_iovec_stops_the_burst_and_is_released),
    CASE(chain_is_kept_for_the_general_receive),
    CASE(kept_chain_holds_back_the_flat_receive),
    CASE(flat_receive_after_kept_asks_only_for_what_iov_holds),
    CASE(bad_arguments_are_einval_and_move_nothing),
    CASE(slab_ranges_of_64k_slabs_go_attached),
    CASE(group_of_four_stops_at_the_count),
    CASE(burst_longer_than_a_chunk_goes_whole),
};

EVPL_TEST_MAIN("flat", cases, .eal.vdevs = EVPL_TEST_LIST("net_ring0"),
               .ports = EVPL_TEST_PORTS(&ring_port))
