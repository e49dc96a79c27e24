/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * IPv4 reassembly of fragments received as iovecs, without copying: a
 * complete datagram is handed back as the list of the fragments' own
 * iovecs, the first fragment's (link and IP header included) first, the
 * others' narrowed to their payload.
 *
 * What a real reassembler needs, and this one has:
 *  - a table of datagrams in progress keyed by (source, destination,
 *    identification, protocol), as RFC 791 keys them;
 *  - a timeout, counted from a datagram's first fragment;
 *  - a bound on the memory held: datagrams, fragments and buffer bytes
 *    (the whole buffer a fragment keeps alive, not just its bytes), the
 *    oldest datagram given up to make room;
 *  - fragments in any order; an exact duplicate of a fragment held is
 *    dropped alone, and a fragment that overlaps another in any other way
 *    drops the whole datagram, and every later fragment of it until its
 *    timeout (RFC 5722's rule, applied to IPv4 as Linux applies it);
 *  - malformed fragments dropped (payload not a multiple of 8 bytes
 *    before the last, empty, ending past 65535 bytes, past the end a last
 *    fragment set, or a second last fragment that disagrees).
 * Every iovec of a datagram given up is released.
 *
 * One table per thread: it keeps LOCAL iovecs. No heap allocation after
 * reasm_create().
 */

#ifndef EXAMPLES_REASM_H
#define EXAMPLES_REASM_H

#include <stddef.h>
#include <stdint.h>

#include <evpl/evpl.h>

/* Most iovecs one received fragment may have (a frame of more is
 * dropped as malformed). */
#define REASM_FRAG_IOV 4u

/* Limits of a table; every zero field means the default. */
struct reasm_config {
    unsigned int max_datagrams; /* in progress at once (default 256) */
    unsigned int max_frags;     /* fragments held (default 4096) */
    size_t       max_bytes;     /* buffer bytes held (default 16 MiB) */
    uint64_t     timeout;       /* in the caller's time unit (default:
                                   30 s of the TSC, Linux's ipfrag_time) */
};

/* What happened to what the table was given. */
struct reasm_stats {
    uint64_t frames;      /* frames given to reasm_input() */
    uint64_t unfragmented;/* of them, whole datagrams, handed straight back */
    uint64_t fragments;   /* of them, fragments */
    uint64_t completed;   /* datagrams reassembled and handed back */
    uint64_t timed_out;   /* datagrams given up at their timeout */
    uint64_t evicted;     /* datagrams given up to stay within the bounds */
    uint64_t overlaps;    /* datagrams dropped for an overlap (RFC 5722) */
    uint64_t inconsistent;/* datagrams dropped: two last fragments disagree,
                             or a fragment past the last one's end */
    uint64_t duplicates;  /* exact duplicate fragments dropped */
    uint64_t late;        /* fragments of a dropped datagram, dropped */
    uint64_t malformed;   /* frames dropped as malformed */
    uint64_t too_long;    /* datagrams dropped: more iovecs than room */
    /* Held now. */
    unsigned int held_datagrams, held_frags;
    size_t       held_bytes;
};

struct reasm;

/*
 * Create a table.
 * @param cfg    NULL or a zero-initialised configuration.
 * @param socket NUMA socket of its memory (SOCKET_ID_ANY: any).
 * @return The table, or NULL with errno: EINVAL (a limit out of range),
 *   ENOMEM.
 */
struct reasm *reasm_create(const struct reasm_config *cfg, int socket);

/* Release every fragment still held, then the table. NULL does nothing. */
void reasm_destroy(struct reasm *r, struct evpl *evpl);

/*
 * Give the table one received frame: l2_len bytes of link header, then
 * an IPv4 packet, across niov iovecs whose references the table takes
 * whatever happens (kept, handed back, or released).
 *
 * A frame that is not a fragment is handed straight back in @p out, its
 * link padding cut off. A fragment is kept; when it completes its
 * datagram, the datagram is written to @p out: the first fragment's
 * iovecs, its IPv4 header rewritten in place (total length, no fragment
 * offset or more-fragments bit, checksum), then the other fragments'
 * payload iovecs in order.
 *
 * @param now Current time, in the unit of reasm_config.timeout.
 * @return The number of iovecs written to @p out (0: nothing to hand
 *   back yet, or the frame was dropped; the statistics say which), or -1
 *   with errno ENOSPC: the datagram needed more than @p max_out iovecs
 *   (it was dropped, counted in too_long).
 */
int reasm_input(struct reasm *r, struct evpl *evpl, struct evpl_iovec *frame,
                int niov, unsigned int l2_len, uint64_t now,
                struct evpl_iovec *out, int max_out);

/* Give up every datagram whose timeout has passed at @p now (its iovecs
 * released). Returns how many were live datagrams (counted in
 * timed_out). */
unsigned int reasm_expire(struct reasm *r, struct evpl *evpl, uint64_t now);

/* Give up everything held (counted as timed out). Returns how many live
 * datagrams that was. */
unsigned int reasm_flush(struct reasm *r, struct evpl *evpl);

/* Copy out the table's statistics. */
void reasm_stats_get(const struct reasm *r, struct reasm_stats *s);

#endif /* EXAMPLES_REASM_H */
