/* SPDX-License-Identifier: LGPL-2.1-only */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Named explicitly: RTE_LOG_REGISTER_DEFAULT() takes the name from
 * RTE_LOG_DEFAULT_LOGTYPE, which only DPDK's own build defines, and would
 * register "RTE_LOG_DEFAULT_LOGTYPE". Enable with --log-level=evpl:info. */
RTE_LOG_REGISTER(evpl_logtype, evpl, NOTICE);

EVPL_EXPORT void
evpl_iovec_abort(
    const char              *call,
    const struct evpl_iovec *iov,
    const char              *fmt,
    ...)
{
    va_list ap;

    /* stderr, unbuffered: the process is about to die and this line is the
     * only account of why. */
    fprintf(stderr, "evpl: %s: ", call);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (iov != NULL)
        fprintf(stderr, " (iovec %p, data %p, length %u)",
                (const void *) iov, iov->data, iov->length);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}
