/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Telemetry: the /evpl/ commands answer on the EAL's telemetry socket, as
 * dpdk-telemetry.py would ask them, with the live contexts' counters.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include "common.h"

static int tel_fd = -1;

static int
tel_connect(void)
{
    struct sockaddr_un sun;
    char               hello[1024];

    tel_fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (tel_fd < 0)
        return -1;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
             rte_eal_get_runtime_dir());
    if (connect(tel_fd, (struct sockaddr *) &sun, sizeof(sun)) != 0)
        return -1;
    /* The server speaks first: its version and limits. */
    return read(tel_fd, hello, sizeof(hello)) > 0 ? 0 : -1;
}

/* Send one command; the reply, NUL-terminated, in a static buffer. */
static const char *
tel_ask(const char *cmd)
{
    static char reply[16384];
    ssize_t     n;

    assert_int_equal(write(tel_fd, cmd, strlen(cmd)), (ssize_t) strlen(cmd));
    n = read(tel_fd, reply, sizeof(reply) - 1);
    assert_true(n > 0);
    reply[n] = '\0';
    return reply;
}

/* The number after "key": in a flat JSON reply; fails the case if absent. */
static uint64_t
json_u64(const char *json, const char *key)
{
    char        pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(json, pat);
    if (p == NULL)
        fail_msg("no %s in %s", key, json);
    return strtoull(p + strlen(pat), NULL, 10);
}

static struct evpl_iovec
converted(struct evpl *evpl, int times)
{
    struct evpl_iovec v;
    int               i;

    /* Each round trip through evpl_dpdk_iovecs_to_mbuf counts one tx_pkts;
     * without TAKE_REF the caller keeps its iovec. */
    assert_int_equal(evpl_iovec_alloc(evpl, 100, 0, 1, 0, &v), 1);
    for (i = 0; i < times; i++)
        rte_pktmbuf_free(evpl_dpdk_iovecs_to_mbuf(evpl, &v, 1, 0));
    return v;
}

static void
stats_sum_the_live_contexts(void **state)
{
    struct evpl      *a = evpl_create(NULL), *b = evpl_create(NULL);
    struct evpl_iovec va, vb;
    const char       *r;

    (void) state;
    assert_non_null(a);
    assert_non_null(b);
    va = converted(a, 3);
    vb = converted(b, 5);

    r = tel_ask("/evpl/stats");
    assert_non_null(strstr(r, "\"/evpl/stats\""));
    /* The case's own context, a and b. */
    assert_int_equal(json_u64(r, "contexts"), 3);
    assert_int_equal(json_u64(r, "tx_pkts"), 8);
    assert_int_equal(json_u64(r, "tx_reused"), 8);
    assert_int_equal(json_u64(r, "rx_pkts"), 0);

    /* A destroyed context leaves the sum. */
    evpl_iovec_release(b, &vb);
    evpl_destroy(b);
    r = tel_ask("/evpl/stats");
    assert_int_equal(json_u64(r, "contexts"), 2);
    assert_int_equal(json_u64(r, "tx_pkts"), 3);

    evpl_iovec_release(a, &va);
    evpl_destroy(a);
}

static void
one_context_by_id(void **state)
{
    struct evpl      *a = evpl_create(NULL);
    struct evpl_iovec va;
    const char       *p;
    char              cmd[64], list[4096], *end;
    int               seen = 0;
    unsigned long     id;

    (void) state;
    assert_non_null(a);
    va = converted(a, 7);

    /* Kept: every tel_ask() reuses its buffer. */
    snprintf(list, sizeof(list), "%s", tel_ask("/evpl/contexts"));
    p = strchr(list, '[');
    assert_non_null(p);
    /* Ask each listed context; exactly one converted 7 packets. */
    for (p++; *p != ']' && *p != '\0'; p = end + (*end == ',')) {
        char one[16384];

        id = strtoul(p, &end, 10);
        assert_true(end != p);
        snprintf(cmd, sizeof(cmd), "/evpl/context,%lu", id);
        snprintf(one, sizeof(one), "%s", tel_ask(cmd));
        assert_int_equal(json_u64(one, "id"), id);
        if (json_u64(one, "tx_pkts") == 7) {
            seen++;
            assert_int_equal(json_u64(one, "lcore"), rte_lcore_id());
            assert_non_null(strstr(one, evpl_mempool(a)->name));
        }
    }
    assert_int_equal(seen, 1);
    evpl_iovec_release(a, &va);
    evpl_destroy(a);
}

static void
bad_context_ids(void **state)
{
    static const char *const bad[] = {
        "/evpl/context", "/evpl/context,", "/evpl/context,abc",
        "/evpl/context,0", "/evpl/context,4294967296",
        "/evpl/context,99999999", "/evpl/context,12x",
    };
    size_t i;

    (void) state;
    /* Telemetry answers null for a command that fails. */
    for (i = 0; i < RTE_DIM(bad); i++) {
        const char *r = tel_ask(bad[i]);

        if (strstr(r, "null") == NULL)
            fail_msg("%s answered %s", bad[i], r);
    }
}

static const struct CMUnitTest cases[] = {
    CASE(stats_sum_the_live_contexts),
    CASE(one_context_by_id),
    CASE(bad_context_ids),
};

static void
tear_down(void)
{
    close(tel_fd);
}

EVPL_TEST_MAIN("telemetry", cases, .set_up = tel_connect,
               .tear_down = tear_down)
