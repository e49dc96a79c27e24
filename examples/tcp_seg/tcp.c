/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * A minimal TCP sender, enough for a kernel's listening socket to accept
 * a connection and read a stream from it: SYN with an MSS option,
 * SYN-ACK, ACK; the stream cut by tseg_tcp4() within the peer's window
 * (no window scaling, no timestamps, no SACK are offered, so none are
 * used); a go-back-N resend from the first unacknowledged byte after
 * 200 ms without progress; FIN on the last segment; the peer's FIN
 * acknowledged. No congestion control beyond the peer's window: it is
 * for a link to a host next door, not for the Internet.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "pkt.h"
#include "tcp_seg.h"
#include "tcpseg.h"

#define RTO_MS      200u
#define MAX_STALLS  50u  /* timeouts without progress before giving up */
#define SEG_MAX     64u  /* segments sent at a time */
#define HDR_MAX     (PKT_L2_LEN + 20 + 24)

#define SEQ_LT(a, b)  ((int32_t) ((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t) ((a) - (b)) <= 0)

struct tcp {
    struct evpl          *evpl;
    uint16_t              port;
    const struct tcp_job *job;
    struct tcp_result    *res;
    struct fault          fault;
    struct evpl_iovec     buf;     /* the send buffer */
    uint8_t               hdr[HDR_MAX];
    uint32_t              iss, snd_una, snd_nxt, snd_max, snd_wnd, rcv_nxt;
    uint16_t              id;
    unsigned int          mss;
    int                   syn_acked, fin_rcvd, rst;
};

/* The template of a segment: Ethernet, IPv4 (don't fragment), TCP with
 * flags and seq; a SYN carries the MSS option. Returns its length. */
static unsigned int
tcp_header(
    struct tcp *t,
    uint8_t     flags,
    uint32_t    seq)
{
    struct rte_ipv4_hdr *ip  = (struct rte_ipv4_hdr *) (t->hdr + PKT_L2_LEN);
    struct rte_tcp_hdr  *th  = (struct rte_tcp_hdr *) (ip + 1);
    unsigned int         len = flags & RTE_TCP_SYN_FLAG ? 24 : 20;
    uint8_t             *opt = (uint8_t *) (th + 1);

    app_l2_l3(t->hdr, &t->job->src, &t->job->dst, IPPROTO_TCP, t->id);
    ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
    memset(th, 0, sizeof(*th));
    th->src_port  = rte_cpu_to_be_16(t->job->src.port);
    th->dst_port  = rte_cpu_to_be_16(t->job->dst.port);
    th->sent_seq  = rte_cpu_to_be_32(seq);
    th->recv_ack  = flags & RTE_TCP_ACK_FLAG ? rte_cpu_to_be_32(t->rcv_nxt) :
                    0;
    th->data_off  = (uint8_t) ((len / 4) << 4);
    th->tcp_flags = flags;
    th->rx_win    = rte_cpu_to_be_16(UINT16_MAX);
    if (len > 20) {
        opt[0] = 2; /* maximum segment size */
        opt[1] = 4;
        opt[2] = (uint8_t) (t->job->mss >> 8);
        opt[3] = (uint8_t) t->job->mss;
    }
    return PKT_L2_LEN + 20 + len;
}

/* Send len bytes of the buffer from off as segments (or the header
 * alone for len 0), through the faults. */
static int
tcp_output(
    struct tcp  *t,
    uint8_t      flags,
    uint32_t     seq,
    unsigned int off,
    unsigned int len)
{
    static struct evpl_dpdk_pkt pkts[SEG_MAX * FAULT_OUT_MAX];
    static struct evpl_iovec    iov[SEG_MAX * 3];
    static struct fault_pkt     net[SEG_MAX * FAULT_OUT_MAX];
    unsigned int                hlen = tcp_header(t, flags, seq), what, n = 0;
    int                         nseg, k, j;

    nseg = tseg_tcp4(t->evpl, t->hdr, PKT_L2_LEN, hlen, &t->buf, 1, off, len,
                     t->mss, 0, pkts, SEG_MAX, iov, RTE_DIM(iov));
    if (nseg < 0)
        return -1;
    t->id           += (uint16_t) nseg;
    t->res->segments += (uint64_t) nseg;
    for (k = 0; k < nseg; k++) {
        j  = fault_pass(&t->fault, t->evpl, pkts[k].iov, pkts[k].niov,
                        &net[n], &what);
        n += j > 0 ? (unsigned int) j : 0;
    }
    n += (unsigned int) fault_flush(&t->fault, &net[n]);
    for (k = 0; k < (int) n; k++) {
        pkts[k].iov  = net[k].iov;
        pkts[k].niov = net[k].niov;
    }
    app_send(t->evpl, t->port, pkts, n);
    return 0;
}

