/* SPDX-License-Identifier: LGPL-2.1-only */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* "lib.evpl", as DPDK's libraries are named ("lib.eal", "lib.mempool"), so
 * that --log-level=lib.*:debug reaches it too; docs/api.md says why.
 * Named explicitly: RTE_LOG_REGISTER_DEFAULT() takes the name from
 * RTE_LOG_DEFAULT_LOGTYPE, which only DPDK's own build defines, and would
 * register "RTE_LOG_DEFAULT_LOGTYPE". */
RTE_LOG_REGISTER(evpl_logtype, lib.evpl, NOTICE);

/* "evpl", the name before 0.2, still raises the level: a message is
 * printed when either type's level lets it through. Registered at EMERG,
 * which the library never logs at, so that by default lib.evpl alone
 * decides, and --log-level=lib.evpl:error quiets the library. */
RTE_LOG_REGISTER(evpl_logtype_compat, evpl, EMERG);

int
evpl_log_type(uint32_t level)
{
    return rte_log_can_log(evpl_logtype_compat, level) ?
           evpl_logtype_compat : evpl_logtype;
}

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
