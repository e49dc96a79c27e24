/* SPDX-License-Identifier: LGPL-2.1-only */

/* IPv4 fragmentation by reference: see ipfrag.h. */

#include <errno.h>
#include <string.h>

#include "ipfrag.h"
#include "pkt.h"

/* Longest link header a fragment's header iovec copies. */
#define FRAG_L2_MAX 64u

/*
 * The IPv4 header of every fragment after the first: the fixed part, then
 * only the options whose copied bit is set (RFC 791, section 3.1), padded
 * with end-of-list to a whole word. A malformed option ends the copy.
 * Returns its length.
 */
static unsigned int
frag_later_header(
    const struct rte_ipv4_hdr *ip,
    unsigned int               hlen,
    uint8_t                   *out)
{
    const uint8_t *opt = (const uint8_t *) (ip + 1);
    const uint8_t *end = (const uint8_t *) ip + hlen;
    unsigned int   n   = sizeof(*ip);

    memcpy(out, ip, sizeof(*ip));
    while (opt < end && *opt != RTE_IPV4_HDR_OPT_EOL) {
        if (*opt == RTE_IPV4_HDR_OPT_NOP) {
            opt++;
            continue;
        }
        if (end - opt < 2 || opt[1] < 2 || opt[1] > end - opt)
            break;
        if (RTE_IPV4_HDR_OPT_COPIED(*opt)) {
            memcpy(out + n, opt, opt[1]);
            n += opt[1];
        }
        opt += opt[1];
    }
    while (n & 3)
        out[n++] = RTE_IPV4_HDR_OPT_EOL;
    ((struct rte_ipv4_hdr *) out)->version_ihl =
        (uint8_t) ((ip->version_ihl & 0xf0) | (n / RTE_IPV4_IHL_MULTIPLIER));
    return n;
}

/* The header's sum with total_length, fragment_offset and the checksum
 * taken as zero: each fragment adds its own two fields to it. */
static uint32_t
frag_header_sum(const uint8_t *ip, unsigned int hlen)
{
    struct rte_ipv4_hdr h;

    memcpy(&h, ip, sizeof(h));
    h.total_length    = 0;
    h.fragment_offset = 0;
    h.hdr_checksum    = 0;
    return pkt_sum(ip + sizeof(h), hlen - sizeof(h),
                   pkt_sum(&h, sizeof(h), 0));
}

/* A datagram that fits: clones of its bytes, link header included. */
static int
frag_whole(
    const struct evpl_iovec *frame,
    int                      niov,
    unsigned int             len,
    struct evpl_dpdk_pkt    *pkts,
    struct evpl_iovec       *iov,
    unsigned int             max_iov)
{
    unsigned int k = 0, take;
    int          j;

    for (j = 0; j < niov && len > 0; j++) {
        take = RTE_MIN(evpl_iovec_length(&frame[j]), len);
        if (take == 0)
            continue;
        if (k == max_iov) {
            evpl_iovecs_release(NULL, iov, (int) k);
            errno = ENOSPC;
            return -1;
        }
        evpl_iovec_clone_segment(&iov[k++], &frame[j], 0, take);
        len -= take;
    }
    pkts[0].iov  = iov;
    pkts[0].niov = (int) k;
    return 1;
}

unsigned int
frag_count(
    unsigned int ip_len,
    unsigned int hdr_len,
    unsigned int mtu)
{
    unsigned int size = (mtu - hdr_len) & ~7u;

    if (ip_len <= mtu)
        return 1;
    return (ip_len - hdr_len + size - 1) / size;
}

