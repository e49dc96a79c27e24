/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * ip_frag: IPv4 fragmentation and reassembly on iovecs, without copying
 * a payload byte (README.md beside this file).
 *
 *   ip_frag [EAL options] -- MODE [options]
 *
 * MODE:
 *   --selftest  UDP datagrams of every size in --sizes, fragmented at
 *               --mtu (default: 1500, then 9000), sent on port 0 (a
 *               net_ring, which loops them back), reassembled and checked
 *               byte for byte
 *   --send      the same datagrams, fragmented, sent to --dst
 *   --echo      reassemble what port 0 receives; answer every UDP
 *               datagram for --src with its echo, fragmented at --mtu
 *   --bench     the side-by-side benchmark (bench.c; --bench --help)
 * options:
 *   --src IP:PORT --src-mac MAC   this end (default 10.0.0.2:9, 02:00:00:00:00:02)
 *   --dst IP:PORT --dst-mac MAC   the other (default 10.0.0.1:9, 02:00:00:00:00:01)
 *   --mtu N (576 or more)  --sizes N,N,...  --count ROUNDS
 *   --segment-size BYTES
 *   --timeout-ms N   reassembly timeout (default 30000)
 *   --idle-ms N      --echo: stop after N ms with nothing received
 *   --loss PPM --dup PPM --reorder PPM --seed N
 *                    fault injection: on the fragments sent (--send) or
 *                    received (--echo, --selftest), parts per million
 *                    (whole datagrams pass untouched)
 *
 * At exit it prints one JSON object: what it did, the reassembly table's
 * statistics, and the books (every mbuf and slab back); the exit status
 * is 0 only if nothing went wrong and nothing is missing.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "app.h"
#include "fault.h"
#include "ipfrag.h"
#include "ip_frag.h"
#include "pkt.h"
#include "reasm.h"

#define RX_BURST  32
/* Fragments of one datagram: 65535 bytes at the smallest MTU taken, 576
 * (the datagram every IPv4 host accepts, RFC 791), make 120. */
#define MTU_MIN   576u
#define MAX_FRAGS 128
#define MAX_OUT   (MAX_FRAGS * 4) /* iovecs of one reassembled datagram */

static const unsigned int default_sizes[] = {
    1, 2, 7, 8, 9, 100, 1000, 1471, 1472, 1473, 1480, 2000, 2952, 2953,
    4096, 8000, 8972, 8973, 9000, 16384, 32768, 50000, 65000, 65507,
};

struct opts {
    enum { NONE, SELFTEST, SEND, ECHO } mode;
    unsigned int        mtu, count, timeout_ms, idle_ms, segment_size;
    unsigned int        sizes[64], nsizes;
    struct app_addr     src, dst;
    struct fault_config faults;
};

/* What a run did; printed at exit. */
struct run {
    struct opts   o;
    struct evpl  *evpl;
    uint16_t      port;
    struct fault  fault;
    struct reasm *reasm;
    uint64_t      built, fragments, sent, completed, checked, wrong,
                  echoed, ignored;
    /* Datagrams (by IP id) that lost a fragment to --loss, and those of
     * which a fragment passed: one that lost every fragment never
     * reaches the table, so never times out there. */
    uint8_t       hit[65536 / 8], seen[65536 / 8];
    unsigned int  nhit;
    /* Per IP id, the payload bytes of its fragments that went twice, and
     * its length once its last fragment went twice. A datagram whose every
     * fragment went twice can complete twice: a whole second copy may
     * follow the first one's completion, and a reassembler that has
     * forgotten the datagram (the kernel's, this example's) builds it
     * again. UDP allows it, and the tests allow it of these alone. */
    uint32_t      twin_bytes[65536], twin_len[65536];
    /* Self-test: datagrams (by seq) already checked, and how many came
     * again, each a datagram that went twice whole. */
    uint8_t       done[65536 / 8];
    uint64_t      again;
};

static void
mark_seen(struct run *r, uint16_t id)
{
    r->seen[id / 8] |= (uint8_t) (1u << (id % 8));
}

/* Datagrams that lost every fragment that came (none passed). */
static unsigned int
hit_whole(const struct run *r)
{
    unsigned int i, n = 0;

    for (i = 0; i < sizeof(r->hit); i++)
        n += (unsigned int) __builtin_popcount(r->hit[i] & ~r->seen[i]);
    return n;
}

