/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * tcp_seg: TCP segmentation of a send buffer held as one slab iovec,
 * without copying a payload byte (README.md beside this file).
 *
 *   tcp_seg [EAL options] -- MODE [options]
 *
 * MODE:
 *   --selftest  a --bytes send buffer cut in 64 KiB sends of --mss
 *               segments, sent on port 0 (a net_ring, which loops them
 *               back), and every segment checked: checksums, lengths,
 *               sequence numbers, IP ids, flags, payload
 *   --connect   open a TCP connection to --dst (tcp.c) and send the
 *               --bytes stream on it
 *   --bench     the side-by-side benchmark (bench.c)
 * options:
 *   --src IP:PORT --src-mac MAC  --dst IP:PORT --dst-mac MAC
 *   --bytes N (default 1 MiB)  --mss N (default 1448)  --segment-size N
 *   --loss PPM --dup PPM --reorder PPM --seed N   faults on what is sent
 *
 * It prints one JSON object at exit, with the books (every mbuf and slab
 * back); the exit status is 0 only if all went well.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "pkt.h"
#include "tcp_seg.h"
#include "tcpseg.h"

#define SEND_MAX  65536u   /* bytes per tseg_tcp4() call, as TSO sends */
#define HDR_LEN   (PKT_L2_LEN + 20 + 32)

struct opts {
    enum { NONE, SELFTEST, CONNECT } mode;
    struct tcp_job job;
    unsigned int   segment_size;
};

/* What the self-test saw. */
struct check {
    uint64_t     segments, bytes, wrong;
    uint32_t     next_seq;
    uint16_t     next_id;
    int          fin_seen;
};

/* The template of the self-test's segments: TCP with a timestamps
 * option, as MSS 1448 implies at MTU 1500. */
static void
selftest_header(
    const struct opts *o,
    uint8_t           *hdr,
    uint32_t           seq,
    uint16_t           id,
    uint8_t            flags)
{
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *) (hdr + PKT_L2_LEN);
    struct rte_tcp_hdr  *th = (struct rte_tcp_hdr *) (ip + 1);
    uint8_t             *opt = (uint8_t *) (th + 1);

    app_l2_l3(hdr, &o->job.src, &o->job.dst, IPPROTO_TCP, id);
    memset(th, 0, 32);
    th->src_port  = rte_cpu_to_be_16(o->job.src.port);
    th->dst_port  = rte_cpu_to_be_16(o->job.dst.port);
    th->sent_seq  = rte_cpu_to_be_32(seq);
    th->recv_ack  = rte_cpu_to_be_32(1);
    th->data_off  = 8 << 4;
    th->tcp_flags = flags;
    th->rx_win    = rte_cpu_to_be_16(1024);
    opt[0] = 1;  /* NOP, NOP, timestamps */
    opt[1] = 1;
    opt[2] = 8;
    opt[3] = 10;
    memset(opt + 4, 0x5a, 8);
}

