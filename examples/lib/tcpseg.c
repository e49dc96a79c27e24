/* SPDX-License-Identifier: LGPL-2.1-only */

/* TCP segmentation by reference: see tcpseg.h. */

#include <errno.h>
#include <string.h>

#include "pkt.h"
#include "tcpseg.h"

/* Longest template: a link header, and IPv4 and TCP headers with their
 * longest options. */
#define TSEG_HDR_MAX (64u + 60u + 60u)

/* The TCP flags rte_gso_segment() clears on all but the last segment. */
#define TSEG_TAIL_FLAGS (RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG)

int
tseg_tcp4(
    struct evpl             *evpl,
    const void              *hdr,
    unsigned int             l2_len,
    unsigned int             hdr_len,
    const struct evpl_iovec *buf,
    int                      nbuf,
    unsigned int             off,
    unsigned int             len,
    unsigned int             mss,
    unsigned int             flags,
    struct evpl_dpdk_pkt    *pkts,
    unsigned int             max_pkts,
    struct evpl_iovec       *iov,
    unsigned int             max_iov)
{
    const struct rte_ipv4_hdr *ip;
    const struct rte_tcp_hdr  *tcp;
    unsigned int               l3_len, l4_len, pos = 0, k = 0, np = 0;
    uint32_t                   ip_sum, seq0;
    uint16_t                   id0, tl, id;
    struct rte_ipv4_hdr        h;
    struct pkt_cursor          cur = { 0, off };
    int                        n, err;

    if (evpl == NULL || hdr == NULL || pkts == NULL || iov == NULL ||
        mss == 0 || hdr_len > TSEG_HDR_MAX ||
        hdr_len < l2_len + sizeof(*ip) + sizeof(*tcp))
        goto inval;
    ip     = (const struct rte_ipv4_hdr *) ((const char *) hdr + l2_len);
    l3_len = rte_ipv4_hdr_len(ip);
    if ((ip->version_ihl >> 4) != IPVERSION || l3_len < sizeof(*ip) ||
        hdr_len < l2_len + l3_len + sizeof(*tcp))
        goto inval;
    tcp    = (const struct rte_tcp_hdr *) ((const char *) ip + l3_len);
    l4_len = (tcp->data_off >> 4) * 4u;
    if (l4_len < sizeof(*tcp) || hdr_len != l2_len + l3_len + l4_len ||
        l3_len + l4_len + RTE_MIN(mss, len) > PKT_IP_MAX ||
        (len > 0 && (buf == NULL || nbuf < 1 ||
                     pkt_iovecs_len(buf, nbuf) < off + len)))
        goto inval;

    /* The IP header's sum without the two fields each segment sets. */
    memcpy(&h, ip, sizeof(h));
    h.total_length = 0;
    h.packet_id    = 0;
    h.hdr_checksum = 0;
    ip_sum = pkt_sum((const char *) ip + sizeof(h), l3_len - sizeof(h),
                     pkt_sum(&h, sizeof(h), 0));
    id0  = rte_be_to_cpu_16(ip->packet_id);
    seq0 = rte_be_to_cpu_32(tcp->sent_seq);

    do {
        struct rte_ipv4_hdr *oh;
        struct rte_tcp_hdr  *th;
        unsigned int         seg = RTE_MIN(mss, len - pos), first = k;
        char                *d;

        if (np == max_pkts || k == max_iov) {
            err = ENOSPC;
            goto undo;
        }
        if (evpl_iovec_alloc(evpl, hdr_len, 8, 1, 0, &iov[k]) != 1) {
            err = ENOMEM;
            goto undo;
        }
        d = evpl_iovec_data(&iov[k++]);
        memcpy(d, hdr, hdr_len);
        oh = (struct rte_ipv4_hdr *) (d + l2_len);
        th = (struct rte_tcp_hdr *) ((char *) oh + l3_len);
        tl = rte_cpu_to_be_16((uint16_t) (l3_len + l4_len + seg));
        id = rte_cpu_to_be_16((uint16_t) (flags & TSEG_IPID_FIXED ? id0 :
                                          id0 + np));
        oh->total_length = tl;
        oh->packet_id    = id;
        th->sent_seq     = rte_cpu_to_be_32(seq0 + pos);
        if (pos + seg < len)
            th->tcp_flags &= (uint8_t) ~TSEG_TAIL_FLAGS;

        /* The payload: clones of the buffer's bytes. */
        n = pkt_clone_next(buf, &cur, seg, &iov[k], max_iov - k);
        if (n < 0) {
            err = ENOSPC;
            goto undo;
        }
        k += (unsigned int) n;

        if (flags & TSEG_CSUM_OFFLOAD) {
            oh->hdr_checksum = 0;
            th->cksum        = pkt_fold(pkt_pseudo_sum(oh, l4_len + seg));
        } else {
            oh->hdr_checksum = (uint16_t) ~pkt_fold(ip_sum + tl + id);
            th->cksum        = 0;
            th->cksum        = (uint16_t) ~pkt_sum_iovecs(
                &iov[first + 1], (int) (k - first - 1), 0, seg,
                pkt_fold(pkt_sum(th, l4_len,
                                 pkt_pseudo_sum(oh, l4_len + seg))));
        }
        pkts[np].iov  = &iov[first];
        pkts[np].niov = (int) (k - first);
        np++;
        pos += seg;
    } while (pos < len);
    return (int) np;

 undo:
    evpl_iovecs_release(evpl, iov, (int) k);
    errno = err;
    return -1;
 inval:
    errno = EINVAL;
    return -1;
}
