/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The forwarding lcores: one loop per mode, each polling its streams until
 * the main lcore clears tp_running. Every mode but io goes through evpl
 * iovecs; every packet is accounted as transmitted or dropped, so that at
 * the end rx x fanout + generated = tx + dropped.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "testpmd.h"

/* Pipeline ring entry: one segment of a packet and where it goes. */
struct tp_ring_elem {
    struct evpl_iovec iov;
    uint16_t          port, queue;
    uint16_t          left; /* segments of the same packet after this one */
    uint16_t          pad;
};

#define TP_RX_IOV   (TP_MAX_BURST * TP_RX_IOV_PER_PKT)
#define TP_OUT_IOV  (TP_MAX_BURST * TP_MAX_TXSEGS)

/* An lcore's context and buffers, made once when it starts. */
struct tp_worker {
    struct tp_lcore         *lc;
    struct evpl             *evpl;
    struct tp_port_counters *cnt;
    unsigned int             burst;
    struct rte_mbuf         *mbufs[TP_MAX_BURST];
    struct evpl_dpdk_pkt     pkts[TP_MAX_BURST];
    struct evpl_dpdk_pkt     out[TP_MAX_BURST];
    struct evpl_iovec        iov[TP_RX_IOV];
    struct evpl_iovec        out_iov[TP_OUT_IOV];
    struct tp_ring_elem      elems[2 * TP_RX_IOV];
};

volatile int tp_running;

/* Counters are written by their lcore only and read by the main lcore
 * while forwarding runs: relaxed atomics, plain moves on x86. */
