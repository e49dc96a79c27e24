/* SPDX-License-Identifier: LGPL-2.1-only */

/* The out-of-line packet helpers: see pkt.h. */

#include <errno.h>

#include "pkt.h"

int
pkt_iovecs_trim(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       len)
{
    int i, keep = 0;

    for (i = 0; i < niov; i++) {
        unsigned int l = evpl_iovec_length(&iov[i]);

        if (len == 0) {
            evpl_iovec_release(evpl, &iov[i]);
            continue;
        }
        if (l > len)
            evpl_iovec_set_length(&iov[i], len);
        len -= RTE_MIN(l, len);
        keep = i + 1;
    }
    return keep;
}

int
pkt_iovecs_pull(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       len)
{
    int i = 0, k;

    while (i < niov && len >= evpl_iovec_length(&iov[i])) {
        len -= evpl_iovec_length(&iov[i]);
        evpl_iovec_release(evpl, &iov[i++]);
    }
    if (i < niov && len > 0)
        evpl_iovec_move_segment(&iov[i], &iov[i], len,
                                evpl_iovec_length(&iov[i]) - len);
    for (k = 0; i < niov; k++, i++)
        if (k != i)
            evpl_iovec_move(&iov[k], &iov[i]);
    return k;
}

int
pkt_head_writable(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int               *niov,
    int                max,
    unsigned int       len)
{
    struct evpl_iovec head;
    int               n = *niov, i;

    if (n > 0 && evpl_iovec_length(&iov[0]) >= len &&
        pkt_iovec_writable(&iov[0]))
        return 0;
    if (pkt_iovecs_len(iov, n) < len) {
        errno = EINVAL;
        return -1;
    }
    /* The copy's room first: pulling may free a slot, but not always. */
    if (n == max && evpl_iovec_length(&iov[0]) > len) {
        errno = ENOSPC;
        return -1;
    }
    if (evpl_iovec_alloc(evpl, len, 8, 1, 0, &head) != 1)
        return -1;
    pkt_copy_out(evpl_iovec_data(&head), iov, n, 0, len);
    n = pkt_iovecs_pull(evpl, iov, n, len);
    for (i = n; i > 0; i--)
        evpl_iovec_move(&iov[i], &iov[i - 1]);
    evpl_iovec_move(&iov[0], &head);
    *niov = n + 1;
    return 0;
}