static int
faulty(const struct run *r)
{
    return r->o.faults.loss + r->o.faults.dup + r->o.faults.reorder > 0;
}

static void
mark_hit(struct run *r, uint16_t id)
{
    if (!(r->hit[id / 8] & (1u << (id % 8)))) {
        r->hit[id / 8] |= (uint8_t) (1u << (id % 8));
        r->nhit++;
    }
}

static int
twinned(const struct run *r, unsigned int id)
{
    return r->twin_len[id] != 0 && r->twin_bytes[id] == r->twin_len[id];
}

/* What the faults did to one fragment, whose header is ip (read before
 * the faults take its iovecs), that came out n times. */
static void
mark_fault(
    struct run                *r,
    const struct rte_ipv4_hdr *ip,
    unsigned int               what,
    int                        n)
{
    uint16_t     id   = rte_be_to_cpu_16(ip->packet_id);
    uint16_t     frag = rte_be_to_cpu_16(ip->fragment_offset);
    unsigned int len  = rte_be_to_cpu_16(ip->total_length) -
                        rte_ipv4_hdr_len(ip);

    if (what & FAULT_DROPPED)
        mark_hit(r, id);
    if (n > 0)
        mark_seen(r, id);
    if (!(what & FAULT_DUPLICATED))
        return;
    r->twin_bytes[id] += len;
    if (!(frag & RTE_IPV4_HDR_MF_FLAG))
        r->twin_len[id] = (frag & RTE_IPV4_HDR_OFFSET_MASK) * 8u + len;
}

/* UDP datagram seq of `size` payload bytes, as one frame in one iovec:
 * an mbuf of its own when it fits a segment, else one slab iovec; aligned
 * to a cache line (slab space is carved at any byte otherwise). */
static int
build_datagram(
    struct run        *r,
    unsigned int       size,
    unsigned int       seq,
    struct evpl_iovec *frame)
{
    unsigned int         len = PKT_L2_LEN + 28 + size;
    struct rte_ipv4_hdr *ip;
    struct rte_udp_hdr  *udp;
    uint32_t             sum;

    if (evpl_iovec_alloc(r->evpl, len, 64, 1, 0, frame) != 1)
        return -1;
    app_l2_l3(evpl_iovec_data(frame), &r->o.src, &r->o.dst, IPPROTO_UDP,
              (uint16_t) seq);
    ip  = pkt_ip(frame, PKT_L2_LEN);
    ip->total_length = rte_cpu_to_be_16((uint16_t) (28 + size));
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp = (struct rte_udp_hdr *) (ip + 1);
    udp->src_port    = rte_cpu_to_be_16(r->o.src.port);
    udp->dst_port    = rte_cpu_to_be_16(r->o.dst.port);
    udp->dgram_len   = rte_cpu_to_be_16((uint16_t) (8 + size));
    udp->dgram_cksum = 0;
    pkt_pattern_fill(udp + 1, size, size, seq, 0);
    sum = pkt_sum(udp, 8 + size, pkt_pseudo_sum(ip, 8 + size));
    udp->dgram_cksum = (uint16_t) ~pkt_fold(sum);
    if (udp->dgram_cksum == 0)
        udp->dgram_cksum = 0xffff;
    return 0;
}

/* Fragment one frame at mtu and send it, through the faults if any
 * (whose losses are marked against the datagram's IP id). */
