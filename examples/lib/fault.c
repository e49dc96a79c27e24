/* SPDX-License-Identifier: LGPL-2.1-only */

/* The examples' lossy network: see fault.h. */

#include <errno.h>

#include "fault.h"

void
fault_init(
    struct fault              *f,
    const struct fault_config *cfg)
{
    *f     = (struct fault) { .cfg = *cfg };
    f->rng = cfg->seed * UINT64_C(0x9e3779b97f4a7c15) + 1;
}

/* xorshift64*: a draw in [0, 1000000). */
static unsigned int
fault_draw(struct fault *f)
{
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return (unsigned int) ((f->rng * UINT64_C(2685821657736338717)) >> 32) %
           1000000u;
}

static void
fault_take(
    struct fault_pkt  *p,
    struct evpl_iovec *iov,
    int                niov)
{
    int k;

    p->niov = niov;
    for (k = 0; k < niov; k++)
        evpl_iovec_move(&p->iov[k], &iov[k]);
}

int
fault_pass(
    struct fault      *f,
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    struct fault_pkt  *out,
    unsigned int      *what)
{
    int n = 0, k;

    *what = 0;
    if (niov > FAULT_MAX_IOV) {
        evpl_iovecs_release(evpl, iov, niov);
        errno = EINVAL;
        return -1;
    }
    if (fault_draw(f) < f->cfg.loss) {
        evpl_iovecs_release(evpl, iov, niov);
        f->dropped++;
        *what = FAULT_DROPPED;
        return 0;
    }
    f->passed++;
    fault_take(&out[n++], iov, niov);
    if (fault_draw(f) < f->cfg.dup) {
        out[n].niov = niov;
        for (k = 0; k < niov; k++)
            evpl_iovec_clone(&out[n].iov[k], &out[0].iov[k]);
        n++;
        f->duplicated++;
        *what |= FAULT_DUPLICATED;
    }
    if (!f->have_held && fault_draw(f) < f->cfg.reorder) {
        /* This one waits for the next; its duplicate, if any, goes now. */
        fault_take(&f->held, out[0].iov, out[0].niov);
        if (n == 2)
            fault_take(&out[0], out[1].iov, out[1].niov);
        n--;
        f->have_held = 1;
        f->reordered++;
        *what |= FAULT_HELD;
        return n;
    }
    return n + fault_flush(f, &out[n]);
}

int
fault_flush(
    struct fault     *f,
    struct fault_pkt *out)
{
    if (!f->have_held)
        return 0;
    fault_take(out, f->held.iov, f->held.niov);
    f->have_held = 0;
    return 1;
}
