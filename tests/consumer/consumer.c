/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * An application outside this project, as a user writes one: built
 * against an installed evpl-dpdk.pc (tests/check_install.sh) or with this
 * project as a meson subproject (tests/check_subproject.sh). It allocates,
 * releases, tears down in the documented order and prints the version
 * the headers and the library report; exit 0 only if they agree.
 */

#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <evpl/evpl.h>

int
main(int argc, char **argv)
{
    struct evpl_iovec v;
    struct evpl      *evpl;

    if (rte_eal_init(argc, argv) < 0) {
        fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    evpl = evpl_create(NULL);
    if (evpl == NULL || evpl_iovec_alloc(evpl, 1000, 0, 1, 0, &v) != 1) {
        fprintf(stderr, "evpl: %s\n", strerror(errno));
        return 1;
    }
    memset(evpl_iovec_data(&v), 0x5a, evpl_iovec_length(&v));
    evpl_iovec_release(evpl, &v);
    evpl_destroy(evpl);
    rte_eal_cleanup();

    printf("consumer: library %s, headers %s\n", evpl_dpdk_version(),
           EVPL_DPDK_VERSION_STRING);
    return strcmp(evpl_dpdk_version(), EVPL_DPDK_VERSION_STRING) != 0;
}