static int
send_frame(
    struct run        *r,
    struct evpl_iovec *frame,
    int                niov,
    unsigned int       mtu,
    int                faults)
{
    static struct evpl_dpdk_pkt pkts[MAX_FRAGS * FAULT_OUT_MAX];
    static struct evpl_iovec    iov[MAX_FRAGS * 4];
    static struct fault_pkt     net[MAX_FRAGS * FAULT_OUT_MAX];
    unsigned int                what, i, n = 0;
    int                         nf, k, j;

    nf = frag_ipv4(r->evpl, frame, niov, PKT_L2_LEN, mtu, pkts, MAX_FRAGS,
                   iov, RTE_DIM(iov));
    if (nf < 0)
        return -1;
    r->fragments += (uint64_t) nf;
    /* The faults are the fragments' alone: a whole datagram duplicated
     * would reach its socket twice, as UDP allows, and prove nothing. */
    if (!faults || nf == 1) {
        r->sent += app_send(r->evpl, r->port, pkts, (unsigned int) nf);
        return 0;
    }
    for (k = 0; k < nf; k++) {
        struct rte_ipv4_hdr hdr = *pkt_ip(&pkts[k].iov[0], PKT_L2_LEN);

        j = fault_pass(&r->fault, r->evpl, pkts[k].iov, pkts[k].niov,
                       &net[n], &what);
        mark_fault(r, &hdr, what, j);
        n += j > 0 ? (unsigned int) j : 0;
    }
    n += (unsigned int) fault_flush(&r->fault, &net[n]);
    for (i = 0; i < n; i++) {
        pkts[i].iov  = net[i].iov;
        pkts[i].niov = net[i].niov;
    }
    r->sent += app_send(r->evpl, r->port, pkts, n);
    return 0;
}

/* A reassembled datagram of the self-test: the one sent as IP id seq? */
static int
check_datagram(
    const struct evpl_iovec *v,
    int                      n)
{
    const struct rte_ipv4_hdr *ip  = pkt_ip(&v[0], PKT_L2_LEN);
    unsigned int               tot = rte_be_to_cpu_16(ip->total_length);
    unsigned int               seq = rte_be_to_cpu_16(ip->packet_id);
    static uint8_t             buf[PKT_L2_LEN + PKT_IP_MAX];
    const struct rte_udp_hdr  *udp = (const void *) buf;
    unsigned int               size;

    if (rte_ipv4_cksum(ip) != 0 || tot < 28 ||
        pkt_iovecs_len(v, n) != PKT_L2_LEN + tot ||
        ip->next_proto_id != IPPROTO_UDP || ip->fragment_offset != 0)
        return 0;
    size = tot - 28;
    pkt_copy_out(buf, v, n, PKT_L2_LEN + 20, tot - 20);
    /* The UDP checksum over the pieces as they came, then the bytes. */
    if (pkt_sum_iovecs(v, n, PKT_L2_LEN + 20, tot - 20,
                       pkt_fold(pkt_pseudo_sum(ip, tot - 20))) != 0xffff)
        return 0;
    return rte_be_to_cpu_16(udp->dgram_len) == 8 + size &&
           pkt_pattern_check(udp + 1, size, size, seq, 0);
}

/* The echo of a UDP datagram for us: the same bytes back to the sender,
 * its headers swapped in place (the UDP checksum does not change),
 * fragmented at our MTU. */
static void
echo(
    struct run        *r,
    struct evpl_iovec *v,
    int                n)
{
    struct rte_ether_hdr *eth;
    struct rte_ipv4_hdr  *ip = pkt_ip(&v[0], PKT_L2_LEN);
    struct rte_udp_hdr   *udp;
    unsigned int          hlen = rte_ipv4_hdr_len(ip);
    uint32_t              a;
    uint16_t              p;

    if (ip->next_proto_id != IPPROTO_UDP || ip->dst_addr != r->o.src.ip ||
        rte_be_to_cpu_16(ip->total_length) < hlen + 8 ||
        pkt_head_writable(r->evpl, v, &n, MAX_OUT,
                          PKT_L2_LEN + hlen + 8) < 0) {
        evpl_iovecs_release(r->evpl, v, n);
        r->ignored++;
        return;
    }
    eth = evpl_iovec_data(&v[0]);
    ip  = pkt_ip(&v[0], PKT_L2_LEN);
    udp = (struct rte_udp_hdr *) ((char *) ip + hlen);
    eth->dst_addr    = eth->src_addr;
    eth->src_addr    = r->o.src.mac;
    a                = ip->src_addr;
    ip->src_addr     = ip->dst_addr;
    ip->dst_addr     = a;
    ip->fragment_offset = 0;
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    p                = udp->src_port;
    udp->src_port    = udp->dst_port;
    udp->dst_port    = p;
    if (send_frame(r, v, n, r->o.mtu, 0) == 0)
        r->echoed++;
    evpl_iovecs_release(r->evpl, v, n);
}

/* A frame for the table; what comes out is checked (self-test) or
 * echoed. */
