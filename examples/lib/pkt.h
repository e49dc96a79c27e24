/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Packet helpers the examples share: header offsets, Internet checksums
 * over iovecs, and a deterministic payload pattern that the tests (and
 * the kernel-side scripts) can recompute.
 *
 * Everything here is inline and uses only the library's public API
 * (<evpl/evpl.h>) and DPDK's header definitions.
 */

#ifndef EXAMPLES_PKT_H
#define EXAMPLES_PKT_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <evpl/evpl.h>

/* Ethernet header without VLAN tags: what the examples send and expect. */
#define PKT_L2_LEN       ((unsigned int) sizeof(struct rte_ether_hdr))
/* Largest IPv4 header (15 words). */
#define PKT_IP_HDR_MAX   60u
/* Largest IPv4 datagram (total_length is 16 bits). */
#define PKT_IP_MAX       65535u
/* Smallest MTU every IPv4 link must carry (RFC 791). */
#define PKT_MTU_MIN      68u

/* The IPv4 header at l2_len bytes into an iovec. */
static inline struct rte_ipv4_hdr *
pkt_ip(const struct evpl_iovec *iov, unsigned int l2_len)
{
    return (struct rte_ipv4_hdr *) ((char *) evpl_iovec_data(iov) + l2_len);
}

/* Sum of 16-bit words, not folded, of len bytes starting at an even
 * position of the checksummed data. */
static inline uint32_t
pkt_sum(const void *p, size_t len, uint32_t sum)
{
    return __rte_raw_cksum(p, len, sum);
}

/* Fold a 32-bit sum into 16 bits (not complemented). */
static inline uint16_t
pkt_fold(uint32_t sum)
{
    return __rte_raw_cksum_reduce(sum);
}

/*
 * Add the one's complement sum of len bytes of a list of iovecs, from
 * byte off of the list, to sum (folded, not complemented). A piece that
 * starts at an odd position of the checksummed data is summed byte-swapped,
 * as RFC 1071 allows.
 */
static inline uint16_t
pkt_sum_iovecs(
    const struct evpl_iovec *iov,
    int                      niov,
    unsigned int             off,
    unsigned int             len,
    uint16_t                 sum)
{
    uint32_t     acc  = sum;
    unsigned int done = 0;
    int          i;

    for (i = 0; i < niov && len > 0; i++) {
        unsigned int l = evpl_iovec_length(&iov[i]), take;
        uint16_t     s;

        if (off >= l) {
            off -= l;
            continue;
        }
        take = RTE_MIN(l - off, len);
        s    = rte_raw_cksum((const char *) evpl_iovec_data(&iov[i]) + off,
                             take);
        if (done & 1)
            s = (uint16_t) ((s >> 8) | (s << 8));
        acc   = pkt_fold(acc + s);
        done += take;
        len  -= take;
        off   = 0;
    }
    return (uint16_t) acc;
}

/* The IPv4 pseudo-header sum (not folded) for an L4 length. */
static inline uint32_t
pkt_pseudo_sum(
    const struct rte_ipv4_hdr *ip,
    unsigned int               l4_len)
{
    uint32_t sum = 0;

    sum += (ip->src_addr & 0xffff) + (ip->src_addr >> 16);
    sum += (ip->dst_addr & 0xffff) + (ip->dst_addr >> 16);
    sum += rte_cpu_to_be_16((uint16_t) ip->next_proto_id);
    sum += rte_cpu_to_be_16((uint16_t) l4_len);
    return sum;
}

/*
 * Byte i of test payload number seq of a given size: what the examples
 * send and the tests (and the kernel-side scripts, in Python) check:
 * (i * 131 + seq * 7 + size) mod 251.
 */
static inline uint8_t
pkt_pattern_byte(
    unsigned int size,
    unsigned int seq,
    unsigned int i)
{
    return (uint8_t) ((i * 131u + seq * 7u + size) % 251u);
}

static inline void
pkt_pattern_fill(
    void        *p,
    unsigned int len,
    unsigned int size,
    unsigned int seq,
    unsigned int from)
{
    uint8_t     *b = p;
    unsigned int i;

    for (i = 0; i < len; i++)
        b[i] = pkt_pattern_byte(size, seq, from + i);
}

/* Whether len bytes at p are pattern bytes [from, from + len). */
static inline int
pkt_pattern_check(
    const void  *p,
    unsigned int len,
    unsigned int size,
    unsigned int seq,
    unsigned int from)
{
    const uint8_t *b = p;
    unsigned int   i;

    for (i = 0; i < len; i++)
        if (b[i] != pkt_pattern_byte(size, seq, from + i))
            return 0;
    return 1;
}