/* The peer's MSS option of a SYN-ACK, or 536 (RFC 9293's default). */
static unsigned int
tcp_peer_mss(const struct rte_tcp_hdr *th)
{
    const uint8_t *o   = (const uint8_t *) (th + 1);
    const uint8_t *end = (const uint8_t *) th + (th->data_off >> 4) * 4;

    while (o < end && *o != 0) {
        if (*o == 1) {
            o++;
            continue;
        }
        if (end - o < 2 || o[1] < 2 || o[1] > end - o)
            break;
        if (o[0] == 2 && o[1] == 4)
            return (unsigned int) o[2] << 8 | o[3];
        o += o[1];
    }
    return 536;
}

/* One received frame: the peer's segments of this connection. */
static void
tcp_input(
    struct tcp        *t,
    struct evpl_iovec *v,
    int                n)
{
    const struct rte_ether_hdr *eth = evpl_iovec_data(&v[0]);
    const struct rte_ipv4_hdr  *ip  = pkt_ip(&v[0], PKT_L2_LEN);
    const struct rte_tcp_hdr   *th;
    unsigned int                hlen, dlen;
    uint32_t                    seq, ack;

    if (evpl_iovec_length(&v[0]) < PKT_L2_LEN + 40 ||
        eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
        ip->next_proto_id != IPPROTO_TCP || ip->src_addr != t->job->dst.ip)
        goto done;
    hlen = rte_ipv4_hdr_len(ip);
    th   = (const struct rte_tcp_hdr *) ((const char *) ip + hlen);
    if (evpl_iovec_length(&v[0]) < PKT_L2_LEN + hlen + sizeof(*th) ||
        th->src_port != rte_cpu_to_be_16(t->job->dst.port) ||
        th->dst_port != rte_cpu_to_be_16(t->job->src.port))
        goto done;
    seq  = rte_be_to_cpu_32(th->sent_seq);
    ack  = rte_be_to_cpu_32(th->recv_ack);
    dlen = rte_be_to_cpu_16(ip->total_length) - hlen -
           (th->data_off >> 4) * 4u;
    if (th->tcp_flags & RTE_TCP_RST_FLAG) {
        t->rst = 1;
        goto done;
    }
    if (!t->syn_acked) {
        if ((th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
            (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) && ack == t->iss + 1) {
            t->rcv_nxt       = seq + 1;
            t->snd_wnd       = rte_be_to_cpu_16(th->rx_win);
            t->res->peer_mss = tcp_peer_mss(th);
            t->mss           = RTE_MIN(t->job->mss, t->res->peer_mss);
            t->syn_acked     = 1;
        }
        goto done;
    }
    if (th->tcp_flags & RTE_TCP_ACK_FLAG) {
        t->snd_wnd = rte_be_to_cpu_16(th->rx_win);
        if (SEQ_LT(t->snd_una, ack) && SEQ_LEQ(ack, t->snd_max)) {
            t->snd_una = ack;
            if (SEQ_LT(t->snd_nxt, ack))
                t->snd_nxt = ack;
            t->res->acks++;
        }
    }
    if (th->tcp_flags & RTE_TCP_SYN_FLAG) {
        /* Our handshake ACK was lost: say it again. */
        tcp_output(t, RTE_TCP_ACK_FLAG, t->snd_nxt, 0, 0);
    } else if (th->tcp_flags & RTE_TCP_FIN_FLAG) {
        if (seq + dlen == t->rcv_nxt) {
            t->rcv_nxt  = seq + dlen + 1;
            t->fin_rcvd = 1;
        }
        /* Acknowledge it, and again if the peer sends it again. */
        tcp_output(t, RTE_TCP_ACK_FLAG, t->snd_nxt, 0, 0);
    }
 done:
    evpl_iovecs_release(t->evpl, v, n);
}

static void
tcp_poll(struct tcp *t)
{
    static struct evpl_iovec iov[32 * 8];
    struct evpl_dpdk_pkt     pkts[32];
    struct fault_pkt         held;
    int                      n, i;

    n = evpl_dpdk_rx_burst(t->evpl, t->port, 0, pkts, 32, iov, RTE_DIM(iov));
    for (i = 0; i < n; i++)
        tcp_input(t, pkts[i].iov, pkts[i].niov);
    /* A segment the faults held back goes out when nothing else does. */
    if (n <= 0 && fault_flush(&t->fault, &held)) {
        struct evpl_dpdk_pkt p = { held.iov, held.niov };

        app_send(t->evpl, t->port, &p, 1);
    }
}

/* Send what the peer's window has room for. */
static int
tcp_push(
    struct tcp *t,
    uint32_t    end)
{
    uint32_t     wnd = RTE_MIN(t->snd_wnd, (uint32_t) UINT16_MAX);
    uint32_t     inflight = t->snd_nxt - t->snd_una, len;
    unsigned int off;
    int          fin;

    if (!SEQ_LT(t->snd_nxt, end + 1) || inflight >= wnd)
        return 0;
    len = RTE_MIN(wnd - inflight, end - t->snd_nxt);
    len = RTE_MIN(len, SEG_MAX * t->mss);
    fin = t->snd_nxt + len == end;
    if (len == 0 && !fin)
        return 0;
    off = t->snd_nxt - (t->iss + 1);
    if (tcp_output(t, (uint8_t) (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
                                 (fin ? RTE_TCP_FIN_FLAG : 0)),
                   t->snd_nxt, off, len) < 0)
        return -1;
    t->snd_nxt += len + (uint32_t) fin;
    if (SEQ_LT(t->snd_max, t->snd_nxt))
        t->snd_max = t->snd_nxt;
    return 0;
}

int
tcp_send_stream(
    struct evpl          *evpl,
    uint16_t              port,
    const struct tcp_job *job,
    struct tcp_result    *res)
{
    static struct tcp t;
    uint64_t          rto = app_ms(RTO_MS), deadline;
    uint32_t          end, una;
    unsigned int      stalls = 0, tries;
    int               ret = -1;

    memset(&t, 0, sizeof(t));
    memset(res, 0, sizeof(*res));
    t.evpl = evpl;
    t.port = port;
    t.job  = job;
    t.res  = res;
    t.iss  = (uint32_t) rte_rdtsc();
    t.mss  = job->mss;
    fault_init(&t.fault, &job->faults);
    if (evpl_iovec_alloc(evpl, job->bytes, 0, 1, 0, &t.buf) != 1)
        return -1;
    pkt_pattern_fill(evpl_iovec_data(&t.buf), job->bytes, job->bytes, 0, 0);

    for (tries = 0; tries < 10 && !t.syn_acked && !t.rst && !app_quit;
         tries++) {
        tcp_output(&t, RTE_TCP_SYN_FLAG, t.iss, 0, 0);
        for (deadline = rte_get_tsc_cycles() + rto;
             !t.syn_acked && !t.rst && rte_get_tsc_cycles() < deadline;)
            tcp_poll(&t);
    }
    if (!t.syn_acked || t.rst)
        goto out;
    res->established = 1;
    t.snd_una = t.snd_nxt = t.snd_max = t.iss + 1;
    tcp_output(&t, RTE_TCP_ACK_FLAG, t.snd_nxt, 0, 0);

    /* The stream, then the FIN, one sequence number past its end. */
    end      = t.iss + 1 + job->bytes;
    deadline = rte_get_tsc_cycles() + rto;
    while (SEQ_LT(t.snd_una, end + 1) && !t.rst && !app_quit) {
        una = t.snd_una;
        if (tcp_push(&t, end) < 0)
            goto out;
        tcp_poll(&t);
        if (t.snd_una != una) {
            deadline = rte_get_tsc_cycles() + rto;
            stalls   = 0;
        } else if (rte_get_tsc_cycles() > deadline) {
            /* Go back to the first byte not acknowledged. */
            if (++stalls > MAX_STALLS)
                goto out;
            res->retransmits++;
            t.snd_nxt = t.snd_una;
            deadline  = rte_get_tsc_cycles() + rto;
        }
    }
    if (t.rst || app_quit)
        goto out;
    res->all_acked = 1;
    for (deadline = rte_get_tsc_cycles() + 5 * rte_get_tsc_hz();
         !t.fin_rcvd && !t.rst && rte_get_tsc_cycles() < deadline;)
        tcp_poll(&t);
    res->peer_closed = t.fin_rcvd;
    ret = t.fin_rcvd && !t.rst ? 0 : -1;
    /* A last look, so a repeated FIN is acknowledged again. */
    for (deadline = rte_get_tsc_cycles() + rto;
         rte_get_tsc_cycles() < deadline;)
        tcp_poll(&t);
 out:
    {
        struct fault_pkt held;

        if (fault_flush(&t.fault, &held))
            evpl_iovecs_release(evpl, held.iov, held.niov);
    }
    evpl_iovec_release(evpl, &t.buf);
    return ret;
}