static void
deliver(
    struct run        *r,
    struct evpl_iovec *frame,
    int                niov)
{
    static struct evpl_iovec out[MAX_OUT];
    unsigned int             seq;
    int                      n;

    n = reasm_input(r->reasm, r->evpl, frame, niov, PKT_L2_LEN,
                    rte_get_tsc_cycles(), out, MAX_OUT);
    if (n <= 0)
        return;
    r->completed++;
    if (r->o.mode == ECHO) {
        echo(r, out, n);
        return;
    }
    seq = rte_be_to_cpu_16(pkt_ip(&out[0], PKT_L2_LEN)->packet_id);
    if (!check_datagram(out, n))
        r->wrong++;
    else if (!(r->done[seq / 8] & (1u << (seq % 8)))) {
        r->done[seq / 8] |= (uint8_t) (1u << (seq % 8));
        r->checked++;
    } else if (twinned(r, seq))
        r->again++;
    else
        r->wrong++; /* twice, but not every fragment went twice */
    evpl_iovecs_release(r->evpl, out, n);
}

/* One received frame: IPv4 fragments go through the faults, if any. */
static void
receive(
    struct run        *r,
    struct evpl_iovec *frame,
    int                niov)
{
    struct fault_pkt           net[FAULT_OUT_MAX];
    const struct rte_ipv4_hdr *ip = pkt_ip(&frame[0], PKT_L2_LEN);
    struct rte_ipv4_hdr        hdr;
    unsigned int               what;
    int                        n, j;

    if (evpl_iovec_length(&frame[0]) < PKT_L2_LEN + sizeof(*ip) ||
        ((struct rte_ether_hdr *) evpl_iovec_data(&frame[0]))->ether_type !=
        rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
        evpl_iovecs_release(r->evpl, frame, niov);
        r->ignored++;
        return;
    }
    if (!faulty(r) ||
        !(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
                                                 RTE_IPV4_HDR_OFFSET_MASK))) {
        deliver(r, frame, niov);
        return;
    }
    hdr = *ip;
    n   = fault_pass(&r->fault, r->evpl, frame, niov, net, &what);
    mark_fault(r, &hdr, what, n);
    for (j = 0; j < n; j++)
        deliver(r, net[j].iov, net[j].niov);
}

/* Receive what is there; returns how many frames that was. A quiet port
 * delivers the fragment the faults held back, and expires the table. */
static int
poll_port(struct run *r)
{
    static struct evpl_iovec iov[RX_BURST * 8];
    struct evpl_dpdk_pkt     pkts[RX_BURST];
    struct fault_pkt         held;
    int                      n, i;

    n = evpl_dpdk_rx_burst(r->evpl, r->port, 0, pkts, RX_BURST, iov,
                           RTE_DIM(iov));
    for (i = 0; i < n; i++)
        receive(r, pkts[i].iov, pkts[i].niov);
    if (n <= 0) {
        if (fault_flush(&r->fault, &held))
            receive(r, held.iov, held.niov);
        reasm_expire(r->reasm, r->evpl, rte_get_tsc_cycles());
    }
    return n > 0 ? n : 0;
}

/* Poll until the port has been quiet for ms. */
static void
drain(struct run *r, unsigned int ms)
{
    uint64_t quiet = rte_get_tsc_cycles() + app_ms(ms);

    while (!app_quit && rte_get_tsc_cycles() < quiet)
        if (poll_port(r) > 0)
            quiet = rte_get_tsc_cycles() + app_ms(ms);
}

static void
run_datagrams(struct run *r)
{
    static const unsigned int mtus[] = { 1500, 9000 };
    struct evpl_iovec         frame;
    unsigned int              m, round, i, seq = 0;
    int                       faults = r->o.mode == SEND && faulty(r);

    for (m = 0; m < RTE_DIM(mtus); m++) {
        unsigned int mtu = r->o.mtu ? r->o.mtu : mtus[m];

        for (round = 0; round < r->o.count; round++) {
            for (i = 0; i < r->o.nsizes && !app_quit; i++, seq++) {
                if (build_datagram(r, r->o.sizes[i], seq, &frame) < 0 ||
                    send_frame(r, &frame, 1, mtu, faults) < 0) {
                    fprintf(stderr, "ip_frag: datagram %u: %s\n", seq,
                            strerror(errno));
                    r->wrong++;
                }
                evpl_iovec_release(r->evpl, &frame);
                r->built++;
                if (r->o.mode == SELFTEST)
                    drain(r, 2);
            }
        }
        if (r->o.mtu)
            break;
    }
}

