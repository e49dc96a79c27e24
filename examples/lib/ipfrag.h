/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * IPv4 fragmentation of a datagram held in iovecs, without copying its
 * payload: every fragment is a fresh header iovec (the link header and
 * the fragment's IPv4 header) in front of clone_segment()s of the
 * datagram's bytes.
 */

#ifndef EXAMPLES_IPFRAG_H
#define EXAMPLES_IPFRAG_H

#include <evpl/evpl.h>

/*
 * Cut one frame into fragments of at most mtu bytes of IPv4 (header
 * included) each.
 *
 * The frame is l2_len bytes of link header, then an IPv4 header (with
 * its options, all in frame[0]), then the payload, across any number of
 * iovecs; bytes past the header's total_length (link padding) are left
 * out. A datagram that fits the MTU becomes one packet of clones of its
 * bytes. Otherwise each fragment is a new iovec holding a copy of the
 * link header and the fragment's IPv4 header (the first fragment all the
 * options, later ones those with the copied bit, RFC 791 section 3.2),
 * then clones of the payload bytes it carries: a multiple of 8 bytes
 * except in the last fragment, offsets counted from the datagram's own
 * (so a fragment can be cut again), the IP checksum computed. The frame's
 * iovecs stay the caller's; the fragments hold references of their own.
 *
 * @param evpl     The calling thread's context (headers come from it).
 * @param frame    The frame's iovecs.
 * @param niov     How many.
 * @param l2_len   Bytes of link header in front of the IPv4 header.
 * @param mtu      Largest IPv4 packet to send, at least 68.
 * @param pkts     [out] The fragments; pkts[i].iov points into @p iov.
 * @param max_pkts Capacity of @p pkts.
 * @param iov      [out] The fragments' iovecs, one after another.
 * @param max_iov  Capacity of @p iov.
 * @return The number of packets written, or -1 with errno set and
 *   nothing held: EINVAL (not IPv4, header short or outside frame[0],
 *   frame shorter than total_length, mtu too small for the header and 8
 *   bytes); EMSGSIZE (too large and don't-fragment set); ENOSPC (@p pkts
 *   or @p iov too small); ENOMEM (no header iovec).
 */
int frag_ipv4(struct evpl *evpl, const struct evpl_iovec *frame, int niov,
              unsigned int l2_len, unsigned int mtu,
              struct evpl_dpdk_pkt *pkts, unsigned int max_pkts,
              struct evpl_iovec *iov, unsigned int max_iov);

/* How many fragments frag_ipv4() makes of a datagram of ip_len bytes
 * with a header of hdr_len bytes (no options copied) at mtu. */
unsigned int frag_count(unsigned int ip_len, unsigned int hdr_len,
                        unsigned int mtu);

#endif /* EXAMPLES_IPFRAG_H */