/* One segment back from the loop: everything a receiver would check. */
static void
check_segment(
    const struct opts       *o,
    struct check            *c,
    const struct evpl_iovec *buf,
    uint32_t                 iss,
    const struct evpl_iovec *v,
    int                      n)
{
    const struct rte_ipv4_hdr *ip = pkt_ip(&v[0], PKT_L2_LEN);
    const struct rte_tcp_hdr  *th = (const void *) (ip + 1);
    unsigned int               tot = rte_be_to_cpu_16(ip->total_length);
    unsigned int               dlen = tot - 20 - 32, off, k;
    uint32_t                   seq = rte_be_to_cpu_32(th->sent_seq);
    uint8_t                    want;
    const uint8_t             *p = evpl_iovec_data(buf);
    int                        last_of_send, last;
    static uint8_t             got[SEND_MAX];

    c->segments++;
    off          = seq - iss;
    last         = off + dlen == o->job.bytes;
    last_of_send = last || (off + dlen) % SEND_MAX == 0;
    want         = (uint8_t) (RTE_TCP_ACK_FLAG |
                              (last_of_send ? RTE_TCP_PSH_FLAG : 0) |
                              (last ? RTE_TCP_FIN_FLAG : 0));
    if (rte_ipv4_cksum(ip) != 0 || pkt_iovecs_len(v, n) != PKT_L2_LEN + tot ||
        pkt_sum_iovecs(v, n, PKT_L2_LEN + 20, tot - 20,
                       pkt_fold(pkt_pseudo_sum(ip, tot - 20))) != 0xffff ||
        seq != c->next_seq || rte_be_to_cpu_16(ip->packet_id) != c->next_id ||
        th->tcp_flags != want || dlen > o->job.mss ||
        off + dlen > o->job.bytes || c->fin_seen) {
        c->wrong++;
    } else {
        pkt_copy_out(got, v, n, HDR_LEN, dlen);
        for (k = 0; k < dlen && got[k] == p[off + k]; k++)
            ;
        c->wrong += k != dlen;
    }
    c->bytes   += dlen;
    c->next_seq = seq + dlen;
    c->next_id++;
    c->fin_seen |= last;
}

static int
selftest(const struct opts *o, struct evpl *evpl, uint16_t port)
{
    /* Segments of one send at an MSS down to 64. */
    static struct evpl_dpdk_pkt pkts[SEND_MAX / 64];
    static struct evpl_iovec    iov[SEND_MAX / 64 * 2], rx[32 * 8];
    struct evpl_dpdk_pkt        got[32];
    struct evpl_iovec           buf;
    struct check                c = { 0, 0, 0, 0, 0, 0 };
    uint8_t                     hdr[HDR_LEN];
    uint32_t                    iss = 1000;
    unsigned int                off, len;
    uint64_t                    quiet;
    int                         n, k;

    if (evpl_iovec_alloc(evpl, o->job.bytes, 0, 1, 0, &buf) != 1)
        return -1;
    pkt_pattern_fill(evpl_iovec_data(&buf), o->job.bytes, o->job.bytes, 0, 0);
    c.next_seq = iss;
    c.next_id  = 1;
    for (off = 0; off < o->job.bytes; off += len) {
        len = RTE_MIN(SEND_MAX, o->job.bytes - off);
        selftest_header(o, hdr, iss + off, c.next_id,
                        (uint8_t) (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
                                   (off + len == o->job.bytes ?
                                    RTE_TCP_FIN_FLAG : 0)));
        n = tseg_tcp4(evpl, hdr, PKT_L2_LEN, HDR_LEN, &buf, 1, off, len,
                      o->job.mss, 0, pkts, RTE_DIM(pkts), iov, RTE_DIM(iov));
        if (n < 0) {
            fprintf(stderr, "tseg_tcp4: %s\n", strerror(errno));
            c.wrong++;
            break;
        }
        app_send(evpl, port, pkts, (unsigned int) n);
        /* The loop gives them back: check each. */
        for (quiet = rte_get_tsc_cycles() + app_ms(20);
             rte_get_tsc_cycles() < quiet;) {
            n = evpl_dpdk_rx_burst(evpl, port, 0, got, 32, rx, RTE_DIM(rx));
            for (k = 0; k < n; k++) {
                check_segment(o, &c, &buf, iss, got[k].iov, got[k].niov);
                evpl_iovecs_release(evpl, got[k].iov, got[k].niov);
            }
            if (n > 0)
                quiet = rte_get_tsc_cycles() + app_ms(20);
        }
    }
    evpl_iovec_release(evpl, &buf);
    printf("{\"mode\": \"selftest\", \"bytes\": %u, \"mss\": %u, "
           "\"segments\": %" PRIu64 ", \"bytes_back\": %" PRIu64
           ", \"wrong\": %" PRIu64 ", \"fin\": %s, ", o->job.bytes,
           o->job.mss, c.segments, c.bytes, c.wrong,
           c.fin_seen ? "true" : "false");
    return c.wrong == 0 && c.bytes == o->job.bytes && c.fin_seen ? 0 : -1;
}