static int
parse(int argc, char **argv, struct opts *o)
{
    int i;

    *o = (struct opts) { .count = 1, .timeout_ms = 30000 };
    app_parse_ip_port("10.0.0.2:9", &o->src);
    app_parse_ip_port("10.0.0.1:9", &o->dst);
    rte_ether_unformat_addr("02:00:00:00:00:02", &o->src.mac);
    rte_ether_unformat_addr("02:00:00:00:00:01", &o->dst.mac);
    memcpy(o->sizes, default_sizes, sizeof(default_sizes));
    o->nsizes = RTE_DIM(default_sizes);
    for (i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";

        if (strcmp(a, "--selftest") == 0) {
            o->mode = SELFTEST;
            continue;
        }
        if (strcmp(a, "--send") == 0) {
            o->mode = SEND;
            continue;
        }
        if (strcmp(a, "--echo") == 0) {
            o->mode = ECHO;
            continue;
        }
        i++;
        if (strcmp(a, "--src") == 0 && app_parse_ip_port(v, &o->src) == 0)
            continue;
        if (strcmp(a, "--dst") == 0 && app_parse_ip_port(v, &o->dst) == 0)
            continue;
        if (strcmp(a, "--src-mac") == 0 &&
            rte_ether_unformat_addr(v, &o->src.mac) == 0)
            continue;
        if (strcmp(a, "--dst-mac") == 0 &&
            rte_ether_unformat_addr(v, &o->dst.mac) == 0)
            continue;
        if (strcmp(a, "--sizes") == 0) {
            char *s = (char *) v, *end;

            for (o->nsizes = 0; *s != '\0' && o->nsizes < 64; s = end) {
                o->sizes[o->nsizes++] = (unsigned int) strtoul(s, &end, 0);
                if (*end == ',')
                    end++;
                else if (*end != '\0')
                    return -1;
            }
            continue;
        }
        {
            static const struct {
                const char *name;
                size_t      off;
            } num[] = {
                { "--mtu", offsetof(struct opts, mtu) },
                { "--count", offsetof(struct opts, count) },
                { "--timeout-ms", offsetof(struct opts, timeout_ms) },
                { "--idle-ms", offsetof(struct opts, idle_ms) },
                { "--segment-size", offsetof(struct opts, segment_size) },
                { "--loss", offsetof(struct opts, faults.loss) },
                { "--dup", offsetof(struct opts, faults.dup) },
                { "--reorder", offsetof(struct opts, faults.reorder) },
            };
            unsigned int k;

            if (strcmp(a, "--seed") == 0) {
                o->faults.seed = strtoull(v, NULL, 0);
                continue;
            }
            for (k = 0; k < RTE_DIM(num); k++)
                if (strcmp(a, num[k].name) == 0)
                    break;
            if (k == RTE_DIM(num) || *v == '\0')
                return -1;
            *(unsigned int *) ((char *) o + num[k].off) =
                (unsigned int) strtoul(v, NULL, 0);
        }
    }
    for (i = 0; i < (int) o->nsizes; i++)
        if (o->sizes[i] > PKT_IP_MAX - 28)
            return -1;
    return o->mode == NONE || (o->mtu != 0 && o->mtu < MTU_MIN) ? -1 : 0;
}