static inline void
tp_add(uint64_t *c, uint64_t v)
{
    __atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

static inline int
tp_keep_running(void)
{
    return __atomic_load_n(&tp_running, __ATOMIC_RELAXED);
}

static inline void
tp_pkts_release(struct tp_worker *w, struct evpl_dpdk_pkt *p, unsigned int n)
{
    unsigned int i;

    for (i = 0; i < n; i++)
        evpl_iovecs_release(w->evpl, p[i].iov, p[i].niov);
}

/* Transmit n packets of iovecs on port; the library owns them afterwards
 * and releases what the driver did not take. */
static inline void
tp_tx(struct tp_worker *w, uint16_t port, uint16_t queue,
      struct evpl_dpdk_pkt *p, unsigned int n)
{
    int sent;

    if (n == 0)
        return;
    sent = evpl_dpdk_tx_burst(w->evpl, port, queue, p, (uint16_t) n,
                              EVPL_DPDK_TAKE_REF);
    if (unlikely(sent < 0)) {
        /* EINVAL: nothing was taken, the iovecs are still ours. */
        tp_pkts_release(w, p, n);
        sent = 0;
    }
    tp_add(&w->cnt[port].tx, (uint64_t) sent);
    if (unlikely((unsigned int) sent < n))
        tp_add(&w->cnt[port].dropped, n - (unsigned int) sent);
}

static inline int
tp_rx(struct tp_worker *w, const struct tp_stream *s, unsigned int flags)
{
    int n;

    n = evpl_dpdk_rx_burst_flags(w->evpl, s->rx_port, s->queue, w->pkts,
                                 (uint16_t) w->burst, w->iov, TP_RX_IOV,
                                 flags);
    if (unlikely(n < 0)) {
        /* ENOSPC: a chain longer than the iovec array; it stays queued
         * in the context, so the stream stalls: say so once. */
        if (!w->lc->failed)
            fprintf(stderr, "evpl-testpmd: lcore %u: rx on port %u queue %u: "
                    "%s\n", w->lc->lcore_id, s->rx_port, s->queue,
                    strerror(errno));
        w->lc->failed = 1;
        return 0;
    }
    if (n > 0)
        tp_add(&w->cnt[s->rx_port].rx, (uint64_t) n);
    return n;
}

/* ---- io: plain mbufs, the in-binary baseline ------------------------- */

static inline void
tp_fwd_io(struct tp_worker *w, const struct tp_stream *s)
{
    uint16_t nb, sent;

    nb = rte_eth_rx_burst(s->rx_port, s->queue, w->mbufs,
                          (uint16_t) w->burst);
    if (nb == 0)
        return;
    sent = rte_eth_tx_burst(s->tx_port, s->queue, w->mbufs, nb);
    if (unlikely(sent < nb)) {
        rte_pktmbuf_free_bulk(&w->mbufs[sent], nb - sent);
        tp_add(&w->cnt[s->tx_port].dropped, nb - sent);
    }
    tp_add(&w->cnt[s->rx_port].rx, nb);
    tp_add(&w->cnt[s->tx_port].tx, sent);
}

/* ---- iovec: the library's round trip ------------------------------- */

/* The common packet, one segment, by the flat bursts: one iovec per packet
 * and no struct evpl_dpdk_pkt to write and read back. A chain makes the flat
 * receive fail with EMSGSIZE (it stays queued in the context, in order);
 * the general burst then takes it and whatever follows it in its burst. */
static inline void
tp_fwd_iovec(struct tp_worker *w, const struct tp_stream *s)
{
    int n, sent;

    n = evpl_dpdk_rx_burst_flat(w->evpl, s->rx_port, s->queue, w->iov,
                                (uint16_t) w->burst, 0);
    if (unlikely(n <= 0)) {
        if (n < 0 && errno == EMSGSIZE) {
            n = tp_rx(w, s, 0);
            tp_tx(w, s->tx_port, s->queue, w->pkts, (unsigned int) n);
        } else if (n < 0 && !w->lc->failed) {
            fprintf(stderr, "evpl-testpmd: lcore %u: rx on port %u queue %u: "
                    "%s\n", w->lc->lcore_id, s->rx_port, s->queue,
                    strerror(errno));
            w->lc->failed = 1;
        }
        return;
    }
    tp_add(&w->cnt[s->rx_port].rx, (uint64_t) n);
    sent = evpl_dpdk_tx_burst_flat(w->evpl, s->tx_port, s->queue, w->iov,
                                   (uint16_t) n, EVPL_DPDK_TAKE_REF);
    if (unlikely(sent < 0)) {
        /* EINVAL: nothing was taken, the iovecs are still ours. */
        evpl_iovecs_release(w->evpl, w->iov, n);
        sent = 0;
    }
    tp_add(&w->cnt[s->tx_port].tx, (uint64_t) sent);
    if (unlikely(sent < n))
        tp_add(&w->cnt[s->tx_port].dropped, (uint64_t) (n - sent));
}

/* ---- mac, macswap: header edits through the iovecs ------------------- */

static inline struct rte_ether_hdr *
tp_eth(const struct evpl_dpdk_pkt *p)
{
    if (unlikely(evpl_iovec_length(&p->iov[0]) < sizeof(struct rte_ether_hdr)))
        return NULL;
    return evpl_iovec_data(&p->iov[0]);
}

static inline void
tp_fwd_mac(struct tp_worker *w, const struct tp_stream *s)
{
    struct rte_ether_hdr *eth;
    int                   n = tp_rx(w, s, 0), i;

    for (i = 0; i < n; i++) {
        eth = tp_eth(&w->pkts[i]);
        if (eth == NULL)
            continue;
        rte_ether_addr_copy(&tp.peer_mac[s->tx_port], &eth->dst_addr);
        rte_ether_addr_copy(&tp.mac[s->tx_port], &eth->src_addr);
    }
    tp_tx(w, s->tx_port, s->queue, w->pkts, (unsigned int) n);
}

static inline void
tp_macswap(struct rte_ether_hdr *eth)
{
    struct rte_ether_addr a = eth->dst_addr;

    eth->dst_addr = eth->src_addr;
    eth->src_addr = a;
}

static inline void
tp_fwd_macswap(struct tp_worker *w, const struct tp_stream *s)
{
    struct rte_ether_hdr *eth;
    int                   n = tp_rx(w, s, 0), i;

    for (i = 0; i < n; i++) {
        eth = tp_eth(&w->pkts[i]);
        if (eth != NULL)
            tp_macswap(eth);
    }
    tp_tx(w, s->tx_port, s->queue, w->pkts, (unsigned int) n);
}

/* ---- rxonly ----------------------------------------------------------- */

/* Whether a packet is what txonly writes: Ethernet, IPv4 with a good
 * header checksum and lengths that match the packet, UDP. */
static int
tp_is_ipv4_udp(const struct evpl_dpdk_pkt *p)
{
    const struct rte_ether_hdr *eth;
    const struct rte_ipv4_hdr  *ip;
    const struct rte_udp_hdr   *udp;
    unsigned int                len = 0;
    int                         j;

    if (evpl_iovec_length(&p->iov[0]) < TP_HDR_LEN)
        return 0;
    for (j = 0; j < p->niov; j++)
        len += evpl_iovec_length(&p->iov[j]);
    eth = evpl_iovec_data(&p->iov[0]);
    ip  = (const struct rte_ipv4_hdr *) (eth + 1);
    udp = (const struct rte_udp_hdr *) (ip + 1);
    return eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
           ip->version_ihl == RTE_IPV4_VHL_DEF &&
           ip->next_proto_id == IPPROTO_UDP &&
           rte_ipv4_cksum(ip) == 0 &&
           rte_be_to_cpu_16(ip->total_length) == len - sizeof(*eth) &&
           rte_be_to_cpu_16(udp->dgram_len) ==
           len - sizeof(*eth) - sizeof(*ip);
}

static inline void
tp_fwd_rxonly(struct tp_worker *w, const struct tp_stream *s)
{
    unsigned int valid = 0;
    int          n = tp_rx(w, s, 0), i;

    for (i = 0; i < n; i++)
        valid += (unsigned int) tp_is_ipv4_udp(&w->pkts[i]);
    if (valid > 0)
        tp_add(&w->cnt[s->rx_port].rx_ipv4_udp, valid);
    tp_pkts_release(w, w->pkts, (unsigned int) n);
}

/* ---- txonly ----------------------------------------------------------- */

/* One burst of fresh packets for port: each --txpkts segment its own
 * allocation, the headers copied from the port's template. */
static inline void
tp_txonly_burst(struct tp_worker *w, uint16_t port, uint16_t queue)
{
    const struct tp_args *a = &tp.args;
    struct evpl_iovec    *v;
    unsigned int          i, k, nseg = a->nb_txpkts;

    if (nseg == 1) {
        /* The common case, without the loop over segments. */
        for (i = 0; i < w->burst; i++) {
            v = &w->out_iov[i];
            if (unlikely(evpl_iovec_alloc(w->evpl, a->txpkts[0], 0, 1, 0,
                                          v) != 1))
                break;
            memcpy(evpl_iovec_data(v), tp.hdr[port], TP_HDR_LEN);
            w->out[i].iov  = v;
            w->out[i].niov = 1;
        }
        goto send;
    }
    for (i = 0; i < w->burst; i++) {
        v = &w->out_iov[i * nseg];
        for (k = 0; k < nseg; k++) {
            if (unlikely(evpl_iovec_alloc(w->evpl, a->txpkts[k], 0, 1, 0,
                                          &v[k]) != 1)) {
                evpl_iovecs_release(w->evpl, v, (int) k);
                goto send;
            }
        }
        memcpy(evpl_iovec_data(&v[0]), tp.hdr[port], TP_HDR_LEN);
        w->out[i].iov  = v;
        w->out[i].niov = (int) nseg;
    }
 send:
    /* Allocation failures are the pool running dry: fewer packets. */
    tp_add(&w->cnt[port].generated, i);
    tp_tx(w, port, queue, w->out, i);
}

static inline void
tp_fwd_txonly(struct tp_worker *w, const struct tp_stream *s)
{
    tp_txonly_burst(w, s->tx_port, s->queue);
}

/* ---- clone: every packet out of every port, by reference --------------- */

static inline void
tp_fwd_clone(struct tp_worker *w, const struct tp_stream *s)
{
    struct evpl_dpdk_pkt *p, *o;
    unsigned int          k, used, last;
    int                   n = tp_rx(w, s, 0), i, j;

    if (n == 0)
        return;
    for (k = 0; k < tp.nb_ports; k++) {
        last = k + 1 == tp.nb_ports;
        used = 0;
        for (i = 0; i < n; i++) {
            p       = &w->pkts[i];
            o       = &w->out[i];
            o->iov  = &w->out_iov[used];
            o->niov = p->niov;
            /* The last port takes the received references themselves. */
            for (j = 0; j < p->niov; j++) {
                if (last)
                    evpl_iovec_move(&o->iov[j], &p->iov[j]);
                else
                    evpl_iovec_clone(&o->iov[j], &p->iov[j]);
            }
            used += (unsigned int) p->niov;
        }
        tp_tx(w, tp.ports[k], s->queue, w->out, (unsigned int) n);
    }
}

/* ---- split: a fresh header in front of a range of the payload --------- */

static inline void
tp_fwd_split(struct tp_worker *w, const struct tp_stream *s)
{
    struct evpl_dpdk_pkt *p, *o;
    struct evpl_iovec    *first;
    unsigned int          used = 0, nout = 0, hlen, flen, dropped = 0;
    int                   n = tp_rx(w, s, 0), i, j, m;

    for (i = 0; i < n; i++) {
        p     = &w->pkts[i];
        o     = &w->out[nout];
        first = &p->iov[0];
        flen  = evpl_iovec_length(first);
        hlen  = RTE_MIN(flen, TP_HDR_LEN);
        o->iov = &w->out_iov[used];
        if (unlikely(evpl_iovec_alloc(w->evpl, hlen, 0, 1, 0, o->iov) != 1)) {
            evpl_iovecs_release(w->evpl, p->iov, p->niov);
            dropped++;
            continue;
        }
        memcpy(evpl_iovec_data(o->iov), evpl_iovec_data(first), hlen);
        if (hlen >= sizeof(struct rte_ether_hdr))
            tp_macswap(evpl_iovec_data(o->iov));
        m = 1;
        if (flen > hlen)
            evpl_iovec_clone_segment(&o->iov[m++], first, hlen, flen - hlen);
        evpl_iovec_release(w->evpl, first);
        for (j = 1; j < p->niov; j++)
            evpl_iovec_move(&o->iov[m++], &p->iov[j]);
        o->niov = m;
        used   += (unsigned int) m;
        nout++;
    }
    if (unlikely(dropped > 0))
        tp_add(&w->cnt[s->tx_port].dropped, dropped);
    tp_tx(w, s->tx_port, s->queue, w->out, nout);
}

/* ---- pipeline: SHARED iovecs from an RX lcore to a TX lcore ----------- */

static inline void
tp_pipe_rx(struct tp_worker *w, const struct tp_stream *s)
{
    struct rte_ring *r = w->lc->ring;
    unsigned int     nel = 0, room, dropped = 0;
    int              n, i, j;

    /* SHARED: the TX lcore transmits them, and the driver frees them,
     * on another lcore than this one. */
    n = tp_rx(w, s, EVPL_IOVEC_FLAG_SHARED);
    if (n == 0)
        return;
    room = rte_ring_free_count(r);
    for (i = 0; i < n; i++) {
        const struct evpl_dpdk_pkt *p = &w->pkts[i];

        /* Whole packets only: the consumer never sees half of one. */
        if ((unsigned int) p->niov > room - nel) {
            evpl_iovecs_release(w->evpl, p->iov, p->niov);
            dropped++;
            continue;
        }
        for (j = 0; j < p->niov; j++) {
            evpl_iovec_move(&w->elems[nel].iov, &p->iov[j]);
            w->elems[nel].port  = s->tx_port;
            w->elems[nel].queue = s->queue;
            w->elems[nel].left = (uint16_t) (p->niov - 1 - j);
            nel++;
        }
    }
    if (nel > 0)
        rte_ring_enqueue_bulk_elem(r, w->elems, sizeof(w->elems[0]), nel,
                                   NULL);
    if (unlikely(dropped > 0))
        tp_add(&w->cnt[s->tx_port].dropped, dropped);
}

/* Take up to burst entries, completed to a packet boundary (a packet's
 * entries were enqueued together, so the rest is there). */
static inline unsigned int
tp_pipe_take(struct tp_worker *w, struct rte_ring *r)
{
    unsigned int n;

    n = rte_ring_dequeue_burst_elem(r, w->elems, sizeof(w->elems[0]),
                                    w->burst, NULL);
    if (n > 0 && w->elems[n - 1].left > 0)
        n += rte_ring_dequeue_bulk_elem(r, &w->elems[n], sizeof(w->elems[0]),
                                        w->elems[n - 1].left, NULL);
    return n;
}

/* Transmit n ring entries, one burst per run of packets to one queue. */
static inline void
tp_pipe_send(struct tp_worker *w, unsigned int n)
{
    unsigned int e, npkt = 0, used = 0;
    uint16_t     port = w->elems[0].port, queue = w->elems[0].queue;
    int          starts = 1; /* the next entry begins a packet */

    for (e = 0; e < n; e++) {
        struct tp_ring_elem *el = &w->elems[e];

        if (starts) {
            if (el->port != port || el->queue != queue) {
                tp_tx(w, port, queue, w->out, npkt);
                npkt  = 0;
                used  = 0;
                port  = el->port;
                queue = el->queue;
            }
            w->out[npkt].iov  = &w->out_iov[used];
            w->out[npkt].niov = 0;
            npkt++;
        }
        evpl_iovec_move(&w->out_iov[used++], &el->iov);
        w->out[npkt - 1].niov++;
        starts = el->left == 0;
    }
    tp_tx(w, port, queue, w->out, npkt);
}

static inline void
tp_pipe_tx(struct tp_worker *w)
{
    unsigned int n = tp_pipe_take(w, w->lc->peer->ring);

    if (n > 0)
        tp_pipe_send(w, n);
}

/* After the stop: what the RX stage left in the ring is freed unsent. */
static void
tp_pipe_drain(struct tp_worker *w)
{
    struct rte_ring *r = w->lc->peer->ring;
    unsigned int     n, e;

    while (!__atomic_load_n(&w->lc->peer->rx_done, __ATOMIC_ACQUIRE))
        rte_pause();
    while ((n = tp_pipe_take(w, r)) > 0) {
        for (e = 0; e < n; e++) {
            if (w->elems[e].left == 0)
                tp_add(&w->cnt[w->elems[e].port].dropped, 1);
            evpl_iovec_release(w->evpl, &w->elems[e].iov);
        }
    }
}

/* ---- the lcore loop --------------------------------------------------- */

/* Poll the lcore's streams with one mode until told to stop; the mode is
 * a constant at each call, so every loop is specialised. */
static __rte_always_inline void
tp_poll(struct tp_worker *w,
        void (*fwd)(struct tp_worker *, const struct tp_stream *))
{
    const struct tp_lcore *lc = w->lc;
    unsigned int           i;

    while (tp_keep_running())
        for (i = 0; i < lc->nb_streams; i++)
            fwd(w, &lc->streams[i]);
}

static void
tp_poll_pipe_tx(struct tp_worker *w)
{
    while (tp_keep_running())
        tp_pipe_tx(w);
    tp_pipe_drain(w);
}

static void
tp_tx_first(struct tp_worker *w)
{
    const struct tp_lcore *src = w->lc;
    unsigned int           i;

    if (src->role == TP_ROLE_PIPE_RX)
        return;
    if (src->role == TP_ROLE_PIPE_TX)
        src = src->peer;
    for (i = 0; i < src->nb_streams; i++)
        tp_txonly_burst(w, src->streams[i].tx_port, src->streams[i].queue);
}

int
tp_lcore_main(void *arg)
{
    struct tp_lcore   *lc = arg;
    struct tp_worker  *w;
    struct evpl_config cfg;
    unsigned int       i;

    w = rte_zmalloc_socket("tp_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
                           (int) rte_socket_id());
    if (w == NULL) {
        lc->failed = 1;
        return -1;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool        = tp.pool;
    /* clone fans out by reference, not by copy, unless told otherwise. */
    cfg.tx_copy_max = tp.args.tx_copy_max ? tp.args.tx_copy_max :
                      tp.args.mode == TP_MODE_CLONE ? 1 : 0;
    w->lc    = lc;
    w->cnt   = lc->cnt;
    w->burst = tp.args.burst;
    w->evpl  = evpl_create(&cfg);
    if (w->evpl == NULL) {
        fprintf(stderr, "evpl-testpmd: lcore %u: evpl_create: %s\n",
                lc->lcore_id, strerror(errno));
        lc->failed = 1;
        rte_free(w);
        return -1;
    }

    /* start tx_first N: N bursts first (--tx-first, start tx_first: 1). */
    for (i = 0; i < (unsigned int) tp.run_tx_first; i++)
        tp_tx_first(w);

    switch (lc->role == TP_ROLE_FWD ? tp.args.mode : TP_MODE_PIPELINE) {
    case TP_MODE_IO:       tp_poll(w, tp_fwd_io); break;
    case TP_MODE_IOVEC:    tp_poll(w, tp_fwd_iovec); break;
    case TP_MODE_MAC:      tp_poll(w, tp_fwd_mac); break;
    case TP_MODE_MACSWAP:  tp_poll(w, tp_fwd_macswap); break;
    case TP_MODE_TXONLY:   tp_poll(w, tp_fwd_txonly); break;
    case TP_MODE_RXONLY:   tp_poll(w, tp_fwd_rxonly); break;
    case TP_MODE_CLONE:    tp_poll(w, tp_fwd_clone); break;
    case TP_MODE_SPLIT:    tp_poll(w, tp_fwd_split); break;
    case TP_MODE_PIPELINE:
        if (lc->role == TP_ROLE_PIPE_RX) {
            tp_poll(w, tp_pipe_rx);
            __atomic_store_n(&lc->rx_done, 1, __ATOMIC_RELEASE);
        } else {
            tp_poll_pipe_tx(w);
        }
        break;
    case TP_MODE_COUNT:
        break;
    }

    evpl_dpdk_stats_get(w->evpl, &lc->evpl_stats);
    evpl_destroy(w->evpl);
    rte_free(w);
    return 0;
}

int
tp_pipeline_rings(struct tp_app *app)
{
    char         name[RTE_RING_NAMESIZE];
    unsigned int i;

    for (i = 0; i < app->nb_lcores; i++) {
        struct tp_lcore *lc = &app->lcores[i];

        if (lc->role != TP_ROLE_PIPE_RX)
            continue;
        snprintf(name, sizeof(name), "tp_pipe_%u", lc->lcore_id);
        lc->ring = rte_ring_create_elem(name, sizeof(struct tp_ring_elem),
                                        TP_RING_SIZE, (int) rte_socket_id(),
                                        RING_F_SP_ENQ | RING_F_SC_DEQ);
        if (lc->ring == NULL)
            return -1;
    }
    return 0;
}

void
tp_txonly_headers(struct tp_app *app)
{
    const struct tp_args *a = &app->args;
    struct rte_ether_hdr *eth;
    struct rte_ipv4_hdr  *ip;
    struct rte_udp_hdr   *udp;
    unsigned int          k;
    uint16_t              port;

    for (k = 0; k < app->nb_ports; k++) {
        port = app->ports[k];
        eth  = (struct rte_ether_hdr *) app->hdr[port];
        ip   = (struct rte_ipv4_hdr *) (eth + 1);
        udp  = (struct rte_udp_hdr *) (ip + 1);
        memset(app->hdr[port], 0, TP_HDR_LEN);

        rte_ether_addr_copy(&app->peer_mac[port], &eth->dst_addr);
        rte_ether_addr_copy(&app->mac[port], &eth->src_addr);
        eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

        /* testpmd's txonly addresses and ports: 198.18.0.1 -> 198.18.0.2,
         * UDP 9 -> 9 (discard). The addresses are spelt out: 22.11's
         * RTE_IPV4() shifts an int past its sign bit for them. */
        ip->version_ihl   = RTE_IPV4_VHL_DEF;
        ip->time_to_live  = 64;
        ip->next_proto_id = IPPROTO_UDP;
        ip->total_length  = rte_cpu_to_be_16((uint16_t) (a->tx_pkt_len -
                                             sizeof(*eth)));
        ip->src_addr      = rte_cpu_to_be_32(UINT32_C(0xc6120001));
        ip->dst_addr      = rte_cpu_to_be_32(UINT32_C(0xc6120002));
        ip->hdr_checksum  = rte_ipv4_cksum(ip);

        udp->src_port    = rte_cpu_to_be_16(9);
        udp->dst_port    = rte_cpu_to_be_16(9);
        udp->dgram_len   = rte_cpu_to_be_16((uint16_t) (a->tx_pkt_len -
                                            sizeof(*eth) - sizeof(*ip)));
        udp->dgram_cksum = 0; /* optional in IPv4 */
    }
}
