/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * A lossy network in a few lines, for the examples' tests: packets
 * dropped, duplicated (a clone of each iovec: no copy) or held back and
 * delivered after the next one, each with a probability and from a seed,
 * so that a run can be repeated exactly.
 */

#ifndef EXAMPLES_FAULT_H
#define EXAMPLES_FAULT_H

#include <stdint.h>

#include <evpl/evpl.h>

/* Most iovecs of a packet that fault_pass() takes. */
#define FAULT_MAX_IOV 8

/* Probabilities, in parts per million, and the seed. */
struct fault_config {
    unsigned int loss, dup, reorder;
    uint64_t     seed;
};

/* A packet the network delivers: iovecs it owns. */
struct fault_pkt {
    int               niov;
    struct evpl_iovec iov[FAULT_MAX_IOV];
};

struct fault {
    struct fault_config cfg;
    uint64_t            rng;
    int                 have_held;
    struct fault_pkt    held;
    uint64_t            passed, dropped, duplicated, reordered;
};

/* What fault_pass() did to the packet it was given. */
#define FAULT_DROPPED    0x1u
#define FAULT_DUPLICATED 0x2u
#define FAULT_HELD       0x4u

/* Most packets one fault_pass() delivers. */
#define FAULT_OUT_MAX 3

void fault_init(struct fault *f, const struct fault_config *cfg);

/*
 * Put one packet on the network; its references move to the network.
 * Returns how many packets it delivers now into out[] (at most
 * FAULT_OUT_MAX: this one, its duplicate, one held back earlier), with
 * what happened to this one in *what; or -1 with errno EINVAL for a
 * packet of more than FAULT_MAX_IOV iovecs (released).
 */
int fault_pass(struct fault *f, struct evpl *evpl, struct evpl_iovec *iov,
               int niov, struct fault_pkt *out, unsigned int *what);

/* Deliver the packet held back, if any, into *out. Returns 1 or 0. */
int fault_flush(struct fault *f, struct fault_pkt *out);

#endif /* EXAMPLES_FAULT_H */
