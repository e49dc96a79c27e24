/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * When an allocation keeps the mbuf's headroom, as struct evpl_config's
 * segment_size documents it (<evpl/evpl_dpdk.h>, docs/api.md): in front
 * of anything that fits behind it, RTE_PKTMBUF_HEADROOM bytes stay free
 * and rte_pktmbuf_prepend() of the sent mbuf has room; a longer request
 * that one mbuf still holds starts at the buffer's first byte and leaves
 * none, as does every segment but the last of a longer allocation. The
 * cases guard that sentence: they fail when the code or the sentence
 * changes alone.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "common.h"

/* Bytes between an iovec's mbuf's buffer and its data. */
static size_t
headroom_of(const struct evpl_iovec *v)
{
    return (size_t) ((char *) evpl_iovec_data(v) -
                     (char *) evpl_iovec_mbuf(v)->buf_addr);
}

/* Send v alone (its reference moves into the mbuf) and try to prepend an
 * Ethernet header; returns whether there was room. Frees the mbuf. */
static int
prepend_fits(struct evpl *evpl, struct evpl_iovec *v)
{
    struct rte_mbuf *m = evpl_dpdk_iovecs_to_mbuf(evpl, v, 1,
                                                  EVPL_DPDK_TAKE_REF);
    int              fits;

    assert_non_null(m);
    fits = rte_pktmbuf_prepend(m, 14) != NULL;
    rte_pktmbuf_free(m);
    return fits;
}

/* segment_size bytes (8192 on the default pool) still fit behind the
 * headroom: it stays free, and the sent mbuf takes a header in front. */
static void
a_segment_size_request_keeps_the_headroom(void **state)
{
    struct evpl      *e = ((struct evpl_test_ctx *) *state)->evpl;
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(e, EVPL_DPDK_DEFAULT_SEGMENT_SIZE, 0,
                                      1, 0, &v), 1);
    assert_int_equal(headroom_of(&v), RTE_PKTMBUF_HEADROOM);
    assert_true(prepend_fits(e, &v));
}

/* 8320 bytes, the whole data room of a default-pool mbuf: one iovec that
 * eats the headroom, and prepend finds no room (the documented example). */
static void
the_whole_data_room_eats_the_headroom(void **state)
{
    struct evpl      *e = ((struct evpl_test_ctx *) *state)->evpl;
    struct evpl_iovec v;
    unsigned int      room = EVPL_DPDK_DEFAULT_SEGMENT_SIZE +
                             RTE_PKTMBUF_HEADROOM;

    assert_int_equal(room, 8320);
    assert_int_equal(evpl_iovec_alloc(e, room, 0, 1, 0, &v), 1);
    assert_int_equal(evpl_iovec_length(&v), room);
    assert_false(evpl_dpdk_iovec_is_slab(&v));
    assert_int_equal(headroom_of(&v), 0);
    assert_false(prepend_fits(e, &v));
}

/* One byte past segment_size is enough to lose the headroom. */
static void
one_byte_more_than_segment_size_eats_it(void **state)
{
    struct evpl      *e = ((struct evpl_test_ctx *) *state)->evpl;
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(e, EVPL_DPDK_DEFAULT_SEGMENT_SIZE + 1,
                                      0, 1, 0, &v), 1);
    assert_int_equal(headroom_of(&v), 0);
    evpl_iovec_release(e, &v);
}

/* With an alignment, the room behind the headroom is segment_size less
 * the padding the alignment may need: 8192 - 255 bytes at 256 keep at
 * least the headroom, wherever the mbuf's buffer lies. */
static void
alignment_padding_counts(void **state)
{
    struct evpl      *e = ((struct evpl_test_ctx *) *state)->evpl;
    struct evpl_iovec v;

    assert_int_equal(evpl_iovec_alloc(e, EVPL_DPDK_DEFAULT_SEGMENT_SIZE - 255,
                                      256, 1, 0, &v), 1);
    assert_int_equal((uintptr_t) evpl_iovec_data(&v) % 256, 0);
    assert_true(headroom_of(&v) >= RTE_PKTMBUF_HEADROOM);
    assert_true(prepend_fits(e, &v));
}

/* Over several segments: each full one starts at its buffer's first
 * byte, the last (which fits behind the headroom) keeps it. */
static void
only_the_last_of_several_segments_keeps_it(void **state)
{
    struct evpl      *e = ((struct evpl_test_ctx *) *state)->evpl;
    struct evpl_iovec v[2];

    assert_int_equal(evpl_iovec_alloc(e, 8320 + 1000, 0, 2, 0, v), 2);
    assert_int_equal(evpl_iovec_length(&v[0]), 8320);
    assert_int_equal(headroom_of(&v[0]), 0);
    assert_int_equal(evpl_iovec_length(&v[1]), 1000);
    assert_int_equal(headroom_of(&v[1]), RTE_PKTMBUF_HEADROOM);
    evpl_iovecs_release(e, v, 2);
}

/* The last segment's bytes exactly fill the room behind the headroom:
 * it still keeps it ("fits behind" includes exactly). Guards the
 * "< left" of src/alloc.c's evpl_alloc_multi() (at "<=" the exact fit
 * starts at the buffer's first byte). */
static void
a_last_segment_exactly_behind_the_headroom_keeps_it(void **state)
{
    struct evpl      *e = ((struct evpl_test_ctx *) *state)->evpl;
    struct evpl_iovec v[2];

    assert_int_equal(evpl_iovec_alloc(e, 8320 + 8192, 0, 2, 0, v), 2);
    assert_int_equal(evpl_iovec_length(&v[0]), 8320);
    assert_int_equal(evpl_iovec_length(&v[1]), 8192);
    assert_int_equal(headroom_of(&v[1]), RTE_PKTMBUF_HEADROOM);
    evpl_iovecs_release(e, v, 2);
}

static const struct CMUnitTest cases[] = {
    CASE(a_segment_size_request_keeps_the_headroom),
    CASE(the_whole_data_room_eats_the_headroom),
    CASE(one_byte_more_than_segment_size_eats_it),
    CASE(alignment_padding_counts),
    CASE(only_the_last_of_several_segments_keeps_it),
    CASE(a_last_segment_exactly_behind_the_headroom_keeps_it),
};

EVPL_TEST_MAIN("headroom", cases)