static int
parse(int argc, char **argv, struct opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->job.bytes = 1u << 20;
    o->job.mss   = 1448;
    app_parse_ip_port("10.0.0.2:40000", &o->job.src);
    app_parse_ip_port("10.0.0.1:9", &o->job.dst);
    rte_ether_unformat_addr("02:00:00:00:00:02", &o->job.src.mac);
    rte_ether_unformat_addr("02:00:00:00:00:01", &o->job.dst.mac);
    for (i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        unsigned long x = strtoul(v, NULL, 0);

        if (strcmp(a, "--selftest") == 0) {
            o->mode = SELFTEST;
            continue;
        }
        if (strcmp(a, "--connect") == 0) {
            o->mode = CONNECT;
            continue;
        }
        i++;
        if ((strcmp(a, "--src") == 0 &&
             app_parse_ip_port(v, &o->job.src) == 0) ||
            (strcmp(a, "--dst") == 0 &&
             app_parse_ip_port(v, &o->job.dst) == 0) ||
            (strcmp(a, "--src-mac") == 0 &&
             rte_ether_unformat_addr(v, &o->job.src.mac) == 0) ||
            (strcmp(a, "--dst-mac") == 0 &&
             rte_ether_unformat_addr(v, &o->job.dst.mac) == 0))
            continue;
        if (strcmp(a, "--bytes") == 0 && x > 0)
            o->job.bytes = (unsigned int) x;
        else if (strcmp(a, "--mss") == 0 && x > 0 && x <= 65000)
            o->job.mss = (unsigned int) x;
        else if (strcmp(a, "--segment-size") == 0)
            o->segment_size = (unsigned int) x;
        else if (strcmp(a, "--loss") == 0)
            o->job.faults.loss = (unsigned int) x;
        else if (strcmp(a, "--dup") == 0)
            o->job.faults.dup = (unsigned int) x;
        else if (strcmp(a, "--reorder") == 0)
            o->job.faults.reorder = (unsigned int) x;
        else if (strcmp(a, "--seed") == 0)
            o->job.faults.seed = x;
        else
            return -1;
    }
    return o->mode == NONE ? -1 : 0;
}

int
main(int argc, char **argv)
{
    struct opts       o;
    struct tcp_result res;
    struct evpl      *evpl;
    uint16_t          port;
    int               i, ok;

    i = app_eal(&argc, &argv);
    if (i >= 0)
        return tcp_seg_bench(argc - i - 1, argv + i + 1);
    if (parse(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: tcp_seg [EAL options] -- --selftest|--connect"
                "|--bench [options] (see its README.md)\n");
        return 2;
    }
    evpl = app_start(o.segment_size, 0, &port);
    app_signals();
    if (o.mode == SELFTEST) {
        ok = selftest(&o, evpl, port) == 0;
    } else {
        ok = tcp_send_stream(evpl, port, &o.job, &res) == 0;
        printf("{\"mode\": \"connect\", \"bytes\": %u, \"mss\": %u, "
               "\"peer_mss\": %u, \"established\": %s, \"all_acked\": %s, "
               "\"peer_closed\": %s, \"segments\": %" PRIu64
               ", \"retransmits\": %" PRIu64 ", \"acks\": %" PRIu64 ", ",
               o.job.bytes, o.job.mss, res.peer_mss,
               res.established ? "true" : "false",
               res.all_acked ? "true" : "false",
               res.peer_closed ? "true" : "false", res.segments,
               res.retransmits, res.acks);
    }
    app_stop(port);
    ok = app_books(evpl, stdout) && ok;
    printf(", \"ok\": %s}\n", ok ? "true" : "false");
    rte_eal_cleanup();
    return ok ? 0 : 1;
}
