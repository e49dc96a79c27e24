/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * TCP/IPv4 segmentation of a send buffer held in iovecs (a TCP stack's
 * send or retransmission queue, one slab iovec say), without copying the
 * payload: every segment is a fresh header iovec in front of clones of
 * its byte range. The headers are what DPDK's rte_gso_segment() writes
 * (total length, IP id, sequence number, PSH and FIN on the last segment
 * only), with the checksums filled in.
 */

#ifndef EXAMPLES_TCPSEG_H
#define EXAMPLES_TCPSEG_H

#include <evpl/evpl.h>

/* tseg_tcp4() flags. */
/* Every segment gets the template's IP id (rte_gso's
 * RTE_GSO_FLAG_IPID_FIXED); without it the ids count up from it. */
#define TSEG_IPID_FIXED   0x1u
/* Checksums for a NIC's checksum offload (RTE_MBUF_F_TX_IP_CKSUM and
 * RTE_MBUF_F_TX_TCP_CKSUM): the IP checksum 0, the TCP checksum the
 * pseudo-header's sum, as DPDK's drivers expect them. Without it both
 * are computed in full. */
#define TSEG_CSUM_OFFLOAD 0x2u

/*
 * Cut bytes [off, off + len) of a send buffer into segments of at most
 * mss bytes of payload, each behind a copy of a template header.
 *
 * The template is hdr_len bytes: l2_len bytes of link header, an IPv4
 * header, a TCP header with its options. Its IP id is the first
 * segment's, its sequence number that of byte off, its flags those of
 * the whole: PSH and FIN stay on the last segment only. A len of 0 makes
 * one segment of the header alone (a SYN, an ACK, a FIN). The buffer's
 * iovecs stay the caller's; the segments hold references of their own.
 *
 * @param evpl     The calling thread's context (headers come from it).
 * @param hdr      The template header.
 * @param l2_len   Bytes of link header in it.
 * @param hdr_len  Bytes of the whole template.
 * @param buf      The send buffer's iovecs.
 * @param nbuf     How many.
 * @param off      First byte to send, counted across @p buf.
 * @param len      Bytes to send.
 * @param mss      Most payload bytes per segment, at least 1.
 * @param flags    0, TSEG_IPID_FIXED, TSEG_CSUM_OFFLOAD.
 * @param pkts     [out] The segments; pkts[i].iov points into @p iov.
 * @param max_pkts Capacity of @p pkts.
 * @param iov      [out] The segments' iovecs, one after another.
 * @param max_iov  Capacity of @p iov.
 * @return The number of segments, or -1 with errno set and nothing held:
 *   EINVAL (bad template, range outside the buffer, mss 0, a segment
 *   longer than 65535 bytes of IP); ENOSPC (@p pkts or @p iov too
 *   small); ENOMEM (no header iovec).
 */
int tseg_tcp4(struct evpl *evpl, const void *hdr, unsigned int l2_len,
              unsigned int hdr_len, const struct evpl_iovec *buf, int nbuf,
              unsigned int off, unsigned int len, unsigned int mss,
              unsigned int flags, struct evpl_dpdk_pkt *pkts,
              unsigned int max_pkts, struct evpl_iovec *iov,
              unsigned int max_iov);

#endif /* EXAMPLES_TCPSEG_H */
