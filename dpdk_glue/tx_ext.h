/* SPDX-License-Identifier: LGPL-2.1-only */

/* Transmit of slab iovecs by reference (tx_ext.c). Glue-private. */

#ifndef EVPL_TX_EXT_H
#define EVPL_TX_EXT_H

#include <rte_mbuf.h>

#include <evpl/evpl.h>

/* Most bytes one attached mbuf describes: its lengths are 16 bits. */
#define EVPL_TX_EXT_SEG_MAX 65535u

/* Segments a slab range of length bytes becomes. */
static inline unsigned int
evpl_tx_ext_segs(unsigned int length)
{
    return (length + EVPL_TX_EXT_SEG_MAX - 1) / EVPL_TX_EXT_SEG_MAX;
}

/* Attach v's bytes to fresh mbufs from the context's pool, linked from
 * *head to *tail (tail->next NULL), which share one count on the slab
 * (evpl_slab_att_get()); v keeps its reference. Returns 0, or -1 when the pool runs
 * dry, with nothing taken. Aborts, naming call, if the slab's count would
 * pass 65535. */
int evpl_tx_ext_attach(struct evpl *evpl, const char *call,
                       const struct evpl_iovec *v, struct rte_mbuf **head,
                       struct rte_mbuf **tail);

/* The library's release of a reference handed to transmit (TAKE_REF):
 * on a slab, a no-op for GLOBAL iovecs (the application's). */
static inline void
evpl_iovec_put_taken_(const struct evpl_iovec *v)
{
    if (unlikely(evpl_iovec_on_slab_(v)))
        evpl_slab_release_internal_(v->private_data, v->flags);
    else
        evpl_iovec_ref_put_(evpl_iovec_mbuf_(v), v->flags);
}

#endif /* EVPL_TX_EXT_H */
