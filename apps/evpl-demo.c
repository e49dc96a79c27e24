/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * evpl-demo: a walk through the memory API with the pool's books open.
 *
 *   evpl-demo [EAL options]
 *
 * Allocates, clones, releases and reserves, printing after each step how
 * many mbufs the pool has free, and exits non-zero if any is missing at
 * the end.
 */

#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <evpl/evpl.h>

static struct rte_mempool *pool;
static unsigned int        free_at_start;

static void
step(const char *what)
{
    unsigned int avail = rte_mempool_avail_count(pool);

    printf("  %-52s free mbufs %5u (%+d)\n", what, avail,
           (int) avail - (int) free_at_start);
}

int
main(int argc, char **argv)
{
    struct evpl_iovec payload, header, body, copy, rsv[4], big[64];
    struct evpl      *evpl;
    int               n, nbig, ok;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (rte_eal_init(argc, argv) < 0) {
        fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 1;
    }

    evpl = evpl_create(NULL);
    if (evpl == NULL) {
        fprintf(stderr, "evpl_create: %s\n", strerror(errno));
        return 1;
    }
    pool          = evpl_mempool(evpl);
    free_at_start = rte_mempool_avail_count(pool);
    printf("pool %s: %u mbufs, %u bytes of data room each\n", pool->name,
           pool->size, rte_pktmbuf_data_room_size(pool));
    step("start");

    /* A packet payload, owned exclusively: one mbuf. */
    if (evpl_iovec_alloc(evpl, 1400, 64, 1, 0, &payload) != 1)
        goto fail;
    memset(payload.data, 'p', 1400);
    step("alloc 1400 bytes, 64-aligned");

    /* A header in front of a range of it: clone_segment takes a reference
     * on the same mbuf, no copy. */
    if (evpl_iovec_alloc(evpl, 42, 0, 1, 0, &header) != 1)
        goto fail;
    evpl_iovec_clone_segment(&body, &payload, 100, 1000);
    /* 1400 bytes fit a segment: the payload is on an mbuf, not a slab. */
    if (evpl_iovec_mbuf(&payload) == NULL)
        goto fail;
    printf("    payload mbuf refcnt is now %u\n",
           rte_mbuf_refcnt_read(evpl_iovec_mbuf(&payload)));
    step("alloc header, clone_segment 1000 bytes of payload");

    /* The original goes; the range stays valid. */
    evpl_iovec_release(evpl, &payload);
    step("release the payload (the range still holds it)");

    evpl_iovec_clone(&copy, &body);
    evpl_iovec_release(evpl, &body);
    evpl_iovec_release(evpl, &copy);
    step("clone the range, release both");

    /* Two-phase: reserve, fill part, commit what was used. */
    n = evpl_iovec_reserve(evpl, 4000, 0, 4, rsv);
    if (n < 1)
        goto fail;
    evpl_iovec_set_length(&rsv[0], 120);
    evpl_iovec_commit(evpl, 0, rsv, 1);
    step("reserve 4000, commit 120 (the context keeps its segment)");
    evpl_iovecs_release(evpl, rsv, n);
    step("release the reservation");

    /* Large buffers span segments. */
    nbig = evpl_iovec_alloc(evpl, 256 * 1024, 4096, 64,
                            EVPL_IOVEC_FLAG_SHARED, big);
    if (nbig < 1)
        goto fail;
    printf("    256 KiB, 4096-aligned, SHARED: %d iovecs\n", nbig);
    step("alloc 256 KiB");
    evpl_iovecs_release(evpl, big, nbig);
    evpl_iovec_release(evpl, &header);
    step("release everything");

    evpl_destroy(evpl);
    step("destroy the context");

    ok = rte_mempool_avail_count(pool) == free_at_start;
    printf("%s: every mbuf is back in the pool\n", ok ? "OK" : "LEAK");
    rte_eal_cleanup();
    return ok ? 0 : 1;

 fail:
    fprintf(stderr, "allocation failed: %s\n", strerror(errno));
    return 1;
}