static int
report(struct run *r)
{
    struct reasm_stats s;
    unsigned int       i;
    int                ok, first = 1;

    reasm_stats_get(r->reasm, &s);
    printf("{\"mode\": \"%s\", \"built\": %" PRIu64 ", \"fragments\": %"
           PRIu64 ", \"sent\": %" PRIu64 ", \"completed\": %" PRIu64
           ", \"checked\": %" PRIu64 ", \"wrong\": %" PRIu64
           ", \"echoed\": %" PRIu64 ", \"ignored\": %" PRIu64 ",\n",
           r->o.mode == SELFTEST ? "selftest" : r->o.mode == SEND ? "send" :
           "echo", r->built, r->fragments, r->sent, r->completed, r->checked,
           r->wrong, r->echoed, r->ignored);
    printf(" \"faults\": {\"passed\": %" PRIu64 ", \"dropped\": %" PRIu64
           ", \"duplicated\": %" PRIu64 ", \"reordered\": %" PRIu64
           ", \"datagrams_hit\": %u, \"hit_whole\": %u, \"hit\": [",
           r->fault.passed, r->fault.dropped, r->fault.duplicated,
           r->fault.reordered, r->nhit, hit_whole(r));
    for (i = 0; i < 65536; i++)
        if (r->hit[i / 8] & (1u << (i % 8))) {
            printf("%s%u", first ? "" : ", ", i);
            first = 0;
        }
    printf("], \"twinned\": [");
    for (first = 1, i = 0; i < 65536; i++)
        if (twinned(r, i)) {
            printf("%s%u", first ? "" : ", ", i);
            first = 0;
        }
    printf("], \"again\": %" PRIu64 "},\n", r->again);
    printf(" \"reasm\": {\"frames\": %" PRIu64 ", \"fragments\": %"
           PRIu64 ", \"completed\": %" PRIu64 ", \"timed_out\": %" PRIu64
           ", \"evicted\": %" PRIu64 ", \"overlaps\": %" PRIu64
           ", \"inconsistent\": %" PRIu64 ", \"duplicates\": %" PRIu64
           ", \"late\": %" PRIu64 ", \"malformed\": %" PRIu64
           ", \"too_long\": %" PRIu64 ", \"held_datagrams\": %u"
           ", \"held_frags\": %u, \"held_bytes\": %zu},\n ",
           s.frames, s.fragments, s.completed, s.timed_out, s.evicted,
           s.overlaps, s.inconsistent, s.duplicates, s.late, s.malformed,
           s.too_long, s.held_datagrams, s.held_frags, s.held_bytes);
    reasm_destroy(r->reasm, r->evpl);
    ok = app_books(r->evpl, stdout);
    ok = ok && r->wrong == 0 && s.held_frags == 0 && s.held_bytes == 0;
    /* The self-test knows what must have come back: every datagram
     * that lost no fragment, each exactly as sent. */
    if (r->o.mode == SELFTEST)
        ok = ok && r->checked + r->again == r->completed &&
             r->checked + r->nhit == r->built;
    printf(", \"ok\": %s}\n", ok ? "true" : "false");
    return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
    static struct run    r;
    struct reasm_config  rc;
    int                  ret, i;

    i = app_eal(&argc, &argv);
    if (i >= 0)
        return ip_frag_bench(argc - i - 1, argv + i + 1);
    if (parse(argc, argv, &r.o) < 0) {
        fprintf(stderr, "usage: ip_frag [EAL options] -- --selftest|--send|"
                "--echo|--bench [options] (see its README.md)\n");
        return 2;
    }
    r.evpl = app_start(r.o.segment_size, r.o.mtu, &r.port);
    memset(&rc, 0, sizeof(rc));
    rc.timeout = app_ms(r.o.timeout_ms);
    r.reasm    = reasm_create(&rc, (int) rte_socket_id());
    if (r.reasm == NULL) {
        fprintf(stderr, "reasm_create: %s\n", strerror(errno));
        return 1;
    }
    fault_init(&r.fault, &r.o.faults);
    app_signals();
    /* A test moving the port's interface elsewhere waits for this: a
     * net_tap's queues find their interface by name while it is set up. */
    fprintf(stderr, "ip_frag: port %u ready\n", r.port);

    if (r.o.mode == ECHO) {
        uint64_t idle = app_ms(r.o.idle_ms), last = rte_get_tsc_cycles();

        while (!app_quit && (idle == 0 || rte_get_tsc_cycles() - last < idle))
            if (poll_port(&r) > 0)
                last = rte_get_tsc_cycles();
    } else {
        run_datagrams(&r);
        drain(&r, 20);
    }
    /* Whatever is still held times out (a datagram that lost a fragment
     * can never complete) before the books are taken. */
    if (r.o.mode != SEND) {
        uint64_t end = rte_get_tsc_cycles() + app_ms(r.o.timeout_ms);
        struct reasm_stats s;

        do {
            poll_port(&r);
            reasm_stats_get(r.reasm, &s);
        } while (s.held_datagrams > 0 && rte_get_tsc_cycles() <= end);
    }
    app_stop(r.port);
    ret = report(&r);
    rte_eal_cleanup();
    return ret;
}
