/* SPDX-License-Identifier: LGPL-2.1-only */

/* tcp_seg's parts: main.c (the example), tcp.c (a minimal TCP sender
 * for --connect) and bench.c (--bench). */

#ifndef EXAMPLES_TCP_SEG_H
#define EXAMPLES_TCP_SEG_H

#include <stdint.h>

#include "app.h"
#include "fault.h"

/* What --connect is asked to do. */
struct tcp_job {
    struct app_addr     src, dst;
    unsigned int        bytes;  /* the stream: one send buffer */
    unsigned int        mss;    /* most payload per segment we send */
    struct fault_config faults; /* on the segments sent */
};

/* What it did. */
struct tcp_result {
    uint64_t segments, retransmits, acks;
    unsigned int peer_mss;
    int          established, all_acked, peer_closed;
};

/*
 * Open a connection to job->dst from port 0 (SYN, SYN-ACK, ACK), send
 * job->bytes of the test pattern as one slab send buffer cut by
 * tseg_tcp4(), FIN on the last segment, resend from the first byte not
 * acknowledged after 200 ms without progress, and wait for the peer's
 * FIN. Returns 0 when every byte and the FIN were acknowledged and the
 * peer closed, else -1 (the result says how far it got).
 */
int tcp_send_stream(struct evpl *evpl, uint16_t port,
                    const struct tcp_job *job, struct tcp_result *res);

/* tcp_seg --bench; argv holds its options. Returns the exit status. */
int tcp_seg_bench(int argc, char **argv);

#endif /* EXAMPLES_TCP_SEG_H */