/* Copy len bytes from byte off of a list of iovecs to dst. Returns the
 * bytes copied (fewer when the list is shorter). */
static inline unsigned int
pkt_copy_out(
    void                    *dst,
    const struct evpl_iovec *iov,
    int                      niov,
    unsigned int             off,
    unsigned int             len)
{
    char        *d = dst;
    unsigned int done = 0;
    int          i;

    for (i = 0; i < niov && done < len; i++) {
        unsigned int l = evpl_iovec_length(&iov[i]), take;

        if (off >= l) {
            off -= l;
            continue;
        }
        take = RTE_MIN(l - off, len - done);
        memcpy(d + done, (const char *) evpl_iovec_data(&iov[i]) + off, take);
        done += take;
        off   = 0;
    }
    return done;
}

/* Bytes n iovecs cover. */
static inline unsigned int
pkt_iovecs_len(
    const struct evpl_iovec *iov,
    int                      niov)
{
    unsigned int len = 0;
    int          i;

    for (i = 0; i < niov; i++)
        len += evpl_iovec_length(&iov[i]);
    return len;
}

/* A place in a list of iovecs: byte off of iovec j. */
struct pkt_cursor {
    int          j;
    unsigned int off;
};

/*
 * Clone the next len bytes of a list of iovecs, from cursor c (whose off
 * may run past iovec j), into dst: one clone per iovec they span (usually
 * one), at most room of them; the cursor moves past the bytes. The list
 * must hold them. Returns how many clones were written, or -1 when room
 * is too small (none written held).
 */
static inline int
pkt_clone_next(
    const struct evpl_iovec *src,
    struct pkt_cursor       *c,
    unsigned int             len,
    struct evpl_iovec       *dst,
    unsigned int             room)
{
    unsigned int have, take;
    int          n = 0;

    if (len == 0)
        return 0;
    /* Usually the iovec at the cursor holds all of them. */
    have = evpl_iovec_length(&src[c->j]);
    if (likely(c->off < have && have - c->off >= len && room > 0)) {
        evpl_iovec_clone_segment(dst, &src[c->j], c->off, len);
        c->off += len;
        return 1;
    }
    while (len > 0) {
        have = evpl_iovec_length(&src[c->j]);
        if (c->off >= have) {
            c->off -= have;
            c->j++;
            continue;
        }
        have -= c->off;
        if ((unsigned int) n == room) {
            evpl_iovecs_release(NULL, dst, n);
            return -1;
        }
        take = RTE_MIN(have, len);
        evpl_iovec_clone_segment(&dst[n++], &src[c->j], c->off, take);
        c->off += take;
        len    -= take;
    }
    return n;
}

/*
 * Whether the bytes of an iovec may be written without anyone else
 * seeing it: the iovec is on an mbuf whose data only it references (not
 * a slab, whose neighbours are others' bytes; not an indirect mbuf; not a
 * shared external buffer).
 */
static inline int
pkt_iovec_writable(const struct evpl_iovec *iov)
{
    const struct rte_mbuf *m = evpl_iovec_mbuf(iov);

    if (m == NULL || rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m))
        return 0;
    return !RTE_MBUF_HAS_EXTBUF(m) ||
           rte_mbuf_ext_refcnt_read(m->shinfo) == 1;
}

/*
 * Make the first len bytes of a list of iovecs writable in place: left
 * as they are when iov[0] holds them and is writable, else copied into a
 * fresh iovec put in front, the bytes dropped from the others (iovecs
 * emptied released). *niov may grow by one: iov has room for max.
 * Returns 0, or -1 with errno (ENOSPC: no room, EINVAL: the list is
 * shorter than len, ENOMEM), the list unchanged.
 */
int pkt_head_writable(struct evpl *evpl, struct evpl_iovec *iov, int *niov,
                      int max, unsigned int len);

/*
 * Cut a list of iovecs to its first len bytes: the last kept one
 * narrowed, those past it released. Returns the iovecs left.
 */
int pkt_iovecs_trim(struct evpl *evpl, struct evpl_iovec *iov, int niov,
                    unsigned int len);

/*
 * Drop the first len bytes of a list of iovecs: those emptied released,
 * the first kept one narrowed, the rest moved to the front. Returns the
 * iovecs left.
 */
int pkt_iovecs_pull(struct evpl *evpl, struct evpl_iovec *iov, int niov,
                    unsigned int len);

#endif /* EXAMPLES_PKT_H */
