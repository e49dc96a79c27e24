/* SPDX-License-Identifier: LGPL-2.1-only */

/* Received mbuf chains -> iovecs. */

#include "../src/internal.h"

EVPL_EXPORT int
evpl_dpdk_mbuf_to_iovecs(
    struct evpl       *evpl,
    struct rte_mbuf   *m,
    struct evpl_iovec *iov,
    int                max_iovecs)
{
    struct rte_mbuf *seg, *next;
    int              n = 0;

    if (unlikely(evpl == NULL || m == NULL || iov == NULL))
        return evpl_fail(EINVAL);

    /* Count first: on failure the chain must be exactly as it came. */
    for (seg = m; seg != NULL; seg = seg->next)
        n += seg->data_len != 0;
    if (unlikely(n > max_iovecs))
        return evpl_fail(ENOSPC);

    /* The links are left alone: a segment still referenced elsewhere may be
     * part of another holder's chain, and the last free resets them. */
    n = 0;
    for (seg = m; seg != NULL; seg = next) {
        next = seg->next;
        if (seg->data_len == 0) {
            rte_pktmbuf_free_seg(seg);
            continue;
        }
        iov[n].data         = rte_pktmbuf_mtod(seg, void *);
        iov[n].length       = seg->data_len;
        iov[n].flags        = 0;
        iov[n].private_data = seg;
        n++;
    }
    return n;
}
