/* SPDX-License-Identifier: LGPL-2.1-only */

#include <evpl/evpl_version.h>

/* The string is compiled into the library, so an application learns the
 * version it runs with, not the one its headers had. */
EVPL_EXPORT const char *
evpl_dpdk_version(void)
{
    return EVPL_DPDK_VERSION_STRING;
}
