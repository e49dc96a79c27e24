/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * IPv4 reassembly by reference: see reasm.h.
 *
 * Datagrams in progress live in a fixed array, found through a hash of
 * their key (the entry of the last fragment looked at first) and kept on
 * an age list in order of their first fragment, which is also the order
 * of their timeouts. Each holds its fragments on a list sorted by offset,
 * never overlapping: a new fragment is checked against the one before it
 * and the one after it. Fragments are drawn from a fixed pool, and a
 * completed datagram's list goes back to it whole. A datagram dropped for an overlap or for
 * inconsistent fragments stays in the table as a tombstone, holding
 * nothing, so that its later fragments are dropped too, until its
 * timeout.
 */

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "pkt.h"
#include "reasm.h"

#define NONE UINT32_MAX
#define REASM_NO_END UINT32_MAX

struct reasm_frag {
    uint32_t          next;
    uint32_t          off, end; /* payload bytes [off, end) of the datagram */
    uint32_t          truesize; /* buffer bytes it keeps alive */
    int               niov;
    struct evpl_iovec iov[REASM_FRAG_IOV];
};

enum { DG_FREE, DG_LIVE, DG_DEAD };

/* A datagram's key, (source, destination) and (identification, protocol)
 * as they are in the header, in two words compared whole. */
struct reasm_key {
    uint64_t addrs;
    uint32_t id_proto;
};

struct reasm_dgram {
    struct reasm_key key;
    uint8_t  state;
    uint32_t hnext;            /* hash chain */
    uint32_t older, newer;     /* age list */
    uint64_t expires;
    uint32_t head, tail;       /* fragments, sorted by offset */
    uint32_t total;            /* payload bytes, once the last is in;
                                  till then REASM_NO_END */
    uint32_t got;              /* payload bytes held */
    uint32_t niov;             /* iovecs held */
    uint32_t l2_len;           /* link header of the first fragment */
};

struct reasm {
    struct reasm_config cfg;
    struct reasm_stats  st;
    struct reasm_dgram *dg;
    uint32_t           *bucket;
    uint32_t            mask;
    uint32_t            last;          /* entry of the last fragment, as
                                          rte_ip_frag keeps it: the next
                                          is most likely of the same */
    uint32_t            dg_free;       /* free entries, through hnext */
    uint32_t            oldest, newest;
    struct reasm_frag  *frag;
    uint32_t            frag_free;     /* free fragments, through next */
};

static inline struct reasm_key
reasm_key_of(const struct rte_ipv4_hdr *ip)
{
    struct reasm_key k;

    /* Source and destination are adjacent in the header. */
    memcpy(&k.addrs, &ip->src_addr, sizeof(k.addrs));
    k.id_proto = (uint32_t) ip->packet_id | (uint32_t) ip->next_proto_id << 16;
    return k;
}

static inline int
reasm_key_eq(
    const struct reasm_key *a,
    const struct reasm_key *b)
{
    return a->addrs == b->addrs && a->id_proto == b->id_proto;
}

static inline uint32_t
reasm_hash(
    const struct reasm     *r,
    const struct reasm_key *k)
{
    uint64_t h = k->addrs * UINT64_C(0x9e3779b97f4a7c15);

    h ^= (uint64_t) k->id_proto * UINT64_C(0xc2b2ae3d27d4eb4f);
    return (uint32_t) (h >> 32) & r->mask;
}