int
frag_ipv4(
    struct evpl             *evpl,
    const struct evpl_iovec *frame,
    int                      niov,
    unsigned int             l2_len,
    unsigned int             mtu,
    struct evpl_dpdk_pkt    *pkts,
    unsigned int             max_pkts,
    struct evpl_iovec       *iov,
    unsigned int             max_iov)
{
    /* Link header and IPv4 header of the first fragment, and of the
     * others: each fragment's header iovec starts as a copy of one. */
    uint8_t                    tmpl[2][FRAG_L2_MAX + PKT_IP_HDR_MAX];
    unsigned int               hlen[2], tlen[2], size[2];
    uint32_t                   tsum[2];
    const struct rte_ipv4_hdr *ip;
    unsigned int               tot, plen, pos = 0, k = 0, np = 0, t;
    struct pkt_cursor          cur;
    uint16_t                   fo, base, mf_last;
    int                        n, err;

    if (evpl == NULL || frame == NULL || niov < 1 || pkts == NULL ||
        max_pkts == 0 || iov == NULL || l2_len > FRAG_L2_MAX ||
        evpl_iovec_length(&frame[0]) < l2_len + sizeof(*ip))
        goto inval;
    ip      = pkt_ip(&frame[0], l2_len);
    hlen[0] = rte_ipv4_hdr_len(ip);
    tot     = rte_be_to_cpu_16(ip->total_length);
    if ((ip->version_ihl >> 4) != IPVERSION || hlen[0] < sizeof(*ip) ||
        evpl_iovec_length(&frame[0]) < l2_len + hlen[0] || tot < hlen[0] ||
        pkt_iovecs_len(frame, niov) < l2_len + tot)
        goto inval;
    if (tot <= mtu)
        return frag_whole(frame, niov, l2_len + tot, pkts, iov, max_iov);

    fo = rte_be_to_cpu_16(ip->fragment_offset);
    if (fo & RTE_IPV4_HDR_DF_FLAG) {
        errno = EMSGSIZE;
        return -1;
    }
    if (mtu < PKT_MTU_MIN || mtu < hlen[0] + 8)
        goto inval;
    base    = fo & RTE_IPV4_HDR_OFFSET_MASK;
    /* A fragment cut again: its last piece keeps its more-fragments bit. */
    mf_last = fo & RTE_IPV4_HDR_MF_FLAG;

    memcpy(tmpl[0], evpl_iovec_data(&frame[0]), l2_len + hlen[0]);
    memcpy(tmpl[1], tmpl[0], l2_len);
    hlen[1] = frag_later_header(ip, hlen[0], tmpl[1] + l2_len);
    for (t = 0; t < 2; t++) {
        tlen[t] = l2_len + hlen[t];
        size[t] = (mtu - hlen[t]) & ~7u;
        tsum[t] = frag_header_sum(tmpl[t] + l2_len, hlen[t]);
    }

    plen = tot - hlen[0];
    cur  = (struct pkt_cursor) { 0, l2_len + hlen[0] };
    while (pos < plen) {
        struct rte_ipv4_hdr *oh;
        unsigned int         len, first = k;
        uint16_t             tl, fl;
        char                *d;

        t   = pos > 0;
        len = RTE_MIN(size[t], plen - pos);
        if (np == max_pkts || k == max_iov) {
            err = ENOSPC;
            goto undo;
        }
        /* Aligned for the Ethernet header's fields, wherever the bytes
         * come from (an mbuf of its own, usually). */
        if (evpl_iovec_alloc(evpl, tlen[t], 8, 1, 0, &iov[k]) != 1) {
            err = ENOMEM;
            goto undo;
        }
        d = evpl_iovec_data(&iov[k++]);
        /* The common header, Ethernet and IPv4 without options, is copied
         * in a few stores. */
        if (likely(tlen[t] == PKT_L2_LEN + sizeof(*ip)))
            memcpy(d, tmpl[t], PKT_L2_LEN + sizeof(*ip));
        else
            memcpy(d, tmpl[t], tlen[t]);
        oh = (struct rte_ipv4_hdr *) (d + l2_len);
        tl = rte_cpu_to_be_16((uint16_t) (hlen[t] + len));
        fl = rte_cpu_to_be_16((uint16_t) (
            (base + pos / RTE_IPV4_HDR_OFFSET_UNITS) |
            (pos + len < plen ? RTE_IPV4_HDR_MF_FLAG : mf_last)));
        oh->total_length    = tl;
        oh->fragment_offset = fl;
        oh->hdr_checksum    = (uint16_t) ~pkt_fold(tsum[t] + tl + fl);

        /* The payload: clones of the frame's bytes. */
        n = pkt_clone_next(frame, &cur, len, &iov[k], max_iov - k);
        if (n < 0) {
            err = ENOSPC;
            goto undo;
        }
        k            += (unsigned int) n;
        pkts[np].iov  = &iov[first];
        pkts[np].niov = (int) (k - first);
        np++;
        pos += len;
    }
    return (int) np;

 undo:
    evpl_iovecs_release(evpl, iov, (int) k);
    errno = err;
    return -1;
 inval:
    errno = EINVAL;
    return -1;
}
