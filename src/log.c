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
    char    what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    /* One line at CRIT on the library's log type, as rte_panic() logs
     * before it aborts: an application's log stream (rte_openlog_stream,
     * syslog) records why the process died, and the EAL's default stream
     * writes it to stderr. Its text is the same with or without the EAL:
     * "evpl: CALL: WHAT (iovec ...)", which docs/trace.md shows. */
    if (iov != NULL)
        rte_log(RTE_LOG_CRIT, evpl_log_type(RTE_LOG_CRIT),
                "evpl: %s: %s (iovec %p, data %p, length %u)\n", call, what,
                (const void *) iov, iov->data, iov->length);
    else
        rte_log(RTE_LOG_CRIT, evpl_log_type(RTE_LOG_CRIT), "evpl: %s: %s\n",
                call, what);
    fflush(rte_log_get_stream());
    abort();
}