struct reasm *
reasm_create(
    const struct reasm_config *cfg,
    int                        socket)
{
    struct reasm *r;
    uint32_t      i, nb = 1;

    r = rte_zmalloc_socket("reasm", sizeof(*r), 0, socket);
    if (r == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    if (cfg != NULL)
        r->cfg = *cfg;
    if (r->cfg.max_datagrams == 0)
        r->cfg.max_datagrams = 256;
    if (r->cfg.max_frags == 0)
        r->cfg.max_frags = 4096;
    if (r->cfg.max_bytes == 0)
        r->cfg.max_bytes = 16u << 20;
    if (r->cfg.timeout == 0)
        r->cfg.timeout = 30 * rte_get_tsc_hz();
    if (r->cfg.max_datagrams >= (1u << 24) || r->cfg.max_frags >= (1u << 24)) {
        rte_free(r);
        errno = EINVAL;
        return NULL;
    }
    while (nb < 2 * r->cfg.max_datagrams)
        nb <<= 1;
    r->mask   = nb - 1;
    r->dg     = rte_calloc_socket("reasm_dg", r->cfg.max_datagrams,
                                  sizeof(*r->dg), 0, socket);
    r->bucket = rte_malloc_socket("reasm_bucket", nb * sizeof(uint32_t), 0,
                                  socket);
    r->frag   = rte_calloc_socket("reasm_frag", r->cfg.max_frags,
                                  sizeof(*r->frag), 0, socket);
    if (r->dg == NULL || r->bucket == NULL || r->frag == NULL) {
        rte_free(r->dg);
        rte_free(r->bucket);
        rte_free(r->frag);
        rte_free(r);
        errno = ENOMEM;
        return NULL;
    }
    for (i = 0; i < nb; i++)
        r->bucket[i] = NONE;
    for (i = 0; i < r->cfg.max_datagrams; i++)
        r->dg[i].hnext = i + 1 < r->cfg.max_datagrams ? i + 1 : NONE;
    for (i = 0; i < r->cfg.max_frags; i++)
        r->frag[i].next = i + 1 < r->cfg.max_frags ? i + 1 : NONE;
    r->dg_free   = 0;
    r->frag_free = 0;
    r->oldest    = NONE;
    r->newest    = NONE;
    r->last      = NONE;
    return r;
}

/* Release a datagram's fragments; it holds none afterwards. */
static void
reasm_release_frags(
    struct reasm       *r,
    struct evpl        *evpl,
    struct reasm_dgram *d)
{
    uint32_t f, next;

    for (f = d->head; f != NONE; f = next) {
        struct reasm_frag *fr = &r->frag[f];

        next = fr->next;
        evpl_iovecs_release(evpl, fr->iov, fr->niov);
        r->st.held_frags--;
        r->st.held_bytes -= fr->truesize;
        fr->next     = r->frag_free;
        r->frag_free = f;
    }
    d->head = d->tail = NONE;
    d->niov = 0;
}

/* Take an entry out of the table altogether. */
static void
reasm_free_dgram(
    struct reasm *r,
    uint32_t      i)
{
    struct reasm_dgram *d = &r->dg[i];
    uint32_t           *p = &r->bucket[reasm_hash(r, &d->key)];

    if (r->last == i)
        r->last = NONE;
    while (*p != i)
        p = &r->dg[*p].hnext;
    *p = d->hnext;
    if (d->older != NONE)
        r->dg[d->older].newer = d->newer;
    else
        r->oldest = d->newer;
    if (d->newer != NONE)
        r->dg[d->newer].older = d->older;
    else
        r->newest = d->older;
    if (d->state == DG_LIVE)
        r->st.held_datagrams--;
    d->state   = DG_FREE;
    d->hnext   = r->dg_free;
    r->dg_free = i;
}

/* Give up a datagram: its fragments released, the entry freed, or kept
 * as a tombstone when later fragments must be dropped too. */
static void
reasm_give_up(
    struct reasm *r,
    struct evpl  *evpl,
    uint32_t      i,
    uint64_t     *counter,
    int           tombstone)
{
    struct reasm_dgram *d = &r->dg[i];

    reasm_release_frags(r, evpl, d);
    (*counter)++;
    if (!tombstone) {
        reasm_free_dgram(r, i);
        return;
    }
    if (d->state == DG_LIVE)
        r->st.held_datagrams--;
    d->state = DG_DEAD;
}

/* The entry of key k through the hash, or NONE; found, it becomes the
 * last one used. */
static uint32_t
reasm_lookup(
    struct reasm           *r,
    const struct reasm_key *k)
{
    uint32_t i;

    for (i = r->bucket[reasm_hash(r, k)]; i != NONE; i = r->dg[i].hnext)
        if (reasm_key_eq(&r->dg[i].key, k)) {
            r->last = i;
            return i;
        }
    return NONE;
}

/* A new entry, the oldest one given up when the table is full. */
static uint32_t
reasm_new(
    struct reasm           *r,
    struct evpl            *evpl,
    const struct reasm_key *k,
    uint64_t                now)
{
    struct reasm_dgram *d;
    uint32_t            i, h;

    if (r->dg_free == NONE) {
        i = r->oldest;
        if (r->dg[i].state == DG_LIVE)
            reasm_give_up(r, evpl, i, &r->st.evicted, 0);
        else
            reasm_free_dgram(r, i);
    }
    i          = r->dg_free;
    d          = &r->dg[i];
    r->dg_free = d->hnext;
    h          = reasm_hash(r, k);
    *d = (struct reasm_dgram) {
        .key = *k, .state = DG_LIVE,
        .hnext = r->bucket[h], .older = r->newest, .newer = NONE,
        .expires = now + r->cfg.timeout, .head = NONE, .tail = NONE,
        .total = REASM_NO_END,
    };
    r->bucket[h] = i;
    if (r->newest != NONE)
        r->dg[r->newest].newer = i;
    else
        r->oldest = i;
    r->newest = i;
    r->last   = i;
    r->st.held_datagrams++;
    return i;
}

/* Make room for one more fragment of truesize bytes by giving up the
 * oldest datagrams other than keep (reasm_room()'s slow path). */
static __rte_noinline int
reasm_make_room(
    struct reasm *r,
    struct evpl  *evpl,
    uint32_t      keep,
    uint32_t      truesize)
{
    uint32_t i = r->oldest, victim;

    while (r->st.held_frags >= r->cfg.max_frags ||
           r->st.held_bytes + truesize > r->cfg.max_bytes) {
        while (i != NONE && (i == keep || r->dg[i].state != DG_LIVE))
            i = r->dg[i].newer;
        if (i == NONE)
            return -1;
        victim = i;
        i      = r->dg[i].newer;
        reasm_give_up(r, evpl, victim, &r->st.evicted, 0);
    }
    return 0;
}

/* Room for one more fragment of truesize bytes, the oldest datagrams
 * other than keep given up for it if need be. Returns 0, or -1 when only
 * keep is left and there is still no room. */
static inline int
reasm_room(
    struct reasm *r,
    struct evpl  *evpl,
    uint32_t      keep,
    uint32_t      truesize)
{
    if (likely(r->st.held_frags < r->cfg.max_frags &&
               r->st.held_bytes + truesize <= r->cfg.max_bytes))
        return 0;
    return reasm_make_room(r, evpl, keep, truesize);
}

/* Buffer bytes an iovec keeps alive: its whole mbuf (a 60-byte fragment
 * can pin a 10 KiB receive buffer). */
static inline uint32_t
reasm_truesize_one(const struct evpl_iovec *iov)
{
    const struct rte_mbuf *m = evpl_iovec_mbuf(iov);

    return m != NULL ? m->buf_len : evpl_iovec_length(iov);
}

static inline uint32_t
reasm_truesize(
    const struct evpl_iovec *iov,
    int                      niov)
{
    uint32_t size = reasm_truesize_one(&iov[0]);
    int      i;

    for (i = 1; i < niov; i++)
        size += reasm_truesize_one(&iov[i]);
    return size;
}

/* Where a fragment starting at off goes: the fragment it follows (NONE
 * for the front). In order and in reverse order it is found at once. */
static uint32_t
reasm_find_prev(
    const struct reasm       *r,
    const struct reasm_dgram *d,
    uint32_t                  off)
{
    uint32_t p;

    if (d->tail == NONE || r->frag[d->tail].off <= off)
        return d->tail;
    if (r->frag[d->head].off > off)
        return NONE;
    for (p = d->head; r->frag[p].next != NONE &&
         r->frag[r->frag[p].next].off <= off; p = r->frag[p].next)
        ;
    return p;
}

/* The datagram is whole: its iovecs to out, its fragments and its entry
 * freed, in one walk. */
static __rte_noinline int
reasm_complete(
    struct reasm      *r,
    struct evpl       *evpl,
    uint32_t           i,
    struct evpl_iovec *out,
    int                max_out)
{
    struct reasm_dgram  *d = &r->dg[i];
    struct reasm_frag   *fr;
    struct rte_ipv4_hdr *ip;
    uint32_t             f, nfrags = 0;
    size_t               bytes = 0;
    int                  n = 0, k, hlen;

    if (unlikely(d->niov > (uint32_t) max_out)) {
        reasm_give_up(r, evpl, i, &r->st.too_long, 0);
        errno = ENOSPC;
        return -1;
    }
    for (f = d->head;; f = fr->next) {
        fr = &r->frag[f];
        evpl_iovec_move(&out[n++], &fr->iov[0]);
        for (k = 1; k < fr->niov; k++)
            evpl_iovec_move(&out[n++], &fr->iov[k]);
        bytes += fr->truesize;
        nfrags++;
        if (fr->next == NONE)
            break;
    }
    /* The fragments go back to the pool as the list they are. */
    fr->next          = r->frag_free;
    r->frag_free      = d->head;
    r->st.held_frags -= nfrags;
    r->st.held_bytes -= bytes;
    d->head = d->tail = NONE;
    d->niov = 0;
    r->st.completed++;
    reasm_free_dgram(r, i);

    /* The first fragment's header becomes the datagram's, rewritten in
     * place where nobody else sees its buffer, else in a copy. */
    ip   = pkt_ip(&out[0], d->l2_len);
    hlen = rte_ipv4_hdr_len(ip);
    if (unlikely(pkt_head_writable(evpl, out, &n, max_out,
                                   d->l2_len + hlen) < 0)) {
        evpl_iovecs_release(evpl, out, n);
        r->st.completed--;
        r->st.too_long++;
        errno = ENOSPC;
        return -1;
    }
    ip = pkt_ip(&out[0], d->l2_len);
    ip->total_length    = rte_cpu_to_be_16((uint16_t) (hlen + d->total));
    ip->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
    ip->hdr_checksum    = 0;
    ip->hdr_checksum    = rte_ipv4_cksum(ip);
    return n;
}

/* Drop a frame: malformed, late, a duplicate, or past the bounds. */
static __rte_noinline int
reasm_drop(
    struct evpl       *evpl,
    struct evpl_iovec *frame,
    int                niov,
    uint64_t          *counter)
{
    evpl_iovecs_release(evpl, frame, niov);
    (*counter)++;
    return 0;
}

/* Drop a frame and the datagram it belongs to, which stays a tombstone:
 * an overlap, or fragments that disagree on the datagram's end. */
static __rte_noinline int
reasm_reject(
    struct reasm      *r,
    struct evpl       *evpl,
    struct evpl_iovec *frame,
    int                niov,
    uint32_t           i,
    uint64_t          *counter)
{
    evpl_iovecs_release(evpl, frame, niov);
    reasm_give_up(r, evpl, i, counter, 1);
    return 0;
}

/* A frame that is no fragment, handed straight back. */
static __rte_noinline int
reasm_whole(
    struct reasm      *r,
    struct evpl       *evpl,
    struct evpl_iovec *frame,
    int                niov,
    struct evpl_iovec *out,
    int                max_out)
{
    int k;

    r->st.unfragmented++;
    if (unlikely(niov > max_out)) {
        evpl_iovecs_release(evpl, frame, niov);
        r->st.too_long++;
        errno = ENOSPC;
        return -1;
    }
    for (k = 0; k < niov; k++)
        evpl_iovec_move(&out[k], &frame[k]);
    return niov;
}

/* The entry of a fragment past the last one used: through the hash, a
 * timed out entry given up, a new one made when there is none. */
static __rte_noinline uint32_t
reasm_find_slow(
    struct reasm           *r,
    struct evpl            *evpl,
    const struct reasm_key *k,
    uint64_t                now)
{
    uint32_t i = reasm_lookup(r, k);

    if (i != NONE && r->dg[i].expires <= now) {
        if (r->dg[i].state == DG_LIVE)
            reasm_give_up(r, evpl, i, &r->st.timed_out, 0);
        else
            reasm_free_dgram(r, i);
        i = NONE;
    }
    if (i == NONE)
        i = reasm_new(r, evpl, k, now);
    return i;
}

int
reasm_input(
    struct reasm      *r,
    struct evpl       *evpl,
    struct evpl_iovec *frame,
    int                niov,
    unsigned int       l2_len,
    uint64_t           now,
    struct evpl_iovec *out,
    int                max_out)
{
    const struct rte_ipv4_hdr *ip;
    struct reasm_frag         *fr;
    struct reasm_dgram        *d;
    struct reasm_key           key;
    unsigned int               hlen, tot, have, off, plen, end, len0;
    uint32_t                   i, prev, next, f, truesize;
    unsigned int               fo, mf;
    int                        k;

    r->st.frames++;
    if (unlikely(niov < 1))
        return reasm_drop(evpl, frame, niov, &r->st.malformed);
    len0 = evpl_iovec_length(&frame[0]);
    if (unlikely(len0 < l2_len + sizeof(*ip)))
        return reasm_drop(evpl, frame, niov, &r->st.malformed);
    ip   = pkt_ip(&frame[0], l2_len);
    hlen = rte_ipv4_hdr_len(ip);
    tot  = rte_be_to_cpu_16(ip->total_length);
    have = niov == 1 ? len0 : pkt_iovecs_len(frame, niov);
    /* Version 4 with a header of at least 20 bytes: version_ihl 0x45 to
     * 0x4f. */
    if (unlikely((uint8_t) (ip->version_ihl - 0x45) > 0x4f - 0x45 ||
                 len0 < l2_len + hlen || tot < hlen || have < l2_len + tot))
        return reasm_drop(evpl, frame, niov, &r->st.malformed);
    /* Link padding (a short frame's) is no part of the datagram. */
    if (unlikely(have > l2_len + tot))
        niov = pkt_iovecs_trim(evpl, frame, niov, l2_len + tot);

    fo  = rte_be_to_cpu_16(ip->fragment_offset);
    off = (fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
    mf  = fo & RTE_IPV4_HDR_MF_FLAG;
    if (unlikely(!mf && off == 0))
        return reasm_whole(r, evpl, frame, niov, out, max_out);
    r->st.fragments++;
    plen = tot - hlen;
    end  = off + plen;
    if (unlikely(plen == 0 || (mf && (plen & 7)) || end + hlen > PKT_IP_MAX ||
                 niov > (int) REASM_FRAG_IOV))
        return reasm_drop(evpl, frame, niov, &r->st.malformed);

    /* The entry, live or a tombstone, made if need be: the last one used
     * if it is this fragment's (as rte_ip_frag looks first: the fragments
     * of a datagram mostly come together) and has not timed out. */
    key = reasm_key_of(ip);
    i   = r->last;
    if (unlikely(i == NONE || !reasm_key_eq(&r->dg[i].key, &key) ||
                 r->dg[i].expires <= now))
        i = reasm_find_slow(r, evpl, &key, now);
    d = &r->dg[i];
    if (unlikely(d->state == DG_DEAD))
        return reasm_drop(evpl, frame, niov, &r->st.late);

    /* A last fragment fixes the length; everything must agree with it
     * (total is REASM_NO_END until then, which no end passes). */
    if (unlikely(mf ? end > d->total :
                 (d->total != REASM_NO_END && end != d->total) ||
                 (d->tail != NONE && r->frag[d->tail].end > end)))
        return reasm_reject(r, evpl, frame, niov, i, &r->st.inconsistent);
    prev = reasm_find_prev(r, d, off);
    next = prev == NONE ? d->head : r->frag[prev].next;
    if (prev != NONE && r->frag[prev].off == off && r->frag[prev].end == end)
        return reasm_drop(evpl, frame, niov, &r->st.duplicates);
    if (unlikely((prev != NONE && r->frag[prev].end > off) ||
                 (next != NONE && end > r->frag[next].off)))
        return reasm_reject(r, evpl, frame, niov, i, &r->st.overlaps);

    /* Keep only the payload of all but the first fragment, whose header
     * becomes the datagram's. */
    if (off == 0)
        d->l2_len = l2_len;
    else if (likely(len0 > l2_len + hlen))
        evpl_iovec_move_segment(&frame[0], &frame[0], l2_len + hlen,
                                len0 - l2_len - hlen);
    else
        niov = pkt_iovecs_pull(evpl, frame, niov, l2_len + hlen);
    truesize = reasm_truesize(frame, niov);
    /* The fragment pool holds max_frags: room for one more is a free one. */
    if (unlikely(reasm_room(r, evpl, i, truesize) < 0)) {
        evpl_iovecs_release(evpl, frame, niov);
        reasm_give_up(r, evpl, i, &r->st.evicted, 0);
        return 0;
    }
    f            = r->frag_free;
    fr           = &r->frag[f];
    r->frag_free = fr->next;
    fr->off      = off;
    fr->end      = end;
    fr->truesize = truesize;
    fr->niov     = niov;
    evpl_iovec_move(&fr->iov[0], &frame[0]);
    for (k = 1; k < niov; k++)
        evpl_iovec_move(&fr->iov[k], &frame[k]);
    fr->next = next;
    if (prev == NONE)
        d->head = f;
    else
        r->frag[prev].next = f;
    if (next == NONE)
        d->tail = f;
    r->st.held_frags++;
    r->st.held_bytes += truesize;
    d->got           += plen;
    d->niov          += (uint32_t) niov;
    if (!mf)
        d->total = end;
    /* got never reaches REASM_NO_END. */
    if (d->got == d->total)
        return reasm_complete(r, evpl, i, out, max_out);
    return 0;
}

unsigned int
reasm_expire(
    struct reasm *r,
    struct evpl  *evpl,
    uint64_t      now)
{
    unsigned int n = 0;

    while (r->oldest != NONE && r->dg[r->oldest].expires <= now) {
        if (r->dg[r->oldest].state == DG_LIVE) {
            reasm_give_up(r, evpl, r->oldest, &r->st.timed_out, 0);
            n++;
        } else {
            reasm_free_dgram(r, r->oldest);
        }
    }
    return n;
}

unsigned int
reasm_flush(
    struct reasm *r,
    struct evpl  *evpl)
{
    return reasm_expire(r, evpl, UINT64_MAX);
}

void
reasm_destroy(
    struct reasm *r,
    struct evpl  *evpl)
{
    if (r == NULL)
        return;
    reasm_flush(r, evpl);
    rte_free(r->dg);
    rte_free(r->bucket);
    rte_free(r->frag);
    rte_free(r);
}

void
reasm_stats_get(
    const struct reasm *r,
    struct reasm_stats *s)
{
    *s = r->st;
}
