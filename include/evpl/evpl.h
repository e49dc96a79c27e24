/* SPDX-License-Identifier: LGPL-2.1-only */

/**
 * @file
 * evpl-dpdk: libevpl's memory API (reference-counted iovecs) on DPDK.
 *
 * Include this one header. It brings in:
 *  - <evpl/evpl_memory.h>, the seed API, which names no DPDK type;
 *  - <evpl/evpl_dpdk.h>, the glue: contexts, pools, mbuf conversion;
 *  - <evpl/evpl_version.h>, the version macros and evpl_dpdk_version().
 *
 * Error rule: int functions return >= 0, or -1 with errno set (rte_errno
 * too where DPDK reported the failure); constructors return NULL with errno
 * set; the library never exits the process, and aborts only on the API
 * misuse the seed itself treats as fatal (ranges outside an iovec) and on
 * reference-count overflow, with a message naming the call.
 */

#ifndef EVPL_H
#define EVPL_H

#include <evpl/evpl_memory.h>
#include <evpl/evpl_dpdk.h>
#include <evpl/evpl_version.h>

#endif /* EVPL_H */
