/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The library's log type: DPDK's own option --log-level=lib.*:debug
 * reaches it (it is "lib.evpl"), the name before 0.2 ("evpl") still
 * raises its level, and a leak at evpl_destroy() (of mbufs or of slabs) is
 * reported at WARNING, so that DPDK's default level prints it.
 *
 * The point is the command line: this program adds --log-level=lib.*:debug
 * to what tests/common.c passes the EAL.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "common.h"

/* Each case asks for its own default pool (a distinct mbuf count), so
 * that its creation, logged at INFO, happens inside the case. */
static unsigned int next_nb_mbufs = 101;

static int
lib_evpl_type(void)
{
    /* rte_log_register() of a registered name returns its id. */
    int t = rte_log_register("lib.evpl");

    assert_true(t >= 0);
    return t;
}

/* A context on a pool of its own, created here. */
static void
create_destroy(void *arg)
{
    struct evpl_config cfg = { .nb_mbufs = next_nb_mbufs++ };
    struct evpl       *e = evpl_create(&cfg);

    (void) arg;
    assert_non_null(e);
    evpl_test_assert_pool_full(evpl_mempool(e));
    evpl_destroy(e);
}

/* A context destroyed while one of its iovecs is still held. */
static void
create_leak_destroy(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl_config cfg = { .nb_mbufs = next_nb_mbufs++ };
    struct evpl       *e = evpl_create(&cfg);

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, v), 1);
    evpl_destroy(e);
}

static void
restore_levels(void)
{
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_NOTICE), 0);
    assert_int_equal(rte_log_set_level_pattern("evpl", RTE_LOG_EMERG), 0);
}

/* main() passed --log-level=lib.*:debug to rte_eal_init(). */
static void
lib_star_on_the_command_line_reaches_lib_evpl(void **state)
{
    char *log;

    (void) state;
    assert_int_equal(rte_log_get_level((uint32_t) lib_evpl_type()),
                     RTE_LOG_DEBUG);
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_non_null(strstr(log, "EVPL: created pool"));
    free(log);
    restore_levels();
}

static void
info_is_hidden_at_the_default_level(void **state)
{
    char *log;

    (void) state;
    restore_levels();
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_null(strstr(log, "created pool"));
    free(log);
}

static void
old_name_still_raises_the_level(void **state)
{
    char *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("evpl", RTE_LOG_INFO), 0);
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_non_null(strstr(log, "EVPL: created pool"));
    free(log);
    restore_levels();
}

static void
leak_is_printed_at_the_default_level(void **state)
{
    struct evpl_iovec v;
    char             *log;

    (void) state;
    restore_levels();
    log = evpl_test_captured_log(create_leak_destroy, &v);
    assert_non_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);
}

/* Printed with lib.evpl at WARNING, hidden at ERR: the report is at
 * WARNING exactly. */
static void
leak_is_reported_at_warning(void **state)
{
    struct evpl_iovec v;
    char             *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_WARNING), 0);
    log = evpl_test_captured_log(create_leak_destroy, &v);
    assert_non_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);

    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_ERR), 0);
    log = evpl_test_captured_log(create_leak_destroy, &v);
    assert_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);
    restore_levels();
}

/* A context destroyed while one of its slab iovecs is still held; the
 * mbuf pool is whole, so only the slab report can speak. */
static void
create_slab_leak_destroy(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl       *e = evpl_create(NULL);

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, EVPL_IOVEC_FLAG_SHARED,
                                      v), 1);
    assert_true(evpl_dpdk_iovec_is_slab(v));
    evpl_destroy(e);
}

/* The slab leak report is at WARNING too, as docs/trace.md says (it was
 * at NOTICE: with lib.evpl at WARNING a slab leak went unreported). */
static void
slab_leak_is_reported_at_warning(void **state)
{
    struct evpl_iovec v;
    char             *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_WARNING), 0);
    log = evpl_test_captured_log(create_slab_leak_destroy, &v);
    assert_non_null(strstr(log, "slabs (1 references) it carved are still "
                            "referenced"));
    free(log);
    evpl_iovec_release(NULL, &v);

    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_ERR), 0);
    log = evpl_test_captured_log(create_slab_leak_destroy, &v);
    assert_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);
    restore_levels();
}

static void
no_report_without_a_leak(void **state)
{
    char *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_DEBUG), 0);
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_null(strstr(log, "destroyed;"));
    free(log);
    restore_levels();
}

static const struct CMUnitTest cases[] = {
    /* First: it reads the level the command line set. */
    cmocka_unit_test(lib_star_on_the_command_line_reaches_lib_evpl),
    cmocka_unit_test(info_is_hidden_at_the_default_level),
    cmocka_unit_test(old_name_still_raises_the_level),
    cmocka_unit_test(leak_is_printed_at_the_default_level),
    cmocka_unit_test(leak_is_reported_at_warning),
    cmocka_unit_test(slab_leak_is_reported_at_warning),
    cmocka_unit_test(no_report_without_a_leak),
};

/* What a user types; the EAL's own debug lines then go off again, as for a
 * user quieting one library (tests/common.c adds lib.eal:warning after). */
EVPL_TEST_MAIN("log", cases, .eal.lcores = "0", .eal.nohuge_mb = "256",
               .eal.args = EVPL_TEST_LIST("--log-level=lib.*:debug"))
